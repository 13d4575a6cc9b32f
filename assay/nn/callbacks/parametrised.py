"""ParametrisedPrediction: predict as if chosen input features had fixed values.

A parameterised network (Baldi et al., 2016) is trained with a physics parameter, such as a
particle's mass, as one of its inputs; at prediction the parameter is set to the hypothesis
under test for every row. This callback does that at ``on_batch_begin`` of a prediction: it
replaces the named flat features of each batch with the given values (on a copy: the
caller's arrays are left as they were).
"""

from __future__ import annotations

from collections.abc import Sequence

from assay.errors import InvalidArgument
from assay.nn.callbacks.base import Callback


class ParametrisedPrediction(Callback):
    """Sets features to fixed values in each batch of a prediction.

    Args:
        feats: The names of the flat input features, in the order of the inputs (e.g.
            ``fy.cont_feats + fy.cat_feats``).
        param_feat: The feature to set, or a list of them.
        param_val: Its value, or a list of values (one per feature).
    """

    def __init__(
        self,
        feats: Sequence[str],
        param_feat: str | Sequence[str],
        param_val: float | Sequence[float],
    ) -> None:
        names = [param_feat] if isinstance(param_feat, str) else list(param_feat)
        values = list(param_val) if isinstance(param_val, list | tuple) else [param_val]
        if len(values) != len(names):
            raise InvalidArgument(
                f"param_val must give one value per feature in param_feat ({len(names)}); "
                f"got {param_val!r}."
            )
        feats = list(feats)
        missing = [name for name in names if name not in feats]
        if missing:
            raise InvalidArgument(f"param_feat {missing} are not among the input features {feats}.")
        self.columns = [feats.index(name) for name in names]
        self.values = [float(value) for value in values]

    def on_batch_begin(self) -> None:
        """Set the features in this batch (only when predicting)."""
        fp = self.model.fit_params
        if fp.state != "test":
            return
        flat = fp.x[0] if isinstance(fp.x, tuple) else fp.x
        flat = flat.clone()
        for column, value in zip(self.columns, self.values, strict=True):
            flat[:, column] = value
        fp.x = (flat, *fp.x[1:]) if isinstance(fp.x, tuple) else flat
