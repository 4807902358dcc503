"""Side-by-side: ecosystem's projection and region-flow kernels vs the scipy baseline.

Every measurement runs in its own subprocess on the same seeded workload, so peak memory
(the rise of the resident set during the timed call, from /proc VmHWM) is comparable.

    python benchmarks/peer_foundation.py                    # issue sizes (about 2 minutes)
    python benchmarks/peer_foundation.py --records 20000 --flow-records 200000   # quick

Projection: 200k records / ~780k contributions, Newman weights, diagonal removed:
``ecosystem.coauthorship_graph`` vs ``scipy`` ``(Bw.T @ B)`` (B the record x actor
incidence, Bw its rows scaled by 1/(n_p - 1)). Region flows: ~5M records / ~20M
contributions, 50 regions, fractional counting: ``ecosystem.region_flows`` vs ``B.T @ B``
on the record x region incidence with rows scaled to each record's regional shares.
Timings are the best of ``--repeat`` runs.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from workloads import machine_line, reset_peak, status_kib  # noqa: E402


def _measure(fn, repeat):
    fn()  # warm-up (page faults, lazy imports)
    before = (status_kib("VmRSS") or 0)
    reset_peak()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        del result
    peak = (status_kib("VmHWM") or 0) - before
    return min(times), max(peak, 0) / 1024.0


def run_job(job, args):
    import scipy.sparse as sp

    import ecosystem as eco
    from workloads import team_records

    if job.startswith("projection"):
        w = team_records(args.records, seed=args.seed)
        if job == "projection-scipy":
            rec, act = w["record"], w["actor"]
            key = np.unique(rec * (act.max() + 1) + act)  # distinct pairs, as ecosystem uses
            rec, act = key // (act.max() + 1), key % (act.max() + 1)

            def fn():
                n_p = np.bincount(rec)
                with np.errstate(divide="ignore"):
                    wp = np.where(n_p > 1, 1.0 / (n_p - 1.0), 0.0)
                shape = (len(n_p), int(act.max()) + 1)
                B = sp.csr_array((np.ones(len(rec)), (rec, act)), shape=shape)
                Bw = sp.csr_array((wp[rec], (rec, act)), shape=shape)
                A = (Bw.T @ B).tocsr()
                A.setdiag(0)
                A.eliminate_zeros()
                return A
        else:
            c = eco.Contributions.from_arrays(record=w["record"], actor=w["actor"], region=w["region"])
            n_jobs = int(job.rsplit("-", 1)[1])

            def fn():
                return eco.coauthorship_graph(c, counting="newman", max_record_size=None, n_jobs=n_jobs)
        seconds, peak = _measure(fn, args.repeat)
        res = fn()
        nnz = res.nnz
        checksum = float(res.data.sum() if hasattr(res, "data") else res.weights.sum())
        return {"job": job, "seconds": seconds, "peak_mib": peak, "nnz": int(nnz),
                "checksum": checksum, "contributions": int(len(w["record"]))}

    w = team_records(args.flow_records, n_regions=args.regions, seed=args.seed + 1)
    if job == "flows-scipy":
        rec, reg = w["record"], w["region"]

        def fn():
            B = sp.csr_array((np.ones(len(rec)), (rec, reg)),
                             shape=(int(rec[-1]) + 1, args.regions))  # sums duplicates
            share = B.multiply(1.0 / B.sum(axis=1)[:, None]).tocsr()
            return (share.T @ share).toarray()
        seconds, peak = _measure(fn, args.repeat)
        out = fn()
    else:
        c = eco.Contributions.from_arrays(record=w["record"], actor=w["actor"], region=w["region"])
        n_jobs = int(job.rsplit("-", 1)[1])

        def fn():
            return eco.region_flows(c, counting="fractional", n_jobs=n_jobs)
        seconds, peak = _measure(fn, args.repeat)
        out = fn().copresence[0]
    return {"job": job, "seconds": seconds, "peak_mib": peak, "checksum": float(out.sum()),
            "matrix": out.round(6).tolist() if args.regions <= 60 else None,
            "contributions": int(len(w["record"]))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--flow-records", type=int, default=5_000_000)
    parser.add_argument("--regions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        print(json.dumps(run_job(args.job, args)))
        return

    def child(job):
        cmd = [sys.executable, __file__, "--job", job] + [
            f"--records={args.records}", f"--flow-records={args.flow_records}",
            f"--regions={args.regions}", f"--repeat={args.repeat}", f"--seed={args.seed}"]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    print(f"machine: {machine_line()}")
    res = {job: child(job) for job in ["projection-scipy", "projection-1", "projection-2",
                                       "flows-scipy", "flows-1", "flows-2"]}
    p_ok = all(np.isclose(res[j]["checksum"], res["projection-scipy"]["checksum"])
               and res[j]["nnz"] == res["projection-scipy"]["nnz"] for j in ("projection-1", "projection-2"))
    f_ok = all(np.allclose(res[j]["matrix"], res["flows-scipy"]["matrix"], rtol=1e-9)
               for j in ("flows-1", "flows-2")) if res["flows-scipy"]["matrix"] else None
    print(f"\nprojection: {args.records:,} records, {res['projection-1']['contributions']:,} "
          f"contributions, {res['projection-1']['nnz']:,} stored arcs; results equal: {p_ok}")
    print(f"region flows: {args.flow_records:,} records, {res['flows-1']['contributions']:,} "
          f"contributions, {args.regions} regions; results equal: {f_ok}\n")
    print(f"{'job':<18}{'seconds':>10}{'peak MiB':>10}{'vs scipy':>10}")
    for group in ("projection", "flows"):
        base = res[f"{group}-scipy"]["seconds"]
        for job in (f"{group}-scipy", f"{group}-1", f"{group}-2"):
            r = res[job]
            print(f"{job:<18}{r['seconds']:>10.3f}{r['peak_mib']:>10.1f}{base / r['seconds']:>9.2f}x")
    for group in ("projection", "flows"):
        print(f"{group}: 2 threads vs 1: {res[group + '-1']['seconds'] / res[group + '-2']['seconds']:.2f}x")


if __name__ == "__main__":
    main()
