"""Readers: bibliographic and patent files → Contributions, citations and talent moves.

Every reader returns a :class:`ReadResult` with ``.contributions``
(:class:`~ecosystem.contributions.Contributions`), ``.citations`` (:class:`Citations`,
the ``citing → cited`` layer, or None), ``.moves`` (a table of talent moves, or None)
and ``.report`` (:class:`ReadReport`: records read, used and skipped by reason,
unmatched locations, the source's licence line).
"""

from ._common import ORG_CHANNELS, Citations, PrefixedIds, ReadReport, ReadResult, channel_of
from .mobility import Moves, moves_from_spells
from .openalex import read_openalex
from .patentsview import read_patentsview
from .regpat import read_regpat, regpat_region_map
from .wos import read_wos
from .scopus import read_scopus
from .records import read_records

__all__ = [
    "ReadResult",
    "ReadReport",
    "Citations",
    "PrefixedIds",
    "ORG_CHANNELS",
    "channel_of",
    "Moves",
    "moves_from_spells",
    "read_openalex",
    "read_patentsview",
    "read_regpat",
    "regpat_region_map",
    "read_wos",
    "read_scopus",
    "read_records",
]
