"""Speed of ecosystem.trajectories against a single-window classification (issue 16 item 6).

    python benchmarks/peer_trajectories.py                    # 20M contributions, 200 regions,
                                                              # 3 channels, 5 windows, B = 1000
    python benchmarks/peer_trajectories.py --contributions 2e6 --bootstrap 200   # a smoke run

Planted data (``ecosystem.datasets.planted``) with uniform years over 25 years. Three runs on
the same data, every one with the library defaults, ``bootstrap`` replicates and
``n_null = bootstrap - 1`` null draws:

* **single window**: ``classify(c)`` over every year at once (the reference time);
* **trajectories**: ``trajectories(c, windows(first, last, 5))`` — five tiling windows, one
  joint bootstrap (replicate weights and every window's flows in one pass over the records),
  then the per-window rules, panel and nulls, ΔD, transitions;
* **separate windows**: ``classify(c, window=[...five windows...])`` — what the windows cost
  when each is bootstrapped on its own (no joint replicates, so no ΔD intervals).

The target is trajectories within 2x the single-window time. The machine (CPU, cores, load
average) is printed first because it is shared.
"""

import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ecosystem as eco  # noqa: E402
from ecosystem.classification import classify  # noqa: E402
from peer_classify import calibrate, print_machine  # noqa: E402

YEARS = (2001, 2025)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--contributions", type=float, default=20e6)
    ap.add_argument("--regions", type=int, default=200)
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--width", type=int, default=5, help="years per window (25 years of data)")
    ap.add_argument("--threads", type=int, default=None,
                    help="n_jobs (default: None, one thread as in the library)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-separate", action="store_true", help="skip the separate-windows run")
    args = ap.parse_args(argv)
    print_machine()
    target = int(args.contributions)
    rpr = calibrate(args.regions, target, args.seed)
    t0 = time.perf_counter()
    c, _ = eco.datasets.planted(n_regions=args.regions, records_per_region=rpr, years=YEARS, seed=args.seed)
    print(f"data: {len(c):,} contributions, {c.n_records:,} records, {args.regions} regions, "
          f"3 channels, years {YEARS[0]}-{YEARS[1]} (generated in {time.perf_counter() - t0:.1f} s, "
          "not timed)")
    wins = eco.windows(YEARS[0], YEARS[1], args.width)
    B = args.bootstrap
    opts = dict(bootstrap=B, n_null=max(B - 1, 0), seed=0, n_jobs=args.threads)
    runs = [("single window (all years)", lambda: classify(c, **opts)),
            (f"trajectories, {len(wins)} windows (joint)", lambda: eco.trajectories(c, wins, **opts))]
    if not args.skip_separate:
        runs.append((f"classify, {len(wins)} separate windows", lambda: classify(c, window=wins, **opts)))
    rows = []
    for name, fn in runs:
        load = os.getloadavg()[0]
        w0, c0 = time.perf_counter(), time.process_time()
        res = fn()
        rows.append((name, time.perf_counter() - w0, time.process_time() - c0, load))
        del res
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(f"\nB = {B}, n_null = {max(B - 1, 0)}, threads = {args.threads or 1}\n")
    print("| run | wall (s) | CPU (s) | load avg at start | wall / single window |")
    print("|---|---|---|---|---|")
    for name, wall, cpu, load in rows:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {load:.2f} | {wall / rows[0][1]:.2f} |")
    print(f"\npeak resident memory of the process: {peak:.1f} GiB (data generation included); "
          "target: trajectories within 2x the single-window time.")


if __name__ == "__main__":
    main()
