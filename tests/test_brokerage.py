"""Tests of ecosystem.brokerage: Gould–Fernandez brokerage (sna semantics), E-I, Burt.

Oracles, most trusted first: the counts R sna printed for the Strike network and the
values of docs/brokerage.md §7; hand-worked small graphs; the literal transcription of
sna's routine and formulas in ``_reference_brokerage.py``; exhaustive enumeration of all
digraphs on 4 (and, slow, 5) vertices; networkx 3.6.1 for the Burt measures.
"""

import doctest
import importlib
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _reference_brokerage as ref  # noqa: E402

from ecosystem import _core  # noqa: E402
from ecosystem.brokerage import (  # noqa: E402
    ROLE_CODES,
    ROLE_NAMES,
    _moments,
    brokerage,
    burt_constraint,
    effective_size,
    ei_index,
    region_brokerage,
)
from ecosystem.exceptions import GraphFormatError, InputTypeError, ParameterError  # noqa: E402
from ecosystem.graph import ActorGraph  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
STRIKE = SHARED_DATA / "strike_sna"
DETERMINISTIC = settings(derandomize=True, database=None, deadline=None, max_examples=150)


# ----------------------------------------------------------------------------- helpers
def dense(n, arcs):
    A = np.zeros((n, n))
    for s, t in arcs:
        A[s, t] = 1
    return A


def union_of_all_digraphs(N):
    """Disjoint union of every loop-free digraph on N vertices (graph g = nodes gN..gN+N-1).

    Returns the union as an ActorGraph, the arc count of every digraph and the arc lists.
    """
    pairs = np.array([(i, j) for i in range(N) for j in range(N) if i != j])
    n_graphs = 1 << len(pairs)
    bits = (np.arange(n_graphs)[:, None] >> np.arange(len(pairs))) & 1
    gi, pi = np.nonzero(bits)
    src = gi * N + pairs[pi, 0]
    tgt = gi * N + pairs[pi, 1]
    graph = ActorGraph.from_edges(src, tgt, n_nodes=n_graphs * N)
    return graph, bits.sum(axis=1), pairs, bits


def enumeration_moments(values, n_arcs, n_pairs, d):
    """Mean and variance over all digraphs, each weighted d^m (1-d)^(pairs-m)."""
    w = d**n_arcs * (1 - d) ** (n_pairs - n_arcs)
    w = w.reshape((-1,) + (1,) * (values.ndim - 1))
    mean = (w * values).sum(axis=0)
    return mean, (w * values**2).sum(axis=0) - mean**2


def strike():
    pd = pytest.importorskip("pandas")
    if not STRIKE.is_dir():
        pytest.skip(f"shared Strike data not found at {STRIKE} (needs <root>/shared beside the repo)")
    nodes = pd.read_csv(STRIKE / "nodes.csv")
    edges = pd.read_csv(STRIKE / "edges.csv")
    printed = pd.read_csv(STRIKE / "sna_brokerage_raw.csv")
    graph = ActorGraph.from_edges(edges.source.to_numpy() - 1, edges.target.to_numpy() - 1,
                                  n_nodes=len(nodes), directed=False,
                                  node_labels=nodes.name.tolist())
    return graph, nodes, edges, printed


# ----------------------------------------------------------------------------- Strike
def test_strike_counts_match_sna_exactly():
    graph, nodes, _, printed = strike()
    res = brokerage(graph, nodes.group.to_numpy())
    np.testing.assert_array_equal(res.raw, printed[list(ROLE_CODES)].to_numpy())
    assert res.n_arcs == 76
    # the same call through a symmetric scipy matrix and an undirected igraph.Graph
    res_sp = brokerage(graph.to_scipy(), nodes.group.to_numpy())
    np.testing.assert_array_equal(res_sp.raw, res.raw)
    res_ig = brokerage(graph.to_igraph(), nodes.group.to_numpy())
    np.testing.assert_array_equal(res_ig.raw, res.raw)


