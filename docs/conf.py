"""Sphinx configuration of the ecosystem documentation.

Build (warnings are errors) from the repository root, after building the extension in
place (``python setup.py build_ext --inplace``) or installing the package
(``pip install ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
    python -m sphinx -W --keep-going -b doctest docs docs/_build/doctest

When the extension is built in place, ``src/`` is put first on ``sys.path``, so the
pages describe the code next to them; otherwise the installed package is documented.

The build needs no network. Intersphinx links to numpy, scipy, pandas, igraph and
networkx are off by default; ``development.rst`` explains how to turn them on.
"""

import doctest
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
_SRC = ROOT / "src"
if any(next((_SRC / "ecosystem").glob("_core*" + s), None) for s in EXTENSION_SUFFIXES):
    # The checkout's extension is built in place: document the code next to these pages
    # rather than an installed copy. Otherwise (a fresh clone, as in CI) the installed
    # package is used: pip install ".[docs]" first.
    sys.path.insert(0, str(_SRC))

import ecosystem  # noqa: E402

# -- Project -----------------------------------------------------------------------------
project = "ecosystem"
author = "The ecosystem developers"
copyright = "2024-2025, The ecosystem developers"  # noqa: A001
version = ecosystem.__version__
release = ecosystem.__version__

# -- Extensions ----------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
]
try:  # typology maps of the case studies, drawn when the pages are built
    import matplotlib

    matplotlib.use("Agg")
    extensions.append("matplotlib.sphinxext.plot_directive")
    plot_include_source = True
    plot_html_show_source_link = False
    plot_html_show_formats = False
    plot_formats = [("png", 100)]
    plot_pre_code = "import numpy as np\nimport pandas as pd\nimport ecosystem as eco\n"
except ImportError:
    pass
try:  # renders benchmarks/README.md (Markdown) inside performance.rst
    import myst_parser  # noqa: F401

    extensions.append("myst_parser")
    HAVE_MYST = True
except ImportError:
    HAVE_MYST = False

templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.inc", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc ----------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False  # members are listed by the autosummary class template
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Types in Parameters/Returns become cross-references: to ecosystem's own classes always,
# to numpy/pandas/scipy/igraph/networkx when intersphinx inventories are available (see
# below); unresolved ones render as plain text (the build is not nitpicky).
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "Contributions": "ecosystem.Contributions",
    "ActorGraph": "ecosystem.ActorGraph",
    "RegionFlows": "ecosystem.RegionFlows",
    "RegionMap": "ecosystem.regions.RegionMap",
    "ResolveReport": "ecosystem.regions.ResolveReport",
    "UnmatchedLocation": "ecosystem.regions.UnmatchedLocation",
    "ClusterMap": "ecosystem.regions.ClusterMap",
    "Gazetteer": "ecosystem.regions.Gazetteer",
    "ndarray": "numpy.ndarray",
    "DataFrame": "pandas.DataFrame",
    "pandas.DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "igraph.Graph": "igraph.Graph",
}
numpydoc_xref_ignore = {
    "of", "or", "and", "to", "shape", "optional", "default", "dtype", "n", "m", "k", "R", "K",
    "G", "nnz", "length", "same", "as", "the", "a", "an", "int32", "int64", "float64",
    "intp", "uint8", "file-like", "path-like", "mapping", "object", "type",
}


def _public_properties():
    """Public properties (incl. cached ones) defined on each exported class.

    The autosummary class template lists them; a plain dict keeps the configuration
    picklable (Sphinx caches it between builds).
    """
    import functools
    import inspect

    found = {}
    for name in ecosystem.__all__:
        obj = getattr(ecosystem, name)
        members = [(f"ecosystem.{name}", obj)]
        if inspect.ismodule(obj):
            members = [(f"{obj.__name__}.{sub}", getattr(obj, sub))
                       for sub in getattr(obj, "__all__", [])]
        for qualname, cls in members:
            if inspect.isclass(cls):
                found[qualname] = [
                    attr for attr, value in vars(cls).items()
                    if not attr.startswith("_")
                    and isinstance(value, (property, functools.cached_property))
                ]
    return found


autosummary_context = {"public_properties": _public_properties()}

# -- doctest -------------------------------------------------------------------------------
# The doctest builder runs every ``>>>`` block and ``.. doctest::`` directive of the
# pages. The Examples of the API docstrings are left to tests/test_doctests.py, which runs
# them in their own module's namespace (see _skip_docstrings_in_doctest below). Output is
# compared with NORMALIZE_WHITESPACE. ELLIPSIS is allowed, but the pages use it only for
# output that depends on the machine (versions, paths, timings), never for a result.
doctest_global_setup = """
import numpy as np
import pandas as pd
import ecosystem as eco
np.set_printoptions(legacy=False)
pd.set_option("display.width", 100)
pd.set_option("display.max_columns", 30)
"""
doctest_default_flags = (
    doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1
)
doctest_test_doctest_blocks = "default"

