"""Algorithm (section 9) and its Hyperparamsets (section 10): the model side of an experiment.

The functions are stored by value with cloudpickle, so a fresh process (a worker, a later
session) can run them even where the module that defined them cannot be imported; their
source text is kept as well, for ``get_code``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import cloudpickle
from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assay.errors import InvalidArgument
from assay.orm.base import BaseModel, Deletable, id_method, related
from assay.orm.dataset import check_text
from assay.store import transaction

if TYPE_CHECKING:
    import pandas as pd

    from assay.orm.queue import Queue
    from assay.orm.splitset import Splitset

FUNCTIONS = ("fn_build", "fn_train", "fn_predict", "fn_lose", "fn_optimize")


def pickle_by_value(function: Callable | None) -> bytes | None:
    """Pickle a function by value with cloudpickle, including when it lives in an importable module."""
    if function is None:
        return None
    module = sys.modules.get(getattr(function, "__module__", "") or "")
    by_value = module is not None and module.__name__ not in ("__main__", "builtins")
    by_value = by_value and not module.__name__.startswith(("assay.", "torch", "keras"))
    if by_value:
        cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(function)
    finally:
        if by_value:
            cloudpickle.unregister_pickle_by_value(module)


class Algorithm(Deletable, BaseModel):
    """A model library, the kind of analysis, and the functions that build and train a model."""

    __tablename__ = "algorithm"

    library: Mapped[str] = mapped_column(String(32))
    analysis_type: Mapped[str] = mapped_column(String(32))
    # cloudpickle bytes, pickled by value (see pickle_by_value), not through Pickled.
    fn_build: Mapped[bytes] = mapped_column(LargeBinary)
    fn_train: Mapped[bytes] = mapped_column(LargeBinary)
    fn_predict: Mapped[bytes | None] = mapped_column(LargeBinary)
    fn_lose: Mapped[bytes | None] = mapped_column(LargeBinary)
    fn_optimize: Mapped[bytes | None] = mapped_column(LargeBinary)
    code: Mapped[dict] = mapped_column(JSON)

    hyperparamsets_: Mapped[list[Hyperparamset]] = relationship(
        "Hyperparamset", viewonly=True, order_by="Hyperparamset.id"
    )
    queues_: Mapped[list[Queue]] = relationship("Queue", viewonly=True, order_by="Queue.id")

    @classmethod
    def make(
        cls,
        library: str,
        analysis_type: str,
        fn_build: Callable,
        fn_train: Callable,
        fn_predict: Callable | None = None,
        fn_lose: Callable | None = None,
        fn_optimize: Callable | None = None,
        description: str | None = None,
        name: str | None = None,
    ) -> Algorithm:
        """Record the functions that build, train and use a model of one library.

        Args:
            library: 'keras', 'pytorch', 'sklearn' or 'xgboost'.
            analysis_type: 'classification_binary', 'classification_multi' or 'regression'.
            fn_build: ``(features_shape, label_shape, **hp) -> model``. The shapes are of
                one sample; for a PyTorch multi-class model with an ordinal label (one class
                index per sample) ``label_shape`` is ``(class count,)``, the width of the
                output layer, as for a one-hot label.
            fn_train: ``(model, loser, optimizer, train_features, train_label,
                eval_features, eval_label, **hp)`` returning the model (Keras, scikit-learn)
                or ``(history, model)`` / ``(model, history)`` (PyTorch).
            fn_predict: ``(model, features)`` returning predictions (and probabilities for
                classification); None uses the library's default for the analysis_type.
            fn_lose: ``(**hp) -> loser``; None uses the default.
            fn_optimize: ``(**hp) -> optimizer``; None uses the default.
            description: What is unique about this Algorithm.
            name: A short name.

        Raises:
            InvalidArgument: Unknown library or analysis_type, functions whose signatures
                do not match, or a name or description that is not a str.
        """
        from assay.train.signature import check_functions, get_code

        check_functions(
            library, analysis_type, fn_build, fn_train, fn_predict, fn_lose, fn_optimize
        )
        check_text(name, "name")
        check_text(description, "description")
        functions = {
            "fn_build": fn_build,
            "fn_train": fn_train,
            "fn_predict": fn_predict,
            "fn_lose": fn_lose,
            "fn_optimize": fn_optimize,
        }
        with transaction() as db:
            row = cls(
                library=library,
                analysis_type=analysis_type,
                code={key: None if fn is None else get_code(fn) for key, fn in functions.items()},
                name=name,
                description=description,
                **{key: pickle_by_value(fn) for key, fn in functions.items()},
            )
            db.add(row)
        return row

    def functions(self) -> dict[str, Any]:
        """The stored functions, unpickled, with the library's defaults where none was given."""
        from assay.train.adapters import get_adapter

        stored = {
            key: None if getattr(self, key) is None else cloudpickle.loads(getattr(self, key))
            for key in FUNCTIONS
        }
        return get_adapter(self.library).resolve(stored, self.analysis_type)

    @id_method
    def get_code(self) -> dict[str, str | None]:
        """The source text of each function, by name."""
        return dict(self.code)

    @property
    def hyperparamsets(self) -> list[Hyperparamset]:
        """This Algorithm's Hyperparamsets."""
        return related(self, "hyperparamsets_")

    @property
    def queues(self) -> list[Queue]:
        """The Queues that train this Algorithm."""
        return related(self, "queues_")


