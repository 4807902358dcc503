"""Contributions: the record-level data model (one row per record and actor)."""

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ._validation import (
    as_1d,
    as_bool,
    as_labels,
    as_weights,
    check_length,
    check_option,
    check_window,
)
from .exceptions import InputTypeError, ParameterError

__all__ = ["Contributions", "CHANNELS", "ROLES"]

#: The standard channels of cross-border S&T cooperation (users may add their own).
CHANNELS = ("talent", "academic", "enterprise")
#: Standard roles of an actor on a record.
ROLES = ("author", "inventor", "applicant", "origin", "destination")
#: Plausible years (inclusive): readers and :meth:`Contributions.from_arrays` reject
#: others (-1, or NaN, means unknown).
YEAR_MIN, YEAR_MAX = 1000, 2200

_LABELLED = ("record", "actor", "org", "region", "role", "channel")
# code width per labelled field: wide vocabularies get int32 (int64 beyond 2**31 labels),
# the small ones (roles, channels) int8 (int16, ... when they grow)
_SMALL = ("role", "channel")


def code_dtype(field, n_labels):
    """Smallest signed dtype holding the codes -1 .. n_labels - 1 of ``field``."""
    ladder = (np.int8, np.int16, np.int32, np.int64) if field in _SMALL else (np.int32, np.int64)
    for dtype in ladder:
        if n_labels <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _readonly(arr, dtype=None):
    arr = np.ascontiguousarray(arr, dtype=dtype)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Contributions:
    """One row per (record, actor): who took part in which paper, patent or move, where.

    Labelled fields (``record``, ``actor``, ``org``, ``region``, ``role``, ``channel``)
    are stored as integer codes into a vocabulary of labels (``labels[field]``); code -1
    means missing (allowed for ``org`` and ``role`` only). Codes are compact: int32 for
    record, actor, org and region (int64 beyond 2**31 - 1 labels), int8 for role and
    channel (wider only past 127 labels), so a contribution takes 31 bytes. Rows are kept sorted by
    (record, channel, actor), so codes and order never depend on the input row order.
    Arrays are read-only; build new objects with :meth:`select`.

    Build with :meth:`from_arrays` or :meth:`from_pandas`; readers return one too.

    Attributes
    ----------
    record, actor, org, region : ndarray of shape (n,), dtype=int32 (or int64)
        Codes into ``labels[field]``.
    role, channel : ndarray of shape (n,), dtype=int8 (or wider)
        Codes into ``labels[field]``.
    year : ndarray of shape (n,), dtype=int32
        Year of the record (``-1`` if unknown).
    lead : ndarray of shape (n,), dtype=bool
        True for the lead contribution: the corresponding (else first) author of a
        paper, the applicant (owner) of a patent, the origin of a move. Presence flows
        run from lead regions to the other regions of the record (see the user guide
        on the direction convention).
    weight : ndarray of shape (n,), dtype=float64
        Contribution weight (1 by default; address shares for fractional counting).
    labels : dict of str to tuple
        Vocabulary of each labelled field.
    region_map : RegionMap or None
        The map whose region codes ``labels["region"]`` are, if any.
    info : dict
        Provenance (source, licence, reader report, ...).
    """

    record: np.ndarray
    actor: np.ndarray
    org: np.ndarray
    region: np.ndarray
    role: np.ndarray
    channel: np.ndarray
    year: np.ndarray
    lead: np.ndarray
    weight: np.ndarray
    labels: dict
    region_map: object = None
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in _LABELLED:
            dtype = code_dtype(name, len(self.labels.get(name, ())))
            object.__setattr__(self, name, _readonly(getattr(self, name), dtype))
        for name in ("year", "lead", "weight"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(cls, record, actor, region, *, org=None, role=None, channel=None,
                    year=None, lead=None, weight=None, regions=None, info=None):
        """Build from parallel arrays, one entry per (record, actor) contribution.

        Parameters
        ----------
        record : array-like of shape (n,)
            Record identifier (paper, patent family, move id); any hashable labels.
        actor : array-like of shape (n,)
            Actor identifier (author, inventor, applicant).
        region : array-like of shape (n,)
            Analysis region of the contribution (no missing values: resolve locations
            with a :class:`~ecosystem.regions.RegionMap` first and report the unmatched).
        org : array-like of shape (n,), optional
            Organisation identifier (missing allowed).
        role : array-like of shape (n,), optional
            Role label, e.g. ``"author"``, ``"inventor"``, ``"applicant"``.
        channel : str or array-like of shape (n,), optional
            ``"talent"``, ``"academic"``, ``"enterprise"`` (or any label); a single
            string applies to every row. Default ``"academic"``.
        year : array-like of int, shape (n,), optional
            Year of the record, in ``YEAR_MIN..YEAR_MAX`` (1000..2200); missing → -1
            (or NaN in a float array).
        lead : array-like of bool, shape (n,), optional
            Lead flags (default: no lead, so every record is undirected co-presence).
        weight : array-like of shape (n,), optional
            Non-negative finite contribution weights (default 1).
        regions : RegionMap or sequence, optional
            A region map (region labels must be its codes; every map region becomes a
            row of the flow matrices, present or not) or the full list of region labels.
        info : dict, optional
            Provenance carried into every result.

        Returns
        -------
        Contributions

        Raises
        ------
        ParameterError
            Length mismatch, missing record/actor/region labels, labels outside
            ``regions``, NaN or negative weights.
        InputTypeError
            Non-numeric weights or years, non-boolean lead flags.
        """
        func = "Contributions.from_arrays"
        rec = as_1d(func, "record", record)
        n = len(rec)
        cols = {"record": rec}
        for name, values in (("actor", actor), ("region", region)):
            cols[name] = as_1d(func, name, values)
            check_length(func, name, cols[name], n, "record entry")

        codes, labels = {}, {}
        for name in ("record", "actor"):
            codes[name], labels[name] = as_labels(func, name, cols[name])

        region_map = None
        vocab = None
        if regions is not None:
            if hasattr(regions, "regions") and hasattr(regions, "layer_matrix"):
                region_map, vocab = regions, tuple(regions.regions)
            else:
                vocab = tuple(regions)
        codes["region"], labels["region"] = as_labels(
            func, "region", cols["region"], vocabulary=vocab)

        for name, values in (("org", org), ("role", role)):
            if values is None:
                codes[name], labels[name] = np.full(n, -1, dtype=np.intp), ()
            else:
                arr = as_1d(func, name, values)
                check_length(func, name, arr, n, "row")
                codes[name], labels[name] = as_labels(func, name, arr, allow_missing=True)

        if channel is None:
            channel = "academic"
        if isinstance(channel, str):
            codes["channel"], labels["channel"] = np.zeros(n, dtype=np.intp), (channel,)
        else:
            arr = as_1d(func, "channel", channel)
            check_length(func, "channel", arr, n, "row")
            codes["channel"], labels["channel"] = as_labels(func, "channel", arr)

        year_arr = _as_years(func, year, n)
        lead_arr = as_bool(func, "lead", lead, n).astype(bool)
        weight_arr = as_weights(func, "weight", weight, n)

        order = np.lexsort((codes["actor"], codes["channel"], codes["record"]))
        take = (lambda a: a[order]) if n else (lambda a: a)
        return cls(
            record=take(codes["record"]), actor=take(codes["actor"]), org=take(codes["org"]),
            region=take(codes["region"]), role=take(codes["role"]),
            channel=take(codes["channel"]), year=take(year_arr), lead=take(lead_arr),
            weight=take(weight_arr), labels=labels, region_map=region_map,
            info=dict(info or {}),
        )

    @classmethod
    def from_pandas(cls, frame, *, record="record", actor="actor", region="region",
                    org=None, role=None, channel=None, year=None, lead=None, weight=None,
                    regions=None, info=None):
        """Build from a DataFrame; arguments name its columns.

        ``record``, ``actor`` and ``region`` are required column names; the optional
        ones default to absent. ``channel`` may name a column or be a constant label
        such as ``"academic"`` when no column of that name exists.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per (record, actor) contribution.
        record, actor, region : str
            Column names.
        org, role, channel, year, lead, weight : str, optional
            Column names.
        regions : RegionMap or sequence, optional
            See :meth:`from_arrays`.
        info : dict, optional
            Provenance carried into every result.

        Returns
        -------
        Contributions
        """
        func = "Contributions.from_pandas"
        if not hasattr(frame, "columns"):
            raise InputTypeError(f"{func}: frame must be a pandas DataFrame; got {type(frame).__name__}")

        def column(name, value, required=False):
            if value is None:
                return None
            if value in frame.columns:
                return frame[value].to_numpy()
            if required or name != "channel":
                raise ParameterError(
                    f"{func}: {name}={value!r} is not a column; columns are {list(frame.columns)}"
                )
            return value  # a constant channel label

        return cls.from_arrays(
            column("record", record, True), column("actor", actor, True),
            column("region", region, True), org=column("org", org),
            role=column("role", role), channel=column("channel", channel),
            year=column("year", year), lead=column("lead", lead),
            weight=column("weight", weight), regions=regions, info=info,
        )

    # ------------------------------------------------------------------ facts
    def __len__(self):
        return len(self.record)

    @property
    def n_records(self):
        """Number of records in the vocabulary (kept by :meth:`select`)."""
        return len(self.labels["record"])

    @property
    def n_actors(self):
        """Number of actors in the vocabulary (kept by :meth:`select`)."""
        return len(self.labels["actor"])

    @property
    def n_regions(self):
        """Number of regions in the vocabulary (rows of the flow matrices)."""
        return len(self.labels["region"])

    @property
    def channels(self):
        """Channel labels in code order."""
        return self.labels["channel"]

    @cached_property
    def group_ptr(self):
        """Boundaries of the (record, channel) runs, ndarray of shape (n_groups + 1,)."""
        n = len(self)
        if n == 0:
            return np.zeros(1, dtype=np.int64)
        change = (np.diff(self.record) != 0) | (np.diff(self.channel) != 0)
        starts = np.flatnonzero(change) + 1
        ptr = np.concatenate(([0], starts, [n])).astype(np.int64)
        ptr.flags.writeable = False
        return ptr

    def summary(self):
        """Return counts per channel: records, contributions, actors, regions, leads.

        Returns
        -------
        pandas.DataFrame
            One row per channel plus a ``total`` row.
        """
        import pandas as pd

        rows = []
        for k, name in enumerate(self.channels):
            m = self.channel == k
            rows.append(self._counts(name, m))
        rows.append(self._counts("total", np.ones(len(self), dtype=bool)))
        return pd.DataFrame(rows).set_index("channel")

    def _counts(self, name, mask):
        return {
            "channel": name,
            "records": int(np.unique(self.record[mask]).size),
            "contributions": int(mask.sum()),
            "actors": int(np.unique(self.actor[mask]).size),
            "regions": int(np.unique(self.region[mask]).size),
            "lead_contributions": int(self.lead[mask].sum()),
        }

    def _repr_html_(self):
        """Notebook view: the summary line and the counts per channel."""
        import html

        return (f"<div><p>{html.escape(repr(self))}</p>{self.summary().to_html()}<p><small>"
                "One row per contribution: <code>.to_pandas()</code>; descriptive overview: "
                "<code>ecosystem.summary.overview(c)</code>.</small></p></div>")

    def __repr__(self):
        return (f"<Contributions: {len(self)} contributions, {self.n_records} records, "
                f"{self.n_actors} actors, {self.n_regions} regions, "
                f"channels {list(self.channels)}>")

    # ------------------------------------------------------------------ views
    def to_pandas(self):
        """Return one row per contribution with decoded labels.

        Returns
        -------
        pandas.DataFrame
            Columns record, actor, org, region, role, channel, year, lead, weight.
        """
        import pandas as pd

        data = {}
        for name in _LABELLED:
            vocab = np.asarray(self.labels[name] + (None,), dtype=object)
            data[name] = vocab[self.__getattribute__(name)]  # code -1 -> None
        data["year"] = self.year
        data["lead"] = self.lead
        data["weight"] = self.weight
        return pd.DataFrame(data)

    def select(self, *, channel=None, window=None):
        """Keep the rows of some channels and/or a year window.

        Parameters
        ----------
        channel : str or sequence of str, optional
            Channel labels to keep.
        window : (int, int), optional
            Inclusive first and last year.

        Returns
        -------
        Contributions
            Same vocabularies (codes unchanged), fewer rows.
        """
        func = "Contributions.select"
        mask = np.ones(len(self), dtype=bool)
        if channel is not None:
            wanted = [channel] if isinstance(channel, str) else list(channel)
            for c in wanted:
                check_option(func, "channel", c, self.channels)
            mask &= np.isin(self.channel, [self.channels.index(c) for c in wanted])
        if window is not None:
            lo, hi = check_window(func, window)
            mask &= (self.year >= lo) & (self.year <= hi)
        fields = {name: getattr(self, name)[mask] for name in _LABELLED + ("year", "lead", "weight")}
        info = dict(self.info)
        info["selection"] = {"channel": channel, "window": window}
        return type(self)(labels=self.labels, region_map=self.region_map, info=info, **fields)


def _as_years(func, year, n):
    if year is None:
        return np.full(n, -1, dtype=np.int32)
    arr = as_1d(func, "year", year)
    check_length(func, "year", arr, n, "row")
    if arr.dtype.kind == "f":
        missing = np.isnan(arr)
        vals = arr[~missing]
        if (~np.isfinite(vals)).any() or (vals != np.round(vals)).any():
            raise ParameterError(f"{func}: year must hold whole years; got a fractional or "
                                 "infinite value")
    elif arr.dtype.kind in "iu":
        missing = np.zeros(len(arr), dtype=bool)
    else:
        raise InputTypeError(f"{func}: year must be integers (NaN for unknown); got dtype {arr.dtype}")
    known = ~missing & (arr != -1)
    out_of_range = known & ((arr < YEAR_MIN) | (arr > YEAR_MAX))
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range)[0])
        raise ParameterError(f"{func}: year must be in {YEAR_MIN}..{YEAR_MAX} (-1 or NaN for "
                             f"unknown); got {arr[i]!r} at position {i}")
    return np.where(missing, -1, arr).astype(np.int32)


def as_contributions(func, data):
    """Return the Contributions of ``data`` (a Contributions, or a reader's ReadResult)."""
    if isinstance(data, Contributions):
        return data
    inner = getattr(data, "contributions", None)
    if isinstance(inner, Contributions):
        return inner
    raise InputTypeError(
        f"{func}: contributions must be a Contributions object (or a reader's ReadResult); "
        f"got {type(data).__name__}"
    )
