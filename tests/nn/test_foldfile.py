"""df2foldfile and FoldYielder: the layout on disc, read back fold by fold."""

from __future__ import annotations

import pickle

import h5py
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from assay.errors import InvalidArgument
from assay.nn.data import FoldYielder, df2foldfile


@pytest.fixture
def cancer() -> pd.DataFrame:
    frame = load_breast_cancer(as_frame=True).frame
    frame["size"] = np.where(frame["mean radius"] > 14, "large", "small")
    frame.loc[::50, "size"] = None
    frame["id"] = np.arange(len(frame))
    frame["weight"] = np.where(frame["target"] == 1, 0.5, 1.5)
    frame.loc[::7, "mean texture"] = np.nan
    return frame


CONT = ["mean radius", "mean texture", "mean area", "worst smoothness"]


def write(frame, path, **options):
    arguments = {
        "df": frame,
        "n_folds": 5,
        "cont_feats": CONT,
        "cat_feats": ["size"],
        "targ_feats": "target",
        "savename": path,
        "targ_type": "int64",
    }
    return df2foldfile(**{**arguments, **options})


def test_the_layout_holds_meta_data_and_one_group_per_fold(cancer, tmp_path):
    path = write(cancer, tmp_path / "cancer", wgt_feat="weight", misc_feats=["mean perimeter"])
    assert path == tmp_path / "cancer.hdf5" and path.is_file()
    with h5py.File(path, "r") as handle:
        assert sorted(handle) == [*(f"fold_{i}" for i in range(5)), "meta_data"]
        assert sorted(handle["fold_0"]) == ["inputs", "mean perimeter", "targets", "weights"]
        assert handle["fold_0/inputs"].dtype == np.float32
        assert handle["fold_0/inputs"].shape[1] == len(CONT) + 1
        assert handle["fold_0/targets"].dtype == np.int64
        assert {"cont_feats", "cat_feats", "cat_maps", "targ_feats"} <= set(handle["meta_data"])
    fy = FoldYielder(path)
    assert fy.n_folds == len(fy) == 5
    assert fy.cont_feats == CONT and fy.cat_feats == ["size"] and fy.targ_feats == ["target"]
    assert fy.cat_maps == {"size": {0: "large", 1: "small", 2: None}}
    assert fy.cat_cardinalities == {"size": 3} and fy.wgt_feat == "weight"
    assert sum(fy.n_samples(i) for i in range(5)) == len(cancer)


def test_every_row_comes_back_once_with_its_values(cancer, tmp_path):
    fy = FoldYielder(write(cancer, tmp_path / "c.hdf5", wgt_feat="weight", misc_feats=["id"]))
    back = fy.get_df(inc_inputs=True, inc_misc=True, inc_fold=True)
    assert len(back) == len(cancer) and back["id"].is_unique
    original = cancer.iloc[back["id"].to_numpy()].reset_index(drop=True)
    np.testing.assert_allclose(back["mean radius"], original["mean radius"], rtol=1e-6)
    np.testing.assert_array_equal(back["targets"], original["target"])
    np.testing.assert_array_equal(back["weights"], original["weight"])
    # NaN inputs are zeroed when read; categorical codes map back to their values.
    assert (back["mean texture"][original["mean texture"].isna()] == 0).all()
    decoded = back["size"].astype(int).map(fy.cat_maps["size"])
    assert decoded.equals(original["size"].where(original["size"].notna(), None))
    fold = fy[2]
    assert set(fold) == {"inputs", "targets", "weights"}
    assert fold["inputs"].shape == (fy.n_samples(2), 5) and not np.isnan(fold["inputs"]).any()
    assert (back["fold"].value_counts().sort_index().to_numpy() > 100).all()


def test_folds_are_stratified_on_strat_key(cancer, tmp_path):
    fy = FoldYielder(write(cancer, tmp_path / "s.hdf5", strat_key="target"))
    overall = cancer["target"].mean()
    shares = [fy[i]["targets"].mean() for i in range(fy.n_folds)]
    assert max(abs(share - overall) for share in shares) < 0.01
    with pytest.raises(InvalidArgument, match=r"strat_key.*continuous"):
        write(cancer, tmp_path / "x.hdf5", strat_key="mean radius")
    with pytest.raises(InvalidArgument, match="strat_key 'size2' cannot make 5 folds"):
        write(cancer.assign(size2=np.arange(len(cancer)) % 1000), tmp_path / "y", strat_key="size2")


def test_folds_are_reproducible_from_the_seed(cancer, tmp_path):
    first = FoldYielder(write(cancer, tmp_path / "a", misc_feats=["id"], seed=3))
    again = FoldYielder(write(cancer, tmp_path / "b", misc_feats=["id"], seed=3))
    other = FoldYielder(write(cancer, tmp_path / "c", misc_feats=["id"], seed=4))
    ids = first.get_column("id", fold_idx=0)
    np.testing.assert_array_equal(ids, again.get_column("id", fold_idx=0))
    assert not np.array_equal(ids, other.get_column("id", fold_idx=0))
    assert (np.diff(ids) > 0).all()  # rows keep their order within a fold


