"""The rda format: R's save() files, validated as R reads them; a real R model round trip."""

import bz2
import gzip
import lzma
import pickle
import shutil
import subprocess

import numpy as np
import pytest

from assay.errors import InvalidArgument
from assay.registry.formats import get_format
from assay.registry.formats.rda import check_rdata
from tests.registry.formats.samples import rdata, write

RDA = get_format("rda")


@pytest.mark.parametrize(
    ("compress", "name"),
    [
        (gzip.compress, "gzip"),
        (bz2.compress, "bzip2"),
        (lzma.compress, "xz"),
        (bytes, "uncompressed"),
    ],
)
@pytest.mark.parametrize("version", [2, 3])
def test_save_files_of_each_version_and_compression_are_accepted(tmp_path, compress, name, version):
    path = write(tmp_path, "model.RData", compress(rdata(version)))
    RDA.validate(path)
    assert check_rdata(path) == f"R data (RDX{version}, {name})"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (gzip.compress(rdata()[5:]), r"one serialized R object \(what saveRDS\(\) writes\)"),
        (pickle.dumps([1, 2]), "does not start with R data's magic"),
        (gzip.compress(rdata())[:-6], "its gzip stream is corrupt or cut short"),
        (lzma.compress(rdata())[:-9], "its xz stream is corrupt or cut short"),
        (b"RDX3\nA\n", "format line does not match its magic"),
        (rdata(version=2, magic=b"RDX3\n"), "its magic says version 3 but its header says 2"),
        (rdata(first_type=19), "its first object is of R type 19, not the pairlist"),
        (rdata()[:20], "it ends inside"),
    ],
)
def test_files_that_are_not_save_data_are_refused_whatever_their_name(tmp_path, data, message):
    with pytest.raises(
        InvalidArgument, match=rf"format 'rda': 'model\.rda' is not R data: .*{message}"
    ):
        RDA.validate(write(tmp_path, "model.rda", data))


FIT_AND_SAVE = """
fit <- lm(mpg ~ wt + hp + factor(cyl), data = mtcars)
save(fit, file = "model.rda")
save(fit, file = "v2.rda", version = 2)
save(fit, file = "ascii.rda", ascii = TRUE)
save(fit, file = "bzip2.rda", compress = "bzip2")
save(fit, file = "xz.RData", compress = "xz")
save(fit, file = "plain.rda", compress = FALSE)
saveRDS(fit, "model.rds")
write.csv(data.frame(p = predict(fit, mtcars)), "before.csv", row.names = FALSE)
"""
LOAD_AND_PREDICT = """
loaded <- load("copied/model.rda")
stopifnot(identical(loaded, "fit"))
write.csv(data.frame(p = predict(fit, mtcars)), "after.csv", row.names = FALSE)
"""


def run_r(rscript, code, folder):
    done = subprocess.run([rscript, "-e", code], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_an_r_model_saved_by_r_is_validated_copied_loaded_and_predicts_the_same(tmp_path, rscript):
    run_r(rscript, FIT_AND_SAVE, tmp_path)
    for name in ("model.rda", "v2.rda", "ascii.rda", "bzip2.rda", "xz.RData", "plain.rda"):
        RDA.validate(tmp_path / name)
    with pytest.raises(InvalidArgument, match=r"saveRDS\(\)"):
        RDA.validate(tmp_path / "model.rds")
    (tmp_path / "copied").mkdir()
    shutil.copyfile(tmp_path / "model.rda", tmp_path / "copied" / "model.rda")
    run_r(rscript, LOAD_AND_PREDICT, tmp_path)
    before = np.loadtxt(tmp_path / "before.csv", skiprows=1, delimiter=",")
    after = np.loadtxt(tmp_path / "after.csv", skiprows=1, delimiter=",")
    assert len(before) == 32 and np.array_equal(before, after)
