"""Bundled real datasets (with their licences) for examples, tests and the demo.

Every loader records its provenance in the result's ``info`` (``source``, ``licence``,
``citation``), so tables and reports built from it carry the attribution.
"""

from importlib import resources

import numpy as np

from .flows import RegionFlows

__all__ = [
    "scholarly_migration",
    "scholarly_migration_table",
    "scholarly_migration_countries",
    "planted",
    "coauthorship_table",
    "coauthorship",
    "coauthorship_totals",
    "seed_records",
    "MPIDR_CITATION",
    "NCSES_CITATION",
]

#: Attribution required by the CC BY 4.0 licence of the MPIDR Scholarly Migration Database.
MPIDR_CITATION = (
    "Akbaritabar, A., Theile, T. & Zagheni, E. (2024). Bilateral flows and rates of "
    "international migration of scholars for 210 countries for the period 1998-2020. "
    "Scientific Data 11, 816. doi:10.1038/s41597-024-03655-9. Data: MPIDR Scholarly "
    "Migration Database (Scopus 2024 V1), CC BY 4.0; bundled as a compressed copy of the "
    "country-to-country flows (columns year, origin_iso3, destination_iso3, n_migrations)."
)
_MPIDR_INFO = {
    "source": "MPIDR Scholarly Migration Database, Scopus 2024 V1",
    "licence": "CC BY 4.0",
    "citation": MPIDR_CITATION,
}


def _open(name):
    return resources.files("ecosystem").joinpath("_data", name).open("rb")


def scholarly_migration_table():
    """The bundled MPIDR country-to-country scholar migration flows as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        92,980 rows: ``year`` (1998–2018), ``origin_iso3``, ``destination_iso3``,
        ``n_migrations`` (scholars whose modal affiliation country changed from origin
        to destination that year). ``attrs`` carries source, licence and citation.

    Examples
    --------
    >>> import ecosystem as eco
    >>> table = eco.datasets.scholarly_migration_table()
    >>> len(table), int(table.year.min()), int(table.year.max())
    (92980, 1998, 2018)
    """
    import pandas as pd

    with _open("mpidr_scopus_countryflows.csv.gz") as f:
        table = pd.read_csv(f, compression="gzip")
    table.attrs.update(_MPIDR_INFO)
    return table


def scholarly_migration(window=None):
    """Talent flows between countries: the MPIDR scholar migration data as RegionFlows.

    Parameters
    ----------
    window : (int, int), optional
        Inclusive years to sum (default: all, 1998–2018).

    Returns
    -------
    RegionFlows
        Channel ``"talent"``, regions = ISO 3166-1 alpha-3 codes (each its own
        country), ``presence[o, d]`` = scholars moving from o to d (origin → destination
        is the presence direction of talent).

    Examples
    --------
    >>> import ecosystem as eco
    >>> flows = eco.datasets.scholarly_migration(window=(2014, 2018))
    >>> v = flows.volumes().set_index("region")
    >>> int(v.loc["JPN", "inbound"]), int(v.loc["JPN", "outbound"])
    (14039, 17185)
    """
    table = scholarly_migration_table()
    info = dict(_MPIDR_INFO, dataset="scholarly_migration")
    return RegionFlows.from_pandas(table, source="origin_iso3", target="destination_iso3",
                                   weight="n_migrations", time="year", window=window,
                                   channel="talent", info=info)


def scholarly_migration_countries(window=None):
    """Researcher population and migration counts per country (MPIDR, Scopus 2024 V1).

    Parameters
    ----------
    window : (int, int), optional
        Inclusive years to keep (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per country: ``country`` (ISO-3), ``name``, ``researchers`` (mean
        padded researcher population over the window's years), ``inmigrations``,
        ``outmigrations`` (sums). ``attrs`` carries source, licence and citation.
        These country totals come from MPIDR's country file and can exceed the sums of
        the bilateral flows of :func:`scholarly_migration` (Japan 2014–2018: 17,444
        out-migrations here, 17,185 in the flows), which list only identified
        origin–destination pairs.

    Examples
    --------
    >>> import ecosystem as eco
    >>> people = eco.datasets.scholarly_migration_countries(window=(2014, 2018))
    >>> int(people.set_index("country").loc["JPN", "outmigrations"])
    17444
    """
    import pandas as pd

    with _open("mpidr_scopus_countries.csv.gz") as f:
        t = pd.read_csv(f, compression="gzip")
    if window is not None:
        t = t[(t.year >= window[0]) & (t.year <= window[1])]
    t = t.dropna(subset=["countrycode"])
    out = t.groupby("countrycode").agg(
        name=("countryname", "first"),
        researchers=("padded_population_of_researchers", "mean"),
        inmigrations=("number_of_inmigrations", "sum"),
        outmigrations=("number_of_outmigrations", "sum"),
    ).reset_index().rename(columns={"countrycode": "country"})
    out["researchers"] = np.round(out["researchers"], 1)
    out.attrs.update(_MPIDR_INFO)
    return out


