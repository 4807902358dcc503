# Graph construction (included at the end of _core.pyx: uses its imports and ``idx_t``).
#
# csr_from_arcs: an arc list -> CSR with rows sorted and parallel arcs merged.
#
# 1. count the arcs of every row (serial, one pass) and lay the rows out (prefix sum);
# 2. scatter every arc into its row in input order (serial counting sort by source);
# 3. sort every row by target with a *stable* sort (insertion sort for short rows, merge
#    sort with per-thread buffers for long ones) and merge runs of equal targets, adding
#    (or taking the min of) their weights in input order (parallel over rows, owner
#    computes: each row is written by one thread only);
# 4. if arcs merged, close the gaps (serial, rows move left in increasing order).
#
# Every floating-point sum runs over a row's duplicates in input order, so the result is
# bit-identical for any thread count. Peak memory: the output arrays (m indices, m
# weights), one row cursor array of n entries and, per thread, a buffer as long as the
# longest row.

cdef enum:
    _CSR_INSERTION = 24  # rows up to this long are sorted by insertion


cdef inline void _row_insertion_sort(idx_t* idx, double* w, Py_ssize_t L,
                                     bint has_w) noexcept nogil:
    cdef Py_ssize_t a, b
    cdef idx_t v
    cdef double x = 0.0
    if has_w:  # the loop without the weight test inside (the hot path)
        for a in range(1, L):
            v = idx[a]
            if idx[a - 1] <= v:
                continue
            x = w[a]
            b = a - 1
            while b >= 0 and idx[b] > v:
                idx[b + 1] = idx[b]
                w[b + 1] = w[b]
                b -= 1
            idx[b + 1] = v
            w[b + 1] = x
        return
    for a in range(1, L):
        v = idx[a]
        if has_w:
            x = w[a]
        b = a - 1
        while b >= 0 and idx[b] > v:
            idx[b + 1] = idx[b]
            if has_w:
                w[b + 1] = w[b]
            b -= 1
        idx[b + 1] = v
        if has_w:
            w[b + 1] = x


cdef void _row_merge_sort(idx_t* idx, double* w, Py_ssize_t L, bint has_w,
                          idx_t* tidx, double* tw) noexcept nogil:
    """Stable bottom-up merge sort of (idx, w) by idx; tidx/tw hold L entries."""
    cdef Py_ssize_t width, lo, mid, hi, a, b, o, r0
    cdef idx_t* si = idx
    cdef double* sw = w
    cdef idx_t* di = tidx
    cdef double* dw = tw
    cdef idx_t* ti
    cdef double* tww
    # runs of _CSR_INSERTION sorted in place first
    r0 = 0
    while r0 < L:
        hi = r0 + _CSR_INSERTION
        if hi > L:
            hi = L
        _row_insertion_sort(idx + r0, w + r0 if has_w else w, hi - r0, has_w)
        r0 = hi
    width = _CSR_INSERTION
    while width < L:
        lo = 0
        while lo < L:
            mid = lo + width
            if mid > L:
                mid = L
            hi = lo + 2 * width
            if hi > L:
                hi = L
            a = lo
            b = mid
            o = lo
            while a < mid and b < hi:
                if si[b] < si[a]:  # strict: equal keys keep the left (earlier) one first
                    di[o] = si[b]
                    if has_w:
                        dw[o] = sw[b]
                    b += 1
                else:
                    di[o] = si[a]
                    if has_w:
                        dw[o] = sw[a]
                    a += 1
                o += 1
            while a < mid:
                di[o] = si[a]
                if has_w:
                    dw[o] = sw[a]
                a += 1
                o += 1
            while b < hi:
                di[o] = si[b]
                if has_w:
                    dw[o] = sw[b]
                b += 1
                o += 1
            lo = hi
        ti = si; si = di; di = ti
        tww = sw; sw = dw; dw = tww
        width *= 2
    if si != idx:
        memcpy(idx, si, L * sizeof(idx_t))
        if has_w:
            memcpy(w, sw, L * sizeof(double))


