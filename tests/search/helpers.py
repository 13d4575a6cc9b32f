"""Small real searches for the tests: iris (classification) and diabetes (regression)."""

from __future__ import annotations

from sklearn.datasets import load_diabetes, load_iris
from sklearn.preprocessing import StandardScaler

from assay.orm import Algorithm, Dataset, Feature, FeatureCoder, Label, Splitset


def logistic_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    if hp.get("C", 1.0) > 1e3:
        raise ValueError("C above 1000 is refused by this test's build function")
    return LogisticRegression(C=hp.get("C", 1.0), max_iter=hp.get("max_iter", 200))


def fit(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def ridge_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import Ridge

    return Ridge(alpha=hp["alpha"])


def iris_splitset(fold_count: int | None = None, size_validation: float | None = 0.2) -> Splitset:
    """Iris with scaled features: test and validation splits, or folds."""
    frame = load_iris(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    FeatureCoder.from_feature(feature.id, StandardScaler(), verbose=False)
    label = Label.from_dataset(dataset.id, columns=["target"])
    return Splitset.make(
        [feature.id],
        label.id,
        size_test=0.2,
        size_validation=None if fold_count else size_validation,
        fold_count=fold_count,
    )


def diabetes_splitset() -> Splitset:
    """Diabetes (regression) with train, validation and test splits."""
    frame = load_diabetes(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    feature = Feature.from_dataset(dataset.id, exclude_columns=["target"])
    label = Label.from_dataset(dataset.id, columns=["target"])
    return Splitset.make([feature.id], label.id, size_test=0.2, size_validation=0.2, bin_count=4)


def logistic_algorithm() -> Algorithm:
    return Algorithm.make("sklearn", "classification_multi", logistic_build, fit)


def ridge_algorithm() -> Algorithm:
    return Algorithm.make("sklearn", "regression", ridge_build, fit)


C_SPACE = {
    "C": {"type": "float", "low": 0.001, "high": 10.0, "scale": "log"},
    "max_iter": {"type": "int", "low": 50, "high": 300},
}
