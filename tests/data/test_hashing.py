"""sha256 of buffers and files, and read_hashed: the bytes returned are the bytes hashed."""

import hashlib

import numpy as np
import pytest

from assay.data import hashing
from assay.data.hashing import read_hashed, sha256_buffer, sha256_file
from assay.errors import InvalidArgument

PAYLOAD = b"assay\x00\xff" * 1000


def test_buffer_digest_matches_hashlib():
    assert sha256_buffer(PAYLOAD) == hashlib.sha256(PAYLOAD).hexdigest()


def test_buffer_digest_of_a_non_byte_view_is_of_its_bytes():
    arr = np.arange(12, dtype=np.int64).reshape(3, 4)
    assert sha256_buffer(arr) == hashlib.sha256(arr.tobytes()).hexdigest()
    assert sha256_buffer(memoryview(PAYLOAD)) == sha256_buffer(bytearray(PAYLOAD))


def test_empty_buffer_digest():
    assert sha256_buffer(b"") == hashlib.sha256(b"").hexdigest()


def test_buffer_and_file_digests_agree(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(PAYLOAD)
    assert sha256_file(path) == sha256_buffer(PAYLOAD)
    assert sha256_file(str(path)) == hashlib.sha256(PAYLOAD).hexdigest()


def test_chunked_digests_span_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(hashing, "CHUNK", 7)  # many chunks, the last one partial
    path = tmp_path / "blob.bin"
    path.write_bytes(PAYLOAD)
    expected = hashlib.sha256(PAYLOAD).hexdigest()
    assert sha256_buffer(PAYLOAD) == expected
    assert sha256_file(path) == expected


def test_different_bytes_differ():
    assert sha256_buffer(b"a") != sha256_buffer(b"b")


def test_read_hashed_returns_the_bytes_it_hashed(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(PAYLOAD)
    data, digest = read_hashed(path, "file_path")
    assert data == PAYLOAD
    assert digest == hashlib.sha256(PAYLOAD).hexdigest()


def test_read_hashed_missing_file_names_the_argument(tmp_path):
    missing = tmp_path / "missing.bin"
    with pytest.raises(InvalidArgument, match=r"my_arg '.*missing\.bin' cannot be read"):
        read_hashed(missing, "my_arg")


def test_read_hashed_folder_is_refused(tmp_path):
    with pytest.raises(InvalidArgument, match=r"folder_path .* cannot be read"):
        read_hashed(tmp_path, "folder_path")
