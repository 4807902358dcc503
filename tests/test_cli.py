"""The command line, run as a subprocess like a user would."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import ecosystem

FORMATS = Path(__file__).resolve().parent / "data" / "formats"
ENV = {**os.environ, "PYTHONPATH": str(Path(ecosystem.__file__).parents[1])}
CSV_COLUMNS = ["region", "channel", "layer", "label", "subtype", "D", "D_lo", "D_hi", "R", "R_lo",
               "R_hi", "openness", "stability", "review", "n"]


def _run(*args):
    return subprocess.run([sys.executable, "-m", "ecosystem.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300, env=ENV)


def _check_png(path):
    data = Path(path).read_bytes()
    assert len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n", path


def _check_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), path


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo"
    # AUT's label is unstable at B = 200 (seed 0): focusing on it shows a '?' mark
    res = _run("demo", "--out", out, "--bootstrap", "200", "--focus", "USA,CHN,JPN,AUT")
    return out, res


def test_demo_writes_table_and_manifest(demo):
    out, res = demo
    assert res.returncode == 0, res.stderr
    assert "JPN" in res.stdout and "Akbaritabar" in res.stdout
    table = pd.read_csv(out / "talent_indicators.csv")
    assert {"region", "inbound", "outbound", "D", "R", "circulation"} <= set(table.columns)
    assert table.set_index("region").loc["USA", "inbound"] == 114_831
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["licence"] == "CC BY 4.0" and manifest["window"] == [2014, 2018]


def test_demo_classification_report_and_coauthorship(demo):
    out, res = demo
    assert res.returncode == 0, res.stderr
    cls = pd.read_csv(out / "classification.csv")
    assert list(cls.columns[: len(CSV_COLUMNS)]) == CSV_COLUMNS
    assert len(cls) == 210 and set(cls.label) <= {"hub", "introduction", "outbound", "local",
                                                  "undetermined", "insufficient"}
    assert (cls.D_lo <= cls.D + 1e-12).all() and (cls.D <= cls.D_hi + 1e-12).fillna(True).all()
    co = pd.read_csv(out / "coauthorship_openness.csv").set_index("country")
    assert co.loc["USA", "2022"] == 241_823
    assert "NCSES" in res.stdout or "National Science Board" in res.stdout
    html = (out / "report.html").read_text()
    assert "<table" in html and "USA" in html and "doi:10.1038/s41597-024-03655-9" in html
    assert "Methods" in html and "bootstrap" in html
    md = (out / "report.md").read_text()
    assert "| region |" in md and "CC BY 4.0" in md
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["bootstrap"] == 200 and manifest["versions"]["ecosystem"]
    assert manifest["parameters"]["bootstrap"] == 200


def test_demo_headline_marks_unstable_labels(demo):
    """Issue 18 A / review D1: label counts say how many are stable; '?' marks the rest."""
    out, res = demo
    cls = pd.read_csv(out / "classification.csv", keep_default_na=False, na_values=[""])
    typed = cls[cls.label != "insufficient"]
    for label, rows in typed.groupby("label"):
        n_stable = int((rows.stability >= 0.8).sum())
        assert f"{label} {len(rows)} ({n_stable} stable)" in res.stdout, label
    table = res.stdout.split("labels (active regions)")[0]
    shown = {line.split()[0]: line.split() for line in table.splitlines()
             if line.split() and line.split()[0] in set(cls.region)}
    shaky = typed[(typed.stability < 0.8) & typed.region.isin(list(shown))]
    for region, label in zip(shaky.region, shaky.label):
        assert f"{label}?" in shown[region], region
    stable = typed[(typed.stability >= 0.8) & typed.region.isin(list(shown))]
    for region, label in zip(stable.region, stable.label):
        assert label in shown[region] and f"{label}?" not in shown[region], region
    assert len(shaky) > 0  # an unstable label is among the shown rows (AUT, focused)
    assert "fewer than 80% of bootstrap replicates" in res.stdout
    md = (out / "report.md").read_text()
    hubs = typed[typed.label == "hub"]
    if len(hubs):
        assert f"| hub | {len(hubs)} | {int((hubs.stability >= 0.8).sum())} |" in md
    if (typed.label == "undetermined").any():
        assert "Why a large region is undetermined:" in res.stdout
        assert "Why large systems are undetermined" in md


def test_demo_focus_option(tmp_path):
    """Issue 11.4: the case-study regions are an option, not hard-coded."""
    pytest.importorskip("matplotlib")
    out = tmp_path / "d"
    assert _main_code("demo", "--out", out, "--bootstrap", "0", "--quiet", "--focus",
                      "GBR,DEU") == 0
    assert (out / "plots" / "partners_GBR_talent.png").exists()
    assert (out / "plots" / "coauthorship_partners_DEU.png").exists()
    assert not (out / "plots" / "partners_JPN_talent.png").exists()
    assert json.loads((out / "manifest.json").read_text())["focus"] == ["GBR", "DEU"]
    assert "GBR / talent" in (out / "report.md").read_text()


def test_focus_unknown_region_suggests(tmp_path, capsys):
    code = _main_code("demo", "--out", tmp_path / "d", "--bootstrap", "0", "--quiet",
                      "--focus", "GBRR")
    assert code == 1
    err = capsys.readouterr().err
    assert "'GBRR' is not a region" in err and "did you mean 'GBR'" in err


def test_demo_plots(demo):
    pytest.importorskip("matplotlib")
    out, _ = demo
    _check_png(out / "plots" / "typology_map_talent.png")
    _check_svg(out / "plots" / "typology_map_talent.svg")
    assert (out / "plots" / "typology_map_talent.pdf").read_bytes()[:4] == b"%PDF"
    _check_png(out / "plots" / "partners_JPN_talent.png")
    _check_png(out / "plots" / "channel_profile.png")
    _check_png(out / "plots" / "coauthorship_partners_JPN.png")


def _main_code(*args):
    from ecosystem.cli import main

    try:
        return main([str(a) for a in args])
    except SystemExit as exc:  # argparse exits for usage errors and --help
        return exc.code


def test_usage_errors_exit_2():
    assert _run().returncode == 2  # as a subprocess once, in-process for the rest (fast)
    assert _run("nonsense").returncode == 2
    assert _main_code("demo", "--window", "2014") == 2
    assert _main_code("classify", "x.csv") == 2  # --format missing
    assert _main_code("classify", "x.csv", "--format", "bibtex") == 2
    assert _main_code("demo", "--bootstrap", "-1") == 2
    assert _main_code("export", "x.csv", "--format", "flows") == 2  # --to missing


@pytest.mark.parametrize("command", ["demo", "classify", "flows", "brokerage", "export"])
def test_help_has_examples(command, capsys):
    assert _main_code(command, "--help") == 0
    text = capsys.readouterr().out
    assert "examples:" in text and f"ecosystem {command}" in text


def test_data_errors_exit_1_one_line(tmp_path):
    missing = tmp_path / "nope.txt"
    res = _run("classify", missing, "--format", "wos", "--out", tmp_path / "o")
    assert res.returncode == 1
    assert str(missing) in res.stderr and "Traceback" not in res.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("not a web of science file\n")
    res = _run("classify", bad, "--format", "wos", "--out", tmp_path / "o", "--quiet")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and str(bad) in res.stderr
    res = _run("classify", bad, "--format", "wos", "--out", tmp_path / "o", "--quiet", "--debug")
    assert res.returncode != 0 and "Traceback" in res.stderr


def _flow_table(tmp_path):
    t = ecosystem.datasets.scholarly_migration_table()
    t = t[t.year >= 2016].rename(columns={"origin_iso3": "origin", "destination_iso3": "dest",
                                          "n_migrations": "n"})
    path = tmp_path / "moves.csv"
    t.to_csv(path, index=False)
    return path


def _check_outputs(out, plots=True):
    cls = pd.read_csv(out / "classification.csv")
    assert list(cls.columns[: len(CSV_COLUMNS)]) == CSV_COLUMNS and len(cls) > 0
    assert {"region", "overall"} <= set(pd.read_csv(out / "regions.csv").columns)
    assert {"region", "channel", "D", "R"} <= set(pd.read_csv(out / "metrics.csv").columns)
    html = (out / "report.html").read_text()
    assert "<table" in html and str(cls.region.iloc[0]) in html and "Methods" in html
    assert (out / "report.md").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"] and all(len(h) == 64 for h in manifest["inputs"].values())
    assert manifest["seed"] == 3 and "versions" in manifest and "read_report" in manifest
    params = manifest["classification_params"]
    assert params["seed"] == 3 and params["thresholds"]["d_threshold"] > 0
    if plots and __import__("importlib").util.find_spec("matplotlib"):
        pngs = sorted((out / "plots").glob("*.png"))
        assert pngs
        for p in pngs:
            _check_png(p)
            _check_svg(p.with_suffix(".svg"))
    return cls, manifest


def test_classify_flow_table(tmp_path):
    path = _flow_table(tmp_path)
    out = tmp_path / "out"
    res = _run("classify", path, "--format", "flows", "--source", "origin", "--target", "dest",
               "--weight", "n", "--time", "year", "--window", "2016", "2018", "--bootstrap", "100",
               "--n-null", "99", "--seed", "3", "--out", out, "--quiet")
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    cls, manifest = _check_outputs(out)
    assert set(cls.channel) == {"talent"} and (cls.label != "insufficient").any()
    assert manifest["parameters"]["window"] == [2016, 2018]


def _sample_args():
    f = FORMATS
    return {
        "openalex": [f / "openalex_works_sample.jsonl", "--institutions",
                     f / "openalex_institutions_sample.jsonl", "--authors",
                     f / "openalex_authors_sample.jsonl"],
        "patentsview": [f / "patentsview_sample"],
        "regpat": [f / "regpat_sample"],
        "wos": [f / "wos_sample.txt"],
        "wos-tab": [f / "wos_sample_tab.txt"],
        "scopus": [f / "scopus_sample.csv"],
        "scopus-legacy": [f / "scopus_sample_legacy.csv"],
    }


@pytest.mark.parametrize("name", list(_sample_args()))
def test_classify_every_format_sample(tmp_path, name):
    fmt = name.split("-")[0]
    out = tmp_path / name
    plots = name in ("openalex", "patentsview")
    res = _run("classify", *_sample_args()[name], "--format", fmt, "--bootstrap", "50",
               "--n-null", "19", "--seed", "3", "--out", out, "--quiet",
               *([] if plots else ["--no-plots"]))
    assert res.returncode == 0, res.stderr
    cls, manifest = _check_outputs(out, plots=plots)
    assert manifest["read_report"]["records_used"] > 0
    assert "Read report" in (out / "report.html").read_text()


def test_classify_records_metros(tmp_path):
    records, _ = ecosystem.datasets.seed_records(records_per_region=60)
    path = tmp_path / "records.csv"
    records.drop(columns=["region"]).to_csv(path, index=False)
    out = tmp_path / "rec"
    res = _run("classify", path, "--format", "records", "--bootstrap", "50", "--n-null", "19",
               "--seed", "3", "--channel", "academic", "--counting", "full", "--out", out,
               "--quiet", "--no-plots")
    assert res.returncode == 0, res.stderr
    cls, _ = _check_outputs(out, plots=False)
    assert set(cls.channel) == {"academic"} and {"US", "JP", "CN"} <= set(cls.region)
    params = json.loads((out / "manifest.json").read_text())["classification_params"]
    assert params["counting"] == "full" and params["channels"] == ["academic"]


def test_flows_brokerage_export(tmp_path):
    path = _flow_table(tmp_path)
    cols = ["--format", "flows", "--source", "origin", "--target", "dest", "--weight", "n"]
    res = _run("flows", path, *cols, "--out", tmp_path / "fl", "--quiet")
    assert res.returncode == 0, res.stderr
    fl = pd.read_csv(tmp_path / "fl" / "flows.csv")
    assert list(fl.columns) == ["source", "target", "channel", "layer", "presence", "copresence"]
    assert {"inbound", "outbound"} <= set(pd.read_csv(tmp_path / "fl" / "volumes.csv").columns)
    res = _run("brokerage", path, *cols, "--threshold", "5", "--out", tmp_path / "br", "--quiet")
    assert res.returncode == 0, res.stderr
    br = pd.read_csv(tmp_path / "br" / "brokerage.csv")
    assert {"region", "country", "channel", "gatekeeper", "representative", "liaison",
            "z_liaison"} <= set(br.columns)
    assert br.set_index("region").loc["USA", "liaison"] > 0
    for to, name in (("graphml", "n.graphml"), ("gexf", "n.gexf"), ("pajek", "n.net"),
                     ("vosviewer-json", "n.json")):
        res = _run("export", path, *cols, "--to", to, "--out", tmp_path / name, "--quiet")
        assert res.returncode == 0, res.stderr
    ET.parse(tmp_path / "n.graphml")
    gexf = ET.parse(tmp_path / "n.gexf").getroot()
    assert gexf.tag.endswith("gexf")
    net = (tmp_path / "n.net").read_text().splitlines()
    assert net[0].startswith("*Vertices") and "*Arcs" in net
    vos = json.loads((tmp_path / "n.json").read_text())["network"]
    assert vos["items"] and vos["links"]
    assert all(isinstance(v, (int, float)) for v in vos["items"][0]["weights"].values())


def test_demo_without_matplotlib_degrades(tmp_path):
    blocker = tmp_path / "block"
    (blocker / "matplotlib").mkdir(parents=True)
    (blocker / "matplotlib" / "__init__.py").write_text("raise ImportError('blocked for the test')\n")
    env = {**ENV, "PYTHONPATH": f"{blocker}{os.pathsep}{ENV['PYTHONPATH']}"}
    res = subprocess.run([sys.executable, "-m", "ecosystem.cli", "demo", "--out",
                          str(tmp_path / "d"), "--bootstrap", "50"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    assert "pip install 'ecosystem[plot]'" in res.stderr + res.stdout
    assert (tmp_path / "d" / "report.html").exists() and not (tmp_path / "d" / "plots").exists()


def test_export_gexf_timeline_opens_in_networkx(tmp_path):
    nx = pytest.importorskip("networkx")
    records, _ = ecosystem.datasets.seed_records(records_per_region=40)
    path = tmp_path / "records.csv"
    records.drop(columns=["region"]).to_csv(path, index=False)
    for to, name in (("gexf", "net.gexf"), ("graphml", "net.graphml")):
        res = _run("export", path, "--format", "records", "--channel", "talent", "--to", to,
                   "--out", tmp_path / name, "--quiet")
        assert res.returncode == 0, res.stderr
    g = nx.read_gexf(tmp_path / "net.gexf")
    assert g.number_of_nodes() >= 8 and g.number_of_edges() > 0
    _, _, attrs = next(iter(g.edges(data=True)))
    assert isinstance(attrs["years"], str) and attrs["spells"]  # flattened list + timeline
    h = nx.read_graphml(tmp_path / "net.graphml")
    assert set(h.nodes) == set(g.nodes)
    assert all(isinstance(v, (str, float, int)) for _, d in h.nodes(data=True) for v in d.values())


def test_export_with_classification_labels(tmp_path):
    records, _ = ecosystem.datasets.seed_records(records_per_region=40)
    path = tmp_path / "records.csv"
    records.drop(columns=["region"]).to_csv(path, index=False)
    res = _run("classify", path, "--format", "records", "--bootstrap", "20", "--n-null", "9",
               "--out", tmp_path / "run", "--quiet", "--no-plots")
    assert res.returncode == 0, res.stderr
    res = _run("export", path, "--format", "records", "--channel", "talent", "--to",
               "vosviewer-json", "--labels", tmp_path / "run" / "classification.csv", "--out",
               tmp_path / "net.json", "--quiet")
    assert res.returncode == 0, res.stderr
    coords = tmp_path / "coords.csv"
    regions = sorted(set(pd.read_csv(tmp_path / "run" / "classification.csv").region))
    pd.DataFrame({"region": regions, "latitude": range(len(regions)),
                  "longitude": range(10, 10 + len(regions))}).to_csv(coords, index=False)
    res = _run("export", path, "--format", "records", "--channel", "talent", "--to",
               "vosviewer", "--labels", tmp_path / "run" / "classification.csv", "--out",
               tmp_path / "vos", "--coordinates", coords)
    assert res.returncode == 0, res.stderr
    vos_map = pd.read_csv(tmp_path / "vos" / "map_talent.txt", sep="\t")
    assert {"id", "label", "x", "y", "cluster", "weight<Inbound>",
            "score<stability>"} <= set(vos_map.columns)
    net = pd.read_csv(tmp_path / "vos" / "network_talent.txt", sep="\t", header=None)
    assert net.shape[1] == 3 and set(net[0]) | set(net[1]) <= set(vos_map.id)
    assert "network_talent.txt" in res.stdout
    items = json.loads((tmp_path / "net.json").read_text())["network"]["items"]
    assert all("label " in i["description"] and "cluster" in i for i in items)
    assert all(set(i["scores"]) >= {"stability", "D", "D_lo"} for i in items)
    assert all(isinstance(v, float) for i in items for v in i["scores"].values())


def test_cli_shows_skips_drops_and_empty_files(tmp_path, capsys):
    """Issue 18 B / review D7, D11: examples and dropped counts on the terminal."""
    rec = tmp_path / "rec.csv"
    rec.write_text("doc,author,cc\nd1,a1,US\nd1,a2,JP\nd2,a3,XX\nd2,a4,US\nd3,a5,ZZ\nd3,a6,CN\n")
    code = _main_code("classify", rec, "--format", "records", "--columns", "record=doc",
                      "actor=author", "country=cc", "--out", tmp_path / "o", "--no-plots",
                      "--bootstrap", "0", "--n-null", "0")
    err = capsys.readouterr().err
    assert code == 0
    assert "contributions dropped (unmatched region): 2" in err and "country='XX'" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join('{"id": "https://openalex.org/W0x12", "publication_year": 2020, '
                           '"authorships": []}\n' for _ in range(5)))
    assert _main_code("classify", bad, "--format", "openalex", "--out", tmp_path / "o2",
                      "--errors", "skip") == 1
    err = capsys.readouterr().err
    assert f"{bad}:1 (id): malformed OpenAlex id" in err and "skipped (malformed): 5" in err
    # the default is errors="raise", as in the Python readers, with the way out named
    assert _main_code("classify", bad, "--format", "openalex", "--out", tmp_path / "o2") == 1
    err = capsys.readouterr().err
    assert f"{bad}:1: malformed OpenAlex id" in err and "--errors skip" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for fmt in ("flows", "openalex", "records"):
        assert _main_code("classify", empty, "--format", fmt, "--out", tmp_path / "o3") == 1
        err = capsys.readouterr().err
        assert "empty file" in err and "unexpected" not in err, (fmt, err)


def test_cli_outputs_cover_active_regions_only(tmp_path):
    """Issue 18 A / review D12: metrics.csv, volumes.csv and 'N regions' only active regions."""
    rec = tmp_path / "rec.csv"
    rec.write_text("doc,author,cc\nd1,a1,US\nd1,a2,JP\nd2,a3,GB\nd2,a4,US\n")
    cols = ["--format", "records", "--columns", "record=doc", "actor=author", "country=cc"]
    assert _main_code("classify", rec, *cols, "--out", tmp_path / "o", "--no-plots",
                      "--bootstrap", "0", "--n-null", "0", "--quiet") == 0
    metrics = pd.read_csv(tmp_path / "o" / "metrics.csv", keep_default_na=False)
    assert set(metrics.region) == {"US", "JP", "GB"}
    md = (tmp_path / "o" / "report.md").read_text()
    assert "3 regions" in md and "250 regions" not in md
    assert _main_code("flows", rec, *cols, "--out", tmp_path / "f", "--quiet") == 0
    vol = pd.read_csv(tmp_path / "f" / "volumes.csv", keep_default_na=False)
    assert set(vol.region) == {"US", "JP", "GB"}


def test_api_and_cli_share_defaults():
    """Issue 18 C / review D8: the same defaults and region-map names in Python and the CLI."""
    import inspect

    from ecosystem.cli import _parser

    args = _parser().parse_args(["classify", "x.csv", "--format", "records"])
    assert args.errors == inspect.signature(ecosystem.read_records).parameters["errors"].default
    assert args.counting == inspect.signature(ecosystem.classify).parameters["counting"].default
    rec = pd.DataFrame({"record": ["a", "a"], "actor": ["x", "y"], "country": ["US", "JP"],
                        "city": ["Palo Alto", "Tokyo"], "admin1": ["CA", "Tokyo"]})
    c = ecosystem.read_records(rec, regions="metros").contributions
    assert "SFBA" in set(c.to_pandas().region)
    assert len(ecosystem.read_records(rec, regions="countries").contributions.region_map) == \
        len(ecosystem.regions.countries())
    with pytest.raises(ecosystem.EcosystemError, match="no such region file"):
        ecosystem.read_records(rec, regions="mtros")


def test_docs_cli_page_shows_the_current_help():
    """docs/cli.rst holds the --help texts verbatim (88 columns): they must not drift."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "cli.rst").read_text()
    env = {**ENV, "COLUMNS": "88"}
    for cmd in ([], ["demo"], ["classify"], ["flows"], ["brokerage"], ["export"]):
        text = subprocess.run([sys.executable, "-m", "ecosystem.cli", *cmd, "--help"],
                              capture_output=True, text=True, env=env).stdout.rstrip("\n")
        block = "\n".join(("   " + t) if t else "" for t in text.split("\n"))
        assert block in page, f"docs/cli.rst: 'ecosystem {' '.join(cmd)} --help' is out of date"


