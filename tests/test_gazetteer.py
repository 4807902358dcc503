"""Tests of the shipped GeoNames gazetteer and of RegionMap.resolve by id and coordinates."""

import gzip
import pickle

import numpy as np
import pytest

from ecosystem.exceptions import ParameterError
from ecosystem.regions import gazetteer, greater_bay_area, metro_areas
from ecosystem.regions._files import data_file
from ecosystem.regions._gazetteer import chord_to_km, km_to_chord, unit_xyz

# GeoNames ids, names and coordinates of the GBA "9+2" (the nine Guangdong cities, HK, MO)
GBA = [
    (1809858, "CN", "Guangzhou", 23.11667, 113.25000, "GBA-GD"),
    (1795565, "CN", "Shenzhen", 22.54554, 114.06830, "GBA-GD"),
    (1790437, "CN", "Zhuhai", 22.27694, 113.56778, "GBA-GD"),
    (1811103, "CN", "Foshan", 23.02677, 113.13148, "GBA-GD"),
    (1806776, "CN", "Huizhou", 23.11147, 114.41523, "GBA-GD"),
    (1812545, "CN", "Dongguan", 23.01797, 113.74866, "GBA-GD"),
    (6986104, "CN", "Zhongshan", 22.52306, 113.37912, "GBA-GD"),
    (1806299, "CN", "Jiangmen", 22.58333, 113.08333, "GBA-GD"),
    (1784853, "CN", "Zhaoqing", 23.04893, 112.46091, "GBA-GD"),
    (1819729, "HK", "Hong Kong", 22.27832, 114.17469, "GBA-HK"),
    (1821274, "MO", "Macau", 22.20056, 113.54611, "GBA-MO"),
    (1816670, "CN", "Beijing", 39.90750, 116.39723, "CN-rest"),
]
# Greater Tokyo, the Bay Area, New York, and places outside them (metro_areas codes)
METROS = [
    (1850147, "JP", "Tokyo", 35.68950, 139.69171, "GTKY"),
    (1848354, "JP", "Yokohama", 35.43333, 139.65000, "GTKY"),
    (6940394, "JP", "Saitama", 35.90807, 139.65657, "GTKY"),
    (2113015, "JP", "Chiba", 35.60000, 140.11667, "GTKY"),
    (1863440, "JP", "Hachiōji", 35.65583, 139.32389, "GTKY"),
    (2110681, "JP", "Tsukuba", 36.08333, 140.11667, "JP-rest"),
    (5380748, "US", "Palo Alto", 37.44188, -122.14302, "SFBA"),
    (5378538, "US", "Oakland", 37.80437, -122.27080, "SFBA"),
    (5392171, "US", "San Jose", 37.33939, -121.89496, "SFBA"),
    (5128581, "US", "New York City", 40.71427, -74.00597, "NYC"),
    (5101798, "US", "Newark", 40.73566, -74.17237, "NYC"),
    (5099836, "US", "Jersey City", 40.72816, -74.07764, "NYC"),
    (4930956, "US", "Boston", 42.35843, -71.05977, "US-rest"),
    (1795565, "CN", "Shenzhen", 22.54554, 114.06830, "GBA"),
    (1819729, "HK", "Hong Kong", 22.27832, 114.17469, "GBA"),
    (2988507, "FR", "Paris", 48.85341, 2.34880, "FR"),
]


def codes_of(region_map, ids):
    return [region_map.regions[i] if i >= 0 else None for i in ids]


def test_table_columns_and_size():
    table = gazetteer().table
    assert list(table.columns) == ["geonameid", "name", "asciiname", "country", "admin1",
                                   "admin2", "latitude", "longitude", "population",
                                   "alternatenames"]
    assert len(table) > 30_000 and table["population"].min() >= 15_000
    assert table["geonameid"].is_unique
    assert table["latitude"].between(-90, 90).all() and table["longitude"].between(-180, 180).all()
    # the licence and the change note travel with the file
    head = gzip.decompress(data_file("gazetteer.csv.gz").read_bytes())[:400].decode()
    assert "CC BY 4.0" in head and "Changes" in head


