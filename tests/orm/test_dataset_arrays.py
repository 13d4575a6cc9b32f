import functools
import hashlib
import http.server
import re
import threading

import numpy as np
import pytest
from PIL import Image as PILImage
from sklearn.datasets import load_digits
from sqlalchemy import func, select

from assay.errors import DataChanged, InvalidArgument, NotFound
from assay.orm import Dataset
from assay.store import reading

pytestmark = pytest.mark.usefixtures("backend")


def dataset_count() -> int:
    with reading() as db:
        return db.scalar(select(func.count()).select_from(Dataset))


@pytest.fixture
def digits() -> np.ndarray:
    return load_digits().images  # (1797, 8, 8) float64


@pytest.fixture
def image_folder(tmp_path, digits):
    folder = tmp_path / "digits"
    folder.mkdir()
    for i in range(6):
        pixels = (digits[i] * 16).astype(np.uint8)
        PILImage.fromarray(pixels, mode="L").save(folder / f"{i:03d}.png")
    return folder


def test_sequence_from_ndarray(digits):
    dataset = Dataset.Sequence.from_numpy(digits, name="digits")
    assert dataset.typ == "sequence" and dataset.is_ingested
    assert dataset.shape == {"samples": 1797, "rows": 8, "columns": 8}
    assert dataset.columns == [str(i) for i in range(8)]
    assert dataset.dtypes == "float64"
    assert dataset.get_dtypes(columns=["0"]) == {"0": "float64"}
    np.testing.assert_array_equal(dataset.to_arr(), digits)
    frames = dataset.to_df(samples=[0, 1])
    assert len(frames) == 2 and frames[0].shape == (8, 8)
    np.testing.assert_array_equal(frames[1].to_numpy(), digits[1])
    picked = dataset.to_arr(columns=["7", "0"], samples=[5])
    np.testing.assert_array_equal(picked, digits[[5]][..., [7, 0]])


def test_from_numpy_takes_001s_keyword_names(tmp_path, digits):
    sequence = Dataset.Sequence.from_numpy(arr3D_or_npyPath=digits[:4])
    assert sequence.shape == {"samples": 4, "rows": 8, "columns": 8}
    np.save(tmp_path / "images.npy", digits[:3, None])
    image = Dataset.Image.from_numpy(arr4D_or_npyPath=tmp_path / "images.npy")
    assert image.typ == "image" and image.to_arr().shape == (3, 1, 8, 8)


def test_sequence_from_npy_path_not_ingested(tmp_path, digits):
    path = tmp_path / "digits.npy"
    np.save(path, digits)
    dataset = Dataset.Sequence.from_numpy(path, retype="float32")
    assert dataset.is_ingested is False and dataset.source_format == "npy"
    assert dataset.to_arr().dtype == np.float32
    np.save(path, digits[:10])
    with pytest.raises(DataChanged):
        dataset.to_arr()
    path.unlink()
    with pytest.raises(NotFound):
        dataset.to_arr()


@pytest.fixture
def swap_file_while_numpy_loads(monkeypatch):
    """Replace an .npy file's content the moment numpy loads it (before or after parsing)."""

    def arrange(path, new_arr, before: bool) -> None:
        original = np.load

        def racing(*args, **kwargs):
            if before:
                original_save(path, new_arr)
            result = original(*args, **kwargs)
            if not before:
                original_save(path, new_arr)
            return result

        original_save = np.save
        monkeypatch.setattr(np, "load", racing)

    return arrange


def test_npy_registration_hashes_the_bytes_it_parsed(tmp_path, digits, swap_file_while_numpy_loads):
    path = tmp_path / "digits.npy"
    np.save(path, digits[:5])
    first_digest = hashlib.sha256(path.read_bytes()).hexdigest()
    swap_file_while_numpy_loads(path, digits[:7], before=False)
    dataset = Dataset.Sequence.from_numpy(path, ingest=False)
    assert dataset.shape["samples"] == 5
    assert dataset.sha256_hexdigest == first_digest
    with pytest.raises(DataChanged, match="has changed since"):
        dataset.to_arr()


def test_npy_reading_back_parses_the_bytes_it_verified(
    tmp_path, digits, swap_file_while_numpy_loads
):
    path = tmp_path / "digits.npy"
    np.save(path, digits[:5])
    dataset = Dataset.Sequence.from_numpy(path, ingest=False)
    swap_file_while_numpy_loads(path, digits[:7] + 1, before=True)
    np.testing.assert_array_equal(dataset.to_arr(), digits[:5])


