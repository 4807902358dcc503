"""ecosystem: network analysis of regional innovation ecosystems.

Reads co-authorship, patent, citation and mobility data into :class:`Contributions`,
builds actor graphs and region flows, computes centrality, Gould–Fernandez brokerage
and flow indicators, and classifies regions per channel as hub, introduction,
outbound or local.
"""

from ._version import __version__

try:
    from . import _core  # noqa: F401
except ImportError as exc:  # pragma: no cover - only on a broken build
    raise ImportError(
        "ecosystem's compiled core (ecosystem._core) could not be imported: the package "
        "was not built. Install it with 'pip install .' (or 'pip install -e .' for "
        f"development) from the source tree. Original error: {exc}"
    ) from exc

from . import (centrality, datasets, distributed, export, plot, readers, regions, report, summary,
               uncertainty)
from ._config import show_config
from .brokerage import (
    BrokerageResult,
    EIResult,
    brokerage,
    burt_constraint,
    effective_size,
    ei_index,
    region_brokerage,
)
from .centrality import betweenness, degree, harmonic_closeness, hits, pagerank, region_table, strength
from .classification import Thresholds, classify
from .contributions import Contributions
from .exceptions import (
    ConvergenceError,
    ConvergenceWarning,
    DataFormatError,
    EcosystemError,
    EcosystemWarning,
    GraphFormatError,
    InputTypeError,
    OptionalDependencyError,
    ParameterError,
    UnknownRegionError,
)
from .flows import RegionFlows, region_flows
from .graph import ActorGraph
from .metrics import region_metrics
from .projection import coauthorship_graph
from .readers import (
    read_bibliometrix,
    read_openalex,
    read_patentsview,
    read_records,
    read_regpat,
    read_scopus,
    read_wos,
)
from .results import Classification
from .trajectories import Trajectories, trajectories, windows
from .uncertainty import bootstrap_weights

__all__ = [
    "__version__",
    "show_config",
    "Contributions",
    "ActorGraph",
    "RegionFlows",
    "region_flows",
    "coauthorship_graph",
    "region_metrics",
    "brokerage",
    "region_brokerage",
    "BrokerageResult",
    "ei_index",
    "EIResult",
    "effective_size",
    "burt_constraint",
    "betweenness",
    "degree",
    "strength",
    "pagerank",
    "hits",
    "harmonic_closeness",
    "region_table",
    "read_openalex",
    "read_patentsview",
    "read_regpat",
    "read_wos",
    "read_scopus",
    "read_records",
    "read_bibliometrix",
    "classify",
    "Thresholds",
    "Classification",
    "trajectories",
    "Trajectories",
    "windows",
    "bootstrap_weights",
    "datasets",
    "regions",
    "centrality",
    "readers",
    "plot",
    "report",
    "export",
    "summary",
    "uncertainty",
    "distributed",
    "EcosystemError",
    "ParameterError",
    "InputTypeError",
    "GraphFormatError",
    "UnknownRegionError",
    "DataFormatError",
    "ConvergenceError",
    "OptionalDependencyError",
    "EcosystemWarning",
    "ConvergenceWarning",
]
