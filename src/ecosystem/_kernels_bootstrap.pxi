# Kernels of the classification's bootstrap (replicate weights and statistics); the nulls are
# in _kernels_nulls.pxi.
#
# Included at the end of _core.pyx, so it shares its imports, the fused ``idx_t`` and the
# ``_flows_group`` worker of the region-flows kernel (the bootstrap reuses the exact share
# logic of ``region_flows``). Same contract as the rest of the core: validated
# C-contiguous inputs, no Python objects or exceptions in ``nogil`` code, raw pointers
# in per-item workers, owner-computes parallelism, so every result is bit-identical for
# any thread count.
#
# Random numbers are counter-based: every draw is a pure function of 64-bit keys (hashes
# of record, cluster, cell or region labels), the replicate or draw number and the seed,
# through the splitmix64 finaliser. Nothing depends on row order, chunking or threads.

from libc.stdint cimport uint32_t, uint64_t
from libc.math cimport fabs, exp, NAN
from libc.string cimport memcpy

cdef extern from *:
    """
    #include <stdint.h>
    #include <math.h>

    #define ECO_GOLDEN 0x9E3779B97F4A7C15ULL

    /* splitmix64 finaliser (Steele, Lea & Flood 2014; Stafford's "mix13"). */
    static inline uint64_t eco_mix64(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    /* Key of a seed: every stream is keyed by (label hash XOR seed key). */
    static inline uint64_t eco_seed_key(uint64_t seed) {
        return eco_mix64(seed + ECO_GOLDEN);
    }

    /* Poisson(1) by inversion of a 32-bit uniform: thresholds round(F(k) * 2^32). */
    static const uint32_t ECO_POISSON1_T[12] = {
        1580030169u, 3160060337u, 3950075422u, 4213413783u, 4279248374u, 4292415292u,
        4294609778u, 4294923276u, 4294962463u, 4294966817u, 4294967253u, 4294967292u};

    static inline double eco_poisson1(uint32_t u) {
        /* branch-free for k <= 4 (98.1 % of draws); the tail is walked rarely */
        int k = (u >= 1580030169u) + (u >= 3160060337u) + (u >= 3950075422u)
              + (u >= 4213413783u);
        if (k == 4) {
            while (k < 12 && u >= ECO_POISSON1_T[k]) k++;
        }
        return (double) k;
    }

    /* Bootstrap weight of replicate t for a unit whose hashed key is h:
       the 64-bit word mix64(h + golden * (t/2 + 1)) gives two 32-bit uniforms, the high
       half for even t and the low half for odd t. */
    static inline uint64_t eco_rep_word(uint64_t h, int64_t t) {
        return eco_mix64(h + ECO_GOLDEN * (uint64_t)((t >> 1) + 1));
    }
    static inline double eco_rep_weight(uint64_t word, int64_t t) {
        return eco_poisson1((t & 1) ? (uint32_t)(word & 0xFFFFFFFFu) : (uint32_t)(word >> 32));
    }

    /* Accumulate one block of ECO_BLOCK replicates (t0 .. t0 + nb - 1) over every unit:
       acc[cell * ECO_BLOCK + t] += w_ut * value. The weights of a unit are computed once
       per block (one 64-bit word per pair of replicates, branch-free), then every cell of
       the unit gets an 8-lane multiply-add: two 4-double vectors with GCC/Clang vector
       extensions (an AVX2 clone is dispatched at run time by GCC on x86-64 Linux), a plain
       loop elsewhere. Lanes beyond nb get weight 0. */
    #define ECO_BLOCK 8
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
    #define ECO_CLONES __attribute__((target_clones("avx2", "default")))
    #else
    #define ECO_CLONES
    #endif
    #if defined(__GNUC__) || defined(__clang__)
    #define ECO_VECTOR 1
    typedef double eco_v4 __attribute__((vector_size(32)));
    #else
    #define ECO_VECTOR 0
    #endif
    ECO_CLONES
    static void eco_rep_accumulate(int64_t U, const int64_t *cp, const int32_t *cl,
                                   const double *vl, const uint64_t *hk, int64_t t0,
                                   int64_t nb, int unit_weights, double *acc) {
        double w[ECO_BLOCK], mask[ECO_BLOCK];
        int64_t u, e, t;
    #if ECO_VECTOR
        eco_v4 w0, w1, m0, m1;
    #endif
        for (t = 0; t < ECO_BLOCK; t++) mask[t] = t < nb ? 1.0 : 0.0;
        for (t = 0; t < ECO_BLOCK; t++) w[t] = mask[t];
    #if ECO_VECTOR
        __builtin_memcpy(&m0, mask, 32);
        __builtin_memcpy(&m1, mask + 4, 32);
        w0 = m0;
        w1 = m1;
    #endif
        for (u = 0; u < U; u++) {
            if (!unit_weights) {
                const uint64_t h = hk[u];
                if ((t0 & 1) == 0) {
                    const uint64_t base = (uint64_t)(t0 >> 1) + 1;
                    const uint64_t x0 = eco_mix64(h + ECO_GOLDEN * (base + 0));
                    const uint64_t x1 = eco_mix64(h + ECO_GOLDEN * (base + 1));
                    const uint64_t x2 = eco_mix64(h + ECO_GOLDEN * (base + 2));
                    const uint64_t x3 = eco_mix64(h + ECO_GOLDEN * (base + 3));
                    w[0] = eco_poisson1((uint32_t)(x0 >> 32)); w[1] = eco_poisson1((uint32_t)x0);
                    w[2] = eco_poisson1((uint32_t)(x1 >> 32)); w[3] = eco_poisson1((uint32_t)x1);
                    w[4] = eco_poisson1((uint32_t)(x2 >> 32)); w[5] = eco_poisson1((uint32_t)x2);
                    w[6] = eco_poisson1((uint32_t)(x3 >> 32)); w[7] = eco_poisson1((uint32_t)x3);
                } else {
                    for (t = 0; t < ECO_BLOCK; t++) w[t] = eco_rep_weight(eco_rep_word(h, t0 + t), t0 + t);
                }
    #if ECO_VECTOR
                __builtin_memcpy(&w0, w, 32);
                __builtin_memcpy(&w1, w + 4, 32);
                w0 *= m0;
                w1 *= m1;
    #else
                for (t = 0; t < ECO_BLOCK; t++) w[t] *= mask[t];
    #endif
            }
            for (e = cp[u]; e < cp[u + 1]; e++) {
                double *b = acc + (int64_t)cl[e] * ECO_BLOCK;
                const double v = vl[e];
    #if ECO_VECTOR
                const eco_v4 vv = {v, v, v, v};
                eco_v4 b0, b1;
                __builtin_memcpy(&b0, b, 32);
                __builtin_memcpy(&b1, b + 4, 32);
                b0 += w0 * vv;
                b1 += w1 * vv;
                __builtin_memcpy(b, &b0, 32);
                __builtin_memcpy(b + 4, &b1, 32);
    #else
                for (t = 0; t < ECO_BLOCK; t++) b[t] += w[t] * v;
    #endif
            }
        }
    }

    /* A splitmix64 stream: state advanced by the golden gamma, output finalised. */
    static inline uint64_t eco_next(uint64_t *s) {
        *s += ECO_GOLDEN;
        return eco_mix64(*s);
    }
    static inline double eco_uniform(uint64_t *s) {
        return (double)(eco_next(s) >> 11) * (1.0 / 9007199254740992.0);
    }

    /* Poisson(lam) by inversion, given p0 = exp(-lam) (lam < 10). */
    static inline double eco_poisson_inv(uint64_t *s, double lam, double p0) {
        double u = eco_uniform(s), p = p0, F = p0;
        int64_t k = 0;
        while (u > F && k < 200) { k++; p *= lam / (double)k; F += p; }
        return (double)k;
    }

    /* Poisson(lam): inversion for lam < 10, otherwise PTRS (Hormann 1993), the
       transformed rejection sampler numpy uses. */
    static double eco_poisson(uint64_t *s, double lam) {
        if (!(lam > 0.0)) return 0.0;
        if (lam < 10.0) return eco_poisson_inv(s, lam, exp(-lam));
        {
            double slam = sqrt(lam), loglam = log(lam);
            double b = 0.931 + 2.53 * slam;
            double a = -0.059 + 0.02483 * b;
            double invalpha = 1.1239 + 1.1328 / (b - 3.4);
            double vr = 0.9277 - 3.6224 / (b - 2.0);
            for (;;) {
                double U = eco_uniform(s) - 0.5, V = eco_uniform(s);
                double us = 0.5 - fabs(U);
                double k = floor((2.0 * a / us + b) * U + lam + 0.43);
                if (us >= 0.07 && V <= vr) return k;
                if (k < 0.0 || (us < 0.013 && V > us)) continue;
                if (log(V) + log(invalpha) - log(a / (us * us) + b)
                        <= -lam + k * loglam - lgamma(k + 1.0)) return k;
            }
        }
    }
    """
    uint64_t eco_mix64(uint64_t z) noexcept nogil
    uint64_t eco_seed_key(uint64_t seed) noexcept nogil
    double eco_poisson1(uint32_t u) noexcept nogil
    uint64_t eco_rep_word(uint64_t h, int64_t t) noexcept nogil
    double eco_rep_weight(uint64_t word, int64_t t) noexcept nogil
    void eco_rep_accumulate(int64_t U, const int64_t* cp, const int32_t* cl, const double* vl,
                            const uint64_t* hk, int64_t t0, int64_t nb, int unit_weights,
                            double* acc) noexcept nogil
    uint64_t eco_next(uint64_t* s) noexcept nogil
    double eco_uniform(uint64_t* s) noexcept nogil
    double eco_poisson(uint64_t* s, double lam) noexcept nogil
    double eco_poisson_inv(uint64_t* s, double lam, double p0) noexcept nogil