def test_namibia_is_not_missing():
    table = gazetteer().table
    assert (table["country"] == "NA").sum() > 5  # "NA" read as text, not as a missing value


@pytest.mark.parametrize("rows", [GBA, METROS])
def test_by_id_and_find_agree(rows):
    g = gazetteer()
    ids = [r[0] for r in rows]
    by_id = g.by_id(ids)
    assert (by_id >= 0).all()
    assert g.table["geonameid"].iloc[by_id].tolist() == ids
    found = g.find([r[1] for r in rows], None, [r[2] for r in rows])
    assert g.table["geonameid"].iloc[found].tolist() == ids


def test_by_id_missing_and_malformed():
    assert gazetteer().by_id([None, "x", -5, 1, float("nan"), "1850147"]).tolist()[:5] == [-1] * 5
    assert gazetteer().by_id(["1850147"])[0] >= 0


def test_nearest_matches_brute_force():
    g = gazetteer()
    rng = np.random.default_rng(7)
    lat = rng.uniform(-60, 70, 300)
    lon = rng.uniform(-180, 180, 300)
    rows, km = g.nearest(lat, lon, radius_km=20_000)
    # brute force with the haversine formula
    t = g.table
    p1, p2 = np.radians(lat)[:, None], np.radians(t["latitude"].to_numpy())[None, :]
    dl = np.radians(t["longitude"].to_numpy())[None, :] - np.radians(lon)[:, None]
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    dist = 2 * 6371.0088 * np.arcsin(np.sqrt(h))
    np.testing.assert_allclose(km, dist.min(axis=1), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dist[np.arange(300), rows], dist.min(axis=1), rtol=1e-9)


def test_nearest_radius_and_bad_values():
    g = gazetteer()
    rows, km = g.nearest([37.4275, 0.0, None, 95.0, np.nan], [-122.1697, 0.0, 1.0, 0.0, 0.0])
    assert g.table["name"].iloc[rows[0]] == "Palo Alto" and km[0] < 10
    assert rows[1:].tolist() == [-1] * 4 and np.isnan(km[1:]).all()
    with pytest.raises(ParameterError, match="radius_km"):
        g.nearest([0.0], [0.0], radius_km=0)
    with pytest.raises(ParameterError, match="differ in length"):
        g.nearest([0.0, 1.0], [0.0])


def test_sphere_helpers():
    xyz = unit_xyz([0, 90], [0, 0])
    np.testing.assert_allclose(np.linalg.norm(xyz, axis=1), 1.0)
    assert chord_to_km(km_to_chord(1234.5)) == pytest.approx(1234.5)


def test_find_folds_accents_aliases_and_uses_codes_not_names():
    g = gazetteer()
    t = g.table
    rows = g.find(["JP", "jpn", "CN", "US", "US"], [None, None, None, "NY", "US-CA"],
                  ["TOKYO", "Tōkyō-to", "Kwangchow", "New York", "Berkeley"])
    assert t["geonameid"].iloc[rows].tolist()[:2] == [1850147, 1850147]
    assert t["name"].iloc[rows[3]] == "New York City"
    assert t["admin1"].iloc[rows[4]] == "CA"
    # an admin-1 *name* or ISO 3166-2 code is not a GeoNames code: it is not used to
    # choose among same-named places, and never to exclude one
    assert g.find(["US"], ["California"], ["Berkeley"])[0] == g.find(["US"], None, ["Berkeley"])[0]
    # GeoNames code JP.40 (Tokyo) versus ISO 3166-2 JP-40 (Fukuoka)
    assert g.find(["JP"], ["JP.40"], ["Tokyo"])[0] == g.by_id([1850147])[0]
    assert g.find(["XX", None, "JP"], None, ["Tokyo", "Tokyo", None]).tolist() == [-1, -1, -1]


