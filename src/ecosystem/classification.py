r"""Hub / introduction / outbound / local classification of regions per channel.

The rules, thresholds and uncertainty are those of the methodology chapter of the
documentation (classification, uncertainty);
:func:`classify` is the single entry point.
"""

import math
import warnings
from dataclasses import dataclass, fields, replace

import numpy as np

from . import metrics as _m
from ._validation import check_channels, check_int, check_option, check_real
from .exceptions import InputTypeError, ParameterError
from .results import LABELS, TYPES, UNDETERMINED_SUBTYPES, Classification, format_number

__all__ = ["classify", "Thresholds", "replicate_indicators", "DEFAULT_THRESHOLDS", "PROTOTYPES", "LABELS", "TYPES", "UNDETERMINED_SUBTYPES"]

@dataclass(frozen=True)
class Thresholds:
    """The rule thresholds of :func:`classify`, in one frozen record.

    Construct with keyword arguments named as the attributes (every one optional, with
    the default shown); values are validated on construction.

    Attributes
    ----------
    min_external : float, default 30
        Sufficiency: least external volume of the layer.
    max_ci_width : float, default 1.0
        Sufficiency: widest bootstrap 95 % CI of D, in (0, 2].
    local_z : float, default -1
        Local: size-adjusted openness at most this.
    local_quantile : float, default 0.25
        Local: size-adjusted circulation below this panel quantile.
    d_threshold : float, default 1/3
        Half-width of the balance band of D (hub inside, introduction/outbound beyond).
    min_reciprocity : float, default 0.5
        Hub: least partner reciprocity R.
    alpha : float, default 0.05
        Level of the significance conditions (direction, reciprocity null).
    volume_quantile : float, default 0.5
        Hub: size-adjusted in- and out-volumes at least this panel quantile.
    support_z : float, default 1.96
        Brokerage z-scores that count as significant (hub support, role veto).
    one_way : float, default 0.818
        Flag :math:`|D|` above this (minority flow below 10 % of the majority).
    stable : float, default 0.8
        Stability from which a label counts as stable (overall label, label counts).
    tau : float, default 0.25
        Temperature of the prototype model.
    entropy_flag : float, default 0.8
        Review flag on the prototype model's normalised entropy.

    Raises
    ------
    ParameterError
        A value outside its domain; the message names the field.

    Examples
    --------
    >>> from ecosystem.classification import Thresholds
    >>> t = Thresholds(d_threshold=0.4)
    >>> t.d_threshold, t.replace(alpha=0.01).alpha
    (0.4, 0.01)
    """

    min_external: float = 30.0
    max_ci_width: float = 1.0
    local_z: float = -1.0
    local_quantile: float = 0.25
    d_threshold: float = 1.0 / 3.0
    min_reciprocity: float = 0.5
    alpha: float = 0.05
    volume_quantile: float = 0.5
    support_z: float = 1.96
    one_way: float = 0.818
    stable: float = 0.8
    tau: float = 0.25
    entropy_flag: float = 0.8

    def __post_init__(self):
        checked = _check_thresholds("Thresholds", {f.name: getattr(self, f.name) for f in fields(self)})
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes):
        """A copy with some thresholds changed.

        Parameters
        ----------
        **changes : float
            New values by field name.

        Returns
        -------
        Thresholds
            A new record; this one is unchanged.
        """
        return replace(self, **changes)

    def as_dict(self):
        """The thresholds as a plain dict.

        Returns
        -------
        dict
            Field name -> value.
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: Default thresholds (methodology chapter, classification), as a dict: ``Thresholds().as_dict()``.
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
#: Codes of the undetermined sub-types (0 = not undetermined).
_SUBTYPE = {name: i + 1 for i, name in enumerate(UNDETERMINED_SUBTYPES)}
_ABBREV = {"talent": "T", "academic": "A", "enterprise": "E"}


# ============================================================================ public API
def classify(data, *, channels=None, layer="international", window=None, counting="fractional",
             reference="fixed", bootstrap=1000, cluster=None, seed=0, n_null=999, size=None,
             internal=None, panel=None, countries=None, adjust=None, backbone_alpha=0.05,
             brokerage_rule="significant", columns=None, thresholds=None, min_external=None,
             max_ci_width=None, local_z=None, local_quantile=None, d_threshold=None,
             min_reciprocity=None, alpha=None, volume_quantile=None, support_z=None, one_way=None,
             stable=None, tau=None, entropy_flag=None, sensitivity=0.25, n_jobs=None,
             progress=None):
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
       :math:`R \ge` ``min_reciprocity`` and above its quasi-independence null
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
    data : Contributions, ReadResult, DistributedRead, RegionFlows or pandas.DataFrame
        Record-level contributions or a reader's result (bootstrap over records or
        clusters; a :class:`~ecosystem.distributed.DistributedRead` runs it on the Dask
        cluster, with the same result), region flows,
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
    thresholds : Thresholds, optional
        Every rule threshold in one frozen record (default: ``Thresholds()``).
    min_external, max_ci_width, local_z, local_quantile, d_threshold, min_reciprocity, alpha, volume_quantile : float, optional
        Rule thresholds (defaults 30, 1.0, -1, 0.25, 1/3, 0.5, 0.05, 0.5); a value given
        here replaces the one of ``thresholds``.
    support_z, one_way : float, optional
        Flag thresholds (1.96, 0.818).
    stable : float, optional
        Stability needed for a channel to count towards the overall label (0.8).
    tau, entropy_flag : float, optional
        Prototype model temperature (0.25) and review flag on normalised entropy (0.8).
    sensitivity : float, default 0.25
        Relative move of every rule threshold in the sensitivity analysis (0 = none).
    n_jobs : int or None
        OpenMP threads; results are identical for any value.
    progress : bool or None
        A progress bar (tqdm) for the bootstrap; None (default): only when stderr is a
        terminal. Results do not depend on it.

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
    >>> res = classify(c, bootstrap=50, n_null=99, seed=1, cluster="record")
    >>> t = res.table.merge(truth, on=["region", "channel"], suffixes=("", "_true"))
    >>> bool((t.label == t.label_true).mean() > 0.8)
    True
    """
    func = "classify"
    thr, opts = classify_options(
        func, channels=channels, layer=layer, counting=counting, reference=reference,
        bootstrap=bootstrap, cluster=cluster, seed=seed, n_null=n_null, size=size,
        internal=internal, panel=panel, countries=countries, adjust=adjust,
        backbone_alpha=backbone_alpha, brokerage_rule=brokerage_rule, columns=columns,
        thresholds=thresholds, min_external=min_external, max_ci_width=max_ci_width,
        local_z=local_z, local_quantile=local_quantile, d_threshold=d_threshold,
        min_reciprocity=min_reciprocity, alpha=alpha, volume_quantile=volume_quantile,
        support_z=support_z, one_way=one_way, stable=stable, tau=tau, entropy_flag=entropy_flag,
        sensitivity=sensitivity, n_jobs=n_jobs, progress=progress)
    windows = _windows(func, window)
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
def classify_options(func="classify", **options):
    """Validated options of :func:`classify` (not exported; shared with trajectories).

    Parameters
    ----------
    func : str
        Caller name for messages.
    **options
        Any keyword option of :func:`classify` except ``window``; missing ones take
        classify's defaults.

    Returns
    -------
    thr : dict
        The thresholds (a :class:`Thresholds` record merged with the single values given).
    opts : dict
        The other options, checked, as the one-window step takes them.

    Raises
    ------
    ParameterError
        An unknown option or a value outside its domain.
    """
    import inspect

    known = {k: p.default for k, p in inspect.signature(classify).parameters.items()
             if k not in ("data", "window")}
    unknown = set(options) - set(known)
    if unknown:
        raise ParameterError(f"{func}: unknown options {sorted(unknown)}; the options of classify are "
                             f"{sorted(known)}")
    o = dict(known, **options)
    thresholds, channels, layer, counting, reference = (o["thresholds"], o["channels"], o["layer"],
                                                        o["counting"], o["reference"])
    bootstrap, cluster, seed, n_null, size, internal = (o["bootstrap"], o["cluster"], o["seed"],
                                                        o["n_null"], o["size"], o["internal"])
    panel, countries, adjust, backbone_alpha = o["panel"], o["countries"], o["adjust"], o["backbone_alpha"]
    brokerage_rule, columns, sensitivity, n_jobs = (o["brokerage_rule"], o["columns"], o["sensitivity"],
                                                    o["n_jobs"])
    progress = o["progress"]
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise InputTypeError(f"{func}: progress must be True, False or None; got {progress!r}")
    given = {k: o[k] for k in DEFAULT_THRESHOLDS}
    if thresholds is None:
        thresholds = Thresholds()
    elif not isinstance(thresholds, Thresholds):
        raise InputTypeError(f"{func}: thresholds must be a Thresholds record; got {type(thresholds).__name__}")
    values = thresholds.as_dict()
    values.update({k: v for k, v in given.items() if v is not None})
    thr = _check_thresholds(func, values)
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
    opts = dict(channels=channels, layer=layer, counting=counting, reference=reference,
                bootstrap=bootstrap, cluster=cluster, seed=seed, n_null=n_null, size=size,
                internal=internal, panel=panel, countries=countries, adjust=adjust,
                backbone_alpha=backbone_alpha, brokerage_rule=brokerage_rule, columns=columns,
                sensitivity=sensitivity, n_jobs=n_jobs, progress=progress)
    return thr, opts


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
    from ._validation import check_window

    if window is None:
        return [None]
    if isinstance(window, list) and window and not np.isscalar(window[0]):
        return [check_window(func, w) for w in window]
    return [check_window(func, window)]


