import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.decomposition import PCA
from sklearn.preprocessing import (
    KBinsDiscretizer,
    LabelBinarizer,
    LabelEncoder,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
    TargetEncoder,
    minmax_scale,
    scale,
)

from assay.errors import InvalidArgument
from assay.preprocess.encode import (
    ColumnwiseEncoder,
    chained_column_names,
    check_encoder,
    check_invertible,
    encode_columns,
    encoded_column_names,
    fit_encoder,
    inverse_transform,
    is_categorical,
    transform,
)


@pytest.fixture(scope="module")
def iris() -> pd.DataFrame:
    frame = load_iris(as_frame=True).frame
    frame["species"] = np.asarray(load_iris().target_names)[frame["target"]]
    return frame


def test_a_class_is_refused_with_the_instance_to_pass():
    with pytest.raises(InvalidArgument, match=r"got the class StandardScaler.*StandardScaler\(\)"):
        check_encoder(StandardScaler)


def test_a_function_is_refused_with_the_class_to_pass_instead():
    with pytest.raises(InvalidArgument, match=r"function 'scale'.*Pass StandardScaler\(\)"):
        check_encoder(scale)
    with pytest.raises(InvalidArgument, match=r"MinMaxScaler\(\)"):
        check_encoder(minmax_scale)


def test_other_objects_are_refused():
    with pytest.raises(InvalidArgument, match="scikit-learn preprocessor"):
        check_encoder(object())
    with pytest.raises(InvalidArgument, match="scikit-learn preprocessor"):
        check_encoder("StandardScaler")


def test_settings_that_break_later_steps_are_corrected_on_a_copy_and_reported():
    given = OneHotEncoder()  # sparse by default
    encoder, corrections = check_encoder(given)
    assert encoder is not given and given.sparse_output is True
    assert encoder.sparse_output is False and "sparse_output" in corrections[0]
    scaler, corrections = check_encoder(StandardScaler(copy=False))
    assert scaler.copy is True and "copy=False" in corrections[0]
    bins, corrections = check_encoder(KBinsDiscretizer(n_bins=3))
    assert bins.encode == "onehot-dense" and corrections
    plain, corrections = check_encoder(MinMaxScaler(feature_range=(-1, 1)))
    assert plain.feature_range == (-1, 1) and corrections == []


def test_any_transformer_is_accepted():
    encoder, _ = check_encoder(PCA(n_components=2))
    assert isinstance(encoder, PCA)
    encoder, _ = check_encoder(LabelEncoder())
    assert isinstance(encoder, LabelEncoder)


def test_categorical_encoders():
    for encoder in (OneHotEncoder(), OrdinalEncoder(), LabelBinarizer(), LabelEncoder()):
        assert is_categorical(encoder)
    for encoder in (StandardScaler(), MinMaxScaler(), TargetEncoder(), Normalizer()):
        assert not is_categorical(encoder)


def test_fitting_on_training_rows_only_leaks_nothing():
    data = load_breast_cancer().data
    rng = np.random.default_rng(1)
    rows = rng.permutation(len(data))
    train, test = rows[:400], rows[400:]
    shifted = data.copy()
    shifted[test] += data.std(axis=0) * 2  # a test split from elsewhere
    fitted, dimension = fit_encoder(StandardScaler(), shifted[train])
    assert dimension == "2D_multiColumn"
    np.testing.assert_allclose(
        transform(fitted, dimension, shifted[train]).mean(axis=0), 0, atol=1e-9
    )
    test_means = transform(fitted, dimension, shifted[test]).mean(axis=0)
    assert (np.abs(test_means) > 1).all()
    np.testing.assert_allclose(fitted.mean_, shifted[train].mean(axis=0))


def test_the_encoding_dimension_is_found_by_trying(iris):
    species = iris[["species"]].to_numpy()
    fitted, dimension = fit_encoder(OneHotEncoder(sparse_output=False), species)
    assert dimension == "2D_multiColumn"
    fitted, dimension = fit_encoder(LabelEncoder(), species)
    assert dimension == "1D"
    np.testing.assert_array_equal(transform(fitted, dimension, species).ravel(), iris["target"])
    two = np.column_stack([iris["species"], iris["species"].str.upper()])
    fitted, dimension = fit_encoder(LabelBinarizer(), two)  # one column at a time
    assert dimension == "2D_singleColumn" and isinstance(fitted, ColumnwiseEncoder)
    assert len(fitted.encoders) == 2
    encoded = transform(fitted, dimension, two)
    assert encoded.shape == (150, 6)
    np.testing.assert_array_equal(inverse_transform(fitted, dimension, encoded), two)
    assert encoded_column_names(fitted, dimension, ["a", "b"]) == [
        "a_setosa",
        "a_versicolor",
        "a_virginica",
        "b_SETOSA",
        "b_VERSICOLOR",
        "b_VIRGINICA",
    ]


def test_a_fit_that_fails_every_way_reports_each_attempt(iris):
    with pytest.raises(InvalidArgument, match=r"2D_multiColumn.*2D_singleColumn.*1D"):
        fit_encoder(StandardScaler(), iris[["species"]].to_numpy())
    with pytest.raises(InvalidArgument, match="TargetEncoder"):
        fit_encoder(TargetEncoder(), iris[["species"]].to_numpy())


