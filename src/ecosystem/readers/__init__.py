"""Readers: bibliographic and patent files → Contributions, citations and talent moves.

One pattern for every reader: it returns a :class:`ReadResult` with

``.contributions``
    :class:`~ecosystem.contributions.Contributions`, one row per (record, actor,
    location); ``weight`` is the row's fractional share of its record (1/n per author or
    inventor, split over the person's countries, then addresses; REGPAT's
    ``inv_share × reg_share``), ``lead`` marks the presence origin (corresponding, else
    first, author; the owner of a patent; the parent of a unit abroad; the origin of a
    move) — DESIGN §2;
``.citations``
    :class:`Citations`, the ``citing → cited`` layer kept apart from presence (None when
    the source has none);
``.moves``
    a table of talent moves (None when not derived);
``.report``
    :class:`ReadReport`: records read, used, skipped by reason, dropped contributions,
    the unknown-location share, malformed input with file:line and field, the region
    map's unmatched locations, and the source's licence / attribution line.

Readers: :func:`read_openalex`, :func:`read_patentsview`, :func:`read_regpat`,
:func:`read_wos`, :func:`read_scopus`, :func:`read_records`. All take ``regions=`` (a
:class:`~ecosystem.regions.RegionMap`, default ``countries()``) and ``errors="raise"``
(stop at the first malformed record with a located
:class:`~ecosystem.exceptions.DataFormatError`) or ``"skip"`` (count and go on;
inside :func:`stop_if_malformed`, stop when the input is malformed from its start).

Optional accelerators (``pip install 'ecosystem[io]'``): msgspec (typed, partial JSON
decoding; else orjson, else the standard json module), isal (gzip decompression; else
zlib), tqdm (progress bars), pyarrow (Parquet in :func:`read_records`).
"""

from ._common import ORG_CHANNELS, Citations, PrefixedIds, channel_of
from ._report import ReadReport, ReadResult, stop_if_malformed
from .bibliometrix import read_bibliometrix
from .mobility import Moves, moves_from_spells
from .openalex import read_openalex
from .patentsview import read_patentsview
from .records import read_records
from .regpat import read_regpat, regpat_region_map
from .scopus import read_scopus
from .wos import read_wos

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
    "read_bibliometrix",
    "stop_if_malformed",
]
