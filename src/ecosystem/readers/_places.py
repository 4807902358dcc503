"""Printed addresses (Web of Science C1/RP, Scopus affiliations) → country, admin1, city.

The country is read from the **last comma token** only, never by searching names inside
the address ("Beth Israel Deaconess Med Ctr, Boston, MA 02215 USA" is the US, not Israel;
"Georgia" or "New Mexico" inside a US address are states). Names come from the ISO 3166-1
table shipped with the package (English short and common names) plus the spellings the
databases use (``Peoples R China``, ``England``, ``U Arab Emirates``, ...). Hong Kong and
Macao stay distinct from China whether they stand last or before ``Peoples R China``.
"""

from __future__ import annotations

import re

from ..regions._iso import countries_table, name_lower

__all__ = ["parse_address", "country_code", "geo_fields", "located_keywords",
           "regpat_place_names"]

_US_STATE_ZIP = re.compile(r"^(?:([A-Z]{2})\s+)?(?:\d{5}(?:-\d{4})?\s+)?USA$")
_HAS_DIGIT = re.compile(r"\d")


def country_code(token):
    """ISO alpha-2 code of a printed country name (None when unknown).

    Examples
    --------
    >>> country_code("Peoples R China"), country_code("England"), country_code("Macao")
    ('CN', 'GB', 'MO')
    >>> country_code("CA 94305 USA"), country_code("Atlantis") is None
    ('US', True)
    """
    if not token:
        return None
    t = token.strip().strip(".").strip()
    if _US_STATE_ZIP.match(t):
        return "US"
    return countries_table().names.get(name_lower(t))


def _clean_city(token):
    """City from a token with a postcode: 'Guangzhou 510275' → 'Guangzhou',
    'Oxford OX1 3UQ' → 'Oxford'."""
    words = [w for w in token.split() if not _HAS_DIGIT.search(w)]
    # drop a trailing UK-style outward code without digits (rare) — keep words otherwise
    return " ".join(words).strip() or None


def parse_address(address):
    """(country, admin1, city, org) of a printed address; None where unknown.

    Parameters
    ----------
    address : str
        ``Org, Subunit, ..., City[ Postcode], Country.`` (WoS ``C1``/``RP`` without the
        bracketed names) or ``Dept, Org, City, [State,] Country`` (Scopus).

    Examples
    --------
    >>> parse_address("Stanford Univ, Dept Econ, Stanford, CA 94305 USA.")
    ('US', 'CA', 'Stanford', 'Stanford Univ')
    >>> parse_address("Hong Kong Univ Sci & Technol, Dept Econ, Hong Kong, Peoples R China.")
    ('HK', None, 'Hong Kong', 'Hong Kong Univ Sci & Technol')
    >>> parse_address("Beth Israel Deaconess Med Ctr, Boston, MA 02215 USA.")[:3]
    ('US', 'MA', 'Boston')
    >>> parse_address("Department of Economics, Stanford University, Stanford, CA, United States")
    ('US', 'CA', 'Stanford', 'Stanford University')

    The organisation is the institution, not a department: Scopus prints the sub-unit
    first, so a leading ``Department of ...``, ``School of ...``, ``Faculty ...`` is
    passed over for the first token that names a university (or, failing that, the
    first token that is not a sub-unit).
    """
    if not address or not address.strip():
        return None, None, None, None
    tokens = [t.strip() for t in address.strip().rstrip(".").split(",")]
    tokens = [t for t in tokens if t]
    if not tokens:
        return None, None, None, None
    org = tokens[0] if len(tokens) > 1 else None
    last = tokens[-1]
    country = country_code(last)
    admin1 = None
    city_idx = len(tokens) - 2
    if country == "US":
        m = _US_STATE_ZIP.match(last.strip().strip("."))
        if m and m.group(1):  # WoS: "CA 94305 USA"
            admin1 = m.group(1)
        elif len(tokens) >= 3 and re.fullmatch(r"[A-Z]{2}", tokens[-2]):  # Scopus: ", CA, US"
            admin1 = tokens[-2]
            city_idx = len(tokens) - 3
    elif country == "CN" and len(tokens) >= 2:
        # "..., Hong Kong, Peoples R China" / "..., Taipa, Macau, Peoples R China"
        prev = country_code(tokens[-2])
        if prev in ("HK", "MO", "TW"):
            country = prev
            if prev == "HK" and len(tokens) >= 3 and name_lower(tokens[-2]) == "hong kong":
                city_idx = len(tokens) - 2  # the city is Hong Kong itself
            else:
                city_idx = len(tokens) - 3
    elif country in ("HK", "MO") and len(tokens) >= 2 and country_code(tokens[-2]) == country:
        # Scopus "Hong Kong, Hong Kong": city and country the same
        city_idx = len(tokens) - 2
    city = None
    if 1 <= city_idx < len(tokens):
        city = _clean_city(tokens[city_idx])
    if org is not None:
        org = _institution(tokens[:max(city_idx, 1)]) or org
    return country, admin1, city, org


