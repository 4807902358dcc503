"""Shared machinery of the readers: report, error policy, streaming, result assembly.

Every reader returns a :class:`ReadResult` (``.contributions``, ``.citations``,
``.moves``, ``.report``). The pieces here are source-independent:

* :class:`ReadReport` — what was read, used, skipped (by reason) and dropped, with the
  located examples of malformed input, the data source and its licence line, and the
  region map's report of unmatched locations;
* :class:`_Policy` — the ``errors="raise"|"skip"`` policy: raise a located
  :class:`~ecosystem.exceptions.DataFormatError` or count the record and go on;
* :func:`iter_line_blocks` — whole-line blocks of a plain or gzip file, with the line
  number of each block, for decoders that take many lines at once;
* :func:`read_table` — delimited text in chunks of strings with normalised headers,
  required-column checks and located bad lines;
* :func:`build_contributions` — integer-coded rows + sorted vocabularies →
  :class:`~ecosystem.contributions.Contributions` (the same layout as
  ``Contributions.from_arrays``, without a pass through Python label objects per row);
* :data:`ORG_CHANNELS` — organisation type → channel.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import sys
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..contributions import Contributions
from ..exceptions import DataFormatError, InputTypeError, OptionalDependencyError, ParameterError
from ._places import located_keywords

__all__ = [
    "ReadReport",
    "ReadResult",
    "Citations",
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

#: Reasons a whole record is skipped (keys of ``ReadReport.skipped``).
SKIP_MALFORMED = "malformed"
SKIP_NO_COUNTRY = "no country"
SKIP_HYPER = "hyper-authored"
SKIP_MERGED = "merged id"
SKIP_DUPLICATE = "duplicate id"
SKIP_NO_ACTORS = "no actors"
SKIP_TYPE = "excluded type"

_MAX_EXAMPLES = 20

try:  # ISA-L's gzip decompression is about 3x faster than zlib's (optional, extra "io")
    from isal.igzip import GzipFile as _GzipFile

    GZIP_BACKEND = "isal"
except ImportError:  # pragma: no cover - depends on the environment
    _GzipFile = gzip.GzipFile
    GZIP_BACKEND = "zlib"
_BLOCK = 1 << 22  # 4 MiB of decompressed text per block


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


# --------------------------------------------------------------------------- report


@dataclass(eq=False)
class ReadReport:
    """What a reader did with its input: every record accounted for.

    Attributes
    ----------
    source : str
        Data source, e.g. ``"OpenAlex"``.
    licence : str
        Licence of the source and the attribution it asks for; print it with results.
    files : list of str
        Files read, in order.
    records_read : int
        Records (works, patents, applications, rows) met in the input, including the
        skipped ones.
    records_used : int
        Records with at least one contribution in the result.
    skipped : dict of str to int
        Records left out, by reason: ``"malformed"`` (a bad line or record; see
        ``malformed``), ``"no country"`` (no contributor could be located),
        ``"hyper-authored"`` (more than ``max_authors`` authors), ``"merged id"`` (listed
        in OpenAlex ``merged_ids``), ``"duplicate id"``, ``"no actors"``, ``"excluded
        type"`` (e.g. OpenAlex paratext).
    dropped : dict of str to int
        Contributions (author/inventor/applicant entries) of used records that are not in
        the result, by reason: ``"no country"`` (no location at all), ``"unmatched
        region"`` (the region map has no region for the location; see ``unmatched``),
        ``"no actor id"``.
    unknown_share : float
        Sum over records of the fractional share (1/n per contributor) whose location is
        unknown or unmatched: the "unknown" bucket of fractional counting.
    malformed : list of tuple
        Up to 20 examples ``(path, line, field, message)`` of malformed input.
    unmatched : ResolveReport or None
        The region map's report on the distinct locations it was given (counts by
        reason, examples).
    notes : dict
        Other counts and facts (lead fallbacks, truncated author lists, citations, ...).
    """

    source: str
    licence: str = ""
    files: list = field(default_factory=list)
    records_read: int = 0
    records_used: int = 0
    skipped: dict = field(default_factory=dict)
    dropped: dict = field(default_factory=dict)
    unknown_share: float = 0.0
    malformed: list = field(default_factory=list)
    unmatched: object = None
    notes: dict = field(default_factory=dict)

    def skip(self, reason, n=1):
        """Count ``n`` records skipped for ``reason``.

        Parameters
        ----------
        reason : str
            Key of :attr:`skipped`.
        n : int, default 1
            Number of records.
        """
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def drop(self, reason, n=1):
        """Count ``n`` contributions dropped for ``reason``.

        Parameters
        ----------
        reason : str
            Key of :attr:`dropped`.
        n : int, default 1
            Number of contributions (nothing is recorded for 0).
        """
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + n

    def note(self, key, n=1):
        """Add ``n`` to the count ``notes[key]``.

        Parameters
        ----------
        key : str
            What is counted.
        n : int, default 1
            Amount to add.
        """
        self.notes[key] = self.notes.get(key, 0) + n

    @property
    def records_skipped(self):
        """Total records skipped (sum of :attr:`skipped`)."""
        return sum(self.skipped.values())

    def to_dict(self):
        """The report as plain Python data.

        Returns
        -------
        dict
            Every attribute, JSON-serialisable (the region map's report as counts and
            example tuples).
        """
        unmatched = None
        if self.unmatched is not None:
            unmatched = {"map": self.unmatched.map_name, "n_input": self.unmatched.n_input,
                         "n_unmatched": self.unmatched.n_unmatched,
                         "by_reason": dict(self.unmatched.by_reason),
                         "examples": {k: [tuple(e) for e in v]
                                      for k, v in self.unmatched.examples.items()}}
        return {"source": self.source, "licence": self.licence, "files": list(self.files),
                "records_read": self.records_read, "records_used": self.records_used,
                "skipped": dict(self.skipped), "dropped": dict(self.dropped),
                "unknown_share": self.unknown_share,
                "malformed": [list(m) for m in self.malformed], "unmatched": unmatched,
                "notes": dict(self.notes)}

    def __str__(self):
        lines = [f"{self.source}: {self.records_read:,} records read, "
                 f"{self.records_used:,} used, {self.records_skipped:,} skipped"]
        for reason, n in sorted(self.skipped.items()):
            lines.append(f"  skipped ({reason}): {n:,}")
        for reason, n in sorted(self.dropped.items()):
            lines.append(f"  contributions dropped ({reason}): {n:,}")
        if self.unknown_share:
            lines.append(f"  unknown-location share: {self.unknown_share:.6g} records")
        for path, line, fld, msg in self.malformed[:5]:
            where = ":".join(str(x) for x in (path, line) if x is not None)
            lines.append(f"  malformed at {where}" + (f" ({fld})" if fld else "") + f": {msg}")
        if self.unmatched is not None and self.unmatched.n_unmatched:
            lines.extend("  " + s for s in str(self.unmatched).splitlines())
        for key, value in sorted(self.notes.items()):
            lines.append(f"  {key}: {value:,}" if isinstance(value, int) else f"  {key}: {value}")
        if self.licence:
            lines.append(f"  licence: {self.licence}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"<ReadReport {self.source}: {self.records_read} read, {self.records_used} "
                f"used, skipped {dict(self.skipped)}>")


class _Policy:
    """The errors= policy: raise a located DataFormatError, or count and continue."""

    def __init__(self, func, errors, report):
        if errors not in ("raise", "skip"):
            raise ParameterError(f"{func}: errors must be one of 'raise', 'skip'; got {errors!r}")
        self.raise_ = errors == "raise"
        self.report = report

    def bad(self, message, path=None, line=None, field=None, n=1):
        """A malformed record: raise, or count it (``n`` records) and keep an example."""
        if self.raise_:
            raise DataFormatError(message, path=None if path is None else str(path),
                                  line=line, field=field)
        self.report.skip(SKIP_MALFORMED, n)
        if len(self.report.malformed) < _MAX_EXAMPLES:
            self.report.malformed.append(
                (None if path is None else str(path), line, field, message))


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
            cats = tuple(sorted({c for c in category if c}))
            cidx = {c: i for i, c in enumerate(cats)}
            cat = np.asarray([cidx.get(c, -1) for c in category], dtype=np.int16)
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

        Each in-corpus citation adds, for every region r of the citing record and j of
        the cited record, ``a_r * b_j`` (fractional: the records' region shares from the
        contribution weights) or 1 (full: every region pair of the two records).

        Parameters
        ----------
        contributions : Contributions
            The records of the corpus (record labels are document ids).
        counting : {"fractional", "full"}

        Returns
        -------
        RegionFlows
            Channel ``"citation"``; ``presence[r, j]`` = citations from r to j
            (knowledge flows j → r). Co-presence and sizes are zero / unknown.
        """
        import scipy.sparse as sp

        from ..flows import PRESENCE_CONVENTION, RegionFlows, _region_axis

        if counting not in ("fractional", "full"):
            raise ParameterError(f"Citations.region_flows: counting must be one of "
                                 f"'fractional', 'full'; got {counting!r}")
        c = contributions
        rec_labels = np.asarray(c.labels["record"], dtype=object)
        # position of every citation label among the record labels (-1 outside)
        pos = {s: i for i, s in enumerate(rec_labels.tolist())}
        lab_to_rec = np.asarray([pos.get(s, -1) for s in self.labels], dtype=np.int64)
        a = lab_to_rec[self.citing]
        b = lab_to_rec[self.cited]
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
        _, ctry, par, region_map = _region_axis("Citations.region_flows", c.labels["region"],
                                                None)
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


