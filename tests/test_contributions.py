"""Contributions: construction, invariance to row order, views and errors."""

import numpy as np
import pandas as pd
import pytest

import ecosystem as eco


def _table():
    return pd.DataFrame({
        "paper": ["W2", "W1", "W1", "W2", "W3"],
        "author": ["x", "y", "x", "z", "y"],
        "city": ["Tokyo", "Shenzhen", "Tokyo", "Hong Kong", "Shenzhen"],
        "year": [2019, 2018, 2018, 2019, np.nan],
        "corresponding": [True, False, True, False, False],
        "kind": ["academic", "academic", "enterprise", "academic", "academic"],
    })


def test_from_pandas_and_back():
    df = _table()
    c = eco.Contributions.from_pandas(df, record="paper", actor="author", region="city",
                                      year="year", lead="corresponding", channel="kind")
    assert len(c) == 5 and c.n_records == 3 and c.n_actors == 3 and c.n_regions == 3
    back = c.to_pandas()
    assert list(back.columns) == ["record", "actor", "org", "region", "role", "channel",
                                  "year", "lead", "weight"]
    merged = back.merge(df, left_on=["record", "actor"], right_on=["paper", "author"])
    assert len(merged) == 5
    assert (merged.region == merged.city).all() and (merged.lead == merged.corresponding).all()
    assert (merged["year_x"] == merged["year_y"].fillna(-1)).all()
    summary = c.summary()
    assert summary.loc["total", "records"] == 3 and summary.loc["enterprise", "contributions"] == 1


def test_row_order_does_not_matter():
    df = _table()
    a = eco.Contributions.from_pandas(df, record="paper", actor="author", region="city")
    b = eco.Contributions.from_pandas(df.iloc[::-1], record="paper", actor="author", region="city")
    for name in ("record", "actor", "region", "channel", "weight"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.labels == b.labels


def test_arrays_are_read_only_and_object_frozen():
    c = eco.Contributions.from_arrays(record=[1], actor=["a"], region=["X"])
    with pytest.raises(ValueError):
        c.record[0] = 5
    with pytest.raises(AttributeError):
        c.record = np.array([2])


def test_select_by_channel_and_window():
    df = _table()
    c = eco.Contributions.from_pandas(df, record="paper", actor="author", region="city",
                                      year="year", channel="kind")
    s = c.select(channel="academic", window=(2018, 2018))
    assert len(s) == 1 and s.labels == c.labels
    with pytest.raises(eco.ParameterError, match="channel must be one of"):
        c.select(channel="talent")


def test_constant_channel_and_regions_vocabulary():
    c = eco.Contributions.from_arrays(record=[1, 1], actor=["a", "b"], region=["X", "X"],
                                      channel="talent", regions=["X", "Y", "Z"])
    assert c.channels == ("talent",) and c.labels["region"] == ("X", "Y", "Z")
    f = eco.region_flows(c)
    assert f.presence.shape == (1, 3, 3)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(record=[1, 2], actor=["a"], region=["X", "X"]), eco.ParameterError,
         r"Contributions.from_arrays: actor must have one entry per record entry \(2\); got 1"),
        (dict(record=[1, 2], actor=["a", "b"], region=["X", None]), eco.ParameterError,
         "region must not contain missing values.*position 1"),
        (dict(record=[1, 2], actor=["a", "b"], region=["X", "Q"], regions=["X", "Y"]),
         eco.ParameterError, "region has 1 labels outside the vocabulary, e.g. 'Q' at position 1"),
        (dict(record=[1, 2], actor=["a", "b"], region=["X", "X"], weight=[1.0, np.nan]),
         eco.ParameterError, "weight must be finite"),
        (dict(record=[1, 2], actor=["a", "b"], region=["X", "X"], weight=[1.0, -2.0]),
         eco.ParameterError, "weight must be non-negative.*-2.0 at position 1"),
        (dict(record=[1, 2], actor=["a", "b"], region=["X", "X"], weight=["1", "2"]),
         eco.InputTypeError, "weight must be numeric"),
        (dict(record=[1, 2], actor=["a", "b"], region=["X", "X"], lead=[0.5, 1.0]),
         eco.InputTypeError, "lead must be boolean"),
        (dict(record=[1, 2], actor=["a", "b"], region=["X", "X"], year=["2019", "2020"]),
         eco.InputTypeError, "year must be integers"),
        (dict(record=[[1, 2]], actor=["a"], region=["X"]), eco.InputTypeError,
         "record must be one-dimensional"),
    ],
)
def test_bad_input_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        eco.Contributions.from_arrays(**kwargs)


