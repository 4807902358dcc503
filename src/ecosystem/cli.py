"""The ``ecosystem`` command line.

Commands: ``demo`` (bundled real data), ``classify`` (every reader format and flow
tables), ``flows`` (region flows and volumes), ``brokerage`` (region brokerage roles) and
``export`` (region networks for Gephi, Pajek and VOSviewer). Exit codes: 0 success,
2 usage error, 1 data error (a one-line message naming the file and the problem; the
traceback only with ``--debug``).
"""

import argparse
import hashlib
import inspect
import json
import sys
import time
from pathlib import Path

from ._version import __version__
from .exceptions import DataFormatError, EcosystemError, OptionalDependencyError
from .export import FORMATS as EXPORT_FORMATS
from .export import write_network

FORMATS = ("openalex", "patentsview", "regpat", "wos", "scopus", "records", "flows")
PLOT_HINT = "pip install 'ecosystem[plot]'"

#: Columns written first in ``classification.csv`` (the rest of ``Classification.table``
#: follows, under the same names).
CLASSIFICATION_COLUMNS = ["region", "channel", "layer", "label", "subtype", "D", "D_lo", "D_hi", "R",
                          "R_lo", "R_hi", "openness", "stability", "review", "n"]
#: Focus regions of the demo when --focus is not given (the case-study countries).
DEMO_FOCUS = ("USA", "CHN", "JPN")


class DataError(EcosystemError):
    """A data problem the command line reports in one line (exit code 1)."""


# ============================================================================ helpers
class _Log:
    """Step messages on stderr with elapsed time (silent with ``--quiet``)."""

    def __init__(self, quiet, steps):
        self.quiet, self.steps, self.i, self.t0 = quiet, steps, 0, time.perf_counter()

    def step(self, message):
        self.i += 1
        if not self.quiet:
            print(f"[{self.i}/{self.steps} {time.perf_counter() - self.t0:5.1f}s] {message}",
                  file=sys.stderr, flush=True)

    def note(self, message):
        if not self.quiet:
            print(f"  {message}", file=sys.stderr, flush=True)

    @property
    def elapsed(self):
        return time.perf_counter() - self.t0


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _hashes(paths):
    out = {}
    for p in paths:
        p = Path(p)
        files = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
        for f in files:
            out[str(f)] = _sha256(f)
    return out


def _jsonable(value):
    import numpy as np

    from collections.abc import Mapping

    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _command_line(args):
    import shlex

    return "ecosystem " + " ".join(shlex.quote(str(a)) for a in getattr(args, "argv", []))


def _parameters(args):
    return {k: v for k, v in vars(args).items() if k not in ("run", "argv", "on_exit")}


def _write_json(path, data):
    Path(path).write_text(json.dumps(_jsonable(data), indent=2, ensure_ascii=False), encoding="utf-8")


def _classification_csv(res):
    """Classification.table of active regions, the documented columns first (same names)."""
    from .report import active

    t = res.table
    t["n"] = t["n_records"].where(t["n_records"].notna(), t["n_external"])
    t = t[active(t)]
    lead = [c for c in CLASSIFICATION_COLUMNS if c in t.columns]
    return t[lead + [c for c in t.columns if c not in lead]]


def _parse_focus(text):
    """``--focus A,B`` -> ["A", "B"] (empty items dropped)."""
    return [x.strip() for x in text.split(",") if x.strip()] if text else []


def _focus_regions(args, res, default=(), n=3):
    """The regions to draw and explain: --focus, else ``default``, else the largest."""
    from .report import active

    t = res.table
    known = set(t.region.astype(str))
    wanted = _parse_focus(getattr(args, "focus", None)) or list(default)
    focus = [r for r in wanted if r in known]
    missing = [r for r in wanted if r not in known]
    if missing and getattr(args, "focus", None):
        import difflib

        hints = {m: difflib.get_close_matches(m, sorted(known), n=1, cutoff=0.5) for m in missing}
        raise DataError("--focus: " + "; ".join(
            f"{m!r} is not a region of the data" + (f" (did you mean {h[0]!r}?)" if h else "")
            for m, h in hints.items()))
    if not focus:
        live = t[active(t) & (t.label != "insufficient")]
        live = live if len(live) else t[active(t)]
        focus = list(live.sort_values("n_external", ascending=False).region.unique()[:n])
    return focus


def _plots_available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _make_plots(out, res, flows, log, *, focus, names=None, highlight=(), extra=(),
                region_map=None):
    """World map, typology maps, partner charts and channel profiles; (caption, png) pairs.

    ``extra``: (caption template, file stem template, flows, channel) of further partner
    charts drawn for every focus region. ``region_map`` places the regions on the world
    map (default: the map named in the result, else countries).
    """
    if not _plots_available():
        log.note(f"plots skipped: matplotlib is not installed ({PLOT_HINT})")
        return []
    from . import plot

    figures = []
    table = res.table
    pdir = Path(out) / "plots"
    plot.save(plot.world_map(res, flows, regions=region_map), Path(out) / "world_map",
              formats=("png",))
    figures.append(("World map: regions coloured by type, sized by external volume, with "
                    "the strongest flows", "world_map.png"))
    for ch in res.params["channels"]:
        sub = table[table.channel == ch]
        drawable = sub[["D", "z_openness"]].notna().all(axis=1)
        if drawable.any():
            few = not (drawable & (sub.label != "insufficient")).any()
            stem = pdir / f"typology_map_{ch}"
            plot.save(plot.typology_map(res, channel=ch, include_insufficient=few,
                                        highlight=highlight), stem)
            figures.append((f"Typology map, {ch} channel", f"plots/{stem.name}.png"))
    for region in focus:
        for ch in flows.channels:
            k = flows.channels.index(ch)
            if region in flows.regions and (flows.presence[k].sum() + flows.copresence[k].sum()) > 0:
                stem = pdir / f"partners_{region}_{ch}"
                plot.save(plot.partner_flows(flows, region, channel=ch, names=names), stem)
                figures.append((f"Top partners of {region}, {ch} channel", f"plots/{stem.name}.png"))
    shown = [r for r in focus if r in set(table.region)]
    if shown:
        stem = pdir / "channel_profile"
        plot.save(plot.channel_profile(res, shown), stem)
        figures.append(("Channel profiles", f"plots/{stem.name}.png"))
    for caption, stem_name, other, ch in extra:
        for region in focus:
            if region in other.regions:
                stem = pdir / stem_name.format(region)
                plot.save(plot.partner_flows(other, region, channel=ch, names=names), stem)
                figures.append((caption.format(region), f"plots/{stem.name}.png"))
    log.note(f"wrote {len(figures)} plots (PNG, SVG, PDF) to {pdir}")
    return figures


