"""Tests of ecosystem.centrality against hand-worked values, brute-force oracles
(tests/_reference_centrality.py), igraph and networkx, with every convention flag explicit.
"""

import doctest
import itertools
import os
import random
import sys

import igraph as ig
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import ecosystem
from ecosystem import ActorGraph, GraphFormatError, InputTypeError, ParameterError
from ecosystem import centrality as C
from ecosystem._graph_input import as_csr
from ecosystem.centrality import (
    betweenness,
    degree,
    harmonic_closeness,
    hits,
    pagerank,
    region_table,
    strength,
)

sys.path.insert(0, os.path.dirname(__file__))
import _reference_centrality as ref  # noqa: E402

nx = pytest.importorskip("networkx")

SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=60)
slow = pytest.mark.slow  # skipped unless --runslow (tests/conftest.py)


# --------------------------------------------------------------------------- helpers


@st.composite
def small_graphs(draw, max_nodes=12, weighted=None, allow_loops=True):
    """(n, edges, integer weights or None, directed): duplicates and loops allowed."""
    n = draw(st.integers(1, max_nodes))
    directed = draw(st.booleans())
    node = st.integers(0, n - 1)
    edges = draw(st.lists(st.tuples(node, node), max_size=3 * n))
    if not allow_loops:
        edges = [(u, v) for u, v in edges if u != v]
    if weighted is None:
        weighted = draw(st.booleans())
    weights = None
    if weighted:
        weights = draw(st.lists(st.integers(1, 4), min_size=len(edges), max_size=len(edges)))
        weights = [float(w) for w in weights]
    return n, edges, weights, directed


def to_igraph(n, edges, weights, directed):
    g = ig.Graph(n=n, edges=edges, directed=directed)
    if weights is not None:
        g.es["weight"] = weights
    return g


def to_scipy(n, edges, weights):
    """COO adjacency with duplicates kept (rows are sources)."""
    w = np.ones(len(edges)) if weights is None else np.asarray(weights)
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    return sp.coo_array((w, (e[:, 0], e[:, 1])), shape=(n, n))


def to_networkx(L, directed):
    """Simple networkx graph of a dense length matrix (loops dropped)."""
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(len(L)))
    for u, v in zip(*np.nonzero(L)):
        if u != v:
            G.add_edge(int(u), int(v), weight=float(L[u, v]))
    return G


def nx_array(d, n):
    return np.array([d[i] for i in range(n)], dtype=np.float64)


def simple(n, edges, weights, directed):
    """Dedupe an edge list keeping the shortest copy; for ActorGraph.from_edges."""
    best = {}
    w = [1.0] * len(edges) if weights is None else weights
    for (u, v), x in zip(edges, w):
        key = (u, v) if directed else (min(u, v), max(u, v))
        best[key] = min(best.get(key, np.inf), x)
    keys = sorted(best)
    src = [k[0] for k in keys]
    dst = [k[1] for k in keys]
    return src, dst, [best[k] for k in keys]


def actor_graph(n, edges, weights, directed):
    src, dst, w = simple(n, edges, weights, directed)
    return ActorGraph.from_edges(src, dst, w, n_nodes=n, directed=directed)


def kite():
    return ActorGraph.from_networkx(nx.krackhardt_kite_graph())


# --------------------------------------------------------------------------- published


def test_star_center_is_6():
    # star with 5 nodes: the centre lies on the only path of each of the C(4, 2) = 6
    # unordered leaf pairs
    g = ActorGraph.from_edges([0, 0, 0, 0], [1, 2, 3, 4], directed=False)
    expected = np.array([6.0, 0, 0, 0, 0])
    np.testing.assert_array_equal(betweenness(g), expected)
    np.testing.assert_allclose(betweenness(g, samples=5, seed=0), expected, rtol=1e-15)
    # normalised: 6 / ((n-1)(n-2)/2) = 1
    np.testing.assert_allclose(betweenness(g, normalized=True), [1.0, 0, 0, 0, 0])


def test_path3_center_is_1():
    g = ActorGraph.from_edges([0, 1], [1, 2], directed=False)
    np.testing.assert_array_equal(betweenness(g), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(betweenness(g, samples=3, seed=1), [0.0, 1.0, 0.0])
    # directed 0 -> 1 -> 2: one ordered pair (0, 2) through 1
    d = ActorGraph.from_edges([0, 1], [1, 2], directed=True)
    np.testing.assert_array_equal(betweenness(d, samples=3, seed=1), [0.0, 1.0, 0.0])
    # read as a symmetric digraph both (0, 2) and (2, 0) pass through 1
    np.testing.assert_array_equal(betweenness(g, directed=True), [0.0, 2.0, 0.0])


def test_krackhardt_kite_networkx_published():
    # networkx/algorithms/centrality/tests/test_betweenness_centrality.py: the ordered
    # pair values 1.667, 7.333, 16.667, 28, 16 halved (unordered pairs), and normalised
    # values 0.023, 0.102, 0.231, 0.389, 0.222
    unnorm = np.array([1.667, 1.667, 0.0, 7.333, 0.0, 16.667, 16.667, 28.0, 16.0, 0.0]) / 2
    norm = np.array([0.023, 0.023, 0.0, 0.102, 0.0, 0.231, 0.231, 0.389, 0.222, 0.0])
    g = kite()
    for b in (betweenness(g), betweenness(g, samples=10, seed=3)):
        np.testing.assert_allclose(b, unnorm, atol=1e-3)
    np.testing.assert_allclose(betweenness(g, normalized=True), norm, atol=1e-3)
    np.testing.assert_allclose(betweenness(g, samples=10, normalized=True), norm, atol=1e-3)
    # exact rationals: 5/6, 11/3, 25/3, 14, 8
    np.testing.assert_allclose(betweenness(g)[[0, 3, 5, 7, 8]],
                               [5 / 6, 11 / 3, 25 / 3, 14, 8], rtol=1e-12)


# --------------------------------------------------------------------------- oracle


def test_oracles_agree_with_each_other():
    # the pair-identity oracle against exhaustive path listing, on small fixed graphs
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(2, 7))
        L = np.where(rng.random((n, n)) < 0.4, rng.integers(1, 3, (n, n)), 0).astype(float)
        np.fill_diagonal(L, 0)
        np.testing.assert_allclose(ref.betweenness_pairs(L), ref.betweenness_enumerate(L),
                                   rtol=1e-12, atol=1e-12)


