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

import csv
import io
import re
import zlib

from ..exceptions import DataFormatError
from ._io import parse_year

__all__ = ["is_openalex_csv", "works_from_csv"]

_AUTHOR_COLUMNS = ("authorships.author.id", "authorships.author.display_name",
                   "authorships.raw_author_name")
_INSTITUTION = re.compile(r'(https://openalex\.org/I\d+|I\d+)\s*,\s*"(?:[^"]|"")*"\s*,\s*'
                          r'[^,]*,\s*([A-Za-z]{2})?\s*,\s*([a-z]*)')
_CODE = re.compile(r"\b[A-Z]{2}\b")


def _open(path):
    import gzip

    raw = open(path, "rb")
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        raw = gzip.open(raw)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


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
        with _open(path) as fh:
            first = fh.readline(1 << 16)
    except (OSError, UnicodeDecodeError, EOFError, zlib.error):
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
        ``(line, field, message)`` of rows whose authorship columns cannot be aligned
        (one ``|`` entry per author is required); these rows are left out.

    Raises
    ------
    DataFormatError
        The file is empty or has no ``id``/``authorships`` columns.
    """
    label = str(path)
    try:
        return _parse(path, label)
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error) as exc:
        raise DataFormatError(f"cannot read the CSV export ({type(exc).__name__}: "
                              f"{str(exc)[:160]})", path=label) from None


def _parse(path, label):
    """The body of :func:`read_csv_export` (raw I/O and csv errors are caught there)."""
    with _open(path) as fh:
        sample = fh.read(1 << 16)
        fh.seek(0)
        if not sample.strip():
            raise DataFormatError("empty file: no header row", path=label, line=1)
        sep = "\t" if sample.split("\n", 1)[0].count("\t") > sample.split("\n", 1)[0].count(",") \
            else ","
        reader = csv.DictReader(fh, delimiter=sep)
        cols = set(reader.fieldnames or ())
        author_col = next((c for c in _AUTHOR_COLUMNS if c in cols), None)
        if "id" not in cols or author_col is None:
            raise DataFormatError(
                "not an OpenAlex web-interface CSV export: needs an 'id' column and one of "
                f"{list(_AUTHOR_COLUMNS)}; the header has {sorted(cols)[:12]}",
                path=label, line=1, field="id" if "id" not in cols else _AUTHOR_COLUMNS[0])
        works, problems = [], []
        for row in reader:
            line = reader.line_num
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
            for name in ("authorships.author_position", "authorships.is_corresponding",
                         "authorships.institutions", "authorships.countries",
                         "authorships.institutions.id", "authorships.institutions.country_code",
                         "authorships.institutions.type"):
                if name not in cols or not (row.get(name) or "").strip():
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
