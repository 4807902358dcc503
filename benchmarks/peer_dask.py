"""Dask scale-out vs the in-memory reader on a synthetic OpenAlex snapshot.

A seeded snapshot (``openalex_workload.py``) is written to a temporary folder (not the
repository) with P1 partitions, and re-split into each other partition count asked for
(the same works, lines dealt out in order). Each job runs in its own subprocess:

* ``in-memory`` — ``read_openalex(works, institutions, citations=False)``, then
  ``classify(counting="full", bootstrap=B)``;
* ``dask-P`` — a fresh ``LocalCluster`` of W single-threaded worker processes, the
  same calls with ``client=`` (P partitions): the read (one task per file, reduced to
  region flows on the workers) and the classification (the record bootstrap re-reads
  every partition on the workers and sums the cell totals).

Reported per job: wall seconds of the read and of the classification, works per
second of the read (wall), peak resident memory of the process (in-memory) or of each
worker process (``VmHWM``; Dask) and of the client, and whether the classification table
is byte-identical to the in-memory one (full counting: it must be).

    python benchmarks/peer_dask.py --works 1000000 --partitions 8 32
    python benchmarks/peer_dask.py --data DIR --partitions 8 32   # reuse a snapshot

The machine may be shared: the load average is printed with every run.
"""

import argparse
import gzip
import json
import os
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

_CHILD = r"""
import json, os, sys, time
sys.path[:0] = {paths!r}
import ecosystem as eco

def hwm():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")

def cpu():
    t = os.times()
    return t.user + t.system

works, inst, out, job, workers, B = {args!r}
res = {{"job": job}}
t0 = time.perf_counter()
if job == "in-memory":
    cpu0 = cpu()
    data = eco.read_openalex(works, institutions=inst, citations=False, progress=False)
    res["read_s"] = time.perf_counter() - t0
    res["read_cpu_s"] = cpu() - cpu0
    res["contributions"] = len(data.contributions)
    report = data.report
else:
    from distributed import Client
    client = Client(n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=":0")
    res["cluster_start_s"] = time.perf_counter() - t0
    cpu0 = sum(client.run(cpu).values())
    t0 = time.perf_counter()
    data = eco.read_openalex(works, institutions=inst, client=client, progress=False)
    res["read_s"] = time.perf_counter() - t0
    res["read_cpu_s"] = sum(client.run(cpu).values()) - cpu0
    res["contributions"] = data.n_contributions
    res["partitions"] = len(data.partitions)
    report = data.report
res["works"] = report.records_read
t0 = time.perf_counter()
cpu0 = cpu() + (sum(client.run(cpu).values()) if job != "in-memory" else 0)
table = eco.classify(data, counting="full", bootstrap=B, n_null=99, seed=1).table
res["classify_s"] = time.perf_counter() - t0
res["classify_cpu_s"] = cpu() + (sum(client.run(cpu).values()) if job != "in-memory" else 0) - cpu0
table.to_csv(out, index=False)
if job != "in-memory":
    res["worker_peak_mib"] = sorted(client.run(hwm).values())
    client.close()
res["process_peak_mib"] = hwm()   # not ru_maxrss: it keeps the parent's peak across exec
print("RESULT " + json.dumps(res))
"""


def _split(src_files, n_out, dest):
    """Deal the lines of the partitions into n_out files, in order (same works).

    Streams: one source file in memory at a time.
    """
    n = 0
    for f in src_files:
        with gzip.open(f, "rb") as fh:
            n += sum(1 for line in fh if line.strip())
    per = -(-n // n_out)
    files, out, written = [], None, 0
    for f in src_files:
        with gzip.open(f, "rb") as fh:
            for line in fh:
                if not line.strip():
                    continue
                if out is None or written == per:
                    if out is not None:
                        out.close()
                    d = dest / f"updated_date=p{len(files):03d}"
                    d.mkdir(parents=True, exist_ok=True)
                    files.append(d / f"part_{len(files):03d}.gz")
                    out = gzip.open(files[-1], "wb", compresslevel=1)
                    written = 0
                out.write(line)
                written += 1
    if out is not None:
        out.close()
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, nargs="+", default=[8, 32])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--bootstrap", type=int, default=100)
    ap.add_argument("--data", help="reuse a snapshot folder (works/ + institutions.jsonl.gz)")
    ap.add_argument("--jobs", nargs="+", default=None, help="in-memory and/or dask-P")
    ap.add_argument("--scratch", default=None, help="folder for the snapshot (default: a "
                    "temporary folder, deleted at the end)")
    a = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="eco-dask-bench-", dir=a.scratch))
    try:
        root = Path(a.data) if a.data else tmp / "snapshot"
        if not a.data:
            from openalex_workload import write_snapshot

            t = time.perf_counter()
            first = min(a.partitions)
            write_snapshot(root, a.works, seed=0, partition=-(-a.works // first))
            print(f"wrote {a.works:,} works in {first} partitions in "
                  f"{time.perf_counter() - t:.0f} s", flush=True)
        inst = root / "institutions.jsonl.gz"
        base = sorted((root / "works").rglob("*.gz"))
        layouts = {len(base): root / "works"}
        for p in a.partitions:
            if p not in layouts:
                _split(base, p, tmp / f"works-{p}")
                layouts[p] = tmp / f"works-{p}"
        jobs = a.jobs or ["in-memory"] + [f"dask-{p}" for p in a.partitions]
        results = []
        for job in jobs:
            works = layouts[int(job.split("-")[1])] if job.startswith("dask") else root / "works"
            out = tmp / f"{job}.csv"
            code = _CHILD.format(paths=sys.path[:2], args=(str(works), str(inst), str(out), job,
                                                           a.workers, a.bootstrap))
            load = os.getloadavg()[0]
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
            if proc.returncode or not line:
                print(f"{job} failed:\n{proc.stderr[-3000:]}")
                continue
            res = json.loads(line[0][7:])
            res["load"] = load
            res["works_per_s"] = res["works"] / res["read_s"]
            res["works_per_cpu_s"] = res["works"] / res["read_cpu_s"]
            ref = tmp / "in-memory.csv"
            if job != "in-memory" and ref.exists():
                res["identical_table"] = out.read_bytes() == ref.read_bytes()
            results.append(res)
            print(json.dumps(res), flush=True)
        print(f"\n| job | partitions | load at start | read s (CPU s) | works / s (read, wall) | "
              f"works / CPU-s (read) | classify s (CPU s), B = {a.bootstrap} | "
              f"peak MiB per worker | client/process peak MiB | table identical |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in results:
            peaks = r.get("worker_peak_mib")
            print(f"| {r['job']} | {r.get('partitions', len(base))} | {r['load']:.1f} | "
                  f"{r['read_s']:.0f} ({r['read_cpu_s']:.0f}) | {r['works_per_s']:,.0f} | "
                  f"{r['works_per_cpu_s']:,.0f} | {r['classify_s']:.0f} "
                  f"({r['classify_cpu_s']:.0f}) | "
                  f"{' / '.join(f'{x:,.0f}' for x in peaks) if peaks else '–'} | "
                  f"{r['process_peak_mib']:,.0f} | {r.get('identical_table', '–')} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
