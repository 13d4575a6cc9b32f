from __future__ import annotations

from functools import partial

import pytest
import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models import FullyConnected, MultiBlock

FEAT_MAP = {"a": [0], "b": [1], "c": [2, 3, 4], "d": [5]}


def test_plain_body_depth_width_and_growth():
    body = FullyConnected(6, FEAT_MAP, depth=3, width=10, growth_rate=-0.25)
    widths = [layer[0].out_features for layer in body.layers]
    assert widths == [10, 8, 5] and body.out_sz == 5
    assert body(torch.randn(4, 6)).shape == (4, 5)


@pytest.mark.parametrize(
    ("act", "layer"),
    [("relu", nn.ReLU), ("selu", nn.SELU), ("swish", nn.SiLU), ("prelu", nn.PReLU)],
)
def test_activation_by_name(act, layer):
    body = FullyConnected(6, depth=2, width=4, act=act, do=0.1)
    assert isinstance(body.layers[0][1], layer)
    dropout = nn.AlphaDropout if act == "selu" else nn.Dropout
    assert isinstance(body.layers[0][-1], dropout)


def test_linear_activation_adds_no_layer():
    body = FullyConnected(6, depth=1, width=4, act="linear")
    assert len(body.layers[0]) == 1
    x = torch.randn(3, 6)
    linear = body.layers[0][0]
    assert torch.allclose(body(x), linear(x))


def test_residual_body_adds_each_layers_input():
    body = FullyConnected(6, depth=3, width=5, res=True).eval()
    x = torch.randn(4, 6)
    first = body.layers[0](x)
    second = body.layers[1](first) + first
    assert torch.allclose(body(x), body.layers[2](second) + second)


def test_dense_body_concatenates_earlier_outputs():
    body = FullyConnected(6, depth=3, width=4, dense=True)
    assert [layer[0].in_features for layer in body.layers] == [6, 10, 14]
    assert body.out_sz == 4 and body(torch.randn(2, 6)).shape == (2, 4)


def test_batch_norm_follows_activation():
    body = FullyConnected(6, depth=2, width=4, bn=True)
    kinds = [type(m) for m in body.layers[0]]
    assert kinds == [nn.Linear, nn.ReLU, nn.BatchNorm1d]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"res": True, "dense": True}, "res and dense cannot both be set"),
        ({"res": True, "growth_rate": 0.5}, "growth_rate must be 0 with res"),
        ({"act": "sine"}, "act must be one of relu"),
        ({"depth": 0}, "depth must be a positive integer"),
        ({"do": -0.1}, "do must be a dropout rate"),
    ],
)
def test_bad_body_arguments(kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        FullyConnected(6, **kwargs)


def test_freeze_makes_no_parameter_trainable():
    body = FullyConnected(6, depth=2, width=4, freeze=True)
    assert body.param_count() == 0
    assert body.param_count(trainable=False) == 6 * 4 + 4 + 4 * 4 + 4


def test_multi_block_gives_each_block_its_features_wide_and_deep():
    body = MultiBlock(
        6,
        FEAT_MAP,
        blocks=[
            partial(FullyConnected, depth=1, width=2, act="linear"),
            partial(FullyConnected, depth=3, width=8),
        ],
        feats_per_block=[["a", "d"], ["b", "c"]],
    )
    wide, deep = body.blocks
    assert wide.n_in == 2 and deep.n_in == 4 and body.out_sz == 10
    assert wide.feat_map == {"a": [0], "d": [5]}
    x = torch.randn(5, 6)
    expected = torch.cat((wide(x[:, [0, 5]]), deep(x[:, [1, 2, 3, 4]])), 1)
    assert torch.allclose(body(x), expected)


def test_multi_block_bottleneck_summarises_the_other_features():
    body = MultiBlock(
        6,
        FEAT_MAP,
        blocks=[partial(FullyConnected, depth=1, width=3)] * 2,
        feats_per_block=[["a"], ["b", "c", "d"]],
        bottleneck_sz=1,
    )
    assert [b.n_in for b in body.blocks] == [2, 6]
    x = torch.randn(4, 6)
    changed = x.clone()
    changed[:, 5] += 1.0  # 'd' is outside the first block, reaching it through the bottleneck
    assert not torch.allclose(body(x)[:, :3], body(changed)[:, :3])


def test_multi_block_names_unknown_features():
    with pytest.raises(InvalidArgument, match=r"features the head does not give: \['e'\]"):
        MultiBlock(6, FEAT_MAP, [partial(FullyConnected)], [["e"]])
    with pytest.raises(InvalidArgument, match="one length"):
        MultiBlock(6, FEAT_MAP, [partial(FullyConnected)], [["a"], ["b"]])
