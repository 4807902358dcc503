"""OpenAlex works, institutions and authors → Contributions, citations and talent moves."""

from __future__ import annotations

import gc
import gzip
import os
import re
import zlib
from array import array
from pathlib import Path

import numpy as np

from ..contributions import YEAR_MAX, YEAR_MIN
from .._parallel import effective_n_threads
from ..exceptions import DataFormatError, InputTypeError, ParameterError
from . import _json
from . import _openalex_fast as _fast
from ._common import (
    Citations,
    PrefixedIds,
    Progress,
    build_contributions,
    channel_of,
    check_channel,
    default_regions,
    merged_channels,
    release_memory,
)
from ._io import as_path_list, iter_line_blocks, read_whole_table
from ._report import (
    DROP_NO_ACTOR,
    DROP_NO_COUNTRY,
    DROP_UNMATCHED,
    SKIP_DUPLICATE,
    SKIP_HYPER,
    SKIP_MERGED,
    SKIP_NO_COUNTRY,
    SKIP_TYPE,
    Policy,
    ReadReport,
    ReadResult,
)
from ._places import geo_fields, located_keywords
from .mobility import moves_from_spells
from .openalex_csv import is_openalex_csv, works_from_csv

__all__ = ["read_openalex", "OPENALEX_LICENCE"]

#: Licence line of OpenAlex data.
OPENALEX_LICENCE = ("OpenAlex data: CC0 1.0 (public domain dedication); please cite "
                    "Priem, Piwowar & Orr (2022), OpenAlex, arXiv:2205.01833")

_PREFIX = "https://openalex.org/"
_NP = len(_PREFIX)
_CSHIFT = 1024  # location code = institution number * 1024 + country index
_SUFFIXES = (".jsonl.gz", ".json.gz", ".jsonl", ".json", ".gz")
_LEADS = ("corresponding", "first", None)
_MOBILITY = ("auto", "authors", "works", None)


_MAX_ID = (1 << 63) - 1   # ids are kept as int64


class _IdError(ValueError):
    """A malformed record; ``field`` names the JSON field (default the id)."""

    def __init__(self, message, field="id"):
        super().__init__(message)
        self.field = field


def _check_year(year, field="publication_year"):
    """``year`` if it is None or in YEAR_MIN..YEAR_MAX, else raise _IdError."""
    if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
        raise _IdError(f"{field} {year!r} is not a year in {YEAR_MIN}..{YEAR_MAX}", field)
    return year


def _num(value, letter):
    """Numeric part of an OpenAlex id (``https://openalex.org/W123`` or ``W123``)."""
    t = value[_NP:] if value.startswith(_PREFIX) else value
    if not t or t[0].upper() != letter:
        raise _IdError(f"{value!r} is not an OpenAlex {letter} id (https://openalex.org/{letter}…)")
    try:
        n = int(t[1:])
    except ValueError:
        raise _IdError(f"{value!r} is not an OpenAlex {letter} id "
                       f"(https://openalex.org/{letter} + digits)") from None
    if n < 0 or n > _MAX_ID:
        raise _IdError(f"{value!r} is not an OpenAlex {letter} id (number out of range)")
    return n


def _unique(x, runs=False):
    """Sorted distinct values of an integer array (one sort; numpy's hash-based
    ``unique`` is slow on ids and a hash table would cost more memory than the sort).

    ``runs=True``: ``x`` is a few sorted runs end to end, merged in linear time (timsort)."""
    x = np.sort(np.asarray(x), kind="stable" if runs else None)
    if len(x) < 2:
        return x
    keep = np.empty(len(x), dtype=bool)
    keep[0] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def _unique_inverse(x, step=1 << 22):
    """``(distinct, index)``: the sorted distinct values of an int64 array and the
    index of every element among them (int32), as ``np.unique(return_inverse=True)``.

    Slice by slice of ``step`` elements: a hash table in C gives the slice's distinct
    values and every element's index among them (``_openalex_fast.first_seen_codes``),
    then only the distinct values are sorted; the slices' distinct values are merged and
    the indices mapped through one binary search per distinct value. Memory: the output
    and the temporaries of one slice.
    """
    x = np.ascontiguousarray(x, dtype=np.int64)
    inv = np.empty(len(x), dtype=np.int32)
    parts = []
    for i in range(0, len(x), step):
        d, c = _fast.first_seen_codes(x[i:i + step])
        d, c = _np(d, np.int64), _np(c, np.int32)
        o = np.argsort(d)
        rank = np.empty(len(d), dtype=np.int32)
        rank[o] = np.arange(len(d), dtype=np.int32)
        np.take(rank, c, out=inv[i:i + step])
        parts.append(d[o])
        del d, c, o, rank
    if len(parts) <= 1:
        return (parts[0] if parts else np.zeros(0, np.int64)), inv
    distinct = _unique(np.concatenate(parts), runs=True)
    for k, i in enumerate(range(0, len(x), step)):
        where = np.searchsorted(distinct, parts[k]).astype(np.int32)
        parts[k] = None
        np.take(where, inv[i:i + step], out=inv[i:i + step])
        del where
    return distinct, inv


class _Positions:
    """Position of values in a sorted array of distinct int64 (every value present).

    Binary search with random needles on a haystack that does not fit in cache is
    slow; large look-ups therefore sort each slice of needles first (the searches then
    walk the haystack in order) and scatter the results back. Memory: one slice.
    """

    def __init__(self, values):
        self.values = values

    def __call__(self, needles, step=1 << 22):
        needles = np.asarray(needles, dtype=np.int64)
        if len(self.values) < 1 << 16 or len(needles) < 1 << 12:
            return np.searchsorted(self.values, needles)
        out = np.empty(len(needles), dtype=np.int64)
        for i in range(0, len(needles), step):
            part = needles[i:i + step]
            if (part[1:] >= part[:-1]).all():   # already in order (e.g. sorted ids)
                out[i:i + step] = np.searchsorted(self.values, part)
                continue
            o = np.argsort(part)
            res = np.empty(len(part), dtype=np.int64)
            res[o] = np.searchsorted(self.values, part[o])
            out[i:i + step] = res
        return out


def _nonblank_lines(buf, line0):
    """Line numbers of the non-blank lines of a block starting at line0."""
    return [line0 + i for i, line in enumerate(buf.split(b"\n")) if line.strip()]


class _LineIndex:
    """Line of the k-th decoded entity of a block, found once per block (lazily).

    Malformed records are rare, so the line numbers of a block are computed only when
    the first one is needed, and then once for every bad record of the block.
    """

    __slots__ = ("buf", "line0", "lines")

    def __init__(self, buf, line0):
        self.buf, self.line0, self.lines = buf, line0, None

    def __call__(self, k):
        if self.lines is None:
            self.lines = _nonblank_lines(self.buf, self.line0) if self.buf else []
        return self.lines[k] if k < len(self.lines) else self.line0


def _lex_order(nums):
    """Permutation sorting numbers as their decimal strings sort ("10" < "9")."""
    nums = np.asarray(nums, dtype=np.int64)
    if len(nums) == 0:
        return np.zeros(0, dtype=np.intp)
    lens = np.ones(len(nums), dtype=np.int64)
    big = nums.copy()
    while True:
        more = big >= 10
        if not more.any():
            break
        lens += more
        big //= 10
    D = int(lens.max())
    if D > 18:  # pragma: no cover - ids beyond 18 digits: sort the strings
        return np.argsort(nums.astype(str), kind="stable")
    key = nums * (10 ** (D - lens))
    return np.lexsort((lens, key))


def _number_labels(prefix, nums):
    """``[prefix + str(n) for n in nums]``, built in C (``_openalex_fast.number_labels``).

    No Python int is created: millions of short-lived ints interleaved with the label
    strings that stay would fragment the small-object heap (memory never returned).
    """
    nums = np.ascontiguousarray(nums, dtype=np.int64)
    if len(nums) and nums.min() < 0:   # pragma: no cover - ids are never negative
        return [prefix + str(n) for n in nums.tolist()]
    return _fast.number_labels(prefix, nums)


def _encode(parts):
    """Sorted vocabulary over labelled parts; the code of every element of each part.

    Each part is ``(prefix, unique numbers)`` (labels ``prefix + str(n)``, sorted
    without building a string array) or a list of unique strings. Parts whose label
    ranges do not interleave (distinct prefixes) are concatenated in order; otherwise
    every label is sorted together. Labels sort exactly as ``sorted(str)`` does.
    """
    sorted_parts = []
    for part in parts:
        if isinstance(part, tuple):
            prefix, nums = part
            nums = np.asarray(nums, dtype=np.int64)
            order = _lex_order(nums)
            labels = _number_labels(prefix, nums[order])
        else:
            order = np.asarray(sorted(range(len(part)), key=part.__getitem__), dtype=np.intp)
            labels = [part[i] for i in order.tolist()]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        sorted_parts.append((labels, rank))
    nonempty = sorted((i for i, (lab, _) in enumerate(sorted_parts) if lab),
                      key=lambda i: sorted_parts[i][0][0])
    disjoint = all(sorted_parts[i][0][-1] < sorted_parts[j][0][0]
                   for i, j in zip(nonempty, nonempty[1:]))
    codes = [None] * len(parts)
    if disjoint:
        vocab, offset = [], 0
        for i in nonempty:
            labels, rank = sorted_parts[i]
            vocab.extend(labels)
            codes[i] = (rank + offset).astype(np.intp)
            offset += len(labels)
    else:  # pragma: no cover - interleaving prefixes: sort everything
        vocab = sorted(set().union(*(lab for lab, _ in sorted_parts)))
        index = {v: k for k, v in enumerate(vocab)}
        for i, (labels, rank) in enumerate(sorted_parts):
            by_pos = np.asarray([index[x] for x in labels], dtype=np.intp)
            codes[i] = by_pos[rank]
    for i, c in enumerate(codes):
        if c is None:
            codes[i] = np.zeros(0, dtype=np.intp)
    return tuple(vocab), codes


