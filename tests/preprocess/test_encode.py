import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import (
    LabelBinarizer,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
    scale,
)

from assay.errors import InvalidArgument
from assay.preprocess.encode import (
    check_encoder,
    check_invertible,
    encoded_column_names,
    fit_encoder,
    inverse_transform,
    is_categorical,
    transform,
)


def test_only_instances_of_class_based_preprocessors():
    with pytest.raises(InvalidArgument, match=r"StandardScaler\(\) instead"):
        check_encoder(StandardScaler)
    with pytest.raises(InvalidArgument, match="function"):
        check_encoder(scale)
    with pytest.raises(InvalidArgument, match="scikit-learn preprocessor"):
        check_encoder(object())


def test_settings_that_break_later_steps_are_corrected_and_reported():
    encoder, corrections = check_encoder(OneHotEncoder(sparse_output=True))
    assert encoder.sparse_output is False and "sparse_output" in corrections[0]
    scaler, corrections = check_encoder(StandardScaler(copy=False))
    assert scaler.copy is True and "copy" in corrections[0]


def test_the_encoding_dimension_is_found_by_trying():
    iris = load_iris()
    _, dimension = fit_encoder(StandardScaler(), iris.data)
    assert dimension == "2D_multiColumn"
    fitted, dimension = fit_encoder(LabelBinarizer(), iris.target.reshape(-1, 1))
    assert transform(fitted, dimension, iris.target.reshape(-1, 1)).shape == (150, 3)
    two = np.column_stack([iris.target, iris.target[::-1]]).astype(str)
    fitted, dimension = fit_encoder(LabelBinarizer(), two)  # one column at a time
    assert dimension == "2D_singleColumn"
    assert transform(fitted, dimension, two).shape == (150, 6)


def test_one_hot_names_and_round_trip():
    species = np.array([["setosa"], ["virginica"], ["versicolor"], ["setosa"]], dtype=object)
    fitted, dimension = fit_encoder(OneHotEncoder(sparse_output=False), species)
    assert encoded_column_names(fitted, dimension, ["species"]) == [
        "species_setosa",
        "species_versicolor",
        "species_virginica",
    ]
    encoded = transform(fitted, dimension, species)
    np.testing.assert_array_equal(inverse_transform(fitted, dimension, encoded), species)
    assert is_categorical(OneHotEncoder()) and is_categorical(OrdinalEncoder())
    assert not is_categorical(StandardScaler())


def test_an_encoder_that_cannot_decode_is_refused_where_decoding_is_needed():
    with pytest.raises(InvalidArgument, match="inverse_transform"):
        check_invertible(Normalizer())