#: Per-(channel, region) statistics produced for every replicate, in this order.
BOOT_STATS = ("outbound", "inbound", "minsum", "internal", "size", "copresence",
              "qd", "ad", "qo", "qi")
#: Region-level cells of the unit cell space, after the pair cells, in this order.
BOOT_REGION_CELLS = ("internal", "size", "copresence", "qd", "ad", "qo", "qi")
cdef enum:
    N_STATS = 10
    N_RCELLS = 7
    REP_BLOCK = 8       # must equal ECO_BLOCK of the C helper


def hashed_keys(const uint64_t[::1] keys, uint64_t seed):
    """hashed_keys(keys, seed)

    Seeded unit keys ``mix64(key XOR mix64(seed + golden))``, the per-unit state every
    bootstrap weight is derived from.

    Parameters
    ----------
    keys : ndarray of shape (n,), dtype=uint64
        IN. Stable hashes of the unit labels (records, clusters or cells).
    seed : int
        Non-negative seed.

    Returns
    -------
    ndarray of shape (n,), dtype=uint64
    """
    cdef Py_ssize_t n = keys.shape[0], i
    out_arr = np.empty(n, dtype=np.uint64)
    cdef uint64_t[::1] out = out_arr
    cdef uint64_t sk = eco_seed_key(seed)
    with nogil:
        for i in range(n):
            out[i] = eco_mix64(keys[i] ^ sk)
    return out_arr


