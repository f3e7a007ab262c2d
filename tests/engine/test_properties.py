"""Properties every model keeps on arbitrary batches (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from attribution.engine.arrays import Conversions, Touches
from attribution.engine.data_driven import FITTED_KINDS, fitted_specs
from attribution.engine.fit_paths import fit_paths
from attribution.engine.pipeline import MODELS, ModelSpec, attribute
from attribution.engine.windows import LookbackWindows
from tests.engine.builder import CHANNELS, DIRECT, at

HOUR = 3_600_000_000
SPECS = [ModelSpec(kind, {"min_conversions": 1} if kind in FITTED_KINDS else {}, key=kind)
         for kind in MODELS]
WINDOWS = LookbackWindows.build(CHANNELS, {"meta": (1, 0)})


@st.composite
def batches(draw):
    n_touch = draw(st.integers(0, 40))
    n_conv = draw(st.integers(1, 15))
    people = st.integers(1, 5)
    # Coarse hours make same-timestamp ties frequent; ids are unique like primary keys.
    touch_ids = draw(st.lists(st.integers(1, 10_000), min_size=n_touch, max_size=n_touch, unique=True))
    tps = Touches.from_columns(
        id=touch_ids,
        person=draw(st.lists(people, min_size=n_touch, max_size=n_touch)),
        time=[at() - h * HOUR for h in draw(st.lists(st.integers(-48, 40 * 24), min_size=n_touch,
                                                         max_size=n_touch))],
        kind=draw(st.lists(st.integers(0, 1), min_size=n_touch, max_size=n_touch)),
        channel=draw(st.lists(st.integers(0, len(CHANNELS) - 1), min_size=n_touch, max_size=n_touch)),
        ad=draw(st.lists(st.integers(0, 3), min_size=n_touch, max_size=n_touch)),
    )
    convs = Conversions.from_columns(
        id=np.arange(1, n_conv + 1) * 7,
        person=draw(st.lists(people, min_size=n_conv, max_size=n_conv)),
        time=[at() - h * HOUR for h in draw(st.lists(st.integers(0, 72), min_size=n_conv,
                                                         max_size=n_conv))],
        value=draw(st.lists(st.integers(-10**9, 10**12), min_size=n_conv, max_size=n_conv)),
        currency=draw(st.lists(st.integers(0, 1), min_size=n_conv, max_size=n_conv)),
    )
    return convs, tps


def specs_for(convs, tps):
    """Every model; the data-driven ones fitted on the batch itself (left out when unfitted)."""
    paths = fit_paths(convs, tps, WINDOWS, since_us=at(40))
    specs, _ = fitted_specs(SPECS, paths, channel_codes=len(CHANNELS))
    return [s for s in specs if s.kind not in FITTED_KINDS or s.params["effects"] is not None]


def compute(convs, tps):
    return attribute(convs, tps, WINDOWS, specs_for(convs, tps), direct_channel=DIRECT).models


@settings(max_examples=150, deadline=None)
@given(batches())
def test_weights_are_non_negative_and_sum_to_one_and_revenue_to_the_value(batch):
    convs, tps = batch
    for result in compute(convs, tps):
        c = result.credits
        assert (c.weight >= 0).all()
        np.testing.assert_allclose(np.bincount(c.conv, c.weight, len(convs)), 1.0, atol=1e-9)
        revenue = np.zeros(len(convs), dtype=np.int64)
        np.add.at(revenue, c.conv, c.revenue)
        assert (revenue == convs.value).all()


@settings(max_examples=150, deadline=None)
@given(batches())
def test_rollups_equal_the_sum_of_credits(batch):
    convs, tps = batch
    for result in compute(convs, tps):
        r, c = result.rollup, result.credits
        assert np.isclose(r.conversions.sum(), c.weight.sum())
        assert r.revenue.sum() == c.revenue.sum()
        for currency in (0, 1):
            mine = convs.currency[c.conv] == currency
            assert r.revenue[r.currency == currency].sum() == c.revenue[mine].sum()


def as_rows(convs, tps, results):
    """Credits keyed by ids, so batches read in different orders compare equal."""
    out = {}
    for result in results:
        c = result.credits
        touch_ids = np.where(c.touch >= 0, tps.id[np.maximum(c.touch, 0)] if len(tps) else 0, -1)
        out[result.spec.key] = sorted(zip(convs.id[c.conv].tolist(), touch_ids.tolist(),
                                          np.round(c.weight, 12).tolist(), c.revenue.tolist(),
                                          strict=True))
        out[result.spec.key, "rollup"] = sorted((*row[:6], round(row[6], 9), row[7])
                                                for row in result.rollup.rows())
    return out


def shuffled(cols, order):
    return type(cols).from_columns(**{k: v[order] for k, v in vars(cols).items()})


@settings(max_examples=100, deadline=None)
@given(batches(), st.randoms(use_true_random=False))
def test_permuting_the_input_order_changes_nothing(batch, rnd):
    convs, tps = batch
    touch_order = np.array(rnd.sample(range(len(tps)), len(tps)), dtype=np.int64)
    conv_order = np.array(rnd.sample(range(len(convs)), len(convs)), dtype=np.int64)
    convs2, tps2 = shuffled(convs, conv_order), shuffled(tps, touch_order)
    assert as_rows(convs, tps, compute(convs, tps)) == as_rows(convs2, tps2, compute(convs2, tps2))


@settings(max_examples=100, deadline=None)
@given(batches())
def test_the_credit_table_holds_every_models_credits_once(batch):
    convs, tps = batch
    result = attribute(convs, tps, WINDOWS, specs_for(convs, tps), direct_channel=DIRECT)
    table = result.credit_table()
    pairs = set(zip(table.conv.tolist(), table.touch.tolist(), strict=True))
    assert len(pairs) == len(table)  # one row per (conversion, touch)
    for m, model in enumerate(result.models):
        np.testing.assert_allclose(np.bincount(table.conv, table.weights[:, m], len(convs)), 1.0,
                                   atol=1e-9)
        revenue = np.zeros(len(convs), dtype=np.int64)
        np.add.at(revenue, table.conv, table.revenues[:, m])
        assert (revenue == convs.value).all()
        credited = {(c, t) for c, t, w in zip(model.credits.conv.tolist(), model.credits.touch.tolist(),
                                               model.credits.weight.tolist(), strict=True) if w > 0}
        assert credited <= pairs
