"""One-row-per-paper tables (read_bibliometrix) and the OpenAlex web-interface CSV export."""

import numpy as np
import pandas as pd
import pytest

import ecosystem as eco
from ecosystem.readers import read_bibliometrix


def _frame():
    return pd.DataFrame({
        "UT": ["WOS:1", "WOS:2", "WOS:3"],
        "AU": ["LI X;SMITH J;CHAN K", "WANG Y", "A;B;C"],
        "AU_CO": ["PEOPLES R CHINA;ENGLAND;HONG KONG", "USA", "USA;JAPAN"],
        "PY": [2020, 2021, 2022]})


def test_review_d9_d10_bibliometrix_csv_is_read(tmp_path):
    """The review's example: read_records used 0 of 2 records and classify crashed."""
    path = tmp_path / "M.csv"
    _frame().to_csv(path)  # with R-style row names as write.csv writes them
    res = read_bibliometrix(path)
    t = res.contributions.to_pandas()
    got = sorted(zip(t.record, t.actor, t.region, t.lead))
    assert ("WOS:1", "LI X", "CN", True) in got and ("WOS:1", "SMITH J", "GB", False) in got
    assert ("WOS:1", "CHAN K", "HK", False) in got and ("WOS:2", "WANG Y", "US", True) in got
    # 3 authors, 2 countries: one contribution per country, counted in the report
    assert sorted(t[t.record == "WOS:3"].region) == ["JP", "US"]
    assert res.report.notes["documents with countries not aligned to authors"] == 1
    assert res.report.records_read == 3 and res.report.records_used == 3
    flows = eco.region_flows(res.contributions, counting="fractional")
    assert flows.matrix("presence")[flows.regions.index("CN"), flows.regions.index("GB")] == 0.5


def test_unknown_country_names_are_located_or_counted():
    m = _frame()
    m.loc[1, "AU_CO"] = "ATLANTIS"
    with pytest.raises(eco.DataFormatError, match="unknown country name 'ATLANTIS'") as err:
        read_bibliometrix(m)
    assert err.value.line == 3
    res = read_bibliometrix(m, errors="skip")
    assert res.report.dropped == {"unknown country name": 1}
    assert res.report.records_used == 2


def test_columns_separator_and_addresses():
    m = pd.DataFrame({"DI": ["10.1/a"], "Authors": ["X|Y"],
                      "C1": ["Univ Oxford, Oxford, England|Stanford Univ, Stanford, CA 94305 USA"]})
    res = read_bibliometrix(m, {"actor": "Authors"}, sep="|")
    t = res.contributions.to_pandas()
    assert sorted(zip(t.actor, t.region)) == [("X", "GB"), ("Y", "US")]
    with pytest.raises(eco.DataFormatError, match="missing column 'AU'"):
        read_bibliometrix(m)


OA_CSV = '''id,display_name,publication_year,type,authorships.author.id,authorships.author_position,authorships.is_corresponding,authorships.institutions,authorships.countries
https://openalex.org/W1,"A, paper",2020,article,https://openalex.org/A1|https://openalex.org/A2|https://openalex.org/A3,first|middle|last,True|False|False,"https://openalex.org/I1, ""Uni One"", https://ror.org/1, US, education, []|https://openalex.org/I2, ""Uni Two"", https://ror.org/2, HK, education, []|https://openalex.org/I3, ""Lab"", https://ror.org/3, CN, education, []; https://openalex.org/I4, ""Uni Four"", https://ror.org/4, JP, education, []",US|HK|CN;JP
https://openalex.org/W2,B,2021,article,https://openalex.org/A1|https://openalex.org/A4,first|last,False|True,,GB|US
https://openalex.org/W3,C,2021,article,https://openalex.org/A1|https://openalex.org/A4,first|last,False|True,,GB
'''


def _oa_work(wid, year, parts):
    return {"id": f"https://openalex.org/{wid}", "publication_year": year, "authorships": [
        {"author": {"id": f"https://openalex.org/{a}"}, "is_corresponding": corr,
         "institutions": [{"id": f"https://openalex.org/{i}", "country_code": c}
                          for i, c in insts], "countries": [c for _, c in insts]}
        for a, corr, insts in parts]}


