"""region_metrics: indicator formulas on hand-made flows and on the bundled real data."""

import numpy as np
import pytest

import ecosystem as eco


def _flows():
    # A -> B 30, B -> A 10, A -> C 20 (C never sends back); A-B-C all different countries
    return eco.RegionFlows.from_edges(["A", "B", "A", "A"], ["B", "A", "C", "A"], [30, 10, 20, 5])


def test_formulas_by_hand():
    m = eco.region_metrics(_flows()).set_index("region")
    a = m.loc["A"]
    assert (a.outbound, a.inbound, a.internal) == (50, 10, 5)
    assert a.D == pytest.approx((50 - 10) / 60)
    assert a.B == pytest.approx(1 - 40 / 60)
    assert a.R == pytest.approx(2 * 10 / (30 + 10 + 20))   # only B reciprocates
    assert a.R <= a.B
    assert a.openness == pytest.approx(60 / 65) and a.ei == pytest.approx(2 * 60 / 65 - 1)
    assert np.isnan(a.v_in) and a.size_source == "unknown"
    c = m.loc["C"]
    assert c.D == -1 and c.R == 0


def test_size_gives_intensities():
    m = eco.region_metrics(_flows(), size={"A": 100, "B": 50}).set_index("region")
    assert m.loc["A", "v_out"] == pytest.approx(0.5)
    assert m.loc["A", "circulation"] == pytest.approx(0.6)
    assert np.isnan(m.loc["C", "circulation"])


def test_swapping_direction_flips_D_and_keeps_R():
    f = _flows()
    g = eco.RegionFlows.from_edges(["B", "A", "C", "A"], ["A", "B", "A", "A"], [30, 10, 20, 5])
    m, n = eco.region_metrics(f).set_index("region"), eco.region_metrics(g).set_index("region")
    np.testing.assert_allclose(m.D, -n.D)
    np.testing.assert_allclose(m.R, n.R)


def test_real_migration_data_signs():
    flows = eco.datasets.scholarly_migration(window=(2014, 2018))
    m = eco.region_metrics(flows).set_index("region")
    assert m.loc["JPN", "D"] > 0.09          # Japan: net outflow of scholars (17,185 vs 14,039)
    assert m.loc["USA", "D"] < 0             # USA: net inflow
    assert (m.R <= m.B + 1e-12).all()


def test_errors():
    with pytest.raises(eco.ParameterError, match="region_metrics: layer must be one of"):
        eco.region_metrics(_flows(), layer="galactic")
    with pytest.raises(eco.InputTypeError, match="RegionFlows"):
        eco.region_metrics({"A": 1})


# ------------------------------------------------------------------------------------
# Full indicator set (issue 4 item 1): toy example, invariants, nulls, roles, HITS.
# ------------------------------------------------------------------------------------
import sys  # noqa: E402
import types  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ecosystem import metrics as M  # noqa: E402


def toy_flows(scale=1.0):
    """typology.md §4.7: regions X, Y, Z exchanging with partners A and B."""
    rows = [("X", "A", 60), ("X", "B", 40), ("A", "X", 50), ("B", "X", 50),
            ("Y", "A", 100), ("B", "Y", 100),
            ("Z", "A", 20), ("Z", "B", 10), ("A", "Z", 70), ("B", "Z", 50)]
    s, t, w = zip(*rows)
    return eco.RegionFlows.from_edges(s, t, np.asarray(w, float) * scale)


def test_toy_example_of_the_typology():
    m = eco.region_metrics(toy_flows(), n_null=0).set_index("region")
    expected = {"X": (100, 100, 0.0, 1.0, 0.9), "Y": (100, 100, 0.0, 1.0, 0.0),
                "Z": (30, 120, -0.6, 0.4, 0.4)}
    for r, (vout, vin, D, B, R) in expected.items():
        row = m.loc[r]
        assert (row.outbound, row.inbound) == (vout, vin)
        assert row.D == pytest.approx(D) and row.B == pytest.approx(B) and row.R == pytest.approx(R)
    assert m.loc["Z", "R"] == pytest.approx(m.loc["Z", "B"])   # every partner imbalanced one way
    assert m.loc["X", "partners_in"] == 2 and m.loc["Y", "partners_in"] == 1