def poisson1_weights(const uint64_t[::1] hkeys, Py_ssize_t first, Py_ssize_t n_rep):
    """poisson1_weights(hkeys, first, n_rep)

    Poisson(1) bootstrap weights of replicates ``first .. first + n_rep - 1``.

    Parameters
    ----------
    hkeys : ndarray of shape (n_units,), dtype=uint64
        IN. Seeded unit keys from :func:`hashed_keys`.
    first, n_rep : int
        First replicate number and number of replicates.

    Returns
    -------
    ndarray of shape (n_rep, n_units), dtype=float64
    """
    cdef Py_ssize_t n = hkeys.shape[0], i, t
    out_arr = np.empty((n_rep, n), dtype=np.float64)
    cdef double[:, ::1] out = out_arr
    cdef uint64_t word
    with nogil:
        for t in range(n_rep):
            for i in range(n):
                word = eco_rep_word(hkeys[i], first + t)
                out[t, i] = eco_rep_weight(word, first + t)
    return out_arr


# --------------------------------------------------------------------------------------
# Unit cells: what each bootstrap unit (record or cluster) adds to every cell.
# --------------------------------------------------------------------------------------

cdef struct _CellScratch:
    double* acc        # n_cells, zero between units
    uint8_t* mark      # n_cells
    int32_t* lst       # n_cells, touched cells of the current unit in first-touch order
    double* pres       # R*R presence of one group
    double* copr       # R*R co-presence of one group
    double* internal   # R
    double* size       # R
    double* xr         # 3R (x, a, b shares for _flows_group)
    uint8_t* flags     # R (for _flows_group)
    Py_ssize_t* touched  # R (for _flows_group)
    uint8_t* gflag     # R
    Py_ssize_t* glist  # R
    double* gout       # R
    double* gin        # R


cdef inline void _cell_add(_CellScratch* s, Py_ssize_t* n_list, Py_ssize_t cell, double v) noexcept nogil:
    if s.mark[cell] == 0:
        s.mark[cell] = 1
        s.lst[n_list[0]] = <int32_t> cell
        n_list[0] += 1
    s.acc[cell] += v


