"""Web of Science exports (plain text and tab-delimited) → Contributions, DOI citations."""

from __future__ import annotations

import csv
import re

from ..exceptions import DataFormatError
from ._biblio import name_key, new_rows, paper_rows, split_outside_brackets
from ._common import Citations, check_channel, contributions_from_frame, default_regions
from ._io import as_path_list, csv_records, iter_text_lines, parse_year, read_header
from ._report import (
    SKIP_DUPLICATE,
    SKIP_NO_ACTORS,
    SKIP_NO_COUNTRY,
    Policy,
    ReadReport,
    ReadResult,
)

__all__ = ["read_wos", "WOS_LICENCE"]

#: Terms line of Web of Science exports.
WOS_LICENCE = ("Web of Science export (Clarivate): proprietary; use under your subscription "
               "terms, do not redistribute the records")

_LIST_TAGS = {"AU", "AF", "C1", "C3", "CR", "RP", "EM", "CA", "BA", "BF", "GP"}
_TAG = re.compile(r"^([A-Z][A-Z0-9]) ?(.*)$")
_RP_SPLIT = re.compile(r";\s*(?=[^;]+?\((?:corresponding|reprint) author\))")
_RP_ONE = re.compile(r"^\s*(.+?)\s*\((?:corresponding|reprint) author\),?\s*(.*)$")
_DOI = re.compile(r"DOI\s+(10\.\S+?)[\],;]?\s*$|DOI\s+(10\.\S+)")


def _records_plain(path, policy, lines):
    """Yield (line, {tag: [values]}, problem) records of a plain-text export.

    ``problem`` is None for a well-formed record, else ``(line, field, message)``: the
    record is counted as read and then skipped as malformed (one bad line costs its
    record only). Lines outside any record count once per run of them.
    """
    rec, start, tag, problem = None, None, None, None
    stray = False    # inside a run of lines outside any record (counted once)

    def outside(n, message, field=None):
        nonlocal stray
        if not stray:
            policy.bad(message, path=path, line=n, field=field, unit=True)
        stray = True

    for n, text, ok in lines:
        line = text.rstrip("\r\n")
        if n == 1:
            if not ok or not line.startswith("FN"):
                raise DataFormatError("not a Web of Science plain-text export (the first "
                                      f"line should start with 'FN'); got {line[:40]!r}",
                                      path=str(path), line=1, field="FN")
            continue
        if not line.strip():
            continue
        if not ok:
            if rec is not None:
                problem = problem or (n, None, "not UTF-8 text")
            else:
                outside(n, "not UTF-8 text (outside a record)")
            continue
        if line.startswith("   ") and rec is not None and tag is not None:
            val = line.strip()
            if tag in _LIST_TAGS:
                rec.setdefault(tag, []).append(val)
            else:
                rec[tag][-1] += " " + val
            continue
        if line.startswith("ER"):
            if rec is None:
                outside(n, "ER without a record", "ER")
            else:
                yield start, rec, problem
            rec, tag, problem = None, None, None
            continue
        if line.startswith("EF"):
            break
        m = _TAG.match(line)
        if not m:
            if rec is not None:
                problem = problem or (n, None, f"not a tagged line: {line[:40]!r}")
            else:
                outside(n, f"not a tagged line: {line[:40]!r}")
            continue
        tag, val = m.group(1), m.group(2)
        if tag == "PT":
            if rec is not None:
                yield start, rec, (start, "ER", "record without ER")
            rec, start, problem, stray = {}, n, None, False
        if rec is None:
            if tag not in ("FN", "VR"):
                outside(n, f"tag {tag} outside a record (no PT before it)", tag)
            tag = None
            continue
        rec.setdefault(tag, []).append(val)
    if rec is not None:
        yield start, rec, (start, "ER", "file ends inside a record (no ER): truncated export?")


