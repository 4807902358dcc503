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
import io
import itertools
import os
import warnings
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..contributions import YEAR_MAX, YEAR_MIN
from ..exceptions import DataFormatError, InputTypeError, ParameterError

try:  # ISA-L's inflate is about 3x faster than zlib's (optional, extra "io")
    from isal import isal_zlib as _zlib

    _zlib.decompressobj(31)
    GZIP_BACKEND = "isal"
except (ImportError, AttributeError, TypeError):  # pragma: no cover - environment
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
    member_start = 0     # file offset of the current member
    member_out = 0       # bytes yielded from the current member
    consumed = 0         # bytes read from the file
    while True:
        comp = raw.read(_READ)
        if not comp:
            if fed and not d.eof:
                raise StreamDamage("truncated gzip stream (the file ends before the "
                                   "end-of-stream marker)")
            return
        consumed += len(comp)
        data = comp
        while data:
            try:   # at most one block of output per call (a bounded memory peak)
                out = d.decompress(data, _BLOCK)
            except _ZLIB_ERRORS as exc:
                yield from _salvage(raw, member_start, member_out, exc)
            fed = True
            if out:
                member_out += len(out)
                yield out
            if d.unconsumed_tail and not d.eof:
                data = d.unconsumed_tail
                continue
            if d.eof:
                data = d.unused_data
                member_start = consumed - len(data)
                member_out = 0
                d = _zlib.decompressobj(31)
                fed = False
                if data.strip(b"\x00") == b"":
                    data = b""   # trailing zero padding: read on, in case more follows
                elif not data.startswith(b"\x1f\x8b"):
                    raise StreamDamage("corrupt gzip stream (data after the end of the "
                                       "stream is not a gzip member)")
            else:
                data = b""


def _salvage(raw, start, done, exc):
    """Inflate the damaged member again in small pieces, from its start, with zlib.

    The bytes already handed over (``done``) are skipped; everything after them up to
    the first bad piece is yielded; then StreamDamage is raised.
    """
    raw.seek(start)
    d = zlib.decompressobj(31)
    while True:
        piece = raw.read(256)
        if not piece:
            break
        try:
            out = d.decompress(piece)
        except zlib.error:
            break
        if done:
            cut = min(done, len(out))
            out, done = out[cut:], done - cut
        if out:
            yield out
        if d.eof:
            break
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


def count_newlines(data):
    """Number of ``\\n`` bytes in ``data`` (compiled, memchr from line to line: 5x numpy's
    comparison and 30x ``bytes.count`` on 4 MiB blocks of JSON lines)."""
    from ._openalex_fast import count_newlines as count

    return count(data)


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
            # whole lines up to the last newline of the last chunk, copied once
            cut = chunk.rfind(b"\n")
            if cut < 0:
                continue
            out = b"".join([rest, *pending[:-1], memoryview(chunk)[:cut + 1]])
            rest = chunk[cut + 1:]
            pending, size = [], 0
            yield line_no, out
            line_no += count_newlines(out)
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


def _text_batches(path, policy):
    """Yield ``(first line number, texts, bad)``: lines of one decompressed chunk.

    ``texts`` keep their ``"\n"`` ending; ``bad`` holds the positions of the lines that
    are not UTF-8 (decoded with replacement characters). A chunk is decoded at once
    and line by line only when that fails.
    """
    n = 1
    rest = b""
    first = True
    try:
        chunks = iter_chunks(path)
        for chunk in chunks:
            if first:
                first = False
                if chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    texts = _utf16_lines(path, chunk + b"".join(chunks), policy)
                    if texts:
                        yield 1, texts, set()
                    return
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
            buf = rest + chunk if rest else chunk
            cut = buf.rfind(b"\n")
            if cut < 0:
                rest = buf
                continue
            rest = buf[cut + 1:]
            texts, bad = _decode_lines(buf[:cut])
            yield n, texts, bad
            n += len(texts)
    except StreamDamage as exc:
        _damage_line(policy, path, exc, n)
        return
    except OSError as exc:
        _damage_line(policy, path, f"unreadable file ({exc})", n)
        return
    if rest:
        texts, bad = _decode_lines(rest)
        texts[-1] = texts[-1][:-1]     # no line ending at the end of the file
        yield n, texts, bad


