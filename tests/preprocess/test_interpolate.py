import numpy as np
import pandas as pd
import pytest
import statsmodels.datasets.co2
from sklearn.datasets import load_digits

from assay.errors import InvalidArgument
from assay.preprocess.interpolate import (
    DEFAULT_INTERPOLATE_KWARGS,
    check_floating,
    check_interpolate_kwargs,
    interpolate_array,
    interpolate_frame,
    interpolate_without_leakage,
)

KWARGS = check_interpolate_kwargs(None)


@pytest.fixture(scope="module")
def co2() -> pd.DataFrame:
    """Weekly CO2 (it ships with gaps) and a second column: the same, lagged a year."""
    frame = statsmodels.datasets.co2.load_pandas().data.iloc[:400].copy()
    frame["lagged"] = frame["co2"].shift(52).bfill()
    return frame


def test_defaults_and_kwargs_checks():
    assert KWARGS == DEFAULT_INTERPOLATE_KWARGS and KWARGS is not DEFAULT_INTERPOLATE_KWARGS
    assert KWARGS["method"] == "spline" and KWARGS["order"] == 1
    assert KWARGS["limit_direction"] == "both"
    merged = check_interpolate_kwargs({"method": "linear"})
    assert merged["method"] == "linear" and merged["limit_direction"] == "both"
    with pytest.raises(InvalidArgument, match="does not take"):
        check_interpolate_kwargs({"methd": "linear"})
    with pytest.raises(InvalidArgument, match="must be a dict"):
        check_interpolate_kwargs(["linear"])
    with pytest.raises(InvalidArgument, match="inplace"):
        check_interpolate_kwargs({"inplace": True})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "splinee"}, "method=splinee"),
        ({"method": "polynomial", "order": None}, "polynomial"),
        ({"method": "pad"}, "limit_direction"),
    ],
)
def test_settings_pandas_refuses_are_refused_when_checked(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        check_interpolate_kwargs(kwargs)


def test_every_usual_method_passes_the_check():
    for method in ("linear", "time", "index", "nearest", "spline", "pchip", "akima"):
        assert check_interpolate_kwargs({"method": method})["method"] == method


def test_non_floating_columns_are_refused(co2):
    check_floating(co2, ["co2", "lagged"])
    frame = co2.assign(week=np.arange(len(co2)))
    with pytest.raises(InvalidArgument, match="column 'week' is int64"):
        check_floating(frame, ["co2", "week"])
    with pytest.raises(InvalidArgument, match="floating data"):
        interpolate_array(np.arange(12).reshape(3, 4), KWARGS)


def test_spline_fills_every_gap_of_a_datetime_indexed_series(co2):
    assert co2["co2"].isna().sum() > 0
    done = interpolate_frame(co2, KWARGS)
    assert done.notna().all().all()
    pd.testing.assert_index_equal(done.index, co2.index)
    present = co2["co2"].notna()
    np.testing.assert_array_equal(done["co2"][present], co2["co2"][present])
    # filled values stay within the range of the series around them
    assert done["co2"].between(co2["co2"].min() - 1, co2["co2"].max() + 1).all()
    # a column without gaps comes back unchanged, and the input is not modified
    np.testing.assert_array_equal(done["lagged"], co2["lagged"])
    assert co2["co2"].isna().sum() > 0


def test_linear_interpolation_of_a_known_line():
    frame = pd.DataFrame({"x": [0.0, np.nan, 2.0, np.nan, np.nan, 5.0, np.nan]})
    done = interpolate_frame(frame, {"method": "linear"})
    np.testing.assert_allclose(done["x"], [0, 1, 2, 3, 4, 5, 5])  # linear does not extrapolate
    spline = interpolate_frame(frame, KWARGS)
    np.testing.assert_allclose(spline["x"], np.arange(7.0))  # order-1 spline does


def test_a_string_index_is_restored():
    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0]}, index=list("wxyz"))
    done = interpolate_frame(frame, KWARGS)
    assert list(done.index) == list("wxyz") and done.loc["x", "x"] == pytest.approx(2.0)


def test_too_few_values_for_a_spline_is_explained():
    frame = pd.DataFrame({"x": [np.nan, np.nan, 1.0, np.nan]})
    with pytest.raises(InvalidArgument, match="method='linear'"):
        interpolate_frame(frame, {**KWARGS, "order": 3})


def test_training_rows_alone_equal_interpolate_frame(co2):
    cut = 280
    train, test = np.arange(cut), np.arange(cut, len(co2))
    done = interpolate_without_leakage(co2, train, {"test": test}, KWARGS)
    expected = interpolate_frame(co2.iloc[:cut], KWARGS)
    pd.testing.assert_frame_equal(done["train"], expected, check_freq=False)
    assert done["test"].notna().all().all()
    assert (done["test"].index == co2.index[cut:]).all()


