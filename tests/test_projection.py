"""coauthorship_graph and the bipartite projection kernel against a brute-force oracle."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ecosystem as eco
from ecosystem import _core

from . import _reference as ref


@st.composite
def incidences(draw, max_records=12, max_actors=10):
    n = draw(st.integers(0, 40))
    records = draw(st.lists(st.integers(0, max_records - 1), min_size=n, max_size=n))
    actors = draw(st.lists(st.integers(0, max_actors - 1), min_size=n, max_size=n))
    return records, actors


def _dense(graph):
    return graph.to_scipy().toarray()


def _oracle_dense(records, actors, counting, max_record_size=None):
    labels = sorted(set(actors))
    pos = {a: i for i, a in enumerate(labels)}
    out = np.zeros((len(labels), len(labels)))
    for (a, b), w in ref.projection(records, actors, counting, max_record_size).items():
        out[pos[a], pos[b]] = w
    return out


@pytest.mark.parametrize("counting", ["full", "newman", "fractional"])
@given(data=incidences())
def test_projection_matches_oracle(counting, data):
    records, actors = data
    if not records:
        return
    c = eco.Contributions.from_arrays(record=records, actor=actors, region=["R"] * len(records))
    g = eco.coauthorship_graph(c, counting=counting, max_record_size=None)
    np.testing.assert_allclose(_dense(g), _oracle_dense(records, actors, counting), rtol=1e-12)
    assert not g.directed
    assert np.all(np.diff(g.indices[g.indptr[0]:g.indptr[1]]) > 0)  # sorted, no duplicates


@given(data=incidences(max_records=6, max_actors=12))
def test_max_record_size_excludes_and_counts(data):
    records, actors = data
    if not records:
        return
    c = eco.Contributions.from_arrays(record=records, actor=actors, region=["R"] * len(records))
    g = eco.coauthorship_graph(c, counting="full", max_record_size=3)
    np.testing.assert_allclose(_dense(g), _oracle_dense(records, actors, "full", 3))
    sizes = {r: len({a for rr, a in zip(records, actors) if rr == r}) for r in set(records)}
    assert g.info["excluded_records"] == sum(1 for s in sizes.values() if s > 3)


def test_newman_strength_counts_coauthored_records():
    # a: P1 (with b, c), P2 (with b), P3 (alone) -> strength 2 = records with co-authors
    c = eco.Contributions.from_arrays(
        record=["P1", "P1", "P1", "P2", "P2", "P3"], actor=list("abcaba"), region=["X"] * 6)
    g = eco.coauthorship_graph(c, counting="newman")
    strength = _dense(g).sum(axis=1)
    np.testing.assert_allclose(strength, [2.0, 2.0, 1.0])


def test_duplicate_actor_rows_count_once():
    # author a listed twice on P1 (two affiliations in two regions)
    c = eco.Contributions.from_arrays(record=[1, 1, 1], actor=["a", "a", "b"],
                                      region=["X", "Y", "X"])
    g = eco.coauthorship_graph(c, counting="full")
    np.testing.assert_array_equal(_dense(g), [[0, 1], [1, 0]])
    assert g.region_labels[g.node_region[0]] == "X"  # tie X/Y -> first label


def test_node_region_is_modal_region():
    c = eco.Contributions.from_arrays(record=[1, 2, 3, 1], actor=["a", "a", "a", "b"],
                                      region=["Y", "X", "Y", "X"])
    g = eco.coauthorship_graph(c)
    assert [g.region_labels[r] for r in g.node_region] == ["Y", "X"]


@pytest.mark.parametrize("dense", [True, False])
def test_modal_region_both_paths_against_brute_force(dense, monkeypatch):
    """Dense counts and the sparse (counting-sort CSR) path: the most frequent region,
    ties to the lowest code; regions repeated many times, ties, actors never seen."""
    from collections import Counter

    from ecosystem import projection as P

    rng = np.random.default_rng(2)
    n = 4000
    rec = rng.integers(0, 900, n)
    act = rng.integers(0, 300, n)
    reg = np.where(rng.random(n) < 0.5, act % 4, rng.integers(0, 9, n))
    c = eco.Contributions.from_arrays(record=rec, actor=act, region=reg)
    monkeypatch.setattr(P, "_DENSE_MODE_CELLS", 10**9 if dense else 0)
    got = P._modal_region(c, c.n_actors + 3, 2)
    for i in range(c.n_actors + 3):
        counts = Counter(c.region[c.actor == i].tolist())
        if not counts:
            assert got[i] == -1
            continue
        top = max(counts.values())
        assert got[i] == min(r for r, k in counts.items() if k == top)


def _kernel_inputs(rng, n_rec=300, n_act=200, dtype=np.int32):
    sizes = rng.integers(1, 8, size=n_rec)
    rec = np.repeat(np.arange(n_rec), sizes)
    act = rng.integers(0, n_act, size=len(rec))
    key = np.unique(rec * n_act + act)
    rec, act = key // n_act, key % n_act
    rec_ptr = np.concatenate([[0], np.cumsum(np.bincount(rec, minlength=n_rec))]).astype(np.int64)
    order = np.argsort(act, kind="stable")
    act_ptr = np.concatenate([[0], np.cumsum(np.bincount(act, minlength=n_act))]).astype(np.int64)
    w = rng.random(n_rec) + 0.01
    larger = rec_ptr[rec + 1] - 1 - np.arange(len(rec))
    row_cap = np.concatenate([[0], np.cumsum(np.bincount(act, weights=larger, minlength=n_act))])
    return (rec_ptr, act.astype(dtype), act_ptr, rec[order].astype(dtype), w,
            row_cap.astype(np.int64), n_act)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_kernel_dtypes_threads_readonly_no_mutation(dtype):
    rng = np.random.default_rng(7)
    args = _kernel_inputs(rng, dtype=dtype)
    copies = [a.copy() for a in args[:6]]
    for a in args[:6]:
        a.flags.writeable = False
    one = _core.bipartite_projection(*args, 1)
    two = _core.bipartite_projection(*args, 2)
    for x, y in zip(one, two):
        np.testing.assert_array_equal(x, y)  # bit-identical across thread counts
    assert one[1].dtype == dtype
    for a, b in zip(args[:6], copies):
        np.testing.assert_array_equal(a, b)
    other = _kernel_inputs(np.random.default_rng(7), dtype=np.int64 if dtype == np.int32 else np.int32)
    res = _core.bipartite_projection(*other, 2)
    np.testing.assert_array_equal(res[1], one[1])
    np.testing.assert_array_equal(res[2], one[2])


def test_empty_and_single_record():
    c = eco.Contributions.from_arrays(record=[], actor=[], region=[])
    g = eco.coauthorship_graph(c)
    assert g.n_nodes == 0 and g.nnz == 0
    c = eco.Contributions.from_arrays(record=[1], actor=["a"], region=["X"])
    g = eco.coauthorship_graph(c)
    assert g.n_nodes == 1 and g.nnz == 0


def test_channel_selection():
    c = eco.Contributions.from_arrays(
        record=[1, 1, 2, 2], actor=list("abab"), region=["X"] * 4,
        channel=["academic", "academic", "enterprise", "enterprise"])
    g = eco.coauthorship_graph(c, counting="full", channel="enterprise")
    np.testing.assert_array_equal(_dense(g), [[0, 1], [1, 0]])
    assert g.info["channel"] == "enterprise"


def test_bad_parameters():
    c = eco.Contributions.from_arrays(record=[1], actor=["a"], region=["X"])
    with pytest.raises(eco.ParameterError, match="coauthorship_graph: counting must be one of"):
        eco.coauthorship_graph(c, counting="harmonic")
    with pytest.raises(eco.ParameterError, match="max_record_size"):
        eco.coauthorship_graph(c, max_record_size=-1)
    with pytest.raises(eco.InputTypeError, match="Contributions object"):
        eco.coauthorship_graph([1, 2])
    with pytest.raises(eco.ParameterError, match="n_jobs"):
        eco.coauthorship_graph(c, n_jobs=0)


def test_projection_in_place_layout_matches_scipy():
    """The result is built in place (upper parts written at their slots, then moved left
    or right to their rows): a heavy-tailed incidence where parts move both ways and
    repeat collaborations leave slots partly empty, against scipy's Bw^T B."""
    import scipy.sparse as sp

    rng = np.random.default_rng(11)
    sizes = np.minimum(1 + rng.poisson(3, 3000) + (rng.random(3000) < 0.05) * 40, 80)
    rec = np.repeat(np.arange(3000), sizes)
    act = np.minimum(rng.zipf(1.6, len(rec)) - 1, 1999)
    c = eco.Contributions.from_arrays(record=rec, actor=act, region=["R"] * len(rec))
    g = eco.coauthorship_graph(c, counting="newman", max_record_size=None)
    r, a = c.record, c.actor
    key = np.unique(r.astype(np.int64) * c.n_actors + a)
    r, a = key // c.n_actors, key % c.n_actors
    n_p = np.bincount(r, minlength=c.n_records)
    wp = np.where(n_p > 1, 1.0 / np.maximum(n_p - 1, 1), 0.0)
    B = sp.csr_array((np.ones(len(r)), (r, a)), shape=(c.n_records, c.n_actors))
    Bw = sp.csr_array((wp[r], (r, a)), shape=(c.n_records, c.n_actors))
    A = (Bw.T @ B).tocsr()
    A.setdiag(0)
    A.eliminate_zeros()
    A.sort_indices()
    np.testing.assert_array_equal(g.indptr, A.indptr)
    np.testing.assert_array_equal(g.indices, A.indices)
    np.testing.assert_allclose(g.weights, A.data, rtol=1e-12)
    # both directions of the move happen here: each row's slot (its co-actors with a
    # larger id summed over its records, capped) against its place in the result
    larger = np.zeros(c.n_actors, dtype=np.int64)
    for p in range(c.n_records):
        members = np.sort(a[r == p])
        larger[members] += len(members) - 1 - np.arange(len(members))
    cap = np.minimum(larger, c.n_actors - 1 - np.arange(c.n_actors))
    slot = np.r_[0, np.cumsum(cap)[:-1]]
    lower = np.array([(g.indices[g.indptr[i]:g.indptr[i + 1]] < i).sum()
                      for i in range(c.n_actors)])
    place = g.indptr[:-1] + lower
    assert (place < slot).any() and (place > slot).any()