#: Columns of the printed table (names of Classification.table; absent ones are left out).
SUMMARY_COLUMNS = ["region", "channel", "label", "subtype", "stability", "review", "D", "D_lo", "D_hi", "R",
                   "openness", "z_openness", "n_external"]


def _summary_table(res, names=None, top=15, focus=()):
    """Readable rows: the largest regions by external volume plus the focus regions.

    Labels below the ``stable`` threshold carry a ``?`` (report.display_labels); the
    ``added`` attribute lists the focus regions appended below the top rows.
    """
    import pandas as pd

    from .report import active, display_labels

    t = res.table
    t = t.assign(label=display_labels(res, t))
    t = t[active(t)]
    t = t[t.label != "insufficient"] if (t.label != "insufficient").any() else t
    top_rows = t.sort_values("n_external", ascending=False).head(top)
    extra = t[t.region.isin(list(focus)) & ~t.index.isin(top_rows.index)]
    t = pd.concat([top_rows, extra])
    t = t[[c for c in SUMMARY_COLUMNS if c in t.columns]].copy()
    if names:
        t.insert(1, "name", t.region.map(names).fillna(""))
    if len(t) and (t["n_external"] == t["n_external"].round()).all():
        t["n_external"] = t["n_external"].astype("int64")
    t.attrs["added"] = list(dict.fromkeys(extra.region))
    return t


def _print_summary(res, table, top):
    """The classification table, its footnotes and the label counts (stable shares)."""
    from .report import headline, why_undetermined

    _print_table(table)
    stable = dict(res.params.get("thresholds", {})).get("stable", 0.8)
    notes = []
    if table.attrs.get("added"):
        notes.append(f"Below the top {top}: focus region(s) {', '.join(table.attrs['added'])}.")
    if table["label"].astype(str).str.endswith("?").any():
        notes.append(f"? = label below the stability threshold: found in fewer than "
                     f"{stable:.0%} of bootstrap replicates; read it as tentative.")
    for n in notes:
        print(n)
    print("\nlabels (active regions): " + headline(res))
    sentence = why_undetermined(res)
    if sentence:
        print(sentence)


def _n_active(res):
    """Number of regions with any activity in a classification."""
    from .report import active

    t = res.table
    return int(t[active(t)].region.nunique())


def _active_volumes(frame):
    """Rows of a per-region volume table with any activity."""
    cols = [c for c in ("inbound", "outbound", "copresence", "internal") if c in frame.columns]
    return frame[cols].fillna(0).sum(axis=1) > 0


def _region_names(data):
    """Region -> name of the region map of record-level data (None for flow tables)."""
    m = getattr(data, "region_map", None)
    if m is None:
        return None
    return dict(zip(m.regions, m.labels))


def _print_table(frame):
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 30,
                           "display.max_colwidth", 28, "display.float_format", "{:.3f}".format):
        print(frame.to_string(index=False))


# ============================================================================ reading
def _read(args, log):
    """Read INPUT with its format's reader; returns (data, flows_or_None, read_report, paths)."""
    import pandas as pd

    from . import readers

    src = Path(args.input)
    if not src.exists():
        raise DataError(f"{src}: no such file or folder")
    paths = [src]
    if src.is_file() and src.stat().st_size == 0:
        raise DataError(f"{src}: empty file: no header row or records")
    if args.format == "flows":
        try:
            frame = pd.read_csv(src, sep=None if src.suffix not in (".tsv",) else "\t",
                                engine="python")
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise DataError(f"{src}: cannot read the flow table ({exc})") from None
        cols = {"source": args.source, "target": args.target}
        for key in ("weight", "time"):
            if getattr(args, key):
                cols[key] = getattr(args, key)
        missing = [c for c in cols.values() if c not in frame.columns]
        if missing:
            raise DataError(f"{src}: no column(s) {missing}; columns are {list(frame.columns)} "
                            "(name them with --source/--target/--weight/--time)")
        if args.channel_column and args.channel_column not in frame.columns:
            raise DataError(f"{src}: no channel column {args.channel_column!r}")
        from .flows import RegionFlows

        cols["channel"] = args.channel_column or "\x00none"
        window = tuple(args.window) if args.window else None
        channels = args.channel[0] if args.channel and not args.channel_column else args.channel
        flows = RegionFlows.from_table(frame, columns=cols, window=window, channels=channels,
                                       countries=_countries_file(args), func="ecosystem classify")
        flows.info.update(source=str(src), licence=args.licence or "", window=window)
        report = {"source": str(src), "rows": int(len(frame)), "rows_in_window":
                  flows.info.get("rows"), "rows_outside_window": flows.info.get("rows_outside_window")}
        return None, flows, report, paths
    kw = dict(regions=args.regions, errors=args.errors, progress=False if args.quiet else None)
    if getattr(args, "scheduler", None):  # read on a Dask cluster (ecosystem.distributed)
        if args.format not in ("openalex", "patentsview"):
            raise DataError(f"--scheduler reads --format openalex or patentsview; got {args.format}")
        kw["client"] = args.scheduler
    if args.format == "openalex":
        for extra in (args.institutions, args.authors):
            if extra:
                if not Path(extra).exists():
                    raise DataError(f"{extra}: no such file")
                paths.append(Path(extra))
        read, pos = readers.read_openalex, (src, args.institutions, args.authors)
    elif args.format == "records":
        columns = dict(item.split("=", 1) for item in (args.columns or []))
        read, pos = readers.read_records, (src, columns or None)
        kw["channel"] = args.records_channel
    else:
        read, pos = getattr(readers, f"read_{args.format}"), (src,)
    with readers.stop_if_malformed(args.stop_after_malformed):
        result = read(*pos, **kw)
    rep = result.report
    if rep.records_used == 0:
        why = _report_lines(rep, examples=1)[1:]
        if rep.records_read == 0 and not why:
            raise DataError(f"{src}: empty file: no records")
        raise DataError(f"{src}: no usable records ({rep.records_read:,} read, 0 used); "
                        + "; ".join(w.strip() for w in why))
    for line in _report_lines(rep):
        log.note(line)
    if kw.get("client"):  # a DistributedRead: classify and flows run on the cluster
        args.on_exit = result.close   # main() closes its client when the command ends
        return result, None, rep, paths
    return result.contributions, None, rep, paths


