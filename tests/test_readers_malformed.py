"""Malformed input: every reader gives a located error (raise) or counts and goes on (skip)."""

import gzip
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecosystem import DataFormatError, InputTypeError, ParameterError
from ecosystem.readers import (
    read_openalex,
    read_patentsview,
    read_records,
    read_regpat,
    read_scopus,
    read_wos,
)

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


@pytest.fixture()
def works_lines(formats):
    return (formats / "openalex_works_sample.jsonl").read_bytes().splitlines()


def _write(path, lines, gz=False, crlf=False, bom=False):
    data = (b"\r\n" if crlf else b"\n").join(lines) + b"\n"
    if bom:
        data = b"\xef\xbb\xbf" + data
    if gz:
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)
    return path


def _shares(res):
    df = res.contributions.to_pandas()
    return df.groupby(["record", "region"]).weight.sum().round(9).to_dict()


# --------------------------------------------------------------------------- OpenAlex


def test_broken_json_line(works_lines, tmp_path):
    lines = list(works_lines)
    lines[2] = lines[2][:100]                      # line 3 cut in the middle
    p = _write(tmp_path / "w.jsonl", lines)
    with pytest.raises(DataFormatError) as exc:
        read_openalex(p)
    assert exc.value.line == 3 and exc.value.path == str(p)
    assert f"{p}:3:" in str(exc.value)
    res = read_openalex(p, errors="skip")
    assert res.report.skipped["malformed"] == 1
    assert res.report.records_read == 4
    assert res.report.malformed[0][:2] == (str(p), 3)
    assert "W9000000003" not in res.contributions.labels["record"]


def test_wrong_type_names_field(works_lines, tmp_path):
    lines = list(works_lines)
    obj = json.loads(lines[1])
    obj["publication_year"] = "2020"
    lines[1] = json.dumps(obj).encode()
    p = _write(tmp_path / "w.jsonl", lines)
    with pytest.raises(DataFormatError) as exc:
        read_openalex(p)
    assert exc.value.line == 2 and exc.value.field == "$.publication_year"
    obj["publication_year"] = 2020
    obj["authorships"][0]["countries"] = "HK"
    lines[1] = json.dumps(obj).encode()
    _write(p, lines)
    with pytest.raises(DataFormatError) as exc:
        read_openalex(p)
    assert exc.value.field == "$.authorships[0].countries"


def test_bad_ids(works_lines, tmp_path):
    lines = list(works_lines)
    obj = json.loads(lines[3])
    obj["authorships"][1]["author"]["id"] = "https://openalex.org/I123"   # not an author id
    lines[3] = json.dumps(obj).encode()
    p = _write(tmp_path / "w.jsonl", lines)
    with pytest.raises(DataFormatError) as exc:
        read_openalex(p)
    assert exc.value.line == 4 and exc.value.field == "id"
    res = read_openalex(p, errors="skip")
    assert res.report.skipped["malformed"] == 1
    # the bad record left nothing behind: no rows, no citations
    assert "W9000000004" not in res.contributions.labels["record"]
    assert "W9000000004" not in set(res.citations.to_pandas().citing)
    assert res.report.records_used == 4


def test_truncated_gzip(works_lines, tmp_path):
    p = _write(tmp_path / "w.jsonl.gz", works_lines, gz=True)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(DataFormatError) as exc:
        read_openalex(p)
    assert "gzip" in str(exc.value) and exc.value.path == str(p)
    res = read_openalex(p, errors="skip")
    assert res.report.skipped["malformed"] == 1
    assert res.report.records_read < 5


def test_not_gzip_but_gz_name(tmp_path):
    p = tmp_path / "part_000.gz"
    p.write_bytes(b"\x1f\x8bthis is not gzip data at all")
    with pytest.raises(DataFormatError):
        read_openalex(p)


def test_bom_crlf_gzip_same_result(works_lines, tmp_path):
    ref = _shares(read_openalex(_write(tmp_path / "a.jsonl", works_lines)))
    for i, kw in enumerate([dict(crlf=True), dict(bom=True), dict(bom=True, crlf=True, gz=True)]):
        p = _write(tmp_path / f"b{i}.jsonl" if not kw.get("gz") else tmp_path / "b.jsonl.gz",
                   works_lines, **kw)
        assert _shares(read_openalex(p)) == ref


def test_blank_lines_and_empty_files(works_lines, tmp_path):
    p = _write(tmp_path / "w.jsonl", [works_lines[0], b"", b"   ", works_lines[1]])
    assert read_openalex(p).report.records_read == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    res = read_openalex(empty)
    assert len(res.contributions) == 0 and res.report.records_read == 0
    gz = tmp_path / "empty.jsonl.gz"
    with gzip.open(gz, "wb"):
        pass
    assert read_openalex(gz).report.records_read == 0


