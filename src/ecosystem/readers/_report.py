"""What a reader did with its input: the report, the errors= policy and the result.

* :class:`ReadReport` — what was read, used, skipped (by reason) and dropped, with the
  located examples of malformed input, the data source and its licence line, and the
  region map's report of unmatched locations;
* :class:`Policy` — the ``errors="raise"|"skip"`` policy: raise a located
  :class:`~ecosystem.exceptions.DataFormatError` or count the record and go on;
* :class:`ReadResult` — what every reader returns.

Counting rule (every reader): ``records_read == records_used + records_skipped``. A
record met in the input is either used (it has a contribution in the result) or skipped
for one reason. Malformed input that never became a record (a line of a table that
cannot be parsed, a line that is not UTF-8 outside any record, a damaged compressed
stream) is counted once as a record read and skipped as ``"malformed"``, with its
location in :attr:`ReadReport.malformed`.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field

from ..contributions import Contributions
from ..exceptions import DataFormatError, ParameterError

__all__ = ["ReadReport", "ReadResult", "Policy", "stop_if_malformed"]

#: Reasons a whole record is skipped (keys of ``ReadReport.skipped``).
SKIP_MALFORMED = "malformed"
SKIP_NO_COUNTRY = "no country"
SKIP_HYPER = "hyper-authored"
SKIP_MERGED = "merged id"
SKIP_DUPLICATE = "duplicate id"
SKIP_NO_ACTORS = "no actors"
SKIP_TYPE = "excluded type"

#: Reasons a contribution (row) of a used record is dropped (keys of ``ReadReport.dropped``).
DROP_NO_COUNTRY = "no country"
DROP_UNMATCHED = "unmatched region"
DROP_NO_ACTOR = "no actor id"
DROP_DUPLICATE = "duplicate row"

MAX_EXAMPLES = 20

#: The ``n`` of :func:`stop_if_malformed` in force (0: read on whatever the input holds).
_STOP_AFTER = contextvars.ContextVar("ecosystem_stop_if_malformed", default=0)


@contextlib.contextmanager
def stop_if_malformed(n=1000):
    """Stop a read under ``errors="skip"`` when the input is malformed from its start.

    Inside the ``with`` block, a reader that meets ``n`` malformed records before any
    well-formed one raises a located :class:`~ecosystem.exceptions.DataFormatError`
    instead of skipping on through the whole input: a file in another format, or damaged
    throughout, is reported at once with its first example. "Before any well-formed
    one" means the ``n`` malformed records open their file: they start at its first
    record (after a header line) and fill at least 99 % of the lines up to the ``n``-th.
    Input damaged in places is skipped and counted as usual. The ``ecosystem`` command
    line reads inside ``stop_if_malformed(1000)`` (option ``--stop-after-malformed``).

    Parameters
    ----------
    n : int, default 1000
        Malformed records at the start of the input that stop the read (0: never stop).

    Yields
    ------
    None
        The rule holds for the reads inside the ``with`` block (in this thread or task).

    Examples
    --------
    >>> import ecosystem as eco
    >>> with eco.readers.stop_if_malformed(1000):
    ...     res = eco.read_records("records.csv", errors="skip")  # doctest: +SKIP
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ParameterError(f"stop_if_malformed: n must be an integer >= 0; got {n!r}")
    token = _STOP_AFTER.set(n)
    try:
        yield
    finally:
        _STOP_AFTER.reset(token)


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
        skipped ones; malformed input that never became a record (a bad line of a
        table, a damaged stream) counts once. Always ``records_used +
        records_skipped``.
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
        ``"no actor id"``, ``"duplicate row"`` (a row repeating an earlier one).
    unknown_share : float
        Sum over records of the fractional share (1/n per contributor) whose location is
        unknown or unmatched: the "unknown" bucket of fractional counting.
    malformed : list of tuple
        Up to 20 examples ``(path, line, field, message)`` of malformed input (``line``
        is the physical line, from 1); :meth:`examples` formats them.
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

    def add(self, other, *, shared_notes=()):
        """Add the report of another part of the same read (a file, a partition).

        Files not listed yet are appended in order; record counts, skips, drops and the
        unknown share are added; malformed examples are appended up to 20 in all;
        numeric notes are added and other notes kept from the first part that has them,
        except those named in ``shared_notes`` (facts about an input every part reads,
        such as ``"institutions read"``), taken from ``other``; the region map's reports
        (:attr:`unmatched`) are summed.

        Parameters
        ----------
        other : ReadReport
            The part's report (left unchanged).
        shared_notes : collection of str, optional
            Notes that are not per part.

        Returns
        -------
        ReadReport
            This report.
        """
        self.files.extend(f for f in other.files if f not in self.files)
        self.records_read += other.records_read
        self.records_used += other.records_used
        for k, v in other.skipped.items():
            self.skip(k, v)
        for k, v in other.dropped.items():
            self.drop(k, v)
        self.unknown_share += other.unknown_share
        self.malformed.extend(other.malformed[:max(0, MAX_EXAMPLES - len(self.malformed))])
        for k, v in other.notes.items():
            if k in shared_notes:
                self.notes[k] = v
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                self.note(k, v)
            else:
                self.notes.setdefault(k, v)
        if other.unmatched is not None:
            self.unmatched = (other.unmatched if self.unmatched is None
                              else _sum_resolve(self.unmatched, other.unmatched))
        return self

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

    def examples(self, n=5):
        """The first located examples of malformed input, one line of text each.

        Parameters
        ----------
        n : int, default 5
            How many (at most; :attr:`malformed` keeps up to 20).

        Returns
        -------
        list of str
            ``"file:line (field): reason"`` for each example.

        Examples
        --------
        >>> r = ReadReport("demo")
        >>> r.malformed.append(("w.csv", 7, "year", "'20x1' is not a year"))
        >>> r.examples()
        ["w.csv:7 (year): '20x1' is not a year"]
        """
        out = []
        for path, line, fld, msg in self.malformed[:n]:
            where = ":".join(str(x) for x in (path, line) if x is not None)
            out.append(f"{where}" + (f" ({fld})" if fld else "") + f": {msg}")
        return out

    def __str__(self):
        lines = [f"{self.source}: {self.records_read:,} records read, "
                 f"{self.records_used:,} used, {self.records_skipped:,} skipped"]
        for reason, n in sorted(self.skipped.items()):
            lines.append(f"  skipped ({reason}): {n:,}")
        for reason, n in sorted(self.dropped.items()):
            lines.append(f"  contributions dropped ({reason}): {n:,}")
        if self.unknown_share:
            lines.append(f"  unknown-location share: {self.unknown_share:.6g} records")
        lines.extend(f"  malformed at {e}" for e in self.examples(5))
        if self.unmatched is not None and self.unmatched.n_unmatched:
            lines.extend("  " + s for s in str(self.unmatched).splitlines())
        for key, value in sorted(self.notes.items()):
            lines.append(f"  {key}: {value:,}" if isinstance(value, int) else f"  {key}: {value}")
        if self.licence:
            lines.append(f"  licence: {self.licence}")
        return "\n".join(lines)

    def _repr_html_(self):
        import html

        return f"<pre>{html.escape(str(self))}</pre>"

    def __repr__(self):
        return (f"<ReadReport {self.source}: {self.records_read} read, {self.records_used} "
                f"used, skipped {dict(self.skipped)}>")


