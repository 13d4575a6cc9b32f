"""The FastAPI application of ``assay serve``: ``/health``, ``/metadata`` and ``/predict``.

``POST /predict`` takes ``{"rows": [{column: value, ...}, ...]}`` and returns, per row, the
decoded prediction (named after the Label's column, as ``Predictor.predict`` names it) and,
for classification, ``probabilities`` by class. Rows that do not fit the model are refused
with 422 and every problem (``rows.check_rows``); values the fitted preprocessing refuses
(a category it never saw) are a 422 too, with its message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assay.endpoint.rows import check_rows, column_specs, frames_of
from assay.errors import InvalidArgument

if TYPE_CHECKING:
    import pandas as pd
    from fastapi import FastAPI

    from assay.endpoint.model import ServedModel

#: The most rows one request may hold.
MAX_ROWS = 10_000


def create_app(served: ServedModel) -> FastAPI:
    """The application that serves ``served``.

    Args:
        served: The model, resolved (``assay.endpoint.model.resolve``).
    """
    from fastapi import Body, FastAPI
    from fastapi.responses import JSONResponse

    import assay

    portable = served.portable
    app = FastAPI(
        title=f"assay: {served.source}",
        version=assay.__version__,
        description="Predictions of one model from JSON rows (see /metadata for its columns).",
    )

    @app.get("/health")
    def health() -> dict[str, str]:
        """Whether the server is up, and what it serves."""
        return {"status": "ok", "model": served.source}

    @app.get("/metadata")
    def metadata() -> dict[str, Any]:
        """The model: library, analysis, the columns each row needs, the classes."""
        return {
            "model": served.source,
            "library": portable.library,
            "analysis_type": portable.analysis_type,
            "columns": column_specs(portable),
            "label_columns": portable.label_columns,
            "classes": None if portable.class_names is None else _plain(portable.class_names),
            "max_rows": MAX_ROWS,
        }

    @app.post("/predict")
    def predict(
        rows: list[Any] = Body(..., embed=True, max_length=MAX_ROWS),  # noqa: B008
    ) -> Any:
        """Decoded predictions (and probabilities by class) of each row."""
        problems = check_rows(rows, portable)
        if problems:
            return JSONResponse(status_code=422, content={"detail": problems})
        try:
            frame = portable.predict(frames_of(rows, portable))
        except (InvalidArgument, ValueError) as exc:
            detail = {"loc": ["body", "rows"], "msg": str(exc), "type": "value_error"}
            return JSONResponse(status_code=422, content={"detail": [detail]})
        return {"model": served.source, "predictions": rows_of(frame)}

    return app


def rows_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The prediction table as JSON rows: prediction columns, then ``probabilities``."""
    from assay.evaluate.frame import PROBABILITY_PREFIX

    probability_columns = [c for c in frame.columns if str(c).startswith(PROBABILITY_PREFIX)]
    value_columns = [c for c in frame.columns if c not in probability_columns]
    rows = []
    for _, record in frame.iterrows():
        row = {str(column): _plain(record[column]) for column in value_columns}
        if probability_columns:
            row["probabilities"] = {
                str(column)[len(PROBABILITY_PREFIX) :]: float(record[column])
                for column in probability_columns
            }
        rows.append(row)
    return rows


def _plain(value: Any) -> Any:
    """A NumPy value (or array, or list of them) as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
