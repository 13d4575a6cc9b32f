import hashlib

import pytest
from sqlalchemy import select

from assay.errors import DataChanged
from assay.registry import FileChunk, Registry, StoredFile, storage
from assay.registry.storage import registry_dir
from assay.store import reading
from tests.registry.conftest import txt

pytestmark = pytest.mark.usefixtures("test_formats")


def stored():
    with reading() as db:
        return list(db.scalars(select(StoredFile)))


def test_files_go_to_the_local_folder_or_into_postgresql(backend, monkeypatch):
    monkeypatch.setattr(storage, "CHUNK", 4)  # several chunks from a small file
    v = Registry().create_model("churn").create_version(formats={"txt": txt("chunked")})
    (row,) = stored()
    digest = hashlib.sha256(txt("chunked")).hexdigest()
    assert row.sha256 == digest
    with reading() as db:
        chunks = list(db.scalars(select(FileChunk.idx).order_by(FileChunk.idx)))
    if backend.startswith("sqlite"):
        assert row.store == "local"
        assert (registry_dir() / digest).read_bytes() == txt("chunked")
        assert chunks == []
    else:
        assert row.store == "db"
        assert chunks == list(range(5))  # 17 bytes in chunks of 4
        assert [p.name for p in registry_dir().iterdir()] == []
    assert v.download("txt") == txt("chunked")


@pytest.mark.usefixtures("backend")
@pytest.mark.parametrize("scheme", ["file", "memory"])
def test_an_artifact_url_holds_the_files(scheme, tmp_path, monkeypatch):
    url = f"file://{tmp_path / 'shared'}" if scheme == "file" else "memory://assay-test"
    monkeypatch.setenv("ASSAY_ARTIFACT_URL", url)
    m = Registry().create_model("churn")
    v = m.create_version(formats={"txt": txt()})
    (row,) = stored()
    assert row.store == url
    shared = storage.UrlStore(url)
    assert shared.fs.exists(f"{shared.root}/{row.sha256}")
    assert list(registry_dir().iterdir()) == []
    monkeypatch.delenv("ASSAY_ARTIFACT_URL")  # the row says where the file is
    assert v.download("txt") == txt()
    shared.fs.pipe_file(f"{shared.root}/{row.sha256}", b"changed")
    with pytest.raises(DataChanged, match="is corrupt"):
        v.download("txt")
    m.delete()
    assert not shared.fs.exists(f"{shared.root}/{row.sha256}")
    assert stored() == []


def test_a_file_missing_from_its_local_folder_is_reported():
    v = Registry().create_model("churn").create_version(formats={"txt": txt()})
    (registry_dir() / v.format("txt").sha256).unlink()
    with pytest.raises(DataChanged, match=r"is missing from its store \(local\)"):
        v.download("txt")
    w = v.model.create_version(formats={"txt": txt()})  # the same content files it again
    assert w.download("txt") == v.download("txt") == txt()
