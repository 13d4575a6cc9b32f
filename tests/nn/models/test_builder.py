from __future__ import annotations

import pickle
from functools import partial

import pytest
import torch
from torch import nn

from assay.errors import InvalidArgument
from assay.nn.models import (
    BlockModel,
    CatEmbedder,
    CatEmbHead,
    ClassRegMulti,
    FullyConnected,
    ModelBuilder,
    MultiHead,
)
from tests.nn.models.conftest import flat_batch

CONT = ["a", "b", "c", "d"]


def test_get_model_gives_model_optimiser_and_loss_for_the_inputs():
    embedder = CatEmbedder(["colour", "size"], [3, 7])
    builder = ModelBuilder("classifier", CONT, 1, cat_embedder=embedder)
    model, opt, loss = builder.get_model()
    assert isinstance(model, BlockModel)
    assert isinstance(model.head, CatEmbHead)
    assert isinstance(model.body, FullyConnected)
    assert isinstance(model.tail, ClassRegMulti)
    assert isinstance(opt, torch.optim.Adam)
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-3)
    assert {id(p) for p in opt.param_groups[0]["params"]} == {id(p) for p in model.parameters()}
    assert isinstance(loss.base, nn.BCELoss)
    assert builder.objective == "classification"
    assert builder.cat_feats == ["colour", "size"]
    assert builder.cont_feats == CONT
    out = model(flat_batch(5, 4, [3, 7]))
    assert out.shape == (5, 1)


def test_each_build_is_a_fresh_model():
    builder = ModelBuilder("regression", CONT, 1)
    first, second = builder.build_model(), builder.build_model()
    assert first is not second
    assert not torch.equal(first.body.layers[0][0].weight, second.body.layers[0][0].weight)


def test_model_args_reach_each_block():
    builder = ModelBuilder(
        "regression",
        CONT,
        2,
        model_args={
            "head": {"do_cont": 0.2},
            "body": {"depth": 2, "width": 12, "act": "swish", "bn": True},
            "tail": {"y_range": (-1.0, 3.0)},
        },
    )
    model = builder.build_model()
    assert model.head.do_cont == 0.2
    assert len(model.body.layers) == 2 and model.body.out_sz == 12
    assert isinstance(model.body.layers[0][1], nn.SiLU)
    assert isinstance(model.body.layers[0][2], nn.BatchNorm1d)
    assert model.tail.n_in == 12
    out = model(flat_batch(50, 4))
    assert out.min() >= -1.0 and out.max() <= 3.0


def test_partial_blocks_configure_blocks_as_model_args_do():
    builder = ModelBuilder(
        "multiclass",
        CONT,
        3,
        body=partial(FullyConnected, depth=1, width=7),
        tail=partial(ClassRegMulti, logits=True),
    )
    model, _, loss = builder.get_model()
    assert model.body.out_sz == 7 and len(model.body.layers) == 1
    assert model.output_kind == "logit"
    assert isinstance(loss.base, nn.CrossEntropyLoss)


def test_builder_sets_its_own_arguments_and_refuses_them_from_the_user():
    with pytest.raises(InvalidArgument, match=r"\['n_in'\] are set by the ModelBuilder"):
        ModelBuilder("regression", CONT, 1, model_args={"body": {"n_in": 3}})
    with pytest.raises(InvalidArgument, match=r"\['cont_feats'\] are set by the ModelBuilder"):
        ModelBuilder("regression", CONT, 1, head=partial(CatEmbHead, cont_feats=["x"]))


def test_unknown_block_argument_names_the_block_and_what_it_takes():
    with pytest.raises(InvalidArgument, match=r"\['depht'\], which FullyConnected does not take"):
        ModelBuilder("regression", CONT, 1, model_args={"body": {"depht": 3}})
    with pytest.raises(InvalidArgument, match="model_args keys must be among"):
        ModelBuilder("regression", CONT, 1, model_args={"neck": {}})


def test_instances_are_refused_where_classes_are_expected():
    with pytest.raises(InvalidArgument, match="body must be a block class"):
        ModelBuilder("regression", CONT, 1, body=FullyConnected(n_in=4))


def test_a_custom_block_must_accept_the_builders_arguments():
    class Bare(nn.Module):
        def __init__(self, n_in):
            super().__init__()

    with pytest.raises(InvalidArgument, match=r"must accept the arguments the builder sets"):
        ModelBuilder("regression", CONT, 1, body=Bare)


