"""What the docs test looks for in Markdown: links, images, code paths, commands and API paths.

Pure functions over a page's text, so the checks themselves can be tested on a few lines.
"""

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# Top-level folders and files of the repository: a code span token starting with one of these is
# a path in this checkout, and must exist.
REPO_DIRS = ("attribution", "crm_sync", "dashboard", "config", "tests", "benchmarks", "scripts",
             "static", "templates", "docs", ".ci")
REPO_FILES = ("manage.py", "pyproject.toml", "mkdocs.yml", ".env.example", "README.md")
PACKAGES = ("attribution", "crm_sync", "dashboard", "config")
# A placeholder or pattern, not a concrete path: `tests/<module>.py`, `docs/*.md`, `…/report/`.
NOT_CONCRETE = re.compile(r"[<>*{}…$\[\]|]")

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"(!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_SRC = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.I)
_MANAGE = re.compile(r"manage\.py\s+([a-z_]+)")
_OWN_HOST = re.compile(r"^https?://(?:clickledger\.example\.com|127\.0\.0\.1:8000)(/[^\s]*)")


@dataclass(frozen=True)
class Link:
    target: str
    image: bool


def without_code(text: str) -> str:
    """The page with fenced blocks and code spans blanked out (links there are examples)."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def links(text: str) -> list[Link]:
    """Markdown links and images, and HTML img/a, outside code."""
    prose = without_code(text)
    found = [Link(m.group(2), image=bool(m.group(1))) for m in _LINK.finditer(prose)]
    found += [Link(m.group(1), image=m.group(0).lower().startswith("<img"))
              for m in _HTML_SRC.finditer(prose)]
    return found


def is_local(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) and not target.startswith("#")


def broken_links(page: Path, text: str) -> list[str]:
    """Local link and image targets of ``page`` that name no file; pages under docs/ may only link
    inside docs/ (the site holds nothing else)."""
    problems = []
    for link in links(text):
        if not is_local(link.target):
            continue
        path = link.target.split("#", 1)[0].split("?", 1)[0]
        if not path:
            continue
        resolved = (page.parent / path).resolve()
        kind = "image" if link.image else "link"
        if not resolved.exists():
            problems.append(f"{kind} {link.target}: no such file")
        elif page.is_relative_to(DOCS) and not resolved.is_relative_to(DOCS):
            problems.append(f"{kind} {link.target}: outside docs/, not part of the site")
    return problems


def code_texts(text: str) -> list[str]:
    """The contents of fenced blocks and code spans."""
    blocks = [m.group(0) for m in _FENCE.finditer(text)]
    spans = [m.group(2) for m in _CODE_SPAN.finditer(_FENCE.sub("", text))]
    return blocks + spans


def _tokens(code: str):
    for raw in code.split():
        token = raw.strip("\"'`,;()[]").rstrip(".:")
        if token:
            yield token


def repo_paths(text: str) -> set[str]:
    """Concrete repository paths named in code: `attribution/engine/journeys.py`, `scripts/demo`,
    `tests/sync/test_drain.py::test_x` (the node id is dropped), `manage.py`."""
    found = set()
    for code in code_texts(text):
        for token in _tokens(code):
            token = token.split("::", 1)[0]
            token = re.sub(r":\d+$", "", token)
            if NOT_CONCRETE.search(token):
                continue
            if token in REPO_FILES or token.split("/", 1)[0] in REPO_DIRS and "/" in token:
                found.add(token)
    return found


def missing_paths(text: str, root: Path = ROOT) -> list[str]:
    return sorted(p for p in repo_paths(text) if not (root / p).exists())


def manage_commands(text: str) -> set[str]:
    """Management commands named as `manage.py NAME` in code."""
    return {m.group(1) for code in code_texts(text) for m in _MANAGE.finditer(code)}


FILE_SUFFIXES = {"py", "md", "js", "html", "txt", "csv", "json", "yml", "yaml", "lua", "toml", "png"}


def dotted_names(text: str) -> set[str]:
    """Dotted names of the project named in code: Python names (`crm_sync.tasks.outbox_drain_due`)
    and Celery task names (`attribution.chunk`); file names (`attribution.py`) are not."""
    pattern = re.compile(rf"^(?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+$")
    return {t for code in code_texts(text) for t in _tokens(code)
            if pattern.match(t) and t.rsplit(".", 1)[1] not in FILE_SUFFIXES}


def api_paths(text: str) -> set[str]:
    """Concrete URL paths of the API named in code: `/api/v1/runs/<id>/` becomes /api/v1/runs/1/."""
    found = set()
    for code in code_texts(text):
        for token in _tokens(code):
            own = _OWN_HOST.match(token)
            path = own.group(1) if own else token
            if not path.startswith(("/api/", "/demo/")) or "…" in path:
                continue
            path = re.split(r"[?\[]", path, maxsplit=1)[0]
            found.add(re.sub(r"<[^<>]+>", "1", path))
    return found
