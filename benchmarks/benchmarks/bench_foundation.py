"""asv benchmarks of the foundation kernels: bipartite projection and region flows."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ for workloads.py

import ecosystem as eco  # noqa: E402
from workloads import team_records  # noqa: E402


class Projection:
    """coauthorship_graph on heavy-tailed teams; sizes are record counts."""

    params = ([20_000, 200_000], [1, 2], ["newman", "fractional"])
    param_names = ["records", "n_jobs", "counting"]
    timeout = 300

    def setup(self, records, n_jobs, counting):
        w = team_records(records, seed=0)
        self.c = eco.Contributions.from_arrays(record=w["record"], actor=w["actor"], region=w["region"])

    def time_coauthorship_graph(self, records, n_jobs, counting):
        eco.coauthorship_graph(self.c, counting=counting, n_jobs=n_jobs)

    def peakmem_coauthorship_graph(self, records, n_jobs, counting):
        eco.coauthorship_graph(self.c, counting=counting, n_jobs=n_jobs)


class RegionFlows:
    """region_flows over records with 50 regions; a quarter of the records have a lead."""

    params = ([100_000, 1_000_000], [1, 2], ["full", "fractional"])
    param_names = ["records", "n_jobs", "counting"]
    timeout = 600

    def setup(self, records, n_jobs, counting):
        w = team_records(records, n_regions=50, lead_share=0.25, seed=1)
        self.c = eco.Contributions.from_arrays(record=w["record"], actor=w["actor"],
                                               region=w["region"], lead=w["lead"])
        self.boot = np.random.default_rng(0).poisson(1.0, self.c.n_records).astype(float)

    def time_region_flows(self, records, n_jobs, counting):
        eco.region_flows(self.c, counting=counting, n_jobs=n_jobs)

    def time_region_flows_bootstrap_weights(self, records, n_jobs, counting):
        eco.region_flows(self.c, counting=counting, record_weight=self.boot, n_jobs=n_jobs)
