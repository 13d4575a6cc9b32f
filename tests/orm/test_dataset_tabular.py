import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sqlalchemy import func, select

from assay.errors import DataChanged, InvalidArgument, NotFound
from assay.orm import Dataset, DuplicateDatasetWarning
from assay.store import reading

pytestmark = pytest.mark.usefixtures("backend")


def dataset_count() -> int:
    with reading() as db:
        return db.scalar(select(func.count()).select_from(Dataset))


@pytest.fixture
def iris() -> pd.DataFrame:
    return load_iris(as_frame=True).frame


def test_from_df_attributes(iris):
    dataset = Dataset.Tabular.from_df(iris, name="iris", description="Fisher's iris")
    assert dataset.typ == "tabular"
    assert dataset.source_format == "dataframe" and dataset.source_path is None
    assert dataset.is_ingested is True
    assert dataset.columns == [str(c) for c in iris.columns]
    assert dataset.dtypes["target"] == "int64"
    assert dataset.shape == {"rows": 150, "columns": 5}
    assert len(dataset.sha256_hexdigest) == 64
    assert dataset.memory_MB > 0
    assert dataset.contains_nan is False
    assert dataset.version == 1
    pd.testing.assert_frame_equal(dataset.to_df(), iris)


def test_fetch_selection(iris):
    dataset = Dataset.Tabular.from_df(iris)
    frame = dataset.to_df(columns=["target", "petal width (cm)"], samples=[0, 149, 75])
    assert list(frame.columns) == ["target", "petal width (cm)"]
    assert frame["target"].tolist() == [0, 2, 1]
    arr = Dataset.to_arr(dataset.id, columns=["target"])
    assert arr.shape == (150, 1) and arr.ndim == 2
    assert dataset.get_dtypes(columns=["target"]) == {"target": "int64"}
    with pytest.raises(InvalidArgument, match="columns names columns that do not exist"):
        dataset.to_df(columns=["nope"])
    with pytest.raises(InvalidArgument, match="samples must be positions from 0 to 149"):
        dataset.to_df(samples=[150])
    with pytest.raises(InvalidArgument, match="to_pillow is only for Image"):
        dataset.to_pillow()


def test_versioning_by_name_and_hash(iris):
    first = Dataset.Tabular.from_df(iris, name="iris")
    second = Dataset.Tabular.from_df(iris.head(100), name="iris")
    assert (first.version, second.version) == (1, 2)
    with pytest.warns(DuplicateDatasetWarning, match="same content"):
        again = Dataset.Tabular.from_df(iris, name="iris")
    assert again.id == first.id
    assert dataset_count() == 2
    other = Dataset.Tabular.from_df(iris, name="flowers")
    assert other.version == 1
    unnamed = Dataset.Tabular.from_df(iris.head(50))
    assert unnamed.version is None


def test_unnamed_content_already_registered_is_returned_quietly(iris):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = Dataset.Tabular.from_df(iris)
        again = Dataset.Tabular.from_df(iris, description="the same rows again")
    assert again.id == first.id and dataset_count() == 1
    retyped = Dataset.Tabular.from_df(iris, retype={"target": "int16"})
    assert retyped.id != first.id and dataset_count() == 2
    named = Dataset.Tabular.from_df(iris.head(10), name="ten")
    assert Dataset.Tabular.from_df(iris.head(10)).id == named.id
    assert dataset_count() == 3


def test_unnamed_file_already_registered_from_the_same_source(tmp_path, iris):
    path = tmp_path / "iris.csv"
    iris.to_csv(path, index=False)
    first = Dataset.Tabular.from_path(path, ingest=False)
    assert Dataset.Tabular.from_path(path, ingest=False).id == first.id
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    elsewhere = Dataset.Tabular.from_path(copy, ingest=False)
    assert elsewhere.id != first.id and elsewhere.sha256_hexdigest == first.sha256_hexdigest
    ingested = Dataset.Tabular.from_path(path)
    assert ingested.is_ingested and ingested.id not in (first.id, elsewhere.id)
    assert dataset_count() == 3