def test_unnamed_arrays_already_registered_are_returned(tmp_path, digits):
    first = Dataset.Sequence.from_numpy(digits)
    assert Dataset.Sequence.from_numpy(digits.copy()).id == first.id
    assert Dataset.Sequence.from_numpy(digits.astype("float32")).id != first.id
    path = tmp_path / "digits.npy"
    np.save(path, digits)
    from_file = Dataset.Sequence.from_numpy(path)  # not ingested: a row of its own
    assert from_file.id != first.id and from_file.sha256_hexdigest == first.sha256_hexdigest
    assert Dataset.Sequence.from_numpy(path).id == from_file.id
    assert Dataset.Image.from_numpy(digits[:, None]).id != first.id
    assert dataset_count() == 4


def test_sequence_from_npy_path_ingested(tmp_path, digits):
    path = tmp_path / "digits.npy"
    np.save(path, digits)
    dataset = Dataset.Sequence.from_numpy(path, ingest=True, rename_columns=list("abcdefgh"))
    path.unlink()
    assert dataset.columns == list("abcdefgh")
    np.testing.assert_array_equal(dataset.to_arr(), digits)


def test_image_from_numpy_and_pillow(digits):
    arr = (digits[:10, np.newaxis] * 16).astype(np.uint8)
    dataset = Dataset.Image.from_numpy(arr)
    assert dataset.shape == {"samples": 10, "channels": 1, "rows": 8, "columns": 8}
    pictures = Dataset.to_pillow(dataset.id, samples=[3])
    assert pictures[0].mode == "L" and pictures[0].size == (8, 8)
    np.testing.assert_array_equal(np.asarray(pictures[0]), arr[3, 0])
    frames = dataset.to_df(samples=[0])
    assert len(frames) == 1 and len(frames[0]) == 1 and frames[0][0].shape == (8, 8)


def test_image_from_folder(image_folder, digits):
    dataset = Dataset.Image.from_folder(image_folder, name="digits-png")
    assert dataset.is_ingested is False and dataset.source_format == "folder"
    assert dataset.shape == {"samples": 6, "channels": 1, "rows": 8, "columns": 8}
    np.testing.assert_array_equal(dataset.to_arr()[2, 0], (digits[2] * 16).astype(np.uint8))
    PILImage.fromarray(np.zeros((8, 8), np.uint8), mode="L").save(image_folder / "000.png")
    with pytest.raises(DataChanged):
        dataset.to_arr()


def test_image_from_folder_ingested_and_rgb(tmp_path):
    folder = tmp_path / "rgb"
    folder.mkdir()
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 255, (3, 5, 4, 3), dtype=np.uint8)
    for i, picture in enumerate(pixels):
        PILImage.fromarray(picture, mode="RGB").save(folder / f"{i}.png")
    dataset = Dataset.Image.from_folder(folder, ingest=True)
    assert dataset.shape == {"samples": 3, "channels": 3, "rows": 5, "columns": 4}
    np.testing.assert_array_equal(dataset.to_arr(), np.moveaxis(pixels, -1, 1))
    assert dataset.to_pillow()[1].mode == "RGB"


