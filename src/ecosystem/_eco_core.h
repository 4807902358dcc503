/* C helpers of the compiled core (included by _core.pyx through `cdef extern from`).
 *
 * - ECO_OPENMP: 1 when compiled with OpenMP, 0 otherwise; without OpenMP a stub
 *   omp_get_max_threads() returns 1, so the same .pyx compiles either way (prange is then
 *   an ordinary serial loop).
 * - ECO_PREFETCH(p): a read prefetch hint where the compiler has one, else nothing.
 */
#ifndef ECO_CORE_H
#define ECO_CORE_H

#include <float.h>
#include <math.h>

#ifdef _OPENMP
#include <omp.h>
#define ECO_OPENMP 1
#else
#define ECO_OPENMP 0
static inline int omp_get_max_threads(void) { return 1; }
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ECO_PREFETCH(p) __builtin_prefetch((const void *)(p))
#else
#define ECO_PREFETCH(p) ((void)0)
#endif

/* Three-way comparison of two path lengths with a relative tolerance: 0 when
 * |a - b| < rtol * (|a| + |b|) (or, near zero, |a - b| < rtol * DBL_MIN), else the sign
 * of a - b. The same rule as igraph's igraph_cmp_epsilon(), which igraph's weighted
 * betweenness applies with rtol = 1e-10 to (1 + path length). */
static inline int eco_cmp_rel(double a, double b, double rtol) {
    double diff, sum;
    if (a == b) return 0;
    diff = a - b;
    sum = fabs(a) + fabs(b);
    if (a == 0.0 || b == 0.0 || sum < DBL_MIN)
        return fabs(diff) < rtol * DBL_MIN ? 0 : (diff < 0 ? -1 : 1);
    if (!isfinite(sum))
        return fabs(diff) < rtol * fabs(a) + rtol * fabs(b) ? 0 : (diff < 0 ? -1 : 1);
    return fabs(diff) / sum < rtol ? 0 : (diff < 0 ? -1 : 1);
}

#endif /* ECO_CORE_H */
