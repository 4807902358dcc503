"""Plots of classifications and flows (needs matplotlib: ``pip install 'ecosystem[plot]'``).

Every function returns a :class:`matplotlib.figure.Figure`; :func:`save` writes it as
PNG, SVG and PDF. The figures state the sign conventions on their axes so that they can
be read without the methods section:

* D = (out − in) / (out + in), in the presence direction (talent: out = emigration);
  D < 0 inflow-dominated (introduction), D > 0 outflow-dominated (outbound);
* size-adjusted openness z_O is the panel studentised residual of the logit share of
  external activity given size (0 = as open as expected for the region's size).
"""

from pathlib import Path

import numpy as np

from .exceptions import OptionalDependencyError, ParameterError

__all__ = ["typology_map", "partner_flows", "channel_profile", "world_map", "save",
           "LABEL_COLOURS", "trajectory_chart", "alluvial_chart"]

#: Colour of every label (colour-blind safe Okabe–Ito palette; grey for no type).
LABEL_COLOURS = {
    "hub": "#0072B2",
    "introduction": "#009E73",
    "outbound": "#D55E00",
    "local": "#CC79A7",
    "undetermined": "#999999",
    "insufficient": "#DDDDDD",
}

_D_AXIS = "directionality D = (out − in)/(out + in)\n← inflow-dominated (introduction)     outflow-dominated (outbound) →"
_O_AXIS = "size-adjusted openness z_O\n(0 = as open as expected for size)"


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise OptionalDependencyError(
            "plots need matplotlib: pip install 'ecosystem[plot]'") from exc
    return plt


def _table(result):
    return result.table if hasattr(result, "table") else result


