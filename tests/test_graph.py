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
