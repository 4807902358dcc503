r"""Trajectories: how each region's type changes between year windows, with joint uncertainty.

:func:`trajectories` classifies every window with the rules, panel, size model and nulls
of :func:`ecosystem.classify`, and relates consecutive windows through **one joint
bootstrap**: every replicate resamples the same units in every window, so a change
between two windows (:math:`\Delta D`, a label transition) has a bootstrap distribution
of its own instead of two independent ones (methodology chapter, trajectories).

* Record-level data: the Poisson(1) weight of a record (or cluster) in replicate
  :math:`t` is a function of its label hash, :math:`t` and the seed only
  (:mod:`ecosystem.uncertainty`), so the record carries the same weight in every window
  it falls in, and :math:`\Delta D^{*}_t = D^{*}_{w_2,t} - D^{*}_{w_1,t}`. The windows'
  flows and replicate statistics are built in one pass over the records (every window
  is a block of cells of one bootstrap).
* Origin–destination tables with a year column: every (channel, origin, destination,
  year) cell is redrawn as Poisson of its count, from a stream keyed by the cell-year
  and the replicate; a window's cell is the sum of its years' draws, so overlapping
  windows share the draws of their common years exactly and disjoint windows are drawn
  independently.
"""

from pathlib import Path
from types import MappingProxyType

import numpy as np

from ._validation import check_channels, check_int, check_option
from .exceptions import InputTypeError, ParameterError
from .results import LABELS, format_number

__all__ = ["windows", "parse_windows", "trajectories", "Trajectories"]



# ============================================================================ windows
def windows(start, end, width, step=None):
    """Year windows of equal width: tiling (default) or rolling.

    Parameters
    ----------
    start, end : int
        First and last year covered (inclusive).
    width : int
        Years per window (>= 1).
    step : int, optional
        Years between window starts (default ``width``: tiling windows; smaller:
        overlapping, rolling windows). Windows that would end after ``end`` are left out.

    Returns
    -------
    list of (int, int)
        Inclusive (first, last) years, in order.

    Raises
    ------
    ParameterError
        ``width`` or ``step`` below 1, or no complete window between ``start`` and ``end``.

    Examples
    --------
    >>> from ecosystem.trajectories import windows
    >>> windows(1999, 2018, 5)
    [(1999, 2003), (2004, 2008), (2009, 2013), (2014, 2018)]
    >>> windows(2000, 2006, 3, step=2)
    [(2000, 2002), (2002, 2004), (2004, 2006)]
    """
    func = "windows"
    start = check_int(func, "start", start)
    end = check_int(func, "end", end)
    width = check_int(func, "width", width, low=1)
    step = width if step is None else check_int(func, "step", step, low=1)
    out = [(a, a + width - 1) for a in range(start, end - width + 2, step)]
    if not out:
        raise ParameterError(f"{func}: no complete window of {width} years between {start} and {end}")
    return out


def parse_windows(spec):
    """Windows from a ``START:END:WIDTH[:STEP]`` text (the CLI's ``--windows``).

    Parameters
    ----------
    spec : str
        For example ``"1999:2018:5"`` (tiling) or ``"1998:2018:5:1"`` (rolling).

    Returns
    -------
    list of (int, int)
        As :func:`windows` returns.

    Raises
    ------
    ParameterError
        Not three or four integers separated by colons.

    Examples
    --------
    >>> from ecosystem.trajectories import parse_windows
    >>> parse_windows("2000:2005:3")
    [(2000, 2002), (2003, 2005)]
    """
    parts = str(spec).split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        nums = []
    if len(nums) not in (3, 4):
        raise ParameterError(f"windows: expected START:END:WIDTH[:STEP] (integers), e.g. 1999:2018:5; "
                             f"got {spec!r}")
    return windows(*nums)


def _check_windows(func, wins):
    from ._validation import check_window

    if isinstance(wins, str):
        wins = parse_windows(wins)
    try:
        wins = [check_window(func, w) for w in wins]
    except TypeError:
        raise ParameterError(f"{func}: windows must be a list of (first, last) year pairs; got {wins!r}") from None
    if len(wins) < 2:
        raise ParameterError(f"{func}: a trajectory needs at least two windows; got {wins!r}")
    if len(set(wins)) != len(wins):
        raise ParameterError(f"{func}: windows must be distinct; got {wins!r}")
    if sorted(wins) != wins:
        raise ParameterError(f"{func}: windows must be in time order (by first year); got {wins!r}")
    return wins


def _label(w):
    return f"{w[0]}-{w[1]}"


