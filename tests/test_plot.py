"""Plots: importable functions, labelled axes, valid PNG/SVG/PDF files."""

import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("matplotlib")

import ecosystem as eco  # noqa: E402
from ecosystem import plot  # noqa: E402
from ecosystem.classification import classify  # noqa: E402
from ecosystem.exceptions import ParameterError  # noqa: E402


@pytest.fixture(scope="module")
def talent():
    flows = eco.datasets.scholarly_migration(window=(2016, 2018))
    people = eco.datasets.scholarly_migration_countries(window=(2016, 2018)).set_index("country")
    internal = (3 * people.researchers - people.outmigrations).clip(lower=0)
    res = classify(flows, size=people.researchers, internal=internal, bootstrap=30, n_null=19)
    return flows, res


def test_typology_map_axes_and_guides(talent, tmp_path):
    _, res = talent
    fig = plot.typology_map(res, annotate=5)
    ax = fig.axes[0]
    assert "D = (out − in)/(out + in)" in ax.get_xlabel() and "inflow" in ax.get_xlabel()
    assert "openness" in ax.get_ylabel()
    xs = sorted(round(line.get_xdata()[0], 6) for line in ax.get_lines()
                if len(set(line.get_xdata())) == 1)
    assert round(-1 / 3, 6) in xs and round(1 / 3, 6) in xs
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels and all(t.split()[0] in plot.LABEL_COLOURS for t in labels)
    paths = plot.save(fig, tmp_path / "map")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ET.parse(paths[1]).getroot().tag.endswith("svg")
    assert paths[2].read_bytes()[:4] == b"%PDF"


def test_partner_flows_and_profile(talent, tmp_path):
    flows, res = talent
    fig = plot.partner_flows(flows, "JPN", top=5, names={"USA": "United States"})
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 5 and "inbound" in ax.get_xlabel()
    assert any("United States" in t.get_text() for t in ax.get_yticklabels())
    fig = plot.channel_profile(res, ["USA", "JPN", "CHN"])
    assert len(fig.axes) == 3 and "R" in fig.axes[1].get_ylabel()
    with pytest.raises(ParameterError):
        plot.partner_flows(flows, "XXX")
    with pytest.raises(ParameterError):
        plot.channel_profile(res, ["XXX"])


def test_copresence_partner_chart():
    fig = plot.partner_flows(eco.datasets.coauthorship(2022), "JPN", top=4)
    assert "co-presence" in fig.axes[0].get_xlabel()