#: Malformed examples printed on the terminal (the report files keep up to 20).
N_EXAMPLES = 3


def _report_lines(report, examples=N_EXAMPLES):
    """A read report for the terminal: counts, skips, drops, the first examples of each."""
    lines = [str(report).splitlines()[0]]
    lines += [f"skipped ({k}): {v:,}" for k, v in sorted(report.skipped.items())]
    lines += [f"contributions dropped ({k}): {v:,}" for k, v in sorted(report.dropped.items())]
    for path, line, fld, msg in report.malformed[:examples]:
        where = ":".join(str(x) for x in (path, line) if x is not None)
        lines.append(f"  e.g. {where}" + (f" ({fld})" if fld else "") + f": {msg}")
    um = report.unmatched
    if um is not None and um.n_unmatched:
        for reason, n in [(r, n) for r, n in dict(um.by_reason).items() if n][:examples]:
            ex = list(um.examples.get(reason, []))[:1]
            lines.append(f"  unmatched locations ({reason}): {n:,}"
                         + (f", e.g. {_location_text(ex[0])}" if ex else ""))
    return lines


def _location_text(example):
    """'country=XX, city=...' from a ResolveReport example (fields that are set)."""
    fields = getattr(example, "_fields", None)
    if not fields:
        return str(example)
    return ", ".join(f"{f}={getattr(example, f)!r}" for f in fields[1:]
                     if getattr(example, f) is not None)


def _countries_file(args):
    spec = getattr(args, "region_table", None)
    if not spec:
        return None
    t = _region_table(spec)
    return dict(zip(t["region"], t["country"])) if "country" in t else None


def _region_table(spec):
    import pandas as pd

    path = Path(spec)
    if not path.exists():
        raise DataError(f"{spec}: no such file")
    t = pd.read_csv(path)
    if "region" not in t.columns:
        raise DataError(f"{spec}: needs a 'region' column (and size, internal, country)")
    return t


def _flows_of(data, flows, args):
    from .flows import region_flows

    if flows is not None:
        return flows
    countries = data.info.get("countries") if data.region_map is None else None
    window = tuple(args.window) if args.window else None
    if hasattr(data, "classification_inputs"):  # a DistributedRead (--scheduler)
        return data.region_flows(counting=args.counting, channel=args.channel, window=window)
    c = data.select(channel=args.channel, window=window) if (args.channel or window) else data
    return region_flows(c, counting=args.counting, countries=countries)