@st.composite
def flow_tables(draw):
    n = draw(st.integers(2, 7))
    m = draw(st.integers(1, 25))
    src = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    dst = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    w = draw(st.lists(st.sampled_from([0.5, 1.0, 3.0, 10.0]), min_size=m, max_size=m))
    countries = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return [f"r{x}" for x in src], [f"r{x}" for x in dst], w, {f"r{i}": c for i, c in enumerate(countries)}


@given(t=flow_tables())
def test_invariants_of_the_indicators(t):
    src, dst, w, countries = t
    regions = sorted(countries)
    f = eco.RegionFlows.from_edges(src, dst, w, regions=regions, countries=countries)
    m = eco.region_metrics(f, layer="all", n_null=0, brokerage=False)
    ok = m.D.notna()
    assert ((m.D[ok] >= -1) & (m.D[ok] <= 1)).all()
    np.testing.assert_allclose(m.B[ok], 1 - np.abs(m.D[ok]))
    assert ((m.R[ok] >= -1e-12) & (m.R[ok] <= m.B[ok] + 1e-12)).all()        # R <= B
    o = m.openness.notna()
    np.testing.assert_allclose(m.ei[o], 2 * m.openness[o] - 1)              # E-I = 2O - 1
    # scaling every volume leaves O, D, R unchanged
    g = eco.RegionFlows.from_edges(src, dst, np.asarray(w) * 7.5, regions=regions, countries=countries)
    n = eco.region_metrics(g, layer="all", n_null=0, brokerage=False)
    for col in ("openness", "D", "R", "B", "foreign_ownership", "ownership_abroad"):
        np.testing.assert_allclose(n[col], m[col], rtol=1e-12, equal_nan=True)
    # swapping in and out flips D and keeps R
    h = eco.RegionFlows.from_edges(dst, src, w, regions=regions, countries=countries)
    s = eco.region_metrics(h, layer="all", n_null=0, brokerage=False)
    np.testing.assert_allclose(s.D, -m.D, equal_nan=True, atol=1e-15)
    np.testing.assert_allclose(s.R, m.R, equal_nan=True)
    np.testing.assert_allclose(s.partners_in, m.partners_out)


def test_layers_windows_and_what_is_not_computed():
    f = eco.RegionFlows.from_edges(["A", "B", "A", "C", "A"], ["B", "A", "C", "A", "A"], [5, 3, 2, 4, 9],
                                   countries={"A": "x", "B": "x", "C": "y"})
    m = eco.region_metrics(f, layer="all", n_null=0)
    assert set(m.layer) == {"international", "domestic", "external"} and len(m) == 9
    a = m.set_index(["layer", "region"])
    assert a.loc[("domestic", "A"), "outbound"] == 5 and a.loc[("international", "A"), "outbound"] == 2
    assert a.loc[("external", "A"), "outbound"] == 7
    assert (m.window == "all").all()
    assert "v_in" in m.attrs["not_computed"] and m.attrs["size_basis"].startswith("internal")
    assert np.isnan(m.v_in).all()
    w = eco.region_metrics(eco.datasets.scholarly_migration(window=(2014, 2018)), n_null=0, brokerage=False)
    assert (w.window == "2014-2018").all()
    assert np.isnan(w.openness).all() and "internal" in w.attrs["not_computed"]["openness"]


def test_internal_and_size_make_openness_and_intensities():
    f = toy_flows()
    m = eco.region_metrics(f, size={r: 1000 for r in "ABXYZ"}, internal={r: 300 for r in "ABXYZ"},
                           n_null=0).set_index("region")
    assert m.loc["X", "openness"] == pytest.approx(200 / 500)
    assert m.loc["X", "ei"] == pytest.approx(2 * 200 / 500 - 1)
    assert m.loc["Z", "v_in"] == pytest.approx(0.12) and m.loc["Z", "turnover"] == pytest.approx(0.15)
    assert m.loc["Z", "foreign_share"] == pytest.approx(0.12)
    # random mixing: X's partner ends land abroad with the other regions' share of activity
    assert m.loc["X", "openness_null"] == pytest.approx(4000 / 5000)
    assert m.loc["X", "openness_star"] == pytest.approx((0.4 - 0.8) / (1 - 0.8))


