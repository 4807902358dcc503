# Gould–Fernandez brokerage counts (included at the end of _core.pyx).
#
# Semantics are those of R sna::brokerage (see docs/brokerage.md): broker b scores one
# unit for every ordered pair (i, k) of vertices such that i, b, k are pairwise distinct,
# arcs i -> b and b -> k exist and the arc i -> k does not. Self-loops never take part in
# a two-path. The role is chosen from the groups of (i, b, k) in sna's decision order.
#
# Algorithm (owner computes over brokers): for broker b the out-neighbours k != b are
# set in a per-thread bitset (n bits: small enough to stay in cache) and counted per
# group. For every in-neighbour i != b, the open targets of the pair are "all out-neighbours of b" minus i itself (when
# b -> i exists) minus the *closed* ones, k in out(i) ∩ out(b). Only that intersection is
# enumerated: either by scanning out(i) against the bitset, or, when out(i) is much longer
# than out(b), by galloping search of each k in out(b) inside the sorted row out(i). The
# role counts then follow from the per-group counts in O(1). Each broker writes only its
# own output row, so the result is identical for any thread count.

from libc.stdint cimport uint64_t

cdef enum:
    # scan out(i) unless it is longer than this factor x out(b) x log2(out(i))
    _BRK_SCAN_FACTOR = 8


