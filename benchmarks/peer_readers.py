"""Side-by-side: ecosystem.read_openalex vs the usual hand-written readers, at scale.

A seeded synthetic OpenAlex snapshot (``openalex_workload.py``: works in the shape of the
sample files, gzip JSON Lines in ``updated_date=`` partitions, plus institutions) is
written to a temporary folder, read by each job in its own subprocess, then deleted.
Per job: wall time, CPU time of the process (``works / CPU-second`` is the per-core
rate; the machine may be shared), peak resident memory (``ru_maxrss`` of the child) and
what came out.

Jobs:

* ``ecosystem`` — ``read_openalex(works_folder, institutions)`` with msgspec (typed,
  partial decoding), the compiled works loop and ISA-L gzip when installed, one process;
* ``ecosystem-n2`` — the same with ``n_jobs=2`` (partitions decoded in two worker
  processes; CPU time includes the workers');
* ``ecosystem-orjson`` — the same reader with its fallback decoder (orjson + checks);
* ``naive-orjson`` — the script users write: ``gzip.open``, ``orjson.loads`` per line,
  Python lists of (work, author, country) rows, ``Contributions.from_pandas``; no
  institutions join, no citations, no error accounting;
* ``naive-json`` — the same with the standard ``json`` module;
* ``gzip-only`` — inflation of every partition and nothing else (the floor of any reader
  of these files; ISA-L when installed, as the reader uses).

    python benchmarks/peer_readers.py --works 400000 --partition 100000   # all jobs
    python benchmarks/peer_readers.py --works 5000000 --jobs ecosystem
    python benchmarks/peer_readers.py --data DIR --jobs ecosystem      # reuse a snapshot
"""

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
if (HERE.parent / "src" / "ecosystem").is_dir():  # a source checkout: use it
    sys.path.insert(0, str(HERE.parent / "src"))

JOBS = ("ecosystem", "ecosystem-n2", "ecosystem-orjson", "naive-orjson", "naive-json",
        "gzip-only")


def _naive(folder, loads):
    import gzip

    import pandas as pd

    import ecosystem as eco

    rec, act, reg, lead = [], [], [], []
    n = 0
    for path in sorted(Path(folder).rglob("*.gz")):
        with gzip.open(path, "rb") as fh:
            for line in fh:
                if not line.strip():
                    continue
                w = loads(line)
                n += 1
                auths = w.get("authorships") or []
                for i, a in enumerate(auths):
                    aid = (a.get("author") or {}).get("id")
                    for c in a.get("countries") or []:
                        rec.append(w["id"])
                        act.append(aid)
                        reg.append(c)
                        lead.append(bool(a.get("is_corresponding")))
    df = pd.DataFrame({"record": rec, "actor": act, "region": reg, "lead": lead})
    del rec, act, reg, lead
    c = eco.Contributions.from_pandas(df, lead="lead")
    return n, len(c), 0


def _gzip_only(folder):
    """Inflate every partition; (lines, bytes) of JSON."""
    from ecosystem.readers._io import count_newlines, iter_chunks

    lines = nbytes = 0
    for path in sorted(Path(folder).rglob("*.gz")):
        for chunk in iter_chunks(path):
            lines += count_newlines(chunk)
            nbytes += len(chunk)
    return lines, nbytes


def _children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_job(job, data):
    t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
    if job == "gzip-only":
        n, nbytes = _gzip_only(Path(data) / "works")
        rows = links = 0
        extra = {"json_bytes": nbytes}
    elif job.startswith("ecosystem"):
        from ecosystem.readers import read_openalex

        if job == "ecosystem-orjson":
            from ecosystem.readers import _json

            real = _json.decoders
            _json.decoders = lambda kind, use_msgspec=None: real(kind, False)
        res = read_openalex(Path(data) / "works", Path(data) / "institutions.jsonl.gz",
                            progress=False, n_jobs=2 if job == "ecosystem-n2" else None)
        n, rows, links = res.report.records_read, len(res.contributions), len(res.citations)
        extra = {"records_used": res.report.records_used,
                 "skipped": dict(res.report.skipped),
                 "citations_in_corpus": int(res.citations.in_corpus.sum())}
    elif job == "naive-orjson":
        import orjson

        n, rows, links = _naive(Path(data) / "works", orjson.loads)
        extra = {}
    elif job == "naive-json":
        n, rows, links = _naive(Path(data) / "works", json.loads)
        extra = {}
    else:
        raise SystemExit(f"unknown job {job}")
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0 + _children_cpu() - k0   # worker processes included
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out = {"job": job, "works": n, "contributions": rows, "citations": links,
           "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
           "works_per_s": round(n / wall), "works_per_cpu_s": round(n / cpu),
           "peak_mib": round(peak), **extra}
    if job == "ecosystem-n2":   # the largest worker process
        out["peak_worker_mib"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0)
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--partition", type=int, default=None,
                    help="works per partition file (default: openalex_workload's 1M)")
    ap.add_argument("--jobs", default=",".join(JOBS))
    ap.add_argument("--data", help="existing snapshot folder (from openalex_workload.py)")
    ap.add_argument("--keep", action="store_true", help="keep the generated snapshot")
    ap.add_argument("--job", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.job:
        run_job(a.job, a.data)
        return
    from openalex_workload import write_snapshot

    tmp = None
    data = a.data
    if data is None:
        tmp = tempfile.mkdtemp(prefix="ecosystem-bench-")
        data = tmp
        t = time.perf_counter()
        files, n = write_snapshot(data, a.works, seed=a.seed,
                                  **({"partition": a.partition} if a.partition else {}))
        size = sum(os.path.getsize(f) for f in files)
        print(f"generated {n:,} works in {len(files)} partitions, {size / 2**20:,.0f} MiB "
              f"gzip, in {time.perf_counter() - t:.0f} s")
    try:
        try:
            import msgspec
            dec = f"msgspec {msgspec.__version__}"
        except ImportError:
            dec = "no msgspec"
        from ecosystem.readers._io import GZIP_BACKEND

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, {dec}, gzip backend {GZIP_BACKEND}, load "
              f"average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start")
        for job in a.jobs.split(","):
            env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src") + os.pathsep
                       + os.environ.get("PYTHONPATH", ""))
            r = subprocess.run([sys.executable, __file__, "--job", job, "--data", data],
                               capture_output=True, text=True, env=env)
            if r.returncode:
                print(f"{job}: failed\n{r.stderr[-2000:]}")
                continue
            print(r.stdout.strip().splitlines()[-1])
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    finally:
        if tmp is not None and not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