# ============================================================================ public API
def trajectories(data, windows, *, channels=None, bootstrap=1000, seed=0, size=None, internal=None,
                 change_adjust=None, n_jobs=None, **classify_options):
    r"""Classify regions in several year windows and test the changes between them jointly.

    Every window is classified as :func:`ecosystem.classify` classifies it (same rules,
    panel, size model and nulls, per window); the windows share one joint bootstrap, so
    for every region, channel and pair of consecutive windows :math:`w_1 \to w_2`

    .. math::

        \Delta D = D_{w_2} - D_{w_1}, \qquad
        \Delta D^{*}_t = D^{*}_{w_2,t} - D^{*}_{w_1,t}\quad (t = 1..B),

    with the percentile interval of the :math:`\Delta D^{*}_t` at level
    :math:`1-\alpha` (``alpha``, default 0.05), the two-sided bootstrap p-value
    :math:`p = \min\{1, 2\min(1 + \#\{\Delta D^* \le 0\}, 1 + \#\{\Delta D^* \ge 0\})/(1 + B')\}`
    over the :math:`B'` finite replicates, and the *transition stability*: the share of
    replicates whose labels in :math:`w_1` and :math:`w_2` are the point labels of both.
    :math:`D^{*}_{w,t}` are the bias-corrected replicates of the window's own intervals
    and labels (re-centred on :math:`D_w`, as in :func:`ecosystem.classify`).

    Parameters
    ----------
    data : Contributions, ReadResult or pandas.DataFrame
        Record-level contributions (joint record bootstrap) or an origin–destination
        table with a year column (joint parametric bootstrap per cell-year); the
        ``columns`` option names its columns as in :func:`ecosystem.classify`.
    windows : list of (int, int) or str
        Inclusive year windows in time order (see :func:`windows`), or a
        ``"START:END:WIDTH[:STEP]"`` text; at least two.
    channels : str or sequence of str, optional
        Channels to follow (default: every channel).
    bootstrap : int, default 1000
        Joint replicates B (at least 1: a change needs its bootstrap).
    seed : int, default 0
        Seed of every counter-based draw.
    size, internal : dict, pandas.Series or callable, optional
        Region sizes and internal volumes as :func:`ecosystem.classify` takes them: one
        mapping for every window, a dict ``{window: mapping}``, or a function of the
        window returning the mapping.
    change_adjust : {None, "bh"}, default None
        Multiple testing across regions, channels and window pairs: None (default)
        calls a change in D significant when its p < ``alpha`` (the CI excludes 0);
        ``"bh"`` when its Benjamini–Hochberg q < ``alpha`` over all those tests (false
        discovery rate). q-values are always reported.
    n_jobs : int or None
        OpenMP threads (None: one, as in :func:`ecosystem.classify`); results are
        identical for any value.
    **classify_options
        Any other option of :func:`ecosystem.classify` except ``window`` (``layer``,
        ``counting``, ``reference``, ``cluster``, ``n_null``, ``panel``, ``countries``,
        ``adjust``, ``backbone_alpha``, ``brokerage_rule``, ``columns``,
        ``sensitivity``, ``thresholds`` (a :class:`ecosystem.Thresholds` record) or
        single thresholds such as ``alpha`` and ``d_threshold``), checked by classify's
        own validation.

    Returns
    -------
    Trajectories
        ``table`` (region x channel x window, the regions active in the window),
        ``pairs`` (every region x channel x consecutive pair with activity in either
        window), ``changes`` (the pairs whose label differs or whose change
        in D is significant), ``transitions`` (type-to-type counts with bootstrap CIs),
        ``explain(region)``.

    Raises
    ------
    ParameterError
        Fewer than two windows, windows out of order, unknown options, a table without
        a year column, ``bootstrap=0``.
    InputTypeError
        Data other than Contributions or a table.

    Notes
    -----
    *Why a joint bootstrap.* Two overlapping windows share the records of their common
    years, so :math:`D_{w_1}` and :math:`D_{w_2}` are positively correlated and
    :math:`\mathrm{Var}(\Delta D) = \mathrm{Var}(D_{w_1}) + \mathrm{Var}(D_{w_2}) -
    2\,\mathrm{Cov}`; combining two separately bootstrapped intervals ignores the
    covariance and makes changes look less certain than they are (and, for the label
    transitions, pairs replicate labels that never occurred together). Resampling each
    record once for all windows reproduces the covariance; for disjoint windows it is
    zero and the joint bootstrap reduces to independent ones.

    *Multiple testing.* A panel of R regions, K channels and W windows carries
    :math:`R K (W-1)` change tests; with ``change_adjust=None`` about
    :math:`\alpha` of the unchanged ones are flagged by chance, ``"bh"`` controls the
    false discovery rate instead. ``params["multiple_testing"]`` states which was used.

    Examples
    --------
    >>> import ecosystem as eco
    >>> c, _ = eco.datasets.planted(n_regions=20, records_per_region=300, years=(2000, 2005),
    ...                             channels=("academic",), seed=2)
    >>> tr = eco.trajectories(c, eco.windows(2000, 2005, 3), bootstrap=50, n_null=99)
    >>> tr.table.groupby("window").size().to_dict()
    {'2000-2002': 20, '2003-2005': 20}
    >>> list(tr.pairs.columns[2:7])
    ['channel', 'from_window', 'to_window', 'from_label', 'to_label']
    >>> bool(((tr.pairs.delta_D_low <= tr.pairs.delta_D) | tr.pairs.delta_D.isna()).mean() > 0.9)
    True
    """
    from .classification import classify_options as check_classify_options
    from .classification import classify_window
    from .contributions import Contributions

    func = "trajectories"
    wins = _check_windows(func, windows)
    bootstrap = check_int(func, "bootstrap", bootstrap, low=1, high=10**6)
    seed = check_int(func, "seed", seed, low=0, high=2**63 - 1)
    if change_adjust is not None:
        check_option(func, "change_adjust", change_adjust, ("bh",))
    # classify's own validation: the same options, thresholds and domains
    thr, opts = check_classify_options(func, bootstrap=bootstrap, seed=seed, n_jobs=n_jobs,
                                       **classify_options)
    alpha = thr["alpha"]

    if isinstance(getattr(data, "contributions", None), Contributions):
        data = data.contributions
    if isinstance(data, Contributions):
        chs = check_channels(func, channels, data.channels)
        joint = _joint_contributions(func, data, wins, chs, layer=opts["layer"], counting=opts["counting"],
                                     cluster=opts["cluster"], seed=seed, bootstrap=bootstrap,
                                     countries=opts["countries"], n_jobs=n_jobs,
                                     progress=opts["progress"])
    elif hasattr(data, "columns") and hasattr(data, "to_numpy"):
        if opts["cluster"] is not None:
            raise ParameterError(f"{func}: cluster needs record-level Contributions; got "
                                 f"cluster={opts['cluster']!r} with a flow table")
        joint = _joint_table(func, data, wins, channels=channels, columns=opts["columns"],
                             countries=opts["countries"], layer=opts["layer"], seed=seed,
                             bootstrap=bootstrap)
        chs = joint["channels"]
    else:
        raise InputTypeError(f"{func}: data must be Contributions or an origin-destination DataFrame with "
                             f"a year column (a RegionFlows has no years); got {type(data).__name__}")

    parts = []
    for w, win in enumerate(wins):
        window_opts = dict(opts, channels=chs, size=_per_window(func, "size", size, win, wins),
                           internal=_per_window(func, "internal", internal, win, wins))
        parts.append(classify_window(data, win, resolved=joint["resolved"][w], func=func, **window_opts,
                                     **thr))
    return _assemble(parts, wins, chs, alpha=alpha, change_adjust=change_adjust, joint=joint,
                     bootstrap=bootstrap, seed=seed)