# ============================================================================ commands
def _demo(args):
    """Classify countries by scholar migration (MPIDR) and show co-authorship (NCSES).

    Uses only the bundled real data: talent flows between countries from the MPIDR
    Scholarly Migration Database (CC BY 4.0) with researcher populations as sizes, and
    the NCSES internationally co-authored article counts (public domain). Writes the
    tables, plots, a report with a methods paragraph and a manifest to --out.
    """
    from . import datasets
    from .classification import classify
    from .metrics import region_metrics
    from .report import methods_text, references, write_report

    log = _Log(args.quiet, 5)
    window = tuple(args.window)
    if window[0] > window[1] or window[0] < 1998 or window[1] > 2018:
        raise DataError(f"--window {window[0]} {window[1]}: the bundled MPIDR flows cover 1998-2018")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log.step(f"loading bundled MPIDR scholar migration flows {window[0]}-{window[1]}")
    flows = datasets.scholarly_migration(window=window)
    people = datasets.scholarly_migration_countries(window=window).set_index("country")
    years = window[1] - window[0] + 1
    size = people["researchers"]
    internal = (years * people["researchers"] - people["outmigrations"]).clip(lower=0)
    names = people["name"].to_dict()

    log.step(f"classifying {flows.n_regions} countries (talent channel, B = {args.bootstrap})")
    res = classify(flows, size=size, internal=internal, bootstrap=args.bootstrap,
                   n_null=max(args.bootstrap - 1, 99), seed=args.seed,
                   progress=False if args.quiet else None)
    table = region_metrics(flows, layer="international", size=size.to_dict(), internal=internal.to_dict())
    table = table.merge(people[["name"]], left_on="region", right_index=True, how="left")
    table["volume"] = table["inbound"] + table["outbound"]
    table.to_csv(out / "talent_indicators.csv", index=False)
    _classification_csv(res).to_csv(out / "classification.csv", index=False)
    res.regions.to_csv(out / "regions.csv", index=False)

    log.step("co-authorship openness from the NCSES pair tables")
    co = datasets.coauthorship_totals("2003_2022")
    co_info = {k: co.attrs[k] for k in ("source", "licence", "citation")}
    co = co.merge(people[["researchers"]], left_on="country", right_index=True, how="left")
    co["per_researcher"] = co["2022"] / co["researchers"]
    co = co.sort_values("2022", ascending=False)
    co.to_csv(out / "coauthorship_openness.csv", index=False)

    log.step("plots")
    focus = _focus_regions(args, res, default=DEMO_FOCUS)
    coflows = datasets.coauthorship(2022)
    figures = _make_plots(out, res, flows, log, focus=focus, names=names, highlight=focus,
                          extra=[("Co-authorship partners of {}, 2022 (NCSES, whole counts)",
                                  "coauthorship_partners_{}", coflows, None)])

    log.step("report and manifest")
    summary = _summary_table(res, names=names, top=args.top, focus=focus)
    co_show = co[["country", "name", "2003", "2022", "growth", "partners", "top_partner",
                  "top_share", "hhi", "per_researcher"]].rename(
        columns={"2003": "intl_coauthored_2003", "2022": "intl_coauthored_2022"})
    co_show = co_show[co_show.country.isin(focus) | co_show.index.isin(co_show.head(8).index)]
    from .report import label_counts, why_undetermined

    counts = label_counts(res)
    data_sentence = (
        f"Talent flows are the MPIDR Scholarly Migration Database (Scopus 2024 V1) "
        f"country-to-country moves of scholars summed over {window[0]}–{window[1]}; region size "
        f"is the mean researcher population over the window and the internal volume is "
        f"{years} × researchers − out-migrations (researcher-years that did not emigrate), so "
        f"that openness is a gross migration rate. Countries are their own regions.")
    sources = [{k: flows.info[k] for k in ("source", "licence", "citation")},
               co_info]
    sections = [
        ("Talent channel: classification of countries", summary),
        ("Labels over the countries with any moves (stable = label in at least "
         f"{res.params['thresholds']['stable']:.0%} of bootstrap replicates; '?' in the table "
         "above marks the others)", counts.rename(columns={"rows": "countries"})),
        *([("Why large systems are undetermined", why_undetermined(res))]
          if why_undetermined(res) else []),
        ("Co-authorship openness (NCSES, internationally co-authored articles)",
         "Whole counts of articles with authors in the country and abroad (NCSES tables "
         "SPBS-35). NCSES gives no domestic totals, so the openness ratio O cannot be formed "
         "from these tables; shown are volumes, growth 2003→2022, partner spread (HHI: 0 = "
         "spread over many partners) and, as a size-adjusted intensity, articles per "
         f"researcher (MPIDR mean researcher population {window[0]}–{window[1]})."),
        ("Co-authorship table", co_show),
        ("Explanations", "\n\n".join(res.explain(c) for c in focus)),
    ]
    write_report(out, title=f"ecosystem demo: talent circulation between countries, "
                            f"{window[0]}–{window[1]}", sections=sections,
                 methods=methods_text(res.params, n_regions=_n_active(res),
                                      data_sentence=data_sentence),
                 refs=references(res.params), sources=sources, figures=figures)
    manifest = {
        "ecosystem": __version__,
        "job": "demo: talent flows between countries (MPIDR) and co-authorship (NCSES)",
        "command": _command_line(args),
        "window": list(window),
        "layer": "international",
        "bootstrap": args.bootstrap,
        "seed": args.seed,
        "focus": focus,
        "convention": flows.info["convention"],
        "data": {k: flows.info[k] for k in ("source", "licence", "citation")},
        "data_coauthorship": co_info,
        "size": "mean padded researcher population over the window (MPIDR)",
        "internal": f"{years} x researchers - outmigrations",
        "versions": res.params["versions"],
        "parameters": res.params,
        "files": sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()),
        "seconds": round(log.elapsed, 2),
    }
    _write_json(out / "manifest.json", manifest)

    if not args.quiet:
        print(f"ecosystem {__version__} demo: scholar migration between countries, "
              f"{window[0]}-{window[1]} (talent channel, international layer, B = {args.bootstrap})")
        print("D = (out - in)/(out + in): > 0 outflow-dominated (outbound), < 0 inflow-dominated "
              "(introduction); R = partner reciprocity; z_openness = size-adjusted openness.\n")
        _print_summary(res, summary, args.top)
        print("\nCo-authorship openness (NCSES, internationally co-authored articles, whole counts):")
        _print_table(co_show)
        print(f"\nData: {flows.info['citation']}")
        print(f"Co-authorship: {datasets.NCSES_CITATION}")
        print(f"\nWrote {out}/: classification.csv, regions.csv, talent_indicators.csv, "
              f"coauthorship_openness.csv, report.html, report.md, manifest.json"
              + (", world_map.png, plots/" if figures else f" (no plots: {PLOT_HINT})")
              + f" in {log.elapsed:.1f} s")
    return 0


