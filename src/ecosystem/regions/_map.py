"""The RegionMap type: raw location → analysis region → jurisdiction."""

from __future__ import annotations

import csv
import difflib
import io
import os
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from ..exceptions import InputTypeError, ParameterError, UnknownRegionError
from ._constants import (
    LAYER_CROSS_BOUNDARY,
    LAYER_DOMESTIC,
    LAYER_INTERNAL,
    LAYER_INTERNATIONAL,
    LAYERS,
    LEVEL_ADMIN1_CITY,
    LEVEL_COUNTY,
    LEVELS,
    MAX_EXAMPLES,
    REASON_MISSING_COUNTRY,
    REASON_NO_REGION,
    REASON_UNKNOWN_COUNTRY,
    UNMATCHED_MODES,
    UNMATCHED_REASONS,
)
from ._definition import (
    CSV_COLUMNS,
    Assembler,
    PatternRecord,
    dict_rest,
    lookup_tables,
    mapping_items,
    parse_pattern,
    pattern_level,
    pattern_record,
    read_definition,
    region_record,
    rest_record,
    sort_text,
    with_country_rest,
)
from ._gazetteer import DEFAULT_RADIUS_KM, gazetteer
from ._iso import country_alpha2
from ._layers import layer_codes
from ._names import admin1_in, admin1_token, as_text, county_key, name_key
from ._resolve import (
    ResolveReport,
    UnmatchedLocation,
    combine_keys,
    country_token,
    first_values,
    key_column,
    location_columns,
    raw_location,
)


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

    # a subclass that reaches its regions by other means (coordinates) sets this
    _reached_otherwise = False

    def __init__(self, name, regions, patterns, rest=None):
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(f"RegionMap: name must be a non-empty string; got {name!r}")
        records = sorted((region_record(r) for r in regions), key=lambda r: r.code)
        codes = tuple(r.code for r in records)
        if not codes:
            raise ParameterError(f"RegionMap {name!r}: no regions given")
        for a, b in zip(codes, codes[1:]):
            if a == b:
                raise ParameterError(f"RegionMap {name!r}: region {a!r} is defined twice")
        index = {code: i for i, code in enumerate(codes)}
        rules = sorted({pattern_record(p, index, name) for p in patterns},
                       key=lambda p: (p.region, p.country, sort_text(p.admin1),
                                      sort_text(p.city), sort_text(p.county)))
        rest_map = rest_record(rest, index, name)
        lookup = lookup_tables(rules, index, name)
        unreached = set(codes) - {p.region for p in rules} - set(rest_map.values())
        if unreached and not self._reached_otherwise:
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
            "_county_areas": frozenset(k[:2] for k in lookup[LEVEL_COUNTY]),
            "_qualified_cities": frozenset((k[0], k[2]) for k in lookup[LEVEL_ADMIN1_CITY]),
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
        alpha2, _ = country_alpha2(code)
        hints += [c for c in (alpha2, f"{alpha2}-rest") if c in self._index]
        hints += difflib.get_close_matches(code, self._regions, n=3, cutoff=0.6)
        hints = list(dict.fromkeys(hints))[:3]
        text = f"{code!r} is not a region of RegionMap {self._name!r}"
        if hints:
            return f"{text}; did you mean {' or '.join(map(repr, hints))}?"
        shown = ", ".join(self._regions[:8]) + (", ..." if len(self._regions) > 8 else "")
        return f"{text}; its {len(self._regions)} regions are {shown}"

    # -- resolution ------------------------------------------------------------

    def resolve(self, country=None, admin1=None, city=None, county=None, *, lat=None, lon=None,
                geonames_id=None, radius_km=DEFAULT_RADIUS_KM, unmatched="rest"):
        """Code raw locations into region ids.

        Vectorised: distinct locations are matched once and the result is broadcast back.
        Locations may be given by names and codes, by GeoNames id, by coordinates, or
        several of these (see Notes).

        Parameters
        ----------
        country : array-like of str, or str
            ISO 3166-1 alpha-2 or alpha-3 codes, any case (also ``UK``, ``XKX`` and the
            other aliases of the module notes). None, NaN or "" = missing.
        admin1, city, county : array-like of str, or str, optional
            Admin-1 name or code (state, province, prefecture), city, county name or FIPS
            code; missing values allowed. A scalar is broadcast to every location (one
            location when every argument is a scalar).
        lat, lon : array-like of float, optional
            Coordinates in degrees: the location is the nearest place of the shipped
            GeoNames gazetteer (:func:`gazetteer`) within `radius_km`.
        geonames_id : array-like of int, optional
            GeoNames id of the location's place (OpenAlex ``geonames_city_id``); where
            the gazetteer holds it, it takes precedence over the coordinates.
        radius_km : float, default 30
            Largest great-circle distance from the coordinates to a gazetteer place.
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

        By GeoNames id (Shenzhen, Tokyo) and by coordinates (Stanford, the open sea):

        >>> codes, report = m.resolve(geonames_id=[1795565, 1850147, None, None],
        ...                           lat=[None, None, 37.4275, 0.0],
        ...                           lon=[None, None, -122.1697, 0.0])
        >>> [m.regions[i] if i >= 0 else None for i in codes]
        ['GBA', 'GTKY', 'SFBA', None]
        >>> report.n_located, report.n_placed
        (4, 3)
        """
        if unmatched not in UNMATCHED_MODES:
            raise ParameterError(f"RegionMap.resolve: unmatched must be one of 'rest', 'error', "
                                 f"'drop'; got {unmatched!r}")
        located_given = lat is not None or lon is not None or geonames_id is not None
        # a map of whole countries gains nothing from reading city names further
        below_country = any(p.admin1 is not None or p.city is not None or p.county is not None
                            for p in self._patterns)
        if not located_given and (city is None or not below_country):
            return self._resolve_names(country, admin1, city, county, unmatched)
        if (lat is None) != (lon is None):
            raise ParameterError("RegionMap.resolve: give both lat and lon, or neither")
        columns = location_columns(country=country, admin1=admin1, city=city, county=county,
                                   lat=lat, lon=lon, geonames_id=geonames_id)
        # work on the distinct locations, broadcast back at the end
        combo, first = combine_keys([codes for codes, _ in columns])
        d = [_expand(codes[first], uniques) for codes, uniques in columns]
        country_, admin1_, city_, county_, lat_, lon_, ids_ = d
        k = len(first)
        has_city = _given(city_) & ~_given(county_)
        # 1. names as given; only those that match no pattern look further
        by_name, _ = self._resolve_names(country_, admin1_, city_, county_, "drop")
        use = np.zeros(k, dtype=bool)
        located = placed = None
        if located_given:
            # 2. the gazetteer place of a GeoNames id, else of the coordinates
            g = gazetteer()
            located = np.zeros(k, dtype=bool)
            rows = np.full(k, -1, dtype=np.int64)
            if geonames_id is not None:
                has_id = _given(ids_)
                located |= has_id
                rows[has_id] = g.by_id(ids_[has_id])
            if lat is not None:
                has_xy = _given(lat_) & _given(lon_)
                located |= has_xy
                todo = has_xy & (rows < 0)
                rows[todo] = g.nearest(lat_[todo], lon_[todo], radius_km)[0]
            placed = rows >= 0
            # a place that matches no pattern stands for its locality when that matches
            # (a city section such as Gangxia stands for Shenzhen)
            g_country, g_admin1, g_city = g.location(rows)
            hit, _ = self._resolve_names(g_country, g_admin1, g_city, None, "drop")
            section = np.flatnonzero(placed & (hit < 0))
            if len(section):
                heads = g.locality(rows[section])
                moved = heads != rows[section]
                if moved.any():
                    h_country, h_admin1, h_city = g.location(heads[moved])
                    h_hit, _ = self._resolve_names(h_country, h_admin1, h_city, None, "drop")
                    ok = h_hit >= 0
                    at = section[moved][ok]
                    g_country[at], g_admin1[at], g_city[at] = h_country[ok], h_admin1[ok], h_city[ok]
                    hit[at] = h_hit[ok]
            alpha2 = np.array([country_alpha2(c)[0] for c in country_], dtype=object)
            same = alpha2 == g_country
            use = placed & ((alpha2 == None) | (same & ~has_city & ~_given(county_)))  # noqa: E711
            # names given that match no pattern: the place, if it matches one
            use |= placed & same & (by_name < 0) & (hit >= 0)
            country_, admin1_, city_, county_ = (np.where(use, new, old) for new, old in (
                (g_country, country_), (g_admin1, admin1_), (g_city, city_), (None, county_)))
        # 3. a name that matches no pattern, read through the gazetteer (alternate and
        #    folded spellings, GeoNames codes) where it names one place only
        alias = np.flatnonzero((by_name < 0) & has_city & ~use)
        n_alias = 0
        if len(alias):
            g = gazetteer()
            rows = g.find(country_[alias], admin1_[alias], city_[alias], unique=True)
            found = alias[rows >= 0]
            if len(found):
                g_country, g_admin1, g_city = g.location(rows[rows >= 0])
                hit, _ = self._resolve_names(g_country, g_admin1, g_city, None, "drop")
                take = found[hit >= 0]
                keep = hit >= 0
                country_[take], admin1_[take], city_[take] = (
                    g_country[keep], g_admin1[keep], g_city[keep])
                n_alias = int(np.isin(combo, take).sum())
        codes, report = self._resolve_names(country_, admin1_, city_, county_, unmatched,
                                            multiplicity=np.bincount(combo, minlength=k),
                                            positions=first)
        codes = codes[combo]
        extra = {"n_alias": n_alias}
        if located_given:
            unplaced = np.flatnonzero(located & ~placed)
            extra.update(n_located=int(located[combo].sum()),
                         n_placed=int(placed[combo].sum()),
                         unplaced=[(int(first[j]), _plain_or_none(ids_[j]),
                                    _plain_or_none(lat_[j]), _plain_or_none(lon_[j]))
                                   for j in unplaced[:MAX_EXAMPLES]],
                         radius_km=float(radius_km))
        return codes, replace(report, **extra)

    def _resolve_names(self, country, admin1, city, county, unmatched, *, multiplicity=None,
                       positions=None):
        """resolve() on names and codes only.

        With `multiplicity` (rows each location stands for) and `positions` (its first
        row), the report counts and places rows, not the locations given.
        """
        columns = location_columns(country=country, admin1=admin1, city=city, county=county)
        n = len(columns[0][0]) if multiplicity is None else int(multiplicity.sum())
        keyed = [key_column(codes, uniques, normalise) for (codes, uniques), normalise
                 in zip(columns, (country_token, admin1_token, name_key, county_key))]
        combo, first = combine_keys([codes for codes, _ in keyed])
        keys = [first_values(codes, uniques, first) for codes, uniques in keyed]
        ids, reasons, via_rest = self._resolve_distinct(keys, unmatched)
        counts = np.bincount(combo, weights=multiplicity, minlength=len(first)).astype(np.int64)
        report = self._report(n, columns, first, counts, reasons, via_rest, unmatched, positions)
        if unmatched == "error" and report.n_unmatched:
            j = next(j for j, reason in enumerate(reasons) if reason is not None)
            where = raw_location(columns, int(first[j]))
            if positions is not None:
                where = where._replace(position=int(positions[where.position]))
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
            region = self._match(code, admin1_in(admin1s[j], code), cities[j], counties[j])
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

    def _report(self, n, columns, first, counts, reasons, via_rest, unmatched, positions=None):
        by_reason = dict.fromkeys(UNMATCHED_REASONS, 0)
        examples = {reason: [] for reason in UNMATCHED_REASONS}
        for j, reason in enumerate(reasons):
            if reason is None:
                continue
            by_reason[reason] += int(counts[j])
            if len(examples[reason]) < MAX_EXAMPLES:
                where = raw_location(columns, int(first[j]))
                if positions is not None:
                    where = where._replace(position=int(positions[where.position]))
                examples[reason].append(where)
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
        rows = [(p.region, LEVELS[pattern_level(p.admin1, p.city, p.county)], p.country,
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
        build = Assembler(fail)
        for region, patterns in mapping.items():
            if not isinstance(region, str):
                raise fail(f"region codes must be strings; got {region!r}", "mapping", "region")
            if isinstance(patterns, (str, Mapping)):
                patterns = [patterns]
            build.touch(region, f"mapping[{region!r}]")
            for i, pattern in enumerate(patterns):
                where = f"mapping[{region!r}][{i}] ({pattern!r})"
                build.add_pattern(region, *parse_pattern(pattern, where, fail), where)
        rest_codes = dict_rest(rest, build, func)
        for attribute, parameter, values in (("jurisdiction", "countries", countries),
                                             ("parent", "parents", parents),
                                             ("label", "labels", labels)):
            for region, value in mapping_items(values, parameter, func):
                if region not in build.seen:
                    raise ParameterError(f"{func}: {parameter} names region {region!r}, which "
                                         "has no pattern")
                build.set_attr(region, attribute, value, f"{parameter}[{region!r}]")
        regions, patterns = build.regions(), list(build.patterns)
        if rest_codes == "country":
            regions, rest_map = with_country_rest(regions, patterns, {})
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
            regions, patterns, rest_map = read_definition(handle, path)
        if rest == "country":
            regions, rest_map = with_country_rest(regions, patterns, rest_map)
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
        writer.writerow(CSV_COLUMNS)
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
            mapping[p.region].append({f: getattr(p, f) for f in PatternRecord._fields[1:]
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


def _expand(codes, uniques):
    """Object array of a factorised column (None where missing)."""
    values = np.empty(len(uniques) + 1, dtype=object)
    values[:-1] = uniques
    values[-1] = None
    return values[codes]


def _given(values):
    """Mask of the values that are not missing."""
    return np.array([as_text(v) is not None for v in values], dtype=bool)


def _plain_or_none(value):
    value = value.item() if isinstance(value, np.generic) else value
    return None if as_text(value) is None else value
