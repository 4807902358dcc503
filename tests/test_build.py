"""The compiled core is importable and reports its configuration."""

import io

import numpy as np
import pytest

import ecosystem as eco
from ecosystem import _core


def test_openmp_flag_and_threads():
    assert isinstance(_core.openmp_enabled(), bool)
    assert _core.max_threads() >= 1


def test_show_config_prints_facts():
    buf = io.StringIO()
    facts = eco.show_config(file=buf)
    text = buf.getvalue()
    assert facts["version"] == eco.__version__ and eco.__version__ in text
    assert ("openmp   : True" in text) == facts["openmp"]
    assert facts["threads"] >= 1


def test_n_jobs_resolver_follows_scikit_learn():
    # issue 11 item 5: None means one thread, -1 every available core
    from ecosystem._parallel import available_cores, effective_n_threads

    cores = available_cores()
    assert effective_n_threads(None, func="f") == 1
    assert effective_n_threads(-1, func="f") == cores
    assert effective_n_threads(1, func="f") == 1
    assert effective_n_threads(-cores - 5, func="f") == 1
    # issue 19 item 9: a huge count clamps to the cores instead of overflowing a C int
    assert effective_n_threads(2**40, func="f") == cores
    assert effective_n_threads(np.int64(2**40), func="f") == cores
    with pytest.raises(eco.ParameterError, match="f: n_jobs must be non-zero"):
        effective_n_threads(0, func="f")
    with pytest.raises(eco.InputTypeError, match="f: n_jobs must be an int or None"):
        effective_n_threads(1.5, func="f")


def test_huge_n_jobs_is_clamped_in_every_kernel():
    # issue 19 item 9: n_jobs=2**40 raised OverflowError from the core
    g = eco.ActorGraph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], node_region=list("aabb"))
    c = eco.Contributions.from_arrays(record=[1, 1, 2, 2], actor=["a", "b", "b", "c"],
                                      region=["X", "Y", "Y", "X"])
    big = 2**40
    np.testing.assert_array_equal(eco.betweenness(g, 4, seed=0, n_jobs=big),
                                  eco.betweenness(g, 4, seed=0, n_jobs=1))
    assert eco.brokerage(g, n_jobs=big).raw.shape == (4, 6)
    assert eco.coauthorship_graph(c, n_jobs=big).nnz == 4
    np.testing.assert_array_equal(eco.region_flows(c, n_jobs=big).presence,
                                  eco.region_flows(c, n_jobs=1).presence)


def test_classify_with_huge_n_jobs_is_clamped():
    # issue 19 item 9 as reported: classify(n_jobs=2**40) raised OverflowError in the core
    c, _ = eco.datasets.planted(n_regions=8, records_per_region=60, seed=3)
    a = eco.classify(c, bootstrap=10, n_null=19, seed=1, n_jobs=2**40).table
    b = eco.classify(c, bootstrap=10, n_null=19, seed=1, n_jobs=1).table
    assert a.equals(b)
