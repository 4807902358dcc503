r"""Node centralities: betweenness (exact and sampled), degree, strength, PageRank, HITS,
harmonic closeness, and their per-region tables.

Every function takes an :class:`~ecosystem.ActorGraph`, an :class:`igraph.Graph` or a
square SciPy sparse adjacency (rows are sources) and returns ndarrays aligned to node
order (float64; int64 for :func:`degree`). :func:`region_table` turns any of them into
one row per region.

Input conventions shared by all functions
-----------------------------------------
* Parallel edges (an ``igraph.Graph`` multigraph, duplicate COO entries) are merged into
  one arc. Where weights are *lengths* (betweenness, harmonic closeness) the merged arc
  keeps the smallest one, the only one a shortest path can use; where weights are
  *strengths* (strength, PageRank, HITS) they add up.
* A SciPy adjacency is read as directed (rows are sources) unless ``directed=False`` or
  ``mode="all"`` is asked for; its nonzero entries are the arcs (explicit zeros are not).
* ``weights=None`` (the default except for :func:`strength`) ignores weights. ``True``
  uses the graph's own weights: ``ActorGraph.weights``, the SciPy values, or an igraph
  graph's ``"weight"`` edge attribute. A string names an igraph edge attribute
  (``"weight"`` is also accepted for the other inputs).
"""

import numbers

import numpy as np

from . import _core
from ._csr import transpose_csr
from ._graph_input import Csr, as_csr, n_nodes
from ._grouping import by_group
from ._parallel import effective_n_threads
from ._validation import as_weights, check_int, check_option, check_real
from .exceptions import ConvergenceError, InputTypeError, ParameterError
from .graph import ActorGraph

__all__ = [
    "betweenness",
    "degree",
    "strength",
    "pagerank",
    "hits",
    "harmonic_closeness",
    "region_table",
    "EXACT_LIMIT",
    "PATH_RTOL",
    "RANK_TOL",
]

#: Largest graph (in nodes) on which ``betweenness(samples=None)`` computes the exact
#: values by default. igraph's exact Brandes on a power-law (Chung–Lu) graph with mean
#: degree 10 takes 15-30 s on one core of an AMD EPYC at this size, and grows as n * m.
EXACT_LIMIT = 10_000

#: Relative tolerance under which two weighted shortest-path lengths tie (see
#: :func:`betweenness`): igraph's ``IGRAPH_SHORTEST_PATH_EPSILON``, applied to 1 + length.
PATH_RTOL = 1e-10

# Memory budget (bytes) for the per-chunk partial score rows of the Brandes kernels.
_CHUNK_BUDGET = 32 * 2**20
_MAX_CHUNKS = 32
_MIN_CHUNKS = 8
# Below this many arc + node visits (sources x (m + n)) the kernel runs on one thread.
_SERIAL_WORK = 1_000_000


def _to_igraph(csr):
    """igraph.Graph (attribute ``weight`` if weighted) of a merged CSR."""
    import igraph as ig

    src = csr.sources()
    dst = csr.indices
    w = csr.weights
    if not csr.directed:
        keep = src <= dst
        src, dst = src[keep], dst[keep]
        if w is not None:
            w = w[keep]
    edges = np.column_stack([src, dst]).astype(np.int64, copy=False)
    attrs = {} if w is None else {"weight": w.tolist()}
    return ig.Graph(n=csr.n, edges=edges, directed=csr.directed, edge_attrs=attrs)


def _check_mode(func, mode):
    return check_option(func, "mode", mode, ("out", "in", "all"))


# ---------------------------------------------------------------------------------------
# Betweenness
# ---------------------------------------------------------------------------------------


def _sample_sources(n, samples, seed):
    """The sources of the sampled estimator: ``samples`` distinct nodes, sorted.

    Drawn uniformly without replacement with ``numpy.random.default_rng(seed)``; the
    benchmark and the tests call this to hand the same sources to igraph.
    """
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=samples, replace=False))


def _n_chunks(n, k):
    """Number of source chunks: a function of (n, k) only, never of the thread count."""
    by_memory = _CHUNK_BUDGET // max(8 * n, 1)
    return int(max(1, min(k, max(_MIN_CHUNKS, min(_MAX_CHUNKS, by_memory)))))


def _brandes(csr, sources, n_threads):
    """Raw Brandes sum over ``sources``: ordered pairs, endpoints excluded."""
    src = np.ascontiguousarray(sources, dtype=csr.indices.dtype)
    chunks = _n_chunks(csr.n, len(src))
    # waking threads costs more than a small job (and the result does not depend on it)
    if len(src) * (len(csr.indices) + csr.n) < _SERIAL_WORK:
        n_threads = 1
    n_threads = max(1, min(n_threads, chunks))
    if csr.weights is None:
        return _core.betweenness_unweighted(csr.indptr, csr.indices, src, chunks, n_threads)
    return _core.betweenness_weighted(
        csr.indptr, csr.indices, csr.weights, src, chunks, n_threads, PATH_RTOL
    )


