"""What the format tests need from the machine: Java for PMML, R for R data.

Each skips where it is missing, saying how to install it, and fails instead where
ASSAY_REQUIRE_JAVA or ASSAY_REQUIRE_R is set (CI, whose .ci/run installs both).
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import skip_unless


def tool_or_skip(executable: str, purpose: str, package: str, require_variable: str) -> str:
    """The path of a program from Debian's packages; skip (or fail, under the variable)."""
    path = shutil.which(executable)
    how_to_enable = f"{purpose} needs {executable}: apt-get install {package} (.ci/run installs it)"
    skip_unless(path is not None, how_to_enable, require_variable)
    return path


@pytest.fixture
def java() -> str:
    """The ``java`` executable sklearn2pmml and jpmml-evaluator run on."""
    return tool_or_skip("java", "PMML export", "default-jre-headless", "ASSAY_REQUIRE_JAVA")


@pytest.fixture
def rscript() -> str:
    """The ``Rscript`` executable that writes and reads R data."""
    return tool_or_skip("Rscript", "An R data round trip", "r-base-core", "ASSAY_REQUIRE_R")
