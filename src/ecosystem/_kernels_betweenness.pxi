# Included at the end of _core.pyx: uses its imports, ``idx_t`` and ``_column_sum_in_order``.
#
# Brandes betweenness from a given set of sources (Brandes 2001; Brandes & Pich 2007).
#
# Layout of the work, per source s (unweighted: BFS; weighted: Dijkstra, binary heap):
#
# * forward pass: distances and shortest-path counts sigma; the nodes are recorded in the
#   order they are settled (BFS queue / heap pops), which is a non-decreasing distance order;
# * backward pass: nodes are taken in reverse settled order and each node *pulls* from its
#   out-neighbours w on a shortest path (dist[w] == dist[v] + len(v, w)):
#       delta[v] = sigma[v] * sum_w coef[w],   coef[w] = (1 + delta[w]) / sigma[w],
#   which is Brandes' delta[v] = sum_w sigma[v] / sigma[w] * (1 + delta[w]). Predecessor
#   lists are never stored: the test on distances recomputes them, with the same floating
#   point expression as the forward pass, so ties are "exactly equal doubles".
# * delta[v] (v != s) is added to the partial score row of the source's chunk.
#
# Parallelism: the sources are cut into ``n_chunks`` contiguous chunks (chosen by the caller
# independently of the thread count); chunks are scheduled dynamically over threads, each
# chunk owns one row of ``partial``, and rows are summed in chunk order afterwards. Every
# floating-point addition therefore happens in the same order for any number of threads:
# the result is bit-identical for 1, 2, ... threads. Scratch memory is allocated once per
# thread; the per-source reset touches only the nodes that were reached.

from libc.math cimport INFINITY


cdef void _brandes_bfs(
    idx_t s, const idx_t* indptr, const idx_t* indices,
    idx_t* dist, double* sigma, double* coef, idx_t* order, double* acc,
) noexcept nogil:
    """One source of unweighted Brandes; adds delta_s(v) to acc[v] for every v != s.

    On entry and on exit dist[v] == -1 for every v.
    """
    cdef idx_t v, w, dv1
    cdef Py_ssize_t head = 0, tail = 1, i
    cdef idx_t e, e1
    cdef double sv, c, d
    order[0] = s
    dist[s] = 0
    sigma[s] = 1.0
    while head < tail:
        v = order[head]
        head += 1
        dv1 = dist[v] + 1
        sv = sigma[v]
        e1 = indptr[v + 1]
        for e in range(indptr[v], e1):
            w = indices[e]
            if dist[w] < 0:
                dist[w] = dv1
                sigma[w] = sv
                order[tail] = w
                tail += 1
            elif dist[w] == dv1:
                sigma[w] += sv
    i = tail - 1
    while i >= 1:  # order[0] is s: its own dependency is not counted
        v = order[i]
        dv1 = dist[v] + 1
        c = 0.0
        e1 = indptr[v + 1]
        for e in range(indptr[v], e1):
            w = indices[e]
            if dist[w] == dv1:
                c += coef[w]
        d = sigma[v] * c
        coef[v] = (1.0 + d) / sigma[v]
        acc[v] += d
        i -= 1
    for i in range(tail):
        dist[order[i]] = -1


cdef inline void _heap_push(double* hkey, idx_t* hnode, idx_t* pos, Py_ssize_t* size,
                            idx_t v, double key) noexcept nogil:
    cdef Py_ssize_t i = size[0], p
    size[0] = i + 1
    while i > 0:
        p = (i - 1) >> 1
        if hkey[p] <= key:
            break
        hkey[i] = hkey[p]
        hnode[i] = hnode[p]
        pos[hnode[i]] = <idx_t> i
        i = p
    hkey[i] = key
    hnode[i] = v
    pos[v] = <idx_t> i


cdef inline void _heap_decrease(double* hkey, idx_t* hnode, idx_t* pos,
                                idx_t v, double key) noexcept nogil:
    cdef Py_ssize_t i = pos[v], p
    while i > 0:
        p = (i - 1) >> 1
        if hkey[p] <= key:
            break
        hkey[i] = hkey[p]
        hnode[i] = hnode[p]
        pos[hnode[i]] = <idx_t> i
        i = p
    hkey[i] = key
    hnode[i] = v
    pos[v] = <idx_t> i


cdef inline idx_t _heap_pop(double* hkey, idx_t* hnode, idx_t* pos,
                            Py_ssize_t* size) noexcept nogil:
    """Remove and return the node with the smallest key (size must be > 0)."""
    cdef idx_t top = hnode[0], last
    cdef double key
    cdef Py_ssize_t n = size[0] - 1, i = 0, c
    size[0] = n
    pos[top] = -1
    if n == 0:
        return top
    last = hnode[n]
    key = hkey[n]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and hkey[c + 1] < hkey[c]:
            c += 1
        if key <= hkey[c]:
            break
        hkey[i] = hkey[c]
        hnode[i] = hnode[c]
        pos[hnode[i]] = <idx_t> i
        i = c
    hkey[i] = key
    hnode[i] = last
    pos[last] = <idx_t> i
    return top