# -- intersphinx (offline by default) ----------------------------------------------------
# CI has no internet except package registries, so the default build uses no remote
# inventory. Set ECOSYSTEM_DOCS_INTERSPHINX=1 to fetch the inventories below, or put
# local copies in docs/_inventories/<name>.inv (used without network, see
# development.rst).
_INTERSPHINX_URLS = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "pandas": "https://pandas.pydata.org/docs/",
    "igraph": "https://python.igraph.org/en/stable/api/",
    "networkx": "https://networkx.org/documentation/stable/",
}
intersphinx_mapping = {}
_online = os.environ.get("ECOSYSTEM_DOCS_INTERSPHINX", "0") not in ("", "0")
for _name, _url in _INTERSPHINX_URLS.items():
    _local = HERE / "_inventories" / f"{_name}.inv"
    if _local.is_file():
        intersphinx_mapping[_name] = (_url, str(_local))
    elif _online:
        intersphinx_mapping[_name] = (_url, None)
intersphinx_timeout = 10

# numpydoc's default type aliases link "array-like", "bool", "sequence", ... with :term:
# and :ref: roles into the python and numpy inventories; without those inventories such
# roles are build warnings. Turn them into plain (silently unresolved) references then.
from numpydoc.xref import DEFAULT_LINKS as _NUMPYDOC_LINKS  # noqa: E402

for _alias, _target in _NUMPYDOC_LINKS.items():
    if _target.startswith((":term:", ":ref:")):
        _inventory = "python" if "python:" in _target else "numpy"
        if _inventory not in intersphinx_mapping:
            numpydoc_xref_aliases.setdefault(_alias, _alias)

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"ecosystem {release}"
html_theme_options = {
    "navigation_depth": 3,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = []
html_show_sourcelink = False

# MathJax macros used across the methodology chapter.
mathjax3_config = {
    "tex": {
        "macros": {
            "Vin": r"V_{\mathrm{in}}",
            "Vout": r"V_{\mathrm{out}}",
            "Vco": r"V_{\mathrm{co}}",
        }
    }
}


# -- benchmarks/README.md ------------------------------------------------------------------
def _write_benchmark_include():
    """Write generated/benchmarks_readme.inc: the benchmark tables, or where they will be.

    performance.rst includes this file. When benchmarks/README.md exists it is rendered
    (Markdown through MyST, or verbatim when myst-parser is not installed); otherwise the
    file says that the tables are not in this source tree.
    """
    readme = ROOT / "benchmarks" / "README.md"
    out = HERE / "generated" / "benchmarks_readme.inc"
    out.parent.mkdir(exist_ok=True)
    if readme.is_file() and HAVE_MYST:
        text = (
            ".. include:: /../benchmarks/README.md\n"
            "   :parser: myst_parser.sphinx_\n"
        )
    elif readme.is_file():
        text = (
            "``benchmarks/README.md`` as written (install ``myst-parser`` to render it):\n\n"
            ".. literalinclude:: /../benchmarks/README.md\n"
            "   :language: markdown\n"
        )
    else:
        text = (
            ".. note::\n\n"
            "   This source tree has no ``benchmarks/README.md`` yet, so no measured tables\n"
            "   are shown here. Run the commands above to measure on your machine; the\n"
            "   tables appear on this page once the file is committed.\n"
        )
    if not out.is_file() or out.read_text() != text:
        out.write_text(text)


_write_benchmark_include()

# Markdown pulled in from benchmarks/README.md may link to files of the repository that
# are not documents of this site; do not turn those links into build errors.
suppress_warnings = ["myst.xref_missing", "myst.header"]
myst_heading_anchors = 0


# -- the API reference must list every public name ---------------------------------------
def _public_names():
    """Dotted names of everything ecosystem exports (module members expanded)."""
    import inspect

    names = []
    for name in ecosystem.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(ecosystem, name)
        if inspect.ismodule(obj):
            names += [f"{name}.{sub}" for sub in getattr(obj, "__all__", [])
                      if callable(getattr(obj, sub))]
        else:
            names.append(name)
    return names


def _check_api_page(app):
    """Warn (an error under -W) for public names that api.rst does not list."""
    import re

    from sphinx.util import logging

    text = (HERE / "api.rst").read_text()
    listed = set(re.findall(r"^\s+~?([A-Za-z_][\w.]*)\s*$", text, flags=re.M))
    current = None
    qualified = set()
    for line in text.splitlines():
        m = re.match(r"\.\. currentmodule:: (\S+)", line.strip())
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^\s+~?([A-Za-z_][\w.]*)\s*$", line)
        if m and current:
            qualified.add(f"{current}.{m.group(1)}")
    logger = logging.getLogger(__name__)
    for name in _public_names():
        if f"ecosystem.{name}" not in qualified and name not in listed:
            logger.warning("api.rst does not list the public name ecosystem.%s; add it to "
                           "the autosummary table of its theme", name, type="ecosystem",
                           subtype="api")


def _skip_docstrings_in_doctest(app, what, name, obj, options, lines):
    """Under the doctest builder, leave docstrings out of the pages.

    Docstring examples may use the names of their own module (``RegionMap(...)`` inside
    ``ecosystem.regions``); ``tests/test_doctests.py`` runs them with that namespace. The
    doctest builder produces no HTML, so nothing is lost from the site.
    """
    if app.builder.name == "doctest":
        lines[:] = []


def setup(app):
    app.connect("builder-inited", _check_api_page)
    app.connect("autodoc-process-docstring", _skip_docstrings_in_doctest)
