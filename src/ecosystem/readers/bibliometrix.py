"""One-row-per-paper tables: a bibliometrix data frame written to CSV, Dimensions, Lens.

bibliometrix's ``convert2df`` gives one row per document with multi-valued cells joined
by ``;`` (``AU`` authors, ``AU_CO`` their countries after ``metaTagExtraction``, ``C1``
addresses) and country *names* in capitals (``PEOPLES R CHINA``, ``ENGLAND``, ``HONG
KONG``, ``USA``). :func:`read_bibliometrix` splits the cells, matches the names with the
same table as the Web of Science reader (the last comma token of an address, never a
substring search) and hands one row per (document, author, country) to
:func:`~ecosystem.read_records`, so the result, the read report and the errors are those
of every other reader.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..exceptions import DataFormatError, InputTypeError, ParameterError
from ._io import iter_text_lines, normalise_header, parse_year, read_header, read_whole_table
from ._places import country_code, parse_address
from ._report import MAX_EXAMPLES, SKIP_NO_ACTORS, SKIP_NO_COUNTRY, Policy, ReadReport

__all__ = ["read_bibliometrix", "BIBLIOMETRIX_COLUMNS"]

#: Default columns (bibliometrix field tags); ``record`` falls back to ``DI`` then ``SR``.
BIBLIOMETRIX_COLUMNS = {"record": "UT", "actor": "AU", "country": "AU_CO", "year": "PY",
                        "address": "C1"}
_RECORD_FALLBACK = ("UT", "DI", "SR", "id", "ID")


def _cells(value, sep):
    if value is None:
        return []
    text = str(value).strip()
    if not text or text.lower() in ("nan", "none", "na"):
        return []
    return [x.strip() for x in text.split(sep)]


def _year_text(value):
    """A year cell as text: whole numbers of a numeric column without ``.0``; NaN empty."""
    if isinstance(value, (float, np.floating)):
        return "" if value != value else str(int(value)) if float(value).is_integer() and \
            abs(value) < 1e6 else str(value)
    return "" if value is None else str(value)


def _code(name):
    """ISO alpha-2 code of a country name or code (None when unknown)."""
    if not name:
        return None
    code = country_code(name)
    if code is None and "," in name:  # a full address: its last comma token
        code = parse_address(name)[0] if parse_address(name) else None
    return code


def read_bibliometrix(source, columns=None, *, sep=";", regions=None, channel="academic",
                      errors="raise", source_name="bibliometrix", licence=""):
    """Read a one-row-per-paper table (bibliometrix, Dimensions, Lens) into Contributions.

    Parameters
    ----------
    source : path or pandas.DataFrame
        A CSV/TSV file (e.g. ``write.csv(M, "M.csv")`` of a bibliometrix data frame) or a
        DataFrame, one row per document.
    columns : dict, optional
        Field -> column: ``record`` (document id; default ``UT``, else ``DI``, else
        ``SR``), ``actor`` (authors, default ``AU``), ``country`` (their countries,
        default ``AU_CO``), ``year`` (default ``PY``) and ``address`` (default ``C1``,
        used when there is no country column).
    sep : str, default ";"
        Separator of multi-valued cells.
    regions : RegionMap or str, optional
        ``"countries"`` (default), ``"metros"``, a region CSV path, or a RegionMap.
    channel : str, default "academic"
        Channel of every contribution.
    errors : {"raise", "skip"}, default "raise"
        Malformed rows (read by the shared table layer: wrong field counts, unclosed
        quotes, bytes that are not UTF-8, with their physical lines) and unknown country
        names: raise a located error, or count them and keep every good row.
    source_name, licence : str
        Written into the report and ``contributions.info``.

    Returns
    -------
    ReadResult
        Contributions with one row per (document, author, country). When a document lists
        as many countries as authors, the i-th country is the i-th author's (the first
        author leads); otherwise each distinct country of the document is one
        contribution with an anonymous actor (``"<record>#<country>"``), counted in
        ``report.notes["documents with countries not aligned to authors"]``. Weights
        split each author equally over their countries.

    Raises
    ------
    DataFormatError
        A missing column, or (``errors="raise"``) a malformed row or a country name that
        matches no country.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecosystem.readers import read_bibliometrix
    >>> M = pd.DataFrame({"UT": ["WOS:1", "WOS:2"], "AU": ["LI X;SMITH J", "WANG Y"],
    ...                   "AU_CO": ["PEOPLES R CHINA;ENGLAND", "HONG KONG"], "PY": [2020, 2021]})
    >>> res = read_bibliometrix(M)
    >>> res.contributions.to_pandas()[["record", "actor", "region", "lead"]]
      record   actor region   lead
    0  WOS:1    LI X     CN   True
    1  WOS:1  SMITH J     GB  False
    2  WOS:2  WANG Y     HK   True
    """
    import pandas as pd

    from .records import read_records

    func = "read_bibliometrix"
    if errors not in ("raise", "skip"):
        raise ParameterError(f"{func}: errors must be one of 'raise', 'skip'; got {errors!r}")
    if not isinstance(sep, str) or not sep:
        raise ParameterError(f"{func}: sep must be a non-empty string; got {sep!r}")
    cols = dict(columns or {})
    table = ReadReport(source_name)   # what the table layer met: files, malformed rows
    policy = Policy(func, errors, table)
    if isinstance(source, pd.DataFrame):
        frame, label = source, "<DataFrame>"
        line_of = np.arange(2, len(frame) + 2)   # as if written with its header
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = str(path)
        if not path.is_file():
            raise ParameterError(f"{func}: file {label!r} does not exist")
        delim = "\t" if ".tsv" in path.name.lower() else ","
        header = read_header(path, iter_text_lines(path, policy), sep=delim, policy=policy)
        names = list(dict.fromkeys(n for n in map(normalise_header, header or []) if n))
        frame = read_whole_table(path, sep=delim, required=[], optional=names, policy=policy,
                                 report=table)
        line_of = frame.pop("_line").to_numpy()
    else:
        raise InputTypeError(f"{func}: source must be a path or a pandas DataFrame; got "
                             f"{type(source).__name__}")
    if "Unnamed: 0" in frame.columns:  # write.csv's row names
        frame = frame.drop(columns="Unnamed: 0")
    have = {str(c).upper(): c for c in frame.columns}

    def col(field, required):
        want = cols.get(field)
        if want is None and field == "record":
            want = next((c for c in _RECORD_FALLBACK if c.upper() in have), "UT")
        want = want or BIBLIOMETRIX_COLUMNS[field]
        found = have.get(str(want).upper())
        if found is None and (required or field in cols):
            raise DataFormatError(f"missing column {want!r} ({field}); the columns are "
                                  f"{list(frame.columns)[:20]}", path=label, line=1, field=want)
        return found

    rec_c, au_c = col("record", True), col("actor", True)
    co_c, yr_c = col("country", False), col("year", False)
    ad_c = col("address", False) if co_c is None else None
    if co_c is None and ad_c is None:
        raise DataFormatError(f"missing a country column ({cols.get('country', 'AU_CO')!r}) or "
                              f"an address column ({cols.get('address', 'C1')!r}); the columns "
                              f"are {list(frame.columns)[:20]}", path=label, line=1,
                              field=cols.get("country", "AU_CO"))
    rows, bad, unaligned = [], [], 0
    skip = {}   # documents that give no contribution: id -> reason
    for i, r in enumerate(frame.itertuples(index=False)):
        line = int(line_of[i])   # physical line (the header is line 1)
        r = dict(zip(frame.columns, r))
        rid = str(r[rec_c]).strip()
        if not rid or rid.lower() in ("nan", "none"):
            policy.bad("empty document id", path=label, line=line, field=rec_c, unit=True)
            continue
        year = ""
        if yr_c is not None:
            y, why = parse_year(_year_text(r[yr_c]))
            if why:
                policy.bad(why, path=label, line=line, field=yr_c, unit=True)
                continue
            year = str(y) if y >= 0 else ""
        authors = _cells(r[au_c], sep)
        places = _cells(r[co_c] if co_c is not None else r[ad_c], sep)
        codes = []
        for name in places:
            code = _code(name)
            if code is None:
                bad.append((line, co_c or ad_c, f"unknown country name {name!r}"))
            codes.append(code)
        if not authors or not any(codes):
            skip.setdefault(rid, SKIP_NO_ACTORS if not authors else SKIP_NO_COUNTRY)
            continue
        if len(codes) == len(authors):
            for k, (a, c) in enumerate(zip(authors, codes)):
                if c:  # unknown names are counted below, not passed on as missing
                    rows.append((rid, a, c, year, k == 0, 1.0))
        else:
            unaligned += 1
            distinct = list(dict.fromkeys(c for c in codes if c))
            for c in distinct:
                rows.append((rid, f"{rid}#{c}", c, year, False, 1.0 / len(distinct)))
    if bad and errors == "raise":
        line, field, msg = bad[0]
        raise DataFormatError(msg + f" ({len(bad)} unknown name(s) in all; errors='skip' "
                              "counts them)", path=label, line=line, field=field)
    long = pd.DataFrame(rows, columns=["record", "actor", "country", "year", "lead", "weight"])
    if yr_c is None:
        long = long.drop(columns="year")
    long["lead"] = long["lead"].map({True: "true", False: "false"})
    res = read_records(long, regions=regions, channel=channel, errors=errors,
                       source_name=source_name, licence=licence)
    rep = res.report
    rep.files[:] = table.files or [label]
    # the rows read here are records too: malformed ones (counted by the policy) and the
    # documents without authors or located countries (unless another row of theirs is used)
    given = set(long["record"].tolist())
    left = [why for rid, why in skip.items() if rid not in given]
    rep.records_read += table.records_read + len(left)
    for reason, n in table.skipped.items():
        rep.skip(reason, n)
    for why in left:
        rep.skip(why)
    rep.malformed[:0] = table.malformed
    for line, field, msg in bad:
        rep.drop("unknown country name")
        rep.malformed.append((label, line, field, msg))
    del rep.malformed[MAX_EXAMPLES:]
    if unaligned:
        rep.notes["documents with countries not aligned to authors"] = unaligned
    return res
