"""Models side by side: channels and TikTok campaigns as rows, every configured model as a column."""

from decimal import Decimal

import pytest
from django.urls import reverse

from attribution.models import ModelKind
from dashboard.selectors.model_matrix import model_matrix
from tests.factories import ModelConfigFactory

from .factories import RollupFactory
from .world import D2

pytestmark = pytest.mark.django_db


def test_each_channel_shows_every_models_credit_and_its_difference_from_last_click(filters, world):
    matrix = model_matrix(filters=filters)
    assert [m.name for m in matrix.models] == ["Last click", "Linear"] and matrix.baseline == world.last_click
    tiktok = next(r for r in matrix.channels if r.key == "tiktok")
    assert tiktok.cell(world.last_click.pk).conversions == 3.0
    assert tiktok.cell(world.linear.pk).conversions == 2.0
    diff = matrix.difference(tiktok, world.linear.pk)
    assert (diff.conversions, diff.revenue) == (-1.0, Decimal("-75"))
    assert matrix.difference(tiktok, world.last_click.pk) is None


def test_tiktok_campaigns_are_rows_too(filters, world):
    campaigns = {r.label: r for r in model_matrix(filters=filters).campaigns}
    assert set(campaigns) == {"Spring Sale", "Retargeting"}
    assert campaigns["Spring Sale"].cell(world.linear.pk).revenue == Decimal("150")


def test_a_model_the_workspace_adds_gets_its_own_column(
    filters, world, workspace, django_assert_max_num_queries
):
    extra = ModelConfigFactory(workspace=workspace, kind=ModelKind.POSITION_BASED, name="U-shaped")
    RollupFactory(run=world.current_run, model_config=extra, day=D2, channel="meta", conversions=0.5,
                  revenue=Decimal("40"))
    with django_assert_max_num_queries(7):
        matrix = model_matrix(filters=filters)
    assert [m.name for m in matrix.models][-1] == "U-shaped"
    meta = next(r for r in matrix.channels if r.key == "meta")
    assert matrix.difference(meta, extra.pk).conversions == -0.5


def test_the_overview_sets_models_side_by_side_with_signed_differences(logged_in, world):
    response = logged_in.get(reverse("dashboard:overview"), {"start": "2026-11-01", "end": "2026-11-07",
                                                            "model": world.last_click.pk})
    table = response.context["tables"]["models"]
    assert table.columns == ["Channel", "Last click conv.", "Last click revenue", "Linear conv.",
                             "Linear revenue", "Linear conv. vs Last click", "Linear revenue vs Last click"]
    tiktok = next(r for r in table.rows if r[0] == "TikTok")
    assert [str(c) for c in tiktok[1:]] == ["3", "$250.00", "2", "$175.00", "−1", "−$75.00"]
    assert "How credit moves" in response.content.decode()
