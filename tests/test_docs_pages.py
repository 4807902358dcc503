"""Issue 18 E: every docs page runs as pasted into a fresh interpreter.

The fast test checks that each page imports what its examples use (``eco``, ``np``,
``pd``) before the first use, so nothing comes only from the Sphinx doctest setup. The
slow test runs every page's examples with empty globals, as a reader pasting them would.
"""

import doctest
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.rst") if ">>>" in p.read_text(encoding="utf-8"))
IMPORTS = {"eco": "import ecosystem as eco", "np": "import numpy as np",
           "pd": "import pandas as pd"}


def _examples(page):
    parser = doctest.DocTestParser()
    return parser.get_examples(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_imports_what_it_uses(page):
    defined = set()
    for ex in _examples(page):
        for name, statement in IMPORTS.items():
            if statement in ex.source:
                defined.add(name)
        code = re.sub(r"(['\"]).*?\1", "", ex.source)  # ignore names inside strings
        for name in IMPORTS:
            if re.search(rf"(?<![\w.]){name}\.", code) and name not in defined:
                pytest.fail(f"{page.name}: '{name}.' used in {ex.source.strip()!r} (line "
                            f"{ex.lineno + 1}) before '{IMPORTS[name]}' on the page")


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_runs_as_pasted(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(page.read_text(encoding="utf-8"), {},
                                               page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{page}: {runner.failures} failing examples"