def betweenness(graph, samples=None, *, weights=None, normalized=False, directed=None,
                seed=None, exact_limit=EXACT_LIMIT, n_jobs=None):
    r"""Shortest-path betweenness: exact, or estimated from sampled sources.

    .. math::

       c_B(v) = \sum_{s \ne v \ne t} \frac{\sigma_{st}(v)}{\sigma_{st}}

    where :math:`\sigma_{st}` is the number of shortest s-t paths and
    :math:`\sigma_{st}(v)` the number of them passing through v. With ``samples=k`` the
    sum over s runs over k sources drawn uniformly without replacement and is scaled
    by n/k, an unbiased estimator of :math:`c_B` (Brandes & Pich 2007).

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph or scipy.sparse adjacency of shape (n, n)
        The network; a SciPy adjacency's rows are sources.
    samples : int, optional
        Number of sampled sources, 1 <= samples <= n. ``None`` (default) computes the
        exact values with igraph, for graphs up to ``exact_limit`` nodes.
        ``samples=n`` also gives the exact values, computed by the parallel kernel.
    weights : None, True or str, default None
        Arc *lengths* (distances, not tie strengths): ``None`` counts hops; ``True`` or an
        attribute name uses the graph's weights, which must be positive and finite. To
        use tie strengths, pass a graph whose weights are e.g. their reciprocals.
    normalized : bool, default False
        Divide by the number of pairs not involving v: (n-1)(n-2) for directed and
        (n-1)(n-2)/2 for undirected graphs (no change when n <= 2).
    directed : bool, optional
        ``None`` uses the graph's own direction (SciPy input: directed). ``False`` reads
        a directed graph as its underlying simple undirected graph; ``True`` reads an
        undirected graph as a symmetric directed one (every value doubles).
    seed : int, numpy.random.Generator or None
        Seed of ``numpy.random.default_rng`` for drawing the sources.
    exact_limit : int or None, default EXACT_LIMIT (10 000)
        With ``samples=None``, graphs with more nodes raise a ParameterError instead of
        silently running for a long time; ``None`` lifts the limit.
    n_jobs : int, optional
        Threads of the sampled kernel (``None``: one; ``-1``: all cores). The
        result does not depend on it, bit for bit. The exact igraph path is serial.

    Returns
    -------
    ndarray of shape (n,), dtype=float64
        Betweenness of each node, in node order.

    Raises
    ------
    ParameterError
        ``samples`` outside [1, n]; ``samples=None`` on a graph above ``exact_limit``;
        a weight attribute that does not exist.
    GraphFormatError
        Weights that are zero, negative, NaN or infinite (``weights`` given).
    InputTypeError
        A graph of another type; ``samples`` or ``weights`` of the wrong type.

    See Also
    --------
    harmonic_closeness : Mean inverse distance to the other nodes.
    region_table : Per-region sums or means of node measures.

    Notes
    -----
    Conventions, pinned by the tests against igraph and networkx:

    * **Pairs.** Directed graphs count ordered pairs (s, t). Undirected graphs count each
      unordered pair once: the Brandes sum over ordered pairs is halved, so the centre of
      a star with 5 nodes scores :math:`\binom{4}{2} = 6`, as
      ``igraph.Graph.betweenness()`` and ``networkx.betweenness_centrality(G,
      normalized=False)`` give. Endpoints are not counted (networkx ``endpoints=False``).
    * **Normalisation** (``normalized=True``) is networkx's: divide by (n-1)(n-2)
      (directed) or (n-1)(n-2)/2 (undirected), so values lie in [0, 1].
    * **Sampling.** The raw sum over the sampled sources S (halved if undirected) equals
      ``igraph.Graph.betweenness(sources=S)`` and ``networkx.betweenness_centrality_subset
      (G, S, G.nodes, normalized=False)``; it is multiplied by n/k. The sources are
      ``numpy.random.default_rng(seed).choice(n, k, replace=False)``, sorted: the same
      seed gives the same sources and the same result. The estimator's variance falls
      as 1/k; a node's estimate is exact when every source reaching it is sampled.
    * **Weighted ties.** Two path lengths a and b tie when
      :math:`|a - b| < \varepsilon\,((1 + a) + (1 + b))` with
      :math:`\varepsilon` = :data:`PATH_RTOL` = 1e-10, on both paths: this is igraph's
      rule (``igraph_cmp_epsilon`` on 1 + length, ``IGRAPH_SHORTEST_PATH_EPSILON``),
      used by the exact path, and the sampled kernel applies the same comparison, so
      ``samples=None`` and ``samples=n`` agree on weights like 1/2 + 1/6 vs 2/3 whose
      sums are not exact in floating point (Newman co-authorship weights). networkx
      ties only equal doubles and can differ from both on such near-ties.
    * **Graph clean-up.** Self-loops never lie on a shortest path and are ignored.
      Parallel edges are merged into one (keeping the shortest). Nodes in other
      components contribute nothing (unreachable pairs are skipped).

    Complexity: O(k m) unweighted (BFS) and O(k (m + n) log n) weighted (Dijkstra with
    a binary heap) for k sources, memory O(n) per thread plus at most
    ``min(32, max(8, 4 Mi / n))`` rows of n partial scores. The sampled kernel runs the
    sources in parallel over OpenMP threads; sources are cut into chunks independent of
    the thread count and summed in chunk order, so 1 and N threads agree bit for bit.
    Predecessor lists are not stored: the backward pass recomputes them from distances.
    Jobs below 10^6 node and arc visits (k (n + m)) run on one thread, where waking
    threads would cost more than they save.

    References
    ----------
    .. [1] U. Brandes, "A faster algorithm for betweenness centrality", Journal of
       Mathematical Sociology 25(2):163-177, 2001. doi:10.1080/0022250X.2001.9990249
    .. [2] U. Brandes and C. Pich, "Centrality estimation in large networks",
       International Journal of Bifurcation and Chaos 17(7):2303-2318, 2007.
       doi:10.1142/S0218127407018403

    Examples
    --------
    A path 0 - 1 - 2 - 3: node 1 lies on the shortest paths 0-2 and 0-3, node 2 on 0-3
    and 1-3, each the only shortest path, so both score 2; the ends score 0.

    >>> import ecosystem as eco
    >>> g = eco.ActorGraph.from_edges([0, 1, 2], [1, 2, 3], directed=False)
    >>> eco.betweenness(g)
    array([0., 2., 2., 0.])

    Read as directed (arcs 0->1->2->3), the same pairs are ordered and only the
    forward ones have a path, so the values do not change; normalised, node 1's two
    pairs are out of (n-1)(n-2) = 6 ordered pairs avoiding it.

    >>> d = eco.ActorGraph.from_edges([0, 1, 2], [1, 2, 3], directed=True)
    >>> eco.betweenness(d, normalized=True).round(4)
    array([0.    , 0.3333, 0.3333, 0.    ])

    Sampling all 4 sources is exact; the seed fixes which sources a smaller sample uses.

    >>> eco.betweenness(g, samples=4, seed=0)
    array([0., 2., 2., 0.])
    """
    func = "betweenness"
    csr = as_csr(func, graph, weights=weights, directed=directed, combine="min",
                  positive=True)
    n = csr.n
    n_threads = effective_n_threads(n_jobs, func=func)
    if not isinstance(normalized, (bool, np.bool_)):
        raise InputTypeError(f"{func}: normalized must be True or False; got {normalized!r}")
    exact_limit = check_int(func, "exact_limit", exact_limit, low=0, allow_none=True)
    if samples is None:
        if exact_limit is not None and n > exact_limit:
            raise ParameterError(
                f"{func}: exact betweenness (samples=None) is limited to exact_limit="
                f"{exact_limit} nodes; got a graph with {n} nodes. Pass samples=k (e.g. "
                f"samples=500) for the sampled estimator, samples={n} for the exact values "
                f"in parallel, or exact_limit=None"
            )
        if n == 0:
            return np.zeros(0)
        g = _to_igraph(csr)
        scores = np.asarray(
            g.betweenness(directed=csr.directed,
                          weights="weight" if csr.weights is not None else None),
            dtype=np.float64,
        )
    else:
        if isinstance(samples, bool) or not isinstance(samples, numbers.Integral):
            raise InputTypeError(f"{func}: samples must be an integer or None; got {samples!r}")
        if not 1 <= samples <= n:
            raise ParameterError(
                f"{func}: samples must be an integer in [1, n_nodes={n}]; got {samples}"
            )
        samples = int(samples)
        sources = _sample_sources(n, samples, seed)
        scores = _brandes(csr, sources, n_threads)
        scale = n / samples
        if not csr.directed:
            scale *= 0.5
        scores *= scale
    if normalized and n > 2:
        pairs = (n - 1) * (n - 2)
        scores /= pairs if csr.directed else pairs / 2
    return scores


