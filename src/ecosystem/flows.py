"""RegionFlows: region x region presence and co-presence volumes per channel."""

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import _core
from ._parallel import effective_n_threads
from ._validation import (
    as_1d,
    as_labels,
    as_weights,
    check_length,
    check_option,
    check_window,
)
from .contributions import as_contributions
from .exceptions import InputTypeError, ParameterError
from .regions import LAYERS, layer_codes

__all__ = ["RegionFlows", "region_flows", "citation_flows", "FLOW_COUNTING", "PRESENCE_CONVENTION"]

FLOW_COUNTING = ("full", "fractional")
#: The direction convention every presence matrix follows.
PRESENCE_CONVENTION = (
    "presence: r -> j means actors originating in, or controlled from, r are active in j "
    "(lead/owner/origin region -> partner/inventor/destination region)"
)

_CHUNK_GROUPS = 8192  # groups per chunk of the fixed, thread-independent partition
_MAX_CHUNKS = 64
_CHUNK_BUDGET_BYTES = 256 * 2**20


def _readonly(arr):
    arr = np.ascontiguousarray(arr)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class RegionFlows:
    """Region x region flow volumes per channel, with the convention they follow.

    Attributes
    ----------
    regions : tuple
        Region labels (R), the row/column order of every matrix.
    countries : tuple
        Country of each region (a region is its own country when unknown).
    parents : tuple
        Multi-jurisdiction parent of each region, or None.
    channels : tuple of str
        Channel labels (K), the first axis of every array.
    presence : ndarray of shape (K, R, R), dtype=float64
        Directed volumes r -> j (see :data:`PRESENCE_CONVENTION`); the diagonal holds
        records whose lead and partners share a region.
    copresence : ndarray of shape (K, R, R), dtype=float64
        Undirected volumes (symmetric) of records without a lead/partner split; the
        diagonal is the within-region part.
    internal : ndarray of shape (K, R), dtype=float64
        Records lying entirely inside the region.
    size : ndarray of shape (K, R), dtype=float64, or None
        Records touching the region (fractional: the region's share), or None when
        unknown (flows built from an origin–destination table).
    counting : str
        ``"full"``, ``"fractional"`` or ``"given"`` (volumes taken from a table).
    info : dict
        Provenance: source, channel selection, window, record counts, convention.
    """

    regions: tuple
    countries: tuple
    parents: tuple
    channels: tuple
    presence: np.ndarray
    copresence: np.ndarray
    internal: np.ndarray
    size: np.ndarray | None
    counting: str
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in ("presence", "copresence", "internal"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        if self.size is not None:
            object.__setattr__(self, "size", _readonly(self.size))

    @property
    def n_regions(self):
        """Number of regions R."""
        return len(self.regions)

    @cached_property
    def layers(self):
        """Border layer code of every region pair, ndarray (R, R) int8 into :data:`LAYERS`."""
        return _readonly(layer_codes(self.countries, self.parents))

    def __repr__(self):
        return (f"<RegionFlows: {self.n_regions} regions, channels {list(self.channels)}, "
                f"counting={self.counting!r}, total presence {self.presence.sum():.6g}, "
                f"co-presence {self.copresence.sum():.6g}>")

    def _repr_html_(self):
        """Notebook view: the summary line and the regions with the largest volumes."""
        import html

        v = self.volumes(layer="external")
        v = v.assign(volume=v.inbound + v.outbound + v.copresence)
        v = v[v.volume > 0].sort_values("volume", ascending=False).head(10)
        return (f"<div><p>{html.escape(repr(self))}</p>"
                + v.drop(columns=["layer"]).to_html(index=False, float_format=lambda x: f"{x:,.4g}",
                                                     na_rep="")
                + "<p><small>Largest regions by external volume; matrices: "
                "<code>.matrix(kind, channel=...)</code>.</small></p></div>")

    # ------------------------------------------------------------------ access
    def _channel_index(self, channel, func):
        if channel is None:
            if len(self.channels) != 1:
                raise ParameterError(
                    f"{func}: channel must be given when there are several channels "
                    f"({list(self.channels)}); got None")
            return 0
        check_option(func, "channel", channel, self.channels)
        return self.channels.index(channel)

    def matrix(self, kind="presence", *, channel=None, layer=None):
        """One R x R matrix, optionally restricted to one border layer.

        Parameters
        ----------
        kind : {"presence", "copresence"}
        channel : str, optional
            Required when there are several channels.
        layer : {"internal", "domestic", "international", "cross-boundary"}, optional
            Keep only the pairs of this layer (others set to 0).

        Returns
        -------
        ndarray of shape (R, R), dtype=float64
            A copy; rows are sources (the presence direction), columns targets.
        """
        func = "RegionFlows.matrix"
        check_option(func, "kind", kind, ("presence", "copresence"))
        k = self._channel_index(channel, func)
        m = np.array(getattr(self, kind)[k])
        if layer is not None:
            check_option(func, "layer", layer, LAYERS)
            m[self.layers != LAYERS.index(layer)] = 0.0
        return m

    def volumes(self, layer="international"):
        """Per region and channel: size, internal, outbound, inbound and co-presence.

        Parameters
        ----------
        layer : {"international", "domestic", "cross-boundary", "external"}
            Which pairs count as exchange: one border layer, or ``"external"`` for every
            pair of different regions.

        Returns
        -------
        pandas.DataFrame
            Columns region, channel, layer, size, internal, outbound, inbound,
            copresence, partners_out, partners_in (numbers of partner regions with a
            positive flow each way).
        """
        import pandas as pd

        func = "RegionFlows.volumes"
        check_option(func, "layer", layer, ("international", "domestic", "cross-boundary", "external"))
        if layer == "external":
            mask = self.layers != 0
        else:
            mask = self.layers == LAYERS.index(layer)
        frames = []
        for k, ch in enumerate(self.channels):
            p = np.where(mask, self.presence[k], 0.0)
            co = np.where(mask, self.copresence[k], 0.0)
            frames.append(pd.DataFrame({
                "region": list(self.regions),
                "channel": ch,
                "layer": layer,
                "size": self.size[k] if self.size is not None else np.nan,
                "internal": self.internal[k],
                "outbound": p.sum(axis=1),
                "inbound": p.sum(axis=0),
                "copresence": co.sum(axis=1),
                "partners_out": (p > 0).sum(axis=1),
                "partners_in": (p > 0).sum(axis=0),
            }))
        return pd.concat(frames, ignore_index=True)

    def to_pandas(self):
        """Long table of the non-zero off-diagonal cells.

        Returns
        -------
        pandas.DataFrame
            Columns channel, source, target, layer, presence, copresence.
        """
        import pandas as pd

        frames = []
        regions = np.asarray(self.regions, dtype=object)
        for k, ch in enumerate(self.channels):
            nz = (self.presence[k] != 0) | (self.copresence[k] != 0)
            np.fill_diagonal(nz, False)
            i, j = np.nonzero(nz)
            frames.append(pd.DataFrame({
                "channel": ch, "source": regions[i], "target": regions[j],
                "layer": np.asarray(LAYERS, dtype=object)[self.layers[i, j]],
                "presence": self.presence[k][i, j], "copresence": self.copresence[k][i, j],
            }))
        return pd.concat(frames, ignore_index=True)

    def to_networkx(self, channel=None, **kwargs):
        """One channel as a networkx graph (:func:`ecosystem.export.to_networkx`).

        Parameters
        ----------
        channel : str, optional
            Default: the first channel.
        **kwargs
            ``names``, ``coordinates``, ``classification``, ``node_attributes`` of
            :func:`ecosystem.export.network_tables`.

        Returns
        -------
        networkx.DiGraph or networkx.Graph
            Presence arcs (directed) when the channel has any, else co-presence edges.
        """
        from .export import to_networkx

        return to_networkx(self, channel=channel, **kwargs)

    def to_igraph(self, channel=None, **kwargs):
        """One channel as an igraph graph (:func:`ecosystem.export.to_igraph`).

        Parameters
        ----------
        channel : str, optional
            Default: the first channel.
        **kwargs
            ``names``, ``coordinates``, ``classification``, ``node_attributes`` of
            :func:`ecosystem.export.network_tables`.

        Returns
        -------
        igraph.Graph
            Presence arcs (directed) when the channel has any, else co-presence edges.
        """
        from .export import to_igraph

        return to_igraph(self, channel=channel, **kwargs)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_edges(cls, source, target, weight=None, *, time=None, window=None,
                   channel="talent", regions=None, countries=None, info=None):
        """Flows from an origin–destination table (migration flows, a flow matrix).

        Each row adds ``weight`` to ``presence[source, target]``; rows with
        source == target add to ``internal``. Sizes are unknown (``size`` is None).

        Parameters
        ----------
        source, target : array-like of shape (m,)
            Origin and destination region labels.
        weight : array-like of shape (m,), optional
            Non-negative finite volumes (default 1 per row).
        time : array-like of int, shape (m,), optional
            Year of each row; needed for ``window``.
        window : (int, int), optional
            Keep rows with first <= time <= last.
        channel : str, default "talent"
            Channel label of the flows.
        regions : RegionMap or sequence, optional
            All region labels (order of the matrices); regions without flows get zero
            rows. A RegionMap also gives countries and parents (border layers).
        countries : dict or sequence, optional
            Country of each region when ``regions`` is not a RegionMap (default: each
            region is its own country, so every flow between regions is international).
        info : dict, optional
            Provenance (source, licence, citation) carried into every result.

        Returns
        -------
        RegionFlows
            One channel; ``counting="given"``; ``size`` is None.
        """
        func = "RegionFlows.from_edges"
        src = as_1d(func, "source", source)
        tgt = as_1d(func, "target", target)
        check_length(func, "target", tgt, len(src), "source entry")
        w = as_weights(func, "weight", weight, len(src))
        keep = np.ones(len(src), dtype=bool)
        if window is not None:
            if time is None:
                raise ParameterError(f"{func}: window needs a time column; got time=None")
            lo, hi = check_window(func, window)
            t = as_1d(func, "time", time)
            check_length(func, "time", t, len(src), "source entry")
            if t.dtype.kind not in "iuf":
                raise InputTypeError(f"{func}: time must be numeric years; got dtype {t.dtype}")
            keep = (t >= lo) & (t <= hi)
        src, tgt, w = src[keep], tgt[keep], w[keep]
        vocab, ctry, par, region_map = region_axis(func, regions, countries, src, tgt)
        s, _ = as_labels(func, "source", src, vocabulary=vocab)
        d, _ = as_labels(func, "target", tgt, vocabulary=vocab)
        R = len(vocab)
        presence = np.zeros((1, R, R))
        loop = s == d
        np.add.at(presence[0], (s[~loop], d[~loop]), w[~loop])
        internal = np.bincount(s[loop], weights=w[loop], minlength=R)[None, :].astype(np.float64)
        meta = {"source": "origin-destination table", "rows": int(len(src)),
                "rows_outside_window": int((~keep).sum()), "window": window,
                "convention": PRESENCE_CONVENTION, "region_map": getattr(region_map, "name", None)}
        meta.update(info or {})
        return cls(regions=vocab, countries=ctry, parents=par, channels=(channel,),
                   presence=presence, copresence=np.zeros((1, R, R)), internal=internal,
                   size=None, counting="given", info=meta)

    @classmethod
    def from_pandas(cls, frame, *, source="source", target="target", weight=None,
                    time=None, window=None, channel="talent", regions=None,
                    countries=None, info=None):
        """Flows from an origin–destination DataFrame; arguments name its columns.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per origin–destination (and year) cell.
        source, target : str
            Origin and destination columns.
        weight, time : str, optional
            Volume and year columns.
        window : (int, int), optional
            Inclusive years to keep (needs ``time``).
        channel : str, default "talent"
            Channel label of the flows.
        regions : RegionMap or sequence, optional
            All region labels, or a map; see :meth:`from_edges`.
        countries : dict or sequence, optional
            Country of each region; see :meth:`from_edges`.
        info : dict, optional
            Provenance carried into every result.

        Returns
        -------
        RegionFlows
            As :meth:`from_edges` returns.
        """
        func = "RegionFlows.from_pandas"
        for name, col in (("source", source), ("target", target), ("weight", weight), ("time", time)):
            if col is not None and col not in frame.columns:
                raise ParameterError(
                    f"{func}: {name}={col!r} is not a column; columns are {list(frame.columns)}")
        get = lambda col: None if col is None else frame[col].to_numpy()  # noqa: E731
        return cls.from_edges(get(source), get(target), get(weight), time=get(time),
                              window=window, channel=channel, regions=regions,
                              countries=countries, info=info)

    @classmethod
    def from_table(cls, frame, *, columns=None, window=None, channels=None, countries=None,
                   regions=None, func="RegionFlows.from_table"):
        """Flows from an origin–destination table with optional year and channel columns.

        The region axis is the union of the sources and targets of the rows *inside the
        window*, so rows outside it never add regions (and never shift panel statistics).

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per origin–destination (and year, channel) cell.
        columns : dict, optional
            Column names for ``source``, ``target``, ``weight``, ``time``, ``channel``
            (defaults: those names; weight, time and channel are optional).
        window : (int, int), optional
            Inclusive years to keep (needs a time column).
        channels : str or sequence of str, optional
            Channels to keep (default: every channel of the channel column, or
            ``"talent"`` without one).
        countries : dict or sequence, optional
            Country of each region (default: each region its own country).
        regions : RegionMap or sequence, optional
            The region axis (default: the regions of the rows in the window).
        func : str
            Name used in error messages.

        Returns
        -------
        RegionFlows
            ``counting="given"``, ``size`` None, one slice per channel.

        Raises
        ------
        ParameterError
            A missing column, unknown column keys or channels, a window without a time
            column.
        InputTypeError
            ``columns`` is not a dict.

        Examples
        --------
        >>> import pandas as pd
        >>> import ecosystem as eco
        >>> t = pd.DataFrame({"source": ["A", "B", "NRU"], "target": ["B", "A", "A"],
        ...                   "weight": [5, 3, 1], "time": [2015, 2016, 2013]})
        >>> eco.RegionFlows.from_table(t, window=(2014, 2018)).regions
        ('A', 'B')
        """
        names = {"source": "source", "target": "target", "weight": "weight", "time": "time",
                 "channel": "channel"}
        if columns is not None:
            if not isinstance(columns, dict):
                raise InputTypeError(f"{func}: columns must be a dict of column names; got "
                                     f"{type(columns).__name__}")
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
        inside = frame
        if window is not None:
            lo, hi = check_window(func, window)
            t = frame[time].to_numpy()
            if t.dtype.kind not in "iuf":
                raise InputTypeError(f"{func}: time must be numeric years; got dtype {t.dtype}")
            inside = frame[(t >= lo) & (t <= hi)]
        if regions is None:
            regions = sorted(set(inside[names["source"]].tolist()) | set(inside[names["target"]].tolist()),
                             key=str)
        has_channel = names["channel"] in frame.columns

        def wanted(available):
            if channels is None:
                return list(available)
            out = [channels] if isinstance(channels, str) else list(channels)
            if not out:
                raise ParameterError(f"{func}: channels must name at least one channel; got {channels!r}")
            for ch in out:
                check_option(func, "channels", ch, tuple(available))
            return out

        if has_channel:
            chs = wanted(sorted(set(frame[names["channel"]].tolist()), key=str))
            parts = []
            for ch in chs:
                sub = frame[frame[names["channel"]] == ch]
                parts.append(cls.from_pandas(sub, source=names["source"], target=names["target"],
                                             weight=weight, time=time, window=window, channel=ch,
                                             regions=regions, countries=countries))
            first = parts[0]
            info = dict(first.info)
            info["rows"] = int(sum(p.info["rows"] for p in parts))
            info["rows_outside_window"] = int(sum(p.info["rows_outside_window"] for p in parts))
            return cls(regions=first.regions, countries=first.countries, parents=first.parents,
                       channels=tuple(chs), presence=np.stack([p.presence[0] for p in parts]),
                       copresence=np.stack([p.copresence[0] for p in parts]),
                       internal=np.stack([p.internal[0] for p in parts]), size=None,
                       counting="given", info=info)
        ch = "talent" if channels is None else (channels if isinstance(channels, str) else wanted(list(channels))[0])
        return cls.from_pandas(frame, source=names["source"], target=names["target"], weight=weight,
                               time=time, window=window, channel=ch, regions=regions,
                               countries=countries)


def region_axis(func, regions, countries, *label_arrays):
    """Region labels, countries, parents and the RegionMap for a flow table.

    Parameters
    ----------
    func : str
        Name of the calling function (for error messages).
    regions : RegionMap, sequence or None
        A map (gives countries and parents), the region labels in order, or None
        (then the sorted union of ``label_arrays``).
    countries : dict, sequence or None
        Country of each region when ``regions`` is not a map (default: each region
        its own country).
    *label_arrays : ndarray
        Label arrays whose union is the region axis when ``regions`` is None.

    Returns
    -------
    vocab : tuple
        Region labels.
    countries : tuple
        Country of each region.
    parents : tuple
        Multi-jurisdiction parent of each region, or None.
    region_map : RegionMap or None
        The map, when ``regions`` is one.

    Raises
    ------
    ParameterError
        ``countries`` lacks a region or has the wrong length.
    """
    region_map = None
    if regions is None:
        vocab = tuple(sorted(set().union(*(set(a.tolist()) for a in label_arrays)), key=str))
    elif hasattr(regions, "layer_matrix"):
        region_map, vocab = regions, tuple(regions.regions)
    else:
        vocab = tuple(regions)
    if region_map is not None:
        ctry = tuple(region_map.country(r) for r in vocab)
        par = tuple(region_map.parent(r) for r in vocab)
    elif countries is None:
        ctry, par = vocab, (None,) * len(vocab)
    elif isinstance(countries, dict):
        missing = [r for r in vocab if r not in countries]
        if missing:
            raise ParameterError(f"{func}: countries has no entry for {len(missing)} regions, e.g. {missing[0]!r}")
        ctry, par = tuple(countries[r] for r in vocab), (None,) * len(vocab)
    else:
        ctry = tuple(countries)
        check_length(func, "countries", ctry, len(vocab), "region")
        par = (None,) * len(vocab)
    return vocab, ctry, par, region_map


def _count_runs(sorted_codes):
    """Number of distinct values of a sorted array."""
    if len(sorted_codes) == 0:
        return 0
    return int(np.count_nonzero(sorted_codes[1:] != sorted_codes[:-1])) + 1


def _n_chunks(n_groups, block_doubles):
    by_work = -(-n_groups // _CHUNK_GROUPS)
    by_memory = max(1, _CHUNK_BUDGET_BYTES // max(8 * block_doubles, 1))
    return int(max(1, min(_MAX_CHUNKS, by_work, by_memory)))


def region_flows(contributions, *, channel=None, counting="full", window=None,
                 record_weight=None, countries=None, n_jobs=None):
    r"""Region x region flows of presence and co-presence from contributions.

    Each record is taken per channel (its contributions of that channel form a group).
    A group with both lead and partner contributions is *directed*: it adds to
    ``presence[l, j]`` for every lead region l and partner region j — e.g. an r-led
    paper with partners in j, an applicant in r owning an invention made in j, a move
    from r to j. Any other group is *undirected* and adds to ``copresence[a, b]`` for
    every pair of its regions.

    With ``counting="full"`` each group adds 1 per (lead region, partner region) pair
    (resp. per pair of regions). With ``counting="fractional"`` it adds
    :math:`a_l b_j` (resp. :math:`x_a x_b`), the shares of the group's lead, partner
    (resp. total) contribution weight in each region, so every group's cells sum to 1.

    Parameters
    ----------
    contributions : Contributions or ReadResult
        Record-level data; each record's contributions of one channel form a group.
    channel : str or sequence of str, optional
        Channels to compute (default: every channel present).
    counting : {"full", "fractional"}, default "full"
    window : (int, int), optional
        Inclusive year window; records outside it (or of unknown year) are left out.
    record_weight : array-like of shape (n_records,), optional
        Non-negative weight of each record (by record code), e.g. bootstrap weights.
    countries : dict or sequence, optional
        Country of each region when ``contributions`` carries no RegionMap (default:
        each region its own country).
    n_jobs : int or None
        OpenMP threads; the result is bit-identical for any value.

    Returns
    -------
    RegionFlows
        One slice per channel over every region of the vocabulary (or map), with the
        counting method, window and provenance in ``info``.

    Raises
    ------
    ParameterError
        Unknown channel or counting, bad window, record weights of the wrong length or
        with NaN/negative values.

    Notes
    -----
    The kernel walks the (record, channel) groups in a fixed partition into chunks that
    does not depend on the thread count; chunk partials are added in chunk order, so
    results are identical for any ``n_jobs``. Cost: one pass over the contributions
    plus :math:`\sum_p k_p^2` for the :math:`k_p` distinct regions of each record.
    In full counting the co-presence matrix equals :math:`B^\top B` for the binary
    record x region incidence B, the classic country collaboration matrix [1]_.

    References
    ----------
    .. [1] Waltman, L. & van Eck, N. J. (2015). Field-normalized citation impact
       indicators and the choice of an appropriate counting method. Journal of
       Informetrics 9(4), 872–894. doi:10.1016/j.joi.2015.08.001

    Examples
    --------
    A paper led from X with co-authors in X and Y, and an unled paper in X and Z:

    >>> import ecosystem as eco
    >>> c = eco.Contributions.from_arrays(
    ...     record=[1, 1, 1, 2, 2], actor=["a", "b", "c", "d", "e"],
    ...     region=["X", "X", "Y", "X", "Z"], lead=[True, False, False, False, False])
    >>> f = eco.region_flows(c)
    >>> f.matrix("presence")          # X -> X (lead and a partner in X), X -> Y
    array([[1., 1., 0.],
           [0., 0., 0.],
           [0., 0., 0.]])
    >>> f.matrix("copresence", layer="international")
    array([[0., 0., 1.],
           [0., 0., 0.],
           [1., 0., 0.]])
    """
    func = "region_flows"
    contributions = as_contributions(func, contributions)
    check_option(func, "counting", counting, FLOW_COUNTING)
    n_threads = effective_n_threads(n_jobs, func=func)
    c = contributions
    if channel is not None or window is not None:
        c = c.select(channel=channel, window=window)
    group_ptr = c.group_ptr
    starts = group_ptr[:-1]
    K, R = len(c.channels), c.n_regions
    no_array = np.empty(0, dtype=np.float64)
    group_weight = no_array  # empty: every group weighs 1
    if record_weight is not None:
        weights = as_weights(func, "record_weight", record_weight, contributions.n_records)
        group_weight = np.ascontiguousarray(weights[c.record[starts]])
    group_channel = no_array.astype(np.intp)  # empty: a single channel
    if K > 1:
        group_channel = np.ascontiguousarray(c.channel[starts], dtype=np.intp)
    block = K * (2 * R * R + 2 * R)
    presence, copresence, internal, size = _core.region_flows(
        group_ptr, group_channel, group_weight, c.region, c.lead.view(np.uint8), c.weight,
        R, K, counting == "fractional", _n_chunks(len(starts), block), n_threads)

    if channel is None:
        keep = np.flatnonzero(np.bincount(c.channel[starts], minlength=K))
    else:
        wanted = [channel] if isinstance(channel, str) else list(channel)
        keep = np.asarray([c.channels.index(x) for x in wanted], dtype=np.intp)
    axis = c.region_map if c.region_map is not None else c.labels["region"]
    _, ctry, par, region_map = region_axis(func, axis, countries)
    info = {
        "source": "contributions",
        "convention": PRESENCE_CONVENTION,
        "window": window,
        "records": _count_runs(c.record[starts]),
        "groups": int(len(starts)),
        "record_weight": "given" if record_weight is not None else "none",
        "region_map": getattr(region_map, "name", None),
        **{f"source.{k}": v for k, v in c.info.items() if isinstance(v, (str, int, float))},
    }
    return RegionFlows(
        regions=c.labels["region"], countries=ctry, parents=par,
        channels=tuple(c.channels[k] for k in keep),
        presence=presence[keep], copresence=copresence[keep], internal=internal[keep],
        size=size[keep], counting=counting, info=info,
    )


def citation_flows(citations, contributions, *, counting="fractional"):
    """Citation flows between regions, ``citing region → cited region``.

    Each in-corpus citation adds, for every region r of the citing record and j of the
    cited record, ``a_r * b_j`` (fractional: the records' region shares from the
    contribution weights) or 1 (full: every region pair of the two records). Citations
    are their own layer with their own direction, never mixed into presence flows.

    Parameters
    ----------
    citations : Citations
        A reader's citation layer (``ReadResult.citations``): document labels and the
        citing/cited index pairs.
    contributions : Contributions
        The records of the corpus (record labels are document ids).
    counting : {"fractional", "full"}, default "fractional"
        Region shares of each record, or whole counts.

    Returns
    -------
    RegionFlows
        Channel ``"citation"``; ``presence[r, j]`` = citations from r to j (knowledge
        flows j → r). Co-presence and sizes are zero / unknown; ``info`` counts the
        citations inside and outside the corpus.
    """
    import scipy.sparse as sp

    if counting not in ("fractional", "full"):
        raise ParameterError(f"citation_flows: counting must be one of "
                             f"'fractional', 'full'; got {counting!r}")
    c = contributions
    rec_labels = np.asarray(c.labels["record"], dtype=object)
    # position of every citation label among the record labels (-1 outside)
    pos = {s: i for i, s in enumerate(rec_labels.tolist())}
    lab_to_rec = np.asarray([pos.get(s, -1) for s in citations.labels], dtype=np.int64)
    a = lab_to_rec[citations.citing]
    b = lab_to_rec[citations.cited]
    ok = (a >= 0) & (b >= 0)
    n_rec, R = c.n_records, c.n_regions
    w = c.weight if counting == "fractional" else np.ones(len(c))
    S = sp.csr_matrix((w, (c.record, c.region)), shape=(n_rec, R))
    if counting == "full":
        S.data[:] = 1.0
    else:
        tot = np.asarray(S.sum(axis=1)).ravel()
        S = sp.diags(np.divide(1.0, tot, out=np.zeros_like(tot), where=tot > 0)) @ S
    C = sp.csr_matrix((np.ones(int(ok.sum())), (a[ok], b[ok])), shape=(n_rec, n_rec))
    M = np.asarray((S.T @ C @ S).todense()).reshape(1, R, R)
    _, ctry, par, _ = region_axis("citation_flows", c.labels["region"], None)
    if c.region_map is not None:
        ctry = tuple(c.region_map.country(r) for r in c.labels["region"])
        par = tuple(c.region_map.parent(r) for r in c.labels["region"])
    internal = np.diagonal(M[0]).copy()[None, :]
    M = M.copy()
    np.fill_diagonal(M[0], 0.0)
    return RegionFlows(
        regions=c.labels["region"], countries=ctry, parents=par, channels=("citation",),
        presence=M, copresence=np.zeros_like(M), internal=internal, size=None,
        counting=counting,
        info={"source": "citations", "convention": "citation: citing region -> cited "
              "region (knowledge flows cited -> citing); " + PRESENCE_CONVENTION,
              "citations": int(ok.sum()), "outside_corpus": int((~ok).sum())})
