"""Trajectories: windows, the joint bootstrap across windows, changes and transitions."""

import warnings

import numpy as np
import pandas as pd
import pytest

import ecosystem as eco
from ecosystem.exceptions import InputTypeError, ParameterError
from ecosystem.trajectories import parse_windows, windows

TABLE_COLUMNS = {"source": "origin_iso3", "target": "destination_iso3", "weight": "n_migrations",
                 "time": "year"}


# ---------------------------------------------------------------------------- helpers
def switching(n_regions, records_per_region, seed, channels=("academic",)):
    """Planted data whose types are redrawn at 2006: period 2000-2005, then 2006-2011.

    Returns the contributions and the planted labels of both periods.
    """
    c1, t1 = eco.datasets.planted(n_regions=n_regions, records_per_region=records_per_region,
                                  years=(2000, 2005), channels=channels, seed=seed)
    c2, t2 = eco.datasets.planted(n_regions=n_regions, records_per_region=records_per_region,
                                  years=(2006, 2011), channels=channels, seed=seed + 1000)
    f1, f2 = c1.to_pandas(), c2.to_pandas()
    f2["record"] = f2["record"] + 10**8
    frame = pd.concat([f1, f2], ignore_index=True)
    c = eco.Contributions.from_pandas(frame, org="org", role="role", channel="channel", year="year",
                                      lead="lead", weight="weight", regions=c1.labels["region"],
                                      info=c1.info)
    truth = (t1.set_index(["region", "channel"])["label"].rename("before").to_frame()
             .join(t2.set_index(["region", "channel"])["label"].rename("after")))
    return c, truth


def shuffled(c, seed):
    f = c.to_pandas().sample(frac=1.0, random_state=seed)
    return eco.Contributions.from_pandas(f, org="org", role="role", channel="channel", year="year",
                                         lead="lead", weight="weight", regions=c.labels["region"],
                                         info=c.info)


@pytest.fixture(scope="module")
def small():
    c, _ = eco.datasets.planted(n_regions=30, records_per_region=400, years=(2000, 2005),
                                channels=("academic", "talent"), seed=4)
    return c


@pytest.fixture(scope="module")
def mpidr():
    return eco.datasets.scholarly_migration_table()


# ---------------------------------------------------------------------------- windows
def test_windows_tiling_and_rolling():
    assert windows(1999, 2018, 5) == [(1999, 2003), (2004, 2008), (2009, 2013), (2014, 2018)]
    assert windows(1998, 2018, 5) == [(1998, 2002), (2003, 2007), (2008, 2012), (2013, 2017)]
    assert windows(2000, 2004, 3, step=1) == [(2000, 2002), (2001, 2003), (2002, 2004)]
    assert parse_windows("2000:2004:3:1") == windows(2000, 2004, 3, 1)


@pytest.mark.parametrize("args", [(2000, 2001, 3), (2000, 2010, 0), (2000, 2010, 2, 0)])
def test_windows_errors(args):
    with pytest.raises(ParameterError):
        windows(*args)


@pytest.mark.parametrize("spec", ["2000:2010", "a:b:c", "2000-2010-5", ""])
def test_parse_windows_errors(spec):
    with pytest.raises(ParameterError, match="START:END:WIDTH"):
        parse_windows(spec)


def test_bad_inputs(small, mpidr):
    W = windows(2000, 2005, 3)
    with pytest.raises(ParameterError, match="at least two windows"):
        eco.trajectories(small, [(2000, 2005)], bootstrap=5)
    with pytest.raises(ParameterError, match="time order"):
        eco.trajectories(small, W[::-1], bootstrap=5)
    with pytest.raises(ParameterError, match="unknown options"):
        eco.trajectories(small, W, bootstrap=5, windw=3)
    with pytest.raises(ParameterError, match="bootstrap"):
        eco.trajectories(small, W, bootstrap=0)
    with pytest.raises(InputTypeError, match="RegionFlows has no years"):
        eco.trajectories(eco.datasets.scholarly_migration(window=(2000, 2004)), W, bootstrap=5)
    with pytest.raises(ParameterError, match="year column"):
        eco.trajectories(mpidr.drop(columns="year"), W, bootstrap=5,
                         columns={k: v for k, v in TABLE_COLUMNS.items() if k != "time"})
    with pytest.raises(ParameterError, match="change_adjust"):
        eco.trajectories(small, W, bootstrap=5, change_adjust="holm")
    # classify's own validation of options and thresholds
    with pytest.raises(ParameterError, match="d_threshold"):
        eco.trajectories(small, W, bootstrap=5, d_threshold=2)
    with pytest.raises(ParameterError, match="brokerage_rule"):
        eco.trajectories(small, W, bootstrap=5, brokerage_rule="loose")
    with pytest.raises(InputTypeError, match="Thresholds"):
        eco.trajectories(small, W, bootstrap=5, thresholds={"alpha": 0.1})
    tr = eco.trajectories(small, W, bootstrap=5, n_null=0, thresholds=eco.Thresholds(alpha=0.1))
    assert tr.params["change_alpha"] == 0.1 and tr.params["thresholds"]["alpha"] == 0.1