# ---------------------------------------------------------------------------------------
# Degree and strength
# ---------------------------------------------------------------------------------------


def _degree_like(csr, mode, values):
    """Sum ``values`` (one per arc; None = 1) over out-, in- or all arcs; loops twice.

    int64 counts when ``values`` is None, float64 sums otherwise.
    """
    n = csr.n
    src = csr.sources()
    out = np.bincount(src, weights=values, minlength=n)
    if not csr.directed:
        loops = src == csr.indices
        if loops.any():
            extra = values[loops] if values is not None else None
            out = out + np.bincount(src[loops], weights=extra, minlength=n)
        return out
    if mode == "out":
        return out
    inn = np.bincount(csr.indices, weights=values, minlength=n)
    return inn if mode == "in" else out + inn


def degree(graph, mode="all"):
    r"""Number of arcs at each node: out-, in- or total degree.

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph or scipy.sparse adjacency of shape (n, n)
        The network; a SciPy adjacency's rows are sources.
    mode : {"all", "out", "in"}, default "all"
        For directed graphs: arcs leaving, entering, or both (in + out). Ignored for
        undirected graphs.

    Returns
    -------
    ndarray of shape (n,), dtype=int64
        Degree of each node, in node order.

    Raises
    ------
    ParameterError
        Unknown ``mode``.

    See Also
    --------
    strength : Weighted degree.

    Notes
    -----
    Parallel edges are merged first, so this counts distinct neighbours (plus loops).
    A self-loop adds 2 to the degree of an undirected node and 1 to both the in- and
    out-degree of a directed one, as in igraph (``loops=True``) and networkx.

    Examples
    --------
    A directed triangle 0->1->2->0 plus 0->2: node 0 has 2 out-arcs and 1 in-arc.

    >>> import ecosystem as eco
    >>> g = eco.ActorGraph.from_edges([0, 1, 2, 0], [1, 2, 0, 2])
    >>> eco.degree(g, mode="out"), eco.degree(g, mode="in"), eco.degree(g)
    (array([2, 1, 1]), array([1, 1, 2]), array([3, 2, 3]))
    """
    func = "degree"
    _check_mode(func, mode)
    csr = as_csr(func, graph, weights=None, directed=None, combine="sum", positive=False)
    return _degree_like(csr, mode, None)


