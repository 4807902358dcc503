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
    "MPIDR_CITATION",
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