def _decode_lines(data):
    """(texts ending in "\n", positions not UTF-8) of the lines of ``data``."""
    try:
        return [t + "\n" for t in data.decode("utf-8").split("\n")], set()
    except UnicodeDecodeError:
        texts, bad = [], set()
        for i, raw in enumerate(data.split(b"\n")):
            try:
                texts.append(raw.decode("utf-8") + "\n")
            except UnicodeDecodeError:
                texts.append(raw.decode("utf-8", "replace") + "\n")
                bad.add(i)
        return texts, bad


class TextLines:
    """The physical lines of a file: ``(line_number, text, ok)`` one by one, or batches.

    ``text`` keeps its line ending; ``ok`` is False for a line that is not valid UTF-8
    (decoded with replacement characters; the caller reports the record holding it).
    A UTF-8 BOM is removed; a file starting with a UTF-16 BOM is decoded as UTF-16 (an
    undecodable UTF-16 file is one malformed unit). A damaged stream ends the lines
    with a located error (raised, or counted once).
    """

    def __init__(self, path, policy):
        self._batches = _text_batches(path, policy)
        self._n0, self._texts, self._bad, self._pos = 1, [], set(), 0

    def _fill(self):
        while self._pos >= len(self._texts):
            b = next(self._batches, None)
            if b is None:
                return False
            (self._n0, self._texts, self._bad), self._pos = b, 0
        return True

    def __iter__(self):
        return self

    def peek(self):
        """The next ``(line_number, text, ok)`` without consuming it, or None at the end."""
        if not self._fill():
            return None
        i = self._pos
        return self._n0 + i, self._texts[i], i not in self._bad

    def __next__(self):
        if not self._fill():
            raise StopIteration
        i = self._pos
        self._pos += 1
        return self._n0 + i, self._texts[i], i not in self._bad

    def next_batch(self, size):
        """``(first line number, texts, bad positions)`` of up to ``size`` lines, or None."""
        if not self._fill():
            return None
        i = self._pos
        j = min(len(self._texts), i + size)
        self._pos = j
        bad = {k - i for k in self._bad if i <= k < j} if self._bad else set()
        return self._n0 + i, self._texts[i:j], bad


def iter_text_lines(path, policy):
    """The lines of a file as :class:`TextLines` (``(line_number, text, ok)`` tuples)."""
    return TextLines(path, policy)


def _utf16_lines(path, data, policy):
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        policy.bad(f"not UTF-16 text ({exc})", path=path, line=1, unit=True)
        return []
    return text.splitlines(keepends=True)


