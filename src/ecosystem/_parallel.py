"""Thread-count policy shared by every parallel kernel (the one ``n_jobs`` resolver)."""

import numbers
import os

from . import _core
from .exceptions import InputTypeError, ParameterError


def available_cores():
    """Cores this process may use: OpenMP's limit, the CPU affinity mask, ``os.cpu_count``.

    Returns
    -------
    int
        At least 1; always 1 when ecosystem was built without OpenMP.
    """
    if not _core.openmp_enabled():
        return 1
    cpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(int(_core.max_threads()), cpu or 1))


def effective_n_threads(n_jobs, *, func):
    """Number of OpenMP threads a kernel should use (scikit-learn's ``n_jobs`` semantics).

    Parameters
    ----------
    n_jobs : int or None
        ``None`` means one thread (as in scikit-learn), ``-1`` every available core,
        ``-k`` every core but ``k - 1``; a positive value asks for that many threads and
        is clamped to the available cores (so ``2**40`` means "all of them"). ``0`` is an
        error.
    func : str
        Name of the calling public function, for error messages.

    Returns
    -------
    int
        In ``[1, available_cores()]``; always 1 when ecosystem was built without OpenMP.
        Results never depend on it.
    """
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise InputTypeError(f"{func}: n_jobs must be an int or None; got {n_jobs!r}")
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ParameterError(f"{func}: n_jobs must be non-zero (None, -1 or a count); got 0")
    available = available_cores()
    if n_jobs < 0:
        return max(1, available + 1 + n_jobs)
    return min(n_jobs, available)
