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
