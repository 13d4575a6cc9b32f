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
