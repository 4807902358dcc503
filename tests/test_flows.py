"""region_flows, RegionFlows and the flows kernel against a brute-force oracle and real data."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ecosystem as eco
from ecosystem import _core
from ecosystem.regions import LAYERS, layer_codes

from . import _reference as ref


@st.composite
def contribution_tables(draw):
    n = draw(st.integers(1, 40))
    ints = lambda hi: st.lists(st.integers(0, hi), min_size=n, max_size=n)  # noqa: E731
    return {
        "record": draw(ints(8)),
        "channel": draw(ints(1)),
        "region": draw(ints(4)),
        "lead": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "weight": draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=n, max_size=n)),
    }


def _build(t):
    return eco.Contributions.from_arrays(
        record=t["record"], actor=np.arange(len(t["record"])), region=t["region"],
        channel=np.asarray(["c0", "c1"])[t["channel"]], lead=t["lead"], weight=t["weight"])


@pytest.mark.parametrize("counting", ["full", "fractional"])
@given(t=contribution_tables(), seed=st.integers(0, 3))
def test_region_flows_match_oracle(counting, t, seed):
    c = _build(t)
    rw = np.random.default_rng(seed).poisson(1.0, size=c.n_records).astype(float)
    f = eco.region_flows(c, counting=counting, record_weight=rw)
    # the oracle works on codes
    present = sorted(set(c.channel.tolist()))
    P, C, internal, size = ref.region_flows(
        c.record, c.channel, c.region, c.lead, c.weight, rw, c.n_regions,
        len(c.channels), counting == "fractional")
    np.testing.assert_allclose(f.presence, P[present], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(f.copresence, C[present], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(f.internal, internal[present], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(f.size, size[present], rtol=1e-12, atol=1e-12)


@given(t=contribution_tables())
def test_fractional_groups_sum_to_one(t):
    c = _build(t)
    f = eco.region_flows(c, counting="fractional")
    n_groups = len(c.group_ptr) - 1
    total = f.presence.sum() + f.copresence.sum()
    assert total == pytest.approx(n_groups)
    assert f.size.sum() == pytest.approx(n_groups)


def test_full_counting_copresence_is_BtB():
    rng = np.random.default_rng(3)
    n = 2000
    rec, reg = rng.integers(0, 300, n), rng.integers(0, 12, n)
    c = eco.Contributions.from_arrays(record=rec, actor=np.arange(n), region=reg)
    f = eco.region_flows(c)
    import scipy.sparse as sp
    B = sp.csr_array((np.ones(n), (c.record, c.region))).astype(bool).astype(float)
    np.testing.assert_array_equal(f.copresence[0], (B.T @ B).toarray())
    np.testing.assert_array_equal(f.size[0], B.sum(axis=0))


def test_presence_direction_and_layers():
    # patent 1: applicant in A (lead) owns an invention made by inventors in B and A
    # patent 2: applicant in B owns an invention made in C (same country as B)
    c = eco.Contributions.from_arrays(
        record=[1, 1, 1, 2, 2], actor=["app1", "inv1", "inv2", "app2", "inv3"],
        region=["A", "B", "A", "B", "C"], lead=[True, False, False, True, False],
        channel="enterprise")
    f = eco.region_flows(c, countries={"A": "US", "B": "JP", "C": "JP"})
    P = f.matrix("presence", channel="enterprise")
    np.testing.assert_array_equal(P, [[1, 1, 0], [0, 0, 1], [0, 0, 0]])
    assert LAYERS[f.layers[0, 1]] == "international"
    assert LAYERS[f.layers[1, 2]] == "domestic"
    np.testing.assert_array_equal(f.matrix("presence", channel="enterprise", layer="international"),
                                  [[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    v = f.volumes("international").set_index("region")
    assert v.loc["A", "outbound"] == 1 and v.loc["B", "inbound"] == 1
    assert v.loc["B", "outbound"] == 0  # B -> C is domestic


def test_layer_codes_cross_boundary():
    codes = layer_codes(["HK", "CN", "CN", "US"], parents=["GBA", "GBA", None, None])
    assert [LAYERS[x] for x in codes[0]] == ["internal", "cross-boundary", "international", "international"]
    assert LAYERS[codes[1, 2]] == "domestic"


def test_thread_count_and_chunking_invariance():
    rng = np.random.default_rng(11)
    n = 60_000
    rec = np.sort(rng.integers(0, 20_000, n))
    reg = rng.integers(0, 30, n)
    lead = rng.random(n) < 0.3
    w = rng.random(n) + 0.1
    c = eco.Contributions.from_arrays(record=rec, actor=np.arange(n), region=reg, lead=lead, weight=w)
    a = eco.region_flows(c, counting="fractional", n_jobs=1)
    b = eco.region_flows(c, counting="fractional", n_jobs=2)
    for name in ("presence", "copresence", "internal", "size"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("counting", [False, True])
def test_kernel_readonly_and_no_mutation(counting):
    rng = np.random.default_rng(5)
    n = 500
    group_ptr = np.unique(np.concatenate([[0, n], rng.integers(0, n, 120)])).astype(np.int64)
    G = len(group_ptr) - 1
    args = [group_ptr, rng.integers(0, 2, G).astype(np.intp), rng.random(G),
            rng.integers(0, 7, n).astype(np.intp), (rng.random(n) < 0.4).astype(np.uint8),
            rng.random(n)]
    copies = [a.copy() for a in args]
    for a in args:
        a.flags.writeable = False
    out1 = _core.region_flows(*args, 7, 2, counting, 5, 2)
    out2 = _core.region_flows(*args, 7, 2, counting, 5, 1)
    for x, y in zip(out1, out2):
        np.testing.assert_array_equal(x, y)
    for a, b in zip(args, copies):
        np.testing.assert_array_equal(a, b)


def test_empty_contributions():
    c = eco.Contributions.from_arrays(record=[], actor=[], region=[], regions=["X", "Y"])
    f = eco.region_flows(c)
    assert f.presence.shape == (0, 2, 2)


def test_region_flows_errors():
    c = eco.Contributions.from_arrays(record=[1], actor=["a"], region=["X"])
    with pytest.raises(eco.ParameterError, match="region_flows: counting must be one of"):
        eco.region_flows(c, counting="newman")
    with pytest.raises(eco.ParameterError, match="record_weight must have one entry per row"):
        eco.region_flows(c, record_weight=[1.0, 2.0])
    with pytest.raises(eco.ParameterError, match="record_weight must be finite"):
        eco.region_flows(c, record_weight=[np.nan])
    with pytest.raises(eco.ParameterError, match="channel must be one of"):
        eco.region_flows(c, channel="talent")
    with pytest.raises(eco.ParameterError, match="window must have first <= last"):
        eco.region_flows(c, window=(2020, 2010))


# --------------------------------------------------------------------- real data: MPIDR flows
def test_mpidr_migration_flows_totals(shared_data):
    path = shared_data / "mpidr_scholarly_migration" / "scopus_2024_V1_countryflows_edgelist.csv"
    table = pd.read_csv(path)
    flows = eco.RegionFlows.from_pandas(table, source="origin_iso3", target="destination_iso3",
                                        weight="n_migrations", time="year", window=(2014, 2018))
    v = flows.volumes("international").set_index("region")
    # the sanity figures of SOURCE.md (Scopus flows, 2014-2018 summed)
    assert v.loc["USA", "inbound"] == 114_831 and v.loc["USA", "outbound"] == 106_242
    assert v.loc["JPN", "inbound"] == 14_039 and v.loc["JPN", "outbound"] == 17_185
    assert v.loc["CHN", "inbound"] == 42_772 and v.loc["CHN", "outbound"] == 38_800
    assert v.loc["HKG", "inbound"] == 6_007 and v.loc["HKG", "outbound"] == 6_547
    assert v.loc["MAC", "inbound"] == 709 and v.loc["MAC", "outbound"] == 512
    window = table[(table.year >= 2014) & (table.year <= 2018)]
    assert flows.presence.sum() == window.n_migrations.sum()
    assert flows.info["rows_outside_window"] == len(table) - len(window)
    # every row is kept in the full table; totals match column sums per origin
    full = eco.RegionFlows.from_pandas(table, source="origin_iso3", target="destination_iso3",
                                       weight="n_migrations")
    out = full.volumes("international").set_index("region")["outbound"]
    expected = table.groupby("origin_iso3").n_migrations.sum()
    pd.testing.assert_series_equal(out.loc[expected.index], expected.astype(float),
                                   check_names=False)


def test_from_edges_errors():
    with pytest.raises(eco.ParameterError, match="window needs a time column"):
        eco.RegionFlows.from_edges(["A"], ["B"], window=(2000, 2001))
    with pytest.raises(eco.ParameterError, match="weight must be non-negative"):
        eco.RegionFlows.from_edges(["A"], ["B"], [-1])
    with pytest.raises(eco.ParameterError, match="labels outside the vocabulary"):
        eco.RegionFlows.from_edges(["A"], ["Z"], regions=["A", "B"])
    with pytest.raises(eco.ParameterError, match="is not a column"):
        eco.RegionFlows.from_pandas(pd.DataFrame({"a": [1]}), source="origin")


def test_flows_with_region_map_layers():
    gba = eco.regions.greater_bay_area()
    codes, report = gba.resolve(["CN", "HK", "CN", "US"], city=["Shenzhen", None, "Beijing", "Boston"])
    labels = [gba.regions[i] for i in codes]
    assert labels[:2] == ["GBA-GD", "GBA-HK"] and report.n_unmatched == 0
    c = eco.Contributions.from_arrays(record=[1, 1, 2, 2], actor=list("abcd"), region=labels,
                                      lead=[True, False, True, False], regions=gba)
    f = eco.region_flows(c)
    i, j, k, m = (gba.index(x) for x in labels)
    assert f.presence[0, i, j] == 1 and LAYERS[f.layers[i, j]] == "cross-boundary"
    assert f.presence[0, k, m] == 1 and LAYERS[f.layers[k, m]] == "international"
    assert f.n_regions == len(gba.regions)
    v = f.volumes("cross-boundary").set_index("region")
    assert v.loc["GBA-GD", "outbound"] == 1 and v.loc["GBA-HK", "inbound"] == 1


def test_from_table_region_axis_is_the_window_rows():
    import pandas as pd

    t = pd.DataFrame({"source": ["A", "B", "NRU", "A"], "target": ["B", "A", "A", "C"],
                      "weight": [5, 3, 1, 2], "time": [2015, 2016, 2013, 2019],
                      "channel": ["talent", "talent", "talent", "academic"]})
    f = eco.RegionFlows.from_table(t, window=(2014, 2018))
    assert f.regions == ("A", "B")
    assert f.channels == ("academic", "talent")
    assert f.info["rows_outside_window"] == 2
    with pytest.raises(eco.exceptions.ParameterError, match="time"):
        eco.RegionFlows.from_table(t.drop(columns="time"), window=(2014, 2018))


def test_region_axis_is_public():
    from ecosystem.flows import region_axis

    vocab, ctry, par, m = region_axis("f", None, {"A": "X", "B": "X"}, np.array(["B", "A"]))
    assert vocab == ("A", "B") and ctry == ("X", "X") and par == (None, None) and m is None
