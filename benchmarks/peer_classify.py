"""Speed and recovery accuracy of ecosystem.classify on planted data (issue 4 items 5, 7).

    python benchmarks/peer_classify.py --speed        # 20M contributions, 200 regions, 3 channels,
                                                      # B = 1000, 2 threads then 1 thread
    python benchmarks/peer_classify.py --recovery     # accuracy vs signal and vs records per region
    python benchmarks/peer_classify.py --all          # both (about 10 minutes on 2 cores)
    python benchmarks/peer_classify.py --recovery --quick   # smaller grid, for a smoke run
    python benchmarks/peer_classify.py --hubs         # hub recall with circulation, size given / absent

Planted data: ``ecosystem.datasets.planted`` (types hub / introduction / outbound / local per
region and channel, documented generative model). Every classification uses the library
defaults (thresholds of typology.md §4.3, fractional counting, record bootstrap) with
``bootstrap`` replicates and ``n_null = bootstrap - 1`` null draws. Tables are printed as
markdown; the machine (CPU model, cores, load average) is printed first, because the
machine these numbers come from is shared.
"""

import argparse
import os
import resource
import sys
import time

import numpy as np

import ecosystem as eco
from ecosystem.classification import classify
from workloads import machine_line

TYPES = ("hub", "introduction", "outbound", "local")


def print_machine():
    print(f"machine: {machine_line()}")


def score(res, truth):
    t = res.table.merge(truth, on=["region", "channel"], suffixes=("", "_true"))
    ok = t.label == t.label_true
    stable = t.stability >= 0.8
    out = {
        "accuracy": ok.mean(),
        "stable_share": stable.mean(),
        "stable_accuracy": ok[stable].mean() if stable.any() else float("nan"),
        "insufficient": (t.label == "insufficient").mean(),
        "soft_agree": (t.soft_label == t.label_true).mean(),
        "unstable": (t.subtype == "unstable").mean(),
    }
    for k in TYPES:
        sub = t[t.label_true == k]
        out[f"recall_{k}"] = (sub.label == k).mean() if len(sub) else float("nan")
    reg = res.regions.merge(truth.drop_duplicates("region")[["region", "overall"]], on="region",
                            suffixes=("", "_true"))
    out["overall_accuracy"] = (reg.overall == reg.overall_true).mean()
    return out


def calibrate(n_regions, target, seed):
    """records_per_region that gives at least ``target`` contributions (about 1 % over)."""
    c, _ = eco.datasets.planted(n_regions=n_regions, records_per_region=1000, seed=seed)
    return int(np.ceil(1000 * 1.01 * target / len(c)))


# ---------------------------------------------------------------------------- speed
def run_speed(args):
    print(f"\n## Speed: {args.contributions / 1e6:.0f}M contributions, {args.regions} regions, "
          f"3 channels, B = {args.bootstrap}, n_null = {args.bootstrap - 1}\n")
    rpr = calibrate(args.regions, args.contributions, args.seed)
    t0 = time.perf_counter()
    c, truth = eco.datasets.planted(n_regions=args.regions, records_per_region=rpr, seed=args.seed)
    gen = time.perf_counter() - t0
    print(f"data: {len(c):,} contributions, {c.n_records:,} records, {c.n_actors:,} actors "
          f"(planted, {rpr} records per region and channel; generated in {gen:.1f} s, not timed)\n")
    rows = []
    for n_jobs in args.threads:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        w0, c0 = time.perf_counter(), time.process_time()
        res = classify(c, bootstrap=args.bootstrap, n_null=args.bootstrap - 1, seed=0, n_jobs=n_jobs)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        s = score(res, truth)
        rows.append((n_jobs, wall, cpu, load, s["accuracy"], s["stable_accuracy"]))
        del res
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print("| threads | wall (s) | CPU (s) | load avg at start | label accuracy | accuracy if stable |")
    print("|---|---|---|---|---|---|")
    for n_jobs, wall, cpu, load, acc, sacc in rows:
        print(f"| {n_jobs} | {wall:.1f} | {cpu:.1f} | {load:.2f} | {acc:.3f} | {sacc:.3f} |")
    print(f"\npeak resident memory of the process: {peak:.1f} GiB "
          "(data generation included); target: under 60 s on 2 cores.")


