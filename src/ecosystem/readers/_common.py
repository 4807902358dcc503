"""Source-independent assembly of the readers: channels, citations, contributions.

The report side (:class:`~ecosystem.readers._report.ReadReport`, the ``errors=``
policy, :class:`~ecosystem.readers._report.ReadResult`) lives in ``_report``, the
input side (files, damaged streams, lines, delimited records, checked columns) in
``_io``. Here:

* :data:`ORG_CHANNELS`, :func:`channel_of`, :func:`check_channel` — channels;
* :class:`Citations`, :class:`PrefixedIds` — the citation layer;
* :func:`build_contributions` — integer-coded rows + sorted vocabularies →
  :class:`~ecosystem.contributions.Contributions` (the same layout as
  ``Contributions.from_arrays``, without a pass through Python label objects per row);
* :func:`contributions_from_frame` — a row table with locations → Contributions, with
  duplicate rows dropped and every dropped row counted;
* :class:`Progress` — a progress bar or callback over bytes read.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from ..contributions import Contributions, code_dtype
from ..exceptions import InputTypeError, OptionalDependencyError, ParameterError
from ._places import located_keywords
from ._report import DROP_DUPLICATE, DROP_NO_COUNTRY, DROP_UNMATCHED, SKIP_NO_COUNTRY

__all__ = [
    "Citations",
    "PrefixedIds",
    "ORG_CHANNELS",
    "channel_of",
]

#: Organisation type → channel, used by the readers that know organisation types
#: (OpenAlex institutions use the ROR vocabulary; PatentsView assignee types are mapped
#: to these words by its reader). Types not listed keep the reader's default channel
#: (``"academic"`` for papers, ``"enterprise"`` for patents). Override per call with
#: ``org_channels={...}`` (entries are merged over these).
ORG_CHANNELS = {
    "education": "academic",
    "facility": "academic",
    "company": "enterprise",
}


_MAX_CODE = 2**31 - 1       # citation document codes are int32
_MAX_CATEGORY = 2**15 - 1   # citation category codes are int16


def check_channel(func, channel, auto=False):
    """``channel`` if it is a non-empty string (or ``"auto"`` when allowed), else raise."""
    if not isinstance(channel, str) or not channel.strip():
        allowed = "'auto' or a channel name" if auto else "a non-empty string"
        raise ParameterError(f"{func}: channel must be {allowed}; got {channel!r}")
    return channel


def channel_of(org_type, default, mapping=None):
    """Channel of an organisation type.

    Parameters
    ----------
    org_type : str or None
        Organisation type (ROR vocabulary: ``education``, ``company``, ``facility``,
        ``healthcare``, ``government``, ``nonprofit``, ``archive``, ``other``).
    default : str
        Channel for types that are not mapped (and for None).
    mapping : dict, optional
        Type → channel; default :data:`ORG_CHANNELS`.

    Returns
    -------
    str
        The channel: ``mapping[org_type]``, else ``default``.

    Examples
    --------
    >>> channel_of("company", "academic"), channel_of("healthcare", "academic")
    ('enterprise', 'academic')
    >>> channel_of("healthcare", "academic", {"healthcare": "enterprise"})
    'enterprise'
    """
    mapping = ORG_CHANNELS if mapping is None else mapping
    if org_type is None:
        return default
    return mapping.get(org_type, default)


def merged_channels(func, org_channels):
    """ORG_CHANNELS updated by the user's mapping (validated)."""
    out = dict(ORG_CHANNELS)
    if org_channels is None:
        return out
    if not isinstance(org_channels, dict):
        raise InputTypeError(f"{func}: org_channels must be a dict of organisation type to "
                             f"channel; got {type(org_channels).__name__}")
    for k, v in org_channels.items():
        if not isinstance(k, str) or not isinstance(v, str) or not v:
            raise ParameterError(f"{func}: org_channels must map str to a non-empty str; "
                                 f"got {k!r}: {v!r}")
    out.update(org_channels)
    return out


# --------------------------------------------------------------------------- results