# ============================================================================ data
def _resolve(func, data, window, *, channels, layer, counting, bootstrap, cluster, seed,
             countries, columns, n_jobs, progress=None):
    """Flows, point statistics, replicate statistics and provenance of one window."""
    from .contributions import Contributions
    from .distributed import DistributedRead
    from .flows import RegionFlows, region_flows
    from .uncertainty import contribution_replicates, table_replicates

    if isinstance(data, DistributedRead):  # a read on a Dask cluster: bootstrap there too
        got = data.classification_inputs(func, window=window, channels=channels, layer=layer,
                                         counting=counting, bootstrap=bootstrap,
                                         cluster=cluster, seed=seed)
        _warn_empty_window(func, window, got["provenance"]["n_contributions"], None)
        return (got["flows"], got["point"], got["replicates"], got["n_records"], got["design"],
                got["provenance"])
    if isinstance(getattr(data, "contributions", None), Contributions):
        data = data.contributions  # a reader's ReadResult
    if isinstance(data, Contributions):
        if len(data) == 0:
            raise ParameterError(f"{func}: no contributions to classify (0 records); check the "
                                 "read report of the reader that made them")
        chs = check_channels(func, channels, data.channels)
        c = data.select(channel=chs, window=window) if (channels is not None or window is not None) else data
        _warn_empty_window(func, window, len(c), data.year)
        if countries is None and c.region_map is None and isinstance(c.info.get("countries"), dict):
            countries = c.info["countries"]
        flows = region_flows(c, channel=chs, counting=counting, countries=countries, n_jobs=n_jobs)
        flows.info["window"] = window
        default_cluster = cluster is None
        if default_cluster:
            # the method's design: clusters of the lead actor where actors exist, else records
            cluster = "actor" if len(c) and (np.asarray(c.actor) >= 0).any() else "record"
        boot = contribution_replicates(c, flows, layer=layer, counting=counting, cluster=cluster,
                                       seed=seed, replicates=bootstrap, n_jobs=n_jobs, func=func,
                                       progress=progress)
        ci = boot["channel_index"]
        point, reps = boot["point"][:, ci], boot["replicates"][:, :, ci]
        n_records = (flows.size if counting == "full" else
                     region_flows(c, channel=chs, counting="full", countries=countries,
                                  n_jobs=n_jobs).size)
        design = {"kind": ("cluster bootstrap (Poisson weights from label hashes)"
                           if boot["unit"] != "record" else
                           "record bootstrap (Poisson weights from label hashes)"),
                  "unit": boot["unit"], "n_units": boot["n_units"], "unit_cells": boot["cells"],
                  "default": default_cluster,
                  "why": ("default: the lead actor of each record where actors exist, else the record"
                          if default_cluster else "cluster= given")}
        provenance = {"contributions": _plain(data.info), "flows": _plain(flows.info),
                      "n_contributions": int(len(c))}
        return flows, point, reps, np.asarray(n_records), design, provenance
    if isinstance(data, RegionFlows):
        if window is not None:
            raise ParameterError(f"{func}: window cannot be applied to a RegionFlows (its window is "
                                 f"{data.info.get('window')!r}); got window={window!r}")
        flows = data
        if channels is not None:
            chs = check_channels(func, channels, data.channels)
            idx = [data.channels.index(ch) for ch in chs]
            flows = _subset_channels(data, idx)
    elif hasattr(data, "columns") and hasattr(data, "to_numpy"):
        if len(data) == 0:
            raise ParameterError(f"{func}: the origin-destination table is empty (0 rows)")
        flows = RegionFlows.from_table(data, window=window, channels=channels,
                                       countries=countries, columns=columns, func=func)
        if flows.n_regions == 0:
            raise ParameterError(f"{func}: no rows of the table fall in the window {window!r}")
    else:
        raise InputTypeError(f"{func}: data must be Contributions, RegionFlows or an origin-destination "
                             f"DataFrame; got {type(data).__name__}")
    if cluster is not None:
        raise ParameterError(f"{func}: cluster needs record-level Contributions; got cluster={cluster!r} "
                             "with aggregated flows")
    boot = table_replicates(flows, layer=layer, seed=seed, replicates=bootstrap, n_jobs=n_jobs,
                            func=func, progress=progress)
    design = {"kind": "parametric Poisson bootstrap of the flow cells", "unit": boot["unit"],
              "n_units": boot["n_units"]}
    n_records = np.full((len(flows.channels), flows.n_regions), np.nan)
    provenance = {"flows": _plain(flows.info)}
    return flows, boot["point"], boot["replicates"], n_records, design, provenance


