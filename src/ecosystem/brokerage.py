"""Brokerage and structural holes: Gould–Fernandez roles, E-I index, Burt's measures.

Gould–Fernandez brokerage follows R ``sna::brokerage`` exactly; the E-I index is
Krackhardt and Stern's; effective size and constraint are Burt's, as in networkx.

Role columns follow sna's order and codes:

========  ==============  =====================  ===========================================
column    sna code        role                   pattern: source → broker → target
========  ==============  =====================  ===========================================
0         ``w_I``         coordinator            A → A → A
1         ``w_O``         itinerant              A → B → A
2         ``b_IO``        representative         A → A → B (broker shares the source's group)
3         ``b_OI``        gatekeeper             A → B → B (broker shares the target's group)
4         ``b_O``         liaison                A → B → C
5         ``t``           total                  sum of columns 0–4
========  ==============  =====================  ===========================================

Always key on the codes: some third-party material swaps the names of ``b_IO`` and ``b_OI``
(sna's own manual did until 2.5); ``b_IO`` is the representative and ``b_OI`` the
gatekeeper, as in the current sna documentation.
"""

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from . import _core
from ._graph_input import as_actor_graph
from ._grouping import by_group as _by_group
from ._parallel import effective_n_threads
from ._validation import as_1d, as_labels, check_length, check_option, check_real
from .exceptions import GraphFormatError, InputTypeError, ParameterError
from .graph import ActorGraph

__all__ = [
    "ROLE_CODES",
    "ROLE_NAMES",
    "BrokerageResult",
    "brokerage",
    "region_brokerage",
    "EIResult",
    "ei_index",
    "effective_size",
    "burt_constraint",
]

#: sna's column codes, in sna's column order.
ROLE_CODES = ("w_I", "w_O", "b_IO", "b_OI", "b_O", "t")
#: Readable role names, aligned with :data:`ROLE_CODES`.
ROLE_NAMES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")

_VARIANCES = ("sna", "exact")
_EI_MODES = ("both", "out", "in")


# ----------------------------------------------------------------------------- inputs
def _group_codes(func, groups, graph):
    """(codes, vocabulary, per-node labels) of the grouping, validated."""
    n = graph.n_nodes
    if groups is None:
        if not graph.region_labels or (graph.node_region < 0).any():
            unknown = int((graph.node_region < 0).sum()) if graph.region_labels else n
            raise ParameterError(
                f"{func}: groups must be given when the graph's node_region is unknown; "
                f"got groups=None and {unknown} of {n} nodes without a region"
            )
        codes = np.ascontiguousarray(graph.node_region, dtype=np.intp)
        vocab = tuple(graph.region_labels)
    else:
        arr = as_1d(func, "groups", groups)
        check_length(func, "groups", arr, n, "node")
        codes, vocab = as_labels(func, "groups", arr)
    labels = np.empty(len(vocab), dtype=object)
    labels[:] = list(vocab)
    return codes, vocab, labels[codes]


def _readonly(arr):
    arr = np.ascontiguousarray(arr)
    arr.flags.writeable = False
    return arr


# ----------------------------------------------------------------------------- moments
def _role_moments(sizes, n_arcs, variance):
    """Density and role moments of an observed graph (see :func:`_moments`).

    Returns ``(exp_grp, var_grp, exp_gli, var_gli, density)`` with
    d = m / (N (N - 1)) (NaN or inf when N < 2, and then NaN moments, as in R).
    """
    N = int(sum(int(x) for x in sizes))
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.float64(n_arcs) / np.float64(N * (N - 1))
        return (*_moments(sizes, d, variance), float(d))


