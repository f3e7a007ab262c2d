"""Helpers for the deal-import tests: fixture files on disk, one call to import one."""

from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.base import ContentFile

from crm_sync.importing.services import deal_import_create, deal_import_run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


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
