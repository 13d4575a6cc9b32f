"""assay.data.tabular: reading tables, Parquet round trips, metadata, names, dtypes, selection."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from assay.data.tabular import (
    check_frame,
    describe_frame,
    file_format,
    from_parquet,
    name_columns,
    read_file,
    retype_frame,
    select,
    to_parquet,
    write_parquet,
)
from assay.errors import InvalidArgument, NotFound


def mixed_frame():
    return pd.DataFrame(
        {
            "ints": np.array([1, 2, 3], dtype=np.int32),
            "floats": [0.5, np.nan, 2.25],
            "strings": ["x", "y", None],
            "bools": [True, False, True],
            "categories": pd.Categorical(["a", "b", "a"]),
            "nullable": pd.array([1, None, 3], dtype="Int64"),
        }
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [("t.parquet", "parquet"), ("t.csv", "csv"), ("t.tsv", "tsv"), ("DIR/T.CSV", "csv")],
)
def test_file_format_by_suffix(name, kind):
    assert file_format(name) == kind


@pytest.mark.parametrize("name", ["t.txt", "t.xlsx", "t", "t.csv.gz"])
def test_file_format_refuses_other_suffixes(name):
    with pytest.raises(InvalidArgument, match=r"file_path must end in one of .*'\.csv'"):
        file_format(name)


def test_file_format_refuses_a_non_path():
    with pytest.raises(InvalidArgument, match="file_path must be a path"):
        file_format(42)


def test_read_csv_with_header_and_digest_of_its_bytes(tmp_path):
    path = tmp_path / "t.csv"
    data = b"a,b\n1,x\n2,y\n"
    path.write_bytes(data)
    frame, digest = read_file(path)
    assert list(frame.columns) == ["a", "b"]
    assert frame["a"].tolist() == [1, 2]
    assert frame["b"].tolist() == ["x", "y"]
    assert digest == hashlib.sha256(data).hexdigest()


def test_read_tsv(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t2.5\n")
    frame, _ = read_file(str(path))
    assert list(frame.columns) == ["a", "b"]
    assert frame.iloc[0].tolist() == [1, 2.5]


def test_read_csv_without_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("1,2\n3,4\n")
    frame, _ = read_file(path, header=None)
    assert list(frame.columns) == [0, 1]
    assert frame.shape == (2, 2)
    assert frame.to_numpy().tolist() == [[1, 2], [3, 4]]


def test_read_csv_header_on_a_later_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("junk,junk\na,a\n1,2\n")
    frame, _ = read_file(path, header=1)
    assert list(frame.columns) == ["a", "a"]
    assert frame.iloc[0].tolist() == [1, 2]


def test_read_csv_keeps_repeated_header_names_so_they_are_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,a,b,a.1\n1,2,3,4\n")
    frame, _ = read_file(path)
    assert list(frame.columns) == ["a", "a", "b", "a.1"]
    with pytest.raises(InvalidArgument, match=r"duplicated column names \['a'\].*rename_columns"):
        name_columns(frame)
    renamed = name_columns(frame, ["p", "q", "r", "s"])
    assert list(renamed.columns) == ["p", "q", "r", "s"]
    assert renamed.iloc[0].tolist() == [1, 2, 3, 4]


def test_read_parquet_round_trip_keeps_dtypes(tmp_path):
    frame = mixed_frame()
    path = tmp_path / "t.parquet"
    write_parquet(frame, path)
    back, digest = read_file(path)
    pd.testing.assert_frame_equal(back, frame)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_parquet_buffer_round_trip_keeps_dtypes_and_matches_the_file(tmp_path):
    frame = mixed_frame()
    buffer = to_parquet(frame)
    back = from_parquet(buffer)
    pd.testing.assert_frame_equal(back, frame)
    assert back["categories"].dtype == "category"
    assert back["ints"].dtype == np.int32
    assert back["bools"].dtype == bool
    assert back["floats"].isna().tolist() == [False, True, False]
    path = tmp_path / "t.parquet"
    write_parquet(frame, path)
    assert path.read_bytes() == buffer.to_pybytes()
    pd.testing.assert_frame_equal(from_parquet(path), frame)


def test_from_parquet_some_columns_only():
    back = from_parquet(to_parquet(mixed_frame()), columns=["bools", "ints"])
    assert list(back.columns) == ["bools", "ints"]
    assert back["ints"].tolist() == [1, 2, 3]


def test_to_parquet_refuses_a_mixed_column_naming_it():
    frame = pd.DataFrame({"fine": [1, 2], "mixed": [1, "two"]})
    with pytest.raises(InvalidArgument, match=r"dataframe column 'mixed' cannot be stored"):
        to_parquet(frame)


def test_read_file_missing_is_not_found(tmp_path):
    with pytest.raises(NotFound, match=r"file_path '.*nope\.csv' is not a file"):
        read_file(tmp_path / "nope.csv")


def test_read_file_other_suffix_is_refused_before_reading(tmp_path):
    with pytest.raises(InvalidArgument, match="file_path must end in one of"):
        read_file(tmp_path / "nope.json")


@pytest.mark.parametrize("name", ["t.csv", "t.tsv"])
def test_read_empty_text_file_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(InvalidArgument, match=rf"file_path '.*{name}' is empty"):
        read_file(path)


def test_read_header_only_csv_is_refused_for_no_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n")
    with pytest.raises(InvalidArgument, match=r"file_path '.*t\.csv' must have at least one row"):
        read_file(path)


def test_read_garbage_parquet_is_refused(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(
        InvalidArgument, match=r"file_path '.*t\.parquet' cannot be read as parquet"
    ):
        read_file(path)


def test_read_ragged_csv_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3,4,5,6\n")
    with pytest.raises(InvalidArgument, match="cannot be read as csv"):
        read_file(path)


def test_check_frame_refusals():
    with pytest.raises(InvalidArgument, match="dataframe must be a pandas DataFrame; got list"):
        check_frame([[1]])
    with pytest.raises(InvalidArgument, match=r"df must have at least one row.*\(0, 1\)"):
        check_frame(pd.DataFrame({"a": []}), "df")
    columns = pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])
    with pytest.raises(InvalidArgument, match="dataframe must have a single-level header"):
        check_frame(pd.DataFrame([[1, 2]], columns=columns))
    frame = pd.DataFrame({"a": [1]})
    assert check_frame(frame) is frame


def test_name_columns_stringifies_and_resets_the_index():
    frame = pd.DataFrame({0: [1, 2], 1: [3, 4]}, index=[10, 20])
    named = name_columns(frame)
    assert list(named.columns) == ["0", "1"]
    assert list(named.index) == [0, 1]
    same = pd.DataFrame({"a": [1]})
    assert name_columns(same) is same


def test_name_columns_refuses_wrong_count():
    with pytest.raises(InvalidArgument, match="rename_columns"):
        name_columns(pd.DataFrame({"a": [1], "b": [2]}), ["only"])


def test_retype_frame_all_columns_and_by_dict():
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    assert retype_frame(frame) is frame
    assert (retype_frame(frame, "float32").dtypes == np.float32).all()
    typed = retype_frame(frame, {"b": "str"})
    assert typed["a"].dtype == np.int64
    assert typed["b"].tolist() == ["3", "4"]


def test_retype_frame_refuses_unknown_columns_and_lossy_conversions():
    frame = pd.DataFrame({"a": [1.5, 2.0]})
    with pytest.raises(InvalidArgument, match=r"retype names columns that do not exist: \['z'\]"):
        retype_frame(frame, {"z": "int64"})
    with pytest.raises(InvalidArgument, match="column 'a'"):
        retype_frame(frame, {"a": "int64"})
    with pytest.raises(InvalidArgument, match="retype cannot convert column 'a'"):
        retype_frame(pd.DataFrame({"a": ["x"]}), "int64")


def test_describe_frame_figures():
    frame = mixed_frame()
    meta = describe_frame(frame)
    assert meta["columns"] == ["ints", "floats", "strings", "bools", "categories", "nullable"]
    assert meta["dtypes"] == {
        "ints": "int32",
        "floats": "float64",
        "strings": str(frame["strings"].dtype),  # object, or str under pandas 3
        "bools": "bool",
        "categories": "category",
        "nullable": "Int64",
    }
    assert meta["shape"] == {"rows": 3, "columns": 6}
    assert meta["memory_MB"] == round(frame.memory_usage(deep=True).sum() / 1e6, 3)
    assert meta["contains_nan"] is True
    clean = describe_frame(pd.DataFrame({1: np.zeros(250_000)}))
    assert clean["columns"] == ["1"]
    assert clean["memory_MB"] == 2.0
    assert clean["contains_nan"] is False


def test_select_by_samples_renumbers_rows():
    frame = pd.DataFrame({"a": [10, 20, 30, 40]})
    assert select(frame, None) is frame
    picked = select(frame, [3, 0, 3])
    assert picked["a"].tolist() == [40, 10, 40]
    assert list(picked.index) == [0, 1, 2]
    assert select(frame, [-1])["a"].tolist() == [40]
