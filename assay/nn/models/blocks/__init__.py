"""Blocks a ModelBuilder assembles: heads, bodies and tails."""

from assay.nn.models.blocks.base import Block, count_parameters
from assay.nn.models.blocks.bodies import Body, FullyConnected, MultiBlock
from assay.nn.models.blocks.heads import CatEmbHead, Head
from assay.nn.models.blocks.matrix_heads import (
    Conv1DHead,
    MatrixHead,
    MultiHead,
    RecurrentHead,
    matrix_args_from_fy,
)
from assay.nn.models.blocks.tails import ClassRegMulti, Tail

__all__ = [
    "Block",
    "Body",
    "CatEmbHead",
    "ClassRegMulti",
    "Conv1DHead",
    "FullyConnected",
    "Head",
    "MatrixHead",
    "MultiBlock",
    "MultiHead",
    "RecurrentHead",
    "Tail",
    "count_parameters",
    "matrix_args_from_fy",
]
