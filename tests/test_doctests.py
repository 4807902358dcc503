"""Run the docstring examples of the public modules."""

import doctest
import importlib
import pkgutil

import pytest

MODULES = ["ecosystem.projection", "ecosystem.flows", "ecosystem.datasets", "ecosystem.metrics",
           "ecosystem.graph", "ecosystem.contributions", "ecosystem.regions",
           "ecosystem.classification", "ecosystem.uncertainty", "ecosystem.results",
           "ecosystem.brokerage", "ecosystem.export", "ecosystem.report", "ecosystem.summary",
           "ecosystem.readers.bibliometrix", "ecosystem.readers._places",
           "ecosystem.trajectories"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    # a package's examples live in its submodules and use the package's public names
    modules = [module] + [importlib.import_module(f"{name}.{info.name}")
                          for info in pkgutil.iter_modules(getattr(module, "__path__", []))]
    results = [doctest.testmod(m, extraglobs=vars(module), optionflags=doctest.NORMALIZE_WHITESPACE)
               for m in modules]
    assert sum(r.failed for r in results) == 0