def _classify(args):
    """Classify regions from a reader format or an origin–destination flow table.

    Writes classification.csv (one row per region x channel x layer), regions.csv
    (overall labels), metrics.csv (indicators without uncertainty), report.html and
    report.md, plots/ (PNG, SVG, PDF; needs matplotlib) and manifest.json (versions,
    parameters, seed, input hashes, read report) to --out. Regions without any
    activity are left out of the CSV files.
    """
    from .classification import classify
    from .metrics import region_metrics
    from .report import methods_text, references, write_report

    log = _Log(args.quiet, 6 if args.windows else 5)
    out = Path(args.out)
    log.step(f"reading {args.input} ({args.format})")
    data, flows, report, paths = _read(args, log)
    size = internal = None
    if args.region_table:
        rt = _region_table(args.region_table).set_index("region")
        size = rt["size"] if "size" in rt else None
        internal = rt["internal"] if "internal" in rt else None
    opts = dict(bootstrap=args.bootstrap, n_null=args.n_null, seed=args.seed, layer=args.layer,
                size=size, internal=internal, min_external=args.min_external,
                progress=False if args.quiet else None)
    if data is not None:
        log.step(f"classifying {data!r} (B = {args.bootstrap})")
        res = classify(data, channels=args.channel, window=tuple(args.window) if args.window else None,
                       counting=args.counting, **opts)
        flows = _flows_of(data, None, args)
    else:
        log.step(f"classifying {flows!r} (B = {args.bootstrap})")
        res = classify(flows, **opts)
    out.mkdir(parents=True, exist_ok=True)
    csv = _classification_csv(res)
    csv.to_csv(out / "classification.csv", index=False)
    active = set(csv.region)
    res.regions[res.regions.region.isin(active)].to_csv(out / "regions.csv", index=False)
    log.step("metrics")
    metrics = region_metrics(flows, layer=args.layer, n_null=args.n_null, seed=args.seed,
                             size=None if size is None else size.to_dict(),
                             internal=None if internal is None else internal.to_dict())
    metrics[_active_volumes(metrics)].to_csv(out / "metrics.csv", index=False)

    log.step("plots")
    focus = _focus_regions(args, res)
    names = _region_names(data)
    figures = (_make_plots(out, res, flows, log, focus=focus, highlight=focus,
                           region_map=getattr(data, "region_map", None))
               if not args.no_plots else [])

    traj = _trajectories_out(args, data, out, log, opts) if args.windows else None
    log.step("report and manifest")
    read_text = str(report) if not isinstance(report, dict) else json.dumps(report, indent=1)
    info = data.info if data is not None else flows.info
    source = {"source": str(info.get("source", args.format)),
              "licence": str(getattr(report, "licence", "") or info.get("licence", "")
                             or "see the data provider's terms"),
              "citation": str(info.get("citation", ""))}
    from .report import label_counts, why_undetermined

    summary = _summary_table(res, names=names, top=args.top, focus=focus)
    why = why_undetermined(res)
    write_report(out, title=f"ecosystem classify: {Path(args.input).name} ({args.format})",
                 sections=[("Classification (largest regions by external volume; '?' = label "
                            "below the stability threshold)", summary),
                           ("Labels (regions with any activity; stable = label in at least "
                            f"{res.params['thresholds']['stable']:.0%} of bootstrap replicates)",
                            label_counts(res)),
                           *([("Why large regions are undetermined", why)] if why else []),
                           ("Overall labels", res.regions[res.regions.region.isin(active)]
                            .head(args.top)),
                           *([("Changes between windows", traj.summary_text())] if traj else [])],
                 methods=methods_text(res.params, n_regions=_n_active(res))
                 + (" " + traj.methods_text() if traj else ""),
                 refs=references(res.params), sources=[source], read_report=read_text,
                 figures=figures)
    manifest = {
        "ecosystem": __version__,
        "command": _command_line(args),
        "parameters": _parameters(args),
        "seed": args.seed,
        "versions": res.params["versions"],
        "inputs": _hashes(paths + ([Path(args.region_table)] if args.region_table else [])),
        "read_report": report.to_dict() if hasattr(report, "to_dict") else report,
        "classification_params": res.params,
        "focus": focus,
        "files": sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()),
        "seconds": round(log.elapsed, 2),
    }
    _write_json(out / "manifest.json", manifest)
    if not args.quiet:
        _print_summary(res, summary, args.top)
        print(f"\nWrote {out}/ (classification.csv, regions.csv, metrics.csv, report.html, "
              f"report.md, manifest.json{', plots/' if figures else ''}"
              f"{', trajectories.csv, changes.csv, transitions.csv' if traj else ''}) in {log.elapsed:.1f} s")
    return 0


def _windows_arg(text):
    from .trajectories import parse_windows

    try:
        return parse_windows(text)
    except EcosystemError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _trajectories_out(args, data, out, log, opts):
    """--windows: trajectories.csv, changes.csv, transitions.csv and their plots in OUT."""
    import pandas as pd

    from .trajectories import trajectories

    wins = args.windows
    if hasattr(data, "classification_inputs"):  # a DistributedRead (--scheduler)
        raise DataError("--windows needs the records in memory; it cannot be combined with --scheduler")
    if data is None:  # a flow table: the trajectories need its year column
        if not args.time:
            raise DataError("--windows needs the year column of the flow table (--time)")
        data = pd.read_csv(args.input, sep="\t" if str(args.input).endswith(".tsv") else None, engine="python")
        opts = dict(opts, countries=_countries_file(args), columns={
            "source": args.source, "target": args.target, "time": args.time,
            "weight": args.weight or "\x00none", "channel": args.channel_column or "\x00none"})
    else:
        opts = dict(opts, counting=args.counting)
    log.step(f"trajectories over {len(wins)} windows (joint bootstrap, B = {args.bootstrap})")
    traj = trajectories(data, wins, channels=args.channel, **opts)
    traj.write(out, plots=not args.no_plots)
    return traj


def _flows_cmd(args):
    """Region-to-region flows and per-region volumes from a reader format or flow table.

    Writes flows.csv (source, target, channel, layer, presence, copresence; non-zero
    pairs) and volumes.csv (inbound, outbound, co-presence, internal per region).
    """
    import numpy as np
    import pandas as pd

    from .flows import LAYERS

    log = _Log(args.quiet, 2)
    log.step(f"reading {args.input} ({args.format})")
    data, flows, report, paths = _read(args, log)
    flows = _flows_of(data, flows, args)
    log.step("writing flows")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    reg = np.asarray(flows.regions, dtype=object)
    for k, ch in enumerate(flows.channels):
        P, C = flows.presence[k], flows.copresence[k]
        i, j = np.nonzero((P + C) > 0)
        rows.append(pd.DataFrame({"source": reg[i], "target": reg[j], "channel": ch,
                                  "layer": np.asarray(LAYERS, dtype=object)[flows.layers[i, j]],
                                  "presence": P[i, j], "copresence": C[i, j]}))
    table = pd.concat(rows, ignore_index=True)
    table.to_csv(out / "flows.csv", index=False)
    volumes = flows.volumes(layer=args.layer)
    volumes = volumes[_active_volumes(volumes)]
    volumes.to_csv(out / "volumes.csv", index=False)
    _write_json(out / "manifest.json", {
        "ecosystem": __version__, "command": _command_line(args),
        "parameters": _parameters(args),
        "inputs": _hashes(paths), "convention": flows.info.get("convention"),
        "read_report": report.to_dict() if hasattr(report, "to_dict") else report})
    if not args.quiet:
        _print_table(volumes.assign(v=volumes.inbound + volumes.outbound + volumes.copresence)
                     .sort_values("v", ascending=False).drop(columns="v").head(args.top))
        print(f"\nWrote {out / 'flows.csv'} ({len(table)} pairs) and {out / 'volumes.csv'}")
    return 0


