r"""Uncertainty of region indicators: hash-derived bootstrap, nulls, intervals, FDR.

Everything random here is *counter-based*: a draw is a pure function of a 64-bit hash of
a label (record, cluster, flow cell, region), a replicate or draw number and the seed,
through the splitmix64 finaliser. Results therefore do not depend on row order, on how
the data are chunked, or on the number of threads, and a bootstrap computed piecewise
(per file, per Dask partition) with :func:`bootstrap_weights` reproduces the in-memory
one exactly.

The weight of unit :math:`u` (record or cluster) in replicate :math:`t` is

.. math::

    h_u = \mathrm{mix}(\mathrm{hash}(u) \oplus \mathrm{mix}(s + \gamma)), \qquad
    x = \mathrm{mix}(h_u + \gamma\,(\lfloor t/2 \rfloor + 1)), \qquad
    w_{ut} = F^{-1}_{\mathrm{Poisson}(1)}(U_t),

with :math:`s` the seed, :math:`\gamma` the 64-bit golden-ratio constant, ``mix`` the
splitmix64 finaliser, and :math:`U_t` the high (even :math:`t`) or low (odd :math:`t`)
32 bits of :math:`x` as a uniform; ``hash`` is :func:`pandas.util.hash_array` of the
label (integers as int64, anything else as its ``str``), which is stable across runs and
machines.

References
----------
.. [1] Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman &
   Hall. doi:10.1201/9780429246593
.. [2] Steele, G. L., Lea, D. & Flood, C. H. (2014). Fast splittable pseudorandom number
   generators. OOPSLA 2014, 453–472. doi:10.1145/2660193.2660195
.. [3] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. Journal
   of the Royal Statistical Society B 57(1), 289–300.
   doi:10.1111/j.2517-6161.1995.tb02031.x
.. [4] Maslov, S. & Sneppen, K. (2002). Specificity and stability in topology of protein
   networks. Science 296(5569), 910–913. doi:10.1126/science.1065103
"""

import numpy as np

from . import _core
from ._parallel import effective_n_threads
from ._validation import as_1d, check_int, check_option, check_real
from .exceptions import ParameterError

__all__ = [
    "bootstrap_weights",
    "label_hashes",
    "percentile_ci",
    "benjamini_hochberg",
    "direction_test",
    "quasi_independence",
    "BOOT_STATS",
]

#: Statistics of every replicate per (channel, region), in kernel order.
BOOT_STATS = tuple(_core.BOOT_STATS)
_S = {name: i for i, name in enumerate(BOOT_STATS)}
_ORG_SALT = np.uint64(0x5BD1E9955BD1E995)
_CLUSTERS = ("record", "actor", "org")


# ---------------------------------------------------------------------------- hashing
def label_hashes(labels):
    """Stable 64-bit hashes of labels (records, clusters, regions, cells).

    Parameters
    ----------
    labels : array-like of shape (n,)
        Integer labels are hashed as int64; any other label as its ``str``.

    Returns
    -------
    ndarray of shape (n,), dtype=uint64
        :func:`pandas.util.hash_array` values (fixed key), identical across runs,
        platforms and processes.

    Examples
    --------
    >>> from ecosystem.uncertainty import label_hashes
    >>> label_hashes([7]).tolist()            # integers are hashed as int64
    [1346066267577507604]
    """
    import pandas as pd

    arr = labels if isinstance(labels, np.ndarray) else np.asarray(labels)
    if arr.ndim != 1:
        arr = np.asarray(list(labels), dtype=object)
    if arr.dtype.kind in "iub":
        vals = arr.astype(np.int64)
    else:
        vals = arr.astype(str).astype(object)
    return np.ascontiguousarray(pd.util.hash_array(vals), dtype=np.uint64)


def _check_seed(func, seed):
    seed = check_int(func, "seed", seed, low=0, high=2**63 - 1)
    return np.uint64(seed)


def bootstrap_weights(labels, replicates, *, seed=0):
    r"""Poisson(1) bootstrap weights of labelled units, derived from hashes.

    The weight of a unit depends only on its label, the replicate number and the seed
    (module docstring), so weights computed for any subset of the units, in any order or
    in separate processes, agree with the weights computed for all of them at once.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Unit labels: record identifiers, or cluster identifiers (applicant, author,
        institution) for a cluster bootstrap.
    replicates : int or array-like of int
        Number of replicates (then replicates 0 .. n-1) or explicit replicate numbers.
    seed : int, default 0
        Non-negative seed.

    Returns
    -------
    ndarray of shape (n_replicates, n), dtype=float64
        Non-negative integer weights, mean 1 and variance 1 per unit.

    Examples
    --------
    >>> import numpy as np
    >>> from ecosystem.uncertainty import bootstrap_weights
    >>> w = bootstrap_weights(["p1", "p2", "p3", "p4"], 3, seed=7)
    >>> w.shape
    (3, 4)
    >>> np.array_equal(bootstrap_weights(["p3", "p1"], 3, seed=7), w[:, [2, 0]])
    True
    """
    func = "bootstrap_weights"
    sk = _check_seed(func, seed)
    keys = _core.hashed_keys(label_hashes(as_1d(func, "labels", labels)), sk)
    if np.ndim(replicates) == 0:
        n = check_int(func, "replicates", replicates, low=0)
        return _core.poisson1_weights(keys, 0, n)
    reps = np.asarray(replicates)
    if reps.dtype.kind not in "iu" or (reps < 0).any():
        raise ParameterError(f"{func}: replicates must be non-negative integers; got {replicates!r}")
    out = np.empty((len(reps), len(keys)))
    for i, t in enumerate(reps.tolist()):
        out[i] = _core.poisson1_weights(keys, int(t), 1)[0]
    return out