def test_ownership_indicators_by_hand():
    # enterprise: applicant region -> inventor region; A owns 6 inventions made in A and 4 in B
    f = eco.RegionFlows.from_edges(["A", "A", "B", "B"], ["A", "B", "A", "B"], [6, 4, 1, 9],
                                   channel="enterprise", countries={"A": "x", "B": "y"})
    m = eco.region_metrics(f, n_null=0, brokerage=False).set_index("region")
    # inventions made in A: 6 owned at home + 1 owned from B -> 1/7 foreign-owned
    assert m.loc["A", "foreign_ownership"] == pytest.approx(1 / 7)
    # inventions owned by A: 6 at home + 4 abroad -> 4/10 made abroad
    assert m.loc["A", "ownership_abroad"] == pytest.approx(4 / 10)
    assert m.loc["A", "mcp_ratio"] == pytest.approx(4 / 10)


def test_panel_z_recovers_a_line_despite_an_outlier():
    rng = np.random.default_rng(0)
    x = np.linspace(0, 5, 40)
    y = 1.0 - 0.5 * x + rng.normal(0, 0.1, 40)
    y[7] -= 3.0
    z = M.panel_z(y, x, np.ones(40, dtype=bool))
    assert z[7] < -3 and np.abs(np.delete(z, 7)).max() < 2.5
    # without outliers and with huge c the fit is OLS: z = internally studentised residuals
    y2 = 1.0 - 0.5 * x + rng.normal(0, 0.1, 40)
    z2 = M.panel_z(y2, x, np.ones(40, dtype=bool), c=1e9)
    X = np.c_[np.ones(40), x]
    beta = np.linalg.lstsq(X, y2, rcond=None)[0]
    e = y2 - X @ beta
    h = np.diag(X @ np.linalg.inv(X.T @ X) @ X.T)
    s = np.sqrt((e ** 2).sum() / 38)
    np.testing.assert_allclose(z2, e / (s * np.sqrt(1 - h)), rtol=1e-8)
    # a region outside the panel gets the prediction-error scale
    panel = np.ones(40, dtype=bool)
    panel[0] = False
    assert np.isfinite(M.panel_z(y2, x, panel)[0])


