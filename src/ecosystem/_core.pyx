# cython: language_level=3
"""Compiled kernels of ecosystem (private).

Every kernel takes validated, C-contiguous arrays and returns arrays. There is no
validation, no Python object and no exception inside ``nogil`` code: the Python layer
(``ecosystem._validation`` and the public modules) checks inputs once and wraps results.

Parallel patterns (see docs/development): *owner computes* (each parallel iteration
writes only its own output slot) or *fixed-chunk partials reduced in chunk order*. The
chunking never depends on the thread count, so every result, integer or float, is
bit-identical for any number of threads.

Kernels that live in their own include files (``_kernels_*.pxi``) follow the same rules.
"""

from cython.parallel cimport parallel, prange
from libc.stdint cimport int32_t, int64_t, uint8_t
from libc.stdlib cimport free, malloc, calloc
from libc.string cimport memcpy, memmove, memset

import numpy as np

cdef extern from "_eco_core.h":
    int ECO_OPENMP
    int omp_get_max_threads() noexcept nogil
    void ECO_PREFETCH(const void* p) noexcept nogil
    int eco_cmp_rel(double a, double b, double rtol) noexcept nogil

ctypedef fused idx_t:
    int32_t
    int64_t

# codes of a labelled field (Contributions stores int32, or int64 for huge vocabularies;
# Py_ssize_t for callers that pass intp arrays)
ctypedef fused code_t:
    int32_t
    int64_t
    Py_ssize_t


def openmp_enabled():
    """openmp_enabled()

    Return True if the extension was compiled with OpenMP.
    """
    return bool(ECO_OPENMP)


def max_threads():
    """max_threads()

    Return OpenMP's ``omp_get_max_threads()`` (1 when built without OpenMP).
    """
    return int(omp_get_max_threads())


# --------------------------------------------------------------------------------------
# Sorting helper: in-place sort of a small index array (quicksort + insertion sort).
# --------------------------------------------------------------------------------------