def _records_tab(path, policy, lines):
    """Yield (line, {tag: [values]}, None) records of a tab-delimited export."""
    header = read_header(path, lines, sep="\t", policy=policy, quoting=csv.QUOTE_NONE)
    if header is None:
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    if len(header) < 2:
        raise DataFormatError("not a Web of Science export: neither plain text (first "
                              "line 'FN ...') nor tab-delimited (a header of field tags "
                              f"such as PT, AU, UT); got {header[:1]!r}", path=str(path),
                              line=1)
    for need in ("UT",):
        if need not in header:
            raise DataFormatError(f"missing required column {need!r}; the header has "
                                  f"{header[:12]}...", path=str(path), line=1, field=need)
    for n, row in csv_records(lines, sep="\t", policy=policy, path=path, ncols=len(header),
                              quoting=csv.QUOTE_NONE, what="tab-separated fields",
                              tolerance=1):
        if not any(x.strip() for x in row):
            continue
        rec = {}
        for tag, val in zip(header, row):
            val = val.strip()
            if not val:
                continue
            if tag == "C1":
                rec[tag] = split_outside_brackets(val)
            elif tag == "RP":
                rec[tag] = [val]
            elif tag in _LIST_TAGS:
                rec[tag] = [x.strip() for x in val.split(";") if x.strip()]
            else:
                rec[tag] = [val]
        yield n, rec, None


def _records(path, policy):
    """The records of one export, plain text or tab-delimited (detected)."""
    lines = iter_text_lines(path, policy)
    first = lines.peek()
    if first is None:
        if str(path) in policy.damaged:
            return iter(())
        raise DataFormatError("empty file: no header row", path=str(path), line=1)
    head = first[1]
    if first[2] and (head.startswith("FN") or head.startswith("PT ")):
        return _records_plain(path, policy, lines)
    return _records_tab(path, policy, lines)