def test_train_never_depends_on_other_splits_but_they_depend_on_train(co2):
    cut = 280
    train, test = np.arange(cut), np.arange(cut, len(co2))
    # a gap at the start of the test split: filled from both sides, so train counts
    test_gap = co2.index[cut]
    base = co2.copy()
    base.loc[test_gap, "co2"] = np.nan
    done = interpolate_without_leakage(base, train, {"test": test}, KWARGS)
    changed_test = base.copy()
    changed_test.iloc[cut + 1 :, 0] += 50.0  # change every test value
    other = interpolate_without_leakage(changed_test, train, {"test": test}, KWARGS)
    pd.testing.assert_frame_equal(done["train"], other["train"])
    changed_train = base.copy()
    changed_train.iloc[:cut, 0] -= 50.0  # change every training value
    moved = interpolate_without_leakage(changed_train, train, {"test": test}, KWARGS)
    assert moved["test"].loc[test_gap, "co2"] != pytest.approx(done["test"].loc[test_gap, "co2"])
    # the test rows that had values keep them
    present = base["co2"].iloc[cut:].notna()
    np.testing.assert_array_equal(done["test"]["co2"][present], base["co2"].iloc[cut:][present])


def test_shuffled_splits_are_interpolated_in_time_order_and_returned_in_given_order(co2):
    rng = np.random.default_rng(0)
    rows = rng.permutation(len(co2))
    train, validation = rows[:300], rows[300:]
    done = interpolate_without_leakage(co2, train, {"validation": validation}, KWARGS)
    pd.testing.assert_index_equal(done["train"].index, co2.index[train])
    pd.testing.assert_index_equal(done["validation"].index, co2.index[validation])
    # rows keep their positions as x: the rows of other splits are gaps in time
    in_order = np.sort(train)
    expected = interpolate_frame(co2.iloc[in_order].set_axis(in_order), KWARGS)
    np.testing.assert_allclose(done["train"].to_numpy(), expected.loc[train].to_numpy())
    evenly = interpolate_frame(co2.iloc[in_order], KWARGS)  # 0, 1, 2... would differ
    assert not np.allclose(evenly.loc[co2.index[train]].to_numpy(), done["train"].to_numpy())


def test_two_dimensional_arrays_follow_frames(co2):
    array = co2.to_numpy()
    train, test = np.arange(200), np.arange(200, 400)
    done = interpolate_without_leakage(array, train, {"test": test}, KWARGS)
    framed = interpolate_without_leakage(co2.reset_index(drop=True), train, {"test": test}, KWARGS)
    np.testing.assert_allclose(done["train"], framed["train"].to_numpy())
    np.testing.assert_allclose(done["test"], framed["test"].to_numpy())
    np.testing.assert_allclose(interpolate_array(array, KWARGS), interpolate_frame(co2, KWARGS))


def _digits_with_gaps() -> np.ndarray:
    digits = load_digits().images[:40].astype(np.float64)  # (40, 8, 8)
    digits = digits + np.arange(8.0)[None, :, None]  # a trend down the rows
    gappy = digits.copy()
    gappy[:, 3, 2] = np.nan
    gappy[::2, 5, :] = np.nan
    return digits, gappy


def test_sequences_are_interpolated_one_by_one():
    _, gappy = _digits_with_gaps()  # 40 sequences of 8 timesteps x 8 columns
    done = interpolate_array(gappy, KWARGS)
    assert done.shape == gappy.shape and not np.isnan(done).any()
    for at in (0, 1, 7):
        expected = interpolate_frame(pd.DataFrame(gappy[at]), KWARGS).to_numpy()
        np.testing.assert_allclose(done[at], expected)
    # a sequence's values do not depend on any other sequence
    changed = gappy.copy()
    changed[1:] += 100.0
    np.testing.assert_allclose(interpolate_array(changed, KWARGS)[0], done[0])
    assert np.isnan(gappy).any()  # the input is left alone


def test_image_channels_are_interpolated_one_by_one():
    _, gappy = _digits_with_gaps()
    images = np.stack([gappy, gappy[:, ::-1]], axis=1)  # (40, 2, 8, 8)
    done = interpolate_array(images, KWARGS)
    assert done.shape == images.shape and not np.isnan(done).any()
    expected = interpolate_frame(pd.DataFrame(images[3, 1]), KWARGS).to_numpy()
    np.testing.assert_allclose(done[3, 1], expected)
    # each sample is already alone: leakage-free interpolation only indexes
    split = interpolate_without_leakage(images, np.arange(30), {"test": np.arange(30, 40)}, KWARGS)
    np.testing.assert_allclose(split["train"], done[:30])
    np.testing.assert_allclose(split["test"], done[30:])


def test_other_dimensions_are_refused():
    with pytest.raises(InvalidArgument, match="2D, 3D or 4D"):
        interpolate_array(np.zeros(5), KWARGS)