def _is_iterable_of_works(value):
    """A generator or other iterator of works/pages (not a path, list, tuple or dict)."""
    return (not isinstance(value, (str, bytes, os.PathLike, dict, list, tuple))
            and hasattr(value, "__iter__"))


def _pages_list(value):
    """Works and pages from an iterator, flattened one level (paginate yields lists)."""
    out = []
    for item in value:
        if isinstance(item, (list, tuple)):
            out.extend(item)
        else:
            out.append(item)
    return out


class _Source:
    """Where entities come from: files, folders, manifests, or API pages in memory."""

    def __init__(self, func, value, name):
        self.items = []  # (label, path or bytes, whole-document flag)
        self.problems = []  # (path, line, field, message) found while converting CSV exports
        if _is_iterable_of_works(value):  # a generator of works or pages (pyalex paginate)
            value = _pages_list(value)
        if isinstance(value, (dict, list)) and not (isinstance(value, list) and value
                                                    and isinstance(value[0], (str, os.PathLike))):
            self._objects(value, name)
            return
        for p in as_path_list(func, value, name, _SUFFIXES + ("manifest",)):
            if name == "works" and is_openalex_csv(p):  # the web interface's CSV export
                works, problems = works_from_csv(p)
                self.problems.extend((str(p), line, fld, msg) for line, fld, msg in problems)
                self._objects(works, name, label=str(p))
            elif p.name == "manifest" or p.name.endswith(".manifest"):
                self.items.extend((str(q), q, False) for q in _manifest(func, p))
            else:
                whole = p.name.endswith(".json") or p.name.endswith(".json.gz")
                self.items.append((str(p), p, whole))

    def _objects(self, value, name, label=None):
        try:
            import orjson

            data = orjson.dumps(value)
        except ImportError:  # pragma: no cover
            import json

            data = json.dumps(value).encode()
        except TypeError as exc:
            raise InputTypeError(f"read_openalex: {name} must be paths or JSON-like API "
                                 f"pages (dict/list); {exc}") from None
        self.items.append((label or f"<{name}: in-memory {type(value).__name__}>", data, True))

    def total_bytes(self):
        return sum(os.path.getsize(x) if isinstance(x, Path) else len(x)
                   for _, x, _ in self.items)


def _manifest(func, path):
    """Local files listed by a snapshot manifest (``entries[].url``)."""
    import json

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        entries = doc["entries"]
        urls = [e["url"] for e in entries]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataFormatError(f"not an OpenAlex manifest (JSON with entries[].url): {exc}",
                              path=str(path)) from None
    base = Path(path).parent
    out = []
    for url in urls:
        tail = url.split("/")
        rel = next((tail[i:] for i, part in enumerate(tail) if part.startswith("updated_date=")),
                   tail[-1:])
        local = base.joinpath(*rel)
        if not local.is_file():
            raise ParameterError(f"{func}: the manifest {str(path)!r} lists {url!r}, but "
                                 f"{str(local)!r} does not exist")
        out.append(local)
    return out


def _iter_entities(source, decoder, policy, progress, report):
    """Yield ``(path, line, objects, buf, line0)`` blocks of decoded entities of every item
    of ``source`` (see :func:`_iter_item`)."""
    offset = 0
    for label, item, whole in source.items:
        yield from _iter_item(label, item, whole, decoder, policy, progress, offset, report)
        if isinstance(item, Path):
            offset += os.path.getsize(item)


def _iter_item(label, item, whole, decoder, policy, progress, offset, report,
               block_decoder=None):
    """Yield ``(path, line, objects, buf, line0)`` blocks of decoded entities of one item.

    ``line`` is None when the line of each object is to be found with :class:`_LineIndex`
    (fast path), else a list of line numbers aligned with ``objects``. ``offset``: bytes
    of the items before this one (for the progress bar). ``block_decoder`` (optional)
    decodes whole blocks of lines in place of ``decoder`` (works with raw authorships,
    see :func:`_consume`); a block it cannot decode is decoded line by line by
    ``decoder``, which reports the errors.
    """
    report.files.append(label)
    if whole:
        data = item if isinstance(item, bytes) else _read_all(item, policy)
        if data is None:
            return
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if not data.strip():
            report.note("empty files (no line)")
        try:
            if data.lstrip()[:1] == b"[":
                objs = decoder.decode_list(data)
            elif not data.strip():
                objs = []
            else:
                objs = [decoder.decode(data)]
        except _json.FieldError as exc:
            policy.bad(str(exc), path=label, line=None if exc.field else 1,
                       field=exc.field, unit=True)
            return
        yield label, [1] * len(objs), objs, None, 1
        if isinstance(item, Path) and progress is not None:
            progress.update(offset + os.path.getsize(item))
        return
    empty = True
    for line0, buf in iter_line_blocks(item, policy, progress, offset):
        empty = False
        try:
            objs = (block_decoder or decoder).decode_lines(buf)
            yield label, None, objs, buf, line0
        except _json.FieldError:
            objs, lines = _decode_each(buf, line0, decoder, policy, label)
            yield label, lines, objs, None, line0
    if empty and str(item) not in policy.damaged:
        report.note("empty files (no line)")


def _decode_each(buf, line0, decoder, policy, label):
    """Decode a block line by line: ``(objects, their line numbers)``; the lines that do
    not decode are reported (``policy.bad``)."""
    objs, lines = [], []
    for i, raw in enumerate(buf.split(b"\n")):
        if not raw.strip():
            continue
        try:
            objs.append(decoder.decode(raw))
            lines.append(line0 + i)
        except _json.FieldError as exc:
            policy.bad(str(exc), path=label, line=line0 + i, field=exc.field, unit=True)
    return objs, lines


def _read_all(path, policy):
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
        if head == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return Path(path).read_bytes()
    except (EOFError, OSError, zlib.error) as exc:
        policy.bad(f"unreadable file ({exc})", path=str(path), unit=True)
        return None


# --------------------------------------------------------------------------- merged ids


def _load_merged(func, merged_ids, policy):
    """{letter: {old number: new number}} from merged_ids CSV files or a mapping."""
    out = {}
    if merged_ids is None:
        return out
    if isinstance(merged_ids, dict):
        pairs = merged_ids.items()
    elif isinstance(merged_ids, (set, frozenset)):
        pairs = ((k, None) for k in merged_ids)
    else:
        pairs = []
        for p in as_path_list(func, merged_ids, "merged_ids", (".csv", ".csv.gz", ".gz")):
            try:
                t = read_whole_table(p, sep=",", required=["id"], optional=["merge_into_id"],
                                     policy=policy, report=ReadReport("merged ids"))
            except DataFormatError as exc:
                if exc.field != "id":
                    raise
                raise DataFormatError("merged_ids file needs the columns merge_date, id, "
                                      f"merge_into_id ({exc})", path=str(p), line=1,
                                      field="id") from None
            into = t["merge_into_id"].str.strip() if "merge_into_id" in t else None
            for i, old in enumerate(t["id"].str.strip().tolist()):
                if old:
                    new = into.iloc[i] if into is not None else ""
                    pairs.append((old, new or None))
    for old, new in pairs:
        t = old[_NP:] if old.startswith(_PREFIX) else old
        letter = t[:1].upper()
        try:
            n_old = _num(old, letter)
            n_new = _num(new, letter) if new else None
        except _IdError as exc:
            raise ParameterError(f"{func}: merged_ids: {exc}") from None
        out.setdefault(letter, {})[n_old] = n_new
    return out


# --------------------------------------------------------------------------- institutions


def _load_institutions(func, institutions, policy, report, progress):
    """{number: [country, type, root number, city, admin1]} from an institutions file."""
    table = {}
    if institutions is None:
        return table
    src = _Source(func, institutions, "institutions")
    dec = _json.decoders("institution")
    sub = ReadReport("OpenAlex institutions")
    for path, lines, objs, buf, line0 in _iter_entities(src, dec, policy, None, sub):
        report.files.append(path)
        line_of = _LineIndex(buf, line0)
        for k, obj in enumerate(objs):
            for inst in (obj.results if obj.results is not None else (obj,)):
                try:
                    if inst.id is None:
                        raise _IdError("institution without id")
                    num = _num(inst.id, "I")
                    root = _num(inst.lineage[-1], "I") if inst.lineage else num
                except _IdError as exc:
                    line = lines[k] if lines is not None else line_of(k)
                    policy.bad(str(exc), path=path, line=line, field=exc.field, unit=True)
                    continue
                geo = inst.geo
                country = inst.country_code or (geo.country_code if geo is not None else None)
                table[num] = [country.strip().upper() if country else None, inst.type, root,
                              geo.city if geo is not None else None,
                              geo.region if geo is not None else None,
                              *geo_fields(geo)]
    report.notes["institutions read"] = len(table)
    return table


# --------------------------------------------------------------------------- works


