"""Seeded synthetic OpenAlex snapshot (works + institutions) in the shape of the samples.

Every work has the fields of ``shared/formats/openalex_works_sample.jsonl`` (ids, doi,
titles, dates, type, language, authorships with author, dehydrated institutions,
countries, is_corresponding, raw names and affiliation strings, affiliations,
counts, referenced_works, dates), about 2.5 kB of JSON for a 5-author work. Shapes:

* team sizes heavy-tailed (1 + negative binomial, mean ~5, ~0.1 % above 100 authors);
* 85 % of authorships with one institution, 12 % with two (often in two countries),
  3 % with none and an empty ``countries`` list;
* 20,000 institutions over 40 countries (US, CN, GB, DE, JP, HK, MO, TW, ... weighted),
  ROR types, 10 % child units with a lineage parent (a fifth of them abroad);
* authors drawn half uniformly, half Pareto-concentrated from a pool of n_works / 2;
* ``referenced_works``: 30 % of works none, else Poisson(14) (mean ~10), 70 % earlier
  works of the corpus, 30 % outside it;
* one corresponding author on 80 % of works, else ``is_corresponding`` null.

    python benchmarks/openalex_workload.py OUT_DIR --works 1000000
"""

import argparse
import gzip
import os
from pathlib import Path

import numpy as np

COUNTRIES = ["US", "CN", "GB", "DE", "JP", "FR", "CA", "IT", "AU", "KR", "IN", "ES", "NL",
             "BR", "CH", "SE", "HK", "TW", "MO", "SG", "IL", "BE", "DK", "AT", "PL", "FI",
             "NO", "PT", "IE", "NZ", "MX", "RU", "TR", "IR", "ZA", "GR", "CZ", "MY", "TH", "AR"]
_W = np.array([25, 20, 7, 7, 6, 5, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 1.5, 1.2, 0.3, 1, 1, 1, 1,
               1, 1, 0.8, 0.8, 0.8, 0.6, 0.5, 0.5, 1, 0.8, 0.8, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4])
CITIES = {"US": ["Stanford", "Palo Alto", "New York", "Boston", "Chicago", "Seattle",
                 "San Francisco", "Berkeley"],
          "CN": ["Shenzhen", "Guangzhou", "Beijing", "Shanghai", "Wuhan", "Hangzhou"],
          "JP": ["Tokyo", "Kyoto", "Osaka", "Yokohama"], "HK": ["Hong Kong"],
          "MO": ["Macau"], "GB": ["London", "Oxford", "Cambridge"]}
TYPES = ["education", "healthcare", "company", "facility", "government", "nonprofit", "other"]
_TW = np.array([60, 8, 10, 10, 5, 4, 3], dtype=float)
PARTITION = 1_000_000


