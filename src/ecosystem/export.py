"""Region networks for Gephi, Pajek, VOSviewer, networkx and igraph.

One channel of a :class:`~ecosystem.RegionFlows` becomes a network: nodes are the
regions with any activity (attributes: region code, name, country, parent, channels,
inbound, outbound, co-presence and internal volume, coordinates where known, and the
columns of a classification under the names of :attr:`Classification.table
<ecosystem.Classification.table>`), arcs the presence flows (directed) and edges the
co-presence volumes (undirected).

* :func:`network_tables` gives the node and edge tables (pandas);
* :func:`to_networkx` and :func:`to_igraph` give graph objects (also available as
  :meth:`RegionFlows.to_networkx <ecosystem.RegionFlows.to_networkx>` and
  :meth:`RegionFlows.to_igraph <ecosystem.RegionFlows.to_igraph>`);
* :func:`write_network` writes GraphML, GEXF (with a timeline when yearly flows are
  given), Pajek, VOSviewer JSON and VOSviewer's classic map and network text files.

List-valued attributes are flattened to ``;``-joined text and missing values are left
out, so that Gephi, VOSviewer, networkx and igraph open every file.
"""

import json
from pathlib import Path

import numpy as np

from ._version import __version__
from .exceptions import OptionalDependencyError, ParameterError

__all__ = ["FORMATS", "CLUSTERS", "network_tables", "to_networkx", "to_igraph", "write_network"]

#: File formats of :func:`write_network` and their file suffixes.
FORMATS = {"graphml": ".graphml", "gexf": ".gexf", "pajek": ".net", "vosviewer-json": ".json",
           "vosviewer": ".txt"}

#: VOSviewer cluster number of each typology label (VOSviewer colours items by cluster).
CLUSTERS = {"hub": 1, "introduction": 2, "outbound": 3, "local": 4, "undetermined": 5,
            "insufficient": 6}

#: Classification columns copied onto the nodes (when present), under their table names.
CLASSIFICATION_ATTRIBUTES = ("label", "stability", "review", "D", "D_lo", "D_hi", "R", "R_lo",
                             "R_hi", "openness", "z_openness", "n_external")

_BASE = [("region", "string"), ("name", "string"), ("country", "string"), ("parent", "string"),
         ("channels", "string"), ("inbound", "double"), ("outbound", "double"),
         ("copresence", "double"), ("internal", "double")]


def _country_names(codes):
    """English names of ISO alpha-2 / alpha-3 codes (others are left out)."""
    from .regions import countries

    m = countries()
    codes = [str(c) for c in codes]
    idx, _ = m.resolve(codes, unmatched="drop")
    return {c: m.labels[i] for c, i in zip(codes, idx.tolist()) if i >= 0 and len(c) in (2, 3)}


def _is_missing(v):
    import pandas as pd

    return v is None or (not isinstance(v, str) and bool(np.ndim(v) == 0 and pd.isna(v)))


def _classification_frame(classification, channel):
    """Node attributes of one channel of a Classification (or its table / a CSV frame)."""
    import pandas as pd

    t = classification.table if hasattr(classification, "table") and not isinstance(
        classification, pd.DataFrame) else pd.DataFrame(classification)
    if "region" not in t.columns or "label" not in t.columns:
        raise ParameterError("write_network: classification needs 'region' and 'label' columns "
                             f"(a Classification or its table); got {list(t.columns)[:8]}")
    t = t.rename(columns={"D_low": "D_lo", "D_high": "D_hi", "R_low": "R_lo", "R_high": "R_hi"})
    if "channel" in t.columns:
        t = t[t["channel"] == channel]
    for col in ("layer", "window"):
        if col in t.columns and len(t) and t[col].nunique() > 1:
            t = t[t[col] == t[col].iloc[0]]
    cols = [c for c in CLASSIFICATION_ATTRIBUTES if c in t.columns]
    return t.drop_duplicates("region").set_index("region")[cols]


