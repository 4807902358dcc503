"""PatentsView granted-patent bulk tables (``g_*``) → Contributions, citations, moves."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..contributions import YEAR_MAX, YEAR_MIN
from ..exceptions import InputTypeError, ParameterError
from ._common import (
    Citations,
    check_channel,
    contributions_from_frame,
    default_regions,
    drop_duplicate_rows,
)
from ._io import coordinate_column, find_file, int_column, read_whole_table, report_bad_rows
from ._report import SKIP_NO_ACTORS, Policy, ReadReport, ReadResult
from .mobility import moves_from_spells

__all__ = ["read_patentsview", "PATENTSVIEW_LICENCE", "PATENTSVIEW_COUNTRY_FIXES"]

#: Attribution PatentsView asks for (print it with every result built on its data).
PATENTSVIEW_LICENCE = (
    "Data from PatentsView (USPTO), www.patentsview.org — attribution required (CC BY 4.0); "
    "location standardisation derived from OpenStreetMap/OSMNames (ODbL, share-alike for "
    "derived location tables)")

#: Legacy / non-ISO country codes met in PatentsView location tables → ISO 3166-1.
PATENTSVIEW_COUNTRY_FIXES = {"JA": "JP", "DT": "DE", "DL": "DE", "SW": "SE", "UK": "GB",
                             "EN": "GB", "SU": "RU", "YU": "RS"}

_ASSIGNEE_TYPES = {1: "unassigned", 2: "company", 3: "company", 4: "individual",
                   5: "individual", 6: "government", 7: "government", 8: "government",
                   9: "government"}


def _table(folder, stem, func, required=True):
    return find_file(folder, stem, func, required=required)


def _read_all(path, required, optional, policy, report):
    return read_whole_table(path, sep="\t", required=required, optional=optional,
                            policy=policy, report=report)


def read_patentsview(folder, *, regions=None, year="grant", channel="enterprise",
                     errors="raise", citations=True, mobility=True, progress=None, client=None):
    """Read PatentsView bulk tables: inventors, assignees, locations, citations.

    Parameters
    ----------
    folder : path
        Folder holding the ``g_*`` tables as ``.tsv`` (or the downloaded ``.tsv.zip``):
        ``g_inventor_disambiguated`` and ``g_location_disambiguated`` (required),
        ``g_patent`` (grant dates), ``g_application`` (filing dates),
        ``g_assignee_disambiguated``, ``g_us_patent_citation`` (optional). Releases
        whose ``g_inventor_disambiguated`` has no ``location_id`` (2022-era layout) are
        read through ``g_inventor_not_disambiguated.rawlocation_id`` →
        ``g_location_not_disambiguated.location_id``. Every column is read as a string
        (patent ids such as ``D0912345`` and FIPS codes keep their letters and zeros).
    regions : RegionMap or str, optional
        ``"countries"``, ``"metros"`` or a region CSV path as on the command
        line, or a RegionMap. Default :func:`ecosystem.regions.countries`. Locations are resolved by country,
        state (admin1), city and county FIPS, and by latitude and longitude (the
        nearest gazetteer place) where the names match no region.
    year : {"grant", "filing"}, default "grant"
        Record year: grant year (``g_patent.patent_date``) or filing year
        (``g_application.filing_date``, closer to the invention).
    channel : str, default "enterprise"
        Channel of every patent.
    errors : {"raise", "skip"}, default "raise"
    citations : bool, default True
        Read ``g_us_patent_citation`` into the ``citing → cited`` layer.
    mobility : bool, default True
        Derive inventor moves from the same ``inventor_id`` at different locations in
        different years (see :func:`ecosystem.readers.moves_from_spells`).
    progress : None, bool or callable, optional
        Accepted for a uniform interface; tables are read in chunks without a bar.
        With ``client``: Dask's progress bar over the folders.
    client : distributed.Client or str, optional
        Read on a Dask cluster (a client, ``"local:N"`` or a scheduler address):
        ``folder`` may then be a list of folders (partitions, e.g. one per grant year),
        each read by one task and reduced to region flows on the workers; returns a
        :class:`~ecosystem.distributed.DistributedRead` (no citations or moves; see
        :mod:`ecosystem.distributed`).

    Returns
    -------
    ReadResult
        Contributions: one row per inventor (role ``"inventor"``, weight ``1/n``
        inventors) and per assignee (role ``"applicant"``, the lead — the owner — weight
        ``1/n`` assignees, so co-assigned patents are split equally); a patent with no
        assignee row (inventor-owned) has inventors only, i.e. undirected co-invention.
        Presence runs assignee region → inventor regions: foreign ownership of domestic
        inventions and domestic ownership of inventions made abroad. Inventors without a
        location are dropped (counted, share in ``report.unknown_share``).

    Notes
    -----
    PatentsView requires attribution: ``report.licence`` holds the line to print.
    Legacy country codes are corrected with :data:`PATENTSVIEW_COUNTRY_FIXES` (counted
    in ``report.notes``). Assignee types (1 unassigned, 2/3 company, 4/5 individual,
    6–9 government; a leading 1 marks a part interest) become the organisation type.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "g_inventor_disambiguated.tsv").write_text(
    ...     "patent_id\\tinventor_sequence\\tinventor_id\\tlocation_id\\n"
    ...     "1\\t0\\tinv1\\tL1\\n1\\t1\\tinv2\\tL2\\n")
    >>> _ = (d / "g_location_disambiguated.tsv").write_text(
    ...     "location_id\\tdisambig_city\\tdisambig_state\\tdisambig_country\\n"
    ...     "L1\\tShenzhen\\t\\tCN\\nL2\\tHong Kong\\t\\tHK\\n")
    >>> _ = (d / "g_assignee_disambiguated.tsv").write_text(
    ...     "patent_id\\tassignee_sequence\\tassignee_id\\tassignee_type\\tlocation_id\\n"
    ...     "1\\t0\\tasg1\\t3\\tL1\\n")
    >>> res = read_patentsview(d)
    >>> res.contributions.to_pandas()[["actor", "region", "role", "lead", "weight"]]
      actor region      role   lead  weight
    0  asg1     CN  applicant   True     1.0
    1  inv1     CN   inventor  False     0.5
    2  inv2     HK   inventor  False     0.5
    """
    import pandas as pd

    func = "read_patentsview"
    region_map = default_regions(regions, func)
    if year not in ("grant", "filing"):
        raise ParameterError(f"{func}: year must be one of 'grant', 'filing'; got {year!r}")
    check_channel(func, channel)
    if client is not None:  # one Dask task per folder (ecosystem.distributed)
        from ..distributed import read_partitions

        return read_partitions(read_patentsview, folder if isinstance(folder, (list, tuple))
                               else [folder], client=client, progress=progress, kwargs=dict(
                                   regions=region_map, year=year, channel=channel, errors=errors))
    folder = Path(folder) if isinstance(folder, (str, Path)) else None
    if folder is None:
        raise InputTypeError(f"{func}: folder must be a path")
    if not folder.is_dir():
        raise ParameterError(f"{func}: folder {str(folder)!r} does not exist or is not a folder")
    report = ReadReport("PatentsView", licence=PATENTSVIEW_LICENCE)
    policy = Policy(func, errors, report)

    # ---- locations
    loc_path = _table(folder, "g_location_disambiguated", func)
    loc = _read_all(loc_path, ["location_id", "disambig_country"],
                    ["disambig_city", "disambig_state", "county", "county_fips", "state_fips",
                     "latitude", "longitude"],
                    policy, report)
    for col in ("disambig_city", "disambig_state", "county", "county_fips", "latitude",
                "longitude"):
        if col not in loc:
            loc[col] = ""
    for col, limit in (("latitude", 90), ("longitude", 180)):
        loc[col] = coordinate_column(loc, col, loc["_line"].to_numpy(), loc_path, policy, limit)
    ctry = loc["disambig_country"].str.strip().str.upper()
    fixed = ctry.isin(list(PATENTSVIEW_COUNTRY_FIXES))
    if fixed.any():
        report.note("legacy country codes corrected", int(fixed.sum()))
        ctry = ctry.replace(PATENTSVIEW_COUNTRY_FIXES)
    loc["country"] = ctry
    loc["county_key"] = np.where(loc["county_fips"].str.strip() != "", loc["county_fips"],
                                 loc["county"])
    loc = loc.drop_duplicates("location_id").set_index("location_id")

    # ---- years
    years = {}
    if year == "grant":
        pt = _table(folder, "g_patent", func, required=False)
        if pt is not None:
            g = _read_all(pt, ["patent_id", "patent_date"], [], policy, report)
            years = _years(g, "patent_date", pt, policy)
    else:
        ap = _table(folder, "g_application", func)
        g = _read_all(ap, ["patent_id", "filing_date"], [], policy, report)
        years = _years(g, "filing_date", ap, policy)

    # ---- inventors
    inv_path = _table(folder, "g_inventor_disambiguated", func)
    inv = _read_all(inv_path, ["patent_id", "inventor_id"], ["inventor_sequence", "location_id"],
                    policy, report)
    if "inventor_sequence" in inv:
        seq, keep = int_column(inv, "inventor_sequence", inv["_line"].to_numpy(), inv_path,
                               policy)
        inv = inv.loc[keep]
    # the same inventor twice on a patent would halve everyone's share: keep the first
    inv = drop_duplicate_rows(inv, ["patent_id", "inventor_id"], report)
    if "location_id" not in inv and str(inv_path) in policy.damaged:
        inv["location_id"] = ""   # the table was damaged before its header (counted)
    if "location_id" not in inv:
        inv = _old_layout_locations(folder, inv, func, policy, report)
        report.note("inventor locations via g_inventor_not_disambiguated (old layout)",
                    len(inv))
    # ---- assignees
    asg = None
    asg_path = _table(folder, "g_assignee_disambiguated", func, required=False)
    if asg_path is not None:
        asg = _read_all(asg_path, ["patent_id", "assignee_id"],
                        ["assignee_sequence", "assignee_type", "location_id",
                         "disambig_assignee_organization"], policy, report)
        if "assignee_type" in asg:
            t, keep = int_column(asg, "assignee_type", asg["_line"].to_numpy(), asg_path, policy)
            asg = asg.loc[keep]
            t = t[keep]
            base = np.where(np.isnan(t), -1, np.where(t >= 10, t - 10, t)).astype(int)
            asg["org_type"] = [_ASSIGNEE_TYPES.get(b, None) for b in base]
            if (t >= 10).any():
                report.note("assignee part interests (type 1x)", int((t >= 10).sum()))
        if "location_id" not in asg:
            asg["location_id"] = ""
        asg = drop_duplicate_rows(asg, ["patent_id", "assignee_id"], report)

    # ---- rows
    def located(frame):
        lid = frame["location_id"].str.strip()
        has = lid.isin(loc.index)
        unknown_id = (lid != "") & ~has
        if unknown_id.any():
            report.note("location_id not in g_location_disambiguated", int(unknown_id.sum()))
        ref = loc.reindex(lid.where(has, None))
        return ref

    n_inv = inv.groupby("patent_id")["inventor_id"].transform("size").to_numpy()
    ref = located(inv)
    inv_rows = pd.DataFrame({
        "record": inv["patent_id"].to_numpy(), "actor": inv["inventor_id"].to_numpy(),
        "role": "inventor", "lead": False, "weight": 1.0 / n_inv, "org": None,
        "country": ref["country"].to_numpy(), "admin1": ref["disambig_state"].to_numpy(),
        "city": ref["disambig_city"].to_numpy(), "county": ref["county_key"].to_numpy(),
        "lat": ref["latitude"].to_numpy(), "lon": ref["longitude"].to_numpy()})
    frames = [inv_rows]
    if asg is not None and len(asg):
        n_asg = asg.groupby("patent_id")["assignee_id"].transform("size").to_numpy()
        ref = located(asg)
        frames.append(pd.DataFrame({
            "record": asg["patent_id"].to_numpy(), "actor": asg["assignee_id"].to_numpy(),
            "role": "applicant", "lead": True, "weight": 1.0 / n_asg,
            "org": asg["assignee_id"].to_numpy(),
            "country": ref["country"].to_numpy(), "admin1": ref["disambig_state"].to_numpy(),
            "city": ref["disambig_city"].to_numpy(), "county": ref["county_key"].to_numpy(),
        "lat": ref["latitude"].to_numpy(), "lon": ref["longitude"].to_numpy()}))
        owned = set(asg["patent_id"].tolist())
        report.note("patents without assignee (inventor-owned)",
                    len(set(inv["patent_id"].tolist()) - owned))
    rows = pd.concat(frames, ignore_index=True)
    rows["channel"] = channel
    rows["year"] = rows["record"].map(years).fillna(-1).astype(np.int64) if years else -1
    patents = set(rows["record"].tolist())
    # records: patents with inventor or assignee rows, and patents of the years table
    # without any (skipped as "no actors"); malformed rows were counted by the policy
    without = len(set(years) - patents)
    report.records_read += len(patents) + without
    if without:
        report.skip(SKIP_NO_ACTORS, without)
    info = {"source": "PatentsView", "licence": PATENTSVIEW_LICENCE, "year": year,
            "weight": "1/n inventors; 1/n assignees (owners, the lead)",
            "region_map": getattr(region_map, "name", None)}
    contributions = contributions_from_frame(rows, region_map, report, info)

    # ---- moves
    moves = None
    if mobility:
        moves = _moves(contributions, report)
    # ---- citations
    cit = None
    if citations:
        cp = _table(folder, "g_us_patent_citation", func, required=False)
        if cp is not None:
            cit = _citations(cp, policy, report, years, patents)
    return ReadResult(contributions=contributions, citations=cit, moves=moves, report=report)


def _years(frame, col, path, policy):
    """patent_id -> year from ISO dates; malformed dates go to the policy."""
    y = pd_year(frame[col])
    bad = (y.isna() & (frame[col].str.strip() != "")).to_numpy()
    report_bad_rows(bad, frame[col], frame["_line"].to_numpy(), path, policy, col,
                    lambda v: f"{v!r} is not a date (YYYY-MM-DD, year in "
                              f"{YEAR_MIN}..{YEAR_MAX})")
    good = y.notna()
    return dict(zip(frame["patent_id"][good].tolist(), y[good].astype(int).tolist()))


def _old_layout_locations(folder, inv, func, policy, report):
    """location_id of inventors from the not-disambiguated tables (2022-era releases)."""
    nd = _table(folder, "g_inventor_not_disambiguated", func)
    raw = _table(folder, "g_location_not_disambiguated", func)
    a = _read_all(nd, ["patent_id", "inventor_sequence", "rawlocation_id"], [], policy, report)
    b = _read_all(raw, ["rawlocation_id", "location_id"], [], policy, report)
    if "inventor_sequence" not in inv:
        raise ParameterError(f"{func}: the old layout needs inventor_sequence in "
                             "g_inventor_disambiguated to join g_inventor_not_disambiguated")
    m = a.merge(b.drop_duplicates("rawlocation_id"), on="rawlocation_id", how="left")
    m = m[["patent_id", "inventor_sequence", "location_id"]].drop_duplicates(
        ["patent_id", "inventor_sequence"])
    out = inv.merge(m, on=["patent_id", "inventor_sequence"], how="left")
    out["location_id"] = out["location_id"].fillna("")
    return out


def _moves(c, report):
    """Inventor moves between regions across grant years (role inventor rows)."""
    import pandas as pd

    inv = c.labels["role"].index("inventor") if "inventor" in c.labels["role"] else -1
    m = (c.role == inv) & (c.year >= 0)
    mv = moves_from_spells(c.actor[m], c.year[m], c.region[m])
    actors = np.asarray(c.labels["actor"], dtype=object)
    regs = np.asarray(c.labels["region"], dtype=object)
    report.notes["talent moves"] = mv.n_moves
    return pd.DataFrame({"person": actors[mv.person], "origin": regs[mv.origin],
                         "destination": regs[mv.destination], "year": mv.year.astype(np.int32),
                         "weight": mv.weight, "move": mv.move, "source": "PatentsView inventors"})


def _citations(path, policy, report, years, patents):
    frame = _read_all(path, ["patent_id", "citation_patent_id"],
                      ["citation_category", "citation_date"], policy, report)
    frame = frame[(frame["patent_id"] != "") & (frame["citation_patent_id"] != "")]
    self_cit = frame["patent_id"] == frame["citation_patent_id"]
    if self_cit.any():
        report.note("self-citations dropped", int(self_cit.sum()))
        frame = frame[~self_cit]
    corpus = patents | set(years)
    cited_year = frame["citation_patent_id"].map(years)
    if "citation_date" in frame:
        from_date = pd_year(frame["citation_date"])
        cited_year = cited_year.fillna(from_date)
    c = Citations.from_pairs(
        frame["patent_id"].to_numpy(), frame["citation_patent_id"].to_numpy(),
        citing_year=frame["patent_id"].map(years).fillna(-1).astype(int).to_numpy(),
        cited_year=cited_year.fillna(-1).astype(int).to_numpy(),
        category=frame["citation_category"].to_numpy() if "citation_category" in frame else None,
        corpus=corpus, info={"source": "PatentsView g_us_patent_citation",
                             "cited_year": "from the corpus, else citation_date"})
    report.notes["citations"] = len(c)
    report.notes["citations outside the corpus (dangling)"] = int((~c.in_corpus).sum())
    return c


def pd_year(dates):
    """Years of ISO dates (``YYYY-...``) as floats; NaN when not a year in range."""
    import pandas as pd

    y = dates.str.strip().str.slice(0, 4)
    v = pd.to_numeric(y.where(y.str.fullmatch(r"[0-9]{4}"), None), errors="coerce")
    return v.where((v >= YEAR_MIN) & (v <= YEAR_MAX))