class _State:
    """Growing arrays of the works read (compact; one entry per record, row or link)."""

    def __init__(self):
        self.rec_num = array("q")     # work number per record index
        self.rec_year = array("i")
        self.rec_chan = array("b")    # channel index (into chan_names)
        self.rec_rows = array("i")    # rows of the record
        self.row_actor = array("q")
        self.row_loc = array("q")     # institution number * 1024 + country index
        self.row_w = array("d")
        self.lead_rows = array("q")   # indices of the lead rows
        self.cit_rec = array("i")
        self.cit_num = array("q")
        self.inst_cache = {}          # institution id string -> (number, country, type)
        self.inst_num_cache = _fast.InstCache()   # the same by number (canonical ids)
        self.countries = {}           # country code (as given and normalised) -> index
        self.country_list = [None]    # index 0: no institution/country
        self.chan_index = {}
        self.chan_names = []
        self.type_chan = {}           # lead organisation type -> channel index (fast loop)

    def country(self, code):
        norm = code.strip().upper()
        i = self.countries.get(norm)
        if i is None:
            i = len(self.country_list)
            if i >= _CSHIFT:
                raise DataFormatError(f"more than {_CSHIFT - 1} distinct country codes; "
                                      f"is this a country code: {code!r}?")
            self.countries[norm] = i
            self.country_list.append(norm)
        self.countries[code] = i
        return i

    def channel(self, name):
        i = self.chan_index.get(name)
        if i is None:
            i = self.chan_index[name] = len(self.chan_names)
            self.chan_names.append(name)
        return i


_PA = _PREFIX + "A"
_PW = _PREFIX + "W"
_NPA = len(_PA)


def _inst_entry(state, inst, inst_tab, mi, inum=None):
    """(number, country, type) of a dehydrated institution, cached by id string.

    ``inum``: the number of its id when the caller parsed it already."""
    if inum is None:
        inum = _num(inst.id, "I")
    if inum in mi and mi[inum] is not None:
        inum = mi[inum]
    info = inst_tab.get(inum)
    if info is None:
        lin = inst.lineage
        try:
            root = _num(lin[-1], "I") if lin else inum
        except _IdError:
            root = inum
        cc = inst.country_code
        info = inst_tab[inum] = [cc.strip().upper() if cc else None, inst.type, root, None,
                                 None]
    cc = inst.country_code
    cc = cc.strip().upper() if cc else info[0]
    entry = (inum, cc, inst.type or info[1], state.country(cc) if cc else -1)
    state.inst_cache[inst.id] = entry
    return entry


_DECODERS = {}


def _decoder(kind):
    """The shared msgspec decoder of ``kind`` (see :func:`_json.decoders`)."""
    dec = _DECODERS.get(kind)
    if dec is None:
        dec = _DECODERS[kind] = _json.decoders(kind)
    return dec


def _structs_or_scan(objs, buf, line0, path, policy, fast):
    """Works decoded with raw authorships (``MWorkRaw``), made ready for :func:`_consume`.

    ``fast``: their authorships are scanned for the compiled loop and the works it
    cannot read there become ``MWork`` structs (:func:`_json.work_from_raw`: their
    authorships decoded by the struct decoder). Otherwise — or with API
    pages, or a work whose struct decoding fails — the whole block is decoded as structs,
    the reference (a failing block line by line, its errors reported in line order).
    Returns ``(objects, lines, scan)``.
    """
    full = _decoder("work")
    if fast:
        scan = _fast.scan_authorships(objs)
        if scan is not None:
            try:
                for k in scan.odd:
                    objs[k] = _json.work_from_raw(objs[k])
                return objs, None, scan
            except _json.FieldError:
                pass
    try:
        return full.decode_lines(buf), None, None
    except _json.FieldError:
        objs, lines = _decode_each(buf, line0, full, policy, path)
        return objs, lines, None


def _consume(state, objs, path, lines, buf, line0, ctx, fast=True):
    """Append the contributions and citations of a block of decoded works.

    Works in the common shape are read by the compiled loop
    (:func:`~ecosystem.readers._openalex_fast.consume_works`); this Python loop reads
    the others (merged or excluded works, ids to parse the slow way, errors, the
    fallback decoder's objects) — and, with ``fast=False``, every work (the reference
    the tests compare the compiled loop with).
    """
    (policy, report, inst_tab, merged, max_authors, lead_mode, fixed_chan, org_chan,
     want_cit, exclude) = ctx
    mw, ma, mi = merged.get("W", {}), merged.get("A", {}), merged.get("I", {})
    st = state
    rec_num, rec_year, rec_chan, rec_rows = (st.rec_num.append, st.rec_year.append,
                                             st.rec_chan.append, st.rec_rows.append)
    r_act, r_loc, r_w = st.row_actor.append, st.row_loc.append, st.row_w.append
    row_actor = st.row_actor
    lead_extend = st.lead_rows.extend
    cidx = st.countries
    icache = st.inst_cache
    channel = st.channel
    skip = report.skip
    PW, PA, NPA = _PW, _PA, _NPA
    n_read = 0
    unknown = 0.0
    no_actor = no_country = lead_first = truncated = self_cit = 0
    corresponding = lead_mode == "corresponding"
    first_only = lead_mode == "first"
    # block-level citations, parsed in bulk
    ref_nums, ref_cnt, ref_rec, ref_w = array("q"), array("q"), array("q"), array("q")
    line_of = _LineIndex(buf, line0)
    scan = None
    if objs and _json.HAVE_MSGSPEC and type(objs[0]) is _json.MWorkRaw:
        objs, lines, scan = _structs_or_scan(objs, buf, line0, path, policy, fast)

    if scan is None and any(w.results is not None for w in objs):  # API pages
        works = []
        for k, w in enumerate(objs):
            if w.results is not None:
                works.extend((x, None if lines is None else lines[k], k) for x in w.results)
            else:
                works.append((w, None if lines is None else lines[k], k))
        wobjs = [x[0] for x in works]
    else:
        works = None
        wobjs = objs if isinstance(objs, list) else list(objs)
    fast = fast and _json.HAVE_MSGSPEC and bool(wobjs) \
        and isinstance(wobjs[0], (_json.MWork, _json.MWorkRaw))
    if fast:
        arrays = {"rec_num": st.rec_num, "rec_year": st.rec_year, "rec_chan": st.rec_chan,
                  "rec_rows": st.rec_rows, "row_actor": st.row_actor, "row_loc": st.row_loc,
                  "row_w": st.row_w, "lead_rows": st.lead_rows, "ref_nums": ref_nums,
                  "ref_cnt": ref_cnt, "ref_rec": ref_rec, "ref_w": ref_w}
        lookups = {"icache": icache, "cidx": cidx, "merged_w": mw, "merged_a": ma,
                   "inst_entry": _inst_entry, "inst_args": (inst_tab, mi),
                   "org_chan": org_chan, "type_chan": st.type_chan,
                   "inum_cache": st.inst_num_cache, "inst_decode": _decoder("inst").decode}
        opts = (-1 if max_authors is None else max_authors,
                {"corresponding": 0, "first": 1}.get(lead_mode, 2),
                -1 if fixed_chan is None else fixed_chan, bool(want_cit), exclude,
                YEAR_MIN, YEAR_MAX)
    n_works = len(wobjs)
    pos = 0
    while pos < n_works:
        if fast:
            pos, unknown, cnt = _fast.consume_works(wobjs, pos, st, arrays, lookups, opts,
                                                    unknown, scan)
            n_read += cnt[0]
            no_actor += cnt[1]
            no_country += cnt[2]
            lead_first += cnt[3]
            truncated += cnt[4]
            if cnt[5]:
                skip(SKIP_HYPER, cnt[5])
            if cnt[6]:
                skip(SKIP_NO_COUNTRY, cnt[6])
            if pos >= n_works:
                break
        if works is None:
            w, line, k = wobjs[pos], None if lines is None else lines[pos], pos
        else:
            w, line, k = works[pos]
        if _json.HAVE_MSGSPEC and type(w) is _json.MWorkRaw:
            # a work the compiled loop hands back: as a struct (the scan checked its
            # authorships, so they decode)
            w = _json.work_from_raw(w)
        pos += 1
        n_read += 1
        r = len(st.rec_num)
        row0 = len(row_actor)
        wid = w.id
        try:
            if wid is None:
                raise _IdError("work without id")
            if wid.startswith(PW):
                wnum = int(wid[NPA:])
                if wnum > _MAX_ID:
                    raise _IdError(f"{wid!r}: work number out of range")
            else:
                wnum = _num(wid, "W")
            if wnum in mw:
                skip(SKIP_MERGED)
                continue
            if exclude and (w.type in exclude or (w.is_paratext and "paratext" in exclude)):
                skip(SKIP_TYPE)
                continue
            year = _check_year(w.publication_year)
            rec_num(wnum)
            rec_year(-1 if year is None else year)
            refs = w.referenced_works if want_cit else None
            if refs:
                if type(refs) is list:  # fallback decoder: a checked list of str
                    ids = [_num(x, "W") for x in refs]
                    ref_nums.extend(ids)
                    ref_cnt.append(len(ids))
                    ref_rec.append(r)
                    ref_w.append(wnum)
                elif len(refs) > 2:
                    b = bytes(refs)
                    ids = _REF.findall(b)
                    if len(ids) != b.count(b",") + 1:
                        ids = _refs_checked(b)
                    if ids:
                        ref_nums.extend(int(x) for x in ids)
                        ref_cnt.append(len(ids))
                        ref_rec.append(r)
                        ref_w.append(wnum)
            auths = w.authorships or ()
            n_auth = len(auths)
            if w.is_authors_truncated:
                truncated += 1
            if (max_authors is not None and n_auth > max_authors) or n_auth == 0:
                skip(SKIP_HYPER if n_auth else SKIP_NO_COUNTRY)
                rec_chan(0)
                rec_rows(0)
                continue
            wa = 1.0 / n_auth
            lead_spans = []
            first_span = None
            first_type = None
            lead_type = None
            for i, au in enumerate(auths):
                a = au.author
                aid = None if a is None else a.id
                start = len(row_actor)
                if aid is None:
                    no_actor += 1
                    unknown += wa
                    continue
                anum = int(aid[NPA:]) if aid.startswith(PA) else _num(aid, "A")
                if ma and anum in ma and ma[anum] is not None:
                    anum = ma[anum]
                insts = au.institutions
                ctrs = au.countries
                if insts and len(insts) == 1 and ctrs and len(ctrs) == 1:
                    # the common case: one institution, one country
                    inst = insts[0]
                    e = icache.get(inst.id) if inst.id is not None else False
                    if e is None:
                        e = _inst_entry(st, inst, inst_tab, mi)
                    c = ctrs[0]
                    ci = cidx.get(c)
                    if ci is None:
                        ci = st.country(c)
                    r_act(anum)
                    if e and (e[3] == ci or e[1] is None):
                        r_loc(e[0] * 1024 + ci)
                        otype = e[2]
                    else:
                        r_loc(ci)
                        otype = e[2] if e else None
                    r_w(wa)
                else:
                    units = []
                    for inst in insts or ():
                        if inst.id is None:
                            continue
                        e = icache.get(inst.id)
                        if e is None:
                            e = _inst_entry(st, inst, inst_tab, mi)
                        units.append(e)
                    if ctrs:
                        ctrs = list(dict.fromkeys(c.strip().upper() for c in ctrs))
                    else:
                        ctrs = list(dict.fromkeys(u[1] for u in units if u[1]))
                    otype = units[0][2] if units else None
                    if not ctrs:
                        no_country += 1
                        unknown += wa
                    else:
                        floating = [u for u in units if u[1] is None]
                        if floating:
                            covered = {u[1] for u in units}
                            uncovered = [c for c in ctrs if c not in covered]
                            if len(uncovered) == 1:
                                units = [u if u[1] is not None
                                         else (u[0], uncovered[0], u[2], -1) for u in units]
                        wc = wa / len(ctrs)
                        for c in ctrs:
                            ci = cidx.get(c)
                            if ci is None:
                                ci = st.country(c)
                            us = [u for u in units if u[1] == c]
                            if not us:
                                r_act(anum)
                                r_loc(ci)
                                r_w(wc)
                            else:
                                wu = wc / len(us)
                                for u in us:
                                    r_act(anum)
                                    r_loc(u[0] * 1024 + ci)
                                    r_w(wu)
                end = len(row_actor)
                if i == 0:
                    first_span = (start, end)
                    first_type = otype
                if corresponding and au.is_corresponding:
                    lead_spans.append((start, end))
                    if lead_type is None:
                        lead_type = otype
        except (_IdError, ValueError, OverflowError) as exc:
            if line is None:
                line = line_of(k)
            _rollback(st, r, row0)
            while ref_rec and ref_rec[-1] >= r:
                ref_rec.pop()
                ref_w.pop()
                del ref_nums[len(ref_nums) - ref_cnt.pop():]
            if isinstance(exc, _IdError):
                msg, fld = str(exc), exc.field
            elif isinstance(exc, OverflowError):
                msg, fld = f"number out of range ({exc})", "id"
            else:
                msg, fld = f"malformed OpenAlex id ({exc})", "id"
            policy.bad(msg, path=path, line=line, field=fld)
            continue
        nrows = len(row_actor) - row0
        if corresponding:
            if not lead_spans:
                lead_first += 1
                lead_spans = [first_span] if first_span else []
                lead_type = first_type
        elif first_only:
            lead_spans = [first_span] if first_span else []
            lead_type = first_type
        else:
            lead_type = first_type
        for a0, a1 in lead_spans:
            if a1 > a0:
                lead_extend(range(a0, a1))
        rec_chan(fixed_chan if fixed_chan is not None
                 else channel(org_chan.get(lead_type, "academic") if lead_type else "academic"))
        rec_rows(nrows)
        if not nrows:
            skip(SKIP_NO_COUNTRY)
    if ref_nums:
        self_cit += _flush_refs(st, ref_nums, ref_cnt, ref_rec, ref_w, mw)
    report.records_read += n_read
    report.drop(DROP_NO_ACTOR, no_actor)
    report.drop(DROP_NO_COUNTRY, no_country)
    report.unknown_share += unknown
    if lead_first:
        report.note("lead: first author (no corresponding author flagged)", lead_first)
    if truncated:
        report.note("authorships truncated by the API (is_authors_truncated)", truncated)
    if self_cit:
        report.note("self-citations dropped", self_cit)