# ---------------------------------------------------------------------------- units
def _record_clusters(func, c, cluster):
    """Hash key of the bootstrap unit of every record code, and a description."""
    n_rec = c.n_records
    rec_keys = label_hashes(np.asarray(c.labels["record"]) if n_rec else np.empty(0, np.int64))
    if cluster is None or (isinstance(cluster, str) and cluster == "record"):
        return rec_keys, "record"
    if isinstance(cluster, str):
        check_option(func, "cluster", cluster, _CLUSTERS)
        field = c.actor if cluster == "actor" else c.org
        big = np.iinfo(np.intp).max
        lead_min = np.full(n_rec, big, dtype=np.intp)
        any_min = np.full(n_rec, big, dtype=np.intp)
        ok = field >= 0
        np.minimum.at(any_min, c.record[ok], field[ok])
        lm = ok & c.lead
        np.minimum.at(lead_min, c.record[lm], field[lm])
        code = np.where(lead_min < big, lead_min, any_min)
        labels = c.labels[cluster]
        if len(labels) == 0:
            keys = rec_keys ^ _ORG_SALT
        else:
            lab_keys = label_hashes(np.asarray(labels))
            keys = np.where(code < big, lab_keys[np.minimum(code, len(labels) - 1)],
                            rec_keys ^ _ORG_SALT)
        return np.ascontiguousarray(keys, dtype=np.uint64), f"lead {cluster}"
    arr = as_1d(func, "cluster", cluster)
    if len(arr) != n_rec:
        raise ParameterError(f"{func}: cluster must be 'record', 'actor', 'org' or one label per "
                             f"record ({n_rec}); got an array of length {len(arr)}")
    return label_hashes(arr), "given clusters"


def _layer_mask(flows, layer):
    from .flows import LAYERS

    if layer == "external":
        mask = flows.layers != 0
    else:
        mask = flows.layers == LAYERS.index(layer)
    np.fill_diagonal(mask, False)
    return mask


def _pair_cells(presence, mask):
    """Number the non-zero layer pairs of every channel: (pair_cell, src, dst, rev)."""
    K, R, _ = presence.shape
    nz = (presence != 0) & mask[None, :, :]
    k_idx, l_idx, j_idx = np.nonzero(nz)
    n_pairs = len(k_idx)
    pair_cell = np.full(K * R * R, -1, dtype=np.int64)
    flat = k_idx * R * R + l_idx * R + j_idx
    pair_cell[flat] = np.arange(n_pairs)
    src = k_idx * R + l_idx
    dst = k_idx * R + j_idx
    rev = pair_cell[k_idx * R * R + j_idx * R + l_idx]
    return pair_cell, src.astype(np.int64), dst.astype(np.int64), rev.astype(np.int64)


def stats_from_point(flows, mask, size_override=None):
    """Point statistics (10, K, R) of a flow table, every unit of volume one record."""
    K, R = len(flows.channels), flows.n_regions
    out = np.zeros((len(BOOT_STATS), K, R))
    for k in range(K):
        p = np.where(mask, flows.presence[k], 0.0)
        co = np.where(mask, flows.copresence[k], 0.0)
        out[_S["outbound"], k] = p.sum(axis=1)
        out[_S["inbound"], k] = p.sum(axis=0)
        out[_S["minsum"], k] = np.minimum(p, p.T).sum(axis=1)
        out[_S["internal"], k] = flows.internal[k]
        out[_S["size"], k] = flows.size[k] if flows.size is not None else np.nan
        out[_S["copresence"], k] = co.sum(axis=1)
    v = out[_S["outbound"]] + out[_S["inbound"]]
    out[_S["qd"]] = v
    out[_S["ad"]] = v
    out[_S["qo"]] = out[_S["outbound"]]
    out[_S["qi"]] = out[_S["inbound"]]
    return out


def _units(c, group_ptr, group_record, rec_keys, *, by_record):
    """Bootstrap units as runs of groups, ordered for memory locality.

    Units are ordered by (channel, lead-or-first region, then record code or unit key) of
    their first group — a data-determined order (never the input row order), so that
    consecutive units touch the same cells.

    Returns
    -------
    unit_ptr : ndarray (U + 1,), int64
    unit_groups : ndarray (G,), int64
        Group indices, unit by unit.
    unit_key : ndarray (U,), uint64
        Stable label hash of each unit.
    """
    G = len(group_ptr) - 1
    if G == 0:
        return np.zeros(1, np.int64), np.empty(0, np.int64), np.empty(0, np.uint64)
    starts = group_ptr[:-1]
    lead_pos = np.where(c.lead, np.arange(len(c)), len(c))
    first_lead = np.minimum.reduceat(lead_pos, starts)
    pos = np.where(first_lead < group_ptr[1:], first_lead, starts)
    g_sort = c.channel[starts].astype(np.int64) * c.n_regions + c.region[pos]
    if by_record:
        # groups are sorted by record: every record is a run of groups
        run_start = np.flatnonzero(np.r_[True, group_record[1:] != group_record[:-1]])
        run_len = np.diff(np.r_[run_start, G])
        unit_key = rec_keys[group_record[run_start]]
        order = np.argsort(g_sort[run_start], kind="stable")    # ties: record code order
        lens = run_len[order]
        unit_ptr = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(lens, out=unit_ptr[1:])
        unit_groups = (np.repeat(run_start[order] - unit_ptr[:-1], lens)
                       + np.arange(G, dtype=np.int64)).astype(np.int64)
        return unit_ptr, unit_groups, np.ascontiguousarray(unit_key[order])
    g_keys = rec_keys[group_record]
    unit_key, unit_of_group = np.unique(g_keys, return_inverse=True)
    U = len(unit_key)
    first_group = np.full(U, G, dtype=np.int64)
    np.minimum.at(first_group, unit_of_group, np.arange(G))
    order = np.lexsort((unit_key, g_sort[first_group]))
    rank = np.empty(U, dtype=np.int64)
    rank[order] = np.arange(U)
    unit_of_group = rank[unit_of_group]
    unit_groups = np.ascontiguousarray(np.argsort(unit_of_group, kind="stable"), dtype=np.int64)
    unit_ptr = np.zeros(U + 1, dtype=np.int64)
    np.cumsum(np.bincount(unit_of_group, minlength=U), out=unit_ptr[1:])
    return unit_ptr, unit_groups, np.ascontiguousarray(unit_key[order])


