"""Seeded workloads of realistic shape and memory probes, shared by the peer scripts and the
asv suite."""

import os
import platform

import numpy as np


def machine():
    """Where a benchmark runs, for its header: CPU model, usable cores, OpenMP, load.

    Returns
    -------
    dict
        ``cpu``, ``cores`` (usable by this process), ``openmp`` (the compiled core's),
        ``load_1_5_15``, ``python``, ``numpy``, ``ecosystem``.
    """
    import ecosystem as eco
    from ecosystem import _core

    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"cpu": model, "cores": cores, "openmp": _core.openmp_enabled(),
            "load_1_5_15": tuple(round(x, 2) for x in load), "python": platform.python_version(),
            "numpy": np.__version__, "ecosystem": eco.__version__}


def machine_line():
    """:func:`machine` as one line of text."""
    m = machine()
    return (f"{m['cpu']}, {m['cores']} cores available, OpenMP {m['openmp']}, load average "
            f"{m['load_1_5_15']} (1/5/15 min), Python {m['python']}, numpy {m['numpy']}, "
            f"ecosystem {m['ecosystem']}")


def team_records(n_records, *, n_actors=None, n_regions=50, lead_share=0.0, size_mu=0.9,
                 seed=0):
    """Record x actor contributions with heavy-tailed team sizes and actor productivity.

    Team sizes are 1 + floor(LogNormal(size_mu, 0.8)) (mean about 4 at the default 0.9, a
    long tail capped at 500); actors are drawn with probability ~ (rank + 10)^-1.1 (a few very productive
    actors, many occasional ones); regions ~ Zipf-like shares over ``n_regions``.

    Returns
    -------
    dict of ndarray
        ``record``, ``actor``, ``region`` (int64), ``lead`` (bool): one entry per
        contribution, sorted by record.
    """
    rng = np.random.default_rng(seed)
    sizes = np.minimum(1 + np.floor(rng.lognormal(size_mu, 0.8, n_records)).astype(np.int64), 500)
    record = np.repeat(np.arange(n_records, dtype=np.int64), sizes)
    n = len(record)
    if n_actors is None:
        n_actors = max(1, int(0.4 * n))
    p = (np.arange(n_actors) + 10.0) ** -1.1
    actor = np.searchsorted(np.cumsum(p / p.sum()), rng.random(n)).astype(np.int64)
    actor = np.minimum(actor, n_actors - 1)
    q = (np.arange(n_regions) + 1.0) ** -1.0
    region = np.searchsorted(np.cumsum(q / q.sum()), rng.random(n)).astype(np.int64)
    region = np.minimum(region, n_regions - 1)
    # a record's authors mostly share one region: 70 % inherit the first author's region
    first = np.repeat(np.r_[0, np.cumsum(sizes)[:-1]], sizes)
    same = rng.random(n) < 0.7
    region[same] = region[first[same]]
    lead = np.zeros(n, dtype=bool)
    if lead_share > 0:
        lead[np.r_[0, np.cumsum(sizes)[:-1]]] = rng.random(n_records) < lead_share
    return {"record": record, "actor": actor, "region": region, "lead": lead}


def chung_lu(n, avg_degree, *, gamma=2.5, directed=False, weighted=False, seed=0, merge=True):
    """Seeded Chung–Lu graph with expected degrees ~ (i + i0)^(-1/(gamma-1)).

    Endpoints of m = n * avg_degree (/2 if undirected) edges are drawn independently
    with probability proportional to the expected degree; loops are dropped and
    duplicates merged downstream. Node ids are shuffled so hubs are not node 0, 1, ...
    Weights (lengths) are integers 1..5, so shortest-path ties are exact. With
    ``merge=False`` the arcs stay as drawn: in random order, parallel arcs included (the
    input of a graph build).

    Returns
    -------
    src, dst : ndarray of int64
    weight : ndarray of float64 or None
    """
    rng = np.random.default_rng(seed)
    w = (np.arange(n) + n ** 0.1) ** (-1.0 / (gamma - 1.0))
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    m = int(round(n * avg_degree / (1 if directed else 2)))
    src = np.minimum(np.searchsorted(cdf, rng.random(m), side="right"), n - 1)
    dst = np.minimum(np.searchsorted(cdf, rng.random(m), side="right"), n - 1)
    perm = rng.permutation(n)
    src, dst = perm[src], perm[dst]
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if not merge:
        weight = rng.integers(1, 6, len(src)).astype(np.float64) if weighted else None
        return src, dst, weight
    # merge duplicates (undirected: as unordered pairs) so every tool sees a simple graph
    a, b = (src, dst) if directed else (np.minimum(src, dst), np.maximum(src, dst))
    key = np.unique(a.astype(np.int64) * n + b)
    src, dst = key // n, key % n
    weight = rng.integers(1, 6, len(src)).astype(np.float64) if weighted else None
    return src, dst, weight


def status_kib(field):
    """A ``/proc/self/status`` field in KiB (``"VmRSS"``, ``"VmHWM"``), or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak():
    """Reset the peak resident set (VmHWM) of this process; False where Linux can't."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False