_REF = re.compile(rb'"(?:https://openalex\.org/)?[Ww](\d{1,18})"')


def _refs_checked(raw):
    """Ids of a referenced_works value that the fast pattern could not read, or raise."""
    import json

    try:
        refs = json.loads(raw)
    except ValueError as exc:  # pragma: no cover - msgspec validated the JSON already
        raise _IdError(f"referenced_works is not valid JSON ({exc})") from None
    if refs is None:
        return []
    if not isinstance(refs, list) or not all(isinstance(x, str) for x in refs):
        raise _IdError(f"referenced_works must be a list of work ids; got {raw[:60]!r}")
    return [_num(x, "W") for x in refs]


def _flush_refs(state, ref_nums, ref_cnt, ref_rec, ref_w, mw):
    """A block's cited ids: drop self-citations; rename merged ids."""
    nums = _np(ref_nums, np.int64).copy()
    cnt = _np(ref_cnt, np.int64)
    rec = np.repeat(_np(ref_rec, np.int64).astype(np.int32), cnt)
    if mw:
        old = np.fromiter((k for k, v in mw.items() if v is not None), dtype=np.int64)
        if len(old):
            new = np.fromiter((mw[k] for k in old.tolist()), dtype=np.int64)
            o = np.argsort(old)
            old, new = old[o], new[o]
            pos = np.minimum(np.searchsorted(old, nums), len(old) - 1)
            hit = old[pos] == nums
            nums[hit] = new[pos[hit]]
    self_ = nums == np.repeat(_np(ref_w, np.int64), cnt)
    n_self = int(self_.sum())
    if n_self:
        nums, rec = nums[~self_], rec[~self_]
    state.cit_rec.frombytes(rec.tobytes())
    state.cit_num.frombytes(nums.tobytes())
    return n_self


def _rollback(state, r, row0):
    """Remove record index r (the last one, partly written) with its rows and citations."""
    for arr in (state.rec_num, state.rec_year, state.rec_chan, state.rec_rows):
        del arr[r:]
    for arr in (state.row_actor, state.row_loc, state.row_w):
        del arr[row0:]
    lead = state.lead_rows
    cut = len(lead)
    while cut > 0 and lead[cut - 1] >= row0:
        cut -= 1
    del lead[cut:]
    cits = state.cit_rec
    cut = len(cits)
    while cut > 0 and cits[cut - 1] >= r:
        cut -= 1
    del state.cit_rec[cut:]
    del state.cit_num[cut:]


# --------------------------------------------------------------------------- authors


def _read_authors(func, authors, policy, report, inst_tab, merged, state):
    """Affiliation spells (author number, year, location code) from an authors file."""
    sp_p, sp_y, sp_l = array("q"), array("i"), array("q")
    if authors is None:
        return sp_p, sp_y, sp_l
    src = _Source(func, authors, "authors")
    dec = _json.decoders("author")
    ma, mi = merged.get("A", {}), merged.get("I", {})
    sub = ReadReport("OpenAlex authors")
    n_auth = 0
    for path, lines, objs, buf, line0 in _iter_entities(src, dec, policy, None, sub):
        report.files.append(path)
        line_of = _LineIndex(buf, line0)
        for k, obj in enumerate(objs):
            for ent in (obj.results if obj.results is not None else (obj,)):
                try:
                    if ent.id is None:
                        raise _IdError("author without id")
                    anum = _num(ent.id, "A")
                    if anum in ma:
                        if ma[anum] is None:
                            continue
                        anum = ma[anum]
                    spells = []
                    for aff in ent.affiliations or ():
                        inst = aff.institution
                        if inst is None or inst.id is None:
                            continue
                        inum = _num(inst.id, "I")
                        if inum in mi and mi[inum] is not None:
                            inum = mi[inum]
                        info = inst_tab.get(inum)
                        cc = inst.country_code or (info[0] if info else None)
                        if info is None:
                            lin = inst.lineage
                            root = _num(lin[-1], "I") if lin else inum
                            info = inst_tab[inum] = [cc.strip().upper() if cc else None,
                                                     inst.type, root, None, None]
                        if not cc:
                            continue
                        ci = state.country(cc)
                        for y in aff.years or ():
                            spells.append((_check_year(y, "affiliations.years"),
                                           inum * _CSHIFT + ci))
                except _IdError as exc:
                    line = lines[k] if lines is not None else line_of(k)
                    policy.bad(str(exc), path=path, line=line, field=exc.field, unit=True)
                    continue
                n_auth += 1
                for y, loc in spells:
                    sp_p.append(anum)
                    sp_y.append(y)
                    sp_l.append(loc)
    report.notes["authors read"] = n_auth
    report.skipped.update({f"authors {k}": v for k, v in sub.skipped.items()})
    return sp_p, sp_y, sp_l


# --------------------------------------------------------------------------- main


