"""Where case files' content lives: one object per SHA-256, on the filesystem or in S3.

Content-addressed, so writing the same content twice writes the same object, a retried
upload is harmless, and a reader can check what it got against the hash that named it. A
write is whole or absent: the filesystem store renames a finished temporary file into place,
S3 stores an object only once its upload completed.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from core.settings import Settings

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FileStoreError(Exception):
    """The store could not be reached or refused the request."""


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _checked(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError("not a SHA-256 in lower-case hex")
    return sha256


class FileStore(Protocol):
    def put(self, content: bytes) -> str:
        """Stores the content under its SHA-256 and returns the hash."""
        ...

    def get(self, sha256: str) -> bytes | None:
        """The content stored under the hash; None if there is none."""
        ...

    def exists(self, sha256: str) -> bool: ...


class LocalFileStore:
    """Files under one directory, fanned out by the hash's first two bytes (`ab/cd/abcd…`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        sha256 = _checked(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        sha256 = sha256_of(content)
        target = self.path(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return sha256

    def get(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()


class S3FileStore:
    """Objects `PREFIX<sha256>` in one bucket of any S3-compatible store."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def key(self, sha256: str) -> str:
        return f"{self.prefix}{_checked(sha256)}"

    def put(self, content: bytes) -> str:
        sha256 = sha256_of(content)
        if self.exists(sha256):
            return sha256
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=content)
        except Exception as err:
            raise FileStoreError(
                f"the object store refused the write: {type(err).__name__}"
            ) from err
        return sha256

    def get(self, sha256: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except self.client.exceptions.NoSuchKey:
            return None
        except Exception as err:
            raise FileStoreError(
                f"the object store refused the read: {type(err).__name__}"
            ) from err
        body: bytes = answer["Body"].read()
        return body

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as err:
            if _status(err) == 404:
                return False
            raise FileStoreError(f"the object store did not answer: {type(err).__name__}") from err
        return True


def _status(err: Exception) -> int | None:
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def s3_client(settings: Settings) -> Any:
    import boto3
    from botocore.config import Config

    secret = settings.s3_secret_access_key
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
    )


def file_store(settings: Settings) -> FileStore:
    """The store the settings name."""
    if settings.file_store == "s3":
        if not settings.s3_bucket:
            raise ValueError("FILE_STORE=s3 needs S3_BUCKET")
        return S3FileStore(s3_client(settings), settings.s3_bucket, settings.s3_prefix)
    return LocalFileStore(settings.files_root)
