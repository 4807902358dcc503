"""read_openalex: the compiled common path equals the Python loop; n_jobs changes nothing.

The works here are drawn to hit every branch of the works loop: canonical and short ids,
upper- and lower-case prefixes, authors without id, merged authors and works, several
institutions (with and without id or country) and countries (lower case, padded,
repeated), corresponding flags, citations of every shape (self-citations, merged and
short ids, ``null``), excluded types, truncated and hyper-authored author lists, and
malformed records (bad ids, years out of range, wrong JSON types, broken lines).
"""

import gzip
import json

import numpy as np
import pytest

from ecosystem.exceptions import DataFormatError, InputTypeError, ParameterError
from ecosystem.readers import openalex, read_openalex

P = "https://openalex.org/"
COUNTRIES = ["US", "CN", "GB", "DE", "HK", "MO", "JP", "FR"]


def _inst(rng, n_inst=40):
    i = int(rng.integers(n_inst))
    inst = {"id": f"{P}I{100 + i}", "display_name": f"Inst {i}", "type":
            ["education", "company", "facility", "government"][i % 4]}
    if i % 9 != 0:   # some institutions without a country in the work's copy
        inst["country_code"] = COUNTRIES[i % len(COUNTRIES)]
    if i % 5 == 0:   # a unit with a parent
        inst["lineage"] = [inst["id"], f"{P}I{100 + (i + 7) % n_inst}"]
    if i == 13 and rng.random() < 0.5:   # the same institution, another country
        inst["country_code"] = "FR"
    return inst


def _work(rng, num, bad=False):
    n_auth = int(rng.choice([0, 1, 2, 3, 5, 8, 130], p=[.04, .2, .25, .2, .2, .1, .01]))
    auths = []
    for j in range(n_auth):
        u = rng.random()
        author = {"id": f"{P}A{int(rng.integers(60))}"}
        if u < 0.04:
            author = None
        elif u < 0.07:
            author = {"id": None}
        elif u < 0.10:
            author = {"id": f"a{int(rng.integers(60))}"}      # short, lower case
        k = int(rng.choice([0, 1, 1, 1, 2, 3]))
        insts = [_inst(rng) for _ in range(k)]
        if k and rng.random() < 0.05:
            insts[0] = {"id": None, "country_code": "US"}
        v = rng.random()
        if v < 0.6:
            ctrs = sorted({x["country_code"] for x in insts if x.get("country_code")})
        elif v < 0.7:
            ctrs = []
        elif v < 0.8:
            ctrs = [" us", "US", "cn "][: int(rng.integers(1, 4))]
        else:
            ctrs = [COUNTRIES[int(rng.integers(len(COUNTRIES)))]]
        auths.append({"author_position": "first" if j == 0 else "middle", "author": author,
                      "institutions": insts, "countries": ctrs,
                      "is_corresponding": bool(rng.random() < 0.3) if rng.random() < .8
                      else None, "raw_affiliation_strings": ["x, y"]})
    refs = [f"{P}W{int(rng.integers(1, 400))}" for _ in range(int(rng.integers(0, 6)))]
    r = rng.random()
    if r < 0.05:
        refs = refs + [f"W{num}"]                               # self-citation, short
    elif r < 0.08:
        refs = [x.replace(P + "W", P + "w") for x in refs]
    w = {"id": f"{P}W{num}", "doi": None, "title": f"work {num}",
         "publication_year": int(rng.integers(1990, 2024)) if rng.random() < .95 else None,
         "type": "paratext" if rng.random() < 0.03 else "article",
         "authorships": auths, "referenced_works": refs,
         "is_authors_truncated": bool(rng.random() < 0.05)}
    if rng.random() < 0.03:
        w["referenced_works"] = None
    if rng.random() < 0.03:
        w["id"] = f"W{num}"                                     # short work id
    if rng.random() < 0.02:
        w["is_paratext"] = True
    if bad:
        kind = int(rng.integers(5))
        if kind == 0:
            w["publication_year"] = 99999
        elif kind == 1 and auths and auths[0]["author"]:
            auths[0]["author"]["id"] = f"{P}I5"
        elif kind == 2:
            w["id"] = f"{P}X{num}"
        elif kind == 3:
            w["referenced_works"] = [f"{P}A1"]
        else:
            return b'{"id": "' + f"{P}W{num}".encode() + b'", "authorships": 5}'
    return json.dumps(w).encode()