def strength(graph, mode="all", *, weights=True):
    r"""Sum of the weights of the arcs at each node (weighted degree).

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph or scipy.sparse adjacency of shape (n, n)
        The network; a SciPy adjacency's rows are sources.
    mode : {"all", "out", "in"}, default "all"
        As in :func:`degree`.
    weights : None, True or str, default True
        Tie strengths, non-negative and finite. ``True`` uses the graph's weights (an
        igraph graph without a ``"weight"`` attribute counts 1 per edge); ``None`` gives
        the degree.

    Returns
    -------
    ndarray of shape (n,), dtype=float64
        Strength of each node, in node order.

    Raises
    ------
    ParameterError
        Unknown ``mode`` or weight attribute.
    GraphFormatError
        Negative, NaN or infinite weights.

    See Also
    --------
    degree : Number of arcs at each node.

    Notes
    -----
    Parallel edges are merged by adding their weights, so the strength equals igraph's
    ``Graph.strength(mode=..., weights=..., loops=True)`` on the multigraph. Loops count
    twice on undirected graphs, as in :func:`degree`.

    Examples
    --------
    Two co-authored papers between 0 and 1 (weight 2) and one between 1 and 2:

    >>> import ecosystem as eco
    >>> g = eco.ActorGraph.from_edges([0, 1], [1, 2], [2.0, 1.0], directed=False)
    >>> eco.strength(g)
    array([2., 3., 1.])
    """
    func = "strength"
    _check_mode(func, mode)
    csr = as_csr(func, graph, weights=weights, directed=None, combine="sum", positive=False)
    return _degree_like(csr, mode, csr.weights).astype(np.float64, copy=False)


# ---------------------------------------------------------------------------------------
# PageRank and HITS (the core's power iterations)
# ---------------------------------------------------------------------------------------

#: Default L1 tolerance of :func:`pagerank` and :func:`hits`: iteration stops when two
#: successive score vectors differ by less than this (sum of absolute differences).
RANK_TOL = 1e-12
# Below this many arcs + nodes the power iterations run on one thread.
_SERIAL_RANK = 200_000


def _in_arcs(graph, csr, n_threads=1):
    """CSR of the in-arcs (transpose) of ``csr``; cached on an ActorGraph."""
    if not csr.directed:
        return csr.indptr, csr.indices, csr.weights
    if (isinstance(graph, ActorGraph) and graph.directed and csr.indptr is graph.indptr):
        return graph.in_arcs(n_threads, weights=csr.weights is not None)
    return transpose_csr(csr.indptr, csr.indices, csr.weights, n_threads)