cdef Py_ssize_t _unit_cells(
    Py_ssize_t u, const int64_t* unit_ptr, const int64_t* unit_groups,
    const int64_t* group_ptr, const Py_ssize_t* group_channel, bint has_channel,
    const Py_ssize_t* region, const uint8_t* lead, const double* cweight,
    const int64_t* pair_cell, const uint8_t* in_layer,
    Py_ssize_t R, Py_ssize_t KR, Py_ssize_t n_pairs, bint fractional,
    _CellScratch* s, int32_t* out_cell, double* out_value,
) noexcept nogil:
    """Cells of unit u; written to out_cell/out_value when they are not NULL.

    Returns the number of distinct cells. Scratch arrays are clean on entry and exit.
    """
    cdef Py_ssize_t n_list = 0, q, g, k, n_reg, a, b, ia, ib, e, cell, base
    cdef int64_t c
    cdef double v, d
    cdef Py_ssize_t RR = R * R
    for q in range(unit_ptr[u], unit_ptr[u + 1]):
        g = unit_groups[q]
        k = group_channel[g] if has_channel else 0
        _flows_group(group_ptr[g], group_ptr[g + 1], 1.0, fractional, R,
                     region, lead, cweight, s.xr, s.xr + R, s.xr + 2 * R, s.flags, s.touched,
                     s.pres, s.copr, s.internal, s.size)
        n_reg = 0
        for c in range(group_ptr[g], group_ptr[g + 1]):
            a = region[c]
            if s.gflag[a] == 0:
                s.gflag[a] = 1
                s.glist[n_reg] = a
                n_reg += 1
        base = n_pairs + k * R
        for ia in range(n_reg):
            a = s.glist[ia]
            for ib in range(n_reg):
                b = s.glist[ib]
                e = a * R + b
                v = s.pres[e]
                if v != 0.0:
                    s.pres[e] = 0.0
                    if a != b and in_layer[e]:
                        cell = pair_cell[k * RR + e]
                        if cell >= 0:
                            _cell_add(s, &n_list, cell, v)
                        s.gout[a] += v
                        s.gin[b] += v
                v = s.copr[e]
                if v != 0.0:
                    s.copr[e] = 0.0
                    if a != b and in_layer[e]:
                        _cell_add(s, &n_list, base + 2 * KR + a, v)
        for ia in range(n_reg):
            a = s.glist[ia]
            if s.internal[a] != 0.0:
                _cell_add(s, &n_list, base + a, s.internal[a])
                s.internal[a] = 0.0
            if s.size[a] != 0.0:
                _cell_add(s, &n_list, base + KR + a, s.size[a])
                s.size[a] = 0.0
            d = s.gout[a] - s.gin[a]
            if d != 0.0:
                _cell_add(s, &n_list, base + 3 * KR + a, d * d)
                _cell_add(s, &n_list, base + 4 * KR + a, fabs(d))
            if s.gout[a] != 0.0:
                _cell_add(s, &n_list, base + 5 * KR + a, s.gout[a] * s.gout[a])
            if s.gin[a] != 0.0:
                _cell_add(s, &n_list, base + 6 * KR + a, s.gin[a] * s.gin[a])
            s.gout[a] = 0.0
            s.gin[a] = 0.0
            s.gflag[a] = 0
    for q in range(n_list):
        cell = s.lst[q]
        if out_cell != NULL:
            out_cell[q] = <int32_t> cell
            out_value[q] = s.acc[cell]
        s.acc[cell] = 0.0
        s.mark[cell] = 0
    return n_list


cdef void _scratch_free(_CellScratch* s) noexcept nogil:
    if s == NULL:
        return
    free(s.acc); free(s.mark); free(s.lst); free(s.pres); free(s.copr)
    free(s.internal); free(s.size); free(s.xr); free(s.flags); free(s.touched)
    free(s.gflag); free(s.glist); free(s.gout); free(s.gin)
    free(s)


cdef _CellScratch* _scratch_alloc(Py_ssize_t n_cells, Py_ssize_t R) noexcept nogil:
    """Per-thread scratch of the unit-cell kernel, or NULL when memory is short."""
    cdef _CellScratch* s = <_CellScratch*> calloc(1, sizeof(_CellScratch))
    if s == NULL:
        return NULL
    s.acc = <double*> calloc(n_cells + 1, sizeof(double))
    s.mark = <uint8_t*> calloc(n_cells + 1, sizeof(uint8_t))
    s.lst = <int32_t*> malloc((n_cells + 1) * sizeof(int32_t))
    s.pres = <double*> calloc(R * R + 1, sizeof(double))
    s.copr = <double*> calloc(R * R + 1, sizeof(double))
    s.internal = <double*> calloc(R + 1, sizeof(double))
    s.size = <double*> calloc(R + 1, sizeof(double))
    s.xr = <double*> calloc(3 * R + 1, sizeof(double))
    s.flags = <uint8_t*> calloc(R + 1, sizeof(uint8_t))
    s.touched = <Py_ssize_t*> malloc((R + 1) * sizeof(Py_ssize_t))
    s.gflag = <uint8_t*> calloc(R + 1, sizeof(uint8_t))
    s.glist = <Py_ssize_t*> malloc((R + 1) * sizeof(Py_ssize_t))
    s.gout = <double*> calloc(R + 1, sizeof(double))
    s.gin = <double*> calloc(R + 1, sizeof(double))
    if (s.acc == NULL or s.mark == NULL or s.lst == NULL or s.pres == NULL or s.copr == NULL
            or s.internal == NULL or s.size == NULL or s.xr == NULL or s.flags == NULL
            or s.touched == NULL or s.gflag == NULL or s.glist == NULL or s.gout == NULL
            or s.gin == NULL):
        _scratch_free(s)
        return NULL
    return s


