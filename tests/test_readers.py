"""Readers against the ground truth of the sample files (tests/data/formats, formats.md §7)."""

import doctest
import gzip
import importlib
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ecosystem as eco
from ecosystem import regions as rg
from ecosystem.readers import (
    Citations,
    ReadReport,
    ReadResult,
    moves_from_spells,
    read_openalex,
    read_patentsview,
    read_records,
    read_regpat,
    read_scopus,
    read_wos,
)



def shares(result, prefix=""):
    """{record: {region: share}} of the rows (weights = fractional shares)."""
    df = result.contributions.to_pandas()
    df = df[df["record"].str.startswith(prefix)]
    out = {}
    for (rec, reg), w in df.groupby(["record", "region"])["weight"].sum().items():
        out.setdefault(rec, {})[reg] = round(w, 6)
    return out


def actor_countries(result, record):
    df = result.contributions.to_pandas()
    df = df[df["record"] == record]
    return {a: set(g["region"]) for a, g in df.groupby("actor")}


def lead_regions(result, record):
    df = result.contributions.to_pandas()
    return set(df[(df["record"] == record) & df["lead"]]["region"])


def pairs(result, record):
    regs = sorted(set(result.contributions.to_pandas().query("record == @record")["region"]))
    return {f"{a}-{b}" for i, a in enumerate(regs) for b in regs[i + 1:]}


# --------------------------------------------------------------------------- OpenAlex


@pytest.fixture(scope="module")
def oa(formats):
    return read_openalex(formats / "openalex_works_sample.jsonl",
                         formats / "openalex_institutions_sample.jsonl",
                         formats / "openalex_authors_sample.jsonl")


def test_openalex_result_types(oa):
    assert isinstance(oa, ReadResult)
    assert isinstance(oa.contributions, eco.Contributions)
    assert isinstance(oa.citations, Citations)
    assert isinstance(oa.report, ReadReport)
    assert "CC0" in oa.report.licence


def test_openalex_fractional_country_shares(oa):
    s = shares(oa, "W")
    third = round(1 / 3, 6)
    assert s["W9000000001"] == {"US": third, "HK": third, "CN": third}
    assert s["W9000000002"] == {"JP": 0.5, "HK": 0.25, "CN": 0.25}   # one author HK+CN
    assert s["W9000000003"] == {"MO": 0.5}                            # 1/2 unknown
    assert s["W9000000004"] == {"US": 1.0}
    assert s["W9000000005"] == {"HK": 0.5, "CN": 0.5}
    assert oa.report.unknown_share == pytest.approx(0.5)
    assert oa.report.dropped["no country"] == 1            # the author without affiliation
    assert oa.report.records_read == 5 and oa.report.records_used == 5


def test_openalex_cross_border_pairs(oa):
    assert pairs(oa, "W9000000001") == {"CN-HK", "CN-US", "HK-US"}
    assert pairs(oa, "W9000000002") == {"CN-HK", "CN-JP", "HK-JP"}
    assert pairs(oa, "W9000000003") == set()
    assert pairs(oa, "W9000000004") == set()
    assert pairs(oa, "W9000000005") == {"CN-HK"}


def test_openalex_missing_country_code_falls_back(formats):
    # W3: institution country_code null, countries = MO -> MO (with and without the file)
    for inst in (None, formats / "openalex_institutions_sample.jsonl"):
        res = read_openalex(formats / "openalex_works_sample.jsonl", inst)
        assert shares(res, "W")["W9000000003"] == {"MO": 0.5}


def test_openalex_leads(oa):
    assert lead_regions(oa, "W9000000001") == {"HK"}
    assert lead_regions(oa, "W9000000002") == {"HK", "CN"}   # one author, two countries
    assert lead_regions(oa, "W9000000004") == {"US"}
    assert lead_regions(oa, "W9000000005") == {"HK"}
    # W3: is_corresponding null -> first author, flagged in the report
    assert lead_regions(oa, "W9000000003") == {"MO"}
    assert oa.report.notes["lead: first author (no corresponding author flagged)"] == 1