def _moments(sizes, d, variance):
    """Expectations and variances of the role counts under sna's null model.

    Parameters
    ----------
    sizes : sequence of int
        Group sizes (all > 0); their sum is N.
    d : float
        Arc probability of every ordered pair of distinct nodes.
    variance : {"sna", "exact"}
        Whole-network variance: sna's formulas or the exact one.

    Returns
    -------
    exp_grp, var_grp : ndarray of shape (G, 6)
        Moments of the counts of one broker in each group (exact under the model).
    exp_gli, var_gli : ndarray of shape (6,)
        Whole-network moments.
    """
    n = [int(x) for x in sizes]  # Python ints: the polynomial sums below are exact
    N = sum(n)
    P2 = sum(x * x for x in n)
    P3 = sum(x**3 for x in n)
    P4 = sum(x**4 for x in n)
    p = d * d * (1 - d)
    q3 = d**3 * (1 - d) ** 3
    q4 = d**4 * (1 - d) ** 2
    q5 = d**5 * (1 - d)

    # Node level, a broker in group g (exact integers; docs/methodology/brokerage)
    s_a = sum(x * (x - 1) for x in n)
    s_b = sum(x * (x - 1) * (x - 2) for x in n)
    M = np.zeros((len(n), 6), dtype=object)
    S = np.zeros((len(n), 6), dtype=object)
    for g, ng in enumerate(n):
        rest = N - ng
        M[g, 0] = (ng - 1) * (ng - 2)
        S[g, 0] = 2 * (ng - 1) * (ng - 2) * (ng - 3)
        M[g, 1] = s_a - ng * (ng - 1)
        S[g, 1] = 2 * (s_b - ng * (ng - 1) * (ng - 2))
        M[g, 2] = M[g, 3] = (ng - 1) * rest
        S[g, 2] = S[g, 3] = (ng - 1) * rest * (rest - 1) + rest * (ng - 1) * (ng - 2)
        M[g, 4] = rest * rest - (P2 - ng * ng)
        # 2 sum_{h != g} n_h (rest - n_h)(rest - n_h - 1), expanded in power sums of h != g
        r1, r2, r3 = rest, P2 - ng * ng, P3 - ng**3
        S[g, 4] = 2 * (rest * (rest - 1) * r1 - (2 * rest - 1) * r2 + r3)
        M[g, 5] = (N - 1) * (N - 2)
        S[g, 5] = 2 * (N - 1) * (N - 2) * (N - 3)
    Mf = M.astype(np.float64)
    exp_grp = Mf * p
    var_grp = Mf * p * (1 - p) + S.astype(np.float64) * q3

    # Whole network: Var = M p(1-p) + C3 q3 - C4 q4 + C5 q5 (docs/methodology/brokerage)
    exact = variance == "exact"
    coef = np.zeros((6, 4), dtype=object)  # columns M, C3, C4, C5
    m_wi = sum(x * (x - 1) * (x - 2) for x in n)
    coef[0] = (m_wi,
               sum(x * (x - 1) * (x - 2) * (4 * x - 10) for x in n),
               sum(x * (x - 1) * (x - 2) * ((4 * x - 10) if exact else 4 * (x - 3)) for x in n),
               sum(x * (x - 1) * (x - 2) * (x - 3) for x in n))
    m_pair = sum(x * (x - 1) * (N - x) for x in n)
    coef[1] = (m_pair,
               sum(x * (x - 1) * ((2 * x - 6) * (N - x) + 2 * (P2 - x * x)) for x in n),
               0,
               sum(x * (x - 1) * (N - x) * (N - x - 1) for x in n))
    coef[2] = coef[3] = (m_pair,
                         (N - 3) * m_pair,
                         sum(x * (x - 1) * (N - x) * (2 * x - 3) for x in n) if exact else 0,
                         sum(x * (x - 1) * (N - x) * (x - 2) for x in n))
    t1 = N**3 - 3 * N * P2 + 2 * P3  # sum over ordered distinct groups (X,Y,Z) of nX nY nZ
    t2 = P2 * N * N - 2 * N * P3 - P2 * P2 + 2 * P4  # same with one factor squared
    coef[4] = (t1, (4 * N - 2) * t1 - 8 * t2, (4 * N - 2) * t1 - 8 * t2, (N - 1) * t1 - 2 * t2)
    m_t = N * (N - 1) * (N - 2)
    coef[5] = (m_t, m_t * (4 * N - 10), m_t * ((4 * N - 10) if exact else 4 * (N - 3)),
               m_t * (N - 3))
    cf = coef.astype(np.float64)
    exp_gli = cf[:, 0] * p
    var_gli = cf[:, 0] * p * (1 - p) + cf[:, 1] * q3 - cf[:, 2] * q4 + cf[:, 3] * q5
    return exp_grp, var_grp, exp_gli, var_gli


def _sqrt(var):
    with np.errstate(invalid="ignore"):
        return np.sqrt(var)


