r"""Hub / introduction / outbound / local classification of regions per channel.

The rules, thresholds and uncertainty are those of the methodology chapter of the
documentation (classification, uncertainty);
:func:`classify` is the single entry point.
"""

import math
import warnings

import numpy as np

from . import metrics as _m
from ._validation import check_int, check_option, check_real
from .exceptions import InputTypeError, ParameterError
from .results import LABELS, TYPES, Classification

__all__ = ["classify", "DEFAULT_THRESHOLDS", "PROTOTYPES", "LABELS", "TYPES"]

#: Default thresholds (methodology chapter, classification); every one is a parameter of :func:`classify`.
DEFAULT_THRESHOLDS = {
    "min_external": 30.0,
    "max_ci_width": 1.0,
    "local_z": -1.0,
    "local_quantile": 0.25,
    "d_threshold": 1.0 / 3.0,
    "min_reciprocity": 0.5,
    "alpha": 0.05,
    "volume_quantile": 0.5,
    "support_z": 1.96,
    "one_way": 0.818,
    "stable": 0.8,
    "tau": 0.25,
    "entropy_flag": 0.8,
}
#: Thresholds moved by the sensitivity analysis, with their admissible domain.
_SENSITIVE = {
    "min_external": (0.0, math.inf),
    "max_ci_width": (1e-9, 2.0),
    "local_z": (-math.inf, math.inf),
    "local_quantile": (1e-9, 1 - 1e-9),
    "d_threshold": (0.0, 1 - 1e-9),
    "min_reciprocity": (0.0, 1.0),
    "alpha": (1e-9, 1 - 1e-9),
    "volume_quantile": (1e-9, 1 - 1e-9),
}
#: Prototype feature vectors (methodology chapter, soft model): (z_O/3, D, R, z_G/3, z_R/3, z_L/3).
PROTOTYPES = {
    "hub": (0.33, 0.0, 0.7, 0.33, 0.33, 0.33),
    "introduction": (0.17, -0.6, 0.3, 0.33, 0.0, 0.0),
    "outbound": (0.17, 0.6, 0.3, 0.0, 0.33, 0.0),
    "local": (-0.33, 0.0, 0.0, -0.17, -0.17, -0.17),
}
#: Feature weights of each prototype (local ignores D and R: no direction without openness).
PROTOTYPE_WEIGHTS = {
    "hub": (1, 1, 1, 1, 1, 1),
    "introduction": (1, 1, 1, 1, 1, 1),
    "outbound": (1, 1, 1, 1, 1, 1),
    "local": (1, 0, 0, 1, 1, 1),
}
_RULE_NAMES = ("0 sufficiency", "1 local", "2 hub", "3 introduction", "4 outbound", "5 otherwise")
_CODE = {name: i for i, name in enumerate(LABELS)}
_ABBREV = {"talent": "T", "academic": "A", "enterprise": "E"}


