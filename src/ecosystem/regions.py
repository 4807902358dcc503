"""Analysis regions: raw locations → regions → jurisdictions, and border layers.

A :class:`RegionMap` turns raw locations — an ISO 3166-1 country code with an optional
admin-1 unit (state, province, prefecture), city and county, as OpenAlex, PatentsView,
REGPAT, Web of Science and Scopus give them — into integer-coded analysis regions. Every
region has a jurisdiction (the country whose code the databases use for it) and may have
a multi-jurisdiction *parent*, such as the Greater Bay Area grouping Guangdong cities (CN),
Hong Kong (HK) and Macao (MO).

Border layers of a region pair (DESIGN §2, typology §2.1), in code order:

``internal`` (0)
    both ends in the same region;
``domestic`` (1)
    different regions of the same country;
``international`` (2)
    different countries, and not under one parent;
``cross-boundary`` (3)
    different regions of different countries under the same parent (Hong Kong ↔
    Shenzhen in :func:`greater_bay_area`), which a naive country test would count as
    international.

Built-in maps: :func:`countries` (every ISO 3166-1 code its own region),
:func:`metro_areas` (the four seed regions SFBA, NYC, GTKY, GBA plus the rest of the
world) and :func:`greater_bay_area` (the GBA split by jurisdiction). Custom maps come from
:meth:`RegionMap.from_dict` and :meth:`RegionMap.from_csv`.

Country codes
-------------
The table of ISO 3166-1 codes (``_data/iso3166.csv``: alpha-2, alpha-3, English short
name and common name) was generated from the Debian iso-codes database through pycountry;
ecosystem does not depend on pycountry. Kosovo (``XK`` / ``XKX``, a user-assigned code
used by the EU, IMF and World Bank) is added. Codes are read case-insensitively as alpha-2
or alpha-3; these non-ISO aliases are also read: ``UK`` → GB, ``EL`` → GR (EU usage),
``XKX``/``KOS`` → XK, and the withdrawn alpha-3 codes ``ROM`` → RO, ``ZAR`` → CD,
``TMP`` → TL. Every ISO-3 code in the MPIDR scholarly-migration data (Scopus and OpenAlex
2024 V1) is a current ISO 3166-1 code or ``XKX``. The World Bank's ``CHI`` (Channel
Islands) is deliberately not read: it spans two ISO codes (JE, GG) and is reported as an
unknown country code.

Beware that pandas' ``read_csv`` turns the string ``"NA"`` (Namibia) into a missing value
unless called with ``keep_default_na=False``.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from itertools import product
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd

from .exceptions import (
    DataFormatError,
    InputTypeError,
    ParameterError,
    UnknownRegionError,
)

__all__ = [
    "RegionMap",
    "ResolveReport",
    "UnmatchedLocation",
    "countries",
    "metro_areas",
    "greater_bay_area",
    "seed_regions",
    "layer_codes",
    "LAYER_INTERNAL",
    "LAYER_DOMESTIC",
    "LAYER_INTERNATIONAL",
    "LAYER_CROSS_BOUNDARY",
    "LAYERS",
    "UNMATCHED_REASONS",
    "LEVELS",
]

LAYER_INTERNAL = 0
LAYER_DOMESTIC = 1
LAYER_INTERNATIONAL = 2
LAYER_CROSS_BOUNDARY = 3
#: Border layer names, indexed by the ``LAYER_*`` codes.
LAYERS = ("internal", "domestic", "international", "cross-boundary")

REASON_MISSING_COUNTRY = "missing country"
REASON_UNKNOWN_COUNTRY = "unknown country code"
REASON_NO_REGION = "no region for location"
#: Why a location can fail to resolve, in report order.
UNMATCHED_REASONS = (REASON_MISSING_COUNTRY, REASON_UNKNOWN_COUNTRY, REASON_NO_REGION)

#: Pattern levels, most specific first (the order in which locations are matched).
LEVELS = ("admin1+county", "admin1+city", "city", "admin1", "country")
_LEVEL_COUNTY, _LEVEL_ADMIN1_CITY, _LEVEL_CITY, _LEVEL_ADMIN1, _LEVEL_COUNTRY = range(5)

_UNMATCHED_MODES = ("rest", "error", "drop")
_MAX_EXAMPLES = 10

# Non-ISO country codes read as aliases (none of them is an assigned ISO 3166-1 code).
_COUNTRY_ALIASES = {
    "UK": "GB",   # exceptionally reserved for the United Kingdom
    "EL": "GR",   # Greece in EU usage
    "XKX": "XK",  # Kosovo, alpha-3 user-assigned code (World Bank, MPIDR)
    "KOS": "XK",  # Kosovo (IOC, UNDP)
    "ROM": "RO",  # Romania's alpha-3 code until 2002
    "ZAR": "CD",  # Zaire, withdrawn 1997
    "TMP": "TL",  # East Timor, withdrawn 2002
}

_CSV_COLUMNS = ("region", "jurisdiction", "country", "admin1", "city", "county", "rest",
                "parent", "label")
_CSV_REQUIRED = ("region", "country")
_TRUE = frozenset({"yes", "y", "true", "1", "x"})
_FALSE = frozenset({"no", "n", "false", "0"})


# --------------------------------------------------------------------------- names


_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                       "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th"})
_DROP = str.maketrans("", "", ".'’`ʼ")
_SPLIT = re.compile(r"[\W_]+")
_TOKEN_ALIASES = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
_GENERIC_SUFFIXES = frozenset({"city", "county", "shi", "province", "sheng", "prefecture",
                               "state", "to", "ken", "fu", "metropolis", "sar"})
_SUBDIVISION_CODE = re.compile(r"^\s*([A-Za-z]{2})[-_ ]([A-Za-z0-9]{1,3})\s*$")


def _as_text(value):
    """A stripped string, or None for a missing value (None, NaN, pd.NA, empty)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        if float(value).is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def _name_key(value):
    """Matching key of a place name: case-, accent-, punctuation- and space-insensitive.

    Trailing generic words (City, County, -shi, -ken, -to, Province, State, SAR, ...)
    and a leading "The" are dropped; Saint/Mount/Fort become St/Mt/Ft.
    """
    text = _as_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    tokens = [_TOKEN_ALIASES.get(t, t)
              for t in _SPLIT.split(text.casefold().translate(_DROP)) if t]
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _GENERIC_SUFFIXES:
        tokens.pop()
    return "".join(tokens) or None


def _admin1_key(value, country):
    """Key of an admin-1 name or code; an ISO 3166-2 prefix of `country` is dropped."""
    return _admin1_in(_admin1_token(value), country)


def _admin1_token(value):
    """Admin-1 key; for an ISO 3166-2-like code both readings, as '\\0CC\\0short\\0long'."""
    text = _as_text(value)
    if text is None:
        return None
    code = _SUBDIVISION_CODE.match(text)
    if code is None:
        return _name_key(text)
    return "\0".join(("", code.group(1).upper(), _name_key(code.group(2)), _name_key(text)))


def _admin1_in(token, country):
    """Admin-1 key of a token for a location in `country` ("US-CA" is "CA" in the US)."""
    if token is None or not token.startswith("\0"):
        return token
    _, prefix, short, long = token.split("\0")
    return short if prefix == country else long


def _county_key(value):
    """Key of a county name or FIPS code (5-digit state+county codes keep the county part)."""
    key = _name_key(value)
    if key is not None and key.isdigit():
        key = key.zfill(5)[-3:] if len(key) > 3 else key.zfill(3)
    return key


# --------------------------------------------------------------------------- countries


class _CountryTable(NamedTuple):
    alpha2: tuple
    labels: tuple
    lookup: Mapping  # upper-case alpha-2 / alpha-3 / alias -> alpha-2


def _data_file(name):
    return resources.files(__package__).joinpath("_data", name)


@functools.cache
def _countries_table():
    with _data_file("iso3166.csv").open("r", encoding="utf-8", newline="") as handle:
        records = [values for _, values in _csv_records(
            handle, "iso3166.csv", required=("alpha2", "alpha3", "name"),
            optional=("common_name",))]
    alpha2 = tuple(r["alpha2"] for r in records)
    labels = tuple(r["common_name"] or r["name"] for r in records)
    lookup = {r["alpha2"]: r["alpha2"] for r in records}
    lookup.update({r["alpha3"]: r["alpha2"] for r in records})
    for alias, target in _COUNTRY_ALIASES.items():
        lookup.setdefault(alias, target)
    return _CountryTable(alpha2, labels, MappingProxyType(lookup))


