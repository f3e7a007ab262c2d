"""The Paths page and the journey finder, over hand-built journeys attributed by a real run."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.core.cache import cache
from django.urls import reverse

from attribution.identity.normalize import hash_email, hash_phone
from attribution.models import Touchpoint
from attribution.runs import services
from dashboard.figures import paths as paths_fig
from dashboard.journey_reports import build_paths
from dashboard.selectors import finder, paths
from dashboard.selectors.filters import DashboardFilters
from tests.factories import ContactFactory, ConversionEventFactory, DealFactory, VisitorFactory
from tests.runs.journeys import T0, journey, models_of

NOV = {"start": "2026-11-01", "end": "2026-11-30", "window": "7-1"}


@pytest.fixture(autouse=True)
def empty_cache():
    """The Paths page is cached per workspace and run ids, and a rolled-back test database may
    give the next test's rows the same ids."""
    cache.clear()


def attribute(workspace):
    run = services.run_create(workspace=workspace, period_start=T0 - timedelta(days=60),
                              period_end=T0 + timedelta(days=40))
    services.run_execute(run=run)


@pytest.fixture
def journeys(workspace):
    """Meta → TikTok twice (10 + 20), Meta → Meta → TikTok (5), Email (7), one unattributed (40)."""
    models_of(workspace)
    made = {
        "meta_tiktok": [journey(workspace, touches=[(2, "meta", "click"), (1, "tiktok", "click")], value=v)
                        for v in ("10.00", "20.00")],
        "meta_meta_tiktok": journey(workspace, value="5.00", touches=[
            (2.5, "meta", "click"), (2, "meta", "click"), (1, "tiktok", "click")]),
        "email": journey(workspace, touches=[(1, "email", "click")], value="7.00"),
        "unattributed": journey(workspace, touches=[(40, "meta", "click")], value="40.00"),
    }
    attribute(workspace)
    return made


@pytest.fixture
def november(workspace):
    return DashboardFilters(workspace=workspace, start=date(2026, 11, 1), end=date(2026, 11, 30), model=None)


def top(filters, **kwargs):
    found = paths.top_paths(filters=filters, **kwargs)
    found = paths.labelled(found, paths.step_labels(s for p in found for s in p.steps))
    return [(p.path, p.conversions, p.revenue, round(p.share, 3), p.median_days) for p in found]


