"""The file store on the filesystem: content-addressed, whole or absent."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from unittest import mock

import pytest

from core.settings import Settings
from store.files import LocalFileStore, file_store

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def test_a_file_is_stored_under_its_sha256_and_read_back(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    sha256 = store.put(PDF)
    assert sha256 == hashlib.sha256(PDF).hexdigest()
    assert store.exists(sha256)
    assert store.get(sha256) == PDF
    assert store.path(sha256) == tmp_path / sha256[:2] / sha256[2:4] / sha256


def test_the_same_content_twice_is_one_object(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    assert store.put(PDF) == store.put(PDF)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [store.path(store.put(PDF))]


def test_an_unknown_hash_is_none_and_a_malformed_one_is_refused(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    assert store.get("0" * 64) is None
    assert not store.exists("0" * 64)
    for bad in ("../../etc/passwd", "A" * 64, "0" * 63):
        with pytest.raises(ValueError):
            store.get(bad)


def test_a_write_that_fails_midway_leaves_no_file(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    with mock.patch.object(os, "replace", side_effect=OSError("disk gone")):
        with pytest.raises(OSError):
            store.put(PDF)
    assert not store.exists(hashlib.sha256(PDF).hexdigest())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_default_store_is_the_filesystem_under_the_var_dir(tmp_path: Path) -> None:
    store = file_store(Settings(var_dir=tmp_path))
    assert isinstance(store, LocalFileStore) and store.root == tmp_path / "files"


def test_an_s3_store_without_a_bucket_does_not_start() -> None:
    with pytest.raises(ValueError, match="S3_BUCKET"):
        file_store(Settings(file_store="s3"))