cdef void _brandes_dijkstra(
    idx_t s, const idx_t* indptr, const idx_t* indices, const double* length, double rtol,
    double* dist, double* sigma, double* coef, idx_t* order,
    double* hkey, idx_t* hnode, idx_t* pos, double* acc,
) noexcept nogil:
    """One source of weighted Brandes (lengths > 0); adds delta_s(v) to acc[v], v != s.

    ``dist`` holds 1 + the path length (igraph's convention) and two of them tie when
    ``eco_cmp_rel(a, b, rtol) == 0`` (igraph's ``igraph_cmp_epsilon``): the first value
    found in a tie class is kept, a later one replaces it only if smaller beyond the
    tolerance, and the backward pass recomputes the predecessors with the same test.
    With ``rtol == 0`` ties are exactly equal doubles.
    On entry and on exit dist[v] == +inf and pos[v] == -1 for every v.
    """
    cdef idx_t v, w
    cdef Py_ssize_t size = 0, count = 0, i
    cdef idx_t e, e1
    cdef double dv, d, sv, c, dd
    cdef int cmp
    dist[s] = 1.0
    sigma[s] = 1.0
    _heap_push(hkey, hnode, pos, &size, s, 1.0)
    while size > 0:
        v = _heap_pop(hkey, hnode, pos, &size)
        order[count] = v
        count += 1
        dv = dist[v]
        sv = sigma[v]
        e1 = indptr[v + 1]
        for e in range(indptr[v], e1):
            w = indices[e]
            d = dv + length[e]
            if dist[w] == INFINITY:
                _heap_push(hkey, hnode, pos, &size, w, d)
                dist[w] = d
                sigma[w] = sv
                continue
            cmp = eco_cmp_rel(d, dist[w], rtol)
            if cmp < 0:
                _heap_decrease(hkey, hnode, pos, w, d)
                dist[w] = d
                sigma[w] = sv
            elif cmp == 0:
                sigma[w] += sv
    i = count - 1
    while i >= 1:  # order[0] is s: its own dependency is not counted
        v = order[i]
        dv = dist[v]
        c = 0.0
        e1 = indptr[v + 1]
        for e in range(indptr[v], e1):
            w = indices[e]
            if eco_cmp_rel(dv + length[e], dist[w], rtol) == 0:
                c += coef[w]
        dd = sigma[v] * c
        coef[v] = (1.0 + dd) / sigma[v]
        acc[v] += dd
        i -= 1
    for i in range(count):
        dist[order[i]] = INFINITY