def _loops_twice(csr):
    """An undirected graph's loop is two arcs u -> u (igraph's reading, as in degree)."""
    if csr.directed:
        return csr
    loops = csr.sources() == csr.indices
    if not loops.any():
        return csr
    w = np.ones(len(csr.indices)) if csr.weights is None else csr.weights.copy()
    w[loops] *= 2.0
    return Csr(csr.indptr, csr.indices, w, False)


def _out_strength(csr):
    if csr.weights is None:
        return np.diff(csr.indptr).astype(np.float64)
    out = np.zeros(csr.n)
    rows = np.flatnonzero(np.diff(csr.indptr) > 0)
    if len(rows):
        out[rows] = np.add.reduceat(csr.weights, csr.indptr[:-1][rows])
    return out


def _rank_threads(csr, n_jobs, func):
    n_threads = effective_n_threads(n_jobs, func=func)
    return 1 if csr.n + len(csr.indices) < _SERIAL_RANK else n_threads


def _rank_params(func, tol, max_iter):
    tol = check_real(func, "tol", tol, low=0.0, low_open=True)
    max_iter = check_int(func, "max_iter", max_iter, low=1)
    return tol, max_iter


def pagerank(graph, damping=0.85, *, weights=None, directed=None, personalization=None,
             tol=RANK_TOL, max_iter=1000, n_jobs=None, return_info=False):
    r"""PageRank: the stationary distribution of a random surfer with teleportation.

    .. math::

       p_v = \left((1 - d) + d \sum_{u:\, s_u = 0} p_u\right) t_v
             + d \sum_{u \to v} \frac{w_{uv}}{s_u} p_u

    where :math:`s_u` is the out-strength of u, d the damping factor and t the teleport
    distribution (uniform, or ``personalization``): dangling nodes (no out-arcs) send
    their score along t too.

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph or scipy.sparse adjacency of shape (n, n)
        The network; a SciPy adjacency's rows are sources.
    damping : float, default 0.85
        Probability of following an arc, in [0, 1).
    weights : None, True or str, default None
        Tie strengths (non-negative, finite); transition probabilities are proportional
        to them. ``None`` weighs every arc 1.
    directed : bool, optional
        ``None`` uses the graph's own direction; ``False`` follows arcs both ways
        (reciprocal arcs u->v, v->u become one edge, of weight w_uv + w_vu).
    personalization : array-like of shape (n,), optional
        Teleport distribution t (non-negative, finite, not all zero; scaled to sum 1).
        Default uniform.
    tol : float, default RANK_TOL (1e-12)
        Stop when two successive iterates differ by less than ``tol`` in L1 norm. The
        L1 distance to the exact vector is then at most about ``tol * d / (1 - d)``
        (5.7e-12 for d = 0.85).
    max_iter : int, default 1000
        Iterations allowed before :class:`~ecosystem.ConvergenceError`.
    n_jobs : int, optional
        Threads (``None``: one, ``-1``: all cores). The result does not depend on it,
        bit for bit.
    return_info : bool, default False
        Also return a dict with ``n_iter`` (iterations), ``residual`` (L1 change of the
        last iteration), ``tol`` and ``damping``.

    Returns
    -------
    scores : ndarray of shape (n,), dtype=float64
        Scores summing to 1.
    info : dict
        Only with ``return_info=True``.

    Raises
    ------
    ParameterError
        ``damping`` outside [0, 1); bad ``tol``, ``max_iter`` or ``personalization``.
    GraphFormatError
        Negative, NaN or infinite weights.
    ConvergenceError
        No convergence within ``max_iter`` iterations.

    See Also
    --------
    hits : Hub and authority scores.

    Notes
    -----
    Computed by the compiled core on the CSR, without conversion: a power (Jacobi)
    iteration that pulls over the in-arcs, each node computing its own new score
    (parallel over nodes), with the dangling and teleport mass fused into one term.
    The sums over all nodes (dangling mass, residual) are added in fixed chunks in a
    fixed order, so every iterate is bit-identical for any ``n_jobs``. It agrees with
    igraph's PRPACK (``Graph.pagerank(implementation="prpack")``) and with
    ``networkx.pagerank(G, alpha=damping, personalization=..., tol=1e-14)`` within
    1e-10 in L1, including dangling nodes and self-loops (a loop is an arc back to the
    node; in an undirected graph it counts twice, as in :func:`degree` and igraph, while
    networkx counts it once). Parallel edges are merged by adding weights (unweighted:
    into one arc). Cost per iteration: one pass over the arcs; about
    ``log(tol) / log(d)`` iterations (170 at the defaults).

    References
    ----------
    .. [1] L. Page, S. Brin, R. Motwani and T. Winograd, "The PageRank citation
       ranking: bringing order to the Web", Technical Report 1999-66, Stanford
       InfoLab, 1999.

    Examples
    --------
    In a directed 3-cycle every node passes its score on to the next: by symmetry all
    three get 1/3.

    >>> import ecosystem as eco
    >>> g = eco.ActorGraph.from_edges([0, 1, 2], [1, 2, 0])
    >>> eco.pagerank(g).round(4)
    array([0.3333, 0.3333, 0.3333])

    Teleporting only to node 0: p_0 = 0.15 + 0.85 p_2, p_1 = 0.85 p_0 and
    p_2 = 0.85 p_1, so p_0 = 0.15 / (1 - 0.85^3) = 0.3887. The iteration count and the
    last L1 change are reported on request.

    >>> scores, info = eco.pagerank(g, personalization=[1, 0, 0], return_info=True)
    >>> scores.round(4)
    array([0.3887, 0.3304, 0.2809])
    >>> info["residual"] < info["tol"]
    True
    """
    func = "pagerank"
    damping = check_real(func, "damping", damping, low=0.0, high=1.0, high_open=True)
    tol, max_iter = _rank_params(func, tol, max_iter)
    csr = as_csr(func, graph, weights=weights, directed=directed, combine="sum",
                 positive=False)
    n = csr.n
    if personalization is None:
        pers = np.zeros(0)  # uniform: the kernel uses 1/n without reading an array
    else:
        pers = as_weights(func, "personalization", personalization, n)
        total = pers.sum()
        if not total > 0:
            raise ParameterError(
                f"{func}: personalization must have a positive sum; got all zeros"
            )
        pers = pers / total
    n_threads = _rank_threads(csr, n_jobs, func)
    info = {"n_iter": 0, "residual": 0.0, "tol": tol, "damping": damping}
    if n == 0:
        return (np.zeros(0), info) if return_info else np.zeros(0)
    csr = _loops_twice(csr)
    tindptr, tindices, tweights = _in_arcs(graph, csr, n_threads)
    s = _out_strength(csr)
    inv_out = np.zeros(n)
    np.divide(1.0, s, out=inv_out, where=s > 0)
    scores, n_iter, residual = _core.pagerank_pull(
        tindptr, tindices, np.empty(0) if tweights is None else tweights,
        inv_out, pers, damping, tol, max_iter, n_threads)
    if not residual < tol:
        raise ConvergenceError(
            f"{func}: the L1 change is still {residual:.3g} > tol={tol:g}; raise max_iter "
            f"or tol", n_iter=n_iter)
    info.update(n_iter=n_iter, residual=residual)
    return (scores, info) if return_info else scores