# ---------------------------------------------------------------------------- equals classify
@pytest.mark.parametrize("W", [[(2000, 2002), (2003, 2005)], [(2000, 2003), (2002, 2005)]],
                         ids=["tiling", "overlapping"])
def test_each_window_is_classify(small, W):
    """The joint one-pass bootstrap gives every window exactly classify's result."""
    tr = eco.trajectories(small, W, bootstrap=40, n_null=49, seed=7)
    cols = ["D", "D_lo", "D_hi", "R", "R_lo", "openness_hi", "stability", "p_R", "z_openness",
            "n_records", "n_external"]
    for w in W:
        ref = eco.classify(small, window=w, bootstrap=40, n_null=49, seed=7).table
        got = tr.table[tr.table.window == f"{w[0]}-{w[1]}"].reset_index(drop=True)
        assert list(got.label) == list(ref.label)
        np.testing.assert_allclose(got[cols].to_numpy(float), ref[cols].to_numpy(float), rtol=1e-12,
                                   atol=1e-12, equal_nan=True)


def test_cluster_bootstrap_and_empty_window(small):
    W = [(2000, 2002), (2003, 2005)]
    tr = eco.trajectories(small, W, bootstrap=30, n_null=0, cluster="actor", seed=3)
    ref = eco.classify(small, window=W[1], bootstrap=30, n_null=0, cluster="actor", seed=3).table
    got = tr.table[tr.table.window == "2003-2005"].reset_index(drop=True)
    np.testing.assert_array_equal(got.D_lo, ref.D_lo)
    assert tr.params["bootstrap_design"]["unit"] == "lead actor"
    # a window without records: every region insufficient, no change test, no crash
    tr = eco.trajectories(small, [(1990, 1994), (2000, 2005)], bootstrap=10, n_null=0)
    first = tr.table[tr.table.window_index == 0]
    assert (first.label == "insufficient").all()
    assert tr.pairs.p_value.isna().all() and tr.pairs.label_changed.any()


def test_delta_d_replicates_against_brute_force():
    """ΔD CI from a direct computation with eco.bootstrap_weights on the record labels.

    Each window's D* is bias-corrected as classify's CIs are (every replicate shifted by
    mean(D*) - D, clipped to [-1, 1]); ΔD* is the difference of the corrected replicates.
    """
    c, _ = eco.datasets.planted(n_regions=12, records_per_region=150, years=(2000, 2003),
                                channels=("talent",), seed=9)
    W, B, seed = [(2000, 2001), (2001, 2003)], 60, 5
    tr = eco.trajectories(c, W, bootstrap=B, seed=seed, n_null=0, counting="full", sensitivity=0,
                          cluster="record", min_external=0, max_ci_width=2)
    f = c.to_pandas()
    country = c.info["countries"]
    lead = f[f.lead].set_index("record")
    part = f[~f.lead].set_index("record")
    rec = lead.join(part[["region"]].rename(columns={"region": "region_to"}))
    rec = rec[rec.region.map(country) != rec.region_to.map(country)]      # international moves
    wts = eco.bootstrap_weights(rec.index.to_numpy().astype(np.int64), B, seed=seed)  # (B, n)
    regions = list(c.labels["region"])
    D = {}
    for w in W:
        inw = ((rec.year >= w[0]) & (rec.year <= w[1])).to_numpy()
        out = np.stack([(wts * (inw & (rec.region == r).to_numpy())).sum(1) for r in regions], 1)
        inn = np.stack([(wts * (inw & (rec.region_to == r).to_numpy())).sum(1) for r in regions], 1)
        o1 = np.asarray([(inw & (rec.region == r).to_numpy()).sum() for r in regions], float)
        i1 = np.asarray([(inw & (rec.region_to == r).to_numpy()).sum() for r in regions], float)
        with np.errstate(invalid="ignore", divide="ignore"):
            rep = (out - inn) / (out + inn)
            point = (o1 - i1) / (o1 + i1)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            bias = np.nanmean(rep, axis=0) - point
        bias = np.where(np.isfinite(bias), bias, 0.0)
        D[w] = np.clip(rep - bias, -1, 1)
    dd = D[W[1]] - D[W[0]]
    lo, hi = eco.uncertainty.percentile_ci(dd, level=0.95)
    got = tr.pairs.set_index("region").loc[regions]
    np.testing.assert_allclose(got.delta_D_low, lo, atol=1e-12)
    np.testing.assert_allclose(got.delta_D_high, hi, atol=1e-12)
    # the corrected replicates are centred on the point change
    ok = np.isfinite(got.delta_D)
    inside = (got.delta_D_low <= got.delta_D + 1e-12) & (got.delta_D <= got.delta_D_high + 1e-12)
    assert inside[ok].mean() > 0.9


