"""One adapter per model library, found by name: how to build, train, predict, score and save.

Every adapter runs the Algorithm's functions the same way (``Adapter.run``), fills in the
defaults of fn_predict, fn_lose and fn_optimize by analysis_type, and turns a trained model
into bytes that a fresh process can load. One module per library; the libraries themselves
are imported only when an adapter uses them. Add a library with ``register_adapter``, or from an
installed package through the ``assay.libraries`` entry-point group (see docs/plugins.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from assay.errors import InvalidArgument
from assay.plugins.registry import InstanceRegistry
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
    "library_registry",
    "register_adapter",
    "split_history",
]

#: The adapters by library name; installed packages add theirs in the ``assay.libraries``
#: entry-point group (an Adapter instance or subclass, named as its ``name``).
library_registry: InstanceRegistry[Adapter] = InstanceRegistry(
    Adapter, "library", key="name", group="assay.libraries"
)


class _LibraryNames(Sequence[str]):
    """The registered library names, in registration order, as the registry holds them now."""

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return list(library_registry)[index]

    def __len__(self) -> int:
        return len(library_registry)

    def __repr__(self) -> str:
        return repr(list(library_registry))


LIBRARIES: Sequence[str] = _LibraryNames()  # the registered names, in registration order


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
    library_registry.put(adapter)


def get_adapter(library: str) -> Adapter:
    """The adapter of a library.

    Args:
        library: A registered name, e.g. ``'keras'``, ``'pytorch'``, ``'sklearn'``.

    Returns:
        Its adapter.

    Raises:
        InvalidArgument: An unknown library, listing the known ones.
    """
    if not isinstance(library, str) or library not in library_registry:
        raise InvalidArgument(f"library must be one of {list(LIBRARIES)}; got {library!r}.")
    return library_registry[library]


for _adapter in (KerasAdapter(), PytorchAdapter(), SklearnAdapter(), XGBoostAdapter()):
    register_adapter(_adapter)
