"""The documentation stays true to the code: links, images, named paths, commands and API paths
resolve, and the site builds with MkDocs in strict mode (any warning fails)."""

import functools
import importlib
import importlib.util
import os
import subprocess
import sys

import pytest
from django.core.management import get_commands
from django.urls import Resolver404, get_resolver, resolve

from .checks import (
    DOCS,
    ROOT,
    api_paths,
    broken_links,
    dotted_names,
    manage_commands,
    missing_paths,
)

PAGES = sorted(DOCS.rglob("*.md")) + [ROOT / "README.md", ROOT / "benchmarks" / "README.md"]
ROLES = ["marketers", "admins", "sales-ops", "operators", "developers"]


def _page_ids(pages):
    return [str(p.relative_to(ROOT)) for p in pages]


@pytest.fixture(params=PAGES, ids=_page_ids(PAGES))
def page(request):
    return request.param, request.param.read_text(encoding="utf-8")


def test_every_role_has_a_folder_with_an_introduction():
    for role in ROLES:
        assert (DOCS / role / "index.md").is_file(), f"docs/{role}/index.md is missing"


def test_links_and_images_point_to_files_that_exist(page):
    path, text = page
    assert broken_links(path, text) == []


def test_code_paths_named_in_the_page_exist(page):
    _, text = page
    assert missing_paths(text) == []


def test_management_commands_named_in_the_page_exist(page):
    _, text = page
    known = set(get_commands())
    assert sorted(manage_commands(text) - known) == []


def test_python_and_task_names_named_in_the_page_exist(page):
    _, text = page
    assert sorted(n for n in dotted_names(text) if not (_importable(n) or n in _task_names())) == []


def test_api_paths_named_in_the_page_are_routed(page):
    _, text = page
    unrouted = []
    for path in sorted(api_paths(text)):
        try:
            resolve(path)
        except Resolver404:
            # a prefix such as /api/v1/collect/ is fine when routes live under it
            if not any(route.startswith(path.lstrip("/")) for route in _routes()):
                unrouted.append(path)
    assert unrouted == []


def test_every_image_in_docs_img_is_shown_on_some_page():
    shown = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    unused = [img.name for img in sorted((DOCS / "img").glob("*.png")) if img.name not in shown]
    assert unused == []


@pytest.mark.slow
def test_the_site_builds_in_strict_mode_without_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output, output
    for role in ROLES:
        assert (tmp_path / "site" / role / "index.html").is_file()


def _importable(name: str) -> bool:
    """A module (found without running it: settings modules need their environment), or an
    attribute of one."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        module = ".".join(parts[:i])
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            continue
        if i == len(parts):
            return True
        obj = importlib.import_module(module)
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


@functools.cache
def _task_names() -> frozenset[str]:
    from config.celery import app

    app.loader.import_default_modules()
    return frozenset(app.tasks)


@functools.cache
def _routes() -> tuple[str, ...]:
    """Every URL pattern as text, e.g. 'api/v1/runs/<int:pk>/'."""
    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, route)
            else:
                yield route
    return tuple(walk(get_resolver().url_patterns))