def test_identical_windows_have_zero_delta(small, mpidr):
    """A window that adds only empty years has the same data, so every ΔD* is exactly 0."""
    W = [(2000, 2005), (2000, 2007)]                    # no record after 2005
    p = eco.trajectories(small, W, bootstrap=30, n_null=0).pairs
    ok = np.isfinite(p.delta_D)
    assert ok.sum() > 20
    assert (p.delta_D_low[ok] == 0).all() and (p.delta_D_high[ok] == 0).all()
    # identical replicate labels in both windows: the transition is as stable as each label
    np.testing.assert_array_equal(p.transition_stability, p.from_stability)
    np.testing.assert_array_equal(p.from_stability, p.to_stability)
    assert not p.label_changed.any()
    assert not p.significant.any()
    t = mpidr[mpidr.year <= 2005]
    p = eco.trajectories(t, [(2001, 2005), (2001, 2007)], bootstrap=30, n_null=0, columns=TABLE_COLUMNS).pairs
    ok = np.isfinite(p.delta_D)
    assert ok.sum() > 100
    assert (p.delta_D_low[ok] == 0).all() and (p.delta_D_high[ok] == 0).all()


def test_table_windows_sum_the_years(mpidr):
    W = [(2004, 2008), (2006, 2010)]
    tr = eco.trajectories(mpidr, W, bootstrap=20, n_null=0, columns=TABLE_COLUMNS)
    for w in W:
        flows = eco.datasets.scholarly_migration(window=w)
        v = flows.volumes().set_index("region")
        got = tr.table[tr.table.window == f"{w[0]}-{w[1]}"].set_index("region").loc[v.index]
        np.testing.assert_allclose(got.outbound, v.outbound)
        np.testing.assert_allclose(got.inbound, v.inbound)
        ref = eco.classify(flows, bootstrap=0, n_null=0).table.set_index("region").loc[v.index]
        np.testing.assert_allclose(got.D, ref.D, equal_nan=True)


# ---------------------------------------------------------------------------- (a) planted change
def _check_switch(n_regions, records, share, cluster=None):
    c, truth = switching(n_regions, records, seed=5)
    tr = eco.trajectories(c, windows(2000, 2011, 3), bootstrap=200, n_null=199, seed=1, cluster=cluster)
    p = tr.pairs.set_index(["region", "channel"]).join(truth)
    mid = p[p.from_window == "2003-2005"]                  # the switch is at 2006
    sw = mid[mid.before != mid.after]
    assert len(sw) >= 0.5 * len(mid)
    found = (sw.from_label == sw.before) & (sw.to_label == sw.after) & (sw.transition_stability >= 0.9)
    assert found.mean() >= share
    # ... and found between the right windows only
    ch = tr.changes.set_index(["region", "channel"])
    ch = ch[ch.label_changed]
    right = ch.from_window == "2003-2005"
    assert right.mean() >= 0.9
    return tr


@pytest.mark.slow
def test_planted_switch_found_between_the_right_windows():
    """Done-when (a): >= 90 % of switching regions, transition stability >= 0.9."""
    _check_switch(60, 6000, 0.9)