def _brokerage_cmd(args):
    """Gould–Fernandez brokerage roles of regions in the region flow network.

    Nodes are regions, groups their countries, arcs the presence flows above
    --threshold (co-presence for channels without direction), per channel
    (ecosystem.brokerage.region_brokerage, the R sna::brokerage counts and null). For the
    focal region: gatekeeper = foreign -> region -> domestic (introduction),
    representative = domestic -> region -> foreign (outbound), liaison and itinerant =
    brokerage between foreign regions (hub). Writes brokerage.csv (counts and sna
    z-scores per region and channel). Countries as regions (each its own group) have
    liaison roles only.
    """
    import numpy as np
    import pandas as pd

    from .brokerage import region_brokerage

    log = _Log(args.quiet, 2)
    log.step(f"reading {args.input} ({args.format})")
    data, flows, report, paths = _read(args, log)
    flows = _flows_of(data, flows, args)
    log.step("brokerage roles (Gould-Fernandez, sna null)")
    parts = []
    for k, ch in enumerate(flows.channels):
        W = flows.presence[k] if flows.presence[k].sum() > 0 else flows.copresence[k]
        active = (W.sum(0) + W.sum(1) - 2 * np.diag(W)) > 0
        if active.sum() < 3:
            log.note(f"channel {ch}: fewer than 3 connected regions, skipped")
            continue
        idx = np.flatnonzero(active)
        res = region_brokerage(W[np.ix_(idx, idx)], [flows.countries[i] for i in idx],
                               threshold=args.threshold,
                               regions=[flows.regions[i] for i in idx])
        raw, z = res.to_pandas("raw"), res.to_pandas("z").add_prefix("z_")
        frame = pd.concat([raw, z], axis=1).reset_index().rename(columns={"node": "region"})
        frame.insert(1, "country", [flows.countries[i] for i in idx])
        frame.insert(2, "channel", ch)
        parts.append(frame)
    if not parts:
        raise DataError(f"{args.input}: no channel with at least 3 connected regions")
    table = pd.concat(parts, ignore_index=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "brokerage.csv", index=False)
    _write_json(out / "manifest.json", {
        "ecosystem": __version__, "command": _command_line(args),
        "parameters": _parameters(args), "inputs": _hashes(paths),
        "method": "ecosystem.brokerage.region_brokerage (Gould & Fernandez 1989; "
                  "sna::brokerage counts, z-scores under sna's random-digraph null)",
        "read_report": report.to_dict() if hasattr(report, "to_dict") else report})
    if not args.quiet:
        _print_table(table.sort_values(["channel", "total"], ascending=[True, False])
                     .groupby("channel").head(args.top))
        print(f"\nWrote {out / 'brokerage.csv'}")
    return 0


def _export_cmd(args):
    """Export the region network for Gephi (GraphML, GEXF), Pajek or VOSviewer.

    Nodes are the regions with any activity (attributes: region code, name, country,
    inbound, outbound, co-presence, internal volume, and with --labels the label,
    stability, D, R ... of a classification.csv under the same names; list attributes
    flattened to ';'-joined text so that Gephi and VOSviewer open the files), arcs the
    presence flows (co-presence as undirected edges) of one channel. --to vosviewer
    writes VOSviewer's map and network text files (clusters = typology labels). The same
    writers are ecosystem.export.write_network in Python.
    """
    log = _Log(args.quiet, 2)
    log.step(f"reading {args.input} ({args.format})")
    data, flows, report, paths = _read(args, log)
    flows = _flows_of(data, flows, args)
    channel = args.channel[0] if args.channel else flows.channels[0]
    if channel not in flows.channels:
        raise DataError(f"{args.input}: channel {channel!r} not in the data ({list(flows.channels)})")
    out = Path(args.out)
    if out.suffix == "":
        stem = "map" if args.to == "vosviewer" else "network"  # + network_<channel>.txt
        out = out / f"{stem}_{channel}{EXPORT_FORMATS[args.to]}"
    out.parent.mkdir(parents=True, exist_ok=True)
    log.step(f"writing {args.to} to {out}")
    years = _yearly_flows(data, args, channel) if args.to == "gexf" and data is not None else None
    n_nodes, n_edges = write_network(flows, out, to=args.to, channel=channel, years=years,
                                     names=_region_names(data),
                                     coordinates=_coordinates_table(args.coordinates),
                                     classification=_labels_table(args.labels))
    if not args.quiet:
        also = (f" and {out.with_name(out.name.replace('map', 'network', 1))}"
                if args.to == "vosviewer" and "map" in out.stem else "")
        print(f"Wrote {out}{also}: {n_nodes} regions, {n_edges} links ({channel} channel)")
    return 0


def _coordinates_table(spec):
    """Region coordinates from a CSV with region, latitude and longitude columns."""
    if not spec:
        return None
    import pandas as pd

    path = Path(spec)
    if not path.exists():
        raise DataError(f"{spec}: no such file")
    t = pd.read_csv(path, dtype={"region": str})
    need = {"region", "latitude", "longitude"}
    if not need <= set(t.columns):
        raise DataError(f"{spec}: needs columns {sorted(need)}; has {list(t.columns)}")
    return t.drop_duplicates("region").set_index("region")[["latitude", "longitude"]]


def _labels_table(spec):
    """A classification.csv written by ``ecosystem classify`` (for export.write_network)."""
    if not spec:
        return None
    import pandas as pd

    path = Path(spec)
    if not path.exists():
        raise DataError(f"{spec}: no such file")
    t = pd.read_csv(path, dtype={"region": str})
    need = {"region", "channel", "layer", "label"}
    if not need <= set(t.columns):
        raise DataError(f"{spec}: not a classification.csv (needs columns {sorted(need)})")
    return t


