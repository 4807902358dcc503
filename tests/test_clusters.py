"""Tests of ecosystem.regions.clusters: WIPO-style density clusters of weighted coordinates."""

import pickle
import sys

import numpy as np
import pytest

from ecosystem.exceptions import OptionalDependencyError, ParameterError
from ecosystem.regions import ClusterMap, RegionMap, clusters

pytest.importorskip("sklearn")

CITIES = {  # lat, lon of real city centres
    "Tokyo": (35.6895, 139.6917), "Yokohama": (35.4437, 139.6380), "Osaka": (34.6937, 135.5023),
    "Nagoya": (35.1815, 136.9066), "Shenzhen": (22.5455, 114.0683),
    "Hong Kong": (22.2783, 114.1747), "Boston": (42.3584, -71.0598),
    "New York": (40.7143, -74.0060), "Paris": (48.8534, 2.3488),
}


def blob(city, n, sd_km, rng):
    """n points around a city, Gaussian with sd_km."""
    lat0, lon0 = CITIES[city]
    dlat = rng.normal(0, sd_km / 111.2, n)
    dlon = rng.normal(0, sd_km / (111.2 * np.cos(np.radians(lat0))), n)
    return lat0 + dlat, lon0 + dlon


def line(a, b, n):
    """n points evenly along the straight line between two cities."""
    (la, oa), (lb, ob) = CITIES[a], CITIES[b]
    return np.linspace(la, lb, n), np.linspace(oa, ob, n)


def parts_of(m):
    return {r: m.parent(r) or r for r in m.table["region"]}


def test_separate_metros_stay_apart():
    rng = np.random.default_rng(1)
    pts = [blob(c, 400, 4.0, rng) for c in ("Tokyo", "Osaka", "Nagoya", "Boston", "Paris")]
    lat = np.concatenate([p[0] for p in pts])
    lon = np.concatenate([p[1] for p in pts])
    m = clusters(lat, lon, eps_km=8, min_weight=30)
    assert isinstance(m, ClusterMap) and isinstance(m, RegionMap)
    assert len(m.table) == 5
    labels = set(m.table["label"])
    for city in ("Tokyo", "Osaka", "Nagoya", "Boston", "Paris"):
        assert any(city in label for label in labels), (city, labels)
    assert sorted(m.table["weight"]) == [400.0] * 5
    # each blob's points resolve to its own cluster
    codes, _ = m.resolve(lat=lat, lon=lon)
    for k in range(5):
        assert len(set(codes[k * 400:(k + 1) * 400].tolist())) == 1
    assert len(set(codes.tolist())) == 5


def test_a_continuous_corridor_joins():
    # Tokyo and Yokohama, 28 km apart: apart as two blobs, one cluster with the corridor
    rng = np.random.default_rng(2)
    t, y = blob("Tokyo", 300, 2.0, rng), blob("Yokohama", 200, 2.0, rng)
    lat, lon = np.r_[t[0], y[0]], np.r_[t[1], y[1]]
    apart = clusters(lat, lon, eps_km=6, min_weight=10)
    assert len(apart.table) == 2
    c_lat, c_lon = line("Tokyo", "Yokohama", 40)
    joined = clusters(np.r_[lat, c_lat], np.r_[lon, c_lon], np.r_[np.ones(500), np.full(40, 5.0)],
                      eps_km=6, min_weight=10)
    assert len(joined.table) == 1
    assert joined.table["label"].iloc[0] == "Tokyo–Yokohama"


def test_the_corridor_crosses_the_hong_kong_border():
    rng = np.random.default_rng(3)
    s, h = blob("Shenzhen", 300, 2.0, rng), blob("Hong Kong", 300, 2.0, rng)
    c_lat, c_lon = line("Shenzhen", "Hong Kong", 30)
    lat, lon = np.r_[s[0], h[0], c_lat], np.r_[s[1], h[1], c_lon]
    m = clusters(lat, lon, np.r_[np.ones(600), np.full(30, 5.0)], eps_km=6, min_weight=10)
    assert set(m.table["cluster"]) == {"C001"}
    assert set(m.table["region"]) == {"C001-CN", "C001-HK"}
    assert m.country("C001-HK") == "HK" and m.parent("C001-HK") == "C001"
    assert m.layer("C001-CN", "C001-HK") == "cross-boundary"
    assert m.layer("C001-HK", "CN-rest") == "international"
    label = m.table["label"].iloc[0]
    assert "Shenzhen" in label and "Hong Kong" in label
    # new coordinates on either side resolve to the two parts; far away to the country
    codes, report = m.resolve(lat=[22.55, 22.30, 39.9], lon=[114.07, 114.17, 116.4])
    assert [m.regions[i] for i in codes] == ["C001-CN", "C001-HK", "CN-rest"]
    assert report.n_unmatched == 0 and report.n_located == 3


