"""Fold files load h5py only when used, and never torch: the ORM and assay.nn stay light."""

import subprocess
import sys


def modules_loaded_by(statement: str, watched: list[str]) -> str:
    code = f"import sys; {statement}; print(sorted(m for m in {watched!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_the_orm_with_splitset_to_foldfile_does_not_load_h5py():
    assert modules_loaded_by("from assay.orm import Splitset", ["h5py", "torch"]) == "[]"


def test_assay_nn_data_does_not_load_torch():
    assert modules_loaded_by("import assay.nn", ["h5py", "torch"]) == "[]"
    assert modules_loaded_by("import assay.nn.data", ["torch"]) == "[]"
