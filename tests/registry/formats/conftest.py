"""What the format tests need from the machine: Java for PMML, R for R data.

Each skips where it is missing, saying how to install it, and fails instead where
ASSAY_REQUIRE_JAVA or ASSAY_REQUIRE_R is set (CI, whose .ci/run installs both).
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import skip_unless


@pytest.fixture
def java() -> str:
    """The ``java`` executable sklearn2pmml and jpmml-evaluator run on."""
    path = shutil.which("java")
    skip_unless(
        path is not None,
        "PMML export needs Java: apt-get install default-jre-headless (.ci/run installs it)",
        "ASSAY_REQUIRE_JAVA",
    )
    return path


@pytest.fixture
def rscript() -> str:
    """The ``Rscript`` executable that writes and reads R data."""
    path = shutil.which("Rscript")
    skip_unless(
        path is not None,
        "R data round trips need R: apt-get install r-base-core (.ci/run installs it)",
        "ASSAY_REQUIRE_R",
    )
    return path
