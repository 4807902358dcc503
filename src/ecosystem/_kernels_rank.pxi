# PageRank and HITS by power iteration on the CSR (included at the end of _core.pyx).
#
# PageRank pulls over the transpose (in-arcs): every node v computes its own new score
# from its in-neighbours (owner computes), with the dangling and teleport mass fused into
# one scalar per iteration. Sums over all nodes (dangling mass, L1 residual, HITS norms)
# are taken over fixed chunks of _RANK_CHUNK nodes and the chunk partials added in chunk
# order, so every iterate, the iteration count and the residual are bit-identical for any
# thread count.

from libc.math cimport fabs

cdef enum:
    _RANK_CHUNK = 2048  # nodes per reduction chunk (fixed: never depends on the threads)


cdef inline double _sum_in_order(const double* part, Py_ssize_t k) noexcept nogil:
    cdef double s = 0.0
    cdef Py_ssize_t c
    for c in range(k):
        s = s + part[c]
    return s


cdef double _pr_prepare(const double* x, const double* inv_out, double* y,
                        Py_ssize_t v0, Py_ssize_t v1) noexcept nogil:
    """y = x / out-strength on v0..v1; return the score held by dangling nodes there."""
    cdef double dang = 0.0
    cdef Py_ssize_t u
    for u in range(v0, v1):
        if inv_out[u] == 0.0:
            dang = dang + x[u]
            y[u] = 0.0
        else:
            y[u] = x[u] * inv_out[u]
    return dang


cdef double _pr_pull(const idx_t* tindptr, const idx_t* tindices, const double* tw,
                     const double* y, const double* pers, const double* x, double* xn,
                     const double* inv_out, double* yn, double* dang_out,
                     double tele, double damping, double uniform, Py_ssize_t v0,
                     Py_ssize_t v1) noexcept nogil:
    """New scores of v0..v1 into xn, and already the next iteration's ``yn = xn / s``
    and dangling score (into ``dang_out[0]``); return their L1 change. ``pers`` NULL:
    every teleport probability is ``uniform``."""
    cdef Py_ssize_t v, e, e1
    cdef double acc, nv, r = 0.0, dang = 0.0
    for v in range(v0, v1):
        acc = 0.0
        e1 = tindptr[v + 1]
        if tw == NULL:
            for e in range(tindptr[v], e1):
                acc = acc + y[tindices[e]]
        else:
            for e in range(tindptr[v], e1):
                acc = acc + tw[e] * y[tindices[e]]
        nv = tele * (pers[v] if pers != NULL else uniform) + damping * acc
        r = r + fabs(nv - x[v])
        xn[v] = nv
        if inv_out[v] == 0.0:
            dang = dang + nv
            yn[v] = 0.0
        else:
            yn[v] = nv * inv_out[v]
    dang_out[0] = dang
    return r


