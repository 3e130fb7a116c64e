"""The file store on S3, against a real S3-protocol server on loopback (moto's standalone
server, in a thread of this process, on a free port)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from core.settings import Settings
from store.files import FileStoreError, S3FileStore, file_store
from tests.receivers import free_port

moto_server = pytest.importorskip("moto.server")

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def settings_for(endpoint: str, bucket: str) -> Settings:
    return Settings(
        file_store="s3",
        s3_bucket=bucket,
        s3_endpoint_url=endpoint,
        s3_region="us-east-1",
        s3_access_key_id="test-key",
        s3_secret_access_key=SecretStr("test-secret"),
        s3_prefix="case-files/",
    )


@pytest.fixture
def store(s3_endpoint: str, request: pytest.FixtureRequest) -> S3FileStore:
    bucket = f"cases-{abs(hash(request.node.name)) % 10**8}"
    built = file_store(settings_for(s3_endpoint, bucket))
    assert isinstance(built, S3FileStore)
    built.client.create_bucket(Bucket=bucket)
    return built


def test_a_file_round_trips_through_the_object_store(store: S3FileStore) -> None:
    sha256 = store.put(PNG)
    assert sha256 == hashlib.sha256(PNG).hexdigest()
    assert store.exists(sha256)
    assert store.get(sha256) == PNG
    listed = store.client.list_objects_v2(Bucket=store.bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"case-files/{sha256}"]


def test_the_same_content_twice_is_one_object(store: S3FileStore) -> None:
    assert store.put(PNG) == store.put(PNG)
    assert store.client.list_objects_v2(Bucket=store.bucket)["KeyCount"] == 1


def test_an_unknown_hash_is_none(store: S3FileStore) -> None:
    assert store.get("0" * 64) is None
    assert not store.exists("0" * 64)


def test_a_missing_bucket_is_a_store_error(s3_endpoint: str) -> None:
    missing = file_store(settings_for(s3_endpoint, "no-such-bucket"))
    with pytest.raises(FileStoreError):
        missing.put(PNG)
