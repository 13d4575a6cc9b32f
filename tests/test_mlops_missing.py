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


def test_inference_with_gaps_nothing_can_fill_is_refused_before_predicting(backend):
    from assay.orm import Prediction, Splitset

    frame = customers(160)
    history = frame.iloc[:120].reset_index(drop=True)
    new = with_gaps(frame.iloc[120:].drop(columns="churn")).reset_index(drop=True)
    splitset = Pipeline(
        Input(history, encoders=Input.Encoder(OrdinalEncoder(), columns=["plan"])),
        Target(history, column="churn", encoder=OrdinalEncoder()),
        Stratifier(size_test=0.25),
    )
    queue = experiment(splitset)
    queue.run_jobs(progress=False)
    splitsets, predictions = len(Splitset.select_where()), len(Prediction.select_where())
    gaps = {column: int(count) for column, count in new.isna().sum().items()}
    with pytest.raises(InvalidArgument) as info:
        Inference(queue.predictors[0], new)
    message = str(info.value)
    assert f"missing values {gaps}" in message and "SimpleImputer" in message
    assert len(Splitset.select_where()) == splitsets
    assert len(Prediction.select_where()) == predictions
    as_text = history.drop(columns="churn").astype({"tenure": str})
    with pytest.raises(InvalidArgument, match=r"\{'tenure': 'str'\}.*no FeatureCoder"):
        Inference(queue.predictors[0], as_text)  # the Predictor's coders count, not new ones
    assert len(Splitset.select_where()) == splitsets


def fn_predict_like_a_network(model, features):
    """A network has no NaN check: a row with a gap comes out as NaN."""
    probabilities = model.predict_proba(np.nan_to_num(features))[:, 1]
    probabilities[np.isnan(features).any(axis=1)] = np.nan
    return (probabilities > 0.5).astype(np.int64), probabilities


def test_a_nan_output_is_never_a_class():
    frame = customers().drop(columns="plan")
    gaps = [3, 50, 97]
    frame.loc[gaps, "spend"] = np.nan
    splitset = Pipeline(
        Input(frame),
        Target(frame, column="churn", encoder=OrdinalEncoder()),
        Stratifier(size_test=0.25),
    )
    samples = splitset.samples
    # the first split (in the order they are predicted) that holds a gap; the split is random
    first = next(name for name in ("train", "test") if set(gaps) & set(samples[name]))
    queue = Experiment(
        Architecture(
            "sklearn",
            "classification_binary",
            fn_build_tree,
            lambda model, *args, **hp: model.fit(np.nan_to_num(args[2]), args[3].ravel()),
            fn_predict=fn_predict_like_a_network,
        ),
        Trainer(splitset, permute_count=0),
    )
    queue.run_jobs(progress=False)
    (run,) = queue.runs
    expected = len(set(gaps) & set(samples[first]))
    assert run.status == "failed" and queue.predictors == []
    message = f"{first}: the model's probabilities are NaN for {expected} of {len(samples[first])}"
    assert message in run.message
    assert "SimpleImputer" in run.message


def test_nan_predictions_and_probabilities_are_refused_by_split():
    from assay.evaluate.predict import check_no_nan

    check_no_nan("test", np.array([0, 1]), np.array([[0.2, 0.8], [0.6, 0.4]]))
    check_no_nan("test", np.array(["no", "yes"], dtype=object), None)
    with pytest.raises(InvalidArgument, match=r"validation: .*predictions are NaN for 1 of 3"):
        check_no_nan("validation", np.array([1.5, np.nan, 2.0]), None)
    with pytest.raises(InvalidArgument, match=r"infer_0: .*probabilities are NaN for 2 of 2"):
        check_no_nan("infer_0", np.array([0, 0]), np.array([[np.nan, 0.1], [0.3, np.nan]]))