def _yearly_flows(data, args, channel):
    """Per-year region flows of one channel of record-level data (for GEXF timelines)."""
    import numpy as np

    from .flows import region_flows

    c = data.select(channel=[channel])
    if c.year is None or len(c) == 0:
        return None
    years = np.unique(np.asarray(c.year))
    years = years[years > 0]
    if args.window:
        years = years[(years >= args.window[0]) & (years <= args.window[1])]
    countries = data.info.get("countries") if data.region_map is None else None
    return {int(y): region_flows(c.select(window=(int(y), int(y))), counting=args.counting,
                                 countries=countries) for y in years}


# ============================================================================ parser
_EXAMPLES = {
    "demo": """examples:
  ecosystem demo
  ecosystem demo --out ./ecosystem-demo --bootstrap 1000 --seed 0
  ecosystem demo --window 2009 2013 --quiet
  ecosystem demo --focus USA,GBR,DEU""",
    "classify": """examples:
  ecosystem classify works.jsonl --format openalex --institutions institutions.jsonl --out run1
  ecosystem classify snapshot/data/works --format openalex --scheduler local:2 --out run2
  ecosystem classify patentsview/ --format patentsview --regions metros --window 2016 2020 \\
      --focus SFBA,NYC
  ecosystem classify REGPAT/ --format regpat --counting full --bootstrap 500 --seed 1
  ecosystem classify savedrecs.txt --format wos --channel academic
  ecosystem classify scopus.csv --format scopus --regions my_regions.csv
  ecosystem classify records.csv --format records --columns record=doc actor=author
  ecosystem classify moves.csv --format flows --source origin --target destination \\
      --weight n --time year --window 2014 2018 --region-table sizes.csv""",
    "flows": """examples:
  ecosystem flows works.jsonl --format openalex --out flows/
  ecosystem flows moves.csv --format flows --source origin --target destination --weight n""",
    "brokerage": """examples:
  ecosystem brokerage patentsview/ --format patentsview --regions metros --out brokerage/
  ecosystem brokerage moves.csv --format flows --source origin --target destination \\
      --weight n --threshold 10""",
    "export": """examples:
  ecosystem export works.jsonl --format openalex --to gexf --out network.gexf
  ecosystem export moves.csv --format flows --source o --target d --weight n --to vosviewer-json --out net.json
  ecosystem export REGPAT/ --format regpat --to pajek --out out/
  ecosystem export works.jsonl --format openalex --to graphml --labels run1/classification.csv
  ecosystem export works.jsonl --format openalex --to vosviewer --out vos/net_map.txt""",
}