def network_tables(flows, *, channel=None, names=None, coordinates=None, classification=None,
                   node_attributes=None):
    """Node and edge tables of one channel of region flows.

    Parameters
    ----------
    flows : RegionFlows
        Region flows.
    channel : str, optional
        Default: the first channel.
    names : mapping, optional
        Region -> full name. Default: ISO country names for country codes (alpha-2 or
        alpha-3), the region code otherwise.
    coordinates : mapping or pandas.DataFrame, optional
        Region -> ``(latitude, longitude)``, or a frame indexed by region with
        ``latitude`` and ``longitude`` columns. Regions without coordinates get none.
    classification : Classification or pandas.DataFrame, optional
        Its rows of this channel (first layer and window) add ``label``, ``stability``,
        ``review``, ``D``, ``D_lo``, ``D_hi``, ``R``, ``R_lo``, ``R_hi``, ``openness``,
        ``z_openness`` and ``n_external`` under these names (a ``classification.csv``
        read with pandas works too).
    node_attributes : pandas.DataFrame, optional
        Further node attributes indexed by region (numbers become doubles, everything
        else text).

    Returns
    -------
    nodes : pandas.DataFrame
        One row per region with any activity: ``region``, ``name``, ``country``,
        ``parent``, ``channels``, ``inbound``, ``outbound``, ``copresence``,
        ``internal``, then ``latitude``/``longitude`` and the extra attributes.
    edges : pandas.DataFrame
        ``source``, ``target``, ``weight``, ``directed`` (bool) and ``kind``
        (``"presence"`` arcs, ``"copresence"`` undirected edges), self-loops left out.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.export import network_tables
    >>> nodes, edges = network_tables(eco.datasets.scholarly_migration(window=(2017, 2018)))
    >>> nodes.set_index("region").loc["JPN", "name"], edges.kind.unique().tolist()
    ('Japan', ['presence'])
    """
    import pandas as pd

    channel = channel or flows.channels[0]
    if channel not in flows.channels:
        raise ParameterError(f"network_tables: channel {channel!r} not in the flows "
                             f"({list(flows.channels)})")
    k = flows.channels.index(channel)
    P, C = np.array(flows.presence[k]), np.array(flows.copresence[k])
    internal = np.asarray(flows.internal[k])
    active = (P.sum(0) + P.sum(1) + C.sum(0) + C.sum(1) + internal) > 0
    np.fill_diagonal(P, 0)
    np.fill_diagonal(C, 0)
    regions = [str(r) for r in flows.regions]
    default = _country_names(regions)
    if names is not None:
        default.update({str(r): str(v) for r, v in dict(names).items()})
    nodes = pd.DataFrame({
        "region": regions,
        "name": [default.get(r, r) for r in regions],
        "country": [str(c) for c in flows.countries],
        "parent": ["" if p is None else str(p) for p in flows.parents],
        "channels": ";".join(map(str, flows.channels)),
        "inbound": P.sum(0), "outbound": P.sum(1), "copresence": C.sum(1),
        "internal": internal.astype(float),
    })[active].reset_index(drop=True)
    if coordinates is not None:
        if isinstance(coordinates, pd.DataFrame):
            lat = coordinates["latitude"].to_dict()
            lon = coordinates["longitude"].to_dict()
        else:
            lat = {str(r): v[0] for r, v in dict(coordinates).items()}
            lon = {str(r): v[1] for r, v in dict(coordinates).items()}
        nodes["latitude"] = nodes.region.map(lat).astype(float)
        nodes["longitude"] = nodes.region.map(lon).astype(float)
    extras = []
    if classification is not None:
        extras.append(_classification_frame(classification, channel))
    if node_attributes is not None:
        extras.append(pd.DataFrame(node_attributes))
    for extra in extras:
        extra = extra.copy()
        extra.index = extra.index.map(str)
        for col in extra.columns:
            if col in ("region",):
                continue
            nodes[str(col)] = nodes.region.map(extra[col].to_dict())
    reg = np.asarray(regions, dtype=object)
    i, j = np.nonzero(P)
    arcs = pd.DataFrame({"source": reg[i], "target": reg[j], "weight": P[i, j],
                         "directed": True, "kind": "presence"})
    i, j = np.nonzero(np.triu(C))
    undirected = pd.DataFrame({"source": reg[i], "target": reg[j], "weight": C[i, j],
                               "directed": False, "kind": "copresence"})
    edges = pd.concat([arcs, undirected], ignore_index=True)
    return nodes, edges