def test_cli_stops_early_on_input_malformed_throughout(tmp_path, capsys):
    """Issue 18 B: input malformed from its start stops the read at once, located."""
    import time

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "https://openalex.org/W0x12", "publication_year": 2020}\n' * 50_000)
    t0 = time.perf_counter()
    assert _main_code("classify", bad, "--format", "openalex", "--out", tmp_path / "o",
                      "--errors", "skip") == 1
    err = capsys.readouterr().err
    assert "the first 1,000 records (lines 1-1,000) are all malformed" in err, err
    assert f"{bad}:1 (id): malformed OpenAlex id" in err and "unexpected" not in err
    assert "--stop-after-malformed 0" in err
    assert time.perf_counter() - t0 < 20
    # the same file read on to its end when asked: every record counted
    assert _main_code("classify", bad, "--format", "openalex", "--out", tmp_path / "o",
                      "--errors", "skip", "--stop-after-malformed", "0") == 1
    assert "skipped (malformed): 50,000" in capsys.readouterr().err
    # a table malformed throughout (after its header) stops as well
    rec = tmp_path / "rec.csv"
    rec.write_text("doc,author,cc,year\n" + "d1,a1,US,20x1\n" * 1500)
    assert _main_code("classify", rec, "--format", "records", "--columns", "record=doc",
                      "actor=author", "country=cc", "--out", tmp_path / "o2",
                      "--errors", "skip", "--stop-after-malformed", "200") == 1
    err = capsys.readouterr().err
    # counted together after the first examples, so the stop comes at the end of the chunk
    assert "the first 1,500 records (lines 2-1,501) are all malformed" in err, err


