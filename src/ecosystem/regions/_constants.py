"""Codes and names shared by the regions modules: border layers, pattern levels, unmatched reasons."""

from __future__ import annotations

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
LEVEL_COUNTY, LEVEL_ADMIN1_CITY, LEVEL_CITY, LEVEL_ADMIN1, LEVEL_COUNTRY = range(5)

UNMATCHED_MODES = ("rest", "error", "drop")
MAX_EXAMPLES = 10
