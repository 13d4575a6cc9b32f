from __future__ import annotations

from functools import partial

import pytest
import torch

from assay.errors import InvalidArgument
from assay.nn.models import (
    CatEmbedder,
    CatEmbHead,
    Conv1DHead,
    FullyConnected,
    ModelBuilder,
    MultiBlock,
    MultiHead,
    RecurrentHead,
    matrix_args_from_fy,
)
from tests.nn.models.conftest import flat_batch

VECS = ["j0", "j1", "j2", "j3", "j4"]
FPV = ["pt", "eta", "phi"]


def test_cat_emb_head_width_and_feat_map():
    embedder = CatEmbedder(["colour", "size"], [3, 11], emb_szs=[2, 4])
    head = CatEmbHead(["a", "b", "c"], cat_embedder=embedder)
    assert head.out_sz == 3 + 2 + 4
    assert head.feat_map == {
        "a": [0],
        "b": [1],
        "c": [2],
        "colour": [3, 4],
        "size": [5, 6, 7, 8],
    }
    out = head(flat_batch(10, 3, [3, 11]))
    assert out.shape == (10, 9)


def test_continuous_inputs_pass_unchanged_and_codes_pick_embedding_rows():
    embedder = CatEmbedder(["k"], [4], emb_szs=[3])
    head = CatEmbHead(["a", "b"], cat_embedder=embedder).eval()
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 3.0, 0.0]])
    out = head(x)
    assert torch.equal(out[:, :2], x[:, :2])
    weights = head.get_embeds()["k"]
    assert torch.equal(out[0, 2:], weights[2]) and torch.equal(out[1, 2:], weights[0])


def test_head_of_only_categorical_inputs():
    head = CatEmbHead([], cat_embedder=CatEmbedder(["k"], [5]))
    assert head.out_sz == 3
    assert head(torch.tensor([[4.0], [0.0]])).shape == (2, 3)


def test_dropout_acts_in_training_only():
    head = CatEmbHead(["a", "b"], do_cont=0.5)
    x = torch.ones(2000, 2)
    dropped = head.train()(x)
    assert 0.3 < (dropped == 0).float().mean() < 0.7
    assert torch.equal(head.eval()(x), x)
    embedded = CatEmbHead(["a"], do_cat=0.5, cat_embedder=CatEmbedder(["k"], [3], emb_szs=[20]))
    x = torch.ones(500, 2)  # a continuous column of ones, then code 1
    out = embedded.train()(x)
    assert (out[:, 1:] == 0).float().mean() > 0.3
    assert torch.equal(out[:, 0], x[:, 0])  # do_cat leaves the continuous inputs alone


def test_head_refuses_wrong_width_and_matrix_tuples():
    head = CatEmbHead(["a", "b"])
    with pytest.raises(InvalidArgument, match="2 continuous \\+ 0 categorical columns; got 3"):
        head(torch.zeros(4, 3))
    with pytest.raises(InvalidArgument, match="use MultiHead"):
        head((torch.zeros(4, 2), torch.zeros(4, 5, 3)))
    with pytest.raises(InvalidArgument, match="dropout rate"):
        CatEmbHead(["a"], do_cont=1.5)
    with pytest.raises(InvalidArgument, match="no inputs"):
        CatEmbHead([])


def test_embeddings_save_and_load_by_feature_name(tmp_path):
    embedder = CatEmbedder(["colour", "size"], [3, 11])
    trained = CatEmbHead(["a"], cat_embedder=embedder)
    written = trained.save_embeds(tmp_path)
    assert sorted(p.name for p in written) == ["colour.pt", "size.pt"]
    reloaded = CatEmbedder(["size", "shape"], [11, 2], emb_load_path=tmp_path)
    head = CatEmbHead(["a"], cat_embedder=reloaded)
    assert torch.equal(head.get_embeds()["size"], trained.get_embeds()["size"])
    wrong = CatEmbedder(["colour"], [3], emb_szs=[7], emb_load_path=tmp_path)
    with pytest.raises(InvalidArgument, match="the head expects"):
        CatEmbHead(["a"], cat_embedder=wrong)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_head_shapes(cell, bidirectional):
    head = RecurrentHead([], VECS, FPV, cell=cell, width=6, depth=2, bidirectional=bidirectional)
    matrix = torch.randn(7, 5, 3)
    out = head(matrix)
    assert out.shape == (7, head.out_sz) == (7, 12 if bidirectional else 6)
    assert torch.equal(head((torch.zeros(7, 2), matrix)), out)
    assert set(head.feat_map) == {f"{v}_{f}" for v in VECS for f in FPV}