def _q(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def institutions(n_inst, rng):
    """Arrays + JSON texts of the institutions (dehydrated for works, full for the file)."""
    ctry = rng.choice(len(COUNTRIES), size=n_inst, p=_W / _W.sum())
    typ = rng.choice(len(TYPES), size=n_inst, p=_TW / _TW.sum())
    parent = np.full(n_inst, -1)
    child = rng.random(n_inst) < 0.10
    parent[child] = rng.integers(0, n_inst, size=int(child.sum()))
    parent[parent == np.arange(n_inst)] = -1
    parent[parent >= 0] = np.where(parent[parent >= 0] >= 0, parent[parent >= 0], -1)
    # a child of a child has no deeper lineage here
    parent[(parent >= 0) & (parent[np.maximum(parent, 0)] >= 0)] = -1
    ids = [f"https://openalex.org/I{8000000000 + i}" for i in range(n_inst)]
    dehydrated, full = [], []
    for i in range(n_inst):
        c = COUNTRIES[ctry[i]]
        lineage = [ids[i]] + ([ids[parent[i]]] if parent[i] >= 0 else [])
        lin = ",".join(f'"{x}"' for x in lineage)
        name = f"Synthetic {TYPES[typ[i]].title()} {i} of {c}"
        dehydrated.append(
            f'{{"id":"{ids[i]}","display_name":"{name}","ror":"https://ror.org/0s{i:07d}",'
            f'"country_code":"{c}","type":"{TYPES[typ[i]]}","lineage":[{lin}]}}')
        cities = CITIES.get(c, [f"City{c}1", f"City{c}2"])
        city = cities[i % len(cities)]
        full.append(
            f'{{"id":"{ids[i]}","display_name":"{name}","ror":"https://ror.org/0s{i:07d}",'
            f'"country_code":"{c}","type":"{TYPES[typ[i]]}","lineage":[{lin}],'
            f'"geo":{{"city":"{city}","geonames_city_id":"{i}","region":null,'
            f'"country_code":"{c}","country":"{c}","latitude":0.0,"longitude":0.0}},'
            f'"associated_institutions":[]}}')
    return ctry, ids, dehydrated, full


def write_snapshot(out, n_works, seed=0, n_inst=20_000, level=1, partition=PARTITION):
    """Write ``out/institutions.jsonl.gz`` and ``out/works/updated_date=*/part_*.gz``.

    Each works file (partition) holds ``partition`` works (the last one the rest).

    Returns the list of works files and the number of works written.
    """
    rng = np.random.default_rng(seed)
    out = Path(out)
    (out / "works").mkdir(parents=True, exist_ok=True)
    ctry, inst_ids, dehydrated, full = institutions(n_inst, rng)
    with gzip.open(out / "institutions.jsonl.gz", "wt", compresslevel=level) as fh:
        fh.write("\n".join(full) + "\n")
    n_auth_pool = max(n_works // 2, 10)
    # author home institution (stable), Zipf-like productivity
    home = rng.integers(0, n_inst, size=n_auth_pool)
    second = rng.integers(0, n_inst, size=n_auth_pool)
    files = []
    written = 0
    chunk = 50_000
    part = 0
    fh = None
    while written < n_works:
        if fh is None or (written % partition == 0):
            if fh is not None:
                fh.close()
            d = out / "works" / f"updated_date=2024-01-{part + 1:02d}"
            d.mkdir(parents=True, exist_ok=True)
            path = d / f"part_{part:03d}.gz"
            files.append(path)
            fh = gzip.open(path, "wb", compresslevel=level)
            part += 1
        m = min(chunk, n_works - written, partition - written % partition)
        team = 1 + rng.negative_binomial(1.2, 0.23, size=m)
        hyper = rng.random(m) < 0.001
        team[hyper] = rng.integers(101, 400, size=int(hyper.sum()))
        n_rows = int(team.sum())
        who = np.where(rng.random(n_rows) < 0.5, rng.integers(0, n_auth_pool, size=n_rows),
                       (rng.pareto(1.2, size=n_rows) * 50).astype(np.int64) % n_auth_pool)
        kind = rng.random(n_rows)
        years = rng.integers(2000, 2024, size=m)
        corr = np.where(rng.random(m) < 0.8, (rng.random(m) * team).astype(int), -1)
        n_refs = np.where(rng.random(m) < 0.3, 0, rng.poisson(14, size=m))
        lines = []
        pos = 0
        for j in range(m):
            wnum = 7000000000 + written + j
            auths = []
            for a in range(team[j]):
                who_a, kd = who[pos], kind[pos]
                pos += 1
                aid = f"https://openalex.org/A{6000000000 + who_a}"
                if kd < 0.03:
                    insts, cc = [], []
                elif kd < 0.15:
                    i1, i2 = home[who_a], second[who_a]
                    insts = [i1, i2]
                    cc = list(dict.fromkeys((COUNTRIES[ctry[i1]], COUNTRIES[ctry[i2]])))
                else:
                    i1 = home[who_a]
                    insts, cc = [i1], [COUNTRIES[ctry[i1]]]
                raw = [f"Dept {a}, Synthetic Institution {i}, {COUNTRIES[ctry[i]]}" for i in insts]
                pos_s = "first" if a == 0 else ("last" if a == team[j] - 1 else "middle")
                is_c = "null" if corr[j] < 0 else ("true" if a == corr[j] else "false")
                auths.append(
                    f'{{"author_position":"{pos_s}","author":{{"id":"{aid}",'
                    f'"display_name":"Author {who_a}","orcid":null}},'
                    f'"institutions":[{",".join(dehydrated[i] for i in insts)}],'
                    f'"countries":[{",".join(chr(34) + c + chr(34) for c in cc)}],'
                    f'"is_corresponding":{is_c},"raw_author_name":"Author {who_a}",'
                    f'"raw_affiliation_strings":[{",".join(chr(34) + r + chr(34) for r in raw)}],'
                    f'"affiliations":[{",".join(chr(123) + chr(34) + "raw_affiliation_string" + chr(34) + ":" + chr(34) + r + chr(34) + "," + chr(34) + "institution_ids" + chr(34) + ":[" + chr(34) + inst_ids[i] + chr(34) + "]}" for r, i in zip(raw, insts))}]}}')
            k = n_refs[j]
            inside = rng.random(k) < 0.7
            lo = 7000000000
            refs = np.where(inside, lo + rng.integers(0, max(written + j, 1), size=k),
                            5000000000 + rng.integers(0, 50_000_000, size=k))
            ref_s = ",".join(f'"https://openalex.org/W{r}"' for r in refs.tolist())
            y = int(years[j])
            lines.append(
                f'{{"id":"https://openalex.org/W{wnum}","doi":"https://doi.org/10.99999/s.{wnum}",'
                f'"title":"Synthetic work {wnum} on regional innovation",'
                f'"display_name":"Synthetic work {wnum} on regional innovation",'
                f'"publication_year":{y},"publication_date":"{y}-06-15","type":"article",'
                f'"language":"en","authorships":[{",".join(auths)}],'
                f'"is_authors_truncated":false,"countries_distinct_count":1,'
                f'"institutions_distinct_count":1,"corresponding_author_ids":[],'
                f'"corresponding_institution_ids":[],"referenced_works":[{ref_s}],'
                f'"referenced_works_count":{k},"cited_by_count":0,'
                f'"updated_date":"2024-01-01T00:00:00.000000","created_date":"2023-01-01"}}')
        fh.write(("\n".join(lines) + "\n").encode())
        written += m
    fh.close()
    return files, written


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--partition", type=int, default=PARTITION, help="works per file")
    a = ap.parse_args()
    files, n = write_snapshot(a.out, a.works, seed=a.seed, partition=a.partition)
    size = sum(os.path.getsize(f) for f in files)
    print(f"wrote {n:,} works in {len(files)} files, {size / 2**20:.1f} MiB compressed")


if __name__ == "__main__":
    main()