def test_strike_moments_match_brokerage_md_section_7():
    graph, nodes, _, _ = strike()
    res = brokerage(graph, nodes.group.to_numpy())
    assert res.density == pytest.approx(76 / 552)
    np.testing.assert_array_equal(res.raw_global, [92, 0, 21, 21, 2, 136])
    np.testing.assert_allclose(
        res.expected_global, [24.8135, 44.9521, 44.9521, 44.9521, 38.8386, 198.5083], atol=6e-5)
    np.testing.assert_allclose(
        res.sd_global, [9.5736, 13.5429, 11.9061, 11.9061, 11.7964, 41.0044], atol=6e-5)
    np.testing.assert_allclose(
        res.z_global, [7.0179, -3.3192, -2.0118, -2.0118, -3.1229, -1.5244], atol=6e-5)
    bob = nodes.name.tolist().index("Bob")
    np.testing.assert_allclose(
        res.z[bob], [9.1949, -0.8617, 3.2423, 3.2423, 0.3077, 4.1945], atol=6e-5)
    exact = brokerage(graph, nodes.group.to_numpy(), variance="exact")
    assert exact.z_global[0] == pytest.approx(7.049, abs=6e-4)
    assert exact.z_global[2] == pytest.approx(-2.102, abs=6e-4)
    np.testing.assert_array_equal(exact.z, res.z)  # node level is the same in both modes
    assert exact.params["variance"] == "exact"


def test_strike_moments_match_transcribed_sna_formulas():
    graph, nodes, edges, _ = strike()
    res = brokerage(graph, nodes.group.to_numpy())
    e, v, eg, vg = ref.sna_moments(2 * len(edges), nodes.group.tolist())
    np.testing.assert_allclose(res.expected, e, rtol=1e-12)
    np.testing.assert_allclose(res.sd, np.sqrt(v), rtol=1e-12)
    np.testing.assert_allclose(res.expected_global, eg, rtol=1e-12)
    np.testing.assert_allclose(res.sd_global, np.sqrt(vg), rtol=1e-12)


# ----------------------------------------------------------------------------- hand-worked
def test_directed_three_cycle_each_node_brokers_once():
    # 0 -> 1 -> 2 -> 0: the reverse arc k -> i never closes a two-path
    A = dense(3, [(0, 1), (1, 2), (2, 0)])
    res = brokerage(A, ["a", "a", "b"])
    np.testing.assert_array_equal(res.raw, [[0, 0, 0, 1, 0, 1],   # 2 -> 0 -> 1: gatekeeper
                                            [0, 0, 1, 0, 0, 1],   # 0 -> 1 -> 2: representative
                                            [0, 1, 0, 0, 0, 1]])  # 1 -> 2 -> 0: itinerant


def test_forward_closing_arc_cancels_and_mutual_ties_score_twice():
    # 0 <-> 1 <-> 2, all in one group: 1 brokers (0, 2) and (2, 0); 0 -> 1 -> 0 never counts
    A = dense(3, [(0, 1), (1, 0), (1, 2), (2, 1)])
    assert brokerage(A, [0, 0, 0]).raw[1].tolist() == [2, 0, 0, 0, 0, 2]
    A[0, 2] = 1  # closes 0 -> 1 -> 2 only
    assert brokerage(A, [0, 0, 0]).raw[1].tolist() == [1, 0, 0, 0, 0, 1]


def test_liaison_and_self_loops():
    # 0 -> 1 -> 2 with three groups is a liaison; a loop at 1 adds no two-path but counts in m
    A = dense(3, [(0, 1), (1, 2)])
    plain = brokerage(A, ["x", "y", "z"])
    assert plain.raw[1].tolist() == [0, 0, 0, 0, 1, 1]
    A[1, 1] = 1
    looped = brokerage(A, ["x", "y", "z"])
    np.testing.assert_array_equal(looped.raw, plain.raw)
    assert (plain.n_arcs, looped.n_arcs) == (2, 3)
    assert looped.density == pytest.approx(3 / 6)


def test_matrix_cells_nonzero_negative_or_nan_are_ties():
    A = np.array([[0, -2.0, 0], [0, 0, np.nan], [0, 0, 0]])
    res = brokerage(A, [0, 0, 1])
    assert res.raw[1].tolist() == [0, 0, 1, 0, 0, 1]
    assert res.n_arcs == 2
    assert brokerage(sp.csr_array(A), [0, 0, 1]).raw[1].tolist() == [0, 0, 1, 0, 0, 1]


def test_duplicate_arcs_are_merged_not_multiplied():
    arcs = [(0, 1), (0, 1), (1, 2), (1, 2), (1, 2)]
    g = ActorGraph.from_edges([a for a, _ in arcs], [b for _, b in arcs], n_nodes=3)
    res = brokerage(g, [0, 1, 2])
    assert res.raw[1].tolist() == [0, 0, 0, 0, 1, 1]  # sna with this multigraph: 2 * 3 = 6
    assert ref.sna_counts(arcs, 3, [0, 1, 2])[1, 4] == 6
    assert res.n_arcs == 2


# ----------------------------------------------------------------------------- oracles
LAYOUTS_4 = [(0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 1, 1), (0, 1, 0, 1), (0, 0, 1, 2), (0, 1, 2, 3)]


