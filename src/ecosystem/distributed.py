r"""Scale-out on Dask: snapshot partitions read on workers, flows and bootstrap summed.

A full OpenAlex snapshot (hundreds of millions of works) does not fit one machine. The
record-level steps run on a Dask cluster instead:

1. every partition (file) of the snapshot is read on a worker by the ordinary reader,
   into Contributions of that partition;
2. each partition is reduced to region flows by the compiled region-flows kernel
   (:func:`ecosystem.region_flows`) and, for :func:`ecosystem.classify`, to the
   per-cell totals of the record bootstrap
   (:func:`ecosystem.uncertainty.bootstrap_cell_sums`);
3. the partials are added in a fixed order (a binary tree over the partitions in file
   order), so the result does not depend on which worker ran what, or when.

Nothing record-level leaves a worker: partials are R x R per channel (flows) and
(1 + B) x cells (bootstrap), whatever the partition size. Region codes are those of the
:class:`~ecosystem.regions.RegionMap`, identical on every worker (checked when adding);
record, actor and organisation codes are per partition and never leave it. Bootstrap
weights are Poisson(1) draws keyed by a hash of (unit label, replicate, seed) — the unit
being classify's default design, the lead actor (its label, not a per-partition code)
where actors exist, else the record — so the replicates summed over partitions are
those of the in-memory run: with full counting every total is an integer and the
classification is bit-identical; with fractional counting the totals agree to rounding
(about 1e-15 relative).

Records that only exist for the snapshot as a whole are rebuilt from every partition:
OpenAlex *units abroad* (records ``unit:I…``, see :func:`ecosystem.read_openalex`) are
taken out of each partition and merged (union of the unit's regions, first year over
every partition).

Not distributed: citations and talent moves (they link records of different
partitions; read them in memory, or from the authors file on one machine). A work
present in two partitions is counted twice (the in-memory reader keeps the first);
OpenAlex snapshot partitions do not overlap.

Needs the optional extra ``dask`` (``pip install 'ecosystem[dask]'``).
"""

from __future__ import annotations

import bisect
import os
import sys
import uuid
from dataclasses import dataclass, field

import numpy as np

from .exceptions import (
    DataFormatError,
    EcosystemError,
    InputTypeError,
    OptionalDependencyError,
    ParameterError,
)

__all__ = ["DistributedRead", "read_partitions", "connect", "check_workers"]

#: Label prefixes of records that a reader builds from the whole input (not per partition).
_GLOBAL_RECORDS = {"read_openalex": "unit:"}
_FIELDS = ("record", "actor", "org", "region", "role", "channel", "year", "lead", "weight")
_COUNTINGS = ("full", "fractional")
#: Report notes about inputs every partition reads (kept once, not added up).
_SHARED_NOTES = frozenset({"institutions read"})
#: Notes whose per-partition counts overlap: added up under a name that says so.
_PER_PARTITION_NOTES = {"units abroad: parent location unknown":
                        "units abroad: parent location unknown (summed over partitions)"}