def test_openalex_lead_options(formats):
    first = read_openalex(formats / "openalex_works_sample.jsonl", lead="first")
    assert lead_regions(first, "W9000000001") == {"US"}
    none = read_openalex(formats / "openalex_works_sample.jsonl", lead=None)
    df = none.contributions.to_pandas()
    assert not df[df.record.str.startswith("W")].lead.any()   # papers: co-presence only


def test_openalex_citations(oa):
    df = oa.citations.to_pandas()
    inside = {(a, b) for a, b in df[df.in_corpus][["citing", "cited"]].itertuples(index=False)}
    assert inside == {("W9000000001", "W9000000004"), ("W9000000002", "W9000000001"),
                      ("W9000000002", "W9000000004"), ("W9000000005", "W9000000001"),
                      ("W9000000005", "W9000000002")}
    dangling = df[~df.in_corpus]
    assert dangling[["citing", "cited"]].values.tolist() == [["W9000000001", "W9999999999"]]
    assert ("W9000000005", "W9000000005") not in inside
    assert oa.report.notes["self-citations dropped"] == 1
    assert oa.citations.convention == "citing -> cited"
    row = df[(df.citing == "W9000000002") & (df.cited == "W9000000001")].iloc[0]
    assert (row.citing_year, row.cited_year) == (2020, 2019)


def test_openalex_citation_flows(oa):
    flows = oa.citations.region_flows(oa.contributions)
    assert flows.channels == ("citation",)
    # W2 (JP 1/2, HK 1/4, CN 1/4) cites W4 (US 1) and W1 (US 1/3, HK 1/3, CN 1/3):
    # JP -> US = 1/2 * 1 + 1/2 * 1/3
    assert flows.matrix("presence")[flows.regions.index("JP"), flows.regions.index("US")] \
        == pytest.approx(0.5 + 1 / 6)
    assert flows.info["outside_corpus"] == 1


def test_openalex_mobility(oa):
    moves = oa.moves
    assert moves[["person", "origin", "destination", "year"]].values.tolist() == \
        [["A9000000001", "US", "HK", 2022]]
    # A2: HK 2019, HK+CN 2020 -> a simultaneous affiliation, no move
    assert "A9000000002" not in set(moves["person"])
    df = oa.contributions.to_pandas()
    talent = df[df.channel == "talent"]
    assert set(talent.record) == {"move:A9000000001:2022", "coaffil:A9000000002:2020"}
    co = talent[talent.record == "coaffil:A9000000002:2020"]
    assert set(co.region) == {"HK", "CN"} and not co.lead.any()
    flows = eco.region_flows(oa.contributions, channel="talent")
    assert flows.matrix("presence", channel="talent")[
        flows.regions.index("US"), flows.regions.index("HK")] == 1.0


def test_openalex_mobility_from_works(formats):
    res = read_openalex(formats / "openalex_works_sample.jsonl", mobility="works")
    # A1: US 2018, HK 2019? no: A1 is US in 2018 (W4) and 2019 (W1), HK in 2022 (W5)
    assert res.moves[["person", "origin", "destination", "year"]].values.tolist() == \
        [["A9000000001", "US", "HK", 2022]]


def test_openalex_units_abroad(oa):
    df = oa.contributions.to_pandas()
    unit = df[df.record == "unit:I9000000005"]
    assert unit[unit.lead].region.tolist() == ["HK"]       # parent HKUST
    assert unit[~unit.lead].region.tolist() == ["CN"]      # the Shenzhen institute
    assert set(unit.role) == {"origin", "destination"}
    # Stanford Medicine (child of Stanford, same country): no record
    assert "unit:I9000000002" not in set(df.record)


def test_openalex_city_join_metro(formats):
    m = rg.metro_areas()
    res = read_openalex(formats / "openalex_works_sample.jsonl",
                        formats / "openalex_institutions_sample.jsonl", regions=m)
    df = res.contributions.to_pandas()
    w4 = df[df.record == "W9000000004"]
    assert set(w4.region) == {"SFBA", "NYC"}               # Palo Alto + New York
    assert set(df[df.record == "W9000000005"].region) == {"GBA"}   # HK + Shenzhen company
    assert set(df[df.record == "W9000000002"].region) == {"GBA", "GTKY"}
    assert res.report.unmatched.n_unmatched == 0
    flows = eco.region_flows(res.contributions, channel="academic")
    assert flows.matrix("presence", channel="academic")[
        flows.regions.index("SFBA"), flows.regions.index("NYC")] == 1.0
    # without the institutions file there is no city: the US authors go to US-rest
    bare = read_openalex(formats / "openalex_works_sample.jsonl", regions=m)
    assert set(bare.contributions.to_pandas().query("record == 'W9000000004'").region) == \
        {"US-rest"}


