"""attribution/key_probes.py: batch lookups by key are index probes whatever the statistics say."""

import json
import uuid
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from attribution.bulk import models_insert
from attribution.key_probes import index_probes
from attribution.models import Contact, ConversionEvent, Site, Touchpoint, Visitor
from attribution.services.conversions import conversions_by_event_id
from attribution.services.identity import contacts_by_key, visitors_identify
from attribution.services.outbox import StoredConversion, outbox_rows_for
from crm_sync.importing.batch import deals_by_crm_id
from crm_sync.importing.linking import links_read
from crm_sync.importing.rows import DealRow
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
    return _nodes(json.loads(queryset.explain(format="json"))[0]["Plan"])


def _nodes(plan: dict) -> list[dict]:
    nodes, pending = [], [plan]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes


@contextmanager
def scans_of_statements():
    """Every SELECT or UPDATE run inside the block is EXPLAINed first, with its parameters:
    yields a list that fills with (SQL, [(scan node type, index, table)]) as they run."""
    seen = []

    def explain(execute, sql, params, many, context):
        if not many and sql.lstrip("( ").upper().startswith(("SELECT", "UPDATE")) \
                and "set_config" not in sql and "current_setting" not in sql:
            cursor = context["cursor"]
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            seen.append((sql, [(n["Node Type"], n.get("Index Name"), n.get("Relation Name"))
                               for n in _nodes(plan[0]["Plan"]) if "Scan" in n["Node Type"]]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        yield seen


def scans_on(seen, table: str) -> list[tuple]:
    return [(kind, index) for _, scans in seen for kind, index, relation in scans if relation == table]


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
        queryset = conversions_by_event_id(never_analyzed_workspace.pk, keys)
        nodes = plan_nodes(queryset)
        found = {(name, event_id) for _, name, event_id, _ in queryset}
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


def test_contacts_to_merge_are_found_through_the_key_indexes_without_index_probes(never_analyzed_workspace):
    """A merge (identity._contacts_merge, one person at a time) asks for a key equal to a constant:
    PostgreSQL proves it non-empty, so the partial key indexes serve it."""
    from django.db.models import Q

    queryset = Contact.objects.filter(workspace=never_analyzed_workspace).filter(
        Q(email_hash="email12") | Q(phone_hash="phone12") | Q(external_id_hash="x") | Q(crm_contact_id="y"))
    used = {n.get("Index Name") for n in plan_nodes(queryset) if "Scan" in n["Node Type"]} - {None}
    assert used == {"contact_email", "contact_phone", "contact_external_id", "contact_crm_id"}
    assert [c.email_hash for c in queryset] == ["email12"]


@pytest.fixture
def visitors_and_clicks(never_analyzed_workspace):
    """Thousands of visitors, every second one with a click carrying a ttclid, never analyzed."""
    workspace = never_analyzed_workspace
    site = Site.objects.create(workspace=workspace, name="site")
    models_insert(Visitor, [{"workspace_id": workspace.pk, "site_id": site.pk, "uid": uuid.UUID(int=i + 1)}
                            for i in range(ROWS)])
    visitors = dict(Visitor.objects.filter(workspace=workspace).values_list("uid", "id"))
    models_insert(Touchpoint, [{"workspace_id": workspace.pk, "visitor_id": visitors[uuid.UUID(int=i + 1)],
                                "occurred_at": workspace.created_at, "ttclid": f"click{i}",
                                "utm_source": "tiktok", "utm_campaign": "c"}
                               for i in range(0, ROWS, 2)])
    return workspace, visitors


def test_a_batchs_visitors_and_clicks_are_probed_by_uid_and_ttclid(visitors_and_clicks):
    workspace, visitors = visitors_and_clicks
    rows = [DealRow(row_number=i, crm_id=f"D{i}", stage="new", present=frozenset(),
                    visitor_uid=str(uuid.UUID(int=i + 1)) if i % 3 == 0 else "",
                    ttclid=f"click{i}" if i % 3 == 1 else "", utm_source="tiktok", utm_campaign="c")
            for i in range(0, ROWS, 5)]
    with transaction.atomic(), scans_of_statements() as seen:
        links = links_read(workspace=workspace, rows=rows)
    assert set(scans_on(seen, "attribution_visitor")) == {(INDEX_SCAN, "visitor_unique_uid")}
    assert set(scans_on(seen, "attribution_touchpoint")) <= {
        (INDEX_SCAN, "touch_ttclid"), (INDEX_SCAN, "touch_visitor_time")}
    assert (INDEX_SCAN, "touch_ttclid") in scans_on(seen, "attribution_touchpoint")
    clicks = dict(Touchpoint.objects.filter(workspace=workspace).values_list("ttclid", "visitor_id"))
    for row, link in zip(rows, links, strict=True):
        if row.visitor_uid:
            assert link.visitor_id == visitors[uuid.UUID(row.visitor_uid)]
        elif row.ttclid in clicks:
            assert link.visitor_id == clicks[row.ttclid] and link.touchpoint_id
        else:
            assert link.visitor_id is None


def test_devices_are_linked_by_primary_key_probes(visitors_and_clicks):
    """Planned freely, the UPDATE hashed every visitor of the table for a batch's few hundred."""
    workspace, visitors = visitors_and_clicks
    contact = Contact.objects.create(workspace=workspace, email_hash="someone")
    pairs = {visitors[uuid.UUID(int=i + 1)]: contact.pk for i in range(0, ROWS, 10)}
    with transaction.atomic(), scans_of_statements() as seen:
        assert visitors_identify(pairs=pairs) == len(pairs)
    assert set(scans_on(seen, "attribution_visitor")) == {(INDEX_SCAN, "attribution_visitor_pkey")}
    assert set(Visitor.objects.filter(contact=contact).values_list("id", flat=True)) == set(pairs)


def test_a_batchs_opted_out_contacts_are_probed_by_primary_key(never_analyzed_workspace):
    from tests.factories import TikTokIntegrationFactory

    TikTokIntegrationFactory(workspace=never_analyzed_workspace)
    contacts = list(Contact.objects.filter(workspace=never_analyzed_workspace).values_list("id", flat=True))
    Contact.objects.filter(pk__in=contacts[::7]).update(opted_out=True)
    conversion = ConversionEvent.objects.filter(workspace=never_analyzed_workspace).first()
    stored = [StoredConversion(pk=conversion.pk, contact_id=cid, event_name=conversion.event_name,
                               occurred_at=conversion.occurred_at, source=conversion.source)
              for cid in contacts[::3]]
    with transaction.atomic(), scans_of_statements() as seen:
        rows = outbox_rows_for(workspace_id=never_analyzed_workspace.pk, conversions=stored)
    assert set(scans_on(seen, "attribution_contact")) == {(INDEX_SCAN, "attribution_contact_pkey")}
    assert len(rows) == len(stored)  # the factory's event is mapped for the integration
    opted_out = {stored[i].contact_id for i, row in enumerate(rows)
                 if row["last_error"].startswith("contact opted out")}
    assert opted_out == set(contacts[::7]) & set(contacts[::3])


def test_the_planner_settings_are_back_after_the_block(db):
    before = settings()
    assert before[:2] == ("on", "on")  # PostgreSQL's defaults, which the block must not leave off
    with transaction.atomic():
        with index_probes():
            assert settings() == ("off", "off", "off")
        assert settings() == before


def test_a_block_inside_another_costs_no_round_trip_and_the_outer_one_restores(db):
    from django.test.utils import CaptureQueriesContext

    before = settings()
    with transaction.atomic():
        with index_probes():
            with CaptureQueriesContext(connection) as inner, index_probes():
                pass
            assert len(inner) == 0
            assert settings() == ("off", "off", "off")  # still off after the inner block
        assert settings() == before
        with index_probes():  # and the next block sets them again
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
