"""The descriptive overview a bibliometrician looks at first.

:func:`overview` gives, for the records of a :class:`~ecosystem.Contributions` (or a
reader's result): records per year, the top countries (records, fractional records,
single- and multiple-country publications, MCP share) and the top institutions — the
counterpart of bibliometrix's ``biblioAnalysis`` summary. A record is a *multiple-country
publication* (MCP) when its contributions lie in two or more countries, else a single-
country publication (SCP); records without any located contribution are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from .exceptions import InputTypeError

__all__ = ["overview", "Overview"]


@dataclass(frozen=True)
class Overview:
    """Descriptive tables of a set of records (see :func:`overview`).

    Attributes
    ----------
    totals : dict
        ``records``, ``contributions``, ``actors``, ``countries``, ``institutions``,
        ``first_year``, ``last_year``, ``mcp`` (records with two or more countries) and
        ``mcp_share``.
    years : pandas.DataFrame
        Per publication year: ``records``, ``mcp``, ``mcp_share``.
    countries : pandas.DataFrame
        Top countries: ``country``, ``records`` (records touching the country, full
        count), ``fractional`` (the country's share of its records' contribution
        weight), ``scp``, ``mcp``, ``mcp_share``, most records first.
    institutions : pandas.DataFrame
        Top institutions (``org``): ``records`` and ``countries`` (its countries,
        ``;``-joined), most records first.
    """

    totals: dict
    years: object
    countries: object
    institutions: object

    def __str__(self):
        t = self.totals
        span = (f"{t['first_year']}-{t['last_year']}" if t["first_year"] is not None
                else "no years")
        return (f"{t['records']:,} records ({span}), {t['contributions']:,} contributions, "
                f"{t['actors']:,} actors, {t['countries']} countries, {t['institutions']:,} "
                f"institutions; multiple-country publications {t['mcp']:,} "
                f"({t['mcp_share']:.1%})")

    def _repr_html_(self):
        import html

        parts = [f"<p>{html.escape(str(self))}</p>"]
        for title, frame in (("Records per year", self.years), ("Top countries", self.countries),
                             ("Top institutions", self.institutions)):
            parts.append(f"<h4>{title}</h4>"
                         + frame.to_html(index=False, float_format=lambda x: f"{x:.3f}"))
        return "<div>" + "".join(parts) + "</div>"


def overview(data, *, top=10):
    """Count records per year, top countries and institutions, and the MCP share.

    Parameters
    ----------
    data : Contributions or ReadResult
        Records (a reader's result is accepted as it is).
    top : int, default 10
        Rows of the country and institution tables.

    Returns
    -------
    Overview
        ``totals``, ``years``, ``countries`` and ``institutions`` (printing it gives a
        one-line summary; notebooks show the tables).

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.summary import overview
    >>> c = eco.Contributions.from_arrays(
    ...     record=["p1", "p1", "p2", "p3"], actor=["a", "b", "c", "d"],
    ...     region=["US", "JP", "US", "CN"], year=[2020, 2020, 2021, 2021])
    >>> o = overview(c)
    >>> print(o)
    3 records (2020-2021), 4 contributions, 4 actors, 3 countries, 0 institutions; multiple-country publications 1 (33.3%)
    >>> o.countries
      country  records  fractional  scp  mcp  mcp_share
    0      US        2         1.5    1    1        0.5
    1      CN        1         1.0    1    0        0.0
    2      JP        1         0.5    0    1        1.0
    """
    import numpy as np
    import pandas as pd

    from .contributions import Contributions

    c = getattr(data, "contributions", data)
    if not isinstance(c, Contributions):
        raise InputTypeError(f"overview: data must be Contributions or a reader's result; got "
                             f"{type(data).__name__}")
    t = c.to_pandas()
    t = t[t["region"].notna()]
    m = c.region_map
    if m is not None:
        country_of = dict(zip(m.regions, m.countries))
    else:
        country_of = c.info.get("countries") if isinstance(c.info.get("countries"), dict) else {}
    region = t["region"].astype(object)
    t["country"] = [str(country_of.get(r, r)) for r in region]
    w = t["weight"].astype(float)
    total = w.groupby(t["record"]).transform("sum")
    t["share"] = np.where(total > 0, w / total.where(total > 0, 1), 0.0)
    per_record = t.groupby("record")["country"].nunique()
    mcp_records = set(per_record.index[per_record >= 2])
    t["mcp"] = t["record"].isin(mcp_records)
    rc = t.drop_duplicates(["record", "country"])
    countries = rc.groupby("country").agg(records=("record", "size"), mcp=("mcp", "sum"))
    countries["fractional"] = t.groupby("country")["share"].sum()
    countries["scp"] = countries["records"] - countries["mcp"]
    countries["mcp_share"] = countries["mcp"] / countries["records"]
    countries = countries.reset_index().sort_values(["records", "fractional", "country"],
                                                    ascending=[False, False, True])
    countries = countries[["country", "records", "fractional", "scp", "mcp", "mcp_share"]]
    countries = countries.head(top).reset_index(drop=True)
    recs = t.drop_duplicates("record")
    has_year = "year" in recs and (recs["year"].fillna(-1) > 0).any()
    if has_year:
        ry = recs[recs["year"].fillna(-1) > 0]
        years = ry.groupby("year").agg(records=("record", "size"), mcp=("mcp", "sum"))
        years["mcp_share"] = years["mcp"] / years["records"]
        years = years.reset_index()
        years["year"] = years["year"].astype(int)
    else:
        years = pd.DataFrame({"year": [], "records": [], "mcp": [], "mcp_share": []})
    orgs = t[t["org"].notna() & (t["org"].astype(str) != "")] if "org" in t else t.iloc[:0]
    if len(orgs):
        ro = orgs.drop_duplicates(["record", "org"])
        institutions = ro.groupby("org").agg(
            records=("record", "size"),
            countries=("country", lambda s: ";".join(sorted(set(s))))).reset_index()
        institutions = institutions.sort_values(["records", "org"], ascending=[False, True])
        institutions = institutions.head(top).reset_index(drop=True)
    else:
        institutions = pd.DataFrame({"org": [], "records": [], "countries": []})
    n = int(recs["record"].nunique())
    totals = {"records": n, "contributions": int(len(t)), "actors": int(t["actor"].nunique()),
              "countries": int(t["country"].nunique()),
              "institutions": int(orgs["org"].nunique()) if len(orgs) else 0,
              "first_year": int(years["year"].min()) if len(years) else None,
              "last_year": int(years["year"].max()) if len(years) else None,
              "mcp": len(mcp_records), "mcp_share": len(mcp_records) / n if n else 0.0}
    return Overview(totals=totals, years=years, countries=countries, institutions=institutions)