@pytest.mark.parametrize("layout", LAYOUTS_4)
def test_every_directed_graph_on_four_nodes_matches_reference(layout):
    graph, _, pairs, bits = union_of_all_digraphs(4)
    res = brokerage(graph, np.tile(layout, len(bits)), n_jobs=1)
    raw = res.raw.reshape(len(bits), 4, 6)
    for g in range(len(bits)):
        arcs = [tuple(p) for p in pairs[bits[g] == 1]]
        np.testing.assert_array_equal(raw[g], ref.sna_counts(arcs, 4, layout), err_msg=str(arcs))


def test_kernel_strategies_and_thread_counts_agree_on_all_four_node_graphs():
    graph, _, _, bits = union_of_all_digraphs(4)
    codes = np.tile(np.array([0, 1, 0, 2], dtype=np.intp), len(bits))
    tptr, tind, _ = graph.transpose
    first = None
    for strategy in (0, 1, 2):
        for threads in (1, 2):
            raw, cand, checks = _core.brokerage_counts(
                graph.indptr, graph.indices, tptr, tind, codes, 3, threads, strategy)
            if first is None:
                first = raw, cand
            np.testing.assert_array_equal(raw, first[0])
            assert cand == first[1]
    deg_out = np.diff(graph.indptr)
    deg_in = np.diff(tptr)
    assert first[1] == int((deg_out * deg_in).sum())  # loop-free: candidates = sum in*out


graph_strategy = st.integers(1, 10).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n * n // 2),
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
))


@DETERMINISTIC
@given(graph_strategy)
def test_random_graphs_match_reference_counts_and_sna_moments(case):
    n, arcs, cl = case
    A = dense(n, arcs)
    distinct = list(zip(*np.nonzero(A)))
    res = brokerage(A, cl, n_jobs=1)
    np.testing.assert_array_equal(res.raw, ref.sna_counts(distinct, n, cl))
    np.testing.assert_array_equal(res.raw_global, res.raw.sum(axis=0))
    if n >= 2:
        e, v, eg, vg = ref.sna_moments(len(distinct), cl)
        np.testing.assert_allclose(res.expected, e, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res.sd, np.sqrt(np.where(v < 0, np.nan, v)),
                                   rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res.expected_global, eg, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res.sd_global, np.sqrt(np.where(vg < 0, np.nan, vg)),
                                   rtol=1e-10, atol=1e-12)


def test_counts_equal_the_rewiring_kernels_observed_counts():
    # cross-implementation check: the region-classification null (uncertainty.brokerage_null)
    # counts the observed graph with its own kernel (dense adjacency, loop-free)
    rng = np.random.default_rng(12)
    for trial in range(20):
        n = int(rng.integers(2, 40))
        A = (rng.random((n, n)) < rng.uniform(0.05, 0.5)).astype(np.uint8)
        np.fill_diagonal(A, 0)
        cl = rng.integers(0, int(rng.integers(1, 6)), n).astype(np.intp)
        observed = _core.brokerage_rewire_counts(A, cl, 0, 0, 1, 1)[0]
        np.testing.assert_array_equal(brokerage(A, cl).raw[:, :5], observed)


def power_law_graph(n, m, seed, n_groups=4):
    rng = np.random.default_rng(seed)
    w = (np.arange(1, n + 1) ** -0.7)
    w /= w.sum()
    src = rng.choice(n, m, p=w)
    tgt = rng.permutation(n)[rng.choice(n, m, p=w)]
    g = ActorGraph.from_edges(src, tgt, n_nodes=n)  # loops and reciprocal arcs kept
    return g, rng.integers(0, n_groups, n)


def test_one_and_two_threads_identical_and_int32_int64_identical():
    g, cl = power_law_graph(3000, 30000, seed=3)
    r1 = brokerage(g, cl, n_jobs=1)
    r2 = brokerage(g, cl, n_jobs=2)
    np.testing.assert_array_equal(r1.raw, r2.raw)
    assert (r1.two_path_candidates, r1.closure_checks) == (r2.two_path_candidates,
                                                          r2.closure_checks)
    assert g.indices.dtype == np.int32
    g64 = ActorGraph(indptr=g.indptr.astype(np.int64), indices=g.indices.astype(np.int64),
                     weights=g.weights, directed=True, node_region=g.node_region)
    np.testing.assert_array_equal(brokerage(g64, cl, n_jobs=2).raw, r1.raw)


