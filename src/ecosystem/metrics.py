r"""Region indicators from RegionFlows: volumes, openness, direction, reciprocity, roles.

The formulas are those of the methodology chapter of the documentation (indicators). The array helpers at the bottom of this
module work on statistics with any leading shape (replicates), so :func:`classify` uses
exactly the same formulas for the point estimates and for every bootstrap replicate.
"""

import importlib
import warnings

import numpy as np

from ._validation import check_int, check_option, check_real
from .exceptions import InputTypeError, ParameterError
from .flows import LAYERS

__all__ = ["region_metrics", "METRIC_LAYERS"]

#: Accepted values of ``layer``: one border layer, every other region, or ``"all"``.
METRIC_LAYERS = ("international", "domestic", "cross-boundary", "external")
_HUBER_C = 1.345


def _ratio(num, den):
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def region_metrics(flows, *, layer="international", size=None, internal=None, panel=None,
                   brokerage=True, backbone_alpha=0.05, n_null=999, seed=0, n_jobs=None):
    r"""Flow indicators per region, channel, border layer and window.

    For region r with outbound flows :math:`o_{rj}` and inbound flows :math:`i_{rj}` to
    and from the partner regions j of the layer (presence convention, DESIGN §2):

    * volumes :math:`V_{out} = \sum_j o_{rj}`, :math:`V_{in} = \sum_j i_{rj}`,
      co-presence :math:`V_{co}`, internal :math:`I`, and the number of partner regions
      each way;
    * openness :math:`O = (V_{in} + V_{out} + V_{co}) / (I + V_{in} + V_{out} + V_{co})`,
      E-I :math:`= 2O - 1` [1]_; null-based :math:`O^* = (O - E_0[O]) / (1 - E_0[O])`
      with the random-mixing expectation :math:`E_0[O]`
      (:func:`ecosystem.uncertainty.openness_expectation`); panel-based :math:`z_O`, the
      studentised residual of :math:`\mathrm{logit}(O)` on :math:`\log S` over the panel
      (robust Huber fit);
    * directionality :math:`D = (V_{out} - V_{in}) / (V_{out} + V_{in})` (positive =
      outbound) and balance :math:`B = 1 - |D|` (Grubel–Lloyd of the totals [2]_;
      :math:`|D|` is the migration effectiveness of [3]_);
    * partner reciprocity
      :math:`R = \sum_j 2\min(o_{rj}, i_{rj}) / \sum_j (o_{rj} + i_{rj})` (:math:`R \le B`)
      [4]_, its gravity-null mean :math:`E_0[R]`,
      :math:`\rho_R = (R - E_0[R]) / (1 - E_0[R])` and one-sided p-value;
    * intensities :math:`v_{in} = V_{in}/S`, :math:`v_{out} = V_{out}/S`, circulation
      :math:`C = (V_{in} + V_{out} + V_{co})/S`;
    * Gould–Fernandez brokerage [5]_ of the region in the directed region network
      (groups = countries): raw gatekeeper (foreign → r → domestic), representative
      (domestic → r → foreign) and liaison counts, their z-scores under degree-preserving
      rewiring [6]_ and, when :mod:`ecosystem.brokerage` is available, the analytic
      ``sna`` z-scores; HITS hub and authority scores [7]_;
    * the seed report's indicators: talent turnover :math:`(V_{in} + V_{out})/S` and
      foreign share :math:`V_{in}/S`; foreign ownership of domestic inventions
      :math:`\sum_{j \in L} o_{jr} / \sum_{j} o_{jr}` and domestic ownership of inventions
      made abroad :math:`\sum_{j \in L} o_{rj} / \sum_{j} o_{rj}` (the column and row
      shares of the presence matrix, diagonal included — for a flow table its
      within-region rows: OECD's indicators [8]_ in fractional form); the lead-based international share (MCP ratio, same formula as
      ownership abroad) and the international share of all the region's volume
      :math:`(V_{in} + V_{out} + V_{co}) / (I + \text{all external volume})`
      (international co-authorship share); the number of international partners.

    Parameters
    ----------
    flows : RegionFlows
        Region flows of one window (from :func:`region_flows` or a flow table).
    layer : {"international", "domestic", "cross-boundary", "external", "all"} or sequence
        Which region pairs count as exchange (``"external"``: every other region;
        ``"all"``: every layer present, one row each).
    size : dict or pandas.Series, optional
        Region size (researchers, papers, ...) by region label, for every channel.
        Default: the flows' own ``size`` (records touching the region), if known.
        Without a size, intensities are NaN and ``size_source`` is ``"unknown"``.
    internal : dict or pandas.Series, optional
        Internal volume by region label, replacing ``flows.internal`` (e.g. stayers for
        a migration table, whose within-country rows are absent).
    panel : sequence of region labels, optional
        Reference panel for :math:`z_O` (default: every region).
    brokerage : bool, default True
        Compute brokerage roles and HITS.
    backbone_alpha : float in (0, 1) or None, default 0.05
        The brokerage network keeps arc r → j when it is significant for r's out-flows
        or j's in-flows under the disparity filter [9]_ at this level (an arc that is a
        node's only out- or in-arc is kept); None keeps every positive flow.
    n_null : int, default 999
        Draws of the reciprocity and rewiring nulls (0 skips them).
    seed : int, default 0
        Seed of the nulls' counter-based draws.
    n_jobs : int or None
        OpenMP threads (results do not depend on it).

    Returns
    -------
    pandas.DataFrame
        One row per layer, channel and region, with the columns listed above (names in
        ``attrs["columns"]``). ``attrs`` also holds ``not_computed`` (indicator -> why it
        is NaN), the convention, counting, window and brokerage status per channel.

    Notes
    -----
    *Size.* ``size_source`` is ``"given"``, ``"records"`` (records touching the region,
    a fractional share under fractional counting) or ``"unknown"``. :math:`z_O` and
    :math:`E_0[O]` use :math:`S`; without a size they use the region's internal plus
    layer volume :math:`I + V_{in} + V_{out} + V_{co}` and say so in
    ``attrs["size_basis"]``.

    *Openness of flow tables.* A table without within-region rows (migration flows)
    has no internal volume: openness, E-I, :math:`O^*` and :math:`z_O` are NaN unless
    ``internal`` is given.

    *Panel z.* :math:`y = \log((E + 0.5)/(I + 0.5))` (empirical logit of O) is
    regressed on :math:`x = \log S` over the panel by iteratively reweighted least
    squares with Huber weights (c = 1.345, MAD scale); the residual :math:`e_r` is
    studentised with the root mean square of the panel residuals (n − 2 degrees of
    freedom) and the leverage :math:`h_r = 1/n + (x_r - \bar x)^2 / S_{xx}`:
    :math:`z_O = e_r / (\hat\sigma\sqrt{1 - h_r})` (:math:`\sqrt{1 + h_r}` for regions
    outside the panel). The robust fit keeps a few very open or closed regions from
    tilting the line; the classical scale keeps :math:`z_O = -1` at about the 16th
    percentile of the panel, as the classification rules intend.

    *Reciprocity null.* Volumes are taken as record counts (each unit of volume one
    record); :func:`classify` passes the effective record counts of record-level data.

    *Brokerage* is computed on the network of all layers (domestic arcs are what make a
    region a gatekeeper or representative); it is the same in every layer row. Where
    each region is its own country, gatekeeper and representative cannot occur and
    their z-scores are NaN (stated in ``attrs``).

    References
    ----------
    .. [1] Krackhardt, D. & Stern, R. N. (1988). Informal networks and organizational
       crises. Social Psychology Quarterly 51(2), 123–140. doi:10.2307/2786835
    .. [2] Grubel, H. G. & Lloyd, P. J. (1971). The empirical measurement of
       intra-industry trade. Economic Record 47(4), 494–517.
       doi:10.1111/j.1475-4932.1971.tb00772.x
    .. [3] Bell, M., Blake, M., Boyle, P., et al. (2002). Cross-national comparison of
       internal migration. Journal of the Royal Statistical Society A 165(3), 435–464.
       doi:10.1111/1467-985X.t01-1-00247
    .. [4] Squartini, T., Picciolo, F., Ruzzenenti, F. & Garlaschelli, D. (2013).
       Reciprocity of weighted networks. Scientific Reports 3, 2729. doi:10.1038/srep02729
    .. [5] Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation. Sociological
       Methodology 19, 89–126. doi:10.2307/270949
    .. [6] Maslov, S. & Sneppen, K. (2002). Specificity and stability in topology of
       protein networks. Science 296(5569), 910–913. doi:10.1126/science.1065103
    .. [7] Kleinberg, J. M. (1999). Authoritative sources in a hyperlinked environment.
       Journal of the ACM 46(5), 604–632. doi:10.1145/324133.324140
    .. [8] OECD (2009). OECD Patent Statistics Manual. doi:10.1787/9789264056442-en
    .. [9] Serrano, M. Á., Boguñá, M. & Vespignani, A. (2009). Extracting the multiscale
       backbone of complex weighted networks. PNAS 106(16), 6483–6488.
       doi:10.1073/pnas.0808904106

    Examples
    --------
    Region A sends 30 to B and 20 to C and receives 10 from B:

    >>> import ecosystem as eco
    >>> f = eco.RegionFlows.from_edges(["A", "B", "A"], ["B", "A", "C"], [30, 10, 20])
    >>> m = eco.region_metrics(f, n_null=0).set_index("region")
    >>> print(round(m.loc["A", "D"], 3), round(m.loc["A", "R"], 3))   # (50-10)/60, 2*10/60
    0.667 0.333
    """
    func = "region_metrics"
    if not hasattr(flows, "presence") or not hasattr(flows, "layers"):
        raise InputTypeError(f"{func}: flows must be a RegionFlows object; got {type(flows).__name__}")
    layers = _resolve_layers(func, flows, layer)
    n_null = check_int(func, "n_null", n_null, low=0)
    if backbone_alpha is not None:
        backbone_alpha = check_real(func, "backbone_alpha", backbone_alpha, low=0, high=1,
                                    low_open=True, high_open=True)
    ctx = _context(func, flows, size=size, internal=internal, panel=panel)
    network = [_network_measures(flows, k, backbone_alpha=backbone_alpha, n_null=n_null,
                                 seed=seed, n_jobs=n_jobs, func=func) if brokerage else None
               for k in range(len(flows.channels))]
    frames = [_layer_table(flows, ly, ctx, network, n_null=n_null, seed=seed, n_jobs=n_jobs,
                           func=func) for ly in layers]
    import pandas as pd

    table = pd.concat(frames, ignore_index=True)
    not_computed = dict(ctx["not_computed"])
    if not brokerage:
        not_computed["brokerage"] = "brokerage=False"
    if n_null == 0:
        not_computed["R_null"] = "n_null=0"
    table.attrs.update({
        "layer": layers[0] if len(layers) == 1 else tuple(layers),
        "counting": flows.counting,
        "convention": flows.info.get("convention"),
        "window": _window_label(flows),
        "size_basis": ctx["size_basis"],
        "not_computed": not_computed,
        "brokerage_status": {ch: (net["status"] if net else "not computed")
                             for ch, net in zip(flows.channels, network)},
        "columns": list(table.columns),
    })
    return table