class PrefixedIds:
    """Document labels ``prefix + number`` kept as numbers (e.g. OpenAlex ``W123``).

    Behaves as a read-only sequence of str (``len``, indexing by position or by an
    array of positions, ``tolist``, ``numpy.asarray``) without holding tens of millions
    of strings.

    Parameters
    ----------
    prefix : str
        Text before the number, e.g. ``"W"``.
    ids : array-like of int
        The numbers, in label order.

    Examples
    --------
    >>> ids = PrefixedIds("W", [5, 12])
    >>> len(ids), ids[1], ids[np.array([1, 0])].tolist(), ids.tolist()
    (2, 'W12', ['W12', 'W5'], ['W5', 'W12'])
    """

    __slots__ = ("prefix", "ids")

    def __init__(self, prefix, ids):  # noqa: D107 - documented on the class
        self.prefix = str(prefix)
        self.ids = np.asarray(ids, dtype=np.int64)
        self.ids.flags.writeable = False

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        sel = self.ids[index]
        if np.ndim(sel) == 0:
            return f"{self.prefix}{int(sel)}"
        if len(sel) == 0:
            return np.zeros(0, dtype="U1")
        return np.char.add(self.prefix, sel.astype("U20"))

    def __iter__(self):
        return iter(self.tolist())

    def __array__(self, dtype=None, copy=None):
        out = self[np.arange(len(self))]
        return out if dtype is None else out.astype(dtype)

    def tolist(self):
        """Every label as a Python list.

        Returns
        -------
        list of str
            ``prefix + str(number)`` for every id, in order.
        """
        return [f"{self.prefix}{i}" for i in self.ids.tolist()]

    def __repr__(self):
        return f"PrefixedIds({self.prefix!r}, {len(self)} ids)"