def pagerank_pull(
    const idx_t[::1] tindptr, const idx_t[::1] tindices, const double[::1] tweights,
    const double[::1] inv_out, const double[::1] pers, double damping, double tol,
    Py_ssize_t max_iter, int n_threads,
):
    """pagerank_pull(tindptr, tindices, tweights, inv_out, pers, damping, tol, max_iter, n_threads)

    PageRank by power (Jacobi) iteration, pulling over the in-arcs.

    ``x_new[v] = ((1 - d) + d D) p[v] + d sum_{u -> v} w_uv x[u] / s_u`` where s_u is
    the out-strength of u, D the score held by dangling nodes (s_u = 0) and p the
    teleport (personalization) distribution, which dangling nodes also follow. The start
    is uniform; iteration stops when ``||x_new - x||_1 < tol``.

    Parameters
    ----------
    tindptr, tindices : ndarray, dtype=int32 or int64
        IN. CSR of the transpose: the in-arcs of every node (sources u of u -> v).
    tweights : ndarray of shape (nnz,) or (0,), dtype=float64
        IN. w_uv aligned with ``tindices``; empty for an unweighted graph (all 1).
    inv_out : ndarray of shape (n,), dtype=float64
        IN. 1 / s_u, and 0 for dangling nodes.
    pers : ndarray of shape (n,) or (0,), dtype=float64
        IN. Teleport distribution (sums to 1); empty for the uniform one (1/n each,
        without reading an array every iteration: the same bits as ``np.full(n, 1/n)``).
    damping, tol : float
    max_iter : int
    n_threads : int
        OpenMP threads; the result does not depend on it (bit for bit).

    Returns
    -------
    scores : ndarray of shape (n,), dtype=float64
    n_iter : int
        Iterations performed.
    residual : float
        ``||x_last - x_previous||_1`` of the last iteration.
    """
    cdef Py_ssize_t n = tindptr.shape[0] - 1
    cdef Py_ssize_t n_chunks = (n + _RANK_CHUNK - 1) // _RANK_CHUNK
    cdef Py_ssize_t c, it = 0, v0, v1
    cdef double D, tele, err = INFINITY
    x_arr = np.full(n, 1.0 / n if n > 0 else 0.0)
    xn_arr = np.empty(n)
    y_arr = np.empty(n)
    yn_arr = np.empty(n)
    part_arr = np.zeros(2 * max(n_chunks, 1))
    cdef double[::1] x_v = x_arr
    cdef double[::1] xn_v = xn_arr
    cdef double[::1] y_v = y_arr
    cdef double[::1] yn_v = yn_arr
    cdef double[::1] part_v = part_arr
    if n == 0:
        return x_arr, 0, 0.0
    cdef double* x = &x_v[0]
    cdef double* xn = &xn_v[0]
    cdef double* y = &y_v[0]
    cdef double* yn = &yn_v[0]
    cdef double* part = &part_v[0]
    cdef double* dpart = part + n_chunks
    cdef double* tmp
    cdef const idx_t* tp = &tindptr[0]
    cdef const idx_t* ti = &tindices[0] if tindices.shape[0] > 0 else NULL
    cdef const double* tw = &tweights[0] if tweights.shape[0] > 0 else NULL
    cdef const double* io = &inv_out[0]
    cdef const double* pp = &pers[0] if pers.shape[0] > 0 else NULL
    cdef double uniform = 1.0 / n
    if pers.shape[0] not in (0, n):
        raise ValueError("pagerank_pull: pers must have n entries or none")
    with nogil:
        # y = x / s and the dangling score of the start; afterwards every pull pass
        # also prepares them for the next iteration: one parallel region per iteration
        for c in prange(n_chunks, num_threads=n_threads, schedule="static"):
            v0 = c * _RANK_CHUNK
            v1 = v0 + _RANK_CHUNK
            if v1 > n:
                v1 = n
            dpart[c] = _pr_prepare(x, io, y, v0, v1)
        while it < max_iter:
            D = _sum_in_order(dpart, n_chunks)
            tele = (1.0 - damping) + damping * D
            for c in prange(n_chunks, num_threads=n_threads, schedule="dynamic", chunksize=4):
                v0 = c * _RANK_CHUNK
                v1 = v0 + _RANK_CHUNK
                if v1 > n:
                    v1 = n
                part[c] = _pr_pull(tp, ti, tw, y, pp, x, xn, io, yn, dpart + c, tele,
                                   damping, uniform, v0, v1)
            err = _sum_in_order(part, n_chunks)
            tmp = x
            x = xn
            xn = tmp
            tmp = y
            y = yn
            yn = tmp
            it += 1
            if err < tol:
                break
    result = x_arr if x == &x_v[0] else xn_arr
    return result, int(it), float(err)


cdef double _hits_pull(const idx_t* indptr, const idx_t* indices, const double* w,
                       const double* src, double* dst, Py_ssize_t v0,
                       Py_ssize_t v1) noexcept nogil:
    """dst[v] = sum_e w_e src[indices[e]] over the row of v, for v0..v1; return the sum."""
    cdef Py_ssize_t v, e, e1
    cdef double acc, total = 0.0
    for v in range(v0, v1):
        acc = 0.0
        e1 = indptr[v + 1]
        if w == NULL:
            for e in range(indptr[v], e1):
                acc = acc + src[indices[e]]
        else:
            for e in range(indptr[v], e1):
                acc = acc + w[e] * src[indices[e]]
        dst[v] = acc
        total = total + acc
    return total


cdef double _hits_scale(double* a, const double* old, double s, Py_ssize_t v0,
                        Py_ssize_t v1) noexcept nogil:
    """a *= s on v0..v1; return the L1 change against ``old``."""
    cdef Py_ssize_t v
    cdef double r = 0.0
    for v in range(v0, v1):
        a[v] = a[v] * s
        r = r + fabs(a[v] - old[v])
    return r