def read_openalex(works, institutions=None, authors=None, *, regions=None, channel="auto",
                  org_channels=None, lead="corresponding", errors="raise", max_authors=100,
                  merged_ids=None, mobility="auto", citations=True, rollup=False,
                  exclude_types=("paratext",), progress=None, client=None, n_jobs=None):
    """Read OpenAlex works (snapshot or API) into Contributions, citations and moves.

    Works are streamed: files are decompressed and decoded in blocks of lines, only the
    fields used are decoded (msgspec when installed, else orjson/json with the same
    checks), and only integer-coded arrays are kept, so memory grows with the output
    (contributions, citations), not with the input.

    Parameters
    ----------
    works : path, folder, list of paths, dict, list of dict or iterable
        Works as JSON Lines (plain or ``.gz``; snapshot ``data/works/`` partitions, a
        folder of them searched recursively, or a snapshot ``manifest``), ``.json``
        files holding an API list page (``{"meta": ..., "results": [...]}``), a list of
        works or one work, or API pages already loaded in Python (a dict or list).
        A JSON Lines line may itself be an API page. A generator or other iterable of
        works or pages (pyalex's ``paginate()``) is read like a list. The CSV export of
        the OpenAlex web interface (``|``-joined authorship columns) is recognised by its
        header and read like the same works from the API.
    institutions : path, folder or list, optional
        OpenAlex institutions (JSON Lines or API pages): ``geo.city`` and ``geo.region``
        for city-level region maps (and ``geo.geonames_city_id``, ``geo.latitude``,
        ``geo.longitude``, resolved through the gazetteer), the full ``lineage``, the type and country (used
        where the copy inside a work has none).
    authors : path, folder or list, optional
        OpenAlex authors: ``affiliations[].years`` are affiliation spells for talent
        moves (``mobility="auto"`` or ``"authors"``).
    regions : RegionMap or str, optional
        ``"countries"``, ``"metros"`` or a region CSV path as on the command
        line, or a RegionMap. Region map for locations (default :func:`ecosystem.regions.countries`). Each
        contribution's location (institution country, admin-1 region and city; or a bare
        country) is resolved with ``regions.resolve(..., unmatched="rest")``.
    channel : {"auto"} or str, default "auto"
        Channel of each paper. ``"auto"``: from the organisation type of the lead
        author's first institution through ``org_channels`` (company → ``enterprise``;
        education, facility and unmapped types → ``academic``). Any other string puts
        every paper in that channel.
    org_channels : dict, optional
        Organisation type → channel entries merged over
        :data:`ecosystem.readers.ORG_CHANNELS`.
    lead : {"corresponding", "first", None}, default "corresponding"
        Lead contributions (the presence direction): the corresponding authors, else the
        first author (counted in ``report.notes``); always the first author; or no lead
        (every paper undirected co-presence).
    errors : {"raise", "skip"}, default "raise"
        ``"raise"``: stop at the first malformed line or record with a
        :class:`~ecosystem.exceptions.DataFormatError` naming file, line and field.
        ``"skip"``: count it in ``report.skipped["malformed"]`` (examples in
        ``report.malformed``) and go on.
    max_authors : int or None, default 100
        Works with more authorships are skipped as hyper-authored (counted).
    merged_ids : path, folder, list, dict or set, optional
        OpenAlex ``merged_ids`` CSV files (``merge_date,id,merge_into_id``) or a mapping
        old id → new id (or a set of ids): merged works are dropped (counted), merged
        authors, institutions and cited works are renamed to the surviving id.
    mobility : {"auto", "authors", "works", None}, default "auto"
        Source of talent moves: author affiliation histories (``"authors"``; ``"auto"``
        uses them when ``authors`` is given), the works themselves (author × publication
        year × region), or none.
    citations : bool, default True
        Build the ``citing → cited`` layer from ``referenced_works`` (self-citations
        dropped; citations of works outside the corpus kept, flagged).
    rollup : bool, default False
        Code organisations by the top of their lineage (the parent institution) instead
        of the institution itself.
    exclude_types : collection of str, default ("paratext",)
        Work types to skip (counted as ``"excluded type"``).
    progress : None, bool or callable, optional
        A tqdm bar over the bytes read (``None``: when stderr is a terminal and tqdm is
        installed), or a callback ``f(done_bytes, total_bytes)``. With ``client``: Dask's
        progress bar over the partitions, or ``f(done_partitions, total)``.
    client : distributed.Client or str, optional
        Read on a Dask cluster (a client, ``"local:N"`` or a scheduler address): one task
        per works file, reduced to region flows on the workers, and a
        :class:`~ecosystem.distributed.DistributedRead` returned instead of a
        ReadResult (no citations or talent moves; see :mod:`ecosystem.distributed`).
    n_jobs : int or None, optional
        Worker processes decoding works files (snapshot partitions) in parallel, one file
        per task: ``None`` or ``1`` reads in this process (no process is started), ``-1``
        uses every available core, a larger count is clamped to the cores and to the
        number of files. Each file is read on its own (its institutions first met,
        country and channel numbering) and the files are merged in the order given, so
        every array and every count of the report are identical for any ``n_jobs``.
        Memory: each worker holds the arrays of the file it reads until they are merged,
        and the citation layer is built in a thread beside the contributions. Workers are
        forked where the platform allows it, else spawned (then the calling script needs
        the usual ``if __name__ == "__main__":`` guard).

    Returns
    -------
    ReadResult
        ``.contributions`` (one row per work × author × location, ``weight`` = the row's
        share of the work: 1/n per author, split equally over the author's distinct
        countries, then over the author's institutions in each country; ``role``
        ``"author"``), units abroad (record ``unit:I…``, channel from the parent's type,
        parent → unit, see Notes) and talent moves (record ``move:A…:year``);
        ``.citations``; ``.moves``; ``.report``.

    Raises
    ------
    DataFormatError
        A malformed line or record (``errors="raise"``), or a truncated gzip file.
    ParameterError, InputTypeError
        Bad arguments; missing files.

    Notes
    -----
    Countries of an authorship come from ``countries`` (built by OpenAlex from matched
    institutions and raw affiliation strings); when it is empty, from the countries of
    its institutions (the work's copy, else the institutions file). An institution whose
    country is null takes the authorship's only country not covered by another
    institution. Authorships with no country at all are dropped and their share is added
    to ``report.unknown_share``; a work none of whose authors is located is skipped as
    ``"no country"``. City and admin-1 region come from the institutions file only
    (works carry no city).

    Units abroad (DESIGN §2): an institution used in the works whose lineage top
    (parent) lies in another region gives one record ``unit:I<unit>`` with the parent as
    lead (role ``"origin"``) and the unit as partner (role ``"destination"``), dated to
    the first publication year of the unit in the works read. The parent's location must
    be known (institutions file, or the parent met in the works).

    Citations are kept for every well-formed work that is read (merged and duplicate
    ids excepted), located or not: the citation layer needs no geography.

    Examples
    --------
    >>> page = {"meta": {"count": 1}, "results": [{
    ...     "id": "https://openalex.org/W1", "publication_year": 2020,
    ...     "authorships": [
    ...         {"author": {"id": "https://openalex.org/A1"}, "countries": ["HK", "CN"],
    ...          "is_corresponding": True, "institutions": []},
    ...         {"author": {"id": "https://openalex.org/A2"}, "countries": ["JP"],
    ...          "institutions": []}],
    ...     "referenced_works": ["https://openalex.org/W0"]}]}
    >>> res = read_openalex(page)
    >>> res.contributions.to_pandas()[["actor", "region", "lead", "weight"]]
      actor region   lead  weight
    0    A1     HK   True    0.25
    1    A1     CN   True    0.25
    2    A2     JP  False    0.50
    >>> res.citations.to_pandas()[["citing", "cited", "in_corpus"]].values.tolist()
    [['W1', 'W0', False]]
    >>> res.report.records_read, res.report.records_used
    (1, 1)
    """
    func = "read_openalex"
    region_map = default_regions(regions, func)
    if lead not in _LEADS:
        raise ParameterError(f"{func}: lead must be one of 'corresponding', 'first', None; "
                             f"got {lead!r}")
    if mobility not in _MOBILITY:
        raise ParameterError(f"{func}: mobility must be one of 'auto', 'authors', 'works', "
                             f"None; got {mobility!r}")
    if mobility == "authors" and authors is None:
        raise ParameterError(f"{func}: mobility='authors' needs the authors file; got "
                             "authors=None")
    if max_authors is not None and (isinstance(max_authors, bool)
                                    or not isinstance(max_authors, int) or max_authors < 1):
        raise ParameterError(f"{func}: max_authors must be a positive integer or None; "
                             f"got {max_authors!r}")
    check_channel(func, channel, auto=True)
    org_chan = merged_channels(func, org_channels)
    exclude = frozenset(exclude_types or ())
    if client is not None:  # one Dask task per works file (ecosystem.distributed)
        from ..distributed import read_partitions

        return read_partitions(read_openalex, [x for _, x, _ in _Source(func, works, "works").items],
                               client=client, progress=progress, kwargs=dict(
                                   institutions=institutions, authors=authors, regions=region_map,
                                   channel=channel, org_channels=org_channels, lead=lead,
                                   errors=errors, max_authors=max_authors, merged_ids=merged_ids,
                                   mobility=mobility, citations=citations, rollup=rollup,
                                   exclude_types=exclude_types))
    report = ReadReport("OpenAlex", licence=OPENALEX_LICENCE)
    policy = Policy(func, errors, report)
    merged = _load_merged(func, merged_ids, policy)
    # Decoding allocates millions of short-lived containers and no reference cycles:
    # the cyclic garbage collector would rescan the growing heap again and again, so it
    # is paused while reading (and restored, whatever happens).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(func, works, institutions, authors, region_map, channel, org_chan, lead,
                     policy, report, max_authors, merged, mobility, citations, rollup,
                     exclude, progress, n_jobs)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read(func, works, institutions, authors, region_map, channel, org_chan, lead, policy,
          report, max_authors, merged, mobility, citations, rollup, exclude, progress,
          n_jobs):
    source = _Source(func, works, "works")
    for path, line, fld, msg in source.problems:
        report.records_read += 1
        policy.bad(msg, path=path, line=line, field=fld)
    inst_tab = _load_institutions(func, institutions, policy, report, None)
    state = _State()
    if channel != "auto":
        state.channel(channel)
    # every part sees the institutions file only (a snapshot: the merge adds to inst_tab
    # what parts meet), as a worker process does, so results do not depend on n_jobs
    ctx = (func, "raise" if policy.raise_ else "skip", dict(inst_tab), merged, max_authors,
           lead, None if channel == "auto" else channel, org_chan, bool(citations), exclude)
    bar = Progress(progress, source.total_bytes(), "OpenAlex works")
    try:
        for part in _read_parts(source.items, ctx, n_jobs, bar):
            _merge_part(state, report, inst_tab, part)
            del part
    finally:
        bar.close()

    spells = None
    if mobility in ("auto", "authors") and authors is not None:
        spells = _read_authors(func, authors, policy, report, inst_tab, merged, state)
    return _assemble(state, report, region_map, inst_tab, spells, mobility, citations,
                     org_chan, bool(rollup), effective_n_threads(n_jobs, func=func))