def test_openalex_channels_from_org_type(formats):
    res = read_openalex(formats / "openalex_works_sample.jsonl",
                        org_channels={"education": "enterprise"})
    assert set(res.contributions.channels) == {"enterprise", "academic"}
    df = res.contributions.to_pandas()
    assert set(df[df.record == "W9000000001"].channel) == {"enterprise"}   # HKUST lead
    assert set(df[df.record == "W9000000004"].channel) == {"academic"}     # healthcare lead
    fixed = read_openalex(formats / "openalex_works_sample.jsonl", channel="academic")
    assert fixed.contributions.channels == ("academic",)


def test_openalex_rollup(formats):
    res = read_openalex(formats / "openalex_works_sample.jsonl",
                        formats / "openalex_institutions_sample.jsonl", rollup=True)
    df = res.contributions.to_pandas()
    assert set(df[df.record == "W9000000004"].org) == {"I9000000001", "I9000000003"}


def test_openalex_api_page_equals_snapshot(formats):
    page = read_openalex(formats / "openalex_api_page_sample.json")
    snap = read_openalex(formats / "openalex_works_sample.jsonl")
    sp, ss = shares(page, "W"), shares(snap, "W")
    assert set(sp) == {"W9000000001", "W9000000002"}
    assert all(sp[k] == ss[k] for k in sp)
    # the same page, already loaded in Python (as pyalex/requests return it)
    obj = json.loads((formats / "openalex_api_page_sample.json").read_text())
    assert shares(read_openalex(obj), "W") == sp


def test_openalex_gz_folder_manifest(formats, tmp_path):
    lines = (formats / "openalex_works_sample.jsonl").read_bytes().splitlines(keepends=True)
    base = tmp_path / "data" / "works"
    urls = []
    for i, chunk in enumerate((lines[:2], lines[2:])):
        d = base / f"updated_date=2024-01-0{i + 1}"
        d.mkdir(parents=True)
        with gzip.open(d / "part_000.gz", "wb") as fh:
            fh.write(b"".join(chunk))
        urls.append(f"s3://openalex/data/works/updated_date=2024-01-0{i + 1}/part_000.gz")
    (base / "manifest").write_text(json.dumps({"entries": [{"url": u} for u in urls]}))
    ref = shares(read_openalex(formats / "openalex_works_sample.jsonl"))
    assert shares(read_openalex(base)) == ref                    # folder of partitions
    assert shares(read_openalex(base / "manifest")) == ref       # manifest
    assert shares(read_openalex(sorted(base.rglob("*.gz")))) == ref   # list of files


def test_openalex_merged_ids(formats, tmp_path):
    merged = tmp_path / "2024-01-01.csv.gz"
    with gzip.open(merged, "wt") as fh:
        fh.write("merge_date,id,merge_into_id\n2024-01-01,W9000000004,W9000000003\n")
    res = read_openalex(formats / "openalex_works_sample.jsonl", merged_ids=merged)
    assert res.report.skipped["merged id"] == 1
    assert "W9000000004" not in res.contributions.labels["record"]
    cited = set(res.citations.to_pandas().cited)
    assert "W9000000004" not in cited and "W9000000003" in cited   # renamed


def test_openalex_hyper_authored(formats):
    res = read_openalex(formats / "openalex_works_sample.jsonl", max_authors=2)
    assert res.report.skipped["hyper-authored"] == 1               # W1 has 3 authors
    assert "W9000000001" not in res.contributions.labels["record"]


