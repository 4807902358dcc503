"""Brute-force oracles for ecosystem.centrality (slow, obviously correct, NumPy only).

Graphs are given as dense float arrays ``L`` of shape (n, n): ``L[u, v]`` is the length
(or weight) of the arc u -> v and 0 means no arc. Undirected graphs are symmetric arrays.
Self-loops (the diagonal) are ignored by the shortest-path oracles.
"""

import itertools

import numpy as np


def dense(n, edges, weights=None, *, directed, combine="min"):
    """Dense length matrix of an edge list; parallel edges merged by ``combine``."""
    L = np.zeros((n, n))
    weights = [1.0] * len(edges) if weights is None else weights
    for (u, v), w in zip(edges, weights):
        pairs = [(u, v)] if directed or u == v else [(u, v), (v, u)]
        for a, b in pairs:
            if L[a, b] == 0:
                L[a, b] = w
            elif combine == "min":
                L[a, b] = min(L[a, b], w)
            else:
                L[a, b] += w
    return L


def distances(L):
    """All-pairs shortest path lengths (Floyd–Warshall); inf if unreachable."""
    n = len(L)
    D = np.where(L > 0, L, np.inf)
    np.fill_diagonal(D, 0.0)
    for k in range(n):
        D = np.minimum(D, D[:, [k]] + D[[k], :])
    return D


def path_counts(L, D):
    """sigma[s, t]: number of shortest s-t paths (sigma[s, s] = 1).

    Counted by dynamic programming over the nodes in increasing distance from s: a
    shortest path to t ends with an arc u -> t such that D[s, u] + L[u, t] == D[s, t].
    """
    n = len(L)
    sigma = np.zeros((n, n))
    for s in range(n):
        sigma[s, s] = 1.0
        for t in sorted(range(n), key=lambda x: D[s, x]):
            if t == s or not np.isfinite(D[s, t]):
                continue
            sigma[s, t] = sum(
                sigma[s, u] for u in range(n)
                if u != t and L[u, t] > 0 and D[s, u] + L[u, t] == D[s, t]
            )
    return sigma


def betweenness_pairs(L, sources=None):
    """Sum over ordered pairs (s, t), s in ``sources``, of sigma_st(v) / sigma_st.

    Uses the pair identity sigma_st(v) = sigma_sv * sigma_vt when
    D[s, v] + D[v, t] == D[s, t] (Brandes 2001, Lemma 1), not Brandes' recursion.
    No halving: for an undirected graph divide by 2 to count unordered pairs.
    """
    n = len(L)
    D = distances(L)
    sigma = path_counts(L, D)
    sources = range(n) if sources is None else sources
    bc = np.zeros(n)
    for s in sources:
        for t in range(n):
            if t == s or not np.isfinite(D[s, t]):
                continue
            for v in range(n):
                if v in (s, t):
                    continue
                if D[s, v] + D[v, t] == D[s, t]:
                    bc[v] += sigma[s, v] * sigma[v, t] / sigma[s, t]
    return bc


def betweenness_enumerate(L):
    """Ordered-pair betweenness by listing every simple path (n <= 7 only)."""
    n = len(L)
    bc = np.zeros(n)
    for s, t in itertools.permutations(range(n), 2):
        best, paths = np.inf, []
        stack = [(s, (s,), 0.0)]
        while stack:
            u, path, length = stack.pop()
            if u == t:
                if length < best:
                    best, paths = length, [path]
                elif length == best:
                    paths.append(path)
                continue
            for w in range(n):
                if L[u, w] > 0 and w not in path:
                    stack.append((w, path + (w,), length + L[u, w]))
        for path in paths:
            for v in path[1:-1]:
                bc[v] += 1.0 / len(paths)
    return bc


def harmonic(L, mode="out"):
    """Sum over u != v of 1 / d(v, u) (out), 1 / d(u, v) (in); not normalised."""
    D = distances(L)
    if mode == "in":
        D = D.T
    with np.errstate(divide="ignore"):
        inv = np.where(np.isfinite(D) & (D > 0), 1.0 / D, 0.0)
    return inv.sum(axis=1)


def pagerank(W, damping, n_iter=10_000, tol=1e-15):
    """Dense power iteration; dangling rows teleport uniformly; loops are arcs."""
    n = len(W)
    out = W.sum(axis=1)
    P = np.where(out[:, None] > 0, W / np.where(out > 0, out, 1)[:, None], 1.0 / n)
    p = np.full(n, 1.0 / n)
    for _ in range(n_iter):
        new = (1 - damping) / n + damping * (p @ P)
        if np.abs(new - p).sum() < tol:
            return new
        p = new
    return p


def hits(W):
    """Principal eigenvectors of W W^T (hubs) and W^T W (authorities), sum 1."""
    vals, vecs = np.linalg.eigh(W.T @ W)
    a = np.abs(vecs[:, -1])
    h = W @ a
    return h / h.sum(), a / a.sum()
