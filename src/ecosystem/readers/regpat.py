"""OECD REGPAT inventor/applicant tables (+ OECD citations) → Contributions."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..exceptions import InputTypeError, ParameterError
from ._common import (
    Citations,
    check_channel,
    contributions_from_frame,
    default_regions,
    drop_duplicate_rows,
)
from ._io import float_column, int_column, read_whole_table, year_column
from ._places import regpat_place_names
from ._report import Policy, ReadReport, ReadResult

__all__ = ["read_regpat", "REGPAT_LICENCE", "regpat_region_map"]

#: Terms line of REGPAT data.
REGPAT_LICENCE = ("OECD REGPAT database (derived from EPO PATSTAT): OECD terms of use; do not "
                  "redistribute the files; cite Maraut et al. (2008), OECD STI Working Paper "
                  "2008/2, and the edition used")

_ROUTES = ("EPO", "PCT", "both")


def _find(folder, suffix, func, required=True):
    """``*<suffix>.txt`` or ``.txt.gz`` (any edition prefix, any case), e.g. ``_EPO_Inv_reg``."""
    ends = tuple((suffix + e).lower() for e in (".txt", ".txt.gz"))
    cands = sorted(p for p in Path(folder).iterdir() if p.is_file()
                   and p.name.lower().endswith(ends))
    if not cands and required:
        raise ParameterError(f"{func}: no *{suffix}.txt file in {str(folder)!r}")
    return cands


def _read(path, required, optional, policy, report):
    return read_whole_table(path, sep="|", required=required, optional=optional,
                            policy=policy, report=report)


def regpat_region_map(regions_file=None, countries=(), *, errors="raise"):
    """A RegionMap whose regions are REGPAT region codes (NUTS3 / TL3).

    Every ``reg_code`` of ``REGPAT_Regions.txt`` is a region (jurisdiction: its
    ``ctry_code``, label: ``reg_label``); each country also gets a country-level region
    named by its code (``"MO"``) for addresses without a region code.

    Parameters
    ----------
    regions_file : path, optional
        ``REGPAT_Regions.txt`` (pipe-delimited, any header case).
    countries : iterable of str
        Further countries needing a country-level region.
    errors : {"raise", "skip"}, default "raise"
        A malformed line of the regions file: a located DataFormatError, or skipped.

    Returns
    -------
    RegionMap
        Resolve locations with ``resolve(country, city=reg_code)``.

    Examples
    --------
    >>> m = regpat_region_map(countries=["MO"])
    >>> m.regions, m.country("MO")
    (('MO',), 'MO')
    """
    policy = Policy("regpat_region_map", errors, ReadReport("REGPAT regions"))
    return _region_map(regions_file, countries, policy)


def _region_map(regions_file, countries, policy):
    from ..regions import RegionMap

    regions, patterns, ctrs = {}, [], set(countries)
    if regions_file is not None:
        t = read_whole_table(regions_file, sep="|", required=["ctry_code", "reg_code"],
                             optional=["reg_label"], policy=policy, report=policy.report)
        for code, ctry, label in zip(t["reg_code"].str.strip().tolist(),
                                     t["ctry_code"].str.strip().str.upper().tolist(),
                                     (t["reg_label"].str.strip() if "reg_label" in t
                                      else t["reg_code"].str.strip()).tolist()):
            if not code:
                continue
            regions[code] = (code, ctry, label)
            ctrs.add(ctry)
    for code, ctry, _label in regions.values():
        patterns.append((code, ctry, None, code))
    for c in ctrs:
        if c not in regions:
            regions[c] = (c, c, c)
    rest = {c: c for c in ctrs}
    return RegionMap("regpat", list(regions.values()), patterns, rest=rest)


def read_regpat(folder, *, regions=None, route="EPO", year="priority", channel="enterprise",
                errors="raise", citations=True, progress=None):
    """Read OECD REGPAT inventor and applicant tables.

    Parameters
    ----------
    folder : path
        Folder of one edition: ``<edition>_EPO_Inv_reg.txt``, ``<edition>_EPO_App_reg.txt``
        (required; ``PCT`` for the PCT route), ``<edition>_EPO_IPC.txt`` (years),
        ``REGPAT_Regions.txt`` and the OECD citations file ``<edition>_EP_CITATIONS.txt``
        (optional). Pipe-delimited; headers of any edition's case (``Appln_id`` or
        ``appln_id``) are read.
    regions : RegionMap or str, optional
        ``"countries"``, ``"metros"``, a region CSV path (as on the command line) or a
        RegionMap. Default :func:`ecosystem.regions.countries` (resolved by ``ctry_code``; with
        ``REGPAT_Regions.txt`` in the folder, the ``reg_label`` up to its first comma is
        the city, so metro maps such as :func:`ecosystem.regions.metros` place NUTS3
        regions named after a city).
        ``"reg_code"``: the REGPAT regions themselves (:func:`regpat_region_map`), with a
        country-level region for addresses without a region code.
    route : {"EPO", "PCT", "both"}, default "EPO"
        Which files to read. EPO and PCT overlap (Euro-PCT route): ``"both"`` keeps
        every application id once, EPO first.
    year : {"priority", "application"}, default "priority"
        Record year from the IPC file (``prio_year`` or ``app_year``); -1 without it.
    channel : str, default "enterprise"
        Channel of every record.
    errors : {"raise", "skip"}, default "raise"
    citations : bool, default True
        Read ``*_EP_CITATIONS.txt`` (``Citing_appln_id → Cited_Appln_id``); citations of
        documents without an application id (non-EP) are kept as dangling, named by
        ``Cited_pub_nbr``.
    progress : None, bool or callable, optional
        Accepted for a uniform interface.

    Returns
    -------
    ReadResult
        One row per inventor address (role ``"inventor"``, weight ``inv_share ×
        reg_share``: a person whose address maps to several regions is split over them)
        and applicant address (role ``"applicant"``, the lead, weight ``app_share ×
        reg_share``, organisation ``app_name``). Presence runs applicant region → inventor regions (cross-border
        ownership). Moves: none (REGPAT person ids are not disambiguated across
        applications).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "202208_EPO_Inv_reg.txt").write_text(
    ...     "appln_id|person_id|reg_code|ctry_code|reg_share|inv_share\\n"
    ...     "1|7|DE212|DE|1|0.5\\n1|8||FR|1|0.5\\n")
    >>> _ = (d / "202208_EPO_App_reg.txt").write_text(
    ...     "Appln_id|Person_id|Reg_code|Ctry_code|Reg_share|App_share\\n1|9|US06|US|1|1\\n")
    >>> res = read_regpat(d)
    >>> res.contributions.to_pandas()[["actor", "region", "role", "weight"]]
      actor region       role  weight
    0     7     DE   inventor     0.5
    1     8     FR   inventor     0.5
    2     9     US  applicant     1.0
    """
    import pandas as pd

    func = "read_regpat"
    if route not in _ROUTES:
        raise ParameterError(f"{func}: route must be one of 'EPO', 'PCT', 'both'; got {route!r}")
    if year not in ("priority", "application"):
        raise ParameterError(f"{func}: year must be one of 'priority', 'application'; "
                             f"got {year!r}")
    if not isinstance(folder, (str, Path)):
        raise InputTypeError(f"{func}: folder must be a path; got {type(folder).__name__}")
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(f"{func}: folder {str(folder)!r} does not exist or is not a folder")
    by_code = isinstance(regions, str) and regions == "reg_code"
    region_map = None if by_code else default_regions(regions, func)
    check_channel(func, channel)
    report = ReadReport("OECD REGPAT", licence=REGPAT_LICENCE)
    policy = Policy(func, errors, report)
    routes = ["EPO", "PCT"] if route == "both" else [route]

    frames, seen = [], set()
    for r in routes:
        for kind, share, name in (("Inv", "inv_share", "inventor"),
                                  ("App", "app_share", "applicant")):
            for path in _find(folder, f"_{r}_{kind}_reg", func, required=(route != "both")):
                t = _read(path, ["appln_id", "person_id", "ctry_code"],
                          ["reg_code", "reg_share", share, "app_name"], policy, report)
                ids, keep = int_column(t, "appln_id", t["_line"].to_numpy(), path, policy,
                                       allow_empty=False)
                t = t.loc[keep]
                w = np.ones(len(t))
                for col in ("reg_share", share):
                    if col in t:
                        v, ok = float_column(t, col, t["_line"].to_numpy(), path, policy,
                                             hi=1.0)
                        v = np.where(np.isnan(v), 1.0, v)
                        w = w * v
                        t, w = t.loc[ok], w[ok]
                    else:
                        report.note(f"{path.name}: no {col} column (taken as 1)")
                t = t.assign(_w=w, _role=name, _route=r)
                t = drop_duplicate_rows(t, ["appln_id", "person_id", "reg_code", "ctry_code"],
                                        report)
                frames.append(t)
    if not frames:
        raise ParameterError(f"{func}: no inventor or applicant file in {str(folder)!r}")
    rows = pd.concat(frames, ignore_index=True)
    rows["appln_id"] = rows["appln_id"].str.strip()
    if route == "both":
        first_route = rows.groupby("appln_id")["_route"].transform("first")
        dup = rows["_route"] != first_route
        if dup.any():
            report.note("applications in both EPO and PCT files (PCT copy dropped)",
                        int(rows.loc[dup, "appln_id"].nunique()))
        rows = rows.loc[~dup]
    seen = set(rows["appln_id"].tolist())
    report.records_read += len(seen)

    years = {}
    ipc = []
    for r in routes:
        ipc += _find(folder, f"_{r}_IPC", func, required=False)
    col = "prio_year" if year == "priority" else "app_year"
    for path in ipc:
        t = _read(path, ["appln_id", col], [], policy, report)
        y, ok = year_column(t, col, t["_line"].to_numpy(), path, policy)
        t = t.loc[ok].assign(_y=y[ok]).dropna(subset=["_y"]).drop_duplicates("appln_id")
        years.update(zip(t["appln_id"].str.strip().tolist(), t["_y"].astype(int).tolist()))
    if not ipc:
        report.note("no IPC file: record years unknown (-1)")

    ctry = rows["ctry_code"].str.strip().str.upper()
    reg = rows["reg_code"].str.strip() if "reg_code" in rows else pd.Series("", index=rows.index)
    if by_code:
        reg_files = sorted(p for p in folder.iterdir()
                           if p.name.lower().startswith("regpat_regions") and p.is_file())
        region_map = _region_map(reg_files[0] if reg_files else None,
                                 set(ctry[ctry != ""].tolist()), policy)
    frame = pd.DataFrame({
        "record": rows["appln_id"].to_numpy(), "actor": rows["person_id"].str.strip().to_numpy(),
        "role": rows["_role"].to_numpy(), "lead": (rows["_role"] == "applicant").to_numpy(),
        "weight": rows["_w"].to_numpy(),
        "org": (rows["app_name"].where(rows["_role"] == "applicant", None).to_numpy()
                if "app_name" in rows else None), "channel": channel,
        "year": rows["appln_id"].map(years).fillna(-1).astype(np.int64).to_numpy(),
        "country": ctry.to_numpy(),
        "city": reg.where(reg != "", None).to_numpy() if by_code else None})
    if not by_code:  # NUTS3/TL3 labels as place names, for metro-scale maps
        reg_files = sorted(p for p in folder.iterdir()
                           if p.name.lower().startswith("regpat_regions") and p.is_file())
        names = {}
        if reg_files:
            labels = read_whole_table(reg_files[0], sep="|", required=["reg_code"],
                                      optional=["ctry_code", "reg_label"], policy=policy,
                                      report=report)
            if "reg_label" in labels:
                names = regpat_place_names(labels["reg_code"], labels["reg_label"])
        frame["city"] = reg.map(names).where(reg != "", None).to_numpy(dtype=object)
    no_reg = int((reg == "").sum())
    if no_reg:
        report.note("addresses without reg_code (country level only)", no_reg)
    info = {"source": "OECD REGPAT", "licence": REGPAT_LICENCE, "route": route, "year": year,
            "weight": "inv_share x reg_share (applicants: app_share x reg_share)",
            "region_map": region_map.name}
    contributions = contributions_from_frame(frame, region_map, report, info)

    cit = None
    if citations:
        paths = _find(folder, "_EP_CITATIONS", func, required=False)
        if paths:
            cit = _citations(paths, policy, report, years, seen)
    return ReadResult(contributions=contributions, citations=cit, moves=None, report=report)


def _citations(paths, policy, report, years, corpus):
    import pandas as pd

    frames = [_read(p, ["citing_appln_id"], ["cited_appln_id", "cited_pub_nbr",
                                               "citn_origin", "citn_category"], policy, report)
              for p in paths]
    f = pd.concat(frames, ignore_index=True)
    cited = f["cited_appln_id"].str.strip() if "cited_appln_id" in f else pd.Series("", index=f.index)
    pub = f["cited_pub_nbr"].str.strip() if "cited_pub_nbr" in f else pd.Series("", index=f.index)
    no_id = cited == ""
    cited = cited.where(~no_id, "pub:" + pub)
    report.note("cited documents without Cited_Appln_id (named pub:<number>)", int(no_id.sum()))
    citing = f["citing_appln_id"].str.strip()
    keep = (citing != "") & (cited != "pub:") & (citing != cited)
    cat = f["citn_origin"].where(f["citn_origin"] != "", None) if "citn_origin" in f else None
    c = Citations.from_pairs(
        citing[keep].to_numpy(), cited[keep].to_numpy(),
        citing_year=citing[keep].map(years).fillna(-1).astype(int).to_numpy(),
        cited_year=cited[keep].map(years).fillna(-1).astype(int).to_numpy(),
        category=None if cat is None else cat[keep].to_numpy(), corpus=corpus,
        info={"source": "OECD citations (EP)", "category": "Citn_origin"})
    report.notes["citations"] = len(c)
    report.notes["citations outside the corpus (dangling)"] = int((~c.in_corpus).sum())
    return c