cdef inline void _insertion_sort(idx_t* a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef idx_t v
    for i in range(1, n):
        v = a[i]
        j = i - 1
        while j >= 0 and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


cdef void _sort_indices(idx_t* a, Py_ssize_t n) noexcept nogil:
    """Sort a[0:n] ascending; recursion only on the smaller side (O(log n) depth)."""
    cdef Py_ssize_t i, j, mid
    cdef idx_t pivot, tmp
    while n > 16:
        mid = n // 2
        # median of three moved to a[mid]
        if a[mid] < a[0]:
            tmp = a[mid]; a[mid] = a[0]; a[0] = tmp
        if a[n - 1] < a[0]:
            tmp = a[n - 1]; a[n - 1] = a[0]; a[0] = tmp
        if a[n - 1] < a[mid]:
            tmp = a[n - 1]; a[n - 1] = a[mid]; a[mid] = tmp
        pivot = a[mid]
        i = 0
        j = n - 1
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                tmp = a[i]; a[i] = a[j]; a[j] = tmp
                i += 1
                j -= 1
        # now a[0..j] <= pivot <= a[i..n-1]
        if j + 1 < n - i:
            _sort_indices(a, j + 1)
            a = a + i
            n = n - i
        else:
            _sort_indices(a + i, n - i)
            n = j + 1
    _insertion_sort(a, n)


# --------------------------------------------------------------------------------------
# Bipartite projection: record x actor incidence -> actor x actor weights.
# --------------------------------------------------------------------------------------

cdef inline int64_t _first_greater(const idx_t* a, int64_t lo, int64_t hi, idx_t v) noexcept nogil:
    """Position of the first entry > v in the sorted slice a[lo:hi]."""
    cdef int64_t mid
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if a[mid] <= v:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef Py_ssize_t _projection_upper_row(
    Py_ssize_t i,
    const int64_t* rec_ptr, const idx_t* rec_actor,
    const int64_t* act_ptr, const idx_t* act_rec,
    const double* pair_weight, double* acc,
    idx_t* out_indices, double* out_data,
) noexcept nogil:
    """Write the upper part (co-actors j > i) of row i, sorted; return its length.

    ``acc`` is all zeros on entry and on exit; since every pair weight is positive, a
    zero entry also marks a co-actor not yet seen in this row.
    """
    cdef Py_ssize_t count = 0, k
    cdef int64_t q, t
    cdef idx_t p, j
    cdef double w
    cdef bint ordered = True  # co-actors met in increasing order (always for one record)
    for q in range(act_ptr[i], act_ptr[i + 1]):
        p = act_rec[q]
        w = pair_weight[p]
        if w <= 0.0:
            continue
        for t in range(_first_greater(rec_actor, rec_ptr[p], rec_ptr[p + 1], <idx_t> i),
                       rec_ptr[p + 1]):
            j = rec_actor[t]
            if acc[j] == 0.0:
                if count > 0 and j < out_indices[count - 1]:
                    ordered = False
                out_indices[count] = j
                count += 1
            acc[j] += w
    if not ordered:
        _sort_indices(out_indices, count)
    for k in range(count):
        j = out_indices[k]
        out_data[k] = acc[j]
        acc[j] = 0.0
    return count


def bipartite_projection(
    const int64_t[::1] rec_ptr, const idx_t[::1] rec_actor,
    const int64_t[::1] act_ptr, const idx_t[::1] act_rec,
    const double[::1] pair_weight, const int64_t[::1] upper_cap,
    Py_ssize_t n_actors, int n_threads,
):
    """bipartite_projection(rec_ptr, rec_actor, act_ptr, act_rec, pair_weight, upper_cap, n_actors, n_threads)

    Project a record x actor incidence onto actors: a symmetric CSR without diagonal.

    Pass 1 (parallel over actors, owner computes) writes the upper triangle of each row
    i (co-actors j > i, a row-wise Gustavson product) into a slot of
    ``upper_cap[i + 1] - upper_cap[i]`` entries of the output arrays. Pass 2 moves every
    upper part to its place in the result and mirrors it: row i of the result is the
    transposed lower part (j < i, produced in increasing order by a serial counting-sort
    scatter) followed by the upper part, so every row is sorted. Half of the pairs are
    visited, no symbolic pass is needed, and the result is built in place (the output
    arrays are the only large allocation: 12 bytes a stored pair with int32 ids).

    Parameters
    ----------
    rec_ptr : ndarray of shape (n_records + 1,), dtype=int64
        IN. CSR row pointer of the record -> actor incidence.
    rec_actor : ndarray of shape (nnz,), dtype=int32 or int64
        IN. Distinct actor ids of each record, sorted within each record.
    act_ptr : ndarray of shape (n_actors + 1,), dtype=int64
        IN. CSR row pointer of the transpose (actor -> record).
    act_rec : ndarray of shape (nnz,), same dtype as ``rec_actor``
        IN. Record ids of each actor.
    pair_weight : ndarray of shape (n_records,), dtype=float64
        IN. Weight added to every pair of distinct actors of a record; must be > 0 for
        records with two or more actors (0 skips the record).
    upper_cap : ndarray of shape (n_actors + 1,), dtype=int64
        IN. Cumulative upper bounds of the upper-row lengths: for each actor, the number
        of co-actors with a larger id summed over its records (``upper_cap[0] == 0``).
    n_actors : int
        Number of actors (rows of the result).
    n_threads : int
        OpenMP threads; the result does not depend on it.

    Returns
    -------
    indptr : ndarray of shape (n_actors + 1,), dtype=int64
    indices : ndarray of shape (nnz_out,), dtype of ``rec_actor``
        Sorted within each row; the diagonal is never stored.
    data : ndarray of shape (nnz_out,), dtype=float64
    """
    cdef Py_ssize_t i
    cdef double* acc
    cdef int64_t cap = upper_cap[n_actors]
    idx_dtype = np.int32 if idx_t is int32_t else np.int64
    # one pair of output arrays, 2 * cap long (pages are touched only where written): row
    # i's upper part is written at upper_cap[i], then moved to its place in the result
    indices_arr = np.empty(max(2 * cap, 1), dtype=idx_dtype)
    data_arr = np.empty(max(2 * cap, 1), dtype=np.float64)
    cdef idx_t[::1] indices = indices_arr
    cdef double[::1] data = data_arr
    cdef idx_t* ip = &indices[0]
    cdef double* dp = &data[0]
    upper_len_arr = np.zeros(n_actors, dtype=np.int64)
    cdef int64_t[::1] upper_len = upper_len_arr
    cdef bint ok
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]  # written through a pointer: shared by all threads

    # raw pointers for the row worker (memoryview arguments would be reference-counted)
    cdef const int64_t* rp = &rec_ptr[0]
    cdef const int64_t* ap = &act_ptr[0]
    cdef const idx_t* ra = &rec_actor[0] if rec_actor.shape[0] > 0 else NULL
    cdef const idx_t* ar = &act_rec[0] if act_rec.shape[0] > 0 else NULL
    cdef const double* pw = &pair_weight[0] if pair_weight.shape[0] > 0 else NULL

    with nogil, parallel(num_threads=n_threads):
        acc = <double*> calloc(n_actors + 1, sizeof(double))
        ok = acc != NULL
        if not ok:
            failed_ptr[0] = 1
        # every thread reaches the worksharing loop, even without its scratch
        for i in prange(n_actors, schedule="dynamic", chunksize=64):
            if ok:
                upper_len[i] = _projection_upper_row(
                    i, rp, ra, ap, ar, pw, acc, ip + upper_cap[i], dp + upper_cap[i])
        free(acc)
    if failed[0]:
        raise MemoryError("bipartite_projection: could not allocate per-thread scratch")

    # lower part of row j = upper entries (i, j); count them, then lay rows out
    lower_len_arr = np.zeros(n_actors, dtype=np.int64)
    cdef int64_t[::1] lower_len = lower_len_arr
    cdef int64_t k, src, dst
    with nogil:
        for i in range(n_actors):
            src = upper_cap[i]
            for k in range(upper_len[i]):
                lower_len[ip[src + k]] += 1
    indptr_arr = np.zeros(n_actors + 1, dtype=np.int64)
    np.cumsum(lower_len_arr + upper_len_arr, out=indptr_arr[1:])
    cdef int64_t[::1] indptr = indptr_arr
    cdef int64_t nnz = indptr[n_actors]
    cdef idx_t j
    with nogil:
        # upper parts to their places, indptr[i] + lower_len[i]: both the slots and the
        # places increase with i, and a slot ends before the next one starts, so moving
        # the parts that go left in increasing order, then those that go right in
        # decreasing order, never writes over a part not yet moved
        for i in range(n_actors):
            src = upper_cap[i]
            dst = indptr[i] + lower_len[i]
            if dst < src:
                memmove(ip + dst, ip + src, upper_len[i] * sizeof(idx_t))
                memmove(dp + dst, dp + src, upper_len[i] * sizeof(double))
        for i in range(n_actors - 1, -1, -1):
            src = upper_cap[i]
            dst = indptr[i] + lower_len[i]
            if dst > src:
                memmove(ip + dst, ip + src, upper_len[i] * sizeof(idx_t))
                memmove(dp + dst, dp + src, upper_len[i] * sizeof(double))
        # lower parts: rows in increasing order, so every lower part comes out sorted;
        # they fill the gaps before the upper parts
        for i in range(n_actors):
            src = indptr[i]  # advanced by row i's lower length: rows < i are done
            for k in range(upper_len[i]):
                j = ip[src + k]
                dst = indptr[j]
                indptr[j] += 1
                ip[dst] = <idx_t> i
                dp[dst] = dp[src + k]
        # indptr[j] was advanced by the lower length of row j: restore it
        for i in range(n_actors):
            indptr[i] -= lower_len[i]
    # give back the tail that was never needed (a shrinking realloc: no copy)
    indices = None
    data = None
    indices_arr.resize(nnz, refcheck=False)
    data_arr.resize(nnz, refcheck=False)
    return indptr_arr, indices_arr, data_arr