def _alpha2(value):
    """ISO alpha-2 code of a country code, and the reason when there is none."""
    text = _as_text(value)
    if text is None:
        return None, REASON_MISSING_COUNTRY
    code = _countries_table().lookup.get(text.upper())
    return (code, None) if code is not None else (None, REASON_UNKNOWN_COUNTRY)


# --------------------------------------------------------------------------- definitions


class _Region(NamedTuple):
    code: str
    country: str
    label: str
    parent: str | None


class _Pattern(NamedTuple):
    region: str
    country: str
    admin1: str | None
    city: str | None
    county: str | None


class UnmatchedLocation(NamedTuple):
    """A location that resolved to no region, as it was given.

    Attributes
    ----------
    position : int
        0-based position of its first occurrence in the input.
    country, admin1, city, county : object
        The values given (None where missing).
    """

    position: int
    country: object
    admin1: object
    city: object
    county: object


def _pattern_level(admin1, city, county):
    """Level of a pattern, or raise ValueError naming what is wrong with it."""
    if county is not None:
        if admin1 is None:
            raise ValueError("a county pattern needs admin1 (county names repeat across states)")
        if city is not None:
            raise ValueError("give either city or county in one pattern, not both")
        return _LEVEL_COUNTY
    if city is not None:
        return _LEVEL_ADMIN1_CITY if admin1 is not None else _LEVEL_CITY
    return _LEVEL_ADMIN1 if admin1 is not None else _LEVEL_COUNTRY


def _pattern_key(pattern):
    """(level, lookup key) of a pattern; ValueError when it cannot match anything."""
    level = _pattern_level(pattern.admin1, pattern.city, pattern.county)
    c = pattern.country
    parts = {"admin1": _admin1_key(pattern.admin1, c), "city": _name_key(pattern.city),
             "county": _county_key(pattern.county)}
    for field in ("admin1", "city", "county"):
        if getattr(pattern, field) is not None and parts[field] is None:
            raise ValueError(f"{field} {getattr(pattern, field)!r} has no letters or digits")
    a, ci, co = parts["admin1"], parts["city"], parts["county"]
    key = ((c, a, co), (c, a, ci), (c, ci), (c, a), (c,))[level]
    return level, key


def _describe(pattern):
    fields = [f"country={pattern.country!r}"]
    fields += [f"{f}={getattr(pattern, f)!r}" for f in ("admin1", "city", "county")
               if getattr(pattern, f) is not None]
    return "(" + ", ".join(fields) + ")"


class _Assembler:
    """Collects region patterns, rest assignments and region attributes from one source.

    Parameters
    ----------
    fail : callable (message, where, field) -> Exception
        Builds the error for a bad entry at `where` (a line number or a description).
    """

    def __init__(self, fail):
        self.fail = fail
        self.patterns = {}     # _Pattern -> where
        self.keys = {}         # (level, key) -> (region, where)
        self.rest = {}         # country -> (region, where)
        self.attrs = {}        # region -> {attribute: (value, where)}
        self.seen = {}         # region -> {country: where}, in order of appearance
        self.first = {}        # region -> where it first appeared

    def country(self, value, where, field="country"):
        if _as_text(value) is None:
            raise self.fail(f"missing {field} code", where, field)
        code, _ = _alpha2(value)
        if code is None:
            raise self.fail(f"unknown country code {value!r} (expected ISO 3166-1 alpha-2 "
                            "or alpha-3)", where, field)
        return code

    def touch(self, region, where):
        if _as_text(region) is None:
            raise self.fail("missing region code", where, "region")
        self.seen.setdefault(region, {})
        self.first.setdefault(region, where)
        return region

    def add_pattern(self, region, country, admin1, city, county, where):
        """Add one pattern; '|' in admin1/city/county separates alternative spellings."""
        region = self.touch(region, where)
        code = self.country(country, where)
        self.seen[region].setdefault(code, where)
        spellings = [self._spellings(v, f, where) for v, f in
                     ((admin1, "admin1"), (city, "city"), (county, "county"))]
        for a, ci, co in product(*spellings):
            pattern = _Pattern(region, code, a, ci, co)
            try:
                level_key = _pattern_key(pattern)
            except ValueError as exc:
                raise self.fail(str(exc), where, "county" if co is not None else
                                "city" if ci is not None else "admin1") from None
            owner = self.keys.setdefault(level_key, (region, where))
            if owner[0] != region:
                raise self.fail(f"location pattern {_describe(pattern)} of region {region!r} "
                                f"already maps to region {owner[0]!r} ({_where(owner[1])})",
                                where, "region")
            self.patterns.setdefault(pattern, where)

    def add_rest(self, region, country, where):
        region = self.touch(region, where)
        code = self.country(country, where)
        self.seen[region].setdefault(code, where)
        owner = self.rest.setdefault(code, (region, where))
        if owner[0] != region:
            raise self.fail(f"country {code} already has rest-of-country region {owner[0]!r} "
                            f"({_where(owner[1])})", where, "rest")

    def set_attr(self, region, attribute, value, where):
        value = _as_text(value)
        if value is None:
            return
        if attribute == "jurisdiction":
            value = self.country(value, where, "jurisdiction")
        known = self.attrs.setdefault(region, {}).setdefault(attribute, (value, where))
        if known[0] != value:
            raise self.fail(f"region {region!r} already has {attribute} {known[0]!r} "
                            f"({_where(known[1])}), not {value!r}", where, attribute)

    def regions(self):
        out = []
        for code, seen in self.seen.items():
            attrs = self.attrs.get(code, {})
            country = attrs.get("jurisdiction", (None,))[0]
            if country is None:
                if not seen:
                    raise self.fail(f"region {code!r} has no location pattern", self.first[code],
                                    "region")
                if len(seen) > 1:
                    where = list(seen.values())[1]
                    raise self.fail(f"region {code!r} has patterns in several countries "
                                    f"({', '.join(seen)}); give its jurisdiction", where,
                                    "jurisdiction")
                country = next(iter(seen))
            label = attrs.get("label", (code,))[0]
            out.append(_Region(code, country, label, attrs.get("parent", (None,))[0]))
        return out

    def _spellings(self, value, field, where):
        text = _as_text(value)
        if text is None:
            return [None]
        parts = [p.strip() for p in text.split("|")]
        if not all(parts):
            raise self.fail(f"empty alternative in {field} {text!r}", where, field)
        return parts


def _where(where):
    return f"line {where}" if isinstance(where, int) else where


def _csv_records(handle, source, *, required, optional):
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
            _check_header(header, source, line, required, optional)
            continue
        if len(fields) > len(header):
            raise DataFormatError(f"{len(fields)} fields, but the header has {len(header)}",
                                  path=source, line=line)
        values = dict.fromkeys(header)
        values.update({col: (f.strip() or None) for col, f in zip(header, fields)})
        yield line, values
    if header is None:
        raise DataFormatError("no header row", path=source)


def _check_header(header, source, line, required, optional):
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


def _read_definition(handle, source):
    """Regions, patterns and rest assignments of a RegionMap CSV file."""
    def fail(message, where, field):
        return DataFormatError(message, path=source, line=where, field=field)

    build = _Assembler(fail)
    optional = tuple(c for c in _CSV_COLUMNS if c not in _CSV_REQUIRED)
    for line, row in _csv_records(handle, source, required=_CSV_REQUIRED, optional=optional):
        region = build.touch(row["region"], line)
        flag = (row.get("rest") or "").lower()
        if flag and flag not in _TRUE | _FALSE:
            raise fail(f"rest must be yes or no; got {row['rest']!r}", line, "rest")
        if flag in _TRUE:
            for field in ("admin1", "city", "county"):
                if row.get(field):
                    raise fail("a rest-of-country row takes no admin1, city or county", line,
                               field)
            build.add_rest(region, row["country"], line)
        else:
            build.add_pattern(region, row["country"], row.get("admin1"), row.get("city"),
                              row.get("county"), line)
        for attribute in ("jurisdiction", "parent", "label"):
            build.set_attr(region, attribute, row.get(attribute), line)
    return build.regions(), list(build.patterns), {c: r for c, (r, _) in build.rest.items()}