def test_column_wise_matrix_is_read_as_the_row_wise_one():
    rows = RecurrentHead([], VECS, FPV, width=4)
    columns = RecurrentHead([], VECS, FPV, width=4, row_wise=False)
    columns.load_state_dict(rows.state_dict())
    matrix = torch.randn(3, 5, 3)
    assert torch.allclose(columns(matrix.transpose(1, 2)), rows(matrix))
    with pytest.raises(InvalidArgument, match=r"takes a matrix \(batch, 3, 5\)"):
        columns(matrix)


def test_recurrent_head_reads_the_order_of_objects():
    head = RecurrentHead([], VECS, FPV, cell="gru", width=4).eval()
    matrix = torch.randn(2, 5, 3)
    assert not torch.allclose(head(matrix), head(matrix.flip(1)))


@pytest.mark.parametrize(("pool", "width"), [("mean", 8), ("max", 8), ("flatten", 40)])
def test_conv1d_head_shapes(pool, width):
    head = Conv1DHead([], VECS, FPV, channels=(4, 8), kernel_size=3, pool=pool, bn=True)
    out = head(torch.randn(6, 5, 3))
    assert out.shape == (6, width) and head.out_sz == width


def test_matrix_head_arguments_are_checked():
    with pytest.raises(InvalidArgument, match="cell must be one of rnn, lstm, gru"):
        RecurrentHead([], VECS, FPV, cell="transformer")
    with pytest.raises(InvalidArgument, match="pool must be one of"):
        Conv1DHead([], VECS, FPV, pool="sum")
    with pytest.raises(InvalidArgument, match="vecs and feats_per_vec must name"):
        RecurrentHead([], [], FPV)


def test_multi_head_concatenates_flat_and_matrix_heads():
    embedder = CatEmbedder(["k"], [3], emb_szs=[2])
    head = MultiHead(
        ["a", "b"],
        matrix_head=partial(RecurrentHead, vecs=VECS, feats_per_vec=FPV, width=5),
        cat_embedder=embedder,
    )
    assert head.out_sz == 4 + 5
    assert head.feat_map["a"] == [0] and head.feat_map["k"] == [2, 3]
    assert head.feat_map["j2_eta"] == [4, 5, 6, 7, 8]
    out = head((flat_batch(9, 2, [3]), torch.randn(9, 5, 3)))
    assert out.shape == (9, 9)
    with pytest.raises(InvalidArgument, match=r"\(flat, matrix\) tuple"):
        head(flat_batch(9, 2, [3]))


def test_builder_with_multi_head_routes_matrix_features_in_a_multi_block():
    matrix_feats = [f"{v}_{f}" for v in VECS for f in FPV]
    builder = ModelBuilder(
        "regression",
        ["a", "b"],
        1,
        head=partial(
            MultiHead,
            matrix_head=partial(Conv1DHead, vecs=VECS, feats_per_vec=FPV, channels=(6,)),
        ),
        body=partial(
            MultiBlock,
            blocks=[partial(FullyConnected, depth=1, width=3), partial(FullyConnected, width=4)],
            feats_per_block=[["a", "b"], matrix_feats],
        ),
    )
    model = builder.build_model()
    assert model.body.out_sz == 7
    assert model((torch.randn(4, 2), torch.randn(4, 5, 3))).shape == (4, 1)


def test_matrix_args_need_a_matrix_in_the_fold_file(tmp_path):
    import pandas as pd

    from assay.nn.data import FoldYielder, df2foldfile

    df = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "y": [0, 1, 0, 1]})
    fy = FoldYielder(df2foldfile(df, 2, ["a"], [], "y", tmp_path / "flat.h5", "float32"))
    with pytest.raises(InvalidArgument, match="fy must hold matrix inputs"):
        matrix_args_from_fy(fy)
    fy.close()