def _in_chunks(compute, replicates, desc, progress=None, step=50):
    """``compute(first, count)`` for every replicate, with a tqdm bar.

    Replicates are keyed by their index, so computing them in chunks gives the same
    numbers as one call; the bar is shown when ``progress`` is True, or is None and
    stderr is a terminal (and tqdm is installed), and there is more than one chunk.
    """
    import sys

    if progress is None:
        progress = getattr(sys.stderr, "isatty", lambda: False)()
    show = replicates > step and bool(progress)
    bar = None
    if show:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover - tqdm is a dependency
            show = False
        else:
            bar = tqdm(total=replicates, desc=desc, unit="rep", leave=False)
    if not show:
        return compute(0, replicates)
    parts = []
    try:
        for b0 in range(0, replicates, step):
            nb = min(step, replicates - b0)
            parts.append(compute(b0, nb))
            bar.update(nb)
    finally:
        bar.close()
    return np.concatenate(parts, axis=0)


def _unit_cells(func, c, cluster, pair_cell, mask, n_pairs, counting, n_threads):
    """Cell values of every bootstrap unit: (cell_ptr, cell, value, unit_key, unit_desc)."""
    K, R = len(c.channels), c.n_regions
    group_ptr = np.ascontiguousarray(c.group_ptr, dtype=np.int64)
    G = len(group_ptr) - 1
    starts = group_ptr[:-1]
    group_record = c.record[starts] if G else np.empty(0, np.intp)
    group_channel = (np.ascontiguousarray(c.channel[starts], dtype=np.intp) if K > 1
                     else np.empty(0, np.intp))
    rec_keys, unit_desc = _record_clusters(func, c, cluster)
    unit_ptr, unit_groups, unit_key = _units(c, group_ptr, group_record, rec_keys,
                                             by_record=unit_desc == "record")
    U = len(unit_key)
    cell_ptr, cell, value = _core.bootstrap_unit_cells(
        unit_ptr, unit_groups, group_ptr, group_channel,
        np.ascontiguousarray(c.region, dtype=np.intp), c.lead.view(np.uint8),
        c.weight, pair_cell, np.ascontiguousarray(mask, dtype=np.uint8).ravel(), R, K,
        n_pairs, counting == "fractional", min(256, max(1, U)), n_threads)
    return cell_ptr, cell, value, unit_key, unit_desc


def contribution_replicates(contributions, flows, *, layer, counting, cluster, seed,
                            replicates, n_jobs, func="classify", progress=None):
    """Point and bootstrap statistics from record-level contributions.

    Parameters
    ----------
    contributions : Contributions
        Already restricted to the channels and window analysed.
    flows : RegionFlows
        ``region_flows(contributions, counting=counting)`` (gives the layer pairs).
    layer : str
        Border layer whose pairs are resampled (or ``"external"``).
    counting : {"full", "fractional"}
    cluster : None, str or array-like
        Bootstrap unit: record (default), lead actor, lead org, or labels per record.
    seed, replicates, n_jobs, progress
        As in :func:`ecosystem.classify`.
    func : str
        Caller name for messages.

    Returns
    -------
    dict
        ``point`` (10, K_all, R), ``replicates`` (B, 10, K_all, R), ``n_units``,
        ``unit`` (description), ``channel_index`` (positions of the flows' channels in
        the contributions' channel vocabulary).
    """
    c = contributions
    n_threads = effective_n_threads(n_jobs, func=func)
    sk = _check_seed(func, seed)
    K, R = len(c.channels), c.n_regions
    channel_index = np.asarray([c.channels.index(ch) for ch in flows.channels], dtype=np.intp)
    presence = np.zeros((K, R, R))
    presence[channel_index] = flows.presence
    mask = _layer_mask(flows, layer)
    pair_cell, src, dst, rev = _pair_cells(presence, mask)
    cell_ptr, cell, value, unit_key, unit_desc = _unit_cells(
        func, c, cluster, pair_cell, mask, len(src), counting, n_threads)
    U = len(unit_key)
    hkeys = _core.hashed_keys(unit_key, sk)
    point = _core.bootstrap_replicate_stats(cell_ptr, cell, value, hkeys, 0, 1, src, dst, rev,
                                            K * R, True, n_threads)[0].reshape(len(BOOT_STATS), K, R)
    reps = _in_chunks(lambda b0, nb: _core.bootstrap_replicate_stats(
        cell_ptr, cell, value, hkeys, b0, nb, src, dst, rev, K * R, False, n_threads),
        replicates, "bootstrap", progress)
    return {
        "point": point,
        "replicates": reps.reshape(replicates, len(BOOT_STATS), K, R),
        "n_units": int(U),
        "unit": unit_desc,
        "channel_index": channel_index,
        "cells": int(len(value)),
    }


