"""Augmentation while loading: each fold is transformed as it is read, never stored twice.

``AugFoldYielder`` is the hook: a subclass implements ``augment(data, aug_idx, rng)``. With
``train_time_aug`` every ``get_fold`` applies a random transform (``aug_idx`` None); for
prediction, ``get_test_fold(i, aug_idx)`` applies the fixed transform ``aug_idx`` of
``aug_mult``, and ``average_over_augmentations`` averages a predictor over all of them
(test-time augmentation). ``FlipAugFoldYielder`` is a working example: it flips the signs of
chosen features, for data whose physics or geometry is symmetric under that reflection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assay.errors import InvalidArgument
from assay.nn.data.fold_yielder import FoldYielder


class AugFoldYielder(FoldYielder):
    """A FoldYielder that augments each fold as it is loaded (subclasses say how)."""

    def __init__(
        self,
        path: str | Path,
        aug_mult: int = 1,
        train_time_aug: bool = True,
        test_time_aug: bool = True,
        input_pipe: Any = None,
        output_pipe: Any = None,
        ignore_feats: Sequence[str] | None = None,
        seed: int | None = None,
    ) -> None:
        """Open a fold file whose folds are augmented when loaded.

        Args:
            path: The fold file's path.
            aug_mult: How many fixed transforms test-time augmentation averages over.
            train_time_aug: ``get_fold`` applies a random transform to every fold.
            test_time_aug: Predictors should average over ``get_test_fold`` transforms.
            input_pipe: See ``FoldYielder``.
            output_pipe: See ``FoldYielder``.
            ignore_feats: See ``FoldYielder``.
            seed: Seeds the random train-time transforms.
        """
        super().__init__(path, input_pipe, output_pipe, ignore_feats)
        if isinstance(aug_mult, bool) or not isinstance(aug_mult, int) or aug_mult < 1:
            raise InvalidArgument(f"aug_mult must be an int >= 1; got {aug_mult!r}.")
        self.aug_mult = aug_mult
        self.train_time_aug = bool(train_time_aug)
        self.test_time_aug = bool(test_time_aug)
        self.rng = np.random.default_rng(seed)

    def augment(
        self, data: dict[str, Any], aug_idx: int | None, rng: np.random.Generator
    ) -> dict[str, Any]:
        """Transform one fold's data: at random when ``aug_idx`` is None, else fixed.

        Args:
            data: The fold as ``get_fold`` returns it (its arrays may be changed in place).
            aug_idx: Which of the ``aug_mult`` fixed transforms, or None for a random one.
            rng: The random generator for train-time transforms.

        Returns:
            The transformed data.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement augment().")

    def get_fold(self, idx: int) -> dict[str, Any]:
        """Fold ``idx``, randomly transformed when ``train_time_aug`` is on."""
        data = super().get_fold(idx)
        return self.augment(data, None, self.rng) if self.train_time_aug else data

    def get_test_fold(self, idx: int, aug_idx: int) -> dict[str, Any]:
        """Fold ``idx`` under the fixed transform ``aug_idx`` (0..aug_mult-1)."""
        if isinstance(aug_idx, bool) or not isinstance(aug_idx, int):
            raise InvalidArgument(f"aug_idx must be an int; got {aug_idx!r}.")
        if not 0 <= aug_idx < self.aug_mult:
            raise InvalidArgument(f"aug_idx must be in 0..{self.aug_mult - 1}; got {aug_idx}.")
        return self.augment(self.get_data(fold_idx=idx), aug_idx, self.rng)

    def average_over_augmentations(self, idx: int, predict: Callable[[Any], Any]) -> np.ndarray:
        """Test-time augmentation: the mean of ``predict(inputs)`` over every fixed transform.

        Args:
            idx: The fold to predict.
            predict: Maps a fold's inputs to one prediction row per sample.

        Returns:
            The averaged predictions (without ``test_time_aug``: those of the plain fold).
        """
        if not self.test_time_aug:
            return np.asarray(predict(self.get_data(fold_idx=idx)["inputs"]))
        total = None
        for aug_idx in range(self.aug_mult):
            pred = np.asarray(predict(self.get_test_fold(idx, aug_idx)["inputs"]), dtype=float)
            total = pred if total is None else total + pred
        return total / self.aug_mult