class Citations:
    """A citation layer: ``citing → cited`` document pairs (never mixed into presence).

    Per link only two int32 codes (and a category code when the source has one) are
    stored; years and corpus membership are per document, so a layer of tens of
    millions of links stays small.

    Parameters
    ----------
    citing : array-like of int, shape (m,), or (docs, counts)
        Codes into ``labels``; or, for links grouped by citing document, the runs
        ``(citing document codes, number of links of each)`` (stored compactly).
    cited : array-like of int, shape (m,)
        Codes into ``labels``.
    labels : sequence of str
        Document identifiers (every citing and every cited document).
    doc_year : array-like of int, shape (len(labels),)
        Year of each document (-1 unknown).
    doc_in_corpus : array-like of bool, shape (len(labels),)
        True for the records of the corpus read.
    category : array-like of int, shape (m,), optional
        Codes into ``categories`` (-1: none).
    categories : sequence of str
        Category labels (e.g. ``"cited by examiner"``).
    convention : str, default "citing -> cited"
        Direction of the links, stated in every result.
    info : dict, optional
        Provenance and counts.

    Attributes
    ----------
    citing, cited : ndarray of shape (m,), dtype=int32
    labels : tuple, ndarray of str or PrefixedIds
    citing_year, cited_year : ndarray of shape (m,), dtype=int32
        Years (-1 unknown; a cited document outside the corpus has no year unless the
        source gives one, e.g. PatentsView's ``citation_date``).
    in_corpus : ndarray of shape (m,), dtype=bool
        True where the cited document is a record of the corpus read (dangling
        citations are kept with False).
    category : ndarray of shape (m,), dtype=int16
        Codes into :attr:`categories` (-1: none), e.g. ``"cited by examiner"``.
    categories : tuple of str
    convention : str
        ``"citing -> cited"``: knowledge flows against it, from cited to citing.
    info : dict
        Provenance and counts.
    """

    __slots__ = ("_citing", "_runs", "cited", "labels", "doc_year", "doc_in_corpus",
                 "_category", "categories", "convention", "info")

    def __init__(self, citing, cited, labels, doc_year, doc_in_corpus, *, category=None,
                 categories=(), convention="citing -> cited", info=None):
        def ro(a, dt):
            a = np.ascontiguousarray(a, dtype=dt)
            a.flags.writeable = False
            return a

        if len(labels) > _MAX_CODE:
            raise ParameterError(f"Citations: at most {_MAX_CODE:,} documents (int32 codes); "
                                 f"got {len(labels):,}")
        if len(categories) > _MAX_CATEGORY:
            raise ParameterError(f"Citations: at most {_MAX_CATEGORY:,} categories (int16 "
                                 f"codes); got {len(categories):,}")
        self.cited = ro(cited, np.int32)
        if isinstance(citing, tuple):  # (citing documents, links per document): runs
            docs, counts = ro(citing[0], np.int32), ro(citing[1], np.int32)
            if len(docs) != len(counts) or int(counts.sum()) != len(self.cited):
                raise ParameterError("Citations: citing runs must cover every link")
            self._citing, self._runs = None, (docs, counts)
        else:
            self._citing, self._runs = ro(citing, np.int32), None
            if len(self.cited) != len(self._citing):
                raise ParameterError("Citations: citing and cited must have the same length")
        self.labels = labels
        self.doc_year = ro(doc_year, np.int32)
        self.doc_in_corpus = ro(doc_in_corpus, bool)
        if len(self.doc_year) != len(labels) or len(self.doc_in_corpus) != len(labels):
            raise ParameterError("Citations: doc_year and doc_in_corpus need one entry per label")
        self._category = None if category is None else ro(category, np.int16)
        self.categories = tuple(categories)
        self.convention = convention
        self.info = dict(info or {})

    @property
    def citing(self):
        """Citing document code of every link, ndarray of int32 (runs expanded)."""
        if self._citing is not None:
            return self._citing
        docs, counts = self._runs
        out = np.repeat(docs, counts)
        out.flags.writeable = False
        return out

    @property
    def citing_year(self):
        """Year of the citing document of every link, ndarray of int32 (-1 unknown)."""
        return self.doc_year[self.citing]

    @property
    def cited_year(self):
        """Year of the cited document of every link, ndarray of int32 (-1 unknown)."""
        return self.doc_year[self.cited]

    @property
    def in_corpus(self):
        """Whether the cited document is a record of the corpus, ndarray of bool."""
        return self.doc_in_corpus[self.cited]

    @property
    def category(self):
        """Category code of every link, ndarray of int16 (-1: none)."""
        if self._category is None:
            return np.full(len(self.cited), -1, dtype=np.int16)
        return self._category

    def __len__(self):
        return len(self.cited)

    def __repr__(self):
        return (f"<Citations ({self.convention}): {len(self)} links, "
                f"{int(self.in_corpus.sum())} inside the corpus>")

    @classmethod
    def from_pairs(cls, citing, cited, *, citing_year=None, cited_year=None, category=None,
                   corpus=None, info=None):
        """Build from parallel label arrays.

        Parameters
        ----------
        citing, cited : array-like of str, shape (m,)
            Citing and cited document ids of every link.
        citing_year, cited_year : array-like of int, optional
            Years per link; a document's year is its first known one.
        category : array-like of str, optional
            Category of every link (None or "" for none).
        corpus : collection of str, optional
            Record ids read; ``in_corpus`` marks cited documents among them (default:
            the citing documents).
        info : dict, optional
            Provenance carried along.

        Returns
        -------
        Citations
            Labels sorted; codes, years and categories as given.

        Examples
        --------
        >>> c = Citations.from_pairs(["W1", "W2"], ["W0", "W1"])
        >>> c.to_pandas()[["citing", "cited", "in_corpus"]].values.tolist()
        [['W1', 'W0', False], ['W2', 'W1', True]]
        """
        citing = np.asarray(citing, dtype=object)
        cited = np.asarray(cited, dtype=object)
        m = len(citing)
        if len(cited) != m:
            raise ParameterError(f"Citations.from_pairs: cited must have one entry per citing "
                                 f"entry ({m}); got {len(cited)}")
        labels = tuple(sorted(set(citing.tolist()) | set(cited.tolist())))
        index = {s: i for i, s in enumerate(labels)}
        a = np.asarray([index[x] for x in citing.tolist()], dtype=np.int64)
        b = np.asarray([index[x] for x in cited.tolist()], dtype=np.int64)
        corpus = set(citing.tolist()) if corpus is None else set(corpus)
        year = np.full(len(labels), -1, np.int32)
        for codes, ys in ((b, cited_year), (a, citing_year)):   # citing years win
            if ys is not None:
                ys = np.asarray(ys, dtype=np.int64)
                known = ys >= 0
                year[codes[known]] = ys[known]
        in_corpus = np.asarray([x in corpus for x in labels], dtype=bool)
        cat, cats = None, ()
        if category is not None:
            # a category is a non-empty string; anything else (None, NaN from a table) is none
            cats = tuple(sorted({c for c in category if isinstance(c, str) and c}))
            cidx = {c: i for i, c in enumerate(cats)}
            cat = np.asarray([cidx.get(c, -1) if isinstance(c, str) else -1 for c in category],
                             dtype=np.int16)
        return cls(a, b, labels, year, in_corpus, category=cat, categories=cats, info=info)

    def to_pandas(self):
        """One row per citation.

        Returns
        -------
        pandas.DataFrame
            Columns citing, cited, citing_year, cited_year, in_corpus, category.
        """
        import pandas as pd

        labels = self.labels if isinstance(self.labels, PrefixedIds) else \
            np.asarray(self.labels, dtype=object)
        cats = np.asarray(tuple(self.categories) + (None,), dtype=object)
        return pd.DataFrame({
            "citing": np.asarray(labels[self.citing], dtype=object),
            "cited": np.asarray(labels[self.cited], dtype=object),
            "citing_year": self.citing_year, "cited_year": self.cited_year,
            "in_corpus": self.in_corpus, "category": cats[self.category],
        })

    def region_flows(self, contributions, *, counting="fractional"):
        """Citation flows between regions, ``citing region → cited region``.

        See :func:`ecosystem.flows.citation_flows`, which this calls.

        Parameters
        ----------
        contributions : Contributions
            The records of the corpus (record labels are document ids).
        counting : {"fractional", "full"}

        Returns
        -------
        RegionFlows
            Channel ``"citation"``; ``presence[r, j]`` = citations from r to j.
        """
        from ..flows import citation_flows

        return citation_flows(self, contributions, counting=counting)


