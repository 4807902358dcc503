"""ActorGraph: an immutable CSR graph of actors with their regions."""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ._csr import arcs_to_csr, check_square, id_range, index_dtype, transpose_csr
from ._parallel import effective_n_threads
from ._validation import as_1d, as_labels, as_weights, check_length
from .exceptions import GraphFormatError, InputTypeError, OptionalDependencyError

__all__ = ["ActorGraph"]


def _readonly(arr):
    arr = np.ascontiguousarray(arr)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class ActorGraph:
    """A directed or undirected weighted graph in CSR form, with node regions.

    Rows are sources: the arcs leaving node ``i`` are ``indices[indptr[i]:indptr[i+1]]``
    with weights ``weights[...]``. Column indices are sorted within each row and there are
    no duplicate entries. An undirected graph stores every edge in both directions (a
    symmetric CSR); ``n_edges`` then counts each edge once.

    Build one with :meth:`from_edges`, :meth:`from_scipy`, :meth:`from_igraph`,
    :meth:`from_networkx`, or :func:`ecosystem.coauthorship_graph`.

    Attributes
    ----------
    indptr : ndarray of shape (n_nodes + 1,), dtype=int32 or int64
    indices : ndarray of shape (nnz,), dtype of ``indptr``
    weights : ndarray of shape (nnz,), dtype=float64
    directed : bool
    node_region : ndarray of shape (n_nodes,), dtype=intp
        Region id of each node (index into ``region_labels``), -1 if unknown.
    region_labels : tuple
        Region labels; empty when regions are unknown.
    node_labels : tuple or None
        Original node identifiers, if known.
    info : dict
        Provenance: how the graph was built (counting method, excluded records, ...).
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    directed: bool
    node_region: np.ndarray
    region_labels: tuple = ()
    node_labels: tuple | None = None
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in ("indptr", "indices", "weights", "node_region"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    # ------------------------------------------------------------------ basic facts
    @property
    def n_nodes(self):
        """Number of nodes."""
        return len(self.indptr) - 1

    @property
    def nnz(self):
        """Number of stored arcs (each undirected edge counts twice)."""
        return len(self.indices)

    @property
    def n_edges(self):
        """Number of arcs (directed) or edges (undirected; loops once)."""
        if self.directed:
            return self.nnz
        loops = int(np.count_nonzero(self.indices == self.sources()))
        return (self.nnz - loops) // 2 + loops

    def sources(self):
        """Return the source node of every stored arc.

        Returns
        -------
        ndarray of shape (nnz,)
            Row index of each entry of ``indices``.
        """
        return np.repeat(
            np.arange(self.n_nodes, dtype=self.indices.dtype), np.diff(self.indptr)
        )

    def out_degree(self):
        """Return the number of stored out-arcs of each node.

        Returns
        -------
        ndarray of shape (n_nodes,), dtype=int64
            Row lengths of the CSR (an undirected edge counts at both ends).
        """
        return np.diff(self.indptr).astype(np.int64)

    @property
    def transpose(self):
        """The CSR of the reversed graph as ``(indptr, indices, weights)`` (cached).

        For an undirected graph this is the graph itself. Same as :meth:`in_arcs`.
        """
        return self.in_arcs()

    def in_arcs(self, n_jobs=None, *, weights=True):
        """Return the in-arcs of every node: the CSR of the reversed graph (cached).

        Built once by the core's counting sort, straight from the CSR; later calls
        return the cached arrays. For an undirected graph this is the graph itself.

        Parameters
        ----------
        n_jobs : int, optional
            Threads of the build (``None``: one, ``-1``: all cores); the result does not
            depend on it.
        weights : bool, default True
            Also return the weights (aligned with the indices); False returns None for
            them and, if nothing is cached yet, builds (and caches) the structure only.

        Returns
        -------
        indptr : ndarray of shape (n_nodes + 1,)
            Row pointer of the reversed graph, in the dtype of :attr:`indptr`.
        indices : ndarray of shape (nnz,)
            Sources of the in-arcs of each node, sorted within each node.
        weights : ndarray of shape (nnz,), dtype=float64, or None
            Their weights (None with ``weights=False``).
        """
        if not self.directed:
            return self.indptr, self.indices, (self.weights if weights else None)
        cache = self.__dict__.setdefault("_in_arcs_cache", {})
        if "weighted" in cache:
            tindptr, tindices, tweights = cache["weighted"]
            return tindptr, tindices, (tweights if weights else None)
        if not weights and "structure" in cache:
            return cache["structure"]
        n_threads = effective_n_threads(n_jobs, func="ActorGraph.in_arcs")
        tindptr, tindices, tweights = transpose_csr(
            self.indptr, self.indices, self.weights if weights else None, n_threads)
        dtype = self.indptr.dtype
        out = (_readonly(tindptr.astype(dtype, copy=False)),
               _readonly(tindices.astype(dtype, copy=False)),
               None if tweights is None else _readonly(tweights))
        cache["weighted" if weights else "structure"] = out
        return out

    def __repr__(self):
        kind = "directed" if self.directed else "undirected"
        regions = f", {len(self.region_labels)} regions" if self.region_labels else ""
        return f"<ActorGraph {kind}: {self.n_nodes} nodes, {self.n_edges} edges{regions}>"

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_scipy(cls, matrix, *, directed=True, node_region=None, node_labels=None, info=None):
        """Build from a square SciPy sparse matrix or array (rows are sources).

        Duplicate entries are summed, explicit zeros dropped. With ``directed=False`` the
        matrix must be symmetric.

        Parameters
        ----------
        matrix : scipy.sparse matrix or array of shape (n, n)
            Adjacency with rows as sources and non-negative finite weights.
        directed : bool, default True
            Whether arcs are directed; False requires a symmetric matrix.
        node_region : array-like of shape (n,), optional
            Region label of each node (None/NaN for unknown).
        node_labels : sequence of length n, optional
            Original node identifiers.
        info : dict, optional
            Provenance to carry along.

        Returns
        -------
        ActorGraph
        """
        func = "ActorGraph.from_scipy"
        if not sp.issparse(matrix):
            raise InputTypeError(
                f"{func}: matrix must be a scipy.sparse matrix or array; got {type(matrix).__name__}"
            )
        check_square(func, "matrix", matrix.shape)
        csr = sp.csr_array(matrix, dtype=np.float64, copy=True)
        csr.sum_duplicates()
        csr.eliminate_zeros()
        csr.sort_indices()
        _check_weights(func, csr)
        if not directed and (abs(csr - csr.T) > 1e-12 * max(1.0, abs(csr).max())).nnz:
            raise GraphFormatError(
                f"{func}: directed=False needs a symmetric matrix; got an asymmetric one"
            )
        return cls._from_csr(csr, directed, node_region, node_labels, info, func)

    @classmethod
    def from_edges(cls, source, target, weight=None, *, n_nodes=None, directed=True,
                   node_region=None, node_labels=None, info=None, n_jobs=None):
        """Build from an edge list of integer node ids 0..n-1.

        Parallel edges are merged by summing their weights (in input order, so the
        result never depends on ``n_jobs``). For ``directed=False`` each edge is stored
        in both directions. The CSR is built by the compiled core with counting sorts
        only: arcs are partitioned into blocks of consecutive rows, and every block is
        radix-sorted by target and counted into its rows in cache (blocks in parallel),
        duplicates merged on the way. Ids and weights are checked in the same passes.

        Parameters
        ----------
        source, target : array-like of int, shape (m,)
            End points of each edge (node ids 0..n-1).
        weight : array-like of shape (m,), optional
            Non-negative finite weights (default 1).
        n_nodes : int, optional
            Number of nodes (default: largest id + 1).
        directed : bool, default True
            Whether edges are arcs from source to target.
        node_region : array-like of shape (n_nodes,), optional
            Region label of each node (None/NaN for unknown).
        node_labels : sequence of length n_nodes, optional
            Original node identifiers.
        info : dict, optional
            Provenance to carry along.
        n_jobs : int, optional
            Threads of the build (``None``: one, ``-1``: all cores).

        Returns
        -------
        ActorGraph
        """
        func = "ActorGraph.from_edges"
        n_threads = effective_n_threads(n_jobs, func=func)
        src = as_1d(func, "source", source)
        tgt = as_1d(func, "target", target)
        check_length(func, "target", tgt, len(src), "source entry")
        for name, arr in (("source", src), ("target", tgt)):
            if len(arr) and arr.dtype.kind not in "iu":
                raise InputTypeError(f"{func}: {name} must hold integer node ids; got dtype {arr.dtype}")
        # the values of ids and weights are checked on the kernel's way (one pass less
        # over the arcs); on a failure the checks below word the error
        w = as_weights(func, "weight", weight, len(src), check_values=False)
        if n_nodes is None:
            lo, hi = id_range(src, tgt, n_threads)
            if lo < 0:
                _check_edges(func, src, tgt, w, n_nodes)
            n_nodes = hi + 1
        try:
            # the core's counting sort; an undirected edge is stored both ways inside it
            indptr, indices, data = arcs_to_csr(n_nodes, src, tgt, w, "sum",
                                                n_threads=n_threads, symmetric=not directed)
        except ValueError as exc:
            _check_edges(func, src, tgt, w, n_nodes)
            raise GraphFormatError(f"{func}: {exc}") from None
        csr = sp.csr_array((data, indices, indptr), shape=(n_nodes, n_nodes), copy=False)
        return cls._from_csr(csr, directed, node_region, node_labels, info, func)

    @classmethod
    def from_igraph(cls, graph, *, weight="weight", region=None, info=None):
        """Build from an :class:`igraph.Graph`.

        Parameters
        ----------
        graph : igraph.Graph
            Directed or undirected; parallel edges are merged by summing weights.
        weight : str or None, default "weight"
            Edge attribute holding weights; used only if the graph has it.
        region : str, optional
            Vertex attribute holding each node's region label.
        info : dict, optional
            Provenance to carry along.

        Returns
        -------
        ActorGraph
        """
        edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        w = None
        if weight is not None and weight in graph.edge_attributes():
            w = np.asarray(graph.es[weight], dtype=np.float64)
        node_region = graph.vs[region] if region is not None else None
        labels = tuple(graph.vs["name"]) if "name" in graph.vertex_attributes() else None
        return cls.from_edges(edges[:, 0], edges[:, 1], w, n_nodes=graph.vcount(),
                              directed=graph.is_directed(), node_region=node_region,
                              node_labels=labels, info=info)

    @classmethod
    def from_networkx(cls, graph, *, weight="weight", region=None, info=None):
        """Build from a networkx graph (nodes are numbered in ``graph.nodes`` order).

        Parameters
        ----------
        graph : networkx.Graph or networkx.DiGraph
            Any hashable node identifiers; they become ``node_labels``.
        weight : str or None, default "weight"
            Edge attribute holding weights (missing → 1).
        region : str, optional
            Node attribute holding each node's region label.
        info : dict, optional
            Provenance to carry along.

        Returns
        -------
        ActorGraph
        """
        nodes = list(graph.nodes)
        pos = {v: i for i, v in enumerate(nodes)}
        m = graph.number_of_edges()
        src = np.fromiter((pos[u] for u, _ in graph.edges()), dtype=np.int64, count=m)
        tgt = np.fromiter((pos[v] for _, v in graph.edges()), dtype=np.int64, count=m)
        w = None
        if weight is not None:
            w = np.fromiter((d.get(weight, 1.0) for _, _, d in graph.edges(data=True)),
                            dtype=np.float64, count=m)
        node_region = [graph.nodes[v].get(region) for v in nodes] if region else None
        return cls.from_edges(src, tgt, w, n_nodes=len(nodes), directed=graph.is_directed(),
                              node_region=node_region, node_labels=tuple(nodes), info=info)

    @classmethod
    def _from_csr(cls, csr, directed, node_region, node_labels, info, func):
        n = csr.shape[0]
        dtype = index_dtype(n, csr.nnz)
        if node_region is None:
            codes, vocab = np.full(n, -1, dtype=np.intp), ()
        else:
            codes, vocab = as_labels(func, "node_region", node_region, allow_missing=True)
            check_length(func, "node_region", codes, n, "node")
        if node_labels is not None:
            node_labels = tuple(node_labels)
            check_length(func, "node_labels", node_labels, n, "node")
        return cls(
            indptr=csr.indptr.astype(dtype, copy=False),
            indices=csr.indices.astype(dtype, copy=False),
            weights=csr.data.astype(np.float64, copy=False),
            directed=bool(directed),
            node_region=codes,
            region_labels=vocab,
            node_labels=node_labels,
            info=dict(info or {}),
        )

    # ------------------------------------------------------------------ exports
    def to_scipy(self, container="array"):
        """Return the adjacency as ``scipy.sparse.csr_array`` (or ``csr_matrix``).

        Parameters
        ----------
        container : {"array", "matrix"}, default "array"

        Returns
        -------
        scipy.sparse.csr_array or scipy.sparse.csr_matrix
            A copy of the adjacency (rows are sources; undirected graphs are symmetric).
        """
        cls = {"array": sp.csr_array, "matrix": sp.csr_matrix}.get(container)
        if cls is None:
            raise GraphFormatError(
                f"ActorGraph.to_scipy: container must be 'array' or 'matrix'; got {container!r}"
            )
        n = self.n_nodes
        return cls((self.weights, self.indices, self.indptr), shape=(n, n), copy=True)

    def edge_list(self):
        """Return the arcs (directed) or the edges with source <= target (undirected).

        Returns
        -------
        source, target : ndarray of shape (m,)
            End points of each arc or edge.
        weight : ndarray of shape (m,), dtype=float64
            Its weight.
        """
        src = self.sources()
        if self.directed:
            return src, self.indices.copy(), self.weights.copy()
        keep = src <= self.indices
        return src[keep], self.indices[keep], self.weights[keep]

    def to_igraph(self):
        """Return an :class:`igraph.Graph` with ``weight`` edges and ``region`` vertices.

        Returns
        -------
        igraph.Graph
            Same nodes and edges; ``name`` vertices when node labels are known.
        """
        import igraph as ig

        src, tgt, w = self.edge_list()
        g = ig.Graph(n=self.n_nodes, edges=np.column_stack([src, tgt]).tolist(),
                     directed=self.directed)
        g.es["weight"] = w.tolist()
        if self.region_labels:
            g.vs["region"] = self._region_of_nodes()
        if self.node_labels is not None:
            g.vs["name"] = [str(x) for x in self.node_labels]
        return g

    def to_networkx(self):
        """Return a networkx ``Graph``/``DiGraph`` with ``weight`` and ``region`` attributes.

        Returns
        -------
        networkx.Graph or networkx.DiGraph
            Nodes keyed by ``node_labels`` (or 0..n-1).
        """
        try:
            import networkx as nx
        except ImportError:
            raise OptionalDependencyError("networkx", extra="test",
                                          purpose="ActorGraph.to_networkx") from None
        g = nx.DiGraph() if self.directed else nx.Graph()
        labels = self.node_labels if self.node_labels is not None else range(self.n_nodes)
        regions = self._region_of_nodes() if self.region_labels else [None] * self.n_nodes
        g.add_nodes_from((v, {"region": r}) for v, r in zip(labels, regions))
        src, tgt, w = self.edge_list()
        lab = list(labels)
        g.add_weighted_edges_from((lab[s], lab[t], x) for s, t, x in zip(src, tgt, w))
        return g

    def _region_of_nodes(self):
        vocab = self.region_labels
        return [vocab[c] if c >= 0 else None for c in self.node_region]


def _check_edges(func, src, tgt, w, n_nodes):
    """Raise the error of a bad edge list: a negative id, an id >= n_nodes, a bad weight."""
    for name, arr in (("source", src), ("target", tgt)):
        if len(arr) and arr.min() < 0:
            raise GraphFormatError(f"{func}: {name} must hold ids >= 0; got {arr.min()}")
    top = int(max(src.max(initial=-1), tgt.max(initial=-1))) + 1
    if n_nodes is not None and n_nodes < top:
        raise GraphFormatError(f"{func}: n_nodes={n_nodes} but the edges use node id {top - 1}")
    as_weights(func, "weight", w, len(src))


def _check_weights(func, csr):
    bad = ~np.isfinite(csr.data)
    if bad.any():
        raise GraphFormatError(f"{func}: weights must be finite; got {int(bad.sum())} NaN/inf")
    neg = csr.data < 0
    if neg.any():
        k = int(np.flatnonzero(neg)[0])
        row = int(np.searchsorted(csr.indptr, k, side="right") - 1)
        raise GraphFormatError(
            f"{func}: weights must be non-negative; got {int(neg.sum())} negative, "
            f"e.g. {csr.data[k]} on edge ({row}, {csr.indices[k]})"
        )
