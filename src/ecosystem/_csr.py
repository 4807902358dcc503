"""The one CSR builder: arcs -> sorted rows, duplicates merged, int32 indices where they fit.

The lowest graph layer: :class:`~ecosystem.ActorGraph` constructors, the projection and
the graph gate (:mod:`ecosystem._graph_input`) build their CSR arrays here, with the
counting-sort kernel of the core (``_core.csr_from_arcs``).
"""

import numpy as np

from . import _core
from .exceptions import GraphFormatError

_INT32_MAX = np.iinfo(np.int32).max
# Below this many arcs the build runs on one thread (the result is the same; a parallel
# region costs more than it saves on small inputs).
_SERIAL_ARCS = 200_000


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


def _build_threads(n_threads, m):
    return 1 if m < _SERIAL_ARCS else max(1, int(n_threads))


def as_ids(src, dst):
    """Both id arrays as int32 (when both are int32) or int64, C-contiguous.

    Ids are read by the core in their own dtype (int32 or int64), never copied into
    another one.
    """
    ids = np.int32 if (np.asarray(src).dtype == np.int32 and
                       np.asarray(dst).dtype == np.int32) else np.int64
    return np.ascontiguousarray(src, dtype=ids), np.ascontiguousarray(dst, dtype=ids)


def id_range(src, dst, n_threads=1):
    """``(min, max)`` over two id arrays in one pass of the core; ``(0, -1)`` if empty."""
    src, dst = as_ids(src, dst)
    return _core.id_range(src, dst, int(n_threads))


def arcs_to_csr(n, src, dst, w, combine="sum", n_threads=1, symmetric=False, n_cols=None):
    """CSR of an arc list: rows sorted, parallel arcs merged by ``combine``.

    Parameters
    ----------
    n : int
        Number of nodes; every id must be in [0, n) (not checked here).
    src, dst : ndarray of shape (m,), integer
        Arc end points.
    w : ndarray of shape (m,), dtype=float64, or None
        Arc weights (None: unweighted); finite and non-negative.
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

    Raises
    ------
    ValueError
        An id out of range, or a negative, NaN or infinite weight (found by the kernel
        on its way; callers that accept raw input word the error with their own checks).
    """
    m = 2 * len(src) if symmetric else len(src)
    dtype = index_dtype(max(n, n_cols or 0), m)
    src, dst = as_ids(src, dst)
    weights = None if w is None else np.ascontiguousarray(w, dtype=np.float64)
    n_threads = _build_threads(n_threads, m)
    indptr, indices, data = _core.csr_from_arcs(
        src, dst, weights if weights is not None else np.empty(0),
        np.zeros(n + 1, dtype=dtype), 1 if combine == "min" else 0, n_threads, n_threads,
        bool(symmetric), -1 if n_cols is None else int(n_cols))
    return indptr, indices, (data if weights is not None else None)


def transpose_csr(indptr, indices, weights, n_threads=1):
    """CSR of the reversed arcs of a square CSR, rows sorted (the core's counting sort).

    Reads the CSR as it is: the arcs' sources are never materialised.

    Parameters
    ----------
    indptr, indices : ndarray
        A CSR with n rows, targets in [0, n).
    weights : ndarray of shape (nnz,), dtype=float64, or None
        Finite, non-negative; None: unweighted.
    n_threads : int
        Threads; the result does not depend on it.

    Returns
    -------
    indptr, indices : ndarray, dtype=int32 where ids and arc counts fit, else int64
    weights : ndarray of shape (nnz,), dtype=float64, or None
    """
    n = len(indptr) - 1
    dtype = index_dtype(n, len(indices))
    src = np.ascontiguousarray(indices)
    if src.dtype not in (np.int32, np.int64):
        src = src.astype(np.int64)
    w = None if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
    n_threads = _build_threads(n_threads, len(src))
    tindptr, tindices, tw = _core.csr_from_arcs(
        src, src[:0], w if w is not None else np.empty(0), np.zeros(n + 1, dtype=dtype), 0,
        n_threads, n_threads, False, n, -1,
        np.ascontiguousarray(indptr, dtype=np.int64))
    return tindptr, tindices, (tw if w is not None else None)