def _with_country_rest(regions, patterns, rest):
    """Add a rest-of-country region for every country not wholly covered by a pattern.

    A country that some pattern covers only in part gets region ``"<CC>-rest"``; any
    other country gets region ``"<CC>"``. Countries already in `rest` are kept as they are.
    """
    whole = {p.country for p in patterns if p.admin1 is None and p.city is None
             and p.county is None}
    partial = {p.country for p in patterns} - whole
    regions, rest = list(regions), dict(rest)
    taken = {r.code for r in regions}
    table = _countries_table()
    for alpha2, label in zip(table.alpha2, table.labels):
        if alpha2 in whole or alpha2 in rest:
            continue
        code, name = (alpha2, label)
        if alpha2 in partial:
            code, name = f"{alpha2}-rest", f"{label} (rest)"
        if code in taken:
            raise ParameterError(f"rest='country': the rest-of-country region {code!r} clashes "
                                 f"with a region of the same code that does not cover {alpha2}")
        regions.append(_Region(code, alpha2, name, None))
        rest[alpha2] = code
    return regions, rest


# --------------------------------------------------------------------------- report


def layer_codes(countries, parents=None):
    """Border layer of every ordered pair of regions, from their countries and parents.

    Parameters
    ----------
    countries : sequence of length R
        Country (jurisdiction) of each region.
    parents : sequence of length R, optional
        Multi-jurisdiction parent of each region, or None. Two regions of different
        countries under the same parent form the cross-boundary layer.

    Returns
    -------
    ndarray of shape (R, R), dtype=int8
        ``LAYER_INTERNAL`` (0) on the diagonal, ``LAYER_DOMESTIC`` (1) for the same
        country, ``LAYER_CROSS_BOUNDARY`` (3) for different countries under one parent,
        ``LAYER_INTERNATIONAL`` (2) otherwise; names in :data:`LAYERS`. Symmetric.

    Examples
    --------
    >>> layer_codes(["HK", "CN", "CN", "US"], ["GBA", "GBA", None, None])
    array([[0, 3, 2, 2],
           [3, 0, 1, 2],
           [2, 1, 0, 2],
           [2, 2, 2, 0]], dtype=int8)
    """
    countries = [str(c) for c in countries]
    if parents is None:
        parents = [None] * len(countries)
    country = np.unique(np.asarray(countries, dtype=object), return_inverse=True)[1]
    parent_codes = {p: i for i, p in enumerate(dict.fromkeys(parents)) if p is not None}
    parent = np.array([parent_codes.get(p, -1) for p in parents], dtype=np.int64)
    same_country = country[:, None] == country[None, :]
    same_parent = (parent[:, None] == parent[None, :]) & (parent[:, None] >= 0)
    out = np.full(same_country.shape, LAYER_INTERNATIONAL, dtype=np.int8)
    out[same_country] = LAYER_DOMESTIC
    out[same_parent & ~same_country] = LAYER_CROSS_BOUNDARY
    np.fill_diagonal(out, LAYER_INTERNAL)
    return out


