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
    assert res.report.records_read == 5     # the broken line counts as read (issue 19.8)
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
        read_openalex(w, regions=42)  # "countries", "metros" or a CSV path are accepted (issue 18 C)
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


def test_patentsview_bad_coordinates_are_located_or_counted(pv_copy, formats):
    """A latitude like "abc" or 1e400 was ignored without a word (issue 19 gap)."""
    import ecosystem as eco

    ref = read_patentsview(formats / "patentsview_sample").contributions.to_pandas()
    f = pv_copy / "g_location_disambiguated.tsv"
    f.write_text(f.read_text().replace('"22.543"', '"abc"', 1).replace('"114.17"', '"1e400"', 1))
    with pytest.raises(DataFormatError) as exc:
        read_patentsview(pv_copy)
    assert (exc.value.line, exc.value.field) == (2, "latitude")
    res = read_patentsview(pv_copy, errors="skip")
    notes = res.report.notes
    assert notes["latitude values that are not numbers in -90..90 (ignored; places resolved "
                 "by name)"] == 1
    assert notes["longitude values that are not numbers in -180..180 (ignored; places "
                 "resolved by name)"] == 1
    # the places keep their names and countries: nothing else changes
    assert res.contributions.to_pandas().equals(ref)
    # with a coordinate-aware map the place falls back to its name
    m = eco.regions.metros()
    a = read_patentsview(formats / "patentsview_sample", regions=m).contributions.to_pandas()
    b = read_patentsview(pv_copy, regions=m, errors="skip").contributions.to_pandas()
    assert len(a) == len(b)


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
    # the truncated record counts as read and skipped (read == used + skipped, issue 19.8)
    assert res.report.records_read == 3 and res.report.skipped["malformed"] == 1
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


# --------------------------------------------------------------------------- issue 19
# Nothing lost on bad input: every reader keeps every good record, counts the bad ones
# with their physical line, and raises nothing but the library's own errors.

import os
import zlib

import numpy as np
import pandas as pd

import ecosystem as eco
from ecosystem import Contributions, EcosystemError


def _copy(formats, tmp_path, folder):
    d = tmp_path / folder
    shutil.copytree(formats / folder, d, dirs_exist_ok=True)
    for p in d.iterdir():
        os.chmod(p, 0o644)
    return d


def _invariant(res):
    r = res.report
    assert r.records_read == r.records_used + r.records_skipped, r


def _csv_rows(n=20000):
    rows = ["record,actor,country,weight"] + [f"r{i},a{i},US,1" for i in range(n)]
    return "\n".join(rows).encode()


@pytest.mark.parametrize("damage", [(b"a15000,", b"a\xe9,"), (b"r15000,", b'"r15000,')])
def test_read_table_keeps_good_rows_around_bad_byte_or_quote(tmp_path, damage):
    p = tmp_path / "t.csv"
    p.write_bytes(_csv_rows().replace(*damage))
    for chunksize in (1_000_000, 1000):
        res = read_records(p, errors="skip", chunksize=chunksize)
        assert len(res.contributions) == 19999
        assert res.report.skipped == {"malformed": 1}
        assert res.report.malformed[0][:2] == (str(p), 15002)    # physical line of r15000
        _invariant(res)
    with pytest.raises(DataFormatError) as exc:
        read_records(p)
    assert exc.value.line == 15002 and exc.value.path == str(p)


