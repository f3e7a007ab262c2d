"""Helpers for the deal-import tests: fixture files on disk, one call to import one."""

from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.base import ContentFile

from crm_sync.importing.services import deal_import_create, deal_import_run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(params=["thread", "process"], ids=["parse-in-thread", "parse-in-process"])
def parse_in(request, settings):
    """Parse every file in a thread of the importing process, then (whatever its size) in a
    separate parsing process: the two ways must import the same."""
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "DEAL_IMPORT_PARSE_PROCESS_MIN_BYTES":
                            0 if request.param == "process" else 2**62}
    return request.param


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def run_import(workspace, source, *, preset="hubspot", mapping=None, **options):
    """Import a fixture file (by name) or raw bytes, as the Celery task would."""
    if isinstance(source, bytes):
        upload = ContentFile(source, name="upload.csv")
    else:
        upload = File((FIXTURES / source).open("rb"), name=source)
    try:
        deal_import = deal_import_create(workspace=workspace, file=upload, preset=preset,
                                         mapping=mapping, options=options)
    finally:
        upload.close()
    return deal_import_run(deal_import=deal_import)
