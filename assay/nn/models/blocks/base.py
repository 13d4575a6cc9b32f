"""What every block shares: a weight-initialisation lookup, freezing, and parameter counts."""

from __future__ import annotations

from torch import nn

from assay.nn.models.initialisations import LookupInit, resolve_lookup_init


def count_parameters(module: nn.Module, trainable: bool = True) -> int:
    """The number of parameters of ``module``; only those that train when ``trainable``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable)


class Block(nn.Module):
    """Base of heads, bodies and tails: stores the init lookup and the freeze flag.

    A subclass builds its layers in ``__init__`` and then calls ``self._finish()``, which
    freezes the parameters when the block was asked to start frozen.

    Args:
        lookup_init: Name of a weight-initialisation lookup (see ``initialisations``) or a
            function ``(act, fan_in, fan_out) -> init``.
        freeze: Start with the block's parameters untrainable (e.g. a pretrained head).
    """

    def __init__(self, lookup_init: str | LookupInit = "normal", freeze: bool = False):
        super().__init__()
        self.lookup_init = resolve_lookup_init(lookup_init)
        self.freeze = bool(freeze)

    def _finish(self) -> None:
        if self.freeze:
            self.freeze_layers()

    @property
    def out_sz(self) -> int:
        """The width of the block's output, (batch, out_sz)."""
        raise NotImplementedError

    def freeze_layers(self) -> None:
        """Make every parameter of the block untrainable."""
        for parameter in self.parameters():
            parameter.requires_grad = False

    def unfreeze_layers(self) -> None:
        """Make every parameter of the block trainable again."""
        for parameter in self.parameters():
            parameter.requires_grad = True

    def param_count(self, trainable: bool = True) -> int:
        """The number of parameters of the block; only trainable ones when ``trainable``."""
        return count_parameters(self, trainable)
