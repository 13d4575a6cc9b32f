"""Augmentation while loading: sign flips at train time, averaged over at test time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assay.errors import InvalidArgument
from assay.nn.data import AugFoldYielder, FlipAugFoldYielder, FoldYielder, df2foldfile


@pytest.fixture
def path(tmp_path):
    rng = np.random.default_rng(0)
    rows = 400
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=rows),
            "y": rng.normal(size=rows),
            "kind": rng.choice(["a", "b"], rows),
            "label": rng.integers(0, 2, rows),
        }
    )
    for vec in ("j1", "j2"):
        for feat in ("px", "py"):
            frame[f"{vec}_{feat}"] = rng.normal(size=rows)
    return df2foldfile(
        frame,
        4,
        ["x", "y"],
        ["kind"],
        "label",
        tmp_path / "flips",
        "int64",
        matrix_vecs=["j1", "j2"],
        matrix_feats_per_vec=["px", "py"],
        matrix_row_wise=True,
    )


def test_fixed_transforms_flip_the_features_named_by_the_bits_of_aug_idx(path):
    plain = FoldYielder(path)[1]["inputs"]
    fy = FlipAugFoldYielder(path, flip_feats=["x", "px"])
    assert fy.aug_mult == 4 and fy.test_time_aug
    expected = {0: (1, 1), 1: (-1, 1), 2: (1, -1), 3: (-1, -1)}
    for aug_idx, (x_sign, px_sign) in expected.items():
        flat, matrix = fy.get_test_fold(1, aug_idx)["inputs"]
        np.testing.assert_array_equal(flat[:, 0], x_sign * plain[0][:, 0])
        np.testing.assert_array_equal(flat[:, 1:], plain[0][:, 1:])
        np.testing.assert_array_equal(matrix[:, :, 0], px_sign * plain[1][:, :, 0])
        np.testing.assert_array_equal(matrix[:, :, 1], plain[1][:, :, 1])


def test_train_time_flips_are_random_per_sample_and_leave_magnitudes(path):
    plain = FoldYielder(path)[0]["inputs"][0]
    fy = FlipAugFoldYielder(path, flip_feats="x", seed=1)
    first, second = fy.get_fold(0)["inputs"][0], fy[0]["inputs"][0]
    np.testing.assert_array_equal(np.abs(first[:, 0]), np.abs(plain[:, 0]))
    flipped = np.sign(first[:, 0]) != np.sign(plain[:, 0])
    assert 0.35 < flipped.mean() < 0.65
    assert not np.array_equal(first[:, 0], second[:, 0])
    np.testing.assert_array_equal(first[:, 1:], plain[:, 1:])
    off = FlipAugFoldYielder(path, flip_feats="x", train_time_aug=False)
    np.testing.assert_array_equal(off[0]["inputs"][0], plain)


def test_test_time_averaging_cancels_what_is_odd_in_the_flipped_feature(path):
    fy = FlipAugFoldYielder(path, flip_feats=["x"])
    plain = FoldYielder(path)[2]["inputs"][0]

    def predict(inputs):
        flat, _ = inputs
        return 2 * flat[:, 0] + flat[:, 1] + flat[:, 0] ** 2

    averaged = fy.average_over_augmentations(2, predict)
    np.testing.assert_allclose(averaged, plain[:, 1] + plain[:, 0] ** 2, atol=1e-6)
    fy.test_time_aug = False
    np.testing.assert_allclose(fy.average_over_augmentations(2, predict), predict((plain, None)))


def test_ignored_features_are_skipped_by_the_flips(path):
    plain = FoldYielder(path, ignore_feats=["x", "px"])[0]["inputs"]
    fy = FlipAugFoldYielder(path, flip_feats=["x", "px", "py"], ignore_feats=["x", "px"])
    flat, matrix = fy.get_test_fold(0, 7)["inputs"]
    np.testing.assert_array_equal(flat, plain[0])
    np.testing.assert_array_equal(matrix, -plain[1])


def test_a_subclass_supplies_its_own_transform(path):
    class Shifted(AugFoldYielder):
        def augment(self, data, aug_idx, rng):
            flat, matrix = data["inputs"]
            offset = rng.normal() if aug_idx is None else aug_idx
            return {**data, "inputs": (flat + offset, matrix)}

    plain = FoldYielder(path)[0]["inputs"][0]
    fy = Shifted(path, aug_mult=3)
    np.testing.assert_allclose(fy.get_test_fold(0, 2)["inputs"][0], plain + 2)
    averaged = fy.average_over_augmentations(0, lambda inputs: inputs[0])
    np.testing.assert_allclose(averaged, plain + 1, rtol=1e-6)
    with pytest.raises(NotImplementedError, match="must implement augment"):
        AugFoldYielder(path).get_fold(0)


def test_bad_augmentation_arguments_are_named(path):
    with pytest.raises(InvalidArgument, match="flip_feats must name continuous"):
        FlipAugFoldYielder(path, flip_feats=["kind"])
    with pytest.raises(InvalidArgument, match="aug_mult must be at most 2 \\*\\* len"):
        FlipAugFoldYielder(path, flip_feats=["x"], aug_mult=3)
    with pytest.raises(InvalidArgument, match="aug_mult must be an int >= 1"):
        FlipAugFoldYielder(path, flip_feats=["x"], aug_mult=0)
    with pytest.raises(InvalidArgument, match=r"aug_idx must be in 0..1"):
        FlipAugFoldYielder(path, flip_feats=["x"]).get_test_fold(0, 2)
