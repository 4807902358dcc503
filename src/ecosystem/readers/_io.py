"""Input side of the readers: files, damaged streams, lines, delimited records, columns.

Nothing here loses a good record to a bad one:

* :func:`iter_chunks` — the decompressed bytes of a plain, gzip (also multi-member) or
  zip file; a truncated or corrupt stream raises :class:`StreamDamage` only after every
  byte before the damage has been handed over;
* :func:`iter_line_blocks` — whole-line blocks for decoders that take many lines at once
  (OpenAlex), with the physical line number of each block;
* :func:`iter_text_lines` — physical lines decoded one by one: a line that is not UTF-8
  is flagged, not fatal (UTF-16 files with a BOM are decoded whole);
* :func:`csv_records` — delimited records with the physical line of each; a record with
  the wrong number of fields, a line that is not UTF-8 or an unclosed quote costs that
  record only (the lines an unclosed quote swallowed are read again);
* :func:`read_table` / :func:`read_whole_table` — delimited tables as string DataFrames
  with a ``_line`` column; :func:`int_column`, :func:`float_column`, :func:`year_column`
  — checked numbers with located errors.

Every problem goes through the reader's :class:`~ecosystem.readers._report.Policy`:
a located :class:`~ecosystem.exceptions.DataFormatError` (``errors="raise"``) or a
counted skip with its file and line (``errors="skip"``).
"""

from __future__ import annotations

import csv
import os
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..contributions import YEAR_MAX, YEAR_MIN
from ..exceptions import DataFormatError, InputTypeError, ParameterError

try:  # ISA-L's inflate is about 3x faster than zlib's (optional, extra "io")
    from isal import isal_zlib as _zlib

    if not hasattr(_zlib.decompressobj(31), "copy"):  # pragma: no cover
        raise ImportError
    GZIP_BACKEND = "isal"
except ImportError:  # pragma: no cover - depends on the environment
    _zlib = zlib
    GZIP_BACKEND = "zlib"
_ZLIB_ERRORS = tuple({zlib.error, getattr(_zlib, "error", zlib.error)})

_BLOCK = 1 << 22        # 4 MiB of decompressed text per block (iter_line_blocks)
_READ = 1 << 20         # compressed bytes per read
_MAX_SPAN = 5000        # physical lines one quoted record may span
_MAX_BAD_PER_COLUMN = 50  # examples per column and chunk (the rest is counted)


class StreamDamage(Exception):
    """A truncated or corrupt file; every byte before the damage was handed over."""


# --------------------------------------------------------------------------- bytes


