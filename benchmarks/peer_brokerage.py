"""Side-by-side: ecosystem's brokerage counting kernel vs vectorised numpy/scipy baselines.

    PYTHONPATH=src python benchmarks/peer_brokerage.py      # issue sizes, about 3 minutes
    PYTHONPATH=src python benchmarks/peer_brokerage.py --nodes 100000 --arcs 1000000 \
        --baseline-nodes 20000 --baseline-arcs 200000 --repeat 1        # quick
    # the numpy baseline on the full graph (the sparse one would need far too much memory):
    PYTHONPATH=src python benchmarks/peer_brokerage.py --no-strategies --no-sparse-baseline \
        --baseline-nodes 1000000 --baseline-arcs 10000000

Workload: a seeded Chung–Lu style power-law digraph. Out- and in-weights are Zipf-like,
w_r ∝ r^(-1/(gamma-1)) (degree exponent ``--gamma``), assigned to the nodes by two
independent random permutations; sources and targets are drawn from them, duplicates and
self-loops are redrawn until at least ``--arcs`` distinct arcs exist, then a random subset
of exactly that size is kept. Groups: uniform random labels 0..groups-1.

Measured (same process, seeded):

1. ``ecosystem.brokerage.brokerage`` raw counts on the large graph, with 1 and with
   ``--threads`` threads (best of ``--repeat``, wall and CPU time; the transpose is built
   once beforehand and timed separately), the kernel alone, the two-path candidates
   Σ_b in(b)·out(b), the closure checks per second and the peak resident memory of each
   call (rise of VmHWM). The kernel's closure-test strategies are timed too (adaptive,
   scan only, galloping search only), all checked identical.
2. On a smaller graph from the same generator (``--baseline-nodes``/``--baseline-arcs``,
   default 100k nodes, 1M arcs):
   the same kernel against two vectorised baselines — ``enumerate``: numpy enumeration of
   every candidate two-path i → b → k in broker chunks, closure by ``searchsorted`` in the
   sorted arc keys, roles by ``bincount``; ``sparse``: scipy sparse products (two-path
   counts per broker minus closed ones, Σ_k Y[b,k]·(XᵀZ)[b,k] with X, Y, Z the arcs
   within / between groups). Results are checked equal; the ratios are printed.
"""

import argparse
import os
import platform
import resource
import sys
import time

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ecosystem import _core
from ecosystem.brokerage import brokerage

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))
from bench_brokerage import make_graph  # noqa: E402  (the seeded workload of the asv suite)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workloads import machine, reset_peak, status_kib  # noqa: E402


# ----------------------------------------------------------------------------- baselines
def baseline_enumerate(graph, groups, max_triples=4_000_000):
    """Role counts (n x 5) by vectorised enumeration of all candidate two-paths."""
    n = graph.n_nodes
    indptr = graph.indptr.astype(np.int64)
    indices = graph.indices.astype(np.int64)
    tptr, tind, _ = graph.transpose
    tptr = tptr.astype(np.int64)
    tind = tind.astype(np.int64)
    keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr)) * n + indices  # sorted
    outdeg = np.diff(indptr)
    indeg = np.diff(tptr)
    load = np.cumsum(indeg * outdeg)
    counts = np.zeros(n * 5, dtype=np.int64)
    g = np.asarray(groups)
    b0 = 0
    while b0 < n:
        base = load[b0 - 1] if b0 else 0
        b1 = int(np.searchsorted(load, base + max_triples, side="right"))
        b1 = min(max(b1, b0 + 1), n)
        # (b, i) pairs of the chunk, then each pair expanded over out(b)
        pb = np.repeat(np.arange(b0, b1), indeg[b0:b1])
        pi = tind[tptr[b0]:tptr[b1]]
        reps = outdeg[pb]
        b = np.repeat(pb, reps)
        i = np.repeat(pi, reps)
        start = np.repeat(indptr[pb], reps)
        offset = np.arange(len(b)) - np.repeat(np.cumsum(reps) - reps, reps)
        k = indices[start + offset]
        ok = (i != k) & (i != b) & (k != b)
        b, i, k = b[ok], i[ok], k[ok]
        q = i * n + k
        pos = np.searchsorted(keys, q)
        pos = np.minimum(pos, len(keys) - 1)
        open_ = keys[pos] != q
        b, i, k = b[open_], i[open_], k[open_]
        gi, gb, gk = g[i], g[b], g[k]
        role = np.where(gb == gi, np.where(gb == gk, 0, 2),
                        np.where(gb == gk, 3, np.where(gi == gk, 1, 4)))
        counts += np.bincount(b * 5 + role, minlength=n * 5)
        b0 = b1
    return counts.reshape(n, 5)


