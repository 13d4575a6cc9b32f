"""One adapter per model library, found by name: how to build, train, predict, score and save.

Every adapter runs the Algorithm's functions the same way (``Adapter.run``), fills in the
defaults of fn_predict, fn_lose and fn_optimize by analysis_type, and turns a trained model
into bytes that a fresh process can load. One module per library; the libraries themselves
are imported only when an adapter uses them. Add a library with ``register_adapter``.
"""

from __future__ import annotations

from assay.errors import InvalidArgument
from assay.train.adapters.base import Adapter, clean_history, split_history
from assay.train.adapters.estimators import SklearnAdapter, XGBoostAdapter
from assay.train.adapters.keras import KerasAdapter, import_keras
from assay.train.adapters.pytorch import PytorchAdapter

__all__ = [
    "LIBRARIES",
    "Adapter",
    "KerasAdapter",
    "PytorchAdapter",
    "SklearnAdapter",
    "XGBoostAdapter",
    "clean_history",
    "get_adapter",
    "import_keras",
    "register_adapter",
    "split_history",
]

_REGISTRY: dict[str, Adapter] = {}
LIBRARIES: list[str] = []  # the registered names, in registration order (kept up to date)


def register_adapter(adapter: Adapter) -> None:
    """Make a library available to ``Algorithm.make(library=adapter.name)``.

    Args:
        adapter: An ``Adapter`` instance with a non-empty ``name``; replaces one of the
            same name.

    Raises:
        InvalidArgument: Not an Adapter, or no name.
    """
    if not isinstance(adapter, Adapter) or not adapter.name:
        raise InvalidArgument(
            f"register_adapter takes an Adapter instance with a name; got {adapter!r}."
        )
    _REGISTRY[adapter.name] = adapter
    if adapter.name not in LIBRARIES:
        LIBRARIES.append(adapter.name)


def get_adapter(library: str) -> Adapter:
    """The adapter of a library.

    Args:
        library: A registered name, e.g. ``'keras'``, ``'pytorch'``, ``'sklearn'``.

    Returns:
        Its adapter.

    Raises:
        InvalidArgument: An unknown library, listing the known ones.
    """
    try:
        return _REGISTRY[library]
    except (KeyError, TypeError):
        raise InvalidArgument(f"library must be one of {LIBRARIES}; got {library!r}.") from None


for _adapter in (KerasAdapter(), PytorchAdapter(), SklearnAdapter(), XGBoostAdapter()):
    register_adapter(_adapter)