def bootstrap_unit_cells(
    const int64_t[::1] unit_ptr, const int64_t[::1] unit_groups,
    const int64_t[::1] group_ptr, const Py_ssize_t[::1] group_channel,
    const Py_ssize_t[::1] region, const uint8_t[::1] lead, const double[::1] cweight,
    const int64_t[::1] pair_cell, const uint8_t[::1] in_layer,
    Py_ssize_t n_regions, Py_ssize_t n_channels, Py_ssize_t n_pairs, bint fractional,
    Py_ssize_t n_chunks, int n_threads,
):
    """bootstrap_unit_cells(unit_ptr, unit_groups, group_ptr, group_channel, region, lead, cweight, pair_cell, in_layer, n_regions, n_channels, n_pairs, fractional, n_chunks, n_threads)

    What every bootstrap unit adds to every cell, as a CSR (unit -> (cell, value)).

    Each group (a record within one channel) is passed through ``_flows_group``, the
    worker of :func:`region_flows`, so the shares are exactly those of the flow
    matrices; its cells are then mapped to the cell space and merged per unit. Cells:

    * ``0 .. n_pairs - 1``: presence pairs (k, l, j) of the analysed border layer, as
      numbered by ``pair_cell`` (pairs with no volume in the data have no cell);
    * ``n_pairs + s * K * R + k * R + r`` for s in :data:`BOOT_REGION_CELLS`: internal
      volume, size, layer co-presence, and, per group, d^2, abs(d), out^2 and in^2 with
      d = out - in the group's net layer presence for the region (sums of squares feed
      the direction null and effective record counts).

    Parameters
    ----------
    unit_ptr : ndarray of shape (n_units + 1,), dtype=int64
        IN. Groups of unit u are ``unit_groups[unit_ptr[u]:unit_ptr[u + 1]]``.
    unit_groups : ndarray of shape (n_groups,), dtype=int64
        IN. Group indices ordered by unit.
    group_ptr, group_channel, region, lead, cweight
        IN. As in :func:`region_flows` (``group_channel`` empty for one channel).
    pair_cell : ndarray of shape (n_channels * R * R,), dtype=int64
        IN. Cell of each (k, l, j) layer pair, -1 otherwise.
    in_layer : ndarray of shape (R * R,), dtype=uint8
        IN. 1 where the ordered pair (l, j), l != j, belongs to the analysed layer.
    n_regions, n_channels, n_pairs : int
    fractional : bool
    n_chunks : int
        Fixed partition of the units (each unit is computed by one thread: the result
        does not depend on the thread count).
    n_threads : int

    Returns
    -------
    cell_ptr : ndarray of shape (n_units + 1,), dtype=int64
    cell : ndarray of shape (nnz,), dtype=int32
    value : ndarray of shape (nnz,), dtype=float64
        Cells of each unit in first-touch order (deterministic).
    """
    cdef Py_ssize_t U = unit_ptr.shape[0] - 1, R = n_regions, K = n_channels
    cdef Py_ssize_t KR = K * R, n_cells = n_pairs + N_RCELLS * KR
    cdef bint has_channel = group_channel.shape[0] > 0
    counts_arr = np.zeros(U + 1, dtype=np.int64)
    cdef int64_t[::1] counts = counts_arr
    cdef Py_ssize_t chunk, u, u0, u1
    cdef _CellScratch* s
    cdef int[1] failed
    cdef bint ok
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]
    cdef const int64_t* up = &unit_ptr[0]
    cdef const int64_t* ug = &unit_groups[0] if unit_groups.shape[0] > 0 else NULL
    cdef const int64_t* gp = &group_ptr[0]
    cdef const Py_ssize_t* gc = &group_channel[0] if has_channel else NULL
    cdef const Py_ssize_t* reg = &region[0] if region.shape[0] > 0 else NULL
    cdef const uint8_t* ld = &lead[0] if lead.shape[0] > 0 else NULL
    cdef const double* cw = &cweight[0] if cweight.shape[0] > 0 else NULL
    cdef const int64_t* pc = &pair_cell[0] if pair_cell.shape[0] > 0 else NULL
    cdef const uint8_t* il = &in_layer[0] if in_layer.shape[0] > 0 else NULL
    if U == 0:
        return counts_arr, np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
    n_chunks = max(1, min(n_chunks, U))

    # pass 1: count the cells of every unit
    with nogil, parallel(num_threads=n_threads):
        s = _scratch_alloc(n_cells, R)
        ok = s != NULL
        if not ok:
            failed_ptr[0] = 1
        # every thread reaches the worksharing loop, even without its scratch
        for chunk in prange(n_chunks, schedule="dynamic", chunksize=1):
            if ok:
                u0 = (U * chunk) // n_chunks
                u1 = (U * (chunk + 1)) // n_chunks
                for u in range(u0, u1):
                    counts[u + 1] = _unit_cells(u, up, ug, gp, gc, has_channel, reg, ld, cw,
                                                pc, il, R, KR, n_pairs, fractional, s, NULL, NULL)
        _scratch_free(s)
    if failed[0]:
        raise MemoryError("bootstrap_unit_cells: could not allocate per-thread scratch")
    cell_ptr_arr = np.cumsum(counts_arr)
    nnz = int(cell_ptr_arr[U])
    cell_arr = np.empty(nnz, dtype=np.int32)
    value_arr = np.empty(nnz, dtype=np.float64)
    cdef int64_t[::1] cell_ptr = cell_ptr_arr
    cdef int32_t[::1] cell_v = cell_arr
    cdef double[::1] value_v = value_arr
    cdef int32_t* cptr = &cell_v[0] if nnz > 0 else NULL
    cdef double* vptr = &value_v[0] if nnz > 0 else NULL
    cdef const int64_t* cpp = &cell_ptr[0]

    # pass 2: fill (same computation, written at the unit's offset)
    if nnz > 0:
        with nogil, parallel(num_threads=n_threads):
            s = _scratch_alloc(n_cells, R)
            ok = s != NULL
            if not ok:
                failed_ptr[0] = 1
            # every thread reaches the worksharing loop, even without its scratch
            for chunk in prange(n_chunks, schedule="dynamic", chunksize=1):
                if ok:
                    u0 = (U * chunk) // n_chunks
                    u1 = (U * (chunk + 1)) // n_chunks
                    for u in range(u0, u1):
                        _unit_cells(u, up, ug, gp, gc, has_channel, reg, ld, cw, pc, il, R, KR,
                                    n_pairs, fractional, s, cptr + cpp[u], vptr + cpp[u])
            _scratch_free(s)
        if failed[0]:
            raise MemoryError("bootstrap_unit_cells: could not allocate per-thread scratch")
    return cell_ptr_arr, cell_arr, value_arr


