"""Region definitions: region and pattern records, their checks, and the CSV/dict assemblers."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product
from typing import NamedTuple

from ..exceptions import DataFormatError, InputTypeError, ParameterError
from ._constants import (
    LEVEL_ADMIN1,
    LEVEL_ADMIN1_CITY,
    LEVEL_CITY,
    LEVEL_COUNTRY,
    LEVEL_COUNTY,
    LEVELS,
)
from ._files import csv_records
from ._iso import countries_table, country_alpha2
from ._names import admin1_key, as_text, county_key, name_key

CSV_COLUMNS = ("region", "jurisdiction", "country", "admin1", "city", "county", "rest",
                "parent", "label")
CSV_REQUIRED = ("region", "country")
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})


class RegionRecord(NamedTuple):
    code: str
    country: str
    label: str
    parent: str | None


class PatternRecord(NamedTuple):
    region: str
    country: str
    admin1: str | None
    city: str | None
    county: str | None



def pattern_level(admin1, city, county):
    """Level of a pattern, or raise ValueError naming what is wrong with it."""
    if county is not None:
        if admin1 is None:
            raise ValueError("a county pattern needs admin1 (county names repeat across states)")
        if city is not None:
            raise ValueError("give either city or county in one pattern, not both")
        return LEVEL_COUNTY
    if city is not None:
        return LEVEL_ADMIN1_CITY if admin1 is not None else LEVEL_CITY
    return LEVEL_ADMIN1 if admin1 is not None else LEVEL_COUNTRY


def pattern_key(pattern):
    """(level, lookup key) of a pattern; ValueError when it cannot match anything."""
    level = pattern_level(pattern.admin1, pattern.city, pattern.county)
    c = pattern.country
    parts = {"admin1": admin1_key(pattern.admin1, c), "city": name_key(pattern.city),
             "county": county_key(pattern.county)}
    for field in ("admin1", "city", "county"):
        if getattr(pattern, field) is not None and parts[field] is None:
            raise ValueError(f"{field} {getattr(pattern, field)!r} has no letters or digits")
    a, ci, co = parts["admin1"], parts["city"], parts["county"]
    key = ((c, a, co), (c, a, ci), (c, ci), (c, a), (c,))[level]
    return level, key


def describe_pattern(pattern):
    fields = [f"country={pattern.country!r}"]
    fields += [f"{f}={getattr(pattern, f)!r}" for f in ("admin1", "city", "county")
               if getattr(pattern, f) is not None]
    return "(" + ", ".join(fields) + ")"


class Assembler:
    """Collects region patterns, rest assignments and region attributes from one source.

    Parameters
    ----------
    fail : callable (message, where, field) -> Exception
        Builds the error for a bad entry at `where` (a line number or a description).
    """

    def __init__(self, fail):
        self.fail = fail
        self.patterns = {}     # PatternRecord -> where
        self.keys = {}         # (level, key) -> (region, where)
        self.rest = {}         # country -> (region, where)
        self.attrs = {}        # region -> {attribute: (value, where)}
        self.seen = {}         # region -> {country: where}, in order of appearance
        self.first = {}        # region -> where it first appeared

    def country(self, value, where, field="country"):
        if as_text(value) is None:
            raise self.fail(f"missing {field} code", where, field)
        code, _ = country_alpha2(value)
        if code is None:
            raise self.fail(f"unknown country code {value!r} (expected ISO 3166-1 alpha-2 "
                            "or alpha-3)", where, field)
        return code

    def touch(self, region, where):
        if as_text(region) is None:
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
            pattern = PatternRecord(region, code, a, ci, co)
            try:
                level_key = pattern_key(pattern)
            except ValueError as exc:
                raise self.fail(str(exc), where, "county" if co is not None else
                                "city" if ci is not None else "admin1") from None
            owner = self.keys.setdefault(level_key, (region, where))
            if owner[0] != region:
                raise self.fail(f"location pattern {describe_pattern(pattern)} of region {region!r} "
                                f"already maps to region {owner[0]!r} ({where_text(owner[1])})",
                                where, "region")
            self.patterns.setdefault(pattern, where)

    def add_rest(self, region, country, where):
        region = self.touch(region, where)
        code = self.country(country, where)
        self.seen[region].setdefault(code, where)
        owner = self.rest.setdefault(code, (region, where))
        if owner[0] != region:
            raise self.fail(f"country {code} already has rest-of-country region {owner[0]!r} "
                            f"({where_text(owner[1])})", where, "rest")

    def set_attr(self, region, attribute, value, where):
        value = as_text(value)
        if value is None:
            return
        if attribute == "jurisdiction":
            value = self.country(value, where, "jurisdiction")
        known = self.attrs.setdefault(region, {}).setdefault(attribute, (value, where))
        if known[0] != value:
            raise self.fail(f"region {region!r} already has {attribute} {known[0]!r} "
                            f"({where_text(known[1])}), not {value!r}", where, attribute)

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
            out.append(RegionRecord(code, country, label, attrs.get("parent", (None,))[0]))
        return out

    def _spellings(self, value, field, where):
        text = as_text(value)
        if text is None:
            return [None]
        parts = [p.strip() for p in text.split("|")]
        if not all(parts):
            raise self.fail(f"empty alternative in {field} {text!r}", where, field)
        return parts


def where_text(where):
    return f"line {where}" if isinstance(where, int) else where



def read_definition(handle, source):
    """Regions, patterns and rest assignments of a RegionMap CSV file."""
    def fail(message, where, field):
        return DataFormatError(message, path=source, line=where, field=field)

    build = Assembler(fail)
    optional = tuple(c for c in CSV_COLUMNS if c not in CSV_REQUIRED)
    for line, row in csv_records(handle, source, required=CSV_REQUIRED, optional=optional):
        region = build.touch(row["region"], line)
        flag = (row.get("rest") or "").lower()
        if flag and flag not in TRUE_WORDS | FALSE_WORDS:
            raise fail(f"rest must be yes or no; got {row['rest']!r}", line, "rest")
        if flag in TRUE_WORDS:
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


def with_country_rest(regions, patterns, rest):
    """Add a rest-of-country region for every country not wholly covered by a pattern.

    A country that some pattern covers only in part gets region ``"<CC>-rest"``; any
    other country gets region ``"<CC>"``. Countries already in `rest` are kept as they are.
    """
    whole = {p.country for p in patterns if p.admin1 is None and p.city is None
             and p.county is None}
    partial = {p.country for p in patterns} - whole
    regions, rest = list(regions), dict(rest)
    taken = {r.code for r in regions}
    table = countries_table()
    for alpha2, label in zip(table.alpha2, table.labels):
        if alpha2 in whole or alpha2 in rest:
            continue
        code, name = (alpha2, label)
        if alpha2 in partial:
            code, name = f"{alpha2}-rest", f"{label} (rest)"
        if code in taken:
            raise ParameterError(f"rest='country': the rest-of-country region {code!r} clashes "
                                 f"with a region of the same code that does not cover {alpha2}")
        regions.append(RegionRecord(code, alpha2, name, None))
        rest[alpha2] = code
    return regions, rest


def sort_text(value):
    return "" if value is None else value


def region_record(region):
    if not isinstance(region, (tuple, list)) or not 2 <= len(region) <= 4:
        raise ParameterError(f"RegionMap: a region must be (code, country[, label[, parent]]); "
                             f"got {region!r}")
    code, country, label, parent = (tuple(region) + (None, None))[:4]
    if not isinstance(code, str) or not code.strip() or code != code.strip():
        raise ParameterError(f"RegionMap: region codes must be non-empty strings without "
                             f"surrounding spaces; got {code!r}")
    alpha2, _ = country_alpha2(country)
    if alpha2 is None:
        raise ParameterError(f"RegionMap: region {code!r} has unknown country code {country!r}")
    return RegionRecord(code, alpha2, as_text(label) or code, as_text(parent))


def pattern_record(pattern, index, name):
    if not isinstance(pattern, (tuple, list)) or not 2 <= len(pattern) <= 5:
        raise ParameterError(f"RegionMap {name!r}: a pattern must be (region, country[, admin1"
                             f"[, city[, county]]]); got {pattern!r}")
    region, country, admin1, city, county = (tuple(pattern) + (None,) * 3)[:5]
    if region not in index:
        raise ParameterError(f"RegionMap {name!r}: pattern {pattern!r} names unknown region "
                             f"{region!r}")
    alpha2, _ = country_alpha2(country)
    if alpha2 is None:
        raise ParameterError(f"RegionMap {name!r}: pattern {pattern!r} has unknown country "
                             f"code {country!r}")
    record = PatternRecord(region, alpha2, as_text(admin1), as_text(city), as_text(county))
    try:
        pattern_key(record)
    except ValueError as exc:
        raise ParameterError(f"RegionMap {name!r}: pattern {pattern!r}: {exc}") from None
    return record


def lookup_tables(patterns, index, name):
    """One dict per level, location key → region id; a key claimed twice is an error."""
    lookup = [{} for _ in LEVELS]
    owners = {}
    for p in patterns:
        level, key = pattern_key(p)
        owner = owners.setdefault((level, key), p.region)
        if owner != p.region:
            raise ParameterError(f"RegionMap {name!r}: location pattern {describe_pattern(p)} maps "
                                 f"to both {owner!r} and {p.region!r}")
        lookup[level][key] = index[p.region]
    return lookup


def rest_record(rest, index, name):
    out = {}
    for country, region in mapping_items(rest, "rest", f"RegionMap {name!r}"):
        alpha2, _ = country_alpha2(country)
        if alpha2 is None:
            raise ParameterError(f"RegionMap {name!r}: rest has unknown country code {country!r}")
        if region not in index:
            raise ParameterError(f"RegionMap {name!r}: rest maps {country!r} to unknown region "
                                 f"{region!r}")
        out[alpha2] = region
    return out


def mapping_items(values, parameter, func):
    if values is None:
        return []
    if not isinstance(values, Mapping):
        raise InputTypeError(f"{func}: {parameter} must be a mapping; got {type(values).__name__}")
    return list(values.items())


def parse_pattern(pattern, where, fail):
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


def dict_rest(rest, build, func):
    if rest is None or rest == "country":
        return rest
    if isinstance(rest, str):
        raise ParameterError(f"{func}: rest must be None, 'country' or a mapping of country "
                             f"to region; got {rest!r}")
    out = {}
    for country, region in mapping_items(rest, "rest", func):
        build.add_rest(region, country, f"rest[{country!r}]")
        out[build.country(country, f"rest[{country!r}]")] = region
    return out