def typology_map(result, *, channel=None, layer=None, annotate=12, highlight=(),
                 include_insufficient=False, thresholds=None, title=None, ax=None):
    """The typology map: directionality against size-adjusted openness.

    Parameters
    ----------
    result : Classification or pandas.DataFrame
        A classification or its ``table``.
    channel : str, optional
        Channel to draw (default: the first channel of the table).
    layer : str, optional
        Layer to draw (default: the first layer of the table).
    annotate : int, default 12
        Label this many regions with the largest external volume (0 = none).
    highlight : sequence of str, optional
        Regions labelled in bold whatever their volume.
    include_insufficient : bool, default False
        Draw insufficient regions (light grey) too.
    thresholds : dict, optional
        ``d_threshold`` and ``local_z`` for the guides (default: ``result.params``
        thresholds, else the library defaults 1/3 and −1).
    title : str, optional
        Figure title (default: channel, layer and window).
    ax : matplotlib.axes.Axes, optional
        Draw into these axes.

    Returns
    -------
    matplotlib.figure.Figure
        The map: x = D with its bootstrap 95 % CI as whiskers, y = z_O, bubble area = external
        volume (``n_external``), colour = label; dashed guides at D = ±``d_threshold``
        around ``D_ref`` and at z_O = ``local_z``.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.classification import classify
    >>> from ecosystem.plot import typology_map
    >>> people = eco.datasets.scholarly_migration_countries(window=(2016, 2018))
    >>> people = people.set_index("country")
    >>> res = classify(eco.datasets.scholarly_migration(window=(2016, 2018)), bootstrap=20,
    ...                n_null=19, size=people.researchers,
    ...                internal=3 * people.researchers - people.outmigrations)
    >>> fig = typology_map(res, highlight=["JPN"])
    >>> fig.axes[0].get_xlabel().startswith("directionality")
    True
    """
    plt = _pyplot()
    t = _table(result)
    if thresholds is None:
        thresholds = dict(getattr(result, "params", {}).get("thresholds", {}))
    d_thr = float(thresholds.get("d_threshold", 1.0 / 3.0))
    local_z = float(thresholds.get("local_z", -1.0))
    channel = channel if channel is not None else t["channel"].iloc[0]
    layer = layer if layer is not None else t["layer"].iloc[0]
    t = t[(t["channel"] == channel) & (t["layer"] == layer)]
    if "window" in t and t["window"].nunique() > 1:
        t = t[t["window"] == t["window"].iloc[0]]
    if t.empty:
        raise ParameterError(f"typology_map: no rows for channel {channel!r}, layer {layer!r}")
    if not include_insufficient:
        t = t[t["label"] != "insufficient"]
    t = t[np.isfinite(t["D"].astype(float)) & np.isfinite(t["z_openness"].astype(float))]

    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 6.5), dpi=110)
    else:
        fig = ax.figure
    d_ref = float(np.nanmedian(t["D_ref"])) if "D_ref" in t and len(t) else 0.0
    vol = t["n_external"].astype(float).to_numpy() if len(t) else np.array([])
    scale = 900.0 / np.sqrt(vol.max()) if len(vol) and vol.max() > 0 else 1.0
    for label, colour in LABEL_COLOURS.items():
        s = t[t["label"] == label]
        if s.empty:
            continue
        x, y = s["D"].astype(float).to_numpy(), s["z_openness"].astype(float).to_numpy()
        if "D_lo" in s:
            lo, hi = s["D_lo"].astype(float).to_numpy(), s["D_hi"].astype(float).to_numpy()
            ok = np.isfinite(lo) & np.isfinite(hi)
            ax.errorbar(x[ok], y[ok], xerr=[np.maximum(x - lo, 0)[ok], np.maximum(hi - x, 0)[ok]],
                        fmt="none", ecolor=colour, elinewidth=0.8, alpha=0.7, zorder=2)
        sizes = 12 + scale * np.sqrt(s["n_external"].astype(float).clip(lower=0).to_numpy())
        ax.scatter(x, y, s=sizes, color=colour, alpha=0.65, edgecolor="black", linewidth=0.4,
                   label=f"{label} ({len(s)})", zorder=3)
    for v in (d_ref - d_thr, d_ref + d_thr):
        ax.axvline(v, color="0.3", linestyle="--", linewidth=0.9, zorder=1)
    ax.axvline(d_ref, color="0.6", linestyle=":", linewidth=0.8, zorder=1)
    ax.axhline(local_z, color="0.3", linestyle="--", linewidth=0.9, zorder=1)
    ax.set_xlim(-1.05, 1.05)
    ymin, ymax = ax.get_ylim()
    for x, text in ((d_ref - (1 + d_thr) / 2 - 0.02, "introduction"), (d_ref, "hub / balanced"),
                    (d_ref + (1 + d_thr) / 2 + 0.02, "outbound")):
        ax.text(x, ymax - 0.03 * (ymax - ymin), text, ha="center", va="top", fontsize=9,
                color="0.25", style="italic")
    ax.text(-1.02, local_z, f"local if z_O ≤ {local_z:g}\nand low circulation", va="top",
            fontsize=8, color="0.25")
    if len(t):
        shown = t.nlargest(int(annotate), "n_external") if annotate else t.iloc[:0]
        bold = set(highlight)
        for _, r in t[t["region"].isin(set(shown["region"]) | bold)].iterrows():
            ax.annotate(str(r["region"]), (float(r["D"]), float(r["z_openness"])), fontsize=8,
                        xytext=(4, 4), textcoords="offset points", zorder=4,
                        fontweight="bold" if r["region"] in bold else "normal")
    ax.set_xlabel(_D_AXIS)
    ax.set_ylabel(_O_AXIS)
    window = t["window"].iloc[0] if "window" in t and len(t) else ""
    ax.set_title(title or f"Typology map: {channel} channel, {layer} layer, window {window}"
                 + f"\nbubble area = external volume; whiskers = bootstrap 95 % CI of D; "
                 f"guides: |D − D_ref| = {d_thr:.2g}, z_O = {local_z:g}", fontsize=10)
    if len(t):
        ax.legend(loc="lower right", fontsize=8, title="label (n)", title_fontsize=8,
                  markerscale=0.5)
    else:
        ax.text(0, 0.5, "no region with both D and z_O\n(z_O needs an internal volume)",
                ha="center", va="center", transform=ax.get_yaxis_transform(), color="0.3")
    ax.grid(alpha=0.2)
    fig.tight_layout()
    return fig


