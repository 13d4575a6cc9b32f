"""An LZF fold file can be written in a process whose main thread started a JVM (PMML checks).

JPype starts the JVM on the main thread; h5py's LZF compressor then crashed the process there
(a segmentation fault), so the writer compresses on a worker thread. A fresh interpreter
keeps a crash from taking pytest down with it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import skip_unless

SCRIPT = """
import sys
import jpype
import numpy as np
import pandas as pd
from assay.nn.data import FoldYielder, df2foldfile

jpype.startJVM()
frame = pd.DataFrame({"x": np.arange(200_000.0) % 7, "y": np.arange(200_000) % 2})
path = df2foldfile(frame, 2, ["x"], [], "y", sys.argv[1], "int64", compression="lzf")
print(FoldYielder(path).get_data()["inputs"].sum())
"""


def test_lzf_is_written_beside_a_jvm_on_the_main_thread(tmp_path):
    how_to_enable = "starting a JVM needs java: apt-get install default-jre-headless (.ci/run does)"
    skip_unless(shutil.which("java") is not None, how_to_enable, "ASSAY_REQUIRE_JAVA")
    pytest.importorskip("jpype", reason="JPype comes with the registry extra (jpmml_evaluator)")
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "lzf")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout) == sum(i % 7 for i in range(200_000))
