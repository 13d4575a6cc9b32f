import numpy as np
import pytest
from sklearn.datasets import load_digits

from assay.errors import InvalidArgument
from assay.preprocess.shape import column_position, reshape_samples, resolve_shape


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return load_digits().images[:, None, :, :]  # (1797, 1, 8, 8): one grayscale channel


def test_drop_a_channel_by_index(images):
    out = reshape_samples(images, (0, 2, 3))
    assert out.shape == (len(images), 8, 8)
    np.testing.assert_array_equal(out[5], images[5, 0])


def test_add_a_channel_with_a_literal_size(images):
    sequences = images[:, 0]  # (n, 8, 8)
    out = reshape_samples(sequences, (0, "1", 1, 2))
    assert out.shape == (len(images), 1, 8, 8)
    np.testing.assert_array_equal(out, images)


def test_multiply_dimensions(images):
    out = reshape_samples(images, (0, (1, 2, 3)))
    assert out.shape == (len(images), 64)
    np.testing.assert_array_equal(out[7], images[7].ravel())
    assert resolve_shape((0, (1, 2)), (4, 3, 60)) == (4, 180)


def test_splits_of_any_size_reshape_the_same_way(images):
    for count in (1, 10, 300):
        assert reshape_samples(images[:count], (0, 2, 3)).shape == (count, 8, 8)


def test_column_position_follows_the_columns():
    assert column_position((0, 2, 3), (5, 1, 8, 8)) == 2
    assert column_position((0, "1", 1, 2), (5, 8, 8)) == 3
    assert column_position((0, (1, 2)), (5, 8, 8)) == 1
    assert column_position((0, 2, 1), (5, 8, 8)) == 1
    assert column_position((0, "8", "8"), (5, 8, 8)) == 2


def test_an_index_out_of_range(images):
    with pytest.raises(InvalidArgument, match=r"reshape_indices\[1\] = 4 is out of range"):
        reshape_samples(images, (0, 4))
    with pytest.raises(InvalidArgument, match="out of range"):
        resolve_shape((0, (1, 9)), (5, 8, 8))


def test_a_product_that_differs_from_the_data():
    with pytest.raises(InvalidArgument, match=r"holds 8 values.*holds 64"):
        resolve_shape((0, 2), (1, 1, 8, 8))
    with pytest.raises(InvalidArgument, match="sample count"):
        resolve_shape(((0, 1), "1", 2), (4, 3, 5))


@pytest.mark.parametrize(
    ("indices", "match"),
    [
        ((0, "x"), "positive size"),
        ((0, "0", 1, 2), "positive size"),
        ([0, 1, 2], "tuple"),
        ((), "non-empty tuple"),
        ((0, 1.5), "int"),
        ((0, True, 2), "int"),
    ],
)
def test_bad_entries(indices, match):
    with pytest.raises(InvalidArgument, match=match):
        resolve_shape(indices, (5, 8, 8))
