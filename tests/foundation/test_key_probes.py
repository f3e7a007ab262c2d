"""attribution/key_probes.py: batch lookups by key are index probes whatever the statistics say."""

import pytest
from django.db import connection, transaction

from attribution.bulk import models_insert
from attribution.key_probes import index_probes
from attribution.models import Contact, ConversionEvent
from crm_sync.importing.batch import deals_by_crm_id
from crm_sync.importing.linking import contacts_by_key
from crm_sync.importing.stage_conversions import conversion_keys_by_event_id
from crm_sync.models import Deal
from tests.factories import ConversionEventFactory, DealFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")

ROWS = 3_000


class _IndexScan(str):
    """Equal to either kind of index scan: which one is the planner's business, not the probe's."""

    def __eq__(self, other):
        return other in ("Index Scan", "Index Only Scan")

    __hash__ = str.__hash__


INDEX_SCAN = _IndexScan("Index Scan")


def plan_nodes(queryset) -> list[dict]:
    import json

    nodes, pending = [], [json.loads(queryset.explain(format="json"))[0]["Plan"]]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes


def settings() -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_bitmapscan'), "
                       "current_setting('jit')")
        return cursor.fetchone()


@pytest.fixture
def never_analyzed_workspace(workspace):
    """A workspace with thousands of rows in tables never analyzed: the state of a first import."""
    deal = DealFactory.build(workspace=workspace)
    template = {f.attname: getattr(deal, f.attname) for f in Deal._meta.concrete_fields if f.attname != "id"}
    template["updated_at"] = template["imported_at"]  # auto_now: set on save, which this skips
    models_insert(Deal, [{**template, "crm_id": f"D{i}"} for i in range(ROWS)])
    conversion = ConversionEventFactory.build(workspace=workspace)
    template = {f.attname: getattr(conversion, f.attname) for f in ConversionEvent._meta.concrete_fields
                if f.attname not in ("id", "site_id", "contact_id", "visitor_id")}
    models_insert(ConversionEvent, [{**template, "event_id": f"E{i}"} for i in range(ROWS)])
    models_insert(Contact, [{"workspace_id": workspace.pk, "email_hash": f"email{i}",
                             "phone_hash": f"phone{i}" if i % 3 == 0 else ""} for i in range(ROWS)])
    return workspace


def test_deals_are_looked_up_by_probing_the_unique_crm_id_index(never_analyzed_workspace):
    keys = [f"D{i}" for i in range(0, ROWS, 2)]
    with transaction.atomic(), index_probes():
        queryset = deals_by_crm_id(never_analyzed_workspace.pk, keys)
        nodes = plan_nodes(queryset)
        found = {row["crm_id"] for row in queryset}
    scans = [n for n in nodes if "Scan" in n["Node Type"]]
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [(INDEX_SCAN, "deal_unique_crm_id")]
    assert found == set(keys)


def test_conversions_are_looked_up_by_probing_the_unique_event_id_index(never_analyzed_workspace):
    keys = {f"E{i}" for i in range(0, ROWS, 3)} | {"not-stored"}
    with transaction.atomic(), index_probes():
        queryset = conversion_keys_by_event_id(never_analyzed_workspace.pk, keys)
        nodes = plan_nodes(queryset)
        found = set(queryset)
    scans = [n for n in nodes if "Scan" in n["Node Type"]]
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [
        (INDEX_SCAN, "conversion_unique_event_id")]
    assert found == {("CompletePayment", key) for key in keys - {"not-stored"}}


def test_contacts_are_looked_up_by_probing_each_key_kinds_own_index(never_analyzed_workspace):
    keys = [{"email_hash": f"email{i}"} for i in range(0, ROWS, 7)]
    keys += [{"email_hash": "nobody", "phone_hash": f"phone{i}"} for i in range(0, ROWS, 9)]
    with transaction.atomic(), index_probes():
        queryset = contacts_by_key(never_analyzed_workspace.pk, keys)
        nodes = plan_nodes(queryset)
        found = {row["email_hash"] for row in queryset}
    scans = sorted((n["Node Type"], n.get("Index Name")) for n in nodes if "Scan" in n["Node Type"])
    assert scans == [(INDEX_SCAN, "contact_email"), (INDEX_SCAN, "contact_phone")]
    assert found == {f"email{i}" for i in range(0, ROWS, 7)} | {f"email{i}" for i in range(0, ROWS, 9)}


def test_a_contact_is_resolved_through_the_key_indexes_without_index_probes(never_analyzed_workspace):
    """contact_resolve (one person at a time) asks for a key equal to a constant: PostgreSQL proves
    it non-empty, so the partial key indexes serve it."""
    from django.db.models import Q

    queryset = Contact.objects.filter(workspace=never_analyzed_workspace).filter(
        Q(email_hash="email12") | Q(phone_hash="phone12") | Q(external_id_hash="x") | Q(crm_contact_id="y"))
    used = {n.get("Index Name") for n in plan_nodes(queryset) if "Scan" in n["Node Type"]} - {None}
    assert used == {"contact_email", "contact_phone", "contact_external_id", "contact_crm_id"}
    assert [c.email_hash for c in queryset] == ["email12"]


def test_the_planner_settings_are_back_after_the_block(db):
    before = settings()
    assert before[:2] == ("on", "on")  # PostgreSQL's defaults, which the block must not leave off
    with transaction.atomic():
        with index_probes():
            assert settings() == ("off", "off", "off")
        assert settings() == before


def test_the_unique_keys_lead_with_the_id_as_the_concurrent_migration_left_them(db):
    """attribution/migration_ops.py built them CONCURRENTLY and swapped them in under their names."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conname IN ('deal_unique_crm_id', 'conversion_unique_event_id') ORDER BY 1")
        assert cursor.fetchall() == [
            ("conversion_unique_event_id", "UNIQUE (event_id, workspace_id, event_name)"),
            ("deal_unique_crm_id", "UNIQUE (crm_id, workspace_id)")]
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%%\\_unique\\_%%\\_new'")
        assert cursor.fetchone()[0] == 0  # no half-built index left behind
