"""Resolution of location columns: distinct keys, the unmatched report and its examples."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..exceptions import ParameterError
from ._constants import REASON_UNKNOWN_COUNTRY, UNMATCHED_REASONS
from ._iso import country_alpha2
from ._names import as_text


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
    n_located : int
        Locations given by GeoNames id or coordinates (0 when none was).
    n_placed : int
        Of those, the locations found in the gazetteer (by id, else the nearest place
        within `radius_km`).
    unplaced : tuple of tuple
        Up to 10 located locations not found in the gazetteer, as
        ``(position, geonames_id, lat, lon)``.
    radius_km : float or None
        Radius used for coordinates (None when no location was located).
    n_alias : int
        Locations whose city name matched only through the gazetteer (an alternate or
        folded spelling naming a single place).

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
    n_located: int = 0
    n_placed: int = 0
    unplaced: tuple = ()
    radius_km: float | None = None
    n_alias: int = 0

    def __post_init__(self):
        object.__setattr__(self, "unplaced", tuple(tuple(u) for u in self.unplaced))
        object.__setattr__(self, "by_reason", MappingProxyType(dict(self.by_reason)))
        object.__setattr__(self, "examples", MappingProxyType(
            {k: tuple(UnmatchedLocation(*e) for e in v) for k, v in self.examples.items()}))

    def __reduce__(self):
        return (type(self), (self.n_input, self.n_matched, self.n_unmatched, self.n_rest,
                             dict(self.by_reason), dict(self.examples), self.map_name,
                             self.unmatched, self.n_located, self.n_placed, self.unplaced,
                             self.radius_km, self.n_alias))

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
        if self.n_alias:
            lines.append(f"  city names matched through the gazetteer: {self.n_alias:,}")
        if self.n_located:
            lines.append(f"  located by GeoNames id or coordinates: {self.n_located:,}, "
                         f"{self.n_placed:,} found in the gazetteer (radius "
                         f"{self.radius_km:g} km)")
            if self.unplaced:
                lines.append(f"  not in the gazetteer: {self.n_located - self.n_placed:,}, e.g.")
            for position, gid, lat, lon in self.unplaced:
                lines.append(f"    at {position}: geonames_id={gid!r}, lat={lat!r}, lon={lon!r}")
        return "\n".join(lines)



def location_columns(**columns):
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
        elif value is None or as_text(value) is None:
            out.append((np.full(n, -1, dtype=np.int64), np.empty(0, dtype=object)))
        else:
            out.append((np.zeros(n, dtype=np.int64), np.array([value], dtype=object)))
    return out


def country_token(value):
    """Alpha-2 code; '\\0' + the code for an unknown code; None when missing."""
    code, reason = country_alpha2(value)
    if reason == REASON_UNKNOWN_COUNTRY:
        return "\0" + as_text(value).upper()
    return code


def key_column(codes, uniques, normalise):
    """Row codes of the normalised values of a column, and the normalised values."""
    tokens = np.array([normalise(plain_value(u)) for u in uniques] + [None], dtype=object)
    token_codes, token_uniques = pd.factorize(tokens)
    return np.asarray(token_codes, dtype=np.int64)[codes], np.asarray(token_uniques, dtype=object)


def combine_keys(code_columns):
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


def first_values(codes, uniques, first):
    """Values of one column at the first position of each distinct location."""
    return [None if j < 0 else uniques[j] for j in codes[first].tolist()]


def raw_location(columns, position):
    """The location at `position` as given."""
    values = [None if codes[position] < 0 else plain_value(uniques[codes[position]])
              for codes, uniques in columns]
    return UnmatchedLocation(position, *values)


def plain_value(value):
    return value.item() if isinstance(value, np.generic) else value