@dataclass(frozen=True, eq=False)
class ReadResult:
    """What every reader returns.

    Attributes
    ----------
    contributions : Contributions
        One row per (record, actor, location): papers/patents (channels ``academic``
        or ``enterprise``), units abroad (lineage presence) and talent moves (channel
        ``talent``). ``weight`` is the row's fractional share of its record.
    citations : Citations or None
        The ``citing → cited`` layer, kept apart from presence.
    moves : pandas.DataFrame or None
        Talent moves (person, origin, destination, year, weight, source), also present
        in ``contributions`` as channel ``talent``.
    report : ReadReport
        Records read, used, skipped by reason, unmatched locations, licence.
    """

    contributions: Contributions
    citations: Citations | None
    moves: object
    report: ReadReport

    def __repr__(self):
        cit = "none" if self.citations is None else f"{len(self.citations)} links"
        mv = "none" if self.moves is None else f"{len(self.moves)} moves"
        return (f"<ReadResult {self.report.source}: {self.contributions!r}; citations {cit}; "
                f"{mv}; {self.report.records_skipped} records skipped>")


# --------------------------------------------------------------------------- assembly


def sorted_vocabulary(labels):
    """(sorted labels tuple, permutation old code → new code) of a label sequence."""
    labels = list(labels)
    if not labels:
        return (), np.zeros(0, dtype=np.intp)
    arr = np.asarray(labels, dtype=object)
    order = np.argsort(arr, kind="stable")
    perm = np.empty(len(labels), dtype=np.intp)
    perm[order] = np.arange(len(labels), dtype=np.intp)
    return tuple(arr[order].tolist()), perm


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
    # peak (every output + the permutation + the last source) meets only small ones
    dtypes = {"weight": np.float64, "record": np.intp, "actor": np.intp, "org": np.intp,
              "region": np.intp, "year": np.int32, "role": np.intp, "channel": np.intp,
              "lead": bool}
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
    """The region map to use: ``regions`` checked, or ``countries()``."""
    if regions is None:
        from ..regions import countries

        return countries()
    if not (hasattr(regions, "resolve") and hasattr(regions, "regions")):
        raise InputTypeError(f"{func}: regions must be a RegionMap (e.g. "
                             f"ecosystem.regions.metro_areas()); got {type(regions).__name__}")
    return regions