def table_replicates(flows, *, layer, seed, replicates, n_jobs, func="classify", progress=None):
    """Point and parametric (Poisson) bootstrap statistics of an aggregated flow table.

    Every non-zero layer cell (presence pair, co-presence pair, internal volume) with
    volume x is redrawn as Poisson(x) per replicate, keyed by the hash of its (channel,
    source, target) labels; sizes are kept fixed.

    Returns
    -------
    dict
        ``point`` (10, K, R), ``replicates`` (B, 10, K, R), ``n_units`` (cells).
    """
    n_threads = effective_n_threads(n_jobs, func=func)
    sk = _check_seed(func, seed)
    K, R = len(flows.channels), flows.n_regions
    mask = _layer_mask(flows, layer)
    point = stats_from_point(flows, mask)
    pair_cell, src, dst, rev = _pair_cells(np.asarray(flows.presence), mask)
    kk, ll, jj = np.divmod(src, R)[0], np.divmod(src, R)[1], np.divmod(dst, R)[1]
    reg = np.asarray(flows.regions, dtype=object)
    ch = np.asarray(flows.channels, dtype=object)

    def cell_keys(kind, k, a, b):
        lab = np.asarray([f"{kind}\x1f{x}\x1f{y}\x1f{z}" for x, y, z in zip(ch[k], reg[a], reg[b])],
                         dtype=object)
        return _core.hashed_keys(label_hashes(lab), sk) if len(lab) else np.empty(0, np.uint64)

    pair_lam = np.ascontiguousarray(np.asarray(flows.presence)[kk, ll, jj], dtype=np.float64)
    co = np.triu(np.ones((R, R), dtype=bool), 1) & mask
    ck, ca, cb = np.nonzero((np.asarray(flows.copresence) != 0) & co[None])
    co_lam = np.ascontiguousarray(np.asarray(flows.copresence)[ck, ca, cb], dtype=np.float64)
    kr_k, kr_r = np.divmod(np.arange(K * R), R)
    internal_lam = np.ascontiguousarray(np.asarray(flows.internal).ravel(), dtype=np.float64)
    size = (np.ascontiguousarray(np.asarray(flows.size).ravel(), dtype=np.float64)
            if flows.size is not None else np.full(K * R, np.nan))
    keys = (cell_keys("p", kk, ll, jj), cell_keys("c", ck, ca, cb), cell_keys("i", kr_k, kr_r, kr_r))
    reps = _in_chunks(lambda b0, nb: _core.parametric_replicate_stats(
        pair_lam, keys[0], src, dst, rev,
        co_lam, keys[1], (ck * R + ca).astype(np.int64), (ck * R + cb).astype(np.int64),
        internal_lam, keys[2], size, b0, nb, n_threads), replicates, "bootstrap", progress)
    return {"point": point, "replicates": reps.reshape(replicates, len(BOOT_STATS), K, R),
            "n_units": int(len(pair_lam) + len(co_lam) + int((internal_lam > 0).sum())),
            "unit": "flow cell (parametric Poisson)"}


# ---------------------------------------------------------------------------- nulls
def direction_test(D, volume, qd, ad, d_ref=0.0):
    r"""Two-sided p-value of directionality under the direction-flip null.

    Each cross-border record's net contribution :math:`d_p` (outbound minus inbound
    volume for the region) keeps its size and gets a random sign, positive with
    probability :math:`q = (1 + D_{ref})/2`. Then

    .. math::

        E_0[D] = (2q - 1)\,\frac{\sum_p |d_p|}{V}, \qquad
        \mathrm{Var}_0[D] = \frac{4q(1-q)\sum_p d_p^2}{V^2},

    with :math:`V = V_{out} + V_{in}`, and the p-value is the normal tail
    :math:`2\Phi(-|D - E_0[D]| / \mathrm{sd}_0[D])`. This is the analytic (large-sample)
    form of the Monte Carlo flip test; it needs only the sufficient statistics
    :math:`\sum|d_p|` and :math:`\sum d_p^2`, which the bootstrap carries per replicate.

    Parameters
    ----------
    D, volume, qd, ad : array-like
        Directionality, :math:`V`, :math:`\sum_p d_p^2`, :math:`\sum_p |d_p|`.
    d_ref : float or array-like, default 0
        Reference directionality (0, or the panel median).

    Returns
    -------
    ndarray
        P-values; NaN where there is no cross-border volume.

    Examples
    --------
    Sixty records out and forty in, each of one unit: D = 0.2, sd_0 = 2 sqrt(0.25 * 100) / 100.

    >>> from ecosystem.uncertainty import direction_test
    >>> round(float(direction_test(0.2, 100, 100, 100)), 4)
    0.0455
    """
    from scipy.special import ndtr

    D, V, qd, ad = (np.asarray(x, dtype=float) for x in (D, volume, qd, ad))
    q = (1.0 + np.asarray(d_ref, dtype=float)) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = (2 * q - 1) * ad / V
        sd = 2 * np.sqrt(q * (1 - q) * qd) / V
        z = np.abs(D - mu) / sd
        p = 2 * ndtr(-z)
    p = np.where(sd > 0, p, np.where(np.isfinite(D) & (V > 0), np.where(D == mu, 1.0, 0.0), np.nan))
    return p


