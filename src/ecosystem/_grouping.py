"""Aggregation of node-aligned values over groups (a region's actors, a country's regions)."""

import numpy as np

from ._validation import as_1d, as_labels, check_length, check_option

_AGGREGATES = ("sum", "mean", "max", "count")


def by_group(values, groups, *, agg="sum", columns=None, func="by_group"):
    """Aggregate node-aligned values per group.

    Parameters
    ----------
    values : array-like of shape (n,) or (n, k)
        One row per node.
    groups : array-like of shape (n,)
        Group label of each node; missing labels (None/NaN, or code -1 when given as
        integer codes with ``labels``) are left out and counted in ``attrs["n_missing"]``.
    agg : {"sum", "mean", "max", "count"}, default "sum"
    columns : sequence of str, optional
        Column names of the result (default ``"value"`` or ``0..k-1``).
    func : str
        Calling function, for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per group (index = group label, sorted), plus an ``n_nodes`` column.
    """
    import pandas as pd

    check_option(func, "agg", agg, _AGGREGATES)
    vals = np.asarray(values, dtype=np.float64)
    squeeze = vals.ndim == 1
    vals = vals.reshape(len(vals), -1)
    grp = as_1d(func, "groups", groups)
    check_length(func, "groups", grp, len(vals), "node")
    codes, vocab = as_labels(func, "groups", grp, allow_missing=True)
    keep = codes >= 0
    codes, vals = codes[keep], vals[keep]
    n_groups = len(vocab)
    counts = np.bincount(codes, minlength=n_groups).astype(np.int64)
    if agg == "max":
        out = np.full((n_groups, vals.shape[1]), -np.inf)
        np.maximum.at(out, codes, vals)
        out[counts == 0] = np.nan
    elif agg == "count":
        out = np.repeat(counts[:, None], vals.shape[1], axis=1).astype(np.float64)
    else:
        out = np.zeros((n_groups, vals.shape[1]))
        np.add.at(out, codes, vals)
        if agg == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                out = out / counts[:, None]
    if columns is None:
        columns = ["value"] if squeeze else list(range(vals.shape[1]))
    frame = pd.DataFrame(out, index=pd.Index(vocab, name="group"), columns=list(columns))
    frame["n_nodes"] = counts
    frame.attrs["n_missing"] = int((~keep).sum())
    frame.attrs["agg"] = agg
    return frame
