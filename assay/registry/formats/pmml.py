"""The ``pmml`` format: the Predictive Model Markup Language, XML that JVM scorers run.

Exported from scikit-learn and XGBoost models with sklearn2pmml (which runs Java) and
checked as ONNX is: jpmml-evaluator scores the file on the Splitset's test rows, and its
probabilities (classifiers) or values (regressors) must match the model's within
``parity.TOLERANCE``. Like ONNX, the PMML takes the preprocessed columns (its input fields
are named after ``FittedSteps.feature_names``), not raw rows; ``load`` returns a
jpmml-evaluator ``Evaluator`` whose ``evaluateAll(df)`` scores them.

Uploads are parsed as XML with expat, streamed, refusing any DOCTYPE or entity (no entity
expansion, no external fetches); the root must be ``PMML`` in a ``http://www.dmg.org/PMML-*``
namespace with a ``version`` and the ``Header`` and ``DataDictionary`` the schema requires.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from xml.parsers import expat

import numpy as np

from assay.errors import InvalidArgument, MissingDependency, require
from assay.registry.formats.base import ModelFormat
from assay.registry.formats.files import existing_file, written_whole

if TYPE_CHECKING:
    from assay.orm.predictor import Predictor
    from assay.registry.formats.parity import ParityRows

#: PMML's namespaces: ``http://www.dmg.org/PMML-4_4`` and its siblings.
PMML_NAMESPACE = re.compile(r"^http://www\.dmg\.org/PMML-\d+_\d+$")
#: The children a PMML root must have.
REQUIRED_CHILDREN = ("Header", "DataDictionary")
#: How to get Java where it is missing.
JAVA_ADVICE = (
    "install a Java runtime (Debian: apt-get install default-jre-headless), or set JAVA_HOME"
)
#: The libraries sklearn2pmml converts.
PMML_LIBRARIES = ("sklearn", "xgboost")
_CHUNK = 1 << 16


class _NotPmml(Exception):
    """What makes an XML file not PMML."""


class _PmmlShape:
    """Collects, while expat streams the file, what the root and its children are."""

    def __init__(self) -> None:
        self.depth = 0
        self.namespace: str | None = None
        self.children: set[str] = set()

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if self.depth == 0:
            if local != "PMML" or not PMML_NAMESPACE.match(namespace):
                where = f"in namespace {namespace!r}" if namespace else "without a namespace"
                raise _NotPmml(
                    f"its root element is {local!r} {where}; PMML's is 'PMML' in "
                    "'http://www.dmg.org/PMML-4_4' (or another PMML version's namespace)"
                )
            if "version" not in attributes:
                raise _NotPmml("its PMML root element has no 'version' attribute")
            self.namespace = namespace
        elif self.depth == 1 and namespace == self.namespace:
            self.children.add(local)
        self.depth += 1

    def end(self, name: str) -> None:
        self.depth -= 1


def _refuse(what: str) -> Any:
    def handler(*args: Any) -> None:
        raise _NotPmml(f"it declares {what}, which PMML never needs and assay does not parse")

    return handler


def check_pmml_xml(path: Path) -> None:
    """Parse the file as PMML XML, streamed, with no DOCTYPE and no entities.

    Raises:
        _NotPmml: Malformed XML, a DOCTYPE or entity, or a root that is not PMML's.
    """
    shape = _PmmlShape()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse("a DOCTYPE")
    parser.EntityDeclHandler = _refuse("an entity")
    parser.ExternalEntityRefHandler = _refuse("an external entity")
    parser.StartElementHandler = shape.start
    parser.EndElementHandler = shape.end
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _NotPmml(
            f"it is not well-formed XML: {expat.errors.messages[exc.code]} "
            f"at line {exc.lineno}, column {exc.offset}"
        ) from None
    missing = [child for child in REQUIRED_CHILDREN if child not in shape.children]
    if missing:
        raise _NotPmml(f"its PMML root lacks the {' and '.join(missing)} that PMML requires")


def java_or_refuse(caller: str) -> str:
    """The ``java`` executable's path: ``$JAVA_HOME/bin/java``, or the one on the PATH.

    Raises:
        MissingDependency: No Java runtime, saying how to install one.
    """
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else None
    java = java if java and os.access(java, os.X_OK) else shutil.which("java")
    if java is None:
        raise MissingDependency(f"{caller} needs Java, which is not installed: {JAVA_ADVICE}.")
    return java


def field_names(rows: ParityRows) -> tuple[list[str], str]:
    """The PMML's input fields (the encoded columns) and its target field (the Label's)."""
    names = [str(name) for name in rows.feature_names[0]] if rows.feature_names else []
    width = rows.single_table("pmml").shape[1]
    if len(names) != width or len(set(names)) != width:
        names = [f"x{at}" for at in range(width)]
    target = rows.label_columns[0] if rows.label_columns and len(rows.label_columns) == 1 else "y"
    return names, target if target not in names else f"{target}_target"


def evaluator_outputs(
    evaluator: Any, rows: ParityRows, names: list[str], target: str
) -> np.ndarray:
    """What jpmml-evaluator scores the rows as: probabilities, in class order, or values."""
    import pandas as pd

    results = evaluator.evaluateAll(pd.DataFrame(rows.single_table("pmml"), columns=names))
    probabilities = [c for c in results.columns if str(c).startswith("probability(")]
    if probabilities:
        return results[probabilities].to_numpy(dtype=np.float64)
    return results[target].to_numpy(dtype=np.float64)


class PmmlFormat(ModelFormat):
    """PMML documents; exported from scikit-learn and XGBoost, checked with jpmml-evaluator."""

    id: ClassVar[str] = "pmml"
    description: ClassVar[str] = "PMML XML (sklearn2pmml); takes the preprocessed columns"
    suffix: ClassVar[str] = ".pmml"

    def validate(self, path: Path) -> None:
        """Refuse a file that is not PMML XML (see the module); never expands entities.

        Raises:
            InvalidArgument: Naming what makes it not PMML.
        """
        path = existing_file(path, self.id)
        try:
            check_pmml_xml(path)
        except _NotPmml as exc:
            raise InvalidArgument(f"format 'pmml': {path.name!r} is not PMML: {exc}.") from None

    def can_export(self, predictor: Predictor) -> bool:
        """scikit-learn and XGBoost models (sklearn2pmml needs Java to run)."""
        return predictor.library in PMML_LIBRARIES

    def export(self, predictor: Predictor, path: Path) -> None:
        """Convert with sklearn2pmml, score with jpmml-evaluator, write if the outputs match.

        Raises:
            InvalidArgument: Another library, a model sklearn2pmml refuses, or outputs that
                differ from the model's by more than the tolerance (the largest named).
            MissingDependency: No Java, or sklearn2pmml / jpmml_evaluator not installed.
        """
        from assay.registry.formats.parity import check_parity, estimator_outputs, parity_rows

        if not self.can_export(predictor):
            raise InvalidArgument(
                f"format 'pmml' cannot be exported from a {predictor.library} model; assay "
                f"converts {', '.join(PMML_LIBRARIES)} models with sklearn2pmml."
            )
        java_or_refuse("exporting PMML")
        sklearn2pmml = require("sklearn2pmml", extra="registry", caller="exporting PMML")
        rows = parity_rows(predictor)
        names, target = field_names(rows)
        expected, _ = estimator_outputs(rows.model, rows.single_table(self.id))
        pipeline = sklearn2pmml.make_pmml_pipeline(
            rows.model, active_fields=names, target_fields=[target]
        )
        with written_whole(path) as temporary:
            printed = io.StringIO()  # sklearn2pmml prints Java's output; keep it for errors
            try:
                with contextlib.redirect_stdout(printed):
                    sklearn2pmml.sklearn2pmml(pipeline, str(temporary))
            except Exception as exc:
                java_says = [line.strip() for line in printed.getvalue().splitlines()]
                why = [line for line in java_says if "Exception" in line or "version" in line]
                raise InvalidArgument(
                    f"format 'pmml': sklearn2pmml could not convert the {rows.library} model "
                    f"{type(rows.model).__name__}: {exc}; Java said: "
                    f"{' / '.join(why[:4]) or (java_says[-1] if java_says else 'nothing')}"
                ) from exc
            actual = evaluator_outputs(self.load(temporary), rows, names, target)
            check_parity(self.id, rows, expected, actual)

    def load(self, path: Path) -> Any:
        """A verified jpmml-evaluator ``Evaluator``: ``evaluateAll(df)`` scores a DataFrame.

        Raises:
            MissingDependency: No Java, or jpmml_evaluator not installed.
        """
        java_or_refuse("loading PMML")
        jpmml = require("jpmml_evaluator", extra="registry", caller="loading PMML")
        return jpmml.make_evaluator(str(existing_file(path, self.id))).verify()
