"""Where an S3 evidence bucket is: parsed from the settings, with errors that say what to write."""

import re
from pathlib import Path

import pytest

from server.settings import Settings, SettingsError
from server.uploads.evidence.base import content_key
from server.uploads.evidence.directory import DirectoryBackend
from server.uploads.evidence.s3 import S3Location
from server.uploads.storage import evidence_store


def test_bucket_prefix_and_endpoint_are_parsed() -> None:
    location = S3Location("s3://evidence/samarkand/", "http://10.0.0.5:9000", "us-east-1")
    assert (location.bucket, location.host, location.secure) == ("evidence", "10.0.0.5:9000", False)
    assert location.key(content_key("ab" * 32)) == f"samarkand/sha256/ab/{'ab' * 32}"


def test_no_endpoint_means_aws_over_https() -> None:
    location = S3Location("s3://evidence", "", "")
    assert (location.host, location.secure, location.region) == ("s3.amazonaws.com", True, None)
    assert location.key("x") == "x"


@pytest.mark.parametrize(
    ("url", "endpoint", "says"),
    [
        ("https://evidence/x", "", "s3://bucket/prefix"),
        ("s3://", "", "s3://bucket/prefix"),
        ("s3://evidence", "minio:9000", "http(s)://host[:port]"),
    ],
)
def test_a_wrong_address_is_a_settings_error(url: str, endpoint: str, says: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(says)):
        S3Location(url, endpoint, "")


def test_without_a_bucket_evidence_stays_in_the_directory(tmp_path: Path) -> None:
    store = evidence_store(Settings(data_dir=str(tmp_path)))
    assert isinstance(store.backend, DirectoryBackend)
