"""BatchYielder: one fold's inputs, targets and weights, handed out a batch at a time.

The fold's tensors are shuffled once per pass (one gather per tensor) and then sliced, so a
batch is a view, not a copy: the training loop pays nothing per batch for batching. Inputs
are a tensor, or a tuple of tensors (flat features and a matrix or tensor), which are
shuffled and sliced together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assay.errors import InvalidArgument

if TYPE_CHECKING:
    import torch

Inputs = Any  # a tensor, or a tuple of tensors with as many rows


class BatchYielder:
    """Yields ``(x, y, w)`` batches of one fold; ``y`` and ``w`` are None when absent.

    Args:
        inputs: A tensor of rows, or a tuple of such tensors (flat and matrix data).
        bs: Rows per batch.
        targets: A tensor with a row per input row, or None (prediction).
        weights: A tensor with a value per row, or None.
        shuffle: Shuffle the rows at the start of each pass.
        drop_last: Leave out a last batch smaller than ``bs``.
        generator: The ``torch.Generator`` the shuffles draw from (for reproducible runs).
    """

    def __init__(
        self,
        inputs: Inputs,
        bs: int,
        targets: torch.Tensor | None = None,
        weights: torch.Tensor | None = None,
        shuffle: bool = True,
        drop_last: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        if isinstance(bs, bool) or not isinstance(bs, int) or bs < 1:
            raise InvalidArgument(f"bs must be a positive int (rows per batch); got {bs!r}.")
        self.inputs = inputs
        self.targets = targets
        self.weights = weights
        self.bs = bs
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator
        self.n_rows = len(inputs[0] if isinstance(inputs, tuple) else inputs)
        for name, tensor in (("targets", targets), ("weights", weights)):
            if tensor is not None and len(tensor) != self.n_rows:
                raise InvalidArgument(
                    f"{name} must have a row per input row ({self.n_rows}); got {len(tensor)}."
                )

    def __len__(self) -> int:
        """The number of batches of one pass."""
        if self.drop_last:
            return self.n_rows // self.bs
        return -(-self.n_rows // self.bs)

    def __iter__(self) -> Iterator[tuple[Inputs, Any, Any]]:
        inputs, targets, weights = self.inputs, self.targets, self.weights
        if self.shuffle:
            import torch

            order = torch.randperm(self.n_rows, generator=self.generator)
            inputs = _take(inputs, order)
            targets = None if targets is None else targets[order]
            weights = None if weights is None else weights[order]
        bs = self.bs
        stop = len(self) * bs
        for start in range(0, stop, bs):
            end = start + bs
            yield (
                _rows(inputs, start, end),
                None if targets is None else targets[start:end],
                None if weights is None else weights[start:end],
            )


def _take(inputs: Inputs, order: torch.Tensor) -> Inputs:
    """The rows of ``inputs`` in ``order`` (every tensor of a tuple alike)."""
    if isinstance(inputs, tuple):
        return tuple(part[order] for part in inputs)
    return inputs[order]


def _rows(inputs: Inputs, start: int, end: int) -> Inputs:
    """Rows ``start:end`` of ``inputs`` (every tensor of a tuple alike), as views."""
    if isinstance(inputs, tuple):
        return tuple(part[start:end] for part in inputs)
    return inputs[start:end]
