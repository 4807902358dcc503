"""Brute-force oracles for the brokerage tests: slow, literal, obviously correct.

* :func:`sna_counts` transcribes the counting routine of R ``sna::brokerage`` (C routine
  ``brokerage_R`` in sna's ``src/gli.c``, as restated in docs/brokerage.md §1–2): walk every
  source i, every arc i -> b with b != i, every arc b -> k with k not in {i, b}, and score
  b when there is no arc i -> k. Arc rows are walked as given, so duplicates multiply.
* :func:`sna_moments` transcribes sna's expectation and variance formulas (R function
  ``brokerage``; docs/brokerage.md §4.1–4.2), one group at a time, with R's loops.
* :func:`exact_global_variance` sums the covariances of all pairs of candidate triples
  under the Bernoulli(d) arc model, by enumeration: the definition itself.
* :func:`enumerate_moments` takes the mean and variance of any statistic over all
  loop-free digraphs on N vertices, weighting each by d^m (1-d)^(N(N-1)-m).
"""

import itertools

import numpy as np

ROLE_CODES = ("w_I", "w_O", "b_IO", "b_OI", "b_O", "t")


def sna_counts(arcs, n, cl):
    """Role counts (n x 6, sna column order) by sna's triple walk.

    Parameters
    ----------
    arcs : sequence of (source, target) pairs
        Arc rows, duplicates and self-loops allowed (as in an sna edge list).
    n : int
    cl : sequence of length n
        Group label of every vertex.
    """
    out_rows = [[] for _ in range(n)]
    adj = np.zeros((n, n), dtype=bool)
    for s, t in arcs:
        out_rows[s].append(t)
        adj[s, t] = True
    brok = np.zeros((n, 6), dtype=np.int64)
    for i in range(n):  # walk the egos
        for j in out_rows[i]:  # ego -> alter (the broker)
            if j == i:
                continue
            for k in out_rows[j]:  # alter -> alter
                if k == i or k == j:
                    continue
                if adj[i, k]:  # closed: no brokerage
                    continue
                if cl[j] == cl[i]:
                    if cl[j] == cl[k]:
                        brok[j, 0] += 1  # w_I coordinator  A -> A -> A
                    else:
                        brok[j, 2] += 1  # b_IO representative  A -> A -> B
                elif cl[j] == cl[k]:
                    brok[j, 3] += 1  # b_OI gatekeeper  A -> B -> B
                elif cl[i] == cl[k]:
                    brok[j, 1] += 1  # w_O itinerant  A -> B -> A
                else:
                    brok[j, 4] += 1  # b_O liaison  A -> B -> C
    brok[:, 5] = brok[:, :5].sum(axis=1)
    return brok