def test_image_from_urls_local_http(image_folder):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(image_folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        urls = [f"http://127.0.0.1:{port}/{i:03d}.png" for i in range(3)]
        urls.append((image_folder / "003.png").resolve().as_uri())
        dataset = Dataset.Image.from_urls(urls, source_path="local test server")
        assert dataset.urls == urls and dataset.source_path == "local test server"
        assert dataset.shape["samples"] == 4
        assert dataset.to_arr().shape == (4, 1, 8, 8)  # not ingested: read again, hash checked
        ingested = Dataset.Image.from_urls(urls[:2], ingest=True)
    finally:
        server.shutdown()
    assert ingested.to_arr().shape == (2, 1, 8, 8)


class TestBadInput:
    def check(self, error, match, call, *args, **kwargs):
        before = dataset_count()
        with pytest.raises(error, match=match):
            call(*args, **kwargs)
        assert dataset_count() == before

    def test_wrong_dimensionality(self, digits):
        self.check(
            InvalidArgument, "arr3D_or_npyPath must be 3D", Dataset.Sequence.from_numpy, digits[0]
        )
        self.check(InvalidArgument, "arr4D_or_npyPath must be 4D", Dataset.Image.from_numpy, digits)

    def test_ingest_false_with_ndarray(self, digits):
        self.check(
            InvalidArgument,
            "in-memory ndarray is always ingested",
            Dataset.Sequence.from_numpy,
            digits,
            ingest=False,
        )

    def test_not_an_array(self):
        self.check(
            InvalidArgument,
            "must be a 3D ndarray or an .npy path; got list",
            Dataset.Sequence.from_numpy,
            [[[1.0]]],
        )

    @pytest.mark.parametrize(
        "arr",
        [
            np.full((2, 2, 2), "a"),
            np.full((2, 2, 2), np.datetime64("2024-01-01")),
            np.full((2, 2, 2), None, dtype=object),
        ],
    )
    def test_arrays_of_text_objects_or_dates(self, tmp_path, arr):
        match = "arr3D_or_npyPath must have a numeric or bool dtype; got " + re.escape(
            str(arr.dtype)
        )
        self.check(InvalidArgument, match, Dataset.Sequence.from_numpy, arr)
        self.check(
            InvalidArgument,
            "arr4D_or_npyPath must have a numeric or bool dtype",
            Dataset.Image.from_numpy,
            arr[None],
        )
        if arr.dtype != object:
            np.save(tmp_path / "arr.npy", arr)
            self.check(InvalidArgument, match, Dataset.Sequence.from_numpy, tmp_path / "arr.npy")

    @pytest.mark.parametrize("value", [None, 3])
    def test_paths_of_the_wrong_type(self, value):
        self.check(
            InvalidArgument,
            "must be a 4D ndarray or an .npy path; got",
            Dataset.Image.from_numpy,
            value,
        )
        self.check(
            InvalidArgument,
            r"folder_path must be a path \(a str or pathlib.Path\); got",
            Dataset.Image.from_folder,
            value,
        )

    def test_truncated_image(self, image_folder):
        whole = (image_folder / "001.png").read_bytes()
        (image_folder / "001.png").write_bytes(whole[: len(whole) // 2])
        self.check(
            InvalidArgument,
            r"holds '001.png', which Pillow cannot read as an image",
            Dataset.Image.from_folder,
            image_folder,
        )

    def test_wrong_extension(self, tmp_path):
        self.check(
            InvalidArgument, "path ending in .npy", Dataset.Sequence.from_numpy, tmp_path / "x.csv"
        )

    def test_retype_dict(self, digits):
        self.check(
            InvalidArgument,
            "only supported by Dataset.Tabular",
            Dataset.Sequence.from_numpy,
            digits,
            retype={"0": "int8"},
        )

    @pytest.mark.parametrize(
        ("values", "dtype", "match"),
        [
            ([300.0, 1.0], "uint8", r"the array from float64 to uint8 .* 300\.0 would become 44"),
            ([1.5, 2.0], "int16", r"the array from float64 to int16 .* 1\.5 would become 1\b"),
            ([np.nan, 2.0], "int64", r"the array from float64 to int64 .* nan would become"),
            ([1e300, 2.0], "float32", r"the array from float64 to float32 .* 1e\+300"),
            ([1.0, 2.0], "U5", r"retype must be a numeric or bool numpy dtype"),
            ([1.0, 2.0], "str", r"retype must be a numeric or bool numpy dtype"),
        ],
    )
    def test_retype_that_changes_values(self, values, dtype, match):
        arr = np.array(values).reshape(2, 1, 1)
        self.check(InvalidArgument, match, Dataset.Sequence.from_numpy, arr, retype=dtype)

    def test_rename_wrong_length(self, digits):
        self.check(
            InvalidArgument,
            "the data has 8 columns; got 1 names",
            Dataset.Sequence.from_numpy,
            digits,
            rename_columns=["a"],
        )

    def test_images_of_different_sizes(self, tmp_path):
        folder = tmp_path / "mixed"
        folder.mkdir()
        PILImage.fromarray(np.zeros((8, 8), np.uint8)).save(folder / "a.png")
        PILImage.fromarray(np.zeros((9, 8), np.uint8)).save(folder / "b.png")
        self.check(InvalidArgument, r"same size.*'b.png'", Dataset.Image.from_folder, folder)

    def test_folder_with_non_image(self, image_folder):
        (image_folder / "notes.txt").write_text("hello")
        self.check(InvalidArgument, "Pillow cannot read", Dataset.Image.from_folder, image_folder)

    def test_empty_folder(self, tmp_path):
        (tmp_path / "empty").mkdir()
        self.check(
            InvalidArgument, "holds no image files", Dataset.Image.from_folder, tmp_path / "empty"
        )

    def test_source_path_longer_than_its_column(self):
        self.check(
            InvalidArgument,
            "source_path must be at most 4096 characters; got 4097",
            Dataset.Image.from_urls,
            ["file:///nowhere.png"],
            source_path="s" * 4097,
        )

    def test_bad_url_scheme(self):
        self.check(InvalidArgument, "http", Dataset.Image.from_urls, ["ftp://example/x.png"])
