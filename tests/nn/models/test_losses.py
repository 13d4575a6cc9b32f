from __future__ import annotations

import pytest
import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models.losses import WeightedLoss, get_loss


def test_weights_scale_each_samples_loss():
    loss = get_loss("regression", "value")
    y_pred = torch.tensor([[1.0], [2.0], [4.0]])
    y = torch.tensor([[0.0], [0.0], [0.0]])
    assert loss(y_pred, y).item() == pytest.approx((1 + 4 + 16) / 3)
    w = torch.tensor([1.0, 0.0, 2.0])
    assert loss(y_pred, y, w).item() == pytest.approx((1 + 0 + 32) / 3)
    assert loss(y_pred, y, w.reshape(3, 1)).item() == pytest.approx(11.0)


def test_multi_target_loss_is_averaged_per_sample_before_weighting():
    loss = get_loss("regression", "value")
    y_pred = torch.tensor([[1.0, 3.0], [0.0, 0.0]])
    y = torch.zeros(2, 2)
    assert loss(y_pred, y, torch.tensor([1.0, 0.0])).item() == pytest.approx(5.0 / 2)


def test_targets_as_a_vector_never_broadcast_against_a_column():
    loss = get_loss("regression", "value")
    y_pred = torch.tensor([[1.0], [2.0]])
    assert loss(y_pred, torch.tensor([1.0, 2.0])).item() == 0.0


def test_multiclass_targets_as_a_float_column_become_class_indices():
    loss = get_loss("multiclass", "log_probability")
    log_probs = torch.log(torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]))
    expected = -(torch.log(torch.tensor(0.7)) + torch.log(torch.tensor(0.8))) / 2
    assert torch.allclose(loss(log_probs, torch.tensor([[0.0], [2.0]])), expected)
    one_hot = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert torch.allclose(loss(log_probs, one_hot), expected)
    logits = get_loss("multiclass", "logit")
    assert torch.allclose(logits(log_probs, one_hot), expected, atol=1e-6)


def test_binary_loss_on_probabilities_and_on_logits_agree():
    z = torch.tensor([[0.3], [-1.2], [2.0]])
    y = torch.tensor([1.0, 0.0, 1.0])
    w = torch.tensor([2.0, 1.0, 0.5])
    on_probs = get_loss("classification", "probability")(torch.sigmoid(z), y, w)
    on_logits = get_loss("classification", "logit")(z, y, w)
    assert torch.allclose(on_probs, on_logits, atol=1e-6)


def test_a_loss_that_reduces_by_itself_cannot_weight():
    class Total(nn.Module):
        def forward(self, y_pred, y):
            return ((y_pred - y) ** 2).sum()

    loss = get_loss("regression", "value", Total)
    y_pred, y = torch.ones(3, 1), torch.zeros(3, 1)
    assert loss(y_pred, y).item() == 3.0
    with pytest.raises(InvalidArgument, match="reduces to one number"):
        loss(y_pred, y, torch.ones(3))


def test_weight_count_must_match_the_batch():
    loss = WeightedLoss(nn.MSELoss(reduction="none"), "regression")
    with pytest.raises(InvalidArgument, match="one value per sample \\(3\\); got 2"):
        loss(torch.ones(3, 1), torch.zeros(3, 1), torch.ones(2))


def test_auto_loss_refuses_a_pair_it_cannot_serve():
    with pytest.raises(InvalidArgument, match="pass loss= explicitly"):
        get_loss("multiclass", "probability")


def test_a_loss_function_gives_per_sample_values_that_weights_scale():
    def absolute(y_pred, y):
        return (y_pred - y).abs()

    loss = get_loss("regression", "value", absolute)
    y_pred, y = torch.tensor([[1.0], [3.0]]), torch.zeros(2, 1)
    assert loss(y_pred, y).item() == 2.0
    assert loss(y_pred, y, torch.tensor([1.0, 0.0])).item() == 0.5
