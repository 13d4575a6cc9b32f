import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris

from assay.train.adapters import get_adapter


@pytest.fixture(scope="module")
def iris():
    x, y = load_iris(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order].reshape(-1, 1)
    return (x[:100], y[:100]), (x[100:], y[100:])


def build(features_shape, label_shape, **hp):
    from xgboost import XGBClassifier

    return XGBClassifier(n_estimators=hp["trees"], max_depth=2, eval_metric=["mlogloss", "merror"])


def train_both(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    model.fit(
        train_x, train_y.ravel(), eval_set=[(train_x, train_y.ravel()), (eval_x, eval_y.ravel())]
    )
    return model


def train_eval_only(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
    model.fit(train_x, train_y.ravel(), eval_set=[(eval_x, eval_y.ravel())])
    return model


def test_classifier_history_from_evals_result_and_reported_per_tree(iris):
    adapter = get_adapter("xgboost")
    fns = adapter.resolve({"fn_build": build, "fn_train": train_both}, "classification_multi")
    reported = []
    model, history = adapter.run(
        fns, {"trees": 8}, (4,), (1,), *iris, on_epoch=lambda e, m: reported.append(e)
    )
    assert set(history) == {"loss", "merror", "val_loss", "val_merror"}
    assert len(history["loss"]) == 8 and history["loss"][-1] < history["loss"][0]
    assert reported == list(range(8))
    x, y = iris[1]
    predictions, probabilities = adapter.predict(fns["fn_predict"], model, x)
    assert probabilities.shape == (50, 3) and np.allclose(probabilities.sum(axis=1), 1)
    assert np.array_equal(predictions, probabilities.argmax(axis=1))
    assert (predictions == y.ravel()).mean() > 0.85
    loss = adapter.loss(None, model, x, y, "classification_multi", {})
    assert loss == pytest.approx(history["val_loss"][-1], rel=1e-3)


def test_a_single_eval_set_is_the_evaluation_history(iris):
    adapter = get_adapter("xgboost")
    fns = adapter.resolve({"fn_build": build, "fn_train": train_eval_only}, "classification_multi")
    _, history = adapter.run(fns, {"trees": 3}, (4,), (1,), *iris)
    assert set(history) == {"val_loss", "val_merror"}


def test_regressor_without_eval_set_has_no_history():
    from xgboost import XGBRegressor

    x, y = load_diabetes(return_X_y=True)
    adapter = get_adapter("xgboost")

    def build_regressor(features_shape, label_shape, **hp):
        return XGBRegressor(n_estimators=20, max_depth=3)

    def train(model, loser, optimizer, train_x, train_y, eval_x, eval_y, **hp):
        return model.fit(train_x, train_y)

    fns = adapter.resolve({"fn_build": build_regressor, "fn_train": train}, "regression")
    model, history = adapter.run(fns, {}, (10,), (), (x[:300], y[:300]), (x[300:], y[300:]))
    assert history == {} and isinstance(model, XGBRegressor)
    predictions, probabilities = adapter.predict(fns["fn_predict"], model, x[300:])
    assert probabilities is None and predictions.shape == (len(x) - 300,)
    assert adapter.loss(None, model, x[300:], y[300:], "regression", {}) == pytest.approx(
        float(np.mean((predictions - y[300:]) ** 2)), rel=1e-5
    )
    assert get_adapter("xgboost").load(adapter.save(model)).predict(
        x[:3]
    ).tolist() == pytest.approx(model.predict(x[:3]).tolist())