def partner_flows(flows, region, *, channel=None, layer="international", top=10, names=None,
                  ax=None):
    """A region's top partners: inbound flows (left) and outbound flows (right).

    Parameters
    ----------
    flows : RegionFlows
        Flows in the presence direction (co-presence for channels without direction).
    region : str
        Region label.
    channel : str, optional
        Required when ``flows`` has several channels.
    layer : str or None, default "international"
        Keep only this border layer's pairs (None = all pairs except the diagonal).
    top : int, default 10
        Partners shown (the largest by in + out volume).
    names : dict, optional
        Display names of regions.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes.

    Returns
    -------
    matplotlib.figure.Figure
        A diverging bar chart; co-presence (undirected) volumes are drawn on the right
        only, labelled as such.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.plot import partner_flows
    >>> fig = partner_flows(eco.datasets.scholarly_migration(window=(2014, 2018)), "JPN")
    >>> "JPN" in fig.axes[0].get_title()
    True
    """
    plt = _pyplot()
    if region not in flows.regions:
        raise ParameterError(f"partner_flows: region {region!r} not in the flows")
    k = flows.regions.index(region)
    P = flows.matrix("presence", channel=channel, layer=layer)
    C = flows.matrix("copresence", channel=channel, layer=layer)
    np.fill_diagonal(P, 0.0)
    np.fill_diagonal(C, 0.0)
    inbound, outbound, co = P[:, k], P[k, :], C[k, :]
    directed = inbound.sum() + outbound.sum() > 0
    total = inbound + outbound + (0 if directed else co)
    order = [j for j in np.argsort(-total, kind="stable")[:top] if total[j] > 0][::-1]
    names = names or {}
    labels = [f"{flows.regions[j]} {names.get(flows.regions[j], '')}".strip() for j in order]
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(order), 3) + 1.6), dpi=110)
    else:
        fig = ax.figure
    y = np.arange(len(order))
    ch = channel or flows.channels[0]
    if directed:
        ax.barh(y, -inbound[order], color=LABEL_COLOURS["introduction"], label="inbound (partner → region)")
        ax.barh(y, outbound[order], color=LABEL_COLOURS["outbound"], label="outbound (region → partner)")
        ax.axvline(0, color="black", linewidth=0.8)
        ticks = ax.get_xticks()
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{abs(v):,.0f}" for v in ticks])
        ax.set_xlabel("volume (presence direction)   ← inbound | outbound →")
    else:
        ax.barh(y, co[order], color=LABEL_COLOURS["hub"], label="co-presence (undirected)")
        ax.set_xlabel("co-presence volume (undirected)")
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=9)
    ax.set_title(f"{region} {names.get(region, '')}: top {len(order)} partners, {ch} channel"
                 + (f", {layer} layer" if layer else ""), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.2)
    fig.tight_layout()
    return fig