cdef Py_ssize_t _row_sort_merge(idx_t* idx, double* w, Py_ssize_t L, bint has_w,
                                int combine, idx_t* tidx, double* tw) noexcept nogil:
    """Sort one row stably by target and merge equal targets; return the new length."""
    cdef Py_ssize_t a, o
    cdef bint is_sorted = True
    for a in range(1, L):
        if idx[a] <= idx[a - 1]:
            is_sorted = False
            break
    if is_sorted:
        return L
    if L <= _CSR_INSERTION:
        _row_insertion_sort(idx, w, L, has_w)
    else:
        _row_merge_sort(idx, w, L, has_w, tidx, tw)
    o = 0
    for a in range(1, L):
        if idx[a] == idx[o]:
            if has_w:
                if combine == 1:
                    if w[a] < w[o]:
                        w[o] = w[a]
                else:
                    w[o] = w[o] + w[a]
        else:
            o += 1
            idx[o] = idx[a]
            if has_w:
                w[o] = w[a]
    return o + 1


ctypedef fused id_t:
    int32_t
    int64_t


def csr_from_arcs(
    const id_t[::1] src, const id_t[::1] dst, const double[::1] w, idx_t[::1] indptr,
    int combine, Py_ssize_t n_chunks, int n_threads, bint symmetric=False,
):
    """csr_from_arcs(src, dst, w, indptr, combine, n_chunks, n_threads, symmetric=False)

    CSR of an arc list by counting sort: rows sorted by target, parallel arcs merged.

    Parameters
    ----------
    src, dst : ndarray of shape (m,), dtype=int32 or int64
        IN. Arc end points, every id in [0, n) (not checked here); read as they are, no
        copy in another dtype.
    indptr : ndarray of shape (n + 1,), dtype=int32 or int64, all zero
        OUT. Row pointer; its dtype is the index dtype of the result (it must hold the
        number of stored arcs and every node id).
    w : ndarray of shape (m,) or (0,), dtype=float64
        IN. Arc weights; empty for an unweighted graph.
    combine : int
        0: parallel arcs add their weights, in input order; 1: they keep the smallest.
    n_chunks : int
        The arcs are cut into this many contiguous chunks, counted and scattered in
        parallel (a chunk's arcs of a row go after those of earlier chunks, so every
        row keeps input order); costs n_chunks * n counters. Choose it independently of
        the thread count: the result does not depend on either.
    n_threads : int
        OpenMP threads.
    symmetric : bool, default False
        Also store every non-loop arc reversed (an undirected edge list).

    Returns
    -------
    indptr : ndarray of shape (n + 1,)
        The ``indptr`` passed in.
    indices : ndarray of shape (nnz,), dtype of ``indptr``
        Sorted within each row, no duplicates.
    data : ndarray of shape (nnz,) or (0,), dtype=float64
        Merged weights (empty when ``w`` is empty).
    """
    cdef Py_ssize_t m = src.shape[0], n = indptr.shape[0] - 1, k, i, c, p, total, L, o, k0, k1
    cdef bint has_w = w.shape[0] > 0
    cdef idx_t run
    idx_dtype = np.int32 if idx_t is int32_t else np.int64
    if n_chunks < 1 or m == 0:
        n_chunks = 1
    # 1. per-chunk row counts (chunk c owns row c of ``cnt``)
    cnt_arr = np.zeros((n_chunks, n + 1), dtype=idx_dtype)
    cdef idx_t[:, ::1] cnt = cnt_arr
    for c in prange(n_chunks, nogil=True, num_threads=n_threads, schedule="static"):
        k0 = (m * c) // n_chunks
        k1 = (m * (c + 1)) // n_chunks
        for k in range(k0, k1):
            cnt[c, src[k]] += 1
            if symmetric and src[k] != dst[k]:
                cnt[c, dst[k]] += 1
    # 2. row layout; cnt[c, i] becomes chunk c's first slot in row i
    cdef Py_ssize_t maxrow = 0
    with nogil:
        for i in range(n):
            L = 0
            for c in range(n_chunks):
                L = L + cnt[c, i]
            indptr[i + 1] = indptr[i] + L
            if L > maxrow:
                maxrow = L
    for i in prange(n, nogil=True, num_threads=n_threads, schedule="static"):
        run = indptr[i]
        for c in range(n_chunks):
            L = cnt[c, i]
            cnt[c, i] = run
            run = run + L
    total = indptr[n]
    indices_arr = np.empty(total, dtype=idx_dtype)
    data_arr = np.empty(total if has_w else 0, dtype=np.float64)
    cdef idx_t[::1] indices = indices_arr
    cdef double[::1] data = data_arr
    cdef idx_t* ip = &indices[0] if total > 0 else NULL
    cdef double* dp = &data[0] if (has_w and total > 0) else NULL
    # 3. scatter, chunks in parallel: store-only random writes, rows keep input order
    if m > 0:
        _csr_scatter_chunks(&src[0], &dst[0], &w[0] if has_w else NULL, m, n_chunks,
                            &cnt[0, 0], n + 1, ip, dp, has_w, symmetric, n_threads)
    del cnt
    cnt_arr = None
    # 4. sort every row stably and merge equal targets (owner computes)
    newlen_arr = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] newlen = newlen_arr
    cdef idx_t* tidx
    cdef double* tw
    cdef bint ok
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]  # written through a pointer: shared by all threads
    if n > 0 and total > 0:
        with nogil, parallel(num_threads=n_threads):
            tidx = NULL
            tw = NULL
            ok = True
            if maxrow > _CSR_INSERTION:
                tidx = <idx_t*> malloc(maxrow * sizeof(idx_t))
                tw = <double*> malloc(maxrow * sizeof(double))
                ok = tidx != NULL and tw != NULL
            if not ok:
                failed_ptr[0] = 1
            # every thread reaches the worksharing loop, even without its scratch
            for i in prange(n, schedule="dynamic", chunksize=1024):
                if ok:
                    newlen[i] = _row_sort_merge(
                        ip + indptr[i], dp + indptr[i] if has_w else NULL,
                        indptr[i + 1] - indptr[i], has_w, combine, tidx, tw)
            free(tidx)
            free(tw)
        if failed[0]:
            raise MemoryError("csr_from_arcs: could not allocate per-thread scratch")
    else:
        newlen_arr[:] = 0
    cdef Py_ssize_t new_total = 0
    with nogil:
        for i in range(n):
            new_total += newlen[i]
    if new_total == total:
        return np.asarray(indptr), indices_arr, data_arr
    # 5. close the gaps left by merged arcs: rows move left, in increasing order
    with nogil:
        o = 0
        for i in range(n):
            p = indptr[i]
            L = newlen[i]
            if o != p:
                memmove(ip + o, ip + p, L * sizeof(idx_t))
                if has_w:
                    memmove(dp + o, dp + p, L * sizeof(double))
            indptr[i] = <idx_t> o
            o += L
        indptr[n] = <idx_t> o
    if new_total >= total - total // 8:
        # few merged: keep the buffers (a copy would double the peak memory)
        return np.asarray(indptr), indices_arr[:new_total], data_arr[:new_total]
    return (np.asarray(indptr), indices_arr[:new_total].copy(),
            data_arr[:new_total].copy() if has_w else data_arr)