# --------------------------------------------------------------------------- parts
#
# Every works file (or in-memory page) is read on its own into a part: its own growing
# arrays, country and channel numbering, report, and the institutions first met in it
# (not in the institutions file). Parts are merged in file order, so the result is the
# same whether the parts were read one after the other or in parallel processes.

_CTX = None   # the read context of a worker process (set once by _init_worker)


def _read_part(item, ctx, progress=None, offset=0):
    """Read one works item ``(label, path or bytes, whole)`` into a part (a tuple)."""
    (func, errors, inst_tab, merged, max_authors, lead, channel, org_chan, want_cit,
     exclude) = ctx
    report = ReadReport("OpenAlex", licence=OPENALEX_LICENCE)
    policy = Policy(func, errors, report)
    state = _State()
    fixed = None if channel is None else state.channel(channel)
    tab = dict(inst_tab)   # a copy (C-speed look-ups); the new entries are returned
    cctx = (policy, report, tab, merged, max_authors, lead, fixed, org_chan, want_cit,
            exclude)
    decoder = _json.decoders("work")
    label, data, whole = item
    # no cyclic garbage is made here: the collector would only walk the growing caches
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for path, lines, objs, buf, line0 in _iter_item(label, data, whole, decoder, policy,
                                                        progress, offset, report,
                                                        _json.decoders("work_raw")):
            _consume(state, objs, path, lines, buf, line0, cctx)
            del objs
    finally:
        if was_enabled:
            gc.enable()
    state.inst_cache = state.countries = state.chan_index = state.type_chan = None
    state.inst_num_cache = None
    new = {k: v for k, v in tab.items() if k not in inst_tab} if len(tab) > len(inst_tab) \
        else {}
    return state, report, new


def _init_worker(ctx):
    global _CTX
    _CTX = ctx
    gc.disable()


def _read_part_worker(item):
    return _read_part(item, _CTX)


def _read_parts(items, ctx, n_jobs, bar):
    """Parts of every item, in order: in this process, or ``n_jobs`` worker processes."""
    n = effective_n_threads(n_jobs, func=ctx[0])
    n = min(n, sum(1 for _, x, _ in items if isinstance(x, Path)))
    if n <= 1:
        offset = 0
        for item in items:
            yield _read_part(item, ctx, bar, offset)
            if isinstance(item[1], Path):
                offset += os.path.getsize(item[1])
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork where available: the workers start in milliseconds and share the
    # institutions table copy-on-write
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(n, mp_context=mp, initializer=_init_worker,
                             initargs=(ctx,)) as pool:
        futures = [pool.submit(_read_part_worker, item) for item in items]
        try:
            offset = 0
            for item, fut in zip(items, futures):
                try:
                    part = fut.result()
                except Exception as exc:   # the worker's own error, without its traceback
                    raise exc from None
                if isinstance(item[1], Path):
                    offset += os.path.getsize(item[1])
                    if bar is not None:
                        bar.update(offset)
                yield part
        finally:
            for fut in futures:
                fut.cancel()


def _merge_part(state, report, inst_tab, part):
    """Append a part to the whole: codes renumbered, counts added, in file order."""
    st, rep, new_insts = part
    for k, v in new_insts.items():
        inst_tab.setdefault(k, v)
    # countries and channels: the part's numbers -> the whole's
    cmap = np.asarray([0] + [state.country(c) for c in st.country_list[1:]], dtype=np.int64)
    chmap = np.asarray([state.channel(c) for c in st.chan_names] or [0], dtype=np.int8)
    n_rec, n_row = len(state.rec_num), len(state.row_actor)
    state.rec_num.extend(st.rec_num)
    state.rec_year.extend(st.rec_year)
    state.rec_rows.extend(st.rec_rows)
    state.rec_chan.frombytes(chmap[_np(st.rec_chan, np.int8)].tobytes())
    state.row_actor.extend(st.row_actor)
    state.row_w.extend(st.row_w)
    loc = _np(st.row_loc, np.int64)
    ci = loc % _CSHIFT
    state.row_loc.frombytes((loc - ci + cmap[ci]).tobytes())
    del loc, ci
    state.lead_rows.frombytes((_np(st.lead_rows, np.int64) + n_row).tobytes())
    state.cit_rec.frombytes((_np(st.cit_rec, np.int32) + np.int32(n_rec)).tobytes())
    state.cit_num.extend(st.cit_num)
    report.add(rep)


def _drop_duplicate_works(state, report, rec_num, rec_rows):
    """Phase 1: duplicate work ids (overlapping API pages, a partition read twice).

    The first occurrence is kept; found by one sort here instead of a set of every id
    read. The rows, lead rows and citations of the later copies are removed from
    ``state``; returns the rows per record with the copies at 0.
    """
    if len(rec_num) > 1:
        o = np.argsort(rec_num, kind="stable")
        dup_sorted = np.zeros(len(o), bool)
        dup_sorted[1:] = rec_num[o][1:] == rec_num[o][:-1]
        if dup_sorted.any():
            dup = np.zeros(len(rec_num), bool)
            dup[o[dup_sorted]] = True
            # a copy without rows was already skipped (no authors, no country, hyper-
            # authored) when it was read: it is not counted a second time
            report.skip(SKIP_DUPLICATE, int((dup & (rec_rows > 0)).sum()))
            keep_rows = ~np.repeat(dup, rec_rows)
            for name in ("row_actor", "row_loc", "row_w"):
                arr = _np(getattr(state, name), {"row_w": np.float64}.get(name, np.int64))
                setattr(state, name, array(getattr(state, name).typecode,
                                           arr[keep_rows].tobytes()))
            lead = _np(state.lead_rows, np.int64)
            new_index = np.cumsum(keep_rows) - 1
            lead = new_index[lead[keep_rows[lead]]]
            state.lead_rows = array("q", lead.astype(np.int64).tobytes())
            cr = _np(state.cit_rec, np.int32)
            keep_c = ~dup[cr] if len(cr) else np.zeros(0, bool)
            state.cit_num = array("q", _np(state.cit_num, np.int64)[keep_c].tobytes())
            state.cit_rec = array("i", cr[keep_c].tobytes())
            rec_rows = np.where(dup, 0, rec_rows).astype(np.int32)
        del o, dup_sorted
    return rec_rows


