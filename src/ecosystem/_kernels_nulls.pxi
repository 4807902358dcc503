# Null models of the classification: the reciprocity null (Poisson draws of a region's
# out- and in-volume over its quasi-independence expectations) and degree-preserving
# rewiring counts of brokerage roles. Included from _core.pyx after _kernels_bootstrap.pxi,
# whose hash and counter-based draws (hashed keys, _draw_state) they share; the rules of
# _core.pyx apply (no Python objects or exceptions inside nogil code; every thread reaches
# each prange and a failed allocation is raised after the parallel region).

# --------------------------------------------------------------------------------------
# Reciprocity null: Poisson gravity redistribution of a region's out- and in-volume.
# --------------------------------------------------------------------------------------

cdef enum:
    CDF_MAX = 512


cdef Py_ssize_t _poisson_table(double lam, double* cdf) noexcept nogil:
    """Cumulative Poisson(lam) probabilities, ending with a sentinel 2.0; 0 if lam >= 30."""
    cdef Py_ssize_t k = 0, j
    cdef double p, F
    if lam >= 30.0:
        return 0
    p = exp(-lam)
    F = p
    cdf[0] = F
    while k < CDF_MAX - 9 and 1.0 - F > 1e-15:
        k += 1
        p = p * lam / <double> k
        F = F + p
        cdf[k] = F
    # sentinels: at least 8 entries, so the first 8 compares need no bounds check
    for j in range(k + 1, k + 9):
        cdf[j] = 2.0
    return k + 2


cdef inline double _table_draw(const double* cdf, Py_ssize_t n, double u) noexcept nogil:
    """Inverse CDF (first k with u < cdf[k]): branch-free over the first 8 entries for
    short tables, binary search for long ones (means of about 5 or more)."""
    cdef Py_ssize_t k, lo, hi, mid
    if n <= 16:
        k = ((u >= cdf[0]) + (u >= cdf[1]) + (u >= cdf[2]) + (u >= cdf[3])
             + (u >= cdf[4]) + (u >= cdf[5]) + (u >= cdf[6]) + (u >= cdf[7]))
        if k == 8:
            while u >= cdf[k]:
                k += 1
        return <double> k
    lo = 0
    hi = n - 1          # cdf[n - 1] is the sentinel 2.0 > u
    while lo < hi:
        mid = (lo + hi) >> 1
        if u >= cdf[mid]:
            lo = mid + 1
        else:
            hi = mid
    return <double> lo


cdef inline double _side_draw(Py_ssize_t n_tab, const double* cdf, double lam, double u,
                              uint64_t* st) noexcept nogil:
    if n_tab < 0:
        return 0.0
    if n_tab > 0:
        return _table_draw(cdf, n_tab, u)
    return eco_poisson(st, lam)