def baseline_sparse(graph, groups):
    """Role counts (n x 5) from scipy sparse products (loop-free graph)."""
    n = graph.n_nodes
    A = graph.to_scipy().astype(np.float64)
    A.setdiag(0)
    A.eliminate_zeros()
    src = np.repeat(np.arange(n), np.diff(A.indptr))
    g = np.asarray(groups)
    same = g[src] == g[A.indices]
    As = sp.csr_array((same.astype(np.float64), A.indices.copy(), A.indptr.copy()), shape=(n, n))
    Ad = sp.csr_array(((~same).astype(np.float64), A.indices.copy(), A.indptr.copy()),
                      shape=(n, n))
    As.eliminate_zeros()
    Ad.eliminate_zeros()
    H = sp.csr_array((np.ones(n), (np.arange(n), g)), shape=(n, int(g.max()) + 1))

    def rowsum(M):
        return np.asarray(M.sum(axis=1)).ravel()

    def closed(X, Y, Z):  # sum_{i,k} X[i,b] Y[b,k] Z[i,k]
        return rowsum(Y * (X.T @ Z))

    in_s, in_d = rowsum(As.T), rowsum(Ad.T)
    out_s, out_d = rowsum(As), rowsum(Ad)
    dd_same = rowsum((Ad.T @ H) * (Ad @ H))
    recip_s = rowsum(As.T * As)
    recip_d = rowsum(Ad.T * Ad)
    out = np.empty((n, 5))
    out[:, 0] = in_s * out_s - recip_s - closed(As, As, A)
    out[:, 2] = in_s * out_d - closed(As, Ad, A)
    out[:, 3] = in_d * out_s - closed(Ad, As, A)
    out[:, 1] = dd_same - recip_d - closed(Ad, Ad, As)
    out[:, 4] = in_d * out_d - dd_same - closed(Ad, Ad, Ad)
    return np.rint(out).astype(np.int64)


# ----------------------------------------------------------------------------- measuring
def measure(fn, repeat=1):
    """(best wall seconds, peak memory rise in MiB or None, result of the last run).

    The CPU seconds of the best run are kept in ``measure.cpu`` (process time, all threads).
    """
    times = []
    result = None
    can_reset = reset_peak()
    before = status_kib("VmRSS")
    for _ in range(repeat):
        del result
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    peak = status_kib("VmHWM")
    rise = (peak - before) / 1024 if (can_reset and peak is not None and before is not None) else None
    best = min(times)
    measure.cpu = best[1]
    return best[0], rise, result