def quasi_independence(table, mask, *, tol=1e-10, max_iter=1000):
    r"""Expected flows under quasi-independence, fitted by iterative proportional fitting.

    The model :math:`\mu_{rj} = a_r b_j` for the cells allowed by ``mask`` (zero on the
    diagonal and outside the layer: structural zeros) with the observed row and column
    sums, :math:`\sum_j \mu_{rj} = \sum_j n_{rj}` and :math:`\sum_r \mu_{rj} =
    \sum_r n_{rj}` — the maximum-likelihood fit of the Poisson log-linear model
    :math:`\log \mu_{rj} = \alpha_r + \beta_j` on the incomplete table (Goodman 1968;
    Bishop, Fienberg & Holland 1975, ch. 5). It keeps every region's outbound and inbound
    volume and removes any association between a pair's two directions: the null of "no
    reciprocity beyond the margins".

    Parameters
    ----------
    table : array-like of shape (R, R)
        Non-negative flows (row = source).
    mask : array-like of shape (R, R), bool
        Cells that may hold flow.
    tol : float, default 1e-10
        Largest relative margin error at convergence.
    max_iter : int, default 1000
        Iteration cap (IPF converges linearly; a few dozen sweeps are typical).

    Returns
    -------
    ndarray of shape (R, R)
        The fitted means (0 outside ``mask``).

    References
    ----------
    .. [1] Goodman, L. A. (1968). The analysis of cross-classified data: independence,
       quasi-independence, and interactions in contingency tables with or without
       missing entries. JASA 63(324), 1091–1131. doi:10.1080/01621459.1968.10480916
    .. [2] Bishop, Y. M. M., Fienberg, S. E. & Holland, P. W. (1975). Discrete Multivariate
       Analysis. MIT Press. doi:10.1007/978-0-387-72806-3

    Examples
    --------
    >>> import numpy as np
    >>> from ecosystem.uncertainty import quasi_independence
    >>> n = np.array([[0, 6, 2], [3, 0, 3], [5, 1, 0]], dtype=float)
    >>> mu = quasi_independence(n, ~np.eye(3, dtype=bool))
    >>> np.allclose(mu.sum(axis=1), n.sum(axis=1)), np.allclose(mu.sum(axis=0), n.sum(axis=0))
    (True, True)
    """
    n = np.where(mask, np.asarray(table, dtype=float), 0.0)
    M = np.asarray(mask, dtype=float)
    rows, cols = n.sum(axis=1), n.sum(axis=0)
    a = (rows > 0).astype(float)
    b = (cols > 0).astype(float)
    for _ in range(max_iter):
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(rows > 0, rows / (M @ b), 0.0)
            b = np.where(cols > 0, cols / (M.T @ a), 0.0)
        a = np.nan_to_num(a, posinf=0.0)
        b = np.nan_to_num(b, posinf=0.0)
        fit_rows = a * (M @ b)
        err = np.abs(fit_rows - rows).max(initial=0.0)
        if err <= tol * max(rows.max(initial=0.0), 1.0):
            break
    return a[:, None] * b[None, :] * M


def reciprocity_null(presence, mask, outbound, inbound, qo, qi, *, channel_labels,
                     region_labels, n_null, seed, n_jobs=None, func="region_metrics"):
    r"""Null draws of partner reciprocity R under quasi-independence of the flows.

    The layer's flow table of each channel is fitted by quasi-independence
    (:func:`quasi_independence`: :math:`\mu_{rj} = a_r b_j` with zero diagonal, every
    region's out- and in-volume kept), and region r's flows are redrawn from it:
    :math:`o^0_{rj} \sim s_o\,\mathrm{Poisson}(\mu_{rj}/s_o)`,
    :math:`i^0_{rj} \sim s_i\,\mathrm{Poisson}(\mu_{jr}/s_i)`, independently, with
    :math:`s_o = \sum_p o_p^2 / V_{out}` the volume of one effective record
    (:math:`n_o = V_{out}^2 / \sum_p o_p^2` effective records; :math:`s_o = 1` when each
    record weighs one, so fractional and clustered data get the wider spread of fewer,
    heavier units). Each draw gives :math:`R^0 = \sum_j 2\min(o^0_{rj}, i^0_{rj}) /
    \sum_j (o^0_{rj} + i^0_{rj})`. The test is a parametric (Monte Carlo) bootstrap
    test of the fitted null; on tables drawn from the model it rejects at the nominal
    rate (tests/test_uncertainty.py checks 5 % ± 2 % at alpha = 0.05).

    Parameters
    ----------
    presence : ndarray of shape (K, R, R)
    mask : ndarray of shape (R, R), bool
        Pairs of the layer.
    outbound, inbound, qo, qi : ndarray of shape (K, R)
        Layer volumes and sums of squared per-record volumes.
    channel_labels, region_labels : sequence
        Labels; draws are keyed by their hashes (relabelling regions permutes results).
    n_null, seed, n_jobs : int

    Returns
    -------
    ndarray of shape (K, R, n_null)
        NaN rows where the region has no volume or no partner.

    References
    ----------
    .. [1] Goodman, L. A. (1968). doi:10.1080/01621459.1968.10480916
    .. [2] Squartini, T., Picciolo, F., Ruzzenenti, F. & Garlaschelli, D. (2013).
       Reciprocity of weighted networks. Scientific Reports 3, 2729. doi:10.1038/srep02729
    """
    n_threads = effective_n_threads(n_jobs, func=func)
    sk = _check_seed(func, seed)
    K, R, _ = presence.shape
    lam_out = np.zeros((K, R, R))
    lam_in = np.zeros((K, R, R))
    with np.errstate(divide="ignore", invalid="ignore"):
        s_o = np.where((qo > 0) & (outbound > 0), qo / outbound, 1.0)
        s_i = np.where((qi > 0) & (inbound > 0), qi / inbound, 1.0)
    for k in range(K):
        # fitted on the table and on its transpose: swapping in and out is exact
        mu = 0.5 * (quasi_independence(presence[k], mask) + quasi_independence(presence[k].T, mask.T).T)
        lam_out[k] = mu / s_o[k][:, None]
        lam_in[k] = mu.T / s_i[k][:, None]
    ch_keys = label_hashes(np.asarray(channel_labels, dtype=object))
    reg_keys = label_hashes(np.asarray(region_labels, dtype=object))
    kr_keys = _core.hashed_keys(np.ascontiguousarray(
        (ch_keys[:, None] * np.uint64(0x9E3779B97F4A7C15) ^ reg_keys[None, :]).ravel()), sk)
    draws = _core.reciprocity_null(
        np.ascontiguousarray(lam_out.reshape(K * R, R)), np.ascontiguousarray(lam_in.reshape(K * R, R)),
        np.ascontiguousarray(s_o.ravel()), np.ascontiguousarray(s_i.ravel()), kr_keys, reg_keys,
        int(n_null), n_threads, True)
    return draws.reshape(K, R, n_null)