def test_duplicate_and_missing_id(works_lines, tmp_path):
    p = _write(tmp_path / "w.jsonl", [works_lines[0], works_lines[0]])
    assert read_openalex(p).report.skipped["duplicate id"] == 1
    obj = json.loads(works_lines[1])
    del obj["id"]
    p = _write(tmp_path / "w2.jsonl", [json.dumps(obj).encode()])
    with pytest.raises(DataFormatError, match="without id"):
        read_openalex(p)


def test_page_file_errors(formats, tmp_path):
    page = json.loads((formats / "openalex_api_page_sample.json").read_text())
    page["results"][1]["publication_year"] = [2020]
    p = tmp_path / "page.json"
    p.write_text(json.dumps(page, indent=2))
    with pytest.raises(DataFormatError) as exc:
        read_openalex(p)
    assert exc.value.field == "$.results[1].publication_year"
    p.write_text("{not json")
    with pytest.raises(DataFormatError, match="malformed JSON"):
        read_openalex(p)


def test_bad_arguments(formats, tmp_path):
    w = formats / "openalex_works_sample.jsonl"
    with pytest.raises(ParameterError, match="errors"):
        read_openalex(w, errors="ignore")
    with pytest.raises(ParameterError, match="lead"):
        read_openalex(w, lead="last")
    with pytest.raises(ParameterError, match="does not exist"):
        read_openalex(tmp_path / "nope.jsonl")
    with pytest.raises(InputTypeError):
        read_openalex(42)
    with pytest.raises(InputTypeError, match="RegionMap"):
        read_openalex(w, regions="countries")
    with pytest.raises(ParameterError, match="max_authors"):
        read_openalex(w, max_authors=0)
    (tmp_path / "manifest").write_text(json.dumps({"entries": [{"url": "s3://x/part_9.gz"}]}))
    with pytest.raises(ParameterError, match="part_9.gz"):
        read_openalex(tmp_path / "manifest")


@given(cut=st.integers(min_value=0, max_value=11836), junk=st.binary(max_size=8))
def test_fuzz_openalex_never_crashes(cut, junk, tmp_path_factory):
    data = (FORMATS / "openalex_works_sample.jsonl").read_bytes()
    p = tmp_path_factory.mktemp("fz") / "w.jsonl"
    p.write_bytes(data[:cut] + junk + data[cut:])
    try:
        read_openalex(p)
    except DataFormatError as exc:
        assert exc.path == str(p)
    res = read_openalex(p, errors="skip")
    assert res.report.records_read + res.report.skipped.get("malformed", 0) >= 4


# --------------------------------------------------------------------------- tables


@pytest.fixture()
def pv_copy(formats, tmp_path):
    d = tmp_path / "pv"
    shutil.copytree(formats / "patentsview_sample", d)
    for f in d.iterdir():
        f.chmod(0o644)
    return d


def test_patentsview_missing_column(pv_copy):
    f = pv_copy / "g_inventor_disambiguated.tsv"
    f.write_text(f.read_text().replace('"inventor_id"', '"inventor"'))
    with pytest.raises(DataFormatError) as exc:
        read_patentsview(pv_copy)
    assert exc.value.field == "inventor_id" and exc.value.line == 1


def test_patentsview_wrong_type_and_bad_line(pv_copy):
    f = pv_copy / "g_inventor_disambiguated.tsv"
    lines = f.read_text().splitlines()
    lines[3] = lines[3].replace('"99000002"\t"0"', '"99000002"\t"zero"')
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError) as exc:
        read_patentsview(pv_copy)
    assert (exc.value.line, exc.value.field) == (4, "inventor_sequence")
    res = read_patentsview(pv_copy, errors="skip")
    assert res.report.skipped["malformed"] == 1
    lines = f.read_text().replace('"zero"', '"0"').splitlines()
    lines[5] = lines[5] + '\t"extra"\t"fields"'
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError) as exc:
        read_patentsview(pv_copy)
    assert exc.value.line == 6


def test_patentsview_crlf_bom_zip(pv_copy, formats):
    import zipfile

    ref = read_patentsview(formats / "patentsview_sample").contributions.to_pandas()
    f = pv_copy / "g_location_disambiguated.tsv"
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes().replace(b"\n", b"\r\n"))
    inv = pv_copy / "g_inventor_disambiguated.tsv"
    with zipfile.ZipFile(pv_copy / "g_inventor_disambiguated.tsv.zip", "w") as z:
        z.write(inv, "g_inventor_disambiguated.tsv")
    inv.unlink()
    got = read_patentsview(pv_copy).contributions.to_pandas()
    assert got.equals(ref)