@pytest.mark.parametrize("compression", ["gzip", "lzf"])
def test_compression_is_applied_and_reads_back_the_same(cancer, tmp_path, compression):
    plain = FoldYielder(write(cancer, tmp_path / "plain"))
    packed_path = write(cancer, tmp_path / "packed", compression=compression)
    with h5py.File(packed_path, "r") as handle:
        assert handle["fold_0/inputs"].compression == compression
    packed = FoldYielder(packed_path)
    for i in range(plain.n_folds):
        np.testing.assert_array_equal(plain[i]["inputs"], packed[i]["inputs"])
    with pytest.raises(InvalidArgument, match="compression must be one of"):
        write(cancer, tmp_path / "bad", compression="zip")


def matrix_frame(rows: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"flat": rng.normal(size=rows), "label": rng.integers(0, 2, rows)})
    for vec in ("j1", "j2", "j3"):
        for feat in ("px", "py"):
            frame[f"{vec}_{feat}"] = rng.normal(size=rows)
    return frame


def matrix_arguments(frame: pd.DataFrame, **options) -> dict:
    """``df2foldfile`` arguments for ``matrix_frame``: three folds, ``flat`` in, ``label`` out."""
    return {
        "df": frame,
        "n_folds": 3,
        "cont_feats": ["flat"],
        "cat_feats": [],
        "targ_feats": ["label"],
        **options,
    }


def test_a_matrix_comes_with_the_flat_inputs_and_follows_row_wise(tmp_path):
    arguments = matrix_arguments(
        matrix_frame(),
        targ_type="float32",
        misc_feats=["j2_py"],
        matrix_vecs=["j1", "j2", "j3"],
        matrix_feats_per_vec=["px", "py", "pz"],
    )
    rows = FoldYielder(df2foldfile(**arguments, savename=tmp_path / "r", matrix_row_wise=True))
    flat, matrix = rows[1]["inputs"]
    assert flat.shape == (40, 1) and matrix.shape == (40, 3, 3) and rows.matrix_shape == (3, 3)
    assert rows.matrix_feats["missing"] == ["j1_pz", "j2_pz", "j3_pz"]
    np.testing.assert_allclose(matrix[:, 1, 1], rows.get_column("j2_py", fold_idx=1))
    assert (matrix[:, :, 2] == 0).all()  # absent columns are zeros
    columns = FoldYielder(df2foldfile(**arguments, savename=tmp_path / "c", matrix_row_wise=False))
    np.testing.assert_array_equal(columns[1]["inputs"][1], matrix.transpose(0, 2, 1))
    rows.add_ignore(["pz", "j1"])
    assert rows[1]["inputs"][1].shape == (40, 2, 2) and rows.matrix_shape == (2, 2)
    np.testing.assert_array_equal(rows[1]["inputs"][1], matrix[:, 1:, :2])
    with pytest.raises(InvalidArgument, match="matrix_row_wise must be True"):
        df2foldfile(**arguments, savename=tmp_path / "x")


def test_a_sparse_tensor_is_stored_as_coo_and_read_back_dense(tmp_path):
    frame = matrix_frame(90)
    rng = np.random.default_rng(2)
    tensor = np.where(rng.random((90, 4, 5, 6)) < 0.05, rng.normal(size=(90, 4, 5, 6)), 0.0)
    arguments = matrix_arguments(
        frame, targ_type="int64", misc_feats=["j1_px"], tensor_data=tensor, tensor_name="hits"
    )
    sparse_path = df2foldfile(**arguments, savename=tmp_path / "s", tensor_is_sparse=True)
    dense_path = df2foldfile(**arguments, savename=tmp_path / "d")
    with h5py.File(sparse_path, "r") as handle:
        group = handle["fold_0/matrix_inputs"]
        assert isinstance(group, h5py.Group) and group["coords"].shape[0] == 4
        nonzero = int((tensor != 0).sum())
        assert sum(handle[f"fold_{i}/matrix_inputs/values"].shape[0] for i in range(3)) == nonzero
    sparse, dense = FoldYielder(sparse_path), FoldYielder(dense_path)
    assert sparse.matrix_is_sparse and not dense.matrix_is_sparse
    assert sparse.matrix_shape == (4, 5, 6) and sparse.matrix_feats["name"] == "hits"
    order = np.argsort(frame["j1_px"].to_numpy())
    for i in range(3):
        np.testing.assert_array_equal(sparse[i]["inputs"][1], dense[i]["inputs"][1])
        rows = order[
            np.searchsorted(
                frame["j1_px"].to_numpy(), sparse.get_column("j1_px", fold_idx=i), sorter=order
            )
        ]
        np.testing.assert_allclose(sparse[i]["inputs"][1], tensor[rows].astype(np.float32))
    np.testing.assert_array_equal(
        sparse.get_column("matrix_inputs"), dense.get_column("matrix_inputs")
    )