# ---------------------------------------------------------------------------- recovery
def run_recovery(args):
    signals = [0.25, 0.5, 0.75, 1.0] if not args.quick else [0.5, 1.0]
    sizes = [250, 500, 1000, 2000] if not args.quick else [500, 1000]
    seeds = list(range(args.seeds))
    B = args.bootstrap

    def grid(label, configs):
        print(f"\n## Recovery vs {label}: {args.regions} regions x 3 channels, B = {B}, "
              f"{len(seeds)} seed(s) each (mean over seeds)\n")
        print(f"| {label} | accuracy | stable share | accuracy if stable | hub | introduction | "
              "outbound | local | insufficient | overall label | soft model |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for value, kw in configs:
            scores = []
            for seed in seeds:
                c, truth = eco.datasets.planted(n_regions=args.regions, seed=100 + seed, **kw)
                res = classify(c, bootstrap=B, n_null=B - 1, seed=seed)
                scores.append(score(res, truth))
            m = {k: np.nanmean([s[k] for s in scores]) for k in scores[0]}
            print(f"| {value} | {m['accuracy']:.3f} | {m['stable_share']:.3f} | "
                  f"{m['stable_accuracy']:.3f} | {m['recall_hub']:.3f} | "
                  f"{m['recall_introduction']:.3f} | {m['recall_outbound']:.3f} | "
                  f"{m['recall_local']:.3f} | {m['insufficient']:.3f} | {m['overall_accuracy']:.3f} | "
                  f"{m['soft_agree']:.3f} |", flush=True)

    grid("signal", [(s, {"signal": s, "records_per_region": 1000}) for s in signals])
    grid("records per region", [(n, {"signal": 1.0, "records_per_region": n}) for n in sizes])
    print("\nColumns: share of (region, channel) labels equal to the planted type; share with "
          "bootstrap stability >= 0.8 and their accuracy; recall per planted type; share labelled "
          "insufficient; accuracy of the overall region label (type shared by >= 2 stable "
          "channels, else mixed); agreement of the prototype (soft) model's argmax with the "
          "planted type.")


# ---------------------------------------------------------------------------- hubs
def run_hubs(args):
    """Hub recall when hubs have genuine reciprocity beyond the margins.

    ``datasets.planted`` gives every hub matched two-way exchange with
    ``circulation_partners`` partner hubs abroad (circulation between hub pairs), on top
    of gravity flows. Three inputs: record-level data with the generator's region sizes
    given; record-level data without a size (records touching the region); and the
    aggregated flows with no size at all (parametric bootstrap, size model falls back to
    internal + layer volume).
    """
    import dataclasses
    import warnings

    B = args.bootstrap
    print(f"\n## Hub recall with circulation between hub pairs: {args.regions} regions x 3 channels, "
          f"B = {B}, {args.seeds} seed(s)\n")
    print("| input | size | hub recall | hub precision | accuracy | stable share of hubs |")
    print("|---|---|---|---|---|---|")
    rows = {}
    for seed in range(args.seeds):
        c, truth = eco.datasets.planted(n_regions=args.regions, records_per_region=1000, seed=200 + seed)
        size = truth.groupby("region").N.mean()
        flows = eco.region_flows(c, counting="fractional", countries=c.info["countries"])
        runs = [("records", "given (generator N)", lambda: classify(c, size=size, bootstrap=B, n_null=B - 1, seed=seed)),
                ("records", "absent (records touching)", lambda: classify(c, bootstrap=B, n_null=B - 1, seed=seed)),
                ("flows", "absent (none)", lambda: classify(dataclasses.replace(flows, size=None),
                                                              bootstrap=B, n_null=B - 1, seed=seed))]
        for name, sz, run in runs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                res = run()
            t = res.table.merge(truth, on=["region", "channel"], suffixes=("", "_true"))
            hub_t, hub_p = t.label_true == "hub", t.label == "hub"
            rows.setdefault((name, sz), []).append((
                (hub_t & hub_p).sum() / max(hub_t.sum(), 1), (hub_t & hub_p).sum() / max(hub_p.sum(), 1),
                (t.label == t.label_true).mean(), t[hub_p].stable.mean() if hub_p.any() else float("nan")))
    for (name, sz), vals in rows.items():
        m = np.nanmean(np.asarray(vals, dtype=float), axis=0)
        print(f"| {name} | {sz} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.3f} | {m[3]:.3f} |", flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--speed", action="store_true")
    p.add_argument("--recovery", action="store_true")
    p.add_argument("--hubs", action="store_true", help="hub recall with circulation, size given/absent")
    p.add_argument("--all", action="store_true")
    p.add_argument("--quick", action="store_true", help="smaller recovery grid")
    p.add_argument("--contributions", type=float, default=20e6)
    p.add_argument("--regions", type=int, default=200)
    p.add_argument("--bootstrap", type=int, default=1000)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, nargs="+", default=[2, 1])
    args = p.parse_args(argv)
    if not (args.speed or args.recovery or args.hubs or args.all):
        p.error("choose --speed, --recovery, --hubs or --all")
    print_machine()
    if args.speed or args.all:
        run_speed(args)
    if args.recovery or args.all:
        run_recovery(args)
    if args.hubs or args.recovery or args.all:
        run_hubs(args)
    print()
    print_machine()
    return 0


if __name__ == "__main__":
    sys.exit(main())
