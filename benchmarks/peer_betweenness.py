"""Sampled betweenness, side by side: ecosystem (1 and 2 threads) vs igraph vs NetworKit.

A seeded Chung–Lu graph with power-law expected degrees (a co-authorship / patent-like
graph: a few very connected actors, a long tail) is generated once; each tool then runs
in its own subprocess, one after the other, on the same graph:

* ecosystem ``betweenness(g, samples=k, seed=seed, n_jobs=t)`` for each ``--threads``;
* igraph ``Graph.betweenness(sources=S, directed=..., weights=...)`` with the SAME
  sources S (``ecosystem.centrality._sample_sources(n, k, seed)``, which the function
  above draws); single-threaded C. Its values are compared with ours (raw sums);
* NetworKit ``EstimateBetweenness(G, k, normalized=False, parallel=True)``, which draws
  its own k samples (and weights them differently, Geisberger et al. 2008): a peer at
  the same sample count, not a value check.

Wall time is the best of ``--repeat`` calls (in each of ``--rounds`` round-robin
subprocess runs) of the call alone (graph construction and imports excluded). Peak memory is the growth of the resident set during the call:
the process's peak RSS is reset after setup (``/proc/self/clear_refs``) and read from
``VmHWM`` afterwards; where that is unavailable, ``ru_maxrss`` of the whole process.

Usage::

    python benchmarks/peer_betweenness.py --nodes 50000 --avg-degree 10 --samples 200
    python benchmarks/peer_betweenness.py --weighted --directed

Run nothing else heavy at the same time: the timings share the machine's cores.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workloads import chung_lu, machine, reset_peak, status_kib  # noqa: E402


# --------------------------------------------------------------------------- workload


def _import_ecosystem():
    """Import ecosystem: the installed one, else the in-place build under ../src."""
    try:
        import ecosystem  # noqa: F401
    except ImportError:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    import ecosystem

    return ecosystem


# --------------------------------------------------------------------------- workers


def _measure(call, repeat):
    """Best time of ``repeat`` calls and the peak RSS growth (MiB) during the first."""
    rss0 = status_kib("VmRSS") if os.path.exists("/proc/self/status") else None
    exact = rss0 is not None and reset_peak()
    best, cpu, result = np.inf, np.inf, None
    for i in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
        result = call()
        wall = time.perf_counter() - t
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        if wall < best:
            best = wall
            cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if i == 0:
            if exact:
                peak = (status_kib("VmHWM") - rss0) / 1024
            else:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return best, cpu, peak, exact, result


def worker(args):
    data = np.load(args.data)
    n = int(data["n"])
    src, dst = data["src"], data["dst"]
    weight = data["weight"] if args.weighted else None
    sources = data["sources"]
    directed = args.directed
    if args.tool == "ecosystem":
        ecosystem = _import_ecosystem()
        from ecosystem import ActorGraph
        from ecosystem.centrality import _sample_sources, betweenness

        g = ActorGraph.from_edges(src, dst, weight, n_nodes=n, directed=directed)
        assert np.array_equal(_sample_sources(n, args.samples, args.seed), sources)
        w = True if args.weighted else None
        betweenness(g, 1, weights=w, seed=0, n_jobs=args.n_threads)  # warm the pool

        def call():
            return betweenness(g, args.samples, weights=w, seed=args.seed,
                               n_jobs=args.n_threads, exact_limit=None)

        info = {"openmp": bool(ecosystem._core.openmp_enabled())}
        t, cpu, peak, exact, res = _measure(call, args.repeat)
        raw = res * args.samples / n  # back to the raw sum over the sampled sources
    elif args.tool == "igraph":
        import igraph as ig

        g = ig.Graph(n=n, edges=np.column_stack([src, dst]), directed=directed)
        if weight is not None:
            g.es["weight"] = weight.tolist()
        S = sources.tolist()

        def call():
            return g.betweenness(sources=S, directed=directed,
                                 weights="weight" if weight is not None else None)

        info = {"version": ig.__version__}
        t, cpu, peak, exact, res = _measure(call, args.repeat)
        raw = np.asarray(res, dtype=np.float64)
    elif args.tool == "networkit":
        import networkit as nk

        nk.setNumberOfThreads(args.n_threads)
        nk.engineering.setLogLevel("ERROR")
        g = nk.graph.Graph(n, weighted=weight is not None, directed=directed)
        if weight is not None:
            g.addEdges((weight, (src, dst)))
        else:
            g.addEdges((src, dst))

        def call():
            algo = nk.centrality.EstimateBetweenness(g, args.samples, normalized=False,
                                                     parallel=True)
            algo.run()
            return algo.scores()

        info = {"version": nk.__version__, "threads": nk.getMaxNumberOfThreads()}
        t, cpu, peak, exact, res = _measure(call, args.repeat)
        raw = np.asarray(res, dtype=np.float64)
    else:
        raise SystemExit(f"unknown tool {args.tool!r}")
    np.save(args.out, raw)
    print(json.dumps({"time": t, "cpu": cpu, "peak_mib": peak, "peak_exact": exact, **info}))


# --------------------------------------------------------------------------- driver


def run_worker(script, base, tool, n_threads, data, out):
    cmd = [sys.executable, script, "--worker", tool, "--n-threads", str(n_threads),
           "--data", data, "--out", out, *base]
    env = dict(os.environ, OMP_NUM_THREADS=str(n_threads))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, file=sys.stderr)
        raise SystemExit(f"{tool} worker failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nodes", type=int, default=50_000)
    p.add_argument("--avg-degree", type=float, default=10.0)
    p.add_argument("--gamma", type=float, default=2.5, help="power-law exponent")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--threads", default="1,2", help="ecosystem thread counts, e.g. 1,2")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--weighted", action="store_true", help="integer lengths 1..5")
    p.add_argument("--directed", action="store_true")
    p.add_argument("--repeat", type=int, default=3, help="best of this many calls")
    p.add_argument("--rounds", type=int, default=1,
                   help="run every tool this many times, round robin (best time kept)")
    p.add_argument("--no-networkit", action="store_true")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--n-threads", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        args.tool = args.worker
        return worker(args)

    threads = [int(x) for x in args.threads.split(",")]
    script = os.path.abspath(__file__)
    base = ["--samples", str(args.samples), "--seed", str(args.seed),
            "--repeat", str(args.repeat)]
    base += ["--weighted"] if args.weighted else []
    base += ["--directed"] if args.directed else []

    _import_ecosystem()
    from ecosystem.centrality import _sample_sources

    n = args.nodes
    t0 = time.perf_counter()
    src, dst, weight = chung_lu(n, args.avg_degree, gamma=args.gamma, directed=args.directed,
                                weighted=args.weighted, seed=args.seed)
    sources = _sample_sources(n, args.samples, args.seed)
    deg = np.bincount(src, minlength=n) + (0 if args.directed else np.bincount(dst, minlength=n))
    m = machine()
    model, cores, load = m["cpu"], m["cores"], m["load_1_5_15"]
    kind = ("directed" if args.directed else "undirected") + (
        ", weighted (lengths 1..5)" if args.weighted else ", unweighted")
    print(f"machine : {model}, {cores} cores available, load average {load[0]:.2f}")
    print(f"graph   : Chung-Lu power law (gamma={args.gamma}), {kind}, seed={args.seed}")
    print(f"          n={n}, m={len(src)} {'arcs' if args.directed else 'edges'}, "
          f"mean degree {deg.mean():.2f}, max degree {deg.max()} "
          f"(generated in {time.perf_counter() - t0:.1f} s)")
    print(f"sources : {args.samples} sampled (numpy default_rng({args.seed}), the same for "
          f"ecosystem and igraph); best of {args.repeat} calls x {args.rounds} round(s)")

    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "graph.npz")
        np.savez(data, n=n, src=src, dst=dst, sources=sources,
                 weight=weight if weight is not None else np.zeros(0))
        jobs = [(f"ecosystem {t} thread{'s' if t > 1 else ''}", "ecosystem", t) for t in threads]
        jobs.append(("igraph (sources=S, 1 thread)", "igraph", 1))
        if not args.no_networkit:
            t_nk = max(threads)
            jobs.append((f"NetworKit EstimateBetweenness ({t_nk} threads)", "networkit", t_nk))
        results = {}
        for rnd in range(args.rounds):  # round robin: every tool sees the same conditions
            if args.rounds > 1:
                print(f"round {rnd + 1}/{args.rounds} (load average {os.getloadavg()[0]:.2f})")
            for label, tool, t in jobs:  # one at a time: never two timings at once
                out = os.path.join(tmp, f"{tool}{t}.npy")
                r = run_worker(script, base, tool, t, data, out)
                if label in rows:
                    if rows[label]["time"] < r["time"]:
                        r["time"], r["cpu"] = rows[label]["time"], rows[label]["cpu"]
                    r["peak_mib"] = max(r["peak_mib"], rows[label]["peak_mib"])
                rows[label] = r
                results[label] = np.load(out)
                print(f"  {label:<44s} {r['time']:8.3f} s  cpu {r['cpu']:7.2f} s   "
                      f"peak +{r['peak_mib']:6.1f} MiB" + "   (best so far)" * (args.rounds > 1),
                      flush=True)

    eco = {t: rows[f"ecosystem {t} thread{'s' if t > 1 else ''}"] for t in threads}
    eco_res = results[f"ecosystem {threads[0]} thread{'s' if threads[0] > 1 else ''}"]
    ig_label = "igraph (sources=S, 1 thread)"
    ig_res = results[ig_label]
    err = np.max(np.abs(eco_res - ig_res)) / max(np.max(np.abs(ig_res)), 1e-300)
    same = all(np.array_equal(results[f"ecosystem {t} thread{'s' if t > 1 else ''}"], eco_res)
               for t in threads)
    print("checks  :")
    print(f"  ecosystem vs igraph, same sources: max |diff| / max = {err:.2e}")
    print(f"  ecosystem results identical for threads {threads}: {same}")
    print("ratios  :")
    best_t = max(threads)
    t_best = eco[best_t]["time"]
    print(f"  igraph / ecosystem({best_t} thr)        = {rows[ig_label]['time'] / t_best:6.2f}x"
          f"   (target >= 1.5)")
    if not args.no_networkit:
        nk_label = [k for k in rows if k.startswith("NetworKit")][0]
        print(f"  NetworKit / ecosystem({best_t} thr)     = "
              f"{rows[nk_label]['time'] / t_best:6.2f}x   (target > 1)")
    if 1 in eco and best_t > 1:
        print(f"  ecosystem 1 thr / {best_t} thr            = "
              f"{eco[1]['time'] / t_best:6.2f}x   (target >= 1.6)")
    print(f"  cores actually used by ecosystem({best_t} thr) = cpu / wall = "
          f"{eco[best_t]['cpu'] / t_best:.2f} (below {best_t} means the machine was busy)")
    print(f"  peak memory ecosystem({best_t} thr) {eco[best_t]['peak_mib']:.1f} MiB, igraph "
          f"{rows[ig_label]['peak_mib']:.1f} MiB (growth of resident memory during the call)")


if __name__ == "__main__":
    main()
