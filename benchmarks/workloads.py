"""Seeded workloads of realistic shape, shared by the peer scripts and the asv suite."""

import numpy as np


def team_records(n_records, *, n_actors=None, n_regions=50, lead_share=0.0, seed=0):
    """Record x actor contributions with heavy-tailed team sizes and actor productivity.

    Team sizes are 1 + floor(LogNormal(0.9, 0.8)) (mean about 4, a long tail capped at
    500); actors are drawn with probability ~ (rank + 10)^-1.1 (a few very productive
    actors, many occasional ones); regions ~ Zipf-like shares over ``n_regions``.

    Returns
    -------
    dict of ndarray
        ``record``, ``actor``, ``region`` (int64), ``lead`` (bool): one entry per
        contribution, sorted by record.
    """
    rng = np.random.default_rng(seed)
    sizes = np.minimum(1 + np.floor(rng.lognormal(0.9, 0.8, n_records)).astype(np.int64), 500)
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