def _require(func):
    """Import dask.distributed or raise a clear error naming the extra."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise OptionalDependencyError("distributed", extra="dask",
                                      purpose=f"{func} on a Dask cluster") from None
    import distributed as dd

    return dd


def connect(scheduler):
    """A Dask client for a scheduler address or a local cluster ``"local:N"``.

    Parameters
    ----------
    scheduler : str
        ``"local:N"``: start a local cluster of N single-threaded worker processes (closed
        with the client); anything else: the address of a running scheduler, e.g.
        ``"tcp://10.0.0.1:8786"``.

    Returns
    -------
    distributed.Client
        Close it (or use it as a context manager) when done.

    Raises
    ------
    ParameterError
        A malformed ``local:N``.
    OptionalDependencyError
        dask/distributed not installed (extra ``dask``).

    Examples
    --------
    >>> from ecosystem.distributed import connect
    >>> with connect("local:2") as client:             # doctest: +SKIP
    ...     res = eco.read_openalex("snapshot/data/works", client=client)
    """
    func = "connect"
    if not isinstance(scheduler, str) or not scheduler:
        raise InputTypeError(f"{func}: scheduler must be 'local:N' or a scheduler address; "
                             f"got {scheduler!r}")
    dd = _require(func)
    if scheduler.startswith("local"):
        _, _, n = scheduler.partition(":")
        try:
            n_workers = int(n) if n else 1
        except ValueError:
            n_workers = 0
        if n_workers < 1:
            raise ParameterError(f"{func}: scheduler must be 'local:N' with N >= 1 workers, or a "
                                 f"scheduler address; got {scheduler!r}")
        return dd.Client(n_workers=n_workers, threads_per_worker=1, processes=True,
                         dashboard_address=":0")
    return dd.Client(scheduler)


#: Run on every worker by :func:`check_workers` (a string, so that nothing of ecosystem
#: has to be unpickled there): the version of the ecosystem the worker imports, with its
#: compiled core.
_PROBE = "__import__('importlib').import_module('ecosystem._core') and __import__('ecosystem').__version__"


def check_workers(client, func="check_workers"):
    """Check that every worker imports this version of ecosystem, compiled core included.

    A worker that cannot import ecosystem fails to unpickle its first task and dies, and
    Dask may then wait for it for ever (seen with a worker whose ``sys.path`` led to an
    unbuilt source tree). This check, made before any task is sent, turns that into an
    error that says what to install.

    Parameters
    ----------
    client : distributed.Client
        The client of the cluster.
    func : str
        Caller name for messages.

    Returns
    -------
    dict
        Worker address -> ecosystem version (all equal to ``ecosystem.__version__``).

    Raises
    ------
    EcosystemError
        A worker cannot import ecosystem or its compiled core, or has another version.

    Examples
    --------
    >>> from ecosystem.distributed import check_workers, connect
    >>> with connect("local:2") as client:             # doctest: +SKIP
    ...     check_workers(client)
    {'tcp://127.0.0.1:40213': '0.1.0', 'tcp://127.0.0.1:36021': '0.1.0'}
    """
    from ._version import __version__

    try:
        found = client.run(eval, _PROBE)
    except Exception as exc:  # the worker's own error: ImportError, ModuleNotFoundError, ...
        text = " ".join(str(exc).split())[:300]
        raise EcosystemError(
            f"{func}: ecosystem cannot be imported on the Dask workers ({type(exc).__name__}: "
            f"{text}); install ecosystem {__version__} with its compiled core in the workers' "
            "environment (pip install ., not a source tree on sys.path)") from None
    other = {w: v for w, v in found.items() if v != __version__}
    if other:
        raise EcosystemError(f"{func}: the Dask workers run other versions of ecosystem "
                             f"({sorted(set(other.values()))}, here {__version__}); install "
                             "the same version everywhere")
    return found


# ============================================================================ worker side
@dataclass
class _Part:
    """One partition read on a worker (stays there; only summaries travel)."""

    path: str
    contributions: object = None       # Contributions without the whole-input records
    report: object = None
    channels: tuple = ()
    global_rows: object = None         # pandas.DataFrame of whole-input records
    org_first_year: dict = field(default_factory=dict)
    failure: tuple | None = None       # (message, path, line, field) of a parse error


def _subset(c, mask, **replace):
    from .contributions import Contributions

    fields = {name: getattr(c, name)[mask] for name in _FIELDS}
    labels = dict(c.labels)
    if "channel_labels" in replace:
        labels["channel"] = tuple(replace.pop("channel_labels"))
    fields.update(replace)
    return Contributions(labels=labels, region_map=c.region_map, info=dict(c.info), **fields)


def _read_part(reader, path, kwargs):
    """Read one partition; a parse error is returned (it would fail again if retried)."""
    try:
        res = _named(path, reader, path, **kwargs)
    except EcosystemError as exc:
        where = getattr(exc, "path", None)
        return _Part(path=path, failure=(str(exc), where or path, getattr(exc, "line", None),
                                         getattr(exc, "field", None)))
    c = res.contributions
    part = _Part(path=path, report=res.report, channels=tuple(c.channels))
    prefix = _GLOBAL_RECORDS.get(getattr(reader, "__name__", ""))
    if prefix is None or len(c) == 0:
        part.contributions = c
        return part
    labels = c.labels["record"]
    # vocabularies are sorted, so the prefixed labels are one run of codes
    lo = bisect.bisect_left(labels, prefix)
    hi = bisect.bisect_left(labels, prefix[:-1] + chr(ord(prefix[-1]) + 1))
    if not all(labels[i].startswith(prefix) for i in (lo, hi - 1) if lo <= i < hi):
        raise AssertionError("record vocabulary is not sorted")  # pragma: no cover
    glob = (c.record >= lo) & (c.record < hi)
    part.contributions = _subset(c, ~glob)
    part.global_rows = _subset(c, glob).to_pandas()
    # first known year of every organisation in the partition (units abroad are dated
    # by the first year their institution appears in the works)
    rest = part.contributions
    ok = (rest.org >= 0) & (rest.year >= 0)
    if ok.any():
        big = np.iinfo(np.int64).max
        first = np.full(len(rest.labels["org"]), big, dtype=np.int64)
        np.minimum.at(first, rest.org[ok], rest.year[ok].astype(np.int64))
        has = np.flatnonzero(first < big)
        orgs = rest.labels["org"]
        part.org_first_year = {orgs[i]: int(first[i]) for i in has.tolist()}
    return part


def _summary(part):
    """What the client needs of a partition: report, channels, whole-input records."""
    if part.failure is not None:
        return {"path": part.path, "failure": part.failure}
    return {"path": part.path, "failure": None, "report": part.report,
            "channels": part.channels, "n_contributions": len(part.contributions)}


def _flows_partial(c, window=None):
    """Region flows of some contributions per counting and channel label (a partial)."""
    from .flows import region_flows

    out = {"regions": tuple(c.labels["region"]), "flows": {}, "records": {}, "actors": {}}
    for counting in _COUNTINGS:
        f = region_flows(c, counting=counting, window=window, n_jobs=1)
        out["countries"], out["parents"] = tuple(f.countries), tuple(f.parents)
        out["flows"][counting] = {ch: [f.presence[k], f.copresence[k], f.internal[k], f.size[k]]
                                  for k, ch in enumerate(f.channels)}
    # records per channel (for provenance) and contributions with an actor (classify's
    # default bootstrap design clusters by the lead actor where actors exist)
    sel = c.select(window=window) if window is not None else c
    starts = sel.group_ptr[:-1]
    has_actor = np.asarray(sel.actor) >= 0
    out["contributions"] = {}
    for k, ch in enumerate(sel.channels):
        out["records"][ch] = int(np.count_nonzero(sel.channel[starts] == k))
        out["contributions"][ch] = int(np.count_nonzero(sel.channel == k))
        out["actors"][ch] = int(np.count_nonzero(has_actor & (sel.channel == k)))
    return out


def _named(_where, _fn, *args, **kwargs):
    """Run a task step; an unexpected error names the partition (and is retried)."""
    try:
        return _fn(*args, **kwargs)
    except EcosystemError:
        raise
    except Exception as exc:
        raise RuntimeError(f"partition {_where!r}: {type(exc).__name__}: {exc}") from exc


def _part_flows(part, window=None):
    if part.failure is not None:
        return None
    out = _named(part.path, _flows_partial, part.contributions, window)
    if window is None:   # the first pass also gathers the whole-input records
        out["global_rows"] = part.global_rows
        out["org_first_year"] = part.org_first_year
    return out


def _recode(c, channels):
    """Rows of ``channels`` (sorted, as the vocabulary) recoded to that channel vocabulary."""
    have = [ch for ch in channels if ch in c.channels]
    keep = np.isin(c.channel, [c.channels.index(ch) for ch in have])
    lut = np.full(max(len(c.channels), 1), -1, dtype=np.intp)
    for ch in have:
        lut[c.channels.index(ch)] = channels.index(ch)
    return _subset(c, keep, channel=lut[c.channel[keep]], channel_labels=channels)


def _cell_sums(c, design, window, opts):
    from .uncertainty import bootstrap_cell_sums

    if window is not None:
        c = c.select(window=window)
    c = _recode(c, design["channels"])
    units = {}
    sums = bootstrap_cell_sums(c, design, counting=opts["counting"], cluster=opts["cluster"],
                               seed=opts["seed"], replicates=opts["replicates"], n_jobs=1,
                               units=units)
    return {"sums": sums, "n_units": units["n_units"], "unit_cells": units["unit_cells"]}


def _part_cells(part, design, window, opts):
    return _named(part.path, _cell_sums, part.contributions, design, window, opts)


def _reread_flows(reader, path, kwargs, window):
    return _part_flows(_read_part(reader, path, kwargs), window)


def _reread_cells(reader, path, kwargs, design, window, opts):
    part = _read_part(reader, path, kwargs)
    if part.failure is not None:  # pragma: no cover - read once already
        raise DataFormatError(part.failure[0], path=part.failure[1])
    return _part_cells(part, design, window, opts)


def _window(func, window):
    """A window as a hashable (first, last) pair of ints, or None."""
    if window is None:
        return None
    try:
        lo, hi = (int(x) for x in window)
    except (TypeError, ValueError):
        raise ParameterError(f"{func}: window must be a pair of years (first, last); got "
                             f"{window!r}") from None
    if lo > hi:
        raise ParameterError(f"{func}: window must have first <= last; got {window!r}")
    return (lo, hi)


def _add(a, b):
    """Sum of two partials (nested dicts of arrays, or arrays); None is zero."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        if "regions" in a and a["regions"] != b["regions"]:
            raise ParameterError("partitions disagree on the region vocabulary (different "
                                 "region maps?); region flows cannot be added")
        out = dict(a)
        for key, value in b.items():
            if key in ("regions", "countries", "parents"):
                continue
            if key == "global_rows":
                out[key] = _union_rows(a.get(key), value)
            elif key == "org_first_year":
                out[key] = _min_years(a.get(key), value)
            else:
                out[key] = _add(a.get(key), value)
        return out
    if isinstance(a, list):
        return [x + y for x, y in zip(a, b)]
    return a + b


