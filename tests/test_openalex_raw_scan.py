"""read_openalex: the C scanner of raw ``authorships`` equals the struct decoder.

Each authorships text below is either read by the scanner (``scan_authorships``) with
the same rows, counts and errors as the reference (every work decoded into msgspec
structs and read by the Python loop), or routed to that reference ("odd"). The texts
are written by hand (not by ``json.dumps``) to control escapes, whitespace, key order,
duplicate keys and invalid types.
"""

import gzip
import json

import numpy as np
import pytest

from ecosystem.exceptions import DataFormatError
from ecosystem.readers import _json, openalex, read_openalex

msgspec = pytest.importorskip("msgspec")

P = "https://openalex.org/"
A1 = f'"{P}A1"'
I1, I2 = f'"{P}I11"', f'"{P}I12"'


def _auth(author=f'{{"id": {A1}}}', insts=f'[{{"id": {I1}, "country_code": "US"}}]',
          countries='["US"]', corr="true", extra=""):
    parts = [f'"author": {author}' if author is not None else None,
             f'"institutions": {insts}' if insts is not None else None,
             f'"countries": {countries}' if countries is not None else None,
             f'"is_corresponding": {corr}' if corr is not None else None]
    body = ", ".join(p for p in parts if p)
    return "{" + body + (", " + extra if extra and body else extra) + "}"


def L(*auths):
    return "[" + ", ".join(auths) + "]"


def inst(*fields):
    return "{" + ", ".join(fields) + "}"


ID1, ID2 = '"id": ' + I1, '"id": ' + I2
SKIPPED_ESC = (r'"display_name": "A \"q\" \\ \u00e9\\", '
               r'"raw_affiliation_strings": ["x\\", "\""]')

# (name, authorships text, read by the scanner?)
CASES = [
    ("plain", L(_auth()), True),
    ("empty list", "[]", True),
    ("null", "null", True),
    ("blanks", " [ \t" + _auth() + " ,\r " + _auth(corr="false") + " ] ", True),
    ("no blanks", '[{"author":{"id":' + A1 + '},"countries":["US"]}]', True),
    ("escapes in skipped strings", L(_auth(extra=SKIPPED_ESC)), True),
    ("escape before the institution",
     L(_auth(insts="[" + inst(r'"display_name": "\\\""', ID1, '"country_code": "US"') + "]")),
     True),
    ("unicode in skipped strings", L(_auth(extra='"display_name": "Müller 北京 é"')), True),
    ("huge numbers skipped", L(_auth(extra='"n": 123456789012345678901234567890, '
                                     '"x": -1.5e400, "y": [1e-7, 0, -0]')), True),
    ("deeply nested skipped value", L(_auth(extra='"d": ' + "[" * 70 + "]" * 70)), True),
    ("nested skipped values", L(_auth(extra='"aff": [{"a": [[], {}, [{"b": null}]]}], '
                                      '"t": true, "f": false')), True),
    ("author null", L(_auth(author="null")), True),
    ("author id null", L(_auth(author='{"id": null}')), True),
    ("author without id", L(_auth(author='{"orcid": null}')), True),
    ("author key missing", L(_auth(author=None)), True),
    ("authorship empty", "[{}]", True),
    ("institutions null", L(_auth(insts="null")), True),
    ("institution id null", L(_auth(insts="[" + inst('"id": null', '"country_code": "US"')
                                    + "]")), True),
    ("institution empty", L(_auth(insts="[{}]")), True),
    ("institution fields null", L(_auth(insts="[" + inst(
        ID1, '"country_code": null', '"type": null', '"lineage": null') + "]")), True),
    ("institution with lineage", L(_auth(insts="[" + inst(
        ID2, '"lineage": [' + I2 + ", " + I1 + "]") + "]")), True),
    ("two institutions, no countries", L(_auth(insts="[" + inst(
        ID1, '"country_code": "US"') + ", " + inst(ID2, '"country_code": "CN"') + "]",
        countries="[]")), True),
    ("countries null", L(_auth(countries="null")), True),
    ("two countries", L(_auth(countries='["US", "CN", "US"]')), True),
    ("is_corresponding null", L(_auth(corr="null")), True),
    ("is_corresponding missing", L(_auth(corr=None)), True),
    # routed to the struct decoder (read there, or reported as malformed)
    ("lower-case country", L(_auth(countries='["us"]')), False),
    ("padded country", L(_auth(countries='[" US"]')), False),
    ("escaped country", L(_auth(countries=r'["U\u0053"]')), False),
    ("country of three letters", L(_auth(countries='["USA"]')), False),
    ("non-ASCII country", L(_auth(countries='["ÜS"]')), False),
    ("short author id", L(_auth(author='{"id": "A5"}')), False),
    ("author id of 19 digits", L(_auth(author='{"id": "' + P + 'A1234567890123456789"}')),
     False),
    ("author id of another entity", L(_auth(author='{"id": "' + P + 'I5"}')), False),
    ("institution id with a leading zero", L(_auth(insts='[{"id": "' + P + 'I011"}]')),
     False),
    ("short institution id", L(_auth(insts='[{"id": "I11"}]')), False),
    ("escaped key", L(_auth(author=None, extra=r'"\u0061uthor": {"id": ' + A1 + "}")),
     False),
    ("repeated key", L(_auth(extra='"countries": ["CN"]')), False),
    ("17 institutions", L(_auth(insts="[" + ", ".join([inst(ID1)] * 17) + "]")), False),
    ("17 countries", L(_auth(countries="[" + ", ".join(f'"{chr(65 + k) * 2}"' for k in range(17))
                             + "]")), False),
    # wrong JSON types: the reference reports the line as malformed
    ("countries a string", L(_auth(countries='"US"')), False),
    ("country null", L(_auth(countries="[null]")), False),
    ("is_corresponding 1", L(_auth(corr="1")), False),
    ("is_corresponding a string", L(_auth(corr='"true"')), False),
    ("institutions an object", L(_auth(insts="{}")), False),
    ("institution null", L(_auth(insts="[null]")), False),
    ("institution id a number", L(_auth(insts='[{"id": 11}]')), False),
    ("institution type a list", L(_auth(insts="[" + inst(ID1, '"type": []') + "]")), False),
    ("lineage of numbers", L(_auth(insts="[" + inst(ID1, '"lineage": [1]') + "]")), False),
    ("author a list", L(_auth(author="[]")), False),
    ("author id a number", L(_auth(author='{"id": 1}')), False),
    ("authorship null", "[null]", False),
    ("authorships an object", "{}", False),
    ("authorships a string", '"x"', False),
]


