"""Data-driven clusters at scale: ecosystem.regions.clusters vs DBSCAN on raw records.

Each job runs in its own subprocess (peak resident memory = ``ru_maxrss`` of the child);
the synthetic contributions are generated inside the child, and only ``clusters()`` (or
the peer's fit) is timed.

Workloads (seeded):

* ``snapped`` — contributions located at a finite set of sites, as bibliographic and patent
  locations are (OpenAlex authorships carry their institution's coordinates, PatentsView
  snaps inventors to cities): ``--sites`` sites, 90 % in 300 Gaussian metros (sd 15 km,
  centres at the 300 most populous gazetteer places) and 10 % uniform over land-ish
  latitudes; each contribution picks a site with Zipf-like probability and a fractional
  weight;
* ``scattered`` — every contribution at its own coordinate (same metros, same noise):
  the worst case, where only rounding bounds the number of distinct points.

Jobs: ``ecosystem`` (``clusters(lat, lon, weight, eps_km, min_weight, rounding)``) and
``raw-dbscan`` (scikit-learn DBSCAN, haversine, ball tree, on every record; what users
write first; memory grows with n x neighbours).

    python benchmarks/peer_clusters.py --n 1000000 10000000
    python benchmarks/peer_clusters.py --n 100000 --workload scattered --jobs ecosystem raw-dbscan
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if (HERE.parent / "src" / "ecosystem").is_dir():  # a source checkout: use it
    sys.path.insert(0, str(HERE.parent / "src"))


def workload(kind, n, sites, seed=0):
    import numpy as np

    from ecosystem.regions import gazetteer

    rng = np.random.default_rng(seed)
    t = gazetteer().table.nlargest(300, "population")
    centres = np.c_[t["latitude"].to_numpy(), t["longitude"].to_numpy()]
    m = n if kind == "scattered" else sites
    metro = rng.integers(0, len(centres), m)
    sd = 15.0 / 111.2
    lat = centres[metro, 0] + rng.normal(0, sd, m)
    lon = centres[metro, 1] + rng.normal(0, sd, m) / np.cos(np.radians(centres[metro, 0]))
    noise = rng.random(m) < 0.10
    lat[noise] = rng.uniform(-45, 65, noise.sum())
    lon[noise] = rng.uniform(-180, 180, noise.sum())
    lat = np.clip(lat, -89.9, 89.9)
    lon = (lon + 180) % 360 - 180
    weight = 1.0 / rng.integers(1, 6, n)  # fractional counts, 1/k for k authors
    if kind == "snapped":
        p = 1.0 / np.arange(1, sites + 1) ** 0.8
        site = rng.choice(sites, n, p=p / p.sum())
        return lat[site], lon[site], weight
    return lat, lon, weight


def child(args):
    import numpy as np

    lat, lon, weight = workload(args.workload, args.n, args.sites, args.seed)
    total = float(weight.sum())
    min_weight = args.min_share * total
    start = time.perf_counter()
    cpu = time.process_time()
    if args.job == "ecosystem":
        from ecosystem.regions import clusters

        m = clusters(lat, lon, weight, eps_km=args.eps_km, min_weight=min_weight,
                     rounding=args.rounding, n_jobs=args.n_jobs)
        out = {"clusters": int(m.table["cluster"].nunique()), "parts": len(m.table),
               "points": m.params["n_points"], "top": m.table["label"].head(3).tolist()}
    else:
        from sklearn.cluster import DBSCAN

        labels = DBSCAN(eps=args.eps_km / 6371.0088, min_samples=1, metric="haversine",
                        algorithm="ball_tree", n_jobs=args.n_jobs).fit(np.radians(np.c_[lat, lon]),
                                                   sample_weight=weight / min_weight).labels_
        out = {"clusters": int(labels.max() + 1), "points": int(len(lat))}
    out.update(seconds=round(time.perf_counter() - start, 2),
               cpu_seconds=round(time.process_time() - cpu, 2),
               peak_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--workload", choices=("snapped", "scattered"), default="snapped")
    p.add_argument("--jobs", nargs="+", default=["ecosystem"], choices=("ecosystem", "raw-dbscan"))
    p.add_argument("--sites", type=int, default=200_000)
    p.add_argument("--eps-km", type=float, default=10.0)
    p.add_argument("--min-share", type=float, default=0.0005,
                   help="min_weight as a share of the total weight")
    p.add_argument("--rounding", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-jobs", type=int, default=None)
    p.add_argument("--job", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.job:
        child(args)
        return
    print(f"# {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}; workload={args.workload}, sites={args.sites:,}, "
          f"eps_km={args.eps_km}, min_weight={args.min_share} x total, rounding={args.rounding}")
    for n in args.n:
        for job in args.jobs:
            cmd = [sys.executable, __file__, "--job", job, "--n", str(n), "--workload",
                   args.workload, "--sites", str(args.sites), "--eps-km", str(args.eps_km),
                   "--min-share", str(args.min_share), "--rounding", str(args.rounding),
                   "--seed", str(args.seed)] + (["--n-jobs", str(args.n_jobs)] if args.n_jobs else [])
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode:
                print(f"{job:12s} n={n:>12,}  FAILED: {res.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(res.stdout.strip().splitlines()[-1])
            print(f"{job:12s} n={n:>12,}  {r['seconds']:7.2f} s  (cpu {r['cpu_seconds']:.2f} s)  "
                  f"peak {r['peak_mib']:8.1f} MiB  points {r['points']:>10,}  "
                  f"clusters {r['clusters']}  {r.get('top', '')}")


if __name__ == "__main__":
    main()
