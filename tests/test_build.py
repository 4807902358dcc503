"""The compiled core is importable and reports its configuration."""

import io

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
