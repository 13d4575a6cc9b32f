import numpy as np
import pytest
import statsmodels.datasets.co2

from assay.errors import InvalidArgument
from assay.preprocess.window import apply_windows, window_count, window_indices


def test_one_hundred_steps_give_eleven_windows_with_futures():
    unshifted, shifted = window_indices(100, 21, 7)
    assert unshifted.shape == (11, 21) and shifted.shape == (11, 7)
    assert window_count(100, 21, 7) == 11
    # aligned to the end: the last future ends at the last step; the first two rows fall out
    assert shifted[-1, -1] == 99 and unshifted[0, 0] == 2
    np.testing.assert_array_equal(unshifted[0], np.arange(2, 23))
    np.testing.assert_array_equal(shifted[0], np.arange(23, 30))
    # each future follows its window; windows step by size_shift, in time order
    np.testing.assert_array_equal(shifted[:, 0], unshifted[:, -1] + 1)
    np.testing.assert_array_equal(np.diff(unshifted[:, 0]), 7)


def test_inference_adds_the_latest_window():
    unshifted, shifted = window_indices(100, 21, 7, record_shifted=False)
    assert shifted is None and unshifted.shape == (12, 21)
    assert window_count(100, 21, 7, record_shifted=False) == 12
    np.testing.assert_array_equal(unshifted[-1], np.arange(79, 100))
    np.testing.assert_array_equal(unshifted[:11], window_indices(100, 21, 7)[0])


def test_exact_fits():
    unshifted, shifted = window_indices(28, 21, 7)
    assert unshifted.shape == (1, 21) and shifted[0, -1] == 27
    assert window_indices(21, 21, 7, record_shifted=False)[0].shape == (1, 21)


def test_windows_of_a_real_series():
    co2 = statsmodels.datasets.co2.load_pandas().data.interpolate().to_numpy()  # (2284, 1)
    unshifted, shifted = window_indices(len(co2), 52, 4)
    windows, futures = apply_windows(co2, unshifted), apply_windows(co2, shifted)
    assert windows.shape == (len(unshifted), 52, 1) and futures.shape == (len(shifted), 4, 1)
    np.testing.assert_array_equal(futures[-1, :, 0], co2[-4:, 0])
    np.testing.assert_array_equal(windows[-1, -1], co2[-5])


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((100, 0, 7), "size_window must be an int >= 1; got 0"),
        ((100, 21, 0), "size_shift must be an int >= 1; got 0"),
        ((100, 21, -3), "size_shift"),
        ((100, 2.5, 7), "size_window must be an int"),
        ((20, 21, 7), r"size_window=21 is longer than the series \(20 timesteps\)"),
        ((27, 21, 7), r"size_shift=7 = 28 timesteps is more than the series has \(27\)"),
    ],
)
def test_bad_sizes(args, match):
    with pytest.raises(InvalidArgument, match=match):
        window_indices(*args)


def test_a_window_fits_without_a_future_only_at_inference():
    window_indices(27, 21, 7, record_shifted=False)  # no future needed
    with pytest.raises(InvalidArgument, match="longer than the series"):
        window_indices(20, 21, 7, record_shifted=False)


def test_apply_windows_checks_its_input():
    with pytest.raises(InvalidArgument, match="2D"):
        apply_windows(np.arange(10.0), np.zeros((1, 3), dtype=int))
    with pytest.raises(InvalidArgument, match="reach timestep 12"):
        apply_windows(np.zeros((10, 2)), np.arange(13).reshape(1, 13))
