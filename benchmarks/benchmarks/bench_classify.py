"""asv benchmarks of the classification: end to end, the bootstrap kernel, the nulls.

Sizes are planted workloads (``ecosystem.datasets.planted``): ``records`` is the number of
records each of 200 regions leads per channel (1000 -> about 1.8M contributions). The 20M
speed target of issue 4 is measured by ``benchmarks/peer_classify.py --speed``.
"""

import numpy as np

import ecosystem as eco
from ecosystem import uncertainty
from ecosystem.classification import classify


class Classify:
    """classify() on planted contributions, record bootstrap, defaults otherwise."""

    params = ([200, 1000], [1, 2], [200, 1000])
    param_names = ["records", "n_jobs", "bootstrap"]
    timeout = 600

    def setup(self, records, n_jobs, bootstrap):
        self.c, self.truth = eco.datasets.planted(records_per_region=records, seed=0)

    def time_classify(self, records, n_jobs, bootstrap):
        classify(self.c, bootstrap=bootstrap, n_null=bootstrap - 1, seed=0, n_jobs=n_jobs)

    def peakmem_classify(self, records, n_jobs, bootstrap):
        classify(self.c, bootstrap=bootstrap, n_null=bootstrap - 1, seed=0, n_jobs=n_jobs)

    def track_accuracy(self, records, n_jobs, bootstrap):
        res = classify(self.c, bootstrap=bootstrap, n_null=bootstrap - 1, seed=0, n_jobs=n_jobs)
        t = res.table.merge(self.truth, on=["region", "channel"], suffixes=("", "_true"))
        return float((t.label == t.label_true).mean())


class BootstrapReplicates:
    """The compiled replicate kernel alone: unit cells, then B replicates."""

    params = ([1000], [1, 2], [100, 1000])
    param_names = ["records", "n_jobs", "replicates"]
    timeout = 600

    def setup(self, records, n_jobs, replicates):
        self.c, _ = eco.datasets.planted(records_per_region=records, seed=0)
        self.flows = eco.region_flows(self.c, countries=self.c.info["countries"], counting="fractional")

    def time_contribution_replicates(self, records, n_jobs, replicates):
        uncertainty.contribution_replicates(self.c, self.flows, layer="international",
                                            counting="fractional", cluster=None, seed=0,
                                            replicates=replicates, n_jobs=n_jobs)


class Nulls:
    """Reciprocity (Poisson gravity) and brokerage (rewiring) nulls on 200 regions."""

    params = ([1, 2],)
    param_names = ["n_jobs"]
    timeout = 300

    def setup(self, n_jobs):
        c, _ = eco.datasets.planted(records_per_region=1000, seed=0)
        self.flows = eco.region_flows(c, countries=c.info["countries"], counting="fractional")
        self.mask = uncertainty._layer_mask(self.flows, "international")
        p = np.where(self.mask, self.flows.presence, 0.0)
        self.out, self.inn = p.sum(axis=2), p.sum(axis=1)
        self.adj = self.flows.presence[0] > 3

    def time_reciprocity_null(self, n_jobs):
        uncertainty.reciprocity_null(np.asarray(self.flows.presence), self.mask, self.out, self.inn,
                                     self.out, self.inn, channel_labels=self.flows.channels,
                                     region_labels=self.flows.regions, n_null=999, seed=0,
                                     n_jobs=n_jobs)

    def time_brokerage_null(self, n_jobs):
        uncertainty.brokerage_null(self.adj, self.flows.countries, self.flows.regions, n_null=999,
                                   seed=0, n_jobs=n_jobs)
