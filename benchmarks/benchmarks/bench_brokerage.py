"""asv benchmarks of ecosystem.brokerage: Gould–Fernandez counts, region brokerage, E-I
and Burt measures on seeded power-law digraphs (``power_law_digraph``, shared with
``benchmarks/peer_brokerage.py``)."""

import numpy as np

from ecosystem.brokerage import (
    brokerage,
    burt_constraint,
    effective_size,
    ei_index,
    region_brokerage,
)
from ecosystem.graph import ActorGraph


def power_law_digraph(n_nodes, n_arcs, *, gamma=2.5, seed=0):
    """CSR (indptr, indices) of a seeded power-law digraph with exactly ``n_arcs`` arcs.

    Node ranks r = 0..n-1 are drawn with P(r) ∝ (r + 1)^(-1/(gamma-1)) by inverting the
    continuous CDF; out- and in-ranks are mapped to nodes by two independent permutations.
    Loop-free, no duplicates, rows sorted; int32 indices when they fit.
    """
    if n_arcs > n_nodes * (n_nodes - 1) // 2:
        raise ValueError(f"n_arcs={n_arcs} too large for n_nodes={n_nodes} (keep it half dense)")
    if gamma <= 2:
        raise ValueError(f"gamma must be > 2; got {gamma}")
    rng = np.random.default_rng(seed)
    a = 1.0 - 1.0 / (gamma - 1.0)  # exponent of the integrated weight x^-alpha
    top = (n_nodes + 1.0) ** a - 1.0

    def ranks(k):
        x = (1.0 + rng.random(k) * top) ** (1.0 / a)
        return np.minimum(x.astype(np.int64) - 1, n_nodes - 1)

    out_node = rng.permutation(n_nodes)
    in_node = rng.permutation(n_nodes)
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < n_arcs:
        k = 2 * (n_arcs - len(keys)) + 16
        s = out_node[ranks(k)]
        t = in_node[ranks(k)]
        fresh = s.astype(np.int64) * n_nodes + t
        keys = np.sort(np.concatenate([keys, fresh[s != t]]))
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    if len(keys) > n_arcs:
        keys = np.sort(keys[rng.permutation(len(keys))[:n_arcs]])
    src = keys // n_nodes
    dtype = np.int32 if max(n_nodes, n_arcs) < 2**31 - 1 else np.int64
    indices = (keys % n_nodes).astype(dtype)
    indptr = np.zeros(n_nodes + 1, dtype=dtype)
    np.cumsum(np.bincount(src, minlength=n_nodes), out=indptr[1:])
    return indptr, indices


def make_graph(n_nodes, n_arcs, n_groups, gamma, seed):
    """The seeded workload: ``power_law_digraph`` as an ActorGraph with uniform random
    groups 0..n_groups-1 as its regions; returns ``(graph, groups)``."""
    indptr, indices = power_law_digraph(n_nodes, n_arcs, gamma=gamma, seed=seed)
    groups = np.random.default_rng(seed + 1).integers(0, n_groups, n_nodes)
    graph = ActorGraph(indptr=indptr, indices=indices, weights=np.ones(len(indices)),
                       directed=True, node_region=groups.astype(np.intp),
                       region_labels=tuple(range(n_groups)))
    return graph, groups


class BrokerageCounts:
    """All role counts and sna moments; arcs = 10 x nodes, 50 groups."""

    params = ([10_000, 100_000, 1_000_000], [1, 2])
    param_names = ["n_nodes", "n_threads"]
    timeout = 300

    def setup(self, n_nodes, n_threads):
        self.graph, _ = make_graph(n_nodes, 10 * n_nodes, 50, 2.5, 0)
        self.graph.transpose  # noqa: B018 - cached once, outside the timing

    def time_brokerage(self, n_nodes, n_threads):
        brokerage(self.graph, n_jobs=n_threads)

    def peakmem_brokerage(self, n_nodes, n_threads):
        brokerage(self.graph, n_jobs=n_threads)


class RegionBrokerage:
    """Region network from a dense R x R flow matrix, groups = 30 countries."""

    params = [100, 1000, 3000]
    param_names = ["n_regions"]

    def setup(self, n_regions):
        rng = np.random.default_rng(0)
        self.flows = rng.pareto(1.5, (n_regions, n_regions)) * (rng.random((n_regions, n_regions)) < 0.1)
        self.countries = rng.integers(0, 30, n_regions)

    def time_region_brokerage(self, n_regions):
        region_brokerage(self.flows, self.countries, threshold=1.0)


class StructuralHoles:
    """E-I index and Burt's measures; arcs = 10 x nodes."""

    params = ([10_000, 100_000], [1, 2])
    param_names = ["n_nodes", "n_threads"]
    timeout = 300

    def setup(self, n_nodes, n_threads):
        self.graph, self.groups = make_graph(n_nodes, 10 * n_nodes, 50, 2.5, 0)

    def time_effective_size(self, n_nodes, n_threads):
        effective_size(self.graph, n_jobs=n_threads)

    def time_burt_constraint(self, n_nodes, n_threads):
        burt_constraint(self.graph, n_jobs=n_threads)

    def time_ei_index(self, n_nodes, n_threads):
        ei_index(self.graph, self.groups, mode="both")

    def peakmem_burt_constraint(self, n_nodes, n_threads):
        burt_constraint(self.graph, n_jobs=n_threads)
