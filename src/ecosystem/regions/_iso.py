"""The ISO 3166-1 country table (the one loader of ``_data/iso3166.csv``) and the one alias table.

Aliases: non-ISO country *codes* (:data:`COUNTRY_CODE_ALIASES`, read by every region map)
and printed country *names* (:data:`COUNTRY_NAME_ALIASES`, the spellings Web of Science,
Scopus and the gazetteer use beside the ISO English short and common names).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from ._constants import REASON_MISSING_COUNTRY, REASON_UNKNOWN_COUNTRY
from ._files import csv_records, data_file
from ._names import as_text

# Non-ISO country codes read as aliases (none of them is an assigned ISO 3166-1 code).
COUNTRY_CODE_ALIASES = {
    "UK": "GB",   # exceptionally reserved for the United Kingdom
    "EL": "GR",   # Greece in EU usage
    "XKX": "XK",  # Kosovo, alpha-3 user-assigned code (World Bank, MPIDR)
    "KOS": "XK",  # Kosovo (IOC, UNDP)
    "ROM": "RO",  # Romania's alpha-3 code until 2002
    "ZAR": "CD",  # Zaire, withdrawn 1997
    "TMP": "TL",  # East Timor, withdrawn 2002
}

#: Printed country names beside the ISO short and common names (lower case, single spaces).
COUNTRY_NAME_ALIASES = {
    "usa": "US", "united states": "US", "united states of america": "US", "u s a": "US",
    "peoples r china": "CN", "people's republic of china": "CN", "pr china": "CN",
    "p r china": "CN", "china": "CN", "hong kong": "HK", "hong kong sar": "HK",
    "macau": "MO", "macao": "MO", "macao sar": "MO", "taiwan": "TW",
    "england": "GB", "scotland": "GB", "wales": "GB", "north ireland": "GB",
    "northern ireland": "GB", "uk": "GB", "united kingdom": "GB", "great britain": "GB",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "north korea": "KP",
    "russia": "RU", "iran": "IR", "vietnam": "VN", "viet nam": "VN", "turkey": "TR",
    "turkiye": "TR", "czech republic": "CZ", "czechia": "CZ", "u arab emirates": "AE",
    "united arab emirates": "AE", "dem rep congo": "CD", "rep congo": "CG",
    "cote ivoire": "CI", "cote d'ivoire": "CI", "ivory coast": "CI", "bosnia & herceg": "BA",
    "bosnia and herzegovina": "BA", "trinidad tobago": "TT", "papua n guinea": "PG",
    "papua new guinea": "PG", "new zealand": "NZ", "fed rep ger": "DE", "w germany": "DE",
    "germany": "DE", "laos": "LA", "syria": "SY", "moldova": "MD", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "palestine": "PS", "macedonia": "MK",
    "north macedonia": "MK", "kosovo": "XK", "brunei": "BN", "cape verde": "CV",
    "vatican": "VA", "st kitts & nevi": "KN", "sao tome & prin": "ST", "eswatini": "SZ",
    "swaziland": "SZ", "myanmar": "MM", "burma": "MM", "netherlands": "NL",
    "the netherlands": "NL", "holland": "NL",
}


class _CountryTable(NamedTuple):
    alpha2: tuple
    labels: tuple
    lookup: Mapping  # upper-case alpha-2 / alpha-3 / alias -> alpha-2
    names: Mapping   # lower-case printed name (ISO short, common, aliases) -> alpha-2


@functools.cache
def countries_table():
    """The ISO 3166-1 table: alpha-2 codes, labels, code look-up and name look-up."""
    with data_file("iso3166.csv").open("r", encoding="utf-8", newline="") as handle:
        records = [values for _, values in csv_records(
            handle, "iso3166.csv", required=("alpha2", "alpha3", "name"),
            optional=("common_name",))]
    alpha2 = tuple(r["alpha2"] for r in records)
    labels = tuple(r["common_name"] or r["name"] for r in records)
    lookup = {r["alpha2"]: r["alpha2"] for r in records}
    lookup.update({r["alpha3"]: r["alpha2"] for r in records})
    for alias, target in COUNTRY_CODE_ALIASES.items():
        lookup.setdefault(alias, target)
    names = dict(COUNTRY_NAME_ALIASES)
    for r in records:
        for name in (r["name"], r["common_name"], r["alpha3"]):
            if name:
                names.setdefault(name_lower(name), r["alpha2"])
    return _CountryTable(alpha2, labels, MappingProxyType(lookup), MappingProxyType(names))


def name_lower(text):
    """Look-up form of a printed country name: lower case, single spaces, no final dot."""
    return " ".join(text.strip().strip(".").strip().lower().split())


def country_alpha2(value):
    """ISO alpha-2 code of a country code, and the reason when there is none."""
    text = as_text(value)
    if text is None:
        return None, REASON_MISSING_COUNTRY
    code = countries_table().lookup.get(text.upper())
    return (code, None) if code is not None else (None, REASON_UNKNOWN_COUNTRY)