cdef void _recip_row(
    Py_ssize_t i, Py_ssize_t R, Py_ssize_t n_draws, const double* lam_out,
    const double* lam_in, const double* scale_out, const double* scale_in,
    const uint64_t* kr_hkey, const uint64_t* partner_key, bint conditional, double* mins,
    double* tots, double* sum_out, double* sum_in, double* cdf_a, double* cdf_b, double* out,
    double* store,
) noexcept nogil:
    """Null draws of R for row i (owner computes).

    Partner j's stream is keyed by (row key XOR partner key). Each draw takes one 64-bit
    word: its high 32 bits invert the Poisson CDF of the side with the smaller mean
    (out-side on ties), its low 32 bits the other side (PTRS from the stream, in the same
    order, when a mean is 30 or more). Swapping in- and out-flows therefore gives exactly
    the same draws of R. With ``conditional`` a first pass sums each draw's out- and
    in-side, and a second pass (the same streams) rescales every draw's sides to the
    expected totals: the draws are then conditional on the region's two volumes, the
    large-sample form of multinomial redistribution. ``store`` (2 R n_draws doubles, or
    NULL) keeps the first pass's draws for the second, which otherwise draws them again
    from the same streams: the result is the same either way.
    """
    cdef Py_ssize_t j, d, na, nb, p, n_pass
    cdef double a, b, la, lb, sa, sb, t_out = 0.0, t_in = 0.0, vo, vi, fo, fi
    cdef bint sw
    cdef uint64_t st, word
    cdef double inv32 = 1.0 / 4294967296.0
    for d in range(n_draws):
        mins[d] = 0.0
        tots[d] = 0.0
        sum_out[d] = 0.0
        sum_in[d] = 0.0
    for j in range(R):
        if lam_out[i * R + j] > 0.0:
            t_out += lam_out[i * R + j] * scale_out[i]
        if lam_in[i * R + j] > 0.0:
            t_in += lam_in[i * R + j] * scale_in[i]
    n_pass = 2 if conditional else 1
    for p in range(n_pass):
        for j in range(R):
            la = lam_out[i * R + j]
            lb = lam_in[i * R + j]
            sa = scale_out[i]
            sb = scale_in[i]
            if la <= 0.0 and lb <= 0.0:
                continue
            if p == 1 and store != NULL:  # the first pass's draws, rescaled
                for d in range(n_draws):
                    vo = store[2 * (j * n_draws + d)]
                    vi = store[2 * (j * n_draws + d) + 1]
                    fo = t_out / sum_out[d] if sum_out[d] > 0.0 else 0.0
                    fi = t_in / sum_in[d] if sum_in[d] > 0.0 else 0.0
                    vo = vo * fo
                    vi = vi * fi
                    tots[d] += vo + vi
                    mins[d] += 2.0 * (vo if vo < vi else vi)
                continue
            sw = lb < la or (lb == la and sb < sa)
            if sw:
                la, lb = lb, la
                sa, sb = sb, sa
            st = eco_mix64(kr_hkey[i] ^ partner_key[j])
            na = _poisson_table(la, cdf_a) if la > 0.0 else -1
            nb = _poisson_table(lb, cdf_b) if lb > 0.0 else -1
            for d in range(n_draws):
                word = eco_next(&st)
                a = _side_draw(na, cdf_a, la, <double> (word >> 32) * inv32, &st) * sa
                b = _side_draw(nb, cdf_b, lb, <double> ((word << 32) >> 32) * inv32, &st) * sb
                if sw:
                    vo, vi = b, a
                else:
                    vo, vi = a, b
                if conditional and p == 0:
                    sum_out[d] += vo
                    sum_in[d] += vi
                    if store != NULL:
                        store[2 * (j * n_draws + d)] = vo
                        store[2 * (j * n_draws + d) + 1] = vi
                    continue
                if conditional:
                    fo = t_out / sum_out[d] if sum_out[d] > 0.0 else 0.0
                    fi = t_in / sum_in[d] if sum_in[d] > 0.0 else 0.0
                    vo = vo * fo
                    vi = vi * fi
                tots[d] += vo + vi
                mins[d] += 2.0 * (vo if vo < vi else vi)
    for d in range(n_draws):
        out[d] = mins[d] / tots[d] if tots[d] > 0.0 else NAN


def reciprocity_null(
    const double[:, ::1] lam_out, const double[:, ::1] lam_in,
    const double[::1] scale_out, const double[::1] scale_in,
    const uint64_t[::1] kr_hkey, const uint64_t[::1] partner_key,
    Py_ssize_t n_draws, int n_threads, bint conditional=False, Py_ssize_t store_max=4194304,
):
    """reciprocity_null(lam_out, lam_in, scale_out, scale_in, kr_hkey, partner_key, n_draws, n_threads, conditional=False, store_max=4194304)

    Null draws of partner reciprocity R under independent Poisson partner choice.

    For row i (a channel x region) and partner j, draw o_j ~ Poisson(lam_out[i, j]) and
    i_j ~ Poisson(lam_in[i, j]) (scaled by ``scale_out[i]``, ``scale_in[i]``; inversion of
    a precomputed CDF with 32-bit uniforms, PTRS for means of 30 or more) and return
    R = sum_j 2 min(o_j, i_j) / sum_j (o_j + i_j). The stream of (i, j) is keyed by
    ``kr_hkey[i] XOR partner_key[j]``, so draws do not depend on the region order.
    With ``conditional`` every draw's out-side (in-side) is rescaled to the expected
    total sum_j lam_out[i, j] * scale_out[i] (resp. in), so the draws condition on the
    region's volumes.

    Parameters
    ----------
    lam_out, lam_in : ndarray of shape (n, R), dtype=float64
        IN. Poisson means per partner (0 = not a partner).
    scale_out, scale_in : ndarray of shape (n,), dtype=float64
        IN. Volume of one drawn unit.
    kr_hkey : ndarray of shape (n,), dtype=uint64
        IN. Seeded keys of the rows.
    partner_key : ndarray of shape (R,), dtype=uint64
        IN. Stable hashes of the partner labels.
    n_draws, n_threads : int
    conditional : bool, default False
        Rescale each draw to the expected out- and in-totals.
    store_max : int, default 2**22
        Conditional draws are kept for the rescaling pass (not drawn again) when
        R * n_draws is at most this (2**22: 64 MiB a thread); the result is the same.

    Returns
    -------
    ndarray of shape (n, n_draws), dtype=float64
        NaN where a draw has no volume at all.
    """
    cdef Py_ssize_t n = lam_out.shape[0], R = lam_out.shape[1], i, j, d
    out_arr = np.empty((n, n_draws), dtype=np.float64)
    cdef double[:, ::1] out = out_arr
    cdef double* mins
    cdef double* store
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]
    if n == 0 or n_draws == 0 or R == 0:
        out_arr[:] = np.nan
        return out_arr
    cdef const double* lo = &lam_out[0, 0]
    cdef const double* li = &lam_in[0, 0]
    cdef const double* so_ = &scale_out[0]
    cdef const double* si_ = &scale_in[0]
    cdef const uint64_t* kh = &kr_hkey[0]
    cdef const uint64_t* pk = &partner_key[0]
    cdef double* outp = &out[0, 0]
    with nogil, parallel(num_threads=n_threads):
        mins = <double*> malloc((4 * n_draws + 2 * CDF_MAX + 1) * sizeof(double))
        if mins == NULL:
            failed_ptr[0] = 1
        # conditional draws are kept for the rescaling pass when they are few enough
        store = NULL
        if conditional and R * n_draws <= store_max:
            store = <double*> malloc(2 * R * n_draws * sizeof(double))
        for i in prange(n, schedule="dynamic", chunksize=1):
            if mins != NULL:
                _recip_row(i, R, n_draws, lo, li, so_, si_, kh, pk, conditional, mins,
                           mins + n_draws, mins + 2 * n_draws, mins + 3 * n_draws,
                           mins + 4 * n_draws, mins + 4 * n_draws + CDF_MAX,
                           outp + i * n_draws, store)
        free(mins)
        free(store)
    if failed[0]:
        raise MemoryError("reciprocity_null: could not allocate per-thread scratch")
    return out_arr


