"""Run the docstring examples of the public modules."""

import doctest
import importlib

import pytest

MODULES = ["ecosystem.projection", "ecosystem.flows", "ecosystem.datasets", "ecosystem.metrics",
           "ecosystem.graph", "ecosystem.contributions", "ecosystem.regions",
           "ecosystem.classification", "ecosystem.uncertainty", "ecosystem.results",
           "ecosystem.brokerage", "ecosystem.trajectories"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