def test_non_utf8_in_first_block_every_text_reader(formats, tmp_path):
    s = (formats / "scopus_sample.csv").read_bytes().split(b"\n")
    s[2] = s[2][:50] + b"\xe9\xff" + s[2][50:]
    p = tmp_path / "s.csv"
    p.write_bytes(b"\n".join(s))
    with pytest.raises(DataFormatError) as exc:
        read_scopus(p)
    assert exc.value.line == 3
    res = read_scopus(p, errors="skip")
    assert res.report.skipped == {"malformed": 1} and res.report.records_used == 2
    _invariant(res)
    w = (formats / "wos_sample.txt").read_bytes().replace(b"PY 2006", b"PY 2006\nZZ \xe9t\xe9")
    p = tmp_path / "w.txt"
    p.write_bytes(w)
    with pytest.raises(DataFormatError):
        read_wos(p)
    res = read_wos(p, errors="skip")
    assert res.report.skipped == {"malformed": 1} and res.report.records_used == 2
    _invariant(res)
    t = (formats / "wos_sample_tab.txt").read_bytes().split(b"\n")
    t[1] = t[1].replace(b"\t", b"\t\xff", 1)
    p = tmp_path / "wt.txt"
    p.write_bytes(b"\n".join(t))
    res = read_wos(p, errors="skip")
    assert res.report.skipped == {"malformed": 1} and res.report.records_used == 2
    _invariant(res)
    d = _copy(formats, tmp_path, "patentsview_sample")
    f = d / "g_inventor_disambiguated.tsv"
    lines = f.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b'"', b'"\xe9', 1)
    f.write_bytes(b"\n".join(lines))
    with pytest.raises(DataFormatError) as exc:
        read_patentsview(d)
    assert exc.value.line == 3
    res = read_patentsview(d, errors="skip")
    assert res.report.skipped["malformed"] == 1
    _invariant(res)


def test_truncated_gzip_keeps_every_complete_line(formats, tmp_path):
    line = (formats / "openalex_works_sample.jsonl").read_bytes().split(b"\n")[0]
    big = b"\n".join(line.replace(b"W9000000", b"W%d" % i, 1) for i in range(1, 2000)) + b"\n"
    z = gzip.compress(big)
    z = z[: int(len(z) * 0.9)]
    p = tmp_path / "w.jsonl.gz"
    p.write_bytes(z)
    complete = zlib.decompressobj(31).decompress(z).count(b"\n")
    res = read_openalex(p, errors="skip")
    assert res.report.records_read - 1 == complete
    assert res.report.skipped["malformed"] == 1
    _invariant(res)


