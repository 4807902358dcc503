"""Brute-force oracles for the foundation kernels: slow, literal, obviously correct."""

from collections import defaultdict
from itertools import combinations

import numpy as np


def projection(records, actors, counting, max_record_size=None):
    """Dict-of-pairs co-authorship weights from (record, actor) lists."""
    members = defaultdict(set)
    for r, a in zip(records, actors):
        members[r].add(a)
    out = defaultdict(float)
    for r, team in members.items():
        n = len(team)
        if n < 2 or (max_record_size is not None and n > max_record_size):
            continue
        w = {"full": 1.0, "newman": 1.0 / (n - 1), "fractional": 1.0 / (n * (n - 1) / 2)}[counting]
        for a, b in combinations(sorted(team), 2):
            out[(a, b)] += w
            out[(b, a)] += w
    return out


def region_flows(record, channel, region, lead, weight, record_weight, n_regions,
                 n_channels, fractional):
    """Per-group loops over plain Python containers, following the documented rules."""
    P = np.zeros((n_channels, n_regions, n_regions))
    C = np.zeros_like(P)
    internal = np.zeros((n_channels, n_regions))
    size = np.zeros_like(internal)
    groups = defaultdict(list)
    for i in range(len(record)):
        groups[(record[i], channel[i])].append(i)
    for (rec, k), rows in groups.items():
        gw = record_weight[rec]
        x, a, b = defaultdict(float), defaultdict(float), defaultdict(float)
        for i in rows:
            x[region[i]] += weight[i]
            (a if lead[i] else b)[region[i]] += weight[i]
        directed = any(lead[i] for i in rows) and any(not lead[i] for i in rows)
        if fractional:
            tx, ta, tb = sum(x.values()), sum(a.values()), sum(b.values())
            if tx == 0:
                continue
            x = {r: v / tx for r, v in x.items()}
            a = {r: v / ta for r, v in a.items()} if ta > 0 else {}
            b = {r: v / tb for r, v in b.items()} if tb > 0 else {}
            directed = directed and ta > 0 and tb > 0
        else:
            x = {r: 1.0 for r in x}
            a = {r: 1.0 for r in a}
            b = {r: 1.0 for r in b}
        for r, v in x.items():
            size[k, r] += gw * v
        if len(x) == 1:
            internal[k, next(iter(x))] += gw
        if directed:
            for l, av in a.items():
                for j, bv in b.items():
                    P[k, l, j] += gw * av * bv
        else:
            for r1, v1 in x.items():
                for r2, v2 in x.items():
                    C[k, r1, r2] += gw * v1 * v2
    return P, C, internal, size
