"""The CSV export of the OpenAlex web interface, turned into OpenAlex work objects.

The export ("Export → CSV" on openalex.org) has one row per work and flattens every
list: values of the authorships are joined with ``|``, one entry per authorship, in
author order, e.g. ``authorships.author.id = "https://openalex.org/A1|https://openalex.org/A2"``.
The institutions of one authorship are joined with ``;`` inside its ``|`` entry
(``authorships.institutions``: ``"<id>, "<name>", <ror>, <country>, <type>, [...]"``) or
given as parallel columns (``authorships.institutions.id``,
``authorships.institutions.country_code``, ``authorships.institutions.type``). The
countries of an authorship are ``authorships.countries`` (``;`` or ``,`` inside the
entry).

:func:`works_from_csv` rebuilds minimal work objects (id, publication_year, type,
authorships with author, position, corresponding flag, institutions and countries) so
that :func:`ecosystem.read_openalex` reads them exactly like API works. A row whose
authorship columns do not have one entry per author is malformed (it cannot be aligned)
and is reported with its line.
"""

from __future__ import annotations

import re
import zlib

from ..exceptions import DataFormatError
from ._io import iter_text_lines, normalise_header, parse_year, read_header, read_whole_table
from ._report import Policy, ReadReport

__all__ = ["is_openalex_csv", "works_from_csv"]

_AUTHOR_COLUMNS = ("authorships.author.id", "authorships.author.display_name",
                   "authorships.raw_author_name")
_INSTITUTION = re.compile(r'(https://openalex\.org/I\d+|I\d+)\s*,\s*"(?:[^"]|"")*"\s*,\s*'
                          r'[^,]*,\s*([A-Za-z]{2})?\s*,\s*([a-z]*)')
_CODE = re.compile(r"\b[A-Z]{2}\b")


def _first_line(path):
    """The first line of a plain or gzip file as text (bad bytes replaced; at most 64 kB)."""
    import gzip

    with open(path, "rb") as raw:
        head = raw.read(2)
        raw.seek(0)
        fh = gzip.open(raw) if head == b"\x1f\x8b" else raw
        return fh.readline(1 << 16).decode("utf-8-sig", errors="replace")


def is_openalex_csv(path):
    """Whether a file starts with the header of an OpenAlex web-interface export.

    Parameters
    ----------
    path : str or path-like
        File to look at (plain or gzip).

    Returns
    -------
    bool
        True when the first line is a delimited header with an ``id`` column and
        ``authorships.`` columns.
    """
    try:
        first = _first_line(path)
    except (OSError, EOFError, zlib.error):
        return False  # damaged input: the JSON reader locates and counts it
    if not first or first.lstrip().startswith(("{", "[")):
        return False
    names = [c.strip().strip('"') for c in re.split(r"[,\t]", first)]
    return "id" in names and any(c.startswith("authorships.") for c in names)


def _split(cell, n=None):
    if cell is None:
        return []
    cell = cell.strip()
    if not cell:
        return [] if n is None else [""] * n
    return cell.split("|")


def _none(text):
    text = (text or "").strip()
    return None if text in ("", "None", "null", "nan") else text


class _Problems(Policy):
    """A skip policy that keeps every problem of the table layer (the caller applies errors=)."""

    def __init__(self):
        super().__init__("read_openalex", "skip", ReadReport("OpenAlex CSV export"))
        self.problems = []

    def bad(self, message, path=None, line=None, field=None, n=1, unit=False, last_line=None):
        self.problems.extend([(line, field, message)] * n)


_COLUMNS = ("id", "publication_year", "type", "authorships.author_position",
            "authorships.is_corresponding", "authorships.institutions", "authorships.countries",
            "authorships.institutions.id", "authorships.institutions.country_code",
            "authorships.institutions.type") + _AUTHOR_COLUMNS


