"""Eligibility against its definition, on arbitrary batches with frequent timestamp ties."""

import numpy as np
from hypothesis import given, settings

from attribution.engine.journeys import PersonOrder, build_journeys
from tests.engine.test_properties import WINDOWS, batches


@settings(max_examples=200, deadline=None)
@given(batches())
def test_person_order_is_person_then_time_then_id(batch):
    _, tps = batch
    by_person = PersonOrder.of(tps)
    assert by_person.order.tolist() == np.lexsort((tps.id, tps.time, tps.person)).tolist()
    assert by_person.persons.tolist() == sorted(set(tps.person.tolist()))
    assert tps.person[by_person.order[by_person.first]].tolist() == by_person.persons.tolist()
    assert tps.person[by_person.order[by_person.last]].tolist() == by_person.persons.tolist()


@settings(max_examples=200, deadline=None)
@given(batches())
def test_pairs_are_each_conversions_eligible_touches_in_time_then_id_order(batch):
    """The reference: for each conversion in turn, its person's touches at or before it and inside
    their channel's click or view window, sorted by (time, id)."""
    convs, tps = batch
    expected = []
    for c in range(len(convs)):
        eligible = [t for t in range(len(tps)) if tps.person[t] == convs.person[c]
                    and 0 <= convs.time[c] - tps.time[t] <= WINDOWS.of(tps.channel[t], tps.kind[t])]
        expected += [(c, t) for t in sorted(eligible, key=lambda t: (tps.time[t], tps.id[t]))]
    journeys = build_journeys(convs, tps, WINDOWS)
    assert list(zip(journeys.conv.tolist(), journeys.touch.tolist(), strict=True)) == expected
    attributed = sorted({c for c, _ in expected})
    assert journeys.attributed.tolist() == attributed
    assert journeys.unattributed.tolist() == [c for c in range(len(convs)) if c not in attributed]