def _attribute_types(nodes):
    import pandas as pd

    out = []
    for col in nodes.columns:
        s = nodes[col]
        if pd.api.types.is_bool_dtype(s) or (s.dtype == object and len(s.dropna()) and all(
                isinstance(v, (bool, np.bool_)) for v in s.dropna())):
            out.append((str(col), "boolean"))
            continue
        numeric = pd.api.types.is_numeric_dtype(s)
        out.append((str(col), "double" if numeric else "string"))
    return out


def _node_records(nodes, attrs):
    """Per node: {attribute: value} without missing values, numbers as float, text as str."""
    out = []
    for row in nodes.to_dict(orient="records"):
        rec = {}
        for a, t in attrs:
            v = row.get(a)
            if _is_missing(v):
                continue
            rec[a] = float(v) if t == "double" else bool(v) if t == "boolean" else str(v)
        out.append(rec)
    return out


def to_networkx(flows, *, channel=None, **kwargs):
    """One channel of region flows as a networkx graph.

    Parameters
    ----------
    flows : RegionFlows
        Region flows.
    channel : str, optional
        Default: the first channel.
    **kwargs
        ``names``, ``coordinates``, ``classification``, ``node_attributes`` as in
        :func:`network_tables`.

    Returns
    -------
    networkx.DiGraph or networkx.Graph
        A ``DiGraph`` of the presence arcs when the channel has any, else a ``Graph`` of
        the co-presence edges; node attributes from :func:`network_tables` (missing
        values left out), edge attribute ``weight``.

    Raises
    ------
    OptionalDependencyError
        networkx is not installed.

    Examples
    --------
    >>> import ecosystem as eco
    >>> g = eco.datasets.scholarly_migration(window=(2017, 2018)).to_networkx()
    >>> g.nodes["JPN"]["name"], g.is_directed()
    ('Japan', True)
    """
    try:
        import networkx as nx
    except ImportError:
        raise OptionalDependencyError("to_networkx needs networkx: pip install networkx") from None
    nodes, edges = network_tables(flows, channel=channel, **kwargs)
    directed = bool(edges["directed"].any())
    g = nx.DiGraph() if directed else nx.Graph()
    attrs = _attribute_types(nodes)
    for rec in _node_records(nodes, attrs):
        g.add_node(rec["region"], **rec)
    e = edges[edges["directed"] == directed]
    g.add_weighted_edges_from(zip(e.source, e.target, e.weight.astype(float)))
    g.graph.update(channel=channel or flows.channels[0], counting=flows.counting,
                   kind="presence" if directed else "copresence")
    return g


def to_igraph(flows, *, channel=None, **kwargs):
    """One channel of region flows as an igraph graph.

    Parameters
    ----------
    flows : RegionFlows
        Region flows.
    channel : str, optional
        Default: the first channel.
    **kwargs
        ``names``, ``coordinates``, ``classification``, ``node_attributes`` as in
        :func:`network_tables`.

    Returns
    -------
    igraph.Graph
        Directed (presence arcs) when the channel has any, else undirected (co-presence);
        vertex attribute ``name`` is the region code, ``full_name`` its name, the others
        as in :func:`network_tables` (missing values are None); edge attribute ``weight``.

    Examples
    --------
    >>> import ecosystem as eco
    >>> g = eco.datasets.scholarly_migration(window=(2017, 2018)).to_igraph()
    >>> g.vs.find(name="JPN")["full_name"], g.is_directed()
    ('Japan', True)
    """
    import igraph as ig

    nodes, edges = network_tables(flows, channel=channel, **kwargs)
    directed = bool(edges["directed"].any())
    e = edges[edges["directed"] == directed]
    g = ig.Graph(directed=directed)
    g.add_vertices(len(nodes))
    for col in nodes.columns:
        key = "name" if col == "region" else ("full_name" if col == "name" else str(col))
        g.vs[key] = [None if _is_missing(v) else v for v in nodes[col].tolist()]
    pos = {r: i for i, r in enumerate(nodes.region)}
    g.add_edges([(pos[s], pos[t]) for s, t in zip(e.source, e.target)])
    g.es["weight"] = e.weight.astype(float).tolist()
    g["channel"] = channel or flows.channels[0]
    return g