def test_ignored_features_are_left_out_when_loading(cancer, tmp_path):
    path = write(cancer, tmp_path / "c")
    full = FoldYielder(path)
    fy = FoldYielder(path, ignore_feats=["mean texture"])
    fy.add_ignore("size")
    assert fy.ignore_feats == ["mean texture", "size"]
    assert fy.cont_feats == ["mean radius", "mean area", "worst smoothness"] and fy.cat_feats == []
    np.testing.assert_array_equal(fy[0]["inputs"], full[0]["inputs"][:, [0, 2, 3]])
    assert "mean texture" not in fy.get_df(inc_inputs=True)
    assert "mean texture" in fy.get_df(inc_inputs=True, inc_ignore=True)
    with pytest.raises(InvalidArgument, match=r"ignore_feats: \['nope'\] are not features"):
        fy.add_ignore(["nope"])


def test_get_df_deprocesses_with_the_fitted_pipes(tmp_path):
    rng = np.random.default_rng(0)
    raw = pd.DataFrame({"a": rng.normal(5, 2, 200), "b": rng.normal(-3, 4, 200)})
    raw["y"] = 3 * raw["a"] - raw["b"] + rng.normal(0, 0.1, 200)
    input_pipe = StandardScaler().fit(raw[["a", "b"]])
    output_pipe = StandardScaler().fit(raw[["y"]])
    scaled = raw.copy()
    scaled[["a", "b"]] = input_pipe.transform(raw[["a", "b"]])
    scaled["y"] = output_pipe.transform(raw[["y"]])[:, 0]
    path = df2foldfile(scaled, 4, ["a", "b"], [], "y", tmp_path / "reg", "float32")
    pickled = tmp_path / "output_pipe.pkl"
    pickled.write_bytes(pickle.dumps(output_pipe))
    fy = FoldYielder(path, input_pipe=input_pipe, output_pipe=pickled)
    fy.save_fold_pred(fy[0]["targets"][:, 0] + 0.5, 0)
    frame = fy.get_df(fold_idx=0, inc_inputs=True, deprocess=True)
    plain = fy.get_df(fold_idx=0, inc_inputs=True)
    assert abs(frame["a"].mean() - 5) < 0.5 and abs(plain["a"].mean()) < 0.5
    matching = raw.loc[np.isclose(raw["a"], frame["a"].iloc[0], atol=1e-4)]
    assert np.isclose(frame["targets"].iloc[0], matching["y"].iloc[0], atol=1e-3)
    shift = 0.5 * output_pipe.scale_[0]
    np.testing.assert_allclose(frame["pred"] - frame["targets"], shift, rtol=1e-4)
    with pytest.raises(InvalidArgument, match="input_pipe must be a fitted transformer"):
        FoldYielder(path, input_pipe=[1, 2])
    with pytest.raises(InvalidArgument, match="output_pipe: no pickle at"):
        FoldYielder(path, output_pipe=tmp_path / "absent.pkl")


def test_predictions_are_saved_per_fold_and_replaced(cancer, tmp_path):
    fy = FoldYielder(write(cancer, tmp_path / "c"))
    assert fy.get_df().columns.tolist() == ["targets"]
    for i in range(fy.n_folds):
        fy.save_fold_pred(np.full((fy.n_samples(i), 2), float(i)), i, pred_name="probs")
    fy.save_fold_pred(np.ones((fy.n_samples(0), 2)), 0, pred_name="probs")
    fy.close()
    again = FoldYielder(tmp_path / "c.hdf5")
    assert again.get_column("probs", fold_idx=0).tolist()[0] == [1.0, 1.0]
    frame = again.get_df(pred_name="probs", fold_idx=3)
    assert (
        frame.columns.tolist() == ["targets", "probs_0", "probs_1"]
        and (frame["probs_1"] == 3).all()
    )
    assert again.get_column("nothing") is None
    reader = FoldYielder(tmp_path / "c.hdf5")
    reader[0]  # holds the file open read-only
    with pytest.raises(InvalidArgument, match="close the other FoldYielders of this file"):
        again.save_fold_pred(np.zeros(again.n_samples(1)), 1)
    reader.close()
    again.save_fold_pred(np.zeros(again.n_samples(1)), 1)
    with pytest.raises(InvalidArgument, match=r"pred must hold one row per sample of fold 1"):
        again.save_fold_pred(np.zeros(3), 1)
    with pytest.raises(InvalidArgument, match="'targets' is reserved"):
        again.save_fold_pred(np.zeros(again.n_samples(1)), 1, pred_name="targets")


