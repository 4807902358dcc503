"""asv benchmarks of the issue-17 core kernels: graph build, PageRank/HITS, compact
Contributions. The scipy baselines are measured beside them (``*_scipy``)."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ for workloads.py

import ecosystem as eco  # noqa: E402
from peer_core import scipy_pagerank  # noqa: E402
from workloads import chung_lu, team_records  # noqa: E402


class GraphBuild:
    """ActorGraph.from_edges on a raw power-law arc list (random order, parallel arcs)."""

    params = ([100_000, 1_000_000], [1, 2])
    param_names = ["nodes", "n_jobs"]
    timeout = 300

    def setup(self, nodes, n_jobs):
        self.src, self.dst, self.w = chung_lu(nodes, 10, directed=True, weighted=True,
                                              seed=0, merge=False)
        self.n = nodes

    def time_from_edges(self, nodes, n_jobs):
        eco.ActorGraph.from_edges(self.src, self.dst, self.w, n_nodes=self.n, n_jobs=n_jobs)

    def peakmem_from_edges(self, nodes, n_jobs):
        eco.ActorGraph.from_edges(self.src, self.dst, self.w, n_nodes=self.n, n_jobs=n_jobs)

    def time_from_edges_undirected(self, nodes, n_jobs):
        eco.ActorGraph.from_edges(self.src, self.dst, self.w, n_nodes=self.n, directed=False,
                                  n_jobs=n_jobs)

    def time_scipy_coo_to_csr(self, nodes, n_jobs):
        import scipy.sparse as sp

        A = sp.csr_array((self.w, (self.src, self.dst)), shape=(self.n, self.n))
        A.sum_duplicates()
        A.sort_indices()


class Rank:
    """PageRank and HITS on a merged power-law digraph, tol 1e-12 (L1)."""

    params = ([100_000, 1_000_000], [1, 2])
    param_names = ["nodes", "n_jobs"]
    timeout = 600

    def setup(self, nodes, n_jobs):
        src, dst, _ = chung_lu(nodes, 10, directed=True, seed=0)
        self.g = eco.ActorGraph.from_edges(src, dst, n_nodes=nodes)
        self.g.transpose  # cached: time the iteration
        self.A = self.g.to_scipy()

    def _fresh(self):
        g = self.g  # a new graph object over the same arrays: nothing cached
        return eco.ActorGraph(g.indptr, g.indices, g.weights, True, g.node_region)

    def time_pagerank(self, nodes, n_jobs):
        eco.pagerank(self.g, n_jobs=n_jobs)

    def time_pagerank_with_transpose(self, nodes, n_jobs):
        # the issue-17 goal's measure: the first call on a graph builds its transpose
        eco.pagerank(self._fresh(), n_jobs=n_jobs)

    def time_transpose(self, nodes, n_jobs):
        self._fresh().in_arcs(n_jobs)

    def time_pagerank_scipy(self, nodes, n_jobs):
        scipy_pagerank(self.A)

    def time_hits(self, nodes, n_jobs):
        eco.hits(self.g, tol=1e-8, n_jobs=n_jobs)

    def track_pagerank_iterations(self, nodes, n_jobs):
        return eco.pagerank(self.g, n_jobs=n_jobs, return_info=True)[1]["n_iter"]


class CompactContributions:
    """Memory of Contributions (compact codes) and of building them."""

    params = [200_000]
    param_names = ["records"]

    def setup(self, records):
        self.w = team_records(records, seed=0)

    def peakmem_from_arrays(self, records):
        eco.Contributions.from_arrays(record=self.w["record"], actor=self.w["actor"],
                                      region=self.w["region"])

    def track_bytes_per_contribution(self, records):
        c = eco.Contributions.from_arrays(record=self.w["record"], actor=self.w["actor"],
                                          region=self.w["region"])
        fields = ("record", "actor", "org", "region", "role", "channel", "year", "lead", "weight")
        return sum(getattr(c, f).nbytes for f in fields) / len(c)
