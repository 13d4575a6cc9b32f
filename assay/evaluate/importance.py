"""Permutation feature importance: how much the loss rises when one column is shuffled.

Each shuffle predicts the whole split in one call, so the cost is about
``columns x permute_count`` predictions of the split, never a loop over samples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from assay.store.samples import SplitArrays
    from assay.train.model import TrainedModel


def permutation_importance(
    features: list[np.ndarray],
    loss_of: Callable[[list[np.ndarray]], float],
    *,
    permute_count: int,
    column_names: list[list[str]],
    skip: set[int] | frozenset[int] = frozenset(),
    random_state: int | None = 0,
) -> dict[int, dict[str, dict[str, float | list[float]]]]:
    """Loss impact of shuffling each column of each Feature.

    The impact follows the spec: training loss minus the median loss over ``permute_count``
    shuffles, so the more negative, the more the model relies on the column. A column is the
    last axis of its Feature's array; a shuffle moves whole values of that column between
    samples (for sequences, each sample's timesteps move together).

    Args:
        features: One preprocessed array per Feature, samples on the first axis; never
            changed (each shuffle works on a copy).
        loss_of: The model's loss on a list of feature arrays, all samples in one call.
        permute_count: Shuffles per column, at least 1.
        column_names: Per Feature, one name per column of its last axis.
        skip: Positions in ``features`` not to shuffle (e.g. image Features).
        random_state: Seeds the shuffles; None draws a fresh seed each call.

    Returns:
        ``{feature index: {column: {'impact': median impact, 'impacts': [...], 'losses':
        [...]}}}``: each shuffle's impact (training loss minus its loss) and its loss, and
        the median of the impacts.
    """
    if isinstance(permute_count, bool) or not isinstance(permute_count, int) or permute_count < 1:
        raise InvalidArgument(f"permute_count must be an int >= 1; got {permute_count!r}.")
    rng = np.random.default_rng(random_state)
    baseline = float(loss_of(features))
    out: dict[int, dict[str, dict[str, float | list[float]]]] = {}
    for at, array in enumerate(features):
        if at in skip:
            continue
        names = column_names[at]
        if len(names) != array.shape[-1]:
            raise InvalidArgument(
                f"column_names[{at}] names {len(names)} columns; the array has {array.shape[-1]}."
            )
        results = {}
        for column, name in enumerate(names):
            losses = []
            original = array[..., column].copy()
            shuffled = array.copy()
            for _ in range(permute_count):
                shuffled[..., column] = original[rng.permutation(len(original))]
                trial = list(features)
                trial[at] = shuffled
                losses.append(float(loss_of(trial)))
            impacts = [baseline - loss for loss in losses]
            results[name] = {
                "impact": float(np.median(impacts)),
                "impacts": impacts,
                "losses": losses,
            }
        out[at] = results
    return out


def importance_by_feature(
    trained: TrainedModel, train: SplitArrays, permute_count: int
) -> dict[str, Any] | None:
    """Permutation importance of each column of a trained model on its training samples.

    Image Features are skipped (a pixel column means little).

    Args:
        trained: The model; its ``preprocessing`` names the columns and the Features.
        train: The training split's arrays.
        permute_count: Shuffles per column.

    Returns:
        ``{feature id: {column: {'median': impact, 'loss_impacts': [...]}}}`` (001's
        schema): each shuffle's impact, the training loss minus the loss with the column
        shuffled, and ``median`` their median. None when every Feature is skipped or there
        is no label to compute a loss against.
    """
    features, label = train
    if label is None:
        return None
    preprocessing = trained.preprocessing
    skip = set(preprocessing.image_features)
    if len(skip) == len(features):
        return None

    def loss_of(shuffled: list[np.ndarray]) -> float:
        return trained.loss(shuffled, label)

    raw = permutation_importance(
        features,
        loss_of,
        permute_count=permute_count,
        column_names=preprocessing.feature_names,
        skip=skip,
    )
    ids = preprocessing.feature_ids
    return {
        str(ids[at]): {
            column: {
                "median": float(result["impact"]),
                "loss_impacts": [float(v) for v in result["impacts"]],
            }
            for column, result in columns.items()
        }
        for at, columns in raw.items()
    }
