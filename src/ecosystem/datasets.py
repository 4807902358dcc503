"""Bundled real datasets (with their licences) for examples, tests and the demo.

Every loader records its provenance in the result's ``info`` (``source``, ``licence``,
``citation``), so tables and reports built from it carry the attribution.
"""

from importlib import resources

import numpy as np

from .flows import RegionFlows

__all__ = ["scholarly_migration", "scholarly_migration_table", "scholarly_migration_countries", "MPIDR_CITATION"]

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
