"""A real S3-protocol server for the storage tests: moto's server mode on a free port of 127.0.0.1, spoken to over
HTTP by boto3 exactly as AWS S3 or MinIO would be."""

import uuid

import pytest


@pytest.fixture(scope="session")
def s3_server():
    """moto's threaded server, one for the run; yields its endpoint URL."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_options(endpoint: str, bucket: str) -> dict:
    """What config/settings/base.py gives the storage with STORAGE_BACKEND=s3 and these variables."""
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": "eu-west-2",
        "access_key": "test-access-key",
        "secret_key": "test-secret-key",
        "default_acl": None,
        "querystring_auth": False,
        "file_overwrite": False,
        "location": "",
        "addressing_style": "path",
    }


@pytest.fixture
def s3_bucket(s3_server):
    """A new, empty bucket on the server for each test; yields (endpoint, bucket name, boto3 client)."""
    import boto3  # type: ignore[import-untyped]  # no stubs

    bucket = f"council-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-west-2",
        aws_access_key_id="test-access-key",
        aws_secret_access_key="test-secret-key",  # moto accepts any key
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return s3_server, bucket, client


@pytest.fixture
def s3_storage(settings, s3_bucket):
    """The default storage switched to the S3 backend on the test's bucket (Django resets default_storage when
    STORAGES changes); yields the boto3 client, to look in the bucket directly."""
    endpoint, bucket, client = s3_bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "commissioning.storage.CouncilS3Storage", "OPTIONS": s3_options(endpoint, bucket)},
    }
    return client, bucket
