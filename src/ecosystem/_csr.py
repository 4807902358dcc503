"""The one CSR builder: arcs -> sorted rows, duplicates merged, int32 indices where they fit.

The lowest graph layer: :class:`~ecosystem.ActorGraph` constructors, the projection and
the graph gate (:mod:`ecosystem._graph_input`) build their CSR arrays here, with the
counting-sort kernel of the core (``_core.csr_from_arcs``).
"""

import numpy as np

from . import _core
from .exceptions import GraphFormatError

_INT32_MAX = np.iinfo(np.int32).max


def index_dtype(n_nodes, nnz):
    """int32 when node ids and arc positions fit, else int64."""
    return np.int32 if max(n_nodes, nnz) <= _INT32_MAX else np.int64


def check_square(func, name, shape):
    """Raise GraphFormatError unless ``shape`` is (n, n)."""
    if len(shape) != 2 or shape[0] != shape[1]:
        raise GraphFormatError(
            f"{func}: {name} must be a square adjacency; got shape {shape} "
            f"(an adjacency must be square: n x n)"
        )


def _scatter_chunks(n, m):
    """Arc chunks of the parallel scatter: a function of the size only, never of threads.

    Each chunk costs n row counters; use chunks only when they are few next to the arcs.
    """
    return int(max(1, min(8, m // (2 * n + 1))))


def arcs_to_csr(n, src, dst, w, combine="sum", n_threads=1, symmetric=False, n_cols=None):
    """CSR of an arc list: rows sorted, parallel arcs merged by ``combine``.

    Parameters
    ----------
    n : int
        Number of nodes; every id must be in [0, n) (not checked here).
    src, dst : ndarray of shape (m,), integer
        Arc end points.
    w : ndarray of shape (m,), dtype=float64, or None
        Arc weights (None: unweighted).
    combine : {"sum", "min"}
        How the weights of parallel arcs merge.
    n_threads : int
        Threads of the core's counting sort; the result does not depend on it.
    symmetric : bool, default False
        Also store every non-loop arc reversed (the arcs of an undirected edge list);
        done inside the kernel, without a doubled copy of the arc arrays.
    n_cols : int, optional
        Number of columns when targets are not nodes (a bipartite incidence); default n.

    Returns
    -------
    indptr, indices : ndarray, dtype=int32 where ids and arc counts fit, else int64
    weights : ndarray of shape (nnz,), dtype=float64, or None
    """
    m = 2 * len(src) if symmetric else len(src)
    dtype = index_dtype(max(n, n_cols or 0), m)
    # ids are read in their own dtype (int32 or int64), never copied into another one
    ids = np.int32 if (np.asarray(src).dtype == np.int32 and
                       np.asarray(dst).dtype == np.int32) else np.int64
    src = np.ascontiguousarray(src, dtype=ids)
    dst = np.ascontiguousarray(dst, dtype=ids)
    weights = None if w is None else np.ascontiguousarray(w, dtype=np.float64)
    indptr, indices, data = _core.csr_from_arcs(
        src, dst, weights if weights is not None else np.empty(0),
        np.zeros(n + 1, dtype=dtype), 1 if combine == "min" else 0, _scatter_chunks(n, m),
        int(n_threads), bool(symmetric))
    return indptr, indices, (data if weights is not None else None)


def symmetric_arcs(src, dst, w=None):
    """Both directions of every non-loop arc (loops once): an undirected edge list's arcs."""
    back = src != dst
    src2 = np.concatenate([src, dst[back]])
    dst2 = np.concatenate([dst, src[back]])
    w2 = None if w is None else np.concatenate([w, w[back]])
    return src2, dst2, w2