# ============================================================================ public API
def classify(data, *, channels=None, layer="international", window=None, counting="fractional",
             reference="fixed", bootstrap=1000, cluster=None, seed=0, n_null=999, size=None,
             internal=None, panel=None, countries=None, adjust=None, backbone_alpha=0.05,
             brokerage_rule="significant", columns=None, min_external=30.0, max_ci_width=1.0, local_z=-1.0,
             local_quantile=0.25, d_threshold=1.0 / 3.0, min_reciprocity=0.5, alpha=0.05,
             volume_quantile=0.5, support_z=1.96, one_way=0.818, stable=0.8, tau=0.25,
             entropy_flag=0.8, sensitivity=0.25, n_jobs=None):
    r"""Classify every region, per channel, as hub, introduction, outbound or local.

    Rules (methodology chapter, classification), applied in order to each (region r,
    channel c, layer L, window) with :math:`\delta` = ``d_threshold``:

    0. **insufficient** if the layer's external volume
       :math:`V_{in} + V_{out} + V_{co}` (the fractional sum of external records under
       fractional counting) is below ``min_external``, or the bootstrap 95 % CI of D is
       wider than ``max_ci_width``;
    1. **local** if :math:`z_O \le` ``local_z`` (size-adjusted openness, panel
       studentised residual) and circulation :math:`C` is below the panel's
       ``local_quantile`` quantile;
    2. **hub** if :math:`|D - D_{ref}| \le \delta` (balance), partner reciprocity
       :math:`R \ge` ``min_reciprocity`` and above its gravity null
       (:math:`\rho_R > 0`, :math:`p_R <` ``alpha``), and :math:`v_{in}` and
       :math:`v_{out}` both at least the panel's ``volume_quantile`` quantile
       (supporting, not required: :math:`z_L \ge` ``support_z`` or both
       :math:`z_G, z_R \ge` ``support_z``, reported in ``hub_support``);
    3. **introduction** if :math:`D - D_{ref} < -\delta`, significant under the
       direction-flip null (:math:`p_D <` ``alpha``), and the gatekeeper role not weaker
       than the representative role (:math:`z_G \ge z_R`, see ``brokerage_rule``);
    4. **outbound** if :math:`D - D_{ref} > \delta`, :math:`p_D <` ``alpha`` and
       :math:`z_R \ge z_G`;
    5. otherwise **undetermined** ("balanced-undetermined" in the method note).

    The brokerage condition of rules 3–4 *lapses* (is treated as met, and the reason
    says so) where the roles are undefined: no arcs, or every region its own country.
    With ``brokerage_rule="significant"`` (default) the opposite role vetoes the label
    only when it is itself significant (:math:`z_R \ge` ``support_z`` for
    introduction, :math:`z_G \ge` ``support_z`` for outbound) and exceeds the matching
    role: when neither role stands out from the rewiring null, comparing two noise
    z-scores would decide the label by chance. ``"strict"`` applies
    :math:`z_G \ge z_R` literally, as the method note writes it.
    ``one_way`` flags :math:`|D| >` 0.818 (minority flow below 10 % of the majority,
    Fontagné & Freudenberg 1997).

    Parameters
    ----------
    data : Contributions, ReadResult, RegionFlows or pandas.DataFrame
        Record-level contributions or a reader's result (bootstrap over records or
        clusters), region flows,
        or an origin–destination table (parametric Poisson bootstrap on the counts).
    channels : str or sequence of str, optional
        Channels to classify (default: every channel of the data).
    layer : {"international", "domestic", "cross-boundary", "external"}, default "international"
        The border layer whose exchange is classified.
    window : (int, int) or list of (int, int), optional
        Inclusive year window(s) (Contributions and tables with a time column). Several
        windows are classified separately and stacked.
    counting : {"fractional", "full"}, default "fractional"
        Counting of record-level data (the method recommends fractional).
    reference : {"fixed", "panel"}, default "fixed"
        Direction reference :math:`D_{ref}`: 0 (``"fixed"``), or the median D of the
        panel's sufficient regions in the same channel (``"panel"``), which re-centres
        every direction criterion and the direction null.
    bootstrap : int, default 1000
        Replicates B (0 = none: no CIs, no stability, the CI-width criterion lapses).
    cluster : {None, "record", "actor", "org"} or array-like, default None
        Bootstrap unit for record-level data: records (default), the lead actor
        (applicant, author, migrant) or the lead organisation (institution) of each
        record, or one cluster label per record code.
    seed : int, default 0
        Seed of every counter-based draw (bootstrap weights, nulls).
    n_null : int, default 999
        Draws of the reciprocity null and of the brokerage rewiring null.
    size : dict or pandas.Series, optional
        Region sizes by region label (default: records touching the region; tables:
        none, and volumes replace intensities).
    internal : dict or pandas.Series, optional
        Internal volume by region, for flow tables without within-region rows.
    panel : sequence, optional
        Reference panel regions (default: every region).
    countries : dict or sequence, optional
        Country of each region (record-level data without a RegionMap; default
        ``contributions.info["countries"]`` if present, else each region its own).
    adjust : {None, "bh"}, default None
        Use Benjamini–Hochberg q-values across regions x channels in the significance
        conditions (q-values are always reported).
    backbone_alpha : float or None, default 0.05
        Disparity-filter level of the brokerage network (see :func:`region_metrics`).
    brokerage_rule : {"significant", "strict"}, default "significant"
        How "the matching role not weaker than the other" is tested (see above).
    columns : dict, optional
        Column names of an origin–destination table: ``source``, ``target``,
        ``weight``, ``time``, ``channel`` (defaults: those names, weight/time/channel
        optional).
    min_external, max_ci_width, local_z, local_quantile, d_threshold, min_reciprocity, alpha, volume_quantile : float
        Rule thresholds (defaults 30, 1.0, -1, 0.25, 1/3, 0.5, 0.05, 0.5).
    support_z, one_way : float
        Flag thresholds (1.96, 0.818).
    stable : float, default 0.8
        Stability needed for a channel to count towards the overall label.
    tau, entropy_flag : float
        Prototype model temperature (0.25) and review flag on normalised entropy (0.8).
    sensitivity : float, default 0.25
        Relative move of every rule threshold in the sensitivity analysis (0 = none).
    n_jobs : int or None
        OpenMP threads; results are identical for any value.

    Returns
    -------
    Classification
        Labels, indicators with CIs, stability, soft scores, overall labels,
        sensitivity, parameters and provenance (:class:`ecosystem.results.Classification`).

    Raises
    ------
    ParameterError
        A threshold outside its domain (the message names it), unknown options, a
        window on a RegionFlows input.
    InputTypeError
        Unsupported ``data``.

    Notes
    -----
    *Uncertainty.* Record-level data are resampled with Poisson(1) weights derived from
    hashes of the record (or cluster) labels (:mod:`ecosystem.uncertainty`); the
    replicates run in the compiled core, which precomputes each unit's cells with the
    share logic of :func:`region_flows` and accumulates blocks of 8 replicates per
    thread. Flow tables get a parametric Poisson bootstrap of every cell. Every
    replicate is classified with the same rules; ``stability`` is the share of
    replicates with the point label, ``boot_<label>`` the share with each label, and CIs
    are percentile intervals. The brokerage conditions and the reciprocity null are
    taken from the point estimate in every replicate (replicate R must exceed the null's
    1 − alpha quantile); the direction test is recomputed per replicate from its
    sufficient statistics. The CI-width criterion applies to the point label only.
    Poisson weights resample every unit independently, so the number of records per
    year varies between replicates (the method note's stratification by year is not applied;
    with Poisson weights it changes the replicate totals only).

    *Nulls* (methodology chapter, uncertainty): direction flips, analytic
    (:func:`ecosystem.uncertainty.direction_test`); independence/gravity for R,
    Monte Carlo in the compiled core (``n_null`` draws); label permutation for openness,
    analytic expectation (:math:`O^*`, diagnostic only); degree-preserving rewiring for
    brokerage (``n_null`` draws, permutation z used by the rules). Panel quantiles (C,
    volumes, :math:`D_{ref}`) are taken over the panel's regions with sufficient
    external volume; :math:`z_O` over all panel regions with activity.

    *Intensities.* Without a size, :math:`v_{in}, v_{out}` and C are replaced by the
    volumes :math:`V_{in}, V_{out}` and :math:`V_{in} + V_{out} + V_{co}`
    (``params["volume_basis"]``).

    *Prototype model* (methodology chapter, soft model): features
    :math:`x = (z_O/3, D - D_{ref}, R, z_G/3, z_R/3, z_L/3)` with z clipped to [−3, 3],
    :math:`p_k \propto \exp(-\sum_f w_{kf}(x_f - \mu_{kf})^2 / 2\tau^2)`
    (:data:`PROTOTYPES`, :data:`PROTOTYPE_WEIGHTS`); undefined features are dropped
    for every class. ``review`` flags a rule label of one of the four types that differs
    from the model's argmax, or a normalised entropy above ``entropy_flag``.

    *Overall label* per region: the type that at least ``min(2, number of channels)``
    channels share with stability >= ``stable``; ``"insufficient"`` when every channel is;
    otherwise ``"mixed"``.

    *Not implemented from the method note:* beta-binomial shrinkage of shares for
    small samples (the sufficiency rule, the bootstrap and the FDR control are used
    instead).

    References
    ----------
    .. [1] Bathelt, H., Malmberg, A. & Maskell, P. (2004). Clusters and knowledge: local
       buzz, global pipelines. Progress in Human Geography 28(1), 31–56.
       doi:10.1191/0309132504ph469oa
    .. [2] Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation. Sociological
       Methodology 19, 89–126. doi:10.2307/270949
    .. [3] Squartini, T., Picciolo, F., Ruzzenenti, F. & Garlaschelli, D. (2013).
       Reciprocity of weighted networks. Scientific Reports 3, 2729. doi:10.1038/srep02729
    .. [4] Bell, M., Blake, M., Boyle, P., et al. (2002). Cross-national comparison of
       internal migration. JRSS A 165(3), 435–464. doi:10.1111/1467-985X.t01-1-00247
    .. [5] Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
       Chapman & Hall. doi:10.1201/9780429246593
    .. [6] Waltman, L., Calero-Medina, C., Kosten, J., et al. (2012). The Leiden Ranking
       2011/2012. JASIST 63(12), 2419–2432. doi:10.1002/asi.22708
    .. [7] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate.
       JRSS B 57(1), 289–300. doi:10.1111/j.2517-6161.1995.tb02031.x
    .. [8] Saxenian, A. (2006). The New Argonauts. Harvard University Press.

    Examples
    --------
    >>> import ecosystem as eco
    >>> c, truth = eco.datasets.planted(n_regions=40, records_per_region=400, seed=3)
    >>> from ecosystem.classification import classify
    >>> res = classify(c, bootstrap=50, n_null=99, seed=1)
    >>> t = res.table.merge(truth, on=["region", "channel"], suffixes=("", "_true"))
    >>> bool((t.label == t.label_true).mean() > 0.8)
    True
    """
    func = "classify"
    thr = _check_thresholds(func, dict(
        min_external=min_external, max_ci_width=max_ci_width, local_z=local_z,
        local_quantile=local_quantile, d_threshold=d_threshold, min_reciprocity=min_reciprocity,
        alpha=alpha, volume_quantile=volume_quantile, support_z=support_z, one_way=one_way,
        stable=stable, tau=tau, entropy_flag=entropy_flag))
    check_option(func, "layer", layer, _m.METRIC_LAYERS)
    check_option(func, "counting", counting, ("fractional", "full"))
    check_option(func, "reference", reference, ("fixed", "panel"))
    if adjust is not None:
        check_option(func, "adjust", adjust, ("bh",))
    check_option(func, "brokerage_rule", brokerage_rule, ("significant", "strict"))
    bootstrap = check_int(func, "bootstrap", bootstrap, low=0, high=10**6)
    n_null = check_int(func, "n_null", n_null, low=0, high=10**6)
    seed = check_int(func, "seed", seed, low=0, high=2**63 - 1)
    sensitivity = check_real(func, "sensitivity", sensitivity, low=0, high=1, high_open=True)
    if backbone_alpha is not None:
        backbone_alpha = check_real(func, "backbone_alpha", backbone_alpha, low=0, high=1,
                                    low_open=True, high_open=True)
    windows = _windows(func, window)
    opts = dict(channels=channels, layer=layer, counting=counting, reference=reference,
                bootstrap=bootstrap, cluster=cluster, seed=seed, n_null=n_null, size=size,
                internal=internal, panel=panel, countries=countries, adjust=adjust,
                backbone_alpha=backbone_alpha, brokerage_rule=brokerage_rule, columns=columns,
                sensitivity=sensitivity, n_jobs=n_jobs)
    parts = [_classify_window(func, data, w, thr, **opts) for w in windows]
    import pandas as pd

    table = pd.concat([p["table"] for p in parts], ignore_index=True)
    regions = pd.concat([p["regions"] for p in parts], ignore_index=True)
    sens = pd.concat([p["sensitivity"] for p in parts], ignore_index=True)
    params = parts[0]["params"]
    if len(parts) > 1:
        params["windows"] = [p["params"]["window"] for p in parts]
        params["data"] = [p["params"]["data"] for p in parts]
    return Classification(table, regions, sens, params)


