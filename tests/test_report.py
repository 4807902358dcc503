"""The report: methods paragraph, references, Markdown and HTML files."""

import pandas as pd

import ecosystem as eco
from ecosystem.classification import classify
from ecosystem.report import methods_text, references, write_report


def _res():
    return classify(eco.datasets.scholarly_migration(window=(2017, 2018)), bootstrap=20, n_null=19,
                    seed=4)


def test_methods_text_states_choices():
    res = _res()
    text = methods_text(res.params, n_regions=210, data_sentence="Data are MPIDR flows.")
    for needle in ("window 2017–2018", "210 regions", "20 replicates", "seed 4",
                   "|D − D_ref| ≤ 0.333333", "R ≥ 0.5", "quasi-independence null", "Direction test: bootstrap",
                   "Multiple testing: none", "Size model:", "Data are MPIDR"):
        assert needle in text, needle
    refs = references(res.params)
    assert all("doi:" in r for r in refs if "CEPII" not in r)
    assert max(int(n) for n in __import__("re").findall(r"\[(\d+)\]", text)) <= len(refs)


def test_methods_text_fractional_and_bh():
    params = dict(_res().params, counting="fractional", adjust="bh")
    text = methods_text(params)
    assert "fractional counting" in text and "Benjamini" in text
    assert any("Waltman" in r for r in references(params))


def test_write_report(tmp_path):
    table = pd.DataFrame({"region": ["A&B", "C"], "D": [0.5, float("nan")]})
    md, html = write_report(tmp_path, title="T <1>", sections=[("Table", table), ("Note", "x")],
                            methods="M.", refs=["R1 doi:1"], read_report="read 3 records",
                            sources=[{"source": "S", "licence": "CC BY 4.0", "citation": "C"}],
                            figures=[("Fig", "plots/a.png")])
    h = html.read_text()
    assert "<table" in h and "A&amp;B" in h and "T &lt;1&gt;" in h and "plots/a.png" in h
    assert "read 3 records" in h and "CC BY 4.0" in h and "CITATION.cff" in h
    m = md.read_text()
    assert "| region | D |" in m and "| A&B | 0.500 |" in m and "| C |  |" in m and "## Methods" in m


def test_notebook_html_views():
    """Issue 18 D: Classification, RegionFlows and ReadReport render in Jupyter."""
    flows = eco.datasets.scholarly_migration(window=(2017, 2018))
    res = classify(flows, bootstrap=20, n_null=19, seed=4)
    h = res._repr_html_()
    assert "<table" in h and "stable)" in h and "USA" in h and "Labels:" in h
    h = flows._repr_html_()
    assert "<table" in h and "USA" in h and "RegionFlows" in h
    rep = eco.read_records(pd.DataFrame({"record": ["a", "a"], "actor": ["x", "y"],
                                         "country": ["US", "JP"]})).report
    assert rep._repr_html_().startswith("<pre>") and "records read" in rep._repr_html_()
    c, _ = eco.datasets.planted(n_regions=6, records_per_region=20, seed=1)
    assert "<table" in c._repr_html_() and "Contributions" in c._repr_html_()
    b = eco.brokerage(eco.coauthorship_graph(c))
    assert "<table" in b._repr_html_() and "BrokerageResult" in b._repr_html_()


def test_label_counts_headline_active_only():
    from ecosystem.report import headline, label_counts

    c = eco.Contributions.from_arrays(record=["p", "p", "q", "q"], actor=["a", "b", "c", "d"],
                                      region=["US", "JP", "US", "GB"],
                                      regions=eco.regions.countries())
    res = classify(c, bootstrap=5, n_null=9, seed=0)
    counts = label_counts(res)
    assert counts.rows.sum() == 3  # US, JP, GB; not the 250 map regions
    assert headline(res).startswith("insufficient 3")