@pytest.mark.django_db
@pytest.mark.usefixtures("journeys")
class TestPaths:
    def test_top_paths_keep_repeats_and_show_the_unattributed_apart(self, november):
        assert top(november, collapsed=False) == [
            ("Meta → TikTok", 2, Decimal("30"), 0.4, 2.0),
            ("Email", 1, Decimal("7"), 0.2, 1.0),
            ("Meta → Meta → TikTok", 1, Decimal("5"), 0.2, 2.0),
            ("(unattributed)", 1, Decimal("40"), 0.2, None),
        ]

    def test_collapsing_repeats_merges_paths_that_differ_only_by_them(self, november):
        assert top(november, collapsed=True)[0] == ("Meta → TikTok", 3, Decimal("35"), 0.6, 2.0)

    def test_the_long_tail_is_summed_as_other_paths(self, november):
        assert top(november, collapsed=False, limit=1)[1:] == [
            ("(other paths)", 2, Decimal("12"), 0.4, 1.5),
            ("(unattributed)", 1, Decimal("40"), 0.2, None),
        ]

    def test_campaign_level_names_each_tiktok_step_by_its_campaign(self, november):
        campaign = Touchpoint.objects.filter(workspace=november.workspace, channel="tiktok").order_by(
            "pk").first().campaign
        names = [row[0] for row in top(november, level="campaign", collapsed=False)]
        assert f"Meta → TikTok: {campaign.name}" in names
        assert len(names) == 5  # each of the three TikTok touches has its own campaign

    def test_assists_count_every_step_before_the_last_and_who_opens_and_closes(self, november):
        rows = {a.step: a for a in paths.assists(filters=november)}
        meta, tiktok, email = rows["meta"], rows["tiktok"], rows["email"]
        assert (meta.last_touch, meta.assisted, meta.first_touch) == (0, 3, 3)
        assert (tiktok.last_touch, tiktok.assisted, tiktok.first_touch) == (3, 0, 0)
        assert (email.last_touch, email.assisted, email.first_touch) == (1, 0, 1)
        assert (meta.first_share, tiktok.last_share, meta.assist_ratio) == (0.75, 0.75, None)

    def test_time_lag_and_path_length_are_distributed_by_first_touch_channel(self, november):
        lag, length = paths.distributions(filters=november)
        assert lag.rows["meta"][lag.buckets.index("2 days")] == 3
        assert lag.rows["email"][lag.buckets.index("1 day")] == 1
        assert length.rows["meta"][length.buckets.index("2 touches")] == 2
        assert length.rows["meta"][length.buckets.index("3 touches")] == 1
        assert sum(length.rows["email"]) == 1

    def test_customer_value_sums_what_first_time_customers_bring_by_each_horizon(self, november, journeys):
        first = journeys["email"]
        ConversionEventFactory(workspace=first.workspace, contact=first.contact, visitor=first.visitor,
                               value=Decimal("3.00"), occurred_at=T0 + timedelta(days=20))
        attribute(first.workspace)
        rows = {v.channel: v for v in paths.customer_value(filters=november)}
        assert (rows["email"].customers, rows["email"].revenue) == (
            1, [Decimal("7"), Decimal("10"), Decimal("10")])
        assert rows["meta"].customers == 3 and rows["meta"].revenue[0] == Decimal("35")
        assert rows["email"].per_customer(1) == Decimal("10")

    def test_every_figure_spec_is_valid_plotly(self, november):
        top = paths.top_paths(filters=november)
        assists = paths.assists(filters=november)
        labels = paths.step_labels([s for p in top for s in p.steps] + [a.step for a in assists])
        lag, length = paths.distributions(filters=november)
        for spec in (paths_fig.path_sankey_spec(paths.labelled(top, labels), labels),
                     paths_fig.assists_spec(assists, labels),
                     paths_fig.distribution_spec(lag, title="lag"),
                     paths_fig.distribution_spec(length, title="length"),
                     paths_fig.customer_value_spec(paths.customer_value(filters=november), "USD")):
            assert go.Figure(spec).data  # raises ValueError on any property Plotly does not know

    def test_the_page_reads_a_fixed_number_of_queries(self, november, django_assert_max_num_queries):
        with django_assert_max_num_queries(9):
            page = build_paths(filters=november, params={"level": "campaign"}, figures=True)
        assert len(page.figures) == 5 and set(page.tables) == {"paths", "assists", "lag", "length", "value"}

    def test_the_page_is_kept_until_a_run_is_published(self, november, django_assert_max_num_queries):
        before = build_paths(filters=november, params={}, figures=False)
        with django_assert_max_num_queries(1):  # the published runs' ids
            assert build_paths(filters=november, params={}, figures=False).tables["paths"].rows == (
                before.tables["paths"].rows)
        journey(november.workspace, touches=[(1, "email", "click")], value="7.00")
        attribute(november.workspace)
        after = build_paths(filters=november, params={}, figures=False)
        assert ["Email", 2] in [row[:2] for row in after.tables["paths"].rows]


@pytest.mark.django_db
class TestFinder:
    def test_email_and_phone_are_hashed_before_the_lookup(self, workspace):
        contact = ContactFactory(workspace=workspace, email_hash=hash_email("ann@example.com"),
                                 phone_hash=hash_phone("+14155552671"))
        by_email = finder.find_person(workspace=workspace, by="email", value=" Ann@Example.COM ")
        by_phone = finder.find_person(workspace=workspace, by="phone", value="+1 415-555-2671")
        assert by_email == by_phone == finder.Person(contact.pk)

    def test_deal_event_and_visitor_ids_find_their_person(self, workspace):
        contact = ContactFactory(workspace=workspace)
        visitor = VisitorFactory(workspace=workspace, contact=contact)
        lone = VisitorFactory(workspace=workspace)
        DealFactory(workspace=workspace, crm_id="D-42", visitor=visitor)
        ConversionEventFactory(workspace=workspace, event_id="order-7", visitor=lone)
        assert finder.find_person(workspace=workspace, by="deal", value="D-42") == finder.Person(contact.pk)
        assert finder.find_person(workspace=workspace, by="event", value="order-7") == finder.Person(
            visitor_id=lone.pk)
        assert finder.find_person(workspace=workspace, by="visitor", value=str(visitor.uid)) == finder.Person(
            contact.pk)

    def test_another_workspaces_people_are_never_found(self, workspace, other_workspace):
        ContactFactory(workspace=other_workspace, email_hash=hash_email("bob@example.com"))
        DealFactory(workspace=other_workspace, crm_id="D-9")
        ConversionEventFactory(workspace=other_workspace, event_id="order-9")
        other_visitor = VisitorFactory(workspace=other_workspace)
        for by, value in [("email", "bob@example.com"), ("deal", "D-9"), ("event", "order-9"),
                          ("visitor", str(other_visitor.uid))]:
            assert finder.find_person(workspace=workspace, by=by, value=value) is None

    def test_bad_input_is_answered_with_what_to_fix(self, workspace):
        with pytest.raises(finder.FinderError, match="email"):
            finder.find_person(workspace=workspace, by="email", value="not-an-address")
        with pytest.raises(finder.FinderError, match="visitor id looks like"):
            finder.find_person(workspace=workspace, by="visitor", value="12")

    def test_the_default_example_is_a_multi_touch_journey(self, journeys, november):
        later = journey(november.workspace, touches=[(1, "email", "click")], when=T0 + timedelta(days=2))
        attribute(november.workspace)
        example = finder.example_person(filters=november)
        assert example != finder.Person(later.contact_id)
        assert example == finder.Person(journeys["meta_meta_tiktok"].contact_id)  # most touches, latest day