@contextmanager
def _wide_fields():
    """Lift the csv module's 131,072-character field limit for the duration."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def csv_batches(lines, *, sep, policy, path, ncols, quoting=csv.QUOTE_MINIMAL,
                what="fields", tolerance=0, batch=8192):
    """Yield ``(line numbers, rows)`` batches of the well-formed records of ``lines``.

    The fast path: a batch of physical lines in which every line is one record (the
    :mod:`csv` module parses the batch at C speed, and the record count proves that no
    quote stays open at a line end). From the first batch where that does not hold (a
    quoted line break, an unclosed quote, a stray carriage return), the rest of the
    file goes through :func:`csv_records`' careful path. Both report the same problems
    at the same physical lines.
    """
    if not isinstance(lines, TextLines):
        lines = _ListLines(lines)
    lo, hi = ncols - tolerance, ncols + tolerance
    with _wide_fields():
        while True:
            got = lines.next_batch(batch)
            if got is None:
                return
            n0, texts, badpos = got
            rows = None
            if quoting == csv.QUOTE_NONE or not any(t.count('"') & 1 for t in texts):
                try:
                    rows = list(csv.reader(texts, delimiter=sep, quoting=quoting))
                except csv.Error:
                    rows = None
            if rows is None or len(rows) != len(texts):
                chunk = [(n0 + i, t, i not in badpos) for i, t in enumerate(texts)]
                at, out = [], []
                for n, row in _careful_records(itertools.chain(chunk, lines), sep=sep,
                                               policy=policy, path=path, ncols=ncols,
                                               quoting=quoting, what=what,
                                               tolerance=tolerance):
                    at.append(n)
                    out.append(row)
                    if len(out) >= batch:
                        yield at, out
                        at, out = [], []
                if out:
                    yield at, out
                return
            if not badpos and all(lo <= len(r) <= hi for r in rows) and \
                    (lo > 1 or all(t.strip() for t in texts)):
                yield range(n0, n0 + len(texts)), rows   # the common case: all good
                continue
            at, out = [], []
            for i, (t, row) in enumerate(zip(texts, rows)):
                n, ok, k = n0 + i, i not in badpos, len(row)
                if lo <= k <= hi and ok and (k > 1 or t.strip()):
                    at.append(n)
                    out.append(row)
                elif not t.strip():
                    continue   # blank line
                elif not lo <= k <= hi:
                    policy.bad(f"expected {ncols} {what}, got {k}", path=path, line=n,
                               unit=True)
                else:
                    policy.bad("not UTF-8 text", path=path, line=n, unit=True)
            if out:
                yield at, out


def csv_records(lines, *, sep, policy, path, ncols, quoting=csv.QUOTE_MINIMAL,
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
    ncols : int
        Fields a record must have (``tolerance`` more or fewer are accepted).
    quoting : int
        A :mod:`csv` quoting constant.

    Blank lines are skipped. A record that spans several physical lines and has the
    wrong number of fields (an unclosed quote) is reported at its first line, and the
    lines after that one are read again as records of their own. A quoted record may
    span at most 5,000 physical lines.
    """
    for at, rows in csv_batches(lines, sep=sep, policy=policy, path=path, ncols=ncols,
                                quoting=quoting, what=what, tolerance=tolerance):
        yield from zip(at, rows)


