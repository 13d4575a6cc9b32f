"""The loader MLflow calls for the models assay logs: a ``pkl`` file as a ``pyfunc`` model.

The logged folder holds assay's portable ``pkl`` (``assay.registry.formats.portable``) and an
``MLmodel`` that names this module as its ``loader_module``; so
``mlflow.pyfunc.load_model(uri).predict(df)`` returns what ``Predictor.predict(df)`` returns
(decoded predictions, ``p_<class>`` columns) wherever assay is installed. Nothing of assay is
pickled into the model but the PortableModel itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: The file of the portable model inside the logged folder.
DATA = "model.pkl"


class AssayPyfunc:
    """A PortableModel behind the ``predict(data, params)`` MLflow calls."""

    def __init__(self, portable: Any) -> None:
        self.portable = portable

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Decoded predictions (and probabilities) of raw rows."""
        return self.portable.predict(data)

    def unwrap_python_model(self) -> Any:
        """The PortableModel (``PyFuncModel.unwrap_python_model()`` returns it)."""
        return self.portable


def _load_pyfunc(path: str) -> AssayPyfunc:
    """MLflow's loader hook: the model of a logged ``pkl`` file."""
    from assay.registry.formats import get_format

    return AssayPyfunc(get_format("pkl").load(Path(path)))