@pytest.mark.parametrize("reader", ["wos", "scopus", "records", "patentsview", "regpat"])
@pytest.mark.parametrize("kind", ["truncated", "corrupt"])
def test_bad_gzip_in_table_readers_is_located(formats, tmp_path, reader, kind):
    def damage(path):
        z = gzip.compress(path.read_bytes())
        z = z[: len(z) * 6 // 10] if kind == "truncated" else z[:20] + b"\x00" * 40 + z[60:]
        gz = path.with_name(path.name + ".gz")
        gz.write_bytes(z)
        path.unlink()
        return gz

    if reader in ("patentsview", "regpat"):
        d = _copy(formats, tmp_path, f"{reader}_sample")
        name = "g_inventor_disambiguated.tsv" if reader == "patentsview" else "SAMPLE_EPO_Inv_reg.txt"
        gz = damage(d / name)
        call = (lambda **kw: read_patentsview(d, **kw)) if reader == "patentsview" else \
            (lambda **kw: read_regpat(d, **kw))
    else:
        src = {"wos": "wos_sample.txt", "scopus": "scopus_sample.csv"}.get(reader)
        p = tmp_path / ("r.csv" if src is None else src)
        if src is None:
            p.write_bytes(_csv_rows(3000))
        else:
            shutil.copy(formats / src, p)
        gz = damage(p)
        call = {"wos": lambda **kw: read_wos(gz, **kw), "scopus": lambda **kw: read_scopus(gz, **kw),
                "records": lambda **kw: read_records(gz, **kw)}[reader]
    with pytest.raises(DataFormatError) as exc:
        call()
    assert exc.value.path == str(gz) and "gzip" in str(exc.value)
    res = call(errors="skip")
    assert res.report.skipped.get("malformed", 0) >= 1
    _invariant(res)


def test_years_out_of_range(formats, tmp_path):
    for bad in ([2**32 + 2020], [np.inf], [1e20], [99999], [-5]):
        with pytest.raises(ParameterError, match="year"):
            Contributions.from_arrays(["r"], ["a"], ["US"], year=bad)
    assert Contributions.from_arrays(["r", "s"], ["a", "a"], ["US", "US"],
                                     year=[np.nan, 2020.0]).year.tolist() == [-1, 2020]
    w = (formats / "wos_sample.txt").read_bytes()
    for value in (b"4294969302", b"9" * 30, "200\u00b2".encode(), b"0"):
        p = tmp_path / "w.txt"
        p.write_bytes(w.replace(b"PY 2006", b"PY " + value))
        with pytest.raises(DataFormatError) as exc:
            read_wos(p)
        assert exc.value.field == "PY"
        res = read_wos(p, errors="skip")
        assert res.report.skipped == {"malformed": 1}
        _invariant(res)
    s = (formats / "scopus_sample.csv").read_bytes()
    for value in (b"9" * 30, "202\u00b2".encode(), b"4294969315"):
        p = tmp_path / "s.csv"
        p.write_bytes(s.replace(b'"2022"', b'"' + value + b'"', 1))
        with pytest.raises(DataFormatError) as exc:
            read_scopus(p)
        assert exc.value.field == "Year"
    d = _copy(formats, tmp_path, "regpat_sample")
    ipc = d / "SAMPLE_EPO_IPC.txt"
    orig = ipc.read_text()
    for value in ("100000000000000000000", "inf", "4294969314", "1e20"):
        ipc.write_text(orig.replace("900002|2018|", f"900002|{value}|"))
        with pytest.raises(DataFormatError) as exc:
            read_regpat(d)
        assert exc.value.field == "prio_year"
        res = read_regpat(d, errors="skip")
        _invariant(res)
    p = tmp_path / "r.csv"
    for value in ("4294969315", "inf", "1e20", "9223372036854775807"):
        p.write_text(f"record,actor,country,year\nr1,a,US,2019\nr2,b,US,{value}\n")
        with pytest.raises(DataFormatError) as exc:
            read_records(p)
        assert (exc.value.line, exc.value.field) == (3, "year")
    lines = (formats / "openalex_works_sample.jsonl").read_bytes()
    for old, new in ((b'"publication_year": 20', b'"publication_year": 30000000020'),
                     (b"https://openalex.org/W9000000002", b"https://openalex.org/W99999999999999999999999")):
        p = tmp_path / "w.jsonl"
        p.write_bytes(lines.replace(old, new, 1))
        with pytest.raises(DataFormatError):
            read_openalex(p)
        res = read_openalex(p, errors="skip")
        assert res.report.skipped == {"malformed": 1}
        _invariant(res)


def test_openalex_author_years_out_of_range(formats, tmp_path):
    a = (formats / "openalex_authors_sample.jsonl").read_text()
    p = tmp_path / "a.jsonl"
    p.write_text(a.replace("[2019", "[3000000000", 1))
    assert "3000000000" in p.read_text()
    w = formats / "openalex_works_sample.jsonl"
    with pytest.raises(DataFormatError):
        read_openalex(w, authors=p)
    read_openalex(w, authors=p, errors="skip")


def test_nan_weight_in_dataframe_is_not_one(tmp_path):
    df = pd.DataFrame({"record": ["p1", "p2"], "actor": ["a", "b"], "country": ["US", "DE"],
                       "weight": [0.5, np.nan]})
    with pytest.raises(DataFormatError) as exc:
        read_records(df)
    assert exc.value.field == "weight"
    res = read_records(df, errors="skip")
    assert res.contributions.weight.tolist() == [0.5]
    _invariant(res)


def test_duplicate_rows_are_dropped_and_counted(formats, tmp_path):
    d = _copy(formats, tmp_path, "patentsview_sample")
    ref = read_patentsview(d)
    p = d / "g_inventor_disambiguated.tsv"
    ls = p.read_bytes().split(b"\n")
    ls.insert(3, ls[2])
    p.write_bytes(b"\n".join(ls))
    res = read_patentsview(d)
    assert _shares(res) == _shares(ref)
    assert res.report.dropped.get("duplicate row") == 1
    _invariant(res)
    d = _copy(formats, tmp_path, "regpat_sample")
    ref = read_regpat(d)
    p = d / "SAMPLE_EPO_Inv_reg.txt"
    ls = p.read_bytes().split(b"\n")
    ls.insert(3, ls[2])
    p.write_bytes(b"\n".join(ls))
    res = read_regpat(d)
    assert _shares(res) == _shares(ref) and res.report.dropped.get("duplicate row") == 1
    _invariant(res)
    q = tmp_path / "r.csv"
    q.write_text("record,actor,country\np1,a,US\np1,a,US\np1,b,DE\n")
    res = read_records(q)
    assert len(res.contributions) == 2 and res.report.dropped.get("duplicate row") == 1
    _invariant(res)


def test_short_rows_are_malformed_with_line(formats, tmp_path):
    d = _copy(formats, tmp_path, "patentsview_sample")
    p = d / "g_inventor_disambiguated.tsv"
    ls = p.read_bytes().split(b"\n")
    ls[4] = b"\t".join(ls[4].split(b"\t")[:3])
    p.write_bytes(b"\n".join(ls))
    with pytest.raises(DataFormatError) as exc:
        read_patentsview(d)
    assert exc.value.line == 5
    res = read_patentsview(d, errors="skip")
    assert res.report.skipped["malformed"] == 1 and res.report.malformed[0][1] == 5
    _invariant(res)
    d = _copy(formats, tmp_path, "regpat_sample")
    p = d / "SAMPLE_EP_CITATIONS.txt"
    ls = p.read_text().split("\n")
    ls[1] = "|".join(ls[1].split("|")[:9])
    p.write_text("\n".join(ls))
    with pytest.raises(DataFormatError) as exc:
        read_regpat(d)
    assert exc.value.line == 2
    res = read_regpat(d, errors="skip")
    assert res.report.skipped["malformed"] == 1
    _invariant(res)
    q = tmp_path / "r.csv"
    q.write_text("record,actor,country,year,weight\np1,a,US,2020,1\np2,b,DE\n")
    with pytest.raises(DataFormatError) as exc:
        read_records(q)
    assert exc.value.line == 3


def test_huge_field_wos_tab_and_scopus(formats, tmp_path):
    s = (formats / "scopus_sample.csv").read_bytes().split(b"\n")
    s[1] = s[1].replace(b"Synthetic", b"Y" * 200_000, 1)
    p = tmp_path / "big.csv"
    p.write_bytes(b"\n".join(s))
    assert read_scopus(p).report.records_used == 3
    t = (formats / "wos_sample_tab.txt").read_bytes().split(b"\n")
    parts = t[1].split(b"\t")
    parts[-3] = b"Z" * 200_000
    t[1] = b"\t".join(parts)
    p = tmp_path / "big_tab.txt"
    p.write_bytes(b"\n".join(t))
    res = read_wos(p, errors="skip")
    _invariant(res)


def test_wos_vr_tag_and_continuation(formats, tmp_path):
    s = (formats / "wos_sample.txt").read_bytes().replace(b"PY 2006\n", b"PY 2006\nVR 1.0\n   cont\n")
    p = tmp_path / "v.txt"
    p.write_bytes(s)
    res = read_wos(p, errors="skip")
    _invariant(res)
    assert res.report.records_read == 3


def test_wos_plain_one_bad_line_counts_one_record(formats, tmp_path):
    s = (formats / "wos_sample.txt").read_bytes().replace(b"PY 2006\n", b"PY 2006\n!! junk\n")
    p = tmp_path / "j.txt"
    p.write_bytes(s)
    res = read_wos(p, errors="skip")
    assert res.report.skipped == {"malformed": 1} and res.report.records_read == 3
    _invariant(res)


def test_line_numbers_are_physical(formats, tmp_path):
    d = _copy(formats, tmp_path, "patentsview_sample")
    p = d / "g_patent.tsv"
    b = p.read_bytes().replace(b"\n", b"\n\n", 2)
    ls = b.split(b"\n")
    ls[4] = ls[4].replace(b'"20', b'"2X', 1)
    p.write_bytes(b"\n".join(ls))
    with pytest.raises(DataFormatError) as exc:
        read_patentsview(d)
    assert exc.value.line == 5
    d = _copy(formats, tmp_path, "patentsview_sample")
    p = d / "g_inventor_disambiguated.tsv"
    ls = p.read_bytes().split(b"\n")
    ls[2] = ls[2] + b'\t"x"'
    ls[7] = ls[7].replace(b'\t"0"', b'\t"zero"', 1).replace(b'\t"1"', b'\t"one"', 1)
    p.write_bytes(b"\n".join(ls))
    res = read_patentsview(d, errors="skip")
    assert [m[1] for m in res.report.malformed] == [3, 8]
    q = tmp_path / "r.csv"
    q.write_text('record,actor,country,year\n\np1,a,US,2020\n\n"p\n2",b,DE,2021\np3,c,FR,20x1\n')
    with pytest.raises(DataFormatError) as exc:
        read_records(q)
    assert (exc.value.line, exc.value.field) == (7, "year")


def test_count_invariant_every_reader_on_samples(formats):
    for res in (read_openalex(formats / "openalex_works_sample.jsonl",
                              formats / "openalex_institutions_sample.jsonl",
                              formats / "openalex_authors_sample.jsonl"),
                read_patentsview(formats / "patentsview_sample"),
                read_regpat(formats / "regpat_sample"), read_wos(formats / "wos_sample.txt"),
                read_wos(formats / "wos_sample_tab.txt"), read_scopus(formats / "scopus_sample.csv"),
                read_scopus(formats / "scopus_sample_legacy.csv")):
        _invariant(res)


def test_api_misuse_gives_ecosystem_errors(formats, tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("record,actor,country\np1,a,US\n")
    for kw in (dict(chunksize=0), dict(chunksize=-1), dict(sep=""), dict(sep=",,"),
               dict(channel=""), dict(channel=None)):
        with pytest.raises(EcosystemError):
            read_records(p, **kw)
    for call in (lambda ch: read_wos(formats / "wos_sample.txt", channel=ch),
                 lambda ch: read_scopus(formats / "scopus_sample.csv", channel=ch),
                 lambda ch: read_regpat(formats / "regpat_sample", channel=ch),
                 lambda ch: read_openalex(formats / "openalex_works_sample.jsonl", channel=ch),
                 lambda ch: read_patentsview(formats / "patentsview_sample", channel=ch)):
        for ch in ("", None, 3):
            with pytest.raises(EcosystemError, match="channel"):
                call(ch)
    d = _copy(formats, tmp_path, "regpat_sample")
    f = d / "SAMPLE_EPO_Inv_reg.txt"
    text = f.read_text().splitlines()
    text[2] = text[2].replace("|1|0.5", "|1|5")
    f.write_text("\n".join(text) + "\n")
    with pytest.raises(DataFormatError) as exc:
        read_regpat(d)
    assert (exc.value.line, exc.value.field) == (3, "inv_share")
    with pytest.raises(ParameterError, match="directory|folder"):
        read_records(tmp_path)


def test_records_without_located_authors_are_skipped_not_lost(formats, tmp_path):
    """Found by the fuzzer: a WoS/Scopus record without a located author was read but
    neither used nor skipped."""
    w = (formats / "wos_sample.txt").read_text(encoding="utf-8-sig")
    start = w.index("PT J")
    end = w.index("ER", start) + 3
    rec = w[start:end]
    kept = "\n".join(l for l in rec.splitlines() if not l.startswith(("C1", "RP", "   [")))
    p = tmp_path / "w.txt"
    p.write_text(w[:start] + kept.replace("WOS:", "WOS:9") + "\n" + w[start:])
    res = read_wos(p)
    assert res.report.skipped.get("no country", 0) + res.report.skipped.get("no actors", 0) == 1
    _invariant(res)
    s = (formats / "scopus_sample.csv").read_text(encoding="utf-8-sig").splitlines()
    header = next(iter(__import__("csv").reader([s[0]])))
    row = [""] * len(header)
    row[[h.lower() for h in header].index("eid")] = "2-s2.0-999"
    row[[h.lower() for h in header].index("year")] = "2020"
    q = tmp_path / "s.csv"
    q.write_text("\n".join(s + [",".join(f'"{x}"' for x in row)]) + "\n")
    res = read_scopus(q)
    assert res.report.skipped == {"no actors": 1}
    _invariant(res)


# --------------------------------------------------------------------------- issue 18 B


def test_openalex_bad_records_find_their_lines_once_per_block(works_lines, tmp_path,
                                                               monkeypatch):
    from ecosystem.readers import openalex

    calls = []
    real = openalex._nonblank_lines
    monkeypatch.setattr(openalex, "_nonblank_lines",
                        lambda buf, line0: calls.append(1) or real(buf, line0))
    obj = json.loads(works_lines[0])
    obj["authorships"][0]["author"]["id"] = "https://openalex.org/I1"      # a bad author id
    bad = json.dumps(obj).encode()
    p = _write(tmp_path / "w.jsonl", [bad.replace(b"W9000000001", b"W%d" % i) for i in range(1, 3001)])
    res = read_openalex(p, errors="skip")
    assert res.report.skipped == {"malformed": 3000}
    assert res.report.malformed[-1][1] == 20
    blocks = 1 + p.stat().st_size // (1 << 22)            # 4 MiB blocks
    assert len(calls) <= blocks < 3000


def test_openalex_many_bad_records_are_cheap(works_lines, tmp_path):
    """99,000 bad works took 212 s (1.9 ms each); the bound here is 40x the fixed cost."""
    import time

    obj = json.loads(works_lines[0])
    obj["authorships"][0]["author"]["id"] = "https://openalex.org/I1"
    bad = json.dumps(obj).encode()
    p = _write(tmp_path / "w.jsonl", [bad.replace(b"W9000000001", b"W%d" % i) for i in range(1, 10001)])
    t = time.perf_counter()
    res = read_openalex(p, errors="skip")
    assert res.report.skipped == {"malformed": 10000}
    assert time.perf_counter() - t < 8.0


def test_report_examples_for_the_cli(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("record,actor,country,year\np1,a,US,20x1\np2,b,DE\np3,c,FR,2020\n")
    res = read_records(p, errors="skip")
    assert sorted(res.report.examples()) == [f"{p}:2 (year): '20x1' is not a year in 1000..2200",
                                             f"{p}:3: expected 4 fields, got 3"]
    assert f"malformed at {p}:2 (year)" in str(res.report)
    _invariant(res)


def test_empty_inputs_say_empty_file(tmp_path):
    p = tmp_path / "w.jsonl"
    p.write_bytes(b"")
    assert read_openalex(p).report.notes["empty files (no line)"] == 1
    for reader, name in ((read_records, "r.csv"), (read_scopus, "s.csv"), (read_wos, "w.txt")):
        q = tmp_path / name
        q.write_bytes(b"")
        with pytest.raises(DataFormatError, match="empty file"):
            reader(q)


def test_read_records_says_why_no_record_was_used(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("record,actor,country\np1,a,US;CN\np2,b,DE;FR\n")
    with pytest.raises(DataFormatError, match="joined by ';'") as exc:
        read_records(p)
    assert exc.value.path == str(p)
    with pytest.warns(eco.EcosystemWarning, match="joined"):
        res = read_records(p, errors="skip")
    assert "';'" in res.report.notes["why no record was used"]
    _invariant(res)
    p.write_text("record,actor,country\np1,a,Germany\np2,b,United Kingdom\n")
    with pytest.raises(DataFormatError, match="names"):
        read_records(p)


def _table(path, sep, required, policy_errors="skip"):
    from ecosystem.readers._io import read_table
    from ecosystem.readers._report import Policy, ReadReport

    rep = ReadReport("t")
    pol = Policy("t", policy_errors, rep)
    parts = list(read_table(path, sep=sep, required=required, policy=pol, chunksize=7))
    lines = [int(x) for a, _ in parts for x in a]
    frame = pd.concat([d for _, d in parts], ignore_index=True) if parts else None
    return lines, frame, rep.skipped, [m[:2] for m in rep.malformed]


@pytest.mark.parametrize("case", ["pv", "regpat", "quoted", "messy", "long", "bom"])
def test_read_table_fast_and_careful_paths_agree(formats, tmp_path, monkeypatch, case):
    """The pandas fast path and the csv careful path give the same rows and reports."""
    from ecosystem.readers import _io

    if case == "pv":
        p, sep, req = formats / "patentsview_sample" / "g_inventor_disambiguated.tsv", "\t", \
            ["patent_id", "inventor_id", "location_id"]
    elif case == "regpat":
        p, sep, req = formats / "regpat_sample" / "SAMPLE_EPO_Inv_reg.txt", "|", \
            ["appln_id", "person_id", "ctry_code"]
    else:
        p, sep, req = tmp_path / "t.csv", ",", ["a", "b", "c"]
        body = "".join(f'x{i},"y, {i}",z{i}\n' for i in range(40))
        if case == "quoted":
            body += 'q,"two\nlines",r\n' + body
        elif case == "long":   # a row longer than the header first (pandas would index it)
            body = "1,2,3,4\n" + body + "5,6,7,8\n"
        elif case == "bom":    # a BOM inside the data is data (found by the fuzzer)
            body = "\ufeffr0,s,t\n" + body
        else:
            body += "short,row\n\n\xe9,2,3\n".replace("\xe9", "e") + 'open,"quote,3\n' + body
        p.write_bytes(("a,b,c\n" + body).encode() + (b"\xff,1,2\n" if case == "messy" else b""))
    fast = _table(p, sep, req)
    monkeypatch.setattr(_io, "_FAST", False)
    careful = _table(p, sep, req)
    assert fast[0] == careful[0] and fast[2:] == careful[2:]
    pd.testing.assert_frame_equal(fast[1], careful[1])
    assert len(fast[0]) >= 6


def test_citation_codes_never_wrap(monkeypatch):
    """int32 document codes and int16 categories: beyond them, an error, not a wrap."""
    from ecosystem.readers import Citations, _common

    monkeypatch.setattr(_common, "_MAX_CODE", 3)
    with pytest.raises(ParameterError, match="documents"):
        Citations.from_pairs(["a", "b"], ["c", "d"])
    Citations.from_pairs(["a", "b"], ["c", "a"])
    monkeypatch.setattr(_common, "_MAX_CATEGORY", 1)
    with pytest.raises(ParameterError, match="categories"):
        Citations.from_pairs(["a", "b"], ["c", "a"], category=["x", "y"])


@pytest.mark.parametrize("where", [0.3, 0.6, 0.95])
def test_corrupt_gzip_keeps_every_line_before_the_damage(formats, tmp_path, where):
    """A corrupt byte in a (multi-member) gzip: every complete line zlib can inflate
    before it is kept, and one malformed unit is counted."""
    line = (formats / "openalex_works_sample.jsonl").read_bytes().split(b"\n")[0]
    big = b"\n".join(line.replace(b"W9000000", b"W%d" % i, 1) for i in range(1, 1500)) + b"\n"
    first = gzip.compress(big[:len(big) // 3])
    second = gzip.compress(big[len(big) // 3:])
    z = bytearray(first + second)
    i = int(len(z) * where)
    z[i] ^= 0xFF
    p = tmp_path / "w.jsonl.gz"
    p.write_bytes(bytes(z))
    d, got = zlib.decompressobj(31), b""
    data = bytes(z)
    try:                                 # reference: inflate byte by byte up to the error
        for k in range(len(data)):
            got += d.decompress(data[k:k + 1])
            if d.eof:
                data2 = d.unused_data + data[k + 1:]
                d = zlib.decompressobj(31)
                for m in range(len(data2)):
                    got += d.decompress(data2[m:m + 1])
                break
    except zlib.error:
        pass
    same = next((k for k, (a, b) in enumerate(zip(got, big)) if a != b), min(len(got), len(big)))
    intact = big[:same].count(b"\n")       # complete lines inflated before any damage
    res = read_openalex(p, errors="skip")
    assert res.report.skipped.get("malformed", 0) >= 1
    assert res.report.records_used >= intact > 0
    _invariant(res)


def test_regpat_regions_file_bad_input_is_located(formats, tmp_path):
    d = _copy(formats, tmp_path, "regpat_sample")
    f = d / "REGPAT_Regions.txt"
    for data, line in ((b"", 1), (f.read_bytes().replace(b"\n", b"\n\xff|x|y\n", 2), 2),
                       (b"foo|bar\nx|y\n", 1)):
        f.write_bytes(data)
        with pytest.raises(DataFormatError) as exc:
            read_regpat(d, regions="reg_code")
        assert exc.value.path == str(f) and exc.value.line == line
    f.write_bytes((formats / "regpat_sample" / "REGPAT_Regions.txt").read_bytes()
                  .replace(b"\n", b"\n\xff|x|y\n", 2))
    res = read_regpat(d, regions="reg_code", errors="skip")
    assert res.report.skipped.get("malformed") == 2
    _invariant(res)


def test_merged_ids_and_parquet_bad_input_is_located(formats, tmp_path):
    w = formats / "openalex_works_sample.jsonl"
    m = tmp_path / "merged.csv.gz"
    z = gzip.compress(b"merge_date,id,merge_into_id\n" +
                      b"".join(b"2024-01-01,W%d,W1\n" % i for i in range(100, 3000)))
    m.write_bytes(z[: len(z) // 2])
    with pytest.raises(DataFormatError) as exc:
        read_openalex(w, merged_ids=m)
    assert exc.value.path == str(m) and "gzip" in str(exc.value)
    _invariant(read_openalex(w, merged_ids=m, errors="skip"))
    m2 = tmp_path / "m.csv"
    m2.write_bytes(b"merge_date,id,merge_into_id\n2024,W\xff1,W2\n")
    with pytest.raises(DataFormatError) as exc:
        read_openalex(w, merged_ids=m2)
    assert exc.value.line == 2
    pytest.importorskip("pyarrow")
    pq = tmp_path / "r.parquet"
    pq.write_bytes(b"PAR1 this is not parquet PAR1")
    with pytest.raises(DataFormatError) as exc:
        read_records(pq)
    assert exc.value.path == str(pq)


@given(body=st.lists(st.sampled_from([b"x1,y,z\n", b'"q,1",2,3\n', b"a,b\n", b"\n", b"1,2,3,4\n",
                                      b'"open,1,2\n', b"p\xff,1,2\n", b'"two\nlines",1,2\n',
                                      b"r\r,1,2\n", b"  \n", b'a"b,c,d\n', b'"",,\n']),
                    max_size=30))
def test_read_table_paths_agree_on_random_tables(body, tmp_path_factory):
    """Property: the fast and the careful path give the same rows, lines and reports."""
    from ecosystem.readers import _io

    p = tmp_path_factory.mktemp("t") / "t.csv"
    p.write_bytes(b"a,b,c\n" + b"".join(body))
    fast = _table(p, ",", ["a", "b", "c"])
    _io._FAST = False
    try:
        careful = _table(p, ",", ["a", "b", "c"])
    finally:
        _io._FAST = True
    assert fast[0] == careful[0] and fast[2:] == careful[2:]
    if fast[1] is not None:
        pd.testing.assert_frame_equal(fast[1], careful[1])


def test_openalex_duplicate_of_a_skipped_work_is_counted_once(works_lines, tmp_path):
    """Found by the fuzzer: a duplicated work that was already skipped (no authors, no
    country, hyper-authored) was counted twice."""
    obj = json.loads(works_lines[0])
    obj["authorships"] = []
    empty = json.dumps(obj).encode()
    p = _write(tmp_path / "w.jsonl", [empty, works_lines[1], empty, works_lines[1]])
    res = read_openalex(p, errors="skip")
    assert res.report.records_read == 4 and res.report.records_used == 1
    _invariant(res)
    res = read_openalex(p, errors="skip", max_authors=1)
    _invariant(res)


def test_fuzz_finding_gzip_invalid_distance_is_located():
    """Fuzzer finding (seed 11): a gzip stream with an invalid back-reference raised a raw
    zlib.error from the web-export detection; now the JSON reader locates or counts it."""
    path = Path(__file__).resolve().parent / "data" / "fuzz" / "openalex_works_bad_distance.jsonl.gz"
    with pytest.raises(eco.DataFormatError) as err:
        eco.read_openalex(path, errors="raise")
    assert "openalex_works_bad_distance" in str(err.value)
    rep = eco.read_openalex(path, errors="skip").report
    assert rep.records_read == rep.records_used + rep.records_skipped


def test_fuzz_finding_regpat_missing_citation_category_is_none():
    """Fuzzer finding (seed 12): a citation row whose category cell became missing mixed
    NaN with strings and raised a raw TypeError in Citations.from_pairs."""
    folder = Path(__file__).resolve().parent / "data" / "fuzz" / "regpat_nan_category"
    res = eco.read_regpat(folder, errors="skip")
    rep = res.report
    assert rep.records_read == rep.records_used + rep.records_skipped
    assert res.citations is not None and all(isinstance(c, str) for c in res.citations.categories)