def _subset_channels(flows, idx):
    from .flows import RegionFlows

    return RegionFlows(regions=flows.regions, countries=flows.countries, parents=flows.parents,
                       channels=tuple(flows.channels[i] for i in idx),
                       presence=flows.presence[idx], copresence=flows.copresence[idx],
                       internal=flows.internal[idx],
                       size=None if flows.size is None else flows.size[idx],
                       counting=flows.counting, info=dict(flows.info))


def _warn_empty_window(func, window, n_in_window, years):
    """Warn when a window holds no records (every region would be 'insufficient')."""
    if window is None or n_in_window:
        return
    import warnings

    from .exceptions import EcosystemWarning

    span = ""
    if years is not None:
        y = np.asarray(years)
        y = y[y > 0]
        span = f"; the data cover {int(y.min())}-{int(y.max())}" if y.size else ""
    warnings.warn(f"{func}: window {window[0]}-{window[1]} holds no records{span}; no "
                  "region has activity to classify", EcosystemWarning, stacklevel=4)


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
#: Replicate indicators re-centred on the point estimate, with their natural range.
_RECENTRE = {"D": (-1.0, 1.0), "R": (0.0, 1.0), "openness": (0.0, 1.0), "z_O": (-np.inf, np.inf),
             "z_in": (-np.inf, np.inf), "z_out": (-np.inf, np.inf), "z_C": (-np.inf, np.inf),
             "v_in": (0.0, np.inf), "v_out": (0.0, np.inf), "circulation": (0.0, np.inf)}


def _recentre(Q, P):
    r"""Bootstrap bias correction: every replicate shifted by the estimated bias.

    :math:`\tilde\theta^*_b = \theta^*_b - (\bar\theta^* - \hat\theta)`, clipped to the
    statistic's range (Efron & Tibshirani 1993, §10.3). Statistics such as partner
    reciprocity (a sum of minima) are biased under resampling (a perfectly reciprocal
    region has R = 1 but every replicate below 1); re-centred replicates give CIs that
    cover the point estimate and a stability that measures noise, not the bias.
    """
    import warnings

    bias = {}
    for key, (lo, hi) in _RECENTRE.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            b = np.nanmean(Q[key], axis=0) - P[key]
        b = np.where(np.isfinite(b), b, 0.0)
        Q[key] = np.clip(Q[key] - b[None], lo, hi)
        bias[key] = b
    return bias


def _size_basis_text(ctx, size_known, known):
    if size_known:
        what = "the given region sizes" if ctx["size_source"] == "given" else \
            "records touching the region (no size given)"
        return f"log-log fit of volume on size over the panel; size = {what}"
    if known.all():
        return ("log-log fit of volume on internal + layer volume (no size given); pass size= "
                "for a size-adjusted classification")
    return ("no size and no internal volume: volume criteria compare raw log volumes with the "
            "panel (pass size= and internal=)")