def hits(graph, *, weights=None, tol=RANK_TOL, max_iter=10_000, n_jobs=None,
         return_info=False):
    r"""HITS hub and authority scores (Kleinberg).

    Authorities are pointed to by good hubs and hubs point to good authorities:
    :math:`a \propto A^\top h`, :math:`h \propto A a`, i.e. h and a are the principal
    eigenvectors of :math:`A A^\top` and :math:`A^\top A`.

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph or scipy.sparse adjacency of shape (n, n)
        The network; a SciPy adjacency's rows are sources.
    weights : None, True or str, default None
        Tie strengths (non-negative, finite) used as the entries of A.
    tol : float, default RANK_TOL (1e-12)
        Stop when the authorities of two successive iterations differ by less than
        ``tol`` in L1 norm.
    max_iter : int, default 10000
        Iterations allowed before :class:`~ecosystem.ConvergenceError`.
    n_jobs : int, optional
        Threads (``None``: one, ``-1``: all cores); the result does not depend on it.
    return_info : bool, default False
        Also return a dict with ``n_iter``, ``residual`` and ``tol``.

    Returns
    -------
    hub : ndarray of shape (n,), dtype=float64
        Hub scores, scaled to sum to 1 (networkx's convention; igraph scales the maximum
        to 1).
    authority : ndarray of shape (n,), dtype=float64
        Authority scores, scaled to sum to 1.
    info : dict
        Only with ``return_info=True``.

    Raises
    ------
    GraphFormatError
        Negative, NaN or infinite weights.
    ConvergenceError
        No convergence within ``max_iter`` iterations.

    See Also
    --------
    pagerank : Random-surfer centrality.

    Notes
    -----
    Computed by the compiled core: a power iteration from uniform authorities, both
    products pulled (one over the in-arcs), sums added in a fixed order, so the result
    is bit-identical for any ``n_jobs``. The convergence rate is the ratio of the two
    largest eigenvalues of :math:`A^\top A`. On an undirected graph hubs and
    authorities coincide (the eigenvector centrality of A). When the leading eigenvalue
    is repeated (for example two identical components) the eigenvectors are not unique
    and any solver's answer is one of many (the power iteration returns the one reached
    from the uniform start); a graph without arcs gets uniform scores 1/n.

    References
    ----------
    .. [1] J. M. Kleinberg, "Authoritative sources in a hyperlinked environment",
       Journal of the ACM 46(5):604-632, 1999. doi:10.1145/324133.324140

    Examples
    --------
    Nodes 0 and 1 both cite 2 and 3, and 0 also cites 1. With authorities (0, x, y, y)
    and hubs h = A a = (x + 2y, 2y, 0, 0), the fixed point a = A^T h needs
    x = 2y / (lambda - 1) with lambda = (5 + sqrt(17)) / 2, the largest root of
    lambda^2 - 5 lambda + 2: so x / y = 0.5616. Nodes 2 and 3, cited by both hubs, share
    the top authority; node 0, citing everything, is the better hub (ratio
    (x + 2y) / 2y = 1.28).

    >>> import ecosystem as eco
    >>> g = eco.ActorGraph.from_edges([0, 0, 0, 1, 1], [1, 2, 3, 2, 3])
    >>> hub, authority = eco.hits(g)
    >>> hub.round(3), authority.round(3)
    (array([0.562, 0.438, 0.   , 0.   ]), array([0.   , 0.219, 0.39 , 0.39 ]))
    """
    func = "hits"
    tol, max_iter = _rank_params(func, tol, max_iter)
    csr = as_csr(func, graph, weights=weights, directed=None, combine="sum", positive=False)
    n = csr.n
    info = {"n_iter": 0, "residual": 0.0, "tol": tol}
    n_threads = _rank_threads(csr, n_jobs, func)
    if n == 0:
        out = (np.zeros(0), np.zeros(0))
        return (*out, info) if return_info else out
    if csr.weights is None:
        empty = len(csr.indices) == 0
    else:
        empty = not np.any(csr.weights > 0)
    if empty:
        out = (np.full(n, 1.0 / n), np.full(n, 1.0 / n))
        return (*out, info) if return_info else out
    tindptr, tindices, tweights = _in_arcs(graph, csr, n_threads)
    none = np.empty(0)
    hub, auth, n_iter, residual = _core.hits_power(
        csr.indptr, csr.indices, none if csr.weights is None else csr.weights,
        tindptr, tindices, none if tweights is None else tweights, tol, max_iter, n_threads)
    if not residual < tol:
        raise ConvergenceError(
            f"{func}: the L1 change is still {residual:.3g} > tol={tol:g}; raise max_iter "
            f"or tol (a repeated leading eigenvalue can keep the iteration from settling)",
            n_iter=n_iter)
    info.update(n_iter=n_iter, residual=residual)
    return (hub, auth, info) if return_info else (hub, auth)