# ------------------------------------------------------------------------------------
# NCSES co-authorship pair tables (US public domain).
# ------------------------------------------------------------------------------------

#: Attribution requested (not required: US federal works are public domain) for the
#: NCSES co-authorship tables.
NCSES_CITATION = (
    "National Science Board, National Center for Science and Engineering Statistics (2023). "
    "Science and Engineering Indicators: Publications Output, tables SPBS-35 and SPBS-36 "
    "(internationally coauthored S&E articles by country pair). Data: Science-Metrix, "
    "Elsevier Scopus. U.S. federal work, public domain; bundled as a compressed copy of "
    "the pair tables (columns year, country_a, country_b, coauthored_articles)."
)
_NCSES_INFO = {
    "source": "NSF/NCSES Science and Engineering Indicators (Science-Metrix, Scopus)",
    "licence": "public domain (U.S. federal government work); credit requested",
    "citation": NCSES_CITATION,
}
_NCSES_FILES = {"2003_2022": "ncses_coauthorship_2003_2022.csv.gz",
                "1996_2020": "ncses_coauthorship_1996_2020.csv.gz"}
_NCSES_ALIASES = {"russia": "RUS", "turkey": "TUR", "world": "WLD"}


def _iso3_by_name():
    import csv

    with resources.files("ecosystem").joinpath("_data", "iso3166.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        out = {}
        for r in rows:
            for name in (r["name"], r["common_name"]):
                if name:
                    out[name.lower()] = r["alpha3"]
    out.update(_NCSES_ALIASES)
    return out


def coauthorship_table(edition="2003_2022"):
    """The bundled NCSES internationally co-authored article counts by country pair.

    Parameters
    ----------
    edition : {"2003_2022", "1996_2020"}, default "2003_2022"
        NCSES table SPBS-35 (years 2003 and 2022, Scopus accessed April 2023) or
        SPBS-36 (1996 and 2020, May 2021).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``country_a``, ``country_b`` (NCSES names), ``iso3_a``, ``iso3_b``
        (ISO 3166-1 alpha-3; ``"WLD"`` for World), ``coauthored_articles`` (whole
        counts: an article with authors in A and B counts once for the pair). Both
        orientations of every pair are present; ``country_a == "World"`` rows give a
        country's total internationally co-authored articles. Countries with under 1 %
        of the world's international co-authored articles are not listed. ``attrs``
        carries source, licence and citation.

    Examples
    --------
    >>> import ecosystem as eco
    >>> t = eco.datasets.coauthorship_table()
    >>> row = t[(t.year == 2022) & (t.iso3_a == "USA") & (t.iso3_b == "CHN")]
    >>> int(row.coauthored_articles.iloc[0])
    58546
    """
    import pandas as pd

    from .exceptions import ParameterError

    if edition not in _NCSES_FILES:
        raise ParameterError(f"coauthorship_table: edition must be one of {list(_NCSES_FILES)}; "
                             f"got {edition!r}")
    with _open(_NCSES_FILES[edition]) as f:
        t = pd.read_csv(f, compression="gzip")
    codes = _iso3_by_name()
    for side in ("a", "b"):
        t.insert(len(t.columns) - 1, f"iso3_{side}", t[f"country_{side}"].str.lower().map(codes))
    missing = sorted(set(t.loc[t.iso3_a.isna(), "country_a"]) | set(t.loc[t.iso3_b.isna(), "country_b"]))
    if missing:  # pragma: no cover - guards the bundled file
        raise ValueError(f"coauthorship_table: no ISO code for {missing}")
    t.attrs.update(_NCSES_INFO, edition=edition)
    return t


def coauthorship(year=2022):
    """International co-authorship between countries (NCSES) as undirected RegionFlows.

    Parameters
    ----------
    year : {2022, 2003, 2020, 1996}, default 2022

    Returns
    -------
    RegionFlows
        Channel ``"academic"``, regions = ISO-3 codes of the listed countries (each its
        own country), ``copresence[a, b]`` = articles co-authored by A and B (whole
        counts, symmetric), no presence (NCSES gives no lead author), no internal volume
        (NCSES gives no domestic article counts), ``counting="given"``.

    Examples
    --------
    >>> import ecosystem as eco
    >>> f = eco.datasets.coauthorship(2022)
    >>> i, j = f.regions.index("USA"), f.regions.index("JPN")
    >>> int(f.copresence[0, i, j])
    12828
    """
    from .exceptions import ParameterError

    editions = {2022: "2003_2022", 2003: "2003_2022", 2020: "1996_2020", 1996: "1996_2020"}
    if year not in editions:
        raise ParameterError(f"coauthorship: year must be one of {sorted(editions)}; got {year!r}")
    t = coauthorship_table(editions[year])
    t = t[(t.year == year) & (t.iso3_a != "WLD") & (t.iso3_b != "WLD")]
    regions = tuple(sorted(set(t.iso3_a) | set(t.iso3_b)))
    index = {r: i for i, r in enumerate(regions)}
    R = len(regions)
    co = np.zeros((1, R, R))
    co[0, t.iso3_a.map(index).to_numpy(), t.iso3_b.map(index).to_numpy()] = \
        t.coauthored_articles.to_numpy(dtype=float)
    co[0] = np.maximum(co[0], co[0].T)
    info = dict(_NCSES_INFO, dataset="coauthorship", window=(year, year),
                convention="co-presence: undirected co-authorship counts (whole counting)")
    return RegionFlows(regions=regions, countries=regions, parents=(None,) * R,
                       channels=("academic",), presence=np.zeros((1, R, R)), copresence=co,
                       internal=np.zeros((1, R)), size=None, counting="given", info=info)


def coauthorship_totals(edition="2003_2022"):
    """Internationally co-authored articles per country, both years of an NCSES edition.

    Parameters
    ----------
    edition : {"2003_2022", "1996_2020"}, default "2003_2022"

    Returns
    -------
    pandas.DataFrame
        One row per country: ``country`` (ISO-3), ``name``, the total for each year
        (columns named by year), ``growth`` (ratio last / first year), ``partners``
        (listed partner countries with at least one article in the last year),
        ``top_partner`` and ``top_share`` (its share of the pair-table sum) and
        ``hhi`` (Herfindahl index of the partner shares, 0–1; low = spread over many
        partners) in the last year. ``attrs`` carries source, licence and citation.

    Examples
    --------
    >>> import ecosystem as eco
    >>> t = eco.datasets.coauthorship_totals().set_index("country")
    >>> t.loc["JPN", "top_partner"]
    'USA'
    """
    import pandas as pd

    t = coauthorship_table(edition)
    first, last = sorted(t.year.unique())
    world = t[t.iso3_a == "WLD"].pivot_table(index=["iso3_b", "country_b"], columns="year",
                                             values="coauthored_articles", aggfunc="sum")
    world = world.reset_index().rename(columns={"iso3_b": "country", "country_b": "name"})
    world.columns = [str(c) for c in world.columns]
    world["growth"] = world[str(last)] / world[str(first)]
    pairs = t[(t.year == last) & (t.iso3_a != "WLD") & (t.iso3_b != "WLD")]
    rows = []
    for code, sub in pairs.groupby("iso3_a"):
        v = sub.set_index("iso3_b").coauthored_articles.astype(float)
        v = v[v > 0]
        share = v / v.sum()
        rows.append((code, int(len(v)), share.idxmax(), float(share.max()), float((share ** 2).sum())))
    extra = pd.DataFrame(rows, columns=["country", "partners", "top_partner", "top_share", "hhi"])
    out = world.merge(extra, on="country", how="left")
    out.attrs.update(_NCSES_INFO, edition=edition)
    return out


# ------------------------------------------------------------------------------------
# Synthetic multi-channel records for the four seed regions (tutorials only).
# ------------------------------------------------------------------------------------

_SEED_SYNTHETIC = (  # planted region slot -> (region, country); planted pairs slots by country
    ("SFBA", "US"), ("NYC", "US"), ("GTKY", "JP"), ("KNS", "JP"), ("GBA", "CN"), ("BJ", "CN"),
    ("LDN", "GB"), ("OXC", "GB"), ("BER", "DE"), ("MUC", "DE"), ("SEL", "KR"), ("DJN", "KR"),
    ("BLR", "IN"), ("DEL", "IN"), ("SGP", "SG"), ("SGW", "SG"),
)


def seed_records(records_per_region=300, *, seed=0):
    """SYNTHETIC multi-channel records for the four seed regions and twelve partners.

    Not real data: generated by :func:`planted` (16 regions in 8 countries, talent,
    academic and enterprise channels, 2016–2020) and relabelled with the seed regions
    (SFBA, NYC, GTKY, GBA) and invented partner regions, for tutorials and tests. The
    planted types are random draws, not statements about the real regions.

    Parameters
    ----------
    records_per_region : float, default 300
        Mean records each region leads per channel.
    seed : int, default 0
        Seed of the generator (the same seed gives the same records).

    Returns
    -------
    records : pandas.DataFrame
        One row per contribution: ``record``, ``actor``, ``org``, ``region``,
        ``country`` (ISO alpha-2), ``channel``, ``year``, ``lead``; ``attrs["synthetic"]``
        is True and ``attrs["source"]`` says so.
    truth : pandas.DataFrame
        The planted label of every region and channel (see :func:`planted`).

    Examples
    --------
    >>> import ecosystem as eco
    >>> records, truth = eco.datasets.seed_records()
    >>> records.attrs["synthetic"], sorted(set(records.channel))
    (True, ['academic', 'enterprise', 'talent'])
    """
    contributions, truth = planted(n_regions=16, records_per_region=records_per_region,
                                   n_countries=8, seed=seed, years=(2016, 2020))
    rename = {f"R{i:03d}": name for i, (name, _) in enumerate(_SEED_SYNTHETIC)}
    country = dict(_SEED_SYNTHETIC)
    records = contributions.to_pandas()[["record", "actor", "org", "region", "channel", "year",
                                         "lead"]]
    records["region"] = records["region"].map(rename)
    records.insert(4, "country", records["region"].map(country))
    truth = truth.assign(region=truth.region.map(rename), country=truth.region.map(rename).map(country))
    info = {"source": "ecosystem.datasets.seed_records (SYNTHETIC, generated by planted)",
            "licence": "synthetic data, no licence needed", "synthetic": True, "seed": int(seed),
            "citation": "Synthetic records generated by ecosystem; not real data."}
    records.attrs.update(info)
    truth.attrs.update(info)
    return records, truth


# ------------------------------------------------------------------------------------
# Planted data: record-level contributions with known types (validation of classify).
# ------------------------------------------------------------------------------------

#: Per-type exchange propensities of :func:`planted` at full signal, per record led by
#: the region: outbound ``alpha`` (led by r, partners abroad, drawn by the partners'
#: attractiveness), attractiveness ``beta`` (inbound pull), circulation ``gamma``
#: (two-way exchange with a few partner hubs, half of it in each direction).
PLANTED_TYPES = {
    "hub": {"alpha": 0.10, "beta": 0.10, "gamma": 0.30},
    "introduction": {"alpha": 0.05, "beta": 0.20, "gamma": 0.0},
    "outbound": {"alpha": 0.20, "beta": 0.05, "gamma": 0.0},
    "local": {"alpha": 0.03, "beta": 0.03, "gamma": 0.0},
}
_PLANTED_ORDER = ("hub", "introduction", "outbound", "local")


def planted(n_regions=200, records_per_region=1000, *, signal=1.0, n_countries=None,
            channels=("talent", "academic", "enterprise"), type_shares=(0.25, 0.30, 0.30, 0.15),
            agreement=0.7, size_spread=0.3, size_effect=-0.15, heterogeneity=0.15, domestic=0.05,
            circulation_partners=3, years=(2016, 2020), seed=0):
    r"""Record-level contributions for many regions with known (planted) types.

    Every region gets a type per channel (hub, introduction, outbound, local); records are
    generated from exchange propensities so that the type shows in the flows, with
    region-level heterogeneity and Poisson sampling noise on top.

    Generative model, per channel and region r with type T (constants in
    :data:`PLANTED_TYPES`):

    * r leads :math:`N_r` records on average, :math:`N_r = n \cdot e^{\sigma Z - \sigma^2/2}`
      with n = ``records_per_region`` and :math:`\sigma` = ``size_spread``;
    * propensities :math:`\alpha_r, \beta_r, \gamma_r` interpolate between a neutral
      region (the type-share-weighted means of :math:`\alpha` and :math:`\beta`, no
      circulation) at ``signal = 0`` and the type's values at ``signal = 1``, each
      multiplied by :math:`e^{hZ}` with h = ``heterogeneity`` and by
      :math:`(N_r/n)^{\epsilon}` with :math:`\epsilon` = ``size_effect`` (larger regions
      are less open, which the classifier's size adjustment must absorb);
    * r leads Poisson(:math:`N_r\alpha_r`) records with partners in one foreign region j
      drawn with probability :math:`\propto N_j\beta_j` (so j's inbound volume is
      :math:`\approx N_j\beta_j`: the pull of introduction regions),
      Poisson(:math:`N_r \cdot` ``domestic``) records with partners in another region of
      its country (drawn :math:`\propto N_j`), and, for hubs, Poisson(:math:`\gamma_r N_r
      / (2m)`) records in *each* direction with each of m = ``circulation_partners``
      partner hubs abroad (matched two-way exchange: Saxenian's circulation);
    * the remaining records are internal. Talent records are moves (origin = lead,
      destination = partner); academic and enterprise records have a lead (corresponding
      author, applicant) and 1 + Poisson(1.5) partners, all in the partner region.

    Parameters
    ----------
    n_regions : int, default 200
        Number of regions (labels ``R000``, ``R001``, ...).
    records_per_region : float, default 1000
        Mean number of records each region *leads* in each channel.
    signal : float in [0, 1], default 1.0
        Strength of the type contrasts (0 = every region neutral, so types are not
        identifiable; 1 = the values of :data:`PLANTED_TYPES`).
    n_countries : int, optional
        Default ``max(2, n_regions // 10)``; regions are split evenly, so border layers
        (domestic vs international) and brokerage roles are defined.
    channels : sequence of str
        Channel labels; talent records are moves, the others papers or patents.
    type_shares : 4 floats
        Shares of hub, introduction, outbound, local among a channel's regions.
    agreement : float in [0, 1], default 0.7
        Probability that a channel takes the region's base type (else another type);
        the overall truth is the type at least two channels share, else ``"mixed"``.
    size_spread, size_effect, heterogeneity, domestic : float
        Lognormal spread of the region sizes (0.3), elasticity of the propensities to
        size (-0.15), lognormal region-level heterogeneity (0.15), rate of domestic
        (same-country) records (0.05).
    circulation_partners : int, default 3
        Partner hubs each hub exchanges with in both directions.
    years : (int, int)
        Records get uniform years in this inclusive range.
    seed : int
        Seed of the generator (the same seed gives the same data).

    Returns
    -------
    contributions : Contributions
        Regions ``R000 ...`` with a RegionMap-free country assignment in ``info``
        (``info["countries"]``: region -> country), channels as given; integer record,
        actor and org labels (lead actors are drawn from a small pool per region, so a
        cluster bootstrap by actor or org has heavy clusters).
    truth : pandas.DataFrame
        One row per region and channel: ``region``, ``country``, ``channel``, ``label``
        (planted type), ``overall`` (region-level truth), ``N`` (expected led records).

    Examples
    --------
    >>> from ecosystem.datasets import planted
    >>> c, truth = planted(n_regions=20, records_per_region=200, seed=1)
    >>> sorted(truth.label.unique())
    ['hub', 'introduction', 'local', 'outbound']
    """
    import pandas as pd

    from ._validation import check_int, check_real
    from .contributions import Contributions
    from .exceptions import ParameterError

    func = "planted"
    n_regions = check_int(func, "n_regions", n_regions, low=4)
    records_per_region = check_real(func, "records_per_region", records_per_region, low=1)
    signal = check_real(func, "signal", signal, low=0, high=1)
    agreement = check_real(func, "agreement", agreement, low=0, high=1)
    size_spread = check_real(func, "size_spread", size_spread, low=0)
    size_effect = check_real(func, "size_effect", size_effect, low=-1, high=1)
    heterogeneity = check_real(func, "heterogeneity", heterogeneity, low=0)
    domestic = check_real(func, "domestic", domestic, low=0, high=0.5)
    m = check_int(func, "circulation_partners", circulation_partners, low=1)
    if n_countries is None:
        n_countries = max(2, n_regions // 10)
    n_countries = check_int(func, "n_countries", n_countries, low=2, high=n_regions)
    shares = np.asarray(type_shares, dtype=float)
    if shares.shape != (4,) or (shares < 0).any() or shares.sum() <= 0:
        raise ParameterError(f"{func}: type_shares must be 4 non-negative numbers; got {type_shares!r}")
    shares = shares / shares.sum()
    channels = tuple(channels)
    rng = np.random.default_rng(seed)

    R = n_regions
    regions = np.asarray([f"R{r:03d}" for r in range(R)], dtype=object)
    country_of = np.arange(R) * n_countries // R
    countries = np.asarray([f"C{c:02d}" for c in country_of], dtype=object)
    same_country = country_of[:, None] == country_of[None, :]

    def exact_types():
        counts = np.floor(shares * R).astype(int)
        counts[np.argsort(-(shares * R - counts))[: R - counts.sum()]] += 1
        return rng.permutation(np.repeat(np.arange(4), counts))

    base = exact_types()
    alpha_t = np.asarray([PLANTED_TYPES[t]["alpha"] for t in _PLANTED_ORDER])
    beta_t = np.asarray([PLANTED_TYPES[t]["beta"] for t in _PLANTED_ORDER])
    gamma_t = np.asarray([PLANTED_TYPES[t]["gamma"] for t in _PLANTED_ORDER])
    neutral_a, neutral_b = float(shares @ alpha_t), float(shares @ beta_t)

    cols = {"record": [], "actor": [], "org": [], "region": [], "channel": [], "lead": [], "year": []}
    truth_rows = []
    next_record = 0
    for k, ch in enumerate(channels):
        other = (base + 1 + rng.integers(0, 3, R)) % 4
        ctype = np.where(rng.random(R) < agreement, base, other)
        N = records_per_region * np.exp(size_spread * rng.standard_normal(R) - size_spread ** 2 / 2)
        scale = (N / records_per_region) ** size_effect
        het = lambda: scale * np.exp(heterogeneity * rng.standard_normal(R))  # noqa: E731
        a = (neutral_a + signal * (alpha_t[ctype] - neutral_a)) * het()
        b = (neutral_b + signal * (beta_t[ctype] - neutral_b)) * het()
        g = signal * gamma_t[ctype] * het()
        for r in range(R):
            truth_rows.append((regions[r], countries[r], ch, _PLANTED_ORDER[ctype[r]], float(N[r])))

        lead_reg, part_reg = [], []
        # outbound gravity: partner abroad drawn by attractiveness N_j beta_j
        n_out = rng.poisson(N * a)
        src = np.repeat(np.arange(R), n_out)
        attract = N * b
        dst = _draw_partners(rng, src, attract, ~same_country)
        lead_reg.append(src), part_reg.append(dst)
        # domestic exchange
        n_dom = rng.poisson(N * domestic)
        src = np.repeat(np.arange(R), n_dom)
        dom_ok = same_country & ~np.eye(R, dtype=bool)
        dst = _draw_partners(rng, src, N, dom_ok)
        keep = dst >= 0
        lead_reg.append(src[keep]), part_reg.append(dst[keep])
        # circulation between hubs abroad, both directions
        hubs = np.flatnonzero(ctype == 0)
        for r in hubs:
            cand = hubs[(hubs != r) & ~same_country[r, hubs]]
            if len(cand) == 0:
                cand = np.flatnonzero(~same_country[r])
            partners = rng.choice(cand, size=min(m, len(cand)), replace=False)
            lam = g[r] * N[r] / (2 * m)
            for j in partners:
                c1, c2 = rng.poisson(lam, 2)
                lead_reg += [np.full(c1, r), np.full(c2, j)]
                part_reg += [np.full(c1, j), np.full(c2, r)]
        # internal records: the rest of what r leads
        ext_led = np.bincount(np.concatenate(lead_reg), minlength=R)
        n_int = np.maximum(rng.poisson(N) - ext_led, 0)
        src = np.repeat(np.arange(R), n_int)
        lead_reg.append(src), part_reg.append(src)

        lead_reg = np.concatenate(lead_reg).astype(np.int64)
        part_reg = np.concatenate(part_reg).astype(np.int64)
        n_rec = len(lead_reg)
        if ch == "talent":
            n_part = np.ones(n_rec, dtype=np.int64)
        else:
            n_part = 1 + rng.poisson(1.5, n_rec)
        rec_ids = next_record + np.arange(n_rec, dtype=np.int64)
        next_record += n_rec
        size = 1 + n_part
        rec = np.repeat(rec_ids, size)
        first = np.zeros(len(rec), dtype=bool)
        first[np.r_[0, np.cumsum(size)[:-1]]] = True
        reg = np.where(first, np.repeat(lead_reg, size), np.repeat(part_reg, size))
        block = (k * R + reg) * 10_000_000
        pool = np.maximum(10, (N[reg] / 10).astype(np.int64))
        zipf = np.minimum((pool * rng.random(len(rec)) ** 3).astype(np.int64), pool - 1)
        partner_idx = (rng.random(len(rec)) * np.maximum(N[reg], 10)).astype(np.int64)
        actor = block + np.where(first, zipf, pool + partner_idx)
        cols["record"].append(rec)
        cols["actor"].append(actor)
        cols["org"].append(block // 1000 + np.where(first, zipf // 5, 100_000 + partner_idx // 20))
        cols["region"].append(reg)
        cols["channel"].append(np.full(len(rec), k, dtype=np.int64))
        cols["lead"].append(first)
        cols["year"].append(np.repeat(rng.integers(years[0], years[1] + 1, n_rec), size))

    arr = {key: np.concatenate(v) for key, v in cols.items()}
    ch_arr = np.asarray(channels, dtype=object)[arr["channel"]]
    contributions = Contributions.from_arrays(
        record=arr["record"], actor=arr["actor"], region=regions[arr["region"]], org=arr["org"],
        channel=ch_arr, lead=arr["lead"], year=arr["year"], regions=list(regions),
        info={"source": "ecosystem.datasets.planted", "seed": int(seed), "signal": float(signal),
              "records_per_region": float(records_per_region),
              "countries": dict(zip(regions.tolist(), countries.tolist()))})
    truth = pd.DataFrame(truth_rows, columns=["region", "country", "channel", "label", "N"])
    overall = {}
    for reg_label, sub in truth.groupby("region"):
        counts = sub.label.value_counts()
        overall[reg_label] = counts.index[0] if counts.iloc[0] >= min(2, len(sub)) else "mixed"
    truth.insert(4, "overall", truth.region.map(overall))
    truth.attrs.update({"signal": float(signal), "records_per_region": float(records_per_region),
                        "seed": int(seed)})
    return contributions, truth


def _draw_partners(rng, src, weight, allowed):
    """One partner per source (sorted), drawn with probability ~ weight among allowed[src]."""
    R = len(weight)
    out = np.full(len(src), -1, dtype=np.int64)
    if len(src) == 0:
        return out
    bounds = np.searchsorted(src, np.arange(R + 1))
    for r in range(R):
        idx = np.arange(bounds[r], bounds[r + 1])
        if len(idx) == 0:
            continue
        w = np.where(allowed[r], weight, 0.0)
        tot = w.sum()
        if tot <= 0:
            continue
        out[idx] = np.minimum(np.searchsorted(np.cumsum(w / tot), rng.random(len(idx))), R - 1)
    return out
