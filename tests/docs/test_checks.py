"""The docs test's checks catch what they are for: each finds a planted mistake in a few lines."""

from .checks import DOCS, ROOT, api_paths, broken_links, dotted_names, manage_commands, missing_paths


def test_a_link_to_a_missing_page_is_reported():
    text = "See [the guide](admins/nowhere.md) and [home](index.md#top) and [web](https://example.com)."
    assert broken_links(DOCS / "index.md", text) == ["link admins/nowhere.md: no such file"]


def test_a_missing_image_is_reported():
    assert broken_links(DOCS / "index.md", "![Overview](img/no-such-shot.png)") == [
        "image img/no-such-shot.png: no such file"]


def test_a_docs_page_linking_outside_docs_is_reported():
    assert broken_links(DOCS / "index.md", "[code](../manage.py)") == [
        "link ../manage.py: outside docs/, not part of the site"]


def test_links_inside_code_are_examples_and_not_checked():
    text = "```md\n[x](missing.md)\n```\nand `[y](missing.md)`"
    assert broken_links(DOCS / "index.md", text) == []


def test_a_code_path_that_no_longer_exists_is_reported():
    text = ("`attribution/engine/journeys.py` and `attribution/engine/gone.py`, "
            "`scripts/demo --reset`, `tests/sync/test_drain.py::test_x`, `tests/<module>.py`\n"
            "```bash\n.venv/bin/python benchmarks/nope.py\n```")
    assert missing_paths(text, ROOT) == ["attribution/engine/gone.py", "benchmarks/nope.py"]


def test_management_commands_are_read_from_code():
    text = "Run `manage.py seed_demo --reset`, then\n```\npython manage.py run_audit\n```"
    assert manage_commands(text) == {"seed_demo", "run_audit"}


def test_dotted_project_names_are_read_from_code_spans():
    text = "`crm_sync.tasks.outbox_drain_due`, `ConversionEvent.lookback_from`, `config.settings.production`"
    assert dotted_names(text) == {"crm_sync.tasks.outbox_drain_due", "config.settings.production"}


def test_api_paths_get_placeholders_filled_and_hosts_dropped():
    text = ("`GET /api/v1/runs/<id>/`, `…/<id>/report/`, "
            "`curl https://clickledger.example.com/api/v1/events?x=1`")
    assert api_paths(text) == {"/api/v1/runs/1/", "/api/v1/events"}
