# Graph construction (included at the end of _core.pyx: uses its imports and ``idx_t``).
#
# csr_from_arcs: an arc list -> CSR with rows sorted by target and parallel arcs merged,
# by counting sorts only (no comparison sort), in two levels so that no pass scatters at
# random over the whole output:
#
# 1. count the arcs of every *block* of 2^B consecutive rows (B chosen so that there are
#    at most 128 blocks of at least 8192 arcs on average: fewer blocks make the scatter
#    faster, smaller ones the sort; 128 was the best on 0.1M-4M nodes), per chunk of input;
# 2. scatter every arc into its block, chunks in parallel, each chunk at its own
#    cursors: a stable partition (input order kept within a block), written straight into
#    the output arrays (target, weight) plus the row within the block (uint16);
# 3. sort every block (parallel over blocks, one owner each) on the key
#    ``row << tbits | target`` (32 bits where it fits, else 64): least significant digit
#    radix passes (11 bits at most a digit) carry the key and the arc's position in the
#    block; a last sequential pass writes the targets back, with the weights read at their
#    positions, merging equal keys, which arrive one after the other in input order (a
#    block whose targets already come in order, as in a transpose, is sorted on its rows
#    alone, in one counting pass);
# 4. if arcs merged, blocks move left over the gaps (serial, increasing order), and
#    ``indptr`` is laid out from the blocks' lengths (parallel over blocks).
#
# Every floating-point sum runs over a cell's duplicates in input order, and the result
# never depends on the chunking or on the thread count (every step is a stable counting
# sort or owned by one thread). Peak memory: the output arrays (m targets, m weights) and
# m uint16 row numbers, plus per thread 32 bytes for every arc of the largest block.

from libc.float cimport DBL_MAX
from libc.stdint cimport INT64_MAX, INT64_MIN, uint16_t, uint32_t, uint64_t

cdef enum:
    _CSR_DIGIT = 11        # at most 2^11 buckets in a radix pass over the sort keys
    _CSR_BLOCKS = 128       # blocks at most (unless a block would pass 2^16 rows)
    _CSR_BLOCK_ARCS = 8192  # arcs a block at least, on average
    _CSR_BLOCK_MAX_BITS = 16  # rows per block at most 2^16 (row numbers are uint16)


cdef inline int _bit_length(Py_ssize_t v) noexcept nogil:
    cdef int b = 0
    while v > 0:
        b += 1
        v >>= 1
    return b