_ROW_KEY = ["record", "actor", "org", "region", "role", "channel", "lead"]


def _union_rows(a, b):
    """Rows of whole-input records from two partials: distinct rows, first known year."""
    import pandas as pd

    frames = [x for x in (a, b) if x is not None and len(x)]
    if len(frames) < 2:
        return frames[0] if frames else a
    rows = pd.concat(frames, ignore_index=True)
    year = rows["year"].where(rows["year"] >= 0)
    first = year.groupby(rows["record"]).transform("min")
    rows["year"] = first.fillna(-1).astype(rows["year"].dtype)
    return rows.drop_duplicates(_ROW_KEY, ignore_index=True)


def _min_years(a, b):
    """Earliest year per organisation label over two partials."""
    if not a or not b:
        return a or b
    out = dict(a)
    for org, y in b.items():
        if org not in out or y < out[org]:
            out[org] = y
    return out


# ============================================================================ client side
def _tree_sum(client, futures, retries):
    """Add partial results on the cluster by a fixed binary tree (deterministic)."""
    level = list(futures)
    if not level:
        return None
    depth = 0
    while len(level) > 1:
        nxt = [client.submit(_add, level[i], level[i + 1], retries=retries, pure=False,
                             key=f"ecosystem-add-{depth}-{i}-{uuid.uuid4().hex}")
               for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
        depth += 1
    return level[0]


def _watch(dd, final, leaves, progress):
    """Show Dask's progress bar (on stderr) or call ``progress(done, total)`` per task.

    ``leaves`` (a list of futures) is emptied: partials are only held by the tasks that
    add them up, so a worker does not keep every partition's partial until the end.
    """
    if progress is None:
        progress = sys.stderr.isatty()
    if callable(progress) and not isinstance(progress, bool):
        total = len(leaves)
        pending = dd.as_completed(leaves)
        leaves.clear()
        for done, _ in enumerate(pending, 1):
            progress(done, total)
        return
    leaves.clear()
    if progress:
        from contextlib import redirect_stdout

        with redirect_stdout(sys.stderr):   # the bar tracks the final task and its inputs
            dd.progress(final)
            sys.stderr.write("\n")


def _result(future, what, retries):
    """A future's value; a failure says what failed (task errors name their partition)."""
    try:
        return future.result()
    except EcosystemError:
        raise
    except Exception as exc:
        raise EcosystemError(f"{what} failed on the cluster after {retries} retries: "
                             f"{type(exc).__name__}: {exc}") from exc


def _merge_reports(summaries, n_units):
    """One report from the partitions' reports (of the readers' ReadReport type)."""
    first = summaries[0]["report"]
    rep = type(first)(first.source, licence=first.licence)
    for s in summaries:
        rep.add(s["report"], shared_notes=_SHARED_NOTES)
    for k, k_sum in _PER_PARTITION_NOTES.items():
        if k in rep.notes:
            rep.notes[k_sum] = rep.notes.pop(k)
    if n_units is not None:
        rep.notes["units abroad (lineage presence records)"] = n_units
    rep.notes["partitions"] = len(summaries)
    return rep


def _merge_global(rows, org_year, region_map, rollup):
    """The whole-input records (OpenAlex units abroad) from every partition's copies.

    ``rows`` are the partitions' rows, already united (distinct rows, first year of the
    record over the partitions where it was emitted); a unit is dated by the first year
    its institution appears in any partition (``org_year``), as the in-memory reader does,
    which also counts partitions where the unit lay in its parent's region.
    """
    import pandas as pd

    from .contributions import Contributions

    if rows is None or not len(rows):
        return None
    first = rows.groupby("record")["year"].first()
    first = first.where(first >= 0)
    if not rollup and org_year:
        unit_org = rows.loc[~rows["lead"]].groupby("record")["org"].first()
        by_org = unit_org.map(org_year)
        first = pd.concat([first, by_org.reindex(first.index)], axis=1).min(axis=1)
    rows = rows.sort_values(_ROW_KEY, kind="stable")
    years = rows["record"].map(first).fillna(-1).astype(np.int64).to_numpy()
    return Contributions.from_arrays(
        record=rows["record"].to_numpy(object), actor=rows["actor"].to_numpy(object),
        region=rows["region"].to_numpy(object), org=rows["org"].to_numpy(object),
        role=rows["role"].to_numpy(object), channel=rows["channel"].to_numpy(object),
        year=years, lead=rows["lead"].to_numpy(bool), weight=rows["weight"].to_numpy(float),
        regions=region_map)


def read_partitions(reader, partitions, *, client, kwargs=None, retries=2, persist=False,
                    progress=None):
    """Read snapshot partitions on a Dask cluster with one of ecosystem's readers.

    The readers call this when given ``client=``; call it directly for other options.

    Parameters
    ----------
    reader : callable
        :func:`ecosystem.read_openalex` or :func:`ecosystem.read_patentsview`.
    partitions : sequence of path
        The partitions, in a fixed order (files of an OpenAlex snapshot; PatentsView
        folders). Partials are added in this order.
    client : distributed.Client or str
        A Dask client, or a scheduler spec for :func:`connect` (``"local:N"`` or an
        address; the client is then closed with the result, see
        :meth:`DistributedRead.close`).
    kwargs : dict, optional
        Reader arguments, used for every partition.
    retries : int, default 2
        Times a failed task (a lost worker, an exception other than a parse error) is
        retried.
    persist : bool, default False
        Keep each partition's Contributions in the workers' memory (Dask spills them to
        disk when it runs short) between the read and the bootstrap of
        :func:`ecosystem.classify`. By default partitions are read again for the
        bootstrap, so a worker holds one partition at a time.
    progress : None, bool or callable, optional
        Dask's progress bar on stderr (``None``: when stderr is a terminal), or a
        callback ``f(done_partitions, total)``.

    Returns
    -------
    DistributedRead
        The summed report and region flows; :func:`ecosystem.classify` accepts it.

    Raises
    ------
    DataFormatError
        A partition failed to parse (``errors="raise"``); the message names the file
        (and line and field), and every other failed partition. With
        ``errors="skip"`` malformed records are counted in the report instead.
    EcosystemError
        A partition failed on the cluster after ``retries`` retries (message names it).
    ParameterError
        Reader options that need every partition at once (talent moves from works or an
        authors file).

    Examples
    --------
    >>> import ecosystem as eco                                          # doctest: +SKIP
    >>> from ecosystem.distributed import connect, read_partitions       # doctest: +SKIP
    >>> with connect("local:2") as client:                               # doctest: +SKIP
    ...     res = read_partitions(eco.read_openalex, files, client=client,
    ...                           kwargs={"institutions": "institutions.jsonl.gz"})
    ...     table = eco.classify(res, counting="full").table
    """
    func = "read_partitions"
    dd = _require(func)
    name = getattr(reader, "__name__", "")
    if name not in ("read_openalex", "read_patentsview"):
        raise ParameterError(f"{func}: reader must be read_openalex or read_patentsview; got "
                             f"{reader!r}")
    kw = dict(kwargs or {})
    kw.pop("client", None)
    if name == "read_openalex":
        if kw.get("mobility") == "works" or kw.get("authors") is not None:
            raise ParameterError(
                f"{name}: talent moves link works of different partitions and cannot be "
                "built partition by partition; with client= use mobility=None (or 'auto') and "
                "no authors file, and read moves in memory")
        kw["citations"] = False
    else:
        kw["mobility"] = False
        kw["citations"] = False
    kw["progress"] = False
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ParameterError(f"{func}: retries must be a non-negative integer; got {retries!r}")
    paths = []
    for p in partitions:
        if not isinstance(p, (str, os.PathLike)):
            raise InputTypeError(f"{name}: with client=, the input must be files or folders on "
                                 f"storage every worker can read; got {type(p).__name__}")
        paths.append(os.fspath(p))
    if not paths:
        raise ParameterError(f"{name}: no partitions to read")
    owned = False
    if isinstance(client, str):
        client, owned = connect(client), True
    elif not isinstance(client, dd.Client):
        raise InputTypeError(f"{name}: client must be a distributed.Client or a scheduler spec "
                             f"('local:N' or an address); got {type(client).__name__}")
    try:
        check_workers(client, name)
        return DistributedRead(reader, paths, client, kw, retries=retries, persist=persist,
                               progress=progress, owns_client=owned)
    except BaseException:
        if owned:
            client.close()
        raise


class DistributedRead:
    """A snapshot read on a Dask cluster: summed report and flows, bootstrap on demand.

    Returned by :func:`ecosystem.read_openalex` and :func:`ecosystem.read_patentsview`
    given ``client=`` (see :func:`read_partitions`). Pass it to
    :func:`ecosystem.classify`: the record bootstrap then runs on the cluster and gives
    the in-memory run's table.

    Parameters
    ----------
    reader : callable
        The reader run on every partition.
    partitions : list of str
        Partition paths in their fixed order.
    client : distributed.Client
        The cluster's client.
    kwargs : dict
        Reader arguments.
    retries : int, default 2
        Retries of failed tasks.
    persist : bool, default False
        Keep the partitions' Contributions on the workers.
    progress : None, bool or callable, optional
        Progress display (see :func:`read_partitions`).
    owns_client : bool, default False
        Close ``client`` in :meth:`close`.

    Attributes
    ----------
    report : ReadReport
        The partitions' reports added up (records read = used + skipped).
    partitions : tuple of str
        Partition paths in the order their partials are added.
    channels : tuple of str
        Channel vocabulary over every partition (sorted, as a reader's).
    regions : tuple of str
        Region vocabulary (the region map's).
    n_contributions : int
        Contributions over every partition.
    """

    def __init__(self, reader, partitions, client, kwargs, *, retries=2, persist=False,
                 progress=None, owns_client=False):
        import distributed as dd

        self._dd = dd
        self._reader = reader
        self.partitions = tuple(partitions)
        self._client = client
        self._kwargs = kwargs
        self._retries = retries
        self._persist = bool(persist)
        self._progress = progress
        self._owns = owns_client
        self._token = uuid.uuid4().hex
        self._flows_cache = {}
        self._parts = None
        self._read()

    # ------------------------------------------------------------------ pass 1
    def _submit(self, fn, *args, key):
        return self._client.submit(fn, *args, retries=self._retries, pure=False,
                                   key=f"ecosystem-{key}-{self._token}-{uuid.uuid4().hex[:8]}")

    def _read(self):
        parts = [self._submit(_read_part, self._reader, p, self._kwargs, key=f"read-{i}")
                 for i, p in enumerate(self.partitions)]
        summaries = [self._submit(_summary, f, key=f"summary-{i}") for i, f in enumerate(parts)]
        flows = [self._submit(_part_flows, f, key=f"flows-{i}") for i, f in enumerate(parts)]
        # without persist, a partition's Contributions are released as soon as its summary
        # and flows are computed (no future of it is held here): one partition per task
        self._persisted = parts if self._persist else None
        del parts
        total = _tree_sum(self._client, flows, self._retries)
        leaves = summaries + flows
        del flows
        _watch(self._dd, [total] + summaries, leaves, self._progress)
        got = [_result(f, f"partition {p!r}", self._retries)
               for f, p in zip(summaries, self.partitions)]
        failed = [s for s in got if s["failure"] is not None]
        if failed:
            msg, path, line, fld = failed[0]["failure"]
            others = [s["path"] for s in failed[1:]]
            more = (f"; {len(others)} more partitions failed: {others[:10]}" if others else "")
            raise DataFormatError(f"partition {failed[0]['path']!r} failed to parse: {msg}{more}",
                                  path=path, line=line, field=fld)
        self._region_map = self._kwargs.get("regions")
        if self._region_map is None:
            from .regions import countries

            self._region_map = countries()
        partial = _result(total, "the region flows of the partitions", self._retries)
        rows = partial.pop("global_rows", None) if partial else None
        org_year = partial.pop("org_first_year", None) if partial else None
        self._global = _merge_global(rows, org_year, self._region_map,
                                     bool(self._kwargs.get("rollup")))
        vocab = set()
        for s in got:
            vocab.update(s["channels"])
        if self._global is not None:
            vocab.update(self._global.channels)
        self.channels = tuple(sorted(vocab))
        self.regions = tuple(self._region_map.regions)
        n_units = None
        if self._reader.__name__ == "read_openalex":
            n_units = 0 if self._global is None else self._global.n_records
        self.report = _merge_reports(got, n_units)
        self.n_contributions = sum(s["n_contributions"] for s in got) + (
            0 if self._global is None else len(self._global))
        self._flows_cache[None] = self._with_global(partial, None)

    def _with_global(self, partial, window):
        if self._global is not None:
            partial = _add(partial, _flows_partial(self._global, window))
        return partial

    # ------------------------------------------------------------------ passes over partitions
    def _map(self, persisted_fn, reread_fn, *args, key):
        if self._persisted is not None:
            futs = [self._submit(persisted_fn, f, *args, key=f"{key}-{i}")
                    for i, f in enumerate(self._persisted)]
        else:
            futs = [self._submit(reread_fn, self._reader, p, self._kwargs, *args,
                                 key=f"{key}-{i}") for i, p in enumerate(self.partitions)]
        total = _tree_sum(self._client, futs, self._retries)
        _watch(self._dd, total, futs, self._progress)
        return _result(total, "a pass over the partitions", self._retries)

    def _partial(self, window):
        if window not in self._flows_cache:
            total = self._map(_part_flows, _reread_flows, window, key="flows")
            self._flows_cache[window] = self._with_global(total, window)
        return self._flows_cache[window]

    def region_flows(self, *, counting="fractional", channel=None, window=None):
        """Region flows of every partition, added up.

        Parameters
        ----------
        counting : {"fractional", "full"}, default "fractional"
        channel : str or sequence of str, optional
            Channels (default: every channel of the read).
        window : (int, int), optional
            Inclusive year window (a pass over the partitions).

        Returns
        -------
        RegionFlows
            As :func:`ecosystem.region_flows` on the in-memory Contributions.
        """
        from ._validation import check_option

        func = "DistributedRead.region_flows"
        check_option(func, "counting", counting, _COUNTINGS)
        window = _window(func, window)
        chs = self._channel_list(func, channel)
        return self._flows(self._partial(window), counting, chs, window)

    def _channel_list(self, func, channel):
        from ._validation import check_option

        if channel is None:
            return list(self.channels)
        wanted = [channel] if isinstance(channel, str) else list(channel)
        if not wanted:
            raise ParameterError(f"{func}: channels must name at least one channel; got {channel!r}")
        for ch in wanted:
            check_option(func, "channels", ch, self.channels)
        return wanted

    def _flows(self, partial, counting, chs, window):
        from .flows import PRESENCE_CONVENTION, RegionFlows

        R = len(self.regions)
        per = partial["flows"][counting] if partial is not None else {}
        zero = [np.zeros((R, R)), np.zeros((R, R)), np.zeros(R), np.zeros(R)]
        arr = [per.get(ch, zero) for ch in chs]
        info = {"source": "contributions (Dask partitions)", "convention": PRESENCE_CONVENTION,
                "window": window, "records": int(sum(partial["records"].get(ch, 0)
                                                     for ch in chs)) if partial else 0,
                "partitions": len(self.partitions),
                "region_map": getattr(self._region_map, "name", None),
                "source.source": self.report.source}
        countries = partial["countries"] if partial else tuple(
            self._region_map.country(r) for r in self.regions)
        parents = partial["parents"] if partial else tuple(
            self._region_map.parent(r) for r in self.regions)
        return RegionFlows(regions=self.regions, countries=countries, parents=parents,
                           channels=tuple(chs),
                           presence=np.stack([a[0] for a in arr]),
                           copresence=np.stack([a[1] for a in arr]),
                           internal=np.stack([a[2] for a in arr]),
                           size=np.stack([a[3] for a in arr]), counting=counting, info=info)

    def classification_inputs(self, func, *, window, channels, layer, counting, bootstrap,
                              cluster, seed):
        """Compute the flows and bootstrap statistics of :func:`ecosystem.classify` (one window).

        The record bootstrap runs on the cluster: each partition's cell totals
        (:func:`ecosystem.uncertainty.bootstrap_cell_sums`, on the cell space of the
        summed flows) are added in partition order, and the statistics formed once
        (:func:`ecosystem.uncertainty.stats_from_cell_sums`).

        Parameters
        ----------
        func : str
            Calling function (error messages).
        window : (int, int) or None
            Inclusive year window.
        channels : str, sequence of str or None
            Channels to classify (default: every channel), in the order of the table.
        layer : str
            Border layer whose pairs are resampled.
        counting : {"full", "fractional"}
            Counting of the records.
        bootstrap : int
            Replicates B.
        cluster : None, "record", "actor" or "org"
            Bootstrap unit (None: classify's default design).
        seed : int
            Seed of the Poisson weights.

        Returns
        -------
        dict
            ``flows`` (RegionFlows), ``point`` (10, K, R), ``replicates`` (B, 10, K, R),
            ``n_records`` (K, R), ``design`` and ``provenance`` dicts. The design is
            classify's (``cluster=None``: the lead actor where actors exist, else the
            record); ``n_units`` and ``unit_cells`` are None for a cluster design (a
            cluster may span partitions and is not counted across them).
        """
        from .uncertainty import bootstrap_design, stats_from_cell_sums

        if cluster is not None and not isinstance(cluster, str):
            raise ParameterError(f"{func}: cluster labels per record code cannot be used on a "
                                 "distributed read (codes are per partition); use 'record', "
                                 "'actor' or 'org'")
        if cluster is not None:
            from ._validation import check_option

            check_option(func, "cluster", cluster, ("record", "actor", "org"))
        chs = self._channel_list(func, channels)
        window = _window(func, window)
        partial = self._partial(window)

        def total(key):
            return int(sum(partial[key].get(ch, 0) for ch in chs)) if partial else 0

        flows = self._flows(partial, counting, chs, window)
        n_records = self._flows(partial, "full", chs, window).size
        ordered = [ch for ch in self.channels if ch in chs]     # vocabulary order
        design = bootstrap_design(self._flows(partial, counting, ordered, window), layer=layer)
        default_cluster = cluster is None
        if default_cluster:
            # classify's design: clusters of the lead actor where actors exist, else records.
            # Cluster keys are hashes of actor labels (never per-partition codes), so a
            # cluster spread over partitions gets one weight per replicate everywhere.
            cluster = "actor" if total("actors") else "record"
        opts = {"counting": counting, "cluster": cluster, "seed": seed, "replicates": bootstrap}
        got = self._map(_part_cells, _reread_cells, design, window, opts, key="bootstrap")
        if self._global is not None:
            got = _add(got, _cell_sums(self._global, design, window, opts))
        if got is None:
            got = {"sums": np.zeros((1 + bootstrap, design["n_cells"])), "n_units": 0,
                   "unit_cells": 0}
        stats = stats_from_cell_sums(got["sums"], design)
        perm = [ordered.index(ch) for ch in chs]
        unit = "record" if cluster == "record" else f"lead {cluster}"
        # a record lies in one partition, so its units add up over partitions; a cluster
        # may span partitions and is counted once per partition: not counted here
        counted = unit == "record"
        return {
            "flows": flows, "point": stats[0][:, perm], "replicates": stats[1:][:, :, perm],
            "n_records": np.asarray(n_records),
            "design": {"kind": ("cluster bootstrap (Poisson weights from label hashes)"
                                if unit != "record" else
                                "record bootstrap (Poisson weights from label hashes)"),
                       "unit": unit, "n_units": got["n_units"] if counted else None,
                       "unit_cells": got["unit_cells"] if counted else None,
                       "default": default_cluster,
                       "why": ("default: the lead actor of each record where actors exist, "
                               "else the record" if default_cluster else "cluster= given"),
                       "partitions": len(self.partitions)},
            "provenance": {"flows": dict(flows.info), "partitions": len(self.partitions),
                           "n_contributions": total("contributions")},
        }

    @property
    def region_map(self):
        """The region map of the read (RegionMap)."""
        return self._region_map

    @property
    def info(self):
        """Provenance: source, licence, partitions (dict)."""
        return {"source": self.report.source, "licence": self.report.licence,
                "partitions": len(self.partitions),
                "region_map": getattr(self._region_map, "name", None)}

    def close(self):
        """Release partitions kept on the workers; close the client if this read opened it."""
        self._persisted = None
        if self._owns and self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return (f"<DistributedRead {self.report.source}: {len(self.partitions)} partitions, "
                f"{self.report.records_read:,} records read, {self.report.records_used:,} used, "
                f"{self.n_contributions:,} contributions, channels {list(self.channels)}>")
