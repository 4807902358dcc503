"""Byte-mutation fuzzer for every reader (issue 19, item 11).

Each execution takes one synthetic sample input (``tests/data/formats``), mutates the
bytes of one of its files (flip, insert a token, delete, duplicate or cut a range,
swap lines, replace a year-like number, gzip it and maybe damage the gzip), runs the
reader on it with ``errors`` drawn from ``"raise"`` and ``"skip"``, and checks:

* no exception other than ecosystem's own (:class:`~ecosystem.EcosystemError`);
* a :class:`~ecosystem.DataFormatError` about the input names its file;
* on success: ``records_read == records_used + records_skipped``, weights finite and
  non-negative, years -1 or in ``YEAR_MIN..YEAR_MAX``, every malformed example located
  (a file name).

Anything else is a finding: its signature (exception type and innermost ecosystem
frame) is counted, and the first input of each signature is saved.

Short run (the default test suite runs one through ``tests/test_fuzz_readers.py``)::

    python tests/fuzz_readers.py --execs 2000

Long run (the figures quoted in docs/user_guide/reliability.rst)::

    nice -n 10 python tests/fuzz_readers.py --seconds 3600 --jobs 2 --out fuzz-findings

The run is reproducible: execution ``i`` of worker ``w`` uses the seed ``(seed, w, i)``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMATS = HERE / "data" / "formats"
try:
    import ecosystem  # noqa: F401  (installed, or on PYTHONPATH)
except ImportError:   # run as a script from a source checkout built in place
    # Only then: a source tree on sys.path is passed on to spawned processes (e.g. Dask
    # workers started later in the same test session), where its unbuilt core fails.
    sys.path.insert(0, str(HERE.parent / "src"))

import numpy as np  # noqa: E402

import ecosystem as eco  # noqa: E402
from ecosystem.contributions import YEAR_MAX, YEAR_MIN  # noqa: E402

TOKENS = [b"\n", b"\r\n", b"\r", b'"', b'""', b"\t", b"|", b",", b";", b"\xff", b"\xe9",
          b"\xef\xbb\xbf", b"\x00", b"1e400", b"inf", b"nan", b"-1", b"99999999999999999999",
          b"4294969302", b"\xc2\xb2", b"ER\n", b"PT J\n", b"VR 1.0\n   x\n", b"EF\n",
          b"FN x\n", b"\x1f\x8b", b"{", b"}", b"[", b"]", b'"id": null', b"null",
          b'"publication_year": 3000000000', b"https://openalex.org/W",
          b"https://openalex.org/A99999999999999999999", b" " * 3, b"Y" * 140_000]


# --------------------------------------------------------------------------- targets


def _targets():
    """name -> (files to mutate, function(path-of-copy, errors) -> ReadResult)."""
    F = FORMATS
    regions = eco.regions.countries()

    def folder(name, call):
        files = sorted(p.name for p in (F / name).iterdir())
        return ("folder", name, files, call)

    return {
        "openalex_works": ("file", "openalex_works_sample.jsonl", None,
                           lambda p, e: eco.read_openalex(p, regions=regions, errors=e)),
        "openalex_page": ("file", "openalex_api_page_sample.json", None,
                          lambda p, e: eco.read_openalex(p, regions=regions, errors=e)),
        "openalex_institutions": ("file", "openalex_institutions_sample.jsonl", None,
                                  lambda p, e: eco.read_openalex(
                                      F / "openalex_works_sample.jsonl", p, regions=regions,
                                      errors=e)),
        "openalex_authors": ("file", "openalex_authors_sample.jsonl", None,
                             lambda p, e: eco.read_openalex(
                                 F / "openalex_works_sample.jsonl", authors=p, regions=regions,
                                 errors=e)),
        "patentsview": folder("patentsview_sample",
                              lambda d, e: eco.read_patentsview(d, regions=regions, errors=e)),
        "regpat": folder("regpat_sample",
                         lambda d, e: eco.read_regpat(d, regions=regions, errors=e)),
        "regpat_reg_code": folder("regpat_sample",
                                  lambda d, e: eco.read_regpat(d, regions="reg_code", errors=e)),
        "wos_plain": ("file", "wos_sample.txt", None,
                      lambda p, e: eco.read_wos(p, regions=regions, errors=e)),
        "wos_tab": ("file", "wos_sample_tab.txt", None,
                    lambda p, e: eco.read_wos(p, regions=regions, errors=e)),
        "scopus": ("file", "scopus_sample.csv", None,
                   lambda p, e: eco.read_scopus(p, regions=regions, errors=e)),
        "scopus_legacy": ("file", "scopus_sample_legacy.csv", None,
                          lambda p, e: eco.read_scopus(p, regions=regions, errors=e)),
        "records": ("records", None, None,
                    lambda p, e: eco.read_records(p, regions=regions, errors=e)),
        "openalex_web_csv": ("file", "openalex_web_export_sample.csv", None,
                             lambda p, e: eco.read_openalex(p, regions=regions, errors=e)),
        "bibliometrix": ("file", "bibliometrix_sample.csv", None,
                         lambda p, e: eco.read_bibliometrix(p, regions=regions, errors=e)),
    }


def _io_targets():
    """The shared input layer alone (every table reader uses it): ~100x cheaper per run.

    name -> (kind, sample, files, function(path, errors) -> IoResult).
    """
    F = FORMATS
    pv = sorted(p.name for p in (F / "patentsview_sample").iterdir())
    rp = sorted(p.name for p in (F / "regpat_sample").iterdir())
    return {
        "io_table_patentsview": ("folder-file", "patentsview_sample", pv,
                                 lambda p, e: _io_table(p, "\t", e)),
        "io_table_regpat": ("folder-file", "regpat_sample", rp,
                            lambda p, e: _io_table(p, "|", e)),
        "io_table_records": ("records", None, None, lambda p, e: _io_table(p, ",", e)),
        "io_blocks_openalex": ("file", "openalex_works_sample.jsonl", None, _io_blocks),
    }


class _IoResult:
    """What the io-layer targets return: the problems found (empty when consistent)."""

    def __init__(self, problems):
        self.problems = problems


def _io_table(path, sep, errors):
    """read_table on its own, through both paths (pandas fast path and csv careful path).

    Differential check: both paths must keep the same rows at the same physical lines
    and report the same problems; line numbers increase; every bad row counted once.
    """
    from ecosystem.readers import _io
    from ecosystem.readers._io import iter_text_lines, read_header, read_table
    from ecosystem.readers._report import Policy, ReadReport

    def once(fast):
        _io._FAST = fast
        try:
            rep = ReadReport("io")
            pol = Policy("io", errors, rep)
            header = read_header(path, iter_text_lines(path, pol), sep=sep, policy=pol)
            if header is None:
                return None
            names = [h.strip().strip('"').lower() for h in header]
            req = list(dict.fromkeys(n for n in names if n))[:3]
            if not req:
                return None
            try:
                parts = list(read_table(path, sep=sep, required=req, policy=pol, chunksize=5))
            except eco.DataFormatError as exc:
                return ("error", exc)
            return (req, parts, dict(rep.skipped), [m[:2] for m in rep.malformed],
                    rep.records_read)
        finally:
            _io._FAST = True

    fast = once(True)
    careful = once(False)
    def key(r):
        return r if r is None or r[0] != "error" else ("error", str(r[1]))

    if fast is None or careful is None or fast[0] == "error" or careful[0] == "error":
        if key(fast) != key(careful):
            return _IoResult([f"paths differ: {str(key(fast))[:80]} / {str(key(careful))[:80]}"])
        if fast is not None and fast[0] == "error":
            raise fast[1]   # an accepted, typed outcome
        return _IoResult([])
    req, parts, skipped, malformed, read = fast
    problems, last = [], 0
    for lines, df in parts:
        if len(lines) != len(df) or list(df.columns) != req:
            problems.append("rows and line numbers differ")
        if len(lines) and ((np.diff(lines) <= 0).any() or lines[0] <= last):
            problems.append("line numbers not increasing")
        if df.isna().any().any():
            problems.append("missing cells in a kept row")
        last = int(lines[-1]) if len(lines) else last
    if read != sum(skipped.values()):   # units only: every bad row counted once
        problems.append("bad rows not counted once")
    lf = [int(x) for a, _ in parts for x in a]
    lc = [int(x) for a, _ in careful[1] for x in a]
    if lf != lc or skipped != careful[2] or malformed != careful[3]:
        problems.append("fast and careful paths differ (lines or reports)")
    else:
        import pandas as pd

        a = pd.concat([d for _, d in parts], ignore_index=True) if parts else None
        b = pd.concat([d for _, d in careful[1]], ignore_index=True) if careful[1] else None
        if (a is None) != (b is None) or (a is not None and not a.equals(b)):
            problems.append("fast and careful paths differ (cells)")
    return _IoResult(problems)


def _io_blocks(path, errors):
    from ecosystem.readers._io import iter_line_blocks
    from ecosystem.readers._report import Policy, ReadReport

    pol = Policy("io", errors, ReadReport("io"))
    problems, expect = [], 1
    for line0, buf in iter_line_blocks(path, pol, block=4096):
        if line0 != expect:
            problems.append(f"block starts at line {line0}, expected {expect}")
        expect = line0 + buf.count(b"\n")
    return _IoResult(problems)


def _records_sample(rng):
    """A read_records CSV: the columns of a row table, some optional ones."""
    cols = ["record", "actor", "country"] + [c for c in ("year", "weight", "lead", "org")
                                              if rng.random() < 0.6]
    rows = [",".join(cols)]
    for i in range(rng.randint(1, 30)):
        vals = {"record": f"r{i // 2}", "actor": f"a{i}", "country": rng.choice(
            ["US", "CN", "DE", "HK", "JP", ""]), "year": str(rng.choice([2019, 2020, 2021, ""])),
            "weight": rng.choice(["1", "0.5", "0.25"]), "lead": rng.choice(["1", "0", "true"]),
            "org": rng.choice(["Univ A", '"Univ, B"', ""])}
        rows.append(",".join(vals[c] for c in cols))
    return ("\n".join(rows) + "\n").encode()


# --------------------------------------------------------------------------- mutation


def mutate(data, rng):
    """1-4 random byte mutations of ``data``."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(9)
        n = len(b)
        if op == 0 and n:                                   # flip a byte
            b[rng.randrange(n)] = rng.randrange(256)
        elif op == 1:                                       # insert a token
            i = rng.randint(0, n)
            tok = rng.choice(TOKENS)
            b[i:i] = tok
        elif op == 2 and n:                                 # delete a range
            i = rng.randrange(n)
            del b[i:i + rng.randint(1, 64)]
        elif op == 3 and n:                                 # duplicate a range
            i = rng.randrange(n)
            j = min(n, i + rng.randint(1, 400))
            b[j:j] = b[i:j]
        elif op == 4:                                       # truncate
            del b[rng.randint(0, n):]
        elif op == 5:                                       # swap or duplicate lines
            lines = bytes(b).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                if rng.random() < 0.5:
                    lines[i], lines[j] = lines[j], lines[i]
                else:
                    lines.insert(j, lines[i])
                b = bytearray(b"\n".join(lines))
        elif op == 6:                                       # a year-like number
            s = bytes(b)
            k = s.find(b"20", rng.randint(0, max(n - 1, 0)))
            if k >= 0:
                b[k:k + 4] = rng.choice([b"3000000000", b"1e20", b"inf", b"0", b"-5",
                                         b"20\xc2\xb2", b"99999999999999999999999", b"2O2O"])
        elif op == 7 and n:                                 # cut a line short
            s = bytes(b)
            k = s.find(b"\n", rng.randrange(n))
            if k > 0:
                del b[max(0, k - rng.randint(1, 30)):k]
        elif op == 8:                                       # blank lines
            i = rng.randint(0, n)
            b[i:i] = b"\n" * rng.randint(1, 3)
    return bytes(b)