def test_stop_if_malformed_keeps_input_damaged_in_places(tmp_path):
    """Damage after a good start, or scattered, is skipped and counted as before."""
    import ecosystem as eco

    good = '{"id": "https://openalex.org/W%d", "publication_year": 2020, "authorships": ' \
           '[{"author": {"id": "https://openalex.org/A%d"}, "countries": ["US"]}]}\n'
    bad = '{"id": "https://openalex.org/W0x12", "publication_year": 2020}\n'
    f = tmp_path / "w.jsonl"
    f.write_text(good % (1, 1) + good % (2, 2) + bad * 3000
                 + "".join(good % (i, i) for i in range(3, 50)))
    with eco.readers.stop_if_malformed(100):
        res = eco.read_openalex(f, errors="skip")
    assert res.report.records_used == 49 and res.report.skipped["malformed"] == 3000
    # every other line bad from the start: not "throughout"
    f.write_text("".join((bad + good % (i, i)) for i in range(1, 400)))
    with eco.readers.stop_if_malformed(100):
        res = eco.read_openalex(f, errors="skip")
    assert res.report.records_used == 399 and res.report.skipped["malformed"] == 399
    # malformed from the start: stopped, located, and the context is left clean
    f.write_text(bad * 150 + good % (1, 1))
    with pytest.raises(eco.DataFormatError, match="first 100 records") as info:
        with eco.readers.stop_if_malformed(100):
            eco.read_openalex(f, errors="skip")
    assert info.value.path == str(f) and info.value.line == 100
    assert eco.read_openalex(f, errors="skip").report.skipped["malformed"] == 150
    with pytest.raises(eco.ParameterError):
        with eco.readers.stop_if_malformed(-1):
            pass