def null_summary(observed, draws, *, alpha):
    """Mean, upper (1 - alpha) quantile and one-sided p-value of observed vs draws.

    Parameters
    ----------
    observed : ndarray of shape (...)
    draws : ndarray of shape (..., n)
    alpha : float

    Returns
    -------
    mean, upper, p : ndarray of shape (...)
        ``p = (1 + #{draw >= observed}) / (1 + #valid draws)``.
    """
    import warnings

    valid = np.isfinite(draws)
    n = valid.sum(axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(draws, axis=-1)
    upper = nanquantile(draws, 1 - alpha, axis=-1)
    ge = (draws >= observed[..., None] - 1e-12) & valid
    p = np.where((n > 0) & np.isfinite(observed), (1 + ge.sum(axis=-1)) / (1 + n), np.nan)
    return mean, upper, p


def openness_expectation(activity, mask):
    r"""Expected openness under random mixing (the label-permutation null, analytic).

    When region labels are permuted over partner ends, preserving every region's total
    activity :math:`a_j`, a partner end of region r's records lands in j with
    probability :math:`a_j / \sum_m a_m`. Restricted to the layer L (the denominator of
    O holds internal and layer volumes only):

    .. math::  E_0[O_r] = \frac{\sum_{j \in L(r)} a_j}{a_r + \sum_{j \in L(r)} a_j}.

    This is the exact expectation of the partner-end share (for large activities; the
    finite-population correction :math:`a_r - 1` is ignored).

    Parameters
    ----------
    activity : ndarray of shape (K, R)
    mask : ndarray of shape (R, R), bool

    Returns
    -------
    ndarray of shape (K, R)
    """
    a = np.where(np.isfinite(activity), activity, 0.0)
    A = a @ mask.T.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(A + a > 0, A / (A + a), np.nan)


def brokerage_null(adjacency, groups, region_labels, *, n_null, seed, swaps_per_edge=10,
                   n_jobs=None, func="region_metrics"):
    r"""Gould–Fernandez role counts and their degree-preserving rewiring null.

    Roles (sna semantics; methodology chapter, brokerage): node b scores for each ordered pair
    (i, k), i → b → k with no i → k; gatekeeper (``b_OI``: i outside, b and k in one
    group), representative (``b_IO``: i and b in one group, k outside), liaison
    (``b_O``: three groups). The null rewires the directed graph by Maslov–Sneppen swaps
    (in- and out-degrees kept); the permutation z of a role is
    :math:`(x - \bar x_0)/s_0` over the draws.

    Draws are made on a canonical form of the graph — nodes ordered by the hash of their
    label, and the orientation (graph or its transpose) with the lexicographically
    smaller arc list — so relabelling regions permutes the results and transposing the
    graph swaps gatekeeper and representative *exactly*.

    Parameters
    ----------
    adjacency : ndarray of shape (R, R)
        Non-zero = arc (diagonal ignored).
    groups : array-like of shape (R,)
        Group (country) labels.
    region_labels : sequence of length R
    n_null, seed, swaps_per_edge, n_jobs : int

    Returns
    -------
    dict
        ``raw``, ``mean``, ``sd``, ``z``: ndarrays of shape (R, 5), columns
        ``w_I, w_O, b_IO, b_OI, b_O``; ``orientation`` ("graph" or "transpose").
    """
    import pandas as pd

    n_threads = effective_n_threads(n_jobs, func=func)
    sk = _check_seed(func, seed)
    A = (np.asarray(adjacency) != 0)
    R = A.shape[0]
    np.fill_diagonal(A, False)
    order = np.lexsort((np.arange(R), label_hashes(np.asarray(region_labels, dtype=object))))
    Ac = A[np.ix_(order, order)]
    e_g = np.argwhere(Ac)
    e_t = np.argwhere(Ac.T)
    transpose = False
    if len(e_g):
        diff = np.flatnonzero((e_g != e_t).any(axis=1))
        if len(diff):
            i = diff[0]
            transpose = tuple(e_t[i]) < tuple(e_g[i])
    if transpose:
        Ac = Ac.T
    gcodes = pd.factorize(pd.Index(np.asarray(groups, dtype=object)[order]), sort=True)[0]
    counts = _core.brokerage_rewire_counts(
        np.ascontiguousarray(Ac, dtype=np.uint8), np.ascontiguousarray(gcodes, dtype=np.intp),
        int(n_null), sk, int(swaps_per_edge), n_threads)
    # moments in the canonical form, then back to the caller's orientation and order
    raw = counts[0]
    null = counts[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = null.mean(axis=0) if len(null) else np.full_like(raw, np.nan)
        sd = null.std(axis=0, ddof=1) if len(null) > 1 else np.full_like(raw, np.nan)
        z = np.where(sd > 0, (raw - mean) / sd, np.nan)
    cols = [0, 1, 3, 2, 4] if transpose else [0, 1, 2, 3, 4]
    inv = np.empty(R, dtype=np.intp)
    inv[order] = np.arange(R)
    raw, mean, sd, z = (np.ascontiguousarray(x[inv][:, cols]) for x in (raw, mean, sd, z))
    return {"raw": raw, "mean": mean, "sd": sd, "z": z,
            "orientation": "transpose" if transpose else "graph"}


# ---------------------------------------------------------------------------- summaries
def nanquantile(a, q, *, axis=-1, keepdims=False):
    """Quantile ignoring NaN, numpy's default ("linear") definition, vectorised by sorting.

    Equivalent to :func:`numpy.nanquantile` with a scalar ``q`` but without its
    per-slice Python loop (NaN sort last, so each slice's valid values come first).

    Parameters
    ----------
    a : array-like
        Values; NaN and infinities are ignored.
    q : float in [0, 1]
        The quantile.
    axis : int, default -1
        Axis along which the quantile is taken.
    keepdims : bool, default False
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray
        NaN for slices without a finite value.

    Examples
    --------
    >>> import numpy as np
    >>> from ecosystem.uncertainty import nanquantile
    >>> float(nanquantile([1.0, np.nan, 3.0, 2.0], 0.5))
    2.0
    """
    a = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    a = np.where(np.isfinite(a), a, np.nan)
    srt = np.sort(a, axis=-1)
    n = np.isfinite(srt).sum(axis=-1, keepdims=True)
    h = (n - 1) * q
    lo = np.clip(np.floor(h).astype(np.intp), 0, max(a.shape[-1] - 1, 0))
    hi = np.clip(lo + 1, 0, np.maximum(n - 1, 0))
    if a.shape[-1] == 0:
        out = np.full(a.shape[:-1] + (1,), np.nan)
    else:
        x_lo = np.take_along_axis(srt, lo, axis=-1)
        x_hi = np.take_along_axis(srt, hi, axis=-1)
        out = x_lo + (h - lo) * (x_hi - x_lo)
        out = np.where(n > 0, out, np.nan)
    out = np.moveaxis(out, -1, axis)
    return out if keepdims else np.squeeze(out, axis=axis)


def percentile_ci(samples, *, level=0.95, axis=0):
    """Percentile bootstrap interval (Efron & Tibshirani 1993, §13.3).

    Parameters
    ----------
    samples : ndarray
        Replicate values along ``axis``; NaN replicates are ignored.
    level : float, default 0.95
        Coverage of the interval.
    axis : int, default 0
        The replicate axis.

    Returns
    -------
    lo : ndarray
        The (1 - level)/2 quantile; NaN when no replicate is finite.
    hi : ndarray
        The (1 + level)/2 quantile.

    Examples
    --------
    >>> import numpy as np
    >>> from ecosystem.uncertainty import percentile_ci
    >>> lo, hi = percentile_ci(np.arange(101.0), level=0.9)
    >>> round(float(lo), 6), round(float(hi), 6)
    (5.0, 95.0)
    """
    check_real("percentile_ci", "level", level, low=0, high=1, low_open=True, high_open=True)
    lo = nanquantile(samples, (1 - level) / 2, axis=axis)
    hi = nanquantile(samples, (1 + level) / 2, axis=axis)
    return lo, hi


def benjamini_hochberg(pvalues):
    r"""Benjamini–Hochberg adjusted p-values (q-values); NaN entries are left out.

    :math:`q_{(i)} = \min_{j \ge i} \min(1, m\,p_{(j)} / j)` over the m finite p-values
    sorted increasingly.

    Parameters
    ----------
    pvalues : array-like
        P-values in [0, 1]; NaN entries are ignored and stay NaN.

    Returns
    -------
    ndarray
        Same shape; NaN where the input is NaN.

    Examples
    --------
    >>> from ecosystem.uncertainty import benjamini_hochberg
    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    """
    p = np.asarray(pvalues, dtype=float)
    if p.size and ((p[np.isfinite(p)] < 0) | (p[np.isfinite(p)] > 1)).any():
        raise ParameterError("benjamini_hochberg: pvalues must lie in [0, 1]")
    flat = p.ravel()
    out = np.full(flat.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(flat))
    m = len(ok)
    if m:
        order = ok[np.argsort(flat[ok], kind="stable")]
        ranked = flat[order] * m / np.arange(1, m + 1)
        q = np.minimum.accumulate(ranked[::-1])[::-1]
        out[order] = np.minimum(q, 1.0)
    return out.reshape(p.shape)


# ---------------------------------------------------------------------------- partitioned bootstrap
# The record bootstrap split into a linear part (per-cell sums of the units' cells, which
# add up over any partition of the records) and the statistics formed from the totals.
# ecosystem.distributed computes the sums per snapshot partition on Dask workers, adds
# them in a fixed order and forms the statistics once, so classify gets the replicates
# of the in-memory run (:func:`contribution_replicates`).
def bootstrap_design(flows, *, layer):
    """Cell space of the record bootstrap: the non-zero layer pairs of ``flows``.

    Parameters
    ----------
    flows : RegionFlows
        Flows of all the records (the sum over every partition).
    layer : str
        Border layer whose pairs are resampled (or ``"external"``).

    Returns
    -------
    dict
        ``channels``, ``n_regions``, ``mask`` (R, R), ``pair_cell`` (K*R*R),
        ``src``, ``dst``, ``rev`` (pairs) and ``n_cells``.
    """
    K, R = len(flows.channels), flows.n_regions
    mask = _layer_mask(flows, layer)
    pair_cell, src, dst, rev = _pair_cells(np.asarray(flows.presence), mask)
    return {"channels": tuple(flows.channels), "n_regions": R, "mask": mask,
            "pair_cell": pair_cell, "src": src, "dst": dst, "rev": rev,
            "n_cells": int(len(src) + len(_core.BOOT_REGION_CELLS) * K * R)}


def bootstrap_cell_sums(contributions, design, *, counting, cluster, seed, replicates,
                        n_jobs=None, func="classify", max_block=1 << 22, units=None):
    """Point and replicate totals of every bootstrap cell over some records.

    The totals are linear in the records: the sums of any partition of the records into
    parts add up to those of the whole (exactly for integer cell values, i.e. full
    counting; to rounding otherwise), because every unit's Poisson weight depends only
    on its label, the replicate and the seed.

    Parameters
    ----------
    contributions : Contributions
        Records of one part, with ``labels["channel"] == design["channels"]`` (restrict
        and recode channels first).
    design : dict
        From :func:`bootstrap_design` on the flows of all the records.
    counting : {"full", "fractional"}
    cluster : None, "record", "actor" or "org"
        Bootstrap unit (labels per record are not supported piecewise).
    seed, replicates : int
    n_jobs : int or None
    func : str
        Name used in error messages.
    max_block : int
        Largest number of (replicate x unit) weights held at once.
    units : dict, optional
        Filled with ``n_units`` (bootstrap units of this part) and ``unit_cells`` (their
        non-zero cells), as :func:`contribution_replicates` counts them.

    Returns
    -------
    ndarray of shape (1 + replicates, n_cells), dtype=float64
        Row 0: unit weights 1 (the point estimate); row 1 + t: replicate t.
    """
    from scipy import sparse

    c = contributions
    if tuple(c.channels) != tuple(design["channels"]):
        raise ParameterError(f"{func}: the contributions' channels {list(c.channels)} are not the "
                             f"design's {list(design['channels'])}")
    if cluster is not None and not isinstance(cluster, str):
        raise ParameterError(f"{func}: cluster labels per record cannot be used piecewise; use "
                             f"'record', 'actor' or 'org'")
    n_threads = effective_n_threads(n_jobs, func=func)
    sk = _check_seed(func, seed)
    n_cells = design["n_cells"]
    out = np.zeros((1 + replicates, n_cells))
    if units is not None:
        units.update(n_units=0, unit_cells=0)
    if len(c.group_ptr) <= 1:
        return out
    cell_ptr, cell, value, unit_key, _ = _unit_cells(
        func, c, cluster, design["pair_cell"], design["mask"], len(design["src"]), counting,
        n_threads)
    U = len(unit_key)
    if units is not None:
        units.update(n_units=int(U), unit_cells=int(len(value)))
    out[0] = np.bincount(cell, weights=value, minlength=n_cells)
    if replicates:
        hkeys = _core.hashed_keys(unit_key, sk)
        step = max(1, max_block // max(replicates, 1))
        for u0 in range(0, U, step):
            u1 = min(U, u0 + step)
            e0, e1 = int(cell_ptr[u0]), int(cell_ptr[u1])
            if e1 == e0:
                continue
            w = _core.poisson1_weights(hkeys[u0:u1], 0, replicates)      # (B, units)
            v = sparse.csr_matrix((value[e0:e1], cell[e0:e1], cell_ptr[u0:u1 + 1] - e0),
                                  shape=(u1 - u0, n_cells))
            out[1:] += np.asarray((v.T @ w.T).T)
    return out


def stats_from_cell_sums(sums, design):
    """Per-(channel, region) statistics of cell totals, by the replicate kernel.

    Parameters
    ----------
    sums : ndarray of shape (n, n_cells)
        Totals from :func:`bootstrap_cell_sums`, added over every part.
    design : dict
        From :func:`bootstrap_design`.

    Returns
    -------
    ndarray of shape (n, 10, K, R)
        Statistics in :data:`BOOT_STATS` order, exactly as
        :func:`contribution_replicates` forms them from the same totals.
    """
    K, R = len(design["channels"]), design["n_regions"]
    n_cells = design["n_cells"]
    ptr = np.asarray([0, n_cells], dtype=np.int64)
    cell = np.arange(n_cells, dtype=np.int32)
    one = np.zeros(1, dtype=np.uint64)
    out = np.empty((len(sums), len(BOOT_STATS), K, R))
    for t in range(len(sums)):
        # one unit of weight 1 holding the totals: the kernel's accumulator equals them
        out[t] = _core.bootstrap_replicate_stats(
            ptr, cell, np.ascontiguousarray(sums[t]), one, 0, 1, design["src"], design["dst"],
            design["rev"], K * R, True, 1)[0].reshape(len(BOOT_STATS), K, R)
    return out