def replicate_indicators(data, *, window=None, channels=None, layer="international",
                         counting="fractional", bootstrap=1000, cluster=None, seed=0, size=None,
                         internal=None, panel=None, countries=None, columns=None, n_jobs=None,
                         progress=None, func="replicate_indicators", resolved=None):
    """Point and bias-corrected bootstrap indicators of one window (classify's first step).

    The same hash-derived replicate weights as :func:`classify` (a unit's weight depends
    only on its label, the replicate number and the seed), so results for different
    windows of the same data share their replicates unit by unit — the basis for
    trajectories of D per region and channel across windows.

    Parameters
    ----------
    data, window, channels, layer, counting, bootstrap, cluster, seed, size, internal, panel, countries, columns, n_jobs, progress
        As in :func:`classify` (one window).
    func : str
        Caller name for messages and warnings.
    resolved : tuple, optional
        The window's (flows, point statistics, replicate statistics, record counts,
        bootstrap design, provenance) from a joint bootstrap of several windows
        (:func:`ecosystem.trajectories`); ``data`` is then unused.

    Returns
    -------
    dict
        ``flows`` (RegionFlows), ``point`` (indicators of :func:`ecosystem.metrics.indicators`,
        arrays of shape (K, R)), ``replicates`` (the same, shape (B, K, R), re-centred on
        the point estimate: e.g. ``replicates["D"]`` is D per replicate, channel and
        region), ``bias`` (the subtracted bootstrap bias per indicator), ``active``
        ((K, R) cells with activity), ``n_records``, ``design`` (bootstrap design),
        ``provenance``, ``ctx`` (sizes and panel) and ``size_model`` (the basis, in words).

    Warns
    -----
    UserWarning
        No region size is known (the size model falls back, as stated in ``size_model``).
    """
    flows, point, reps, n_records, design, provenance = resolved if resolved is not None else _resolve(
        func, data, window, channels=channels, layer=layer, counting=counting,
        bootstrap=bootstrap, cluster=cluster, seed=seed, countries=countries, columns=columns,
        n_jobs=n_jobs, progress=progress)
    ctx = _m._context(func, flows, size=size, internal=internal, panel=panel)
    if internal is not None:
        point = point.copy()
        point[3] = ctx["I"]
        reps = reps.copy()
        reps[:, 3] = ctx["I"]
    size_known = ctx["size_source"] != "unknown"
    known = ctx["internal_known"][:, None]
    basis_text = _size_basis_text(ctx, size_known, known)
    if not size_known:
        warnings.warn(f"{func}: no region size given; {basis_text}", UserWarning, stacklevel=4)
    active = _m.active_regions(_m.derive(point), n_records)
    P = _m.indicators(point, ctx, active=active)
    Q = _m.indicators(reps, ctx, active=active)
    bias = _recentre(Q, P) if reps.shape[0] > 0 else {}
    return {"flows": flows, "point": P, "replicates": Q, "bias": bias, "active": active,
            "n_records": n_records, "design": design, "provenance": provenance, "ctx": ctx,
            "size_model": basis_text}