def test_rename_and_retype(iris):
    names = ["sl", "sw", "pl", "pw", "species"]
    dataset = Dataset.Tabular.from_df(
        iris, rename_columns=names, retype={"sl": "float32", "species": np.int8}
    )
    assert dataset.columns == names
    assert dataset.get_dtypes() == {
        "sl": "float32",
        "sw": "float64",
        "pl": "float64",
        "pw": "float64",
        "species": "int8",
    }
    assert dataset.to_df()["species"].dtype == np.int8
    everything = Dataset.Tabular.from_df(iris, retype="float32")
    assert set(everything.get_dtypes().values()) == {"float32"}


def test_retype_keeps_values_that_fit():
    frame = pd.DataFrame({"f": [0.1, np.nan, 2.5], "i": [-5, 0, 127], "b": [0, 1, 1]})
    dataset = Dataset.Tabular.from_df(frame, retype={"f": "float32", "i": "int8", "b": "bool"})
    fetched = dataset.to_df()
    assert np.isnan(fetched["f"][1]) and fetched["f"][2] == 2.5
    assert fetched["i"].tolist() == [-5, 0, 127] and fetched["b"].tolist() == [False, True, True]


def test_unnamed_columns_become_strings():
    frame = pd.DataFrame(np.arange(6.0).reshape(3, 2))
    dataset = Dataset.Tabular.from_df(frame)
    assert dataset.columns == ["0", "1"]


def test_nan_detected():
    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0]})
    assert Dataset.Tabular.from_df(frame).contains_nan is True


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
def test_from_path_ingested(tmp_path, iris, suffix):
    path = tmp_path / f"iris{suffix}"
    if suffix == ".parquet":
        iris.to_parquet(path)
    else:
        iris.to_csv(path, sep="\t" if suffix == ".tsv" else ",", index=False)
    dataset = Dataset.Tabular.from_path(path, name="iris-file")
    assert dataset.source_format == suffix[1:]
    assert dataset.source_path == str(path.resolve())
    assert dataset.is_ingested is True
    path.unlink()  # ingested: the file is no longer needed
    pd.testing.assert_frame_equal(dataset.to_df(), iris, check_dtype=False)


def test_from_path_not_ingested_checks_hash(tmp_path, iris):
    path = tmp_path / "iris.csv"
    iris.to_csv(path, index=False)
    dataset = Dataset.Tabular.from_path(path, ingest=False, retype={"target": "int16"})
    assert dataset.is_ingested is False
    frame = dataset.to_df()
    assert frame["target"].dtype == np.int16 and len(frame) == 150
    iris.head(10).to_csv(path, index=False)
    with pytest.raises(DataChanged, match="has changed since"):
        dataset.to_df()
    path.unlink()
    with pytest.raises(NotFound, match="no longer exists"):
        dataset.to_df()


def test_csv_without_header(tmp_path):
    path = tmp_path / "raw.csv"
    path.write_text("1,2\n3,4\n")
    dataset = Dataset.Tabular.from_path(path, header=None, rename_columns=["a", "b"])
    assert dataset.shape == {"rows": 2, "columns": 2}
    assert dataset.to_df()["a"].tolist() == [1, 3]


def test_csv_without_header_not_ingested_keeps_its_first_row(tmp_path):
    """header=None is stored as NULL and must be read back as None, not as 'infer'."""
    path = tmp_path / "raw.csv"
    path.write_text("1,2\n3,4\n5,6\n")
    dataset = Dataset.Tabular.from_path(path, header=None, ingest=False, rename_columns=["a", "b"])
    assert dataset.header is None and dataset.shape == {"rows": 3, "columns": 2}
    fresh = Dataset.get_by_id(dataset.id)
    frame = fresh.to_df()
    assert len(frame) == fresh.shape["rows"]
    assert frame["a"].tolist() == [1, 3, 5]