def test_power_law_graph_with_hubs_matches_reference():
    # hubs make the kernel take both closure paths (scan and binary search)
    g, cl = power_law_graph(400, 4000, seed=8)
    arcs = list(zip(*np.nonzero(g.to_scipy().toarray())))
    res = brokerage(g, cl)
    np.testing.assert_array_equal(res.raw, ref.sna_counts(arcs, g.n_nodes, cl))
    deg = np.diff(g.indptr)
    assert deg.max() > 20 * np.median(deg)
    tptr, tind, _ = g.transpose
    codes = np.asarray(cl, dtype=np.intp)
    runs = [_core.brokerage_counts(g.indptr, g.indices, tptr, tind, codes, 4, 2, s)
            for s in (0, 1, 2)]
    for raw, _, _ in runs:
        np.testing.assert_array_equal(raw, res.raw[:, :5])
    checks = [c for _, _, c in runs]
    assert checks[0] not in (checks[1], checks[2])  # the adaptive run used both paths
    assert res.closure_checks == checks[0]


def test_read_only_inputs_are_accepted_and_not_modified():
    g, cl = power_law_graph(200, 1500, seed=4)
    A = g.to_scipy()
    for arr in (A.data, A.indices, A.indptr):
        arr.flags.writeable = False
    cl = np.asarray(cl)
    cl.flags.writeable = False
    before = A.copy()
    res = brokerage(A, cl)
    np.testing.assert_array_equal(res.raw, brokerage(g, cl).raw)
    assert (A != before).nnz == 0
    D = A.toarray()
    D.flags.writeable = False
    np.testing.assert_array_equal(brokerage(D, cl).raw, res.raw)
    assert not res.raw.flags.writeable


def test_undirected_input_gives_equal_representative_and_gatekeeper():
    rng = np.random.default_rng(5)
    src, tgt = rng.integers(0, 60, 200), rng.integers(0, 60, 200)
    cl = rng.integers(0, 3, 60)
    und = ActorGraph.from_edges(src, tgt, n_nodes=60, directed=False)
    res = brokerage(und, cl)
    np.testing.assert_array_equal(res.raw[:, 2], res.raw[:, 3])
    assert (res.raw[:, [0, 1, 4]] % 2 == 0).all()
    assert res.raw[:, 2].sum() > 0
    # same as the mutual digraph
    mutual = ActorGraph.from_edges(np.r_[src, tgt], np.r_[tgt, src], n_nodes=60)
    np.testing.assert_array_equal(brokerage(mutual, cl).raw, res.raw)
    assert res.n_arcs == mutual.nnz


def test_empty_graph_single_node_and_no_arcs():
    empty = brokerage(sp.csr_array((0, 0)), [])
    assert empty.raw.shape == (0, 6) and empty.raw_global.tolist() == [0] * 6
    single = brokerage(sp.csr_array((1, 1)), ["a"])
    assert single.raw.tolist() == [[0] * 6]
    assert np.isnan(single.expected).all() and np.isnan(single.z_global).all()
    no_arcs = brokerage(np.zeros((4, 4)), [0, 0, 1, 1])
    assert no_arcs.density == 0.0
    assert (no_arcs.expected == 0).all() and (no_arcs.sd == 0).all()
    assert np.isnan(no_arcs.z).all()  # 0/0, as in R


def test_impossible_roles_have_zero_sd_and_nan_z():
    # a singleton group cannot hold w_I, b_IO or b_OI; two groups cannot hold b_O
    A = dense(4, [(0, 1), (1, 2), (2, 3), (3, 0), (1, 3)])
    res = brokerage(A, ["a", "b", "b", "b"])
    assert (res.sd[0, [0, 2, 3]] == 0).all() and np.isnan(res.z[0, [0, 2, 3]]).all()
    assert (res.sd[:, 4] == 0).all() and res.sd_global[4] == 0


