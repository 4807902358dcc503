"""ActorGraph construction and round-trips with scipy, igraph and networkx."""

import numpy as np
import pytest
import scipy.sparse as sp

import ecosystem as eco


def _random_graph(seed=0, n=30, m=120, directed=True):
    rng = np.random.default_rng(seed)
    src, tgt = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.integers(1, 5, m).astype(float)
    regions = rng.choice(["A", "B", "C"], n)
    return eco.ActorGraph.from_edges(src, tgt, w, n_nodes=n, directed=directed,
                                     node_region=regions)


@pytest.mark.parametrize("container", ["array", "matrix"])
@pytest.mark.parametrize("directed", [True, False])
def test_scipy_round_trip(container, directed):
    g = _random_graph(directed=directed)
    m = g.to_scipy(container)
    assert (container == "array") == isinstance(m, sp.sparray)
    h = eco.ActorGraph.from_scipy(m, directed=directed)
    np.testing.assert_array_equal(h.indptr, g.indptr)
    np.testing.assert_array_equal(h.indices, g.indices)
    np.testing.assert_array_equal(h.weights, g.weights)


@pytest.mark.parametrize("directed", [True, False])
def test_igraph_round_trip(directed):
    g = _random_graph(directed=directed)
    ig_graph = g.to_igraph()
    assert ig_graph.is_directed() == directed and ig_graph.vcount() == g.n_nodes
    assert ig_graph.ecount() == g.n_edges
    h = eco.ActorGraph.from_igraph(ig_graph, region="region")
    np.testing.assert_array_equal(h.to_scipy().toarray(), g.to_scipy().toarray())
    assert [h.region_labels[r] for r in h.node_region] == [g.region_labels[r] for r in g.node_region]


@pytest.mark.parametrize("directed", [True, False])
def test_networkx_round_trip(directed):
    nx = pytest.importorskip("networkx")
    g = _random_graph(directed=directed)
    G = g.to_networkx()
    assert isinstance(G, nx.DiGraph if directed else nx.Graph)
    np.testing.assert_array_equal(nx.to_numpy_array(G, nodelist=range(g.n_nodes)),
                                  g.to_scipy().toarray())
    h = eco.ActorGraph.from_networkx(G, region="region")
    np.testing.assert_array_equal(h.to_scipy().toarray(), g.to_scipy().toarray())


def test_edges_merge_duplicates_and_transpose():
    g = eco.ActorGraph.from_edges([0, 0, 1], [1, 1, 2], [1.0, 2.0, 5.0])
    np.testing.assert_array_equal(g.to_scipy().toarray(), [[0, 3, 0], [0, 0, 5], [0, 0, 0]])
    indptr, indices, weights = g.transpose
    t = sp.csr_array((weights, indices, indptr), shape=(3, 3)).toarray()
    np.testing.assert_array_equal(t, g.to_scipy().toarray().T)
    assert g.indices.dtype == np.int32 and not g.indices.flags.writeable


def test_undirected_counts_edges_once():
    g = eco.ActorGraph.from_edges([0, 1, 2], [1, 2, 2], directed=False)
    assert g.n_edges == 3 and g.nnz == 5


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: eco.ActorGraph.from_scipy(sp.csr_array((2, 3))), eco.GraphFormatError, "must be square"),
        (lambda: eco.ActorGraph.from_scipy(np.eye(2)), eco.InputTypeError, "scipy.sparse"),
        (lambda: eco.ActorGraph.from_scipy(sp.csr_array(np.array([[0, -1.0], [0, 0]]))),
         eco.GraphFormatError, r"non-negative; got 1 negative, e.g. -1.0 on edge \(0, 1\)"),
        (lambda: eco.ActorGraph.from_scipy(sp.csr_array(np.array([[0, 1.0], [0, 0]])), directed=False),
         eco.GraphFormatError, "symmetric"),
        (lambda: eco.ActorGraph.from_edges([0], [1], node_region=["A"]), eco.ParameterError,
         r"node_region must have one entry per node \(2\); got 1"),
        (lambda: eco.ActorGraph.from_edges([0.5], [1]), eco.InputTypeError, "integer node ids"),
        (lambda: eco.ActorGraph.from_edges([0], [3], n_nodes=2), eco.GraphFormatError, "n_nodes=2"),
    ],
)
def test_graph_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


# ----------------------------------------------------------------------- the CSR builder