# ---------------------------------------------------------------------------------------
# Harmonic closeness
# ---------------------------------------------------------------------------------------


def harmonic_closeness(graph, mode="out", *, weights=None, normalized=True):
    r"""Harmonic closeness: the (mean) inverse distance to the other nodes.

    .. math::

       H(v) = \frac{1}{n - 1} \sum_{u \ne v} \frac{1}{d(v, u)}

    with :math:`1/\infty = 0`, so unreachable nodes add nothing and the measure is well
    defined on disconnected graphs.

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph or scipy.sparse adjacency of shape (n, n)
        The network; a SciPy adjacency's rows are sources.
    mode : {"out", "in", "all"}, default "out"
        Distances *from* v along arcs (``"out"``), *to* v (``"in"``) or ignoring
        direction (``"all"``). Ignored for undirected graphs.
    weights : None, True or str, default None
        Arc lengths (positive, finite); ``None`` counts hops.
    normalized : bool, default True
        Divide by n - 1 (values in [0, 1]; 1 means adjacent to every other node).

    Returns
    -------
    ndarray of shape (n,), dtype=float64
        Harmonic closeness of each node, in node order.

    Raises
    ------
    ParameterError
        Unknown ``mode``.
    GraphFormatError
        Zero, negative, NaN or infinite weights.

    See Also
    --------
    betweenness : Shortest-path betweenness.

    Notes
    -----
    Computed by igraph's ``Graph.harmonic_centrality(mode=..., normalized=...)``.
    ``normalized=True`` is igraph's default. ``networkx.harmonic_centrality(G)`` sums
    inverse distances *to* each node and does not normalise: it equals
    ``harmonic_closeness(graph, mode="in", normalized=False)``. Parallel edges are
    merged (keeping the shortest) and self-loops play no role. A graph with one node
    scores 0.

    References
    ----------
    .. [1] M. Marchiori and V. Latora, "Harmony in the small-world", Physica A
       285(3-4):539-546, 2000. doi:10.1016/S0378-4371(00)00311-3
    .. [2] Y. Rochat, "Closeness centrality extended to unconnected graphs: the
       harmonic centrality index", Applications of Social Network Analysis (ASNA),
       Zürich, 2009.

    Examples
    --------
    On the path 0 - 1 - 2 the middle node is at distance 1 from both others (mean
    inverse distance 1); an end node is at distances 1 and 2, giving (1 + 1/2) / 2.

    >>> import ecosystem as eco
    >>> g = eco.ActorGraph.from_edges([0, 1], [1, 2], directed=False)
    >>> eco.harmonic_closeness(g)
    array([0.75, 1.  , 0.75])
    """
    func = "harmonic_closeness"
    _check_mode(func, mode)
    if not isinstance(normalized, (bool, np.bool_)):
        raise InputTypeError(f"{func}: normalized must be True or False; got {normalized!r}")
    csr = as_csr(func, graph, weights=weights, directed=None, combine="min", positive=True)
    n = csr.n
    if n <= 1:
        return np.zeros(n)
    g = _to_igraph(csr)
    scores = g.harmonic_centrality(mode=mode if csr.directed else "all",
                                   weights="weight" if csr.weights is not None else None,
                                   normalized=bool(normalized))
    return np.asarray(scores, dtype=np.float64)