def test_openalex_fallback_decoder_same_result(formats, monkeypatch):
    from ecosystem.readers import _json

    ref = read_openalex(formats / "openalex_works_sample.jsonl",
                        formats / "openalex_institutions_sample.jsonl",
                        formats / "openalex_authors_sample.jsonl")
    real = _json.decoders
    monkeypatch.setattr(_json, "decoders", lambda kind, use_msgspec=None: real(kind, False))
    alt = read_openalex(formats / "openalex_works_sample.jsonl",
                        formats / "openalex_institutions_sample.jsonl",
                        formats / "openalex_authors_sample.jsonl")
    pd.testing.assert_frame_equal(ref.contributions.to_pandas(), alt.contributions.to_pandas())
    pd.testing.assert_frame_equal(ref.citations.to_pandas(), alt.citations.to_pandas())


def test_openalex_progress_callback(formats):
    calls = []
    read_openalex(formats / "openalex_works_sample.jsonl", progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1] > 0


def test_openalex_matches_from_arrays(oa):
    """The fast assembly gives exactly what Contributions.from_arrays gives."""
    df = oa.contributions.to_pandas()
    ref = eco.Contributions.from_arrays(
        df.record.to_numpy(), df.actor.to_numpy(), df.region.to_numpy(), org=df.org.to_numpy(),
        role=df.role.to_numpy(), channel=df.channel.to_numpy(), year=df.year.to_numpy(),
        lead=df.lead.to_numpy(), weight=df.weight.to_numpy(), regions=rg.countries())
    for name in ("record", "actor", "org", "region", "role", "channel", "year", "lead", "weight"):
        np.testing.assert_array_equal(getattr(ref, name), getattr(oa.contributions, name))
    assert ref.labels == oa.contributions.labels


# --------------------------------------------------------------------------- PatentsView


@pytest.fixture(scope="module")
def pv(formats):
    return read_patentsview(formats / "patentsview_sample")


def _by_role(result, record, role):
    df = result.contributions.to_pandas()
    return sorted(df[(df.record == record) & (df.role == role)].region)


def test_patentsview_inventor_and_assignee_countries(pv):
    expect = {"99000001": (["CN", "HK"], ["CN"]), "99000002": (["JP", "JP"], ["US"]),
              "99000003": (["US", "US"], ["HK", "US"]), "99000004": (["CN"], ["MO"]),
              "99000005": (["US", "US"], ["US"]), "99000006": (["JP"], [])}
    for pat, (inv, asg) in expect.items():
        assert _by_role(pv, pat, "inventor") == inv, pat
        assert _by_role(pv, pat, "applicant") == asg, pat
    assert "PatentsView" in pv.report.licence and "attribution" in pv.report.licence


def test_patentsview_traps(pv):
    s = shares(pv)
    df = pv.contributions.to_pandas()
    # inventor with no location: dropped, half of 99000004 unknown
    inv4 = df[(df.record == "99000004") & (df.role == "inventor")]
    assert inv4.weight.sum() == pytest.approx(0.5)
    assert pv.report.dropped["no country"] == 1
    # co-assigned 99000003: ownership split 1/2 US, 1/2 HK
    own = df[(df.record == "99000003") & (df.role == "applicant")]
    assert dict(zip(own.region, own.weight)) == {"US": 0.5, "HK": 0.5}
    # no assignee: no lead -> undirected co-invention
    assert not df[df.record == "99000006"].lead.any()
    assert pv.report.notes["patents without assignee (inventor-owned)"] == 1
    assert s["99000002"] == {"US": 1.0, "JP": 1.0}   # owner side + inventor side, each 1


def test_patentsview_ownership_flows(pv):
    f = eco.region_flows(pv.contributions, counting="fractional")
    P = f.matrix("presence", channel="enterprise")
    i = f.regions.index
    assert P[i("US"), i("JP")] == pytest.approx(1.0)     # US owns a JP invention
    assert P[i("MO"), i("CN")] == pytest.approx(1.0)     # MO owner, CN inventor
    assert P[i("HK"), i("US")] == pytest.approx(0.5)     # HK co-ownership of a US invention
    assert P[i("CN"), i("HK")] == pytest.approx(0.5)     # CN firm uses an HK inventor


