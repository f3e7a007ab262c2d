"""The bulk tables' workspace column has no database foreign key: deleting a workspace still takes
its deals, stage history, contacts, visitors, touches, conversions and outbox rows with it."""

from attribution.models import Contact, ConversionEvent, OutboxEntry, Touchpoint, Visitor, Workspace
from crm_sync.models import Deal, DealStageChange, DealStageRule
from tests.crm.conftest import run_import
from tests.factories import TikTokIntegrationFactory, TouchpointFactory, VisitorFactory, WorkspaceFactory

BULK_TABLES = (Deal, DealStageChange, Contact, Visitor, Touchpoint, ConversionEvent, OutboxEntry)


def _counts(workspace_id):
    return {model.__name__: model.objects.filter(workspace_id=workspace_id).count()
            for model in BULK_TABLES}


def _fill(workspace):
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                                 uses_amount=True)
    TikTokIntegrationFactory(workspace=workspace)
    TouchpointFactory(workspace=workspace, visitor=VisitorFactory(workspace=workspace))
    assert run_import(workspace, "hubspot_deals.csv", phone_region="US").status == "succeeded"


def test_deleting_a_workspace_deletes_its_imported_rows_and_no_others(db):
    doomed, kept = WorkspaceFactory(), WorkspaceFactory()
    _fill(doomed)
    _fill(kept)
    before = _counts(kept.pk)
    assert all(_counts(doomed.pk).values()), _counts(doomed.pk)  # every table has rows to delete

    Workspace.objects.get(pk=doomed.pk).delete()

    assert set(_counts(doomed.pk).values()) == {0}
    assert _counts(kept.pk) == before