def _resolve_locations(state, report, region_map, inst_tab, row_loc, sp_l):
    """Phase 2: every distinct (institution, country) location → region id.

    ``row_loc``: the location codes of the rows (or only their distinct values).

    Returns ``(unit_pairs, region_of, all_locs)``: the (unit, parent, parent country
    index) of institutions whose lineage top is another institution with a known
    country, a function mapping location codes to region ids (-1 unmatched), and the
    sorted distinct location codes.
    """
    loc_parts = [row_loc] + ([sp_l] if sp_l is not None else [])
    inst_used = _unique(row_loc // _CSHIFT)
    inst_used = inst_used[inst_used > 0]
    # parents of units, for the units-abroad records
    unit_pairs = []
    for inum in inst_used.tolist():
        info = inst_tab.get(inum)
        if info is None or info[2] == inum:
            continue
        root = info[2]
        rinfo = inst_tab.get(root)
        if rinfo is None or not rinfo[0]:
            report.note("units abroad: parent location unknown")
            continue
        unit_pairs.append((inum, root, state.country(rinfo[0])))
    root_locs = np.asarray([r * _CSHIFT + c for _, r, c in unit_pairs], dtype=np.int64)
    loc_parts.append(root_locs)
    all_locs = _unique(np.concatenate(loc_parts)) if any(len(p) for p in loc_parts) \
        else np.zeros(0, np.int64)
    countries = np.asarray(state.country_list, dtype=object)
    l_inst = all_locs // _CSHIFT
    l_ctry = countries[all_locs % _CSHIFT]
    city = np.empty(len(all_locs), dtype=object)
    admin1 = np.empty(len(all_locs), dtype=object)
    geo = np.empty((3, len(all_locs)), dtype=object)  # geonames_city_id, latitude, longitude
    for j, inum in enumerate(l_inst.tolist()):
        info = inst_tab.get(inum) if inum else None
        if info is not None and (info[0] is None or info[0] == l_ctry[j]):
            city[j], admin1[j] = info[3], info[4]
            geo[:, j] = info[5:8] if len(info) >= 8 else (None, None, None)
    if len(all_locs):
        loc_region, rep = region_map.resolve(l_ctry, admin1=admin1, city=city,
                                             unmatched="rest", **located_keywords(*geo))
        loc_region = np.asarray(loc_region, dtype=np.int32)
        report.unmatched = rep
    else:
        loc_region = np.zeros(0, np.int64)
        report.unmatched = None

    def region_of(locs):
        if not len(locs):
            return np.zeros(0, np.int32)
        out = np.empty(len(locs), dtype=np.int32)
        step = 1 << 22
        for i in range(0, len(locs), step):
            out[i:i + step] = loc_region[np.searchsorted(all_locs, locs[i:i + step])]
        return out

    return unit_pairs, region_of, all_locs


def _units_abroad(state, report, region_map, inst_tab, org_chan, unit_pairs, region_of,
                  row_locs, row_li, row_region, row_rec, rec_year):
    """Phase 3: one presence record per unit abroad (parent region → unit regions).

    ``row_locs``: the distinct location codes of the rows; ``row_li``: each row's index
    among them.

    Returns the columns ``(record, actor, region, org, lead, year, channel, role)`` of
    the unit records as lists.
    """
    u_rec, u_act, u_reg, u_org, u_lead, u_year, u_chan, u_role = ([] for _ in range(8))
    if unit_pairs:
        loc_inst = row_locs // _CSHIFT
        unit_nums = np.asarray(sorted(u for u, _, _ in unit_pairs), dtype=np.int64)
        sel = np.isin(loc_inst, unit_nums)[row_li]
        s_inst, s_reg = loc_inst[row_li[sel]], row_region[sel]
        s_year = rec_year[row_rec[sel]].astype(np.int64)
        # first publication year of each unit (unknown years last)
        key_year = np.where(s_year >= 0, s_year, np.iinfo(np.int64).max)
        order = np.lexsort((key_year, s_inst))
        s_inst_o, s_year_o = s_inst[order], key_year[order]
        firsts = np.flatnonzero(np.r_[True, s_inst_o[1:] != s_inst_o[:-1]]) if len(order) \
            else np.zeros(0, np.intp)
        first_year = {int(i): (int(y) if y != np.iinfo(np.int64).max else -1)
                      for i, y in zip(s_inst_o[firsts], s_year_o[firsts])}
        R = max(len(region_map.regions), 1)
        pairs = _unique(s_inst * R + s_reg)
        unit_regions = {}
        for inum, reg in zip((pairs // R).tolist(), (pairs % R).tolist()):
            unit_regions.setdefault(inum, []).append(reg)
        n_units = 0
        for inum, root, rci in unit_pairs:
            rreg = int(region_of(np.asarray([root * _CSHIFT + rci]))[0])
            uregions = [g for g in unit_regions.get(inum, ()) if g != rreg]
            if rreg < 0 or not uregions:
                continue
            n_units += 1
            label = f"unit:I{inum}"
            ch = state.channel(channel_of(inst_tab[root][1], "academic", org_chan))
            year = first_year.get(inum, -1)
            for reg, is_lead, act in [(rreg, True, root)] + [(g, False, inum) for g in uregions]:
                u_rec.append(label)
                u_act.append(f"I{act}")
                u_reg.append(reg)
                u_org.append(act)
                u_lead.append(is_lead)
                u_year.append(year)
                u_chan.append(ch)
                u_role.append("origin" if is_lead else "destination")
        report.notes["units abroad (lineage presence records)"] = n_units
        loc_inst = s_inst = s_reg = s_year = sel = key_year = order = None
    return u_rec, u_act, u_reg, u_org, u_lead, u_year, u_chan, u_role


def _talent_moves(report, region_map, mobility, spells, region_of, row_actor, row_rec,
                  row_region, rec_year):
    """Phase 4: talent moves from the works or from the authors' affiliation spells.

    Returns ``(moves table or None, Moves or None)``.
    """
    import pandas as pd

    if spells is not None:
        sp_p, sp_y, sp_l = spells
    moves_df = None
    m_rows = None
    if mobility == "works" or spells is not None:
        if mobility == "works":
            p, yv, rg = row_actor, rec_year[row_rec].astype(np.int64), row_region
            keep = yv >= 0
            p, yv, rg = p[keep], yv[keep], rg[keep]
            src_name = "works"
        else:
            p, yv, rg = sp_p, sp_y.astype(np.int64), region_of(sp_l)
            src_name = "authors"
        mv = moves_from_spells(p, yv, rg)
        regs = np.asarray(region_map.regions, dtype=object)
        moves_df = pd.DataFrame({
            "person": np.char.add("A", mv.person.astype("U20")).astype(object),
            "origin": regs[mv.origin] if len(mv.origin) else np.zeros(0, object),
            "destination": regs[mv.destination] if len(mv.destination) else np.zeros(0, object),
            "year": mv.year.astype(np.int32), "weight": mv.weight, "move": mv.move,
            "source": f"OpenAlex {src_name}",
        })
        m_rows = mv
        report.notes["talent moves"] = mv.n_moves
        report.notes["person-years with simultaneous affiliations"] = int(
            len(np.unique(mv.co_group)))
    return moves_df, m_rows


def _assemble(state, report, region_map, inst_tab, spells, mobility, want_citations,
              org_chan, rollup, threads=1):
    """Build the result from the works read, in named phases.

    1. :func:`_drop_duplicate_works`; the citation layer (:func:`_citations`) while the
       row arrays are still compact;
    2. :func:`_resolve_locations` — locations to regions; unmatched rows dropped;
    3. :func:`_units_abroad` — lineage presence records;
    4. :func:`_talent_moves`;
    5. vocabularies and the Contributions (:func:`build_contributions`).
    """
    rec_num = _np(state.rec_num, np.int64)
    rec_year = _np(state.rec_year, np.int32)
    rec_chan = _np(state.rec_chan, np.int8)
    rec_rows = _np(state.rec_rows, np.int32)
    rec_rows = _drop_duplicate_works(state, report, rec_num, rec_rows)
    row_rec = np.repeat(np.arange(len(rec_num), dtype=np.int32), rec_rows)
    row_actor = _np(state.row_actor, np.int64)
    row_loc = _np(state.row_loc, np.int64)
    row_w = _np(state.row_w, np.float64)
    row_lead = np.zeros(len(row_actor), dtype=bool)
    row_lead[_np(state.lead_rows, np.int64)] = True
    state.lead_rows = None
    # the citation layer first, while the row arrays are still compact
    cit_rec, cit_num = state.cit_rec, state.cit_num
    state.cit_rec = state.cit_num = None
    citations_built = pool = None
    if want_citations and threads > 1:
        # numpy sorts and searches release the GIL: with a second core the citation
        # layer is built in a thread while the contributions are (the same result)
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(1)
        citations_built = pool.submit(_citations, cit_rec, cit_num, rec_num, rec_year,
                                      report)
    elif want_citations:
        release_memory()
        citations_built = _citations(cit_rec, cit_num, rec_num, rec_year, report)
    del cit_rec, cit_num
    release_memory()
    # the rows' distinct locations and each row's index among them: organisation and
    # region are found once per location and gathered for the rows
    row_locs, row_li = _unique_inverse(row_loc)
    del row_loc
    loc_org = row_locs // _CSHIFT
    if rollup and len(loc_org):
        insts = _unique(loc_org[loc_org > 0])
        roots = np.asarray([inst_tab[i][2] if i in inst_tab else i for i in insts.tolist()],
                           dtype=np.int64)
        has = loc_org > 0
        loc_org[has] = roots[np.searchsorted(insts, loc_org[has])]
    loc_org[loc_org == 0] = -1
    sp_p = sp_y = sp_l = None
    if spells is not None:
        sp_p, sp_y, sp_l = (_np(spells[0], np.int64), _np(spells[1], np.int32),
                            _np(spells[2], np.int64))

    unit_pairs, region_of, all_locs = _resolve_locations(state, report, region_map, inst_tab,
                                                         row_locs, sp_l)

    row_region = region_of(row_locs)[row_li]
    ok = row_region >= 0
    n_unmatched = int((~ok).sum())
    if n_unmatched:
        report.drop(DROP_UNMATCHED, n_unmatched)
        report.unknown_share += float(row_w[~ok].sum())
        rows = (row_rec[ok], row_actor[ok], row_region[ok], row_li[ok], row_lead[ok],
                row_w[ok])
        row_rec, row_actor, row_region, row_li, row_lead, row_w = rows
        del rows
    del ok

    # records: those with rows
    rec_has = np.zeros(len(rec_num), dtype=bool)
    rec_has[row_rec] = True
    newly_empty = int(((rec_rows > 0) & ~rec_has).sum())
    if newly_empty:
        report.skip(SKIP_NO_COUNTRY, newly_empty)
    report.records_used = int(rec_has.sum())

    u_rec, u_act, u_reg, u_org, u_lead, u_year, u_chan, u_role = _units_abroad(
        state, report, region_map, inst_tab, org_chan, unit_pairs, region_of, row_locs, row_li,
        row_region, row_rec, rec_year)

    moves_df, m_rows = _talent_moves(report, region_map, mobility,
                                     None if sp_p is None else (sp_p, sp_y, sp_l), region_of,
                                     row_actor, row_rec, row_region, rec_year)

    # ---- vocabularies
    talent = None
    if m_rows is not None and (len(m_rows.person) or len(m_rows.co_person)):
        talent = state.channel("talent")
    chan_sorted = sorted(state.chan_names) if state.chan_names else ["academic"]
    chan_perm = np.asarray([chan_sorted.index(c) for c in state.chan_names] or [0], np.intp)

    used_rec = _unique(row_rec)
    # move records: one per move (origin and destination rows), one per co-presence group
    mv_labels, co_labels = [], []
    if talent is not None:
        mp, my, mn = m_rows.person, m_rows.year, m_rows.move
        first = np.unique(mn, return_index=True)[1]
        mv_labels = [f"move:A{p}:{y}" for p, y in zip(mp[first].tolist(), my[first].tolist())]
        cg = m_rows.co_group
        firstc = np.unique(cg, return_index=True)[1]
        co_labels = [f"coaffil:A{p}:{y}" for p, y in
                     zip(m_rows.co_person[firstc].tolist(), m_rows.co_year[firstc].tolist())]
    unit_labels = sorted(set(u_rec))
    rec_vocab, (c_work, c_mv, c_co, c_unit) = _encode(
        [("W", rec_num[used_rec]), mv_labels, co_labels, unit_labels])
    # work record index -> code
    rec_code = np.full(len(rec_num), -1, dtype=np.intp)
    rec_code[used_rec] = c_work
    del c_work

    # actors: authors + unit/parent institutions
    # the rows' actors: distinct numbers and each row's index among them (its code below)
    act_nums, row_act_idx = _unique_inverse(row_actor)
    move_people = np.zeros(0, np.int64)
    if talent is not None:
        move_people = _unique(np.concatenate([m_rows.person, m_rows.co_person]))
        move_people = np.setdiff1d(move_people, act_nums)
    all_auth = np.concatenate([act_nums, move_people])
    del act_nums
    unit_actors = sorted(set(u_act))
    act_vocab, (c_auth, c_uact) = _encode([("A", all_auth), unit_actors])
    code_rows = c_auth[:len(all_auth) - len(move_people)]   # act_nums come first
    lookup = []

    def actor_code(nums):   # move people (rows use row_act_idx)
        if not lookup:
            order_auth = np.argsort(all_auth, kind="stable")
            lookup.extend([_Positions(all_auth[order_auth]), c_auth[order_auth]])
        return lookup[1][lookup[0](nums)]

    # organisations: institutions of rows (their roots with rollup) and of units
    row_insts = _unique(all_locs // _CSHIFT)
    row_insts = row_insts[row_insts > 0]
    if rollup:
        row_insts = np.asarray([inst_tab[i][2] if i in inst_tab else i
                                for i in row_insts.tolist()], dtype=np.int64)
    org_nums = _unique(np.concatenate([row_insts, np.asarray(u_org, dtype=np.int64)]))
    del row_insts
    org_vocab, (c_org,) = _encode([("I", org_nums)])

    def org_code(nums):
        out = np.full(len(nums), -1, dtype=np.intp)
        has = nums >= 0
        out[has] = c_org[np.searchsorted(org_nums, nums[has])]
        return out

    loc_org_code = org_code(loc_org)
    del loc_org

    roles = ["author"]
    if talent is not None:
        roles += ["origin", "destination", "affiliation"]
    if u_rec:
        roles += ["origin", "destination"]
    role_vocab = tuple(sorted(set(roles)))
    rid = {r: i for i, r in enumerate(role_vocab)}

    parts = {k: [] for k in ("record", "actor", "region", "org", "role", "channel", "year",
                             "lead", "weight")}

    # compact intermediate dtypes (build_contributions widens to the model's dtypes)
    small = {"record": np.int32, "actor": np.int32, "region": np.int32, "org": np.int32,
             "role": np.int8, "channel": np.int8, "year": np.int32, "lead": bool,
             "weight": np.float64}

    def add(**kw):
        for k, v in kw.items():
            parts[k].append(np.asarray(v).astype(small[k], copy=False))

    n = len(row_rec)
    # the work rows' columns, slice by slice: temporaries stay the size of one slice
    cols = {k: np.empty(n, dtype=small[k]) for k in ("record", "actor", "org", "year",
                                                      "channel")}
    chan8 = chan_perm.astype(np.int8)
    step = 1 << 22
    for i in range(0, n, step):
        sl = slice(i, i + step)
        rr = row_rec[sl]
        cols["record"][sl] = rec_code[rr]
        cols["year"][sl] = rec_year[rr]
        cols["channel"][sl] = chan8[rec_chan[rr]]
        cols["actor"][sl] = code_rows[row_act_idx[sl]]
        cols["org"][sl] = loc_org_code[row_li[sl]]
        del rr
    add(region=row_region, role=np.full(n, rid["author"], np.int8), lead=row_lead,
        weight=row_w, **cols)
    del cols, row_actor, row_region, row_li, loc_org_code
    del row_rec, row_lead, row_w
    for name in ("row_actor", "row_loc", "row_w", "rec_rows"):
        setattr(state, name, None)
    if u_rec:
        ulab = {s: i for i, s in enumerate(unit_labels)}
        uact = {s: i for i, s in enumerate(unit_actors)}
        m = len(u_rec)
        add(record=c_unit[[ulab[s] for s in u_rec]], actor=c_uact[[uact[s] for s in u_act]],
            region=np.asarray(u_reg, np.int64), org=org_code(np.asarray(u_org, np.int64)),
            role=np.asarray([rid[s] for s in u_role], np.intp),
            channel=chan_perm[np.asarray(u_chan, np.intp)],
            year=np.asarray(u_year, np.int32), lead=np.asarray(u_lead, bool),
            weight=np.ones(m))
    if talent is not None:
        mp = m_rows.person
        k = len(mp)
        mrec = c_mv[m_rows.move]
        sqrt_w = m_rows.weight
        # origin rows and destination rows; row weight = the pair weight (kernel shares)
        add(record=np.concatenate([mrec, mrec]), actor=np.concatenate([actor_code(mp)] * 2),
            region=np.concatenate([m_rows.origin, m_rows.destination]),
            org=np.full(2 * k, -1, np.intp),
            role=np.concatenate([np.full(k, rid["origin"]), np.full(k, rid["destination"])]),
            channel=np.full(2 * k, chan_perm[talent], np.intp),
            year=np.concatenate([m_rows.year, m_rows.year]).astype(np.int32),
            lead=np.concatenate([np.ones(k, bool), np.zeros(k, bool)]),
            weight=np.concatenate([sqrt_w, sqrt_w]))
        kc = len(m_rows.co_person)
        if kc:
            sizes = np.bincount(m_rows.co_group)
            add(record=c_co[m_rows.co_group], actor=actor_code(m_rows.co_person),
                region=m_rows.co_region, org=np.full(kc, -1, np.intp),
                role=np.full(kc, rid["affiliation"], np.intp),
                channel=np.full(kc, chan_perm[talent], np.intp),
                year=m_rows.co_year.astype(np.int32), lead=np.zeros(kc, bool),
                weight=1.0 / sizes[m_rows.co_group])
    cat = {}
    for k in list(parts):
        v = parts.pop(k)
        cat[k] = v[0] if len(v) == 1 else np.concatenate(v)
        del v
    labels = {"record": rec_vocab, "actor": act_vocab, "org": org_vocab, "region":
              tuple(region_map.regions), "role": role_vocab, "channel": tuple(chan_sorted)}
    info = {"source": "OpenAlex", "licence": OPENALEX_LICENCE,
            "weight": "fractional share of the record: 1/n per author, split over the "
                      "author's countries, then institutions",
            "lead": "corresponding author, else first author",
            "region_map": getattr(region_map, "name", None)}
    contributions = build_contributions(cat, labels=labels, region_map=region_map, info=info)
    if mobility == "works" and m_rows is not None:
        report.notes["moves derived from"] = "works (author x publication year x region)"

    cit = citations_built
    if pool is not None:
        cit = cit.result()
        pool.shutdown()
    return ReadResult(contributions=contributions, citations=cit, moves=moves_df,
                      report=report)


def _np(arr, dtype):
    """Zero-copy view of a typed array (it keeps the buffer alive; appends are over)."""
    if len(arr) == 0:
        return np.zeros(0, dtype=dtype)
    return np.frombuffer(arr, dtype=dtype)


def _citations(cit_rec, cit_num, rec_num, rec_year, report):
    """The citation layer; document labels in numeric id order (``W<number>``).

    The cited ids are coded by :func:`_unique_inverse` (one argsort per slice, no binary
    search per link), then mapped to the positions of the distinct ids in the sorted
    union of work and cited ids. Memory: a few bytes per link above the output.
    """
    citing_idx = _np(cit_rec, np.int32)
    cited_num = _np(cit_num, np.int64)
    del cit_rec, cit_num
    m = len(cited_num)
    order = np.argsort(rec_num, kind="stable")
    rec_sorted = rec_num[order]
    distinct, cited = _unique_inverse(cited_num)
    del cited_num
    nums = _unique(np.concatenate([rec_sorted, distinct]), runs=True) if m else rec_sorted
    year_of = np.full(len(nums), -1, np.int32)
    corpus_of = np.zeros(len(nums), bool)
    citing_rec = np.searchsorted(nums, rec_sorted).astype(np.int32)   # sorted needles
    if len(rec_sorted):
        year_of[citing_rec] = rec_year[order]
        corpus_of[citing_rec] = True
    where = np.searchsorted(nums, distinct).astype(np.int32)
    del distinct
    step = 1 << 22
    for i in range(0, m, step):  # in place, slice by slice
        cited[i:i + step] = where[cited[i:i + step]]
    del where
    rank = np.empty(len(rec_num), np.int32)
    rank[order] = citing_rec
    # links are grouped by citing record (appended record after record): keep runs
    if m:
        starts = np.flatnonzero(np.r_[True, citing_idx[1:] != citing_idx[:-1]])
        run_docs = rank[citing_idx[starts]]
        run_counts = np.diff(np.r_[starts, m]).astype(np.int32)
        del starts
    else:
        run_docs = run_counts = np.zeros(0, np.int32)
    del citing_idx
    in_corpus_n = int(corpus_of[cited].sum())
    del rank
    # labels: only the documents that take part in a link
    used = np.zeros(len(nums), bool)
    used[run_docs] = True
    used[cited] = True
    remap = (np.cumsum(used, dtype=np.int64) - 1).astype(np.int32)
    run_docs = remap[run_docs]
    for i in range(0, m, step):  # in place, slice by slice
        cited[i:i + step] = remap[cited[i:i + step]]
    del remap
    report.notes["citations"] = int(m)
    report.notes["citations outside the corpus (dangling)"] = int(m - in_corpus_n)
    return Citations((run_docs, run_counts), cited, PrefixedIds("W", nums[used]), year_of[used],
                     corpus_of[used], info={"source": "OpenAlex referenced_works"})