def works_from_csv(path):
    """OpenAlex work objects rebuilt from a web-interface CSV export.

    Parameters
    ----------
    path : str or path-like
        The export (``.csv`` or ``.csv.gz``; comma or tab separated).

    Returns
    -------
    works : list of dict
        One work per row with ``id``, ``publication_year``, ``type`` and
        ``authorships`` (``author.id``, ``author_position``, ``is_corresponding``,
        ``institutions`` with ``id``, ``country_code`` and ``type``, ``countries``).
    problems : list of tuple
        ``(line, field, message)`` of the rows left out, one per row, with its physical
        line: rows the table layer cannot read (wrong field count, unclosed quote, bytes
        that are not UTF-8, a damaged stream), years out of range, and rows whose
        authorship columns cannot be aligned (one ``|`` entry per author is required).

    Raises
    ------
    DataFormatError
        The file is empty or has no ``id``/``authorships`` columns.
    """
    label = str(path)
    policy = _Problems()
    try:
        first = _first_line(path)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataFormatError(f"the header row cannot be read ({type(exc).__name__})",
                              path=label, line=1) from None
    sep = "\t" if first.count("\t") > first.count(",") else ","
    header = read_header(path, iter_text_lines(path, policy), sep=sep, policy=policy)
    cols = set(normalise_header(h) for h in header or [])
    author_col = next((c for c in _AUTHOR_COLUMNS if c in cols), None)
    if "id" not in cols or author_col is None:
        raise DataFormatError(
            "not an OpenAlex web-interface CSV export: needs an 'id' column and one of "
            f"{list(_AUTHOR_COLUMNS)}; the header has {sorted(cols)[:12]}",
            path=label, line=1, field="id" if "id" not in cols else _AUTHOR_COLUMNS[0])
    table = read_whole_table(path, sep=sep, required=["id"],
                             optional=[c for c in _COLUMNS if c != "id"], policy=policy,
                             report=policy.report)
    problems = policy.problems
    works = []
    names = list(table.columns)
    for values in table.itertuples(index=False, name=None):
        row = dict(zip(names, values))
        line = int(row["_line"])
        work_id = _none(row.get("id"))
        year = _none(row.get("publication_year"))
        if year is not None:
            y, why = parse_year(year)
            if why:
                problems.append((line, "publication_year", why))
                continue
            year = y
        authors = _split(row.get(author_col))
        n = len(authors)
        fields = {}
        bad = None
        for name in _COLUMNS[3:10]:
            if not (row.get(name) or "").strip():
                continue
            parts = _split(row.get(name))
            if len(parts) != n:
                bad = (line, name, f"{len(parts)} '|' entries for {n} authors; the "
                       "authorship columns must have one entry per author")
                break
            fields[name] = parts
        if bad:
            problems.append(bad)
            continue
        auths = []
        for k in range(n):
            insts = _institutions(fields, k)
            countries = []
            if "authorships.countries" in fields:
                countries = _CODE.findall(fields["authorships.countries"][k].upper())
            if not countries:
                countries = [i["country_code"] for i in insts if i.get("country_code")]
            corr = fields.get("authorships.is_corresponding", [None] * n)[k]
            a_id = authors[k].strip() if author_col == "authorships.author.id" else None
            auths.append({
                "author": {"id": _none(a_id)} if a_id else None,
                "author_position": _none(fields.get("authorships.author_position",
                                                    [None] * n)[k]),
                "is_corresponding": (None if _none(corr) is None
                                     else corr.strip().lower() == "true"),
                "institutions": insts,
                "countries": list(dict.fromkeys(countries)),
            })
        works.append({"id": work_id, "publication_year": year,
                      "type": _none(row.get("type")), "authorships": auths})
    problems.sort(key=lambda p: (p[0] is None, p[0] or 0))
    return works, problems


def _institutions(fields, k):
    """Institutions of authorship ``k`` from the structured or the parallel columns."""
    if "authorships.institutions" in fields:
        out = []
        for m in _INSTITUTION.finditer(fields["authorships.institutions"][k]):
            iid = m.group(1)
            out.append({"id": iid if iid.startswith("https://") else f"https://openalex.org/{iid}",
                        "country_code": (m.group(2) or "").upper() or None,
                        "type": m.group(3) or None})
        if out:
            return out
    ids = [x.strip() for x in re.split(r"[;,]", fields.get("authorships.institutions.id",
                                                            [""] * (k + 1))[k]) if x.strip()]
    ccs = [x.strip().upper() for x in re.split(r"[;,]", fields.get(
        "authorships.institutions.country_code", [""] * (k + 1))[k]) if x.strip()]
    types = [x.strip() for x in re.split(r"[;,]", fields.get(
        "authorships.institutions.type", [""] * (k + 1))[k]) if x.strip()]
    out = []
    for j, iid in enumerate(ids):
        out.append({"id": iid, "country_code": ccs[j] if j < len(ccs) else None,
                    "type": types[j] if j < len(types) else None})
    if not out and ccs:
        out = [{"id": None, "country_code": c, "type": None} for c in ccs]
    return out
