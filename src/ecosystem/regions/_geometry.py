"""Where regions are: weighted centroids, and the shipped world outlines for maps."""

from __future__ import annotations

import functools
import gzip
import json

import numpy as np
import pandas as pd

from ..exceptions import ParameterError
from ._files import data_file
from ._gazetteer import gazetteer, unit_xyz


def centroids(region_map, lat=None, lon=None, weight=None):
    """Weighted centroid of every region of a map.

    Parameters
    ----------
    region_map : RegionMap
        The map; without data, a :class:`ClusterMap`'s clusters sit at the centroids of
        the data they were made from.
    lat, lon : array-like of float, optional
        Located records (degrees), resolved into the map; each region's centroid is the
        mean of its records, weighted by `weight`. Default: the places of the shipped
        gazetteer, weighted by population (computed once per map).
    weight : array-like of float, optional
        Weight of each record (default 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``region``, ``latitude``, ``longitude``, ``weight`` (total weight of the
        records or population in the region), one row per region that holds any; the
        mean is taken on the sphere, so regions across the date line are placed right.

    Examples
    --------
    >>> c = centroids(countries()).set_index("region")
    >>> round(c.loc["JP", "latitude"]), round(c.loc["JP", "longitude"])
    (36, 137)
    """
    if lat is None and lon is None:
        return _gazetteer_centroids(region_map).copy()
    else:
        if lat is None or lon is None:
            raise ParameterError("centroids: give both lat and lon, or neither")
        lat = np.asarray(lat, dtype=np.float64).ravel()
        lon = np.asarray(lon, dtype=np.float64).ravel()
        weight = np.ones(len(lat)) if weight is None else np.asarray(weight, np.float64).ravel()
        if not len(lat) == len(lon) == len(weight):
            raise ParameterError("centroids: lat, lon and weight differ in length")
        codes, _ = region_map.resolve(lat=lat, lon=lon, unmatched="rest")
    return _weighted(region_map, codes, lat, lon, weight)


@functools.lru_cache(maxsize=8)
def _gazetteer_centroids(region_map):
    table = getattr(region_map, "table", None)
    g = gazetteer()
    codes, _ = region_map.resolve(g.column("country"), city=g.column("name"),
                                  admin1=g.location(np.arange(len(g)))[1], unmatched="rest")
    out = _weighted(region_map, codes, g.column("latitude"), g.column("longitude"),
                    g.column("population").astype(np.float64))
    if isinstance(table, pd.DataFrame) and {"latitude", "longitude"} <= set(table):
        # a cluster map's parts sit where their data were
        own = table[["region", "latitude", "longitude", "weight"]]
        out = pd.concat([own, out[~out["region"].isin(set(own["region"]))]], ignore_index=True)
    return out


def _weighted(region_map, codes, lat, lon, weight):
    ok = (codes >= 0) & np.isfinite(lat) & np.isfinite(lon) & np.isfinite(weight)
    codes, w = codes[ok], weight[ok]
    xyz = unit_xyz(lat[ok], lon[ok]) * w[:, None]
    n = len(region_map.regions)
    sums = np.column_stack([np.bincount(codes, weights=xyz[:, k], minlength=n) for k in range(3)])
    total = np.bincount(codes, weights=w, minlength=n)
    has = total > 0
    x, y, z = sums[has].T
    return pd.DataFrame({
        "region": np.asarray(region_map.regions, dtype=object)[has],
        "latitude": np.degrees(np.arctan2(z, np.hypot(x, y))),
        "longitude": np.degrees(np.arctan2(y, x)),
        "weight": total[has]})


@functools.cache
def world_outlines():
    """Country outlines of Natural Earth 1:110m (public domain), shipped with the package.

    Returns
    -------
    list of tuple
        ``(iso_a3, name, rings)`` per country; each ring an (m, 2) array of longitude,
        latitude (degrees, rounded to 0.01).

    Examples
    --------
    >>> outlines = world_outlines()
    >>> len(outlines), [o[1] for o in outlines if o[0] == "JPN"]
    (177, ['Japan'])
    """
    doc = json.loads(gzip.decompress(data_file("ne_110m_countries.json.gz").read_bytes()))
    return [(c["iso_a3"], c["name"],
             [np.asarray(r, dtype=np.float64).reshape(-1, 2) for r in c["rings"]])
            for c in doc["countries"]]