def betweenness_unweighted(
    const idx_t[::1] indptr, const idx_t[::1] indices, const idx_t[::1] sources,
    Py_ssize_t n_chunks, int n_threads,
):
    """betweenness_unweighted(indptr, indices, sources, n_chunks, n_threads)

    Sum over ``sources`` of Brandes dependencies, shortest paths by hop count (BFS).

    Parameters
    ----------
    indptr : ndarray of shape (n + 1,), dtype=int32 or int64
        IN. CSR row pointer of the out-adjacency (symmetric for an undirected graph).
    indices : ndarray of shape (nnz,), dtype of ``indptr``
        IN. Out-neighbours; duplicates must have been merged.
    sources : ndarray of shape (k,), dtype of ``indptr``
        IN. Distinct source nodes in 0..n-1.
    n_chunks : int
        1 <= n_chunks <= max(k, 1). Sources are cut into this many contiguous chunks whose
        partial scores are summed in chunk order; choose it independently of the thread
        count and the result does not depend on the thread count (bit for bit).
    n_threads : int

    Returns
    -------
    ndarray of shape (n,), dtype=float64
        ``sum_{s in sources} sum_{t != s, v} sigma_st(v) / sigma_st`` for each v != s:
        ordered pairs (no halving for undirected graphs), endpoints excluded.
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1, k = sources.shape[0]
    cdef Py_ssize_t chunk, j, j0, j1
    cdef idx_t* dist
    cdef double* sigma
    cdef idx_t* order
    cdef double* dbl
    cdef bint ok
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]  # written through a pointer: shared by all threads
    if n_chunks < 1:
        n_chunks = 1
    partial_arr = np.zeros((n_chunks, n), dtype=np.float64)
    cdef double[:, ::1] partial = partial_arr
    cdef const idx_t* ip = &indptr[0]
    cdef const idx_t* ix = &indices[0] if indices.shape[0] > 0 else NULL
    if n > 0 and k > 0:
        with nogil, parallel(num_threads=n_threads):
            dist = <idx_t*> malloc(2 * n * sizeof(idx_t))
            dbl = <double*> malloc(2 * n * sizeof(double))
            ok = dist != NULL and dbl != NULL
            if not ok:
                failed_ptr[0] = 1
            else:
                memset(dist, 0xFF, n * sizeof(idx_t))  # every entry -1
            order = dist + n
            sigma = dbl
            # every thread reaches the worksharing loop, even without its scratch
            for chunk in prange(n_chunks, schedule="dynamic", chunksize=1):
                if ok:
                    j0 = (k * chunk) // n_chunks
                    j1 = (k * (chunk + 1)) // n_chunks
                    for j in range(j0, j1):
                        _brandes_bfs(sources[j], ip, ix, dist, sigma, dbl + n, order,
                                     &partial[chunk, 0])
            free(dist)
            free(dbl)
    if failed[0]:
        raise MemoryError("betweenness_unweighted: could not allocate per-thread scratch")
    return _sum_chunks(partial_arr, n_threads)


def betweenness_weighted(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] lengths,
    const idx_t[::1] sources, Py_ssize_t n_chunks, int n_threads, double rtol=1e-10,
):
    """betweenness_weighted(indptr, indices, lengths, sources, n_chunks, n_threads, rtol=1e-10)

    Sum over ``sources`` of Brandes dependencies, shortest paths by summed arc lengths
    (Dijkstra with an indexed binary heap). Two path lengths a, b tie when
    ``|a - b| < rtol * ((1 + a) + (1 + b))``, igraph's rule (``igraph_cmp_epsilon`` on
    1 + length, with ``IGRAPH_SHORTEST_PATH_EPSILON = 1e-10``); ``rtol=0`` asks for
    exactly equal doubles.

    Parameters
    ----------
    indptr, indices, sources, n_chunks, n_threads
        As in :func:`betweenness_unweighted`.
    lengths : ndarray of shape (nnz,), dtype=float64
        IN. Arc lengths, all positive and finite (not checked here).
    rtol : float, default 1e-10
        Relative tolerance of path-length ties.

    Returns
    -------
    ndarray of shape (n,), dtype=float64
        As in :func:`betweenness_unweighted`.
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1, k = sources.shape[0]
    cdef Py_ssize_t chunk, j, j0, j1, v
    cdef idx_t* ibuf
    cdef double* dbl
    cdef bint ok
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]  # written through a pointer: shared by all threads
    if n_chunks < 1:
        n_chunks = 1
    partial_arr = np.zeros((n_chunks, n), dtype=np.float64)
    cdef double[:, ::1] partial = partial_arr
    cdef const idx_t* ip = &indptr[0]
    cdef const idx_t* ix = &indices[0] if indices.shape[0] > 0 else NULL
    cdef const double* ln = &lengths[0] if lengths.shape[0] > 0 else NULL
    if n > 0 and k > 0:
        with nogil, parallel(num_threads=n_threads):
            # ibuf: order | heap nodes | heap positions;  dbl: dist | sigma | coef | heap keys
            ibuf = <idx_t*> malloc(3 * n * sizeof(idx_t))
            dbl = <double*> malloc(4 * n * sizeof(double))
            ok = ibuf != NULL and dbl != NULL
            if not ok:
                failed_ptr[0] = 1
            else:
                memset(ibuf + 2 * n, 0xFF, n * sizeof(idx_t))  # positions: -1
                for v in range(n):
                    dbl[v] = INFINITY
            # every thread reaches the worksharing loop, even without its scratch
            for chunk in prange(n_chunks, schedule="dynamic", chunksize=1):
                if ok:
                    j0 = (k * chunk) // n_chunks
                    j1 = (k * (chunk + 1)) // n_chunks
                    for j in range(j0, j1):
                        _brandes_dijkstra(sources[j], ip, ix, ln, rtol,
                                          dbl, dbl + n, dbl + 2 * n, ibuf,
                                          dbl + 3 * n, ibuf + n, ibuf + 2 * n,
                                          &partial[chunk, 0])
            free(ibuf)
            free(dbl)
    if failed[0]:
        raise MemoryError("betweenness_weighted: could not allocate per-thread scratch")
    return _sum_chunks(partial_arr, n_threads)


cdef object _sum_chunks(object partial_arr, int n_threads):
    """Sum of the rows of a (n_chunks, n) array, added in chunk order.

    Serial on purpose: each element gets ((p0 + p1) + p2) + ..., as a column sum in chunk
    order would, and a second parallel region would cost more to start than it saves.
    """
    total = partial_arr[0].copy()
    for chunk in range(1, partial_arr.shape[0]):
        total += partial_arr[chunk]
    return total
