"""Scale-out on Dask (ecosystem.distributed): identical results to the in-memory run.

A LocalCluster of 2 worker processes reads a small synthetic OpenAlex snapshot (the
generator of benchmarks/openalex_workload.py, several partitions) and synthetic
PatentsView folders; flows, report counts and the whole classification table are
compared with the in-memory readers: exactly with full counting (integer cell totals),
to 1e-12 with fractional counting (the order of the additions differs).
"""

import gzip
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ecosystem as eco
from ecosystem.contributions import Contributions
from ecosystem.exceptions import (
    DataFormatError,
    EcosystemError,
    InputTypeError,
    ParameterError,
)
from ecosystem.flows import region_flows
from ecosystem.uncertainty import (
    bootstrap_cell_sums,
    bootstrap_design,
    contribution_replicates,
    stats_from_cell_sums,
)

_FIELDS = ("record", "actor", "org", "region", "role", "channel", "year", "lead", "weight")


def _workload():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "openalex_workload.py"
    spec = importlib.util.spec_from_file_location("_eco_openalex_workload", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _part(c, mask):
    return Contributions(labels=c.labels, region_map=c.region_map, info=c.info,
                         **{n: getattr(c, n)[mask] for n in _FIELDS})


# ============================================================================ no Dask needed
@pytest.mark.parametrize("counting", ["full", "fractional"])
@pytest.mark.parametrize("cluster", [None, "actor"])
def test_cell_sums_over_parts_equal_in_memory_replicates(counting, cluster):
    """Cell totals of any split of the records add up to the in-memory replicates."""
    c, _ = eco.datasets.planted(n_regions=12, records_per_region=120, seed=5)
    flows = region_flows(c, counting=counting)
    ref = contribution_replicates(c, flows, layer="international", counting=counting,
                                  cluster=cluster, seed=9, replicates=24, n_jobs=1)
    design = bootstrap_design(flows, layer="international")
    total = 0
    for k in range(3):   # records split by code, units of a cluster over several parts
        total = total + bootstrap_cell_sums(_part(c, c.record % 3 == k), design,
                                            counting=counting, cluster=cluster, seed=9,
                                            replicates=24, max_block=100)
    got = stats_from_cell_sums(total, design)
    if counting == "full":   # integer totals: exact
        assert np.array_equal(got[0], ref["point"])
        assert np.array_equal(got[1:], ref["replicates"])
    else:
        np.testing.assert_allclose(got[0], ref["point"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got[1:], ref["replicates"], rtol=1e-12, atol=1e-12)
    # the replicates differ from the point (the weights are really drawn)
    assert not np.allclose(got[1], got[0])


def test_cell_sums_reject_other_channel_vocabulary():
    c, _ = eco.datasets.planted(n_regions=6, records_per_region=30, seed=1)
    flows = region_flows(c.select(channel="talent"), channel="talent")
    design = bootstrap_design(flows, layer="international")
    with pytest.raises(ParameterError, match="channels"):
        bootstrap_cell_sums(c, design, counting="full", cluster=None, seed=0, replicates=2)


def test_partials_with_different_regions_are_not_added():
    from ecosystem.distributed import _add

    a = {"regions": ("A", "B"), "flows": {}, "records": {}}
    b = {"regions": ("A", "C"), "flows": {}, "records": {}}
    with pytest.raises(ParameterError, match="region vocabulary"):
        _add(a, b)


def test_missing_dask_names_the_extra(monkeypatch, tmp_path):
    from ecosystem.exceptions import OptionalDependencyError

    monkeypatch.setitem(sys.modules, "distributed", None)   # import fails
    (tmp_path / "w.jsonl").write_text("")
    with pytest.raises(OptionalDependencyError, match=r"ecosystem\[dask\]"):
        eco.read_openalex(tmp_path / "w.jsonl", client="local:2")


# ============================================================================ cluster
@pytest.fixture(scope="module")
def client():
    Client = pytest.importorskip("distributed").Client

    # two worker processes, as on a real cluster (every task's inputs and results are
    # pickled); waiting for both keeps a slow start on a loaded machine from hanging a read
    with Client(n_workers=2, threads_per_worker=1, processes=True,
                dashboard_address=":0") as c:
        c.wait_for_workers(2, timeout=120)
        yield c


def test_workers_without_a_usable_ecosystem_fail_fast(tmp_path, monkeypatch):
    """The hang of CI: workers whose sys.path led to an unbuilt source tree.

    A spawned worker inherits the parent's sys.path; a test module put a source checkout
    first on it, the workers imported ecosystem from there without its compiled core, died
    unpickling their first task and the read waited for ever. ``check_workers`` now stops
    the read at once with an error that says what to install.
    """
    dd = pytest.importorskip("distributed")
    from ecosystem.distributed import check_workers

    fake = tmp_path / "tree" / "ecosystem"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("from . import _core\n__version__ = '0.0'\n")
    monkeypatch.syspath_prepend(str(fake.parent))   # inherited by the spawned workers
    (tmp_path / "w.jsonl").write_text(_work(1, 2001, 2, "CN"))
    with dd.Client(n_workers=1, threads_per_worker=1, processes=True,
                   dashboard_address=":0") as c:
        c.wait_for_workers(1, timeout=120)
        with pytest.raises(EcosystemError, match="cannot be imported on the Dask workers"):
            eco.read_openalex(tmp_path / "w.jsonl", client=c, progress=False)
    monkeypatch.undo()
    with dd.Client(n_workers=1, threads_per_worker=1, processes=True,
                   dashboard_address=":0") as c:
        c.wait_for_workers(1, timeout=120)
        assert set(check_workers(c).values()) == {eco.__version__}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """Four partitions of 250 works (units abroad included), with institutions."""
    out = tmp_path_factory.mktemp("snapshot")
    _workload().write_snapshot(out, 1000, seed=4, n_inst=250, partition=250)
    return out / "works", out / "institutions.jsonl.gz"


@pytest.fixture(scope="module")
def both(snapshot, client):
    works, inst = snapshot
    mem = eco.read_openalex(works, institutions=inst, citations=False)
    dist = eco.read_openalex(works, institutions=inst, client=client, progress=False)
    return mem, dist


def test_snapshot_has_several_partitions_and_units_abroad(both):
    mem, dist = both
    assert len(dist.partitions) == 4
    # the merge of whole-snapshot records is exercised: units abroad exist
    assert mem.report.notes["units abroad (lineage presence records)"] > 0


def test_units_abroad_are_merged_over_partitions(both):
    """One record per unit: regions united, dated by the unit's first year anywhere."""
    mem, dist = both
    t = mem.contributions.to_pandas()
    t = t[t.record.str.startswith("unit:")]
    u = dist._global.to_pandas()
    key = ["record", "actor", "region", "role", "lead", "year"]
    pd.testing.assert_frame_equal(t[key].sort_values(key).reset_index(drop=True),
                                  u[key].sort_values(key).reset_index(drop=True))


def _work(n, year, inst, country):
    return (f'{{"id": "https://openalex.org/W{n}", "publication_year": {year}, "authorships": ['
            f'{{"author": {{"id": "https://openalex.org/A{n}"}}, "is_corresponding": true, '
            f'"countries": ["{country}"], "institutions": [{{"id": "https://openalex.org/I{inst}", '
            f'"country_code": null, "type": "education", "lineage": '
            f'["https://openalex.org/I{inst}", "https://openalex.org/I1"]}}]}}, '
            f'{{"author": {{"id": "https://openalex.org/A9{n}"}}, "countries": ["US"], '
            f'"institutions": []}}]}}\n')


def test_unit_abroad_dated_by_its_first_year_in_any_partition(tmp_path, client):
    """A unit at home in one partition (2001) and abroad in another (2005) is dated 2001."""
    inst = tmp_path / "institutions.jsonl"
    inst.write_text('{"id": "https://openalex.org/I1", "country_code": "CN", "type": "education", '
                    '"lineage": ["https://openalex.org/I1"]}\n'
                    '{"id": "https://openalex.org/I2", "country_code": null, "type": "education", '
                    '"lineage": ["https://openalex.org/I2", "https://openalex.org/I1"]}\n')
    (tmp_path / "a.jsonl").write_text(_work(1, 2001, 2, "CN") + _work(2, 2003, 1, "CN"))
    (tmp_path / "b.jsonl").write_text(_work(3, 2005, 2, "JP"))
    files = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    mem = eco.read_openalex(files, institutions=inst, citations=False)
    dist = eco.read_openalex(files, institutions=inst, client=client, progress=False)
    t = mem.contributions.to_pandas()
    assert t[t.record == "unit:I2"].year.tolist() == [2001, 2001]
    u = dist._global.to_pandas()
    assert sorted(u.region) == ["CN", "JP"] and u.year.tolist() == [2001, 2001]
    for window in [(2001, 2001), (2005, 2005), None]:
        a = region_flows(mem, counting="full", window=window)
        b = dist.region_flows(counting="full", window=window)
        assert np.array_equal(a.presence, b.presence), window


def test_report_counts_are_summed(both):
    mem, dist = both
    a, b = mem.report, dist.report
    assert b.records_read == a.records_read == 1000
    assert b.records_used == a.records_used
    assert b.skipped == a.skipped
    assert b.dropped == a.dropped
    assert b.records_read == b.records_used + b.records_skipped
    assert b.unknown_share == pytest.approx(a.unknown_share, rel=1e-12)
    assert b.notes["units abroad (lineage presence records)"] == \
        a.notes["units abroad (lineage presence records)"]
    assert b.notes["institutions read"] == a.notes["institutions read"]
    assert b.notes["partitions"] == 4
    assert dist.n_contributions == len(mem.contributions)
    assert dist.channels == tuple(mem.contributions.channels)


@pytest.mark.parametrize("counting", ["full", "fractional"])
def test_flows_equal_in_memory(both, counting):
    mem, dist = both
    a = region_flows(mem, counting=counting)
    b = dist.region_flows(counting=counting)
    assert a.regions == b.regions and a.channels == b.channels
    assert a.countries == b.countries and a.parents == b.parents
    for name in ("presence", "copresence", "internal", "size"):
        x, y = getattr(a, name), getattr(b, name)
        if counting == "full":
            assert np.array_equal(x, y), name
        else:
            np.testing.assert_allclose(y, x, rtol=1e-12, atol=1e-12, err_msg=name)
    assert a.presence.sum() > 0


def test_flows_of_a_window_and_channel(both):
    mem, dist = both
    c = mem.contributions
    a = region_flows(c, channel="academic", window=(2010, 2015), counting="full")
    b = dist.region_flows(channel="academic", window=(2010, 2015), counting="full")
    assert np.array_equal(a.presence, b.presence) and np.array_equal(a.size, b.size)


def _classify_both(mem, dist, **kw):
    opts = dict(bootstrap=30, n_null=19, seed=3)
    opts.update(kw)
    return eco.classify(mem, **opts), eco.classify(dist, **opts)


def test_classify_full_counting_is_identical(both):
    """Labels, D, CIs, stability, nulls: the whole table, bit for bit."""
    mem, dist = both
    a, b = _classify_both(mem, dist, counting="full")
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    pd.testing.assert_frame_equal(a.regions, b.regions, check_exact=True)
    assert (a.table.label != "insufficient").sum() > 5
    assert np.isfinite(b.table.D_lo).any() and (b.table.stability < 1).any()


def test_default_design_clusters_by_lead_actor_as_in_memory(both, snapshot):
    """classify's default design (lead-actor clusters) on both; a cluster spans partitions.

    Cluster keys are hashes of actor labels, so an actor whose works lie in several
    partitions gets the same Poisson weight in each: the replicates are the in-memory ones.
    """
    mem, dist = both
    works, inst = snapshot
    a, b = _classify_both(mem, dist, counting="full", bootstrap=12, n_null=5)
    da, db = dict(a.params["bootstrap_design"]), dict(b.params["bootstrap_design"])
    assert da["unit"] == db["unit"] == "lead actor" and da["default"] and db["default"]
    for key in ("kind", "why"):
        assert da[key] == db[key]
    assert db["n_units"] is None and db["partitions"] == 4   # clusters are not counted
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    # the fixture really has lead actors with works in more than one partition
    seen = {}
    for f in sorted(works.rglob("*.gz")):
        c = eco.read_openalex(f, institutions=inst, citations=False).contributions
        leads = {c.labels["actor"][i] for i in np.unique(c.actor[c.lead & (c.actor >= 0)])}
        for actor in leads:
            seen[actor] = seen.get(actor, 0) + 1
    assert max(seen.values()) > 1
    # the record design is counted exactly (a record lies in one partition)
    a, b = _classify_both(mem, dist, counting="full", cluster="record", bootstrap=12, n_null=5)
    da, db = dict(a.params["bootstrap_design"]), dict(b.params["bootstrap_design"])
    db.pop("partitions")
    assert da == db and da["unit"] == "record" and da["n_units"] > 0
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)


def test_classify_fractional_counting_agrees(both):
    mem, dist = both
    a, b = _classify_both(mem, dist, counting="fractional")
    assert a.table.label.tolist() == b.table.label.tolist()
    assert np.array_equal(a.table.stability.to_numpy(), b.table.stability.to_numpy(),
                          equal_nan=True)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=False, rtol=1e-12, atol=1e-12)