def maybe_gzip(name, data, rng):
    """(name, data): sometimes gzip-compressed, and sometimes the gzip damaged."""
    if rng.random() >= 0.15:
        return name, data
    z = gzip.compress(data, compresslevel=1)
    r = rng.random()
    if r < 0.3:
        z = z[: rng.randint(0, len(z))]
    elif r < 0.5 and len(z) > 20:
        i = rng.randrange(10, len(z))
        z = z[:i] + bytes([rng.randrange(256)]) + z[i + 1:]
    elif r < 0.6:
        z = z + z                                               # two members
    return name + ".gz", z


# --------------------------------------------------------------------------- checks


def check_result(res):
    """Problems of a successful read (empty list when the result is consistent)."""
    r = res.report
    out = []
    if r.records_read != r.records_used + r.records_skipped:
        out.append(f"count invariant: read {r.records_read} != used {r.records_used} + "
                   f"skipped {r.records_skipped} ({dict(r.skipped)})")
    c = res.contributions
    if len(c):
        if not np.isfinite(c.weight).all() or (c.weight < 0).any():
            out.append("weights not finite and non-negative")
        y = c.year
        if ((y != -1) & ((y < YEAR_MIN) | (y > YEAR_MAX))).any():
            out.append(f"year out of range: {sorted(set(y.tolist()))[:5]}")
    for m in r.malformed:
        if not m[0]:
            out.append(f"malformed example without a file: {m}")
            break
    return out