def resolve_locations(regions, country, admin1=None, city=None, county=None):
    """Region id of each location (-1 unmatched) and the map's ResolveReport."""
    codes, rep = regions.resolve(country, admin1=admin1, city=city, county=county,
                                 unmatched="rest")
    return np.asarray(codes, dtype=np.int64), rep


def region_labels(regions):
    return tuple(regions.regions)


# --------------------------------------------------------------------------- progress


class _Progress:
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


# --------------------------------------------------------------------------- files


def as_path_list(func, value, name, patterns):
    """Expand a file, folder (recursive; files matching ``patterns``) or list of them."""
    if isinstance(value, (str, os.PathLike)):
        items = [value]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise InputTypeError(f"{func}: {name} must be a path, a folder or a list of paths; "
                             f"got {type(value).__name__}")
    out = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise InputTypeError(f"{func}: {name} must hold paths; got {type(item).__name__}")
        p = Path(item)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file()
                           and any(q.name.endswith(s) for s in patterns))
            if not found:
                raise ParameterError(f"{func}: {name} folder {str(p)!r} holds no file ending in "
                                     f"{', '.join(patterns)}")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise ParameterError(f"{func}: {name} file {str(p)!r} does not exist")
    return out


def is_gzip(path):
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def iter_line_blocks(path, policy, progress=None, offset=0, block=_BLOCK):
    """Yield ``(first_line_number, bytes)`` blocks of whole lines of a plain or gzip file.

    A UTF-8 BOM at the start is removed. A truncated or corrupt gzip stream ends the
    file with a located error (raised, or counted under ``errors="skip"``); the lines
    before it are still yielded. ``progress.update`` receives ``offset`` + compressed
    bytes consumed.
    """
    raw = open(path, "rb")
    try:
        gz = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream = _GzipFile(fileobj=raw, mode="rb") if gz else raw
        line_no = 1
        rest = b""
        first = True
        while True:
            try:
                chunk = stream.read(block)
            except (EOFError, OSError, zlib.error, ValueError) as exc:
                kind = "truncated" if isinstance(exc, EOFError) else "corrupt"
                # hand over the complete lines before the damage
                if rest:
                    cut = rest.rfind(b"\n")
                    if cut >= 0:
                        yield line_no, rest[:cut + 1]
                        line_no += rest.count(b"\n", 0, cut + 1)
                policy.bad(f"{kind} gzip stream ({exc}); the rest of the file is unreadable",
                           path=path, line=line_no)
                return
            if first:
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                first = False
            if not chunk:
                if rest.strip():
                    yield line_no, rest
                break
            buf = rest + chunk if rest else chunk
            cut = buf.rfind(b"\n")
            if cut < 0:
                rest = buf
                continue
            out, rest = buf[:cut + 1], buf[cut + 1:]
            yield line_no, out
            line_no += out.count(b"\n")
            if progress is not None:
                progress.update(offset + raw.tell())
    finally:
        raw.close()