cdef void _csr_scatter_chunks(
    const id_t* src, const id_t* dst, const double* w, Py_ssize_t m, Py_ssize_t n_chunks,
    idx_t* cnt, Py_ssize_t stride, idx_t* ip, double* dp, bint has_w, bint symmetric,
    int n_threads,
) noexcept nogil:
    """Scatter the chunks in parallel; chunk c appends at the cursors ``cnt[c * stride:]``."""
    cdef Py_ssize_t c
    for c in prange(n_chunks, num_threads=n_threads, schedule="static"):
        _csr_scatter(src, dst, w, (m * c) // n_chunks, (m * (c + 1)) // n_chunks,
                     cnt + c * stride, ip, dp, has_w, symmetric)


cdef void _csr_scatter(const id_t* src, const id_t* dst, const double* w,
                       Py_ssize_t k0, Py_ssize_t k1, idx_t* cursor,
                       idx_t* ip, double* dp, bint has_w, bint symmetric) noexcept nogil:
    """Append arcs k0..k1-1 to their rows at ``cursor`` (advanced)."""
    cdef Py_ssize_t k, p
    cdef idx_t s, t
    for k in range(k0, k1):
        s = <idx_t> src[k]
        t = <idx_t> dst[k]
        p = cursor[s]
        cursor[s] = <idx_t> (p + 1)
        ip[p] = t
        if has_w:
            dp[p] = w[k]
        if symmetric and s != t:
            p = cursor[t]
            cursor[t] = <idx_t> (p + 1)
            ip[p] = s
            if has_w:
                dp[p] = w[k]