def signature(exc):
    """Exception type + innermost frame inside ecosystem (else the innermost frame)."""
    tb = traceback.extract_tb(exc.__traceback__)
    frames = [f for f in tb if "ecosystem" in f.filename] or tb
    f = frames[-1] if frames else None
    where = f"{Path(f.filename).name}:{f.lineno}" if f else "?"
    return f"{type(exc).__name__} at {where}"


# --------------------------------------------------------------------------- runner


def run(execs=None, seconds=None, seed=0, worker=0, targets=None, out=None, log_every=0):
    """Run the fuzzer; returns a summary dict.

    Parameters
    ----------
    execs : int, optional
        Stop after this many executions.
    seconds : float, optional
        Stop after this many seconds.
    seed, worker : int
        Execution ``i`` uses ``random.Random(f"{seed}-{worker}-{i}")``.
    targets : list of str, optional
        Reader targets (default all).
    out : path, optional
        Folder for the first input of every finding.
    """
    from ecosystem import DataFormatError, EcosystemError

    all_targets = {**_targets(), **_io_targets()}
    names = list(targets or _targets())
    shm = Path("/dev/shm")   # a memory file system where there is one: no disk I/O per run
    work = Path(tempfile.mkdtemp(prefix="eco-fuzz-", dir=shm if shm.is_dir() else None))
    counts = Counter()
    findings = Counter()
    examples = {}
    t0 = time.perf_counter()
    i = 0
    try:
        while True:
            if execs is not None and i >= execs:
                break
            if seconds is not None and time.perf_counter() - t0 >= seconds:
                break
            rng = random.Random(f"{seed}-{worker}-{i}")
            name = names[i % len(names)]
            kind, src, files, call = all_targets[name]
            case = work / f"c{i % 4}"
            if case.exists():
                shutil.rmtree(case)
            case.mkdir()
            if kind == "folder-file":
                victim = rng.choice(files)
                vname, data = maybe_gzip(victim, mutate((FORMATS / src / victim).read_bytes(),
                                                        rng), rng)
                target = case / vname
                target.write_bytes(data)
            elif kind == "folder":
                shutil.copytree(FORMATS / src, case / src)
                for p in (case / src).iterdir():
                    os.chmod(p, 0o644)
                victim = rng.choice(files)
                data = mutate((FORMATS / src / victim).read_bytes(), rng)
                (case / src / victim).unlink()
                vname, data = maybe_gzip(victim, data, rng)   # .tsv.gz / .txt.gz are read
                (case / src / vname).write_bytes(data)
                target = case / src
            else:
                raw = _records_sample(rng) if kind == "records" else (FORMATS / src).read_bytes()
                base = "records.csv" if kind == "records" else src
                vname, data = maybe_gzip(base, mutate(raw, rng), rng)
                target = case / vname
                target.write_bytes(data)
            errors = rng.choice(("raise", "skip"))
            outcome = None
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = call(target, errors)
                problems = res.problems if isinstance(res, _IoResult) else check_result(res)
                if problems:
                    outcome = ("inconsistent", problems[0])
                else:
                    counts["ok"] += 1
            except DataFormatError as exc:
                if exc.path is None:
                    outcome = ("unlocated DataFormatError", str(exc)[:120])
                else:
                    counts["DataFormatError"] += 1
            except EcosystemError as exc:
                counts[type(exc).__name__] += 1
            except Exception as exc:  # noqa: BLE001 - the point of the fuzzer
                outcome = ("raw", signature(exc))
            if outcome is not None:
                key = f"{name}: {outcome[0]}: {outcome[1]}"
                findings[key] += 1
                if key not in examples:
                    examples[key] = {"exec": i, "errors": errors, "target": name}
                    if out is not None:
                        dest = Path(out) / f"finding-{len(examples):03d}-{name}"
                        shutil.copytree(case, dest, dirs_exist_ok=True)
                        (dest / "finding.json").write_text(json.dumps(
                            {"key": key, "exec": i, "seed": seed, "worker": worker,
                             "errors": errors}, indent=1))
            counts[f"target {name}"] += 1
            i += 1
            if log_every and i % log_every == 0:
                el = time.perf_counter() - t0
                print(f"[worker {worker}] {i} execs, {i / el:.0f}/s, findings "
                      f"{sum(findings.values())}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"executions": i, "seconds": round(time.perf_counter() - t0, 1),
            "outcomes": dict(counts), "findings": dict(findings), "examples": examples,
            "seed": seed, "worker": worker}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--execs", type=int, default=None, help="executions per worker")
    ap.add_argument("--seconds", type=float, default=None, help="time limit per worker")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--targets", nargs="*", default=None,
                    help="reader targets (default: every reader, also 'all'); 'io' adds or "
                         "selects the input-layer targets")
    ap.add_argument("--out", default=None, help="folder for the inputs of findings")
    ap.add_argument("--summary", default=None, help="write the summary JSON here")
    ap.add_argument("--log-every", type=int, default=5000)
    args = ap.parse_args(argv)
    if args.execs is None and args.seconds is None:
        args.execs = 2000
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    targets = args.targets
    if targets and "all" in targets:   # every reader (the default), with what else is named
        targets = list(_targets()) + [t for t in targets if t != "all"]
    if targets and "io" in targets:
        targets = [t for t in targets if t != "io"] + list(_io_targets())
    kw = dict(execs=args.execs, seconds=args.seconds, seed=args.seed, targets=targets,
              out=args.out, log_every=args.log_every)
    if args.jobs == 1:
        results = [run(worker=0, **kw)]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.jobs) as ex:
            futs = [ex.submit(run, worker=w, **kw) for w in range(args.jobs)]
            results = [f.result() for f in futs]
    total = {"executions": sum(r["executions"] for r in results),
             "seconds": max(r["seconds"] for r in results), "outcomes": Counter(),
             "findings": Counter(), "workers": len(results), "seed": args.seed}
    for r in results:
        total["outcomes"].update(r["outcomes"])
        total["findings"].update(r["findings"])
    total["outcomes"] = dict(total["outcomes"])
    total["findings"] = dict(total["findings"])
    text = json.dumps(total, indent=1, sort_keys=True)
    print(text)
    if args.summary:
        Path(args.summary).write_text(text)
    return 1 if total["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
