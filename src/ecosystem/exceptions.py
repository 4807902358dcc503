"""Exceptions and warnings raised by ecosystem.

Every error class also derives from the matching built-in (``ValueError``,
``TypeError``, ...), so ``except ValueError`` keeps working. Messages name the
function, the parameter, what was expected and what arrived.
"""

__all__ = [
    "EcosystemError",
    "ParameterError",
    "InputTypeError",
    "GraphFormatError",
    "UnknownRegionError",
    "DataFormatError",
    "ConvergenceError",
    "OptionalDependencyError",
    "EcosystemWarning",
    "ConvergenceWarning",
]


class EcosystemError(Exception):
    """Base class of every error raised by ecosystem."""


class ParameterError(EcosystemError, ValueError):
    """A parameter has a value outside its documented domain."""


class InputTypeError(EcosystemError, TypeError):
    """A parameter has the wrong type or dtype."""


class GraphFormatError(EcosystemError, ValueError):
    """A graph or adjacency matrix cannot be used (not square, negative weights, ...)."""


class UnknownRegionError(EcosystemError, ValueError):
    """A region code or location is not known to the region map in use."""


class DataFormatError(EcosystemError, ValueError):
    """An input file or table is malformed; the message names the file, line and field.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    path : str, optional
        The file that holds the bad record.
    line : int, optional
        1-based line (or record) number.
    field : str, optional
        The field or column at fault.
    """

    def __init__(self, message, *, path=None, line=None, field=None):
        self.path = path
        self.line = line
        self.field = field
        where = ":".join(str(x) for x in (path, line) if x is not None)
        prefix = f"{where}: " if where else ""
        suffix = f" (field {field!r})" if field is not None else ""
        super().__init__(f"{prefix}{message}{suffix}")


class ConvergenceError(EcosystemError, RuntimeError):
    """An iterative method did not converge.

    Parameters
    ----------
    message : str
        Description of the failure.
    n_iter : int
        Iterations performed.
    """

    def __init__(self, message, *, n_iter):
        self.n_iter = n_iter
        super().__init__(f"{message} (after {n_iter} iterations)")


class OptionalDependencyError(EcosystemError, ImportError):
    """An optional dependency needed by the called function is not installed.

    Parameters
    ----------
    package : str
        The missing import name.
    extra : str
        The ``pip install ecosystem[extra]`` extra that provides it.
    purpose : str
        What it is needed for.
    """

    def __init__(self, package, *, extra, purpose):
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs the optional package {package!r}; "
            f"install it with: pip install 'ecosystem[{extra}]'"
        )


class EcosystemWarning(UserWarning):
    """Base class of ecosystem's warnings."""


class ConvergenceWarning(EcosystemWarning):
    """An iterative method stopped before reaching its tolerance."""