# --------------------------------------------------------------------------------------
# Replicate statistics from cell values.
# --------------------------------------------------------------------------------------

cdef void _replicate_stats(
    const double* acc, Py_ssize_t stride, Py_ssize_t col,
    Py_ssize_t n_pairs, const int64_t* pair_src, const int64_t* pair_dst,
    const int64_t* pair_rev, Py_ssize_t KR, double* out,
) noexcept nogil:
    """Per-(k, r) statistics of one replicate; cell c's value is acc[c * stride + col].

    out has N_STATS * KR entries (zeroed here): outbound, inbound, sum of pair minima
    (the numerator of R / 2), then the region cells copied.
    """
    cdef Py_ssize_t p, q, s, kr
    cdef double v, w, m
    for p in range(N_STATS * KR):
        out[p] = 0.0
    for p in range(n_pairs):
        v = acc[p * stride + col]
        if v == 0.0:
            continue
        out[pair_src[p]] += v
        out[KR + pair_dst[p]] += v
        q = pair_rev[p]
        if q > p:
            w = acc[q * stride + col]
            m = v if v < w else w
            out[2 * KR + pair_src[p]] += m
            out[2 * KR + pair_dst[p]] += m
    for s in range(N_RCELLS):
        for kr in range(KR):
            out[(3 + s) * KR + kr] = acc[(n_pairs + s * KR + kr) * stride + col]


cdef void _replicate_block(
    Py_ssize_t blk, Py_ssize_t first, Py_ssize_t n_rep, Py_ssize_t U, Py_ssize_t n_cells,
    const int64_t* cp, const int32_t* cl, const double* vl, const uint64_t* hk,
    bint unit_weights, Py_ssize_t n_pairs, const int64_t* ps, const int64_t* pd,
    const int64_t* pr, Py_ssize_t n_kr, double* acc, double* outp,
) noexcept nogil:
    """Replicates of block blk (8 per block, relative to ``first``): accumulate, summarise."""
    cdef int64_t t0 = first + blk * REP_BLOCK
    cdef Py_ssize_t nb = n_rep - blk * REP_BLOCK, t
    if nb > REP_BLOCK:
        nb = REP_BLOCK
    memset(acc, 0, n_cells * REP_BLOCK * sizeof(double))
    eco_rep_accumulate(U, cp, cl, vl, hk, t0, nb, unit_weights, acc)
    for t in range(nb):
        _replicate_stats(acc, REP_BLOCK, t, n_pairs, ps, pd, pr, n_kr,
                         outp + (blk * REP_BLOCK + t) * N_STATS * n_kr)


