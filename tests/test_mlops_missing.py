"""Tables with gaps and text through the high-level API: imputers, early errors, NaN outputs."""

import numpy as np
import pandas as pd
from sklearn.preprocessing import OrdinalEncoder

from assay.mlops import Architecture, Experiment, Input, Pipeline, Stratifier, Target, Trainer


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