def test_from_pandas_missing_column():
    with pytest.raises(eco.ParameterError, match="record='paper' is not a column"):
        eco.Contributions.from_pandas(pd.DataFrame({"a": [1]}), record="paper")


# ----------------------------------------------------------------------- compact arrays

_FIELDS = ("record", "actor", "org", "region", "role", "channel", "year", "lead", "weight")


def _realistic(n_records=20_000, seed=0):
    """Heavy-tailed teams, many actors, 50 regions, three channels, roles, orgs."""
    rng = np.random.default_rng(seed)
    sizes = 1 + np.floor(rng.lognormal(0.9, 0.8, n_records)).astype(int)
    record = np.repeat(np.arange(n_records), sizes)
    n = len(record)
    return eco.Contributions.from_arrays(
        record=record, actor=rng.integers(0, n // 2, n), region=rng.integers(0, 50, n),
        org=rng.integers(0, 3000, n), role=rng.choice(["author", "inventor"], n),
        channel=rng.choice(["talent", "academic", "enterprise"], n), year=rng.integers(1990, 2024, n),
        lead=rng.random(n) < 0.2, weight=rng.random(n))


def test_contributions_take_at_most_32_bytes():
    # issue 17 item 4: intp codes took 61 bytes a contribution
    c = _realistic()
    nbytes = sum(getattr(c, f).nbytes for f in _FIELDS)
    assert nbytes / len(c) <= 32
    assert {f: getattr(c, f).dtype for f in ("record", "actor", "org", "region")} == dict.fromkeys(
        ("record", "actor", "org", "region"), np.dtype(np.int32))
    assert c.role.dtype == c.channel.dtype == np.int8
    # codes and results unchanged: decoded rows and a selection round-trip
    frame = c.to_pandas()
    assert set(frame.channel) == {"talent", "academic", "enterprise"} and frame.role.notna().all()
    s = c.select(channel="talent")
    assert s.channel.dtype == np.int8 and (s.to_pandas().channel == "talent").all()


def test_code_dtype_widens_with_the_vocabulary():
    from ecosystem.contributions import code_dtype

    assert code_dtype("channel", 127) == np.int8 and code_dtype("channel", 128) == np.int16
    assert code_dtype("role", 40_000) == np.int32
    assert code_dtype("actor", 2**31 - 1) == np.int32 and code_dtype("actor", 2**31) == np.int64
    many = [f"ch{i}" for i in range(300)]
    c = eco.Contributions.from_arrays(record=range(300), actor=range(300), region=["X"] * 300,
                                      channel=many)
    assert c.channel.dtype == np.int16
    assert c.to_pandas().channel.tolist() == many


def test_region_flows_kernel_takes_compact_and_wide_codes():
    # the kernel is fused over the code type: int32 (compact), int64 and intp agree
    from ecosystem import _core

    c = _realistic(3000, seed=1)
    args = (c.group_ptr, np.empty(0, np.intp), np.empty(0))
    tail = (c.lead.view(np.uint8), c.weight, c.n_regions, 1, True, 4, 2)
    out32 = _core.region_flows(*args, c.region, *tail)
    for dtype in (np.int64, np.intp):
        out = _core.region_flows(*args, c.region.astype(dtype), *tail)
        for a, b in zip(out, out32):
            assert a.tobytes() == b.tobytes()
    assert c.region.dtype == np.int32