class FlipAugFoldYielder(AugFoldYielder):
    """Flips the signs of chosen features: at random in training, all patterns at test time.

    Meant for features whose distribution is symmetric about zero as stored (e.g. centred
    coordinates or momenta), where the flipped sample is as real as the original. A flip
    feature is a continuous flat feature, or a matrix's per-vector feature (flipped in every
    vector). Fixed transform ``aug_idx`` flips feature ``k`` when bit ``k`` of ``aug_idx`` is
    set, so ``aug_mult = 2 ** len(flip_feats)`` (the default) covers every pattern.
    """

    def __init__(
        self,
        path: str | Path,
        flip_feats: Sequence[str],
        aug_mult: int | None = None,
        train_time_aug: bool = True,
        test_time_aug: bool = True,
        input_pipe: Any = None,
        output_pipe: Any = None,
        ignore_feats: Sequence[str] | None = None,
        seed: int | None = None,
    ) -> None:
        """Open a fold file whose chosen features are sign-flipped when loaded.

        Args:
            path: The fold file's path.
            flip_feats: The features to flip (continuous, or a matrix's per-vector ones).
            aug_mult: Fixed transforms for test-time averaging; at most (and by default)
                ``2 ** len(flip_feats)``.
            train_time_aug: See ``AugFoldYielder``.
            test_time_aug: See ``AugFoldYielder``.
            input_pipe: See ``FoldYielder``.
            output_pipe: See ``FoldYielder``.
            ignore_feats: See ``FoldYielder``.
            seed: See ``AugFoldYielder``.
        """
        names = [flip_feats] if isinstance(flip_feats, str) else list(flip_feats)
        patterns = 2 ** len(names)
        super().__init__(
            path,
            patterns if aug_mult is None else aug_mult,
            train_time_aug,
            test_time_aug,
            input_pipe,
            output_pipe,
            ignore_feats,
            seed,
        )
        matrix = self.matrix_feats or {}
        flippable = set(self.orig_cont_feats) | set(matrix.get("feats_per_vec") or [])
        unknown = [name for name in names if name not in flippable]
        if not names or unknown:
            raise InvalidArgument(
                f"flip_feats must name continuous or per-vector matrix features of "
                f"{self.path.name} ({sorted(flippable)}); got {names}."
            )
        if self.aug_mult > patterns:
            raise InvalidArgument(
                f"aug_mult must be at most 2 ** len(flip_feats) = {patterns}; got {aug_mult}."
            )
        self.flip_feats = names

    def augment(
        self, data: dict[str, Any], aug_idx: int | None, rng: np.random.Generator
    ) -> dict[str, Any]:
        """Flip each feature per sample at random (train), or by the bits of ``aug_idx``."""
        inputs = data["inputs"]
        flat, matrix = inputs if isinstance(inputs, tuple) else (inputs, None)
        rows = len(data["targets"])
        for bit, name in enumerate(self.flip_feats):
            if aug_idx is None:
                signs = np.where(rng.random(rows) < 0.5, -1.0, 1.0).astype(np.float32)
            elif aug_idx >> bit & 1:
                signs = np.full(rows, -1.0, dtype=np.float32)
            else:
                continue
            if name in self.cont_feats:
                flat[:, self.cont_feats.index(name)] *= signs
            elif matrix is not None:
                self._flip_matrix(matrix, name, signs)
        return data

    def _flip_matrix(self, matrix: np.ndarray, name: str, signs: np.ndarray) -> None:
        meta = self.matrix_feats or {}
        kept = [feat for feat in meta["feats_per_vec"] if feat not in self.ignore_feats]
        if name not in kept:
            return
        at = kept.index(name)
        if meta["row_wise"]:
            matrix[:, :, at] *= signs[:, None]
        else:
            matrix[:, at, :] *= signs[:, None]
