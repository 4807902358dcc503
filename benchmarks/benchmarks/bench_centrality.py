"""asv benchmarks of ecosystem.centrality on seeded power-law (Chung–Lu) graphs.

Data are built in ``setup`` (never in the timed methods) from fixed seeds. The igraph
peer runs on the same graph and the same sampled sources as ``betweenness``.
"""

import sys
from pathlib import Path

from ecosystem import ActorGraph
from ecosystem.centrality import (
    _sample_sources,
    betweenness,
    degree,
    harmonic_closeness,
    hits,
    pagerank,
    strength,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ for workloads.py
from workloads import chung_lu  # noqa: E402

SIZES = {"2k": 2_000, "5k": 5_000, "50k": 50_000}


def _graph(size, directed=False):
    n = SIZES[size]
    src, dst, w = chung_lu(n, 10.0, directed=directed, weighted=True, seed=1)
    return ActorGraph.from_edges(src, dst, w, n_nodes=n, directed=directed)


class SampledBetweenness:
    """Brandes from 100 sampled sources, unweighted (BFS) and weighted (Dijkstra)."""

    params = (["5k", "50k"], [False, True], [1, 2])
    param_names = ["size", "weighted", "n_jobs"]
    timeout = 300

    def setup(self, size, weighted, n_jobs):
        self.g = _graph(size)
        self.w = True if weighted else None

    def time_betweenness(self, size, weighted, n_jobs):
        betweenness(self.g, 100, weights=self.w, seed=0, n_jobs=n_jobs)

    def peakmem_betweenness(self, size, weighted, n_jobs):
        betweenness(self.g, 100, weights=self.w, seed=0, n_jobs=n_jobs)


class PeerIgraphBetweenness:
    """igraph ``betweenness(sources=...)`` with the same 100 sources (single thread)."""

    params = (["5k", "50k"], [False, True])
    param_names = ["size", "weighted"]
    timeout = 300

    def setup(self, size, weighted):
        g = _graph(size)
        self.ig = g.to_igraph()
        self.sources = _sample_sources(g.n_nodes, 100, 0).tolist()
        self.w = "weight" if weighted else None

    def time_igraph_betweenness(self, size, weighted):
        self.ig.betweenness(sources=self.sources, directed=False, weights=self.w)

    def peakmem_igraph_betweenness(self, size, weighted):
        self.ig.betweenness(sources=self.sources, directed=False, weights=self.w)


class ExactBetweenness:
    """Exact betweenness on 2 000 nodes: igraph (samples=None) vs the kernel (samples=n)."""

    params = ([None, "all"], [1, 2])
    param_names = ["samples", "n_jobs"]
    timeout = 300

    def setup(self, samples, n_jobs):
        self.g = _graph("2k", directed=True)
        self.k = None if samples is None else self.g.n_nodes

    def time_exact(self, samples, n_jobs):
        betweenness(self.g, self.k, n_jobs=n_jobs)


class OtherCentralities:
    """Degree, strength, PageRank, HITS on 50k nodes; harmonic closeness on 5k."""

    params = [False, True]
    param_names = ["directed"]
    timeout = 300

    def setup(self, directed):
        self.g = _graph("50k", directed=directed)
        self.small = _graph("5k", directed=directed)

    def time_degree(self, directed):
        degree(self.g)

    def time_strength(self, directed):
        strength(self.g)

    def time_pagerank(self, directed):
        pagerank(self.g, weights=True)

    def time_hits(self, directed):
        hits(self.g)

    def time_harmonic_closeness(self, directed):
        harmonic_closeness(self.small)

    def peakmem_pagerank(self, directed):
        pagerank(self.g, weights=True)
