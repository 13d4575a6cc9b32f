"""Neural networks over fold files: data (fold files), models (blocks and ModelBuilder), training.

Nothing here imports PyTorch until a submodule is used, so ``import assay`` stays light.
"""