def test_a_fold_yielder_is_a_context_manager_and_pickles(cancer, tmp_path):
    path = write(cancer, tmp_path / "c")
    with FoldYielder(path, ignore_feats=["size"]) as fy:
        first = fy[0]["inputs"]
    copy = pickle.loads(pickle.dumps(fy))
    np.testing.assert_array_equal(copy[0]["inputs"], first)
    assert copy.ignore_feats == ["size"]
    np.testing.assert_array_equal(fy.get_data(n_folds=2)["targets"][: len(first)], fy[0]["targets"])
    assert [len(fold["targets"]) for fold in fy] == [fy.n_samples(i) for i in range(5)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_folds": 0}, "n_folds must be between 1"),
        ({"n_folds": 2.5}, "n_folds must be an int"),
        (
            {"cont_feats": ["mean radius", "missing"]},
            r"cont_feats: columns \['missing'\] are not in df",
        ),
        ({"cont_feats": "mean radius"}, "cont_feats must be a list of column names"),
        ({"cont_feats": ["size"], "cat_feats": []}, "cont_feats: column 'size' must be numeric"),
        (
            {"cat_feats": ["size", "mean radius"]},
            r"cat_feats: \['mean radius'\] are also in cont_feats",
        ),
        ({"targ_feats": []}, "targ_feats must name at least one column"),
        ({"targ_type": "text"}, "targ_type must be a NumPy dtype"),
        ({"targ_type": "str"}, "targ_type must be a numeric dtype"),
        ({"wgt_feat": "size"}, "wgt_feat: column 'size' must be numeric"),
        ({"misc_feats": ["inputs"]}, "'inputs' is reserved"),
        ({"strat_key": ["target"]}, "strat_key must be one column name"),
        (
            {"tensor_data": np.zeros((3, 2))},
            r"tensor_data must be a NumPy array of shape \(rows=569",
        ),
        ({"tensor_name": "x"}, "tensor_name is set but tensor_data is None"),
        (
            {"matrix_vecs": ["a"], "matrix_feats_per_vec": ["b"], "matrix_row_wise": True},
            "none of the columns",
        ),
    ],
)
def test_bad_arguments_name_the_argument_and_write_nothing(cancer, tmp_path, change, message):
    with pytest.raises(InvalidArgument, match=message):
        write(cancer, tmp_path / "bad", **change)
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_fold_file_is_refused(tmp_path):
    with pytest.raises(InvalidArgument, match="no file at"):
        FoldYielder(tmp_path / "absent.hdf5")
    (tmp_path / "text.hdf5").write_text("hello")
    with pytest.raises(InvalidArgument, match="is not an HDF5 file"):
        FoldYielder(tmp_path / "text.hdf5")
    with h5py.File(tmp_path / "other.h5", "w") as handle:
        handle["x"] = np.arange(3)
    with pytest.raises(InvalidArgument, match="is not an assay fold file"):
        FoldYielder(tmp_path / "other.h5")


def test_fold_indices_are_checked(cancer, tmp_path):
    fy = FoldYielder(write(cancer, tmp_path / "c"))
    with pytest.raises(InvalidArgument, match=r"fold_idx must be in 0..4"):
        fy.get_fold(5)
    with pytest.raises(InvalidArgument, match="n_folds must be between 1 and 5"):
        fy.get_df(n_folds=6)


def test_nan_to_num_runs_on_the_folds_that_need_it(tmp_path):
    frame = pd.DataFrame({"a": [1.0, np.inf, 2.0, 3.0, 4.0, 5.0], "b": [3e38] * 6})
    frame["c"] = [1.0, 2.0, np.nan, 4.0, 5.0, 6.0]
    frame["y"] = [0, 1, 0, 1, 0, 1]
    frame["row"] = np.arange(6)
    path = df2foldfile(
        frame, 3, ["a", "b", "c"], [], "y", tmp_path / "f", "int64", misc_feats=["row"]
    )
    fy = FoldYielder(path)
    holding = [at for at in range(3) if {1, 2} & set(fy.get_column("row", fold_idx=at))]
    assert fy.meta["non_finite_folds"] == holding and len(holding) < 3
    inputs = fy.get_df(inc_inputs=True, inc_misc=True).set_index("row").sort_index()
    assert np.isfinite(inputs[["a", "b", "c"]].to_numpy()).all()
    assert (inputs["b"] == np.float32(3e38)).all()  # large finite values stay (the sum overflows)
    assert inputs.loc[1, "a"] == np.finfo(np.float32).max and inputs.loc[2, "c"] == 0.0
    for at in range(3):
        assert np.isfinite(fy[at]["inputs"]).all()