# ---------------------------------------------------------------------------------------
# Per-region tables
# ---------------------------------------------------------------------------------------


def region_table(graph, *, groups=None, agg="sum", **measures):
    """Aggregate node-level measures per region (or any grouping of the nodes).

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph or scipy.sparse adjacency of shape (n, n)
        Gives the number of nodes and, for an ActorGraph, the default grouping
        (``graph.node_region`` / ``graph.region_labels``).
    groups : array-like of shape (n,), optional
        Group label of each node (None/NaN for unknown). Required unless ``graph`` is an
        ActorGraph with regions.
    agg : {"sum", "mean", "max", "count"}, default "sum"
        How each measure is aggregated over a region's nodes.
    **measures : array-like of shape (n,)
        Node-aligned values, one keyword per column, e.g. ``betweenness=b``.

    Returns
    -------
    pandas.DataFrame
        One row per region (index ``group``, sorted), one column per measure in keyword
        order, and ``n_nodes``. Nodes with an unknown region are left out; their count
        is in ``attrs["n_missing"]``.

    Raises
    ------
    ParameterError
        No measure; measures or groups of the wrong length; no groups available.

    See Also
    --------
    betweenness : Shortest-path betweenness.
    pagerank : Random-surfer centrality.
    strength : Weighted degree.

    Examples
    --------
    Two regions joined by the bridge 1 - 2: all betweenness sits on the bridge ends.

    >>> import ecosystem as eco
    >>> g = eco.ActorGraph.from_edges([0, 1, 2], [1, 2, 3], directed=False,
    ...                               node_region=["A", "A", "B", "B"])
    >>> t = eco.region_table(g, betweenness=eco.betweenness(g), degree=eco.degree(g))
    >>> t
           betweenness  degree  n_nodes
    group                              
    A              2.0     3.0        2
    B              2.0     3.0        2
    """
    func = "region_table"
    if not measures:
        raise ParameterError(f"{func}: measures must name at least one column; got none")
    n = n_nodes(func, graph)
    columns = []
    for name, values in measures.items():
        arr = np.asarray(values, dtype=np.float64)
        if arr.shape != (n,):
            raise ParameterError(
                f"{func}: {name} must have one value per node ({n}); got shape {arr.shape}"
            )
        columns.append(arr)
    if groups is None:
        if not isinstance(graph, ActorGraph) or not graph.region_labels:
            raise ParameterError(
                f"{func}: groups must be given unless graph is an ActorGraph with regions; "
                f"got groups=None and a {type(graph).__name__} without regions"
            )
        vocab = np.empty(len(graph.region_labels) + 1, dtype=object)
        vocab[:-1] = list(graph.region_labels)
        vocab[-1] = None
        groups = vocab[graph.node_region]
    return by_group(np.column_stack(columns), groups, agg=agg, columns=list(measures),
                    func=func)