def _edge_years(years, channel):
    """(source, target, kind) -> {year: weight} from per-year flows."""
    out = {}
    for year, f in years.items():
        if channel not in f.channels:
            continue
        _, edges = network_tables(f, channel=channel)
        for s, t, w, kind in zip(edges.source, edges.target, edges.weight, edges.kind):
            out.setdefault((s, t, kind), {})[int(year)] = float(w)
    return out


#: GEXF reserves ``label`` for the node's display label (the region name), so the
#: typology label is written under the title ``typology`` there.
_GEXF_TITLE = {"label": "typology"}


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(float(value))


def _x(value):
    from xml.sax.saxutils import escape

    return escape(str(value))


def write_network(flows, path, *, to, channel=None, years=None, names=None, coordinates=None,
                  classification=None, node_attributes=None):
    """Write one channel of a region network for Gephi, Pajek or VOSviewer.

    Parameters
    ----------
    flows : RegionFlows
        Region flows (presence arcs are written directed, co-presence undirected).
    path : str or path-like
        Output file. For ``to="vosviewer"`` the map file; the network file is written
        beside it with ``network`` in place of ``map`` in the name (``net_map.txt`` ->
        ``net_network.txt``; else ``<stem>_network.txt``).
    to : {"graphml", "gexf", "pajek", "vosviewer-json", "vosviewer"}
        File format. ``graphml``/``gexf``: node id = region code, the node label (GEXF
        ``label``; GraphML ``name``) its full name, every attribute of
        :func:`network_tables` (classification ``label`` under its own name,
        ``latitude``/``longitude`` for Gephi's GeoLayout; GEXF reserves ``label`` for
        the display label, so there the typology label is titled ``typology``). ``pajek``: ``*Arcs`` and
        ``*Edges``. ``vosviewer-json``: items with weights, scores, a description,
        clusters = typology labels with named clusters, coordinates when every node has
        them. ``vosviewer``: VOSviewer's tab-separated map file (``id``, ``label``,
        ``x``, ``y`` when known, ``cluster``, ``weight<...>``, ``score<...>``) and
        network file (``id1``, ``id2``, strength; undirected, both directions summed).
    channel : str, optional
        Default: the first channel.
    years : dict of int to RegionFlows, optional
        Flows of each year (same regions): GEXF files become dynamic (``timeformat
        integer``), every edge with its spells and a weight per year for Gephi's
        timeline, and a flattened ``years`` attribute (``"2016;2017"``).
    names : mapping, optional
        Region -> full name (see :func:`network_tables`).
    coordinates : mapping or pandas.DataFrame, optional
        Region -> ``(latitude, longitude)`` (see :func:`network_tables`).
    classification : Classification or pandas.DataFrame, optional
        Labels and indicators added to the nodes (see :func:`network_tables`).
    node_attributes : pandas.DataFrame, optional
        Further node attributes indexed by region.

    Returns
    -------
    (int, int)
        Numbers of nodes and links written.

    Raises
    ------
    ParameterError
        Unknown format or channel.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import ecosystem as eco
    >>> from ecosystem.export import write_network
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_network(eco.datasets.coauthorship(2022), pathlib.Path(d) / "co.net", to="pajek")
    (46, 1035)
    """
    from xml.sax.saxutils import quoteattr

    if to not in FORMATS:
        raise ParameterError(f"write_network: to must be one of {list(FORMATS)}; got {to!r}")
    channel = channel or flows.channels[0]
    nodes, edge_frame = network_tables(flows, channel=channel, names=names,
                                       coordinates=coordinates, classification=classification,
                                       node_attributes=node_attributes)
    attrs = _attribute_types(nodes)
    recs = _node_records(nodes, attrs)
    edges = list(zip(edge_frame.source, edge_frame.target, edge_frame.weight.astype(float),
                     edge_frame.directed, edge_frame.kind))
    path = Path(path)
    lines = []
    if to == "graphml":
        lines += ['<?xml version="1.0" encoding="UTF-8"?>',
                  '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">']
        lines += [f'<key id="{a}" for="node" attr.name="{a}" attr.type="{t}"/>' for a, t in attrs]
        lines += ['<key id="weight" for="edge" attr.name="weight" attr.type="double"/>',
                  '<key id="kind" for="edge" attr.name="kind" attr.type="string"/>',
                  f'<graph id={quoteattr(channel)} edgedefault="directed">']
        for n in recs:
            lines.append(f'<node id={quoteattr(n["region"])}>'
                         + "".join(f'<data key="{a}">{_x(_text(n[a]))}</data>' for a, _ in attrs
                                   if a in n)
                         + "</node>")
        for s, t, w, d, kind in edges:
            lines.append(f'<edge source={quoteattr(s)} target={quoteattr(t)} directed='
                         f'"{"true" if d else "false"}"><data key="weight">{w!r}</data>'
                         f'<data key="kind">{kind}</data></edge>')
        lines += ["</graph>", "</graphml>"]
    elif to == "gexf":
        by_year = _edge_years(years, channel) if years else {}
        dynamic = bool(by_year)
        lines += ['<?xml version="1.0" encoding="UTF-8"?>',
                  '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
                  f'<meta><creator>ecosystem {__version__}</creator></meta>',
                  '<graph defaultedgetype="directed" '
                  + ('mode="dynamic" timeformat="integer">' if dynamic else 'mode="static">'),
                  '<attributes class="node" mode="static">']
        lines += [f'<attribute id="{i}" title="{_GEXF_TITLE.get(a, a)}" type="{t}"/>'
                  for i, (a, t) in enumerate(attrs)]
        lines.append("</attributes>")
        if dynamic:
            lines += ['<attributes class="edge" mode="static">',
                      '<attribute id="years" title="years" type="string"/></attributes>',
                      '<attributes class="edge" mode="dynamic">',
                      '<attribute id="w" title="weight by year" type="double"/></attributes>']
        lines.append("<nodes>")
        for n in recs:
            lines.append(f'<node id={quoteattr(n["region"])} label={quoteattr(n["name"])}><attvalues>'
                         + "".join(f'<attvalue for="{i}" value={quoteattr(_text(n[a]))}/>'
                                   for i, (a, _) in enumerate(attrs) if a in n)
                         + "</attvalues></node>")
        lines += ["</nodes>", "<edges>"]
        for e, (s, t, w, d, kind) in enumerate(edges):
            head = (f'<edge id="{e}" source={quoteattr(s)} target={quoteattr(t)} '
                    f'weight="{w!r}" type="{"directed" if d else "undirected"}" label="{kind}"')
            series = by_year.get((s, t, kind), {})
            if not series:
                lines.append(head + "/>")
                continue
            ys = sorted(series)
            lines.append(head + "><attvalues>"
                         + f'<attvalue for="years" value="{";".join(map(str, ys))}"/>'
                         + "".join(f'<attvalue for="w" value="{series[y]!r}" start="{y}" end="{y}"/>'
                                   for y in ys) + "</attvalues><spells>"
                         + "".join(f'<spell start="{y}" end="{y}"/>' for y in ys)
                         + "</spells></edge>")
        lines += ["</edges>", "</graph>", "</gexf>"]
    elif to == "pajek":
        index = {n["region"]: i + 1 for i, n in enumerate(recs)}
        lines.append(f"*Vertices {len(recs)}")
        lines += [f'{index[n["region"]]} "{n["region"]}"' for n in recs]
        directed = [e for e in edges if e[3]]
        undirected = [e for e in edges if not e[3]]
        if directed:
            lines.append("*Arcs")
            lines += [f"{index[s]} {index[t]} {w:g}" for s, t, w, _, _ in directed]
        if undirected:
            lines.append("*Edges")
            lines += [f"{index[s]} {index[t]} {w:g}" for s, t, w, _, _ in undirected]
    else:  # the two VOSviewer formats share items and links
        return _write_vosviewer(path, to, recs, attrs, edges)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(recs), len(edges)