def _line(num, auths, refs=None):
    refs = json.dumps(refs if refs is not None else [f"{P}W{num + 1}"])
    return (f'{{"id": "{P}W{num}", "publication_year": 2020, "type": "article", '
            f'"authorships": {auths}, "referenced_works": {refs}}}').encode()


def _same(a, b):
    assert a.report.to_dict() == b.report.to_dict()
    assert a.contributions.to_pandas().equals(b.contributions.to_pandas())
    assert a.citations.to_pandas().equals(b.citations.to_pandas())


def _write(path, lines):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _both(monkeypatch, *args, **kw):
    """read_openalex(*args, **kw) on the fast paths and on the Python loop (the
    reference): the same result; returns the fast one."""
    fast = read_openalex(*args, **kw)
    real = openalex._consume
    monkeypatch.setattr(openalex, "_consume", lambda *a, **k: real(*a, fast=False))
    slow = read_openalex(*args, **kw)
    monkeypatch.undo()
    _same(fast, slow)
    return fast


def _odd_of(text):
    dec = _json.decoders("work_raw")
    works = dec.decode_lines(_line(1, text) + b"\n")
    scan = openalex._fast.scan_authorships(works)
    return scan.odd == [0]


@pytest.mark.parametrize("name,text,common", CASES, ids=[c[0] for c in CASES])
def test_scanner_reads_or_routes(name, text, common):
    assert _odd_of(text) is (not common)


@pytest.mark.parametrize("name,text,common", CASES, ids=[c[0] for c in CASES])
def test_scanner_equals_struct_decoder(tmp_path, monkeypatch, name, text, common):
    """Every case between common works (one block): the same result either way."""
    lines = [_line(1, L(_auth())), _line(2, text), _line(3, L(_auth(corr="false")))]
    _both(monkeypatch, _write(tmp_path / "w.jsonl", lines), errors="skip")


