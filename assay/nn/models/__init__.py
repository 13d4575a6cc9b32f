"""Models assembled from blocks: a head, a body and a tail, built on demand by a ModelBuilder.

    from functools import partial
    from assay.nn.models import ModelBuilder, FullyConnected

    builder = ModelBuilder(
        "classification", cont_feats=names, n_out=1,
        body=partial(FullyConnected, depth=3, width=64, act="swish"),
        opt_args={"opt": "adam", "lr": 1e-3},
    )
    model, optimiser, loss = builder.get_model()

Importing this package imports PyTorch.
"""

from assay.nn.models.activations import ACTIVATIONS, lookup_act
from assay.nn.models.blocks import (
    Block,
    Body,
    CatEmbHead,
    ClassRegMulti,
    Conv1DHead,
    FullyConnected,
    Head,
    MatrixHead,
    MultiBlock,
    MultiHead,
    RecurrentHead,
    Tail,
    count_parameters,
    matrix_args_from_fy,
)
from assay.nn.models.builder import BlockModel, ModelBuilder
from assay.nn.models.embedder import CatEmbedder
from assay.nn.models.initialisations import (
    LOOKUP_INITS,
    lookup_normal_init,
    lookup_uniform_init,
)
from assay.nn.models.losses import LOSSES, WeightedLoss
from assay.nn.models.objectives import OBJECTIVE_NAMES
from assay.nn.models.optimisers import OPTIMISERS

__all__ = [
    "ACTIVATIONS",
    "LOOKUP_INITS",
    "LOSSES",
    "OBJECTIVE_NAMES",
    "OPTIMISERS",
    "Block",
    "BlockModel",
    "Body",
    "CatEmbHead",
    "CatEmbedder",
    "ClassRegMulti",
    "Conv1DHead",
    "FullyConnected",
    "Head",
    "MatrixHead",
    "ModelBuilder",
    "MultiBlock",
    "MultiHead",
    "RecurrentHead",
    "Tail",
    "WeightedLoss",
    "count_parameters",
    "lookup_act",
    "lookup_normal_init",
    "lookup_uniform_init",
    "matrix_args_from_fy",
]