def test_patentsview_years_moves_citations(pv, formats):
    df = pv.contributions.to_pandas()
    assert df.groupby("record").year.first().to_dict() == {
        "99000001": 2020, "99000002": 2021, "99000003": 2021, "99000004": 2022,
        "99000005": 2022, "99000006": 2019}
    assert pv.moves[["person", "origin", "destination", "year"]].values.tolist() == \
        [["inv-synth-001", "CN", "US", 2022]]
    c = pv.citations.to_pandas()
    assert c[["citing", "cited", "category"]].values.tolist() == [
        ["99000003", "99000001", "cited by applicant"],
        ["99000003", "99000002", "cited by examiner"],
        ["99000005", "99000001", "cited by examiner"],
        ["99000005", "99000099", "cited by applicant"],
        ["99000004", "99000006", "cited by other"]]
    assert c.in_corpus.tolist() == [True, True, True, False, True]
    assert c.cited_year.tolist()[3] == 2015                        # from citation_date
    filing = read_patentsview(formats / "patentsview_sample", year="filing")
    assert filing.contributions.to_pandas().groupby("record").year.first()["99000006"] == 2017


def test_patentsview_metro(formats):
    res = read_patentsview(formats / "patentsview_sample", regions=rg.metro_areas())
    assert _by_role(res, "99000003", "inventor") == ["NYC", "SFBA"]
    assert _by_role(res, "99000002", "applicant") == ["SFBA"]     # San Jose, county FIPS
    assert _by_role(res, "99000001", "inventor") == ["GBA", "GBA"]


def test_patentsview_old_location_layout(formats, tmp_path):
    src = formats / "patentsview_sample"
    for f in src.iterdir():
        shutil.copy(f, tmp_path / f.name)
    inv = pd.read_csv(src / "g_inventor_disambiguated.tsv", sep="\t", dtype=str,
                      keep_default_na=False)
    old = inv.drop(columns=["location_id", "gender_code"]).assign(male_flag="1",
                                                                  attribution_status="1")
    old.to_csv(tmp_path / "g_inventor_disambiguated.tsv", sep="\t", index=False)
    nd = inv[["patent_id", "inventor_sequence"]].assign(
        rawlocation_id=[f"raw{i}" for i in range(len(inv))])
    nd.to_csv(tmp_path / "g_inventor_not_disambiguated.tsv", sep="\t", index=False)
    pd.DataFrame({"rawlocation_id": nd.rawlocation_id, "location_id": inv.location_id}).to_csv(
        tmp_path / "g_location_not_disambiguated.tsv", sep="\t", index=False)
    res = read_patentsview(tmp_path)
    ref = read_patentsview(src)
    pd.testing.assert_frame_equal(res.contributions.to_pandas(), ref.contributions.to_pandas())


# --------------------------------------------------------------------------- REGPAT


def test_regpat_shares(formats):
    res = read_regpat(formats / "regpat_sample")
    df = res.contributions.to_pandas()
    inv = df[df.role == "inventor"].groupby(["record", "region"]).weight.sum().round(4)
    app = df[df.role == "applicant"].groupby(["record", "region"]).weight.sum().round(4)
    assert inv.to_dict() == {("900001", "CN"): 0.5, ("900001", "HK"): 0.5,
                             ("900002", "JP"): 1.0, ("900003", "CH"): 0.3333,
                             ("900003", "DE"): 0.3333, ("900003", "FR"): 0.3333,
                             ("900004", "MO"): 1.0}
    assert app.to_dict() == {("900001", "CN"): 1.0, ("900002", "US"): 1.0,
                             ("900003", "CH"): 0.5, ("900003", "DE"): 0.5,
                             ("900004", "MO"): 1.0}
    assert df.groupby("record").year.first()["900004"] == 2020       # prio_year
    c = res.citations.to_pandas()
    assert c[c.in_corpus][["citing", "cited"]].values.tolist() == [["900003", "900001"],
                                                                   ["900004", "900002"]]
    assert (~c.in_corpus).sum() == 1


def test_regpat_region_codes(formats):
    res = read_regpat(formats / "regpat_sample", regions="reg_code")
    df = res.contributions.to_pandas()
    ch = df[(df.record == "900003") & (df.actor == "7000007")]
    assert dict(zip(ch.region, ch.weight.round(4))) == {"CHX01": 0.1667, "CHX02": 0.1667}
    assert df[df.record == "900004"].region.tolist() == ["MO", "MO"]   # no reg_code
    assert res.contributions.region_map.country("CHX02") == "CH"