@pytest.mark.django_db
class TestViews:
    def test_the_paths_page_shows_paths_and_exports_every_table(self, logged_in, journeys, workspace):
        response = logged_in.get(reverse("dashboard:paths"), {"ws": workspace.pk, **NOV})
        assert response.status_code == 200
        assert "Meta → TikTok" in response.content.decode() and "sankey" in response.content.decode()
        for table in ("paths", "assists", "lag", "length", "value"):
            export = logged_in.get(reverse("dashboard:export", args=["paths", table]),
                                   {"ws": workspace.pk, **NOV, "repeats": "collapse"})
            rows = list(csv.reader(io.StringIO(export.content.decode())))
            assert export.status_code == 200 and len(rows) >= 2, table
        paths_csv = logged_in.get(reverse("dashboard:export", args=["paths", "paths"]),
                                  {"ws": workspace.pk, **NOV, "repeats": "collapse"}).content.decode()
        assert "Meta → TikTok,3,0.6,35" in paths_csv  # a share exports as its number

    def test_a_linked_person_of_another_workspace_shows_nothing(self, logged_in, workspace, other_workspace):
        for ws in (workspace, other_workspace):
            models_of(ws)
        stranger = journey(other_workspace, touches=[(1, "organic_search", "click")])
        attribute(workspace)  # a workspace with output shows its pages, not the first-run steps
        attribute(other_workspace)
        response = logged_in.get(reverse("dashboard:finder"),
                                 {"ws": workspace.pk, **NOV, "person": f"contact:{stranger.contact_id}"})
        assert "organic_search" not in response.content.decode()
        assert "No rows for this selection" in response.content.decode()

    def test_the_paths_page_never_shows_another_workspaces_paths(self, logged_in, workspace, other_workspace):
        models_of(other_workspace)
        journey(other_workspace, touches=[(1, "organic_search", "click")])
        attribute(other_workspace)
        response = logged_in.get(reverse("dashboard:paths"), {"ws": other_workspace.pk, **NOV})
        assert "Organic search" not in response.content.decode()

    def test_the_finder_shows_every_models_credit_for_the_person_found(self, logged_in, journeys, workspace):
        conversion = journeys["email"]
        conversion.contact.email_hash = hash_email("eve@example.com")
        conversion.contact.save()
        url = f"{reverse('dashboard:finder')}?ws={workspace.pk}&start={NOV['start']}&end={NOV['end']}"
        response = logged_in.post(url, {"by": "email", "q": "eve@example.com"})
        page = response.content.decode()
        assert response.status_code == 200 and f"Contact {conversion.contact_id}" in page
        assert "Linear share" in page and "100.0%" in page
        # posted, never in a URL: links and the export name the person by id
        assert "eve@example.com" not in " ".join(re.findall(r'href="([^"]*)"', page))
        export = logged_in.get(reverse("dashboard:export", args=["finder", "journey"]),
                               {"ws": workspace.pk, **NOV, "person": f"contact:{conversion.contact_id}"})
        assert "email,click,,1.0" in export.content.decode()

    def test_the_finder_answers_bad_input_with_a_400_and_the_fix(self, logged_in, workspace):
        models_of(workspace)
        attribute(workspace)  # past the first-run steps
        url = f"{reverse('dashboard:finder')}?ws={workspace.pk}"
        response = logged_in.post(url, {"by": "phone", "q": "12"})
        assert response.status_code == 400
        assert "not a phone number" in response.content.decode().lower()