# --------------------------------------------------------------------------------------
# Region flows: contributions grouped by (record, channel) -> R x R volumes per channel.
# --------------------------------------------------------------------------------------

cdef void _flows_group(
    int64_t start, int64_t stop, double gw, bint fractional, Py_ssize_t R,
    const code_t* region, const uint8_t* lead, const double* cweight,
    double* xr, double* ar, double* br, uint8_t* flags, Py_ssize_t* touched,
    double* presence, double* copresence, double* internal, double* size,
) noexcept nogil:
    """Add one group (a record within one channel) to the R x R partials of its channel.

    flags bits: 1 = region present, 2 = has a lead contribution, 4 = has a partner one.
    """
    cdef Py_ssize_t n_touched = 0, s, u, r, l, j
    cdef int64_t c
    cdef double total_w = 0.0, lead_w = 0.0, partner_w = 0.0, cw, x, a
    cdef int n_lead = 0, n_partner = 0
    for c in range(start, stop):
        r = region[c]
        cw = cweight[c]
        if flags[r] == 0:
            touched[n_touched] = r
            n_touched += 1
        xr[r] += cw
        total_w += cw
        if lead[c]:
            flags[r] = flags[r] | 3
            ar[r] += cw
            lead_w += cw
            n_lead += 1
        else:
            flags[r] = flags[r] | 5
            br[r] += cw
            partner_w += cw
            n_partner += 1

    if not fractional:
        for s in range(n_touched):
            r = touched[s]
            xr[r] = 1.0
            ar[r] = 1.0 if flags[r] & 2 else 0.0
            br[r] = 1.0 if flags[r] & 4 else 0.0
    elif total_w > 0.0:
        for s in range(n_touched):
            r = touched[s]
            xr[r] = xr[r] / total_w
            ar[r] = ar[r] / lead_w if lead_w > 0.0 else 0.0
            br[r] = br[r] / partner_w if partner_w > 0.0 else 0.0
    else:
        n_touched = _reset_touched(touched, n_touched, xr, ar, br, flags)
        return

    for s in range(n_touched):
        r = touched[s]
        size[r] += gw * xr[r]
    if n_touched == 1:
        internal[touched[0]] += gw

    if n_lead > 0 and n_partner > 0 and (not fractional or (lead_w > 0.0 and partner_w > 0.0)):
        for s in range(n_touched):
            l = touched[s]
            a = ar[l]
            if a == 0.0:
                continue
            a = gw * a
            for u in range(n_touched):
                j = touched[u]
                if br[j] != 0.0:
                    presence[l * R + j] += a * br[j]
    else:
        for s in range(n_touched):
            l = touched[s]
            x = gw * xr[l]
            for u in range(n_touched):
                j = touched[u]
                copresence[l * R + j] += x * xr[j]
    _reset_touched(touched, n_touched, xr, ar, br, flags)