def test_quiet_switches_off_the_bootstrap_bar(monkeypatch, tmp_path, capsys):
    """--quiet prints nothing but errors, even on a terminal (the bootstrap's tqdm bar)."""
    import sys as _sys

    import ecosystem as eco

    monkeypatch.setattr(_sys.stderr, "isatty", lambda: True, raising=False)
    c, _ = eco.datasets.planted(n_regions=6, records_per_region=40, seed=2)
    capsys.readouterr()
    eco.classify(c, bootstrap=120, n_null=0, size=None)
    assert "bootstrap" in capsys.readouterr().err          # the bar, on a "terminal"
    res = eco.classify(c, bootstrap=120, n_null=0, progress=False)
    assert "bootstrap:" not in capsys.readouterr().err
    assert res.table.equals(eco.classify(c, bootstrap=120, n_null=0).table)
    capsys.readouterr()
    with pytest.raises(eco.InputTypeError, match="progress"):
        eco.classify(c, bootstrap=0, progress="yes")
    rec = tmp_path / "rec.csv"
    rec.write_text("doc,author,cc\n" + "".join(f"d{i},a{i},{'US' if i % 2 else 'JP'}\n"
                                                 f"d{i},b{i},CN\n" for i in range(60)))
    assert _main_code("classify", rec, "--format", "records", "--columns", "record=doc",
                      "actor=author", "country=cc", "--out", tmp_path / "o", "--no-plots",
                      "--bootstrap", "120", "--n-null", "0", "--quiet") == 0
    assert capsys.readouterr().err == ""