def test_regpat_header_case(formats, tmp_path):
    for f in (formats / "regpat_sample").iterdir():
        text = f.read_text()
        head, rest = text.split("\n", 1)
        parts = [h[:1].upper() + h[1:] for h in head.split("|")]      # 2016-2018 style
        (tmp_path / f.name.replace("SAMPLE", "201803")).write_text("|".join(parts) + "\n" + rest)
    a = read_regpat(tmp_path).contributions.to_pandas()
    b = read_regpat(formats / "regpat_sample").contributions.to_pandas()
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------- WoS / Scopus


def _check_record1(res, rid, ids):
    ac = actor_countries(res, rid)
    assert ac[ids["chen"]] == {"HK", "CN"}
    assert ac[ids["rivera"]] == {"HK", "US"}
    assert ac[ids["zhang"]] == {"CN"}
    assert ac[ids["tanaka"]] == {"JP"}
    assert lead_regions(res, rid) == {"HK"}


@pytest.mark.parametrize("name", ["wos_sample.txt", "wos_sample_tab.txt"])
def test_wos(formats, name):
    res = read_wos(formats / name)
    _check_record1(res, "WOS:000999000000001", {"chen": "Chen, Li", "rivera": "Rivera, Alice M.",
                                                "zhang": "Zhang, Wei",
                                                "tanaka": "Tanaka, Hiroshi"})
    # record 2 (2006): addresses without author links; reprint author US
    df = res.contributions.to_pandas()
    r2 = df[df.record == "WOS:000999000000002"]
    assert sorted(r2.region) == ["HK", "US"] and set(r2.role) == {"address"}
    assert lead_regions(res, "WOS:000999000000002") == {"US"}
    # record 3: Macau, England, Beth Israel (not Israel), author without address
    ac = actor_countries(res, "WOS:000999000000003")
    assert ac == {"Sousa, Ana": {"MO", "US"}, "Smith, John A.": {"GB", "US"}}
    assert "IL" not in set(df.region)
    assert lead_regions(res, "WOS:000999000000003") == {"MO", "GB"}   # two corresponding
    assert res.report.notes["group authors (CA) not counted as contributors"] == 1
    assert df.groupby("record").year.first().to_dict() == {
        "WOS:000999000000001": 2021, "WOS:000999000000002": 2006, "WOS:000999000000003": 2022}
    c = res.citations.to_pandas()
    assert c[["citing", "cited", "in_corpus"]].values.tolist() == [
        ["WOS:000999000000001", "doi:10.99999/synthetic.w9000000004", False],
        ["WOS:000999000000003", "WOS:000999000000001", True]]


def test_wos_plain_equals_tab(formats):
    a = read_wos(formats / "wos_sample.txt").contributions.to_pandas()
    b = read_wos(formats / "wos_sample_tab.txt").contributions.to_pandas()
    pd.testing.assert_frame_equal(a, b)


def test_wos_cities(formats):
    from ecosystem.readers._places import parse_address

    c1 = ["Hong Kong Univ Sci & Technol, Dept Econ, Hong Kong, Peoples R China.",
          "HKUST Shenzhen Res Inst, Shenzhen 518057, Peoples R China.",
          "Stanford Univ, Dept Econ, Stanford, CA 94305 USA.",
          "Sun Yat Sen Univ, Lingnan Coll, Guangzhou 510275, Peoples R China.",
          "Univ Tokyo, Grad Sch Econ, Tokyo 1130033, Japan.",
          "Chinese Univ Hong Kong, Dept Finance, Shatin, Hong Kong.",
          "Univ Oxford, Dept Econ, Oxford OX1 3UQ, England."]
    got = [parse_address(a)[:3] for a in c1]
    assert got == [("HK", None, "Hong Kong"), ("CN", None, "Shenzhen"), ("US", "CA", "Stanford"),
                   ("CN", None, "Guangzhou"), ("JP", None, "Tokyo"), ("HK", None, "Shatin"),
                   ("GB", None, "Oxford")]
    for trap in ("Georgia Inst Technol, Atlanta, GA 30332 USA.",
                 "Univ New Mexico, Albuquerque, NM 87131 USA."):
        assert parse_address(trap)[0] == "US"
    assert parse_address("Univ Sydney, Sydney, NSW 2006, Australia.")[0] == "AU"
    assert parse_address("Univ Niamey, Niamey, Niger.")[0] == "NE"
    assert parse_address("Univ Lagos, Lagos, Nigeria.")[0] == "NG"