_VOS_WEIGHTS = (("inbound", "Inbound"), ("outbound", "Outbound"), ("copresence", "Co-presence"))
_VOS_BASE = {a for a, _ in _BASE} | {"latitude", "longitude", "label"}


def _vos_parts(recs, attrs, edges):
    index = {n["region"]: i + 1 for i, n in enumerate(recs)}
    links = {}
    for s, t, w, _, _ in edges:  # VOSviewer links are undirected: sum both directions
        key = tuple(sorted((index[s], index[t])))
        links[key] = links.get(key, 0.0) + w
    scores = [("internal", "Internal")] + [(a, a) for a, t in attrs
                                           if t == "double" and a not in _VOS_BASE]
    texts = [a for a, t in attrs if t in ("string", "boolean") and a not in _VOS_BASE]
    coords = all("latitude" in n and "longitude" in n for n in recs) and bool(recs)
    return index, links, scores, texts, coords


def _write_vosviewer(path, to, recs, attrs, edges):
    index, links, scores, texts, coords = _vos_parts(recs, attrs, edges)
    if to == "vosviewer-json":
        items = []
        for n in recs:
            item = {"id": index[n["region"]], "label": n["name"],
                    "description": "; ".join(
                        [f"region {n['region']}", f"country {n['country']}",
                         f"channels {n['channels']}"]
                        + [f"{a} {n[a]}" for a in ["label"] + texts if a in n]),
                    "weights": {title: n[a] for a, title in _VOS_WEIGHTS},
                    "scores": {title: n[a] for a, title in scores if a in n}}
            if coords:
                item["x"], item["y"] = n["longitude"], n["latitude"]
            if n.get("label") in CLUSTERS:
                item["cluster"] = CLUSTERS[n["label"]]
            items.append(item)
        used = sorted({CLUSTERS[n["label"]] for n in recs if n.get("label") in CLUSTERS})
        names = {v: k for k, v in CLUSTERS.items()}
        doc = {"config": {"parameters": {"attraction": 2, "repulsion": 1},
                          "terminology": {"item": "region", "items": "regions",
                                          "link": "flow", "links": "flows",
                                          "link_strength": "volume"}},
               "network": {"items": items,
                           "links": [{"source_id": a, "target_id": b, "strength": w}
                                     for (a, b), w in sorted(links.items())]},
               "info": {"clusters": [{"cluster": c, "label": names[c]} for c in used],
                        "creator": f"ecosystem {__version__}"}}
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        return len(recs), len(links)
    # classic text files: map (items) and network (links), tab-separated
    import csv

    map_path = path
    stem = path.stem
    net_name = (stem.replace("map", "network") if "map" in stem else stem + "_network") + (
        path.suffix or ".txt")
    net_path = path.with_name(net_name)
    header = ["id", "label"] + (["x", "y"] if coords else [])
    has_cluster = any(n.get("label") in CLUSTERS for n in recs)
    header += ["cluster"] if has_cluster else []
    header += [f"weight<{title}>" for _, title in _VOS_WEIGHTS]
    header += [f"score<{title}>" for _, title in scores]
    with open(map_path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(header)
        for n in recs:
            row = [index[n["region"]], n["name"]]
            row += [f"{n['longitude']:.6f}", f"{n['latitude']:.6f}"] if coords else []
            row += [CLUSTERS.get(n.get("label"), "")] if has_cluster else []
            row += [f"{n[a]:g}" for a, _ in _VOS_WEIGHTS]
            row += [f"{n[a]:g}" if a in n else "" for a, _ in scores]
            w.writerow(row)
    with open(net_path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        for (a, b), s in sorted(links.items()):
            w.writerow([a, b, f"{s:g}"])
    return len(recs), len(links)