# --------------------------------------------------------------------------- assembly


def release_memory():
    """Hand freed heap memory back to the OS (glibc ``malloc_trim``; no-op elsewhere).

    Large readers free gigabytes of intermediates in many medium blocks; glibc keeps
    them in its heap, where they would count again toward the peak when the output is
    built. Trimming between phases keeps the peak close to the output's size.
    """
    global _TRIM
    if _TRIM is None:
        _TRIM = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):  # pragma: no cover - not glibc
                _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM = None


def build_contributions(columns, *, labels, region_map, info):
    """Contributions from integer codes whose vocabularies are already sorted.

    ``columns`` maps record, actor, region, org, role, channel, year, lead, weight to
    arrays of codes into ``labels[field]`` (org/role may hold -1); it is emptied as the
    columns are used, so no field is held twice. The rows are put into (record,
    channel, actor) order, exactly as :meth:`Contributions.from_arrays` does, so results
    equal those of ``from_arrays`` on the decoded labels.
    """
    n = len(columns["record"])
    for name, arr in columns.items():
        if len(arr) != n:  # pragma: no cover - internal invariant
            raise AssertionError(f"build_contributions: {name} has {len(arr)} rows, not {n}")
    w = columns["weight"]
    if n and (not np.isfinite(w).all() or (w < 0).any()):  # pragma: no cover
        raise AssertionError("build_contributions: weights must be finite and >= 0")
    if n:
        rec, ch, act = (np.asarray(columns[k]) for k in ("record", "channel", "actor"))
        n_ch, n_act = int(ch.max()) + 1, int(act.max()) + 1
        if (int(rec.max()) + 1) * n_ch * n_act < 2**62:
            # one stable sort of a combined key == lexsort of the three (faster)
            key = (rec.astype(np.int64) * n_ch + ch) * n_act + act
            order = np.argsort(key, kind="stable")
            del key
        else:  # pragma: no cover - astronomically many labels
            order = np.lexsort((act, ch, rec))
        del rec, ch, act
        if n < 2**31:
            order = order.astype(np.int32)
    else:
        order = np.zeros(0, dtype=np.intp)
    # widest sources first: each is freed as soon as its sorted copy exists, so the
    # peak (every output + the permutation + the last source) meets only small ones;
    # codes are gathered straight into the compact dtypes Contributions keeps
    def code(field):
        return code_dtype(field, len(labels.get(field, ())))

    dtypes = {"weight": np.float64, "record": code("record"), "actor": code("actor"),
              "org": code("org"), "region": code("region"), "year": np.int32,
              "role": code("role"), "channel": code("channel"), "lead": bool}
    release_memory()
    out = {}
    step = 1 << 22
    for name, dt in dtypes.items():
        arr = np.asarray(columns.pop(name))
        res = np.empty(n, dtype=dt)
        for i in range(0, n, step):  # in slices: no full-size temporary per column
            res[i:i + step] = arr[order[i:i + step]]
        out[name] = res
        del arr
    return Contributions(labels=labels, region_map=region_map, info=dict(info), **out)


