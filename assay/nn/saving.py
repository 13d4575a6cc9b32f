"""The file ``Model.save`` writes: weights, optimiser state, the ModelBuilder, the fold file.

One ``torch.save`` file, written to a temporary name and renamed, so a reader never sees
half a file. It is read back with ``weights_only=True``; the ModelBuilder travels inside as
cloudpickle bytes, unpickled only by ``Model.from_save`` when no builder is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assay.data.files import written_whole
from assay.errors import InvalidArgument

if TYPE_CHECKING:
    from assay.nn.model import Model


def write_save(model: Model, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (its folder created if missing); returns the path."""
    import cloudpickle
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "model": model.model.state_dict(),
        "opt": model.opt.state_dict(),
        "builder": cloudpickle.dumps(model.model_builder),
        "fold_file": model.fold_file,
    }
    with written_whole(path) as temporary:
        torch.save(state, temporary)
    return path


def read_save(path: str | Path, device: Any) -> dict[str, Any]:
    """The dict ``write_save`` wrote at ``path``, its tensors on ``device``.

    Raises:
        InvalidArgument: No file there, or a file without a model's weights.
    """
    import torch

    path = Path(path)
    if not path.is_file():
        raise InvalidArgument(f"path must be a file Model.save wrote; {path} does not exist.")
    state = torch.load(path, map_location=device, weights_only=True)
    if not isinstance(state, dict) or not {"model", "opt"} <= set(state):
        raise InvalidArgument(f"{path} is not a file Model.save wrote (no weights in it).")
    return state
