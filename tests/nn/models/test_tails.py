from __future__ import annotations

import numpy as np
import pytest
import torch

from assay.errors import InvalidArgument
from assay.nn.models import ClassRegMulti

X = torch.randn(64, 8, generator=torch.Generator().manual_seed(0)) * 5


def test_regression_is_linear_and_unbounded():
    tail = ClassRegMulti(8, 3, "regression")
    out = tail(X)
    assert out.shape == (64, 3) and tail.output_kind == "value"
    assert torch.allclose(out, tail.dense(X))


def test_binary_and_multilabel_give_probabilities():
    for objective, n_out in [("classification", 1), ("multilabel", 4)]:
        tail = ClassRegMulti(8, n_out, objective)
        out = tail(X)
        assert out.shape == (64, n_out) and tail.output_kind == "probability"
        assert out.min() >= 0 and out.max() <= 1
        assert torch.allclose(out, torch.sigmoid(tail.dense(X)))


def test_multiclass_gives_log_probabilities_summing_to_one():
    tail = ClassRegMulti(8, 5, "multiclass")
    out = tail(X)
    assert tail.output_kind == "log_probability"
    assert torch.allclose(out.exp().sum(1), torch.ones(64))


def test_logits_leave_outputs_raw():
    tail = ClassRegMulti(8, 5, "multiclass", logits=True)
    assert tail.output_kind == "logit" and torch.allclose(tail(X), tail.dense(X))
    with pytest.raises(InvalidArgument, match="logits applies to classification"):
        ClassRegMulti(8, 1, "regression", logits=True)


def test_y_range_bounds_each_output():
    tail = ClassRegMulti(8, 2, "regression", y_range=[[0.0, 1.0], [-10.0, 50.0]])
    out = tail(X * 100)
    assert out[:, 0].min() >= 0 and out[:, 0].max() <= 1
    assert out[:, 1].min() >= -10 and out[:, 1].max() <= 50
    assert out[:, 1].max() - out[:, 1].min() > 30
    assert "y_min" not in tail.state_dict()  # the range is configuration, not weights
    same = ClassRegMulti(8, 3, "regression", y_range=np.array([2.0, 4.0]))
    assert torch.equal(same.y_min, torch.full((3,), 2.0))


@pytest.mark.parametrize(
    "y_range", [(1.0, 0.0), (0.0, 1.0, 2.0), [[0, 1]] * 3, (0.0, float("inf")), "wide"]
)
def test_bad_y_range(y_range):
    with pytest.raises(InvalidArgument, match="y_range must"):
        ClassRegMulti(8, 2, "regression", y_range=y_range)


def test_y_range_only_for_regression():
    with pytest.raises(InvalidArgument, match="y_range applies to regression"):
        ClassRegMulti(8, 1, "classification", y_range=(0, 1))


def test_bias_init_sets_starting_outputs():
    tail = ClassRegMulti(8, 2, "regression", bias_init=[3.0, -1.0])
    assert torch.allclose(tail(torch.zeros(1, 8)), torch.tensor([[3.0, -1.0]]))
    prior = ClassRegMulti(8, 1, "classification", bias_init=np.log(0.1 / 0.9))
    assert torch.allclose(prior(torch.zeros(1, 8)), torch.tensor([[0.1]]))
    with pytest.raises(InvalidArgument, match="bias_init must be one number or 2 numbers"):
        ClassRegMulti(8, 2, "regression", bias_init=[1.0, 2.0, 3.0])