# ============================================================================ validation
def _check_thresholds(func, values):
    dom = {
        "min_external": dict(low=0),
        "max_ci_width": dict(low=0, high=2, low_open=True),
        "local_z": {},
        "local_quantile": dict(low=0, high=1, low_open=True, high_open=True),
        "d_threshold": dict(low=0, high=1, high_open=True),
        "min_reciprocity": dict(low=0, high=1),
        "alpha": dict(low=0, high=1, low_open=True, high_open=True),
        "volume_quantile": dict(low=0, high=1, low_open=True, high_open=True),
        "support_z": {},
        "one_way": dict(low=0, high=1, low_open=True),
        "stable": dict(low=0, high=1, low_open=True),
        "tau": dict(low=0, low_open=True),
        "entropy_flag": dict(low=0, high=1, low_open=True),
    }
    return {k: check_real(func, k, v, **dom[k]) for k, v in values.items()}


def _windows(func, window):
    from .contributions import _check_window

    if window is None:
        return [None]
    if isinstance(window, list) and window and not np.isscalar(window[0]):
        return [_check_window(func, w) for w in window]
    return [_check_window(func, window)]


# ============================================================================ data
def _resolve(func, data, window, *, channels, layer, counting, bootstrap, cluster, seed,
             countries, columns, n_jobs):
    """Flows, point statistics, replicate statistics and provenance of one window."""
    from .contributions import Contributions
    from .flows import RegionFlows, region_flows
    from .uncertainty import contribution_replicates, table_replicates

    if isinstance(getattr(data, "contributions", None), Contributions):
        data = data.contributions  # a reader's ReadResult
    if isinstance(data, Contributions):
        chs = _channel_list(func, channels, data.channels)
        c = data.select(channel=chs, window=window) if (channels is not None or window is not None) else data
        if countries is None and c.region_map is None and isinstance(c.info.get("countries"), dict):
            countries = c.info["countries"]
        flows = region_flows(c, channel=chs, counting=counting, countries=countries, n_jobs=n_jobs)
        flows.info["window"] = window
        boot = contribution_replicates(c, flows, layer=layer, counting=counting, cluster=cluster,
                                       seed=seed, replicates=bootstrap, n_jobs=n_jobs, func=func)
        ci = boot["channel_index"]
        point, reps = boot["point"][:, ci], boot["replicates"][:, :, ci]
        n_records = (flows.size if counting == "full" else
                     region_flows(c, channel=chs, counting="full", countries=countries,
                                  n_jobs=n_jobs).size)
        design = {"kind": "record bootstrap (Poisson weights from label hashes)",
                  "unit": boot["unit"], "n_units": boot["n_units"], "unit_cells": boot["cells"]}
        provenance = {"contributions": _plain(data.info), "flows": _plain(flows.info),
                      "n_contributions": int(len(c))}
        return flows, point, reps, np.asarray(n_records), design, provenance
    if isinstance(data, RegionFlows):
        if window is not None:
            raise ParameterError(f"{func}: window cannot be applied to a RegionFlows (its window is "
                                 f"{data.info.get('window')!r}); got window={window!r}")
        flows = data
        if channels is not None:
            chs = _channel_list(func, channels, data.channels)
            idx = [data.channels.index(ch) for ch in chs]
            flows = _subset_channels(data, idx)
    elif hasattr(data, "columns") and hasattr(data, "to_numpy"):
        flows = _flows_from_table(func, data, window=window, channels=channels,
                                  countries=countries, columns=columns)
    else:
        raise InputTypeError(f"{func}: data must be Contributions, RegionFlows or an origin-destination "
                             f"DataFrame; got {type(data).__name__}")
    if cluster is not None:
        raise ParameterError(f"{func}: cluster needs record-level Contributions; got cluster={cluster!r} "
                             "with aggregated flows")
    boot = table_replicates(flows, layer=layer, seed=seed, replicates=bootstrap, n_jobs=n_jobs, func=func)
    design = {"kind": "parametric Poisson bootstrap of the flow cells", "unit": boot["unit"],
              "n_units": boot["n_units"]}
    n_records = np.full((len(flows.channels), flows.n_regions), np.nan)
    provenance = {"flows": _plain(flows.info)}
    return flows, boot["point"], boot["replicates"], n_records, design, provenance