def default_regions(regions, func):
    """The region map to use: ``regions`` checked, or ``countries()``.

    As on the command line, ``regions`` may also be ``"countries"``, ``"metros"`` (the
    world metro map, :func:`ecosystem.regions.metros`), ``"metro_areas"`` (the four seed
    metros) or the path of a region CSV (:meth:`RegionMap.from_csv`).
    """
    if regions is None or (isinstance(regions, str) and regions == "countries"):
        from ..regions import countries

        return countries()
    if isinstance(regions, str) and regions in ("metros", "metro_areas"):
        from .. import regions as _regions

        return getattr(_regions, regions)()
    if isinstance(regions, (str, os.PathLike)):
        from ..regions import RegionMap

        if not os.path.isfile(regions):
            raise InputTypeError(f"{func}: regions={str(regions)!r}: no such region file (use a "
                                 "RegionMap, 'countries', 'metros' or the path of a region CSV)")
        return RegionMap.from_csv(regions)
    if not (hasattr(regions, "resolve") and hasattr(regions, "regions")):
        raise InputTypeError(f"{func}: regions must be a RegionMap (e.g. "
                             f"ecosystem.regions.metro_areas()); got {type(regions).__name__}")
    return regions


# --------------------------------------------------------------------------- progress


class Progress:
    """Progress over bytes of input: a tqdm bar, a callback, or nothing."""

    def __init__(self, progress, total, desc):
        self.bar = None
        self.callback = None
        self.total = total
        self.done = 0
        if progress is None:
            progress = sys.stderr.isatty() if hasattr(sys.stderr, "isatty") else False
            if progress:
                import importlib.util

                progress = importlib.util.find_spec("tqdm") is not None
        if progress is True:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                raise OptionalDependencyError("tqdm", extra="io",
                                              purpose="progress=True (a progress bar)") from None
            self.bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True,
                            unit_divisor=1024, leave=False)
        elif callable(progress):
            self.callback = progress
        elif progress not in (False, None):
            raise InputTypeError(f"progress must be None, True, False or a callable "
                                 f"(done, total); got {type(progress).__name__}")

    def update(self, done):
        delta = done - self.done
        self.done = done
        if self.bar is not None and delta > 0:
            self.bar.update(delta)
        elif self.callback is not None:
            self.callback(done, self.total)

    def close(self):
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------- tabular