def test_planted_switch_found_fast():
    # record bootstrap: at this small size the default lead-actor clusters (fewer, larger
    # units; the slow test above) leave 14 of 19 switches at a transition stability >= 0.9
    tr = _check_switch(24, 3000, 0.75, cluster="record")
    text = tr.explain(tr.changes.region.iloc[0])
    assert "2003-2005 → 2006-2008" in text and "transition stability" in text


# ---------------------------------------------------------------------------- (b) calibration
def _rate(n_regions, W):
    c, _ = eco.datasets.planted(n_regions=n_regions, records_per_region=600, years=(2000, 2011),
                                channels=("academic", "talent"), seed=11)
    p = eco.trajectories(c, W, bootstrap=400, n_null=0, seed=3, sensitivity=0).pairs
    ok = np.isfinite(p.delta_D_low) & np.isfinite(p.delta_D_high)
    excl = (p.delta_D_low > 0) | (p.delta_D_high < 0)
    return int(ok.sum()), float(excl[ok].mean())


@pytest.mark.slow
def test_no_change_calibration_overlapping_windows():
    """Done-when (b): no change planted, CI of ΔD excludes 0 in 5 % ± 2 % of >= 1000 tests.

    Overlapping windows are the hard case: two independent bootstraps would ignore the
    covariance of the shared years and reject far less often.
    """
    n, rate = _rate(200, windows(2000, 2011, 4, step=2))
    assert n >= 1000
    assert 0.03 <= rate <= 0.07


def test_no_change_calibration_fast():
    n, rate = _rate(60, windows(2000, 2011, 3))
    assert n >= 300
    assert 0.015 <= rate <= 0.09        # 3 binomial SE at n = 360


# ---------------------------------------------------------------------------- (c) invariance
def test_identical_for_threads_and_row_order(small, mpidr):
    W = [(2000, 2002), (2001, 2004), (2003, 2005)]
    a = eco.trajectories(small, W, bootstrap=24, n_null=19, seed=2, n_jobs=1)
    b = eco.trajectories(shuffled(small, 1), W, bootstrap=24, n_null=19, seed=2, n_jobs=2)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    pd.testing.assert_frame_equal(a.transitions, b.transitions)
    pd.testing.assert_frame_equal(a.table, b.table)
    t = mpidr[mpidr.year.between(2008, 2013)]
    W = [(2008, 2010), (2011, 2013)]
    a = eco.trajectories(t, W, bootstrap=16, n_null=0, columns=TABLE_COLUMNS, n_jobs=1)
    b = eco.trajectories(t.sample(frac=1.0, random_state=3), W, bootstrap=16, n_null=0,
                         columns=TABLE_COLUMNS, n_jobs=2)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    pd.testing.assert_frame_equal(a.transitions, b.transitions)


# ---------------------------------------------------------------------------- result object
def test_result_frozen_outputs_and_text(small, tmp_path):
    W = windows(2000, 2005, 3)
    tr = eco.trajectories(small, W, bootstrap=30, n_null=19)
    with pytest.raises(AttributeError):
        tr.params = {}
    with pytest.raises(TypeError):
        tr.params["windows"] = []
    assert tr.windows == W
    assert set(tr.table.window) == {"2000-2002", "2003-2005"}
    assert len(tr.pairs) == 30 * 2
    ch = tr.changes
    assert (ch.label_changed | ch.significant).all()
    assert {"delta_D", "delta_D_low", "delta_D_high", "p_value", "transition_stability"} <= set(ch.columns)
    tt = tr.transitions
    counts = tt.groupby(["channel", "from_window"])["count"].sum()
    assert (counts == 30).all()
    assert (tt.count_low <= tt.count_high).all()
    assert "unadjusted" in tr.params["multiple_testing"]
    assert "joint" in tr.methods_text() and "B = 30" in tr.methods_text()
    assert "windows" in tr.summary_text()
    assert "<table" in tr._repr_html_()
    with pytest.raises(ParameterError):
        tr.explain("nowhere")
    files = tr.to_csv(tmp_path / "out")
    assert [f.name for f in files] == ["trajectories.csv", "changes.csv", "transitions.csv"]
    back = pd.read_csv(files[1])
    assert len(back) == len(ch)


