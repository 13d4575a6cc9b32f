import subprocess
import sys

HEAVY = [
    "torch",
    "keras",
    "jax",
    "optuna",
    "dask",
    "fastapi",
    "plotly",
    "xgboost",
    "tensorflow",
    "alembic",
    "mlflow",
    "tensorboard",
]


def test_import_assay_stays_light():
    code = (
        "import sys, assay, assay.errors, assay.config; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_orm_import_stays_light():
    code = f"import sys; from assay.orm import *; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_search_import_leaves_the_orm_and_data_libraries_for_when_a_search_runs():
    # `from assay.search import Search` is written at the top of notebooks and scripts; the
    # ORM, pandas and scikit-learn load when a Queue or an executor is used, not before.
    later = [*HEAVY, "sqlalchemy", "pandas", "sklearn", "assay.orm"]
    code = f"import sys, assay.search; print([m for m in {later!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_integrations_and_plugins_import_no_library_of_their_own():
    code = (
        "import sys, assay.integrations, assay.plugins; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
