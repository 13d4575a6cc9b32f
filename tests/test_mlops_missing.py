"""Tables with gaps and text through the high-level API: imputers, early errors, NaN outputs."""

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from assay.errors import InvalidArgument
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


def fn_build_tree(features_shape, label_shape, **hp):
    """Its probabilities are looked up, so one row's never depend on the batch's size.

    A linear model's matrix product may round the last bit differently for one row than for
    many (BLAS picks other kernels), which is not what these tests are about.
    """
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(max_depth=4, min_samples_leaf=5, random_state=0)


def experiment(splitset, build=fn_build):
    return Experiment(
        Architecture("sklearn", "classification_binary", build, fn_train),
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
    from assay.orm import Splitset

    frame = with_gaps(customers(160))
    history = frame.iloc[:120].reset_index(drop=True)
    new = frame.iloc[120:].drop(columns="churn").reset_index(drop=True)
    queue = experiment(imputed_pipeline(history), build=fn_build_tree)
    queue.run_jobs(progress=False)
    predictor = queue.predictors[0]
    row = int(np.flatnonzero(new[["tenure", "spend"]].isna().any(axis=1))[0])

    def predicted(rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The row's preprocessed features and probabilities, predicted among ``rows``."""
        prediction = Inference(predictor, new.iloc[rows].reset_index(drop=True))
        splitset = Splitset.get_by_id(prediction.splitset_id)
        (key,) = splitset.samples
        (probabilities,) = prediction.probabilities.values()
        at = rows.index(row)
        return splitset.fetch_cache(key, "features")[at], probabilities[at]

    features, alone = predicted([row])  # one row with a gap: nothing to fit a curve to
    assert not np.isnan(features).any() and not np.isnan(alone).any()
    for batch in ([0, 1, 2, row], [row, *range(20, 40)]):
        other_features, probability = predicted(batch)
        np.testing.assert_array_equal(other_features, features)
        np.testing.assert_array_equal(probability, alone)


def test_text_without_a_coder_is_refused_when_the_splitset_is_made(backend):
    from assay.orm import Splitset

    frame = customers()
    with pytest.raises(
        InvalidArgument, match=r"Label \d+'s column\(s\) \{'churn': 'str'\}.*LabelCoder"
    ):
        Pipeline(
            Input(frame, encoders=Input.Encoder(OrdinalEncoder(), columns=["plan"])),
            Target(frame, column="churn"),
            Stratifier(size_test=0.25),
        )
    with pytest.raises(InvalidArgument, match=r"columns \{'plan': 'str'\}.*OneHotEncoder"):
        Pipeline(Input(frame), Target(frame, column="churn", encoder=OrdinalEncoder()))
    assert Splitset.select_where() == []


def test_a_queue_is_not_made_over_text_it_could_not_cache(backend):
    from sqlalchemy import delete

    from assay.orm import FeatureCoder, Queue
    from assay.store import transaction

    frame = customers()
    splitset = Pipeline(
        Input(frame, encoders=Input.Encoder(OrdinalEncoder(), columns=["plan"])),
        Target(frame, column="churn", encoder=OrdinalEncoder()),
        Stratifier(size_test=0.25),
    )
    with transaction() as db:  # as a Splitset made before Splitset.make checked would be
        db.execute(delete(FeatureCoder))
    with pytest.raises(InvalidArgument, match=r"\{'plan': 'str'\}"):
        experiment(splitset)
    assert Queue.select_where() == []
