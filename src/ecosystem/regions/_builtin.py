"""Built-in region maps: countries, the four seed metros, the Greater Bay Area."""

from __future__ import annotations

import functools
from types import MappingProxyType

from ..exceptions import ParameterError
from ._definition import RegionRecord, read_definition, with_country_rest
from ._files import csv_records, data_file
from ._iso import countries_table, country_alpha2
from ._map import RegionMap


@functools.cache
def seed_definition():
    with data_file("seed_regions.csv").open("r", encoding="utf-8", newline="") as handle:
        regions, patterns, _ = read_definition(handle, "seed_regions.csv")
    with data_file("seed_parents.csv").open("r", encoding="utf-8", newline="") as handle:
        parents = {row["parent"]: RegionRecord(row["parent"], country_alpha2(row["country"])[0],
                                          row["label"], None)
                   for _, row in csv_records(handle, "seed_parents.csv",
                                              required=("parent", "country", "label"),
                                              optional=())}
    return tuple(regions), tuple(patterns), MappingProxyType(parents)


def check_rest_option(func, rest):
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
    table = countries_table()
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
    check_rest_option("metro_areas", rest)
    return _metro_areas_map(rest)


@functools.lru_cache(maxsize=None)
def _metro_areas_map(rest):
    regions, patterns, parents = seed_definition()
    merged = {r.code: parents[r.parent].code if r.parent in parents else r.code for r in regions}
    out = {}
    for r in regions:
        out.setdefault(merged[r.code], parents.get(r.parent, r))
    patterns = [p._replace(region=merged[p.region]) for p in patterns]
    regions, rest_map = list(out.values()), {}
    if rest == "country":
        regions, rest_map = with_country_rest(regions, patterns, {})
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
    check_rest_option("greater_bay_area", rest)
    return _greater_bay_area_map(rest)


@functools.lru_cache(maxsize=None)
def _greater_bay_area_map(rest):
    regions, patterns, _ = seed_definition()
    regions = [r for r in regions if r.parent == "GBA"]
    keep = {r.code for r in regions}
    patterns = [p for p in patterns if p.region in keep]
    rest_map = {}
    if rest == "country":
        regions, rest_map = with_country_rest(regions, patterns, {})
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
    regions, _, parents = seed_definition()
    return tuple(sorted({parents[r.parent].code if r.parent in parents else r.code
                         for r in regions}))


def metros(rest="country"):
    """World metros: the GII science and technology clusters as unions of admin units.

    One region per metro of ``_data/metros.csv`` (96 metros named after the clusters of
    WIPO's Global Innovation Index 2024/2025 rankings, e.g. ``"US-BOS"`` Boston–Cambridge,
    ``"CN-SHSZ"`` Shanghai–Suzhou, ``"KR-SEL"`` Seoul) plus the four seed metros of
    :func:`metro_areas`, which stand for the clusters Tokyo–Yokohama (``GTKY``),
    Shenzhen–Hong Kong–Guangzhou (the GBA, split by jurisdiction into ``GBA-GD``,
    ``GBA-HK`` and ``GBA-MO`` under parent ``GBA``), San Jose–San Francisco (``SFBA``) and
    New York City (``NYC``). Every other location goes to its country.

    Parameters
    ----------
    rest : {"country", None}, default "country"
        As in :func:`metro_areas`: ``"country"`` sends every other location to
        ``"<CC>-rest"`` (countries a metro covers in part) or ``"<CC>"``; None keeps the
        metros only.

    Returns
    -------
    RegionMap
        Named ``"metros"``.

    Notes
    -----
    Each metro's units and their source are written in the definition file, which
    ``scripts/make_metros.py`` generates from the shipped gazetteer: whole admin-1 units
    where the standard definition is one (Japanese prefectures, Korean metropolitan cities
    and provinces, the Chinese municipalities, Moscow), matched by GeoNames code, ISO
    3166-2 code or name; elsewhere the GeoNames places of 15,000 inhabitants or more
    within a stated radius of the cluster's anchor cities, because the gazetteer has no
    county or prefecture codes (US counties of the OMB CBSA/CSA delineation, Chinese
    prefecture-level cities and European NUTS3 regions cannot be expressed; the seed
    metros SFBA and NYC do use OMB counties). A metro whose places lie in several
    countries is split into one part per country under a parent (Basel: ``CH-BSL-CH``,
    ``CH-BSL-DE``, ``CH-BSL-FR`` where present), so exchange between the parts is the
    cross-boundary layer. A place in a metro's radius but smaller than 15,000 inhabitants
    resolves by coordinates or GeoNames id only to its nearest gazetteer place.

    Examples
    --------
    >>> m = metros()
    >>> codes, _ = m.resolve(["US", "KR", "CN", "HK", "JP", "DE"],
    ...                      admin1=["MA", "Gyeonggi-do", None, None, None, None],
    ...                      city=["Cambridge", "Suwon", "Suzhou", "Hong Kong", "Kobe", "Lörrach"])
    >>> [m.regions[i] for i in codes]
    ['US-BOS', 'KR-SEL', 'CN-SHSZ', 'GBA-HK', 'JP-KEIHANSHIN', 'CH-BSL-DE']
    >>> m.layer("GBA-HK", "GBA-GD"), m.layer("CH-BSL-CH", "CH-BSL-DE")
    ('cross-boundary', 'cross-boundary')
    >>> m.label("US-BOS"), m.country("CH-BSL-DE"), m.parent("CH-BSL-DE")
    ('Boston–Cambridge', 'DE', 'CH-BSL')
    """
    check_rest_option("metros", rest)
    return _metros_map(rest)


@functools.lru_cache(maxsize=None)
def _metros_map(rest):
    seed_regions_, seed_patterns, _ = seed_definition()
    with data_file("metros.csv").open("r", encoding="utf-8", newline="") as handle:
        regions, patterns, _ = read_definition(handle, "metros.csv")
    regions, patterns = list(seed_regions_) + list(regions), list(seed_patterns) + list(patterns)
    rest_map = {}
    if rest == "country":
        regions, rest_map = with_country_rest(regions, patterns, {})
    return RegionMap("metros", regions, patterns, rest_map)