@pytest.fixture
def swap_file_while_pandas_reads(monkeypatch):
    """Replace a file's content the moment pandas reads it (before or after parsing)."""

    def arrange(reader: str, path, new_text: str, before: bool) -> None:
        original = getattr(pd, reader)

        def racing(*args, **kwargs):
            if before:
                path.write_text(new_text)
            result = original(*args, **kwargs)
            if not before:
                path.write_text(new_text)
            return result

        monkeypatch.setattr(pd, reader, racing)

    return arrange


def test_registration_hashes_the_bytes_it_parsed(tmp_path, swap_file_while_pandas_reads):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    first_digest = hashlib.sha256(path.read_bytes()).hexdigest()
    swap_file_while_pandas_reads("read_csv", path, "a,b\n1,2\n3,4\n5,6\n", before=False)
    dataset = Dataset.Tabular.from_path(path, ingest=False)
    assert dataset.shape["rows"] == 2
    assert dataset.sha256_hexdigest == first_digest
    with pytest.raises(DataChanged, match="has changed since"):
        dataset.to_df()


def test_reading_back_parses_the_bytes_it_verified(tmp_path, swap_file_while_pandas_reads):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    dataset = Dataset.Tabular.from_path(path, ingest=False)
    swap_file_while_pandas_reads("read_csv", path, "a,b\n9,9\n9,9\n9,9\n", before=True)
    assert dataset.to_df()["a"].tolist() == [1, 3]


def test_breast_cancer_round_trip():
    frame = load_breast_cancer(as_frame=True).frame
    dataset = Dataset.Tabular.from_df(frame)
    np.testing.assert_array_equal(dataset.to_arr(), frame.to_numpy())


