"""Scopus CSV exports (current and legacy layouts) → Contributions."""

from __future__ import annotations

import re

from ..exceptions import DataFormatError
from ._biblio import name_key, new_rows, paper_rows
from ._common import check_channel, contributions_from_frame, default_regions
from ._io import as_path_list, csv_records, iter_text_lines, parse_year, read_header
from ._report import (
    SKIP_DUPLICATE,
    SKIP_NO_ACTORS,
    SKIP_NO_COUNTRY,
    Policy,
    ReadReport,
    ReadResult,
)

__all__ = ["read_scopus", "SCOPUS_LICENCE"]

#: Terms line of Scopus exports.
SCOPUS_LICENCE = ("Scopus export (Elsevier): proprietary; use under your subscription terms, "
                  "do not redistribute the records")

_ID = re.compile(r"\((\d+)\)\s*$")


def _split_block(block, affiliations):
    """(name, [affiliation strings]) of one 'Authors with affiliations' entry.

    Affiliations of one author are concatenated with commas; they are recovered by
    longest match against the record's distinct ``Affiliations`` strings.
    """
    starts = [(block.find(a), a) for a in affiliations if a and block.find(a) > 0]
    if not starts:
        return block.strip().rstrip(","), []
    pos = min(p for p, _ in starts)
    name = block[:pos].strip().rstrip(",").strip()
    rest, found = block[pos:], []
    by_len = sorted(affiliations, key=len, reverse=True)
    while rest:
        rest = rest.lstrip(", ").strip()
        if not rest:
            break
        hit = next((a for a in by_len if a and rest.startswith(a)), None)
        if hit is None:  # not among the listed affiliations: take the rest as one
            found.append(rest)
            break
        found.append(hit)
        rest = rest[len(hit):]
    return name, found


def read_scopus(path, *, regions=None, channel="academic", errors="raise", progress=None):
    """Read Scopus CSV exports (current and legacy author layouts).

    Parameters
    ----------
    path : path, folder or list of paths
        CSV exports (UTF-8 with BOM, every field quoted). Needed columns:
        ``Authors with affiliations``, ``Year`` and ``EID`` (else ``DOI``); used when
        present: ``Author(s) ID`` (author ids; legacy ``;``-terminated lists too),
        ``Author full names`` (current layout), ``Affiliations`` (to split an author's
        several affiliations), ``Correspondence Address`` (the lead).
    regions : RegionMap or str, optional
        ``"countries"``, ``"metros"`` or a region CSV path as on the command
        line, or a RegionMap. Default :func:`ecosystem.regions.countries`.
    channel : str, default "academic"
        Channel of every record.
    errors : {"raise", "skip"}, default "raise"
    progress : None, bool or callable, optional
        Accepted for a uniform interface.

    Returns
    -------
    ReadResult
        One row per author × affiliation country (counting rule as for
        :func:`read_wos`); the actor is the Scopus author id when the ids line up with
        the authors, else the printed name. Authors printed without affiliation are
        dropped (counted). Citations: None (Scopus references carry no identifiers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "scopus.csv"
    >>> _ = p.write_text(
    ...     '\\ufeff"Authors","Author(s) ID","Year","Affiliations","Authors with affiliations","EID"\\n'
    ...     '"Tanaka H.; Sato Y.","1; 2","2021","Univ Tokyo, Tokyo, Japan; Imaging Inc., '
    ...     'San Jose, CA, United States","Tanaka H., Univ Tokyo, Tokyo, Japan, Imaging Inc., '
    ...     'San Jose, CA, United States; Sato Y., Imaging Inc., San Jose, CA, United States",'
    ...     '"2-s2.0-1"\\n', encoding="utf-8")
    >>> res = read_scopus(p)
    >>> res.contributions.to_pandas()[["actor", "region", "weight"]]
      actor region  weight
    0     1     JP    0.25
    1     1     US    0.25
    2     2     US    0.50
    """
    import pandas as pd

    func = "read_scopus"
    region_map = default_regions(regions, func)
    report = ReadReport("Scopus", licence=SCOPUS_LICENCE)
    check_channel(func, channel)
    policy = Policy(func, errors, report)
    out = new_rows()
    seen = set()
    for p in as_path_list(func, path, "path", (".csv",)):
        report.files.append(str(p))
        lines = iter_text_lines(p, policy)
        header = read_header(p, lines, sep=",", policy=policy)
        if header is None:
            continue
        cols = {h.strip().lstrip("\ufeff").lower(): i for i, h in enumerate(header)}
        for need in ("authors with affiliations", "year"):
            if need not in cols:
                raise DataFormatError(f"missing required column {need!r}; the header "
                                      f"has {list(cols)}", path=str(p), line=1,
                                      field=need)
        if "eid" not in cols and "doi" not in cols:
            raise DataFormatError("missing required column 'EID' (or 'DOI')",
                                  path=str(p), line=1, field="EID")
        layout = "current" if "author full names" in cols else "legacy"
        report.notes[f"layout of {p.name}"] = layout
        for line, row in csv_records(lines, sep=",", policy=policy, path=p,
                                     ncols=len(header), what="comma-separated fields"):
            if not any(x.strip() for x in row):
                continue
            report.records_read += 1
            get = lambda c: row[cols[c]].strip() if c in cols else ""  # noqa: E731
            rid = get("eid") or (f"doi:{get('doi').lower()}" if get("doi") else "")
            if not rid:
                policy.bad("record without EID or DOI", path=p, line=line, field="EID")
                continue
            if rid in seen:
                report.skip(SKIP_DUPLICATE)
                continue
            year, why = parse_year(get("year"))
            if why:
                policy.bad(why, path=p, line=line, field="Year")
                continue
            seen.add(rid)
            affs = [a.strip() for a in get("affiliations").split(";") if a.strip()]
            blocks = [b.strip() for b in get("authors with affiliations").split(";")
                      if b.strip()]
            parsed = [_split_block(b, affs) for b in blocks]
            ids = [x.strip() for x in get("author(s) id").split(";") if x.strip()]
            full = [x.strip() for x in get("author full names").split(";") if x.strip()]
            if full and not ids:
                ids = [(_ID.search(f).group(1) if _ID.search(f) else "") for f in full]
            names = [n for n, _ in parsed]
            if len(ids) != len(names) or not all(ids):
                if ids:
                    report.note("author ids not aligned with authors (names used)")
                ids = names
            authors = [(ids[i], name_key(names[i])) for i in range(len(names))]
            corr = []
            ca = get("correspondence address")
            if ca:
                parts = [x.strip() for x in ca.split(";")]
                addr = parts[1] if len(parts) > 1 and not parts[1].startswith("email") \
                    else None
                corr.append((name_key(parts[0]), addr))
            if not paper_rows(rid, year, authors, [a for _, a in parsed], [], corr, out,
                              report):
                report.skip(SKIP_NO_COUNTRY if authors else SKIP_NO_ACTORS)
    frame = pd.DataFrame(out)
    frame["channel"] = channel
    info = {"source": "Scopus", "licence": SCOPUS_LICENCE,
            "weight": "1/n per author, split over the author's countries, then affiliations",
            "region_map": getattr(region_map, "name", None)}
    contributions = contributions_from_frame(frame, region_map, report, info)
    return ReadResult(contributions=contributions, citations=None, moves=None, report=report)