@pytest.mark.parametrize("how", ["geonames_id", "coordinates", "names"])
def test_gba_nine_plus_two(how):
    m = greater_bay_area()
    if how == "geonames_id":
        codes, report = m.resolve(geonames_id=[r[0] for r in GBA])
    elif how == "coordinates":
        codes, report = m.resolve(lat=[r[3] for r in GBA], lon=[r[4] for r in GBA])
    else:
        codes, report = m.resolve([r[1] for r in GBA], city=[r[2] for r in GBA])
    assert codes_of(m, codes) == [r[5] for r in GBA]
    assert report.n_unmatched == 0
    hk, sz = m.index("GBA-HK"), m.index("GBA-GD")
    assert m.layer(hk, sz) == "cross-boundary"


@pytest.mark.parametrize("how", ["geonames_id", "coordinates", "names"])
def test_tokyo_bay_area_new_york(how):
    m = metro_areas()
    if how == "geonames_id":
        codes, report = m.resolve(geonames_id=[r[0] for r in METROS])
        assert report.n_located == report.n_placed == len(METROS)
    elif how == "coordinates":
        codes, report = m.resolve(lat=[r[3] for r in METROS], lon=[r[4] for r in METROS])
    else:
        # an ambiguous US name needs its state ("Newark" alone is not NYC): give the
        # GeoNames admin-1 codes, which are the postal codes in the US
        admin1 = gazetteer().location(gazetteer().by_id([r[0] for r in METROS]))[1]
        codes, report = m.resolve([r[1] for r in METROS], admin1=admin1,
                                  city=[r[2] for r in METROS])
    assert codes_of(m, codes) == [r[5] for r in METROS]


def test_geonames_admin1_codes_in_patterns():
    """JP.40 is GeoNames' Tokyo; before the gazetteer it matched nothing."""
    m = metro_areas()
    codes, _ = m.resolve(["JP", "JP", "JP", "JP", "CN"],
                         admin1=["JP.40", "JP.19", "JP-40", "JP.14", "CN.30"],
                         city=[None, None, None, None, "Shenzhen"])
    assert codes_of(m, codes) == ["GTKY", "GTKY", "JP-rest", "JP-rest", "GBA"]


def test_names_come_first_and_place_fills_in():
    m = metro_areas()
    codes, report = m.resolve(
        ["US", "US", None, "JP", "US", "US", "US"],
        admin1=[None, None, None, None, None, "NJ", "CA"],
        city=["Palo Alto", None, None, None, "Stanford Research Park", "Princeton", "Nowhere"],
        lat=[40.71, 37.44, 35.69, 36.08, 37.41, 40.3431, 40.3431],
        lon=[-74.01, -122.14, 139.69, 140.12, -122.15, -74.6551, -74.6551])
    # a name that matches a pattern decides, even against the coordinates (Palo Alto
    # named, New York located); a location with only a country takes the place's city;
    # a missing country is filled; a name that matches nothing gives way to the place
    # when the place matches (a research park near Palo Alto) and stays otherwise
    # (Princeton, which is not in the New York metro, located at Princeton)
    assert codes_of(m, codes) == ["SFBA", "SFBA", "GTKY", "JP-rest", "SFBA", "US-rest", "US-rest"]
    assert report.n_located == 7 and report.n_placed == 7


def test_unplaced_locations_are_counted_with_examples():
    m = metro_areas()
    codes, report = m.resolve(geonames_id=[1850147, 999999999, None, "bad"],
                              lat=[None, None, 0.0, None], lon=[None, None, 0.0, None])
    assert codes_of(m, codes) == ["GTKY", None, None, None]
    assert report.n_located == 4 and report.n_placed == 1
    assert report.unplaced == ((1, 999999999, None, None), (2, None, 0.0, 0.0),
                               (3, "bad", None, None))
    assert report.by_reason["missing country"] == 3
    text = str(report)
    assert "not in the gazetteer: 3" in text and "radius 30 km" in text
    assert pickle.loads(pickle.dumps(report)) == report


