"""The single gate for inputs: every public function validates through these helpers.

Messages follow one pattern: ``"<function>: <parameter> must be <constraint>; got <value>"``.
"""

import numbers

import numpy as np

from .exceptions import InputTypeError, ParameterError

__all__ = [
    "check_option",
    "check_int",
    "check_real",
    "as_1d",
    "as_labels",
    "as_weights",
    "as_bool",
    "check_channels",
    "check_length",
    "check_window",
]


def _show(value, limit=60):
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_option(func, name, value, options):
    """Return ``value`` if it is one of ``options``, else raise ParameterError."""
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise ParameterError(f"{func}: {name} must be one of {allowed}; got {_show(value)}")
    return value


def check_int(func, name, value, *, low=None, high=None, allow_none=False):
    """Return ``value`` as int, checking the closed interval [low, high]."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{func}: {name} must be an integer; got {_show(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ParameterError(f"{func}: {name} must be an integer in [{lo}, {hi}]; got {value}")
    return value


def check_real(func, name, value, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as float, checking that it is finite and inside the interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"{func}: {name} must be a real number; got {_show(value)}")
    value = float(value)
    bad = not np.isfinite(value)
    if low is not None:
        bad |= value <= low if low_open else value < low
    if high is not None:
        bad |= value >= high if high_open else value > high
    if bad:
        lb = "(" if low_open else "["
        hb = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ParameterError(f"{func}: {name} must be a finite number in {lb}{lo}, {hi}{hb}; got {value}")
    return value


def as_1d(func, name, values):
    """Return ``values`` as a 1-D ndarray (no copy when possible)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputTypeError(
            f"{func}: {name} must be one-dimensional; got an array of shape {arr.shape}"
        )
    return arr


def check_length(func, name, arr, expected, what):
    """Raise ParameterError unless ``len(arr) == expected``."""
    if len(arr) != expected:
        raise ParameterError(
            f"{func}: {name} must have one entry per {what} ({expected}); got {len(arr)}"
        )


def _missing_mask(arr):
    if arr.dtype.kind == "f":
        return np.isnan(arr)
    if arr.dtype.kind == "O":
        import pandas as pd

        return pd.isna(arr)
    return np.zeros(arr.shape, dtype=bool)


def as_labels(func, name, values, *, vocabulary=None, allow_missing=False):
    """Encode labels as integer codes.

    Parameters
    ----------
    func, name : str
        Caller and parameter, for messages.
    values : array-like of shape (n,)
        Hashable labels (str, int, ...). Missing values are None or NaN.
    vocabulary : sequence, optional
        Allowed labels in code order. Without it the vocabulary is the sorted set of
        distinct labels, so codes never depend on row order.
    allow_missing : bool
        If True, missing labels get code -1; otherwise they raise ParameterError.

    Returns
    -------
    codes : ndarray of shape (n,), dtype=intp
    vocabulary : tuple
    """
    import pandas as pd

    arr = as_1d(func, name, values)
    missing = _missing_mask(arr)
    if missing.any() and not allow_missing:
        first = int(np.flatnonzero(missing)[0])
        raise ParameterError(
            f"{func}: {name} must not contain missing values (None/NaN); "
            f"got {int(missing.sum())} missing, the first at position {first}"
        )
    if vocabulary is None:
        try:
            codes, uniques = pd.factorize(arr, sort=True, use_na_sentinel=True)
        except TypeError as exc:  # mixed, unorderable labels
            raise InputTypeError(
                f"{func}: {name} must hold labels of one comparable type; {exc}"
            ) from None
        vocab = tuple(uniques.tolist()) if hasattr(uniques, "tolist") else tuple(uniques)
        return np.ascontiguousarray(codes, dtype=np.intp), vocab
    vocab = tuple(vocabulary)
    index = pd.Index(vocab)
    codes = index.get_indexer(pd.Index(arr)) if len(arr) else np.empty(0, dtype=np.intp)
    unknown = (codes < 0) & ~missing
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        raise ParameterError(
            f"{func}: {name} has {int(unknown.sum())} labels outside the vocabulary, "
            f"e.g. {_show(arr[first])} at position {first}"
        )
    return np.ascontiguousarray(codes, dtype=np.intp), vocab


def as_weights(func, name, values, n, *, default=1.0, allow_zero=True, check_values=True):
    """Return finite, non-negative float64 weights of length ``n`` (C-contiguous).

    ``check_values=False`` checks type and length only, for callers whose kernel checks
    the values on its way (and calls again with the check to word the error).
    """
    if values is None:
        return np.full(n, default, dtype=np.float64)
    arr = as_1d(func, name, values)
    if arr.dtype.kind not in "biuf":
        raise InputTypeError(f"{func}: {name} must be numeric; got dtype {arr.dtype}")
    check_length(func, name, arr, n, "row")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not check_values:
        return arr
    bad = ~np.isfinite(arr)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"{func}: {name} must be finite; got {int(bad.sum())} NaN/inf values, "
            f"e.g. {arr[first]} at position {first}"
        )
    neg = arr < 0 if allow_zero else arr <= 0
    if neg.any():
        first = int(np.flatnonzero(neg)[0])
        what = "non-negative" if allow_zero else "positive"
        raise ParameterError(
            f"{func}: {name} must be {what}; got {int(neg.sum())} bad values, "
            f"e.g. {arr[first]} at position {first}"
        )
    return arr


def as_bool(func, name, values, n, *, default=False):
    """Return a uint8 0/1 array of length ``n`` from booleans (or 0/1 integers)."""
    if values is None:
        return np.full(n, int(default), dtype=np.uint8)
    arr = as_1d(func, name, values)
    check_length(func, name, arr, n, "row")
    if arr.dtype.kind == "b":
        return np.ascontiguousarray(arr, dtype=np.uint8)
    if arr.dtype.kind in "iu" and np.isin(arr, (0, 1)).all():
        return np.ascontiguousarray(arr, dtype=np.uint8)
    raise InputTypeError(f"{func}: {name} must be boolean (or 0/1); got dtype {arr.dtype}")


def check_window(func, window):
    """Return ``(first, last)`` of an inclusive year window, checked."""
    try:
        lo, hi = (int(x) for x in window)
    except (TypeError, ValueError):
        raise ParameterError(f"{func}: window must be a pair of years (first, last); got {window!r}") from None
    if lo > hi:
        raise ParameterError(f"{func}: window must have first <= last; got {window!r}")
    return lo, hi


def check_channels(func, channels, available):
    """The channels asked for (one name or several; None = all ``available``), checked."""
    if channels is None:
        return list(available)
    wanted = [channels] if isinstance(channels, str) else list(channels)
    if not wanted:
        raise ParameterError(f"{func}: channels must name at least one channel; got {channels!r}")
    for ch in wanted:
        check_option(func, "channels", ch, tuple(available))
    return wanted
