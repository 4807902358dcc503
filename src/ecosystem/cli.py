"""The ``ecosystem`` command line."""

import argparse
import json
import sys
import time
from pathlib import Path

from ._version import __version__
from .exceptions import EcosystemError

_SEED_COUNTRIES = {"USA": "United States (SF Bay Area, New York)", "JPN": "Japan (Greater Tokyo)",
                   "CHN": "China (GBA mainland)", "HKG": "Hong Kong (GBA)", "MAC": "Macao (GBA)"}


def _demo(args):
    """Talent circulation between countries from the bundled MPIDR scholar migration flows."""
    import pandas as pd

    from . import datasets
    from .metrics import region_metrics

    start = time.perf_counter()
    window = tuple(args.window)
    flows = datasets.scholarly_migration(window=window)
    people = datasets.scholarly_migration_countries(window=window)
    size = dict(zip(people["country"], people["researchers"]))
    table = region_metrics(flows, layer="international", size=size)
    table = table.merge(people[["country", "name"]], left_on="region", right_on="country", how="left")
    table["volume"] = table["inbound"] + table["outbound"]
    cols = ["region", "name", "inbound", "outbound", "D", "R", "circulation", "partners_in", "partners_out"]
    top = table.sort_values("volume", ascending=False).head(args.top)
    seeds = table[table.region.isin(list(_SEED_COUNTRIES))]
    shown = pd.concat([top, seeds[~seeds.region.isin(top.region)]])[cols]
    shown = shown.astype({"inbound": int, "outbound": int})

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "talent_indicators.csv", index=False)
    manifest = {
        "ecosystem": __version__,
        "job": "demo: talent flows between countries",
        "window": list(window),
        "layer": "international",
        "convention": flows.info["convention"],
        "data": {k: flows.info[k] for k in ("source", "licence", "citation")},
        "size": "mean padded researcher population over the window (MPIDR)",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))

    if not args.quiet:
        with pd.option_context("display.width", 120, "display.max_columns", 20,
                               "display.float_format", "{:.3f}".format):
            print(f"ecosystem {__version__} demo: scholar migration between countries, "
                  f"{window[0]}-{window[1]} (talent channel, international layer)")
            print("D = (out - in)/(out + in): > 0 outflow-dominated (outbound), < 0 "
                  "inflow-dominated (introduction); R = partner reciprocity; "
                  "circulation = (in + out) / researchers.\n")
            print(shown.to_string(index=False))
            print(f"\nData: {flows.info['citation']}")
            print(f"Wrote {out / 'talent_indicators.csv'} and {out / 'manifest.json'} "
                  f"in {time.perf_counter() - start:.1f} s")
    return 0


def _parser():
    parser = argparse.ArgumentParser(
        prog="ecosystem",
        description="Network analysis of regional innovation ecosystems.",
        epilog="Example: ecosystem demo --out ./ecosystem-demo",
    )
    parser.add_argument("--version", action="version", version=f"ecosystem {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo", help="talent flows between countries from the bundled real data",
        description=_demo.__doc__,
        epilog="Example: ecosystem demo --window 2014 2018 --out ./ecosystem-demo")
    demo.add_argument("--out", default="ecosystem-demo", help="output folder (default: %(default)s)")
    demo.add_argument("--window", nargs=2, type=int, default=[2014, 2018], metavar=("FIRST", "LAST"),
                      help="inclusive years (default: 2014 2018)")
    demo.add_argument("--top", type=int, default=15, help="rows to print (default: %(default)s)")
    demo.add_argument("--quiet", action="store_true", help="print nothing")
    demo.set_defaults(run=_demo)
    return parser


def main(argv=None):
    """Entry point of the ``ecosystem`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except (EcosystemError, OSError) as exc:
        if args.debug:
            raise
        print(f"ecosystem {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