def _files(tmp_path, seed=0, n_files=3, per_file=400, bad_rate=0.0, broken=False):
    rng = np.random.default_rng(seed)
    paths = []
    num = 1
    for f in range(n_files):
        lines = []
        for _ in range(per_file):
            lines.append(_work(rng, num, bad=rng.random() < bad_rate))
            num += 1 if rng.random() > 0.02 else 0               # some duplicate ids
        if broken:
            lines.insert(len(lines) // 2, b'{"id": "https://openalex.org/W1", "authorsh')
            lines.insert(3, b"")
        p = tmp_path / f"part_{f:03d}.gz"
        with gzip.open(p, "wb") as fh:
            fh.write(b"\n".join(lines) + b"\n")
        paths.append(p)
    return paths


MERGED = {f"{P}W7": f"{P}W8", f"{P}W9": None, f"{P}A3": f"{P}A4", f"{P}I105": f"{P}I106"}


def _same(a, b):
    assert a.report.to_dict() == b.report.to_dict()
    ca, cb = a.contributions, b.contributions
    assert ca.to_pandas().equals(cb.to_pandas())
    for name in ("record_labels", "actor_labels", "org_labels", "region_labels"):
        if hasattr(ca, name):
            assert tuple(getattr(ca, name)) == tuple(getattr(cb, name))
    if a.citations is None:
        assert b.citations is None
    else:
        assert a.citations.to_pandas().equals(b.citations.to_pandas())
    if a.moves is None:
        assert b.moves is None
    else:
        assert a.moves.equals(b.moves)


def _python_loop(monkeypatch):
    real = openalex._consume
    monkeypatch.setattr(openalex, "_consume", lambda *a, **k: real(*a, fast=False))


@pytest.mark.parametrize("kw", [
    {},
    {"lead": "first", "channel": "auto", "max_authors": 4},
    {"lead": None, "merged_ids": MERGED, "exclude_types": ()},
    {"channel": "academic", "citations": False, "max_authors": None, "mobility": "works"},
])
def test_compiled_loop_equals_python_loop(tmp_path, monkeypatch, kw):
    paths = _files(tmp_path, seed=len(kw), bad_rate=0.03, broken=True)
    calls = []
    real = openalex._fast.consume_works

    def counting(works, k0, *rest):
        out = real(works, k0, *rest)
        calls.append(out[0] - k0)
        return out

    monkeypatch.setattr(openalex._fast, "consume_works", counting)
    fast = read_openalex(paths, errors="skip", **kw)
    assert sum(calls) > 0.6 * fast.report.records_read   # the compiled path did the work
    monkeypatch.undo()
    _python_loop(monkeypatch)
    slow = read_openalex(paths, errors="skip", **kw)
    _same(fast, slow)
    r = fast.report
    assert r.records_read == r.records_used + r.records_skipped
    assert r.skipped["malformed"] > 0 and r.skipped["duplicate id"] > 0


def test_compiled_loop_raises_the_same_error(tmp_path, monkeypatch):
    paths = _files(tmp_path, seed=5, bad_rate=0.02)
    with pytest.raises(DataFormatError) as fast:
        read_openalex(paths)
    _python_loop(monkeypatch)
    with pytest.raises(DataFormatError) as slow:
        read_openalex(paths)
    assert str(fast.value) == str(slow.value)
    assert (fast.value.path, fast.value.line, fast.value.field) == \
        (slow.value.path, slow.value.line, slow.value.field)


def test_canonical_citations_are_read_by_the_compiled_parser(tmp_path, monkeypatch):
    """Spaces, short ids and lower-case letters: the same links on both paths."""
    lines = [json.dumps({"id": f"{P}W{i}", "publication_year": 2020,
                         "authorships": [{"author": {"id": f"{P}A1"}, "countries": ["US"]}],
                         "referenced_works": refs}).encode()
             for i, refs in enumerate([[f"{P}W5", "W6", "w7"], [], [f"{P}W{10**17}"],
                                       [f"{P}W{10**18}"], None, [f"{P}W1"]], start=1)]
    lines.append(b'{"id": "https://openalex.org/W9", "authorships": [], '
                 b'"referenced_works": [ "W1" , "https://openalex.org/W2" ] }')
    p = tmp_path / "w.jsonl"
    p.write_bytes(b"\n".join(lines) + b"\n")
    fast = read_openalex(p)
    _python_loop(monkeypatch)
    slow = read_openalex(p)
    _same(fast, slow)
    got = fast.citations.to_pandas()[["citing", "cited"]].values.tolist()
    assert ["W1", "W5"] in got and ["W1", "W7"] in got and ["W9", "W2"] in got
    assert ["W3", f"W{10**17}"] in got and ["W4", f"W{10**18}"] in got


@pytest.mark.parametrize("errors", ["skip", "raise"])
def test_n_jobs_gives_identical_results(tmp_path, errors):
    bad = 0.02 if errors == "skip" else 0.0
    paths = _files(tmp_path, seed=11, n_files=4, per_file=300, bad_rate=bad,
                   broken=errors == "skip")
    kw = dict(errors=errors, merged_ids=MERGED, mobility="works")
    one = read_openalex(paths, n_jobs=1)if errors == "raise" else read_openalex(paths, **kw)
    two = read_openalex(paths, n_jobs=2) if errors == "raise" else \
        read_openalex(paths, n_jobs=2, **kw)
    _same(one, two)
    assert one.report.files == [str(p) for p in paths]
    if errors == "skip":
        assert one.report.skipped["malformed"] > 4
        assert [m[:2] for m in one.report.malformed] == [m[:2] for m in two.report.malformed]
    ca, cb = one.contributions, two.contributions
    for col in ("record", "actor", "region", "org", "weight", "lead", "year", "channel"):
        if hasattr(ca, col):
            assert np.array_equal(getattr(ca, col), getattr(cb, col))


def test_n_jobs_raises_the_first_error_in_file_order(tmp_path):
    paths = _files(tmp_path, seed=3, n_files=3, per_file=200)
    lines = gzip.open(paths[2]).read().splitlines()
    lines[5] = b'{"id": 5}'                               # an error in the last file ...
    with gzip.open(paths[2], "wb") as fh:
        fh.write(b"\n".join(lines) + b"\n")
    lines = gzip.open(paths[1]).read().splitlines()
    lines[150] = b'{"id": "https://openalex.org/W1", "publication_year": 3000}'  # ... and here
    with gzip.open(paths[1], "wb") as fh:
        fh.write(b"\n".join(lines) + b"\n")
    errors = []
    for n_jobs in (None, 2):
        with pytest.raises(DataFormatError) as exc:
            read_openalex(paths, n_jobs=n_jobs)
        errors.append(exc.value)
    assert errors[0].path == str(paths[1]) and errors[0].line == 151
    assert str(errors[0]) == str(errors[1])
    assert (errors[1].path, errors[1].line, errors[1].field) == \
        (errors[0].path, errors[0].line, errors[0].field)


def test_n_jobs_is_checked(tmp_path):
    paths = _files(tmp_path, n_files=1, per_file=5)
    with pytest.raises(ParameterError, match="n_jobs"):
        read_openalex(paths, n_jobs=0)
    with pytest.raises(InputTypeError, match="n_jobs"):
        read_openalex(paths, n_jobs="2")
    a, b = read_openalex(paths, n_jobs=-1), read_openalex(paths, n_jobs=2 ** 40)
    _same(a, b)


def test_a_file_is_read_on_its_own(tmp_path):
    """An institution first met in file 2 with another country than in file 1: each file
    uses its own copy (what a worker process sees), whatever n_jobs."""
    def line(w, country):
        return json.dumps({"id": f"{P}W{w}", "publication_year": 2020, "authorships": [
            {"author": {"id": f"{P}A1"}, "countries": [],
             "institutions": [{"id": f"{P}I1", "country_code": country}]}]}).encode()

    p1, p2 = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    p1.write_bytes(line(1, "US") + b"\n")
    p2.write_bytes(line(2, "CN") + b"\n")
    for n_jobs in (1, 2):
        df = read_openalex([p1, p2], n_jobs=n_jobs).contributions.to_pandas()
        assert dict(zip(df["record"], df["region"])) == {"W1": "US", "W2": "CN"}


def test_positions_of_sorted_and_random_needles():
    """The cache-friendly look-up (sorted slices of needles) equals a plain searchsorted."""
    rng = np.random.default_rng(2)
    values = np.unique(rng.integers(0, 10**12, 200_000))
    pos = openalex._Positions(values)
    for needles in (values[rng.integers(0, len(values), 50_000)],
                    np.sort(values[rng.integers(0, len(values), 50_000)]), values):
        got = pos(needles, step=1 << 14)
        assert np.array_equal(got, np.searchsorted(values, needles))
