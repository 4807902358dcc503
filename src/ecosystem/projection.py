"""Bipartite projection: records x actors -> weighted actor x actor co-occurrence graph."""

import numpy as np

from . import _core
from ._csr import arcs_to_csr, index_dtype
from ._parallel import effective_n_threads
from ._validation import check_int, check_option
from .contributions import as_contributions
from .graph import ActorGraph

__all__ = ["coauthorship_graph", "PROJECTION_COUNTING"]

PROJECTION_COUNTING = ("full", "newman", "fractional")
_DENSE_MODE_CELLS = 2**24  # actor x region count table small enough to hold densely


def _pair_weights(n_actors, counting):
    """Weight of each ordered pair of distinct actors of a record with n actors."""
    n = n_actors.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if counting == "full":
            w = np.ones_like(n)
        elif counting == "newman":
            w = 1.0 / (n - 1.0)
        else:  # fractional: the n(n-1)/2 unordered pairs share the record's unit weight
            w = 2.0 / (n * (n - 1.0))
    w[n_actors < 2] = 0.0
    return w


def coauthorship_graph(contributions, *, counting="newman", channel=None,
                       max_record_size=100, n_jobs=None):
    r"""Co-authorship (co-invention) graph: actors linked by the records they share.

    Projects the record x actor incidence of ``contributions`` onto actors. The weight
    of the undirected edge {i, j} is :math:`\sum_p w_p` over the records p listing both
    i and j, with the per-record pair weight :math:`w_p` set by ``counting`` for a
    record with :math:`n_p` distinct actors:

    * ``"full"``: :math:`w_p = 1` (the number of shared records);
    * ``"newman"``: :math:`w_p = 1/(n_p - 1)` (Newman 2001), so an actor's strength is
      its number of records with at least one co-author;
    * ``"fractional"``: :math:`w_p = 1/\binom{n_p}{2}`, so a record's pair weights sum
      to 1.

    An actor listed twice on a record (two affiliations) counts once. Records with more
    than ``max_record_size`` distinct actors (hyper-authored) are left out and counted
    in ``graph.info["excluded_records"]``.

    Parameters
    ----------
    contributions : Contributions or ReadResult
        Record-level data: records are papers or patents, actors authors or inventors.
    counting : {"newman", "full", "fractional"}, default "newman"
    channel : str or sequence of str, optional
        Use only these channels' contributions (default: all).
    max_record_size : int or None, default 100
        Largest record kept; ``None`` keeps all.
    n_jobs : int or None
        OpenMP threads (``None``: one, ``-1``: all cores; see
        :func:`ecosystem.show_config`); results do not depend on it.

    Returns
    -------
    ActorGraph
        Undirected, one node per actor in ``contributions.labels["actor"]`` order (actors
        of excluded records stay as isolated nodes). ``node_region`` is each actor's most
        frequent region (ties: the first in label order). ``info`` records the counting
        method, the channel selection and the excluded records.

    Raises
    ------
    ParameterError
        Unknown ``counting``, negative ``max_record_size``, unknown channel.

    Notes
    -----
    The kernel is a row-wise sparse product (Gustavson) parallelised over actors, each
    thread owning the rows it computes, so the result is identical for any thread
    count. Cost: :math:`\sum_p n_p^2`.

    References
    ----------
    .. [1] Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest
       paths, weighted networks, and centrality. Physical Review E 64, 016132.
       doi:10.1103/PhysRevE.64.016132

    Examples
    --------
    Paper P1 has authors a, b, c; paper P2 has a and b. With Newman weights the a–b tie
    is 1/2 (from P1) + 1 (from P2):

    >>> import ecosystem as eco
    >>> c = eco.Contributions.from_arrays(
    ...     record=["P1", "P1", "P1", "P2", "P2"], actor=["a", "b", "c", "a", "b"],
    ...     region=["X", "X", "Y", "X", "Y"])
    >>> g = eco.coauthorship_graph(c)
    >>> g.to_scipy().toarray()
    array([[0. , 1.5, 0.5],
           [1.5, 0. , 0.5],
           [0.5, 0.5, 0. ]])
    """
    func = "coauthorship_graph"
    contributions = as_contributions(func, contributions)
    check_option(func, "counting", counting, PROJECTION_COUNTING)
    max_record_size = check_int(func, "max_record_size", max_record_size, low=0, allow_none=True)
    n_threads = effective_n_threads(n_jobs, func=func)
    c = contributions if channel is None else contributions.select(channel=channel)

    n_rec, n_act = c.n_records, c.n_actors
    rec, act = _distinct_pairs(c.record, c.actor, n_act)
    n_per_record = np.bincount(rec, minlength=n_rec)
    excluded = np.zeros(n_rec, dtype=bool)
    if max_record_size is not None:
        excluded = n_per_record > max_record_size
        keep = ~excluded[rec]
        rec, act = rec[keep], act[keep]
    dtype = index_dtype(max(n_rec, n_act), len(rec))
    rec, act = rec.astype(dtype), act.astype(dtype)  # compact ids from here on
    rec_ptr = np.zeros(n_rec + 1, dtype=np.int64)
    np.cumsum(np.bincount(rec, minlength=n_rec), out=rec_ptr[1:])
    # the transpose (actor -> records, records sorted) by the core's counting sort
    act_ptr, act_rec, _ = arcs_to_csr(n_act, act, rec, None, n_threads=n_threads,
                                      n_cols=n_rec)
    act_ptr = act_ptr.astype(np.int64)
    # co-actors with a larger id on each incidence (record lists are sorted), per actor;
    # an actor has at most n_act - 1 - i distinct co-actors with a larger id
    larger = rec_ptr[1:][rec] - 1 - np.arange(len(rec), dtype=np.int64)
    cap = np.bincount(act, weights=larger, minlength=n_act).astype(np.int64)
    del rec, larger  # keep the kernel's peak memory down
    np.minimum(cap, np.arange(n_act - 1, -1, -1, dtype=np.int64), out=cap)
    upper_cap = np.zeros(n_act + 1, dtype=np.int64)
    np.cumsum(cap, out=upper_cap[1:])
    del cap
    indptr, indices, data = _core.bipartite_projection(
        rec_ptr, act, act_ptr, act_rec.astype(dtype, copy=False),
        _pair_weights(n_per_record, counting), upper_cap, n_act, n_threads)

    info = {
        "kind": "coauthorship",
        "counting": counting,
        "channel": channel,
        "max_record_size": max_record_size,
        "excluded_records": int(excluded.sum()),
        "records": int(n_rec),
        **{f"source.{k}": v for k, v in c.info.items() if isinstance(v, (str, int, float))},
    }
    return ActorGraph(
        indptr=indptr.astype(index_dtype(n_act, len(indices)), copy=False),
        indices=indices.astype(index_dtype(n_act, len(indices)), copy=False),
        weights=data, directed=False,
        node_region=_modal_region(c, n_act, n_threads), region_labels=c.labels["region"],
        node_labels=c.labels["actor"], info=info,
    )


