"""Blocks a ModelBuilder assembles: heads, bodies and tails."""

from assay.nn.models.blocks.base import Block, count_parameters
from assay.nn.models.blocks.bodies import Body, FullyConnected, MultiBlock
from assay.nn.models.blocks.heads import CatEmbHead, Head
from assay.nn.models.blocks.tails import ClassRegMulti, Tail

__all__ = [
    "Block",
    "Body",
    "CatEmbHead",
    "ClassRegMulti",
    "FullyConnected",
    "Head",
    "MultiBlock",
    "Tail",
    "count_parameters",
]