def _mib(x):
    return "n/a" if x is None else f"{x:,.0f} MiB"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--arcs", type=int, default=10_000_000)
    ap.add_argument("--groups", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2, help="the multi-threaded run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--gamma", type=float, default=2.5, help="degree exponent")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-nodes", type=int, default=100_000)
    ap.add_argument("--baseline-arcs", type=int, default=1_000_000)
    ap.add_argument("--no-sparse-baseline", action="store_true")
    ap.add_argument("--no-strategies", action="store_true",
                    help="skip timing the kernel's three closure-test strategies")
    args = ap.parse_args(argv)

    m = machine()
    model, cores = m["cpu"], m["cores"]
    print(f"machine : {model}, {cores} cores; OpenMP={_core.openmp_enabled()}; "
          f"python {platform.python_version()}, numpy {np.__version__}")
    if hasattr(os, "getloadavg"):
        print("load    : %.2f %.2f %.2f (1/5/15 min; other work on the machine skews timings)"
              % os.getloadavg())
    print(f"workload: Chung-Lu power-law digraph, gamma={args.gamma}, seed={args.seed}, "
          f"{args.groups} groups")

    # ---- large graph
    t0 = time.perf_counter()
    graph, groups = make_graph(args.nodes, args.arcs, args.groups, args.gamma, args.seed)
    t_gen = time.perf_counter() - t0
    t_tr, _, _ = measure(lambda: graph.transpose)
    outdeg = np.diff(graph.indptr).astype(np.int64)
    indeg = np.diff(graph.transpose[0]).astype(np.int64)
    print(f"\nlarge graph: {graph.n_nodes:,} nodes, {graph.nnz:,} arcs, index {graph.indices.dtype}; "
          f"max out/in degree {outdeg.max():,}/{indeg.max():,}; "
          f"generated in {t_gen:.1f} s, transpose {t_tr:.2f} s")
    rows = []
    ref = None
    for threads in sorted({1, args.threads}):
        t, mem, res = measure(lambda: brokerage(graph, n_jobs=threads), args.repeat)
        cpu = measure.cpu
        tk, _, (_, cand, checks) = measure(
            lambda: _core.brokerage_counts(graph.indptr, graph.indices, *graph.transpose[:2],
                                           graph.node_region, args.groups, threads),
            args.repeat)
        if ref is None:
            ref = res.raw
        same = np.array_equal(ref, res.raw)
        rows.append((threads, t, tk, mem, cand, checks, same, cpu))
    print(f"two-path candidates sum_b in(b)*out(b) = {rows[0][4]:,}; closure checks = {rows[0][5]:,}")
    print(f"{'threads':>7} {'brokerage()':>12} {'(CPU)':>8} {'kernel':>8} {'candidates/s':>14} "
          f"{'checks/s':>12} {'peak mem':>10}  identical")
    for threads, t, tk, mem, cand, checks, same, cpu in rows:
        print(f"{threads:>7} {t:>11.2f}s {cpu:>7.2f}s {tk:>7.2f}s {cand / tk:>14.3g} "
              f"{checks / tk:>12.3g} {_mib(mem):>10}  {same}")
    if len(rows) > 1:
        print(f"speed-up {rows[-1][0]} threads vs 1 (kernel): {rows[0][2] / rows[-1][2]:.2f}x")
    print(f"target all raw counts < 5 s: {'met' if rows[-1][1] < 5 else 'MISSED'} "
          f"({rows[-1][1]:.2f} s with {rows[-1][0]} threads)")
    if not args.no_strategies:
        print(f"closure-test strategies, kernel alone, {args.threads} threads (best of {args.repeat}):")
        names = {0: "adaptive (default)", 1: "scan out(i) vs bitset", 2: "search each k in out(i)"}
        for strategy in (0, 1, 2):
            ts, _, (raw_s, _, checks_s) = measure(
                lambda: _core.brokerage_counts(graph.indptr, graph.indices, *graph.transpose[:2],
                                               graph.node_region, args.groups, args.threads,
                                               strategy), args.repeat)
            print(f"  {names[strategy]:<22} {ts:7.2f} s  checks {checks_s:>14,}  "
                  f"identical {np.array_equal(raw_s, ref[:, :5])}")
    del graph, ref

    # ---- baseline comparison on a smaller graph
    small, sgroups = make_graph(args.baseline_nodes, args.baseline_arcs, args.groups,
                                args.gamma, args.seed)
    small.transpose  # noqa: B018 - built once, as in the large run
    t_k1, m_k1, r1 = measure(lambda: brokerage(small, n_jobs=1), args.repeat)
    c_k1 = measure.cpu
    t_k, m_k, r = measure(lambda: brokerage(small, n_jobs=args.threads), args.repeat)
    c_k = measure.cpu
    cand = r.two_path_candidates
    print(f"\nbaseline graph: {small.n_nodes:,} nodes, {small.nnz:,} arcs; candidates {cand:,}")
    print(f"  ecosystem brokerage(), 1 thread   : {t_k1:8.3f} s (CPU {c_k1:7.3f} s)  peak {_mib(m_k1)}")
    print(f"  ecosystem brokerage(), {args.threads} threads  : {t_k:8.3f} s (CPU {c_k:7.3f} s)  "
          f"peak {_mib(m_k)}")
    baselines = [("enumerate (numpy)", lambda: baseline_enumerate(small, sgroups))]
    if not args.no_sparse_baseline:
        baselines.append(("sparse products (scipy)", lambda: baseline_sparse(small, sgroups)))
    for name, fn in baselines:
        tb, mb, counts = measure(fn, 1)
        cb = measure.cpu
        ok = np.array_equal(counts, r.raw[:, :5])
        print(f"  baseline {name:<24}: {tb:8.3f} s (CPU {cb:7.3f} s)  peak {_mib(mb)}  equal={ok}")
        print(f"    ratio wall: {tb / t_k1:6.1f}x vs 1 thread, {tb / t_k:6.1f}x vs {args.threads} "
              f"threads; ratio CPU: {cb / c_k1:6.1f}x vs 1 thread")
    if hasattr(os, "getloadavg"):
        print("load at the end: %.2f %.2f %.2f" % os.getloadavg())
    print(f"\nmax RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