# --------------------------------------------------------------------------- tables


def open_text(path):
    """Text handle of a plain, gzip or zip (single member) file; BOM-aware UTF-8."""
    path = Path(path)
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic[:2] == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    if magic == b"PK\x03\x04":
        import zipfile

        zf = zipfile.ZipFile(path)
        members = [n for n in zf.namelist() if not n.endswith("/")]
        if len(members) != 1:
            raise DataFormatError(f"zip archive must hold exactly one file; it holds "
                                  f"{len(members)}", path=str(path))
        return io.TextIOWrapper(zf.open(members[0]), encoding="utf-8-sig", newline="")
    if magic[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return open(path, encoding="utf-16", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def normalise_header(name):
    return str(name).strip().strip('"').strip().lstrip("\ufeff").lower()


def read_table(path, *, sep, required, optional=(), policy, chunksize=1_000_000,
               quoting=csv.QUOTE_MINIMAL, lower=True):
    """Yield ``(first_line, DataFrame)`` chunks of a delimited file as strings.

    Headers are normalised (quotes, BOM and surrounding spaces removed; lower-cased when
    ``lower``); only the ``required`` and ``optional`` columns present are kept, as
    ``str`` with missing values as ``""``. A missing required column raises a
    DataFormatError naming it (line 1). Rows with the wrong number of fields raise
    (``errors="raise"``) or are counted (``"skip"``) with their line numbers.
    """
    import pandas as pd

    with open_text(path) as fh:
        header_line = fh.readline()
    if not header_line.strip():
        raise DataFormatError("empty file: no header row", path=str(path), line=1)
    header = next(csv.reader([header_line.rstrip("\r\n")], delimiter=sep,
                             quoting=quoting if quoting != csv.QUOTE_NONE else csv.QUOTE_NONE))
    names = [normalise_header(h) if lower else str(h).strip().strip('"').lstrip("\ufeff")
             for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise DataFormatError(f"missing required column {missing[0]!r}; the header has "
                              f"{names}", path=str(path), line=1, field=missing[0])
    wanted = [c for c in list(required) + list(optional) if c in names]
    positions = [names.index(c) for c in wanted]
    bad_lines = []

    def on_bad(line):  # python engine: called with the split fields
        bad_lines.append(line)
        return None

    with open_text(path) as fh:
        fh.readline()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                # no usecols: with it pandas silently cuts rows with too many fields
                reader = pd.read_csv(
                    fh, sep=sep, header=None, names=list(range(len(names))),
                    dtype=str, keep_default_na=False, na_filter=False, quoting=quoting,
                    chunksize=chunksize, engine="c", on_bad_lines="warn",
                    skip_blank_lines=True)
                start = 2
                for chunk in reader:
                    for w in caught:
                        _bad_line_warning(w, policy, path)
                    caught.clear()
                    chunk = chunk[positions]
                    chunk.columns = wanted
                    yield start, chunk
                    start += len(chunk)
                for w in caught:
                    _bad_line_warning(w, policy, path)
            except pd.errors.ParserError as exc:
                line = _line_from_message(str(exc))
                policy.bad(f"unreadable delimited text: {exc}", path=path,
                           line=None if line is None else line + 1)
            except UnicodeDecodeError as exc:
                policy.bad(f"not UTF-8 text: {exc}", path=path)


_LINE_RE = re.compile(r"[Ll]ine (\d+)")


def _line_from_message(text):
    m = _LINE_RE.search(text)
    return int(m.group(1)) if m else None


def _bad_line_warning(w, policy, path):
    text = str(w.message)
    if "Skipping line" not in text and "Expected" not in text:
        return
    for part in text.strip().splitlines():
        m = re.search(r"Skipping line (\d+): (.*)", part)
        if m:
            # pandas counts lines from the first line it read (after our header): +1
            policy.bad(m.group(2).strip(), path=path, line=int(m.group(1)) + 1)


def parse_int(value, *, path, line, field, policy, allow_empty=True):
    """int(value) or None for an empty string; malformed values go to the policy."""
    if value == "" or value is None:
        if allow_empty:
            return None
        policy.bad("empty value where an integer is required", path=path, line=line,
                   field=field)
        return False
    try:
        return int(value)
    except ValueError:
        try:
            f = float(value)
            if f == int(f):
                return int(f)
        except (ValueError, OverflowError):
            pass
    policy.bad(f"{value!r} is not an integer", path=path, line=line, field=field)
    return False


def parse_float(value, *, path, line, field, policy, allow_empty=True):
    if value == "" or value is None:
        return None if allow_empty else False
    try:
        f = float(value)
    except ValueError:
        f = float("nan")
    if not np.isfinite(f) or f < 0:
        policy.bad(f"{value!r} is not a non-negative number", path=path, line=line,
                   field=field)
        return False
    return f


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
    report.drop("no country", int(no_country.sum()))
    report.drop("unmatched region", int((~ok & ~no_country).sum()))
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


def int_column(chunk, col, start, path, policy, *, allow_empty=True):
    """Integer values of a string column (NaN where empty); bad cells go to the policy.

    Returns (values as float64 with NaN for empty, mask of rows to keep).
    """
    import pandas as pd

    raw = chunk[col]
    vals = pd.to_numeric(raw.where(raw != "", None), errors="coerce").to_numpy(dtype=np.float64)
    empty = (raw == "").to_numpy()
    bad = (np.isnan(vals) & ~empty) | (~np.isnan(vals) & (vals != np.round(vals)))
    if not allow_empty:
        bad |= empty
    keep = ~bad
    for i in np.flatnonzero(bad)[:50 if not policy.raise_ else 1]:
        policy.bad(f"{raw.iloc[i]!r} is not an integer", path=path, line=_line_at(start, i),
                   field=col)
    extra = int(bad.sum()) - min(int(bad.sum()), 50)
    if extra > 0:
        policy.report.skip(SKIP_MALFORMED, extra)
    return vals, keep


def _line_at(start, i):
    """Line of row i: ``start + i`` for an int start, else ``start[i]`` (line numbers)."""
    if isinstance(start, (int, np.integer)):
        return int(start) + int(i)
    return int(start[i])


def float_column(chunk, col, start, path, policy):
    """Non-negative float values of a string column (NaN where empty)."""
    import pandas as pd

    raw = chunk[col]
    vals = pd.to_numeric(raw.where(raw != "", None), errors="coerce").to_numpy(dtype=np.float64)
    empty = (raw == "").to_numpy()
    bad = (np.isnan(vals) & ~empty) | (vals < 0) | np.isinf(vals)
    for i in np.flatnonzero(bad)[:50 if not policy.raise_ else 1]:
        policy.bad(f"{raw.iloc[i]!r} is not a non-negative number", path=path,
                   line=_line_at(start, i), field=col)
    extra = int(bad.sum()) - min(int(bad.sum()), 50)
    if extra > 0:
        policy.report.skip(SKIP_MALFORMED, extra)
    return vals, ~bad


def find_file(folder, stem, func, required=True, suffixes=(".tsv", ".tsv.zip", ".txt", ".csv",
                                                          ".tsv.gz", ".zip", ".txt.gz")):
    """The file of a table in a folder: ``stem`` + one of the suffixes (case-insensitive)."""
    folder = Path(folder)
    cands = sorted(p for p in folder.iterdir() if p.is_file()
                   and any(p.name.lower() == (stem + s).lower() for s in suffixes))
    if not cands and required:
        raise ParameterError(f"{func}: no {stem} table ({'/'.join(stem + s for s in suffixes[:3])}, "
                             f"...) in {str(folder)!r}")
    return cands[0] if cands else None


def read_whole_table(path, *, sep, required, optional, policy, report):
    """Read a delimited table whole, with a ``_line`` column of source line numbers.

    Parameters
    ----------
    path : path
        The file (plain or compressed).
    sep : str
        Field delimiter.
    required, optional : sequence of str
        Columns that must exist and columns read when present.
    policy : _Policy
        The reader's error policy.
    report : ReadReport
        Receives the file name (and, through ``read_table``, malformed lines).

    Returns
    -------
    pandas.DataFrame
        The columns read plus ``_line``; empty (with the required columns) for an empty
        file.
    """
    import pandas as pd

    report.files.append(str(path))
    parts = []
    for start, chunk in read_table(path, sep=sep, required=required, optional=optional,
                                   policy=policy):
        chunk = chunk.copy()
        chunk["_line"] = np.arange(start, start + len(chunk))
        parts.append(chunk)
    if not parts:
        return pd.DataFrame({c: [] for c in list(required) + ["_line"]}, dtype=object)
    return pd.concat(parts, ignore_index=True)