# --------------------------------------------------------------------------------------
# Brokerage null: degree-preserving rewiring + Gould-Fernandez role counts.
# --------------------------------------------------------------------------------------

cdef void _role_counts(
    const uint8_t* adj, Py_ssize_t R, const Py_ssize_t* group,
    int64_t* in_ptr, int64_t* in_idx, int64_t* out_ptr, int64_t* out_idx,
    double* counts,
) noexcept nogil:
    """Gould-Fernandez role counts (sna semantics) of every node; counts is R x 5.

    Columns w_I, w_O, b_IO (representative), b_OI (gatekeeper), b_O (liaison). A node b
    scores for each ordered pair (i, k) of distinct nodes with i -> b -> k and no i -> k.
    """
    cdef Py_ssize_t a, b, i, k, p, q, gi, gb, gk
    cdef int64_t n_in = 0, n_out = 0
    for b in range(R):
        in_ptr[b] = n_in
        out_ptr[b] = n_out
        for a in range(R):
            if adj[a * R + b]:
                in_idx[n_in] = a
                n_in += 1
            if adj[b * R + a]:
                out_idx[n_out] = a
                n_out += 1
    in_ptr[R] = n_in
    out_ptr[R] = n_out
    for p in range(5 * R):
        counts[p] = 0.0
    for b in range(R):
        gb = group[b]
        for p in range(in_ptr[b], in_ptr[b + 1]):
            i = in_idx[p]
            gi = group[i]
            for q in range(out_ptr[b], out_ptr[b + 1]):
                k = out_idx[q]
                if k == i or adj[i * R + k]:
                    continue
                gk = group[k]
                if gb == gi:
                    counts[b * 5 + (0 if gk == gb else 2)] += 1.0
                elif gb == gk:
                    counts[b * 5 + 3] += 1.0
                elif gi == gk:
                    counts[b * 5 + 1] += 1.0
                else:
                    counts[b * 5 + 4] += 1.0


cdef inline Py_ssize_t _bounded(uint64_t x, Py_ssize_t m) noexcept nogil:
    return <Py_ssize_t> (((x >> 32) * <uint64_t> m) >> 32)