def test_scopus(formats):
    res = read_scopus(formats / "scopus_sample.csv")
    _check_record1(res, "2-s2.0-99900000001", {"chen": "59000000001", "rivera": "59000000002",
                                               "zhang": "59000000003", "tanaka": "59000000004"})
    assert actor_countries(res, "2-s2.0-99900000002") == {"59000000004": {"JP", "US"},
                                                          "59000000007": {"US"}}
    ac = actor_countries(res, "2-s2.0-99900000003")
    assert ac == {"59000000008": {"MO", "US"}, "59000000009": {"GB", "US"}}   # Lee: none
    assert res.report.dropped["no country"] == 1
    assert "IL" not in set(res.contributions.to_pandas().region)


def test_scopus_legacy(formats):
    res = read_scopus(formats / "scopus_sample_legacy.csv")
    assert actor_countries(res, "2-s2.0-99900000004") == {"59000000011": {"US"},
                                                          "59000000012": {"HK"}}
    assert res.report.notes["layout of scopus_sample_legacy.csv"] == "legacy"


# --------------------------------------------------------------------------- records, mobility


def test_read_records_region_column(tmp_path):
    p = tmp_path / "r.tsv"
    p.write_text("rec\tperson\tregion\tlead\tweight\np1\ta\tSFBA\t1\t0.5\np1\tb\tGBA\t0\t0.5\n")
    res = read_records(p, {"record": "rec", "actor": "person"}, regions=rg.metro_areas())
    f = eco.region_flows(res.contributions)
    assert f.matrix("presence")[f.regions.index("SFBA"), f.regions.index("GBA")] == 1.0


def test_moves_from_spells_rules():
    # disjoint consecutive sets -> one move split over the pairs; overlap -> no move
    m = moves_from_spells([1, 1, 1, 2, 2, 2], [2000, 2001, 2001, 2000, 2002, 2002],
                          [0, 1, 2, 0, 0, 3])
    assert m.n_moves == 1
    assert sorted(zip(m.origin.tolist(), m.destination.tolist(), m.weight.tolist())) == \
        [(0, 1, 0.5), (0, 2, 0.5)]
    assert m.co_person.tolist() == [1, 1, 2, 2]


def test_report_str_and_dict(oa):
    text = str(oa.report)
    assert "5 records read" in text and "licence" in text
    d = oa.report.to_dict()
    json.dumps(d)
    assert d["records_read"] == 5


MODULES = ["ecosystem.readers._common", "ecosystem.readers._io", "ecosystem.readers._report",
           "ecosystem.readers.mobility", "ecosystem.readers.openalex",
           "ecosystem.readers.patentsview", "ecosystem.readers.regpat", "ecosystem.readers.wos",
           "ecosystem.readers.scopus", "ecosystem.readers.records", "ecosystem.readers._places"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0



@given(nums=st.lists(st.integers(min_value=0, max_value=10**17), unique=True, max_size=60),
       words=st.lists(st.text(alphabet="Wabc:019", min_size=1, max_size=6), unique=True,
                      max_size=10))
def test_label_encoding_sorts_like_strings(nums, words):
    """The numeric label sort equals sorted() on the strings, codes included."""
    from ecosystem.readers.openalex import _encode

    vocab, (a, b) = _encode([("W", np.asarray(nums, dtype=np.int64)), words])
    labels = [f"W{n}" for n in nums] + list(words)
    assert list(vocab) == sorted(set(labels))
    assert [vocab[i] for i in a] == [f"W{n}" for n in nums]
    assert [vocab[i] for i in b] == list(words)


def test_citations_runs_and_prefixed_ids():
    from ecosystem.readers import PrefixedIds

    labels = PrefixedIds("W", [3, 10, 7])
    a = Citations(([0, 2], [2, 1]), [1, 2, 0], labels, [2001, 2002, -1], [True, True, False])
    b = Citations([0, 0, 2], [1, 2, 0], labels, [2001, 2002, -1], [True, True, False])
    pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas())
    assert a.to_pandas()[["citing", "cited"]].values.tolist() == [["W3", "W10"], ["W3", "W7"],
                                                                 ["W7", "W3"]]
    assert a.in_corpus.tolist() == [True, False, True]
    assert a.cited_year.tolist() == [2002, -1, 2001]
    with pytest.raises(ValueError):
        Citations(([0], [5]), [1, 2], labels, [1, 1, 1], [True] * 3)