def read_wos(path, *, regions=None, channel="academic", errors="raise", citations=True,
             progress=None):
    """Read Web of Science exports: plain text (``savedrecs.txt``) or tab-delimited.

    Parameters
    ----------
    path : path, folder or list of paths
        Exports; the format of each file is detected (``FN`` first line → plain text,
        else a tab-delimited header of field tags). UTF-8 with or without BOM, CRLF or
        LF; UTF-16 tab-delimited ("Win") exports too.
    regions : RegionMap or str, optional
        ``"countries"``, ``"metros"`` or a region CSV path as on the command
        line, or a RegionMap. Default :func:`ecosystem.regions.countries`.
    channel : str, default "academic"
        Channel of every record.
    errors : {"raise", "skip"}, default "raise"
    citations : bool, default True
        Citations from ``CR`` entries that carry a DOI (``cited`` = the record of the
        corpus with that ``DI``, else ``doi:<doi>``); references without a DOI cannot be
        matched reliably and are counted in ``report.notes``.
    progress : None, bool or callable, optional
        Accepted for a uniform interface.

    Returns
    -------
    ReadResult
        One row per author × address country (see :mod:`ecosystem.readers._biblio` for
        the counting rule); ``C1`` addresses ``[Authors] Org, ..., City, Country.`` link
        authors (``AF`` full names) to addresses; records without brackets (before
        ~2008) give one contributor per address (role ``"address"``). The lead is the
        corresponding (``RP``; "reprint author" in older exports) author's rows in the
        reprint address's country, else the first author's. Countries come from the
        last comma token only ("Beth Israel Deaconess Med Ctr, Boston, MA 02215 USA" is
        the US); ``Hong Kong`` / ``Macau`` stay HK / MO also before ``Peoples R China``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "savedrecs.txt"
    >>> _ = p.write_text(
    ...     "FN Clarivate Analytics Web of Science\\nVR 1.0\\nPT J\\nAU Chen, L\\n   Smith, J\\n"
    ...     "AF Chen, Li\\n   Smith, John\\n"
    ...     "C1 [Chen, Li] Univ Macau, Taipa, Macau, Peoples R China.\\n"
    ...     "   [Smith, John] Beth Israel Deaconess Med Ctr, Boston, MA 02215 USA.\\n"
    ...     "RP Smith, J (corresponding author), Beth Israel Deaconess Med Ctr, Boston, "
    ...     "MA 02215 USA.\\nPY 2022\\nUT WOS:000000000000001\\nER\\n\\nEF\\n")
    >>> res = read_wos(p)
    >>> res.contributions.to_pandas()[["actor", "region", "lead", "weight"]]
            actor region   lead  weight
    0   Chen, Li     MO  False     0.5
    1  Smith, John     US   True     0.5
    """
    import pandas as pd

    func = "read_wos"
    region_map = default_regions(regions, func)
    report = ReadReport("Web of Science", licence=WOS_LICENCE)
    check_channel(func, channel)
    policy = Policy(func, errors, report)
    paths = as_path_list(func, path, "path", (".txt", ".tsv", ".txt.gz"))
    out = new_rows()
    docs = {}        # record id -> doi
    refs = []        # (record id, year, cited doi)
    no_doi_refs = 0
    seen = set()
    rec_years = {}
    for p in paths:
        report.files.append(str(p))
        for line, rec, problem in _records(p, policy):
            report.records_read += 1
            if problem is not None:
                policy.bad(problem[2], path=p, line=problem[0], field=problem[1])
                continue
            ut = (rec.get("UT") or [""])[0].strip()
            doi = (rec.get("DI") or [""])[0].strip().lower()
            rid = ut or (f"doi:{doi}" if doi else None)
            if rid is None:
                policy.bad("record without UT (accession number) or DI", path=p, line=line,
                           field="UT")
                continue
            if rid in seen:
                report.skip(SKIP_DUPLICATE)
                continue
            year, why = parse_year((rec.get("PY") or [""])[0])
            if why:
                policy.bad(why, path=p, line=line, field="PY")
                continue
            seen.add(rid)
            rec_years[rid] = year
            if doi:
                docs[rid] = doi
            names = rec.get("AF") or rec.get("AU") or []
            keys = [name_key(x) for x in names]
            authors = list(zip(names, keys))
            index = {}
            for i, nm in enumerate(names):
                index.setdefault(nm.strip().lower(), i)
            addrs = [[] for _ in names]
            unlinked = []
            for entry in rec.get("C1", []):
                m = re.match(r"^\[(.*?)\]\s*(.*)$", entry)
                if m:
                    for nm in m.group(1).split(";"):
                        i = index.get(nm.strip().lower())
                        if i is None:
                            i = {k: j for j, k in enumerate(keys)}.get(name_key(nm))
                        if i is None:
                            report.note("C1 names not among the authors")
                            continue
                        addrs[i].append(m.group(2))
                else:
                    unlinked.append(entry)
            corr = []
            rp_text = " ".join(rec.get("RP", []))
            for part in _RP_SPLIT.split(rp_text) if rp_text else ():
                m = _RP_ONE.match(part)
                if m:
                    corr.append((name_key(m.group(1)), m.group(2)))
            if "CA" in rec:
                report.note("group authors (CA) not counted as contributors", len(rec["CA"]))
            if not paper_rows(rid, year, authors, addrs, unlinked, corr, out, report):
                report.skip(SKIP_NO_COUNTRY if authors or unlinked else SKIP_NO_ACTORS)
            if citations:
                for cr in rec.get("CR", []):
                    m = _DOI.search(cr)
                    if m:
                        refs.append((rid, year, (m.group(1) or m.group(2)).rstrip(".,;]").lower()))
                    else:
                        no_doi_refs += 1
    frame = pd.DataFrame(out)
    frame["channel"] = channel
    info = {"source": "Web of Science", "licence": WOS_LICENCE,
            "weight": "1/n per author, split over the author's countries, then addresses",
            "region_map": getattr(region_map, "name", None)}
    contributions = contributions_from_frame(frame, region_map, report, info)
    cit = None
    if citations:
        cit = _doi_citations(refs, docs, rec_years, report, "Web of Science CR (DOI)")
        report.notes["references without DOI (not matched)"] = no_doi_refs
    return ReadResult(contributions=contributions, citations=cit, moves=None, report=report)


def _doi_citations(refs, docs, years, report, source):
    """Citations whose cited DOI is matched to a record of the corpus, else doi:<doi>."""
    by_doi = {d: r for r, d in docs.items()}
    citing = [r for r, _, _ in refs]
    cited = [by_doi.get(d, f"doi:{d}") for _, _, d in refs]
    keep = [a != b for a, b in zip(citing, cited)]
    citing = [a for a, k in zip(citing, keep) if k]
    cited = [b for b, k in zip(cited, keep) if k]
    c = Citations.from_pairs(citing, cited,
                             citing_year=[years.get(a, -1) for a in citing],
                             cited_year=[years.get(b, -1) for b in cited],
                             corpus=set(years), info={"source": source})
    report.notes["citations"] = len(c)
    report.notes["citations outside the corpus (dangling)"] = int((~c.in_corpus).sum())
    return c