def channel_profile(result, regions, *, layer=None, ax=None):
    """Per-channel profile bars of selected regions: D, R and z_O with their labels.

    Parameters
    ----------
    result : Classification or pandas.DataFrame
        A classification or its ``table``.
    regions : sequence of str
        Regions to show (one group of bars each).
    layer : str, optional
        Layer (default: the first layer of the table).
    ax : ignored
        Accepted for symmetry; the figure has three panels.

    Returns
    -------
    matplotlib.figure.Figure
        Three panels (D with 95 % CI, R with 95 % CI, z_O); bars grouped by region,
        one bar per channel, coloured by the channel's label.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.classification import classify
    >>> from ecosystem.plot import channel_profile
    >>> res = classify(eco.datasets.scholarly_migration(window=(2016, 2018)), bootstrap=20,
    ...                n_null=19)
    >>> len(channel_profile(res, ["USA", "JPN"]).axes)
    3
    """
    plt = _pyplot()
    t = _table(result)
    layer = layer if layer is not None else t["layer"].iloc[0]
    t = t[(t["layer"] == layer) & t["region"].isin(list(regions))]
    if "window" in t and t["window"].nunique() > 1:
        t = t[t["window"] == t["window"].iloc[0]]
    regions = [r for r in regions if r in set(t["region"])]
    if not regions:
        raise ParameterError("channel_profile: none of the regions is in the table")
    channels = list(dict.fromkeys(t["channel"]))
    fig, axes = plt.subplots(1, 3, figsize=(max(8, 1.3 * len(regions) * len(channels) + 4), 4.2),
                             dpi=110)
    width = 0.8 / len(channels)
    hatches = ["", "//", ".."]
    panels = (("D", "D_lo", "D_hi", "D = (out − in)/(out + in)\n< 0 inflow, > 0 outflow"),
              ("R", "R_lo", "R_hi", "partner reciprocity R\n(0 one-way … 1 matched)"),
              ("z_openness", None, None, "size-adjusted openness z_O"))
    x0 = np.arange(len(regions))
    for axp, (col, lo, hi, ylabel) in zip(axes, panels):
        for i, ch in enumerate(channels):
            s = t[t["channel"] == ch].set_index("region").reindex(regions)
            v = s[col].astype(float).to_numpy()
            err = None
            if lo is not None:
                err = [np.maximum(v - s[lo].astype(float), 0).to_numpy(),
                       np.maximum(s[hi].astype(float) - v, 0).to_numpy()]
            colours = [LABEL_COLOURS.get(lab, "#999999") for lab in s["label"].fillna("insufficient")]
            axp.bar(x0 + (i - (len(channels) - 1) / 2) * width, np.nan_to_num(v), width * 0.95,
                    yerr=err, color=colours, edgecolor="black", linewidth=0.4,
                    hatch=hatches[i % len(hatches)], capsize=2, error_kw={"elinewidth": 0.7})
        axp.axhline(0, color="black", linewidth=0.6)
        axp.set_xticks(x0)
        axp.set_xticklabels(regions, rotation=30 if len(regions) > 4 else 0, fontsize=9)
        axp.set_ylabel(ylabel, fontsize=9)
        axp.grid(axis="y", alpha=0.2)
    axes[0].set_ylim(-1.05, 1.05)
    axes[1].set_ylim(0, 1.05)
    from matplotlib.patches import Patch

    used = list(dict.fromkeys(t["label"]))
    handles = [Patch(facecolor=LABEL_COLOURS[lab], edgecolor="black", label=lab) for lab in used
               if lab in LABEL_COLOURS]
    handles += [Patch(facecolor="white", edgecolor="black", hatch=hatches[i % len(hatches)],
                      label=f"channel {ch}") for i, ch in enumerate(channels)]
    fig.suptitle(f"Channel profiles ({layer} layer); colour = label, whiskers = 95 % CI",
                 fontsize=10, y=0.98)
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.93),
               ncol=min(len(handles), 6), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def world_map(result, flows=None, *, regions=None, positions=None, channel=None, layer=None,
              top_flows=25, annotate=15, title=None, ax=None):
    """Draw regions on a world map, coloured by type and sized by volume, flows as arcs.

    Parameters
    ----------
    result : Classification or pandas.DataFrame
        A classification or its ``table`` (columns ``region``, ``channel``, ``layer``,
        ``label`` and ``n_external``).
    flows : RegionFlows, optional
        Flows whose strongest presence links (in `layer`) are drawn as arcs, from source
        to target (presence direction: actors of the source active in the target).
    regions : RegionMap, optional
        Map of the region labels, to place them (:func:`ecosystem.regions.centroids`:
        population-weighted centroids of the gazetteer places in each region; a cluster
        map places its clusters where their data were). Default: the map named in
        ``result.params["region_map"]`` when it is a built-in one, else countries (ISO
        alpha-2 or alpha-3 labels).
    positions : pandas.DataFrame or mapping, optional
        Positions to use instead: a frame with ``region``, ``latitude``, ``longitude``
        (e.g. :func:`ecosystem.regions.centroids` of the located records, weighted), or
        region → (latitude, longitude).
    channel, layer : str, optional
        Which rows of the table colour the regions (default: the first of each).
    top_flows : int, default 25
        Arcs drawn (the largest flows; 0 for none).
    annotate : int, default 15
        Label this many regions with the largest volume.
    title : str, optional
        Figure title.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes.

    Returns
    -------
    matplotlib.figure.Figure
        Equirectangular map over Natural Earth 1:110m country outlines (shipped with the
        package, public domain); no download. Regions without a position are counted in
        the caption.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.classification import classify
    >>> from ecosystem.plot import world_map
    >>> flows = eco.datasets.scholarly_migration(window=(2016, 2018))
    >>> res = classify(flows, bootstrap=20, n_null=19)
    >>> fig = world_map(res, flows, top_flows=10)
    >>> fig.axes[0].get_xlim()
    (-180.0, 180.0)
    """
    plt = _pyplot()
    from matplotlib.collections import LineCollection, PolyCollection

    from . import regions as _regions

    t = _table(result)
    if t.empty:
        raise ParameterError("world_map: the table is empty")
    channel = channel if channel is not None else t["channel"].iloc[0]
    layer = layer if layer is not None else t["layer"].iloc[0]
    t = t[(t["channel"] == channel) & (t["layer"] == layer)]
    if "window" in t and t["window"].nunique() > 1:
        t = t[t["window"] == t["window"].iloc[-1]]
    if t.empty:
        raise ParameterError(f"world_map: no rows for channel {channel!r}, layer {layer!r}")
    where = _world_positions(result, t["region"].astype(str).tolist(), regions, positions,
                             _regions)
    if ax is None:
        fig, ax = plt.subplots(figsize=(12, 6.2), dpi=110)
    else:
        fig = ax.figure
    polys = [ring for iso, _, rings in _regions.world_outlines() if iso != "ATA"
             for ring in rings]
    ax.add_collection(PolyCollection(polys, facecolor="#EEEEEE", edgecolor="white",
                                     linewidth=0.4, zorder=0))
    vol = t["n_external"].astype(float).clip(lower=0).to_numpy() if "n_external" in t \
        else np.ones(len(t))
    scale = 700.0 / np.sqrt(vol.max()) if len(vol) and vol.max() > 0 else 1.0
    lat = np.array([where.get(r, (np.nan, np.nan))[0] for r in t["region"].astype(str)])
    lon = np.array([where.get(r, (np.nan, np.nan))[1] for r in t["region"].astype(str)])
    placed = np.isfinite(lat) & np.isfinite(lon)
    arcs = 0
    if flows is not None and top_flows:
        arcs = _flow_arcs(ax, flows, where, channel, layer, int(top_flows), LineCollection)
    for label, colour in LABEL_COLOURS.items():
        sel = placed & (t["label"].to_numpy() == label)
        if sel.any():
            ax.scatter(lon[sel], lat[sel], s=10 + scale * np.sqrt(vol[sel]), color=colour,
                       alpha=0.75, edgecolor="black", linewidth=0.4, zorder=3,
                       label=f"{label} ({int(sel.sum())})")
    if annotate:
        order = np.argsort(-np.where(placed, vol, -1), kind="stable")[:int(annotate)]
        for i in order:
            if placed[i]:
                ax.annotate(str(t["region"].iloc[i]), (lon[i], lat[i]), fontsize=7,
                            xytext=(3, 3), textcoords="offset points", zorder=4)
    ax.set_xlim(-180.0, 180.0)
    ax.set_ylim(-58.0, 84.0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    missing = int((~placed).sum())
    caption = (f"{channel} channel, {layer} layer; bubble area = external volume"
               + (f"; {arcs} strongest flows (source → target, presence direction)"
                  if arcs else "")
               + (f"; {missing} region(s) without a position not drawn" if missing else ""))
    import textwrap

    ax.set_title(title or "Regions by type\n" + "\n".join(textwrap.wrap(caption, 110)),
                 fontsize=10)
    if placed.any():
        ax.legend(loc="lower left", fontsize=8, title="label (n)", title_fontsize=8,
                  markerscale=0.5)
    ax.text(1.0, -0.01, "Country outlines: Natural Earth (public domain)", fontsize=6,
            color="0.5", ha="right", va="top", transform=ax.transAxes)
    fig.tight_layout()
    return fig


def _world_positions(result, labels, region_map, positions, _regions):
    """Region label → (latitude, longitude) for the world map."""
    if positions is not None:
        if hasattr(positions, "columns"):
            return {str(r): (float(a), float(b)) for r, a, b in
                    zip(positions["region"], positions["latitude"], positions["longitude"])}
        return {str(r): (float(v[0]), float(v[1])) for r, v in dict(positions).items()}
    if region_map is None:
        name = dict(getattr(result, "params", {}) or {}).get("region_map")
        builtin = {"metros": _regions.metros, "metro_areas": _regions.metro_areas,
                   "greater_bay_area": _regions.greater_bay_area}
        region_map = builtin[name]() if name in builtin else None
    if region_map is not None:
        c = _regions.centroids(region_map)
        return {str(r): (a, b) for r, a, b in zip(c["region"], c["latitude"], c["longitude"])}
    # country labels (alpha-2 or alpha-3, as the bundled data sets use)
    m = _regions.countries()
    codes, _ = m.resolve(labels, unmatched="drop")
    c = _regions.centroids(m).set_index("region")
    return {lab: (float(c.at[m.regions[k], "latitude"]), float(c.at[m.regions[k], "longitude"]))
            for lab, k in zip(labels, codes) if k >= 0 and m.regions[k] in c.index}


def _flow_arcs(ax, flows, where, channel, layer, top, line_collection):
    """Draw the `top` strongest presence flows between placed regions; return how many."""
    P = flows.matrix("presence", channel=channel if channel in flows.channels else None,
                     layer=layer if layer in ("internal", "domestic", "international",
                                              "cross-boundary") else None)
    if not P.sum():
        P = flows.matrix("copresence", channel=channel if channel in flows.channels else None,
                         layer=layer if layer in ("internal", "domestic", "international",
                                                  "cross-boundary") else None)
    np.fill_diagonal(P, 0.0)
    labels = [str(r) for r in flows.regions]
    ok = np.array([lab in where for lab in labels])
    P[~ok, :] = 0.0
    P[:, ~ok] = 0.0
    flat = np.argsort(-P, axis=None, kind="stable")[:top]
    pairs = [np.unravel_index(f, P.shape) for f in flat if P.flat[f] > 0]
    if not pairs:
        return 0
    vmax = max(P[i, j] for i, j in pairs)
    segments, widths = [], []
    s = np.linspace(0.0, 1.0, 30)
    for i, j in pairs:
        (la, oa), (lb, ob) = where[labels[i]], where[labels[j]]
        mid = np.array([(oa + ob) / 2, (la + lb) / 2])
        d = np.array([ob - oa, lb - la])
        ctrl = mid + 0.2 * np.array([-d[1], d[0]])       # bend to the left of the flow
        a, b = np.array([oa, la]), np.array([ob, lb])
        curve = ((1 - s)[:, None] ** 2 * a + 2 * ((1 - s) * s)[:, None] * ctrl
                 + (s ** 2)[:, None] * b)
        segments.append(curve)
        widths.append(0.4 + 3.0 * P[i, j] / vmax)
    ax.add_collection(line_collection(segments, linewidths=widths, colors="#444444",
                                      alpha=0.45, zorder=2))
    for (i, j), w in zip(pairs, widths):
        lb, ob = where[labels[j]]
        ax.plot(ob, lb, marker="o", markersize=1.5 + w, color="#444444", alpha=0.5, zorder=2)
    return len(pairs)


def save(fig, stem, formats=("png", "svg", "pdf"), *, dpi=150, transparent=False):
    """Write a figure in several formats.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (closed after writing).
    stem : str or path
        File path without extension.
    formats : sequence of str, default ("png", "svg", "pdf")
        Formats, as file extensions understood by matplotlib.
    dpi : int, default 150
        Resolution of raster formats (PNG).
    transparent : bool, default False
        Transparent background.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import ecosystem as eco
    >>> from ecosystem.plot import partner_flows, save
    >>> fig = partner_flows(eco.datasets.coauthorship(2022), "JPN", top=3)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.suffix for p in save(fig, pathlib.Path(d) / "jpn")]
    ['.png', '.svg', '.pdf']
    """
    plt = _pyplot()
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.with_suffix("." + fmt)
        fig.savefig(path, dpi=dpi, bbox_inches="tight", transparent=transparent,
                    metadata={"Date": None} if fmt in ("svg", "pdf") else None)
        paths.append(path)
    plt.close(fig)
    return paths


# ============================================================================ trajectories
def _trajectory_channel(func, result, channel):
    if not hasattr(result, "pairs") or not hasattr(result, "windows"):
        raise ParameterError(f"{func}: expected a Trajectories result (ecosystem.trajectories); "
                             f"got {type(result).__name__}")
    t = result.table
    channels = list(dict.fromkeys(t["channel"]))
    if channel is None:
        channel = channels[0]
    elif channel not in channels:
        raise ParameterError(f"{func}: channel {channel!r} is not in the result; channels are {channels}")
    return t[t["channel"] == channel], channel


def trajectory_chart(result, regions, *, channel=None, ax=None):
    """Draw the trajectories of chosen regions: D and openness per window with their CIs.

    Parameters
    ----------
    result : Trajectories
        A result of :func:`ecosystem.trajectories`.
    regions : sequence of str
        Regions to draw (one line each).
    channel : str, optional
        Channel (default: the first of the result).
    ax : ignored
        Accepted for symmetry; the figure has two panels.

    Returns
    -------
    matplotlib.figure.Figure
        Left: D per window with its bootstrap 95 % CI as a band, points coloured by
        the window's label; right: openness per window with its CI. Regions are told
        apart by marker and named at the last window.

    Raises
    ------
    ParameterError
        Not a Trajectories result, an unknown channel, or none of the regions in it.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.plot import trajectory_chart
    >>> c, _ = eco.datasets.planted(n_regions=12, records_per_region=200, years=(2000, 2005),
    ...                             channels=("academic",), seed=1)
    >>> tr = eco.trajectories(c, eco.windows(2000, 2005, 2), bootstrap=20, n_null=0)
    >>> len(trajectory_chart(tr, ["R000", "R001"]).axes)
    2
    """
    func = "trajectory_chart"
    plt = _pyplot()
    t, channel = _trajectory_channel(func, result, channel)
    regions = [r for r in dict.fromkeys(regions) if r in set(t["region"])]
    if not regions:
        raise ParameterError(f"{func}: none of the regions is in the result")
    wins = [f"{a}-{b}" for a, b in result.windows]
    x = np.arange(len(wins))
    fig, axes = plt.subplots(1, 2, figsize=(max(8, 1.6 * len(wins) + 5), 5.4), dpi=110)
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    panels = (("D", "D_lo", "D_hi", _D_AXIS), ("openness", "openness_lo", "openness_hi",
                                              "openness O = external / (internal + external)"))
    for axp, (col, lo, hi, ylabel) in zip(axes, panels):
        for i, reg in enumerate(regions):
            s = t[t["region"] == reg].set_index("window").reindex(wins)
            v = s[col].astype(float).to_numpy()
            line = axp.plot(x, v, color="black", linewidth=0.8, alpha=0.6, zorder=2)[0]
            axp.fill_between(x, s[lo].astype(float).to_numpy(), s[hi].astype(float).to_numpy(),
                             color=line.get_color(), alpha=0.08, zorder=1, linewidth=0)
            colours = [LABEL_COLOURS.get(lab, "#999999") for lab in s["label"].fillna("insufficient")]
            axp.scatter(x, v, c=colours, marker=markers[i % len(markers)], s=46, edgecolors="black",
                        linewidths=0.5, zorder=3)
            last = np.flatnonzero(np.isfinite(v))
            if len(last):
                axp.annotate(reg, (x[last[-1]], v[last[-1]]), xytext=(6, 0), textcoords="offset points",
                             fontsize=8, va="center")
        axp.set_xticks(x)
        axp.set_xticklabels(wins, rotation=30 if len(wins) > 4 else 0, fontsize=9)
        axp.set_xlim(-0.3, len(wins) - 0.4)
        axp.set_ylabel(ylabel, fontsize=8)
        axp.grid(alpha=0.2)
    axes[0].axhline(0, color="black", linewidth=0.6)
    axes[0].set_ylim(-1.05, 1.05)
    from matplotlib.lines import Line2D

    used = [lab for lab in LABEL_COLOURS if lab in set(t[t["region"].isin(regions)]["label"])]
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=LABEL_COLOURS[lab],
                      markeredgecolor="black", label=lab) for lab in used]
    fig.suptitle(f"Trajectories, {channel}: colour = label in the window, band = bootstrap 95 % CI",
                 fontsize=10, y=0.98)
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.93), ncol=max(len(handles), 1),
               fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.88))
    return fig


