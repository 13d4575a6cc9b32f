import hashlib
import io
import tracemalloc

import pytest
from sqlalchemy import func, select

from assay.errors import DataChanged, InvalidArgument, NotFound
from assay.registry import Registry, StoredFile, VersionFormat
from assay.registry.formats import base
from assay.registry.storage import registry_dir
from assay.store import reading
from assay.store.session import in_transaction
from tests.registry.conftest import BlobFormat, Constant, refused, txt

pytestmark = pytest.mark.usefixtures("backend", "test_formats")


def version(**fields):
    return Registry().create_model("churn").create_version(**fields)


def stored_files():
    with reading() as db:
        return db.scalar(select(func.count()).select_from(StoredFile))


def test_upload_bytes_a_path_or_a_file_object(tmp_path):
    v = version()
    path = tmp_path / "model.txt"
    path.write_bytes(txt("path"))
    v.add_format("txt", path)
    v.add_format("blob", io.BytesIO(b"\x00" * 10))
    w = v.model.create_version()
    w.add_format("txt", txt("bytes"))
    assert v.download("txt") == txt("path")
    assert v.download("blob") == b"\x00" * 10
    assert w.download("txt") == txt("bytes")
    row = v.format("txt")
    assert (row.format_id, row.size, row.filename) == ("txt", len(txt("path")), "model.txt")
    assert row.sha256 == hashlib.sha256(txt("path")).hexdigest()
    assert [f.format_id for f in v.formats] == ["blob", "txt"]


def test_download_to_a_file_or_into_a_folder(tmp_path):
    v = version(formats={"txt": txt()})
    assert v.download("txt", tmp_path / "mine.txt") == tmp_path / "mine.txt"
    assert (tmp_path / "mine.txt").read_bytes() == txt()
    assert v.download("txt", tmp_path) == tmp_path / "churn-v1.txt"
    assert (tmp_path / "churn-v1.txt").read_bytes() == txt()
    with pytest.raises(InvalidArgument, match="path must be a file in an existing folder"):
        v.download("txt", tmp_path / "missing" / "x.txt")


def test_one_file_per_format_replace_and_delete():
    v = version(formats={"txt": txt("one")})
    with refused(InvalidArgument, r"has a 'txt' file already.*replace_format\('txt'"):
        v.add_format("txt", txt("two"))
    v.replace_format("txt", txt("two"))
    assert v.download("txt") == txt("two")
    assert stored_files() == 1  # the replaced file went with its last reference
    replaced = v.history()[-1]
    assert replaced.action == "replace"
    assert replaced.before["sha256"] == hashlib.sha256(txt("one")).hexdigest()
    assert replaced.after["sha256"] == hashlib.sha256(txt("two")).hexdigest()
    v.delete_format("txt")
    assert v.formats == [] and stored_files() == 0
    with refused(NotFound, "model 'churn' version 1 has no 'txt' file; its formats: none"):
        v.download("txt")
    with refused(NotFound, "has no 'txt' file"):
        v.replace_format("txt", txt())
    with refused(NotFound, "has no 'txt' file"):
        v.delete_format("txt")


def test_identical_files_are_stored_once_and_removed_with_their_last_format():
    m = Registry().create_model("churn")
    first = m.create_version(formats={"txt": txt()})
    second = m.create_version(formats={"txt": txt(), "blob": txt()})
    assert stored_files() == 1
    first.delete()
    assert second.download("blob") == txt() and stored_files() == 1
    second.delete()
    assert stored_files() == 0


def test_the_registry_folder_is_empty_after_deleting_the_only_model():
    m = Registry().create_model("churn")
    m.create_version(formats={"txt": txt("a"), "blob": b"b" * 1000}).publish()
    m.create_version(formats={"txt": txt("c")})
    m.delete(force=True)
    assert list(registry_dir().iterdir()) == []
    assert stored_files() == 0


def test_uploads_that_are_refused_write_nothing(tmp_path):
    v = version()
    with refused(InvalidArgument, "format 'pkl2' is not a known model format"):
        v.add_format("pkl2", b"x")
    with refused(InvalidArgument, "is not a txt model: no TXT-MODEL header"):
        v.add_format("txt", b"plain text")
    with refused(InvalidArgument, "the 'blob' file is empty"):
        v.add_format("blob", b"")
    with refused(InvalidArgument, "is not a file"):
        v.add_format("blob", tmp_path / "missing.bin")
    with refused(InvalidArgument, "open the file in binary mode"):
        v.add_format("blob", io.StringIO("text"))
    with refused(InvalidArgument, "must be bytes, a path, or a file object"):
        v.add_format("blob", 12)
    with refused(NotFound, "ModelVersion with id 99 does not exist"):
        type(v).add_format(99, "blob", b"x")


def test_files_are_checked_before_the_write_transaction_opens(monkeypatch):
    # Copying and validating a large file must not hold the metastore's write lock.
    seen = []
    monkeypatch.setattr(BlobFormat, "validate", lambda self, path: seen.append(in_transaction()))
    v = version(formats={"blob": b"with the version"})
    v.replace_format("blob", b"replaced")
    v.model.create_version(formats={"blob": b"another"})
    assert seen == [False, False, False]
    assert v.download("blob") == b"replaced"
    with refused(InvalidArgument, "is not a txt model: no TXT-MODEL header"):
        v.model.create_version(formats={"blob": b"fine", "txt": b"not a txt model"})


def test_a_corrupt_file_fails_loudly_on_download(backend, tmp_path):
    v = version(formats={"blob": b"good bytes"})
    sha = v.format("blob").sha256
    if backend.startswith("sqlite"):
        (registry_dir() / sha).write_bytes(b"evil bytes")
    else:  # in the metastore; its trigger refuses the change unless triggers are off
        from sqlalchemy import text

        from assay.store import engine

        with engine().begin() as connection:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text("UPDATE registrychunk SET data = :d"), {"d": b"evil bytes"})
    with pytest.raises(DataChanged, match="'blob' file of model 'churn' version 1 is corrupt"):
        v.download("blob")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DataChanged, match="is corrupt"):
        v.download("blob", out / "model.bin")
    assert list(out.iterdir()) == []  # nothing lands under the name asked for


def test_load_and_predict_through_the_format(monkeypatch):
    monkeypatch.setitem(base._FORMATS, "pkl", type("Pkl", (BlobFormat,), {"id": "pkl"})())
    monkeypatch.setattr(BlobFormat, "load", lambda self, path: Constant(path.read_text()))
    v = version(formats={"txt": txt("churns"), "pkl": b"stays"})
    assert v.load("txt").answer == "churns"
    assert v.predict([{"x": 1}, {"x": 2}]) == ["stays", "stays"]


def test_uploads_and_downloads_stream_in_chunks(tmp_path):
    path = tmp_path / "big.bin"
    block = hashlib.sha256(b"seed").digest() * 2**15  # 1 MiB
    with open(path, "wb") as handle:
        for _ in range(48):
            handle.write(block)
    v = version()
    tracemalloc.start()
    try:
        v.add_format("blob", path)
        v.download("blob", tmp_path / "back.bin")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 * 2**20, f"peak {peak / 2**20:.0f} MiB for a 48 MiB file"
    with open(tmp_path / "back.bin", "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == v.format("blob").sha256
    with reading() as db:
        assert db.scalar(select(VersionFormat.size)) == 48 * 2**20