class Hyperparamset(Deletable, BaseModel):
    """The values to try for each hyperparameter, and which combinations were drawn."""

    __tablename__ = "hyperparamset"

    hyperparameters: Mapped[dict] = mapped_column(JSON)
    search_count: Mapped[int | None]
    search_percent: Mapped[float | None]
    algorithm_id: Mapped[int] = mapped_column(
        ForeignKey("algorithm.id", ondelete="CASCADE"), index=True
    )
    algorithm_: Mapped[Algorithm] = relationship("Algorithm", viewonly=True)
    hyperparamcombos_: Mapped[list[Hyperparamcombo]] = relationship(
        "Hyperparamcombo", viewonly=True, order_by="Hyperparamcombo.idx"
    )

    @property
    def algorithm(self) -> Algorithm:
        """The Algorithm these hyperparameters feed."""
        return related(self, "algorithm_")

    @property
    def hyperparamcombos(self) -> list[Hyperparamcombo]:
        """The combinations to train, by idx."""
        return related(self, "hyperparamcombos_")

    @classmethod
    def from_algorithm(
        cls,
        algorithm_id: int,
        hyperparameters: dict[str, list] | None,
        search_count: int | None = None,
        search_percent: float | None = None,
        description: str | None = None,
        name: str | None = None,
    ) -> Hyperparamset:
        """Every combination of the values (a grid), or a random subset of them.

        Args:
            algorithm_id: The Algorithm whose functions receive these as ``**hp``.
            hyperparameters: ``{name: [values]}``, JSON-compatible; None or ``{}`` gives one
                empty combination.
            search_count: Draw this many combinations at random (all if fewer exist).
            search_percent: Draw this fraction of the combinations; not with search_count.
            description: What this search explores.
            name: A short name.

        Raises:
            InvalidArgument: Values that are not lists or not JSON-compatible (NaN and
                infinity included), bad search settings, or a name or description that is
                not a str.
        """
        from assay.train.hyperparams import expand_grid

        check_text(name, "name")
        check_text(description, "description")
        algorithm = Algorithm.get_by_id(algorithm_id)
        combos = expand_grid(
            hyperparameters, search_count=search_count, search_percent=search_percent
        )
        with transaction() as db:
            row = cls(
                algorithm_id=algorithm.id,
                hyperparameters=hyperparameters or {},
                search_count=search_count,
                search_percent=search_percent,
                name=name,
                description=description,
            )
            db.add(row)
            db.flush()
            for idx, combo in enumerate(combos):
                db.add(Hyperparamcombo(hyperparamset_id=row.id, idx=idx, hyperparameters=combo))
        return row


class Hyperparamcombo(BaseModel):
    """One combination of hyperparameter values, handed to the functions as ``**hp``."""

    __tablename__ = "hyperparamcombo"

    idx: Mapped[int]
    hyperparameters: Mapped[dict] = mapped_column(JSON)
    hyperparamset_id: Mapped[int] = mapped_column(
        ForeignKey("hyperparamset.id", ondelete="CASCADE"), index=True
    )
    hyperparamset_: Mapped[Hyperparamset] = relationship("Hyperparamset", viewonly=True)

    @property
    def hyperparamset(self) -> Hyperparamset:
        """The Hyperparamset this combination was drawn from."""
        return related(self, "hyperparamset_")

    def get_hyperparameters(self, as_pandas: bool = False) -> dict[str, Any] | pd.DataFrame:
        """The values, as a dict or a one-row-per-parameter DataFrame."""
        if not as_pandas:
            return dict(self.hyperparameters)
        import pandas as pd

        return pd.DataFrame(
            {"param": list(self.hyperparameters), "value": list(self.hyperparameters.values())}
        )


def check_positive_int(value: Any, argument: str, minimum: int = 1) -> int:
    """Raise unless ``value`` is an int of at least ``minimum``; return it.

    Args:
        value: The argument as given (a bool is refused, though Python counts it an int).
        argument: Its name, for the message.
        minimum: The smallest value allowed.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgument(f"{argument} must be an int >= {minimum}; got {value!r}.")
    return value


def check_fits_label(analysis_type: str, splitset: Splitset) -> None:
    """Raise when an Algorithm's analysis_type cannot fit the Splitset's Label."""
    label = splitset.label
    if label is None:
        if analysis_type != "regression":
            raise InvalidArgument(
                f"analysis_type {analysis_type!r} needs a Label, and Splitset {splitset.id} is "
                "unsupervised; use 'regression' for unsupervised and self-supervised models."
            )
        return
    dtype = next(iter(label.get_dtypes().values()))
    if analysis_type.startswith("classification"):
        if label.is_continuous():
            raise InvalidArgument(
                f"analysis_type {analysis_type!r} needs a categorical Label; Label {label.id} "
                f"is floating ({dtype}). Use 'regression', or register the column as ints."
            )
        classes = label.column_count if label.column_count > 1 else len(label.unique_classes)
        if label.column_count == 1 and classes < 2:
            found = f"only the class {label.unique_classes[0]!r}" if classes else "no class"
            raise InvalidArgument(
                f"analysis_type {analysis_type!r} needs a Label with at least 2 classes; Label "
                f"{label.id} has {found}. Add samples of another class, or use an Algorithm "
                "of analysis_type 'regression'."
            )
        if analysis_type == "classification_binary" and classes > 2:
            raise InvalidArgument(
                f"analysis_type 'classification_binary' needs at most 2 classes; Label "
                f"{label.id} has {classes}. Use 'classification_multi'."
            )
        return
    if label.column_count > 1 or not (dtype.startswith(("float", "int", "uint"))):
        raise InvalidArgument(
            f"analysis_type 'regression' needs one numeric Label column; Label {label.id} is "
            f"{label.column_count} column(s) of {dtype}. Use a classification analysis_type."
        )