@SETTINGS
@given(small_graphs())
def test_betweenness_matches_bruteforce(graph):
    n, edges, weights, directed = graph
    L = ref.dense(n, edges, weights, directed=directed)
    expected = ref.betweenness_pairs(L) / (1 if directed else 2)
    weighted = weights is not None
    for g in (to_igraph(n, edges, weights, directed), actor_graph(n, edges, weights, directed)):
        w = True if weighted else None
        np.testing.assert_allclose(betweenness(g, weights=w), expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(betweenness(g, n, weights=w, seed=0), expected,
                                   rtol=1e-12, atol=1e-12)
    if directed:  # SciPy input is read as directed
        w = True if weighted else None
        np.testing.assert_allclose(betweenness(to_scipy(n, edges, weights), n, weights=w),
                                   expected, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(small_graphs(), st.integers(0, 2**32 - 1), st.data())
def test_sampled_raw_sum_matches_bruteforce(graph, seed, data):
    n, edges, weights, directed = graph
    k = data.draw(st.integers(1, n))
    L = ref.dense(n, edges, weights, directed=directed)
    sources = C._sample_sources(n, k, seed)
    assert len(set(sources.tolist())) == k
    raw = ref.betweenness_pairs(L, sources) / (1 if directed else 2)
    g = to_igraph(n, edges, weights, directed)
    w = True if weights is not None else None
    np.testing.assert_allclose(betweenness(g, k, weights=w, seed=seed) * k / n, raw,
                               rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- igraph / networkx


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("normalized", [False, True])
def test_betweenness_matches_networkx_and_igraph(directed, weighted, normalized):
    rng = np.random.default_rng(7)
    n = 40
    # two components and two isolated nodes
    edges = [(int(u), int(v)) for u, v in rng.integers(0, 25, (70, 2))]
    edges += [(int(u), int(v)) for u, v in rng.integers(25, 38, (25, 2))]
    weights = [float(x) for x in rng.integers(1, 5, len(edges))] if weighted else None
    L = ref.dense(n, edges, weights, directed=directed)
    G = to_networkx(L, directed)
    g = to_igraph(n, edges, weights, directed).simplify(combine_edges="min")
    w = True if weighted else None
    ours = betweenness(to_igraph(n, edges, weights, directed), weights=w, normalized=normalized)
    ours_k = betweenness(to_igraph(n, edges, weights, directed), n, weights=w,
                         normalized=normalized, seed=0)
    expected_nx = nx_array(nx.betweenness_centrality(
        G, normalized=normalized, weight="weight" if weighted else None, endpoints=False), n)
    expected_ig = np.array(g.betweenness(directed=directed,
                                         weights="weight" if weighted else None))
    if normalized:
        expected_ig /= (n - 1) * (n - 2) / (1 if directed else 2)
    for got in (ours, ours_k):
        np.testing.assert_allclose(got, expected_nx, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got, expected_ig, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_sampled_sources_match_igraph_and_networkx_subset(directed, weighted):
    rng = np.random.default_rng(11)
    n, k, seed = 60, 9, 123
    edges = [(int(u), int(v)) for u, v in rng.integers(0, n, (150, 2)) if u != v]
    weights = [float(x) for x in rng.integers(1, 4, len(edges))] if weighted else None
    g = to_igraph(n, edges, weights, directed).simplify(combine_edges="min")
    wname = "weight" if weighted else None
    sources = C._sample_sources(n, k, seed)
    raw = betweenness(g, k, weights=wname, seed=seed) * k / n
    ig_raw = np.array(g.betweenness(directed=directed, weights=wname,
                                    sources=sources.tolist()))
    np.testing.assert_allclose(raw, ig_raw, rtol=1e-10, atol=1e-12)
    L = ref.dense(n, edges, weights, directed=directed)
    G = to_networkx(L, directed)
    nx_raw = nx_array(nx.betweenness_centrality_subset(
        G, sources.tolist(), list(G), normalized=False, weight=wname), n)
    np.testing.assert_allclose(raw, nx_raw, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("directed", [False, True])
def test_networkx_k_sample_is_our_raw_sum_rescaled(directed):
    # networkx's k-sample estimator (endpoints=False) rescales the same raw sum by
    # (n-1)/k for non-sources and (n-1)/(k-1) for sources; ours uses n/k for all.
    n, k, seed = 50, 7, 5
    G0 = nx.gnp_random_graph(n, 0.08, seed=3, directed=directed)
    sources = random.Random(seed).sample(list(G0.nodes()), k)  # networkx's own draw
    est_nx = nx_array(nx.betweenness_centrality(G0, k=k, seed=seed, normalized=False,
                                                endpoints=False), n)
    g = ActorGraph.from_networkx(G0)
    raw = C._brandes(as_csr("t", g, weights=None, directed=None, combine="min",
                               positive=True), np.sort(sources), 1)
    raw /= 1 if directed else 2
    scale = np.full(n, (n - 1) / k)
    scale[sources] = (n - 1) / (k - 1)
    np.testing.assert_allclose(est_nx, raw * scale, rtol=1e-12, atol=1e-12)


def test_directed_false_reads_underlying_simple_graph():
    rng = np.random.default_rng(2)
    n = 30
    edges = [(int(u), int(v)) for u, v in rng.integers(0, n, (80, 2))]
    w = [float(x) for x in rng.integers(1, 4, len(edges))]
    g = to_igraph(n, edges, w, True)
    und = g.as_undirected(mode="collapse", combine_edges="min")
    for weights, wn in ((None, None), (True, "weight")):
        expected = np.array(und.betweenness(weights=wn))
        np.testing.assert_allclose(betweenness(g, weights=weights, directed=False),
                                   expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(betweenness(g, n, weights=weights, directed=False),
                                   expected, rtol=1e-12, atol=1e-12)


def test_parallel_edges_merged_keeping_shortest_and_loops_ignored():
    # multigraph: 0-1 twice (lengths 1 and 3), loops at 1 and 2
    edges = [(0, 1), (0, 1), (1, 2), (1, 1), (2, 2), (0, 3), (3, 2)]
    w = [1.0, 3.0, 1.0, 1.0, 5.0, 1.0, 1.0]
    g = to_igraph(4, edges, w, False)
    simple_g = g.copy()
    simple_g.simplify(combine_edges="min")  # drops loops too
    for weights, wn in ((None, None), (True, "weight")):
        expected = np.array(simple_g.betweenness(weights=wn))
        np.testing.assert_allclose(betweenness(g, weights=weights), expected, rtol=1e-12)
        np.testing.assert_allclose(betweenness(g, 4, weights=weights), expected, rtol=1e-12)
    # unweighted: 0-2 has two shortest paths (via 1 and via 3), each node gets 1/2
    np.testing.assert_allclose(betweenness(g), [0.5, 0.5, 0.5, 0.5])
    # SciPy COO duplicates merge the same way
    A = to_scipy(4, edges, w)
    np.testing.assert_allclose(betweenness(A, 4, weights=True, directed=False) * 1.0,
                               betweenness(g, weights=True), rtol=1e-12)


def test_weighted_with_unit_weights_equals_unweighted():
    G = nx.gnm_random_graph(80, 240, seed=4, directed=True)
    g = ActorGraph.from_networkx(G)  # all weights 1
    np.testing.assert_allclose(betweenness(g, 80, weights=True), betweenness(g, 80),
                               rtol=1e-12)


@SETTINGS
@given(small_graphs(weighted=True), st.integers(2, 5))
def test_scaling_lengths_keeps_betweenness(graph, c):
    n, edges, weights, directed = graph
    a = to_igraph(n, edges, weights, directed)
    b = to_igraph(n, edges, [x * c for x in weights], directed)
    np.testing.assert_allclose(betweenness(a, n, weights=True),
                               betweenness(b, n, weights=True), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(small_graphs(), st.randoms(use_true_random=False))
def test_relabelling_permutes_betweenness(graph, rnd):
    n, edges, weights, directed = graph
    perm = list(range(n))
    rnd.shuffle(perm)
    moved = [(perm[u], perm[v]) for u, v in edges]
    w = True if weights is not None else None
    a = betweenness(to_igraph(n, edges, weights, directed), n, weights=w)
    b = betweenness(to_igraph(n, moved, weights, directed), n, weights=w)
    np.testing.assert_allclose(b[perm], a, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- sampling


def test_estimator_is_unbiased_over_all_source_sets():
    # the mean of the n/k-scaled estimate over every k-subset of sources is exact
    G = nx.krackhardt_kite_graph()
    g = ActorGraph.from_networkx(G)
    csr = as_csr("t", g, weights=None, directed=None, combine="min", positive=True)
    n, k = 10, 3
    total = np.zeros(n)
    subsets = list(itertools.combinations(range(n), k))
    for s in subsets:
        total += C._brandes(csr, np.array(s), 1) * n / k / 2
    np.testing.assert_allclose(total / len(subsets), betweenness(g), rtol=1e-12)


def test_estimator_mean_over_seeds_is_close_to_exact():
    # fixed seeds: deterministic; the bound is 4 standard errors of the mean
    G = nx.connected_watts_strogatz_graph(40, 4, 0.2, seed=1)
    g = ActorGraph.from_networkx(G)
    exact = betweenness(g)
    est = np.array([betweenness(g, 8, seed=s) for s in range(300)])
    se = est.std(axis=0, ddof=1) / np.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - exact) <= 4 * se + 1e-9)
    # and the error shrinks with more samples
    err8 = np.abs(est - exact).mean()
    err32 = np.mean([np.abs(betweenness(g, 32, seed=s) - exact).mean() for s in range(50)])
    assert err32 < err8


def test_same_seed_same_result_and_seed_matters():
    G = nx.gnm_random_graph(200, 600, seed=8)
    g = ActorGraph.from_networkx(G)
    a = betweenness(g, 20, seed=42)
    np.testing.assert_array_equal(a, betweenness(g, 20, seed=42))
    np.testing.assert_array_equal(a, betweenness(g, 20, seed=np.random.default_rng(42)))
    assert not np.array_equal(a, betweenness(g, 20, seed=43))
    np.testing.assert_array_equal(C._sample_sources(200, 20, 42),
                                  np.sort(np.random.default_rng(42).choice(200, 20,
                                                                           replace=False)))


# --------------------------------------------------------------------------- representation


def _with_index_dtype(g, dtype):
    return ActorGraph(indptr=g.indptr.astype(dtype), indices=g.indices.astype(dtype),
                      weights=g.weights, directed=g.directed, node_region=g.node_region)


@pytest.mark.parametrize("weighted", [None, True])
def test_int32_and_int64_indices_identical(weighted):
    G = nx.gnm_random_graph(150, 500, seed=9, directed=True)
    for u, v in G.edges:
        G[u][v]["weight"] = float((u * 7 + v) % 3 + 1)
    g = ActorGraph.from_networkx(G)
    assert g.indices.dtype == np.int32
    g64 = _with_index_dtype(g, np.int64)
    np.testing.assert_array_equal(betweenness(g, 30, weights=weighted, seed=1),
                                  betweenness(g64, 30, weights=weighted, seed=1))
    np.testing.assert_array_equal(betweenness(g, weights=weighted),
                                  betweenness(g64, weights=weighted))
    np.testing.assert_array_equal(degree(g), degree(g64))


def test_read_only_inputs_are_accepted_and_not_mutated():
    A = sp.random_array((60, 60), density=0.08, random_state=3, format="csr")
    A.data[:] = np.round(A.data * 3) + 1
    before = (A.data.copy(), A.indices.copy(), A.indptr.copy())
    for arr in (A.data, A.indices, A.indptr):
        arr.flags.writeable = False
    b = betweenness(A, 60, weights=True, seed=0)
    np.testing.assert_allclose(b, betweenness(A, weights=True), rtol=1e-12)
    for x, y in zip(before, (A.data, A.indices, A.indptr)):
        np.testing.assert_array_equal(x, y)
    g = ActorGraph.from_scipy(A)
    assert not g.indices.flags.writeable
    np.testing.assert_allclose(betweenness(g, 60, weights=True), b, rtol=1e-15)


@pytest.mark.parametrize("weighted", [None, True])
@pytest.mark.parametrize("directed", [False, True])
def test_thread_count_bit_identical(weighted, directed):
    if not ecosystem._core.openmp_enabled():
        pytest.skip("built without OpenMP")
    G = nx.gnm_random_graph(3000, 12_000, seed=10, directed=directed)
    for u, v in G.edges:
        G[u][v]["weight"] = 0.1 * ((u + 3 * v) % 7 + 1)  # non-integer lengths too
    g = ActorGraph.from_networkx(G)
    # big enough to really run on several threads, in several chunks
    assert 97 * (g.nnz + g.n_nodes) >= C._SERIAL_WORK
    assert C._n_chunks(g.n_nodes, 97) > 1
    a = betweenness(g, 97, weights=weighted, seed=0, n_jobs=1)
    b = betweenness(g, 97, weights=weighted, seed=0, n_jobs=2)
    c = betweenness(g, 97, weights=weighted, seed=0, n_jobs=3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_empty_single_and_edgeless_graphs():
    for n in (0, 1, 2, 5):
        g = ActorGraph.from_edges([], [], n_nodes=n, directed=False)
        np.testing.assert_array_equal(betweenness(g), np.zeros(n))
        if n:
            np.testing.assert_array_equal(betweenness(g, n, seed=0), np.zeros(n))
            np.testing.assert_array_equal(betweenness(g, n, normalized=True), np.zeros(n))
        np.testing.assert_array_equal(degree(g), np.zeros(n))
        np.testing.assert_array_equal(harmonic_closeness(g), np.zeros(n))
        if n:
            np.testing.assert_allclose(pagerank(g), np.full(n, 1 / n))
            hub, auth = hits(g)
            np.testing.assert_allclose(hub, np.full(n, 1 / n))


# --------------------------------------------------------------------------- errors


def test_betweenness_errors_name_parameter_and_value():
    g = ActorGraph.from_edges([0, 1, 2], [1, 2, 3], directed=False)
    with pytest.raises(ParameterError, match=r"betweenness: samples must be .*\[1, n_nodes=4\]; got 5"):
        betweenness(g, 5)
    with pytest.raises(ParameterError, match=r"betweenness: samples must be .*; got 0"):
        betweenness(g, 0)
    with pytest.raises(ParameterError, match=r"samples must be .*; got -2"):
        betweenness(g, -2)
    with pytest.raises(InputTypeError, match=r"betweenness: samples must be an integer.*got 2.5"):
        betweenness(g, 2.5)
    with pytest.raises(InputTypeError, match="samples must be an integer.*True"):
        betweenness(g, True)
    with pytest.raises(ParameterError, match=r"exact_limit=3 nodes; got a graph with 4 nodes"):
        betweenness(g, exact_limit=3)
    np.testing.assert_array_equal(betweenness(g, exact_limit=None), [0, 2, 2, 0])
    with pytest.raises(InputTypeError, match="betweenness: graph must be an ActorGraph"):
        betweenness([[0, 1], [1, 0]])
    with pytest.raises(InputTypeError, match="betweenness: weights must be None, True"):
        betweenness(g, weights=2.0)
    with pytest.raises(ParameterError, match="betweenness: n_jobs must be non-zero"):
        betweenness(g, 2, n_jobs=0)


@pytest.mark.parametrize("bad, kind", [(-2.0, "non-positive"), (0.0, "non-positive"),
                                       (np.nan, "NaN/inf"), (np.inf, "NaN/inf")])
def test_bad_lengths_raise_naming_weights(bad, kind):
    g = to_igraph(3, [(0, 1), (1, 2)], [1.0, bad], False)
    pattern = rf"betweenness: weights must be positive and finite.*got 1 {kind}, e\.g\. {bad!r}"
    with pytest.raises(GraphFormatError, match=pattern.replace("(", r"\(")):
        betweenness(g, weights=True)
    with pytest.raises(GraphFormatError, match="harmonic_closeness: weights must be positive"):
        harmonic_closeness(g, weights="weight")
    A = sp.csr_array(np.array([[0, 1.0], [bad, 0]]))
    if bad != 0:
        with pytest.raises(GraphFormatError, match=r"on edge \(1, 0\)"):
            betweenness(A, 2, weights=True)
    # unweighted use of the same graph is fine
    betweenness(g)
    if bad < 0 or not np.isfinite(bad):
        with pytest.raises(GraphFormatError, match="strength: weights must be non-negative"):
            strength(g)


def test_zero_weight_on_actor_graph_rejected_for_lengths_only():
    g = ActorGraph.from_edges([0, 1], [1, 2], [0.0, 1.0], directed=False)
    with pytest.raises(GraphFormatError, match=r"got 1 non-positive, e\.g\. 0\.0 on edge \(0, 1\)"):
        betweenness(g, weights=True)
    np.testing.assert_array_equal(strength(g), [0.0, 1.0, 1.0])


def test_other_errors():
    g = ActorGraph.from_edges([0, 1], [1, 2])
    with pytest.raises(ParameterError, match=r"degree: mode must be one of 'out', 'in', 'all'; got 'both'"):
        degree(g, mode="both")
    with pytest.raises(ParameterError, match="strength: mode must be one of.*got 'IN'"):
        strength(g, mode="IN")
    with pytest.raises(ParameterError, match="harmonic_closeness: mode must be one of"):
        harmonic_closeness(g, mode=None)
    with pytest.raises(ParameterError, match=r"pagerank: damping must be a finite number in \[0.0, 1.0\); got 1.5"):
        pagerank(g, damping=1.5)
    ig_g = to_igraph(3, [(0, 1)], None, True)
    with pytest.raises(ParameterError, match="weights names an edge attribute.*'w'"):
        strength(ig_g, weights="w")
    with pytest.raises(ParameterError, match="weights must be None, True or 'weight' for an ActorGraph; got 'w'"):
        strength(g, weights="w")
    with pytest.raises(GraphFormatError, match=r"square adjacency; got shape \(2, 3\)"):
        degree(sp.csr_array((2, 3)))
    with pytest.raises(ParameterError, match="region_table: groups must be given"):
        region_table(g, d=degree(g))
    with pytest.raises(ParameterError, match=r"region_table: d must have one value per node \(3\); got shape \(2,\)"):
        region_table(g, groups=["a", "b", "c"], d=[1, 2])


# --------------------------------------------------------------------------- degree / strength


@SETTINGS
@given(small_graphs())
def test_degree_and_strength_match_igraph(graph):
    n, edges, weights, directed = graph
    g = to_igraph(n, edges, weights, directed)
    # degree counts merged arcs; compare with igraph on the simplified graph (loops kept)
    s = g.copy()
    s.simplify(multiple=True, loops=False, combine_edges="sum")
    for mode in ("out", "in", "all"):
        np.testing.assert_array_equal(degree(g, mode), s.degree(mode=mode, loops=True))
        expected = g.strength(mode=mode, loops=True,
                              weights="weight" if weights is not None else None)
        np.testing.assert_allclose(strength(g, mode), expected, rtol=1e-12)


def test_degree_strength_loops_and_networkx():
    G = nx.Graph([(0, 1, {"weight": 2.0}), (1, 1, {"weight": 3.0}), (1, 2, {"weight": 1.0})])
    g = ActorGraph.from_networkx(G)
    # a loop counts twice: networkx degree of 1 = 2 + 2
    np.testing.assert_array_equal(degree(g), nx_array(dict(G.degree()), 3))
    np.testing.assert_array_equal(strength(g), nx_array(dict(G.degree(weight="weight")), 3))
    D = nx.DiGraph([(0, 1), (1, 1), (2, 1)])
    d = ActorGraph.from_networkx(D)
    np.testing.assert_array_equal(degree(d, "in"), nx_array(dict(D.in_degree()), 3))
    np.testing.assert_array_equal(degree(d, "out"), nx_array(dict(D.out_degree()), 3))
    np.testing.assert_array_equal(degree(d), nx_array(dict(D.degree()), 3))
    np.testing.assert_array_equal(strength(d, weights=None), degree(d))


# --------------------------------------------------------------------------- PageRank / HITS


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("damping", [0.5, 0.85])
def test_pagerank_matches_networkx_and_dense_oracle(weighted, damping):
    rng = np.random.default_rng(12)
    n = 30
    W = np.where(rng.random((n, n)) < 0.08, rng.integers(1, 4, (n, n)), 0).astype(float)
    W[3] = 0  # dangling node
    W[5, 5] = 2.0  # loop
    if not weighted:
        W = (W > 0).astype(float)
    G = nx.from_numpy_array(W, create_using=nx.DiGraph)
    A = sp.csr_array(W)
    got = pagerank(A, damping, weights=True if weighted else None)
    expected = nx_array(nx.pagerank(G, alpha=damping, weight="weight" if weighted else None,
                                    tol=1e-14, max_iter=10_000), n)
    np.testing.assert_allclose(got, expected, rtol=1e-8)
    np.testing.assert_allclose(got, ref.pagerank(W, damping), rtol=1e-8)
    assert abs(got.sum() - 1) < 1e-12


def test_pagerank_undirected_reading():
    W = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=float)
    got = pagerank(sp.csr_array(W), directed=False)
    np.testing.assert_allclose(got, ref.pagerank(W + W.T, 0.85), rtol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_hits_matches_networkx_and_oracle(weighted):
    G = nx.gnp_random_graph(40, 0.12, seed=13, directed=True)
    for u, v in G.edges:
        G[u][v]["weight"] = float((u + v) % 4 + 1) if weighted else 1.0
    W = nx.to_numpy_array(G, nodelist=range(40))
    hub, auth = hits(ActorGraph.from_networkx(G), weights=True if weighted else None)
    h_nx, a_nx = nx.hits(G, max_iter=10_000, tol=1e-14)
    if not weighted:
        np.testing.assert_allclose(hub, nx_array(h_nx, 40), rtol=1e-6, atol=1e-10)
        np.testing.assert_allclose(auth, nx_array(a_nx, 40), rtol=1e-6, atol=1e-10)
    h_ref, a_ref = ref.hits(W)
    np.testing.assert_allclose(hub, h_ref, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(auth, a_ref, rtol=1e-6, atol=1e-10)


def test_hits_undirected_is_eigenvector_centrality():
    G = nx.connected_watts_strogatz_graph(30, 4, 0.3, seed=16)
    hub, auth = hits(ActorGraph.from_networkx(G))
    ev = nx_array(nx.eigenvector_centrality_numpy(G), 30)
    np.testing.assert_allclose(hub, auth, rtol=1e-8)
    np.testing.assert_allclose(hub, ev / ev.sum(), rtol=1e-6)


# --------------------------------------------------------------------------- harmonic


@SETTINGS
@given(small_graphs())
def test_harmonic_matches_bruteforce(graph):
    n, edges, weights, directed = graph
    L = ref.dense(n, edges, weights, directed=directed)
    g = to_igraph(n, edges, weights, directed)
    w = True if weights is not None else None
    for mode in ("out", "in"):
        expected = ref.harmonic(L, mode)
        np.testing.assert_allclose(harmonic_closeness(g, mode, weights=w, normalized=False),
                                   expected, rtol=1e-12, atol=1e-12)
        if n > 1:
            np.testing.assert_allclose(harmonic_closeness(g, mode, weights=w),
                                       expected / (n - 1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("directed", [False, True])
def test_harmonic_networkx_convention(directed):
    G = nx.gnp_random_graph(35, 0.07, seed=14, directed=directed)
    g = ActorGraph.from_networkx(G)
    expected = nx_array(nx.harmonic_centrality(G), 35)  # inverse distances *to* a node
    np.testing.assert_allclose(harmonic_closeness(g, "in", normalized=False), expected,
                               rtol=1e-12)
    if directed:
        rev = nx_array(nx.harmonic_centrality(G.reverse()), 35)
        np.testing.assert_allclose(harmonic_closeness(g, "out", normalized=False), rev,
                                   rtol=1e-12)
        und = nx_array(nx.harmonic_centrality(G.to_undirected()), 35)
        np.testing.assert_allclose(harmonic_closeness(g, "all", normalized=False), und,
                                   rtol=1e-12)


# --------------------------------------------------------------------------- regions


def test_region_table_sums_and_means_per_region():
    g = ActorGraph.from_edges([0, 1, 2, 3], [1, 2, 3, 4], directed=False,
                              node_region=["B", "B", "A", None, "A"])
    b = betweenness(g)  # path 0-1-2-3-4: [0, 3, 4, 3, 0]
    np.testing.assert_array_equal(b, [0, 3, 4, 3, 0])
    t = region_table(g, betweenness=b, degree=degree(g))
    assert list(t.index) == ["A", "B"]
    assert list(t.columns) == ["betweenness", "degree", "n_nodes"]
    np.testing.assert_array_equal(t["betweenness"], [4.0, 3.0])
    np.testing.assert_array_equal(t["degree"], [3.0, 3.0])
    np.testing.assert_array_equal(t["n_nodes"], [2, 2])
    assert t.attrs["n_missing"] == 1
    m = region_table(g, agg="mean", betweenness=b)
    np.testing.assert_array_equal(m["betweenness"], [2.0, 1.5])
    # explicit groups for a SciPy adjacency
    A = g.to_scipy()
    t2 = region_table(A, groups=np.array(["x", "x", "y", "y", "y"]), betweenness=b)
    np.testing.assert_array_equal(t2["betweenness"], [3.0, 7.0])


# --------------------------------------------------------------------------- docs


def test_docstring_examples():
    result = doctest.testmod(C, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 15
    assert result.failed == 0


# --------------------------------------------------------------------------- slow


def test_medium_graph_sampled_matches_igraph_sources():
    rng = np.random.default_rng(15)
    n = 5000
    g = ig.Graph(n=n, edges=rng.integers(0, n, (25_000, 2)), directed=True).simplify()
    g.es["weight"] = rng.integers(1, 6, g.ecount()).astype(float).tolist()
    sources = C._sample_sources(n, 64, 1).tolist()
    for w in (None, "weight"):
        got = betweenness(g, 64, weights=w, seed=1) * 64 / n
        expected = np.array(g.betweenness(sources=sources, weights=w))
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


@slow
@pytest.mark.slow
@pytest.mark.parametrize("weighted", [False, True])
def test_power_law_50k_matches_igraph_sources_and_threads(weighted):
    # the benchmark's workload: 50k-node Chung-Lu graph, 200 sources, 1 vs 2 threads
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
    from peer_betweenness import chung_lu

    n, k = 50_000, 200
    src, dst, w = chung_lu(n, 10, weighted=weighted, seed=0)
    g = ActorGraph.from_edges(src, dst, w, n_nodes=n, directed=False)
    g64 = _with_index_dtype(g, np.int64)
    wt = True if weighted else None
    one = betweenness(g, k, weights=wt, seed=0, n_jobs=1)
    two = betweenness(g64, k, weights=wt, seed=0, n_jobs=2)
    np.testing.assert_array_equal(one, two)
    G = ig.Graph(n=n, edges=np.column_stack([src, dst]))
    if weighted:
        G.es["weight"] = w.tolist()
    expected = np.array(G.betweenness(sources=C._sample_sources(n, k, 0).tolist(),
                                      weights="weight" if weighted else None))
    np.testing.assert_allclose(one * k / n, expected, rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- weighted ties


def _newman_coauthorship(seed, n_papers=400, n_authors=120):
    """A Newman-weighted co-authorship graph: weights are sums of 1/(n_p - 1)."""
    rng = np.random.default_rng(seed)
    rec, act = [], []
    for p in range(n_papers):
        k = int(rng.integers(2, 7))
        for a in rng.choice(n_authors, size=k, replace=False):
            rec.append(p)
            act.append(int(a))
    c = ecosystem.Contributions.from_arrays(record=rec, actor=act, region=["X"] * len(rec))
    return ecosystem.coauthorship_graph(c, counting="newman")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reciprocal", [False, True])
def test_weighted_kernel_and_igraph_agree_on_near_ties(seed, reciprocal):
    # issue 19 item 10: on Newman weights (1/2 + 1/6 vs 2/3, ...) path lengths that are
    # equal in exact arithmetic differ in the last bits; the kernel tied only equal
    # doubles and igraph uses a relative epsilon, so samples=n and samples=None differed
    # by up to 10 % of a node's value. Both now use PATH_RTOL.
    g = _newman_coauthorship(seed)
    if reciprocal:  # tie strengths -> lengths, as Newman (2001) does
        g = ActorGraph(g.indptr, g.indices, 1.0 / g.weights, False, g.node_region)
    exact = betweenness(g, weights=True)
    kernel = betweenness(g, g.n_nodes, weights=True, seed=0)
    assert exact.max() > 0
    np.testing.assert_allclose(kernel, exact, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(betweenness(g, g.n_nodes, weights=True, seed=0, n_jobs=2),
                                  kernel)


def test_path_rtol_is_igraphs_relative_rule():
    # 0->1->3 (0.1 + 0.2) and 0->2->3 (0.15 + 0.15): equal in exact arithmetic, not as
    # doubles. Under the stated tolerance both are shortest, so 1 and 2 share the pair
    # (0, 3), on both paths (exact values by hand: 1/2 each).
    a, b = 0.1 + 0.2, 0.15 + 0.15
    assert a != b and abs(a - b) < C.PATH_RTOL * ((1 + a) + (1 + b))
    g = ActorGraph.from_edges([0, 1, 0, 2], [1, 3, 2, 3], [0.1, 0.2, 0.15, 0.15])
    expected = [0.0, 0.5, 0.5, 0.0]
    np.testing.assert_allclose(betweenness(g, weights=True), expected, rtol=1e-12)
    np.testing.assert_allclose(betweenness(g, 4, weights=True, seed=0), expected, rtol=1e-12)


# --------------------------------------------------------------------------- PageRank in the core


def _multigraph(directed, weighted, seed=1, n=300):
    rng = np.random.default_rng(seed)
    g = ig.Graph.Erdos_Renyi(n=n, m=5 * n, directed=directed, loops=True)
    g.add_vertices(2)  # two isolated (dangling) nodes
    g.add_edges([(0, 0), (0, 0), (5, 6), (5, 6)])  # parallel loops and edges
    if weighted:
        g.es["weight"] = [float(x) for x in rng.integers(1, 5, g.ecount())]
    return g


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_pagerank_within_1e10_of_prpack(directed, weighted):
    # issue 17 item 2: the core's power iteration against igraph's PRPACK (a direct
    # solver) on the merged graph, plain and personalised
    g = _multigraph(directed, weighted)
    w = "weight" if weighted else None
    merged = g.copy()
    merged.simplify(multiple=True, loops=False, combine_edges="sum" if weighted else None)
    ours, info = pagerank(g, weights=True if weighted else None, return_info=True)
    prpack = np.array(merged.pagerank(directed=directed, weights=w, implementation="prpack"))
    assert np.abs(ours - prpack).sum() < 1e-10
    assert info["residual"] < info["tol"] == C.RANK_TOL and 10 < info["n_iter"] < 1000
    reset = np.random.default_rng(2).random(g.vcount())
    ours_p = pagerank(g, 0.7, weights=True if weighted else None, personalization=reset)
    prpack_p = np.array(merged.personalized_pagerank(directed=directed, weights=w, damping=0.7,
                                                     reset=reset, implementation="prpack"))
    assert np.abs(ours_p - prpack_p).sum() < 1e-10


def test_personalized_pagerank_matches_networkx():
    G = nx.gnp_random_graph(120, 0.04, seed=5, directed=True)
    G.add_edge(3, 3)
    pers = {v: float(v % 7) for v in G}
    expected = nx_array(nx.pagerank(G, personalization=pers, tol=1e-15, max_iter=10_000), 120)
    got = pagerank(ActorGraph.from_networkx(G), personalization=[pers[v] for v in range(120)])
    assert np.abs(got - expected).sum() < 1e-10


def test_pagerank_and_hits_bit_identical_across_threads():
    rng = np.random.default_rng(4)
    n, m = 60_000, 300_000  # above the serial threshold: threads really run
    src, dst = rng.integers(0, n, m) ** 2 % n, rng.integers(0, n, m)
    g = ActorGraph.from_edges(src, dst, rng.random(m), n_nodes=n)
    for w in (None, True):
        one, i1 = pagerank(g, weights=w, n_jobs=1, return_info=True)
        two, i2 = pagerank(g, weights=w, n_jobs=2, return_info=True)
        assert one.tobytes() == two.tobytes() and i1 == i2
    h1, a1 = hits(g, n_jobs=1, tol=1e-9)
    h2, a2 = hits(g, n_jobs=2, tol=1e-9)
    assert h1.tobytes() == h2.tobytes() and a1.tobytes() == a2.tobytes()


def test_pagerank_uniform_teleport_without_an_array_is_the_same_bits():
    # the kernel's uniform teleport (no array read) equals an explicit uniform vector
    rng = np.random.default_rng(6)
    n, m = 5000, 40_000
    g = ActorGraph.from_edges(rng.integers(0, n, m), rng.integers(0, n, m), n_nodes=n)
    for w in (None, True):
        a, ia = pagerank(g, weights=w, return_info=True)
        b, ib = pagerank(g, weights=w, personalization=np.ones(n), return_info=True)
        assert a.tobytes() == b.tobytes() and ia == ib


def test_pagerank_reports_and_raises():
    g = ActorGraph.from_edges([0, 1, 2, 2], [1, 2, 0, 1])
    with pytest.raises(ecosystem.ConvergenceError, match=r"pagerank: .*after 2 iterations"):
        pagerank(g, max_iter=2)
    with pytest.raises(ParameterError, match="pagerank: personalization must have a positive sum"):
        pagerank(g, personalization=[0, 0, 0])
    with pytest.raises(ParameterError, match="pagerank: personalization must have one entry"):
        pagerank(g, personalization=[1, 0])
    with pytest.raises(ParameterError, match="pagerank: personalization must be non-negative"):
        pagerank(g, personalization=[1, -1, 0])
    with pytest.raises(ParameterError, match=r"pagerank: tol must be a finite number in \(0.0"):
        pagerank(g, tol=0)
    scores, info = pagerank(g, tol=1e-6, return_info=True)
    assert info["residual"] < 1e-6 and info["damping"] == 0.85
    np.testing.assert_allclose(scores, pagerank(g), atol=1e-5)
