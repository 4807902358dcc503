"""Talent moves from affiliation spells (person × year × region).

The rule (DESIGN §2, talent channel): take the set of regions where a person is observed
in each year; for two consecutive observed years of that person, a *move* happens when
the two sets are disjoint — from every region of the earlier set to every region of the
later one, weight ``1 / (|S_before| |S_after|)``, dated to the later year. Overlapping
sets (``{HK}`` → ``{HK, CN}``: a second, simultaneous affiliation) are not a move; a
year with several regions is a *co-presence* (simultaneous affiliations), reported
separately. Years without observations are bridged (the move is dated to the first year
seen in the new place). Sorting is the only super-linear step: O(n log n).
"""

from __future__ import annotations

import numpy as np

from .._validation import as_1d, check_length
from ..exceptions import InputTypeError, ParameterError

__all__ = ["moves_from_spells", "Moves"]


class Moves:
    """Moves and co-presences found in affiliation spells (integer codes).

    Built by :func:`moves_from_spells`.

    Parameters
    ----------
    **arrays : ndarray
        One keyword per attribute below.

    Attributes
    ----------
    person, origin, destination, year : ndarray of shape (m,)
        One row per (move, origin region, destination region); codes as given.
    weight : ndarray of shape (m,), dtype=float64
        ``1 / (|origins| |destinations|)``: each move weighs 1 in total.
    move : ndarray of shape (m,), dtype=int64
        Move number (rows of one move share it), in (person, year) order.
    co_person, co_region, co_year : ndarray of shape (k,)
        Simultaneous affiliations: one row per (person, year, region) for the
        person-years observed in two or more regions.
    co_group : ndarray of shape (k,), dtype=int64
        Person-year number of each co-presence row.
    """

    __slots__ = ("person", "origin", "destination", "year", "weight", "move",
                 "co_person", "co_region", "co_year", "co_group")

    def __init__(self, **arrays):
        for k in self.__slots__:
            setattr(self, k, arrays[k])

    @property
    def n_moves(self):
        """Number of moves (not rows)."""
        return int(self.move[-1]) + 1 if len(self.move) else 0

    def __len__(self):
        return len(self.person)

    def __repr__(self):
        return (f"<Moves: {self.n_moves} moves ({len(self)} origin-destination rows), "
                f"{len(np.unique(self.co_group))} person-years with simultaneous affiliations>")


def moves_from_spells(person, year, region):
    """Find talent moves in affiliation spells.

    Parameters
    ----------
    person : array-like of int, shape (n,)
        Person code of each spell (author, inventor).
    year : array-like of int, shape (n,)
        Year the person is observed at the location.
    region : array-like of int, shape (n,)
        Region code of the location; negative codes (unknown) are ignored.

    Returns
    -------
    Moves
        The moves (origin × destination rows) and simultaneous affiliations.

    Examples
    --------
    Person 0 is in region 5 (US) in 2018 and 2019, then in region 7 (HK) in 2022;
    person 1 is in 7 in 2019 and in 7 and 3 in 2020 (a second affiliation, no move):

    >>> m = moves_from_spells([0, 0, 0, 1, 1, 1], [2018, 2019, 2022, 2019, 2020, 2020],
    ...                       [5, 5, 7, 7, 7, 3])
    >>> m.person.tolist(), m.origin.tolist(), m.destination.tolist(), m.year.tolist()
    ([0], [5], [7], [2022])
    >>> m.co_person.tolist(), m.co_region.tolist(), m.co_year.tolist()
    ([1, 1], [3, 7], [2020, 2020])
    """
    func = "moves_from_spells"
    p = as_1d(func, "person", person)
    y = as_1d(func, "year", year)
    r = as_1d(func, "region", region)
    check_length(func, "year", y, len(p), "person entry")
    check_length(func, "region", r, len(p), "person entry")
    for name, arr in (("person", p), ("year", y), ("region", r)):
        if len(arr) and arr.dtype.kind not in "iu":
            raise InputTypeError(f"{func}: {name} must be integer codes; got dtype {arr.dtype}")
    p = p.astype(np.int64, copy=False)
    y = y.astype(np.int64, copy=False)
    r = r.astype(np.int64, copy=False)
    keep = r >= 0
    p, y, r = p[keep], y[keep], r[keep]
    empty_i = np.zeros(0, dtype=np.int64)
    if len(p) == 0:
        return Moves(person=empty_i, origin=empty_i, destination=empty_i, year=empty_i,
                     weight=np.zeros(0), move=empty_i, co_person=empty_i, co_region=empty_i,
                     co_year=empty_i, co_group=empty_i)
    if (y < 0).any():
        raise ParameterError(f"{func}: year must be known (>= 0) for every spell with a region")
    order = np.lexsort((r, y, p))
    p, y, r = p[order], y[order], r[order]
    dup = np.zeros(len(p), dtype=bool)
    dup[1:] = (p[1:] == p[:-1]) & (y[1:] == y[:-1]) & (r[1:] == r[:-1])
    p, y, r = p[~dup], y[~dup], r[~dup]
    n = len(p)
    # person-year groups
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (p[1:] != p[:-1]) | (y[1:] != y[:-1])
    gstart = np.flatnonzero(new_group)
    gend = np.append(gstart[1:], n)
    gsize = gend - gstart
    gp, gy = p[gstart], y[gstart]
    # co-presence: person-years with >= 2 regions
    multi = gsize >= 2
    grp_of_row = np.cumsum(new_group) - 1
    co_rows = multi[grp_of_row]
    co_group_raw = grp_of_row[co_rows]
    _, co_group = np.unique(co_group_raw, return_inverse=True)
    # transitions between consecutive groups of the same person
    t = np.flatnonzero(gp[1:] == gp[:-1])  # group t -> t+1
    a_start, a_size = gstart[t], gsize[t]
    b_start, b_size = gstart[t + 1], gsize[t + 1]
    pairs = a_size * b_size
    total = int(pairs.sum())
    if total == 0:
        mv = dict(person=empty_i, origin=empty_i, destination=empty_i, year=empty_i,
                  weight=np.zeros(0), move=empty_i)
    else:
        t_rep = np.repeat(np.arange(len(t)), pairs)
        offsets = np.concatenate(([0], np.cumsum(pairs)[:-1]))
        k = np.arange(total) - offsets[t_rep]
        i = k // b_size[t_rep]
        j = k % b_size[t_rep]
        r1 = r[a_start[t_rep] + i]
        r2 = r[b_start[t_rep] + j]
        overlap = np.bincount(t_rep, weights=(r1 == r2), minlength=len(t)) > 0
        keep_pairs = ~overlap[t_rep]
        tk = t_rep[keep_pairs]
        _, move_no = np.unique(tk, return_inverse=True)
        mv = dict(person=gp[t][tk], origin=r1[keep_pairs], destination=r2[keep_pairs],
                  year=gy[t + 1][tk], weight=1.0 / pairs[tk].astype(np.float64),
                  move=move_no.astype(np.int64))
    return Moves(co_person=p[co_rows], co_region=r[co_rows], co_year=y[co_rows],
                 co_group=co_group.astype(np.int64), **mv)
