"""assay.data.arrays: .npy loading and hashing, validation, retyping, metadata and selection."""

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from assay.data.arrays import (
    check_array,
    column_names,
    describe_array,
    from_npy,
    load_npy,
    parse_npy,
    retype_array,
    select_array,
    to_frames,
    to_npy,
    write_npy,
)
from assay.errors import InvalidArgument, NotFound


def test_load_npy_returns_the_array_and_the_digest_of_its_bytes(tmp_path):
    arr = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    path = tmp_path / "a.npy"
    np.save(path, arr)
    loaded, digest = load_npy(path, "x")
    np.testing.assert_array_equal(loaded, arr)
    assert loaded.dtype == np.float32
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_to_npy_is_byte_for_byte_write_npy(tmp_path):
    arr = np.arange(12, dtype=np.int16).reshape(3, 4)[:, ::2]  # not contiguous
    path = tmp_path / "a.npy"
    write_npy(arr, path)
    buffer = to_npy(arr)
    assert path.read_bytes() == bytes(buffer)
    np.testing.assert_array_equal(from_npy(buffer), arr)
    np.testing.assert_array_equal(from_npy(path), arr)
    _, digest = load_npy(str(path), "x")
    assert digest == hashlib.sha256(bytes(buffer)).hexdigest()


def test_load_npy_refuses_other_suffixes(tmp_path):
    with pytest.raises(
        InvalidArgument, match=r"my_arg must be an ndarray or a path ending in \.npy"
    ):
        load_npy(tmp_path / "a.npz", "my_arg")


def test_load_npy_missing_is_not_found(tmp_path):
    with pytest.raises(NotFound, match=r"my_arg '.*a\.npy' is not a file"):
        load_npy(tmp_path / "a.npy", "my_arg")


def test_load_npy_refuses_garbage_naming_the_argument(tmp_path):
    path = tmp_path / "a.npy"
    path.write_bytes(b"definitely not numpy")
    with pytest.raises(InvalidArgument, match=r"my_arg '.*a\.npy' cannot be read as \.npy"):
        load_npy(path, "my_arg")


def test_load_npy_refuses_pickled_objects(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidArgument, match=r"my_arg '.*a\.npy' cannot be read as \.npy"):
        load_npy(path, "my_arg")


def test_parse_npy_refuses_truncated_bytes():
    data = bytes(to_npy(np.arange(100)))[:-10]
    with pytest.raises(InvalidArgument, match=r"the source cannot be read as \.npy"):
        parse_npy(data, "the source")


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int64, np.float16, np.complex64])
def test_check_array_accepts_numbers_and_bools(dtype):
    arr = np.zeros((2, 3, 4), dtype=dtype)
    assert check_array(arr, 3, "x") is arr


def test_check_array_refuses_a_non_array():
    with pytest.raises(
        InvalidArgument, match=r"x must be a 3D numpy ndarray or an \.npy path; got list"
    ):
        check_array([[[1]]], 3, "x")


def test_check_array_refuses_the_wrong_dimensionality():
    with pytest.raises(
        InvalidArgument,
        match=r"x must be 4D \(samples, channels, rows, columns\); got 3D with shape \(1, 2, 3\)",
    ):
        check_array(np.zeros((1, 2, 3)), 4, "x")


def test_check_array_refuses_an_empty_array():
    with pytest.raises(InvalidArgument, match=r"x must hold data; got shape \(0, 2, 3\)"):
        check_array(np.zeros((0, 2, 3)), 3, "x")


@pytest.mark.parametrize(
    "arr",
    [
        np.array([[["a"]]]),
        np.array([[[b"a"]]]),
        np.array([[[None]]], dtype=object),
        np.array([[["2020-01-01"]]], dtype="datetime64[D]"),
        np.array([[[1]]], dtype="timedelta64[s]"),
    ],
)
def test_check_array_refuses_strings_objects_and_datetimes(arr):
    with pytest.raises(
        InvalidArgument, match=re.escape(f"x must have a numeric or bool dtype; got {arr.dtype}.")
    ):
        check_array(arr, 3, "x")


def test_column_names_default_and_renamed():
    arr = np.zeros((1, 2, 3))
    assert column_names(arr) == ["0", "1", "2"]
    assert column_names(arr, ["a", "b", "c"]) == ["a", "b", "c"]
    with pytest.raises(InvalidArgument, match="rename_columns"):
        column_names(arr, ["a", "b"])
    with pytest.raises(InvalidArgument, match="rename_columns names a column more than once"):
        column_names(arr, ["a", "a", "b"])


def test_retype_array_converts_losslessly():
    arr = np.array([[[1, 2, 3]]], dtype=np.int64)
    assert retype_array(arr) is arr
    converted = retype_array(arr, "float32")
    assert converted.dtype == np.float32
    np.testing.assert_array_equal(converted, arr)


def test_retype_array_refusals():
    arr = np.array([[[1.5, 300.0]]])
    with pytest.raises(InvalidArgument, match=r"retype must be one dtype .* only supported by"):
        retype_array(arr, {"0": "int64"})
    with pytest.raises(InvalidArgument, match="retype must be a numeric or bool numpy dtype"):
        retype_array(arr, "str")
    with pytest.raises(InvalidArgument, match="retype must be a numeric or bool numpy dtype"):
        retype_array(arr, "category")
    with pytest.raises(InvalidArgument, match="without changing its values"):
        retype_array(arr, "uint8")


def test_describe_array_figures():
    arr = np.zeros((5, 3, 8, 2), dtype=np.float64)
    arr[4, 2, 7, 1] = np.nan
    meta = describe_array(arr, ["a", "b"])
    assert meta == {
        "columns": ["a", "b"],
        "dtypes": "float64",
        "shape": {"samples": 5, "channels": 3, "rows": 8, "columns": 2},
        "memory_MB": round(5 * 3 * 8 * 2 * 8 / 1e6, 3),
        "contains_nan": True,
    }
    ints = describe_array(np.ones((2, 3, 4), dtype=np.uint8), ["0", "1", "2", "3"])
    assert ints["shape"] == {"samples": 2, "rows": 3, "columns": 4}
    assert ints["dtypes"] == "uint8"
    assert ints["contains_nan"] is False


def test_select_array_by_samples_and_columns():
    arr = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    names = ["a", "b", "c", "d"]
    assert select_array(arr, names, None, None) is arr
    np.testing.assert_array_equal(select_array(arr, names, None, [1, 1]), arr[[1, 1]])
    np.testing.assert_array_equal(select_array(arr, names, ["d", "a"], None), arr[..., [3, 0]])
    picked = select_array(arr, names, ["b"], [1])
    assert picked.shape == (1, 3, 1)
    np.testing.assert_array_equal(picked[0, :, 0], arr[1, :, 1])


def test_to_frames_one_frame_per_sample_and_channel():
    seq = np.arange(2 * 3 * 2).reshape(2, 3, 2)
    frames = to_frames(seq, ["x", "y"])
    assert len(frames) == 2
    pd.testing.assert_frame_equal(frames[1], pd.DataFrame(seq[1], columns=["x", "y"]))
    images = to_frames(np.zeros((2, 3, 4, 5)), list("abcde"))
    assert len(images) == 2 and len(images[0]) == 3
    assert images[0][2].shape == (4, 5)