def alluvial_chart(result, *, channel=None, include_insufficient=True, ax=None):
    """Draw the alluvial chart of the panel's labels across windows.

    Parameters
    ----------
    result : Trajectories
        A result of :func:`ecosystem.trajectories`.
    channel : str, optional
        Channel (default: the first of the result).
    include_insufficient : bool, default True
        Draw the insufficient regions too.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes.

    Returns
    -------
    matplotlib.figure.Figure
        One stacked bar per window (regions per label, in the order hub, introduction,
        outbound, local, undetermined, insufficient) and bands between consecutive
        windows whose width is the number of regions going from one label to another.

    Raises
    ------
    ParameterError
        Not a Trajectories result or an unknown channel.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.plot import alluvial_chart
    >>> c, _ = eco.datasets.planted(n_regions=12, records_per_region=200, years=(2000, 2005),
    ...                             channels=("academic",), seed=1)
    >>> tr = eco.trajectories(c, eco.windows(2000, 2005, 2), bootstrap=20, n_null=0)
    >>> len(alluvial_chart(tr).axes)
    1
    """
    func = "alluvial_chart"
    plt = _pyplot()
    t, channel = _trajectory_channel(func, result, channel)
    labels = [lab for lab in LABEL_COLOURS if include_insufficient or lab != "insufficient"]
    wins = [f"{a}-{b}" for a, b in result.windows]
    lab = t.pivot(index="region", columns="window", values="label")[wins]
    lab = lab[lab.isin(labels).all(axis=1)]
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(7, 1.9 * len(wins) + 2), 5), dpi=110)
    else:
        fig = ax.figure
    n = len(lab)
    gap = 0.02 * max(n, 1)
    width = 0.18
    tops = []                       # per window: label -> bottom of its bar
    for i, w in enumerate(wins):
        counts = lab[w].value_counts()
        y, bottom = 0.0, {}
        for name in labels:
            c = int(counts.get(name, 0))
            bottom[name] = y
            if c:
                ax.bar(i, c, width, bottom=y, color=LABEL_COLOURS[name], edgecolor="black", linewidth=0.5)
                if c >= 0.04 * max(n, 1):
                    ax.text(i, y + c / 2, str(c), ha="center", va="center", fontsize=7)
            y += c + (gap if c else 0)
        tops.append(bottom)
    s = np.linspace(0, 1, 40)
    smooth = (1 - np.cos(np.pi * s)) / 2
    for i in range(len(wins) - 1):
        out_off = dict(tops[i])
        in_off = dict(tops[i + 1])
        flows = lab.groupby([wins[i], wins[i + 1]]).size()
        for a in labels:
            for b in labels:
                c = int(flows.get((a, b), 0))
                if not c:
                    continue
                y0, y1 = out_off[a], in_off[b]
                xs = i + width / 2 + s * (1 - width)
                lower = y0 + (y1 - y0) * smooth
                ax.fill_between(xs, lower, lower + c, color=LABEL_COLOURS[a], alpha=0.35, linewidth=0)
                out_off[a] += c
                in_off[b] += c
    ax.set_xticks(np.arange(len(wins)))
    ax.set_xticklabels(wins)
    ax.set_ylabel("regions")
    ax.set_xlim(-0.5, len(wins) - 0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    from matplotlib.patches import Patch

    present = set(lab.to_numpy().ravel())
    ax.legend(handles=[Patch(facecolor=LABEL_COLOURS[x], edgecolor="black", label=x) for x in labels
                       if x in present], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(f"Types across windows, {channel} ({n} regions); bands = regions moving between labels",
                 fontsize=10)
    fig.tight_layout()
    return fig
