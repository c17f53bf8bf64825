import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """A local S3-compatible server (moto's server mode) in its own process: real HTTP, no mocks."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("moto server did not start")
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_media(settings, s3_server, monkeypatch):
    """Media in a fresh bucket on the local S3 server, configured the way production is: from
    the environment variables in README's settings table, read by config/settings.py."""
    import boto3

    bucket = f"media-{time.monotonic_ns()}"
    environment = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    configured = runpy.run_path(str(Path(settings.BASE_DIR) / "config" / "settings.py"))
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    settings.MEDIA_STORAGE = "s3"
    settings.MEDIA_ORIGIN = configured["MEDIA_ORIGIN"]
    settings.STORAGES = {**settings.STORAGES, "default": configured["STORAGES"]["default"]}
    client.bucket = bucket
    client.configured = configured
    yield client
    # Close pooled connections now: left to the garbage collector they warn (as errors) later.
    from django.core.files.storage import storages

    storages["default"].connection.meta.client.close()
    client.close()