cdef inline Py_ssize_t _reset_touched(
    Py_ssize_t* touched, Py_ssize_t n_touched,
    double* xr, double* ar, double* br, uint8_t* flags,
) noexcept nogil:
    cdef Py_ssize_t s, r
    for s in range(n_touched):
        r = touched[s]
        xr[r] = 0.0
        ar[r] = 0.0
        br[r] = 0.0
        flags[r] = 0
    return 0


def region_flows(
    const int64_t[::1] group_ptr, const Py_ssize_t[::1] group_channel,
    const double[::1] group_weight,
    const code_t[::1] region, const uint8_t[::1] lead, const double[::1] cweight,
    Py_ssize_t n_regions, Py_ssize_t n_channels, bint fractional,
    Py_ssize_t n_chunks, int n_threads,
):
    """region_flows(group_ptr, group_channel, group_weight, region, lead, cweight, n_regions, n_channels, fractional, n_chunks, n_threads)

    Region flow volumes from contributions grouped by (record, channel).

    A group with both lead and partner contributions adds ``gw * a_l * b_j`` to
    ``presence[k, l, j]`` for every lead region l and partner region j (diagonal
    included); any other group adds ``gw * x_a * x_b`` to ``copresence[k, a, b]``.
    With full counting a, b, x are 0/1 region indicators; with fractional counting they
    are the region's share of the group's lead, partner and total contribution weight.
    ``size[k, r] += gw * x_r``; ``internal[k, r] += gw`` when r is the group's only region.

    Parameters
    ----------
    group_ptr : ndarray of shape (n_groups + 1,), dtype=int64
        IN. Contributions of group g are ``group_ptr[g]:group_ptr[g + 1]``.
    group_channel : ndarray of shape (n_groups,) or (0,), dtype=intp
        IN. Channel id (0..n_channels-1) of each group; empty means channel 0 for all.
    group_weight : ndarray of shape (n_groups,) or (0,), dtype=float64
        IN. Weight of each group (e.g. bootstrap weights); empty means 1 for all.
    region : ndarray of shape (n_contributions,), dtype=int32 or int64
        IN. Region id (0..n_regions-1) of each contribution (Contributions' compact
        codes, no copy).
    lead : ndarray of shape (n_contributions,), dtype=uint8
        IN. 1 for a lead (owner, corresponding author, origin) contribution.
    cweight : ndarray of shape (n_contributions,), dtype=float64
        IN. Contribution weight used by fractional counting.
    n_regions, n_channels : int
    fractional : bool
    n_chunks : int
        Groups are cut into this many contiguous chunks whose partial sums are added in
        chunk order; chosen by the caller independently of the thread count.
    n_threads : int

    Returns
    -------
    presence, copresence : ndarray of shape (n_channels, n_regions, n_regions), float64
    internal, size : ndarray of shape (n_channels, n_regions), float64
    """
    cdef Py_ssize_t R = n_regions, K = n_channels
    cdef Py_ssize_t G = group_ptr.shape[0] - 1
    cdef bint has_channel = group_channel.shape[0] > 0
    cdef bint has_weight = group_weight.shape[0] > 0
    cdef Py_ssize_t mat = R * R, block = K * (2 * R * R + 2 * R)
    partial_arr = np.zeros((n_chunks, block), dtype=np.float64)
    cdef double[:, ::1] partial = partial_arr
    cdef Py_ssize_t chunk, g, g0, g1, k
    cdef double* base
    cdef double* xr
    cdef double* ar
    cdef double* br
    cdef uint8_t* flags
    cdef Py_ssize_t* touched
    cdef bint ok
    cdef int[1] failed
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]  # written through a pointer: shared by all threads

    # raw pointers for the group worker (memoryview arguments would be reference-counted)
    cdef const code_t* reg_p = NULL
    cdef const uint8_t* lead_p = NULL
    cdef const double* cw_p = NULL
    if G > 0 and block > 0:
        reg_p = &region[0]
        lead_p = &lead[0]
        cw_p = &cweight[0]
        with nogil, parallel(num_threads=n_threads):
            xr = <double*> calloc(3 * R + 1, sizeof(double))
            flags = <uint8_t*> calloc(R + 1, sizeof(uint8_t))
            touched = <Py_ssize_t*> malloc((R + 1) * sizeof(Py_ssize_t))
            ok = xr != NULL and flags != NULL and touched != NULL
            if not ok:
                failed_ptr[0] = 1
            ar = xr + R
            br = xr + 2 * R
            # every thread reaches the worksharing loop, even without its scratch
            for chunk in prange(n_chunks, schedule="dynamic", chunksize=1):
                if ok:
                    base = &partial[chunk, 0]
                    g0 = (G * chunk) // n_chunks
                    g1 = (G * (chunk + 1)) // n_chunks
                    for g in range(g0, g1):
                        k = group_channel[g] if has_channel else 0
                        _flows_group(
                            group_ptr[g], group_ptr[g + 1],
                            group_weight[g] if has_weight else 1.0, fractional, R,
                            reg_p, lead_p, cw_p, xr, ar, br, flags, touched,
                            base + k * mat,
                            base + K * mat + k * mat,
                            base + 2 * K * mat + k * R,
                            base + 2 * K * mat + K * R + k * R)
            free(xr)
            free(flags)
            free(touched)
    if failed[0]:
        raise MemoryError("region_flows: could not allocate per-thread scratch")

    total_arr = np.zeros(block, dtype=np.float64)
    cdef double[::1] total = total_arr
    cdef Py_ssize_t cell
    if block > 0:
        for cell in prange(block, nogil=True, num_threads=n_threads, schedule="static"):
            total[cell] = _column_sum_in_order(partial, cell)
    presence = total_arr[: K * mat].reshape(K, R, R)
    copresence = total_arr[K * mat : 2 * K * mat].reshape(K, R, R)
    internal = total_arr[2 * K * mat : 2 * K * mat + K * R].reshape(K, R)
    size = total_arr[2 * K * mat + K * R :].reshape(K, R)
    return presence, copresence, internal, size


cdef inline double _column_sum_in_order(double[:, ::1] partial, Py_ssize_t cell) noexcept nogil:
    cdef double s = 0.0
    cdef Py_ssize_t chunk
    for chunk in range(partial.shape[0]):
        s = s + partial[chunk, cell]
    return s
include "_kernels_bootstrap.pxi"
include "_kernels_nulls.pxi"
include "_kernels_brokerage.pxi"
include "_kernels_betweenness.pxi"
include "_kernels_graph.pxi"
include "_kernels_rank.pxi"