def csr_block_bits(Py_ssize_t n, Py_ssize_t m):
    """csr_block_bits(n, m)

    log2 of the rows of a block of :func:`csr_from_arcs` for n rows and m arcs: at most
    _CSR_BLOCKS blocks (the partition scatter writes to every block at once, so few
    streams keep it fast), at least about _CSR_BLOCK_ARCS arcs a block, and at most 2^16
    rows a block.
    """
    cdef int by_count, by_arcs
    if m <= 0 or n <= 0:
        return 0
    by_count = _bit_length((n - 1) // _CSR_BLOCKS)
    by_arcs = _bit_length((<Py_ssize_t> _CSR_BLOCK_ARCS * n) // m) - 1
    return min(max(by_count, by_arcs, 0), <int> _CSR_BLOCK_MAX_BITS)


ctypedef fused id_t:
    int32_t
    int64_t


def csr_from_arcs(
    const id_t[::1] src, const id_t[::1] dst, const double[::1] w, idx_t[::1] indptr,
    int combine, Py_ssize_t n_chunks, int n_threads, bint symmetric=False,
    Py_ssize_t n_cols=-1, int block_bits=-1, const int64_t[::1] row_ptr=None,
):
    """csr_from_arcs(src, dst, w, indptr, combine, n_chunks, n_threads, symmetric=False, n_cols=-1, block_bits=-1, row_ptr=None)

    CSR of an arc list by counting sorts: rows sorted by target, parallel arcs merged.

    Parameters
    ----------
    src, dst : ndarray of shape (m,), dtype=int32 or int64
        IN. Arc end points: sources in [0, n), targets in [0, n_cols); read as they are,
        no copy in another dtype. An id out of range raises ValueError (nothing is
        written out of bounds).
    w : ndarray of shape (m,) or (0,), dtype=float64
        IN. Arc weights, finite and non-negative (else ValueError: the check costs
        nothing in the scatter); empty for an unweighted graph.
    indptr : ndarray of shape (n + 1,), dtype=int32 or int64
        OUT. Row pointer; its dtype is the index dtype of the result (it must hold the
        number of stored arcs and every node id).
    combine : int
        0: parallel arcs add their weights, in input order; 1: they keep the smallest.
    n_chunks : int
        The arcs are cut into this many contiguous chunks, counted and scattered in
        parallel (a chunk's arcs of a block go after those of earlier chunks, so every
        block keeps input order). The result does not depend on it.
    n_threads : int
        OpenMP threads; the result does not depend on it.
    symmetric : bool, default False
        Also store every non-loop arc reversed (an undirected edge list); the reversed
        copy follows its arc in input order.
    n_cols : int, default -1
        Targets are in [0, n_cols); -1: n.
    block_bits : int, default -1
        log2 of the rows of a block; -1: :func:`csr_block_bits` (tests force others).
    row_ptr : ndarray of shape (n_cols + 1,), dtype=int64, optional
        The transpose of a CSR: arc k's target is the row of k in this row pointer
        (``dst`` is then ignored, pass it empty), so the CSR's source array is never
        built.

    Returns
    -------
    indptr : ndarray of shape (n + 1,)
        The ``indptr`` passed in.
    indices : ndarray of shape (nnz,), dtype of ``indptr``
        Sorted within each row, no duplicates.
    data : ndarray of shape (nnz,) or (0,), dtype=float64
        Merged weights (empty when ``w`` is empty).
    """
    cdef Py_ssize_t m = src.shape[0], n = indptr.shape[0] - 1
    cdef Py_ssize_t k, c, b, i, total, nb, k0, k1, run, L, maxblock = 0
    cdef bint has_w = w.shape[0] > 0
    cdef int B, tbits, flags
    cdef int[2] bad
    idx_dtype = np.int32 if idx_t is int32_t else np.int64
    if n_cols < 0:
        n_cols = n
    if symmetric and n_cols != n:
        raise ValueError("csr_from_arcs: symmetric needs n_cols == n")
    cdef const int64_t* rowp = NULL
    if row_ptr is not None:
        if symmetric or row_ptr.shape[0] != n_cols + 1 or row_ptr[n_cols] != m:
            raise ValueError("csr_from_arcs: row_ptr must be a row pointer of the arcs "
                             "(n_cols + 1 entries, ending at m), and symmetric False")
        rowp = &row_ptr[0]
    elif dst.shape[0] != m:
        raise ValueError("csr_from_arcs: src and dst must have the same length")
    if has_w and w.shape[0] != m:
        raise ValueError("csr_from_arcs: src and w must have the same length")
    indptr[0] = 0
    if n == 0 or m == 0:
        if m > 0:
            raise ValueError("csr_from_arcs: arcs given but no rows")
        np.asarray(indptr)[:] = 0
        return (np.asarray(indptr), np.empty(0, dtype=idx_dtype),
                np.empty(0, dtype=np.float64))
    B = block_bits if block_bits >= 0 else csr_block_bits(n, 2 * m if symmetric else m)
    if B > _CSR_BLOCK_MAX_BITS:
        raise ValueError("csr_from_arcs: block_bits must be at most 16")
    nb = ((n - 1) >> B) + 1
    if n_chunks < 1:
        n_chunks = 1
    if n_chunks > m:
        n_chunks = m
    tbits = _bit_length(n_cols - 1)  # a sort key is row_in_block << tbits | target
    if tbits + B > 64:
        raise ValueError("csr_from_arcs: a sort key (row in block, target) needs more "
                         "than 64 bits: use fewer columns or smaller blocks")

    # 1. arcs per (chunk, block); ids checked on the way
    cnt_arr = np.zeros((n_chunks, nb), dtype=np.int64)
    cdef int64_t[:, ::1] cnt = cnt_arr
    bad[0] = 0
    bad[1] = 0
    cdef int* bad_ptr = &bad[0]
    for c in prange(n_chunks, nogil=True, num_threads=n_threads, schedule="static"):
        if _csr_count_blocks(&src[0], &dst[0] if rowp == NULL else NULL, (m * c) // n_chunks, (m * (c + 1)) // n_chunks,
                             n, n_cols, B, symmetric, &cnt[c, 0]):
            bad_ptr[0] = 1
    if bad[0]:
        raise ValueError(f"csr_from_arcs: a source outside [0, {n}) (or, symmetric, a "
                         f"target outside it)")
    # block layout; cnt[c, b] becomes chunk c's first slot in block b
    bstart_arr = np.zeros(nb + 1, dtype=np.int64)
    cdef int64_t[::1] bstart = bstart_arr
    with nogil:
        run = 0
        for b in range(nb):
            bstart[b] = run
            for c in range(n_chunks):
                L = cnt[c, b]
                cnt[c, b] = run
                run = run + L
            if run - bstart[b] > maxblock:
                maxblock = run - bstart[b]
        bstart[nb] = run
    total = run
    if maxblock > <Py_ssize_t> 0xFFFFFFFF:
        raise ValueError("csr_from_arcs: more than 2^32 arcs in a block")
    if total > np.iinfo(idx_dtype).max:
        raise ValueError("csr_from_arcs: the arcs do not fit the index dtype")
    indices_arr = np.empty(total, dtype=idx_dtype)
    data_arr = np.empty(total if has_w else 0, dtype=np.float64)
    row_arr = np.empty(total, dtype=np.uint16)
    cdef idx_t[::1] indices = indices_arr
    cdef double[::1] data = data_arr
    cdef uint16_t[::1] rows = row_arr
    cdef idx_t* ip = &indices[0]
    cdef double* dp = &data[0] if has_w else NULL
    cdef uint16_t* rp = &rows[0]
    # 2. stable partition into blocks, chunks in parallel
    for c in prange(n_chunks, nogil=True, num_threads=n_threads, schedule="static"):
        flags = _csr_scatter_blocks(&src[0], &dst[0] if rowp == NULL else NULL,
                                    &w[0] if has_w else NULL,
                                    (m * c) // n_chunks, (m * (c + 1)) // n_chunks, n_cols,
                                    B, symmetric, &cnt[c, 0], ip, dp, rp, rowp)
        if flags & 1:
            bad_ptr[0] = 1
        if flags & 2:
            bad_ptr[1] = 1
    del cnt
    cnt_arr = None
    if bad[0]:
        raise ValueError(f"csr_from_arcs: a target outside [0, {n_cols})")
    if bad[1]:
        raise ValueError("csr_from_arcs: a weight is negative, NaN or infinite")
    # 3. sort every block in cache; indptr[r + 1] receives the merged length of row r
    blen_arr = np.empty(nb + 1, dtype=np.int64)
    cdef int64_t[::1] blen = blen_arr
    cdef Py_ssize_t scratch_bytes = maxblock * (2 * sizeof(uint64_t) + 2 * sizeof(uint32_t) +
                                                sizeof(double)) + 16
    cdef Py_ssize_t count_bytes = max(((64 + _CSR_DIGIT - 1) // _CSR_DIGIT) * (
        (<Py_ssize_t> 1) << _CSR_DIGIT), (<Py_ssize_t> 1) << B) * sizeof(Py_ssize_t)
    cdef char* scratch
    cdef Py_ssize_t* counts
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]  # written through a pointer: shared by all threads
    with nogil, parallel(num_threads=n_threads):
        scratch = <char*> malloc(scratch_bytes)
        counts = <Py_ssize_t*> malloc(count_bytes)
        if scratch == NULL or counts == NULL:
            failed_ptr[0] = 1
        # every thread reaches the worksharing loop, even without its scratch
        for b in prange(nb, schedule="dynamic", chunksize=1):
            if scratch != NULL and counts != NULL:
                blen[b] = _csr_sort_block(
                    ip + bstart[b], dp + bstart[b] if has_w else NULL, rp + bstart[b],
                    bstart[b + 1] - bstart[b], b << B,
                    min((b + 1) << B, n) - (b << B), &indptr[0], combine,
                    tbits, scratch, maxblock, counts)
        free(scratch)
        free(counts)
    del rows
    row_arr = None
    if failed[0]:
        raise MemoryError("csr_from_arcs: could not allocate per-thread scratch")
    # 4. blocks move left over the gaps of merged arcs; indptr from the row lengths
    cdef Py_ssize_t o = 0
    with nogil:
        for b in range(nb):
            L = blen[b]
            if o != bstart[b]:
                memmove(ip + o, ip + bstart[b], L * sizeof(idx_t))
                if has_w:
                    memmove(dp + o, dp + bstart[b], L * sizeof(double))
            blen[b] = o  # now the block's first slot
            o += L
    cdef Py_ssize_t new_total = o
    for b in prange(nb, nogil=True, num_threads=n_threads, schedule="static"):
        _csr_row_pointers(&indptr[0], b << B, min((b + 1) << B, n), blen[b])
    indptr[0] = 0
    if new_total == total:
        return np.asarray(indptr), indices_arr, data_arr
    if new_total >= total - total // 8:
        # few merged: keep the buffers (a copy would double the peak memory)
        return np.asarray(indptr), indices_arr[:new_total], data_arr[:new_total]
    return (np.asarray(indptr), indices_arr[:new_total].copy(),
            data_arr[:new_total].copy() if has_w else data_arr)


cdef bint _csr_count_blocks(const id_t* src, const id_t* dst, Py_ssize_t k0, Py_ssize_t k1,
                            Py_ssize_t n, Py_ssize_t n_cols, int B, bint symmetric,
                            int64_t* cnt) noexcept nogil:
    """cnt[block] += arcs k0..k1-1 (and their reversed copies); True on an id out of range."""
    cdef Py_ssize_t k
    cdef int64_t s, t
    cdef bint bad = False
    if not symmetric:
        for k in range(k0, k1):
            s = src[k]
            if s < 0 or s >= n:
                bad = True
                s = 0
            cnt[s >> B] += 1
        return bad
    for k in range(k0, k1):
        s = src[k]
        t = dst[k]
        if s < 0 or s >= n or t < 0 or t >= n:
            bad = True
            continue
        cnt[s >> B] += 1
        if s != t:
            cnt[t >> B] += 1
    return bad


cdef inline int _csr_put(int64_t s, int64_t t, const double* w, Py_ssize_t k, int B,
                         int64_t mask, bint symmetric, int64_t* cursor, idx_t* ip,
                         double* dp, uint16_t* rp) noexcept nogil:
    """Append arc k (s -> t, and t -> s if symmetric) to its block; 2 if w[k] is bad."""
    cdef Py_ssize_t p = cursor[s >> B]
    cdef int bad = 0
    cdef double x = 0.0
    cursor[s >> B] = p + 1
    ip[p] = <idx_t> t
    rp[p] = <uint16_t> (s & mask)
    if w != NULL:
        x = w[k]
        if not (x >= 0.0 and x <= DBL_MAX):
            bad = 2
        dp[p] = x
    if symmetric and s != t:
        p = cursor[t >> B]
        cursor[t >> B] = p + 1
        ip[p] = <idx_t> s
        rp[p] = <uint16_t> (t & mask)
        if w != NULL:
            dp[p] = x
    return bad


cdef int _csr_scatter_blocks(const id_t* src, const id_t* dst, const double* w,
                             Py_ssize_t k0, Py_ssize_t k1, Py_ssize_t n_cols, int B,
                             bint symmetric, int64_t* cursor, idx_t* ip, double* dp,
                             uint16_t* rp, const int64_t* row_ptr) noexcept nogil:
    """Append arcs k0..k1-1 to their blocks at ``cursor`` (advanced).

    Targets come from ``dst``, or (``row_ptr`` not NULL) are the rows of the arcs.
    Returns 0, or 1 if a target is outside [0, n_cols) (stored as 0), plus 2 if a weight
    is negative, NaN or infinite.
    """
    cdef Py_ssize_t k, lo, hi, mid
    cdef int64_t t
    cdef int64_t mask = ((<int64_t> 1) << B) - 1
    cdef int bad = 0
    if row_ptr != NULL:
        if k0 >= k1:
            return 0
        lo = 0  # the row of arc k0: the last r with row_ptr[r] <= k0
        hi = n_cols
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if row_ptr[mid] <= k0:
                lo = mid
            else:
                hi = mid
        t = lo
        for k in range(k0, k1):
            while row_ptr[t + 1] <= k:
                t += 1
            bad = bad | _csr_put(src[k], t, w, k, B, mask, False, cursor, ip, dp, rp)
        return bad
    for k in range(k0, k1):
        t = dst[k]
        if t < 0 or t >= n_cols:
            bad = bad | 1
            t = 0
        bad = bad | _csr_put(src[k], t, w, k, B, mask, symmetric, cursor, ip, dp, rp)
    return bad


ctypedef fused key_t:
    uint32_t
    uint64_t


cdef Py_ssize_t _csr_sort_block(idx_t* ip, double* dp, uint16_t* rp, Py_ssize_t E,
                                Py_ssize_t r0, Py_ssize_t R, idx_t* indptr, int combine,
                                int tbits, char* scratch, Py_ssize_t cap,
                                Py_ssize_t* counts) noexcept nogil:
    """Sort one block's E arcs by (row, target), stably, merging equal cells in place.

    Writes the merged length of row r0 + j into ``indptr[r0 + j + 1]``; returns the
    block's merged length. Keys ``row << tbits | target`` are 32-bit where they fit.
    """
    cdef Py_ssize_t j
    if E == 0:
        for j in range(R):
            indptr[r0 + j + 1] = 0
        return 0
    if _bit_length(R - 1) + tbits <= 32:
        return _csr_sort_keys(<uint32_t*> scratch, ip, dp, rp, E, r0, R, indptr, combine,
                              tbits, cap, counts)
    return _csr_sort_keys(<uint64_t*> scratch, ip, dp, rp, E, r0, R, indptr, combine,
                          tbits, cap, counts)


cdef Py_ssize_t _csr_sort_keys(key_t* ka, idx_t* ip, double* dp, uint16_t* rp, Py_ssize_t E,
                               Py_ssize_t r0, Py_ssize_t R, idx_t* indptr, int combine,
                               int tbits, Py_ssize_t cap, Py_ssize_t* counts) noexcept nogil:
    """:func:`_csr_sort_block` on keys of type key_t (scratch: two key buffers, two
    position buffers and the block's weights, ``cap`` entries each).

    The keys are sorted with, weighted, the arcs' positions in the block: by LSD radix
    passes (:func:`_csr_radix_keys`), or when the targets already come in order by one
    counting pass on the rows; a last sequential pass writes the targets and the weights
    (read at their positions) back into the block, merging equal keys, which arrive one
    after the other in input order.
    """
    cdef key_t* kb = ka + cap
    cdef uint32_t* pa = <uint32_t*> (kb + cap)
    cdef uint32_t* pb = pa + cap
    cdef double* wsave = <double*> (((<size_t> (pb + cap)) + 7) & ~(<size_t> 7))
    cdef bint has_w = dp != NULL, by_row = False
    cdef Py_ssize_t j, p, q, o, L
    cdef key_t key
    cdef key_t tmask = ((<key_t> 1) << tbits) - 1
    cdef key_t* ck = ka
    cdef uint32_t* cp = pa
    # targets already in order (a transpose: arcs come by source)? sort by row only
    for j in range(1, E):
        if ip[j] < ip[j - 1]:
            break
    else:
        by_row = True
    if by_row:
        # the rows alone: one stable counting pass by row, building the keys on the way
        memset(counts, 0, R * sizeof(Py_ssize_t))
        for j in range(E):
            counts[rp[j]] += 1
        p = 0
        for q in range(R):
            L = counts[q]
            counts[q] = p
            p += L
        for j in range(E):
            q = rp[j]
            p = counts[q]
            counts[q] = p + 1
            kb[p] = ((<key_t> q) << tbits) | (<key_t> ip[j])
            if has_w:
                pb[p] = <uint32_t> j
        ck = kb
        cp = pb
    else:
        _csr_radix_keys(ka, kb, pa, pb, ip, rp, E, tbits, _bit_length(R - 1) + tbits, has_w,
                        counts, &ck, &cp)
    if has_w:
        memcpy(wsave, dp, E * sizeof(double))
    # write back in order, merging equal keys; row lengths into indptr
    for j in range(R):
        indptr[r0 + j + 1] = 0
    o = 0
    for j in range(E):
        key = ck[j]
        if j > 0 and key == ck[j - 1]:
            if has_w:
                if combine == 1:
                    if wsave[cp[j]] < dp[o - 1]:
                        dp[o - 1] = wsave[cp[j]]
                else:
                    dp[o - 1] = dp[o - 1] + wsave[cp[j]]
            continue
        ip[o] = <idx_t> (key & tmask)
        if has_w:
            dp[o] = wsave[cp[j]]
        indptr[r0 + 1 + <Py_ssize_t> (key >> tbits)] += 1
        o += 1
    return o


cdef void _csr_radix_keys(key_t* ka, key_t* kb, uint32_t* pa, uint32_t* pb, const idx_t* ip,
                          const uint16_t* rp, Py_ssize_t E, int tbits, int kbits, bint has_w,
                          Py_ssize_t* counts, key_t** out_k, uint32_t** out_p) noexcept nogil:
    """Keys ``row << tbits | target`` of a block sorted by LSD radix passes (11 bits at most
    a digit), with the positions when weighted; the sorted buffers go to out_k, out_p."""
    cdef int d, shift
    cdef int n_digits = (kbits + _CSR_DIGIT - 1) // _CSR_DIGIT
    cdef int digit = (kbits + n_digits - 1) // n_digits if n_digits > 0 else 0
    cdef Py_ssize_t j, p, q, L, nbuck = (<Py_ssize_t> 1) << digit
    cdef key_t key, dmask = ((<key_t> 1) << digit) - 1
    cdef key_t* ck = ka
    cdef key_t* nk = kb
    cdef key_t* sk
    cdef uint32_t* cp = pa
    cdef uint32_t* np_ = pb
    cdef uint32_t* sp
    cdef Py_ssize_t* hist
    # keys, positions and the histograms of every digit, in one pass
    memset(counts, 0, n_digits * nbuck * sizeof(Py_ssize_t))
    for j in range(E):
        key = ((<key_t> rp[j]) << tbits) | (<key_t> ip[j])
        ka[j] = key
        if has_w:
            pa[j] = <uint32_t> j
        for d in range(n_digits):
            counts[d * nbuck + <Py_ssize_t> ((key >> (d * digit)) & dmask)] += 1
    # the passes (a digit constant over the block is skipped)
    for d in range(n_digits):
        hist = counts + d * nbuck
        shift = d * digit
        p = 0
        for q in range(nbuck):
            L = hist[q]
            if L == E:
                p = -1
                break
            hist[q] = p
            p += L
        if p < 0:
            continue
        for j in range(E):
            key = ck[j]
            q = <Py_ssize_t> ((key >> shift) & dmask)
            p = hist[q]
            hist[q] = p + 1
            nk[p] = key
            if has_w:
                np_[p] = cp[j]
        sk = ck; ck = nk; nk = sk
        sp = cp; cp = np_; np_ = sp
    out_k[0] = ck
    out_p[0] = cp


cdef void _csr_row_pointers(idx_t* indptr, Py_ssize_t r0, Py_ssize_t r1,
                            Py_ssize_t start) noexcept nogil:
    """indptr[r + 1] = start + lengths of rows r0..r (indptr[r + 1] holds row r's length)."""
    cdef Py_ssize_t r
    for r in range(r0, r1):
        start += indptr[r + 1]
        indptr[r + 1] = <idx_t> start


cdef void _id_range(const id_t* a, Py_ssize_t k0, Py_ssize_t k1,
                    int64_t* lohi) noexcept nogil:
    """lohi = (min, max) of lohi and a[k0:k1]."""
    cdef Py_ssize_t k
    cdef int64_t lo = lohi[0], hi = lohi[1], v
    for k in range(k0, k1):
        v = a[k]
        lo = v if v < lo else lo
        hi = v if v > hi else hi
    lohi[0] = lo
    lohi[1] = hi


def id_range(const id_t[::1] a, const id_t[::1] b, int n_threads):
    """id_range(a, b, n_threads)

    Smallest and largest id in two id arrays, in one pass: ``(min, max)`` as Python
    ints, ``(0, -1)`` when both are empty.
    """
    cdef Py_ssize_t na = a.shape[0], nb_ = b.shape[0], total = na + nb_, c, k0, k1, n_chunks
    n_chunks = max(1, min(64, total // 65536))
    part_arr = np.empty((n_chunks, 2), dtype=np.int64)
    cdef int64_t[:, ::1] part = part_arr
    if total == 0:
        return 0, -1
    for c in prange(n_chunks, nogil=True, num_threads=n_threads, schedule="static"):
        part[c, 0] = INT64_MAX
        part[c, 1] = INT64_MIN
        k0 = (total * c) // n_chunks
        k1 = (total * (c + 1)) // n_chunks
        if k0 < na:  # the chunk's part of a
            _id_range(&a[0], k0, min(k1, na), &part[c, 0])
        if k1 > na:  # and of b
            _id_range(&b[0], max(k0, na) - na, k1 - na, &part[c, 0])
    return int(part_arr[:, 0].min()), int(part_arr[:, 1].max())
