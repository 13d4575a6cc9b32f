"""Tables with gaps and text through the high-level API: imputers, early errors, NaN outputs."""

import numpy as np
import pandas as pd
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from assay.mlops import (
    Architecture,
    Experiment,
    Inference,
    Input,
    Pipeline,
    Stratifier,
    Target,
    Trainer,
)


def fn_build(features_shape, label_shape, **hp):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=500)


def fn_train(model, loser, optimizer, train_features, train_label, eval_features, eval_label, **hp):
    return model.fit(train_features, train_label.ravel())


def customers(count: int = 120, seed: int = 0) -> pd.DataFrame:
    """Independent samples: a text column, two numeric ones and a yes/no target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "pro", "team"], count),
            "tenure": rng.gamma(3.0, 8.0, count).round(1),
            "spend": rng.normal(60.0, 20.0, count).round(2),
        }
    )
    score = 0.08 * frame["tenure"] - 0.03 * frame["spend"] + (frame["plan"] == "pro")
    frame["churn"] = np.where(score + rng.normal(0, 0.5, count) > score.median(), "no", "yes")
    return frame


def with_gaps(frame: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """About one value in eight of each feature column missing."""
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    for column in ("plan", "tenure", "spend"):
        frame.loc[rng.random(len(frame)) < 0.125, column] = np.nan
    return frame


def imputed_pipeline(history: pd.DataFrame):
    return Pipeline(
        Input(
            history,
            imputers=[
                Input.Imputer(SimpleImputer(strategy="most_frequent"), columns=["plan"]),
                Input.Imputer(KNNImputer(n_neighbors=5), dtypes="float"),
            ],
            encoders=[
                Input.Encoder(OneHotEncoder(), columns=["plan"]),
                Input.Encoder(StandardScaler(), dtypes="float"),
            ],
        ),
        Target(history, column="churn", encoder=OrdinalEncoder()),
        Stratifier(size_test=0.25),
    )


def experiment(splitset):
    return Experiment(
        Architecture("sklearn", "classification_binary", fn_build, fn_train),
        Trainer(splitset, permute_count=0),
    )


def test_encoded_text_beside_untouched_numbers_is_cached_as_floats():
    frame = customers()
    splitset = Pipeline(
        Input(frame, encoders=Input.Encoder(OrdinalEncoder(), columns=["plan"])),
        Target(frame, column="churn", encoder=OrdinalEncoder()),
        Stratifier(size_test=0.25),
    )
    splitset.cache_samples()
    features = splitset.fetch_cache("train", "features")
    assert features.dtype == np.float64 and features.shape[1] == 3
    queue = experiment(splitset)
    queue.run_jobs(progress=False)
    assert queue.status_counts()["succeeded"] == 1


def test_a_rows_prediction_never_depends_on_the_rows_predicted_with_it():
    frame = with_gaps(customers(160))
    history = frame.iloc[:120].reset_index(drop=True)
    new = frame.iloc[120:].drop(columns="churn").reset_index(drop=True)
    queue = experiment(imputed_pipeline(history))
    queue.run_jobs(progress=False)
    predictor = queue.predictors[0]
    row = int(np.flatnonzero(new[["tenure", "spend"]].isna().any(axis=1))[0])

    def probabilities(rows: list[int]) -> np.ndarray:
        prediction = Inference(predictor, new.iloc[rows].reset_index(drop=True))
        (values,) = prediction.probabilities.values()
        return values[rows.index(row)]

    alone = probabilities([row])  # one row with a gap: no spline to fit
    assert not np.isnan(alone).any()
    np.testing.assert_array_equal(probabilities([0, 1, 2, row]), alone)
    np.testing.assert_array_equal(probabilities([row, *range(20, 40)]), alone)