def test_resolve_checks_coordinates_arguments():
    m = metro_areas()
    with pytest.raises(ParameterError, match="both lat and lon"):
        m.resolve(lat=[1.0])
    with pytest.raises(ParameterError, match="differ in length"):
        m.resolve(["US"], lat=[1.0, 2.0], lon=[1.0, 2.0])


def test_radius_is_honoured():
    m = metro_areas()
    # 0.3° (~33 km) north-east of Palo Alto, in the bay hills: found with 60 km, not with 5 km
    lat, lon = [37.74], [-121.85]
    assert codes_of(m, m.resolve(lat=lat, lon=lon, radius_km=60)[0]) != [None]
    assert codes_of(m, m.resolve(lat=lat, lon=lon, radius_km=1)[0]) == [None]


def test_alternate_spellings_through_the_gazetteer():
    from ecosystem.regions import metros

    m = metros()
    codes, report = m.resolve(["DE", "DE", "CN", "US", "US", "DE"],
                              admin1=[None, None, None, None, "NJ", "Bayern"],
                              city=["Muenchen", "Cologne", "Canton", "Newark", "Newark", "Muenchen"])
    # "Newark" alone names four US places: not guessed; with its state it is NYC;
    # an admin-1 *name* cannot be checked against GeoNames codes: not guessed either
    assert codes_of(m, codes) == ["DE-MUC", "DE-CGN", "GBA-GD", "US-rest", "NYC", "DE-rest"]
    assert report.n_alias == 2  # "Canton" is a spelling the seed definition lists itself
    assert "matched through the gazetteer: 2" in str(report)


def test_find_unique():
    g = gazetteer()
    assert g.find(["US"], None, ["Newark"])[0] >= 0
    assert g.find(["US"], None, ["Newark"], unique=True)[0] == -1
    assert g.find(["US"], ["NJ"], ["Newark"], unique=True)[0] == g.by_id([5101798])[0]
    assert g.find(["US"], ["MO"], ["Berkeley"], unique=True)[0] == -1
    assert g.find(["DE"], ["Bayern"], ["Muenchen"], unique=True)[0] == -1
    assert g.find(["DE"], None, ["Muenchen"], unique=True)[0] >= 0


# --------------------------------------------------------------------------- readers


def _work(wid, insts):
    return {"id": f"https://openalex.org/W{wid}", "publication_year": 2020, "type": "article",
            "authorships": [
                {"author_position": "first" if k == 0 else "middle",
                 "author": {"id": f"https://openalex.org/A{wid}{k}"},
                 "institutions": [{"id": f"https://openalex.org/I{i}", "country_code": cc,
                                   "type": "education", "lineage": [f"https://openalex.org/I{i}"]}],
                 "countries": [cc], "is_corresponding": k == 0}
                for k, (i, cc) in enumerate(insts)]}


def test_openalex_institution_geo_resolves_into_metros(tmp_path):
    import json

    from ecosystem.readers import read_openalex
    from ecosystem.regions import metros

    insts = [  # id, country, geo: city the maps do not name, GeoNames id, lat, lon
        (11, "US", {"city": "Moffett Federal Airfield", "geonames_city_id": "5380748",
                    "latitude": 37.415, "longitude": -122.048}),          # Palo Alto's id
        (12, "KR", {"city": "Gwanak-gu", "geonames_city_id": None,
                    "latitude": 37.46, "longitude": 126.95}),             # coordinates: Seoul
        (13, "HK", {"city": "Sha Tin", "geonames_city_id": "1819729",
                    "latitude": 22.38, "longitude": 114.19}),
        (14, "CN", {"city": "Shenzhen", "latitude": 22.54, "longitude": 114.06}),
        (15, "FR", {"city": "Gif-sur-Yvette", "latitude": 48.70, "longitude": 2.13}),
    ]
    with open(tmp_path / "institutions.jsonl", "w") as fh:
        for i, cc, geo in insts:
            fh.write(json.dumps({"id": f"https://openalex.org/I{i}", "country_code": cc,
                                 "type": "education", "lineage": [f"https://openalex.org/I{i}"],
                                 "geo": dict(geo, country_code=cc)}) + "\n")
    with open(tmp_path / "works.jsonl", "w") as fh:
        fh.write(json.dumps(_work(1, [(11, "US"), (12, "KR")])) + "\n")
        fh.write(json.dumps(_work(2, [(13, "HK"), (14, "CN"), (15, "FR")])) + "\n")
    m = metros()
    res = read_openalex(tmp_path / "works.jsonl", tmp_path / "institutions.jsonl", regions=m)
    regions_ = set(res.contributions.to_pandas()["region"])
    assert regions_ == {"SFBA", "KR-SEL", "GBA-HK", "GBA-GD", "FR-PAR"}
    rep = res.report.unmatched
    assert rep.n_located == 5 and rep.n_placed == 5