def _careful_records(lines, *, sep, policy, path, ncols, quoting, what, tolerance):
    """The careful path of :func:`csv_records`: one csv reader fed line by line.

    Each record's physical lines are known; an unclosed quote costs its first line and
    the lines it swallowed are read again.
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

    # the caller holds _wide_fields()
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


class _ListLines:
    """``next_batch`` over an iterator of ``(line_number, text, ok)`` tuples."""

    def __init__(self, it):
        self.it = iter(it)

    def __iter__(self):
        return self.it

    def __next__(self):
        return next(self.it)

    def next_batch(self, size):
        chunk = list(itertools.islice(self.it, size))
        if not chunk:
            return None
        n0 = chunk[0][0]
        if any(n != n0 + i for i, (n, _t, _ok) in enumerate(chunk)):
            # not consecutive lines: one at a time
            n, t, ok = chunk[0]
            self.it = itertools.chain(chunk[1:], self.it)
            return n, [t], set() if ok else {0}
        return n0, [t for _n, t, _ok in chunk], {i for i, (_n, _t, ok) in enumerate(chunk)
                                                  if not ok}


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
    parts, n_rows = [], 0

    def emit():
        at = np.concatenate([a for a, _ in parts])
        df = parts[0][1] if len(parts) == 1 else pd.concat([d for _, d in parts],
                                                           ignore_index=True)
        return at, df.reset_index(drop=True)

    for at, df in _frame_batches(lines, sep=sep, policy=policy, path=path, ncols=len(names),
                                 quoting=quoting, wanted=wanted, positions=positions):
        while len(at):
            take = chunksize - n_rows
            parts.append((at[:take], df.iloc[:take]))
            n_rows += min(take, len(at))
            at, df = at[take:], df.iloc[take:]
            if n_rows >= chunksize:
                yield emit()
                parts, n_rows = [], 0
    if parts:
        yield emit()


_SENTINEL = "\x1e\x1f"   # appended as an extra field to prove every line's field count
_FAST = True              # the pandas fast path of read_table (tests compare both paths)


def _frame_batches(lines, *, sep, policy, path, ncols, quoting, wanted, positions,
                   batch=1 << 16):
    """Yield ``(line numbers, DataFrame of the wanted columns)`` of the good rows.

    The fast path parses a batch of lines with pandas' C parser after appending a
    sentinel field to every line: the batch is accepted only when it gives one row per
    line and the sentinel in the last column of every row (so no line is short, long,
    blank or part of a quoted line break). Any other batch, and the rest of the file
    after it, goes through :func:`csv_batches` (the same rows, the problems reported
    with their physical lines).
    """
    import pandas as pd

    names = list(range(ncols + 1))
    while True:
        got = lines.next_batch(batch)
        if got is None:
            return
        n0, texts, badpos = got
        df = None
        # pandas would drop a BOM at the start of its input: such a batch goes careful
        if _FAST and not badpos and not texts[0].startswith("\ufeff") and \
                (quoting == csv.QUOTE_NONE or not any(t.count('"') & 1 for t in texts)) and \
                (ncols > 1 or all(t.strip() for t in texts)):
            data = "".join([t.rstrip("\r\n") + sep + _SENTINEL + "\n" for t in texts])
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    df = pd.read_csv(io.StringIO(data), sep=sep, header=None, names=names,
                                     index_col=False, dtype=str, keep_default_na=False,
                                     na_values=[], quoting=quoting, engine="c",
                                     skip_blank_lines=False, on_bad_lines="error")
                if caught:   # e.g. a row longer than the header: the careful path
                    df = None
            except (pd.errors.ParserError, ValueError, OverflowError):
                df = None
            if df is not None and (len(df) != len(texts) or
                                   not (df[ncols] == _SENTINEL).all()):
                df = None
        if df is not None:
            df = df[positions]
            df.columns = wanted
            yield np.arange(n0, n0 + len(texts), dtype=np.int64), df
            continue
        # the careful path for this batch and the rest of the file
        chunk = [(n0 + i, t, i not in badpos) for i, t in enumerate(texts)]
        for at, rows in csv_batches(_ListLines(itertools.chain(chunk, lines)), sep=sep,
                                    policy=policy, path=path, ncols=ncols, quoting=quoting):
            cols = list(zip(*rows))
            yield np.asarray(at, dtype=np.int64), pd.DataFrame(
                {c: pd.array(cols[p], dtype="str") for c, p in zip(wanted, positions)})
        return


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
                   unit=True, last_line=_line_at(start, idx[-1]))


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


def coordinate_column(chunk, col, start, path, policy, limit):
    """Coordinates of a string column in ``[-limit, limit]`` (NaN where empty or bad).

    A coordinate is an attribute of a place, not a record: under ``errors="raise"`` a
    bad value raises a located error; under ``"skip"`` it is ignored (NaN; the place is
    still resolved by its names) and counted in ``report.notes``.
    """
    raw = chunk[col]
    vals, empty = _numbers(raw)
    bad = ~empty & ~(np.abs(vals) <= limit)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        if policy.raise_:
            policy.bad(f"{raw.iloc[i]!r} is not a {col} in -{limit}..{limit}", path=path,
                       line=_line_at(start, i), field=col)
        policy.report.note(f"{col} values that are not numbers in -{limit}..{limit} "
                           "(ignored; places resolved by name)", int(bad.sum()))
        vals = np.where(bad, np.nan, vals)
    return vals


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