class Policy:
    """The errors= policy: raise a located DataFormatError, or count and continue.

    Parameters
    ----------
    func : str
        Name of the reader (for the message of a bad ``errors`` value).
    errors : {"raise", "skip"}
        The policy.
    report : ReadReport
        Receives the counts and examples under ``"skip"``.
    """

    def __init__(self, func, errors, report):
        if errors not in ("raise", "skip"):
            raise ParameterError(f"{func}: errors must be one of 'raise', 'skip'; got {errors!r}")
        self.raise_ = errors == "raise"
        self.report = report
        self.damaged = set()   # files whose stream ended in damage (str paths)
        self.stop_after = _STOP_AFTER.get()
        self._opening = None   # [path, first line, records] of the malformed opening run

    def bad(self, message, path=None, line=None, field=None, n=1, unit=False, last_line=None):
        """A malformed record: raise, or count it (``n`` records) and keep an example.

        Parameters
        ----------
        message : str
            What is wrong.
        path, line, field : optional
            Where (file, physical line from 1, field name).
        n : int, default 1
            Records concerned.
        unit : bool, default False
            True when the malformed input was not counted in ``records_read`` yet (a bad
            line of a table, a damaged stream): it is counted there too, so that
            ``records_read == records_used + records_skipped``.
        last_line : int, optional
            Physical line of the last of ``n`` records counted together (the example is
            then unlocated); it tells :func:`stop_if_malformed` how far they reach.
        """
        if self.raise_:
            raise DataFormatError(message, path=None if path is None else str(path),
                                  line=line, field=field)
        self.report.skip(SKIP_MALFORMED, n)
        if unit:
            self.report.records_read += n
        if len(self.report.malformed) < MAX_EXAMPLES:
            self.report.malformed.append(
                (None if path is None else str(path), line, field, message))
        if self.stop_after:
            self._opening_run(path, line, last_line or line, field, n)

    def _opening_run(self, path, line, last, field, n):
        """Raise when the first ``stop_after`` records of a file are all malformed."""
        run = self._opening
        if run is None:
            if line is None or line > 2:   # not at the start of its file (after a header)
                self.stop_after = 0
                return
            run = self._opening = [path, line, 0]
        run[2] += n
        line = last
        if path != run[0] or line is None or line - run[1] + 1 > run[2] * 1.01 + 2:
            self.stop_after = 0            # good records came between: damaged in places
            return
        if run[2] >= self.stop_after:
            raise DataFormatError(
                f"the first {run[2]:,} records (lines {run[1]:,}-{line:,}) are all "
                f"malformed, so the read stopped (is this the right format?); the first: "
                f"{self.report.examples(1)[0]}", path=None if path is None else str(path),
                line=line, field=field)


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
    citations: object
    moves: object
    report: ReadReport

    def __repr__(self):
        cit = "none" if self.citations is None else f"{len(self.citations)} links"
        mv = "none" if self.moves is None else f"{len(self.moves)} moves"
        return (f"<ReadResult {self.report.source}: {self.contributions!r}; citations {cit}; "
                f"{mv}; {self.report.records_skipped} records skipped>")


def _sum_resolve(a, b):
    """Two region-map reports (``ResolveReport``) on parts of one read, added up: counts
    summed (a location met in both parts counts twice), up to 10 examples a reason."""
    from dataclasses import replace

    by_reason = dict(a.by_reason)
    for k, v in b.by_reason.items():
        by_reason[k] = by_reason.get(k, 0) + v
    examples = {k: tuple(v) for k, v in a.examples.items()}
    for k, ex in b.examples.items():
        examples[k] = (examples.get(k, ()) + tuple(ex))[:10]
    counts = {k: getattr(a, k) + getattr(b, k) for k in (
        "n_input", "n_matched", "n_unmatched", "n_rest", "n_located", "n_placed", "n_alias")}
    return replace(a, by_reason=by_reason, examples=examples,
                   unplaced=(tuple(a.unplaced) + tuple(b.unplaced))[:10], **counts)