def _missing_str(values):
    """Object array with None for missing/empty strings."""
    arr = np.asarray(values, dtype=object)
    out = arr.copy()
    if len(arr):
        import pandas as pd

        bad = pd.isna(arr)
        bad |= np.asarray([isinstance(x, str) and not x.strip() for x in arr], dtype=bool)
        out[bad] = None
    return out


def drop_duplicate_rows(frame, keys, report):
    """``frame`` without rows that repeat an earlier row on ``keys`` (counted as dropped).

    Parameters
    ----------
    frame : pandas.DataFrame
        A row table.
    keys : list of str
        Columns that identify a row (those absent from ``frame`` are ignored).
    report : ReadReport
        ``dropped["duplicate row"]`` receives the number of rows removed.

    Returns
    -------
    pandas.DataFrame
        The first occurrence of every row.
    """
    keys = [k for k in keys if k in frame]
    if not len(frame) or not keys:
        return frame
    dup = frame.duplicated(keys, keep="first").to_numpy()
    n = int(dup.sum())
    if n:
        report.drop(DROP_DUPLICATE, n)
        frame = frame.loc[~dup]
    return frame


def contributions_from_frame(frame, region_map, report, info, *, region_column=None):
    """Resolve the locations of a row table and build Contributions.

    ``frame`` has columns record, actor, role, channel, year, lead, weight, org and
    either country (+ optional admin1, city, county) or, with ``region_column``, region
    codes of ``region_map``. Rows without a country are dropped as ``"no country"``,
    rows the map cannot place as ``"unmatched region"`` (both add their weight to
    ``report.unknown_share``); records left without rows are skipped as ``"no country"``.
    """
    n = len(frame)
    if region_column is not None:
        regs = _missing_str(frame[region_column].to_numpy())
        index = {r: i for i, r in enumerate(region_map.regions)}
        codes = np.asarray([index.get(r, -1) if r is not None else -1 for r in regs],
                           dtype=np.int64)
        no_country = np.asarray([r is None for r in regs], dtype=bool)
        report.unmatched = None
    else:
        country = _missing_str(frame["country"].to_numpy())
        cols = {}
        for name in ("admin1", "city", "county"):
            cols[name] = _missing_str(frame[name].to_numpy()) if name in frame else None
        no_country = np.asarray([c is None for c in country], dtype=bool)
        located = located_keywords(*(_missing_str(frame[c].to_numpy()) if c in frame else None
                                     for c in ("geonames_id", "lat", "lon")))
        if n:
            codes, rep = region_map.resolve(country, admin1=cols["admin1"], city=cols["city"],
                                            county=cols["county"], unmatched="rest", **located)
            codes = np.asarray(codes, dtype=np.int64)
            no_country &= codes < 0  # a location the gazetteer placed has its country
            report.unmatched = rep
        else:
            codes = np.zeros(0, np.int64)
    weight = frame["weight"].to_numpy(dtype=np.float64)
    ok = codes >= 0
    report.drop(DROP_NO_COUNTRY, int(no_country.sum()))
    report.drop(DROP_UNMATCHED, int((~ok & ~no_country).sum()))
    report.unknown_share += float(weight[~ok].sum())
    kept = frame.loc[ok]
    rec_all = frame["record"].to_numpy(dtype=object)
    before = set(rec_all.tolist())
    regions = np.asarray(region_map.regions, dtype=object)[codes[ok]]
    org = kept["org"].to_numpy(dtype=object) if "org" in kept else None
    if org is not None:
        org = _missing_str(org)
    c = Contributions.from_arrays(
        kept["record"].to_numpy(dtype=object), kept["actor"].to_numpy(dtype=object),
        regions, org=org, role=kept["role"].to_numpy(dtype=object),
        channel=kept["channel"].to_numpy(dtype=object), year=kept["year"].to_numpy(dtype=np.int64),
        lead=kept["lead"].to_numpy(dtype=bool), weight=kept["weight"].to_numpy(dtype=np.float64),
        regions=region_map, info=info)
    used = c.n_records
    report.records_used = used
    lost = len(before) - used
    if lost:
        report.skip(SKIP_NO_COUNTRY, lost)
    return c