class TestBadInput:
    """Each bad call raises a clear error and writes nothing."""

    def check(self, error, match, call, *args, **kwargs):
        before = dataset_count()
        with pytest.raises(error, match=match):
            call(*args, **kwargs)
        assert dataset_count() == before

    def test_not_a_dataframe(self):
        self.check(
            InvalidArgument,
            "dataframe must be a pandas DataFrame; got ndarray",
            Dataset.Tabular.from_df,
            np.zeros((3, 2)),
        )

    def test_empty_dataframe(self):
        self.check(InvalidArgument, "at least one row", Dataset.Tabular.from_df, pd.DataFrame())

    def test_duplicated_columns(self):
        frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
        self.check(InvalidArgument, "duplicated column names", Dataset.Tabular.from_df, frame)

    def test_rename_wrong_length(self, iris):
        self.check(
            InvalidArgument,
            "the data has 5 columns; got 2 names",
            Dataset.Tabular.from_df,
            iris,
            rename_columns=["a", "b"],
        )

    def test_rename_duplicates(self, iris):
        self.check(
            InvalidArgument,
            "names a column more than once",
            Dataset.Tabular.from_df,
            iris,
            rename_columns=["a", "a", "b", "c", "d"],
        )

    def test_retype_unknown_column(self, iris):
        self.check(
            InvalidArgument,
            "retype names columns that do not exist",
            Dataset.Tabular.from_df,
            iris,
            retype={"nope": "int8"},
        )

    def test_retype_impossible(self):
        frame = pd.DataFrame({"word": ["a", "b"]})
        self.check(
            InvalidArgument,
            "retype cannot convert column 'word'",
            Dataset.Tabular.from_df,
            frame,
            retype="float64",
        )

    @pytest.mark.parametrize(
        ("values", "dtype", "match"),
        [
            ([1000, -5, 300], "uint8", r"column 'a' from int64 to uint8 .* e\.g\. 1000 would "),
            ([1.0, 1e300], "float16", r"column 'a' from float64 to float16 .* 1e\+300 would"),
            ([1.5, 2.0], "int64", r"column 'a' from float64 to int64 .* 1\.5 would become 1\b"),
            ([1.0, np.nan], "int32", r"column 'a' from float64 to int32"),
            ([0, 1, 2], "bool", r"column 'a' from int64 to bool .* 2 would become True"),
            (["0", "1"], "bool", r"column 'a' from \w+ to bool .* '0' would become True"),
            ([1.0, 1e300], "Float32", r"column 'a' from float64 to Float32"),
        ],
    )
    def test_retype_that_changes_values(self, values, dtype, match):
        self.check(
            InvalidArgument,
            match,
            Dataset.Tabular.from_df,
            pd.DataFrame({"a": values, "b": 1}),
            retype={"a": dtype},
        )

    def test_retype_not_a_dtype(self, iris):
        self.check(
            InvalidArgument,
            "retype must be a dtype",
            Dataset.Tabular.from_df,
            iris,
            retype="banana",
        )

    def test_multiindex(self, iris):
        frame = iris.set_index(["target", "sepal length (cm)"])
        self.check(InvalidArgument, "single-level", Dataset.Tabular.from_df, frame)

    def test_name_type(self, iris):
        self.check(InvalidArgument, "name must be a str", Dataset.Tabular.from_df, iris, name=5)

    def test_unsupported_extension(self, tmp_path):
        path = tmp_path / "data.xlsx"
        path.write_text("x")
        self.check(
            InvalidArgument,
            r"must end in one of \['.csv', '.parquet', '.tsv'\]",
            Dataset.Tabular.from_path,
            path,
        )

    def test_missing_file(self, tmp_path):
        self.check(NotFound, "is not a file", Dataset.Tabular.from_path, tmp_path / "none.csv")

    def test_empty_file(self, tmp_path):
        path = tmp_path / "empty.csv"
        path.write_text("")
        self.check(InvalidArgument, "is empty", Dataset.Tabular.from_path, path)

    @pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
    def test_header_without_rows(self, tmp_path, suffix):
        path = tmp_path / f"empty{suffix}"
        empty = pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": []})
        if suffix == ".parquet":
            empty.to_parquet(path)
        else:
            empty.to_csv(path, sep="\t" if suffix == ".tsv" else ",", index=False)
        for ingest in (True, False):
            self.check(
                InvalidArgument,
                r"file_path .* must have at least one row and one column; got shape \(0, 2\)",
                Dataset.Tabular.from_path,
                path,
                ingest=ingest,
            )

    @pytest.mark.parametrize(("suffix", "sep"), [(".csv", ","), (".tsv", "\t")])
    def test_header_with_a_repeated_name(self, tmp_path, suffix, sep):
        path = tmp_path / f"repeated{suffix}"
        path.write_text(sep.join(["a", "b", "a"]) + "\n" + sep.join(["1", "2", "3"]) + "\n")
        for ingest in (True, False):
            self.check(
                InvalidArgument,
                r"duplicated column names \['a'\]; pass rename_columns",
                Dataset.Tabular.from_path,
                path,
                ingest=ingest,
            )
        renamed = Dataset.Tabular.from_path(path, ingest=False, rename_columns=["x", "y", "z"])
        assert renamed.to_df().iloc[0].tolist() == [1, 2, 3]

    def test_column_of_mixed_types(self):
        frame = pd.DataFrame({"ok": [1, 2, 3], "mixed": [1, "two", 3]})
        self.check(
            InvalidArgument,
            r"dataframe column 'mixed' cannot be stored .* Retype it",
            Dataset.Tabular.from_df,
            frame,
        )

    @pytest.mark.parametrize("path", [None, 3, b"data.csv"])
    def test_path_of_the_wrong_type(self, path):
        self.check(
            InvalidArgument,
            r"file_path must be a path \(a str or pathlib.Path\); got",
            Dataset.Tabular.from_path,
            path,
        )

    def test_unreadable_parquet(self, tmp_path):
        path = tmp_path / "broken.parquet"
        path.write_bytes(b"not parquet at all")
        self.check(InvalidArgument, "cannot be read as parquet", Dataset.Tabular.from_path, path)

    def test_ingest_type(self, tmp_path, iris):
        path = tmp_path / "iris.csv"
        iris.to_csv(path, index=False)
        self.check(
            InvalidArgument,
            "ingest must be True, False or None",
            Dataset.Tabular.from_path,
            path,
            ingest="yes",
        )