def test_change_adjust_bh(small):
    W = windows(2000, 2005, 3)
    a = eco.trajectories(small, W, bootstrap=30, n_null=0)
    b = eco.trajectories(small, W, bootstrap=30, n_null=0, change_adjust="bh")
    np.testing.assert_array_equal(a.pairs.q_value, b.pairs.q_value)
    assert (b.pairs.significant == (b.pairs.q_value < 0.05)).all()
    assert (a.pairs.significant == (a.pairs.p_value < 0.05)).all()
    assert "Benjamini" in b.params["multiple_testing"]


def test_size_and_internal_per_window(mpidr):
    W = [(2009, 2013), (2014, 2018)]

    def size(w):
        return eco.datasets.scholarly_migration_countries(window=w).set_index("country")["researchers"]

    tr = eco.trajectories(mpidr, W, size=size, bootstrap=10, n_null=0, columns=TABLE_COLUMNS)
    t = tr.table.set_index(["window", "region"])
    for w in W:
        s = size(w)
        np.testing.assert_allclose(t.loc[f"{w[0]}-{w[1]}"].loc[["JPN", "USA"], "size"], s.loc[["JPN", "USA"]])
    with pytest.raises(ParameterError, match="no entry for window"):
        eco.trajectories(mpidr, W, size={W[0]: size(W[0])}, bootstrap=5, n_null=0, columns=TABLE_COLUMNS)


# ---------------------------------------------------------------------------- plots
def test_plots_and_write(small, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from ecosystem.plot import alluvial_chart, trajectory_chart

    tr = eco.trajectories(small, windows(2000, 2005, 2), bootstrap=20, n_null=0)
    fig = trajectory_chart(tr, ["R000", "R001", "nowhere"], channel="talent")
    assert len(fig.axes) == 2
    # one band per region and panel, points coloured by the window's label
    assert len(fig.axes[0].collections) == 4
    plt.close(fig)
    fig = alluvial_chart(tr, channel="academic")
    n_bands = len(fig.axes[0].collections)
    flows = tr.pairs[tr.pairs.channel == "academic"].groupby(["from_window", "from_label", "to_label"]).size()
    assert n_bands == len(flows)
    plt.close(fig)
    with pytest.raises(ParameterError, match="none of the regions"):
        trajectory_chart(tr, ["nowhere"])
    with pytest.raises(ParameterError, match="Trajectories"):
        alluvial_chart(tr.table)
    with pytest.raises(ParameterError, match="channel"):
        alluvial_chart(tr, channel="enterprise")
    files = tr.write(tmp_path / "w")
    names = sorted(f.name for f in files)
    assert "alluvial_talent.png" in names and "trajectories_academic.png" in names
    assert "changes.csv" in names


# ---------------------------------------------------------------------------- CLI
def test_cli_windows(tmp_path, mpidr, small):
    from ecosystem.cli import main

    path = tmp_path / "flows.csv"
    mpidr[mpidr.year >= 2009].to_csv(path, index=False)
    out = tmp_path / "out"
    code = main(["classify", str(path), "--format", "flows", "--source", "origin_iso3", "--target",
                 "destination_iso3", "--weight", "n_migrations", "--time", "year", "--windows",
                 "2009:2018:5", "--bootstrap", "20", "--n-null", "19", "--no-plots", "--out", str(out),
                 "--quiet"])
    assert code == 0
    changes = pd.read_csv(out / "changes.csv")
    assert set(changes.from_window) <= {"2009-2013"} and len(changes)
    traj = pd.read_csv(out / "trajectories.csv")        # active regions of each window
    assert set(traj.window) == {"2009-2013", "2014-2018"}
    assert not traj.duplicated(["region", "window"]).any() and len(traj) > 300
    assert (out / "transitions.csv").exists()
    report = (out / "report.md").read_text()
    assert "Changes between windows" in report and "joint bootstrap" in report
    code = main(["classify", str(path), "--format", "flows", "--source", "origin_iso3", "--target",
                 "destination_iso3", "--windows", "2009:2018:5", "--bootstrap", "5", "--n-null", "0", "--no-plots",
                 "--out", str(tmp_path / "o2"), "--quiet"])
    assert code != 0                                       # no --time
    with pytest.raises(SystemExit) as exc:                 # a usage error, before any work
        main(["classify", str(path), "--format", "flows", "--windows", "2009-2018", "--out",
              str(tmp_path / "o3")])
    assert exc.value.code == 2
