"""Data files shipped with the package, and the commented CSV reader of the region tables."""

from __future__ import annotations

import csv
from importlib import resources

from ..exceptions import DataFormatError


def data_file(name):
    """The packaged data file ``ecosystem/_data/<name>`` (a Traversable)."""
    return resources.files("ecosystem").joinpath("_data", name)


def csv_records(handle, source, *, required, optional):
    """Yield (line number, {column: value or None}) from a CSV file with '#' comments."""
    def lines():
        for line in handle:
            yield "\n" if line.lstrip().startswith("#") else line

    reader = csv.reader(lines())
    header = None
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        line = reader.line_num
        if header is None:
            header = [f.strip().lower() for f in fields]
            check_header(header, source, line, required, optional)
            continue
        if len(fields) > len(header):
            raise DataFormatError(f"{len(fields)} fields, but the header has {len(header)}",
                                  path=source, line=line)
        values = dict.fromkeys(header)
        values.update({col: (f.strip() or None) for col, f in zip(header, fields)})
        yield line, values
    if header is None:
        raise DataFormatError("no header row", path=source)


def check_header(header, source, line, required, optional):
    allowed = set(required) | set(optional)
    for col in header:
        if col not in allowed:
            raise DataFormatError(f"unknown column {col!r} (expected some of "
                                  f"{', '.join(required + optional)})", path=source, line=line,
                                  field=col)
        if header.count(col) > 1:
            raise DataFormatError(f"column {col!r} appears twice", path=source, line=line,
                                  field=col)
    for col in required:
        if col not in header:
            raise DataFormatError(f"missing required column {col!r}", path=source, line=line,
                                  field=col)