def _common(p, *, out_default, out_help="output folder"):
    p.add_argument("--out", default=out_default, help=out_help + " (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    p.add_argument("--top", type=int, default=15, help="rows to print (default: %(default)s)")


def _regions_arg(p):
    """--regions: the region map of the reader formats (the readers accept the same words)."""
    p.add_argument("--regions", default="countries",
                   metavar="{countries,metros,metro_areas,FILE}",
                   help="region map of the reader formats: ISO countries, the world metro map "
                        "(ecosystem.regions.metros), the four seed metro areas, or a region "
                        "CSV (RegionMap.from_csv) (default: countries); flow tables keep their "
                        "own region labels (see --region-table)")


def _focus_arg(p, default_help):
    """--focus REGION[,REGION]: regions drawn, explained and always shown in the table."""
    p.add_argument("--focus", metavar="REGION[,REGION]",
                   help="regions to draw partner charts for, explain in the report and always "
                        f"list in the table ({default_help})")


def _coordinates_arg(p):
    """--coordinates FILE: latitude/longitude per region for Gephi's GeoLayout and VOSviewer."""
    p.add_argument("--coordinates", metavar="CSV",
                   help="region, latitude, longitude per row: node coordinates (GraphML/GEXF "
                        "attributes, VOSviewer x/y)")


def _nonneg(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0; got {value}")
    return value


def _input_args(p):
    p.add_argument("input", metavar="INPUT", help="file or folder to read")
    p.add_argument("--format", required=True, choices=FORMATS, help="input format")
    _regions_arg(p)
    p.add_argument("--channel", action="append", metavar="CHANNEL",
                   help="channel to keep (talent, academic, enterprise); repeat for several")
    p.add_argument("--window", nargs=2, type=int, metavar=("FIRST", "LAST"),
                   help="inclusive years")
    p.add_argument("--counting", choices=("full", "fractional"), default="fractional",
                   help="counting of records (default: %(default)s)")
    p.add_argument("--layer", default="international",
                   choices=("international", "domestic", "cross-boundary", "external"),
                   help="border layer (default: %(default)s)")
    p.add_argument("--seed", type=_nonneg, default=0, help="seed of every draw (default: 0)")
    p.add_argument("--errors", choices=("raise", "skip"), default="raise",
                   help="malformed records: stop at the first (file, line, field, reason), or "
                        "skip and count them, printing the first examples (default: "
                        "%(default)s, as in the Python readers)")
    p.add_argument("--stop-after-malformed", type=_nonneg, default=1000, metavar="N",
                   help="with --errors skip, stop when the first N records of a file are all "
                        "malformed, i.e. the input is in another format or damaged throughout "
                        "(default: %(default)s; 0: read on)")
    g = p.add_argument_group("openalex")
    g.add_argument("--institutions", help="OpenAlex institutions file (geo for city joins)")
    g.add_argument("--authors", help="OpenAlex authors file (affiliation years: talent moves)")
    g = p.add_argument_group("records")
    g.add_argument("--columns", nargs="+", metavar="FIELD=COLUMN",
                   help="column names of a records table, e.g. record=doc actor=author country=cc")
    g.add_argument("--records-channel", default="academic",
                   help="channel of a records table without a channel column (default: academic)")
    g = p.add_argument_group("flows (origin-destination tables)")
    g.add_argument("--source", default="source", help="origin column (default: source)")
    g.add_argument("--target", default="target", help="destination column (default: target)")
    g.add_argument("--weight", help="volume column (default: one per row)")
    g.add_argument("--time", help="year column (needed for --window)")
    g.add_argument("--channel-column", help="column holding the channel of each row")
    g.add_argument("--region-table", metavar="FILE",
                   help="CSV with region and optional size, internal, country columns")
    g.add_argument("--licence", help="licence line of the flow data, written into the report")


def _scheduler_arg(p):
    p.add_argument("--scheduler", metavar="ADDRESS|local:N",
                   help="read openalex/patentsview partitions on a Dask cluster: a scheduler "
                        "address, or local:N for N local worker processes (extra 'dask')")


def _parser():
    parser = argparse.ArgumentParser(
        prog="ecosystem",
        description="Network analysis of regional innovation ecosystems.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  ecosystem demo\n  ecosystem classify works.jsonl --format openalex "
               "--out run1\n  ecosystem COMMAND --help")
    parser.add_argument("--version", action="version", version=f"ecosystem {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    raw = argparse.RawDescriptionHelpFormatter

    demo = sub.add_parser("demo", help="classify the bundled real data (MPIDR talent, NCSES "
                          "co-authorship)", description=inspect.cleandoc(_demo.__doc__), epilog=_EXAMPLES["demo"],
                          formatter_class=raw)
    _common(demo, out_default="ecosystem-demo")
    demo.add_argument("--window", nargs=2, type=int, default=[2014, 2018], metavar=("FIRST", "LAST"),
                      help="inclusive years, within 1998-2018 (default: 2014 2018)")
    demo.add_argument("--bootstrap", type=_nonneg, default=1000, help="replicates (default: 1000)")
    demo.add_argument("--seed", type=_nonneg, default=0, help="seed (default: 0)")
    _focus_arg(demo, "default: " + ",".join(DEMO_FOCUS))
    demo.set_defaults(run=_demo)

    cl = sub.add_parser("classify", help="classify regions from records or flow tables",
                        description=inspect.cleandoc(_classify.__doc__), epilog=_EXAMPLES["classify"],
                        formatter_class=raw)
    _input_args(cl)
    _common(cl, out_default="ecosystem-out")
    cl.add_argument("--bootstrap", type=_nonneg, default=1000, help="replicates (default: 1000)")
    cl.add_argument("--n-null", type=_nonneg, default=999, help="null draws (default: 999)")
    cl.add_argument("--min-external", type=float, default=30.0,
                    help="sufficiency: least external volume (default: 30)")
    cl.add_argument("--no-plots", action="store_true", help="skip the plots")
    _focus_arg(cl, "default: the three largest by external volume")
    cl.add_argument("--windows", metavar="START:END:WIDTH[:STEP]", type=_windows_arg,
                    help="also follow every region through year windows (tiling, or rolling with STEP) "
                         "with one joint bootstrap: trajectories.csv, changes.csv, transitions.csv, plots")
    _scheduler_arg(cl)
    cl.set_defaults(run=_classify)

    fl = sub.add_parser("flows", help="region flows and volumes", description=inspect.cleandoc(_flows_cmd.__doc__),
                        epilog=_EXAMPLES["flows"], formatter_class=raw)
    _input_args(fl)
    _common(fl, out_default="ecosystem-flows")
    _scheduler_arg(fl)
    fl.set_defaults(run=_flows_cmd)

    br = sub.add_parser("brokerage", help="brokerage roles of regions",
                        description=inspect.cleandoc(_brokerage_cmd.__doc__), epilog=_EXAMPLES["brokerage"],
                        formatter_class=raw)
    _input_args(br)
    _common(br, out_default="ecosystem-brokerage")
    br.add_argument("--threshold", type=float, default=0.0,
                    help="arcs are flows strictly above this volume (default: 0)")
    br.set_defaults(run=_brokerage_cmd)

    ex = sub.add_parser("export", help="export a region network (GraphML, GEXF, Pajek, VOSviewer)",
                        description=inspect.cleandoc(_export_cmd.__doc__), epilog=_EXAMPLES["export"],
                        formatter_class=raw)
    _input_args(ex)
    _common(ex, out_default="ecosystem-export",
            out_help="output file, or a folder (then network_<channel>.<ext> inside it)")
    ex.add_argument("--to", required=True, choices=tuple(EXPORT_FORMATS), help="file format")
    ex.add_argument("--labels", metavar="CLASSIFICATION_CSV",
                    help="add label, stability, D, R, openness ... of a classification.csv as "
                         "node attributes under the same names (GEXF: label as 'typology'); "
                         "VOSviewer clusters = labels")
    _coordinates_arg(ex)
    ex.set_defaults(run=_export_cmd)
    return parser


def main(argv=None):
    """Run the ``ecosystem`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0 success, 1 data error, 2 usage error.

    Examples
    --------
    >>> import tempfile
    >>> from ecosystem.cli import main
    >>> with tempfile.TemporaryDirectory() as d:
    ...     main(["demo", "--out", d, "--bootstrap", "0", "--quiet"])
    0
    """
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"ecosystem {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line unless --debug
        if args.debug:
            raise
        where = getattr(args, "input", None)
        text = " ".join(str(exc).split()) or type(exc).__name__
        if where and str(where) not in text and not isinstance(exc, DataError):
            text = f"{where}: {text}"
        if isinstance(exc, DataFormatError) and getattr(args, "errors", None) == "raise":
            text += " (--errors skip skips and counts malformed records)"
        elif isinstance(exc, DataFormatError) and "read stopped" in text:
            text += " (--stop-after-malformed 0 reads on)"
        if isinstance(exc, OptionalDependencyError):
            text += f" ({PLOT_HINT} for plots)" if "matplotlib" in text else ""
        kind = "error" if isinstance(exc, (EcosystemError, OSError, ValueError, KeyError)) else \
            f"unexpected {type(exc).__name__} (rerun with --debug)"
        print(f"ecosystem {args.command}: {kind}: {text}", file=sys.stderr)
        return 1
    finally:
        if getattr(args, "on_exit", None) is not None:   # e.g. the Dask client of --scheduler
            args.on_exit()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
