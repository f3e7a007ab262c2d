from decimal import Decimal

import pytest

from crm_sync.models import DealStageRule
from dashboard.selectors.comparison import three_way


def test_three_way_compares_the_same_period_and_window(filters, django_assert_num_queries):
    with django_assert_num_queries(6):
        data = three_way(filters=filters)
    assert (data.reported.conversions, data.reported.revenue) == (Decimal("7"), Decimal("580"))
    assert (data.attributed.conversions, data.attributed.revenue) == (Decimal("3"), Decimal("250"))
    assert (data.crm.conversions, data.crm.revenue) == (Decimal("1"), Decimal("300"))
    assert (data.crm_all_channels.conversions, data.crm_all_channels.revenue) == (
        Decimal("2"),
        Decimal("1300"),
    )
    assert data.window_mismatch is False


def test_gaps_are_relative_to_the_later_source(filters):
    gaps = three_way(filters=filters).gaps()
    assert gaps["reported_vs_attributed_conversions"] == pytest.approx(4 / 3)
    assert gaps["attributed_vs_crm_revenue"] == pytest.approx(-50 / 300)


def test_a_workspace_stage_rule_decides_which_stage_is_closed_won(filters, workspace):
    DealStageRule.objects.create(
        workspace=workspace, crm_stage="appointmentscheduled", event_name="ClosedWon"
    )
    data = three_way(filters=filters)
    assert data.crm_all_channels.conversions == Decimal("0")  # the open deal has no closed_at
