"""A short run of the byte-mutation fuzzer over every reader (issue 19, item 11).

The long run is ``python tests/fuzz_readers.py --seconds N --jobs 2`` (see its
docstring); its figures are in docs/user_guide/reliability.rst.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import fuzz_readers  # noqa: E402


def _assert_clean(summary, n):
    assert summary["executions"] == n
    assert summary["findings"] == {}, summary["findings"]
    targets = {k for k in summary["outcomes"] if k.startswith("target ")}
    assert len(targets) == len(fuzz_readers._targets())      # every reader ran


def test_fuzz_every_reader_short():
    n = 2 * len(fuzz_readers._targets()) * 6
    _assert_clean(fuzz_readers.run(execs=n, seed=2026), n)


@pytest.mark.slow
def test_fuzz_every_reader_long():
    _assert_clean(fuzz_readers.run(execs=5000, seed=7), 5000)


def test_mutator_is_reproducible():
    import random

    data = b"record,actor,country\nr1,a,US\n" * 5
    a = [fuzz_readers.mutate(data, random.Random(f"s-{i}")) for i in range(50)]
    b = [fuzz_readers.mutate(data, random.Random(f"s-{i}")) for i in range(50)]
    assert a == b and len(set(a)) > 40


def test_checker_flags_a_broken_count():
    """The fuzzer's consistency check is not vacuous."""
    import ecosystem as eco

    res = eco.read_records(__import__("pandas").DataFrame(
        {"record": ["p"], "actor": ["a"], "country": ["US"]}))
    assert fuzz_readers.check_result(res) == []
    res.report.records_read += 1
    assert "count invariant" in fuzz_readers.check_result(res)[0]


def test_fuzz_input_layer_short():
    n = len(fuzz_readers._io_targets()) * 40
    s = fuzz_readers.run(execs=n, seed=11, targets=list(fuzz_readers._io_targets()))
    assert s["executions"] == n and s["findings"] == {}, s["findings"]