def test_openalex_progress_bar(formats, capsys):
    pytest.importorskip("tqdm")
    read_openalex(formats / "openalex_works_sample.jsonl", progress=True)
    assert "OpenAlex works" in capsys.readouterr().err


def test_read_result_feeds_the_analysis_functions(tmp_path):
    import ecosystem as eco

    line = ('{"id": "https://openalex.org/W1", "publication_year": 2019, "authorships": ['
            '{"author": {"id": "https://openalex.org/A1"}, "author_position": "first", '
            '"is_corresponding": true, "countries": ["JP"], "institutions": []}, '
            '{"author": {"id": "https://openalex.org/A2"}, "author_position": "last", '
            '"countries": ["US"], "institutions": []}]}\n')
    path = tmp_path / "works.jsonl"
    path.write_text(line)
    res = eco.read_openalex(path)
    flows = eco.region_flows(res)
    assert flows.matrix("presence", channel=flows.channels[0]).sum() == 1
    assert eco.coauthorship_graph(res).n_edges == 1
    with pytest.raises(eco.InputTypeError, match="Contributions object \\(or a reader's ReadResult\\)"):
        eco.region_flows(object())


def test_read_report_add_sums_the_parts():
    """One merge of parts' reports (files, counts, examples, notes, region-map reports),
    used by the OpenAlex parts and the Dask partitions."""
    from ecosystem.readers._report import MAX_EXAMPLES

    rmap = rg.countries()
    _, u1 = rmap.resolve(country=["DE", "XX", None])
    _, u2 = rmap.resolve(country=["YY", "FR"])
    a, b = ReadReport("S", licence="L"), ReadReport("S", licence="L")
    a.files[:] = ["p1", "inst"]
    b.files[:] = ["p2", "inst"]
    a.records_read, a.records_used, b.records_read, b.records_used = 10, 7, 5, 2
    a.skip("malformed", 3)
    b.skip("malformed", 1)
    b.skip("no country", 2)
    a.drop("no actor id", 2)
    a.unknown_share, b.unknown_share = 0.5, 0.25
    a.malformed[:] = [("p1", i, "id", "bad") for i in range(15)]
    b.malformed[:] = [("p2", i, "id", "bad") for i in range(10)]
    a.notes.update({"citations": 3, "institutions read": 100, "flag": "x"})
    b.notes.update({"citations": 4, "institutions read": 100, "flag": "y", "truncated": True})
    a.unmatched, b.unmatched = u1, u2
    total = ReadReport("S").add(a).add(b, shared_notes={"institutions read"})
    assert total.files == ["p1", "inst", "p2"]
    assert (total.records_read, total.records_used) == (15, 9)
    assert total.records_read == total.records_used + total.records_skipped
    assert total.skipped == {"malformed": 4, "no country": 2}
    assert total.dropped == {"no actor id": 2} and total.unknown_share == 0.75
    assert len(total.malformed) == MAX_EXAMPLES and total.malformed[15] == ("p2", 0, "id", "bad")
    assert total.notes == {"citations": 7, "institutions read": 100, "flag": "x",
                           "truncated": True}
    u = total.unmatched
    assert (u.n_input, u.n_matched, u.n_unmatched) == (u1.n_input + u2.n_input,
                                                       u1.n_matched + u2.n_matched,
                                                       u1.n_unmatched + u2.n_unmatched)
    assert u.by_reason["unknown country code"] == 2 and u.by_reason["missing country"] == 1
    assert [e.country for e in u.examples["unknown country code"]] == ["XX", "YY"]
    assert a.records_read == 10 and a.files == ["p1", "inst"]   # the parts are unchanged
