"""Data-driven clusters of located activity (WIPO-style science and technology clusters).

Density clustering (scikit-learn's DBSCAN, haversine metric, ball tree) of the *unique
rounded* coordinates of the input, each weighted by the (fractional) count of records at
it — never of the raw records, whose DBSCAN memory grows with the square of their number.
Clusters follow density, not borders; a cluster whose points lie in several countries is
split into one part per country under a parent, so exchange between its parts is the
cross-boundary layer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import OptionalDependencyError, ParameterError
from ._constants import MAX_EXAMPLES
from ._definition import PatternRecord, RegionRecord, with_country_rest
from ._gazetteer import EARTH_RADIUS_KM, admin1_code, gazetteer, km_to_chord, unit_xyz
from ._map import RegionMap
from ._names import name_key
from ._resolve import ResolveReport, UnmatchedLocation

#: Default DBSCAN radius (km). WIPO's own parameters could not be verified; see the docs.
DEFAULT_EPS_KM = 10.0
#: Default rounding of coordinates before clustering (degrees; 0.01° ≈ 1.1 km).
DEFAULT_ROUNDING = 0.01
#: Default minimum weight of a core point's neighbourhood, as a share of the total weight.
DEFAULT_MIN_SHARE = 0.001
# A locality enters the name when it has at least this share of the heaviest one's weight.
_NAME_SHARE = 0.1
# Largest distance (km) from a point to a gazetteer place for its country to be known.
_COUNTRY_KM = 100.0


def _dbscan():
    try:
        from sklearn.cluster import DBSCAN
    except ImportError:
        raise OptionalDependencyError("scikit-learn", extra="geo",
                                      purpose="ecosystem.regions.clusters") from None
    return DBSCAN


class ClusterMap(RegionMap):
    """A :class:`RegionMap` of data-driven clusters that also resolves coordinates to them.

    Made by :func:`clusters`. Coordinates within ``eps_km`` of a clustered point resolve to
    that point's cluster (its part for the point's country); other locations resolve as in
    any region map — by the gazetteer places the clusters hold, else to their country's
    rest-of-country region.

    Parameters
    ----------
    name : str
        Name of the map.
    regions, patterns : iterable of tuple
        As for :class:`RegionMap`.
    rest : mapping of str to str, optional
        As for :class:`RegionMap`.
    params : dict
        Clustering parameters and counts.
    table : pandas.DataFrame
        The cluster parts (columns as in the attribute).
    points : array-like of shape (m, 2)
        Latitude and longitude of the clustered grid points.
    point_region : array-like of int
        Region id of each point.

    Attributes
    ----------
    params : dict
        The clustering parameters and counts (``eps_km``, ``min_weight``, ``rounding``,
        ``n_input``, ``n_skipped``, ``n_points``, ``total_weight``, ``method``).
    table : pandas.DataFrame
        One row per cluster part: ``region``, ``cluster``, ``label``, ``country``,
        ``weight``, ``n_points``, ``latitude``, ``longitude`` (weighted centroid).
    """

    __slots__ = ("_params", "_table", "_points", "_point_region", "_point_tree")
    _reached_otherwise = True  # every part is reached by its points

    def __init__(self, name, regions, patterns, rest=None, *, params, table, points,
                 point_region):
        super().__init__(name, regions, patterns, rest)
        from scipy.spatial import cKDTree

        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        state = {"_params": dict(params), "_table": table.copy(),
                 "_points": points, "_point_region": np.asarray(point_region, dtype=np.int64),
                 "_point_tree": cKDTree(unit_xyz(points[:, 0], points[:, 1]))}
        for attribute, value in state.items():
            object.__setattr__(self, attribute, value)

    def __reduce__(self):
        regions = tuple(zip(self._regions, self._countries, self._labels, self._parents))
        codes = [self._regions[i] for i in self._point_region]
        return (_rebuild, (self._name, regions, self._patterns, dict(self._rest), self._params,
                           self._table, self._points, codes))

    def _definition(self):
        return super()._definition() + (tuple(sorted(self._params.items())),
                                        self._points.tobytes(), self._point_region.tobytes())

    def __eq__(self, other):
        if not isinstance(other, RegionMap):
            return NotImplemented
        return self._definition() == other._definition()

    def __hash__(self):
        return hash(self._definition())

    @property
    def params(self):
        """Clustering parameters and counts (dict, a copy)."""
        return dict(self._params)

    @property
    def table(self):
        """The cluster parts with weights and centroids (DataFrame, a copy)."""
        return self._table.copy()

    def resolve(self, country=None, admin1=None, city=None, county=None, *, lat=None, lon=None,
                geonames_id=None, radius_km=None, unmatched="rest"):
        """Code locations into cluster parts; coordinates near a clustered point first.

        A location with coordinates within ``eps_km`` of a point of a cluster goes to
        that cluster (to its part in the country the point was assigned), whatever its
        names say; every other location resolves as in :meth:`RegionMap.resolve`.

        Parameters
        ----------
        country, admin1, city, county : array-like of str, optional
            Names and codes, as in :meth:`RegionMap.resolve`.
        lat, lon : array-like of float, optional
            Coordinates (degrees).
        geonames_id : array-like, optional
            GeoNames ids, for locations outside the clusters.
        radius_km : float, optional
            Gazetteer radius for locations outside the clusters (default 30).
        unmatched : {"rest", "error", "drop"}, default "rest"
            As in :meth:`RegionMap.resolve`.

        Returns
        -------
        codes : ndarray of int64
            Region id per location, -1 when unmatched.
        report : ResolveReport
            Counts, with positions in the input.

        Examples
        --------
        >>> lat = [35.69, 35.44, 34.69, 0.0]
        >>> lon = [139.69, 139.64, 135.50, 0.0]
        >>> m = clusters(lat[:3] * 50, lon[:3] * 50, eps_km=30, min_weight=10)
        >>> codes, report = m.resolve(lat=[35.6, 34.7, 48.85], lon=[139.7, 135.5, 2.35])
        >>> [m.label(i) for i in codes]
        ['Tokyo–Yokohama', 'Osaka', 'France']
        """
        kwargs = {} if radius_km is None else {"radius_km": radius_km}
        if lat is None or lon is None:
            return super().resolve(country, admin1, city, county, lat=lat, lon=lon,
                                   geonames_id=geonames_id, unmatched=unmatched, **kwargs)
        lat_ = pd.to_numeric(pd.Series(np.asarray(lat, dtype=object).ravel()),
                             errors="coerce").to_numpy(np.float64)
        lon_ = pd.to_numeric(pd.Series(np.asarray(lon, dtype=object).ravel()),
                             errors="coerce").to_numpy(np.float64)
        if len(lat_) != len(lon_):
            raise ParameterError(f"ClusterMap.resolve: lat and lon differ in length "
                                 f"({len(lat_)} and {len(lon_)})")
        hit = self._nearest_part(lat_, lon_)
        n = len(lat_)
        rest = np.flatnonzero(hit < 0)
        if len(rest) == n:
            return super().resolve(country, admin1, city, county, lat=lat, lon=lon,
                                   geonames_id=geonames_id, unmatched=unmatched, **kwargs)

        def take(values):
            if values is None or np.ndim(values) == 0:
                return values
            return np.asarray(values, dtype=object).ravel()[rest]

        codes = hit.copy()
        sub_codes, sub = super().resolve(take(country), take(admin1), take(city), take(county),
                                         lat=lat_[rest], lon=lon_[rest],
                                         geonames_id=take(geonames_id), unmatched=unmatched,
                                         **kwargs)
        codes[rest] = sub_codes
        examples = {reason: [UnmatchedLocation(int(rest[e.position]), *e[1:]) for e in found]
                    for reason, found in sub.examples.items()}
        unplaced = [(int(rest[p]), *u) for p, *u in sub.unplaced]
        n_hit = n - len(rest)
        report = ResolveReport(
            n_input=n, n_matched=sub.n_matched + n_hit, n_unmatched=sub.n_unmatched,
            n_rest=sub.n_rest, by_reason=dict(sub.by_reason), examples=examples,
            map_name=self._name, unmatched=unmatched, n_located=sub.n_located + n_hit,
            n_placed=sub.n_placed + n_hit, unplaced=unplaced[:MAX_EXAMPLES],
            radius_km=sub.radius_km)
        return codes, report

    def _nearest_part(self, lat, lon):
        """Region id of the clustered point within eps_km of each coordinate, else -1."""
        out = np.full(len(lat), -1, dtype=np.int64)
        ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        if ok.any() and len(self._points):
            chord, idx = self._point_tree.query(
                unit_xyz(lat[ok], lon[ok]), k=1,
                distance_upper_bound=float(km_to_chord(self._params["eps_km"])))
            found = np.isfinite(chord)
            sel = np.flatnonzero(ok)[found]
            out[sel] = self._point_region[idx[found]]
        return out


def _rebuild(name, regions, patterns, rest, params, table, points, codes):
    index = {code: i for i, code in enumerate(sorted(r[0] for r in regions))}
    return ClusterMap(name, regions, patterns, rest, params=params, table=table, points=points,
                      point_region=[index[c] for c in codes])


def clusters(lat, lon, weight=None, *, eps_km=DEFAULT_EPS_KM, min_weight=None,
             rounding=DEFAULT_ROUNDING, rest="country", name="clusters", n_jobs=None):
    """Data-driven clusters of located activity, WIPO-style, as a region map.

    Coordinates are rounded to a grid of `rounding` degrees; the unique grid points,
    each weighted by the total weight of its records, are clustered with DBSCAN
    (scikit-learn; haversine metric, ball tree): a point is a core point when the points
    within `eps_km` weigh at least `min_weight` together, and clusters are the connected
    core points with the points within reach. Raw records are never clustered, so memory
    follows the number of distinct locations, not of records.

    Parameters
    ----------
    lat, lon : array-like of float
        Coordinates of the records (degrees). Rows with a missing or out-of-range
        coordinate, or a missing or negative weight, are skipped and counted.
    weight : array-like of float, optional
        Weight of each record, e.g. fractional author or inventor counts (default 1).
    eps_km : float, default 10
        Neighbourhood radius (great-circle km).
    min_weight : float, optional
        Total weight a core point's neighbourhood needs. Default: 0.1 % of the total
        weight (at least 1).
    rounding : float, default 0.01
        Grid of the rounding, in degrees (0.01° ≈ 1.1 km of latitude); 0 keeps the
        coordinates as given (still deduplicated).
    rest : {"country", None}, default "country"
        Rest-of-country regions for every location outside the clusters (as in
        :func:`metros`).
    name : str, default "clusters"
        Name of the map.
    n_jobs : int, optional
        Threads of the neighbour search (None: 1, -1: all cores), as in scikit-learn.

    Returns
    -------
    ClusterMap
        A :class:`RegionMap` with one region per cluster part (code ``C001``, ``C002``,
        … by decreasing weight; ``C001-HK`` and ``C001-CN`` when a cluster spans two
        countries, under parent ``C001``), labelled after the cluster's two or three
        heaviest localities (``"Tokyo–Yokohama"``). It resolves new coordinates to the
        clusters, and names of the gazetteer places inside them. ``params`` holds the
        parameters, ``table`` the weight, size and weighted centroid of each part.

    Raises
    ------
    OptionalDependencyError
        scikit-learn is not installed (``pip install "ecosystem[geo]"``).
    ParameterError
        Bad parameters, or lat, lon and weight of different lengths.

    Notes
    -----
    Countries and names come from the shipped GeoNames gazetteer: a grid point belongs
    to the country of its nearest gazetteer place (within 100 km; points farther away
    count in no part), and a cluster is named after the localities — gazetteer places,
    each merged into the most populous place within 25 km if that has at least three
    times its population — that carry the most weight,
    listing those with at least a tenth of the heaviest one's weight (at most three).
    WIPO clusters inventor and author addresses with DBSCAN on rounded locations, but its
    radius and minimum could not be verified; the defaults here are this library's
    choice, stated in ``params``.

    Examples
    --------
    A corridor of points from Guangzhou through Shenzhen to Hong Kong (weight 10 each,
    about 12 km apart), and Beijing (weight 40):

    >>> lat = np.r_[np.linspace(23.12, 22.30, 12), 39.90]
    >>> lon = np.r_[np.linspace(113.25, 114.17, 12), 116.40]
    >>> w = np.r_[np.full(12, 10.0), 40.0]
    >>> m = clusters(lat, lon, w, eps_km=15, min_weight=20)
    >>> m.table[["region", "label", "country", "weight"]]
        region                        label country  weight
    0  C001-CN  Shenzhen–Guangzhou–Dongguan      CN    90.0
    1  C001-HK  Shenzhen–Guangzhou–Dongguan      HK    30.0
    2     C002                      Beijing      CN    40.0
    >>> m.layer("C001-CN", "C001-HK"), m.params["eps_km"], m.params["rounding"]
    ('cross-boundary', 15.0, 0.01)
    """
    lat, lon, w, n_input, skipped = _records(lat, lon, weight)
    if not np.isfinite(eps_km) or eps_km <= 0:
        raise ParameterError(f"clusters: eps_km must be a positive number; got {eps_km!r}")
    if not np.isfinite(rounding) or rounding < 0:
        raise ParameterError(f"clusters: rounding must be >= 0 degrees; got {rounding!r}")
    total = float(w.sum())
    if min_weight is None:
        min_weight = max(1.0, DEFAULT_MIN_SHARE * total)
    if not np.isfinite(min_weight) or min_weight <= 0:
        raise ParameterError(f"clusters: min_weight must be positive; got {min_weight!r}")
    plat, plon, pw = _unique_points(lat, lon, w, rounding)
    labels = np.full(len(pw), -1, dtype=np.int64)
    if len(pw):
        model = _dbscan()(eps=eps_km / EARTH_RADIUS_KM, min_samples=1, metric="haversine",
                          algorithm="ball_tree", n_jobs=n_jobs)
        # sample weights scaled by min_weight, so that min_samples=1 tests "weight >=
        # min_weight" for fractional weights too (to a relative 1e-9, against rounding)
        labels = model.fit(np.radians(np.column_stack((plat, plon))),
                           sample_weight=pw / (min_weight * (1 - 1e-9))).labels_.astype(np.int64)
    params = {"method": "DBSCAN (scikit-learn, haversine, ball tree) on unique rounded "
                        "coordinates weighted by record weight",
              "eps_km": float(eps_km), "min_weight": float(min_weight),
              "rounding": float(rounding), "n_input": int(n_input), "n_skipped": int(skipped),
              "n_points": int(len(pw)), "total_weight": total}
    return _cluster_map(name, plat, plon, pw, labels, params, rest)


def _records(lat, lon, weight):
    lat = pd.to_numeric(pd.Series(np.asarray(lat, dtype=object).ravel()),
                        errors="coerce").to_numpy(np.float64) if not _is_float(lat) else \
        np.asarray(lat, dtype=np.float64).ravel()
    lon = pd.to_numeric(pd.Series(np.asarray(lon, dtype=object).ravel()),
                        errors="coerce").to_numpy(np.float64) if not _is_float(lon) else \
        np.asarray(lon, dtype=np.float64).ravel()
    n = len(lat)
    if len(lon) != n:
        raise ParameterError(f"clusters: lat and lon differ in length ({n} and {len(lon)})")
    if weight is None:
        w = np.ones(n)
    else:
        w = np.asarray(weight, dtype=np.float64).ravel()
        if len(w) != n:
            raise ParameterError(f"clusters: weight has {len(w)} values for {n} coordinates")
    ok = (np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
          & np.isfinite(w) & (w >= 0))
    if ok.all():
        return lat, lon, w, n, 0
    return lat[ok], lon[ok], w[ok], n, int(n - ok.sum())


def _is_float(values):
    return isinstance(values, np.ndarray) and values.dtype.kind == "f"


def _unique_points(lat, lon, w, rounding):
    """Unique (rounded) points and their summed weights, in a canonical order."""
    if not len(lat):
        return np.empty(0), np.empty(0), np.empty(0)
    if rounding > 0:
        ilat = np.rint(lat / rounding).astype(np.int64)
        ilon = np.rint(lon / rounding).astype(np.int64)
        span = int(np.rint(360.0 / rounding)) + 3
        key = (ilat + span) * (2 * span) + (ilon + span)
        uniq, inverse = np.unique(key, return_inverse=True)
        pw = np.bincount(inverse, weights=w, minlength=len(uniq))
        plat = (uniq // (2 * span) - span) * rounding
        plon = (uniq % (2 * span) - span) * rounding
        return plat, plon, pw
    frame = pd.DataFrame({"lat": lat, "lon": lon, "w": w})
    grouped = frame.groupby(["lat", "lon"], sort=True)["w"].sum()
    return (grouped.index.get_level_values(0).to_numpy(np.float64),
            grouped.index.get_level_values(1).to_numpy(np.float64), grouped.to_numpy())


def _cluster_map(name, plat, plon, pw, labels, params, rest):
    g = gazetteer()
    clustered = np.flatnonzero(labels >= 0)
    rows, _ = g.nearest(plat[clustered], plon[clustered], radius_km=_COUNTRY_KM)
    country = np.where(rows >= 0, g.column("country")[np.maximum(rows, 0)], None)
    locality = g.locality(rows)
    # clusters ordered by weight (ties by label), then parts by country
    frame = pd.DataFrame({"label": labels[clustered], "w": pw[clustered],
                          "lat": plat[clustered], "lon": plon[clustered],
                          "country": country, "place": rows, "locality": locality})
    frame = frame[frame["country"].notna()]
    weights = frame.groupby("label")["w"].sum()
    order = sorted(weights.index, key=lambda k: (-weights[k], k))
    width = max(3, len(str(len(order))))
    regions, patterns, parts, point_lat, point_lon, point_part = [], [], [], [], [], []
    claimed = set()
    groups = dict(tuple(frame.groupby("label", sort=False)))
    for rank, k in enumerate(order, start=1):
        code = f"C{rank:0{width}d}"
        sub = groups[k]
        label = _cluster_name(sub)
        countries = sorted(sub["country"].unique())
        for c in countries:
            part_code = code if len(countries) == 1 else f"{code}-{c}"
            part = sub[sub["country"] == c]
            regions.append((part_code, c, label, None if len(countries) == 1 else code))
            wsum = float(part["w"].sum())
            parts.append({"region": part_code, "cluster": code, "label": label, "country": c,
                          "weight": wsum, "n_points": len(part),
                          "latitude": float((part["lat"] * part["w"]).sum() / wsum) if wsum else
                          float(part["lat"].mean()),
                          "longitude": float((part["lon"] * part["w"]).sum() / wsum) if wsum else
                          float(part["lon"].mean())})
            point_lat.extend(part["lat"].tolist())
            point_lon.extend(part["lon"].tolist())
            point_part.extend([part_code] * len(part))
            patterns.extend(_place_patterns(part_code, np.r_[part["place"], part["locality"]],
                                            claimed))
    rest_map = {}
    if rest == "country":
        regions, rest_map = with_country_rest(
            [_record(r) for r in regions], [_pattern(p) for p in patterns], {})
    elif rest is not None:
        raise ParameterError(f"clusters: rest must be 'country' or None; got {rest!r}")
    if not regions:
        raise ParameterError("clusters: no cluster found and rest=None; lower min_weight or "
                             "give rest='country'")
    index = {r[0]: i for i, r in enumerate(sorted(regions, key=lambda r: r[0]))}
    table = pd.DataFrame(parts, columns=["region", "cluster", "label", "country", "weight",
                                         "n_points", "latitude", "longitude"])
    return ClusterMap(name, regions, patterns, rest_map, params=params, table=table,
                      points=np.column_stack((point_lat, point_lon)) if point_lat else
                      np.empty((0, 2)),
                      point_region=[index[p] for p in point_part])


def _record(region):
    code, country, label, parent = region
    return RegionRecord(code, country, label, parent)


def _pattern(pattern):
    return PatternRecord(*(tuple(pattern) + (None,) * (5 - len(pattern))))


def _cluster_name(sub):
    g = gazetteer()
    by_locality = sub[sub["locality"] >= 0].groupby("locality")["w"].sum()
    if by_locality.empty:
        return "unnamed cluster"
    pop = g.column("population")
    ranked = sorted(by_locality.items(), key=lambda kv: (-kv[1], -pop[kv[0]], kv[0]))
    names = []
    for r, w in ranked:
        name = g.column("name")[r]
        if w < _NAME_SHARE * ranked[0][1] or len(names) == 3:
            break
        # "South Boston" beside "Boston" says nothing new
        if any(set(n.split()) <= set(name.split()) or set(name.split()) <= set(n.split())
               for n in names):
            continue
        names.append(name)
    return "–".join(dict.fromkeys(names))


def _place_patterns(part_code, places, claimed):
    """City patterns of the gazetteer places of a part, for resolution by name.

    Each place by (country, admin-1 code, name); the most populous place of its name in
    its country also by (country, name) alone, as the gazetteer's own look-up reads it.
    """
    g = gazetteer()
    rows = np.unique(np.asarray(places, dtype=np.int64))
    rows = rows[rows >= 0]
    if not len(rows):
        return []
    country = g.column("country")[rows]
    name = g.column("name")[rows]
    admin1 = g.column("admin1")[rows]
    top = g.find(country, None, name) == rows
    out = []
    for c, n, a, bare in zip(country, name, admin1, top.tolist()):
        admin = admin1_code(c, a)
        for form in ([admin] if admin else []) + ([None] if bare or not admin else []):
            key = (c, form, name_key(n))
            if key in claimed:
                continue
            claimed.add(key)
            out.append((part_code, c, form, n))
    return out
