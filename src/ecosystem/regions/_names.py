"""Matching keys of place names, admin-1 units and counties (case, accent, punctuation folding)."""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd

_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                       "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th"})
_DROP = str.maketrans("", "", ".'’`ʼ")
_SPLIT = re.compile(r"[\W_]+")
_TOKEN_ALIASES = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
_GENERIC_SUFFIXES = frozenset({"city", "county", "shi", "province", "sheng", "prefecture",
                               "state", "to", "ken", "fu", "metropolis", "sar"})
_SUBDIVISION_CODE = re.compile(r"^\s*([A-Za-z]{2})[-_ ]([A-Za-z0-9]{1,3})\s*$")
# GeoNames admin-1 codes are written "CC.code" (JP.40 is Tokyo; ISO 3166-2 JP-40 is Fukuoka)
_GEONAMES_CODE = re.compile(r"^\s*([A-Za-z]{2})\.([A-Za-z0-9]{1,3})\s*$")


def as_text(value):
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


def name_key(value):
    """Matching key of a place name: case-, accent-, punctuation- and space-insensitive.

    Trailing generic words (City, County, -shi, -ken, -to, Province, State, SAR, ...)
    and a leading "The" are dropped; Saint/Mount/Fort become St/Mt/Ft.
    """
    if isinstance(value, str):
        return _string_key(value)
    return _name_key(value)


@functools.lru_cache(maxsize=1 << 18)
def _string_key(text):
    return _name_key(text)


def _name_key(value):
    text = as_text(value)
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


def admin1_key(value, country):
    """Key of an admin-1 name or code; an ISO 3166-2 prefix of `country` is dropped."""
    return admin1_in(admin1_token(value), country)


def admin1_token(value):
    """Admin-1 key; for an ISO 3166-2-like code both readings, as '\\0CC\\0short\\0long'.

    A GeoNames admin-1 code ``"CC.xx"`` gets keys of its own (``"#xx"``, ``"#ccxx"``)
    that no name or ISO code shares: GeoNames and ISO 3166-2 number units differently.
    """
    text = as_text(value)
    if text is None:
        return None
    code = _GEONAMES_CODE.match(text)
    if code is not None:
        country, unit = code.group(1).upper(), code.group(2).upper()
        return "\0".join(("", country, "#" + unit, "#" + country + unit))
    code = _SUBDIVISION_CODE.match(text)
    if code is None:
        return name_key(text)
    return "\0".join(("", code.group(1).upper(), name_key(code.group(2)), name_key(text)))


def admin1_in(token, country):
    """Admin-1 key of a token for a location in `country` ("US-CA" is "CA" in the US)."""
    if token is None or not token.startswith("\0"):
        return token
    _, prefix, short, long = token.split("\0")
    return short if prefix == country else long


def county_key(value):
    """Key of a county name or FIPS code (5-digit state+county codes keep the county part)."""
    key = name_key(value)
    if key is not None and key.isdigit():
        key = key.zfill(5)[-3:] if len(key) > 3 else key.zfill(3)
    return key