def _zscore(raw, expected, sd):
    with np.errstate(invalid="ignore", divide="ignore"):
        return (raw - expected) / sd


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class BrokerageResult:
    """Gould–Fernandez brokerage of every node, with sna's null-model moments.

    Arrays of shape (n, 6) or (6,) have their columns in sna order
    ``w_I, w_O, b_IO, b_OI, b_O, t`` (:data:`ROLE_CODES`), i.e. coordinator, itinerant,
    representative, gatekeeper, liaison, total (:data:`ROLE_NAMES`).

    Attributes
    ----------
    raw : ndarray of shape (n, 6), dtype=int64
        Role counts per node (sna ``raw.nli``).
    expected, sd, z : ndarray of shape (n, 6), dtype=float64
        Expectation, standard deviation and z-score per node (``exp.nli``, ``sd.nli``,
        ``z.nli``). Every node of a group shares expectation and SD; z is NaN where the
        SD is 0 (a role impossible for the group).
    raw_global : ndarray of shape (6,), dtype=int64
        Column sums of ``raw`` (``raw.gli``).
    expected_global, sd_global, z_global : ndarray of shape (6,), dtype=float64
        Whole-network moments (``exp.gli``, ``sd.gli``, ``z.gli``); the SD follows
        ``params["variance"]``.
    groups : ndarray of shape (n,), dtype=object
        Group label of every node.
    group_labels : tuple
        Distinct group labels, sorted (sna orders them by first appearance instead).
    group_sizes : ndarray of shape (G,), dtype=int64
    expected_group, sd_group : ndarray of shape (G, 6)
        Moments of a broker in each group (sna ``exp.grp``, ``sd.grp``), rows in
        ``group_labels`` order.
    density : float
        d = m / (N (N - 1)) with m counting self-loops (sna's density).
    n_arcs : int
        m.
    node_labels : tuple or None
    two_path_candidates : int
        Sum over brokers of in-degree × out-degree (self-loops excluded): the ordered
        (i, k) candidate pairs, before removing i = k and closed pairs.
    closure_checks : int
        Membership tests the counting kernel performed for the closing arcs.
    params : dict
        ``variance``, ``n_threads``, ``directed``.
    """

    raw: np.ndarray
    expected: np.ndarray
    sd: np.ndarray
    z: np.ndarray
    raw_global: np.ndarray
    expected_global: np.ndarray
    sd_global: np.ndarray
    z_global: np.ndarray
    groups: np.ndarray
    group_labels: tuple
    group_sizes: np.ndarray
    expected_group: np.ndarray
    sd_group: np.ndarray
    density: float
    n_arcs: int
    node_labels: tuple | None = None
    two_path_candidates: int = 0
    closure_checks: int = 0
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in ("raw", "expected", "sd", "z", "raw_global", "expected_global",
                     "sd_global", "z_global", "groups", "group_sizes", "expected_group",
                     "sd_group"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    @property
    def n_nodes(self):
        """Number of nodes."""
        return self.raw.shape[0]

    def __repr__(self):
        totals = ", ".join(f"{c}={v}" for c, v in zip(ROLE_CODES, self.raw_global.tolist()))
        return (f"<BrokerageResult: {self.n_nodes} nodes, {len(self.group_labels)} groups, "
                f"density={self.density:.4g}, variance={self.params.get('variance')!r}; {totals}>")

    def _repr_html_(self):
        """Notebook view: the summary line and the nodes with the most brokerage."""
        import html

        t = self.to_pandas("raw")
        t = t.assign(total=t.sum(axis=1)).sort_values("total", ascending=False).head(10)
        return (f"<div><p>{html.escape(repr(self))}</p>{t.to_html()}<p><small>Nodes with the "
                "most brokerage (raw counts); z-scores: <code>.to_pandas('z')</code>."
                "</small></p></div>")

    def by_group(self, groups=None):
        """Sum the role counts over the members of each group.

        With the default grouping (the brokerage groups, e.g. regions on an actor network)
        row r holds how often the actors of r broker in each role: the region-level reading
        of the actor network (see :func:`region_brokerage`).

        Parameters
        ----------
        groups : array-like of shape (n,), optional
            Another node grouping to sum over (missing labels are left out). Default: the
            groups the roles were computed with.

        Returns
        -------
        pandas.DataFrame
            One row per group (index ``group``, sorted), integer columns
            coordinator, itinerant, representative, gatekeeper, liaison, total, and
            ``n_nodes``.
        """
        grp = self.groups if groups is None else groups
        frame = _by_group(self.raw, grp, agg="sum", columns=list(ROLE_NAMES),
                          func="BrokerageResult.by_group")
        return frame.astype({name: np.int64 for name in ROLE_NAMES})

    def to_pandas(self, kind="raw"):
        """Return nodes × roles as a DataFrame with readable column names.

        Parameters
        ----------
        kind : {"raw", "expected", "sd", "z"}, default "raw"

        Returns
        -------
        pandas.DataFrame
            Index: node labels (or 0..n-1), name ``node``. Columns coordinator (sna
            ``w_I``), itinerant (``w_O``), representative (``b_IO``), gatekeeper
            (``b_OI``), liaison (``b_O``), total (``t``); ``frame.attrs["codes"]`` maps
            names to sna codes.
        """
        import pandas as pd

        check_option("BrokerageResult.to_pandas", "kind", kind, ("raw", "expected", "sd", "z"))
        values = getattr(self, kind)
        index = (pd.Index(self.node_labels, name="node") if self.node_labels is not None
                 else pd.RangeIndex(self.n_nodes, name="node"))
        frame = pd.DataFrame(np.array(values), index=index, columns=list(ROLE_NAMES))
        frame.attrs["codes"] = dict(zip(ROLE_NAMES, ROLE_CODES))
        frame.attrs["kind"] = kind
        return frame


# ----------------------------------------------------------------------------- brokerage
def brokerage(graph, groups=None, *, variance="sna", n_jobs=None):
    """Gould–Fernandez brokerage roles of every node, exactly as R ``sna::brokerage``.

    Node b brokers the ordered pair (i, k) when i, b, k are pairwise distinct, the arcs
    i → b and b → k exist and the arc i → k does not. The role follows the groups of
    (source i, broker b, target k): coordinator ``w_I`` (A → A → A), itinerant ``w_O``
    (A → B → A), representative ``b_IO`` (A → A → B), gatekeeper ``b_OI`` (A → B → B),
    liaison ``b_O`` (A → B → C).

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph, scipy.sparse array/matrix or 2-D ndarray
        Rows are sources. Ties: every arc of an ActorGraph (whatever its weight); every
        edge of an igraph.Graph (weights ignored); every non-zero or NaN cell of a matrix
        (negative values count, as in sna). Undirected graphs count as mutual digraphs.
    groups : array-like of shape (n,), optional
        Group label of every node (regions, countries, ...). Default: the graph's
        ``node_region`` (for an igraph.Graph its ``region`` vertex attribute).
    variance : {"sna", "exact"}, default "sna"
        Whole-network variance: sna's formulas, or the exact variance under the same null
        model (see Notes). Node-level moments are exact either way.
    n_jobs : int or None, default None
        Threads for the counting kernel (``None``: one, ``-1``: all cores, larger counts are
        clamped to the cores). The counts do not depend on it.

    Returns
    -------
    BrokerageResult
        ``.raw``, ``.expected``, ``.sd``, ``.z`` (n × 6) and ``.raw_global``,
        ``.expected_global``, ``.sd_global``, ``.z_global`` (6), columns in sna order
        ``w_I, w_O, b_IO, b_OI, b_O, t``; ``.by_group()`` and ``.to_pandas()``.

    Raises
    ------
    InputTypeError
        ``graph`` of an unsupported type.
    GraphFormatError
        A non-square adjacency matrix.
    ParameterError
        ``groups`` of the wrong length or with missing (None/NaN) labels; ``groups``
        omitted while the graph's regions are unknown; an unknown ``variance``.

    Notes
    -----
    **Counting (sna ≥ 2.0).** Only the forward closing arc i → k cancels a two-path
    (a reverse arc k → i does not), so in the directed 3-cycle every node brokers one
    pair. Pairs are ordered: with mutual ties i ↔ b ↔ k and no i–k tie, b scores 2.
    Self-loops never form part of a two-path but count in m. Several brokers of the same
    pair each score a full unit. Undirected input is a mutual digraph: each unordered pair
    counts twice and ``b_IO == b_OI`` on every node (halve the columns for unordered
    counts). *Multiplicities are not kept*: parallel arcs are merged when the graph is
    built, so a pair scores 1 where sna, given a multigraph edge list, would score
    mult(i → b) · mult(b → k), and m counts distinct arcs.

    **Null model** (sna's): group labels fixed, every ordered pair of distinct nodes holds
    an arc independently with probability d = m / (N(N − 1)), m including self-loops. With
    p = d²(1 − d), q₃ = d³(1 − d)³, q₄ = d⁴(1 − d)², q₅ = d⁵(1 − d), a role count over a
    set of M candidate triples has E = M p and

        Var = M p (1 − p) + P q₃ + A q₅ − K q₄,

    where P, A and K count the ordered pairs of candidate triples that share one required
    arc, share the required-absent arc, or contradict each other (one needs an arc the
    other needs absent). For one broker only P is non-zero (sna's node-level formulas,
    exact). For the whole network sna uses K per triple equal to 4n − 12 (``w_I``, n the
    group size), 4N − 12 (``t``) and 0 (``b_IO``, ``b_OI``); the exact counts are 4n − 10,
    4N − 10 and 2n − 3 — for a triple (a, b, c) the contradicting triples are (a, c, x),
    (x, a, c), (a, x, b) and (b, x, c) of the same role, the two triples (a, c, b) and
    (b, a, c) being counted once although they clash on two arcs; for ``b_IO`` with a, b in
    group A of size n only (x, a, c) with x in A \\ {a} and (b, x, c) with x in A \\ {b}
    qualify, (b, a, c) in both. ``w_O`` and ``b_O`` are exact in sna. ``variance="exact"``
    uses the exact K, so sna's global SD is too large for ``w_I``, ``b_IO``, ``b_OI`` and
    ``t`` (conservative :math:`|z|`); the node-level moments are identical in both modes. The
    z-scores are not degree-adjusted, and for undirected input (dependent mutual arcs)
    they are descriptive only. SD = 0 gives z = NaN, as in R; N < 2 gives NaN moments.

    **Correspondence to sna.** ``raw``/``expected``/``sd``/``z`` = ``raw.nli``,
    ``exp.nli``, ``sd.nli``, ``z.nli``; the ``*_global`` arrays = ``raw.gli``, ``exp.gli``,
    ``sd.gli``, ``z.gli``; ``expected_group``/``sd_group`` = ``exp.grp``/``sd.grp`` with
    rows in sorted label order instead of sna's first-appearance order.

    **Algorithm.** Owner computes over brokers b (OpenMP, dynamic schedule): out(b) is
    set in a per-thread bitset and counted per group; for every in-neighbour i only the
    closed targets out(i) ∩ out(b) are enumerated (scanning out(i) against the bitset, or
    galloping search in the sorted row out(i) when it is much longer), and the five role
    counts follow from per-group counts. Counts are int64 and identical for any thread
    count. Cost: Σ_b out(b) + Σ_(i→b) min(out(i), out(b) log out(i)).

    References
    ----------
    .. [1] Gould, R. V., Fernandez, R. M. (1989). Structures of mediation: a formal
       approach to brokerage in transaction networks. *Sociological Methodology* 19,
       89–126. doi:10.2307/270949
    .. [2] Butts, C. T. sna: Tools for Social Network Analysis, R package, function
       ``brokerage`` (versions 2.0–2.7).

    Examples
    --------
    The directed 3-cycle 0 → 1 → 2 → 0, groups a, a, b:

    >>> import numpy as np
    >>> from ecosystem.brokerage import brokerage
    >>> A = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    >>> res = brokerage(A, ["a", "a", "b"])
    >>> res.to_pandas()[["itinerant", "representative", "gatekeeper", "total"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          itinerant  representative  gatekeeper  total
    node
    0             0               0           1      1
    1             0               1           0      1
    2             1               0           0      1
    >>> res.raw[2].tolist()   # 1 -> 2 -> 0 with 1 and 0 in group a: itinerant
    [0, 1, 0, 0, 0, 1]
    """
    func = "brokerage"
    check_option(func, "variance", variance, _VARIANCES)
    g = as_actor_graph(func, graph, ties_only=True)
    codes, vocab, labels = _group_codes(func, groups, g)
    n_threads = effective_n_threads(n_jobs, func=func)
    tindptr, tindices, _ = g.transpose
    counts, candidates, checks = _core.brokerage_counts(
        g.indptr, g.indices, tindptr, tindices, codes, len(vocab), n_threads)
    raw = np.empty((g.n_nodes, 6), dtype=np.int64)
    raw[:, :5] = counts
    raw[:, 5] = counts.sum(axis=1)
    sizes = np.bincount(codes, minlength=len(vocab)).astype(np.int64)
    exp_grp, var_grp, exp_gli, var_gli, density = _role_moments(sizes, g.nnz, variance)
    sd_grp = _sqrt(var_grp)
    expected, sd = exp_grp[codes], sd_grp[codes]
    raw_global = raw.sum(axis=0)
    sd_global = _sqrt(var_gli)
    return BrokerageResult(
        raw=raw, expected=expected, sd=sd, z=_zscore(raw, expected, sd),
        raw_global=raw_global, expected_global=exp_gli, sd_global=sd_global,
        z_global=_zscore(raw_global, exp_gli, sd_global),
        groups=labels, group_labels=tuple(vocab), group_sizes=sizes,
        expected_group=exp_grp, sd_group=sd_grp, density=density, n_arcs=g.nnz,
        node_labels=g.node_labels, two_path_candidates=candidates, closure_checks=checks,
        params={"variance": variance, "n_threads": n_threads, "directed": g.directed})


def region_brokerage(flows, countries, *, threshold=0.0, regions=None, variance="sna",
                     n_jobs=None):
    """Brokerage on the region network: nodes = regions, groups = countries.

    The region network has an arc r → j (r ≠ j) wherever ``flows[r, j] > threshold``;
    internal flows on the diagonal are not ties. Roles are then those of
    :func:`brokerage` with each region's country as its group.

    Parameters
    ----------
    flows : array-like or scipy.sparse of shape (R, R)
        Flow volumes between regions in the presence convention: ``flows[r, j]`` is the
        activity of actors from r in j (outbound of r). Must be finite.
    countries : array-like of shape (R,)
        Country (or other group, e.g. Hong Kong and Macao as their own groups) of every
        region; no missing labels.
    threshold : float, default 0.0
        Arcs are the cells strictly above it.
    regions : sequence of length R, optional
        Region labels (index of ``to_pandas()``).
    variance : {"sna", "exact"}, default "sna"
        Whole-network variance, as in :func:`brokerage`.
    n_jobs : int or None, default None
        Threads for the counting kernel (``None``: one, ``-1``: all cores).

    Returns
    -------
    BrokerageResult
        One row per region; ``params`` also holds ``threshold``.

    Raises
    ------
    GraphFormatError
        ``flows`` not square, or with NaN/inf values.
    ParameterError
        ``countries`` of the wrong length or with missing labels; a bad ``threshold``
        or ``variance``.

    Notes
    -----
    Two readings of hub / introduction / outbound (methodology chapter, brokerage):

    * **Region network, groups = countries** (this function). For the focal region r:
      *gatekeeper* ``b_OI`` counts foreign i → r → domestic k: actors from abroad are
      present in r and r's actors are present elsewhere at home — r brings the outside
      in (**introduction**). *Representative* ``b_IO`` counts domestic i → r → foreign k:
      r carries its own country's activity out (**outbound**). *Liaison* ``b_O`` (foreign
      A → r → foreign B) and *itinerant* ``w_O`` (foreign A → r → foreign A) make r an
      international intermediary (**hub**); *coordinator* ``w_I`` is brokerage inside
      the country, context only.
    * **Actor network, groups = regions** (``brokerage(actor_graph)`` with the graph's
      ``node_region``, then ``.by_group()``): the row of region r sums the roles of r's
      actors. Gatekeeper = an actor of r relays ties from another region to actors of r
      (introduction); representative = an actor of r relays ties from r's actors to
      another region (outbound); itinerant and liaison = r's actors broker between other
      regions (hub). To read the actor network with groups "inside r / outside r" call
      ``brokerage(graph, groups=(graph.node_region == r))`` and sum over r's actors.

    Counts are descriptive; their sna z-scores are not degree-adjusted (a large region
    gets large z almost automatically), so the classification should use a rewiring null.

    Examples
    --------
    Three regions: A1 and A2 in country A, B1 in B; A1 is active in A2, A2 in B1.

    >>> import numpy as np
    >>> from ecosystem.brokerage import region_brokerage
    >>> flows = np.array([[5., 2., 0.], [0., 7., 3.], [0., 0., 4.]])
    >>> res = region_brokerage(flows, ["A", "A", "B"], regions=["A1", "A2", "B1"])
    >>> res.to_pandas().loc["A2", ["representative", "gatekeeper"]].tolist()
    [1, 0]
    """
    func = "region_brokerage"
    check_option(func, "variance", variance, _VARIANCES)
    threshold = check_real(func, "threshold", threshold)
    if sp.issparse(flows):
        mat = sp.coo_array(flows)
        shape = mat.shape
        rows, cols, vals = mat.row, mat.col, np.asarray(mat.data, dtype=np.float64)
    else:
        arr = np.asarray(flows)
        if arr.dtype.kind not in "biuf":
            raise InputTypeError(f"{func}: flows must be numeric; got dtype {arr.dtype}")
        shape = arr.shape
        if arr.ndim != 2:
            raise GraphFormatError(f"{func}: flows must be a square (R, R) matrix; got shape {shape}")
        rows, cols = (x.ravel() for x in np.indices(shape))
        vals = arr.astype(np.float64).ravel()
    if len(shape) != 2 or shape[0] != shape[1]:
        raise GraphFormatError(f"{func}: flows must be a square (R, R) matrix; got shape {shape}")
    bad = ~np.isfinite(vals)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise GraphFormatError(
            f"{func}: flows must be finite; got {int(bad.sum())} NaN/inf cells, "
            f"e.g. {vals[k]} at ({rows[k]}, {cols[k]})")
    R = shape[0]
    cty = as_1d(func, "countries", countries)
    check_length(func, "countries", cty, R, "region")
    if regions is not None:
        regions = tuple(regions)
        check_length(func, "regions", regions, R, "region")
    keep = (vals > threshold) & (rows != cols)
    graph = ActorGraph.from_edges(rows[keep], cols[keep], n_nodes=R, directed=True,
                                  node_labels=regions)
    res = brokerage(graph, cty, variance=variance, n_jobs=n_jobs)
    return dataclasses.replace(res, params=dict(res.params, threshold=threshold))


# ----------------------------------------------------------------------------- E-I index
@dataclass(frozen=True, eq=False)
class EIResult:
    """Krackhardt–Stern E-I index at network, group and node level.

    Attributes
    ----------
    index : float
        Whole-network E-I = (EL − IL) / (EL + IL), every tie counted once.
    external, internal : float
        EL and IL of the whole network (tie counts, or weight sums if ``weighted``).
    baseline : float
        Expected E-I when the same number of ties is placed uniformly at random:
        (E* − I*) / (E* + I*), I* = Σ_g n_g (n_g − 1), E* = N (N − 1) − I*.
    groups : pandas.DataFrame
        One row per group (sorted labels): ``internal``, ``external`` (per ``mode``),
        ``ei`` and ``n_nodes``.
    node : ndarray of shape (n,)
        E-I of every node (NaN for a node without ties in ``mode``).
    node_external, node_internal : ndarray of shape (n,)
        E_v and I_v of every node (counts, or weight sums if ``weighted``).
    mode : str
        The ``mode`` used for groups and nodes.
    weighted : bool
        Whether weights were summed.
    """

    index: float
    external: float
    internal: float
    baseline: float
    groups: object
    node: np.ndarray
    node_external: np.ndarray
    node_internal: np.ndarray
    mode: str
    weighted: bool

    def __post_init__(self):
        for name in ("node", "node_external", "node_internal"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    def __repr__(self):
        return (f"<EIResult: E-I={self.index:.4g} (baseline {self.baseline:.4g}), "
                f"{len(self.groups)} groups, mode={self.mode!r}, weighted={self.weighted}>")


def _ei(external, internal):
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.asarray(external, dtype=np.float64) - internal) / (
            np.asarray(external, dtype=np.float64) + internal)


def ei_index(graph, groups=None, *, mode="both", weighted=False):
    """Krackhardt and Stern's E-I index: whole network, per group and per node.

    E-I = (EL − IL) / (EL + IL), EL counting external (between-group) ties and IL internal
    ones; −1 when every tie is internal, +1 when every tie is external.

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph, scipy.sparse array/matrix or 2-D ndarray
        Rows are sources; weights must be finite and non-negative. Self-loops are ignored.
    groups : array-like of shape (n,), optional
        Group of every node (default: the graph's ``node_region``).
    mode : {"both", "out", "in"}, default "both"
        Which external ties count for a group or node of a directed graph: arcs leaving it
        (``"out"``), arcs entering it (``"in"``) or both (their sum). Ignored for
        undirected graphs (every mode gives the ties with one end outside).
    weighted : bool, default False
        Sum tie weights instead of counting ties.

    Returns
    -------
    EIResult
        ``.index`` (whole network), ``.baseline``, ``.groups`` (DataFrame), ``.node``.

    Raises
    ------
    ParameterError
        ``groups`` of the wrong length or with missing labels; an unknown ``mode``.
    InputTypeError, GraphFormatError
        An unusable ``graph``.

    Notes
    -----
    * Whole network: each arc (directed) or edge (undirected) once; ``mode`` plays no role.
    * Group g: IL_g = ties with both ends in g, counted once; EL_g = arcs g → outside
      (``out``), outside → g (``in``), or their sum (``both``) = ties with exactly one end
      in g. ``out`` is the outflow reading, ``in`` the inflow reading.
    * Node v (Everett & Borgatti's E-I centrality): E_v and I_v are v's ties to nodes of
      other groups and of its own group — out-arcs, in-arcs or both, per ``mode``.
    * 0/0 gives NaN. E-I is not centred at 0 under randomness; compare with
      ``baseline`` (exact expectation when m ties are placed uniformly among the N(N − 1)
      ordered pairs, since EL + IL = m is fixed).

    References
    ----------
    .. [1] Krackhardt, D., Stern, R. N. (1988). Informal networks and organizational
       crises: an experimental simulation. *Social Psychology Quarterly* 51(2), 123–140.
       doi:10.2307/2786835
    .. [2] Everett, M. G., Borgatti, S. P. (2012). Categorical attribute based centrality:
       E-I and G-F centrality. *Social Networks* 34(4), 562–569.
       doi:10.1016/j.socnet.2012.06.002

    Examples
    --------
    >>> import numpy as np
    >>> from ecosystem.brokerage import ei_index
    >>> A = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 1, 0]])
    >>> ei = ei_index(A, ["x", "x", "y", "y"], mode="out")
    >>> ei.index        # 2 external arcs (0->2, 1->3), 2 internal (0->1, 3->2)
    0.0
    >>> ei.groups["ei"].tolist()   # x: 2 external out-arcs, 1 internal; y: 0 and 1
    [0.3333333333333333, -1.0]
    """
    func = "ei_index"
    check_option(func, "mode", mode, _EI_MODES)
    g = as_actor_graph(func, graph, ties_only=False)
    codes, vocab, _ = _group_codes(func, groups, g)
    n, G = g.n_nodes, len(vocab)
    src = g.sources().astype(np.intp)
    tgt = g.indices.astype(np.intp)
    w = g.weights if weighted else np.ones(g.nnz)
    keep = src != tgt
    src, tgt, w = src[keep], tgt[keep], w[keep]
    same = codes[src] == codes[tgt]
    half = 1.0 if g.directed else 0.5  # undirected: both stored directions are one edge
    internal = float(w[same].sum()) * half
    external = float(w[~same].sum()) * half

    # group level
    il_g = np.bincount(codes[src[same]], weights=w[same], minlength=G) * half
    out_g = np.bincount(codes[src[~same]], weights=w[~same], minlength=G)
    in_g = np.bincount(codes[tgt[~same]], weights=w[~same], minlength=G)
    if not g.directed or mode == "out":
        el_g = out_g
    elif mode == "in":
        el_g = in_g
    else:
        el_g = out_g + in_g
    import pandas as pd

    frame = pd.DataFrame({"internal": il_g, "external": el_g, "ei": _ei(el_g, il_g),
                          "n_nodes": np.bincount(codes, minlength=G)},
                         index=pd.Index(vocab, name="group"))

    # node level
    def _node(ends):
        ext = np.bincount(ends[~same], weights=w[~same], minlength=n)
        inn = np.bincount(ends[same], weights=w[same], minlength=n)
        return ext, inn

    if not g.directed or mode == "out":
        e_v, i_v = _node(src)
    elif mode == "in":
        e_v, i_v = _node(tgt)
    else:
        e1, i1 = _node(src)
        e2, i2 = _node(tgt)
        e_v, i_v = e1 + e2, i1 + i2

    sizes = np.bincount(codes, minlength=G).astype(np.float64)
    i_star = float((sizes * (sizes - 1)).sum())
    total = float(n) * (n - 1)
    return EIResult(
        index=float(_ei(external, internal)), external=external, internal=internal,
        baseline=float(_ei(total - i_star, i_star)), groups=frame,
        node=_ei(e_v, i_v), node_external=e_v, node_internal=i_v,
        mode=mode, weighted=bool(weighted))


# ----------------------------------------------------------------------------- Burt
def _burt(func, graph, weighted, n_jobs):
    """(degree, redundancy, constraint) from the loop-free mutual-weight matrix."""
    g = as_actor_graph(func, graph, ties_only=False)
    n = g.n_nodes
    n_threads = effective_n_threads(n_jobs, func=func)
    src = g.sources()
    tgt = g.indices
    w = g.weights if weighted else np.ones(g.nnz)
    keep = src != tgt
    src, tgt, w = src[keep], tgt[keep], w[keep]
    # a(u, v) = w(u -> v) + w(v -> u); coo -> csr sums duplicates and keeps explicit zeros
    W = sp.coo_array((np.concatenate([w, w]), (np.concatenate([src, tgt]),
                                               np.concatenate([tgt, src]))), shape=(n, n)).tocsr()
    W.sum_duplicates()
    dtype = g.indices.dtype
    indptr = W.indptr.astype(dtype, copy=False)
    indices = W.indices.astype(dtype, copy=False)
    degree = np.diff(indptr)
    rowsum = np.zeros(n)
    rowmax = np.zeros(n)
    full = degree > 0
    if full.any():
        rowsum[full] = np.add.reduceat(W.data, indptr[:-1][full])
        rowmax[full] = np.maximum.reduceat(W.data, indptr[:-1][full])
    red, con = _core.burt_measures(indptr, indices, np.ascontiguousarray(W.data, dtype=np.float64),
                                   rowsum, rowmax, n_threads)
    return degree, red, con


def effective_size(graph, *, weighted=False, n_jobs=None):
    r"""Compute Burt's effective size of every node's ego network (self-loops removed).

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph, scipy.sparse array/matrix or 2-D ndarray
        Directed or undirected; direction only enters through mutual weights.
    weighted : bool, default False
        Use tie weights (default: every tie weighs 1).
    n_jobs : int or None, default None
        Threads (``None``: one, ``-1``: all cores); the result does not depend on it.

    Returns
    -------
    ndarray of shape (n,), dtype=float64
        NaN for nodes without a tie in either direction.

    Raises
    ------
    InputTypeError, GraphFormatError
        An unusable ``graph``.

    Notes
    -----
    With mutual weight a(u, v) = w(u → v) + w(v → u), neighbourhood N(u) = predecessors ∪
    successors, p(u, v) = a(u, v) / Σ_x a(u, x) and m(v, x) = a(v, x) / max_y a(v, y):

        e(u) = Σ_{v ∈ N(u)} [1 − Σ_{x ∈ N(u)} p(u, x) m(v, x)].

    This is networkx 3.6.1's per-node definition (``nx.effective_size(G,
    nodes=list(G), weight=...)`` on a loop-free graph); for unweighted undirected graphs
    it equals Borgatti's n − 2t/n. networkx's default sparse path (``nodes=None``)
    normalises by row maxima along the wrong axis and differs for weighted or directed
    graphs (networkx PR #8906); it also keeps self-loops, which are dropped here.

    Computed by a compiled kernel (one masked two-hop walk per ego, OpenMP over egos):
    cost :math:`\sum_v |N(v)|^2`, memory O(n) per thread.

    References
    ----------
    .. [1] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition.*
       Harvard University Press.
    .. [2] Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy
       measures. *Connections* 20(1), 35–38.

    Examples
    --------
    >>> import numpy as np
    >>> from ecosystem.brokerage import effective_size
    >>> star = np.array([[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]])
    >>> effective_size(star).tolist()
    [3.0, 1.0, 1.0, 1.0]
    """
    degree, redundancy, _ = _burt("effective_size", graph, weighted, n_jobs)
    out = degree.astype(np.float64) - redundancy
    out[degree == 0] = np.nan
    return out


def burt_constraint(graph, *, weighted=False, n_jobs=None):
    """Compute Burt's constraint of every node (self-loops removed).

    Parameters
    ----------
    graph : ActorGraph, igraph.Graph, scipy.sparse array/matrix or 2-D ndarray
        Directed or undirected; direction only enters through mutual weights.
    weighted : bool, default False
        Use tie weights (default: every tie weighs 1).
    n_jobs : int or None, default None
        Threads (``None``: one, ``-1``: all cores); the result does not depend on it.

    Returns
    -------
    ndarray of shape (n,), dtype=float64
        NaN for nodes without a tie in either direction.

    Raises
    ------
    InputTypeError, GraphFormatError
        An unusable ``graph``.

    Notes
    -----
    With a(u, v), N(u) and p(u, v) as in :func:`effective_size`, the local constraint is
    ℓ(u, v) = (p(u, v) + Σ_{x ∈ N(u)} p(u, x) p(x, v))² and c(u) = Σ_{v ∈ N(u)} ℓ(u, v),
    as networkx 3.6.1's ``constraint`` on a loop-free graph (both its code paths agree
    for constraint). Burt measures are direction-blind: they cannot separate inflow from
    outflow; brokerage roles can. Same kernel and cost as :func:`effective_size`.

    References
    ----------
    .. [1] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition.*
       Harvard University Press.
    .. [2] Burt, R. S. (2004). Structural holes and good ideas. *American Journal of
       Sociology* 110(2), 349–399. doi:10.1086/421787

    Examples
    --------
    >>> import numpy as np
    >>> from ecosystem.brokerage import burt_constraint
    >>> star = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]])
    >>> burt_constraint(star).tolist()
    [0.5, 1.0, 1.0]
    """
    degree, _, constraint = _burt("burt_constraint", graph, weighted, n_jobs)
    out = constraint.copy()
    out[degree == 0] = np.nan
    return out
