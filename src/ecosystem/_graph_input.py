"""The one graph gate: every public function that takes a graph reads it through here.

Accepted graphs are an :class:`~ecosystem.ActorGraph`, a square SciPy sparse adjacency
(rows are sources), an :class:`igraph.Graph` and, where a function allows it, a 2-D NumPy
array. :func:`graph_kind` recognises the type and checks the shape once; the two views
the library needs are built from it:

* :func:`as_csr`, a merged CSR of arcs with optional weights (centrality): parallel arcs
  merge by ``min`` (lengths) or ``sum`` (strengths), undirected graphs are symmetric;
* :func:`as_actor_graph`, an :class:`~ecosystem.ActorGraph` (brokerage, Burt, E-I),
  with sna's reading of a matrix's cells as ties when asked.

:func:`ecosystem._csr.arcs_to_csr` is the one CSR builder (arcs -> sorted rows,
duplicates merged, int32 indices where they fit); :class:`~ecosystem.ActorGraph`
constructors use it too.
"""

import numpy as np
import scipy.sparse as sp

from ._csr import arcs_to_csr, check_square
from .exceptions import GraphFormatError, InputTypeError, ParameterError
from .graph import ActorGraph

# ---------------------------------------------------------------------------------------
# Recognising the input
# ---------------------------------------------------------------------------------------


def _is_igraph(obj):
    try:
        import igraph
    except ImportError:  # pragma: no cover - igraph is a dependency
        return False
    return isinstance(obj, igraph.Graph)


def graph_kind(func, graph, *, dense=False):
    """Which accepted graph type ``graph`` is: "actor", "sparse", "dense" or "igraph".

    Parameters
    ----------
    func : str
        Calling public function, for messages.
    graph : object
        The caller's graph.
    dense : bool, default False
        Whether a 2-D NumPy array is accepted.

    Returns
    -------
    str

    Raises
    ------
    InputTypeError
        Any other type (the message lists the accepted ones).
    GraphFormatError
        A matrix that is not square.
    """
    if isinstance(graph, ActorGraph):
        return "actor"
    if sp.issparse(graph) or (dense and isinstance(graph, np.ndarray)):
        check_square(func, "graph", graph.shape)
        return "sparse" if sp.issparse(graph) else "dense"
    if _is_igraph(graph):
        return "igraph"
    accepted = ("an ActorGraph, an igraph.Graph, a scipy.sparse adjacency or a 2-D numpy array"
                if dense else "an ActorGraph, an igraph.Graph or a square scipy.sparse adjacency")
    raise InputTypeError(
        f"{func}: graph must be {accepted}; got {type(graph).__name__} "
        f"(networkx graphs: use ActorGraph.from_networkx)"
    )


# ---------------------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------------------


def weight_spec(func, weights):
    """None (ignore weights), True (the graph's own) or an attribute name."""
    if weights is None or weights is False:
        return None
    if weights is True:
        return True
    if isinstance(weights, str):
        return weights
    raise InputTypeError(
        f"{func}: weights must be None, True or an edge attribute name; got {weights!r}"
    )


def check_weight_values(func, w, src_of, dst_of, *, positive):
    """Raise GraphFormatError naming the first bad weight and its edge."""
    bad = ~np.isfinite(w)
    kind = "NaN/inf"
    if not bad.any():
        bad = w <= 0 if positive else w < 0
        kind = "non-positive" if positive else "negative"
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        need = (
            "positive and finite (they are path lengths)" if positive
            else "non-negative and finite"
        )
        raise GraphFormatError(
            f"{func}: weights must be {need}; got {int(bad.sum())} {kind}, "
            f"e.g. {float(w[k])!r} on edge ({int(src_of(k))}, {int(dst_of(k))})"
        )


# ---------------------------------------------------------------------------------------
# View 1: a merged CSR of arcs (centrality)
# ---------------------------------------------------------------------------------------


class Csr:
    """Validated CSR out-adjacency with merged duplicates (undirected: symmetric)."""

    __slots__ = ("indptr", "indices", "weights", "directed", "n")

    def __init__(self, indptr, indices, weights, directed):
        self.indptr = indptr
        self.indices = indices
        self.weights = weights  # float64 array, or None when unweighted
        self.directed = bool(directed)
        self.n = len(indptr) - 1

    def sources(self):
        """Row index of every stored arc."""
        return np.repeat(np.arange(self.n, dtype=self.indices.dtype), np.diff(self.indptr))


