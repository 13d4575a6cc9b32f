import numpy as np
import pytest

from assay.errors import InvalidArgument
from assay.preprocess.window import apply_windows, window_indices


def test_windows_align_to_the_end_and_step_by_the_shift():
    unshifted, shifted = window_indices(100, 21, 7)
    assert unshifted.shape == (11, 21) and shifted.shape == (11, 7)
    assert unshifted[0, 0] == 2  # the first two rows fall outside every window
    assert shifted[-1, -1] == 99  # the last future ends at the last timestep
    np.testing.assert_array_equal(np.diff(unshifted[:, 0]), 7)
    np.testing.assert_array_equal(shifted[:, 0], unshifted[:, -1] + 1)


def test_inference_windows_add_the_latest_past():
    unshifted, shifted = window_indices(100, 21, 7, record_shifted=False)
    assert shifted is None and unshifted.shape == (12, 21)
    np.testing.assert_array_equal(unshifted[-1], np.arange(79, 100))


def test_apply_windows_cuts_3d_samples():
    data = np.arange(200.0).reshape(100, 2)
    unshifted, _shifted = window_indices(100, 21, 7)
    windows = apply_windows(data, unshifted)
    assert windows.shape == (11, 21, 2)
    np.testing.assert_array_equal(windows[3], data[unshifted[3]])


@pytest.mark.parametrize(
    ("size_window", "size_shift", "match"),
    [
        (0, 7, "size_window"),
        (21, 0, "size_shift"),
        (95, 7, "more than the series"),
        (21.5, 7, "size_window"),
    ],
)
def test_bad_sizes(size_window, size_shift, match):
    with pytest.raises(InvalidArgument, match=match):
        window_indices(100, size_window, size_shift)