def test_type_errors_are_reported_at_their_line(tmp_path, monkeypatch):
    """A wrong type in authorships (which the raw decoder does not check) is reported by
    the struct decoder with its line and JSON path, in line order with the other errors."""
    lines = [_line(1, L(_auth())), b'{"id": 5}', _line(3, L(_auth(corr="1"))),
             _line(4, L(_auth())), _line(5, L(_auth()))[:-40],   # truncated
             _line(6, L(_auth(countries="[null]")))]
    fast = _both(monkeypatch, _write(tmp_path / "w.jsonl", lines), errors="skip")
    got = [(m[1], m[2]) for m in fast.report.malformed]
    assert [g[0] for g in got] == [2, 3, 5, 6]
    assert got[1][1] == "$.authorships[0].is_corresponding"
    assert got[3][1] == "$.authorships[0].countries[0]"
    with pytest.raises(DataFormatError) as exc:
        read_openalex(tmp_path / "w.jsonl")
    assert exc.value.line == 2


def test_random_mix_equals_struct_decoder(tmp_path, monkeypatch):
    """Many works, each authorship drawn from the cases, over several blocks and files,
    with n_jobs 1 and 2."""
    rng = np.random.default_rng(7)
    good = [c[1] for c in CASES if c[2]]
    paths = []
    num = 1
    for f in range(2):
        lines = []
        for _ in range(300):
            pool = good if rng.random() < 0.9 else [c[1] for c in CASES]
            k = int(rng.integers(0, 4))
            items = []
            for _ in range(k):
                t = pool[int(rng.integers(len(pool)))].strip()
                if t.startswith("[") and t.endswith("]") and len(t) > 2:
                    items.append(t[1:-1].strip())
            lines.append(_line(num, "[" + ", ".join(items) + "]"))
            num += 1
        p = tmp_path / f"part_{f}.gz"
        with gzip.open(p, "wb") as fh:
            fh.write(b"\n".join(lines) + b"\n")
        paths.append(p)
    fast = _both(monkeypatch, paths, errors="skip", lead="corresponding")
    _same(fast, read_openalex(paths, errors="skip", lead="corresponding", n_jobs=2))
    assert fast.report.records_used > 300


def test_api_pages_are_read_as_structs(tmp_path, monkeypatch):
    page = json.dumps({"meta": {}, "results": [
        {"id": f"{P}W1", "authorships": [{"author": {"id": f"{P}A1"}, "countries": ["US"]}]},
        {"id": f"{P}W2", "authorships": [{"author": {"id": f"{P}A2"}, "countries": ["CN"]}]},
    ]}).encode()
    fast = _both(monkeypatch, _write(tmp_path / "w.jsonl", [_line(3, L(_auth())), page]))
    assert set(fast.contributions.to_pandas()["record"]) == {"W1", "W2", "W3"}


def test_unique_inverse_equals_numpy():
    rng = np.random.default_rng(3)
    for n in (0, 1, 2, 17, 5000):
        for hi in (3, 10**10, 2**62):
            x = rng.integers(0, hi, n).astype(np.int64)
            for step in (7, 1 << 22):
                u, i = openalex._unique_inverse(x, step)
                uu, ii = np.unique(x, return_inverse=True)
                assert np.array_equal(u, uu) and np.array_equal(i, ii.ravel())
    x = np.array([-5, 3, -5, 2**62], np.int64)   # outside the packed range: argsort
    u, i = openalex._unique_inverse(x, 3)
    assert u.tolist() == [-5, 3, 2**62] and i.tolist() == [0, 1, 0, 2]


def test_number_labels():
    nums = np.array([0, 7, 10, 99, 10**17, 2**63 - 1], np.int64)
    assert openalex._number_labels("W", nums) == ["W" + str(n) for n in nums.tolist()]
    assert openalex._number_labels("A", nums[:0]) == []


def test_serial_parts_do_not_see_earlier_parts_institutions(tmp_path):
    """An institution first met in file 1 (with a country) and again in file 2 without
    one: file 2 is read as a worker process reads it — without what file 1 added to the
    institutions table — so n_jobs 1 and 2 give the same locations (they did not)."""
    def line(w, inst, countries):
        return json.dumps({"id": f"{P}W{w}", "publication_year": 2020, "authorships": [
            {"author": {"id": f"{P}A{w}"}, "countries": countries, "institutions": [inst]}]
        }).encode()

    p1, p2 = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    p1.write_bytes(line(1, {"id": f"{P}I2", "country_code": "CN"}, ["CN"]) + b"\n")
    p2.write_bytes(line(2, {"id": f"{P}I2"}, ["US"]) + b"\n")
    one, two = read_openalex([p1, p2], n_jobs=1), read_openalex([p1, p2], n_jobs=2)
    _same(one, two)
    assert one.report.to_dict()["unmatched"]["n_input"] == 2
    df = one.contributions.to_pandas()
    assert sorted(zip(df["record"], df["region"], df["org"])) == \
        [("W1", "CN", "I2"), ("W2", "US", "I2")]


