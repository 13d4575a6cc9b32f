import numpy as np
import pytest

from assay.errors import InvalidArgument
from assay.preprocess.shape import column_position, reshape_samples, resolve_shape


def test_drop_and_add_a_channel():
    images = np.zeros((5, 1, 8, 8))
    assert reshape_samples(images, (0, 2, 3)).shape == (5, 8, 8)
    assert reshape_samples(np.zeros((5, 8, 8)), (0, "1", 1, 2)).shape == (5, 1, 8, 8)


def test_multiply_dimensions():
    assert resolve_shape((0, (1, 2)), (4, 3, 60)) == (4, 180)


def test_column_position_follows_the_last_dimension():
    assert column_position((0, 2, 3), (5, 1, 8, 8)) == 2
    assert column_position((0, "1", 1, 2), (5, 8, 8)) == 3


@pytest.mark.parametrize(
    ("indices", "match"),
    [((0, 4), "out of range"), ((0, 1), "holds"), ((0, "x"), "positive size"), ([0, 1], "tuple")],
)
def test_bad_reshape_indices(indices, match):
    with pytest.raises(InvalidArgument, match=match):
        resolve_shape(indices, (5, 8, 8))