def _channel_list(func, channels, available):
    if channels is None:
        return list(available)
    wanted = [channels] if isinstance(channels, str) else list(channels)
    if not wanted:
        raise ParameterError(f"{func}: channels must name at least one channel; got {channels!r}")
    for ch in wanted:
        check_option(func, "channels", ch, tuple(available))
    return wanted


def _subset_channels(flows, idx):
    from .flows import RegionFlows

    return RegionFlows(regions=flows.regions, countries=flows.countries, parents=flows.parents,
                       channels=tuple(flows.channels[i] for i in idx),
                       presence=flows.presence[idx], copresence=flows.copresence[idx],
                       internal=flows.internal[idx],
                       size=None if flows.size is None else flows.size[idx],
                       counting=flows.counting, info=dict(flows.info))


def _flows_from_table(func, frame, *, window, channels, countries, columns):
    from .flows import RegionFlows

    names = {"source": "source", "target": "target", "weight": "weight", "time": "time",
             "channel": "channel"}
    if columns is not None:
        if not isinstance(columns, dict):
            raise InputTypeError(f"{func}: columns must be a dict of column names; got {type(columns).__name__}")
        bad = set(columns) - set(names)
        if bad:
            raise ParameterError(f"{func}: columns has unknown keys {sorted(bad)}; known are {sorted(names)}")
        names.update(columns)
    for key in ("source", "target"):
        if names[key] not in frame.columns:
            raise ParameterError(f"{func}: the table has no {key} column {names[key]!r}; columns are "
                                 f"{list(frame.columns)} (name it with columns={{'{key}': ...}})")
    weight = names["weight"] if names["weight"] in frame.columns else None
    time = names["time"] if names["time"] in frame.columns else None
    if window is not None and time is None:
        raise ParameterError(f"{func}: window needs a time column; the table has no {names['time']!r} column")
    regions = sorted(set(frame[names["source"]].tolist()) | set(frame[names["target"]].tolist()), key=str)
    if names["channel"] in frame.columns:
        chs = _channel_list(func, channels, sorted(set(frame[names["channel"]].tolist()), key=str))
        parts = []
        for ch in chs:
            sub = frame[frame[names["channel"]] == ch]
            parts.append(RegionFlows.from_pandas(sub, source=names["source"], target=names["target"],
                                                 weight=weight, time=time, window=window, channel=ch,
                                                 regions=regions, countries=countries))
        first = parts[0]
        return RegionFlows(regions=first.regions, countries=first.countries, parents=first.parents,
                           channels=tuple(chs), presence=np.stack([p.presence[0] for p in parts]),
                           copresence=np.stack([p.copresence[0] for p in parts]),
                           internal=np.stack([p.internal[0] for p in parts]), size=None,
                           counting="given", info=dict(first.info))
    ch = "talent" if channels is None else _channel_list(func, channels, [channels] if isinstance(channels, str) else list(channels))[0]
    return RegionFlows.from_pandas(frame, source=names["source"], target=names["target"], weight=weight,
                                   time=time, window=window, channel=ch, regions=regions,
                                   countries=countries)


def _plain(info):
    out = {}
    for k, v in dict(info).items():
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[str(k)] = v
        elif isinstance(v, (tuple, list)) and all(isinstance(x, (str, int, float)) for x in v):
            out[str(k)] = list(v)
        elif isinstance(v, dict) and len(v) <= 20:
            out[str(k)] = {str(a): b for a, b in v.items() if isinstance(b, (str, int, float, bool))}
    return out