def _classify_window(func, data, window, thr, *, channels, layer, counting, reference, bootstrap,
                     cluster, seed, n_null, size, internal, panel, countries, adjust,
                     backbone_alpha, brokerage_rule, columns, sensitivity, n_jobs, progress=None,
                     resolved=None):
    import pandas as pd

    from .uncertainty import benjamini_hochberg, openness_expectation, percentile_ci

    w = replicate_indicators(data, window=window, channels=channels, layer=layer,
                             counting=counting, bootstrap=bootstrap, cluster=cluster, seed=seed,
                             size=size, internal=internal, panel=panel, countries=countries,
                             columns=columns, n_jobs=n_jobs, progress=progress, func=func,
                             resolved=resolved)
    flows, P, Q, n_records, design, provenance = (w["flows"], w["point"], w["replicates"],
                                                   w["n_records"], w["design"], w["provenance"])
    ctx, active, bias, basis_text = w["ctx"], w["active"], w["bias"], w["size_model"]
    K, R = len(flows.channels), flows.n_regions
    size_known = ctx["size_source"] != "unknown"

    mask = _m._layer_mask(flows, layer)
    stats = _m.layer_nulls(flows, mask, P, n_null=n_null, seed=seed, n_jobs=n_jobs, func=func,
                           alpha=thr["alpha"])
    R0, R0_upper, p_R, rho = stats["R_null"], stats["R_null_upper"], stats["p_R"], stats["rho_R"]
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
        for key in ("D", "R", "openness", "v_in", "v_out", "circulation"):
            ci[key] = percentile_ci(Q[key], level=0.95, axis=0)
    ci_width = ci["D"][1] - ci["D"][0] if bootstrap > 0 else None
    labels, detail = _rules(P, thr, ctx["panel"], reference=reference, r_sig=r_sig_point, brok=brok,
                            adjust=adjust, ci_width=ci_width, p_R=p_R, q_R=q_R,
                            boot_D=Q["D"] if bootstrap > 0 else None)
    rule_labels = labels.copy()
    subtype = detail["subtype"].copy()
    if bootstrap > 0:
        rep_r_sig = (Q["R"] > R0_upper[None]) & np.isfinite(R0_upper)[None]
        rep_labels, _ = _rules(Q, thr, ctx["panel"], reference=reference, r_sig=rep_r_sig,
                               brok=brok, adjust=adjust, ci_width=None)
    if rep_labels is not None:
        shares = np.stack([(rep_labels == c).mean(axis=0) for c in range(len(LABELS))])
        stability = np.take_along_axis(shares, labels[None], axis=0)[0]
        unstable = (labels < len(TYPES)) & (stability < 0.5)
        labels = np.where(unstable, _CODE["undetermined"], labels)
        subtype = np.where(unstable, _SUBTYPE["unstable"], subtype)
    else:
        shares = np.full((len(LABELS), K, R), np.nan)
        stability = np.full((K, R), np.nan)

    # --- soft model, sensitivity
    soft, entropy = _soft_scores(P["z_O"], detail["dir"], P["R"], zG, zR, zL, thr["tau"])
    soft_arg = np.where(np.isfinite(soft).all(axis=0), np.nanargmax(np.nan_to_num(soft, nan=-1), axis=0), -1)
    rule_type = rule_labels < len(TYPES)
    review = (rule_type & (soft_arg >= 0) & (soft_arg != rule_labels)) | (entropy > thr["entropy_flag"])
    sens_rows, changed = _sensitivity(P, thr, ctx["panel"], reference, r_sig_point, rho, p_R, q_R, brok,
                                      adjust, ci_width, rule_labels, sensitivity,
                                      boot_D=Q["D"] if bootstrap > 0 else None, active=active)

    # --- assemble
    window_label = _m._window_label(flows)
    hub_support = (zL >= thr["support_z"]) | ((zG >= thr["support_z"]) & (zR >= thr["support_z"]))
    sub_names = np.asarray(("",) + UNDETERMINED_SUBTYPES, dtype=object)
    frames = []
    for k, ch in enumerate(flows.channels):
        net = network[k]
        cols = {
            "region": list(flows.regions), "country": list(flows.countries), "channel": ch,
            "layer": layer, "window": window_label,
            "label": np.asarray(LABELS, dtype=object)[labels[k]],
            "subtype": sub_names[subtype[k]],
            "rule_label": np.asarray(LABELS, dtype=object)[rule_labels[k]],
            "rule": np.asarray(_RULE_NAMES, dtype=object)[detail["rule"][k]],
            "stability": stability[k],
            "stable": np.isfinite(stability[k]) & (stability[k] >= thr["stable"]),
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
            if name == "v_out":
                cols["z_in"] = P["z_in"][k]
                cols["z_out"] = P["z_out"][k]
                cols["z_circulation"] = P["z_C"][k]
            if name == "D":
                cols["D_ref"] = detail["d_ref"][k]
                cols["p_D"] = detail["p_D"][k]
                cols["q_D"] = detail["q_D"][k]
                cols["p_D_flip"] = detail["p_flip"][k]
                cols["B"] = P["B"][k]
                cols["one_way"] = np.abs(P["D"][k]) > thr["one_way"]
            if name == "R":
                cols["R_null"] = R0[k]
                cols["rho_R"] = rho[k]
                cols["p_R"] = p_R[k]
                cols["q_R"] = q_R[k]
                cols["R_bias"] = bias["R"][k] if "R" in bias else np.full(R, np.nan)
        cols.update({
            "z_gatekeeper": zG[k], "z_representative": zR[k], "z_liaison": zL[k],
            "z_gatekeeper_sna": net["z_gatekeeper_sna"], "z_representative_sna": net["z_representative_sna"],
            "z_liaison_sna": net["z_liaison_sna"], "brokerage": net["status"],
            "hub_support": hub_support[k], "hits_hub": net["hits_hub"], "hits_authority": net["hits_authority"],
            "n_sensitive": [len(x) for x in changed[k]],
            "sensitive_to": ["; ".join(x) for x in changed[k]],
            "reason": _reasons(k, labels, rule_labels, subtype, stability, detail, P, thr, brok,
                               network[k], ctx, size_known, adjust, ci),
        })
        frames.append(pd.DataFrame(cols))
    table = pd.concat(frames, ignore_index=True)
    # rows of regions without any activity in the channel and window carry no information
    table = table[active.ravel()].reset_index(drop=True)
    regions = _overall(table, flows, thr["stable"], window_label)
    sens = pd.DataFrame(sens_rows)
    sens.insert(0, "window", window_label)
    params = _params(flows, thr, layer=layer, window=window, counting=counting, reference=reference,
                     bootstrap=bootstrap, design=design, seed=seed, n_null=n_null, adjust=adjust,
                     backbone_alpha=backbone_alpha, brokerage_rule=brokerage_rule,
                     sensitivity=sensitivity, ctx=ctx,
                     size_known=size_known, provenance=provenance, network=network,
                     basis_text=basis_text)
    return {"table": table, "regions": regions, "sensitivity": sens, "params": params,
            "grid": {"label": labels, "D": P["D"], "stability": stability, "active": active},
            "replicates": {"label": rep_labels, "D": Q["D"] if bootstrap > 0 else None}}


def classify_window(data, window, *, resolved=None, func="classify", **options):
    """One window of :func:`classify`, with its labels and D on the full region grid.

    The entry point of :func:`ecosystem.trajectories` (not exported).

    Parameters
    ----------
    data : Contributions, RegionFlows or pandas.DataFrame
        As :func:`classify` (unused when ``resolved`` is given).
    window : (int, int) or None
        The window.
    resolved : tuple, optional
        The window's statistics from a joint bootstrap (see :func:`replicate_indicators`).
    func : str
        Name used in error messages.
    **options
        :func:`classify` options (checked by :func:`classify_options`).

    Returns
    -------
    dict
        ``table``, ``regions``, ``sensitivity``, ``params`` as :func:`classify` builds
        them for one window; ``grid``: ``label`` (K, R) label codes into :data:`LABELS`,
        ``D``, ``stability`` and ``active`` for every channel and region (the table keeps
        the active rows only); ``replicates``: ``label`` (B, K, R) label codes and ``D``
        (B, K, R) bias-corrected as in the CIs, None without bootstrap.
    """
    thr, opts = classify_options(func, **options)
    return _classify_window(func, data, window, thr, resolved=resolved, **opts)


def _brokerage_conditions(zG, zR, rule, support_z):
    """Whether the matching role is not weaker (introduction: gatekeeper; outbound: representative)."""
    undefined = ~(np.isfinite(zG) & np.isfinite(zR))
    g_ok = zG >= zR
    r_ok = zR >= zG
    if rule == "significant":
        g_ok = g_ok | (zR < support_z)
        r_ok = r_ok | (zG < support_z)
    return {"in": undefined | g_ok, "out": undefined | r_ok, "undefined": undefined, "rule": rule}


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


def _bootstrap_direction_p(boot_D, D, d_ref):
    r"""Two-sided bootstrap p-value of D = D_ref from (re-centred) replicates.

    :math:`p = \min(1, 2\min(1 + \#\{D^*_b \le D_{ref}\}, 1 + \#\{D^*_b \ge D_{ref}\}) / (1 + B))`:
    below alpha exactly when the percentile interval of level 1 - alpha excludes D_ref.
    """
    valid = np.isfinite(boot_D)
    n = valid.sum(axis=0)
    le = ((boot_D <= d_ref[None]) & valid).sum(axis=0)
    ge = ((boot_D >= d_ref[None]) & valid).sum(axis=0)
    p = np.minimum(1.0, 2.0 * np.minimum(1 + le, 1 + ge) / (1 + n))
    return np.where((n > 0) & np.isfinite(D), p, np.nan)


def _rules(ind, thr, panel, *, reference, r_sig, brok, adjust, ci_width, p_R=None, q_R=None,
           boot_D=None):
    """Labels (codes into LABELS) and the conditions behind them; any leading shape.

    ``boot_D`` (point estimate only) makes the direction rules use the bootstrap: a
    direction is significant when the percentile CI of D (re-centred replicates)
    excludes D_ref, i.e. its bootstrap p-value is below alpha; the point estimate must
    in addition lie beyond the balance band. Replicates use the direction-flip test of
    their own sufficient statistics.
    """
    from .uncertainty import direction_test

    D = ind["D"]
    has_dir = np.isfinite(D)
    enough = ind["external"] >= thr["min_external"]
    ci_ok = np.ones_like(enough)
    if ci_width is not None:
        ci_ok = ~(ci_width > thr["max_ci_width"])
    suff = enough & ci_ok
    ref = panel & suff & has_dir
    if reference == "panel":
        d_ref = np.broadcast_to(_panel_quantile(D, ref, 0.5), D.shape)
        d_ref = np.where(np.isfinite(d_ref), d_ref, 0.0)
    else:
        d_ref = np.zeros(D.shape)
    p_flip = direction_test(D, ind["volume"], ind["qd"], ind["ad"], d_ref)
    p_D = _bootstrap_direction_p(boot_D, D, d_ref) if boot_D is not None else p_flip
    q_D = _bh_last_axis(p_D)
    p_use = q_D if adjust == "bh" else p_D
    zC_q = _panel_quantile(ind["z_C"], panel & suff, thr["local_quantile"])
    zin_q = _panel_quantile(ind["z_in"], ref, thr["volume_quantile"])
    zout_q = _panel_quantile(ind["z_out"], ref, thr["volume_quantile"])
    dirv = D - d_ref
    cond = {
        "sufficient": suff,
        "enough_external": enough,
        "ci_ok": ci_ok,
        "has_direction": has_dir,
        "local_z": ind["z_O"] <= thr["local_z"],
        "local_c": ind["z_C"] < zC_q,
        "balanced": np.abs(dirv) <= thr["d_threshold"],
        "reciprocal": ind["R"] >= thr["min_reciprocity"],
        "r_sig": r_sig,
        "volume": (ind["z_in"] >= zin_q) & (ind["z_out"] >= zout_q),
        "inbound_dir": dirv < -thr["d_threshold"],
        "outbound_dir": dirv > thr["d_threshold"],
        "significant": p_use < thr["alpha"],
        "brok_in": brok["in"],
        "brok_out": brok["out"],
    }
    local = cond["local_z"] & cond["local_c"]
    hub = has_dir & cond["balanced"] & cond["reciprocal"] & cond["r_sig"] & cond["volume"]
    intro = cond["inbound_dir"] & cond["significant"] & cond["brok_in"]
    outb = cond["outbound_dir"] & cond["significant"] & cond["brok_out"]
    choices = [~suff, local, hub, intro, outb]
    labels = np.select(choices, [_CODE["insufficient"], _CODE["local"], _CODE["hub"],
                                 _CODE["introduction"], _CODE["outbound"]], _CODE["undetermined"])
    rule = np.select(choices, [0, 1, 2, 3, 4], 5)
    directed = cond["inbound_dir"] | cond["outbound_dir"]
    leaning = cond["balanced"] & cond["significant"] & (np.abs(dirv) > thr["d_threshold"] / 2)
    sub = np.select(
        [~has_dir, cond["balanced"] & ~cond["volume"], leaning, cond["balanced"],
         directed & ~cond["significant"], directed],
        [_SUBTYPE["no direction"], _SUBTYPE["low intensity"], _SUBTYPE["weakly directional"],
         _SUBTYPE["balanced, not reciprocal"], _SUBTYPE["not significant"], _SUBTYPE["role veto"]],
        _SUBTYPE["not significant"])
    sub = np.where(labels == _CODE["undetermined"], sub, 0)
    detail = {"rule": rule, "cond": cond, "d_ref": d_ref, "p_D": p_D, "q_D": q_D, "p_flip": p_flip,
              "dir": dirv, "zC_q": np.broadcast_to(zC_q, D.shape),
              "zin_q": np.broadcast_to(zin_q, D.shape), "zout_q": np.broadcast_to(zout_q, D.shape),
              "ci_width": ci_width, "p_R": p_R, "q_R": q_R, "subtype": sub.astype(np.intp)}
    return labels.astype(np.intp), detail


# ============================================================================ soft model
def _soft_scores(z_O, dirv, R, zG, zR, zL, tau):
    """Prototype probabilities and normalised entropy.

    The energy of class k is the weighted mean squared distance over the features that
    are defined (times the number of features), so a class with fewer weighted features
    (local ignores D and R) is not favoured when features are missing; ``local`` gets
    probability 0 when :math:`z_O` is undefined (local cannot be asserted without
    openness).
    """
    clip = lambda z: np.clip(z, -3, 3) / 3  # noqa: E731
    x = np.stack([clip(z_O), dirv, R, clip(zG), clip(zR), clip(zL)], axis=-1)
    mu = np.asarray([PROTOTYPES[t] for t in TYPES], dtype=float)
    w = np.asarray([PROTOTYPE_WEIGHTS[t] for t in TYPES], dtype=float)
    avail = np.isfinite(x)
    diff2 = np.where(avail[..., None, :], (np.nan_to_num(x)[..., None, :] - mu) ** 2, 0.0)
    w_avail = (w * avail[..., None, :]).sum(axis=-1)                       # (..., 4)
    with np.errstate(divide="ignore", invalid="ignore"):
        energy = x.shape[-1] * (w * diff2).sum(axis=-1) / w_avail / (2 * tau ** 2)
    no_openness = ~np.isfinite(z_O)
    energy[..., TYPES.index("local")] = np.where(no_openness, np.inf, energy[..., TYPES.index("local")])
    energy = np.where(w_avail > 0, energy, np.inf)
    finite_any = np.isfinite(energy).any(axis=-1, keepdims=True)
    energy = energy - np.where(finite_any, np.min(np.where(np.isfinite(energy), energy, np.inf),
                                                  axis=-1, keepdims=True), 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.exp(-energy)
        p = p / p.sum(axis=-1, keepdims=True)
    any_feature = avail.any(axis=-1) & finite_any[..., 0]
    p = np.where(any_feature[..., None], p, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -(np.where(p > 0, p * np.log(p), 0.0)).sum(axis=-1) / np.log(len(TYPES))
    ent = np.where(any_feature, ent, np.nan)
    return np.moveaxis(p, -1, 0), ent


# ============================================================================ sensitivity
def _sensitivity(P, thr, panel, reference, r_sig_point, rho, p_R, q_R, brok, adjust, ci_width,
                 labels, sensitivity, boot_D=None, active=None):
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
                            ci_width=ci_width, boot_D=boot_D)
            diff = new != labels
            if active is not None:
                diff &= active
            for k, r in zip(*np.nonzero(diff)):
                changed[k][r].append(f"{name}x{factor:g}->{LABELS[new[k, r]]}")
            rows.append({"threshold": name, "factor": factor, "value": t2[name],
                         "default": thr[name], "n_changed": int(diff.sum()),
                         "share_changed": float(diff.sum() / max(1, active.sum() if active is not None
                                                                  else diff.size))})
    return rows, changed


# ============================================================================ overall
def _overall(table, flows, stable, window_label):
    """Overall label per region: with one channel, that channel's label; otherwise the type
    at least two channels share with stability >= ``stable``, "insufficient" when every
    channel is, else "mixed".

    Regions come in the order of their first row; a tie between types (possible with four
    or more channels) goes to the type whose first stable channel comes first.
    """
    import pandas as pd

    cols = ["region", "country", "window", "overall", "profile", "n_agree"]
    if not len(table):
        return pd.DataFrame(columns=cols)
    code, regions = pd.factorize(table["region"], sort=False)
    n, rows = len(regions), np.arange(len(table))
    label = table["label"].to_numpy(dtype=object)
    ok = table["label"].isin(TYPES).to_numpy() & (table["stability"].fillna(0).to_numpy() >= stable)
    # per region and type: stable channels (count) and the first of them (row)
    count = np.zeros((n, len(TYPES)), dtype=np.int64)
    first = np.full((n, len(TYPES)), len(table), dtype=np.int64)
    for t, typ in enumerate(TYPES):
        m = ok & (label == typ)
        count[:, t] = np.bincount(code[m], minlength=n)
        np.minimum.at(first[:, t], code[m], rows[m])
    best = np.argmax(count * (len(table) + 1) - first, axis=1)   # most channels, then first seen
    top = count[np.arange(n), best]
    head = np.full(n, len(table), dtype=np.int64)
    np.minimum.at(head, code, rows)                        # each region's first row
    all_insufficient = np.bincount(code[label != "insufficient"], minlength=n) == 0
    if len(flows.channels) == 1:
        overall = label[head]
        n_agree = (count > 0).sum(axis=1)
    else:
        overall = np.where(top >= 2, np.asarray(TYPES, dtype=object)[best],
                           np.where(all_insufficient, "insufficient", "mixed"))
        n_agree = np.where((top < 2) & all_insufficient, 0, top)
    pieces = (table["channel"].map(lambda ch: _ABBREV.get(ch, ch)).astype(str) + ":"
              + table["label"].astype(str))
    profile = pieces.groupby(code, sort=True).agg("/".join).to_numpy()
    return pd.DataFrame({"region": np.asarray(regions, dtype=object),
                         "country": table["country"].to_numpy(dtype=object)[head],
                         "window": [window_label] * n, "overall": overall, "profile": profile,
                         "n_agree": n_agree.astype(int)}, columns=cols)


# ============================================================================ reasons
def _reasons(k, labels, rule_labels, subtype, stability, det, P, thr, brok, net, ctx, size_known,
             adjust, ci):
    cond = det["cond"]
    R = labels.shape[1]
    out = []
    ptxt = "q" if adjust == "bh" else "p"
    boot = "D" in ci
    for r in range(R):
        lab = LABELS[labels[k, r]]
        rule_lab = LABELS[rule_labels[k, r]]
        ext = P["external"][k, r]
        D = P["D"][k, r]
        dref = det["d_ref"][k, r]
        pd_ = (det["q_D"] if adjust == "bh" else det["p_D"])[k, r]
        ptest = "bootstrap" if boot else "direction-flip"
        if not cond["enough_external"][k, r]:
            why = f"external volume {format_number(ext)} < min_external {format_number(thr['min_external'])}"
            if not np.isfinite(D):
                why = "no directed (presence) flows across the layer, so D is undefined; " + why
            out.append(f"Insufficient: {why}.")
            continue
        if not cond["ci_ok"][k, r]:
            w = det["ci_width"][k, r]
            out.append(f"Insufficient: the 95% CI of D is {format_number(w)} wide > max_ci_width "
                       f"{format_number(thr['max_ci_width'])} (external volume {format_number(ext)}).")
            continue
        zO = P["z_O"][k, r]
        local_txt = (f"z_O = {format_number(zO)} (local needs <= {format_number(thr['local_z'])}) and size-adjusted "
                     f"circulation z_C = {format_number(P['z_C'][k, r])} vs panel q"
                     f"{format_number(thr['local_quantile'] * 100, 0)} = {format_number(det['zC_q'][k, r])}")
        if not np.isfinite(zO):
            local_txt = ("size-adjusted openness undefined (" + ctx["not_computed"].get(
                "openness", "no usable size/openness") + "), so local cannot be asserted")
        if rule_lab == "local" and lab == "local":
            out.append(f"Local: {local_txt}; direction is not interpreted.")
            continue
        not_local = f"Not local: {local_txt}."
        ci_txt = (f", 95% CI [{format_number(ci['D'][0][k, r])}, {format_number(ci['D'][1][k, r])}]" if boot else "")
        dtxt = f"D = {format_number(D)}{ci_txt} (reference {format_number(dref)}; {ptest} {ptxt}_D = {format_number(pd_, 4)})"
        hub_bits = [
            f"|D - D_ref| = {format_number(abs(D - dref))} {'<=' if cond['balanced'][k, r] else '>'} "
            f"{format_number(thr['d_threshold'])}",
            f"R {'>=' if cond['reciprocal'][k, r] else '<'} {format_number(thr['min_reciprocity'])} (R = {format_number(P['R'][k, r])})",
            f"R {'above' if cond['r_sig'][k, r] else 'not above'} its quasi-independence null "
            f"(p_R = {format_number(det['p_R'][k, r] if det['p_R'] is not None else np.nan, 4)})",
            f"size-adjusted in/out volume z = {format_number(P['z_in'][k, r])}/{format_number(P['z_out'][k, r])} "
            f"{'both >=' if cond['volume'][k, r] else 'not both >='} panel "
            f"q{format_number(thr['volume_quantile'] * 100, 0)} {format_number(det['zin_q'][k, r])}/{format_number(det['zout_q'][k, r])}",
        ]
        if lab == "hub":
            out.append(f"Hub: {dtxt}; " + "; ".join(hub_bits) + ". " + not_local)
            continue
        zg, zr = net["z_gatekeeper"][r], net["z_representative"][r]
        if brok["undefined"][k, r]:
            btxt = f"brokerage condition lapses ({net['status'] if net['status'] != 'ok' else 'role z undefined for this region'})"
        else:
            btxt = f"z_G = {format_number(zg)}, z_R = {format_number(zr)}"
        cmp_in = cmp_out = ""
        if not brok["undefined"][k, r]:
            if zg >= zr:
                cmp_in = "gatekeeper >= representative"
            elif zr < thr["support_z"] and brok["rule"] == "significant":
                cmp_in = f"representative not significant (z_R < {format_number(thr['support_z'])}), no veto"
            else:
                cmp_in = "gatekeeper weaker than representative"
            if zr >= zg:
                cmp_out = "representative >= gatekeeper"
            elif zg < thr["support_z"] and brok["rule"] == "significant":
                cmp_out = f"gatekeeper not significant (z_G < {format_number(thr['support_z'])}), no veto"
            else:
                cmp_out = "representative weaker than gatekeeper"
        if lab in ("introduction", "outbound"):
            sign, side, cmp = ("<", "-", cmp_in) if lab == "introduction" else (">", "", cmp_out)
            out.append(f"{lab.capitalize()}: D - D_ref = {format_number(D - dref)} {sign} {side}{format_number(thr['d_threshold'])}"
                       f", {dtxt}, {ptxt}_D < {format_number(thr['alpha'])}, "
                       f"{btxt}{f' ({cmp})' if cmp else ''}. " + not_local)
            continue
        sub = UNDETERMINED_SUBTYPES[subtype[k, r] - 1] if subtype[k, r] > 0 else "not classifiable"
        # the reciprocity conditions that fail, then those that hold
        recip = ((hub_bits[1], cond["reciprocal"][k, r]), (hub_bits[2], cond["r_sig"][k, r]))
        fails, holds = [b for b, ok in recip if not ok], [b for b, ok in recip if ok]
        recip_txt = "; ".join(fails) + (f", although {' and '.join(holds)}" if holds and fails else "")
        if sub == "unstable":
            why = (f"the rules give {rule_lab} at the point estimate, but only "
                   f"{format_number(stability[k, r] * 100, 0)}% of bootstrap replicates agree (< 50%)")
        elif sub == "no direction":
            why = ("only undirected co-presence crosses the layer, so D is undefined"
                   + (f" ({format_number(ext)} co-presence)" if ext > 0 else ""))
        elif sub == "low intensity":
            why = (f"balanced ({dtxt}), but the in/out volumes are low for the region's size: "
                   + hub_bits[3])
        elif sub == "balanced, not reciprocal":
            why = (f"balanced ({dtxt}), but the exchange is not matched partner by partner: "
                   + recip_txt)
        elif sub == "not significant":
            why = f"{'inflow' if D < dref else 'outflow'}-leaning ({dtxt}), but not significant ({ptxt}_D >= {format_number(thr['alpha'])})"
        elif sub == "weakly directional":
            why = (f"a significant {'inflow' if D < dref else 'outflow'} lean inside the balance band "
                   f"({dtxt}; {format_number(thr['d_threshold'] / 2)} < |D - D_ref| <= {format_number(thr['d_threshold'])}), "
                   f"and not a hub: " + recip_txt)
        elif sub == "role veto":
            why = (f"{'inflow' if D < dref else 'outflow'}-dominated ({dtxt}), but "
                   f"{cmp_in if D < dref else cmp_out} ({btxt})")
        else:
            why = f"D = {format_number(D)} not classifiable"
        out.append(f"Undetermined ({sub}): {why}. " + not_local)
    return out


# ============================================================================ params
def _params(flows, thr, *, layer, window, counting, reference, bootstrap, design, seed, n_null,
            adjust, backbone_alpha, brokerage_rule, sensitivity, ctx, size_known, provenance,
            network, basis_text):
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
        "size_model": basis_text,
        "volume_basis": basis_text,
        "size_basis": ctx["size_basis"],
        "multiple_testing": (
            "Benjamini-Hochberg FDR over regions x channels (adjust='bh'): the rules use q_D and q_R"
            if adjust == "bh" else
            "none (adjust=None, the default): each region's tests at alpha; Benjamini-Hochberg "
            "q-values q_D, q_R are reported but not used"),
        "direction_test": ("bootstrap: the percentile CI of D must exclude D_ref (p_D) and lie "
                           "beyond the balance band; p_D_flip is the analytic direction-flip test"
                           if bootstrap > 0 else
                           "analytic direction-flip test (bootstrap=0: no CI of D)"),
        "bias_correction": ("replicates re-centred on the point estimate (bootstrap bias correction) "
                            "for D, R, openness, z-scores and intensities" if bootstrap > 0 else "none"),
        "panel": "all regions" if ctx["panel"].all() else
                 [r for r, m in zip(flows.regions, ctx["panel"]) if m],
        "not_computed": dict(ctx["not_computed"]),
        "brokerage_status": {ch: n["status"] for ch, n in zip(flows.channels, network)},
        "brokerage_sna": {ch: n["sna_status"] for ch, n in zip(flows.channels, network)},
        "convention": flows.info.get("convention"),
        "nulls": {
            "direction": "direction flips, analytic normal form (ecosystem.uncertainty.direction_test)",
            "reciprocity": (f"quasi-independence (IPF, zero diagonal), draws conditional on the "
                            f"region's volumes, {n_null} Monte Carlo draws"),
            "openness": "random mixing, analytic expectation (O*, diagnostic only)",
            "brokerage": f"Maslov-Sneppen rewiring, {n_null} draws (permutation z)",
        },
        "data": provenance,
        "versions": {"ecosystem": __version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "pandas": pandas.__version__, "python": platform.python_version(),
                     "openmp": bool(_core.openmp_enabled())},
    }