def test_read_openalex_web_csv_export(tmp_path):
    """Review D19: the web interface's CSV export was read as 'malformed JSON'."""
    path = tmp_path / "works-export.csv"
    path.write_text(OA_CSV, encoding="utf-8")
    with pytest.raises(eco.DataFormatError, match=r"works-export.csv:4.*1 '\|' entries for 2"):
        eco.read_openalex(path)
    res = eco.read_openalex(path, errors="skip")
    assert res.report.records_read == 3 and res.report.records_used == 2
    assert res.report.skipped == {"malformed": 1}
    same = eco.read_openalex([
        _oa_work("W1", 2020, [("A1", True, [("I1", "US")]), ("A2", False, [("I2", "HK")]),
                              ("A3", False, [("I3", "CN"), ("I4", "JP")])]),
        {"id": "https://openalex.org/W2", "publication_year": 2021, "authorships": [
            {"author": {"id": "https://openalex.org/A1"}, "is_corresponding": False,
             "institutions": [], "countries": ["GB"]},
            {"author": {"id": "https://openalex.org/A4"}, "is_corresponding": True,
             "institutions": [], "countries": ["US"]}]}])
    cols = ["record", "actor", "region", "lead", "weight", "year"]
    a = res.contributions.to_pandas()[cols].sort_values(cols[:3]).reset_index(drop=True)
    b = same.contributions.to_pandas()[cols].sort_values(cols[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_read_openalex_accepts_generators():
    """Review D19: pyalex's paginate() yields lists of works; a generator was refused."""
    pages = [[_oa_work("W1", 2020, [("A1", True, [("I1", "US")]), ("A2", False, [("I2", "JP")])])],
             [_oa_work("W2", 2021, [("A3", True, [("I3", "FR")])])]]
    res = eco.read_openalex(page for page in pages)
    assert res.report.records_read == 2 and len(res.contributions) == 3
    res = eco.read_openalex(iter([pages[0][0], pages[1][0]]))
    assert res.report.records_used == 2


def test_review_d10_read_records_points_to_read_bibliometrix():
    """read_records that uses no record says why and names the reader for such tables."""
    cols = {"record": "UT", "actor": "AU", "country": "AU_CO", "year": "PY"}
    joined = pd.DataFrame({"UT": ["a", "b"], "AU": ["x;y", "z"],
                           "AU_CO": ["USA;HONG KONG", "JAPAN;CHINA"], "PY": [2020, 2021]})
    with pytest.raises(eco.DataFormatError, match="'USA;HONG KONG'.*read_bibliometrix"):
        eco.read_records(joined, columns=cols)
    names = pd.DataFrame({"UT": ["a", "b"], "AU": ["x", "z"], "AU_CO": ["CHINA", "JAPAN"],
                          "PY": [2020, 2021]})
    with pytest.raises(eco.DataFormatError, match="'CHINA'.*read_bibliometrix matches country"):
        eco.read_records(names, columns=cols)
    assert len(read_bibliometrix(joined.rename(columns={})).contributions) == 4


def test_unparseable_bibliometrix_csv_is_a_located_error(tmp_path):
    """Readers review: an unclosed quote raised pandas' ParserError from read_bibliometrix."""
    path = tmp_path / "M.csv"
    path.write_bytes(b'UT,AU,AU_CO,PY\nW1,A,CHINA,2020\nW2,"C\xff,JAPAN,2021\n')
    with pytest.raises(eco.DataFormatError) as err:
        read_bibliometrix(path)
    assert "M.csv" in str(err.value) and err.value.line == 3


def test_bibliometrix_keeps_good_rows_around_damage(tmp_path):
    """Issue 19: one bad row cost the whole file; now it costs its row, counted and located."""
    path = tmp_path / "M.csv"
    path.write_bytes(b'"","UT","AU","AU_CO","PY"\n'
                     b'"1","W1","A;B","PEOPLES R CHINA;HONG KONG",2020\n'
                     b'"2","W2","C\xff","JAPAN",2021\n'          # not UTF-8
                     b'"3","W3","D","USA"\n'                      # a field short
                     b'"4","W4","E;F","ENGLAND;\nUSA",2022\n'     # a quoted line break
                     b'"5","W5","G","ATLANTIS",2023\n'
                     b'"6","W6","H","USA",20x1\n')
    res = read_bibliometrix(path, errors="skip")
    t = res.contributions.to_pandas()
    assert sorted(set(t.record)) == ["W1", "W4"] and sorted(t[t.record == "W4"].region) == \
        ["GB", "US"]
    r = res.report
    assert r.skipped == {"malformed": 3, "no country": 1}
    assert (r.records_read, r.records_used) == (6, 2)
    # physical lines: W2, W3, W6 (after the quoted line break), then W5's unknown name
    assert [m[1] for m in r.malformed] == [3, 4, 8, 7]
    assert r.dropped == {"unknown country name": 1}
    with pytest.raises(eco.DataFormatError) as err:
        read_bibliometrix(path)
    assert err.value.line == 3


def test_openalex_web_csv_year_out_of_range_is_located(tmp_path, formats):
    """Fuzz finding: a year of 1e20 in the CSV export escaped as InputTypeError (int64)."""
    src = (formats / "openalex_web_export_sample.csv").read_text()
    path = tmp_path / "works.csv"
    path.write_text(src.replace(",2021,article", ",1e20,article", 1))
    with pytest.raises(eco.DataFormatError) as err:
        eco.read_openalex(path)
    assert err.value.line == 3 and err.value.field == "publication_year"
    res = eco.read_openalex(path, errors="skip")
    assert res.report.skipped == {"malformed": 1} and res.report.records_used == 3


def test_sample_one_row_per_paper_files_are_read(formats):
    """The synthetic samples the fuzzer mutates: read as their ground truth says."""
    t = read_bibliometrix(formats / "bibliometrix_sample.csv").contributions.to_pandas()
    assert sorted(set(t.region)) == ["CN", "GB", "HK", "JP", "MO", "SG", "US"]
    assert t[t.record == "WOS:000000000000002"].year.tolist() == [2021]   # after a line break
    oa = eco.read_openalex(formats / "openalex_web_export_sample.csv").contributions
    w = oa.to_pandas().groupby("record").weight.sum()
    assert len(w) == 4 and np.allclose(w, 1.0)


def test_openalex_web_csv_keeps_good_rows_around_damage(tmp_path, formats):
    """One bad byte or short row cost the whole export; now only its row (issue 19)."""
    lines = (formats / "openalex_web_export_sample.csv").read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"B,2021", b"B\xff,2021")    # W2: not UTF-8
    lines[3] = lines[3].rsplit(b",", 1)[0]                    # W3: a field short
    path = tmp_path / "works.csv"
    path.write_bytes(b"\n".join(lines))
    res = eco.read_openalex(path, errors="skip")
    r = res.report
    assert r.skipped == {"malformed": 2} and (r.records_read, r.records_used) == (4, 2)
    assert [m[1] for m in r.malformed] == [3, 4]
    assert sorted(set(res.contributions.to_pandas().record)) == ["W1", "W4"]
    with pytest.raises(eco.DataFormatError) as err:
        eco.read_openalex(path)
    assert err.value.line == 3