@dataclass(frozen=True)
class ResolveReport:
    """What :meth:`RegionMap.resolve` did with its locations.

    Attributes
    ----------
    n_input : int
        Locations given.
    n_matched : int
        Locations that got a region (including those sent to a rest-of-country region).
    n_unmatched : int
        Locations coded -1.
    n_rest : int
        Locations that matched no pattern and went to their country's rest-of-country
        region (``unmatched="rest"`` only).
    by_reason : mapping of str to int
        Unmatched count per reason, for every reason of :data:`UNMATCHED_REASONS`.
    examples : mapping of str to tuple of UnmatchedLocation
        Up to 10 distinct unmatched locations per reason, in order of first appearance.
    map_name : str
        Name of the region map.
    unmatched : str
        The ``unmatched`` mode used.

    Examples
    --------
    >>> _, report = countries().resolve(["US", "XX", None, "FR"])
    >>> report.n_matched, report.n_unmatched, dict(report.by_reason)
    (2, 2, {'missing country': 1, 'unknown country code': 1, 'no region for location': 0})
    >>> report.examples["unknown country code"]
    (UnmatchedLocation(position=1, country='XX', admin1=None, city=None, county=None),)
    """

    n_input: int
    n_matched: int
    n_unmatched: int
    n_rest: int
    by_reason: Mapping
    examples: Mapping
    map_name: str = ""
    unmatched: str = "rest"

    def __post_init__(self):
        object.__setattr__(self, "by_reason", MappingProxyType(dict(self.by_reason)))
        object.__setattr__(self, "examples", MappingProxyType(
            {k: tuple(UnmatchedLocation(*e) for e in v) for k, v in self.examples.items()}))

    def __reduce__(self):
        return (type(self), (self.n_input, self.n_matched, self.n_unmatched, self.n_rest,
                             dict(self.by_reason), dict(self.examples), self.map_name,
                             self.unmatched))

    def __str__(self):
        head = (f"Resolved {self.n_input:,} locations with RegionMap {self.map_name!r} "
                f"(unmatched={self.unmatched!r}): {self.n_matched:,} matched")
        if self.n_rest:
            head += f" ({self.n_rest:,} to rest-of-country regions)"
        lines = [f"{head}, {self.n_unmatched:,} unmatched."]
        for reason in UNMATCHED_REASONS:
            count = self.by_reason.get(reason, 0)
            if not count:
                continue
            lines.append(f"  {reason}: {count:,}, e.g.")
            for ex in self.examples.get(reason, ()):
                fields = ", ".join(f"{f}={getattr(ex, f)!r}" for f in UnmatchedLocation._fields[1:]
                                   if f == "country" or getattr(ex, f) is not None)
                lines.append(f"    at {ex.position}: {fields}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- RegionMap


class RegionMap:
    """Raw location → analysis region → jurisdiction, with border layers.

    Immutable. Build one with :meth:`from_dict`, :meth:`from_csv` or a built-in map
    (:func:`countries`, :func:`metro_areas`, :func:`greater_bay_area`); the constructor is
    the low-level form the others share.

    Parameters
    ----------
    name : str
        Name of the map, e.g. ``"metro_areas"``; named in messages and results.
    regions : iterable of tuple
        ``(code, country[, label[, parent]])`` per region: the region code, its
        jurisdiction (ISO 3166-1 alpha-2 or alpha-3), a human-readable label (default: the
        code) and the code of a multi-jurisdiction parent (default None).
    patterns : iterable of tuple
        ``(region, country[, admin1[, city[, county]]])`` location patterns. A pattern with
        admin1 and county matches by county, admin1 and city by city within admin1, city
        alone by city, admin1 alone the whole admin-1 unit, country alone the whole country.
    rest : mapping of str to str, optional
        Country code → region that takes the locations of that country which match no
        pattern (rest-of-country regions), used by ``resolve(..., unmatched="rest")``.

    Attributes
    ----------
    name : str
    regions : tuple of str
        Region codes in canonical (sorted) order; the position is the region id.
    countries, labels, parents : tuple
        Jurisdiction, label and parent of every region, aligned with `regions`.
    rest : mapping of str to str
        The rest-of-country regions by country.

    Raises
    ------
    ParameterError
        Duplicate or empty region codes, unknown country codes, patterns naming unknown
        regions, one location pattern mapped to two regions, a region no location reaches.

    See Also
    --------
    RegionMap.resolve : Code locations into regions.
    RegionMap.layer_matrix : Border layer of every region pair.

    Notes
    -----
    Matching, most specific first: (country, admin1, county), (country, admin1, city),
    (country, city), (country, admin1), (country). Two refinements keep that order honest:

    * a location with a county, in an admin-1 unit for which the map has county
      patterns, is decided by its county: when the county matches none, its city is not
      looked at (PatentsView snaps locations to a nearby city, the county comes from the
      coordinates);
    * a city pattern without admin1 matches a location that gives an admin1 only when no
      admin1-qualified pattern names the same city in that country: "Berkeley" with no
      state is the Bay Area, "Berkeley, MO" is not.

    Names are compared after Unicode NFKD accent stripping and case folding, ignoring
    punctuation, spaces and generic words (City, County, -shi, -ken, -to, Province, State,
    SAR, a leading "The"); admin1 may also be an ISO 3166-2 code with or without its
    country prefix ("US-CA" or "CA"; "JP-13" or "13").

    Examples
    --------
    >>> m = RegionMap("toy", [("A", "US", "Alpha"), ("B", "US"), ("C", "FR")],
    ...               [("A", "US", "CA"), ("B", "US"), ("C", "FR")])
    >>> m
    RegionMap('toy': 3 regions in 2 countries, 3 patterns)
    >>> m.regions, m.label("A"), m.country("C")
    (('A', 'B', 'C'), 'Alpha', 'FR')
    """

    __slots__ = ("_name", "_regions", "_countries", "_labels", "_parents", "_index",
                 "_patterns", "_rest", "_rest_ids", "_lookup", "_county_areas",
                 "_qualified_cities")

    def __init__(self, name, regions, patterns, rest=None):
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(f"RegionMap: name must be a non-empty string; got {name!r}")
        records = sorted((_region_record(r) for r in regions), key=lambda r: r.code)
        codes = tuple(r.code for r in records)
        if not codes:
            raise ParameterError(f"RegionMap {name!r}: no regions given")
        for a, b in zip(codes, codes[1:]):
            if a == b:
                raise ParameterError(f"RegionMap {name!r}: region {a!r} is defined twice")
        index = {code: i for i, code in enumerate(codes)}
        rules = sorted({_pattern_record(p, index, name) for p in patterns},
                       key=lambda p: (p.region, p.country, _sort_text(p.admin1),
                                      _sort_text(p.city), _sort_text(p.county)))
        rest_map = _rest_record(rest, index, name)
        lookup = _lookup_tables(rules, index, name)
        unreached = set(codes) - {p.region for p in rules} - set(rest_map.values())
        if unreached:
            raise ParameterError(f"RegionMap {name!r}: no location pattern or rest-of-country "
                                 f"assignment reaches region {min(unreached)!r}")
        state = {
            "_name": name, "_regions": codes,
            "_countries": tuple(r.country for r in records),
            "_labels": tuple(r.label for r in records),
            "_parents": tuple(r.parent for r in records),
            "_index": MappingProxyType(index), "_patterns": tuple(rules),
            "_rest": MappingProxyType(rest_map),
            "_rest_ids": MappingProxyType({c: index[r] for c, r in rest_map.items()}),
            "_lookup": tuple(MappingProxyType(d) for d in lookup),
            "_county_areas": frozenset(k[:2] for k in lookup[_LEVEL_COUNTY]),
            "_qualified_cities": frozenset((k[0], k[2]) for k in lookup[_LEVEL_ADMIN1_CITY]),
        }
        for attribute, value in state.items():
            object.__setattr__(self, attribute, value)

    # -- immutability, identity ------------------------------------------------

    def __setattr__(self, attribute, value):
        raise AttributeError(f"RegionMap is immutable: cannot set {attribute!r}")

    def __delattr__(self, attribute):
        raise AttributeError(f"RegionMap is immutable: cannot delete {attribute!r}")

    def __reduce__(self):
        regions = tuple(zip(self._regions, self._countries, self._labels, self._parents))
        return (type(self), (self._name, regions, self._patterns, dict(self._rest)))

    def _definition(self):
        return (self._name, self._regions, self._countries, self._labels, self._parents,
                self._patterns, tuple(sorted(self._rest.items())))

    def __eq__(self, other):
        if not isinstance(other, RegionMap):
            return NotImplemented
        return self._definition() == other._definition()

    def __hash__(self):
        return hash(self._definition())

    def __repr__(self):
        n_countries = len(set(self._countries))
        text = (f"RegionMap({self._name!r}: {len(self._regions)} regions in {n_countries} "
                f"{'country' if n_countries == 1 else 'countries'}, "
                f"{len(self._patterns)} patterns")
        if self._rest:
            text += f", rest-of-country regions for {len(self._rest)} countries"
        return text + ")"

    def __len__(self):
        return len(self._regions)

    def __contains__(self, region):
        return isinstance(region, str) and region in self._index

    # -- attributes ------------------------------------------------------------

    @property
    def name(self):
        """Name of the map (str)."""
        return self._name

    @property
    def regions(self):
        """Region codes in canonical order (tuple of str); the position is the region id."""
        return self._regions

    @property
    def countries(self):
        """Jurisdiction (ISO alpha-2) of every region, aligned with :attr:`regions`."""
        return self._countries

    @property
    def labels(self):
        """Human-readable label of every region, aligned with :attr:`regions`."""
        return self._labels

    @property
    def parents(self):
        """Multi-jurisdiction parent of every region (None for most), aligned with `regions`."""
        return self._parents

    @property
    def rest(self):
        """Rest-of-country region of each country that has one (read-only mapping)."""
        return self._rest

    # -- per-region look-ups ---------------------------------------------------

    def index(self, region):
        """Region id of a region code.

        Parameters
        ----------
        region : str or int
            A region code, or a region id (returned unchanged once checked).

        Returns
        -------
        int
            Position of the region in :attr:`regions`.

        Raises
        ------
        UnknownRegionError
            The code is not a region of this map (the message suggests close matches), or
            the id is out of range.
        InputTypeError
            `region` is neither a string nor an integer.

        Examples
        --------
        >>> m = metro_areas()
        >>> m.regions[m.index("SFBA")]
        'SFBA'
        >>> m.index("SFB")
        Traceback (most recent call last):
        ...
        ecosystem.exceptions.UnknownRegionError: 'SFB' is not a region of RegionMap 'metro_areas'; did you mean 'SFBA' or 'SB'?
        """
        return self._id(region, "index")

    def country(self, region):
        """Jurisdiction of a region.

        Parameters
        ----------
        region : str or int
            Region code or id.

        Returns
        -------
        str
            ISO 3166-1 alpha-2 code of the region's country.

        Examples
        --------
        >>> greater_bay_area().country("GBA-HK")
        'HK'
        >>> metro_areas().country("GBA")
        'CN'
        """
        return self._countries[self._id(region, "country")]

    def parent(self, region):
        """Multi-jurisdiction parent of a region.

        Parameters
        ----------
        region : str or int
            Region code or id.

        Returns
        -------
        str or None
            Code of the parent, or None.

        Examples
        --------
        >>> greater_bay_area().parent("GBA-MO")
        'GBA'
        >>> greater_bay_area().parent("CN-rest") is None
        True
        """
        return self._parents[self._id(region, "parent")]

    def label(self, region):
        """Human-readable name of a region.

        Parameters
        ----------
        region : str or int
            Region code or id.

        Returns
        -------
        str
            Human-readable name of the region.

        Examples
        --------
        >>> metro_areas().label("GTKY")
        'Greater Tokyo'
        >>> countries().label("TW")
        'Taiwan'
        """
        return self._labels[self._id(region, "label")]

    def _id(self, region, func):
        if isinstance(region, (int, np.integer)) and not isinstance(region, (bool, np.bool_)):
            if 0 <= region < len(self._regions):
                return int(region)
            raise UnknownRegionError(f"region id {int(region)} is out of range for RegionMap "
                                     f"{self._name!r} (ids 0 to {len(self._regions) - 1})")
        if isinstance(region, str):
            found = self._index.get(region)
            if found is None:
                raise UnknownRegionError(self._unknown(region))
            return found
        raise InputTypeError(f"RegionMap.{func}: region must be a region code (str) or id "
                             f"(int); got {type(region).__name__}")

    def _unknown(self, code):
        folded = code.strip().casefold()
        hints = [r for r, lab in zip(self._regions, self._labels)
                 if folded in (r.casefold(), lab.casefold())]
        alpha2, _ = _alpha2(code)
        hints += [c for c in (alpha2, f"{alpha2}-rest") if c in self._index]
        hints += difflib.get_close_matches(code, self._regions, n=3, cutoff=0.6)
        hints = list(dict.fromkeys(hints))[:3]
        text = f"{code!r} is not a region of RegionMap {self._name!r}"
        if hints:
            return f"{text}; did you mean {' or '.join(map(repr, hints))}?"
        shown = ", ".join(self._regions[:8]) + (", ..." if len(self._regions) > 8 else "")
        return f"{text}; its {len(self._regions)} regions are {shown}"

    # -- resolution ------------------------------------------------------------

    def resolve(self, country, admin1=None, city=None, county=None, *, unmatched="rest"):
        """Code raw locations into region ids.

        Vectorised: distinct locations are matched once and the result is broadcast back.

        Parameters
        ----------
        country : array-like of str, or str
            ISO 3166-1 alpha-2 or alpha-3 codes, any case (also ``UK``, ``XKX`` and the
            other aliases of the module notes). None, NaN or "" = missing.
        admin1, city, county : array-like of str, or str, optional
            Admin-1 name or code (state, province, prefecture), city, county name or FIPS
            code; missing values allowed. A scalar is broadcast to every location (one
            location when every argument is a scalar).
        unmatched : {"rest", "error", "drop"}, default "rest"
            What to do with a location that matches no pattern. ``"rest"``: send it to its
            country's rest-of-country region where the map has one (e.g. ``"US-rest"`` in
            :func:`metro_areas`), else code it -1; ``"drop"``: code it -1 (rest-of-country
            regions are not used); ``"error"``: raise. Locations coded -1 are always
            counted in the report, by reason.

        Returns
        -------
        codes : ndarray of shape (n,), dtype=int64
            Region id per location (index into :attr:`regions`), -1 when unmatched.
        report : ResolveReport
            Counts of matched and unmatched locations, by reason, with examples.

        Raises
        ------
        UnknownRegionError
            ``unmatched="error"`` and some location is unmatched; the message names the
            first one, its position and the reason.
        ParameterError
            Unknown `unmatched` mode, arguments of different lengths, or not 1-D.

        Examples
        --------
        >>> m = metro_areas()
        >>> codes, report = m.resolve(
        ...     ["US", "US", "JP", "CN", "HK", "usa", None],
        ...     admin1=["CA", "NJ", "Ibaraki", None, None, "New York", None],
        ...     city=["Palo Alto", "Princeton", "Tsukuba", "Shenzhen", "Hong Kong", "Brooklyn",
        ...           "Paris"])
        >>> [m.regions[i] for i in codes[:6]], int(codes[6])
        (['SFBA', 'US-rest', 'JP-rest', 'GBA', 'GBA', 'NYC'], -1)
        >>> print(report)
        Resolved 7 locations with RegionMap 'metro_areas' (unmatched='rest'): 6 matched (2 to rest-of-country regions), 1 unmatched.
          missing country: 1, e.g.
            at 6: country=None, city='Paris'
        >>> codes, report = m.resolve(["US", "FR"], city=["Princeton", "Paris"], unmatched="drop")
        >>> codes.tolist(), dict(report.by_reason)["no region for location"]
        ([-1, -1], 2)
        """
        if unmatched not in _UNMATCHED_MODES:
            raise ParameterError(f"RegionMap.resolve: unmatched must be one of 'rest', 'error', "
                                 f"'drop'; got {unmatched!r}")
        columns = _location_columns(country=country, admin1=admin1, city=city, county=county)
        n = len(columns[0][0])
        keyed = [_key_column(codes, uniques, normalise) for (codes, uniques), normalise
                 in zip(columns, (_country_token, _admin1_token, _name_key, _county_key))]
        combo, first = _combine([codes for codes, _ in keyed])
        keys = [_first_values(codes, uniques, first) for codes, uniques in keyed]
        ids, reasons, via_rest = self._resolve_distinct(keys, unmatched)
        counts = np.bincount(combo, minlength=len(first))
        report = self._report(n, columns, first, counts, reasons, via_rest, unmatched)
        if unmatched == "error" and report.n_unmatched:
            j = next(j for j, reason in enumerate(reasons) if reason is not None)
            where = _raw_location(columns, int(first[j]))
            raise UnknownRegionError(
                f"RegionMap {self._name!r}: {reasons[j]} at position {where.position}: "
                + ", ".join(f"{f}={getattr(where, f)!r}" for f in UnmatchedLocation._fields[1:])
                + f" ({report.n_unmatched:,} of {n:,} locations unmatched; "
                "use unmatched='drop' to code them -1, or 'rest' for rest-of-country regions)")
        return ids[combo], report

    def _resolve_distinct(self, keys, unmatched):
        """Region id, unmatched reason and rest flag of every distinct normalised location."""
        countries_, admin1s, cities, counties = keys
        k = len(countries_)
        ids = np.full(k, -1, dtype=np.int64)
        reasons = [None] * k
        via_rest = np.zeros(k, dtype=bool)
        for j in range(k):
            code = countries_[j]
            if code is None or code.startswith("\0"):
                reasons[j] = REASON_MISSING_COUNTRY if code is None else REASON_UNKNOWN_COUNTRY
                continue
            region = self._match(code, _admin1_in(admin1s[j], code), cities[j], counties[j])
            if region < 0 and unmatched == "rest":
                region = self._rest_ids.get(code, -1)
                via_rest[j] = region >= 0
            if region < 0:
                reasons[j] = REASON_NO_REGION
            ids[j] = region
        return ids, reasons, via_rest

    def _match(self, c, a, ci, co):
        """Region id of one normalised location, -1 when no pattern matches."""
        by_county, by_admin1_city, by_city, by_admin1, by_country = self._lookup
        county_decides = False
        if a is not None and co is not None:
            found = by_county.get((c, a, co))
            if found is not None:
                return found
            county_decides = (c, a) in self._county_areas
        if ci is not None and not county_decides:
            if a is not None:
                found = by_admin1_city.get((c, a, ci))
                if found is not None:
                    return found
            if a is None or (c, ci) not in self._qualified_cities:
                found = by_city.get((c, ci))
                if found is not None:
                    return found
        if a is not None:
            found = by_admin1.get((c, a))
            if found is not None:
                return found
        return by_country.get((c,), -1)

    def _report(self, n, columns, first, counts, reasons, via_rest, unmatched):
        by_reason = dict.fromkeys(UNMATCHED_REASONS, 0)
        examples = {reason: [] for reason in UNMATCHED_REASONS}
        for j, reason in enumerate(reasons):
            if reason is None:
                continue
            by_reason[reason] += int(counts[j])
            if len(examples[reason]) < _MAX_EXAMPLES:
                examples[reason].append(_raw_location(columns, int(first[j])))
        n_unmatched = sum(by_reason.values())
        return ResolveReport(n_input=n, n_matched=n - n_unmatched, n_unmatched=n_unmatched,
                             n_rest=int(counts[via_rest].sum()), by_reason=by_reason,
                             examples={k: v for k, v in examples.items() if v},
                             map_name=self._name, unmatched=unmatched)

    # -- layers ----------------------------------------------------------------

    def layer(self, a, b):
        """Border layer of a pair of regions.

        Parameters
        ----------
        a, b : str or int
            Region codes or ids.

        Returns
        -------
        {"internal", "domestic", "international", "cross-boundary"}
            ``internal``: the same region; ``cross-boundary``: different regions of
            different countries with the same (non-None) parent; ``domestic``: the same
            country; ``international``: otherwise.

        Examples
        --------
        >>> greater_bay_area().layer("GBA-HK", "GBA-GD")
        'cross-boundary'
        >>> greater_bay_area().layer("GBA-HK", "CN-rest")
        'international'
        >>> metro_areas().layer("SFBA", "NYC")
        'domestic'
        """
        i, j = self._id(a, "layer"), self._id(b, "layer")
        if i == j:
            return LAYERS[LAYER_INTERNAL]
        if self._countries[i] == self._countries[j]:
            return LAYERS[LAYER_DOMESTIC]
        if self._parents[i] is not None and self._parents[i] == self._parents[j]:
            return LAYERS[LAYER_CROSS_BOUNDARY]
        return LAYERS[LAYER_INTERNATIONAL]

    def layer_matrix(self):
        """Border layer code of every ordered region pair.

        Returns
        -------
        ndarray of shape (R, R), dtype=int8
            ``LAYER_INTERNAL`` (0), ``LAYER_DOMESTIC`` (1), ``LAYER_INTERNATIONAL`` (2) or
            ``LAYER_CROSS_BOUNDARY`` (3); names in :data:`LAYERS`. Symmetric.

        Examples
        --------
        >>> m = greater_bay_area()
        >>> ids = [m.index(r) for r in ("GBA-GD", "GBA-HK", "CN-rest")]
        >>> m.layer_matrix()[np.ix_(ids, ids)]
        array([[0, 3, 1],
               [3, 0, 2],
               [1, 2, 0]], dtype=int8)
        """
        return layer_codes(self._countries, self._parents)

    # -- tables ----------------------------------------------------------------

    def to_pandas(self):
        """The regions as a table.

        Returns
        -------
        pandas.DataFrame
            Columns ``region``, ``label``, ``country``, ``parent``; the row index is the
            region id.

        Examples
        --------
        >>> greater_bay_area().to_pandas().query("parent == 'GBA'")["region"].tolist()
        ['GBA-GD', 'GBA-HK', 'GBA-MO']
        """
        return pd.DataFrame({"region": list(self._regions), "label": list(self._labels),
                             "country": list(self._countries),
                             "parent": pd.Series(self._parents, dtype=object)})

    def rules_frame(self):
        """The location patterns and rest-of-country assignments as a table.

        Returns
        -------
        pandas.DataFrame
            Columns ``region``, ``level`` (one of :data:`LEVELS`, or ``"rest"``),
            ``country``, ``admin1``, ``city``, ``county``: one row per spelling.

        Examples
        --------
        >>> rules = metro_areas().rules_frame()
        >>> rules.query("region == 'GTKY' and level == 'admin1'")["admin1"].head(4).tolist()
        ['Chiba', 'Chiba-ken', 'JP-11', 'JP-12']
        >>> rules.query("region == 'US-rest'")[["level", "country"]].values.tolist()
        [['rest', 'US']]
        """
        rows = [(p.region, LEVELS[_pattern_level(p.admin1, p.city, p.county)], p.country,
                 p.admin1, p.city, p.county) for p in self._patterns]
        rows += [(region, "rest", c, None, None, None) for c, region in sorted(self._rest.items())]
        return pd.DataFrame(rows, columns=["region", "level", "country", "admin1", "city",
                                           "county"], dtype=object)

    # -- construction and export -----------------------------------------------

    @classmethod
    def from_dict(cls, mapping, *, name, countries=None, parents=None, labels=None, rest=None):
        """Build a map from region → location patterns.

        Parameters
        ----------
        mapping : mapping of str to patterns
            Region code → one pattern or a list of patterns. A pattern is a string
            ``"CC"``, ``"CC/admin1"``, ``"CC/admin1/city"`` or ``"CC//city"`` (city without
            admin1), or a dict with key ``country`` and any of ``admin1``, ``city``,
            ``county``. ``"|"`` separates alternative spellings of one place.
        name : str
            Name of the map.
        countries : mapping of str to str, optional
            Region → jurisdiction. Needed for regions whose patterns span several
            countries; otherwise inferred from the patterns.
        parents : mapping of str to str, optional
            Region → multi-jurisdiction parent code.
        labels : mapping of str to str, optional
            Region → label (default: the code).
        rest : {"country"} or mapping of str to str, optional
            Rest-of-country regions. A mapping gives country → region (a region not in
            `mapping` is created, with that country). ``"country"`` adds, for every ISO
            country not wholly covered by a pattern, region ``"<CC>-rest"`` when patterns
            cover part of it and ``"<CC>"`` otherwise.

        Returns
        -------
        RegionMap

        Raises
        ------
        ParameterError
            A malformed pattern, unknown country code, a pattern claimed by two regions,
            or attributes for regions not in the map; the message names the region and
            the pattern.

        Examples
        --------
        >>> m = RegionMap.from_dict(
        ...     {"BOS": ["US/MA/Boston|Cambridge", {"country": "US", "admin1": "MA",
        ...                                         "county": "Middlesex"}],
        ...      "GBA": ["HK", "MO", "CN/Guangdong/Shenzhen"]},
        ...     name="toy", countries={"GBA": "CN"}, rest="country")
        >>> m.regions[:3], m.country("GBA"), m.country("US-rest")
        (('AD', 'AE', 'AF'), 'CN', 'US')
        >>> codes, _ = m.resolve(["US", "US", "MO"], admin1=["MA", "NY", None],
        ...                      city=["Cambridge", "Cambridge", None])
        >>> [m.regions[i] for i in codes]
        ['BOS', 'US-rest', 'GBA']
        """
        func = "RegionMap.from_dict"

        def fail(message, where, field):
            return ParameterError(f"{func}: {where}: {message}")

        if not isinstance(mapping, Mapping):
            raise InputTypeError(f"{func}: mapping must be a mapping of region code to "
                                 f"patterns; got {type(mapping).__name__}")
        build = _Assembler(fail)
        for region, patterns in mapping.items():
            if not isinstance(region, str):
                raise fail(f"region codes must be strings; got {region!r}", "mapping", "region")
            if isinstance(patterns, (str, Mapping)):
                patterns = [patterns]
            build.touch(region, f"mapping[{region!r}]")
            for i, pattern in enumerate(patterns):
                where = f"mapping[{region!r}][{i}] ({pattern!r})"
                build.add_pattern(region, *_parse_pattern(pattern, where, fail), where)
        rest_codes = _dict_rest(rest, build, func)
        for attribute, parameter, values in (("jurisdiction", "countries", countries),
                                             ("parent", "parents", parents),
                                             ("label", "labels", labels)):
            for region, value in _mapping_items(values, parameter, func):
                if region not in build.seen:
                    raise ParameterError(f"{func}: {parameter} names region {region!r}, which "
                                         "has no pattern")
                build.set_attr(region, attribute, value, f"{parameter}[{region!r}]")
        regions, patterns = build.regions(), list(build.patterns)
        if rest_codes == "country":
            regions, rest_map = _with_country_rest(regions, patterns, {})
        else:
            rest_map = rest_codes
        return cls(name, regions, patterns, rest_map)

    @classmethod
    def from_csv(cls, path, *, name=None, rest=None):
        """Read a map from a CSV file.

        Parameters
        ----------
        path : str or path-like
            UTF-8 CSV with a header row. Required columns ``region`` and ``country``;
            optional ``admin1``, ``city``, ``county`` (the pattern, ``"|"`` separating
            alternative spellings), ``jurisdiction`` (the region's country, needed when
            its patterns span several countries), ``parent``, ``label``, and ``rest``
            (``yes`` marks the region as the rest-of-country region of ``country``).
            Region attributes may be given on any one row of the region. Lines starting
            with ``#`` are comments.
        name : str, optional
            Name of the map (default: the file name without extension).
        rest : {"country"}, optional
            Add rest-of-country regions for every country the file does not cover
            wholly (see :meth:`from_dict`).

        Returns
        -------
        RegionMap

        Raises
        ------
        DataFormatError
            A bad row: missing region, unknown country code, malformed pattern, conflicting
            attributes, unknown column. The message names the file, line and column.

        See Also
        --------
        RegionMap.to_csv : The inverse.

        Examples
        --------
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "bay.csv")
        >>> _ = open(path, "w").write("region,country,admin1,city,label\\n"
        ...                           "SFBA,US,CA,Palo Alto|Stanford,Bay Area\\n")
        >>> m = RegionMap.from_csv(path, rest="country")
        >>> m.name, m.label("SFBA"), m.country("US-rest")
        ('bay', 'Bay Area', 'US')
        """
        if rest not in (None, "country"):
            raise ParameterError(f"RegionMap.from_csv: rest must be None or 'country'; "
                                 f"got {rest!r}")
        path = os.fspath(path)
        with open(path, "r", encoding="utf-8-sig", newline="") as handle:
            regions, patterns, rest_map = _read_definition(handle, path)
        if rest == "country":
            regions, rest_map = _with_country_rest(regions, patterns, rest_map)
        if name is None:
            name = os.path.splitext(os.path.basename(path))[0]
        return cls(name, regions, patterns, rest_map)

    def to_csv(self, path):
        """Write the map in the format of :meth:`from_csv`.

        Parameters
        ----------
        path : str or path-like
            Output file (overwritten).

        Examples
        --------
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "gba.csv")
        >>> m = greater_bay_area()
        >>> m.to_csv(path)
        >>> RegionMap.from_csv(path, name="greater_bay_area") == m
        True
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_CSV_COLUMNS)
        rest_by_region = {}
        for c, region in sorted(self._rest.items()):
            rest_by_region.setdefault(region, []).append(c)
        by_region = {}
        for p in self._patterns:
            by_region.setdefault(p.region, []).append(p)
        for i, code in enumerate(self._regions):
            rows = [(p.country, p.admin1, p.city, p.county, "") for p in by_region.get(code, [])]
            rows += [(c, None, None, None, "yes") for c in rest_by_region.get(code, [])]
            attrs = (self._countries[i], self._parents[i], self._labels[i])
            for n, (c, a, ci, co, flag) in enumerate(rows):
                country, parent, label = attrs if n == 0 else (None, None, None)
                writer.writerow([code, country, c, a, ci, co, flag, parent, label])
        with open(os.fspath(path), "w", encoding="utf-8", newline="") as handle:
            handle.write(out.getvalue())

    def to_dict(self):
        """The map as keyword arguments of :meth:`from_dict`.

        Returns
        -------
        dict
            Keys ``mapping``, ``name``, ``countries``, ``parents``, ``labels``, ``rest``.

        Examples
        --------
        >>> m = greater_bay_area()
        >>> RegionMap.from_dict(**m.to_dict()) == m
        True
        """
        mapping = {code: [] for code in self._regions}
        for p in self._patterns:
            mapping[p.region].append({f: getattr(p, f) for f in _Pattern._fields[1:]
                                      if getattr(p, f) is not None})
        return {
            "mapping": {code: pats for code, pats in mapping.items() if pats},
            "name": self._name,
            "countries": dict(zip(self._regions, self._countries)),
            "parents": {r: p for r, p in zip(self._regions, self._parents) if p is not None},
            "labels": dict(zip(self._regions, self._labels)),
            "rest": dict(self._rest),
        }


# --------------------------------------------------------------------------- helpers


def _sort_text(value):
    return "" if value is None else value


def _region_record(region):
    if not isinstance(region, (tuple, list)) or not 2 <= len(region) <= 4:
        raise ParameterError(f"RegionMap: a region must be (code, country[, label[, parent]]); "
                             f"got {region!r}")
    code, country, label, parent = (tuple(region) + (None, None))[:4]
    if not isinstance(code, str) or not code.strip() or code != code.strip():
        raise ParameterError(f"RegionMap: region codes must be non-empty strings without "
                             f"surrounding spaces; got {code!r}")
    alpha2, _ = _alpha2(country)
    if alpha2 is None:
        raise ParameterError(f"RegionMap: region {code!r} has unknown country code {country!r}")
    return _Region(code, alpha2, _as_text(label) or code, _as_text(parent))


def _pattern_record(pattern, index, name):
    if not isinstance(pattern, (tuple, list)) or not 2 <= len(pattern) <= 5:
        raise ParameterError(f"RegionMap {name!r}: a pattern must be (region, country[, admin1"
                             f"[, city[, county]]]); got {pattern!r}")
    region, country, admin1, city, county = (tuple(pattern) + (None,) * 3)[:5]
    if region not in index:
        raise ParameterError(f"RegionMap {name!r}: pattern {pattern!r} names unknown region "
                             f"{region!r}")
    alpha2, _ = _alpha2(country)
    if alpha2 is None:
        raise ParameterError(f"RegionMap {name!r}: pattern {pattern!r} has unknown country "
                             f"code {country!r}")
    record = _Pattern(region, alpha2, _as_text(admin1), _as_text(city), _as_text(county))
    try:
        _pattern_key(record)
    except ValueError as exc:
        raise ParameterError(f"RegionMap {name!r}: pattern {pattern!r}: {exc}") from None
    return record


def _lookup_tables(patterns, index, name):
    """One dict per level, location key → region id; a key claimed twice is an error."""
    lookup = [{} for _ in LEVELS]
    owners = {}
    for p in patterns:
        level, key = _pattern_key(p)
        owner = owners.setdefault((level, key), p.region)
        if owner != p.region:
            raise ParameterError(f"RegionMap {name!r}: location pattern {_describe(p)} maps "
                                 f"to both {owner!r} and {p.region!r}")
        lookup[level][key] = index[p.region]
    return lookup


def _rest_record(rest, index, name):
    out = {}
    for country, region in _mapping_items(rest, "rest", f"RegionMap {name!r}"):
        alpha2, _ = _alpha2(country)
        if alpha2 is None:
            raise ParameterError(f"RegionMap {name!r}: rest has unknown country code {country!r}")
        if region not in index:
            raise ParameterError(f"RegionMap {name!r}: rest maps {country!r} to unknown region "
                                 f"{region!r}")
        out[alpha2] = region
    return out


def _mapping_items(values, parameter, func):
    if values is None:
        return []
    if not isinstance(values, Mapping):
        raise InputTypeError(f"{func}: {parameter} must be a mapping; got {type(values).__name__}")
    return list(values.items())


def _parse_pattern(pattern, where, fail):
    """(country, admin1, city, county) of a from_dict pattern."""
    if isinstance(pattern, str):
        parts = [p.strip() or None for p in pattern.split("/")]
        if len(parts) > 3:
            raise fail("a string pattern is 'CC', 'CC/admin1', 'CC/admin1/city' or 'CC//city'",
                       where, "country")
        return tuple(parts + [None] * (4 - len(parts)))
    if isinstance(pattern, Mapping):
        unknown = set(pattern) - {"country", "admin1", "city", "county"}
        if unknown:
            raise fail(f"unknown pattern key(s) {sorted(unknown)} (expected country, admin1, "
                       "city, county)", where, "country")
        return tuple(pattern.get(k) for k in ("country", "admin1", "city", "county"))
    raise fail(f"a pattern must be a string or a dict; got {type(pattern).__name__}", where,
               "country")


def _dict_rest(rest, build, func):
    if rest is None or rest == "country":
        return rest
    if isinstance(rest, str):
        raise ParameterError(f"{func}: rest must be None, 'country' or a mapping of country "
                             f"to region; got {rest!r}")
    out = {}
    for country, region in _mapping_items(rest, "rest", func):
        build.add_rest(region, country, f"rest[{country!r}]")
        out[build.country(country, f"rest[{country!r}]")] = region
    return out


def _location_columns(**columns):
    """(codes, uniques) of every location column, broadcast to a common length."""
    arrays = {}
    for name, value in columns.items():
        if value is None or isinstance(value, (str, bytes)) or np.ndim(value) == 0:
            continue
        if not isinstance(value, (pd.Series, pd.Index)):
            value = np.asarray(value, dtype=object)
        if value.ndim != 1:
            raise ParameterError(f"RegionMap.resolve: {name} must be one-dimensional; got "
                                 f"shape {value.shape}")
        arrays[name] = value
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ParameterError(f"RegionMap.resolve: location arguments differ in length ({shown})")
    n = next(iter(lengths.values()), 1)
    out = []
    for name, value in columns.items():
        if name in arrays:
            codes, uniques = pd.factorize(arrays[name])
            out.append((np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)))
        elif value is None or _as_text(value) is None:
            out.append((np.full(n, -1, dtype=np.int64), np.empty(0, dtype=object)))
        else:
            out.append((np.zeros(n, dtype=np.int64), np.array([value], dtype=object)))
    return out


def _country_token(value):
    """Alpha-2 code; '\\0' + the code for an unknown code; None when missing."""
    code, reason = _alpha2(value)
    if reason == REASON_UNKNOWN_COUNTRY:
        return "\0" + _as_text(value).upper()
    return code


def _key_column(codes, uniques, normalise):
    """Row codes of the normalised values of a column, and the normalised values."""
    tokens = np.array([normalise(_plain(u)) for u in uniques] + [None], dtype=object)
    token_codes, token_uniques = pd.factorize(tokens)
    return np.asarray(token_codes, dtype=np.int64)[codes], np.asarray(token_uniques, dtype=object)


def _combine(code_columns):
    """Distinct-location id per row (in order of first appearance) and first positions."""
    if not len(code_columns[0]):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    key = None
    for codes in code_columns:
        if codes.max() < 0:
            continue
        shifted = codes + 1
        key = shifted if key is None else key * (int(shifted.max()) + 1) + shifted
        key = np.asarray(pd.factorize(key)[0], dtype=np.int64)
    if key is None:
        key = np.zeros(len(code_columns[0]), dtype=np.int64)
    first = np.flatnonzero(np.diff(np.maximum.accumulate(key), prepend=-1) > 0)
    return key, first


def _first_values(codes, uniques, first):
    """Values of one column at the first position of each distinct location."""
    return [None if j < 0 else uniques[j] for j in codes[first].tolist()]


def _raw_location(columns, position):
    """The location at `position` as given."""
    values = [None if codes[position] < 0 else _plain(uniques[codes[position]])
              for codes, uniques in columns]
    return UnmatchedLocation(position, *values)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------- built-in maps


@functools.cache
def _seed_definition():
    with _data_file("seed_regions.csv").open("r", encoding="utf-8", newline="") as handle:
        regions, patterns, _ = _read_definition(handle, "seed_regions.csv")
    with _data_file("seed_parents.csv").open("r", encoding="utf-8", newline="") as handle:
        parents = {row["parent"]: _Region(row["parent"], _alpha2(row["country"])[0],
                                          row["label"], None)
                   for _, row in _csv_records(handle, "seed_parents.csv",
                                              required=("parent", "country", "label"),
                                              optional=())}
    return tuple(regions), tuple(patterns), MappingProxyType(parents)


def _check_rest_option(func, rest):
    if rest not in ("country", None):
        raise ParameterError(f"{func}: rest must be 'country' or None; got {rest!r}")


def countries():
    """Every ISO 3166-1 country or territory as its own region.

    Region code = ISO alpha-2 (Kosovo ``XK`` included), label = English short name,
    country = itself; Hong Kong (HK), Macao (MO) and Taiwan (TW) are regions of their own.
    Locations resolve by country code alone (alpha-2, alpha-3 or an alias).

    Returns
    -------
    RegionMap
        Named ``"countries"``; 250 regions.

    Examples
    --------
    >>> m = countries()
    >>> len(m), m.label("HK")
    (250, 'Hong Kong')
    >>> codes, report = m.resolve(["CHN", "hkg", "UK", "XKX", "ZZ"])
    >>> [m.regions[i] for i in codes[:4]], report.by_reason["unknown country code"]
    (['CN', 'HK', 'GB', 'XK'], 1)
    >>> m.layer("HK", "CN")
    'international'
    """
    return _countries_map()


@functools.cache
def _countries_map():
    table = _countries_table()
    regions = [(code, code, label) for code, label in zip(table.alpha2, table.labels)]
    return RegionMap("countries", regions, [(code, code) for code in table.alpha2])


def metro_areas(rest="country"):
    """The four seed regions, and every other location by country.

    Seed regions (definitions in ``_data/seed_regions.csv``):

    ``SFBA`` San Francisco Bay Area (US)
        the nine Bay Area counties of California (Alameda, Contra Costa, Marin, Napa,
        San Francisco, San Mateo, Santa Clara, Solano, Sonoma): by county when the
        location has one, else by city (the 101 incorporated cities and towns and places
        such as Stanford and Moffett Field);
    ``NYC`` New York metro (US)
        the New York-Newark-Jersey City, NY-NJ MSA of OMB's July 2023 delineation: the
        counties Bronx, Kings, New York, Queens, Richmond, Westchester, Rockland, Putnam,
        Nassau and Suffolk (NY) and Bergen, Essex, Hudson, Hunterdon, Middlesex, Monmouth,
        Morris, Ocean, Passaic, Somerset, Sussex and Union (NJ), and their main cities;
    ``GTKY`` Greater Tokyo (JP)
        the prefectures Tokyo, Kanagawa, Saitama and Chiba;
    ``GBA`` Guangdong–Hong Kong–Macao Greater Bay Area (jurisdiction CN)
        the nine Guangdong cities Guangzhou, Shenzhen, Zhuhai, Foshan, Huizhou, Dongguan,
        Zhongshan, Jiangmen and Zhaoqing, plus Hong Kong and Macao.

    Parameters
    ----------
    rest : {"country", None}, default "country"
        ``"country"``: every other location goes to a rest-of-country region —
        ``"US-rest"``, ``"JP-rest"`` and ``"CN-rest"`` for the countries a seed region
        covers in part, the country's own code (``"FR"``, ``"TW"``, ...) elsewhere — so
        that every location with a known country resolves. None: only the four seed
        regions; other locations are unmatched.

    Returns
    -------
    RegionMap
        Named ``"metro_areas"``.

    Notes
    -----
    Deliberate exclusions: Princeton (Mercer County NJ, Trenton-Princeton MSA), Stamford
    (Fairfield County CT, Bridgeport-Stamford MSA), Pike County PA (a micropolitan area
    since 2023), Dutchess and Orange NY (Kiryas Joel-Poughkeepsie-Newburgh MSA) are not in
    NYC; Tsukuba (Ibaraki) is not in GTKY. A US location without a state matches a seed
    city only for names that no other US place of comparable size bears ("Palo Alto",
    "Berkeley", "Brooklyn"; not "Newark", "Fremont", "Richmond"); with a state given, the
    state must agree. Likewise Japanese and Chinese city names given with an admin-1 unit
    must be in the right prefecture or province. A Guangdong or California location with no
    city or county cannot be placed and goes to the rest of the country.

    In this map the GBA is one region whose jurisdiction is CN, so Hong Kong ↔ Shenzhen is
    internal and Hong Kong ↔ Beijing domestic; use :func:`greater_bay_area` to keep the
    jurisdictions apart.

    Examples
    --------
    >>> m = metro_areas()
    >>> seed_regions(), m.label("GBA")
    (('GBA', 'GTKY', 'NYC', 'SFBA'), 'Guangdong–Hong Kong–Macao Greater Bay Area')
    >>> codes, _ = m.resolve(["JP", "JP"], admin1=["Tōkyō", None], city=[None, "Yokohama"])
    >>> [m.regions[i] for i in codes]
    ['GTKY', 'GTKY']
    >>> len(metro_areas(rest=None))
    4
    """
    _check_rest_option("metro_areas", rest)
    return _metro_areas_map(rest)


@functools.lru_cache(maxsize=None)
def _metro_areas_map(rest):
    regions, patterns, parents = _seed_definition()
    merged = {r.code: parents[r.parent].code if r.parent in parents else r.code for r in regions}
    out = {}
    for r in regions:
        out.setdefault(merged[r.code], parents.get(r.parent, r))
    patterns = [p._replace(region=merged[p.region]) for p in patterns]
    regions, rest_map = list(out.values()), {}
    if rest == "country":
        regions, rest_map = _with_country_rest(regions, patterns, {})
    return RegionMap("metro_areas", regions, patterns, rest_map)


def greater_bay_area(rest="country"):
    """The Greater Bay Area split by jurisdiction, for the cross-boundary layer.

    Regions ``GBA-GD`` (the nine Guangdong cities, country CN), ``GBA-HK`` (country HK)
    and ``GBA-MO`` (country MO), all with parent ``GBA``; every other location goes to its
    country (``"CN-rest"`` for the rest of mainland China, ``"US"``, ``"JP"``, ... for the
    others).

    Parameters
    ----------
    rest : {"country", None}, default "country"
        As in :func:`metro_areas`; None keeps only the three GBA regions.

    Returns
    -------
    RegionMap
        Named ``"greater_bay_area"``.

    Notes
    -----
    Layers follow the general rule: pairs among the three GBA regions are
    ``cross-boundary`` (different countries, same parent); GBA-GD ↔ CN-rest is
    ``domestic``; GBA-HK ↔ CN-rest (Hong Kong ↔ Beijing) is ``international``, since the
    two differ in country and do not share a parent. That is the coding of the
    bibliographic and patent databases, and the reason for the cross-boundary layer: it
    separates the within-GBA share of Hong Kong's "international" links from the rest.

    Examples
    --------
    >>> m = greater_bay_area()
    >>> codes, _ = m.resolve(["HK", "CN", "CN"], city=["Hong Kong", "Shenzhen", "Beijing"])
    >>> [m.regions[i] for i in codes]
    ['GBA-HK', 'GBA-GD', 'CN-rest']
    >>> m.layer("GBA-HK", "GBA-GD"), m.layer("GBA-GD", "CN-rest")
    ('cross-boundary', 'domestic')
    """
    _check_rest_option("greater_bay_area", rest)
    return _greater_bay_area_map(rest)


@functools.lru_cache(maxsize=None)
def _greater_bay_area_map(rest):
    regions, patterns, _ = _seed_definition()
    regions = [r for r in regions if r.parent == "GBA"]
    keep = {r.code for r in regions}
    patterns = [p for p in patterns if p.region in keep]
    rest_map = {}
    if rest == "country":
        regions, rest_map = _with_country_rest(regions, patterns, {})
    return RegionMap("greater_bay_area", regions, patterns, rest_map)


def seed_regions():
    """Return the codes of the four seed regions of :func:`metro_areas`.

    Returns
    -------
    tuple of str
        ``("GBA", "GTKY", "NYC", "SFBA")``, sorted.

    Examples
    --------
    >>> seed_regions()
    ('GBA', 'GTKY', 'NYC', 'SFBA')
    """
    regions, _, parents = _seed_definition()
    return tuple(sorted({parents[r.parent].code if r.parent in parents else r.code
                         for r in regions}))