cdef void _rewire_draw(
    Py_ssize_t d, Py_ssize_t R, Py_ssize_t m, Py_ssize_t n_swaps, uint64_t sk,
    const uint8_t* adj0, const int64_t* src0, const int64_t* dst0, const Py_ssize_t* group,
    uint8_t* A, int64_t* src, int64_t* dst, int64_t* ibuf, double* counts,
) noexcept nogil:
    """Draw d: copy, rewire (d > 0), count roles into counts (R x 5)."""
    cdef Py_ssize_t i, it, e1, e2, a, b, c, dd
    cdef uint64_t st, x
    memcpy(A, adj0, R * R * sizeof(uint8_t))
    for i in range(m):
        src[i] = src0[i]
        dst[i] = dst0[i]
    if d > 0 and m > 1:
        st = eco_mix64(sk + <uint64_t> d * <uint64_t> 0x9E3779B97F4A7C15)
        for it in range(n_swaps):
            x = eco_next(&st)
            e1 = _bounded(x, m)
            e2 = _bounded(x << 32, m)
            if e1 == e2:
                continue
            a = src[e1]
            b = dst[e1]
            c = src[e2]
            dd = dst[e2]
            if a == dd or c == b or a == c or b == dd:
                continue
            if A[a * R + dd] or A[c * R + b]:
                continue
            A[a * R + b] = 0
            A[c * R + dd] = 0
            A[a * R + dd] = 1
            A[c * R + b] = 1
            dst[e1] = dd
            dst[e2] = b
    # layout of ibuf: in_ptr (R+1), out_ptr (R+1), in_idx (m), out_idx (m)
    _role_counts(A, R, group, ibuf, ibuf + 2 * (R + 1), ibuf + (R + 1),
                 ibuf + 2 * (R + 1) + m, counts)


def brokerage_rewire_counts(
    const uint8_t[:, ::1] adj, const Py_ssize_t[::1] group, Py_ssize_t n_draws,
    uint64_t seed, Py_ssize_t swaps_per_edge, int n_threads,
):
    """brokerage_rewire_counts(adj, group, n_draws, seed, swaps_per_edge, n_threads)

    Role counts of a directed graph and of degree-preserving rewirings of it.

    Draw d (1..n_draws) copies the graph and performs ``swaps_per_edge * m``
    Maslov-Sneppen attempts: two arcs a->b, c->d become a->d, c->b unless that creates
    a loop or a duplicate arc; in- and out-degrees are preserved. Each draw has its own
    counter-based stream (seed, d), so draws do not depend on threads.

    Parameters
    ----------
    adj : ndarray of shape (R, R), dtype=uint8
        IN. 0/1 adjacency, zero diagonal.
    group : ndarray of shape (R,), dtype=intp
        IN. Group (country) of each node.
    n_draws, swaps_per_edge, n_threads : int
    seed : int

    Returns
    -------
    ndarray of shape (n_draws + 1, R, 5), dtype=float64
        Row 0 is the observed graph; columns w_I, w_O, b_IO, b_OI, b_O.
    """
    cdef Py_ssize_t R = adj.shape[0], d, n_swaps
    edges = np.argwhere(np.asarray(adj) != 0)
    cdef Py_ssize_t m = edges.shape[0]
    src0_arr = np.ascontiguousarray(edges[:, 0], dtype=np.int64)
    dst0_arr = np.ascontiguousarray(edges[:, 1], dtype=np.int64)
    cdef int64_t[::1] src0 = src0_arr
    cdef int64_t[::1] dst0 = dst0_arr
    out_arr = np.zeros((n_draws + 1, R, 5), dtype=np.float64)
    if R == 0:
        return out_arr
    cdef double[:, :, ::1] out = out_arr
    cdef uint8_t* A
    cdef int64_t* src
    cdef int64_t* ibuf
    cdef uint64_t sk = eco_seed_key(seed)
    cdef int[1] failed
    cdef bint ok
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]
    cdef const uint8_t* adj0 = &adj[0, 0]
    cdef const Py_ssize_t* grp = &group[0]
    cdef const int64_t* s0 = &src0[0] if m > 0 else NULL
    cdef const int64_t* d0 = &dst0[0] if m > 0 else NULL
    cdef double* outp = &out[0, 0, 0]
    n_swaps = swaps_per_edge * m
    with nogil, parallel(num_threads=n_threads):
        A = <uint8_t*> malloc((R * R + 1) * sizeof(uint8_t))
        src = <int64_t*> malloc((2 * m + 1) * sizeof(int64_t))
        ibuf = <int64_t*> malloc((2 * (R + 1) + 2 * m + 1) * sizeof(int64_t))
        ok = A != NULL and src != NULL and ibuf != NULL
        if not ok:
            failed_ptr[0] = 1
        # every thread reaches the worksharing loop, even without its scratch
        for d in prange(n_draws + 1, schedule="dynamic", chunksize=1):
            if ok:
                _rewire_draw(d, R, m, n_swaps, sk, adj0, s0, d0, grp, A, src, src + m, ibuf,
                             outp + d * R * 5)
        free(A)
        free(src)
        free(ibuf)
    if failed[0]:
        raise MemoryError("brokerage_rewire_counts: could not allocate per-thread scratch")
    return out_arr