def test_classify_actor_clusters_window_and_channels(both):
    mem, dist = both
    a, b = _classify_both(mem, dist, counting="full", cluster="actor", window=(2005, 2020),
                          channels=["enterprise", "academic"], bootstrap=8, n_null=5)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    with pytest.raises(ParameterError, match="per record code"):
        eco.classify(dist, cluster=np.zeros(3), bootstrap=2, n_null=0)


def test_empty_window_warns_as_in_memory(both):
    mem, dist = both
    for data in (mem, dist):
        with pytest.warns(eco.EcosystemWarning, match="holds no records"):
            res = eco.classify(data, window=(1800, 1801), bootstrap=2, n_null=0)
        assert set(res.table.label) <= {"insufficient"}


def test_classify_without_bootstrap(both):
    mem, dist = both
    a, b = _classify_both(mem, dist, counting="full", bootstrap=0, n_null=0)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)


def test_persisted_partitions_give_the_same_table(snapshot, client, both):
    mem, _ = both
    works, inst = snapshot
    files = sorted(str(p) for p in works.rglob("*.gz"))
    from ecosystem.distributed import read_partitions

    with read_partitions(eco.read_openalex, files, client=client, persist=True,
                         kwargs={"institutions": inst}, progress=False) as dist:
        a, b = _classify_both(mem, dist, counting="full", bootstrap=8, n_null=5)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)