@pytest.mark.parametrize(
    ("objective", "canonical"),
    [
        ("Classification", "classification"),
        ("classifier", "classification"),
        ("multiclassifier", "multiclass"),
        ("regressor", "regression"),
        ("multilabel", "multilabel"),
    ],
)
def test_objective_aliases(objective, canonical):
    n_out = 3 if canonical in ("multiclass", "multilabel") else 1
    assert ModelBuilder(objective, CONT, n_out).objective == canonical


def test_bad_objective_lists_the_names():
    with pytest.raises(InvalidArgument, match="objective must be one of 'classification'"):
        ModelBuilder("ranking", CONT, 1)


@pytest.mark.parametrize(
    ("objective", "n_out", "message"),
    [
        ("classification", 2, "Use objective='multilabel'"),
        ("multiclass", 1, "number of classes"),
        ("regression", 0, "positive integer"),
    ],
)
def test_n_out_must_fit_the_objective(objective, n_out, message):
    with pytest.raises(InvalidArgument, match=message):
        ModelBuilder(objective, CONT, n_out)


@pytest.mark.parametrize(
    ("objective", "n_out", "tail_args", "loss_class"),
    [
        ("regression", 3, {}, nn.MSELoss),
        ("classification", 1, {}, nn.BCELoss),
        ("classification", 1, {"logits": True}, nn.BCEWithLogitsLoss),
        ("multilabel", 4, {}, nn.BCELoss),
        ("multiclass", 4, {}, nn.NLLLoss),
        ("multiclass", 4, {"logits": True}, nn.CrossEntropyLoss),
    ],
)
def test_auto_loss_follows_objective_and_tail(objective, n_out, tail_args, loss_class):
    builder = ModelBuilder(objective, CONT, n_out, model_args={"tail": tail_args})
    assert type(builder.get_loss().base) is loss_class
    assert type(builder.get_model()[2].base) is loss_class


def test_loss_by_class_partial_instance_or_name():
    builder = ModelBuilder("regression", CONT, 1, loss=nn.L1Loss)
    assert isinstance(builder.get_loss().base, nn.L1Loss)
    huber = ModelBuilder("regression", CONT, 1, loss=partial(nn.HuberLoss, delta=0.5)).get_loss()
    assert huber.base.delta == 0.5 and huber.base.reduction == "none"
    given = nn.SmoothL1Loss(beta=2.0)
    from_instance = ModelBuilder("regression", CONT, 1, loss=given).get_loss()
    assert from_instance.base.beta == 2.0 and given.reduction == "mean"
    assert isinstance(ModelBuilder("regression", CONT, 1, loss="mae").get_loss().base, nn.L1Loss)
    with pytest.raises(InvalidArgument, match="loss must be one of 'auto'"):
        ModelBuilder("regression", CONT, 1, loss="squared")


def test_opt_args_choose_optimiser_and_its_arguments():
    sgd = ModelBuilder("regression", CONT, 1, opt_args={"opt": "sgd", "lr": 0.1, "momentum": 0.9})
    opt = sgd.get_model()[1]
    assert isinstance(opt, torch.optim.SGD)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0.9
    adamw = ModelBuilder(
        "regression", CONT, 1, opt_args={"opt": torch.optim.AdamW, "weight_decay": 0.01}
    )
    opt = adamw.get_model()[1]
    assert isinstance(opt, torch.optim.AdamW) and opt.param_groups[0]["weight_decay"] == 0.01
    adamw.set_lr(0.05)
    assert adamw.get_model()[1].param_groups[0]["lr"] == 0.05


def test_bad_opt_args_are_refused_when_the_builder_is_made():
    with pytest.raises(InvalidArgument, match="opt_args\\['opt'\\] must be one of 'adam'"):
        ModelBuilder("regression", CONT, 1, opt_args={"opt": "lbfgsx"})
    with pytest.raises(InvalidArgument, match=r"\['momentun'\] that SGD does not take"):
        ModelBuilder("regression", CONT, 1, opt_args={"opt": "sgd", "momentun": 0.9})


