"""The compiled core at the scale of a real snapshot (issue 17): graph build, PageRank,
compact Contributions, projection — each against its baseline in the same run.

Every measurement runs in its own subprocess on the same seeded workload, so peak memory
(the rise of the resident set during the timed call, from /proc VmHWM) is comparable.

    python benchmarks/peer_core.py                       # issue sizes (several minutes)
    python benchmarks/peer_core.py --nodes 100000 --arcs 1000000 --records 50000   # quick

* build: a seeded power-law (Chung–Lu) digraph, ``--arcs`` arcs drawn in random order
  with their parallel arcs, weights 1..5: ``ActorGraph.from_edges`` (the core's counting
  sort) vs scipy's COO -> CSR with ``sum_duplicates()`` and ``sort_indices()``.
* pagerank: the merged graph; ``eco.pagerank`` (first call, transpose included) vs a
  ten-line scipy power iteration (row-normalised transpose, CSR mat-vec, dangling mass
  to every node) to the same L1 tolerance, and vs igraph's PRPACK
  (``Graph.pagerank(implementation="prpack")``, graph conversion not timed).
* transpose: what the first ``eco.pagerank`` call builds (``ActorGraph.in_arcs``, the
  structure) vs scipy's ``A.T.tocsr()``; part of the pagerank figure, shown apart.
* projection: ``--records`` team records (heavy-tailed sizes, log-mean ``--team-mu``),
  Newman weights: ``eco.coauthorship_graph`` vs scipy ``Bw.T @ B`` with the diagonal
  removed. The issue's size, 2M papers and about 96M stored arcs:
  ``--only projection --records 2000000 --team-mu 1.6``.
* contributions: bytes per contribution of ``Contributions`` (every array).

Timings are the best (or, ``--stat median``, the median) of ``--repeat`` runs.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from workloads import chung_lu, machine_line, reset_peak, status_kib, team_records  # noqa: E402


def _measure(fn, repeat, stat="best"):
    # peak memory first, in a fresh process: the rise of the resident set over one call
    before = status_kib("VmRSS") or 0
    reset_peak()
    fn()
    peak = (status_kib("VmHWM") or 0) - before
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        del result
    return (min(times) if stat == "best" else float(np.median(times))), max(peak, 0) / 1024.0


def scipy_pagerank(A, damping=0.85, tol=1e-12, max_iter=1000):
    """The ten-line baseline: power iteration on the row-normalised transpose."""
    import scipy.sparse as sp

    n = A.shape[0]
    s = np.asarray(A.sum(axis=1)).ravel()
    inv = np.divide(1.0, s, out=np.zeros(n), where=s > 0)
    P = (sp.diags_array(inv) @ A).T.tocsr()
    dangling = s == 0
    x = np.full(n, 1.0 / n)
    for it in range(1, max_iter + 1):
        xn = damping * (P @ x) + (damping * x[dangling].sum() + 1.0 - damping) / n
        err = np.abs(xn - x).sum()
        x = xn
        if err < tol:
            return x, it
    return x, max_iter


def run_job(job, args):
    import scipy.sparse as sp

    import ecosystem as eco

    n = args.nodes
    if job.startswith("build"):
        src, dst, w = chung_lu(n, args.arcs / n, directed=True, weighted=True, seed=args.seed,
                               merge=False)
        if job == "build-scipy":
            def fn():
                A = sp.csr_array((w, (src, dst)), shape=(n, n))
                A.sum_duplicates()
                A.sort_indices()
                return A
        else:
            n_jobs = int(job.rsplit("-", 1)[1])

            def fn():
                return eco.ActorGraph.from_edges(src, dst, w, n_nodes=n, n_jobs=n_jobs)
        seconds, peak = _measure(fn, args.repeat, args.stat)
        res = fn()
        data = res.data if hasattr(res, "data") else res.weights
        return {"job": job, "seconds": seconds, "peak_mib": peak, "arcs": int(len(src)),
                "nnz": int(len(data)), "checksum": float(data.sum())}

    if job.startswith("pagerank"):
        src, dst, _ = chung_lu(n, args.arcs / n, directed=True, seed=args.seed)
        g = eco.ActorGraph.from_edges(src, dst, n_nodes=n)
        if job == "pagerank-scipy":
            A = g.to_scipy()

            def fn():
                return scipy_pagerank(A, tol=args.tol)[0]
        elif job == "pagerank-igraph":
            import igraph as ig

            G = ig.Graph(n=n, edges=np.column_stack([g.sources(), g.indices]).astype(np.int64),
                         directed=True)

            def fn():
                return np.array(G.pagerank(implementation="prpack"))
        else:
            n_jobs = int(job.rsplit("-", 1)[1])

            def fn():  # a fresh graph object: the transpose is built inside the timing
                h = eco.ActorGraph(g.indptr, g.indices, g.weights, True, g.node_region)
                return eco.pagerank(h, tol=args.tol, n_jobs=n_jobs)
        seconds, peak = _measure(fn, args.repeat, args.stat)
        x = fn()
        extra = {}
        if job.startswith("pagerank-core"):
            h = eco.ActorGraph(g.indptr, g.indices, g.weights, True, g.node_region)
            extra = eco.pagerank(h, tol=args.tol, return_info=True)[1]
        elif job == "pagerank-scipy":
            extra = {"n_iter": scipy_pagerank(A, tol=args.tol)[1]}
        np.save(Path(args.scratch) / f"{job}.npy", x)
        return {"job": job, "seconds": seconds, "peak_mib": peak, "arcs": int(g.nnz), **extra}

    if job.startswith("transpose"):
        src, dst, _ = chung_lu(n, args.arcs / n, directed=True, seed=args.seed)
        g = eco.ActorGraph.from_edges(src, dst, n_nodes=n)
        if job == "transpose-scipy":
            A = g.to_scipy()

            def fn():  # CSR -> CSR of A^T (scipy's CSR -> CSC counting sort)
                return A.T.tocsr()
        else:
            n_jobs = int(job.rsplit("-", 1)[1])

            def fn():  # what eco.pagerank builds on a fresh graph: the structure only
                h = eco.ActorGraph(g.indptr, g.indices, g.weights, True, g.node_region)
                return h.in_arcs(n_jobs, weights=False)
        seconds, peak = _measure(fn, args.repeat, args.stat)
        return {"job": job, "seconds": seconds, "peak_mib": peak, "arcs": int(g.nnz)}

    if job.startswith("projection"):
        w = team_records(args.records, size_mu=args.team_mu, seed=args.seed)
        if job == "projection-scipy":
            rec, act = w["record"], w["actor"]
            key = np.unique(rec * (act.max() + 1) + act)
            rec, act = key // (act.max() + 1), key % (act.max() + 1)

            def fn():
                n_p = np.bincount(rec)
                with np.errstate(divide="ignore"):
                    wp = np.where(n_p > 1, 1.0 / (n_p - 1.0), 0.0)
                shape = (len(n_p), int(act.max()) + 1)
                B = sp.csr_array((np.ones(len(rec)), (rec, act)), shape=shape)
                Bw = sp.csr_array((wp[rec], (rec, act)), shape=shape)
                A = (Bw.T @ B).tocsr()
                A.setdiag(0)
                A.eliminate_zeros()
                return A
        else:
            c = eco.Contributions.from_arrays(record=w["record"], actor=w["actor"],
                                              region=w["region"])
            n_jobs = int(job.rsplit("-", 1)[1])

            def fn():
                return eco.coauthorship_graph(c, counting="newman", max_record_size=None,
                                              n_jobs=n_jobs)
        seconds, peak = _measure(fn, args.repeat, args.stat)
        res = fn()
        data = res.data if hasattr(res, "data") else res.weights
        return {"job": job, "seconds": seconds, "peak_mib": peak, "nnz": int(len(data)),
                "checksum": float(data.sum()), "contributions": int(len(w["record"]))}

    if job == "contributions":
        w = team_records(args.records, size_mu=args.team_mu, seed=args.seed)
        c = eco.Contributions.from_arrays(record=w["record"], actor=w["actor"],
                                          region=w["region"], year=np.full(len(w["record"]), 2020))
        fields = ("record", "actor", "org", "region", "role", "channel", "year", "lead", "weight")
        nbytes = sum(getattr(c, f).nbytes for f in fields)
        return {"job": job, "contributions": len(c), "bytes_per_contribution": nbytes / len(c),
                "dtypes": {f: str(getattr(c, f).dtype) for f in fields}}
    raise SystemExit(f"unknown job {job}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--arcs", type=int, default=10_000_000)
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--team-mu", type=float, default=0.9,
                        help="log-mean of the team sizes of the records (1.6: about 50 "
                             "stored arcs a record, the issue's 2M papers / 96M arcs)")
    parser.add_argument("--tol", type=float, default=1e-12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stat", choices=("best", "median"), default="best",
                        help="time reported: best or median of --repeat runs")
    parser.add_argument("--only", default="build,pagerank,transpose,projection,contributions")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", default="/tmp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    Path(args.scratch).mkdir(parents=True, exist_ok=True)
    if args.job:
        print(json.dumps(run_job(args.job, args)))
        return

    def child(job, mmap=True):
        cmd = [sys.executable, __file__, "--job", job] + [
            f"--nodes={args.nodes}", f"--arcs={args.arcs}", f"--records={args.records}",
            f"--team-mu={args.team_mu}", f"--tol={args.tol}", f"--repeat={args.repeat}",
            f"--seed={args.seed}",
            f"--scratch={args.scratch}", f"--stat={args.stat}"]
        # every large block from mmap, returned on free: freed workload temporaries are not
        # silently reused, so the resident-set rise is the call's own peak
        # (timing-only jobs keep the default allocator: it would slow numpy's temporaries)
        env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536") if mmap else None
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        return json.loads(out.strip().splitlines()[-1])

    print(f"machine: {machine_line()}")
    print(f"load before: {os.getloadavg()}")
    print(f"times: {args.stat} of {args.repeat} runs, each job in its own process")
    parts = args.only.split(",")
    if "build" in parts:
        base = child("build-scipy")
        print(f"\nbuild: {base['arcs']:,} arcs -> {base['nnz']:,} merged, {args.nodes:,} nodes")
        print(f"  scipy COO->CSR + sum_duplicates + sort_indices: {base['seconds']:.3f} s, "
              f"peak +{base['peak_mib']:.0f} MiB")
        for t in (1, 2):
            r = child(f"build-core-{t}")
            assert r["nnz"] == base["nnz"] and abs(r["checksum"] - base["checksum"]) < 1e-6 * base["checksum"]
            print(f"  ActorGraph.from_edges n_jobs={t}: {r['seconds']:.3f} s "
                  f"({base['seconds'] / r['seconds']:.2f}x), peak +{r['peak_mib']:.0f} MiB "
                  f"({r['peak_mib'] / max(base['peak_mib'], 1e-9):.2f}x)")
    if "pagerank" in parts:
        base = child("pagerank-scipy", mmap=False)
        print(f"\npagerank: {base['arcs']:,} arcs, tol {args.tol:g} (L1)")
        print(f"  scipy power iteration: {base['seconds']:.3f} s ({base['n_iter']} iterations)")
        ref = np.load(Path(args.scratch) / "pagerank-scipy.npy")
        pr = child("pagerank-igraph", mmap=False)
        x_pr = np.load(Path(args.scratch) / "pagerank-igraph.npy")
        print(f"  igraph PRPACK: {pr['seconds']:.3f} s; L1 vs scipy {np.abs(x_pr - ref).sum():.1e}")
        for t in (1, 2):
            r = child(f"pagerank-core-{t}", mmap=False)
            x = np.load(Path(args.scratch) / f"pagerank-core-{t}.npy")
            print(f"  eco.pagerank n_jobs={t}: {r['seconds']:.3f} s "
                  f"({base['seconds'] / r['seconds']:.2f}x scipy, "
                  f"{pr['seconds'] / r['seconds']:.2f}x PRPACK), {r['n_iter']} iterations, "
                  f"residual {r['residual']:.1e}; L1 vs PRPACK {np.abs(x - x_pr).sum():.1e}")
    if "transpose" in parts:
        base = child("transpose-scipy", mmap=False)
        print(f"\ntranspose (part of the first PageRank call): {base['arcs']:,} arcs")
        print(f"  scipy A.T.tocsr(): {base['seconds']:.3f} s")
        for t in (1, 2):
            r = child(f"transpose-core-{t}", mmap=False)
            print(f"  ActorGraph.in_arcs n_jobs={t} (structure): {r['seconds']:.3f} s "
                  f"({base['seconds'] / r['seconds']:.2f}x)")
    if "projection" in parts:
        base = child("projection-scipy")
        print(f"\nprojection: {args.records:,} records (team size log-mean {args.team_mu}), "
              f"{base['contributions']:,} contributions, "
              f"{base['nnz']:,} stored arcs")
        print(f"  scipy Bw.T @ B: {base['seconds']:.3f} s, peak +{base['peak_mib']:.0f} MiB")
        for t in (1, 2):
            r = child(f"projection-core-{t}")
            assert r["nnz"] == base["nnz"]
            print(f"  coauthorship_graph n_jobs={t}: {r['seconds']:.3f} s "
                  f"({base['seconds'] / r['seconds']:.2f}x), peak +{r['peak_mib']:.0f} MiB "
                  f"({r['peak_mib'] / max(base['peak_mib'], 1e-9):.2f}x)")
    if "contributions" in parts:
        r = child("contributions")
        print(f"\ncontributions: {r['contributions']:,} rows, "
              f"{r['bytes_per_contribution']:.1f} bytes a contribution; {r['dtypes']}")
    print(f"\nload after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