def _read_arcs(func, graph, spec):
    """(n, src, dst, w, directed, csr_or_None) from any accepted graph type.

    Edge lists of undirected graphs hold each edge once; :func:`as_csr` symmetrises them.
    """
    kind = graph_kind(func, graph)
    if kind == "actor":
        w = graph.weights if spec is not None else None
        if isinstance(spec, str) and spec != "weight":
            raise ParameterError(
                f"{func}: weights must be None, True or 'weight' for an ActorGraph; got {spec!r}"
            )
        csr = (graph.indptr, graph.indices, w)
        return graph.n_nodes, None, None, w, graph.directed, csr
    if kind == "sparse":
        if isinstance(spec, str) and spec != "weight":
            raise ParameterError(
                f"{func}: weights must be None, True or 'weight' for a SciPy adjacency; "
                f"got {spec!r}"
            )
        coo = sp.coo_array(graph)
        data = np.asarray(coo.data, dtype=np.float64)
        keep = data != 0
        w = data[keep] if spec is not None else None
        return graph.shape[0], coo.row[keep], coo.col[keep], w, True, None
    n = graph.vcount()
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    w = None
    if spec is not None:
        name = "weight" if spec is True else spec
        if name in graph.edge_attributes():
            w = np.asarray(graph.es[name], dtype=np.float64)
        elif spec is True:
            w = np.ones(len(edges), dtype=np.float64)
        else:
            raise ParameterError(
                f"{func}: weights names an edge attribute the igraph.Graph lacks; got "
                f"{spec!r}, available: {sorted(graph.edge_attributes())}"
            )
    return n, edges[:, 0], edges[:, 1], w, graph.is_directed(), None


def as_csr(func, graph, *, weights, directed, combine, positive):
    """Validate ``graph`` and return a merged :class:`Csr`.

    ``combine`` is how parallel arcs merge ("min" for lengths, "sum" for strengths);
    ``positive`` requires weights > 0 (lengths) instead of >= 0.
    """
    spec = weight_spec(func, weights)
    if directed is not None and not isinstance(directed, (bool, np.bool_)):
        raise InputTypeError(f"{func}: directed must be None, True or False; got {directed!r}")
    n, src, dst, w, own_directed, csr = _read_arcs(func, graph, spec)
    target = own_directed if directed is None else bool(directed)
    if csr is not None:
        indptr, indices, w = csr
        if w is not None:
            if own_directed:
                check_weight_values(
                    func, w, lambda k: np.searchsorted(indptr, k, side="right") - 1,
                    lambda k: indices[k], positive=positive)
            else:  # count each undirected edge once
                s, d, x = graph.edge_list()
                check_weight_values(func, x, lambda k: s[k], lambda k: d[k],
                                    positive=positive)
        if target == own_directed or not own_directed:
            # undirected read as directed: the symmetric CSR already holds both arcs
            return Csr(indptr, indices, w, target)
        src = np.repeat(np.arange(n, dtype=indices.dtype), np.diff(indptr))
        dst = indices
    elif w is not None:
        check_weight_values(func, w, lambda k: src[k], lambda k: dst[k], positive=positive)
    if not own_directed or not target:
        # an undirected edge list is stored in both directions. Read as undirected, the
        # arcs u->v (w1) and v->u (w2) become the edge u-v with weight min(w1, w2) for
        # lengths and w1 + w2 for strengths (igraph's reading with directed=False).
        # Loops are stored once. The kernel adds the reversed arcs itself (no doubled
        # copy of the arc arrays).
        indptr, indices, w = arcs_to_csr(n, src, dst, w, combine, symmetric=True)
    else:
        indptr, indices, w = arcs_to_csr(n, src, dst, w, combine)
    return Csr(indptr, indices, w, target)


def n_nodes(func, graph):
    """Number of nodes of any accepted graph."""
    kind = graph_kind(func, graph)
    if kind == "actor":
        return graph.n_nodes
    if kind == "sparse":
        return graph.shape[0]
    return graph.vcount()


# ---------------------------------------------------------------------------------------
# View 2: an ActorGraph (brokerage, E-I, Burt)
# ---------------------------------------------------------------------------------------


def as_actor_graph(func, graph, *, ties_only):
    """``graph`` as an :class:`~ecosystem.ActorGraph` (2-D NumPy arrays accepted).

    With ``ties_only`` (brokerage), sna's idea of a tie: every stored arc of an
    ActorGraph, every edge of an igraph.Graph (weights ignored, parallel edges merged),
    every non-zero or NaN cell of a matrix. Otherwise (E-I, Burt) weights are kept and
    must be finite and non-negative.
    """
    kind = graph_kind(func, graph, dense=True)
    if kind == "actor":
        return graph
    if kind in ("sparse", "dense"):
        dtype = graph.dtype
        if dtype.kind not in "biuf":
            raise InputTypeError(f"{func}: graph must hold numeric cells; got dtype {dtype}")
        csr = sp.csr_array(graph, copy=True)  # never sort or merge the caller's arrays
        if ties_only:
            csr.sum_duplicates()
            tie = csr.data != 0  # NaN != 0 is True: missing cells are ties, as in sna
            csr = sp.csr_array((tie.astype(np.float64), csr.indices, csr.indptr),
                               shape=graph.shape)
            csr.eliminate_zeros()
        return ActorGraph.from_scipy(csr, directed=True)
    region = "region" if "region" in graph.vertex_attributes() else None
    return ActorGraph.from_igraph(graph, weight=None if ties_only else "weight", region=region)