# ---------------------------------------------------------------------------- helpers
def _resolve_layers(func, flows, layer):
    if isinstance(layer, str):
        if layer == "all":
            out = ["international", "domestic"]
            if (flows.layers == LAYERS.index("cross-boundary")).any():
                out.append("cross-boundary")
            out.append("external")
            return out
        return [check_option(func, "layer", layer, METRIC_LAYERS + ("all",))]
    try:
        out = list(layer)
    except TypeError:
        raise ParameterError(f"{func}: layer must be a layer name, 'all' or a sequence of names; "
                             f"got {layer!r}") from None
    if not out:
        raise ParameterError(f"{func}: layer must name at least one layer; got {layer!r}")
    return [check_option(func, "layer", x, METRIC_LAYERS) for x in out]


def _window_label(flows):
    w = flows.info.get("window")
    if w is None:
        return "all"
    return f"{w[0]}-{w[1]}"


def _lookup(func, name, values, regions):
    try:
        items = dict(values.items()) if hasattr(values, "items") else None
    except TypeError:
        items = None
    if items is None:
        raise InputTypeError(f"{func}: {name} must be a dict or Series by region; got {type(values).__name__}")
    out = np.asarray([float(items.get(r, np.nan)) for r in regions], dtype=float)
    if np.isnan(out).all():
        raise ParameterError(f"{func}: {name} has no entry for any region (e.g. {regions[0]!r})")
    if (out[np.isfinite(out)] < 0).any():
        raise ParameterError(f"{func}: {name} must be non-negative; got a negative value")
    return out