def test_one_hot_names_and_round_trip(iris):
    species = iris[["species"]].to_numpy()
    fitted, dimension = fit_encoder(check_encoder(OneHotEncoder())[0], species)
    assert encoded_column_names(fitted, dimension, ["species"]) == [
        "species_setosa",
        "species_versicolor",
        "species_virginica",
    ]
    encoded = transform(fitted, dimension, species)
    assert encoded.shape == (150, 3) and encoded.sum() == 150
    np.testing.assert_array_equal(inverse_transform(fitted, dimension, encoded), species)


def test_scalers_keep_names_and_decode(iris):
    columns = list(iris.columns[:4])
    fitted, dimension = fit_encoder(MinMaxScaler(), iris[columns].to_numpy())
    assert encoded_column_names(fitted, dimension, columns) == columns
    encoded = transform(fitted, dimension, iris[columns])
    assert encoded.min() == 0 and encoded.max() == 1
    np.testing.assert_allclose(inverse_transform(fitted, dimension, encoded), iris[columns])


def test_label_binarizer_of_two_classes_is_one_column():
    target = load_breast_cancer().target.reshape(-1, 1)
    fitted, dimension = fit_encoder(LabelBinarizer(), target)
    assert encoded_column_names(fitted, dimension, ["target"]) == ["target"]
    encoded = transform(fitted, dimension, target)
    assert encoded.shape == (len(target), 1)
    np.testing.assert_array_equal(inverse_transform(fitted, dimension, encoded), target)


def test_label_encoder_decodes_rounded_predictions(iris):
    species = iris[["species"]].to_numpy()
    fitted, dimension = fit_encoder(LabelEncoder(), species)
    assert encoded_column_names(fitted, dimension, ["species"]) == ["species"]
    decoded = inverse_transform(fitted, dimension, np.array([[0.1], [1.9], [1.0]]))
    np.testing.assert_array_equal(decoded.ravel(), ["setosa", "virginica", "versicolor"])


def test_a_non_invertible_encoder_is_refused_where_decoding_is_needed(iris):
    check_invertible(StandardScaler())
    with pytest.raises(InvalidArgument, match="no inverse_transform"):
        check_invertible(Normalizer())
    fitted, dimension = fit_encoder(Normalizer(), iris.iloc[:, :4].to_numpy())
    encoded = transform(fitted, dimension, iris.iloc[:, :4])
    with pytest.raises(InvalidArgument, match="Normalizer has no inverse_transform"):
        inverse_transform(fitted, dimension, encoded)


def test_several_coders_then_unclaimed_columns(iris):
    columns = ["sepal length (cm)", "sepal width (cm)", "species", "petal length (cm)"]
    frame = iris[columns]
    scaler, d_scaler = fit_encoder(StandardScaler(), frame.iloc[:, [0, 3]].to_numpy())
    onehot, d_onehot = fit_encoder(check_encoder(OneHotEncoder())[0], frame.iloc[:, [2]].to_numpy())
    encoded = encode_columns(frame, [(scaler, d_scaler, [0, 3]), (onehot, d_onehot, [2])])
    names = chained_column_names(
        columns,
        [[columns[0], columns[3]], ["species"]],
        [
            encoded_column_names(scaler, d_scaler, [columns[0], columns[3]]),
            encoded_column_names(onehot, d_onehot, ["species"]),
        ],
    )
    assert names == [
        "sepal length (cm)",
        "petal length (cm)",
        "species_setosa",
        "species_versicolor",
        "species_virginica",
        "sepal width (cm)",
    ]
    assert encoded.shape == (150, len(names)) and encoded.dtype == np.float64
    np.testing.assert_allclose(encoded[:, :2].mean(axis=0), 0, atol=1e-9)
    np.testing.assert_array_equal(encoded[:, 5], frame["sepal width (cm)"])
    np.testing.assert_array_equal(encoded[:, 2:5].sum(axis=1), 1)


def test_coders_on_sequences_keep_the_leading_axes(iris):
    values = iris.iloc[:, :4].to_numpy().reshape(30, 5, 4)  # 30 sequences of 5 steps
    scaler, dimension = fit_encoder(StandardScaler(), values[..., :2])
    encoded = encode_columns(values, [(scaler, dimension, [0, 1])])
    assert encoded.shape == (30, 5, 4)
    np.testing.assert_allclose(encoded[..., :2].reshape(-1, 2).mean(axis=0), 0, atol=1e-9)
    np.testing.assert_array_equal(encoded[..., 2:], values[..., 2:])


def test_overlapping_coders_are_refused(iris):
    values = iris.iloc[:, :4].to_numpy()
    scaler, dimension = fit_encoder(StandardScaler(), values[:, :2])
    with pytest.raises(InvalidArgument, match="claimed by preprocessors 0 and 1"):
        encode_columns(values, [(scaler, dimension, [0, 1]), (scaler, dimension, [1, 2])])
    with pytest.raises(InvalidArgument, match="out of range"):
        encode_columns(values, [(scaler, dimension, [3, 4])])