def iter_chunks(path, where=None):
    """Decompressed byte chunks of a plain, gzip or single-member zip file.

    ``where``, a one-element list, receives the bytes of the file consumed so far.

    Raises
    ------
    StreamDamage
        After the last recoverable chunk, when the stream is truncated or corrupt.
    """
    with open(path, "rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic[:2] == b"\x1f\x8b":
            for chunk in _gunzip(raw):
                if where is not None:
                    where[0] = raw.tell()
                yield chunk
        elif magic == b"PK\x03\x04":
            yield from _unzip(path)
        else:
            while True:
                chunk = raw.read(_READ)
                if not chunk:
                    return
                if where is not None:
                    where[0] = raw.tell()
                yield chunk
        if where is not None:
            where[0] = raw.tell()


def _gunzip(raw):
    """Inflate every gzip member; on damage, salvage the output up to the bad bytes."""
    d = _zlib.decompressobj(31)
    fed = False          # bytes of the current member fed
    while True:
        comp = raw.read(_READ)
        if not comp:
            if fed and not d.eof:
                raise StreamDamage("truncated gzip stream (the file ends before the "
                                   "end-of-stream marker)")
            return
        data = comp
        while data:
            saved = d.copy()
            try:
                out = d.decompress(data)
            except _ZLIB_ERRORS as exc:
                yield from _salvage(saved, data, exc)
            fed = True
            if out:
                yield out
            if d.eof:
                data = d.unused_data
                if data.strip(b"\x00") == b"":
                    # trailing zero padding: read on, in case more follows
                    data = b""
                    fed = False
                    d = _zlib.decompressobj(31)
                    continue
                if not data.startswith(b"\x1f\x8b"):
                    raise StreamDamage("corrupt gzip stream (data after the end of the "
                                       "stream is not a gzip member)")
                d = _zlib.decompressobj(31)
                fed = False
            else:
                data = b""


def _salvage(d, data, exc):
    """Feed ``data`` in small pieces to a copy of the inflater: output before the error."""
    for i in range(0, len(data), 256):
        try:
            out = d.decompress(data[i:i + 256])
        except _ZLIB_ERRORS:
            break
        if out:
            yield out
    raise StreamDamage(f"corrupt gzip stream ({exc})")


def _unzip(path):
    import zipfile

    try:
        zf = zipfile.ZipFile(path)
        members = [n for n in zf.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise StreamDamage(f"corrupt zip archive ({exc})") from None
    if len(members) != 1:
        raise DataFormatError(f"zip archive must hold exactly one file; it holds "
                              f"{len(members)}", path=str(path))
    try:
        with zf.open(members[0]) as fh:
            while True:
                chunk = fh.read(_READ)
                if not chunk:
                    return
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            *_ZLIB_ERRORS) as exc:
        raise StreamDamage(f"corrupt zip archive ({exc})") from None
    finally:
        zf.close()


def _damage_line(policy, path, exc, line):
    policy.damaged.add(str(path))
    policy.bad(f"{exc}; the rest of the file is unreadable", path=path, line=line, unit=True)


def iter_line_blocks(path, policy, progress=None, offset=0, block=_BLOCK):
    """Yield ``(first_line_number, bytes)`` blocks of whole lines of a plain or gzip file.

    A UTF-8 BOM at the start is removed. A truncated or corrupt stream ends the file
    with a located error (raised, or counted once under ``errors="skip"``) after every
    complete line before the damage has been yielded. ``progress.update`` receives
    ``offset`` + compressed bytes consumed (approximately: whole chunks).
    """
    line_no = 1
    rest = b""
    first = True
    where = [0]
    pending = []
    size = 0
    try:
        for chunk in iter_chunks(path, where):
            if first:
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                first = False
            pending.append(chunk)
            size += len(chunk)
            if size < block:
                continue
            buf = rest + b"".join(pending)
            pending, size = [], 0
            cut = buf.rfind(b"\n")
            if cut < 0:
                rest = buf
                continue
            out, rest = buf[:cut + 1], buf[cut + 1:]
            yield line_no, out
            line_no += out.count(b"\n")
            if progress is not None:
                progress.update(offset + where[0])
    except StreamDamage as exc:
        buf = rest + b"".join(pending)
        cut = buf.rfind(b"\n")
        if cut >= 0:
            yield line_no, buf[:cut + 1]
            line_no += buf.count(b"\n", 0, cut + 1)
        _damage_line(policy, path, exc, line_no)
        return
    except OSError as exc:
        _damage_line(policy, path, f"unreadable file ({exc})", line_no)
        return
    buf = rest + b"".join(pending)
    if buf.strip():
        yield line_no, buf
    if progress is not None:
        progress.update(offset + os.path.getsize(path))


# --------------------------------------------------------------------------- lines


def iter_text_lines(path, policy):
    """Yield ``(line_number, text, ok)`` of every physical line, with its line ending.

    ``ok`` is False for a line that is not valid UTF-8 (its text is decoded with
    replacement characters; the caller reports the record holding it). A UTF-8 BOM is
    removed; a file starting with a UTF-16 BOM is decoded as UTF-16 (an undecodable
    UTF-16 file is one malformed unit). A damaged stream ends the lines with a located
    error (raised, or counted once).
    """
    n = 0
    rest = b""
    first = True
    try:
        chunks = iter_chunks(path)
        for chunk in chunks:
            if first:
                first = False
                if chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    yield from _utf16_lines(path, chunk + b"".join(chunks), policy)
                    return
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
            parts = (rest + chunk).split(b"\n") if rest else chunk.split(b"\n")
            rest = parts.pop()
            for raw in parts:
                n += 1
                try:
                    yield n, raw.decode("utf-8") + "\n", True
                except UnicodeDecodeError:
                    yield n, raw.decode("utf-8", "replace") + "\n", False
    except StreamDamage as exc:
        _damage_line(policy, path, exc, n + 1)
        return
    except OSError as exc:
        _damage_line(policy, path, f"unreadable file ({exc})", n + 1)
        return
    if rest:
        n += 1
        try:
            yield n, rest.decode("utf-8"), True
        except UnicodeDecodeError:
            yield n, rest.decode("utf-8", "replace"), False


def _utf16_lines(path, data, policy):
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        policy.bad(f"not UTF-16 text ({exc})", path=path, line=1, unit=True)
        return
    for n, line in enumerate(text.splitlines(keepends=True), 1):
        yield n, line, True


@contextmanager
def _wide_fields():
    """Lift the csv module's 131,072-character field limit for the duration."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def csv_records(lines, *, sep, policy, path, ncols=None, quoting=csv.QUOTE_MINIMAL,
                what="fields", tolerance=0):
    """Yield ``(line, fields)`` of the well-formed delimited records of ``lines``.

    Parameters
    ----------
    lines : iterator of (int, str, bool)
        From :func:`iter_text_lines`.
    sep : str
        One-character delimiter.
    policy : Policy
        Malformed records are reported here (each once, with its first physical line).
    path : path
        For the reports.
    ncols : int, optional
        Fields a record must have (``tolerance`` more or fewer are accepted); None
        accepts any number (the header, read first, sets it for the caller).
    quoting : int
        A :mod:`csv` quoting constant.

    Blank lines are skipped. A record that spans several physical lines and has the
    wrong number of fields (an unclosed quote) is reported at its first line, and the
    lines after that one are read again as records of their own. A quoted record may
    span at most 5,000 physical lines.
    """
    src = _Pushback(lines)
    consumed = []
    eof = [False]

    def feed():
        while len(consumed) < _MAX_SPAN:
            item = src.next()
            if item is None:
                eof[0] = True
                return
            consumed.append(item)
            yield item[1]

    with _wide_fields():
        while True:
            reader = csv.reader(feed(), delimiter=sep, quoting=quoting)
            while True:
                consumed.clear()
                try:
                    row = next(reader)
                except StopIteration:
                    row = None
                except csv.Error as exc:
                    if consumed:
                        policy.bad(f"unreadable delimited text ({exc})", path=path,
                                   line=consumed[0][0], unit=True)
                        if len(consumed) > 1:
                            src.push(consumed[1:])
                    break  # a fresh reader
                if row is None:
                    break
                if not consumed:  # pragma: no cover - csv yields rows of lines read
                    continue
                first = consumed[0][0]
                if len(consumed) == 1 and not consumed[0][1].strip():
                    continue  # blank line
                if ncols is not None and abs(len(row) - ncols) > tolerance:
                    policy.bad(f"expected {ncols} {what}, got {len(row)}", path=path,
                               line=first, unit=True)
                    if len(consumed) > 1:
                        src.push(consumed[1:])
                        break
                    continue
                bad = next((ln for ln, _t, ok in consumed if not ok), None)
                if bad is not None:
                    policy.bad("not UTF-8 text", path=path, line=bad, unit=True)
                    continue
                yield first, row
                if len(consumed) >= _MAX_SPAN:
                    break
            if eof[0] and not src.pending():
                return
            eof[0] = False


class _Pushback:
    """An iterator with a stack of items to read again."""

    def __init__(self, it):
        self.it = iter(it)
        self.back = []

    def next(self):
        if self.back:
            return self.back.pop()
        return next(self.it, None)

    def push(self, items):
        self.back.extend(reversed(items))

    def pending(self):
        return bool(self.back)


# --------------------------------------------------------------------------- tables


def check_sep(func, sep):
    """A one-character delimiter, or a ParameterError."""
    if not isinstance(sep, str) or len(sep) != 1 or sep in "\r\n\"":
        raise ParameterError(f"{func}: sep must be one character (not a quote or line "
                             f"break); got {sep!r}")
    return sep


def normalise_header(name):
    return str(name).strip().strip('"').strip().lstrip("\ufeff").lower()


def read_header(path, lines, *, sep, policy, quoting=csv.QUOTE_MINIMAL):
    """The header fields of a delimited file (first non-blank record), or raise.

    The header cannot be skipped: an empty file or a header that is not UTF-8 raises a
    located DataFormatError whatever the policy. None when the file is damaged before
    its header (the damage was counted under ``errors="skip"``): the file has no rows.
    """
    for line, text, ok in lines:
        if not text.strip():
            continue
        if not ok:
            raise DataFormatError("the header row is not UTF-8 text", path=str(path),
                                  line=line)
        try:
            with _wide_fields():
                return next(csv.reader([text], delimiter=sep, quoting=quoting))
        except (csv.Error, StopIteration) as exc:
            raise DataFormatError(f"unreadable header row ({exc})", path=str(path),
                                  line=line) from None
    if str(path) in policy.damaged:
        return None
    raise DataFormatError("empty file: no header row", path=str(path), line=1)


def read_table(path, *, sep, required, optional=(), policy, chunksize=1_000_000,
               quoting=csv.QUOTE_MINIMAL, lower=True):
    """Yield ``(lines, DataFrame)`` chunks of a delimited file as strings.

    Headers are normalised (quotes, BOM and surrounding spaces removed; lower-cased when
    ``lower``); only the ``required`` and ``optional`` columns present are kept, as
    ``str`` with missing values as ``""``. A missing required column raises a
    DataFormatError naming it (line 1). ``lines`` holds the physical line number of
    every row. Rows with the wrong number of fields, lines that are not UTF-8 and
    unclosed quotes raise (``errors="raise"``) or are counted with their lines
    (``"skip"``); every other row is kept.
    """
    import pandas as pd

    lines = iter_text_lines(path, policy)
    header = read_header(path, lines, sep=sep, policy=policy, quoting=quoting)
    if header is None:
        return
    names = [normalise_header(h) if lower else str(h).strip().strip('"').lstrip("\ufeff")
             for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise DataFormatError(f"missing required column {missing[0]!r}; the header has "
                              f"{names}", path=str(path), line=1, field=missing[0])
    wanted = [c for c in list(required) + list(optional) if c in names]
    positions = [names.index(c) for c in wanted]
    rows, at = [], []

    def frame():
        cols = list(zip(*rows)) if rows else [()] * len(names)
        df = pd.DataFrame({c: pd.array(cols[p], dtype="str") for c, p in
                           zip(wanted, positions)}, index=pd.RangeIndex(len(rows)))
        return np.asarray(at, dtype=np.int64), df

    for line, row in csv_records(lines, sep=sep, policy=policy, path=path, ncols=len(names),
                                 quoting=quoting):
        rows.append(row)
        at.append(line)
        if len(rows) >= chunksize:
            yield frame()
            rows, at = [], []
    if rows:
        yield frame()


def read_whole_table(path, *, sep, required, optional, policy, report):
    """Read a delimited table whole, with a ``_line`` column of physical line numbers.

    Parameters
    ----------
    path : path
        The file (plain or compressed).
    sep : str
        Field delimiter.
    required, optional : sequence of str
        Columns that must exist and columns read when present.
    policy : Policy
        The reader's error policy.
    report : ReadReport
        Receives the file name (and, through ``read_table``, malformed lines).

    Returns
    -------
    pandas.DataFrame
        The columns read plus ``_line``; empty (with the required columns) for a file
        without rows.
    """
    import pandas as pd

    report.files.append(str(path))
    parts = []
    for lines, chunk in read_table(path, sep=sep, required=required, optional=optional,
                                   policy=policy):
        chunk["_line"] = lines
        parts.append(chunk)
    if not parts:
        return pd.DataFrame({c: pd.array([], dtype="str") for c in required} |
                            {"_line": np.zeros(0, np.int64)})
    return pd.concat(parts, ignore_index=True)


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


# --------------------------------------------------------------------------- columns


def _line_at(start, i):
    """Line of row i: ``start + i`` for an int start, else ``start[i]`` (line numbers)."""
    if isinstance(start, (int, np.integer)):
        return int(start) + int(i)
    return int(start[i])


def report_bad_rows(bad, raw, start, path, policy, col, message):
    """Report the rows of mask ``bad``: each a malformed unit (a row of a table).

    The first rows are reported one by one (located examples); the rest are counted
    together.
    """
    idx = np.flatnonzero(bad)
    for i in idx[:1 if policy.raise_ else _MAX_BAD_PER_COLUMN]:
        policy.bad(message(raw.iloc[i]), path=path, line=_line_at(start, i), field=col,
                   unit=True)
    extra = len(idx) - min(len(idx), _MAX_BAD_PER_COLUMN)
    if extra > 0:
        policy.bad(f"{extra} more malformed values", path=path, field=col, n=extra,
                   unit=True)


def _numbers(raw):
    import pandas as pd

    text = raw.astype(str).str.strip()
    empty = (text == "").to_numpy()
    vals = pd.to_numeric(text.where(~empty, None), errors="coerce")
    return np.asarray(vals, dtype=np.float64), empty


def int_column(chunk, col, start, path, policy, *, allow_empty=True, lo=None, hi=None,
               what="an integer"):
    """Integer values of a string column (NaN where empty); bad cells go to the policy.

    Cells that are not whole finite numbers, or outside ``[lo, hi]``, are malformed.

    Returns
    -------
    (ndarray of float64, ndarray of bool)
        The values (NaN for empty) and the mask of rows to keep.
    """
    raw = chunk[col]
    vals, empty = _numbers(raw)
    finite = np.isfinite(vals)
    bad = (~finite & ~empty) | (finite & (vals != np.round(vals)))
    if lo is not None:
        bad |= finite & (vals < lo)
    if hi is not None:
        bad |= finite & (vals > hi)
    if not allow_empty:
        bad |= empty
    vals = np.where(bad, np.nan, vals)
    rng = f" in {lo}..{hi}" if lo is not None and hi is not None else ""
    report_bad_rows(bad, raw, start, path, policy, col,
                lambda v: f"{v!r} is not {what}{rng}")
    return vals, ~bad


def parse_year(text):
    """``(year, None)`` for a year cell (-1 when empty), or ``(-1, reason)``.

    A year is 1 to 4 ASCII digits in ``YEAR_MIN..YEAR_MAX`` (surrounding spaces are
    ignored); Unicode digits such as ``"²"``, signs, fractions and huge numbers are not.

    Examples
    --------
    >>> parse_year(" 2021 "), parse_year(""), parse_year("200\u00b2")[1]
    ((2021, None), (-1, None), "'200²' is not a year (4 digits in 1000..2200)")
    """
    t = text.strip()
    if not t:
        return -1, None
    if len(t) <= 4 and t.isascii() and t.isdigit():
        y = int(t)
        if YEAR_MIN <= y <= YEAR_MAX:
            return y, None
    shown = t if len(t) <= 40 else t[:37] + "..."
    return -1, f"{shown!r} is not a year (4 digits in {YEAR_MIN}..{YEAR_MAX})"


def year_column(chunk, col, start, path, policy):
    """Years of a string column (NaN where empty): whole numbers in YEAR_MIN..YEAR_MAX."""
    return int_column(chunk, col, start, path, policy, lo=YEAR_MIN, hi=YEAR_MAX,
                      what="a year")


def float_column(chunk, col, start, path, policy, *, hi=None, allow_empty=True):
    """Non-negative finite float values of a string column (NaN where empty).

    ``hi`` is an upper bound (e.g. 1 for a share); empty cells are malformed unless
    ``allow_empty``.
    """
    raw = chunk[col]
    vals, empty = _numbers(raw)
    bad = (np.isnan(vals) & ~empty) | (vals < 0) | np.isinf(vals)
    if hi is not None:
        bad |= vals > hi
    if not allow_empty:
        bad |= empty
    rng = "" if hi is None else f" (at most {hi})"
    report_bad_rows(bad, raw, start, path, policy, col,
                lambda v: f"{v!r} is not a non-negative number{rng}" if v != "" else
                "empty value where a number is required")
    return vals, ~bad
