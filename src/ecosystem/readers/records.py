"""Any table of contributions (CSV, Parquet, DataFrame) with a column mapping."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..exceptions import DataFormatError, InputTypeError, OptionalDependencyError, ParameterError
from ._common import check_channel, contributions_from_frame, default_regions, drop_duplicate_rows
from ._io import (
    check_sep,
    float_column,
    iter_text_lines,
    read_header,
    read_table,
    report_bad_rows,
    year_column,
)
from ._report import Policy, ReadReport, ReadResult

__all__ = ["read_records"]

_FIELDS = ("record", "actor", "country", "admin1", "city", "county", "region", "org", "role",
           "channel", "year", "lead", "weight")
_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n", ""}


def read_records(source, columns=None, *, regions=None, channel="academic", role=None,
                 sep=None, errors="raise", source_name="records", licence="",
                 chunksize=1_000_000, progress=None):
    """Read contributions from a CSV/TSV, Parquet file or DataFrame.

    Parameters
    ----------
    source : path or pandas.DataFrame
        ``.csv``, ``.tsv``, ``.txt`` (optionally ``.gz``/``.zip``; read in chunks of
        strings) or ``.parquet`` (read by row groups with pyarrow), or a DataFrame.
    columns : dict, optional
        Field → column name. Fields: ``record``, ``actor`` (required), ``country`` (with
        optional ``admin1``, ``city``, ``county``) or ``region`` (codes of ``regions``),
        and optional ``org``, ``role``, ``channel``, ``year``, ``lead`` (0/1, true/false),
        ``weight``. Default: columns named like the fields. Header names are matched
        case-insensitively.
    regions : RegionMap or str, optional
        ``"countries"``, ``"metros"`` or a region CSV path as on the command
        line, or a RegionMap. Default :func:`ecosystem.regions.countries`.
    channel : str, default "academic"
        Channel when the mapping has no ``channel`` column.
    role : str, optional
        Role when the mapping has no ``role`` column.
    sep : str, optional
        One-character delimiter (default: tab for ``.tsv``, else comma).
    errors : {"raise", "skip"}, default "raise"
    source_name, licence : str
        Written into the report and ``contributions.info``.
    chunksize : int, default 1_000_000
        Rows per chunk for delimited text (a positive integer).
    progress : None, bool or callable, optional
        Accepted for a uniform interface.

    Returns
    -------
    ReadResult
        ``weight`` defaults to 1 per row (full counting); give a weight column for
        fractional shares (an empty or NaN weight cell is malformed, never 1). Years
        must be whole numbers in 1000..2200 (empty: unknown). Rows without a country
        are dropped and counted; rows repeating an earlier row in every mapped column
        are dropped and counted as ``dropped["duplicate row"]``. A malformed row (wrong
        number of fields, not UTF-8, an unclosed quote, a bad cell) costs that row
        only: it is counted once in ``records_read`` and in ``skipped["malformed"]``
        with its physical line, and ``records_read`` otherwise counts the distinct
        record ids of the well-formed rows, so ``records_read == records_used +
        records_skipped``. When records are read but none is used, a DataFormatError
        (``errors="raise"``) or a warning (``"skip"``, with
        ``report.notes["why no record was used"]``) says why, e.g. country cells holding
        several ``;``-joined countries or country names where codes were expected.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"paper": ["p1", "p1", "p2"], "person": ["a", "b", "a"],
    ...                    "cc": ["HK", "CN", "HK"], "yr": [2020, 2020, 2021]})
    >>> res = read_records(df, {"record": "paper", "actor": "person", "country": "cc",
    ...                         "year": "yr"})
    >>> res.contributions.to_pandas()[["record", "actor", "region", "year"]]
      record actor region  year
    0     p1     a     HK  2020
    1     p1     b     CN  2020
    2     p2     a     HK  2021
    """
    import pandas as pd

    func = "read_records"
    region_map = default_regions(regions, func)
    check_channel(func, channel)
    if isinstance(chunksize, bool) or not isinstance(chunksize, (int, np.integer)) \
            or chunksize < 1:
        raise ParameterError(f"{func}: chunksize must be a positive integer; got {chunksize!r}")
    if sep is not None:
        check_sep(func, sep)
    columns = dict(columns or {})
    for k, v in columns.items():
        if k not in _FIELDS:
            raise ParameterError(f"{func}: columns has an unknown field {k!r}; fields are "
                                 f"{', '.join(_FIELDS)}")
        if not isinstance(v, str):
            raise InputTypeError(f"{func}: columns[{k!r}] must be a column name (str); got "
                                 f"{type(v).__name__}")
    report = ReadReport(source_name, licence=licence)
    policy = Policy(func, errors, report)

    def names(available):
        low = {str(c).strip().lower(): c for c in available}
        mapping = {}
        for f in _FIELDS:
            want = columns.get(f, f)
            col = low.get(want.strip().lower())
            if col is None and f in columns:
                raise DataFormatError(f"missing column {want!r} (mapped to {f!r}); the "
                                      f"columns are {list(available)}", path=path_label,
                                      line=1, field=want)
            if col is not None:
                mapping[f] = col
        for f in ("record", "actor"):
            if f not in mapping:
                raise DataFormatError(f"missing column {columns.get(f, f)!r} for {f!r}; the "
                                      f"columns are {list(available)}", path=path_label,
                                      line=1, field=columns.get(f, f))
        if "country" not in mapping and "region" not in mapping:
            raise DataFormatError(f"missing a 'country' (or 'region') column; the columns "
                                  f"are {list(available)}", path=path_label, line=1,
                                  field=columns.get("country", "country"))
        return mapping

    frames = []
    if isinstance(source, pd.DataFrame):
        path_label = "<DataFrame>"
        mapping = names(source.columns)
        chunks = [(np.arange(2, 2 + len(source)),
                   source.astype(object).where(source.notna(), "").astype(str))]
    elif isinstance(source, (str, os.PathLike)):
        p = Path(source)
        path_label = str(p)
        if p.is_dir():
            raise ParameterError(f"{func}: {path_label!r} is a directory; give a file")
        if not p.is_file():
            raise ParameterError(f"{func}: file {path_label!r} does not exist")
        report.files.append(path_label)
        if p.name.lower().endswith(".parquet"):
            chunks, mapping = _parquet(p, names)
        else:
            if sep is None:
                sep = "\t" if ".tsv" in p.name.lower() else ","
            header = read_header(p, iter_text_lines(p, policy), sep=sep, policy=policy)
            if header is None:  # damaged before the header (counted): no rows
                chunks, mapping = [], None
            else:
                mapping = names([h.strip().strip('"').lstrip("\ufeff") for h in header])
                wanted = [mapping[f].lower() for f in mapping]
                chunks = ((s, c.rename(columns={mapping[f].lower(): mapping[f]
                                                for f in mapping}))
                          for s, c in read_table(p, sep=sep, required=wanted, policy=policy,
                                                 chunksize=chunksize))
    else:
        raise InputTypeError(f"{func}: source must be a path or a pandas DataFrame; got "
                             f"{type(source).__name__}")

    ids_seen = set()
    for lines, chunk in chunks:
        keep = np.ones(len(chunk), dtype=bool)
        f = pd.DataFrame({"record": chunk[mapping["record"]].to_numpy(dtype=object),
                          "actor": chunk[mapping["actor"]].to_numpy(dtype=object)})
        for k in ("country", "admin1", "city", "county", "region", "org", "role", "channel"):
            if k in mapping:
                f[k] = chunk[mapping[k]].to_numpy(dtype=object)
        if "year" in mapping:
            y, ok = year_column(chunk, mapping["year"], lines, path_label, policy)
            f["year"] = np.where(np.isnan(y), -1, y).astype(np.int64)
            keep &= ok
        else:
            f["year"] = -1
        if "weight" in mapping:
            w, ok = float_column(chunk, mapping["weight"], lines, path_label, policy,
                                 allow_empty=False)
            f["weight"] = np.where(ok, w, 0.0)
            keep &= ok
        else:
            f["weight"] = 1.0
        if "lead" in mapping:
            raw = chunk[mapping["lead"]].str.strip().str.lower()
            good = raw.isin(_TRUE | _FALSE).to_numpy()
            report_bad_rows(~good & keep, chunk[mapping["lead"]], lines, path_label, policy,
                            mapping["lead"], lambda v: f"{v!r} is not a boolean (0/1, true/false)")
            keep &= good
            f["lead"] = raw.isin(_TRUE).to_numpy()
        else:
            f["lead"] = False
        empty_id = ((f["record"].astype(str).str.strip() == "") |
                    (f["actor"].astype(str).str.strip() == "")).to_numpy()
        bad_id = empty_id & keep
        for i in np.flatnonzero(bad_id)[:1 if policy.raise_ else 50]:
            policy.bad("empty record or actor id", path=path_label, line=int(lines[i]),
                       field=mapping["record"] if f["record"].iloc[i] == "" else mapping["actor"],
                       unit=True)
        extra = int(bad_id.sum()) - min(int(bad_id.sum()), 50)
        if extra > 0:
            policy.bad(f"{extra} more rows with an empty record or actor id", path=path_label,
                       n=extra, unit=True, last_line=int(lines[np.flatnonzero(bad_id)[-1]]))
        keep &= ~empty_id
        if "channel" not in f:
            f["channel"] = channel
        if "role" not in f:
            f["role"] = role
        kept = f.loc[keep]
        ids_seen.update(kept["record"].tolist())
        frames.append(kept)
    report.records_read += len(ids_seen)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {k: [] for k in ("record", "actor", "country", "role", "channel", "year", "lead",
                         "weight")})
    if "org" not in frame:
        frame["org"] = None
    frame = drop_duplicate_rows(frame, ["record", "actor", "country", "admin1", "city",
                                        "county", "region", "org", "role", "channel", "year",
                                        "lead", "weight"], report)
    info = {"source": source_name, "licence": licence,
            "region_map": getattr(region_map, "name", None)}
    contributions = contributions_from_frame(
        frame, region_map, report, info,
        region_column="region" if "region" in frame and "country" not in frame else None)
    if ids_seen and not report.records_used:
        why = _why_none_used(frame, report) or "no row has a country (or region) the region " \
            "map places"
        report.notes["why no record was used"] = why
        text = f"none of the {len(ids_seen):,} well-formed records was used: {why}"
        if policy.raise_:
            raise DataFormatError(text, path=path_label)
        import warnings

        from ..exceptions import EcosystemWarning

        warnings.warn(f"{func}: {text}", EcosystemWarning, stacklevel=2)
    return ReadResult(contributions=contributions, citations=None, moves=None, report=report)


def _why_none_used(frame, report):
    """One sentence on why no record has a located contribution, or ""."""
    if "country" not in frame or not len(frame):
        return ""
    cells = [str(x) for x in frame["country"].tolist() if str(x).strip()]
    if not cells:
        return "every country cell is empty"
    joined = [x for x in cells if any(s in x for s in (";", "|"))]
    if len(joined) * 2 >= len(cells):
        return (f"{len(joined):,} of {len(cells):,} country cells hold several values joined "
                f"by ';' or '|' (e.g. {joined[0]!r}); give one row per country, or read a "
                "one-row-per-paper table with read_bibliometrix")
    names = [x for x in cells if len(x.strip()) > 3
             and x.replace(" ", "").replace("-", "").replace(".", "").isalpha()]
    if len(names) * 2 >= len(cells):
        return (f"{len(names):,} of {len(cells):,} country cells look like names, not ISO "
                f"codes (e.g. {names[0]!r}); the country column expects ISO 3166 codes "
                "(US, CN, GB) or map the names to codes first (read_bibliometrix matches "
                "country names)")
    return ""


def _parquet(path, names):
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover
        raise OptionalDependencyError("pyarrow", extra="io",
                                      purpose="read_records on Parquet files") from None
    import pyarrow as pa

    try:
        pf = pq.ParquetFile(path)
        available = pf.schema_arrow.names
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataFormatError(f"not a readable Parquet file ({exc})", path=str(path)) from None
    mapping = names(available)
    cols = sorted(set(mapping.values()))

    def gen():
        start = 2
        try:
            for batch in pf.iter_batches(columns=cols):
                df = batch.to_pandas()
                df = df.astype(object).where(df.notna(), "").astype(str)
                yield np.arange(start, start + len(df)), df
                start += len(df)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise DataFormatError(f"unreadable Parquet data after row {start - 2} ({exc})",
                                  path=str(path)) from None

    return gen(), mapping
