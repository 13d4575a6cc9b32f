"""A trained model that travels with its fitted preprocessing: what a ``pkl`` version holds.

``PortableModel.of_predictor(id)`` gathers, once, everything ``Predictor.predict(df)`` reads
from the metastore: the model's bytes, its prediction function, the fitted coders,
interpolaters, shapers and windows (``FittedSteps``), each Feature's columns and kind, which
columns a coder encodes and which gaps are filled. Pickled, it is one file; unpickled
anywhere assay is installed, ``predict(df)`` returns the DataFrame ``predictor.predict(df)``
returns (decoded predictions, ``p_<class>`` columns) without a metastore, through the same
functions (``assay.serve.predict_raws``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assay.serve import TrainedFeature

if TYPE_CHECKING:
    import pandas as pd

    from assay.preprocess.fitted import FittedSteps
    from assay.train.model import TrainedModel


@dataclass(frozen=True)
class PortableFeature:
    """A trained Feature as new samples meet it: its shape, and what its preprocessing takes.

    Attributes:
        trained: Its id, columns, kind of Dataset and Window.
        encoded: The columns a coder encodes (they may hold text).
        fillable: The columns whose gaps are left to the preprocessing: an imputer or an
            interpolater fills them, or they had gaps when the model was trained.
        dtypes: Each column's dtype in the training data (``{column: "float64"}``), so that
            a server can say what each column takes; None in files of earlier versions.
    """

    trained: TrainedFeature
    encoded: frozenset[str]
    fillable: frozenset[str]
    dtypes: dict[str, str] | None = None


@dataclass
class PortableModel:
    """A Predictor's model and fitted preprocessing in one picklable value; no metastore.

    Attributes:
        predictor_id: The Predictor it was made from (for reference; never looked up).
        library: The model library's adapter name.
        analysis_type: ``'classification_binary'``, ``'classification_multi'`` or
            ``'regression'``.
        model_file: The model as its adapter saved it (``Predictor.model_file``).
        fn_predict: The Algorithm's ``fn_predict`` pickled by value, or None for the
            library's default.
        hyperparameters: The ``**hp`` it was trained with.
        preprocessing: The fitted steps of the samples it was trained on.
        features: The trained Features, in order.
        label_columns: The trained Label's columns (they name the prediction), or None.
        assay_version: The assay that wrote it.
    """

    predictor_id: int
    library: str
    analysis_type: str
    model_file: bytes
    fn_predict: bytes | None
    hyperparameters: dict[str, Any]
    preprocessing: FittedSteps
    features: list[PortableFeature]
    label_columns: list[str] | None
    assay_version: str
    _trained: TrainedModel | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of_predictor(cls, predictor_id: int) -> PortableModel:
        """Everything a stored Predictor needs to predict raw rows, read from the metastore.

        Raises:
            NotFound: When the Predictor does not exist.
        """
        import assay
        from assay.orm.loading import load_predictor
        from assay.orm.predictor import Predictor
        from assay.orm.preprocessing import encoded_columns, filled_columns
        from assay.preprocess.impute import gap_counts
        from assay.store import reading
        from assay.store.samples import resolve_preprocessing

        predictor, rows = load_predictor(predictor_id)
        with reading() as db:
            model_file = db.get(Predictor, predictor.id).model_file
        steps = resolve_preprocessing(rows.splitset, rows.fold)
        # The training windows stay behind: new samples get windows of their own.
        steps = dataclasses.replace(
            steps, features=[dataclasses.replace(own, windows=None) for own in steps.features]
        )
        features = []
        for feature in rows.splitset.features:
            columns = list(feature.columns)
            seen_gaps = gap_counts(feature.raw_data(), columns)
            features.append(
                PortableFeature(
                    trained=TrainedFeature.of(feature),
                    encoded=frozenset(encoded_columns(feature)),
                    fillable=frozenset(filled_columns(feature) | set(seen_gaps)),
                    dtypes=feature.get_dtypes(),
                )
            )
        label = rows.splitset.label
        return cls(
            predictor_id=predictor.id,
            library=predictor.library,
            analysis_type=rows.algorithm.analysis_type,
            model_file=model_file,
            fn_predict=rows.algorithm.fn_predict,
            hyperparameters=rows.hyperparameters(),
            preprocessing=steps,
            features=features,
            label_columns=None if label is None else list(label.columns),
            assay_version=assay.__version__,
        )

    @property
    def class_names(self) -> list[Any] | None:
        """The classes in the order of the probability columns; None for regression."""
        return self.preprocessing.class_names

    @property
    def feature_columns(self) -> list[list[str]]:
        """The raw columns each Feature takes, in order."""
        return [feature.trained.columns for feature in self.features]

    @property
    def model(self) -> Any:
        """The library's own model object (loaded on first use)."""
        return self.trained_model().model

    def trained_model(self) -> TrainedModel:
        """The model with its fitted preprocessing, loaded once per process."""
        if self._trained is None:
            import cloudpickle

            from assay.train.adapters import get_adapter
            from assay.train.model import TrainedModel, load_model

            adapter = get_adapter(self.library)
            stored = {
                "fn_predict": None
                if self.fn_predict is None
                else cloudpickle.loads(self.fn_predict)
            }
            self._trained = TrainedModel(
                adapter=adapter,
                functions=adapter.resolve(stored, self.analysis_type),
                model=load_model(self.library, self.model_file),
                hyperparameters=dict(self.hyperparameters),
                analysis_type=self.analysis_type,
                preprocessing=self.preprocessing,
            )
        return self._trained

    def predict(self, data: Any) -> pd.DataFrame:
        """Decoded predictions of raw samples: what ``Predictor.predict(data)`` returns.

        Args:
            data: For a model of one Feature, a DataFrame, a dict of columns, a list of
                records or an ndarray; for several Features, a list of one per Feature, in
                order. Datasets and their ids need a metastore: pass the data itself.

        Returns:
            The decoded prediction (named after the Label's column) and, for classification,
            one ``p_<class>`` probability column per class (``assay.evaluate.frame``).

        Raises:
            InvalidArgument: Missing columns (named), text where the model takes numbers,
                gaps nothing fills, Features of different sample counts, or a series too
                short for one window.
        """
        from assay.preprocess.filters import check_numbers_or_encoded
        from assay.preprocess.impute import refuse_gaps, unfilled_gaps
        from assay.serve import as_inputs, dtypes_of, input_name, predict_raws, raw_in_memory

        inputs = as_inputs(data, len(self.features), "data")
        raws = []
        for at, (value, feature) in enumerate(zip(inputs, self.features, strict=True)):
            what, trained = input_name(at, len(self.features)), feature.trained
            raw = raw_in_memory(value, trained, what)
            check_numbers_or_encoded(
                dtypes_of(raw, trained.columns), feature.encoded, trained.id, f"{what}'s"
            )
            refuse_gaps(unfilled_gaps(raw, trained.columns, feature.fillable), trained.id, what)
            raws.append(raw)
        return predict_raws(
            self.trained_model(),
            raws,
            [feature.trained for feature in self.features],
            self.label_columns,
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_trained"] = None  # the loaded model is rebuilt from model_file
        return state

    def __repr__(self) -> str:
        return (
            f"PortableModel(predictor_id={self.predictor_id}, library={self.library!r}, "
            f"analysis_type={self.analysis_type!r}, features={self.feature_columns!r})"
        )