def _context(func, flows, *, size=None, internal=None, panel=None):
    """Sizes, internal volumes, panel mask and the reasons for what cannot be computed."""
    K, R = len(flows.channels), flows.n_regions
    not_computed = {}
    if size is not None:
        S = np.broadcast_to(_lookup(func, "size", size, flows.regions), (K, R)).copy()
        source = "given"
    elif flows.size is not None:
        S = np.array(flows.size, dtype=float)
        source = "records"
    else:
        S = np.full((K, R), np.nan)
        source = "unknown"
        not_computed.update({c: "no region size known (pass size=...)" for c in
                             ("v_in", "v_out", "circulation", "turnover", "foreign_share")})
    if internal is not None:
        I = np.broadcast_to(_lookup(func, "internal", internal, flows.regions), (K, R)).copy()
        internal_source = "given"
        internal_known = np.ones(K, dtype=bool)
    else:
        I = np.array(flows.internal, dtype=float)
        internal_source = "flows"
        internal_known = ~((flows.counting == "given") & (I.sum(axis=1) == 0))
        if not internal_known.all():
            not_computed["openness"] = ("no internal volume: the flow table has no within-region "
                                        "rows (pass internal=...)")
    if panel is None:
        panel_mask = np.ones(R, dtype=bool)
    else:
        wanted = set(panel)
        unknown = wanted - set(flows.regions)
        if unknown:
            raise ParameterError(f"{func}: panel has {len(unknown)} labels that are not regions, "
                                 f"e.g. {sorted(map(str, unknown))[0]!r}")
        panel_mask = np.asarray([r in wanted for r in flows.regions])
        if panel_mask.sum() < 3:
            raise ParameterError(f"{func}: panel must hold at least 3 regions; got {int(panel_mask.sum())}")
    return {"S": S, "size_source": source, "I": I, "internal_source": internal_source,
            "internal_known": internal_known, "panel": panel_mask, "not_computed": not_computed,
            "size_basis": "size" if source != "unknown" else
            "internal + layer volume (no size known)"}


