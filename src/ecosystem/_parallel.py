"""Thread-count policy shared by every parallel kernel."""

import os

from . import _core
from .exceptions import InputTypeError, ParameterError


def effective_n_threads(n_jobs, *, func):
    """Number of OpenMP threads a kernel should use.

    Parameters
    ----------
    n_jobs : int or None
        ``None`` means every available core (``OMP_NUM_THREADS`` is respected), ``-1``
        every core, ``-k`` every core but ``k - 1``; a positive value is used as is.
        ``0`` is an error.
    func : str
        Name of the calling public function, for error messages.

    Returns
    -------
    int
        At least 1; always 1 when ecosystem was built without OpenMP.
    """
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)):
        raise InputTypeError(f"{func}: n_jobs must be an int or None; got {n_jobs!r}")
    if n_jobs == 0:
        raise ParameterError(f"{func}: n_jobs must be non-zero (None, -1 or a count); got 0")
    if not _core.openmp_enabled():
        return 1
    available = _core.max_threads()
    cpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    available = max(1, min(available, cpu or 1))
    if n_jobs is None or n_jobs == -1:
        return available
    if n_jobs < 0:
        return max(1, available + 1 + n_jobs)
    return n_jobs