def bootstrap_replicate_stats(
    const int64_t[::1] cell_ptr, const int32_t[::1] cell, const double[::1] value,
    const uint64_t[::1] hkeys, Py_ssize_t first, Py_ssize_t n_rep,
    const int64_t[::1] pair_src, const int64_t[::1] pair_dst, const int64_t[::1] pair_rev,
    Py_ssize_t n_kr, bint unit_weights, int n_threads,
):
    """bootstrap_replicate_stats(cell_ptr, cell, value, hkeys, first, n_rep, pair_src, pair_dst, pair_rev, n_kr, unit_weights, n_threads)

    Per-(channel, region) statistics of bootstrap replicates ``first .. first+n_rep-1``.

    Replicate t gives unit u the weight Poisson1(u, t) (see :func:`poisson1_weights`);
    its cell values are ``sum_u w_ut * value_uc``, from which outbound, inbound and the
    partner minima are formed. Replicates are processed in blocks of 8 owned by one
    thread (no reduction across threads), units in their given order.

    Parameters
    ----------
    cell_ptr, cell, value
        IN. Unit cells from :func:`bootstrap_unit_cells` (or any unit x cell CSR).
    hkeys : ndarray of shape (n_units,), dtype=uint64
        IN. Seeded unit keys (:func:`hashed_keys`).
    first, n_rep : int
        Replicate numbers to compute.
    pair_src, pair_dst : ndarray of shape (n_pairs,), dtype=int64
        IN. (k, r) index (k * R + r) of the source and target of each pair cell.
    pair_rev : ndarray of shape (n_pairs,), dtype=int64
        IN. Pair cell of the reverse pair, -1 if it has no volume.
    n_kr : int
        K * R.
    unit_weights : bool
        If True every weight is 1 (the point estimate; use n_rep = 1).
    n_threads : int

    Returns
    -------
    ndarray of shape (n_rep, 10, n_kr), dtype=float64
        Statistics in :data:`BOOT_STATS` order.
    """
    cdef Py_ssize_t U = cell_ptr.shape[0] - 1, n_pairs = pair_src.shape[0]
    cdef Py_ssize_t n_cells = n_pairs + N_RCELLS * n_kr
    cdef Py_ssize_t n_blocks = (n_rep + REP_BLOCK - 1) // REP_BLOCK
    out_arr = np.zeros((n_rep, N_STATS, n_kr), dtype=np.float64)
    cdef double[:, :, ::1] out = out_arr
    cdef Py_ssize_t blk
    cdef double* acc
    cdef int[1] failed
    cdef bint ok
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]
    if n_rep == 0 or n_kr == 0:
        return out_arr
    cdef const int64_t* cp = &cell_ptr[0]
    cdef const int32_t* cl = &cell[0] if cell.shape[0] > 0 else NULL
    cdef const double* vl = &value[0] if value.shape[0] > 0 else NULL
    cdef const uint64_t* hk = &hkeys[0] if hkeys.shape[0] > 0 else NULL
    cdef const int64_t* ps = &pair_src[0] if n_pairs > 0 else NULL
    cdef const int64_t* pd = &pair_dst[0] if n_pairs > 0 else NULL
    cdef const int64_t* pr = &pair_rev[0] if n_pairs > 0 else NULL
    cdef double* outp = &out[0, 0, 0]

    with nogil, parallel(num_threads=n_threads):
        acc = <double*> malloc((n_cells * REP_BLOCK + 1) * sizeof(double))
        ok = acc != NULL
        if not ok:
            failed_ptr[0] = 1
        # every thread reaches the worksharing loop, even without its scratch
        for blk in prange(n_blocks, schedule="dynamic", chunksize=1):
            if ok:
                _replicate_block(blk, first, n_rep, U, n_cells, cp, cl, vl, hk, unit_weights,
                                 n_pairs, ps, pd, pr, n_kr, acc, outp)
        free(acc)
    if failed[0]:
        raise MemoryError("bootstrap_replicate_stats: could not allocate per-thread accumulators")
    return out_arr


cdef inline uint64_t _draw_state(uint64_t hkey, int64_t t) noexcept nogil:
    return eco_mix64(hkey + <uint64_t> (t + 1) * <uint64_t> 0x9E3779B97F4A7C15)


cdef void _parametric_one(
    int64_t t, Py_ssize_t n_pairs, Py_ssize_t n_co, Py_ssize_t KR, Py_ssize_t n_cells,
    const double* pl, const uint64_t* ph, const int64_t* ps, const int64_t* pd,
    const int64_t* pr, const double* cl, const uint64_t* ch, const int64_t* ca,
    const int64_t* cb, const double* il, const uint64_t* ih, const double* sz,
    double* acc, double* o,
) noexcept nogil:
    """One parametric replicate t: Poisson redraw of every cell, then its statistics."""
    cdef Py_ssize_t p, kr
    cdef uint64_t st
    cdef double v
    for p in range(n_cells):
        acc[p] = 0.0
    for p in range(n_pairs):
        st = _draw_state(ph[p], t)
        acc[p] = eco_poisson(&st, pl[p])
    for p in range(n_co):
        st = _draw_state(ch[p], t)
        v = eco_poisson(&st, cl[p])
        acc[n_pairs + 2 * KR + ca[p]] += v
        acc[n_pairs + 2 * KR + cb[p]] += v
    for kr in range(KR):
        st = _draw_state(ih[kr], t)
        acc[n_pairs + kr] = eco_poisson(&st, il[kr])
        acc[n_pairs + KR + kr] = sz[kr]
    _replicate_stats(acc, 1, 0, n_pairs, ps, pd, pr, KR, o)
    for kr in range(KR):
        o[6 * KR + kr] = o[kr] + o[KR + kr]
        o[7 * KR + kr] = o[kr] + o[KR + kr]
        o[8 * KR + kr] = o[kr]
        o[9 * KR + kr] = o[KR + kr]


