"""Shared test configuration: deterministic hypothesis, --runslow, data paths."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, database=None, deadline=None,
                          max_examples=60)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("ECOSYSTEM_HYPOTHESIS_PROFILE", "deterministic"))

#: ../shared beside the project root (the repo is <root>/main, shared is <root>/shared)
SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow; run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def shared_data():
    """Path of ../shared/data; skips the test when the folder is not beside the repo."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip(f"shared data folder not found at {path}")
    return path


#: Synthetic sample inputs of every reader format, shipped with the tests.
FORMATS = Path(__file__).resolve().parent / "data" / "formats"


@pytest.fixture(scope="module")
def formats():
    """Path of tests/data/formats: the synthetic sample input files of every reader."""
    return FORMATS