def test_pretrain_file_round_trip(tmp_path):
    embedder = CatEmbedder(["k"], [4])
    builder = ModelBuilder("multiclass", CONT, 3, cat_embedder=embedder)
    trained = builder.build_model()
    path = tmp_path / "trained.pt"
    torch.save(trained.state_dict(), path)
    wrapped = tmp_path / "wrapped.pt"
    torch.save({"model": trained.state_dict(), "epoch": 3}, wrapped)
    x = flat_batch(6, 4, [4])
    trained.eval()
    for file in (path, wrapped):
        loaded = ModelBuilder("multiclass", CONT, 3, cat_embedder=embedder, pretrain_file=file)
        model = loaded.get_model()[0].eval()
        assert torch.equal(model(x), trained(x))


def test_pretrain_file_that_does_not_fit_is_named(tmp_path):
    path = tmp_path / "small.pt"
    torch.save(ModelBuilder("regression", CONT, 1).build_model().state_dict(), path)
    bigger = ModelBuilder("regression", CONT, 2, pretrain_file=path)
    with pytest.raises(InvalidArgument, match="does not fit the model built"):
        bigger.build_model()
    with pytest.raises(InvalidArgument, match="does not exist"):
        ModelBuilder("regression", CONT, 1, pretrain_file=tmp_path / "missing.pt")


def test_freeze_flags_freeze_blocks_and_training_leaves_them_unchanged():
    builder = ModelBuilder("regression", CONT, 1, freeze_head=True, freeze_body=True)
    frozen = builder.build_model()
    assert frozen.param_count() == frozen.tail.param_count()
    model, opt, loss = builder.get_model()
    body_before = [p.detach().clone() for p in model.body.parameters()]
    tail_before = [p.detach().clone() for p in model.tail.parameters()]
    x, y = flat_batch(32, 4), torch.randn(32, 1)
    for _ in range(5):
        opt.zero_grad()
        loss(model(x), y).backward()
        opt.step()
    assert all(torch.equal(a, b) for a, b in zip(body_before, model.body.parameters(), strict=True))
    assert not all(
        torch.equal(a, b) for a, b in zip(tail_before, model.tail.parameters(), strict=True)
    )
    model.body.unfreeze_layers()
    assert model.param_count() == model.param_count(trainable=False)


def test_cat_feats_must_match_the_embedder():
    embedder = CatEmbedder(["k"], [4])
    assert ModelBuilder("regression", CONT, 1, embedder, cat_feats=["k"]).cat_feats == ["k"]
    with pytest.raises(InvalidArgument, match="must equal the cat_embedder's names"):
        ModelBuilder("regression", CONT, 1, embedder, cat_feats=["j"])
    with pytest.raises(InvalidArgument, match="need a cat_embedder"):
        ModelBuilder("regression", CONT, 1, cat_feats=["j"])


def test_builder_pickles_and_builds_the_same_architecture():
    builder = ModelBuilder(
        "regression", CONT, 1, body=partial(FullyConnected, depth=2, width=5, res=True)
    )
    copy = pickle.loads(pickle.dumps(builder))
    assert copy.build_model().param_count() == builder.param_count()
    assert "FullyConnected" in repr(copy)


def test_lookup_init_by_name_and_unknown_name():
    model = ModelBuilder("regression", CONT, 1, lookup_init="orthogonal").build_model()
    weight = model.body.layers[1][0].weight
    gram = weight @ weight.T
    assert torch.allclose(gram / gram[0, 0], torch.eye(len(gram)), atol=1e-4)
    with pytest.raises(InvalidArgument, match="lookup_init must be one of 'normal'"):
        ModelBuilder("regression", CONT, 1, lookup_init="glorot")


def test_block_arguments_that_do_not_fit_show_when_the_builder_is_made():
    with pytest.raises(InvalidArgument, match="act must be one of"):
        ModelBuilder("regression", CONT, 1, model_args={"body": {"act": "sine"}})
    with pytest.raises(InvalidArgument, match="y_range must"):
        ModelBuilder("regression", CONT, 1, model_args={"tail": {"y_range": (2, 1)}})
    with pytest.raises(InvalidArgument, match=r"the head could not be built:.*matrix_head"):
        ModelBuilder("regression", CONT, 1, head=MultiHead)


def test_checking_a_builder_draws_no_random_numbers():
    torch.manual_seed(3)
    first = ModelBuilder("regression", CONT, 1).build_model()
    torch.manual_seed(3)
    builder = ModelBuilder("regression", CONT, 1)
    second = builder.build_model()
    assert all(
        torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters(), strict=True)
    )