def test_partition_order_does_not_matter(snapshot, client, both):
    """Full counting: partials are integers, so any order of the partitions gives the table."""
    _, dist = both
    works, inst = snapshot
    files = sorted(str(p) for p in works.rglob("*.gz"))[::-1]
    from ecosystem.distributed import read_partitions

    rev = read_partitions(eco.read_openalex, files, client=client, progress=False,
                          kwargs={"institutions": inst})
    a = eco.classify(dist, counting="full", bootstrap=8, n_null=5, seed=2).table
    b = eco.classify(rev, counting="full", bootstrap=8, n_null=5, seed=2).table
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_progress_callback_counts_partitions(snapshot, client):
    works, inst = snapshot
    seen = []
    eco.read_openalex(works, institutions=inst, client=client,
                      progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (8, 8)   # summaries and flows of 4 partitions


def test_progress_bar_goes_to_stderr(snapshot, client, capfd):
    works, inst = snapshot
    eco.read_openalex(works, institutions=inst, client=client, progress=True)
    out, err = capfd.readouterr()
    assert "100% Completed" in err and "Completed" not in out


# ---------------------------------------------------------------------------- bad input
@pytest.fixture
def corrupt(snapshot, tmp_path):
    """The snapshot with a third partition holding a malformed line (line 3)."""
    works, inst = snapshot
    files = sorted(works.rglob("*.gz"))
    out = tmp_path / "works"
    for i, f in enumerate(files):
        d = out / f.parent.name
        d.mkdir(parents=True)
        lines = gzip.decompress(f.read_bytes()).split(b"\n")
        if i == 2:
            lines[2] = b'{"id": "https://openalex.org/W1", "authorships": [}'
        (d / f.name).write_bytes(gzip.compress(b"\n".join(lines)))
    return out, inst, out / files[2].parent.name / files[2].name


def test_corrupt_partition_is_named_in_the_error(corrupt, client):
    works, inst, bad = corrupt
    with pytest.raises(DataFormatError) as err:
        eco.read_openalex(works, institutions=inst, client=client, progress=False)
    assert str(bad) in str(err.value) and err.value.path == str(bad)
    assert err.value.line == 3


def test_corrupt_partition_is_counted_with_errors_skip(corrupt, client):
    works, inst, bad = corrupt
    mem = eco.read_openalex(works, institutions=inst, errors="skip", citations=False)
    dist = eco.read_openalex(works, institutions=inst, errors="skip", client=client,
                             progress=False)
    assert dist.report.skipped["malformed"] == mem.report.skipped["malformed"] == 1
    assert dist.report.malformed[0][:2] == (str(bad), 3)
    for name in ("records_read", "records_used", "skipped", "dropped"):
        assert getattr(dist.report, name) == getattr(mem.report, name)
    for rep in (mem.report, dist.report):   # every line read is used or counted as skipped
        assert rep.records_read == rep.records_used + rep.records_skipped == 1000


def test_truncated_gzip_partition_is_named(snapshot, client, tmp_path):
    works, inst = snapshot
    files = sorted(works.rglob("*.gz"))
    data = files[1].read_bytes()
    bad = tmp_path / "part_trunc.gz"
    bad.write_bytes(data[: len(data) // 2])
    from ecosystem.distributed import read_partitions

    with pytest.raises(DataFormatError, match="part_trunc.gz"):
        read_partitions(eco.read_openalex, [files[0], bad], client=client,
                        kwargs={"institutions": inst}, progress=False)


def _flaky_reader(mode, flag=None):
    """A read_openalex that fails like a lost worker: the first time per partition
    ("once"), every time ("always"), or once the file ``flag`` exists ("later")."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])

    def read_openalex(path, **kw):
        marker = Path(str(path) + ".attempted")
        seen = marker.exists()
        marker.touch()
        if (mode == "always" or (mode == "once" and not seen)
                or (mode == "later" and Path(flag).exists())):
            raise OSError("worker lost")
        return eco.read_openalex(path, **kw)

    return read_openalex


def test_failed_tasks_are_retried(snapshot, client, tmp_path):
    works, inst = snapshot
    files = []
    for i, f in enumerate(sorted(works.rglob("*.gz"))[:2]):
        files.append(tmp_path / f"p{i}.gz")
        files[-1].write_bytes(f.read_bytes())
    from ecosystem.distributed import read_partitions

    dist = read_partitions(_flaky_reader("once"), files, client=client, retries=1,
                           kwargs={"institutions": inst}, progress=False)
    assert dist.report.records_read == 500
    for f in files:
        Path(str(f) + ".attempted").unlink()
    with pytest.raises(EcosystemError, match=r"p0.gz.*after 1 retries.*worker lost"):
        read_partitions(_flaky_reader("always"), files, client=client, retries=1,
                        kwargs={"institutions": inst}, progress=False)
    # a failure in the bootstrap pass (partitions read again) names the partition too
    flag = tmp_path / "second-pass"
    dist = read_partitions(_flaky_reader("later", str(flag)), files, client=client, retries=1,
                           kwargs={"institutions": inst}, progress=False)
    flag.touch()
    with pytest.raises(EcosystemError, match=r"after 1 retries.*partition '.*p[01].gz'.*worker"):
        eco.classify(dist, bootstrap=2, n_null=0)


def test_options_that_need_every_partition_are_refused(snapshot, client):
    works, inst = snapshot
    with pytest.raises(ParameterError, match="talent moves"):
        eco.read_openalex(works, institutions=inst, mobility="works", client=client)
    with pytest.raises(InputTypeError, match="files or folders"):
        eco.read_openalex({"results": []}, client=client)
    with pytest.raises(InputTypeError, match="client must be"):
        eco.read_openalex(works, client=42)


def test_connect_rejects_bad_specs():
    pytest.importorskip("distributed")
    from ecosystem.distributed import connect

    for spec in ("local:0", "local:x"):
        with pytest.raises(ParameterError, match="local:N"):
            connect(spec)
    with pytest.raises(InputTypeError):
        connect(None)


# ---------------------------------------------------------------------------- PatentsView
def _patentsview(folder, patents, seed):
    """Small g_* tables: inventors and assignees over a few locations."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    locs = [("L1", "CN"), ("L2", "HK"), ("L3", "US"), ("L4", "JP"), ("L5", "DE"), ("L6", "GB")]
    (folder / "g_location_disambiguated.tsv").write_text(
        "location_id\tdisambig_city\tdisambig_state\tdisambig_country\n"
        + "".join(f"{i}\t\t\t{c}\n" for i, c in locs))
    inv = ["patent_id\tinventor_sequence\tinventor_id\tlocation_id\n"]
    asg = ["patent_id\tassignee_sequence\tassignee_id\tassignee_type\tlocation_id\n"]
    pat = ["patent_id\tpatent_date\n"]
    for p in patents:
        pat.append(f"{p}\t{2000 + p % 20}-01-02\n")
        for s in range(1 + rng.integers(0, 4)):
            inv.append(f"{p}\t{s}\tinv{rng.integers(0, 80)}\tL{1 + rng.integers(0, 6)}\n")
        if rng.random() < 0.8:
            asg.append(f"{p}\t0\tasg{rng.integers(0, 20)}\t2\tL{1 + rng.integers(0, 6)}\n")
    (folder / "g_inventor_disambiguated.tsv").write_text("".join(inv))
    (folder / "g_assignee_disambiguated.tsv").write_text("".join(asg))
    (folder / "g_patent.tsv").write_text("".join(pat))


def test_patentsview_folders_equal_the_whole(tmp_path, client):
    _patentsview(tmp_path / "a", range(0, 300), 1)
    _patentsview(tmp_path / "b", range(300, 700), 2)
    whole = tmp_path / "whole"
    whole.mkdir()
    for name in ("g_inventor_disambiguated", "g_assignee_disambiguated", "g_patent"):
        a = (tmp_path / "a" / f"{name}.tsv").read_text().splitlines(keepends=True)
        b = (tmp_path / "b" / f"{name}.tsv").read_text().splitlines(keepends=True)
        (whole / f"{name}.tsv").write_text("".join(a + b[1:]))
    (whole / "g_location_disambiguated.tsv").write_text(
        (tmp_path / "a" / "g_location_disambiguated.tsv").read_text())
    mem = eco.read_patentsview(whole)
    dist = eco.read_patentsview([tmp_path / "a", tmp_path / "b"], client=client, progress=False)
    assert dist.report.records_read == mem.report.records_read == 700
    assert dist.report.records_used == mem.report.records_used
    a, b = _classify_both(mem, dist, counting="full", bootstrap=20, n_null=9, min_external=5)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)


# ---------------------------------------------------------------------------- CLI
def test_cli_scheduler_gives_the_in_memory_files(snapshot, client, tmp_path):
    from ecosystem.cli import main

    works, inst = snapshot
    common = ["classify", str(works), "--format", "openalex", "--institutions", str(inst),
              "--counting", "full", "--bootstrap", "20", "--n-null", "9", "--no-plots",
              "--quiet"]
    assert main(common + ["--out", str(tmp_path / "mem")]) == 0
    assert main(common + ["--out", str(tmp_path / "dask"),
                          "--scheduler", client.scheduler.address]) == 0
    for name in ("classification.csv", "regions.csv", "metrics.csv"):
        assert (tmp_path / "mem" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    flows = ["flows", str(works), "--format", "openalex", "--institutions", str(inst),
             "--counting", "full", "--quiet"]
    assert main(flows + ["--out", str(tmp_path / "fm")]) == 0
    assert main(flows + ["--out", str(tmp_path / "fd"), "--scheduler",
                         client.scheduler.address]) == 0
    for f in (tmp_path / "fm").glob("*.csv"):
        assert f.read_bytes() == (tmp_path / "fd" / f.name).read_bytes(), f.name
    assert main(["classify", str(works), "--format", "wos", "--scheduler", "local:1",
                 "--out", str(tmp_path / "x"), "--quiet"]) == 1