# ----------------------------------------------------------------------------- null model
@pytest.mark.parametrize("layout", LAYOUTS_4)
def test_moments_equal_enumeration_over_all_four_node_digraphs(layout):
    d = 0.3
    graph, n_arcs, _, bits = union_of_all_digraphs(4)
    raw = brokerage(graph, np.tile(layout, len(bits))).raw.reshape(len(bits), 4, 6)
    sizes = [layout.count(g) for g in sorted(set(layout))]
    exp_grp, var_grp, exp_gli, var_gli = _moments(sizes, d, "exact")
    mean, var = enumeration_moments(raw.sum(axis=1).astype(float), n_arcs, 12, d)
    np.testing.assert_allclose(exp_gli, mean, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(var_gli, var, rtol=1e-10, atol=1e-14)
    # the pairwise-covariance oracle agrees with the enumeration too
    np.testing.assert_allclose(ref.exact_global_variance(list(layout), d), var,
                               rtol=1e-10, atol=1e-14)
    # node level: sna's formulas are exact
    code = {g: c for c, g in enumerate(sorted(set(layout)))}
    for v in range(4):
        mean_v, var_v = enumeration_moments(raw[:, v, :].astype(float), n_arcs, 12, d)
        np.testing.assert_allclose(exp_grp[code[layout[v]]], mean_v, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(var_grp[code[layout[v]]], var_v, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("layout", LAYOUTS_4)
def test_sna_global_variance_differs_from_exact_as_documented(layout):
    d = 0.37
    sizes = np.array([layout.count(g) for g in sorted(set(layout))], dtype=float)
    N = sizes.sum()
    q4 = d**4 * (1 - d) ** 2
    _, _, _, v_sna = _moments(sizes.astype(int), d, "sna")
    _, _, _, v_exact = _moments(sizes.astype(int), d, "exact")
    diff = v_sna - v_exact
    m_wi = (sizes * (sizes - 1) * (sizes - 2)).sum()
    assert diff[0] == pytest.approx(2 * m_wi * q4, abs=1e-14)
    assert diff[5] == pytest.approx(2 * N * (N - 1) * (N - 2) * q4, abs=1e-14)
    expected_bio = q4 * (sizes * (sizes - 1) * (N - sizes) * (2 * sizes - 3)).sum()
    assert diff[2] == pytest.approx(expected_bio, abs=1e-14)
    assert diff[3] == diff[2]
    assert diff[1] == pytest.approx(0, abs=1e-14) and diff[4] == pytest.approx(0, abs=1e-14)
    # sna's variance is the transcribed one
    cl = list(layout)
    _, _, _, vg = ref.sna_moments(d * 12, cl)
    np.testing.assert_allclose(v_sna, vg, rtol=1e-12, atol=1e-15)


@DETERMINISTIC
@given(st.lists(st.integers(0, 3), min_size=3, max_size=7), st.floats(0.05, 0.95))
def test_exact_global_variance_equals_pairwise_covariance_sum(cl, d):
    sizes = [cl.count(g) for g in sorted(set(cl))]
    _, _, _, var = _moments(sizes, d, "exact")
    np.testing.assert_allclose(var, ref.exact_global_variance(cl, d), rtol=1e-9, atol=1e-13)


@pytest.mark.slow
def test_moments_equal_enumeration_over_all_five_node_digraphs():
    d = 0.41
    layout = (0, 0, 1, 1, 2)
    graph, n_arcs, _, bits = union_of_all_digraphs(5)
    raw = brokerage(graph, np.tile(layout, len(bits))).raw.reshape(len(bits), 5, 6)
    mean, var = enumeration_moments(raw.sum(axis=1).astype(float), n_arcs, 20, d)
    _, _, exp_gli, var_gli = _moments([2, 2, 1], d, "exact")
    np.testing.assert_allclose(exp_gli, mean, rtol=1e-10)
    np.testing.assert_allclose(var_gli, var, rtol=1e-9)


def test_large_group_sizes_give_exact_zero_moments_for_impossible_roles():
    # two groups of a million nodes: liaison impossible, its moments exactly 0 (not rounding)
    exp_grp, var_grp, exp_gli, var_gli = _moments([1_000_000, 999_999], 1e-5, "exact")
    assert exp_gli[4] == 0 and var_gli[4] == 0 and (var_grp[:, 4] == 0).all()
    assert np.isfinite(var_gli).all() and (var_gli[:4] > 0).all()


# ----------------------------------------------------------------------------- results
def test_by_group_and_to_pandas():
    g, cl = power_law_graph(300, 2000, seed=6, n_groups=3)
    labels = np.array(["north", "south", "east"])[cl]
    res = brokerage(g, labels)
    table = res.by_group()
    assert list(table.columns) == list(ROLE_NAMES) + ["n_nodes"]
    assert sorted(table.index) == ["east", "north", "south"]
    for name in ("east", "north", "south"):
        np.testing.assert_array_equal(table.loc[name, list(ROLE_NAMES)].to_numpy(),
                                      res.raw[labels == name].sum(axis=0))
        assert table.loc[name, "n_nodes"] == (labels == name).sum()
    halves = res.by_group(np.arange(300) < 150)
    np.testing.assert_array_equal(halves.loc[True, list(ROLE_NAMES)].to_numpy(),
                                  res.raw[:150].sum(axis=0))
    frame = res.to_pandas()
    assert list(frame.columns) == list(ROLE_NAMES)
    assert frame.attrs["codes"]["gatekeeper"] == "b_OI"
    assert frame.attrs["codes"]["representative"] == "b_IO"
    np.testing.assert_array_equal(frame.to_numpy(), res.raw)
    np.testing.assert_array_equal(res.to_pandas("z").to_numpy(), res.z)
    assert res.groups.tolist() == labels.tolist()
    assert "BrokerageResult" in repr(res)


def test_default_groups_come_from_node_region():
    g, cl = power_law_graph(100, 500, seed=7)
    regions = np.array(["r0", "r1", "r2", "r3"])[cl]
    src, tgt, _ = g.edge_list()
    gr = ActorGraph.from_edges(src, tgt, n_nodes=100, node_region=regions)
    np.testing.assert_array_equal(brokerage(gr).raw, brokerage(g, regions).raw)
    assert brokerage(gr).by_group().index.tolist() == ["r0", "r1", "r2", "r3"]
    ig = gr.to_igraph()  # carries the "region" vertex attribute
    np.testing.assert_array_equal(brokerage(ig).raw, brokerage(g, regions).raw)


def test_actor_network_by_region_reading():
    # actors 0, 1 in region R; 2 in S; 3 in T.  2 -> 0 -> 1: 0 is R's gatekeeper (introduction);
    # 0 -> 1 -> 3: 1 is R's representative (outbound)
    A = dense(4, [(2, 0), (0, 1), (1, 3), (3, 2)])
    res = brokerage(A, ["R", "R", "S", "T"])
    table = res.by_group()
    assert table.loc["R", "gatekeeper"] == 1 and table.loc["R", "representative"] == 1
    # 1 -> 3 -> 2 (R -> T -> S): T's actor is a liaison; 3 -> 2 -> 0 (T -> S -> R): liaison
    assert table.loc["T", "liaison"] == 1 and table.loc["S", "liaison"] == 1


def test_region_brokerage_threshold_diagonal_and_roles():
    # regions A1, A2 in country A; B1, B2 in B.  B1 -> A1 -> A2: A1 gatekeeper (introduction);
    # A1 -> A2 -> B2: A2 representative (outbound).  Weak flow A2 -> B1 below threshold.
    flows = np.array([[9.0, 3.0, 0.0, 0.0],
                      [0.0, 9.0, 0.5, 2.0],
                      [4.0, 0.0, 9.0, 0.0],
                      [0.0, 0.0, 0.0, 9.0]])
    res = region_brokerage(flows, ["A", "A", "B", "B"], threshold=1.0,
                           regions=["A1", "A2", "B1", "B2"])
    frame = res.to_pandas()
    assert frame.loc["A1"].tolist() == [0, 0, 0, 1, 0, 1]
    assert frame.loc["A2"].tolist() == [0, 0, 1, 0, 0, 1]
    assert res.n_arcs == 3 and res.params["threshold"] == 1.0  # diagonal is not a tie
    same = brokerage(((flows > 1.0) & ~np.eye(4, dtype=bool)).astype(float), ["A", "A", "B", "B"])
    np.testing.assert_array_equal(res.raw, same.raw)
    np.testing.assert_allclose(res.z, same.z, equal_nan=True)
    # default threshold 0: the 0.5 flow becomes an arc, A2 -> B1 -> A1 makes B1 itinerant
    res0 = region_brokerage(sp.csr_array(flows), ["A", "A", "B", "B"])
    assert res0.raw[2].tolist() == [0, 1, 0, 0, 0, 1]


# ----------------------------------------------------------------------------- errors
def test_bad_input_raises_typed_errors_naming_parameter_and_value():
    A = dense(3, [(0, 1), (1, 2)])
    with pytest.raises(ParameterError, match=r"groups must have one entry per node \(3\); got 2"):
        brokerage(A, [0, 1])
    with pytest.raises(ParameterError, match="groups must not contain missing values"):
        brokerage(A, ["a", None, "b"])
    with pytest.raises(ParameterError, match="groups must not contain missing values"):
        brokerage(A, [1.0, np.nan, 2.0])
    with pytest.raises(GraphFormatError, match=r"graph must be a square.*\(2, 3\)"):
        brokerage(np.zeros((2, 3)), [0, 1])
    with pytest.raises(GraphFormatError, match=r"square.*\(2, 3\)"):
        brokerage(sp.csr_array((2, 3)), [0, 1])
    with pytest.raises(ParameterError, match=r"variance must be one of 'sna', 'exact'; got 'fast'"):
        brokerage(A, [0, 1, 2], variance="fast")
    with pytest.raises(InputTypeError, match="graph must be an ActorGraph.*got list"):
        brokerage([[0, 1], [1, 0]], [0, 1])
    with pytest.raises(ParameterError, match="groups must be given.*3 of 3 nodes"):
        brokerage(ActorGraph.from_edges([0, 1], [1, 2]))
    with pytest.raises(ParameterError, match="n_jobs must be non-zero"):
        brokerage(A, [0, 1, 2], n_jobs=0)
    res = brokerage(A, [0, 1, 2])
    with pytest.raises(ParameterError, match="kind must be one of.*got 'zz'"):
        res.to_pandas("zz")
    with pytest.raises(ParameterError, match="mode must be one of 'both', 'out', 'in'; got 'up'"):
        ei_index(A, [0, 1, 2], mode="up")
    with pytest.raises(ParameterError, match=r"groups must have one entry per node \(3\); got 4"):
        ei_index(A, [0, 1, 2, 3])
    with pytest.raises(GraphFormatError, match=r"flows must be a square.*\(2, 3\)"):
        region_brokerage(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(GraphFormatError, match=r"flows must be finite; got 1 NaN/inf cells.*\(0, 1\)"):
        region_brokerage(np.array([[0, np.nan], [1, 0]]), ["a", "b"])
    with pytest.raises(ParameterError, match=r"countries must have one entry per region \(2\); got 3"):
        region_brokerage(np.eye(2), ["a", "b", "c"])
    with pytest.raises(ParameterError, match="threshold must be a finite number"):
        region_brokerage(np.eye(2), ["a", "b"], threshold=np.inf)
    with pytest.raises(GraphFormatError, match="square"):
        effective_size(np.zeros((2, 3)))


# ----------------------------------------------------------------------------- E-I
def test_ei_index_hand_worked():
    # x = {0, 1}, y = {2, 3}; arcs 0->1 (x), 0->2, 1->3 (x->y), 3->2 (y), 2->0 (y->x), loop 3->3
    A = dense(4, [(0, 1), (0, 2), (1, 3), (3, 2), (2, 0), (3, 3)])
    cl = ["x", "x", "y", "y"]
    out = ei_index(A, cl, mode="out")
    assert (out.external, out.internal) == (3.0, 2.0)  # the loop is ignored
    assert out.index == pytest.approx(1 / 5)
    assert out.baseline == pytest.approx((8 - 4) / 12)
    assert out.groups["external"].tolist() == [2.0, 1.0]
    assert out.groups["internal"].tolist() == [1.0, 1.0]
    assert out.groups["ei"].tolist() == pytest.approx([1 / 3, 0.0])
    inn = ei_index(A, cl, mode="in")
    assert inn.groups["external"].tolist() == [1.0, 2.0]
    both = ei_index(A, cl)
    assert both.groups["external"].tolist() == [3.0, 3.0]
    assert both.index == out.index == inn.index
    # node 0: out 0->1 (I), 0->2 (E); in 2->0 (E)
    assert (out.node_external[0], out.node_internal[0]) == (1.0, 1.0)
    assert (both.node_external[0], both.node_internal[0]) == (2.0, 1.0)
    assert both.node[0] == pytest.approx(1 / 3)
    # undirected: each edge once, all modes equal
    U = ActorGraph.from_edges([0, 0, 2], [1, 2, 3], n_nodes=4, directed=False)
    for mode in ("both", "out", "in"):
        und = ei_index(U, cl, mode=mode)
        assert (und.external, und.internal) == (1.0, 2.0)
        assert und.groups["external"].tolist() == [1.0, 1.0]
        assert und.groups["internal"].tolist() == [1.0, 1.0]
        assert und.node_external.tolist() == [1.0, 0.0, 1.0, 0.0]
    # isolated group: 0/0 gives NaN
    iso = ei_index(dense(3, [(0, 1)]), [0, 0, 1])
    assert np.isnan(iso.groups["ei"].iloc[1]) and np.isnan(iso.node[2])


@DETERMINISTIC
@given(graph_strategy, st.booleans())
def test_ei_index_matches_dense_reference(case, weighted):
    n, arcs, cl = case
    rng = np.random.default_rng(len(arcs))
    W = dense(n, arcs) * rng.integers(1, 5, (n, n))
    res = ei_index(W, cl, weighted=weighted)
    adj = W if weighted else (W != 0).astype(float)
    el, il = ref.dense_ei(adj, cl)
    assert (res.external, res.internal) == pytest.approx((el, il))
    np.fill_diagonal(adj, 0)
    same = np.equal.outer(cl, cl)
    for mode in ("out", "in", "both"):
        r = ei_index(W, cl, mode=mode, weighted=weighted)
        out_e, in_e = (adj * ~same).sum(axis=1), (adj * ~same).sum(axis=0)
        out_i, in_i = (adj * same).sum(axis=1), (adj * same).sum(axis=0)
        node_e = {"out": out_e, "in": in_e, "both": out_e + in_e}[mode]
        node_i = {"out": out_i, "in": in_i, "both": out_i + in_i}[mode]
        np.testing.assert_allclose(r.node_external, node_e)
        np.testing.assert_allclose(r.node_internal, node_i)
        for label, row in r.groups.iterrows():
            m = np.asarray(cl) == label
            ext = {"out": adj[m][:, ~m].sum(), "in": adj[~m][:, m].sum(),
                   "both": adj[m][:, ~m].sum() + adj[~m][:, m].sum()}[mode]
            assert row["external"] == pytest.approx(ext)
            assert row["internal"] == pytest.approx(adj[m][:, m].sum())


# ----------------------------------------------------------------------------- Burt
def _nx_reference(G, func, weight):
    """networkx's per-node path on a loop-free graph; sinks of a DiGraph (NaN there, issue
    #2661) are taken from the reversed graph, which has the same mutual weights."""
    nx = pytest.importorskip("networkx")
    H = G.copy()
    H.remove_edges_from(list(nx.selfloop_edges(H)))
    values = func(H, nodes=list(H), weight=weight)
    if H.is_directed():
        rev = func(H.reverse(copy=True), nodes=list(H), weight=weight)
        values = {v: (rev[v] if H.out_degree(v) == 0 else values[v]) for v in H}
    return np.array([values[v] for v in H], dtype=float)


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_burt_measures_match_networkx_per_node_path(directed, weighted):
    nx = pytest.importorskip("networkx")
    rng = np.random.default_rng(11 + directed + 2 * weighted)
    for trial in range(12):
        n = int(rng.integers(2, 12))
        m = int(rng.integers(0, n * n // 2 + 1))
        src, tgt = rng.integers(0, n, m), rng.integers(0, n, m)
        w = rng.integers(0, 6, m).astype(float)  # zero-weight ties stay neighbours
        G = nx.DiGraph() if directed else nx.Graph()
        G.add_nodes_from(range(n))
        for s, t, x in zip(src, tgt, w):
            G.add_edge(int(s), int(t), weight=x)  # last weight wins, as below
        ag = ActorGraph.from_networkx(G, weight="weight")
        key = "weight" if weighted else None
        np.testing.assert_allclose(effective_size(ag, weighted=weighted),
                                   _nx_reference(G, nx.effective_size, key), rtol=1e-12,
                                   atol=1e-12, equal_nan=True)
        np.testing.assert_allclose(burt_constraint(ag, weighted=weighted),
                                   _nx_reference(G, nx.constraint, key), rtol=1e-12,
                                   atol=1e-12, equal_nan=True)


def test_burt_unweighted_undirected_equals_borgatti_and_networkx_default():
    nx = pytest.importorskip("networkx")
    G = nx.karate_club_graph()
    A = nx.to_scipy_sparse_array(G, weight=None)
    es = effective_size(A)
    np.testing.assert_allclose(es, list(nx.effective_size(G).values()), rtol=1e-12)
    np.testing.assert_allclose(burt_constraint(A), list(nx.constraint(G).values()), rtol=1e-12)
    # Borgatti: n - 2t/n
    for v in (0, 5, 33):
        ego = nx.ego_graph(G, v, center=False)
        k = ego.number_of_nodes()
        assert es[v] == pytest.approx(k - 2 * ego.number_of_edges() / k)


def test_burt_threads_and_index_width_do_not_change_results():
    g, _ = power_law_graph(2000, 20000, seed=9)
    g64 = ActorGraph(indptr=g.indptr.astype(np.int64), indices=g.indices.astype(np.int64),
                     weights=g.weights * 1.5, directed=True, node_region=g.node_region)
    for func in (effective_size, burt_constraint):
        one = func(g, weighted=True, n_jobs=1)
        np.testing.assert_array_equal(func(g, weighted=True, n_jobs=2), one)
        np.testing.assert_array_equal(func(g64, n_jobs=2), func(g, n_jobs=1))
        assert np.isfinite(one).sum() > 1000


def test_burt_isolates_and_loops():
    A = dense(4, [(0, 1), (1, 2), (2, 2), (3, 3)])  # 3 has only a loop
    es = effective_size(A)
    c = burt_constraint(A)
    assert np.isnan(es[3]) and np.isnan(c[3])
    assert es[:3].tolist() == [1.0, 2.0, 1.0]  # the loop at 2 is dropped
    assert c[1] == pytest.approx(0.5) and c[0] == pytest.approx(1.0)


def test_docstring_examples_run():
    module = importlib.import_module("ecosystem.brokerage")  # the module, not the function
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 20 and result.failed == 0