def test_panel_z_stops_each_fit_when_it_settles():
    """Every row's IRLS stops when its line no longer moves: the same lines (to 1e-10) as
    30 iterations on every row, with rows of NaN and short panels among them."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 50, 60))
    y = 0.7 * x + rng.standard_t(3, size=x.shape)
    y[0, 0] = np.nan           # no usable entry
    x[1, 2, 3:] = np.nan       # three usable entries
    panel = rng.random(60) < 0.8
    args = (np.nan_to_num(y).reshape(-1, 60), np.nan_to_num(x).reshape(-1, 60),
            (np.isfinite(y) & np.isfinite(x) & panel).reshape(-1, 60), M._HUBER_C, 30)
    a, b = M._huber_line(*args)
    a_full, b_full = M._huber_line(*args, rtol=-1.0)   # never settles: 30 iterations
    np.testing.assert_allclose(a, a_full, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b, b_full, rtol=0, atol=1e-10)
    assert np.isnan(a[0]) and np.isfinite(a[1:]).all()
    z = M.panel_z(y, x, panel)
    assert z.shape == y.shape and np.isnan(z[0, 0]).all() and np.isfinite(z[2]).all()


def test_hits_matches_networkx():
    nx = pytest.importorskip("networkx")
    rng = np.random.default_rng(3)
    W = rng.random((8, 8)) * (rng.random((8, 8)) < 0.5)
    np.fill_diagonal(W, 0)
    hub, auth = M.hits(W)
    G = nx.from_numpy_array(W, create_using=nx.DiGraph)
    h, a = nx.hits(G, max_iter=10000, tol=1e-14)
    np.testing.assert_allclose(hub, [h[i] for i in range(8)], atol=1e-8)
    np.testing.assert_allclose(auth, [a[i] for i in range(8)], atol=1e-8)


def test_disparity_backbone_by_hand():
    # node 0 sends 90 to 1 and 10 to 2 (k=2): alpha_01 = (1 - 0.9)^1 = 0.1, alpha_02 = 0.9
    # node 1 receives only from 0 (k_in = 1): kept from the target side
    W = np.zeros((3, 3))
    W[0, 1], W[0, 2], W[1, 2] = 90, 10, 1000
    assert M._backbone(W, 0.05).tolist() == [[False, True, False], [False, False, True], [False, False, False]]
    assert M._backbone(W, 0.2)[0, 1] and M._backbone(W, None).sum() == 3


def test_brokerage_roles_in_region_metrics_and_swap():
    # countries: P = {A, B}, Q = {C}; C -> A -> B makes A a gatekeeper
    f = eco.RegionFlows.from_edges(["C", "A"], ["A", "B"], [10, 10], countries={"A": "P", "B": "P", "C": "Q"})
    m = eco.region_metrics(f, n_null=50, backbone_alpha=None).set_index("region")
    assert m.loc["A", "gatekeeper"] == 1 and m.loc["A", "representative"] == 0
    g = eco.RegionFlows.from_edges(["A", "B"], ["C", "A"], [10, 10], countries={"A": "P", "B": "P", "C": "Q"})
    n = eco.region_metrics(g, n_null=50, backbone_alpha=None).set_index("region")
    assert n.loc["A", "representative"] == 1 and n.loc["A", "gatekeeper"] == 0
    np.testing.assert_array_equal(n.hits_hub.values, m.hits_authority.values)


def test_every_region_its_own_country_leaves_roles_undefined():
    m = eco.region_metrics(toy_flows(), n_null=30)
    assert m[["z_gatekeeper", "z_representative"]].isna().all().all()
    assert "own country" in m.attrs["brokerage_status"]["talent"]


def test_reciprocity_null_columns():
    m = eco.region_metrics(toy_flows(scale=5), n_null=499, seed=2).set_index("region")
    # X trades with A and B where the rest of the world is lopsided: matched beyond gravity
    assert m.loc["X", "R"] > m.loc["X", "R_null"] and m.loc["X", "p_R"] < 0.05
    assert m.loc["X", "rho_R"] == pytest.approx((m.loc["X", "R"] - m.loc["X", "R_null"]) / (1 - m.loc["X", "R_null"]))
    assert m.loc["Y", "p_R"] == 1.0          # R = 0 can never exceed a draw
    assert eco.region_metrics(toy_flows(), n_null=0)["R_null"].isna().all()


def test_relabelling_regions_permutes_results():
    f = toy_flows()
    g = eco.RegionFlows.from_edges(*zip(*[(s, t, w) for s, t, w in zip(
        ["X", "X", "A", "B", "Y", "B", "Z", "Z", "A", "B"], ["A", "B", "X", "X", "A", "Y", "A", "B", "Z", "Z"],
        [60, 40, 50, 50, 100, 100, 20, 10, 70, 50])]), regions=["Z", "B", "Y", "A", "X"])
    a = eco.region_metrics(f, n_null=99, seed=1).set_index("region").sort_index()
    b = eco.region_metrics(g, n_null=99, seed=1).set_index("region").sort_index()
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(b[num].to_numpy(float), a[num].to_numpy(float), rtol=1e-12, atol=1e-12, equal_nan=True)


def test_sna_adapter_uses_ecosystem_brokerage_when_present(monkeypatch):
    from .test_uncertainty import brute_roles

    class Result:
        def __init__(self, raw):
            self.raw = np.c_[raw, raw.sum(axis=1)]
            self.z = self.raw * 0 + 1.5

    def brokerage(graph, groups):
        A = np.asarray(graph.toarray() if hasattr(graph, "toarray") else graph) != 0
        return Result(brute_roles(A, np.asarray(groups)))

    fake = types.ModuleType("ecosystem.brokerage")
    fake.brokerage = brokerage
    monkeypatch.setitem(sys.modules, "ecosystem.brokerage", fake)
    f = eco.RegionFlows.from_edges(["C", "A"], ["A", "B"], [10, 10], countries={"A": "P", "B": "P", "C": "Q"})
    m = eco.region_metrics(f, n_null=20, backbone_alpha=None)
    assert (m.z_gatekeeper_sna == 1.5).all()
    monkeypatch.setitem(sys.modules, "ecosystem.brokerage", types.ModuleType("ecosystem.brokerage"))
    m = eco.region_metrics(f, n_null=20, backbone_alpha=None)
    assert m.z_gatekeeper_sna.isna().all()


def test_metrics_parameter_errors():
    with pytest.raises(eco.ParameterError, match="backbone_alpha"):
        eco.region_metrics(toy_flows(), backbone_alpha=1.5)
    with pytest.raises(eco.ParameterError, match="n_null"):
        eco.region_metrics(toy_flows(), n_null=-1)
    with pytest.raises(eco.ParameterError, match="panel"):
        eco.region_metrics(toy_flows(), panel=["X", "nowhere"])
    with pytest.raises(eco.ParameterError, match="size must be non-negative"):
        eco.region_metrics(toy_flows(), size={"X": -1})


def test_metrics_doctests():
    import doctest

    assert doctest.testmod(M, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