def sna_moments(n_arcs, cl):
    """sna's expectations and variances.

    Returns
    -------
    exp_nli, var_nli : ndarray (N, 6)
    exp_gli, var_gli : ndarray (6,)
    """
    cl = list(cl)
    N = float(len(cl))
    d = n_arcs / (N * (N - 1))
    clid = list(dict.fromkeys(cl))
    n = np.array([sum(1 for c in cl if c == g) for g in clid], dtype=float)
    p = d**2 * (1 - d)
    q3 = d**3 * (1 - d) ** 3
    q4 = d**4 * (1 - d) ** 2
    q5 = d**5 * (1 - d)

    def choose2(x):
        return x * (x - 1) / 2

    G = len(clid)
    ebr = np.zeros((G, 6))
    vbr = np.zeros((G, 6))
    for i in range(G):
        ni = n[i]
        others = np.delete(n, i)
        ebr[i, 0] = p * (ni - 1) * (ni - 2)
        vbr[i, 0] = ebr[i, 0] * (1 - p) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * q3
        ebr[i, 1] = p * np.sum(others * (others - 1))
        vbr[i, 1] = ebr[i, 1] * (1 - p) + 2 * np.sum(others * (others - 1) * (others - 2)) * q3
        ebr[i, 2] = p * (N - ni) * (ni - 1)
        vbr[i, 2] = ebr[i, 2] * (1 - p) + 2 * (
            (ni - 1) * choose2(N - ni) + (N - ni) * choose2(ni - 1)) * q3
        ebr[i, 3] = ebr[i, 2]
        vbr[i, 3] = vbr[i, 2]
        ebr[i, 4] = p * (np.sum(np.outer(others, others)) - np.sum(others**2))
        vbr[i, 4] = ebr[i, 4] * (1 - p) + 4 * np.sum(others * choose2(N - others - ni)) * q3
        ebr[i, 5] = p * (N - 1) * (N - 2)
        vbr[i, 5] = ebr[i, 5] * (1 - p) + 2 * (N - 1) * (N - 2) * (N - 3) * q3
    idx = [clid.index(c) for c in cl]
    exp_nli = ebr[idx]
    var_nli = vbr[idx]

    eg = np.zeros(6)
    vg = np.zeros(6)
    eg[0] = p * np.sum(n * (n - 1) * (n - 2))
    vg[0] = eg[0] * (1 - p) + np.sum(
        n * (n - 1) * (n - 2) * ((4 * n - 10) * q3 - 4 * (n - 3) * q4 + (n - 3) * q5))
    eg[1] = p * np.sum(n * (N - n) * (n - 1))
    full = 0.0
    for x in n:
        for y in n:
            full += x * y * (x - 1) * ((2 * x + 2 * y - 6) * q3 + (N - x - 1) * q5)
    diag = np.sum(n * n * (n - 1) * ((4 * n - 6) * q3 + (N - n - 1) * q5))
    vg[1] = eg[1] * (1 - p) + (full - diag)
    eg[2] = p * np.sum(n * (N - n) * (n - 1))
    vg[2] = eg[2] * (1 - p) + np.sum(n * (N - n) * (n - 1) * ((N - 3) * q3 + (n - 2) * q5))
    eg[3] = eg[2]
    vg[3] = vg[2]
    outer = sum(x * y * (N - x - y) for x in n for y in n)
    eg[4] = p * (outer - np.sum(n * n * (N - 2 * n)))
    vg[4] = eg[4] * (1 - p)
    for i in range(G):
        for j in range(G):
            for k in range(G):
                if i != j and j != k and i != k:
                    vg[4] += n[i] * n[j] * n[k] * (
                        (4 * (N - n[j]) - 2 * (n[i] + n[k] + 1)) * q3
                        - (4 * (N - n[k]) - 2 * (n[i] + n[j] + 1)) * q4
                        + (N - (n[i] + n[k] + 1)) * q5)
    eg[5] = p * N * (N - 1) * (N - 2)
    vg[5] = eg[5] * (1 - p) + N * (N - 1) * (N - 2) * (
        (4 * N - 10) * q3 - 4 * (N - 3) * q4 + (N - 3) * q5)
    return exp_nli, var_nli, eg, vg


def _role(cl, a, b, c):
    if cl[b] == cl[a]:
        return 0 if cl[b] == cl[c] else 2
    if cl[b] == cl[c]:
        return 3
    if cl[a] == cl[c]:
        return 1
    return 4


def exact_global_variance(cl, d):
    """Variance of each global role count (length 6) under Bernoulli(d) arcs, by summing
    the covariance of every ordered pair of candidate triples of that role."""
    N = len(cl)
    triples = [t for t in itertools.permutations(range(N), 3)]
    role = [_role(cl, *t) for t in triples]
    present = [frozenset({(a, b), (b, c)}) for a, b, c in triples]
    absent = [(a, c) for a, b, c in triples]
    p = d**2 * (1 - d)
    var = np.zeros(6)
    for x in range(len(triples)):
        for y in range(len(triples)):
            if x == y:
                cov = p * (1 - p)
            else:
                need1 = present[x] | present[y]
                need0 = {absent[x], absent[y]}
                if need1 & need0:
                    cov = -p * p  # contradiction: they cannot both hold
                else:
                    cov = d ** len(need1) * (1 - d) ** len(need0) - p * p
            if role[x] == role[y]:
                var[role[x]] += cov
            var[5] += cov
    return var


def enumerate_moments(N, d, statistic):
    """Mean and variance of ``statistic(arcs)`` over all loop-free digraphs on N vertices.

    ``statistic`` receives the list of arcs and returns an ndarray; each digraph weighs
    d^m (1-d)^(N(N-1)-m).
    """
    pairs = [(i, j) for i in range(N) for j in range(N) if i != j]
    mean = None
    second = None
    for mask in range(1 << len(pairs)):
        arcs = [pairs[b] for b in range(len(pairs)) if mask >> b & 1]
        w = d ** len(arcs) * (1 - d) ** (len(pairs) - len(arcs))
        s = np.asarray(statistic(arcs), dtype=float)
        mean = w * s if mean is None else mean + w * s
        second = w * s * s if second is None else second + w * s * s
    return mean, second - mean * mean


def dense_ei(adj, cl):
    """Whole-network E-I of a loop-free 0/1 (or weighted) matrix counted over stored ties."""
    n = len(cl)
    el = il = 0.0
    for i in range(n):
        for j in range(n):
            if i != j and adj[i, j]:
                if cl[i] == cl[j]:
                    il += adj[i, j]
                else:
                    el += adj[i, j]
    return el, il
