"""Decoding predictions and labels: class indices, class names, the Label's own scale."""

import numpy as np
from sklearn.preprocessing import StandardScaler

from assay.evaluate.decode import decode_classes, decode_values, to_ordinal, true_classes


def test_class_indices_from_one_hot_or_values():
    np.testing.assert_array_equal(to_ordinal(np.eye(3)[[2, 0, 1]]), [2, 0, 1])
    np.testing.assert_array_equal(to_ordinal(np.array([[1], [0]])), [1, 0])


def test_classes_decode_to_their_names():
    np.testing.assert_array_equal(decode_classes(np.array([1, 0]), ["a", "b"]), ["b", "a"])
    np.testing.assert_array_equal(decode_classes(np.array([1, 0]), None), [1, 0])


def test_true_classes_rank_raw_values_by_the_names():
    np.testing.assert_array_equal(
        true_classes(np.array(["b", "a", "c"]), ["a", "b"], False), [1, 0, -1]
    )
    np.testing.assert_array_equal(true_classes(np.array([1, 0]), ["a", "b"], True), [1, 0])


def test_values_decode_through_the_fitted_coder():
    coder = StandardScaler().fit(np.array([[1.0], [3.0]]))
    decoded = decode_values(np.array([[-1.0], [1.0]]), (coder, "2D_multiColumn"))
    np.testing.assert_allclose(decoded, [1.0, 3.0])
    np.testing.assert_allclose(decode_values(np.array([0.5, 2.0]), None), [0.5, 2.0])