def hits_power(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] weights,
    const idx_t[::1] tindptr, const idx_t[::1] tindices, const double[::1] tweights,
    double tol, Py_ssize_t max_iter, int n_threads,
):
    """hits_power(indptr, indices, weights, tindptr, tindices, tweights, tol, max_iter, n_threads)

    HITS by power iteration: ``a = A^T h``, ``h = A a``, each scaled to sum 1.

    Starts from uniform authorities; stops when the L1 change of the authorities is
    below ``tol``. Both products pull (owner computes), one over the transpose.

    Parameters
    ----------
    indptr, indices, weights : ndarray
        IN. CSR of A (out-arcs); ``weights`` empty for all ones.
    tindptr, tindices, tweights : ndarray
        IN. CSR of A^T (in-arcs), weights aligned.
    tol : float
    max_iter : int
    n_threads : int
        OpenMP threads; the result does not depend on it (bit for bit).

    Returns
    -------
    hub, authority : ndarray of shape (n,), dtype=float64
    n_iter : int
    residual : float
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t n_chunks = (n + _RANK_CHUNK - 1) // _RANK_CHUNK
    cdef Py_ssize_t c, it = 0, v0, v1
    cdef double s, err = INFINITY
    a_arr = np.full(n, 1.0 / n if n > 0 else 0.0)
    an_arr = np.empty(n)
    h_arr = np.zeros(n)
    part_arr = np.zeros(max(n_chunks, 1))
    cdef double[::1] a_v = a_arr
    cdef double[::1] an_v = an_arr
    cdef double[::1] h_v = h_arr
    cdef double[::1] part_v = part_arr
    if n == 0:
        return h_arr, a_arr, 0, 0.0
    cdef double* a = &a_v[0]
    cdef double* an = &an_v[0]
    cdef double* h = &h_v[0]
    cdef double* part = &part_v[0]
    cdef double* tmp
    cdef const idx_t* ip = &indptr[0]
    cdef const idx_t* ix = &indices[0] if indices.shape[0] > 0 else NULL
    cdef const double* w = &weights[0] if weights.shape[0] > 0 else NULL
    cdef const idx_t* tp = &tindptr[0]
    cdef const idx_t* tx = &tindices[0] if tindices.shape[0] > 0 else NULL
    cdef const double* tw = &tweights[0] if tweights.shape[0] > 0 else NULL
    with nogil:
        while it < max_iter:
            # h = A a, scaled to sum 1
            for c in prange(n_chunks, num_threads=n_threads, schedule="dynamic", chunksize=4):
                v0 = c * _RANK_CHUNK
                v1 = v0 + _RANK_CHUNK
                if v1 > n:
                    v1 = n
                part[c] = _hits_pull(ip, ix, w, a, h, v0, v1)
            s = _sum_in_order(part, n_chunks)
            if s <= 0.0:
                break
            for c in prange(n_chunks, num_threads=n_threads, schedule="static"):
                v0 = c * _RANK_CHUNK
                v1 = v0 + _RANK_CHUNK
                if v1 > n:
                    v1 = n
                _hits_scale(h, h, 1.0 / s, v0, v1)
            # a_new = A^T h, scaled to sum 1; L1 change against a
            for c in prange(n_chunks, num_threads=n_threads, schedule="dynamic", chunksize=4):
                v0 = c * _RANK_CHUNK
                v1 = v0 + _RANK_CHUNK
                if v1 > n:
                    v1 = n
                part[c] = _hits_pull(tp, tx, tw, h, an, v0, v1)
            s = _sum_in_order(part, n_chunks)
            if s <= 0.0:
                break
            for c in prange(n_chunks, num_threads=n_threads, schedule="static"):
                v0 = c * _RANK_CHUNK
                v1 = v0 + _RANK_CHUNK
                if v1 > n:
                    v1 = n
                part[c] = _hits_scale(an, a, 1.0 / s, v0, v1)
            err = _sum_in_order(part, n_chunks)
            tmp = a
            a = an
            an = tmp
            it += 1
            if err < tol:
                break
    auth = a_arr if a == &a_v[0] else an_arr
    return h_arr, auth, int(it), float(err)
