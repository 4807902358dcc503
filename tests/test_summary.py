"""ecosystem.summary.overview against a brute-force count."""

from collections import defaultdict

import numpy as np
import pytest

import ecosystem as eco
from ecosystem.summary import overview


def _random_contributions(seed):
    rng = np.random.default_rng(seed)
    rec, act, reg, org, year = [], [], [], [], []
    countries = ["US", "CN", "JP", "GB", "HK"]
    for p in range(300):
        y = int(rng.integers(2015, 2020))
        for k in range(int(rng.integers(1, 5))):
            rec.append(f"p{p}")
            act.append(f"a{rng.integers(0, 200)}_{k}")
            reg.append(countries[int(rng.integers(0, 5 if rng.random() < 0.4 else 1))])
            org.append(f"o{rng.integers(0, 30)}")
            year.append(y)
    return eco.Contributions.from_arrays(record=rec, actor=act, region=reg, org=org, year=year)


@pytest.mark.parametrize("seed", [0, 1])
def test_overview_matches_brute_force(seed):
    c = _random_contributions(seed)
    t = c.to_pandas()
    by_record = defaultdict(list)
    for r, g, o, y in zip(t.record, t.region, t.org, t.year):
        by_record[r].append((g, o, y))
    mcp = {r for r, rows in by_record.items() if len({g for g, _, _ in rows}) >= 2}
    o = overview(c, top=100)
    assert o.totals["records"] == len(by_record) and o.totals["mcp"] == len(mcp)
    country = o.countries.set_index("country")
    for g in set(t.region):
        touching = [r for r, rows in by_record.items() if g in {x for x, _, _ in rows}]
        frac = sum(sum(1 for x, _, _ in rows if x == g) / len(rows)
                   for r, rows in by_record.items() for _ in [0] if g in {x for x, _, _ in rows})
        assert country.loc[g, "records"] == len(touching)
        assert country.loc[g, "mcp"] == len([r for r in touching if r in mcp])
        assert country.loc[g, "fractional"] == pytest.approx(frac)
    years = o.years.set_index("year")
    for y in set(t.year):
        recs = [r for r, rows in by_record.items() if rows[0][2] == y]
        assert years.loc[y, "records"] == len(recs)
        assert years.loc[y, "mcp_share"] == pytest.approx(len([r for r in recs if r in mcp]) / len(recs))
    inst = o.institutions.set_index("org")
    for org in set(t.org):
        assert inst.loc[org, "records"] == len([r for r, rows in by_record.items()
                                                 if org in {x for _, x, _ in rows}])
    assert o.countries.records.is_monotonic_decreasing
    assert "<table" in o._repr_html_() and "multiple-country" in str(o)


def test_overview_of_a_reader_result_uses_the_map_countries():
    records, _ = eco.datasets.seed_records(records_per_region=10)
    res = eco.read_records(records.drop(columns=["region"]), regions="metros")
    o = overview(res, top=3)
    assert len(o.countries) == 3 and set(o.countries.country) <= set(eco.regions.countries().regions)
    with pytest.raises(eco.InputTypeError):
        overview([1, 2])