_SUBUNIT = re.compile(r"^(dept|department|departamento|departement|school|sch|faculty|fac|"
                      r"graduate school|grad sch|division|div|lab|laboratory|laboratoire|"
                      r"unit|section|program|programme|chair|group|centre for|center for|"
                      r"ctr|institute of|inst)\b", re.IGNORECASE)
_UNIVERSITY = re.compile(r"\b(univ|university|universit[a-zé]*|universidad[e]?|hochschule|"
                         r"polytechnic|politecnico|ecole|école)\b", re.IGNORECASE)
_PART = re.compile(r"\b(college|school|faculty|department|institute|centre|center)\b",
                   re.IGNORECASE)


def _institution(tokens):
    """The institution among the organisation tokens of an address (None if unclear)."""
    if not tokens or _UNIVERSITY.search(tokens[0]):
        return None  # the organisation comes first (WoS style, or a university)
    uni = next((t for t in tokens[1:] if _UNIVERSITY.search(t) and not _SUBUNIT.match(t)), None)
    if uni is not None and (_SUBUNIT.match(tokens[0]) or _PART.search(tokens[0])):
        return uni  # "Lingnan College, Sun Yat-sen University": the university
    if not _SUBUNIT.match(tokens[0]):
        return None
    return next((t for t in tokens[1:] if not _SUBUNIT.match(t)), None)


# --------------------------------------------------------------------------- geo hooks


def geo_fields(geo):
    """(geonames_city_id, latitude, longitude) of an OpenAlex ``geo`` object (None where absent).

    Examples
    --------
    >>> geo_fields(None)
    (None, None, None)
    """
    if geo is None:
        return (None, None, None)
    return tuple(getattr(geo, name, None) for name in ("geonames_city_id", "latitude",
                                                       "longitude"))


def located_keywords(geonames_id=None, lat=None, lon=None):
    """Keyword arguments of ``RegionMap.resolve`` for the located columns that hold data.

    Parameters
    ----------
    geonames_id, lat, lon : sequence, optional
        GeoNames ids and coordinates aligned with the locations (None where unknown).

    Returns
    -------
    dict
        ``geonames_id=``, ``lat=`` and ``lon=`` for the columns with at least one value
        (coordinates only in pairs); empty when there are none, so that maps without
        gazetteer support resolve as before.

    Examples
    --------
    >>> sorted(located_keywords([None, "5128581"], [None, None], [None, None]))
    ['geonames_id']
    >>> located_keywords([None], [1.0], [None])
    {}
    """
    def present(values):
        return values is not None and any(v is not None and v == v and str(v).strip() != ""
                                          for v in values)

    out = {}
    if present(geonames_id):
        out["geonames_id"] = geonames_id
    if present(lat) and present(lon):
        out["lat"], out["lon"] = lat, lon
    return out


def regpat_place_names(codes, labels):
    """REGPAT region code → place name, from the columns of ``REGPAT_Regions.txt``.

    The name is the ``reg_label`` up to its first comma ("Muenchen, Kreisfreie Stadt"
    → "Muenchen"), which region maps resolve as a city name (through the gazetteer's
    alternate spellings when no pattern names it). TL3/TL2 labels outside Europe name
    regions, not cities, and mostly stay at country level.

    Parameters
    ----------
    codes, labels : sequence of str
        ``reg_code`` and ``reg_label`` columns.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> regpat_place_names(["DE212", "FR101", ""], ["Muenchen, Kreisfreie Stadt", "Paris", "x"])
    {'DE212': 'Muenchen', 'FR101': 'Paris'}
    """
    out = {}
    for code, label in zip(codes, labels):
        code = str(code).strip() if code is not None else ""
        name = str(label).split(",")[0].strip() if label is not None else ""
        if code and name:
            out[code] = name
    return out