def test_patentsview_empty_table(pv_copy):
    (pv_copy / "g_location_disambiguated.tsv").write_text("")
    with pytest.raises(DataFormatError, match="empty file"):
        read_patentsview(pv_copy)


def test_regpat_errors(formats, tmp_path):
    d = tmp_path / "rp"
    shutil.copytree(formats / "regpat_sample", d)
    f = d / "SAMPLE_EPO_Inv_reg.txt"
    f.chmod(0o644)
    text = f.read_text().splitlines()
    text[2] = text[2].replace("|1|0.5", "|one|0.5")
    f.write_text("\n".join(text) + "\n")
    with pytest.raises(DataFormatError) as exc:
        read_regpat(d)
    assert (exc.value.line, exc.value.field) == (3, "reg_share")
    res = read_regpat(d, errors="skip")
    assert res.report.skipped["malformed"] == 1
    f.write_text(f.read_text().replace("ctry_code", "country"))
    with pytest.raises(DataFormatError) as exc:
        read_regpat(d)
    assert exc.value.field == "ctry_code"


def test_wos_errors(formats, tmp_path):
    text = (formats / "wos_sample.txt").read_text(encoding="utf-8-sig")
    p = tmp_path / "t.txt"
    p.write_text(text[: text.index("ER\n\nPT J\nAU Sousa")], encoding="utf-8")
    p.write_text(p.read_text() + "ER\n\nPT J\nAU Sousa, A\n")        # cut inside record 3
    with pytest.raises(DataFormatError) as exc:
        read_wos(p)
    assert exc.value.field == "ER"
    res = read_wos(p, errors="skip")
    assert res.report.records_read == 2 and res.report.skipped["malformed"] == 1
    p.write_text("not a wos file\n")
    with pytest.raises(DataFormatError, match="not a Web of Science export"):
        read_wos(p)
    bad = text.replace("PY 2006", "PY 20O6")
    p.write_text(bad)
    with pytest.raises(DataFormatError) as exc:
        read_wos(p)
    assert exc.value.field == "PY"
    tab = (formats / "wos_sample_tab.txt").read_text(encoding="utf-8-sig")
    q = tmp_path / "t_tab.txt"
    q.write_text(tab.replace("UT\t", "XX\t", 1))
    with pytest.raises(DataFormatError) as exc:
        read_wos(q)
    assert exc.value.field == "UT"
    # UTF-16 ("Win") tab-delimited export
    q.write_bytes(tab.encode("utf-16"))
    assert read_wos(q).report.records_used == 3


def test_scopus_errors(formats, tmp_path):
    text = (formats / "scopus_sample.csv").read_text(encoding="utf-8-sig")
    p = tmp_path / "s.csv"
    p.write_text(text.replace('"Year"', '"Yr"'))
    with pytest.raises(DataFormatError) as exc:
        read_scopus(p)
    assert exc.value.field == "year"
    p.write_text(text.replace('"2022"', '"twenty"'))
    with pytest.raises(DataFormatError) as exc:
        read_scopus(p)
    assert (exc.value.line, exc.value.field) == (4, "Year")
    assert read_scopus(p, errors="skip").report.records_used == 2
    p.write_text(text.replace("\n", "\r\n"))
    assert read_scopus(p).report.records_used == 3


def test_records_errors(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("rec,who,cc,lead\np1,a,HK,1\np1,b,CN,maybe\n")
    with pytest.raises(DataFormatError) as exc:
        read_records(p, {"record": "rec", "actor": "who", "country": "cc", "lead": "lead"})
    assert (exc.value.line, exc.value.field) == (3, "lead")
    with pytest.raises(DataFormatError) as exc:
        read_records(p, {"record": "rec", "actor": "person", "country": "cc"})
    assert exc.value.field == "person"
    with pytest.raises(ParameterError, match="unknown field"):
        read_records(p, {"paper": "rec"})
    p.write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        read_records(p)


def test_duplicates_leave_no_trace(works_lines, tmp_path):
    p = _write(tmp_path / "w.jsonl", [works_lines[1], works_lines[0], works_lines[1]])
    res = read_openalex(p)
    assert res.report.skipped["duplicate id"] == 1
    ref = read_openalex(_write(tmp_path / "r.jsonl", [works_lines[1], works_lines[0]]))
    assert _shares(res) == _shares(ref)
    assert len(res.citations) == len(ref.citations)
    assert res.contributions.lead.sum() == ref.contributions.lead.sum()