def test_a_work_over_several_lines(tmp_path, monkeypatch):
    """msgspec reads JSON values separated by any blanks, so one work may span lines (a
    fuzz finding: the work handed back to Python was decoded again from the wrong
    line, a raw FieldError). Works handed back or routed are now rebuilt from their raw
    fields, not from line text."""
    head = _line(2, L(_auth()))
    cut = head.index(b', "type"') + 1   # between two members
    for first, third in ((L(_auth()), L(_auth())),
                         (L(_auth(countries='["us"]')), L(_auth(countries='[" US"]')))):
        lines = [_line(1, first), head[:cut], b"", head[cut:], _line(3, third),
                 _line(4, L(_auth()))]
        p = _write(tmp_path / "w.jsonl", lines)
        for kw in ({}, {"merged_ids": {f"{P}W3": f"{P}W5"}}):
            fast = _both(monkeypatch, p, errors="skip", **kw)
            assert fast.report.records_read == 4


def test_mutated_lines_equal_struct_decoder(tmp_path, monkeypatch):
    """A small differential fuzz: byte mutations of real-shaped works (escapes, brackets,
    blanks, ids, codes), one mutated line in a block of valid ones, read by both paths."""
    import random
    from pathlib import Path

    # ../shared beside the project root, as in conftest.py (absent: the cases only)
    sample = Path(__file__).resolve().parents[2] / "shared" / "formats" / \
        "openalex_works_sample.jsonl"
    base = [x for x in sample.read_bytes().splitlines() if x.strip()] if sample.is_file() \
        else []
    base += [_line(i, c[1]) for i, c in enumerate(CASES, start=100) if c[2]]
    tokens = [b'"', b"\\", b'\\"', b"\\\\", b"null", b"[", b"]", b"{", b"}", b",", b":",
              b" ", b"\\u0041", b"1e999", b"true", b'"US"', b'"us"', b'"' + P.encode() + b'I0"',
              b'"' + P.encode() + b'A12"', "é".encode(), b"\xff", b'"countries"',
              b'"author"', b'"id"', b'"institutions"', b'"is_corresponding"']
    rng = random.Random(5)

    def mutate(line):
        b = bytearray(line)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(b) + 1)
            if rng.random() < 0.3 and len(b):
                del b[pos:pos + rng.randint(1, 6)]
            else:
                b[pos:pos] = rng.choice(tokens)
        return bytes(b).replace(b"\n", b" ")

    for _ in range(300):
        lines = [rng.choice(base) for _ in range(6)]
        lines[rng.randrange(6)] = mutate(rng.choice(base))
        _both(monkeypatch, _write(tmp_path / "w.jsonl", lines), errors="skip")


@pytest.mark.parametrize("countries", ['["US"]', '["US", "CN"]', '["us"]'])
def test_institution_number_beyond_a_location_code(tmp_path, monkeypatch, countries):
    """An institution number whose location code (number * 1024 + country) does not fit
    int64 is malformed on every path (the compiled loops wrapped it around silently —
    a differential fuzz finding); one just below is read."""
    big, ok = 2**53, 2**53 - 1
    def one(num):
        return inst(f'"id": "{P}I{num}"', '"country_code": "US"')

    lines = [_line(1, L(_auth(insts=f"[{one(big)}]", countries=countries))),
             _line(2, L(_auth(insts=f"[{one(ok)}]", countries=countries))),
             _line(3, L(_auth(insts=f"[{inst(ID1)}, {one(big)}]", countries=countries)))]
    fast = _both(monkeypatch, _write(tmp_path / "w.jsonl", lines), errors="skip")
    assert [(m[1], m[2]) for m in fast.report.malformed] == [(1, "id"), (3, "id")]
    assert f"I{ok}" in set(fast.contributions.to_pandas()["org"])