cdef inline Py_ssize_t _brk_lower_bound(
    const idx_t* row, Py_ssize_t lo, Py_ssize_t hi, idx_t key,
) noexcept nogil:
    """First position p in [lo, hi) with row[p] >= key (row sorted ascending)."""
    cdef Py_ssize_t mid
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if row[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline Py_ssize_t _brk_gallop(
    const idx_t* row, Py_ssize_t lo, Py_ssize_t hi, idx_t key,
) noexcept nogil:
    """First position p in [lo, hi) with row[p] >= key, probing lo, lo+1, lo+3, lo+7, ...

    Costs O(log(p - lo)) instead of O(log(hi - lo)): successive keys of a sorted
    out(b) land close to the previous position in out(i).
    """
    cdef Py_ssize_t step = 1, prev = lo, nxt
    if lo >= hi or row[lo] >= key:
        return lo
    while True:  # invariant: row[prev] < key
        nxt = prev + step
        if nxt >= hi:
            return _brk_lower_bound(row, prev + 1, hi, key)
        if row[nxt] >= key:
            return _brk_lower_bound(row, prev + 1, nxt, key)
        prev = nxt
        step <<= 1


cdef inline bint _brk_test(const uint64_t* bits, Py_ssize_t k) noexcept nogil:
    return (bits[k >> 6] >> (k & 63)) & 1


cdef inline int _brk_log2(Py_ssize_t x) noexcept nogil:
    cdef int r = 1
    while x > 1:
        x >>= 1
        r += 1
    return r


cdef int64_t _brokerage_one(
    Py_ssize_t b,
    const idx_t[::1] indptr, const idx_t[::1] indices,
    const idx_t[::1] tindptr, const idx_t[::1] tindices,
    const Py_ssize_t[::1] group,
    uint64_t* bits, int64_t* cnt, int64_t* out, int64_t* checks, int strategy,
) noexcept nogil:
    """Role counts of broker b into out[0:5]; returns the two-path candidates in(b)*out(b).

    ``bits`` (n bits) and ``cnt`` (length n_groups) are per-thread scratch, all zero on
    entry and on exit.
    ``checks[0]`` receives the number of closure (membership) tests performed.
    """
    cdef Py_ssize_t ob0 = indptr[b], ob1 = indptr[b + 1]
    cdef Py_ssize_t p, q, lo, oi0, oi1, ahead, q1 = tindptr[b + 1]
    cdef Py_ssize_t gb = group[b], gi, g
    cdef idx_t bb = <idx_t> b, i, k
    cdef int64_t deg = 0, in_deg = 0, n_checks = 0
    cdef int64_t w_I = 0, w_O = 0, b_IO = 0, b_OI = 0, b_O = 0
    cdef int64_t c_tot, c_gb, c_gi, recip, tot, s_b, s_i
    cdef Py_ssize_t len_b, len_i

    for p in range(ob0, ob1):
        k = indices[p]
        if k != bb:
            bits[k >> 6] |= (<uint64_t> 1) << (k & 63)
            cnt[group[k]] += 1
            deg += 1
    if deg == 0:
        out[0] = 0; out[1] = 0; out[2] = 0; out[3] = 0; out[4] = 0
        checks[0] = 0
        return 0
    len_b = ob1 - ob0

    for q in range(tindptr[b], q1):
        # hide the cache misses of in-neighbours a few steps ahead
        if q + 8 < q1:
            ahead = tindices[q + 8]
            ECO_PREFETCH(&indptr[ahead])
            ECO_PREFETCH(&group[ahead])
        if q + 4 < q1:
            ahead = tindices[q + 4]
            ECO_PREFETCH(&indices[indptr[ahead]])
        i = tindices[q]
        if i == bb:
            continue
        in_deg += 1
        gi = group[i]
        recip = _brk_test(bits, i)
        c_tot = 0
        c_gb = 0
        c_gi = 0
        oi0 = indptr[i]
        oi1 = indptr[i + 1]
        len_i = oi1 - oi0
        if strategy == 1 or (strategy == 0 and
                             len_i <= _BRK_SCAN_FACTOR * len_b * _brk_log2(len_i)):
            # scan out(i) against the bitset of out(b)
            n_checks += len_i
            for p in range(oi0, oi1):
                k = indices[p]
                if _brk_test(bits, k) and k != i:
                    c_tot += 1
                    g = group[k]
                    if g == gb:
                        c_gb += 1
                    elif g == gi:
                        c_gi += 1
        else:
            # out(i) is long: look every k of out(b) up in the sorted row out(i)
            lo = oi0
            for p in range(ob0, ob1):
                k = indices[p]
                if k == bb or k == i:
                    continue
                n_checks += 1
                lo = _brk_gallop(&indices[0], lo, oi1, k)
                if lo == oi1:
                    break
                if indices[lo] == k:
                    c_tot += 1
                    g = group[k]
                    if g == gb:
                        c_gb += 1
                    elif g == gi:
                        c_gi += 1
        tot = deg - recip - c_tot
        if gi == gb:
            s_b = cnt[gb] - recip - c_gb
            w_I += s_b
            b_IO += tot - s_b
        else:
            s_b = cnt[gb] - c_gb
            s_i = cnt[gi] - recip - c_gi
            b_OI += s_b
            w_O += s_i
            b_O += tot - s_b - s_i

    for p in range(ob0, ob1):
        k = indices[p]
        bits[k >> 6] = 0
        cnt[group[k]] = 0
    out[0] = w_I
    out[1] = w_O
    out[2] = b_IO
    out[3] = b_OI
    out[4] = b_O
    checks[0] = n_checks
    return in_deg * deg


def brokerage_counts(
    const idx_t[::1] indptr, const idx_t[::1] indices,
    const idx_t[::1] tindptr, const idx_t[::1] tindices,
    const Py_ssize_t[::1] group, Py_ssize_t n_groups, int n_threads, int strategy=0,
):
    """brokerage_counts(indptr, indices, tindptr, tindices, group, n_groups, n_threads, strategy=0)

    Gould–Fernandez role counts of every vertex, with R ``sna::brokerage`` semantics.

    Parameters
    ----------
    indptr, indices : ndarray, dtype=int32 or int64
        IN. CSR out-adjacency (rows are sources), column indices sorted within each row,
        no duplicates. Self-loops may be present; they never form a two-path.
    tindptr, tindices : ndarray, same dtype as ``indptr``
        IN. CSR of the transpose (in-adjacency). For an undirected (symmetric) graph pass
        the same arrays again.
    group : ndarray of shape (n,), dtype=intp
        IN. Group code of every vertex, in ``0 .. n_groups-1``.
    n_groups : int
    n_threads : int
        OpenMP threads; the result does not depend on it.
    strategy : int, default 0
        How the closed targets out(i) ∩ out(b) are found: 0 adaptive (the cheaper of 1
        and 2 for every pair), 1 always scan out(i) against the bitset of out(b), 2 always
        search every k of out(b) in the sorted row out(i) (galloping from the previous
        hit: the per-candidate test). The counts do not depend on it.

    Returns
    -------
    raw : ndarray of shape (n, 5), dtype=int64
        Columns ``w_I, w_O, b_IO, b_OI, b_O`` (sna order).
    candidates : int
        Two-path candidates ``sum_b in(b) * out(b)`` (self-loops excluded).
    checks : int
        Closure (membership) tests performed.
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    raw_arr = np.zeros((max(n, 0), 5), dtype=np.int64)
    cdef int64_t[:, ::1] raw = raw_arr
    cdef Py_ssize_t b
    cdef uint64_t* bits
    cdef int64_t* cnt
    cdef int64_t* st
    cdef int64_t candidates = 0, checks = 0
    cdef bint ok
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]  # written through a pointer: shared by all threads

    if n <= 0:
        return raw_arr, 0, 0
    with nogil, parallel(num_threads=n_threads):
        bits = <uint64_t*> calloc(n // 64 + 1, sizeof(uint64_t))
        cnt = <int64_t*> calloc(n_groups + 1, sizeof(int64_t))
        st = <int64_t*> calloc(1, sizeof(int64_t))
        ok = bits != NULL and cnt != NULL and st != NULL
        if not ok:
            failed_ptr[0] = 1
        # every thread reaches the worksharing loop, even without its scratch
        for b in prange(n, schedule="dynamic", chunksize=256):
            if ok:
                candidates += _brokerage_one(
                    b, indptr, indices, tindptr, tindices, group,
                    bits, cnt, &raw[b, 0], st, strategy)
                checks += st[0]
        free(bits)
        free(cnt)
        free(st)
    if failed[0]:
        raise MemoryError("brokerage_counts: could not allocate per-thread scratch")
    return raw_arr, int(candidates), int(checks)


# --------------------------------------------------------------------------------------
# Burt's effective size and constraint: one masked two-hop walk per ego (owner computes).
# --------------------------------------------------------------------------------------

cdef void _burt_one(
    Py_ssize_t u,
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] weights,
    const double[::1] rowsum, const double[::1] rowmax,
    idx_t* marker, double* pu, double* acc, double* out_red, double* out_con,
) noexcept nogil:
    """Redundancy sum and constraint of ego u (scratch arrays are per thread)."""
    cdef Py_ssize_t p, q, a, c
    cdef idx_t uu = <idx_t> u
    cdef double red = 0.0, con = 0.0, pa, wa, t
    if rowsum[u] <= 0.0:
        out_red[0] = 0.0
        out_con[0] = 0.0
        return
    for p in range(indptr[u], indptr[u + 1]):
        a = indices[p]
        marker[a] = uu
        pu[a] = weights[p] / rowsum[u]
        acc[a] = 0.0
    for p in range(indptr[u], indptr[u + 1]):
        a = indices[p]
        pa = pu[a]
        wa = 0.0
        t = 0.0
        for q in range(indptr[a], indptr[a + 1]):
            c = indices[q]
            if marker[c] == uu:
                # effective size: p(u, c) m(a, c);  constraint: p(u, a) p(a, c) into acc[c]
                if rowmax[a] > 0.0:
                    wa = wa + pu[c] * weights[q] / rowmax[a]
                if rowsum[a] > 0.0:
                    acc[c] = acc[c] + pa * weights[q] / rowsum[a]
        red = red + wa
    for p in range(indptr[u], indptr[u + 1]):
        a = indices[p]
        t = pu[a] + acc[a]
        con = con + t * t
    out_red[0] = red
    out_con[0] = con


def burt_measures(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] weights,
    const double[::1] rowsum, const double[::1] rowmax, int n_threads,
):
    """burt_measures(indptr, indices, weights, rowsum, rowmax, n_threads)

    Redundancy and constraint of every ego from the mutual-weight matrix.

    Parameters
    ----------
    indptr, indices : ndarray, dtype=int32 or int64
        IN. Symmetric, loop-free CSR of the mutual weights a(u, v) = w(u→v) + w(v→u);
        stored entries (even zero ones) are the neighbourhoods N(u).
    weights : ndarray of shape (nnz,), dtype=float64
        IN. a(u, v).
    rowsum, rowmax : ndarray of shape (n,), dtype=float64
        IN. Σ_v a(u, v) and max_v a(u, v).
    n_threads : int
        OpenMP threads; every ego is summed by one thread in a fixed order, so the result
        does not depend on it.

    Returns
    -------
    redundancy : ndarray of shape (n,), dtype=float64
        Σ_{v ∈ N(u)} Σ_{x ∈ N(u)} p(u, x) m(v, x), with p = a / rowsum, m = a / rowmax;
        effective size = |N(u)| − redundancy.
    constraint : ndarray of shape (n,), dtype=float64
        Σ_{v ∈ N(u)} (p(u, v) + Σ_{x ∈ N(u)} p(u, x) p(x, v))².
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    red_arr = np.zeros(max(n, 0), dtype=np.float64)
    con_arr = np.zeros(max(n, 0), dtype=np.float64)
    cdef double[::1] red = red_arr
    cdef double[::1] con = con_arr
    cdef Py_ssize_t u
    cdef idx_t* marker
    cdef double* pu
    cdef double* acc
    cdef bint ok
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]  # written through a pointer: shared by all threads

    if n <= 0:
        return red_arr, con_arr
    with nogil, parallel(num_threads=n_threads):
        marker = <idx_t*> malloc(n * sizeof(idx_t) + 1)
        pu = <double*> malloc(n * sizeof(double) + 1)
        acc = <double*> malloc(n * sizeof(double) + 1)
        ok = marker != NULL and pu != NULL and acc != NULL
        if not ok:
            failed_ptr[0] = 1
        else:
            memset(marker, 0xFF, n * sizeof(idx_t))  # every entry -1
        # every thread reaches the worksharing loop, even without its scratch
        for u in prange(n, schedule="dynamic", chunksize=64):
            if ok:
                _burt_one(u, indptr, indices, weights, rowsum, rowmax,
                          marker, pu, acc, &red[u], &con[u])
        free(marker)
        free(pu)
        free(acc)
    if failed[0]:
        raise MemoryError("burt_measures: could not allocate per-thread scratch")
    return red_arr, con_arr