# ============================================================================ one window
def _classify_window(func, data, window, thr, *, channels, layer, counting, reference, bootstrap,
                     cluster, seed, n_null, size, internal, panel, countries, adjust,
                     backbone_alpha, brokerage_rule, columns, sensitivity, n_jobs, resolved=None):
    import pandas as pd

    from .uncertainty import (benjamini_hochberg, null_summary, openness_expectation,
                              percentile_ci, reciprocity_null)

    # resolved: the (flows, point, replicates, n_records, design, provenance) of this window
    # from a joint bootstrap of several windows (ecosystem.trajectories), else resolved here
    flows, point, reps, n_records, design, provenance = resolved if resolved is not None else _resolve(
        func, data, window, channels=channels, layer=layer, counting=counting,
        bootstrap=bootstrap, cluster=cluster, seed=seed, countries=countries, columns=columns,
        n_jobs=n_jobs)
    K, R = len(flows.channels), flows.n_regions
    ctx = _m._context(func, flows, size=size, internal=internal, panel=panel)
    if internal is not None:
        point = point.copy()
        point[3] = ctx["I"]
        reps = reps.copy()
        reps[:, 3] = ctx["I"]
    size_known = ctx["size_source"] != "unknown"
    fixed_size = ctx["S"] if ctx["size_source"] == "given" else None
    P = _m.derive(point, size=fixed_size)
    Q = _m.derive(reps, size=fixed_size)
    known = ctx["internal_known"][:, None]
    for ind in (P, Q):
        for key in ("openness", "ei"):
            ind[key] = np.where(known, ind[key], np.nan)
        _volume_basis(ind, size_known)
        ind["z_O"] = _z_openness(ind, ctx, size_known, known)

    mask = _m._layer_mask(flows, layer)
    # --- nulls at the point estimate
    if n_null > 0:
        draws = reciprocity_null(np.asarray(flows.presence), mask, P["outbound"], P["inbound"],
                                 P["qo"], P["qi"], channel_labels=flows.channels,
                                 region_labels=flows.regions, n_null=n_null, seed=seed,
                                 n_jobs=n_jobs, func=func)
        R0, R0_upper, p_R = null_summary(P["R"], draws, alpha=thr["alpha"])
    else:
        draws = None
        R0 = R0_upper = p_R = np.full((K, R), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(R0 < 1, (P["R"] - R0) / (1 - R0), np.nan)
    basis = _m.size_basis(P, ctx["S"], size_known)
    E0 = openness_expectation(basis, mask)
    with np.errstate(divide="ignore", invalid="ignore"):
        O_star = (P["openness"] - E0) / (1 - E0)
    network = [_m._network_measures(flows, k, backbone_alpha=backbone_alpha, n_null=n_null,
                                    seed=seed, n_jobs=n_jobs, func=func) for k in range(K)]
    zG = np.stack([n["z_gatekeeper"] for n in network])
    zR = np.stack([n["z_representative"] for n in network])
    zL = np.stack([n["z_liaison"] for n in network])
    brok = _brokerage_conditions(zG, zR, brokerage_rule, thr["support_z"])
    q_R = benjamini_hochberg(p_R)
    r_sig_point = (rho > 0) & ((q_R if adjust == "bh" else p_R) < thr["alpha"])

    # --- replicate labels, CIs, stability
    rep_labels = None
    ci = {}
    if bootstrap > 0:
        rep_r_sig = (Q["R"] > R0_upper[None]) & np.isfinite(R0_upper)[None]
        rep_labels, _ = _rules(Q, thr, ctx["panel"], reference=reference, r_sig=rep_r_sig,
                               brok=brok, adjust=adjust, ci_width=None)
        for key in ("D", "R", "openness", "v_in", "v_out", "circulation"):
            ci[key] = percentile_ci(Q[key], level=0.95, axis=0)
    ci_width = ci["D"][1] - ci["D"][0] if bootstrap > 0 else None
    labels, detail = _rules(P, thr, ctx["panel"], reference=reference, r_sig=r_sig_point, brok=brok,
                            adjust=adjust, ci_width=ci_width, p_R=p_R, q_R=q_R)
    if rep_labels is not None:
        shares = np.stack([(rep_labels == c).mean(axis=0) for c in range(len(LABELS))])
        stability = np.take_along_axis(shares, labels[None], axis=0)[0]
    else:
        shares = np.full((len(LABELS), K, R), np.nan)
        stability = np.full((K, R), np.nan)

    # --- soft model, sensitivity
    soft, entropy = _soft_scores(P["z_O"], detail["dir"], P["R"], zG, zR, zL, thr["tau"])
    soft_arg = np.where(np.isfinite(soft).all(axis=0), np.nanargmax(np.nan_to_num(soft, nan=-1), axis=0), -1)
    rule_type = labels < 4
    review = (rule_type & (soft_arg >= 0) & (soft_arg != labels)) | (entropy > thr["entropy_flag"])
    sens_rows, changed = _sensitivity(P, thr, ctx["panel"], reference, r_sig_point, rho, p_R, q_R, brok,
                                      adjust, ci_width, labels, sensitivity)

    # --- assemble
    window_label = _m._window_label(flows)
    hub_support = (zL >= thr["support_z"]) | ((zG >= thr["support_z"]) & (zR >= thr["support_z"]))
    frames = []
    for k, ch in enumerate(flows.channels):
        net = network[k]
        cols = {
            "region": list(flows.regions), "country": list(flows.countries), "channel": ch,
            "layer": layer, "window": window_label,
            "label": np.asarray(LABELS, dtype=object)[labels[k]],
            "rule": np.asarray(_RULE_NAMES, dtype=object)[detail["rule"][k]],
            "stability": stability[k],
        }
        for c, name in enumerate(LABELS):
            cols[f"boot_{name}"] = shares[c, k]
        for c, name in enumerate(TYPES):
            cols[f"soft_{name}"] = soft[c, k]
        cols["soft_label"] = np.where(soft_arg[k] >= 0, np.asarray(TYPES + ("",), dtype=object)[soft_arg[k]], None)
        cols["soft_entropy"] = entropy[k]
        cols["review"] = review[k]
        cols.update({
            "n_records": n_records[k], "n_external": P["external"][k], "internal": P["internal"][k],
            "inbound": P["inbound"][k], "outbound": P["outbound"][k], "copresence": P["copresence"][k],
            "size": P["size"][k],
        })
        for key, name in (("openness", "openness"), ("circulation", "circulation"), ("v_in", "v_in"),
                          ("v_out", "v_out"), ("D", "D"), ("R", "R")):
            cols[name] = P[key][k]
            cols[f"{name}_lo"] = ci[key][0][k] if key in ci else np.full(R, np.nan)
            cols[f"{name}_hi"] = ci[key][1][k] if key in ci else np.full(R, np.nan)
            if name == "openness":
                cols["openness_null"] = E0[k]
                cols["openness_star"] = O_star[k]
                cols["z_openness"] = P["z_O"][k]
            if name == "D":
                cols["D_ref"] = detail["d_ref"][k]
                cols["p_D"] = detail["p_D"][k]
                cols["q_D"] = detail["q_D"][k]
                cols["B"] = P["B"][k]
                cols["one_way"] = np.abs(P["D"][k]) > thr["one_way"]
            if name == "R":
                cols["R_null"] = R0[k]
                cols["rho_R"] = rho[k]
                cols["p_R"] = p_R[k]
                cols["q_R"] = q_R[k]
        cols.update({
            "z_gatekeeper": zG[k], "z_representative": zR[k], "z_liaison": zL[k],
            "z_gatekeeper_sna": net["z_gatekeeper_sna"], "z_representative_sna": net["z_representative_sna"],
            "z_liaison_sna": net["z_liaison_sna"], "brokerage": net["status"],
            "hub_support": hub_support[k], "hits_hub": net["hits_hub"], "hits_authority": net["hits_authority"],
            "n_sensitive": [len(x) for x in changed[k]],
            "sensitive_to": ["; ".join(x) for x in changed[k]],
            "reason": _reasons(k, labels, detail, P, thr, brok, network[k], ctx, size_known, adjust),
        })
        frames.append(pd.DataFrame(cols))
    table = pd.concat(frames, ignore_index=True)
    regions = _overall(table, flows, thr["stable"], window_label)
    sens = pd.DataFrame(sens_rows)
    sens.insert(0, "window", window_label)
    params = _params(flows, thr, layer=layer, window=window, counting=counting, reference=reference,
                     bootstrap=bootstrap, design=design, seed=seed, n_null=n_null, adjust=adjust,
                     backbone_alpha=backbone_alpha, brokerage_rule=brokerage_rule,
                     sensitivity=sensitivity, ctx=ctx,
                     size_known=size_known, provenance=provenance, network=network)
    return {"table": table, "regions": regions, "sensitivity": sens, "params": params,
            "replicates": {"label": rep_labels, "D": Q["D"] if bootstrap > 0 else None}}


def _brokerage_conditions(zG, zR, rule, support_z):
    """Whether the matching role is not weaker (introduction: gatekeeper; outbound: representative)."""
    undefined = ~(np.isfinite(zG) & np.isfinite(zR))
    g_ok = zG >= zR
    r_ok = zR >= zG
    if rule == "significant":
        g_ok = g_ok | (zR < support_z)
        r_ok = r_ok | (zG < support_z)
    return {"in": undefined | g_ok, "out": undefined | r_ok, "undefined": undefined, "rule": rule}


def _volume_basis(ind, size_known):
    """Without a size, intensities become volumes (rules and CIs use these)."""
    if not size_known:
        ind["v_in"] = ind["inbound"]
        ind["v_out"] = ind["outbound"]
        ind["circulation"] = ind["external"]


def _z_openness(ind, ctx, size_known, known):
    basis = _m.size_basis(ind, ctx["S"] if ctx["size_source"] == "given" else ind["size"], size_known)
    y = np.where(known, _m.empirical_logit(ind["external"], ind["internal"]), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.log(np.where(basis > 0, basis, np.nan))
    return _m.panel_z(y, x, ctx["panel"])


# ============================================================================ rules
def _bh_last_axis(p):
    """Benjamini–Hochberg over the last two axes (channels x regions), per leading index."""
    from .uncertainty import benjamini_hochberg

    shape = p.shape
    flat = p.reshape(-1, shape[-2] * shape[-1])
    out = np.stack([benjamini_hochberg(row) for row in flat]) if flat.shape[0] else flat
    return out.reshape(shape)


def _panel_quantile(values, ref, q):
    from .uncertainty import nanquantile

    return nanquantile(np.where(ref, values, np.nan), q, axis=-1, keepdims=True)


def _rules(ind, thr, panel, *, reference, r_sig, brok, adjust, ci_width, p_R=None, q_R=None):
    """Labels (codes into LABELS) and the conditions behind them; any leading shape."""
    from .uncertainty import direction_test

    D = ind["D"]
    suff = (ind["external"] >= thr["min_external"]) & np.isfinite(D)
    ci_ok = np.ones_like(suff)
    if ci_width is not None:
        ci_ok = ~(ci_width > thr["max_ci_width"])
    ref = panel & suff & ci_ok
    if reference == "panel":
        d_ref = np.broadcast_to(_panel_quantile(D, ref, 0.5), D.shape)
        d_ref = np.where(np.isfinite(d_ref), d_ref, 0.0)
    else:
        d_ref = np.zeros(D.shape)
    p_D = direction_test(D, ind["volume"], ind["qd"], ind["ad"], d_ref)
    q_D = _bh_last_axis(p_D)
    p_use = q_D if adjust == "bh" else p_D
    C_q = _panel_quantile(ind["circulation"], ref, thr["local_quantile"])
    vin_q = _panel_quantile(ind["v_in"], ref, thr["volume_quantile"])
    vout_q = _panel_quantile(ind["v_out"], ref, thr["volume_quantile"])
    dirv = D - d_ref
    cond = {
        "sufficient": suff & ci_ok,
        "enough_external": suff,
        "ci_ok": ci_ok,
        "local_z": ind["z_O"] <= thr["local_z"],
        "local_c": ind["circulation"] < C_q,
        "balanced": np.abs(dirv) <= thr["d_threshold"],
        "reciprocal": ind["R"] >= thr["min_reciprocity"],
        "r_sig": r_sig,
        "volume": (ind["v_in"] >= vin_q) & (ind["v_out"] >= vout_q),
        "inbound_dir": dirv < -thr["d_threshold"],
        "outbound_dir": dirv > thr["d_threshold"],
        "significant": p_use < thr["alpha"],
        "brok_in": brok["in"],
        "brok_out": brok["out"],
    }
    local = cond["local_z"] & cond["local_c"]
    hub = cond["balanced"] & cond["reciprocal"] & cond["r_sig"] & cond["volume"]
    intro = cond["inbound_dir"] & cond["significant"] & cond["brok_in"]
    outb = cond["outbound_dir"] & cond["significant"] & cond["brok_out"]
    choices = [~cond["sufficient"], local, hub, intro, outb]
    labels = np.select(choices, [_CODE["insufficient"], _CODE["local"], _CODE["hub"],
                                 _CODE["introduction"], _CODE["outbound"]], _CODE["undetermined"])
    rule = np.select(choices, [0, 1, 2, 3, 4], 5)
    detail = {"rule": rule, "cond": cond, "d_ref": d_ref, "p_D": p_D, "q_D": q_D, "dir": dirv,
              "C_q": np.broadcast_to(C_q, D.shape), "vin_q": np.broadcast_to(vin_q, D.shape),
              "vout_q": np.broadcast_to(vout_q, D.shape), "ci_width": ci_width,
              "p_R": p_R, "q_R": q_R}
    return labels.astype(np.intp), detail


# ============================================================================ soft model
def _soft_scores(z_O, dirv, R, zG, zR, zL, tau):
    clip = lambda z: np.clip(z, -3, 3) / 3  # noqa: E731
    x = np.stack([clip(z_O), dirv, R, clip(zG), clip(zR), clip(zL)], axis=-1)
    mu = np.asarray([PROTOTYPES[t] for t in TYPES], dtype=float)
    w = np.asarray([PROTOTYPE_WEIGHTS[t] for t in TYPES], dtype=float)
    avail = np.isfinite(x)
    diff2 = np.where(avail[..., None, :], (np.nan_to_num(x)[..., None, :] - mu) ** 2, 0.0)
    energy = (w * diff2).sum(axis=-1) / (2 * tau ** 2)          # (K, R, 4)
    energy -= energy.min(axis=-1, keepdims=True)
    p = np.exp(-energy)
    p /= p.sum(axis=-1, keepdims=True)
    any_feature = avail.any(axis=-1)
    p = np.where(any_feature[..., None], p, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -(np.where(p > 0, p * np.log(p), 0.0)).sum(axis=-1) / np.log(len(TYPES))
    ent = np.where(any_feature, ent, np.nan)
    return np.moveaxis(p, -1, 0), ent


# ============================================================================ sensitivity
def _sensitivity(P, thr, panel, reference, r_sig_point, rho, p_R, q_R, brok, adjust, ci_width,
                 labels, sensitivity):
    K, R = labels.shape
    changed = [[[] for _ in range(R)] for _ in range(K)]
    rows = []
    if sensitivity == 0:
        return rows, changed
    for name, (lo, hi) in _SENSITIVE.items():
        for factor in (1 - sensitivity, 1 + sensitivity):
            t2 = dict(thr)
            t2[name] = float(np.clip(thr[name] * factor, lo, hi))
            r_sig = (rho > 0) & ((q_R if adjust == "bh" else p_R) < t2["alpha"])
            new, _ = _rules(P, t2, panel, reference=reference, r_sig=r_sig, brok=brok, adjust=adjust,
                            ci_width=ci_width)
            diff = new != labels
            for k, r in zip(*np.nonzero(diff)):
                changed[k][r].append(f"{name}x{factor:g}->{LABELS[new[k, r]]}")
            rows.append({"threshold": name, "factor": factor, "value": t2[name],
                         "default": thr[name], "n_changed": int(diff.sum()),
                         "share_changed": float(diff.mean()) if diff.size else 0.0})
    return rows, changed


# ============================================================================ overall
def _overall(table, flows, stable, window_label):
    import pandas as pd

    rows = []
    n_ch = len(flows.channels)
    need = min(2, n_ch)
    for region, sub in table.groupby("region", sort=False):
        profile = "/".join(f"{_ABBREV.get(ch, ch)}:{lab}" for ch, lab in zip(sub["channel"], sub["label"]))
        ok = sub[(sub["label"].isin(TYPES)) & (sub["stability"].fillna(0) >= stable)]
        counts = ok["label"].value_counts()
        if len(counts) and counts.iloc[0] >= need:
            overall, n_agree = counts.index[0], int(counts.iloc[0])
        elif (sub["label"] == "insufficient").all():
            overall, n_agree = "insufficient", 0  # no channel has enough data to say anything
        else:
            overall, n_agree = "mixed", int(counts.iloc[0]) if len(counts) else 0
        rows.append({"region": region, "country": sub["country"].iloc[0], "window": window_label,
                     "overall": overall, "profile": profile, "n_agree": n_agree})
    return pd.DataFrame(rows)


# ============================================================================ reasons
def _fmt(x, nd=3):
    """Compact number for the reasons: n/a for NaN, thousands without decimals."""
    if x is None:
        return "n/a"
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    if nd == 0:
        return f"{x:.0f}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if 0 < abs(x) < 10 ** -nd:
        return f"{x:.1e}"
    text = f"{x:.{nd}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _reasons(k, labels, det, P, thr, brok, net, ctx, size_known, adjust):
    cond = det["cond"]
    R = labels.shape[1]
    out = []
    ptxt = "q" if adjust == "bh" else "p"
    vname = "intensity" if size_known else "volume"
    for r in range(R):
        lab = LABELS[labels[k, r]]
        ext = P["external"][k, r]
        D = P["D"][k, r]
        dref = det["d_ref"][k, r]
        pd_ = (det["q_D"] if adjust == "bh" else det["p_D"])[k, r]
        parts = []
        if not cond["enough_external"][k, r]:
            why = (f"external volume {_fmt(ext)} < min_external {_fmt(thr['min_external'])}"
                   if np.isfinite(D) else
                   "no directed (presence) flows across the layer, so D is undefined"
                   + (f"; {_fmt(ext)} undirected co-presence" if ext > 0 else ""))
            out.append(f"Insufficient: {why}.")
            continue
        if not cond["ci_ok"][k, r]:
            w = det["ci_width"][k, r]
            out.append(f"Insufficient: the 95% CI of D is {_fmt(w)} wide > max_ci_width "
                       f"{_fmt(thr['max_ci_width'])} (external volume {_fmt(ext)}).")
            continue
        zO = P["z_O"][k, r]
        C = P["circulation"][k, r]
        local_txt = (f"z_O = {_fmt(zO)} (local needs <= {_fmt(thr['local_z'])}) and circulation "
                     f"{_fmt(C)} vs panel q{_fmt(thr['local_quantile'] * 100, 0)} = {_fmt(det['C_q'][k, r])}")
        if not np.isfinite(zO):
            local_txt = ("size-adjusted openness undefined (" + ctx["not_computed"].get(
                "openness", "no usable size/openness") + "), so local cannot be asserted")
        if lab == "local":
            out.append(f"Local: {local_txt}; direction is not interpreted.")
            continue
        parts.append(f"Not local: {local_txt}.")
        dtxt = (f"D = {_fmt(D)} (reference {_fmt(dref)}; {ptxt}_D = {_fmt(pd_, 4)}), "
                f"R = {_fmt(P['R'][k, r])}")
        hub_bits = []
        hub_bits.append(f"|D - D_ref| = {_fmt(abs(D - dref))} {'<=' if cond['balanced'][k, r] else '>'} "
                        f"{_fmt(thr['d_threshold'])}")
        hub_bits.append(f"R {'>=' if cond['reciprocal'][k, r] else '<'} {_fmt(thr['min_reciprocity'])}")
        rp = det["p_R"][k, r] if det["p_R"] is not None else np.nan
        hub_bits.append(f"R {'above' if cond['r_sig'][k, r] else 'not above'} its gravity null "
                        f"(p_R = {_fmt(rp, 4)})")
        hub_bits.append(f"in/out {vname} {_fmt(P['v_in'][k, r])}/{_fmt(P['v_out'][k, r])} "
                        f"{'both >=' if cond['volume'][k, r] else 'not both >='} panel "
                        f"q{_fmt(thr['volume_quantile'] * 100, 0)} "
                        f"{_fmt(det['vin_q'][k, r])}/{_fmt(det['vout_q'][k, r])}")
        if lab == "hub":
            out.append(f"Hub: {dtxt}; " + "; ".join(hub_bits) + ". " + parts[0])
            continue
        zg, zr = net["z_gatekeeper"][r], net["z_representative"][r]
        if brok["undefined"][k, r]:
            btxt = f"brokerage condition lapses ({net['status'] if net['status'] != 'ok' else 'role z undefined for this region'})"
        else:
            btxt = f"z_G = {_fmt(zg)}, z_R = {_fmt(zr)}"
        if not brok["undefined"][k, r]:
            if zg >= zr:
                cmp_in = "gatekeeper >= representative"
            elif zr < thr["support_z"] and brok["rule"] == "significant":
                cmp_in = f"representative not significant (z_R < {_fmt(thr['support_z'])}), no veto"
            else:
                cmp_in = "gatekeeper weaker than representative"
            if zr >= zg:
                cmp_out = "representative >= gatekeeper"
            elif zg < thr["support_z"] and brok["rule"] == "significant":
                cmp_out = f"gatekeeper not significant (z_G < {_fmt(thr['support_z'])}), no veto"
            else:
                cmp_out = "representative weaker than gatekeeper"
        else:
            cmp_in = cmp_out = ""
        if lab == "introduction":
            out.append(f"Introduction: D - D_ref = {_fmt(D - dref)} < -{_fmt(thr['d_threshold'])}, "
                       f"{ptxt}_D = {_fmt(pd_, 4)} < {_fmt(thr['alpha'])}, {btxt}"
                       f"{f' ({cmp_in})' if cmp_in else ''}. " + parts[0])
            continue
        if lab == "outbound":
            out.append(f"Outbound: D - D_ref = {_fmt(D - dref)} > {_fmt(thr['d_threshold'])}, "
                       f"{ptxt}_D = {_fmt(pd_, 4)} < {_fmt(thr['alpha'])}, {btxt}"
                       f"{f' ({cmp_out})' if cmp_out else ''}. " + parts[0])
            continue
        # undetermined: say which conditions failed
        if cond["balanced"][k, r]:
            why = "balanced but not a hub: " + "; ".join(hub_bits)
        elif cond["inbound_dir"][k, r] or cond["outbound_dir"][k, r]:
            side = "inbound" if cond["inbound_dir"][k, r] else "outbound"
            fails = []
            if not cond["significant"][k, r]:
                fails.append(f"{ptxt}_D = {_fmt(pd_, 4)} >= {_fmt(thr['alpha'])}")
            if side == "inbound" and not cond["brok_in"][k, r]:
                fails.append(f"{cmp_in} ({btxt})")
            if side == "outbound" and not cond["brok_out"][k, r]:
                fails.append(f"{cmp_out} ({btxt})")
            why = f"{side}-dominated (D - D_ref = {_fmt(D - dref)}) but " + " and ".join(fails)
        else:
            why = f"D = {_fmt(D)} not classifiable"
        out.append(f"Undetermined: {why}. " + parts[0])
    return out


# ============================================================================ params
def _params(flows, thr, *, layer, window, counting, reference, bootstrap, design, seed, n_null,
            adjust, backbone_alpha, brokerage_rule, sensitivity, ctx, size_known, provenance,
            network):
    import platform

    import pandas
    import scipy

    from . import _core
    from ._version import __version__

    return {
        "thresholds": dict(thr),
        "layer": layer,
        "window": None if window is None and flows.info.get("window") is None else
                  list(window if window is not None else flows.info["window"]),
        "channels": list(flows.channels),
        "counting": counting if flows.counting in ("full", "fractional") else flows.counting,
        "reference": reference,
        "bootstrap": bootstrap,
        "bootstrap_design": design,
        "seed": seed,
        "n_null": n_null,
        "adjust": adjust,
        "backbone_alpha": backbone_alpha,
        "brokerage_rule": brokerage_rule,
        "sensitivity": sensitivity,
        "size_source": ctx["size_source"],
        "internal_source": ctx["internal_source"],
        "volume_basis": "intensities (per size)" if size_known else
                        "volumes (no region size known): v_in, v_out, C are volumes",
        "size_basis": ctx["size_basis"],
        "panel": "all regions" if ctx["panel"].all() else
                 [r for r, m in zip(flows.regions, ctx["panel"]) if m],
        "not_computed": dict(ctx["not_computed"]),
        "brokerage_status": {ch: n["status"] for ch, n in zip(flows.channels, network)},
        "brokerage_sna": {ch: n["sna_status"] for ch, n in zip(flows.channels, network)},
        "convention": flows.info.get("convention"),
        "nulls": {
            "direction": "direction flips, analytic normal form (ecosystem.uncertainty.direction_test)",
            "reciprocity": f"Poisson gravity redistribution, {n_null} Monte Carlo draws",
            "openness": "random mixing, analytic expectation (O*, diagnostic only)",
            "brokerage": f"Maslov-Sneppen rewiring, {n_null} draws (permutation z)",
        },
        "data": provenance,
        "versions": {"ecosystem": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "pandas": pandas.__version__, "python": platform.python_version(),
                     "openmp": bool(_core.openmp_enabled())},
    }


# ============================================================================ trajectories hook
def classify_window(data, window, *, resolved=None, func="classify", **options):
    """One window of :func:`classify`, with its replicate labels and D.

    The entry point of :func:`ecosystem.trajectories` (not exported): the options are
    those of :func:`classify` (every one given, thresholds optional) and ``resolved``
    the window's (flows, point statistics, replicate statistics, record counts, bootstrap
    design, provenance) from a joint bootstrap of several windows.

    Parameters
    ----------
    data : Contributions, RegionFlows or pandas.DataFrame
        As :func:`classify` (unused when ``resolved`` is given).
    window : (int, int) or None
        The window.
    resolved : tuple, optional
        Precomputed statistics of the window (see above).
    func : str
        Name used in error messages.
    **options
        :func:`classify` options.

    Returns
    -------
    dict
        ``table``, ``regions``, ``sensitivity``, ``params`` as :func:`classify` builds
        them for one window, and ``replicates``: ``label`` (B, K, R) label codes into
        :data:`LABELS` and ``D`` (B, K, R), None without bootstrap.
    """
    thr = _check_thresholds(func, {k: options.pop(k, v) for k, v in DEFAULT_THRESHOLDS.items()})
    return _classify_window(func, data, window, thr, resolved=resolved, **options)