# ============================================================================ helpers
def _per_window(func, name, value, win, wins):
    if value is None:
        return None
    if callable(value):
        return value(win)
    if isinstance(value, dict) and value and all(isinstance(k, tuple) for k in value):
        keys = {tuple(int(x) for x in k): v for k, v in value.items()}
        if win not in keys:
            raise ParameterError(f"{func}: {name} has no entry for window {win}; it has {sorted(keys)}")
        return keys[win]
    return value


def _plain(info):
    out = {}
    for k, v in dict(info).items():
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[str(k)] = v
        elif isinstance(v, (tuple, list)) and all(isinstance(x, (str, int, float)) for x in v):
            out[str(k)] = list(v)
    return out


# ============================================================================ joint: records
def _joint_contributions(func, c, wins, chs, *, layer, counting, cluster, seed, bootstrap, countries,
                         n_jobs, progress=None):
    """Flows and replicate statistics of every window from one pass over the records.

    The records of window w and channel k become the pseudo-channel ``w * K + k`` of one
    stacked Contributions (a record in two overlapping windows appears in both); one
    bootstrap of the stack gives every window's replicates with the same record weights.
    """
    from .contributions import Contributions
    from .flows import RegionFlows, region_flows
    from .uncertainty import contribution_replicates

    codes = sorted(c.channels.index(ch) for ch in chs)
    K, W = len(codes), len(wins)
    kmap = np.full(len(c.channels), -1, dtype=np.intp)
    kmap[codes] = np.arange(K)
    kk = kmap[c.channel]
    year = c.year
    lo = np.asarray([w[0] for w in wins])
    hi = np.asarray([w[1] for w in wins])
    disjoint = bool((hi[:-1] < lo[1:]).all())
    if disjoint:
        wi = np.searchsorted(lo, year, side="right") - 1
        ok = (wi >= 0) & (kk >= 0)
        ok &= year <= hi[np.clip(wi, 0, W - 1)]
        rows = np.flatnonzero(ok)
        pch = wi[rows] * K + kk[rows]
    else:
        sel = [np.flatnonzero((kk >= 0) & (year >= a) & (year <= b)) for a, b in wins]
        rows = np.concatenate(sel)
        pch = np.concatenate([w * K + kk[s] for w, s in enumerate(sel)])
    rec = c.record[rows]
    # rows must be sorted by (record, channel, actor): true when every record lies in one
    # window (its rows keep their order); otherwise sort
    if len(rows) > 1:
        step_rec = np.diff(rec)
        if (step_rec < 0).any() or ((step_rec == 0) & (np.diff(pch) < 0)).any():
            order = np.lexsort((c.actor[rows], pch, rec))
            rows, pch, rec = rows[order], pch[order], rec[order]
    labels = dict(c.labels)
    labels["channel"] = tuple(f"{c.channels[codes[k]]}@{_label(w)}" for w in wins for k in range(K))
    stack = Contributions(record=rec, actor=c.actor[rows], org=c.org[rows], region=c.region[rows],
                          role=c.role[rows], channel=pch, year=year[rows], lead=c.lead[rows],
                          weight=c.weight[rows], labels=labels, region_map=c.region_map,
                          info=dict(c.info))
    if countries is None and c.region_map is None and isinstance(c.info.get("countries"), dict):
        countries = c.info["countries"]

    def all_channels(flows):
        """Arrays for every pseudo-channel (windows without records are zero)."""
        pos = [labels["channel"].index(ch) for ch in flows.channels]
        out = {}
        for name in ("presence", "copresence", "internal", "size"):
            arr = np.asarray(getattr(flows, name))
            full = np.zeros((W * K,) + arr.shape[1:])
            full[pos] = arr
            out[name] = full
        return out

    default_cluster = cluster is None
    if default_cluster:
        # classify's design: clusters of the lead actor where actors exist, else records
        cluster = "actor" if len(stack) and (np.asarray(stack.actor) >= 0).any() else "record"
    flows = region_flows(stack, counting=counting, countries=countries, n_jobs=n_jobs)
    arrs = all_channels(flows)
    full = RegionFlows(regions=flows.regions, countries=flows.countries, parents=flows.parents,
                       channels=labels["channel"], presence=arrs["presence"],
                       copresence=arrs["copresence"], internal=arrs["internal"], size=arrs["size"],
                       counting=counting, info=dict(flows.info))
    boot = contribution_replicates(stack, full, layer=layer, counting=counting, cluster=cluster,
                                   seed=seed, replicates=bootstrap, n_jobs=n_jobs, func=func,
                                   progress=progress)
    ci = boot["channel_index"]
    point, reps = boot["point"][:, ci], boot["replicates"][:, :, ci]
    n_records = (arrs["size"] if counting == "full" else
                 all_channels(region_flows(stack, counting="full", countries=countries,
                                           n_jobs=n_jobs))["size"])
    # records and contributions per window
    starts = stack.group_ptr[:-1]
    g_win = stack.channel[starts] // max(K, 1)
    g_rec = stack.record[starts]
    # a record's groups in one window are contiguous (rows sorted by record, then window)
    first = np.ones(len(starts), dtype=bool)
    first[1:] = (g_rec[1:] != g_rec[:-1]) | (g_win[1:] != g_win[:-1])
    n_rec_w = np.bincount(g_win[first], minlength=W).tolist()
    n_con_w = np.bincount(pch // max(K, 1), minlength=W)
    user = [codes.index(c.channels.index(ch)) for ch in chs]
    design = {"kind": (("cluster" if boot["unit"] != "record" else "record")
                       + " bootstrap (Poisson weights from label hashes), joint across windows"),
              "unit": boot["unit"], "n_units": boot["n_units"], "unit_cells": boot["cells"],
              "default": default_cluster,
              "why": ("default: the lead actor of each record where actors exist, else the record"
                      if default_cluster else "cluster= given")}
    resolved = []
    for w, win in enumerate(wins):
        idx = [w * K + u for u in user]
        info = dict(flows.info, window=win, records=n_rec_w[w])
        fw = RegionFlows(regions=flows.regions, countries=flows.countries, parents=flows.parents,
                         channels=tuple(chs), presence=arrs["presence"][idx],
                         copresence=arrs["copresence"][idx], internal=arrs["internal"][idx],
                         size=arrs["size"][idx], counting=counting, info=info)
        provenance = {"contributions": _plain(c.info), "flows": _plain(info),
                      "n_contributions": int(n_con_w[w])}
        resolved.append((fw, point[:, idx], reps[:, :, idx], n_records[idx], design, provenance))
    return {"resolved": resolved, "design": design, "channels": list(chs),
            "n_contributions": int(len(rows))}


# ============================================================================ joint: tables
def _joint_table(func, frame, wins, *, channels, columns, countries, layer, seed, bootstrap):
    """Window flows and a joint parametric bootstrap of an origin–destination table.

    Every (channel, origin, destination, year) cell with count x is drawn as Poisson(x)
    from a generator keyed by (seed, replicate) over the cell-years in the order of
    their label hashes; a window's cell is the sum of its years' draws.
    """
    import scipy.sparse as sp

    from .flows import LAYERS, RegionFlows
    from .uncertainty import BOOT_STATS, label_hashes

    names = {"source": "source", "target": "target", "weight": "weight", "time": "time",
             "channel": "channel"}
    if columns is not None:
        if not isinstance(columns, dict):
            raise InputTypeError(f"{func}: columns must be a dict of column names; got {type(columns).__name__}")
        bad = set(columns) - set(names)
        if bad:
            raise ParameterError(f"{func}: columns has unknown keys {sorted(bad)}; known are {sorted(names)}")
        names.update(columns)
    for key in ("source", "target", "time"):
        if names[key] not in frame.columns:
            what = "a year column" if key == "time" else f"a {key} column"
            raise ParameterError(f"{func}: the table needs {what} {names[key]!r}; columns are "
                                 f"{list(frame.columns)} (name it with columns={{'{key}': ...}})")
    weight = names["weight"] if names["weight"] in frame.columns else None
    regions = sorted(set(frame[names["source"]].tolist()) | set(frame[names["target"]].tolist()), key=str)
    if names["channel"] in frame.columns:
        chs = check_channels(func, channels, sorted(set(frame[names["channel"]].tolist()), key=str))
        by_channel = [(ch, frame[frame[names["channel"]] == ch]) for ch in chs]
    else:
        chs = ["talent"] if channels is None else check_channels(
            func, channels, [channels] if isinstance(channels, str) else list(channels))[:1]
        by_channel = [(chs[0], frame)]
    years = sorted({y for a, b in wins for y in range(a, b + 1)})
    K, W, R, Y = len(chs), len(wins), len(regions), len(years)
    P = np.zeros((Y, K, R, R))
    C = np.zeros((Y, K, R, R))
    I_ = np.zeros((Y, K, R))
    first = None
    for k, (ch, sub) in enumerate(by_channel):
        t = sub[names["time"]].to_numpy()
        for yi, y in enumerate(years):
            rows = sub[t == y]
            f = RegionFlows.from_pandas(rows, source=names["source"], target=names["target"],
                                        weight=weight, channel=ch, regions=regions, countries=countries)
            P[yi, k], C[yi, k], I_[yi, k] = f.presence[0], f.copresence[0], f.internal[0]
            if first is None:
                first = f
    if first is None:
        first = RegionFlows.from_pandas(frame.iloc[:0], source=names["source"], target=names["target"],
                                        weight=weight, channel=chs[0], regions=regions, countries=countries)
    layers = first.layers
    mask = (layers != 0) if layer == "external" else (layers == LAYERS.index(layer))
    np.fill_diagonal(mask, False)
    in_win = np.asarray([[a <= y <= b for y in years] for a, b in wins])      # (W, Y)

    # components: cell-years with a positive count
    reg = np.asarray(regions, dtype=object)
    ch_arr = np.asarray(chs, dtype=object)
    yp, kp, lp, jp = np.nonzero((P > 0) & mask[None, None])
    co_mask = np.triu(np.ones((R, R), dtype=bool), 1) & mask
    yc, kc, ac, bc = np.nonzero((C > 0) & co_mask[None, None])
    yi_, ki, ri = np.nonzero(I_ > 0)
    yr = np.asarray(years)
    text = ([f"p\x1f{ch_arr[k]}\x1f{reg[a]}\x1f{reg[b]}\x1f{yr[y]}" for y, k, a, b in zip(yp, kp, lp, jp)]
            + [f"c\x1f{ch_arr[k]}\x1f{reg[a]}\x1f{reg[b]}\x1f{yr[y]}" for y, k, a, b in zip(yc, kc, ac, bc)]
            + [f"i\x1f{ch_arr[k]}\x1f{reg[r]}\x1f{yr[y]}" for y, k, r in zip(yi_, ki, ri)])
    lam = np.concatenate([P[yp, kp, lp, jp], C[yc, kc, ac, bc], I_[yi_, ki, ri]])
    keys = label_hashes(np.asarray(text, dtype=object)) if text else np.empty(0, np.uint64)
    order = np.argsort(keys, kind="stable")
    n_p, n_c = len(yp), len(yc)
    kind = np.repeat([0, 1, 2], [n_p, n_c, len(yi_)])
    comp_year = np.concatenate([yp, yc, yi_])
    comp_k = np.concatenate([kp, kc, ki])
    comp_a = np.concatenate([lp, ac, ri])
    comp_b = np.concatenate([jp, bc, ri])
    # membership of components in window cells, then window cells -> statistics
    WKR = W * K * R
    n_stats = len(BOOT_STATS)
    S = {name: i for i, name in enumerate(BOOT_STATS)}
    mem_comp, mem_cell = [], []
    for w in range(W):
        m = np.flatnonzero(in_win[w, comp_year])
        mem_comp.append(m)
        base = (w * K + comp_k[m]) * R
        cell = np.where(kind[m] == 2, WKR * R + base + comp_a[m],            # internal cells after pairs
                        (base + comp_a[m]) * R + comp_b[m])
        cell = np.where(kind[m] == 1, WKR * R + WKR + (base + comp_a[m]) * R + comp_b[m], cell)
        mem_cell.append(cell)
    mem_comp = np.concatenate(mem_comp) if mem_comp else np.empty(0, np.intp)
    mem_cell = np.concatenate(mem_cell) if mem_cell else np.empty(0, np.intp)
    ucell, cell_id = np.unique(mem_cell, return_inverse=True)
    n_comp, n_cell = len(lam), len(ucell)
    M = sp.csr_matrix((np.ones(len(mem_comp)), (mem_comp, cell_id)), shape=(n_comp, n_cell))
    is_pair = ucell < WKR * R
    is_int = (ucell >= WKR * R) & (ucell < WKR * R + WKR)
    is_co = ucell >= WKR * R + WKR
    pc = np.flatnonzero(is_pair)
    src = ucell[pc] // R                      # (w, k, l) index = (w*K + k)*R + l
    dst = (ucell[pc] // (R * R)) * R + ucell[pc] % R
    rev_flat = (ucell[pc] // (R * R)) * R * R + (ucell[pc] % R) * R + (ucell[pc] // R) % R
    rev = np.searchsorted(ucell, rev_flat)
    rev = np.where((rev < n_cell) & (ucell[np.minimum(rev, n_cell - 1)] == rev_flat), rev, -1)
    has_rev = rev >= 0
    ones_p = np.ones(len(pc))
    S_out = sp.csr_matrix((ones_p, (pc, src)), shape=(n_cell, WKR))
    S_in = sp.csr_matrix((ones_p, (pc, dst)), shape=(n_cell, WKR))
    S_min = sp.csr_matrix((np.ones(int(has_rev.sum())), (np.arange(int(has_rev.sum())), src[has_rev])),
                          shape=(int(has_rev.sum()), WKR))
    ic = np.flatnonzero(is_int)
    S_int = sp.csr_matrix((np.ones(len(ic)), (ic, ucell[ic] - WKR * R)), shape=(n_cell, WKR))
    cc = np.flatnonzero(is_co)
    co_flat = ucell[cc] - WKR * R - WKR
    co_a = co_flat // R
    co_b = (co_flat // (R * R)) * R + co_flat % R
    S_co = sp.csr_matrix((np.ones(2 * len(cc)), (np.r_[cc, cc], np.r_[co_a, co_b])), shape=(n_cell, WKR))

    def stats(values):
        """(T, n_comp) component values -> (T, 10, W*K, R) statistics."""
        mul = lambda A, X: np.asarray(A.T @ X.T).T  # noqa: E731  (X @ A, A sparse)
        cellv = mul(M, values)
        out = np.zeros((len(values), n_stats, WKR))
        out[:, S["outbound"]] = mul(S_out, cellv)
        out[:, S["inbound"]] = mul(S_in, cellv)
        out[:, S["minsum"]] = mul(S_min, np.minimum(cellv[:, pc[has_rev]], cellv[:, rev[has_rev]]))
        out[:, S["internal"]] = mul(S_int, cellv)
        out[:, S["size"]] = np.nan
        out[:, S["copresence"]] = mul(S_co, cellv)
        v = out[:, S["outbound"]] + out[:, S["inbound"]]
        out[:, S["qd"]] = v
        out[:, S["ad"]] = v
        out[:, S["qo"]] = out[:, S["outbound"]]
        out[:, S["qi"]] = out[:, S["inbound"]]
        return out.reshape(len(values), n_stats, W * K, R)

    point = stats(lam[None, :])[0]
    lam_sorted = lam[order]
    reps = np.empty((bootstrap, n_stats, W * K, R))
    chunk = 64
    for t0 in range(0, bootstrap, chunk):
        t1 = min(bootstrap, t0 + chunk)
        draws = np.empty((t1 - t0, n_comp))
        for t in range(t0, t1):
            d = np.random.default_rng([seed, t, 0x7472616A]).poisson(lam_sorted)
            draws[t - t0, order] = d
        reps[t0:t1] = stats(draws)

    design = {"kind": "parametric Poisson bootstrap of the flow cells per year, joint across windows",
              "unit": "flow cell-year (parametric Poisson)", "n_units": int(n_comp)}
    resolved = []
    for w, win in enumerate(wins):
        yy = in_win[w]
        info = dict(first.info, window=win, source="origin-destination table")
        fw = RegionFlows(regions=first.regions, countries=first.countries, parents=first.parents,
                         channels=tuple(chs), presence=P[yy].sum(axis=0), copresence=C[yy].sum(axis=0),
                         internal=I_[yy].sum(axis=0), size=None, counting="given", info=info)
        sl = slice(w * K, (w + 1) * K)
        resolved.append((fw, point[:, sl], reps[:, :, sl], np.full((K, R), np.nan), design,
                         {"flows": _plain(info)}))
    return {"resolved": resolved, "design": design, "channels": list(chs), "n_contributions": None}


# ============================================================================ assembly
def _assemble(parts, wins, chs, *, alpha, change_adjust, joint, bootstrap, seed):
    import pandas as pd

    from .uncertainty import benjamini_hochberg, percentile_ci

    W = len(wins)
    table = pd.concat([p["table"] for p in parts], ignore_index=True)
    table.insert(table.columns.get_loc("window") + 1, "window_index",
                 np.repeat(np.arange(W), [len(p["table"]) for p in parts]))
    regions_tab = pd.concat([p["regions"] for p in parts], ignore_index=True)
    flows0 = joint["resolved"][0][0]
    regions, countries = list(flows0.regions), np.asarray(flows0.countries, dtype=object)
    # the full (channel, region) grid of every window; tables keep the active rows only
    D = np.stack([p["grid"]["D"] for p in parts])                                           # (W, K, R)
    lab = np.stack([p["grid"]["label"] for p in parts])
    stab = np.stack([p["grid"]["stability"] for p in parts])
    act = np.stack([p["grid"]["active"] for p in parts])
    rD = np.stack([p["replicates"]["D"] for p in parts])                                    # (W, B, K, R)
    rlab = np.stack([p["replicates"]["label"] for p in parts])

    # --- every consecutive pair
    dD = D[1:] - D[:-1]                                                   # (W-1, K, R)
    rdD = rD[1:] - rD[:-1]                                                # (W-1, B, K, R)
    lo, hi = percentile_ci(rdD, level=1 - alpha, axis=1)
    valid = np.isfinite(rdD)
    n = valid.sum(axis=1)
    le = ((rdD <= 0) & valid).sum(axis=1)
    ge = ((rdD >= 0) & valid).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where((n > 0) & np.isfinite(dD), np.minimum(1.0, 2 * (1 + np.minimum(le, ge)) / (1 + n)), np.nan)
    q = benjamini_hochberg(p)
    same = (rlab[:-1] == lab[:-1, None]) & (rlab[1:] == lab[1:, None])
    t_stab = same.mean(axis=1)                                            # (W-1, K, R)
    sig = (q if change_adjust == "bh" else p) < alpha
    rows = []
    for w in range(W - 1):
        for k, ch in enumerate(chs):
            keep = act[w, k] | act[w + 1, k]          # active in at least one of the two windows
            rows.append(pd.DataFrame({
                "region": regions, "country": countries, "channel": ch,
                "from_window": _label(wins[w]), "to_window": _label(wins[w + 1]),
                "from_label": np.asarray(LABELS, dtype=object)[lab[w, k]],
                "to_label": np.asarray(LABELS, dtype=object)[lab[w + 1, k]],
                "D_from": D[w, k], "D_to": D[w + 1, k], "delta_D": dD[w, k],
                "delta_D_low": lo[w, k], "delta_D_high": hi[w, k], "p_value": p[w, k], "q_value": q[w, k],
                "significant": sig[w, k], "label_changed": lab[w, k] != lab[w + 1, k],
                "transition_stability": t_stab[w, k],
                "from_stability": stab[w, k], "to_stability": stab[w + 1, k],
            })[keep])
    pairs = pd.concat(rows, ignore_index=True)

    # --- panel transitions: counts from -> to per channel and pair, with replicate CIs
    L = len(LABELS)
    trows = []
    for w in range(W - 1):
        for k, ch in enumerate(chs):
            keep = act[w, k] | act[w + 1, k]                               # regions with activity
            n_keep = int(keep.sum())
            point_cnt = np.bincount(lab[w, k, keep] * L + lab[w + 1, k, keep], minlength=L * L)
            rep_code = rlab[w, :, k][:, keep] * L + rlab[w + 1, :, k][:, keep]  # (B, regions)
            rep_cnt = np.stack([np.bincount(x, minlength=L * L) for x in rep_code])
            c_lo, c_hi = percentile_ci(rep_cnt.astype(float), level=1 - alpha, axis=0)
            for cell in np.flatnonzero((point_cnt > 0) | (c_hi > 0)):
                a, b = divmod(int(cell), L)
                trows.append({"channel": ch, "from_window": _label(wins[w]), "to_window": _label(wins[w + 1]),
                              "from_label": LABELS[a], "to_label": LABELS[b], "count": int(point_cnt[cell]),
                              "count_low": float(c_lo[cell]), "count_high": float(c_hi[cell]),
                              "replicate_mean": float(rep_cnt[:, cell].mean()),
                              "share": float(point_cnt[cell] / n_keep) if n_keep else np.nan})
    transitions = pd.DataFrame(trows, columns=["channel", "from_window", "to_window", "from_label", "to_label",
                                               "count", "count_low", "count_high", "replicate_mean", "share"])

    params = dict(parts[0]["params"])
    params.pop("window", None)
    params["windows"] = [list(w) for w in wins]
    params["data"] = [pp["params"]["data"] for pp in parts]
    params["bootstrap_design"] = dict(joint["design"])
    params["change_alpha"] = alpha
    params["change_adjust"] = change_adjust
    n_tests = int(np.isfinite(p).sum())
    params["multiple_testing"] = (
        f"{n_tests} change tests (regions x channels x consecutive window pairs with D defined in both); "
        + ("significance is a Benjamini-Hochberg q-value below alpha across all of them (false "
           "discovery rate control)" if change_adjust == "bh" else
           "significance is the unadjusted p-value below alpha (the CI of delta D excludes 0); about "
           "alpha of the unchanged regions are flagged by chance; q-values (Benjamini-Hochberg across all "
           "tests) are reported, change_adjust='bh' uses them"))
    params["per_window"] = [{k: pp["params"][k] for k in ("size_source", "internal_source", "volume_basis",
                                                          "panel", "brokerage_status")}
                            for pp in parts]
    return Trajectories(table, pairs, transitions, regions_tab, params)


# ============================================================================ result
class Trajectories:
    """Region types per window and the changes between consecutive windows.

    Returned by :func:`trajectories`. Immutable: attributes cannot be set, the tables
    are copied on access and ``params`` is a read-only mapping.

    Parameters
    ----------
    table, pairs, transitions, regions : pandas.DataFrame
        See Attributes.
    params : dict
        Windows, thresholds, options, bootstrap design, versions and provenance.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per region, channel and window with every column of
        :attr:`ecosystem.Classification.table` (``label``, ``D`` with ``D_lo`` /
        ``D_hi``, ``R``, ``openness``, ``stability``, ...) and ``window_index``.
    pairs : pandas.DataFrame
        One row per region, channel and pair of consecutive windows: ``from_window``,
        ``to_window``, ``from_label``, ``to_label``, ``D_from``, ``D_to``, ``delta_D``
        with its joint bootstrap CI (``delta_D_low``, ``delta_D_high``, level
        1 - alpha), ``p_value``, ``q_value`` (Benjamini–Hochberg over every pair),
        ``significant``, ``label_changed``, ``transition_stability`` (share of
        replicates showing the same from → to labels), ``from_stability``,
        ``to_stability``.
    changes : pandas.DataFrame
        The pairs whose label changed or whose change in D is significant.
    transitions : pandas.DataFrame
        Per channel and pair of consecutive windows, the number of regions going from
        each label to each label (``count``) with its bootstrap interval
        (``count_low``, ``count_high``), the replicate mean and the share of regions.
    regions : pandas.DataFrame
        Overall label per region and window (as :attr:`ecosystem.Classification.regions`).
    params : mapping
        ``windows``, ``change_alpha``, ``change_adjust``, ``multiple_testing`` (what a
        significant change means here), ``bootstrap_design`` and the classify
        parameters of the first window (``per_window`` and ``data`` per window).
    """

    __slots__ = ("_table", "_pairs", "_transitions", "_regions", "_params")

    def __init__(self, table, pairs, transitions, regions, params):
        import copy

        object.__setattr__(self, "_table", table.copy())
        object.__setattr__(self, "_pairs", pairs.copy())
        object.__setattr__(self, "_transitions", transitions.copy())
        object.__setattr__(self, "_regions", regions.copy())
        object.__setattr__(self, "_params", MappingProxyType(copy.deepcopy(dict(params))))

    def __setattr__(self, name, value):
        raise AttributeError(f"Trajectories is immutable; cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"Trajectories is immutable; cannot delete {name!r}")

    @property
    def table(self):
        """Per region, channel and window results (a copy)."""
        return self._table.copy()

    @property
    def pairs(self):
        """Every region x channel x consecutive window pair (a copy)."""
        return self._pairs.copy()

    @property
    def changes(self):
        """Pairs whose label changed or whose change in D is significant (a copy)."""
        t = self._pairs
        return t[t["label_changed"] | t["significant"]].reset_index(drop=True)

    @property
    def transitions(self):
        """Panel label-to-label counts between consecutive windows (a copy)."""
        return self._transitions.copy()

    @property
    def regions(self):
        """Overall label per region and window (a copy)."""
        return self._regions.copy()

    @property
    def params(self):
        """Parameters, versions and provenance (read-only mapping)."""
        return self._params

    @property
    def windows(self):
        """The windows as (first, last) tuples."""
        return [tuple(w) for w in self._params["windows"]]

    # ------------------------------------------------------------------ words
    def explain(self, region, channel=None):
        """The region's path through the windows in words.

        Parameters
        ----------
        region : str
            Region label.
        channel : str, optional
            One channel (default: every channel).

        Returns
        -------
        str
            Per channel: the label and stability in every window, then every change
            with its ΔD, CI, p-value (q-value under ``change_adjust="bh"``) and
            transition stability.

        Raises
        ------
        ParameterError
            Unknown region or channel.
        """
        t = self._table
        if region not in set(t["region"]):
            raise ParameterError(f"Trajectories.explain: unknown region {region!r}")
        chs = list(dict.fromkeys(t["channel"]))
        if channel is not None:
            check_option("Trajectories.explain", "channel", channel, tuple(chs))
            chs = [channel]
        level = format_number(100 * (1 - self._params["change_alpha"]), 0)
        use_q = self._params["change_adjust"] == "bh"
        lines = []
        for ch in chs:
            sub = t[(t["region"] == region) & (t["channel"] == ch)].sort_values("window_index")
            path = " → ".join(f"{lab} in {win} (stability {format_number(st, 2)})"
                              for lab, win, st in zip(sub["label"], sub["window"], sub["stability"]))
            lines.append(f"{region}, {ch}: {path}.")
            pr = self._pairs[(self._pairs["region"] == region) & (self._pairs["channel"] == ch)]
            for row in pr.itertuples(index=False):
                if not (row.label_changed or row.significant):
                    continue
                what = (f"changed from {row.from_label} to {row.to_label}" if row.label_changed
                        else f"stayed {row.from_label}")
                pq = f"q = {format_number(row.q_value, 3)}" if use_q else f"p = {format_number(row.p_value, 3)}"
                sig = "significant" if row.significant else "not significant"
                lines.append(
                    f"  {row.from_window} → {row.to_window}: {what}; D {format_number(row.D_from)} → {format_number(row.D_to)}, "
                    f"ΔD = {format_number(row.delta_D)} ({level}% CI {format_number(row.delta_D_low)} to "
                    f"{format_number(row.delta_D_high)}, {pq}, {sig}); transition stability "
                    f"{format_number(row.transition_stability, 2)}.")
            if not ((pr["label_changed"]) | (pr["significant"])).any():
                lines.append("  No label change and no significant change in D between consecutive windows.")
        return "\n".join(lines)

    def summary_text(self):
        """A paragraph on the changes, with their CIs, for a report.

        Returns
        -------
        str
            How many comparisons changed label or D, the firmest label changes with
            their ΔD intervals and transition stabilities, and the multiple-testing
            caveat.
        """
        p = self._pairs
        ch = self.changes
        level = format_number(100 * (1 - self._params["change_alpha"]), 0)
        n_tests = int(np.isfinite(p["p_value"]).sum())
        lab = ch[ch["label_changed"]]
        firm = lab[lab["transition_stability"] >= 0.9]
        crit = ("Benjamini–Hochberg q" if self._params["change_adjust"] == "bh" else "unadjusted p")
        text = [f"Across {len(self.windows)} windows ({', '.join(_label(w) for w in self.windows)}), "
                f"{len(lab)} of {len(p)} region × channel × window-pair comparisons changed label "
                f"({len(firm)} with transition stability ≥ 0.9), and D changed significantly in "
                f"{int(p['significant'].sum())} of {n_tests} tests ({crit} < "
                f"{format_number(self._params['change_alpha'])}, {level}% joint bootstrap CIs)."]
        top = lab.sort_values("transition_stability", ascending=False).head(5)
        if len(top):
            items = [f"{r.region} ({r.channel}) {r.from_label} → {r.to_label} between {r.from_window} and "
                     f"{r.to_window}, ΔD = {format_number(r.delta_D)} [{format_number(r.delta_D_low)}, {format_number(r.delta_D_high)}], "
                     f"transition stability {format_number(r.transition_stability, 2)}" for r in top.itertuples()]
            text.append("The firmest label changes: " + "; ".join(items) + ".")
        if self._params["change_adjust"] != "bh":
            text.append("Significance is not adjusted for multiple testing: about "
                        f"{format_number(100 * self._params['change_alpha'], 0)}% of unchanged comparisons are "
                        "flagged by chance (q-values are in changes.csv).")
        return " ".join(text)

    def methods_text(self):
        """How the windows and the joint bootstrap were done, for a methods section.

        Returns
        -------
        str
            The windows, the joint bootstrap design, the ΔD interval and p-value, the
            transition stability and the multiple-testing rule.
        """
        pr = self._params
        wins = ", ".join(_label(w) for w in self.windows)
        overlap = any(a[1] >= b[0] for a, b in zip(self.windows[:-1], self.windows[1:]))
        design = pr["bootstrap_design"]
        unit = design.get("unit", "")
        if "parametric" in design.get("kind", ""):
            how = ("every origin–destination cell-year was redrawn as Poisson of its count and a window's "
                   "cells are the sums of their years' draws, so overlapping windows share the draws of "
                   "their common years")
        else:
            how = (f"every bootstrap unit ({unit}) got one Poisson(1) weight per replicate, derived from "
                   "a hash of its label, the replicate number and the seed, and kept that weight in every "
                   "window it falls in")
        return (f"Regions were classified in {len(self.windows)} "
                f"{'overlapping' if overlap else 'consecutive'} year windows ({wins}) with the rules, "
                f"panel, size model and nulls of the single-window classification applied per window. "
                f"Uncertainty comes from one joint bootstrap of B = {pr['bootstrap']} replicates (seed "
                f"{pr['seed']}): {how}. The change in directionality between consecutive windows, "
                f"ΔD = D(w2) − D(w1), has the percentile interval of its replicates ΔD* = D*(w2) − D*(w1) "
                f"(level {format_number(1 - pr['change_alpha'])}) and a two-sided bootstrap p-value; a label "
                f"transition's stability is the share of replicates with the same pair of labels. "
                f"Multiple testing: {pr['multiple_testing']}.")

    # ------------------------------------------------------------------ output
    def to_csv(self, directory):
        """Write trajectories.csv, changes.csv and transitions.csv.

        Parameters
        ----------
        directory : str or path-like
            Output directory (created if needed).

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        files = []
        for name, frame in (("trajectories.csv", self._table), ("changes.csv", self.changes),
                            ("transitions.csv", self._transitions)):
            path = out / name
            frame.to_csv(path, index=False)
            files.append(path)
        return files

    def write(self, directory, *, plots=True, regions=None, formats=("png",)):
        """Write the CSV files and, optionally, the trajectory and alluvial charts.

        Parameters
        ----------
        directory : str or path-like
            Output directory (created if needed).
        plots : bool, default True
            Also draw ``trajectory_chart`` (``regions``, default the six regions with
            the firmest label changes) and ``alluvial_chart`` per channel.
        regions : sequence of str, optional
            Regions of the trajectory chart.
        formats : sequence of str, default ("png",)
            Figure formats (see :func:`ecosystem.plot.save`).

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        files = self.to_csv(directory)
        if not plots:
            return files
        from . import plot

        out = Path(directory)
        if regions is None:
            ch = self.changes
            ch = ch[ch["label_changed"]].sort_values(["transition_stability", "region"], ascending=[False, True])
            regions = list(dict.fromkeys(ch["region"]))[:6] or list(dict.fromkeys(self._table["region"]))[:3]
        import matplotlib.pyplot as plt

        for ch in dict.fromkeys(self._table["channel"]):
            for stem, fig in ((f"trajectories_{ch}", plot.trajectory_chart(self, regions, channel=ch)),
                              (f"alluvial_{ch}", plot.alluvial_chart(self, channel=ch))):
                files += plot.save(fig, out / stem, formats=formats)
                plt.close(fig)
        return files

    def __repr__(self):
        p = self._pairs
        return (f"<Trajectories: {self._table['region'].nunique()} regions x "
                f"{self._table['channel'].nunique()} channels x {len(self.windows)} windows "
                f"({_label(self.windows[0])} .. {_label(self.windows[-1])}), B={self._params['bootstrap']}; "
                f"{int(p['label_changed'].sum())} label changes, {int(p['significant'].sum())} significant "
                f"changes in D (change_adjust={self._params['change_adjust']!r})>")

    def _repr_html_(self):
        import html

        head = html.escape(repr(self))
        ch = self.changes
        cols = ["region", "channel", "from_window", "to_window", "from_label", "to_label", "delta_D",
                "delta_D_low", "delta_D_high", "p_value", "transition_stability"]
        body = ch[cols].head(20).to_html(index=False, float_format=lambda x: f"{x:.3g}")
        return f"<p>{head}</p>{body}"