def _layer_mask(flows, layer):
    mask = flows.layers != 0 if layer == "external" else flows.layers == LAYERS.index(layer)
    mask = np.array(mask, dtype=bool)
    np.fill_diagonal(mask, False)
    return mask


def indicators(stats, ctx, *, active=None):
    r"""The indicator step shared by :func:`region_metrics` and :func:`ecosystem.classify`.

    From the statistics of the point estimate or of every bootstrap replicate (any
    leading shape) it derives the volumes, openness, D, B, R and intensities
    (:func:`derive`), blanks openness where the internal volume is unknown, and fits the
    one size model: over the panel regions with activity, robust (Huber) lines of
    :math:`\mathrm{logit}(O)` and of :math:`\log(V + 0.5)` on :math:`\log S` give the
    studentised residuals ``z_O`` (openness), ``z_in``, ``z_out`` and ``z_C`` (in-,
    out- and all external volume). :math:`S` is the given size, else the records
    touching the region, else the internal plus layer volume; with none of these the
    volume residuals fall back to the raw log volumes.

    Parameters
    ----------
    stats : ndarray of shape (..., 10, K, R)
        Statistics in :data:`ecosystem.uncertainty.BOOT_STATS` order.
    ctx : dict
        Sizes, internal volumes and panel of the flows (``metrics._context``).
    active : ndarray of shape (K, R), bool, optional
        Cells with activity (:func:`active_regions`); only they enter the size fit.

    Returns
    -------
    dict of ndarray of shape (..., K, R)
        The :func:`derive` indicators plus ``z_O``, ``z_in``, ``z_out``, ``z_C``.
    """
    size_known = ctx["size_source"] != "unknown"
    ind = derive(stats, size=ctx["S"] if ctx["size_source"] == "given" else None)
    known = ctx["internal_known"][:, None]
    for key in ("openness", "ei"):
        ind[key] = np.where(known, ind[key], np.nan)
    S = ctx["S"] if ctx["size_source"] == "given" else ind["size"]
    panel = ctx["panel"] if active is None else ctx["panel"] & active
    basis = size_basis(ind, S, size_known)
    y = np.where(known, empirical_logit(ind["external"], ind["internal"]), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.log(np.where(basis > 0, basis, np.nan))
    ind["z_O"] = panel_z(y, x, ctx["panel"])
    vbasis = basis if size_known else np.where(known, basis, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        xv = np.log(np.where(vbasis > 0, vbasis, np.nan))
    usable = np.isfinite(xv).any(axis=-1, keepdims=True)
    for key, vol in (("z_in", ind["inbound"]), ("z_out", ind["outbound"]), ("z_C", ind["external"])):
        yv = np.log(np.asarray(vol, dtype=float) + 0.5)
        ind[key] = np.where(usable, panel_z(yv, xv, panel), yv)
    return ind


def active_regions(ind, n_records=None):
    """Which (channel, region) cells have any activity: records, layer or internal volume.

    Parameters
    ----------
    ind : dict
        Indicators from :func:`derive` (``external``, ``internal``, ``size``).
    n_records : ndarray of shape (K, R), optional
        Records touching the region (NaN when unknown).

    Returns
    -------
    ndarray of shape (K, R), bool
    """
    act = (np.nan_to_num(ind["external"]) > 0) | (np.nan_to_num(ind["internal"]) > 0)
    if n_records is not None:
        act |= np.nan_to_num(np.asarray(n_records, dtype=float)) > 0
    return act


def layer_nulls(flows, mask, ind, *, n_null, seed, n_jobs=None, func="region_metrics", alpha=0.05):
    """Reciprocity null of every region at the point estimate (one step for metrics and classify).

    Parameters
    ----------
    flows : RegionFlows
    mask : ndarray of shape (R, R), bool
        Pairs of the layer.
    ind : dict
        Indicators from :func:`derive` (``R``, ``outbound``, ``inbound``, ``qo``, ``qi``).
    n_null, seed, n_jobs : int
        Null draws (0: NaN results), seed and threads.
    func : str
        Caller name for messages.
    alpha : float, default 0.05
        Level of the upper null quantile ``R_null_upper``.

    Returns
    -------
    dict of ndarray of shape (K, R)
        ``R_null`` (null mean), ``R_null_upper`` (1 - alpha quantile), ``p_R`` (one-sided
        Monte Carlo p-value), ``rho_R`` = (R - R_null)/(1 - R_null).
    """
    from .uncertainty import null_summary, reciprocity_null

    K, R = len(flows.channels), flows.n_regions
    if n_null > 0:
        draws = reciprocity_null(np.asarray(flows.presence), mask, ind["outbound"], ind["inbound"],
                                 ind["qo"], ind["qi"], channel_labels=flows.channels,
                                 region_labels=flows.regions, n_null=n_null, seed=seed,
                                 n_jobs=n_jobs, func=func)
        R0, upper, pR = null_summary(ind["R"], draws, alpha=alpha)
    else:
        R0 = upper = pR = np.full((K, R), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(R0 < 1, (ind["R"] - R0) / (1 - R0), np.nan)
    return {"R_null": R0, "R_null_upper": upper, "p_R": pR, "rho_R": rho}


def _layer_table(flows, layer, ctx, network, *, n_null, seed, n_jobs, func):
    import pandas as pd

    from .uncertainty import openness_expectation, stats_from_point

    R = flows.n_regions
    mask = _layer_mask(flows, layer)
    st = stats_from_point(flows, mask)
    st[3] = ctx["I"]
    active = active_regions(derive(st), flows.size)
    ind = indicators(st, ctx, active=active)
    basis = size_basis(ind, ctx["S"], ctx["size_source"] != "unknown")
    known = ctx["internal_known"][:, None]
    z_O = ind["z_O"]
    with np.errstate(divide="ignore", invalid="ignore"):
        E0 = openness_expectation(basis, mask)
        O_star = np.where(known, (ind["openness"] - E0) / (1 - E0), np.nan)
    nulls = layer_nulls(flows, mask, ind, n_null=n_null, seed=seed, n_jobs=n_jobs, func=func)
    R0, pR, rho = nulls["R_null"], nulls["p_R"], nulls["rho_R"]
    seed_ind = _seed_indicators(flows, mask, ind)
    window = _window_label(flows)
    allext = _all_external(flows)
    frames = []
    for k, ch in enumerate(flows.channels):
        p = np.where(mask, flows.presence[k], 0.0)
        co = np.where(mask, flows.copresence[k], 0.0)
        net = network[k] if network is not None and network[k] is not None else None
        cols = {
            "region": list(flows.regions), "country": list(flows.countries), "channel": ch,
            "layer": layer, "window": window, "size": ctx["S"][k], "size_source": ctx["size_source"],
            "internal": ind["internal"][k], "inbound": ind["inbound"][k],
            "outbound": ind["outbound"][k], "copresence": ind["copresence"][k],
            "n_external": ind["external"][k],
            "partners_in": (p > 0).sum(axis=0), "partners_out": (p > 0).sum(axis=1),
            "partners": ((p > 0) | (p.T > 0) | (co > 0)).sum(axis=1),
            "openness": ind["openness"][k], "ei": ind["ei"][k], "openness_null": E0[k],
            "openness_star": O_star[k], "z_openness": z_O[k],
            "D": ind["D"][k], "B": ind["B"][k], "R": ind["R"][k], "R_null": R0[k],
            "rho_R": rho[k], "p_R": pR[k],
            "v_in": ind["v_in"][k], "v_out": ind["v_out"][k], "circulation": ind["circulation"][k],
            "z_in": ind["z_in"][k], "z_out": ind["z_out"][k], "z_circulation": ind["z_C"][k],
        }
        cols.update({name: v[k] for name, v in seed_ind.items()})
        for name in ("gatekeeper", "representative", "liaison", "z_gatekeeper",
                     "z_representative", "z_liaison", "z_gatekeeper_sna",
                     "z_representative_sna", "z_liaison_sna", "hits_hub", "hits_authority"):
            cols[name] = net[name] if net is not None else np.full(R, np.nan)
        frame = pd.DataFrame(cols)
        # regions without any activity in the channel (no volume in any layer, no internal
        # volume, no records) carry no information: no rows of zeros
        active = (allext[k] > 0) | (np.nan_to_num(ind["internal"][k]) > 0) | \
            (np.nan_to_num(np.asarray(flows.size[k], float)) > 0 if flows.size is not None else False)
        frames.append(frame[active])
    return pd.concat(frames, ignore_index=True)


def _all_external(flows):
    """Every external volume (all layers) per channel and region: out + in + co-presence."""
    K = len(flows.channels)
    out = np.zeros((K, flows.n_regions))
    for k in range(K):
        p = np.array(flows.presence[k])
        np.fill_diagonal(p, 0.0)
        co = np.array(flows.copresence[k])
        np.fill_diagonal(co, 0.0)
        out[k] = p.sum(axis=1) + p.sum(axis=0) + co.sum(axis=1)
    return out


def _seed_indicators(flows, mask, ind):
    K, R = len(flows.channels), flows.n_regions
    out = {name: np.full((K, R), np.nan) for name in
           ("turnover", "foreign_share", "foreign_ownership", "ownership_abroad", "mcp_ratio",
            "intl_share")}
    allext = _all_external(flows)
    for k in range(K):
        P = np.array(flows.presence[k])
        if flows.counting == "given":   # a table's within-region rows are its diagonal
            np.fill_diagonal(P, np.diag(P) + flows.internal[k])
        pl = np.where(mask, P, 0.0)
        out["foreign_ownership"][k] = _ratio(pl.sum(axis=0), P.sum(axis=0))
        out["ownership_abroad"][k] = _ratio(pl.sum(axis=1), P.sum(axis=1))
        out["mcp_ratio"][k] = out["ownership_abroad"][k]
        out["intl_share"][k] = _ratio(ind["external"][k], ind["internal"][k] + allext[k])
    out["turnover"] = _ratio(ind["inbound"] + ind["outbound"], ind["size"])
    out["foreign_share"] = _ratio(ind["inbound"], ind["size"])
    return out


# ---------------------------------------------------------------------------- network
def _backbone(W, alpha):
    """Disparity-filter backbone (Serrano et al. 2009) of a directed weighted matrix."""
    W = np.array(W, dtype=float)
    np.fill_diagonal(W, 0.0)
    pos = W > 0
    if alpha is None:
        return pos

    def side(strength, degree, share):
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.power(np.clip(1.0 - share, 0.0, 1.0), (degree - 1).clip(min=0))
        return np.where(degree <= 1, 0.0, a)

    s_out = W.sum(axis=1, keepdims=True)
    s_in = W.sum(axis=0, keepdims=True)
    k_out = pos.sum(axis=1, keepdims=True)
    k_in = pos.sum(axis=0, keepdims=True)
    a_out = side(s_out, np.broadcast_to(k_out, W.shape), _ratio(W, np.broadcast_to(s_out, W.shape)))
    a_in = side(s_in, np.broadcast_to(k_in, W.shape), _ratio(W, np.broadcast_to(s_in, W.shape)))
    return pos & ((a_out < alpha) | (a_in < alpha))


def hits(W, *, tol=1e-12, max_iter=1000):
    r"""HITS hub and authority scores of a weighted directed matrix (Kleinberg 1999).

    Power iteration :math:`h \leftarrow W a`, :math:`a \leftarrow W^\top h` from
    :math:`a = \mathbf{1}`, each normalised to sum 1, until the change is below ``tol``.

    Parameters
    ----------
    W : array-like of shape (R, R)
        Non-negative weights, ``W[r, j]`` for the arc r -> j (diagonal ignored).
    tol : float, default 1e-12
        Largest change of the authority scores at convergence.
    max_iter : int, default 1000
        Iteration cap.

    Returns
    -------
    hub : ndarray of shape (R,)
        Hub scores (sum 1); NaN when W has no positive entry.
    authority : ndarray of shape (R,)
        Authority scores (sum 1); NaN when W has no positive entry.

    Examples
    --------
    >>> import numpy as np
    >>> from ecosystem.metrics import hits
    >>> hub, auth = hits(np.array([[0, 1, 1], [0, 0, 0], [0, 0, 0]]))
    >>> hub.round(3).tolist(), auth.round(3).tolist()
    ([1.0, 0.0, 0.0], [0.0, 0.5, 0.5])
    """
    W = np.array(W, dtype=float)
    np.fill_diagonal(W, 0.0)
    R = W.shape[0]
    if R == 0 or not (W > 0).any():
        return np.full(R, np.nan), np.full(R, np.nan)
    a = np.ones(R) / R
    h = W @ a
    for _ in range(max_iter):
        h = W @ a
        h /= h.sum()
        a_new = W.T @ h
        a_new /= a_new.sum()
        if np.abs(a_new - a).max() < tol:
            a = a_new
            break
        a = a_new
    h = W @ a
    return h / h.sum(), a


def _sna_brokerage(adj, groups):
    """Analytic sna z-scores from ecosystem.brokerage, isolated so it can be absent."""
    try:
        module = importlib.import_module("ecosystem.brokerage")
        fn = getattr(module, "brokerage")
    except (ImportError, AttributeError):
        return None, "sna z-scores not computed: ecosystem.brokerage is not available"
    try:
        import scipy.sparse as sp

        res = fn(sp.csr_array(adj.astype(float)), list(groups))
        return {"raw": np.asarray(res.raw, dtype=float), "z": np.asarray(res.z, dtype=float)}, "ok"
    except Exception as exc:  # an optional cross-check must not break the metrics
        return None, f"sna z-scores not computed: ecosystem.brokerage failed ({type(exc).__name__}: {exc})"


def _network_measures(flows, k, *, backbone_alpha, n_null, seed, n_jobs, func):
    from .uncertainty import brokerage_null

    R = flows.n_regions
    W = np.array(flows.presence[k], dtype=float)
    np.fill_diagonal(W, 0.0)
    adj = _backbone(W, backbone_alpha)
    hub, auth = hits(W)
    out = {"hits_hub": hub, "hits_authority": auth, "arcs": int(adj.sum())}
    groups = np.asarray(flows.countries, dtype=object)
    singletons = len(set(groups.tolist())) == R
    b = brokerage_null(adj, groups, flows.regions, n_null=n_null, seed=seed, n_jobs=n_jobs, func=func)
    # columns w_I, w_O, b_IO (representative), b_OI (gatekeeper), b_O (liaison)
    out.update({"gatekeeper": b["raw"][:, 3], "representative": b["raw"][:, 2],
                "liaison": b["raw"][:, 4], "z_gatekeeper": b["z"][:, 3],
                "z_representative": b["z"][:, 2], "z_liaison": b["z"][:, 4]})
    sna, sna_status = _sna_brokerage(adj, groups)
    if sna is not None:
        out.update({"z_gatekeeper_sna": sna["z"][:, 3], "z_representative_sna": sna["z"][:, 2],
                    "z_liaison_sna": sna["z"][:, 4]})
        if not np.array_equal(sna["raw"][:, [3, 2, 4]], b["raw"][:, [3, 2, 4]]):
            sna_status = "sna raw counts differ from the rewiring kernel's counts"
    else:
        out.update({"z_gatekeeper_sna": np.full(R, np.nan), "z_representative_sna": np.full(R, np.nan),
                    "z_liaison_sna": np.full(R, np.nan)})
    if adj.sum() == 0:
        status = "no arcs in the brokerage network"
    elif singletons:
        status = "gatekeeper/representative undefined: every region is its own country"
    elif n_null == 0:
        status = "permutation z not computed (n_null=0)"
    else:
        status = "ok"
    out["status"] = status
    out["sna_status"] = sna_status
    return out


# ---------------------------------------------------------------------------- formulas
def derive(stats, *, size=None):
    """Indicators from replicate statistics with any leading shape.

    Parameters
    ----------
    stats : ndarray of shape (..., 10, K, R)
        In :data:`ecosystem.uncertainty.BOOT_STATS` order.
    size : ndarray of shape (K, R), optional
        Fixed sizes replacing the statistics' own (given sizes).

    Returns
    -------
    dict of ndarray of shape (..., K, R)
    """
    out, inn, mins, internal = stats[..., 0, :, :], stats[..., 1, :, :], stats[..., 2, :, :], stats[..., 3, :, :]
    S = stats[..., 4, :, :] if size is None else np.broadcast_to(size, out.shape)
    co = stats[..., 5, :, :]
    V = out + inn
    ext = V + co
    res = {
        "outbound": out, "inbound": inn, "internal": internal, "copresence": co, "size": S,
        "volume": V, "external": ext,
        "openness": _ratio(ext, internal + ext),
        "D": _ratio(out - inn, V),
        "R": _ratio(2 * mins, V),
        "v_in": _ratio(inn, S), "v_out": _ratio(out, S), "circulation": _ratio(ext, S),
        "qd": stats[..., 6, :, :], "ad": stats[..., 7, :, :],
        "qo": stats[..., 8, :, :], "qi": stats[..., 9, :, :],
    }
    res["ei"] = 2 * res["openness"] - 1
    res["B"] = 1 - np.abs(res["D"])
    return res


def size_basis(ind, S, size_known):
    """The size used for size adjustment: S, or internal + layer volume without a size."""
    if size_known:
        return np.broadcast_to(S, ind["internal"].shape)
    return ind["internal"] + ind["external"]


def empirical_logit(external, internal):
    """``log((E + 0.5) / (I + 0.5))``: the logit of openness, finite at 0 and 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log((np.asarray(external, float) + 0.5) / (np.asarray(internal, float) + 0.5))


def _huber_line(yv, xv, valid, c, n_iter, rtol=1e-12):
    """Huber IRLS line of every row of (yv, xv) over its valid entries: (a, b), shape (M,).

    A row stops iterating when neither its intercept nor its slope moves by more than
    ``rtol`` (relative): its weights then no longer change, so further iterations would
    repeat it.
    """
    from .uncertainty import nanquantile

    m = yv.shape[0]
    a_out, b_out = np.full(m, np.nan), np.full(m, np.nan)
    rows = np.arange(m)
    Y, X, V = yv, xv, valid   # the rows still moving
    w = valid.astype(float)
    a_prev = b_prev = None
    for _ in range(n_iter):
        sw = w.sum(axis=-1, keepdims=True)
        xm = (w * X).sum(axis=-1, keepdims=True) / sw
        ym = (w * Y).sum(axis=-1, keepdims=True) / sw
        sxx = (w * (X - xm) ** 2).sum(axis=-1, keepdims=True)
        sxy = (w * (X - xm) * (Y - ym)).sum(axis=-1, keepdims=True)
        b = np.where(sxx > 1e-12 * np.maximum(sw, 1), sxy / sxx, 0.0)
        a = ym - b * xm
        a_out[rows], b_out[rows] = a[:, 0], b[:, 0]
        if a_prev is not None:
            moving = ~(_settled(a, a_prev, rtol) & _settled(b, b_prev, rtol))[:, 0]
            rows, w, a, b = rows[moving], w[moving], a[moving], b[moving]
            Y, X, V = Y[moving], X[moving], V[moving]
            if len(rows) == 0:
                break
        a_prev, b_prev = a, b
        e = np.where(V, Y - a - b * X, np.nan)
        med = nanquantile(e, 0.5, axis=-1, keepdims=True)
        mad = 1.4826 * nanquantile(np.abs(e - med), 0.5, axis=-1, keepdims=True)
        spread = np.nanstd(e, axis=-1, keepdims=True)
        s = np.maximum(mad, 1e-6 * (1.0 + np.nan_to_num(spread)))
        u = np.abs(np.nan_to_num(e)) / s
        w = np.where(V, np.minimum(1.0, c / np.maximum(u, 1e-300)), 0.0)
    return a_out, b_out


def _settled(v, prev, rtol):
    """Entries of v that moved from prev by at most rtol (relative); NaN equal to NaN."""
    return (np.abs(v - prev) <= rtol * (1.0 + np.abs(v))) | (np.isnan(v) & np.isnan(prev))


def panel_z(y, x, panel, *, c=_HUBER_C, n_iter=30):
    """Studentised residuals of y on x over the panel (Huber IRLS fit), any leading shape.

    Parameters
    ----------
    y, x : ndarray of shape (..., R)
    panel : ndarray of shape (R,) or (..., R), bool
    c : float
        Huber tuning constant.
    n_iter : int
        IRLS iterations at most; a fit stops earlier when its intercept and slope move by
        no more than 1e-12 (relative) in an iteration, as its weights then no longer change.

    Returns
    -------
    ndarray of shape (..., R)
        NaN where y or x is not finite, or when fewer than 3 panel regions are usable.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    y, x = np.broadcast_arrays(y, x)
    finite = np.isfinite(y) & np.isfinite(x)
    valid = finite & np.broadcast_to(panel, y.shape)
    yv = np.where(valid, y, 0.0)
    xv = np.where(valid, x, 0.0)
    n = valid.sum(axis=-1, keepdims=True)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        a, b = _huber_line(yv.reshape(-1, y.shape[-1]), xv.reshape(-1, y.shape[-1]),
                           valid.reshape(-1, y.shape[-1]), c, n_iter)
        a = a.reshape(y.shape[:-1] + (1,))
        b = b.reshape(y.shape[:-1] + (1,))
        e_all = y - a - b * x
        e_panel = np.where(valid, e_all, 0.0)
        sigma = np.sqrt((e_panel ** 2).sum(axis=-1, keepdims=True) / (n - 2))
        xbar = xv.sum(axis=-1, keepdims=True) / n
        Sxx = (np.where(valid, (x - xbar) ** 2, 0.0)).sum(axis=-1, keepdims=True)
        h = 1.0 / n + np.where(Sxx > 0, (x - xbar) ** 2 / np.where(Sxx > 0, Sxx, 1.0), 0.0)
        scale = np.where(valid, np.sqrt(np.clip(1.0 - h, 1e-12, None)), np.sqrt(1.0 + h))
        z = e_all / (sigma * scale)
    return np.where(finite & (n >= 3) & (sigma > 0), z, np.nan)
