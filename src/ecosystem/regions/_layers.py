"""Border layers of region pairs from their countries and parents."""

from __future__ import annotations

import numpy as np

from ._constants import LAYER_CROSS_BOUNDARY, LAYER_DOMESTIC, LAYER_INTERNAL, LAYER_INTERNATIONAL


def layer_codes(countries, parents=None):
    """Border layer of every ordered pair of regions, from their countries and parents.

    Parameters
    ----------
    countries : sequence of length R
        Country (jurisdiction) of each region.
    parents : sequence of length R, optional
        Multi-jurisdiction parent of each region, or None. Two regions of different
        countries under the same parent form the cross-boundary layer.

    Returns
    -------
    ndarray of shape (R, R), dtype=int8
        ``LAYER_INTERNAL`` (0) on the diagonal, ``LAYER_DOMESTIC`` (1) for the same
        country, ``LAYER_CROSS_BOUNDARY`` (3) for different countries under one parent,
        ``LAYER_INTERNATIONAL`` (2) otherwise; names in :data:`LAYERS`. Symmetric.

    Examples
    --------
    >>> layer_codes(["HK", "CN", "CN", "US"], ["GBA", "GBA", None, None])
    array([[0, 3, 2, 2],
           [3, 0, 1, 2],
           [2, 1, 0, 2],
           [2, 2, 2, 0]], dtype=int8)
    """
    countries = [str(c) for c in countries]
    if parents is None:
        parents = [None] * len(countries)
    country = np.unique(np.asarray(countries, dtype=object), return_inverse=True)[1]
    parent_codes = {p: i for i, p in enumerate(dict.fromkeys(parents)) if p is not None}
    parent = np.array([parent_codes.get(p, -1) for p in parents], dtype=np.int64)
    same_country = country[:, None] == country[None, :]
    same_parent = (parent[:, None] == parent[None, :]) & (parent[:, None] >= 0)
    out = np.full(same_country.shape, LAYER_INTERNATIONAL, dtype=np.int8)
    out[same_country] = LAYER_DOMESTIC
    out[same_parent & ~same_country] = LAYER_CROSS_BOUNDARY
    np.fill_diagonal(out, LAYER_INTERNAL)
    return out

