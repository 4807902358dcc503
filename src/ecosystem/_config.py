"""Build and run-time configuration report."""

import platform
import sys

from ._version import __version__


def show_config(file=None):
    """Print the version, the OpenMP build flag and the thread count in effect.

    Parameters
    ----------
    file : file-like, optional
        Where to print (default ``sys.stdout``).

    Returns
    -------
    dict
        The printed facts: ``version``, ``openmp``, ``threads``, ``python``,
        ``platform`` and the versions of numpy, scipy and igraph.

    Examples
    --------
    >>> import ecosystem
    >>> facts = ecosystem.show_config()  # doctest: +SKIP
    version  : 0.1.0
    openmp   : True
    threads  : 2
    ...
    """
    import igraph
    import numpy
    import scipy

    from . import _core
    from ._parallel import available_cores

    facts = {
        "version": __version__,
        "openmp": _core.openmp_enabled(),
        "threads": available_cores(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "igraph": igraph.__version__,
    }
    out = file if file is not None else sys.stdout
    width = max(len(k) for k in facts)
    for key, value in facts.items():
        print(f"{key:<{width}} : {value}", file=out)
    return facts