def test_patentsview_coordinates_resolve_into_metros(tmp_path):
    from ecosystem.readers import read_patentsview
    from ecosystem.regions import metros

    def tsv(name, header, rows):
        with open(tmp_path / f"{name}.tsv", "w") as fh:
            fh.write("\t".join(f'"{h}"' for h in header) + "\n")
            for r in rows:
                fh.write("\t".join(f'"{v}"' for v in r) + "\n")

    tsv("g_location_disambiguated",
        ["location_id", "disambig_city", "disambig_state", "disambig_country", "latitude",
         "longitude", "county", "state_fips", "county_fips"],
        [["l1", "Kendall Square", "MA", "US", "42.3629", "-71.0901", "Middlesex", "25", "017"],
         ["l2", "Sunnyvale", "CA", "US", "37.3688", "-122.0363", "Santa Clara", "06", "085"],
         ["l3", "Hsinchu", "", "TW", "24.8039", "120.9647", "", "", ""]])
    tsv("g_patent", ["patent_id", "patent_date"], [["p1", "2020-01-07"], ["p2", "2020-02-04"]])
    tsv("g_inventor_disambiguated", ["patent_id", "inventor_sequence", "inventor_id", "location_id"],
        [["p1", "0", "i1", "l1"], ["p1", "1", "i2", "l3"], ["p2", "0", "i3", "l2"]])
    res = read_patentsview(tmp_path, regions=metros())
    got = dict(zip(res.contributions.to_pandas()["actor"], res.contributions.to_pandas()["region"]))
    # Kendall Square (no GeoNames city) goes to Boston by its coordinates, Sunnyvale to
    # the Bay Area by its county, Hsinchu by name
    assert got == {"i1": "US-BOS", "i2": "TW-TPE", "i3": "SFBA"}


def test_regpat_labels_resolve_into_metros(formats):
    from ecosystem.readers import read_regpat
    from ecosystem.regions import metros

    res = read_regpat(formats / "regpat_sample", regions=metros())
    regions_ = set(res.contributions.to_pandas()["region"])
    # NUTS3 DE212 "Muenchen, Kreisfreie Stadt" and FR101 "Paris" become metros
    assert {"DE-MUC", "FR-PAR"} <= regions_


def test_wos_address_city_resolves_into_metros(tmp_path):
    from ecosystem.readers._places import parse_address
    from ecosystem.regions import metros

    m = metros()
    parsed = [parse_address(a) for a in (
        "Univ Tokyo, Dept Phys, Bunkyo Ku, Tokyo 1130033, Japan.",
        "Seoul Natl Univ, Seoul 08826, South Korea.",
        "Tech Univ Munich, Munich, Germany.",
        "MIT, Cambridge, MA 02139 USA.",
        "Univ Cambridge, Cambridge CB2 1TN, England.")]
    codes, _ = m.resolve([p[0] for p in parsed], admin1=[p[1] for p in parsed],
                         city=[p[2] for p in parsed])
    assert codes_of(m, codes) == ["GTKY", "KR-SEL", "DE-MUC", "US-BOS", "GB-CAM"]
