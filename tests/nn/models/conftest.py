from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _seeded() -> None:
    torch.manual_seed(0)


def flat_batch(n: int, n_cont: int, cardinalities: list[int] | None = None):
    """A flat input batch: continuous columns, then categorical codes (as floats)."""
    parts = [torch.randn(n, n_cont)]
    for card in cardinalities or []:
        parts.append(torch.randint(0, card, (n, 1)).float())
    return torch.cat(parts, 1)
