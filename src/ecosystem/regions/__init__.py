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

from ._builtin import countries, greater_bay_area, metro_areas, metros, seed_regions
from ._constants import (
    LAYER_CROSS_BOUNDARY,
    LAYER_DOMESTIC,
    LAYER_INTERNAL,
    LAYER_INTERNATIONAL,
    LAYERS,
    LEVELS,
    UNMATCHED_REASONS,
)
from ._clusters import ClusterMap, clusters
from ._gazetteer import Gazetteer, gazetteer
from ._geometry import centroids, world_outlines
from ._layers import layer_codes
from ._map import RegionMap
from ._resolve import ResolveReport, UnmatchedLocation

__all__ = [
    "RegionMap",
    "ResolveReport",
    "UnmatchedLocation",
    "countries",
    "metro_areas",
    "metros",
    "greater_bay_area",
    "seed_regions",
    "Gazetteer",
    "ClusterMap",
    "clusters",
    "centroids",
    "world_outlines",
    "gazetteer",
    "layer_codes",
    "LAYER_INTERNAL",
    "LAYER_DOMESTIC",
    "LAYER_INTERNATIONAL",
    "LAYER_CROSS_BOUNDARY",
    "LAYERS",
    "UNMATCHED_REASONS",
    "LEVELS",
]