def _distinct_pairs(record, actor, n_actors):
    """Distinct (record, actor) pairs sorted by record then actor."""
    base = max(n_actors, 1)
    key = record.astype(np.int64) * base + actor
    if len(key) > 1 and (key[1:] < key[:-1]).any():
        key = np.sort(key)
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key = key[first]
    return key // base, key % base


def _modal_region(c, n_actors, n_threads=1):
    """Most frequent region of each actor (ties: lowest region code); -1 if none."""
    out = np.full(n_actors, -1, dtype=np.intp)
    if len(c) == 0:
        return out
    n_reg = max(c.n_regions, 1)
    if n_actors * n_reg <= _DENSE_MODE_CELLS:  # dense actor x region counts, argmax
        key = c.actor.astype(np.int64) * n_reg + c.region
        counts = np.bincount(key, minlength=n_actors * n_reg).reshape(n_actors, n_reg)
        out = counts.argmax(axis=1).astype(np.intp)
        out[counts[np.arange(n_actors), out] == 0] = -1
        return out
    # actor x region counts as a CSR (the core's counting sort; regions sorted in a row)
    ptr, reg, cnt = arcs_to_csr(n_actors, c.actor, c.region, np.ones(len(c)),
                                n_threads=n_threads, n_cols=n_reg)
    length = np.diff(ptr)
    rows = np.flatnonzero(length)
    top = np.maximum.reduceat(cnt, ptr[rows])
    # the first (lowest) region of each row that reaches the row's maximum
    at_max = np.flatnonzero(cnt == np.repeat(top, length[rows]))
    row_of = np.repeat(np.arange(n_actors), length)[at_max]
    first = np.ones(len(at_max), dtype=bool)
    first[1:] = row_of[1:] != row_of[:-1]
    out[row_of[first]] = reg[at_max[first]]
    return out