def _reference_csr(n, src, dst, w, combine, symmetric):
    """Independent reference: arcs in input order (reversed copies after their arc for
    symmetric), merged per (row, column) in that order with plain Python."""
    cells = {}
    arcs = []
    for s, t, x in zip(src.tolist(), dst.tolist(), w.tolist()):
        arcs.append((s, t, x))
        if symmetric and s != t:
            arcs.append((t, s, x))
    for s, t, x in arcs:
        if (s, t) not in cells:
            cells[(s, t)] = x
        elif combine == "min":
            cells[(s, t)] = min(cells[(s, t)], x)
        else:
            cells[(s, t)] = cells[(s, t)] + x
    keys = sorted(cells)
    indptr = np.zeros(n + 1, dtype=np.int64)
    for s, _ in keys:
        indptr[s + 1] += 1
    return (np.cumsum(indptr), np.array([t for _, t in keys], dtype=np.int64),
            np.array([cells[k] for k in keys]))


@pytest.mark.parametrize("combine", ["sum", "min"])
@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_counting_sort_csr_matches_reference_and_scipy(combine, symmetric, dtype):
    from ecosystem import _core

    rng = np.random.default_rng(3)
    for trial in range(15):
        n = int(rng.integers(1, 40))
        m = int(rng.integers(0, 300))
        src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
        if trial % 3 == 0:
            src[: m // 2] = 0  # one long row: the merge sort path
        w = rng.random(m)
        ip, ix, d = _core.csr_from_arcs(src.astype(dtype), dst.astype(dtype), w,
                                        np.zeros(n + 1, dtype), int(combine == "min"), 1, 1,
                                        symmetric)
        rp, rx, rd = _reference_csr(n, src, dst, w, combine, symmetric)
        assert ip.dtype == dtype and ix.dtype == dtype
        np.testing.assert_array_equal(ip, rp)
        np.testing.assert_array_equal(ix, rx)
        np.testing.assert_array_equal(d, rd)  # sums in input order: bit for bit
        # bit-identical for any chunking and thread count
        # and for int64 ids read straight into int32 indices (no copy of the ids)
        # and for any block size (one row a block up to one block), as many blocks
        for chunks, threads, ids, bits in ((3, 2, dtype, -1), (8, 2, np.int64, 0),
                                           (5, 1, np.int32, 1), (2, 2, dtype, 3),
                                           (1, 1, dtype, 16)):
            got = _core.csr_from_arcs(src.astype(ids), dst.astype(ids), w,
                                      np.zeros(n + 1, dtype), int(combine == "min"), chunks,
                                      threads, symmetric, -1, bits)
            for a, b in zip(got, (ip, ix, d)):
                assert a.tobytes() == b.tobytes()
        # scipy's COO -> CSR (sum_duplicates, sorted indices) agrees up to summation order
        if combine == "sum" and not symmetric:
            ref = sp.csr_array((w, (src, dst)), shape=(n, n))
            ref.sum_duplicates()
            ref.sort_indices()
            np.testing.assert_array_equal(ip, ref.indptr)
            np.testing.assert_array_equal(ix, ref.indices)
            np.testing.assert_allclose(d, ref.data, rtol=1e-13)
        # unweighted: the same structure
        ip2, ix2, d2 = _core.csr_from_arcs(src.astype(dtype), dst.astype(dtype), np.empty(0),
                                           np.zeros(n + 1, dtype), 0, 1, 1, symmetric)
        np.testing.assert_array_equal(ip2, rp)
        np.testing.assert_array_equal(ix2, rx)
        assert len(d2) == 0


def test_counting_sort_csr_paths():
    """The kernel's other paths against the reference: targets already in order within
    every block (a transpose), a heavy row, a bipartite target range, empty inputs."""
    from ecosystem import _core

    rng = np.random.default_rng(5)
    n, m = 300, 4000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    src[:1500] = 7  # a heavy row with many duplicates
    w = rng.random(m)
    order = np.lexsort((src, dst))  # by target: every block receives its targets sorted
    for s_, d_, w_ in ((src, dst, w), (src[order], dst[order], w[order])):
        rp, rx, rd = _reference_csr(n, s_, d_, w_, "sum", False)
        for bits in (-1, 0, 2, 5):
            ip, ix, d = _core.csr_from_arcs(s_, d_, w_, np.zeros(n + 1, np.int32), 0, 2, 2,
                                            False, -1, bits)
            np.testing.assert_array_equal(ip, rp)
            np.testing.assert_array_equal(ix, rx)
            assert d.tobytes() == rd.tobytes()
    # bipartite: targets in [0, n_cols) with n_cols > n (the projection's transpose)
    n_cols = 5000
    dst2 = rng.integers(0, n_cols, m)
    ref = sp.csr_array((w, (src, dst2)), shape=(n, n_cols))
    ref.sum_duplicates()
    ip, ix, d = _core.csr_from_arcs(src, dst2, w, np.zeros(n + 1, np.int64), 0, 1, 1,
                                    False, n_cols)
    np.testing.assert_array_equal(ip, ref.indptr)
    np.testing.assert_array_equal(ix, ref.indices)
    np.testing.assert_allclose(d, ref.data, rtol=1e-13)
    # sort keys row << tbits | target: exactly 32 bits (the largest key is 2^32 - 1), and
    # 64-bit keys (targets of 40 bits); duplicates among the largest ids; keys past 64 bits
    for n_cols, rows, bits in ((1 << 26, 64, 6), (1 << 26, 64, -1), (1 << 40, 300, 5)):
        s3 = rng.integers(0, rows, m)
        d3 = n_cols - 1 - rng.integers(0, 50, m)
        s3[:20] = rows - 1
        w3 = rng.random(m)
        rp, rx, rd = _reference_csr(rows, s3, d3, w3, "sum", False)
        ip, ix, d = _core.csr_from_arcs(s3, d3, w3, np.zeros(rows + 1, np.int64), 0, 2, 2,
                                        False, n_cols, bits)
        np.testing.assert_array_equal(ip, rp)
        np.testing.assert_array_equal(ix, rx)
        assert d.tobytes() == rd.tobytes()
    with pytest.raises(ValueError, match="more than 64 bits"):
        _core.csr_from_arcs(s3, d3, w3, np.zeros(rows + 1, np.int64), 0, 1, 1, False,
                            1 << 60, 5)
    # no arcs; no rows
    ip, ix, d = _core.csr_from_arcs(src[:0], dst[:0], w[:0], np.zeros(4, np.int32), 0, 1, 1)
    assert ip.tolist() == [0, 0, 0, 0] and len(ix) == 0 and len(d) == 0
    ip, ix, d = _core.csr_from_arcs(src[:0], dst[:0], w[:0], np.zeros(1, np.int32), 0, 1, 1)
    assert ip.tolist() == [0] and len(ix) == 0


@pytest.mark.parametrize("symmetric", [False, True])
def test_counting_sort_csr_rejects_bad_ids_and_weights(symmetric):
    from ecosystem import _core

    src, dst, w = np.array([0, 1, 2]), np.array([1, 2, 0]), np.array([1.0, 2.0, 3.0])
    z = np.zeros(4, np.int32)
    for s_, d_ in ((np.array([0, 3, 2]), dst), (np.array([0, -1, 2]), dst),
                   (src, np.array([1, 2, 3])), (src, np.array([1, -2, 0]))):
        with pytest.raises(ValueError, match="outside"):
            _core.csr_from_arcs(s_, d_, w, z.copy(), 0, 1, 1, symmetric)
    for bad in (-1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="weight is negative, NaN or infinite"):
            _core.csr_from_arcs(src, dst, np.array([1.0, bad, 3.0]), z.copy(), 0, 1, 1,
                                symmetric)


def test_id_range():
    from ecosystem._csr import id_range

    rng = np.random.default_rng(2)
    for na, nb in ((0, 0), (5, 0), (0, 7), (200_000, 90_000)):
        a = rng.integers(-10, 10**9, na)
        b = rng.integers(0, 10**6, nb).astype(np.int32)
        both = np.concatenate([a, b.astype(np.int64)])
        expect = (0, -1) if na + nb == 0 else (int(both.min()), int(both.max()))
        for threads in (1, 2):
            assert id_range(a, b, threads) == expect


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(source=[0, -1], target=[1, 0]), eco.GraphFormatError, "source must hold ids >= 0; got -1"),
        (dict(source=[0, 1], target=[1, -3], n_nodes=4), eco.GraphFormatError,
         "target must hold ids >= 0; got -3"),
        (dict(source=[0, 5], target=[1, 0], n_nodes=3), eco.GraphFormatError,
         "n_nodes=3 but the edges use node id 5"),
        (dict(source=[0, 1], target=[1, 0], weight=[1.0, -2.0]), eco.ParameterError,
         "weight must be non-negative; got 1 bad values, e.g. -2.0 at position 1"),
        (dict(source=[0, 1], target=[1, 0], weight=[np.nan, 1.0], directed=False),
         eco.ParameterError, "weight must be finite; got 1 NaN/inf values"),
    ],
)
def test_from_edges_bad_values_found_by_the_kernel_keep_their_messages(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        eco.ActorGraph.from_edges(**kwargs)


@pytest.mark.parametrize("directed", [True, False])
def test_from_edges_equals_scipy_build(directed):
    rng = np.random.default_rng(11)
    n, m = 200, 3000
    src, tgt = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.integers(1, 9, m).astype(float)  # integer sums: exact in any order
    g = eco.ActorGraph.from_edges(src, tgt, w, n_nodes=n, directed=directed)
    if not directed:
        loop = src == tgt
        src, tgt, w = (np.r_[src, tgt[~loop]], np.r_[tgt, src[~loop]], np.r_[w, w[~loop]])
    ref = sp.csr_array((w, (src, tgt)), shape=(n, n))
    ref.sum_duplicates()
    ref.sort_indices()
    np.testing.assert_array_equal(g.indptr, ref.indptr)
    np.testing.assert_array_equal(g.indices, ref.indices)
    np.testing.assert_array_equal(g.weights, ref.data)
    ti, tx, tw = g.transpose
    t = sp.csr_array((tw, tx, ti), shape=(n, n))
    np.testing.assert_array_equal(t.toarray(), ref.toarray().T)
    for i in range(n):  # rows of the transpose are sorted
        assert np.all(np.diff(tx[ti[i]:ti[i + 1]]) > 0)


def test_one_gate_for_every_graph_consumer():
    # issue 11 item 1: centrality, brokerage and ActorGraph read graphs through one gate
    # (_graph_input), with one type check and one square check
    bad = sp.csr_array((2, 3))
    for call in (lambda: eco.betweenness(bad), lambda: eco.brokerage(bad, [0, 1]),
                 lambda: eco.ActorGraph.from_scipy(bad)):
        with pytest.raises(eco.GraphFormatError, match=r"must be a square adjacency; got shape \(2, 3\)"):
            call()
    for call in (lambda: eco.pagerank([[0, 1]]), lambda: eco.effective_size([[0, 1]])):
        with pytest.raises(eco.InputTypeError, match="graph must be an ActorGraph"):
            call()


def test_transpose_straight_from_the_csr():
    """The transpose reads the CSR's row pointer (no source array): any chunking (a chunk
    may start inside a row or in a run of empty rows), any thread count, any block size
    give the same arrays as scipy's transpose; weights=False builds the structure only."""
    from ecosystem import _core
    from ecosystem._csr import transpose_csr

    rng = np.random.default_rng(8)
    n, m = 500, 6000
    src = rng.integers(0, n, m) ** 2 % n  # skewed, with empty rows at both ends
    src[src < 20] = 20
    src[src > 470] = 470
    dst = rng.integers(0, n, m)
    dst[:700] = 3  # a heavy column: a heavy row of the transpose
    g = eco.ActorGraph.from_edges(src, dst, rng.random(m), n_nodes=n)
    ref = g.to_scipy().T.tocsr()
    ref.sort_indices()
    for threads in (1, 2, 3):
        h = eco.ActorGraph(g.indptr, g.indices, g.weights, True, g.node_region)
        tp, ti, tw = h.in_arcs(threads)
        np.testing.assert_array_equal(tp, ref.indptr)
        np.testing.assert_array_equal(ti, ref.indices)
        assert tw.tobytes() == ref.data.tobytes()  # moved, never added
        assert tp.dtype == g.indptr.dtype and not ti.flags.writeable
        assert h.transpose[1] is ti  # cached
        h2 = eco.ActorGraph(g.indptr, g.indices, g.weights, True, g.node_region)
        sp_, si, sw = h2.in_arcs(threads, weights=False)
        assert sw is None and sp_.tobytes() == tp.tobytes() and si.tobytes() == ti.tobytes()
    rows = g.indptr.astype(np.int64)
    for chunks in (1, 2, 7, 64):
        for bits in (-1, 0, 4):
            tp, ti, tw = _core.csr_from_arcs(g.indices, g.indices[:0], g.weights,
                                             np.zeros(n + 1, np.int32), 0, chunks, 2, False,
                                             n, bits, rows)
            np.testing.assert_array_equal(tp, ref.indptr)
            np.testing.assert_array_equal(ti, ref.indices)
            assert tw.tobytes() == ref.data.tobytes()
    tp, ti, tw = transpose_csr(g.indptr, g.indices, None, 2)
    np.testing.assert_array_equal(ti, ref.indices)
    assert tw is None
    with pytest.raises(ValueError, match="row_ptr must be a row pointer"):
        _core.csr_from_arcs(g.indices, g.indices[:0], g.weights, np.zeros(n + 1, np.int32),
                            0, 1, 1, False, n, -1, rows[:-1])