def test_matches_sklearn_dbscan_on_the_raw_records():
    """Dedup + weights gives the partition DBSCAN gives on the records themselves."""
    from sklearn.cluster import DBSCAN

    rng = np.random.default_rng(4)
    pts = [blob(c, 150, 3.0, rng) for c in ("Tokyo", "Yokohama", "Osaka")]
    lat = np.round(np.concatenate([p[0] for p in pts]), 2)
    lon = np.round(np.concatenate([p[1] for p in pts]), 2)
    lat = np.r_[lat, lat[:100]]          # duplicated records
    lon = np.r_[lon, lon[:100]]
    eps_km, min_weight = 5.0, 12
    m = clusters(lat, lon, eps_km=eps_km, min_weight=min_weight, rounding=0)
    ref = DBSCAN(eps=eps_km / 6371.0088, min_samples=min_weight, metric="haversine",
                 algorithm="ball_tree").fit(np.radians(np.c_[lat, lon])).labels_
    core = np.zeros(len(lat), dtype=bool)
    core[DBSCAN(eps=eps_km / 6371.0088, min_samples=min_weight, metric="haversine").fit(
        np.radians(np.c_[lat, lon])).core_sample_indices_] = True
    codes, _ = m.resolve(lat=lat, lon=lon)
    clustered = np.isin(codes, [m.index(r) for r in m.table["region"]])
    assert np.array_equal(clustered, ref >= 0)
    # same partition of the core points (border points may go to either neighbour)
    ours = {}
    for c, r in zip(codes[core], ref[core]):
        ours.setdefault(r, set()).add(c)
    assert all(len(v) == 1 for v in ours.values())
    assert len({next(iter(v)) for v in ours.values()}) == len(ours)
    assert m.params["n_points"] == len(set(zip(lat.tolist(), lon.tolist())))


def test_fractional_weights_reach_min_weight_exactly():
    lat = [35.6895, 35.6896, 34.6937]
    lon = [139.6917, 139.6918, 135.5023]
    m = clusters(lat, lon, [0.75, 0.5, 1.0], eps_km=1, min_weight=1.25, rounding=0)
    assert list(m.table["weight"]) == [1.25]
    m = clusters(lat, lon, [0.75, 0.49, 1.0], eps_km=1, min_weight=1.25, rounding=0)
    assert len(m.table) == 0


def test_rounding_and_parameters_are_stated():
    rng = np.random.default_rng(5)
    lat, lon = blob("Paris", 2000, 3.0, rng)
    m = clusters(lat, lon, eps_km=5, min_weight=50, rounding=0.05)
    p = m.params
    assert p["rounding"] == 0.05 and p["eps_km"] == 5.0 and p["min_weight"] == 50.0
    assert p["n_input"] == 2000 and p["n_skipped"] == 0 and p["total_weight"] == 2000.0
    grid = set(zip(np.rint(lat / 0.05).tolist(), np.rint(lon / 0.05).tolist()))
    assert p["n_points"] == len(grid) < 2000
    assert "DBSCAN" in p["method"]
    default = clusters(lat, lon)
    assert default.params["min_weight"] == pytest.approx(max(1.0, 0.001 * 2000))


def test_order_of_records_does_not_matter():
    rng = np.random.default_rng(6)
    pts = [blob(c, 200, 4.0, rng) for c in ("Tokyo", "Osaka", "New York")]
    lat = np.concatenate([p[0] for p in pts])
    lon = np.concatenate([p[1] for p in pts])
    w = rng.uniform(0.1, 2.0, len(lat))
    perm = rng.permutation(len(lat))
    a = clusters(lat, lon, w, eps_km=8, min_weight=20)
    b = clusters(lat[perm], lon[perm], w[perm], eps_km=8, min_weight=20)
    assert list(a.regions) == list(b.regions) and list(a.labels) == list(b.labels)
    np.testing.assert_allclose(a.table["weight"], b.table["weight"])


def test_bad_values_are_skipped_and_counted():
    lat = [35.6895, np.nan, 95.0, 35.6895, "x", 35.6895]
    lon = [139.6917, 139.0, 139.0, 139.6917, 139.0, 139.6917]
    m = clusters(lat, lon, [1, 1, 1, np.nan, 1, 1], eps_km=1, min_weight=2)
    assert m.params["n_input"] == 6 and m.params["n_skipped"] == 4
    assert list(m.table["weight"]) == [2.0]


@pytest.mark.parametrize("kwargs, match", [
    ({"eps_km": 0}, "eps_km"), ({"min_weight": -1}, "min_weight"),
    ({"rounding": -0.1}, "rounding"), ({"rest": "world"}, "rest"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        clusters([35.0, 35.0], [139.0, 139.0], **kwargs)


def test_lengths_must_agree():
    with pytest.raises(ParameterError, match="differ in length"):
        clusters([1.0, 2.0], [1.0])
    with pytest.raises(ParameterError, match="weight has"):
        clusters([1.0, 2.0], [1.0, 2.0], [1.0])


def test_names_of_places_inside_resolve_too():
    rng = np.random.default_rng(7)
    lat, lon = blob("Osaka", 500, 5.0, rng)
    m = clusters(lat, lon, eps_km=8, min_weight=20)
    codes, _ = m.resolve(["JP", "JP"], city=["Osaka", "Sapporo"])
    assert [m.regions[i] for i in codes] == ["C001", "JP-rest"]


def test_pickle_and_equality():
    rng = np.random.default_rng(8)
    lat, lon = blob("Boston", 300, 3.0, rng)
    m = clusters(lat, lon, eps_km=5, min_weight=20)
    back = pickle.loads(pickle.dumps(m))
    assert back == m and hash(back) == hash(m)
    assert back.params == m.params
    assert back.resolve(lat=[42.36], lon=[-71.06])[0].tolist() == m.resolve(lat=[42.36],
                                                                          lon=[-71.06])[0].tolist()


def test_missing_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.cluster", None)
    with pytest.raises(OptionalDependencyError, match=r"scikit-learn.*geo"):
        clusters([35.0], [139.0])
