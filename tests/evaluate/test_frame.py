"""A split's decoded predictions as a table: column names, probabilities, sample order."""

import numpy as np

from assay.evaluate.frame import prediction_frame


def test_a_class_and_a_probability_column_per_class():
    frame = prediction_frame(
        np.array(["cat", "dog", "dog"], dtype=object),
        np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]]),
        class_names=["cat", "dog"],
        label_columns=["animal"],
    )
    assert list(frame.columns) == ["animal", "p_cat", "p_dog"]
    assert frame.index.name == "sample" and list(frame.index) == [0, 1, 2]
    assert list(frame["animal"]) == ["cat", "dog", "dog"]
    np.testing.assert_allclose(frame["p_dog"], [0.1, 0.8, 0.6])


def test_a_binary_positive_class_column_becomes_two():
    for positive in (np.array([0.25, 0.5]), np.array([[0.25], [0.5]])):
        frame = prediction_frame(
            np.array([0, 1]), positive, class_names=[0, 1], label_columns=["churned"]
        )
        assert list(frame.columns) == ["churned", "p_0", "p_1"]
        np.testing.assert_allclose(frame["p_0"], [0.75, 0.5])


def test_a_one_hot_label_has_a_prediction_column():
    frame = prediction_frame(
        np.array(["a", "b"], dtype=object),
        np.array([[0.6, 0.4], [0.3, 0.7]]),
        class_names=["a", "b"],
        label_columns=["a", "b"],
    )
    assert list(frame.columns) == ["prediction", "p_a", "p_b"]


def test_regression_values_named_after_the_label_columns():
    one = prediction_frame(
        np.array([[1.5], [2.5]]), None, class_names=None, label_columns=["price"]
    )
    assert list(one.columns) == ["price"] and one["price"].tolist() == [1.5, 2.5]
    two = prediction_frame(
        np.array([[1.0, 2.0], [3.0, 4.0]]), None, class_names=None, label_columns=["x", "y"]
    )
    assert list(two.columns) == ["x", "y"] and two["y"].tolist() == [2.0, 4.0]
    unnamed = prediction_frame(np.array([1.0, 2.0]), None, class_names=None, label_columns=None)
    assert list(unnamed.columns) == ["prediction"]


def test_a_window_future_is_one_cell_per_sample():
    futures = np.arange(24, dtype=np.float64).reshape(3, 4, 2)  # 3 windows, 4 steps, 2 columns
    frame = prediction_frame(futures, None, class_names=None, label_columns=None)
    assert list(frame.columns) == ["prediction"] and len(frame) == 3
    np.testing.assert_array_equal(frame["prediction"][1], futures[1])


def test_samples_are_the_index():
    frame = prediction_frame(
        np.array([1.0, 2.0, 3.0]), None, class_names=None, label_columns=["y"], samples=[7, 2, 4]
    )
    assert frame.index.name == "sample" and list(frame.index) == [7, 2, 4]
