"""The model a configuration describes: encoders, a combiner and a decoder (004's ECD).

``build_model`` is what the Algorithm's ``fn_build`` calls: one encoder per input feature
(each fed its own Feature's tensor, in configuration order), the combiner over their
outputs, the output feature's decoder and its final activation.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from assay.declarative.combiners import combiner_registry
from assay.declarative.decoders import decoder_registry
from assay.declarative.encoders import encoder_registry
from assay.declarative.features import feature_type_registry


class DeclarativeModel(nn.Module):
    """Encoders side by side, a combiner, a decoder: ``model(x1, x2, ...)``, one x per input.

    Args:
        encoders: One per input feature, in order.
        combiner: Joins the encodings.
        decoder: Turns the joined vector into the output's raw values.
        activation: What follows the decoder (None: nothing).
    """

    def __init__(
        self,
        encoders: list[nn.Module],
        combiner: nn.Module,
        decoder: nn.Module,
        activation: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.encoders = nn.ModuleList(encoders)
        self.combiner = combiner
        self.decoder = decoder
        self.activation = activation or nn.Identity()

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        """Encode each input, combine, decode."""
        encoded = [encoder(x) for encoder, x in zip(self.encoders, inputs, strict=True)]
        return self.activation(self.decoder(self.combiner(encoded)))


def component(registry: Any, settings: dict[str, Any], *supplied: Any) -> nn.Module:
    """Build a registered class from its resolved settings (``type`` and parameters)."""
    params = {key: value for key, value in settings.items() if key != "type"}
    return registry[settings["type"]](*supplied, **params)


def build_model(
    config: dict[str, Any],
    metas: dict[str, dict[str, Any]],
    features_shape: Any,
    label_shape: Any,
) -> DeclarativeModel:
    """The model of a resolved configuration, for samples of these shapes.

    Args:
        config: A resolved configuration (hyperopt's values already applied).
        metas: Each feature's metadata by name (``get_feature_meta``).
        features_shape: One sample's shape per Feature (a tuple for a single Feature).
        label_shape: One label's shape; for a category output, ``(class count,)``.
    """
    inputs = config["input_features"]
    shapes = [features_shape] if len(inputs) == 1 else list(features_shape)
    encoders = [
        component(encoder_registry, feature["encoder"], tuple(shape), metas[feature["name"]])
        for feature, shape in zip(inputs, shapes, strict=True)
    ]
    combiner = component(combiner_registry, config["combiner"], [e.output_size for e in encoders])
    output = config["output_features"][0]
    decoder = component(
        decoder_registry, output["decoder"], combiner.output_size, math.prod(label_shape)
    )
    feature_type = feature_type_registry[output["type"]](**output["preprocessing"])
    return DeclarativeModel(encoders, combiner, decoder, feature_type.output_activation())
