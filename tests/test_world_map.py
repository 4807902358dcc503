"""Tests of ecosystem.plot.world_map: renders offline over the shipped outlines."""

import numpy as np
import pandas as pd
import pytest

import ecosystem as eco

pytest.importorskip("matplotlib")

from ecosystem.classification import classify  # noqa: E402
from ecosystem.plot import world_map  # noqa: E402
from ecosystem.regions import centroids, clusters, countries, metros, world_outlines  # noqa: E402


@pytest.fixture(scope="module")
def migration():
    flows = eco.datasets.scholarly_migration(window=(2016, 2018))
    return flows, classify(flows, bootstrap=20, n_null=19)


def _title(fig):
    return fig.axes[0].get_title()


def test_renders_png_with_outlines_regions_and_arcs(migration, tmp_path):
    flows, res = migration
    fig = world_map(res, flows, top_flows=12)
    ax = fig.axes[0]
    assert ax.get_xlim() == (-180.0, 180.0)
    polys = [c for c in ax.collections if type(c).__name__ == "PolyCollection"]
    assert len(polys) == 1 and len(polys[0].get_paths()) > 200   # country rings
    lines = [c for c in ax.collections if type(c).__name__ == "LineCollection"]
    assert len(lines) == 1 and len(lines[0].get_segments()) == 12
    points = [c for c in ax.collections if type(c).__name__ == "PathCollection"]
    drawn = sum(len(c.get_offsets()) for c in points)
    assert drawn > 150
    assert "12 strongest flows" in _title(fig)
    path = tmp_path / "world_map.png"
    fig.savefig(path)
    assert path.stat().st_size > 10_000


def test_region_positions_are_country_centroids(migration):
    flows, res = migration
    fig = world_map(res, top_flows=0, annotate=0)
    offsets = np.concatenate([c.get_offsets() for c in fig.axes[0].collections
                              if type(c).__name__ == "PathCollection"])
    c = centroids(countries()).set_index("region")
    jp = (c.at["JP", "longitude"], c.at["JP", "latitude"])
    assert np.isclose(offsets, jp).all(axis=1).any()


def test_positions_override_and_unplaced_are_counted():
    table = pd.DataFrame({"region": ["A", "B", "C"], "channel": "talent",
                          "layer": "international", "label": ["hub", "outbound", "local"],
                          "n_external": [100.0, 50.0, 10.0]})
    fig = world_map(table, positions={"A": (35.7, 139.7), "B": (48.9, 2.35)})
    assert "1 region(s) without a position" in _title(fig)
    sizes = {tuple(np.round(c.get_offsets()[0], 1)): c.get_sizes()[0]
             for c in fig.axes[0].collections if type(c).__name__ == "PathCollection"}
    assert sizes[(139.7, 35.7)] > sizes[(2.4, 48.9)]  # sized by volume


def test_metro_and_cluster_maps_place_their_regions():
    table = pd.DataFrame({"region": ["US-BOS", "GBA-HK", "KR-SEL"], "channel": "academic",
                          "layer": "international", "label": ["hub", "hub", "introduction"],
                          "n_external": [5.0, 5.0, 5.0]})
    fig = world_map(table, regions=metros())
    assert "without a position" not in _title(fig)
    lat = [35.69, 35.44] * 40 + [48.85] * 50
    lon = [139.69, 139.64] * 40 + [2.35] * 50
    m = clusters(lat, lon, eps_km=30, min_weight=10)
    cl = pd.DataFrame({"region": list(m.table["region"]), "channel": "academic",
                       "layer": "international", "label": "hub", "n_external": 1.0})
    fig = world_map(cl, regions=m)
    assert "without a position" not in _title(fig)


def test_outlines_are_shipped():
    outlines = world_outlines()
    assert len(outlines) == 177
    names = {o[1] for o in outlines}
    assert {"Japan", "China", "United States of America", "France"} <= names
    lon = np.concatenate([r[:, 0] for o in outlines for r in o[2]])
    assert lon.min() >= -180 and lon.max() <= 180


def test_empty_or_missing_rows():
    table = pd.DataFrame({"region": ["A"], "channel": "talent", "layer": "international",
                          "label": ["hub"], "n_external": [1.0]})
    with pytest.raises(eco.exceptions.ParameterError, match="no rows"):
        world_map(table, channel="academic")
    with pytest.raises(eco.exceptions.ParameterError, match="empty"):
        world_map(table.iloc[:0])