def parametric_replicate_stats(
    const double[::1] pair_lam, const uint64_t[::1] pair_hkey,
    const int64_t[::1] pair_src, const int64_t[::1] pair_dst, const int64_t[::1] pair_rev,
    const double[::1] co_lam, const uint64_t[::1] co_hkey,
    const int64_t[::1] co_a, const int64_t[::1] co_b,
    const double[::1] internal_lam, const uint64_t[::1] internal_hkey,
    const double[::1] size, Py_ssize_t first, Py_ssize_t n_rep, int n_threads,
):
    """parametric_replicate_stats(pair_lam, pair_hkey, pair_src, pair_dst, pair_rev, co_lam, co_hkey, co_a, co_b, internal_lam, internal_hkey, size, first, n_rep, n_threads)

    Parametric (Poisson) bootstrap of an aggregated flow table.

    In replicate t every cell with volume x is redrawn as Poisson(x), from a stream
    keyed by the cell's seeded key and t; every unit of volume counts as one record
    (qd = ad = outbound + inbound, qo = outbound, qi = inbound). Sizes are kept fixed.

    Parameters
    ----------
    pair_lam, pair_hkey, pair_src, pair_dst, pair_rev
        IN. Presence pair cells of the layer: volume, seeded key, (k, r) of source and
        target, reverse pair cell (-1 if none).
    co_lam, co_hkey, co_a, co_b
        IN. Co-presence cells (a < b) of the layer, added to both ends.
    internal_lam, internal_hkey : ndarray of shape (n_kr,)
        IN. Internal volumes and their keys.
    size : ndarray of shape (n_kr,)
        IN. Sizes (NaN when unknown), copied.
    first, n_rep, n_threads : int

    Returns
    -------
    ndarray of shape (n_rep, 10, n_kr), dtype=float64
    """
    cdef Py_ssize_t n_pairs = pair_lam.shape[0], n_co = co_lam.shape[0], KR = internal_lam.shape[0]
    out_arr = np.zeros((n_rep, N_STATS, KR), dtype=np.float64)
    cdef double[:, :, ::1] out = out_arr
    cdef Py_ssize_t n_cells = n_pairs + N_RCELLS * KR
    cdef Py_ssize_t t
    cdef double* acc
    cdef int[1] failed
    cdef bint ok
    failed[0] = 0
    cdef int* failed_ptr = &failed[0]
    if n_rep == 0 or KR == 0:
        return out_arr
    cdef const double* pl = &pair_lam[0] if n_pairs > 0 else NULL
    cdef const uint64_t* ph = &pair_hkey[0] if n_pairs > 0 else NULL
    cdef const int64_t* ps = &pair_src[0] if n_pairs > 0 else NULL
    cdef const int64_t* pd = &pair_dst[0] if n_pairs > 0 else NULL
    cdef const int64_t* pr = &pair_rev[0] if n_pairs > 0 else NULL
    cdef const double* cl_ = &co_lam[0] if n_co > 0 else NULL
    cdef const uint64_t* ch = &co_hkey[0] if n_co > 0 else NULL
    cdef const int64_t* ca = &co_a[0] if n_co > 0 else NULL
    cdef const int64_t* cb = &co_b[0] if n_co > 0 else NULL
    cdef const double* il_ = &internal_lam[0]
    cdef const uint64_t* ih = &internal_hkey[0]
    cdef const double* sz = &size[0]
    cdef double* outp = &out[0, 0, 0]
    with nogil, parallel(num_threads=n_threads):
        acc = <double*> calloc(n_cells + 1, sizeof(double))
        ok = acc != NULL
        if not ok:
            failed_ptr[0] = 1
        # every thread reaches the worksharing loop, even without its scratch
        for t in prange(n_rep, schedule="dynamic", chunksize=4):
            if ok:
                _parametric_one(first + t, n_pairs, n_co, KR, n_cells, pl, ph, ps, pd, pr,
                                cl_, ch, ca, cb, il_, ih, sz, acc, outp + t * N_STATS * KR)
        free(acc)
    if failed[0]:
        raise MemoryError("parametric_replicate_stats: could not allocate per-thread accumulators")
    return out_arr
