"""MEDIA_STORAGE=s3: photos in S3-compatible object storage, tested against moto's server (a real HTTP endpoint)."""

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tests.pets.factories import image_bytes

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def s3_bucket(s3_endpoint, s3_new_bucket):
    client, name = s3_new_bucket
    options = {
        "bucket_name": name,
        "endpoint_url": s3_endpoint,
        "access_key": "test",
        "secret_key": "test",
        "region_name": "us-east-1",
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    storages = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield client, name


def keys(client, bucket: str) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_a_photo_goes_to_the_bucket_and_its_presigned_url_serves_it(key_client, s3_bucket):
    client, bucket = s3_bucket
    pet = key_client.post("/pets", {"name": "boy", "age": 7, "type": "dog"}, format="json").json()
    content = image_bytes("PNG")
    upload = key_client.post(
        f"/pets/{pet['id']}/photo", {"file": SimpleUploadedFile("a.png", content, "image/png")}, format="multipart"
    )
    assert upload.status_code == 201, upload.content
    url = upload.json()["url"]
    assert url.startswith(f"{client.meta.endpoint_url}/{bucket}/pets/")
    assert "X-Amz-Signature=" in url  # pre-signed: the bucket itself stays private
    (key,) = keys(client, bucket)
    with urllib.request.urlopen(url) as response:  # noqa: S310 - the loopback moto server
        assert response.read() == client.get_object(Bucket=bucket, Key=key)["Body"].read()
    listed = key_client.get("/pets").json()["items"][0]["photos"][0]["url"]
    assert listed.split("?")[0] == url.split("?")[0]


def test_deleting_pets_deletes_their_objects_after_the_commit(key_client, s3_bucket):
    client, bucket = s3_bucket
    pet = key_client.post("/pets", {"name": "cat", "age": 2, "type": "cat"}, format="json").json()
    for name in ("a.png", "b.png"):
        file = SimpleUploadedFile(name, image_bytes("PNG"), "image/png")
        assert key_client.post(f"/pets/{pet['id']}/photo", {"file": file}, format="multipart").status_code == 201
    assert len(keys(client, bucket)) == 2
    response = key_client.delete("/pets", {"ids": [pet["id"]]}, format="json")
    assert response.json()["deleted"] == 1
    assert keys(client, bucket) == set()
    assert not default_storage.exists(f"pets/{pet['id']}.png")


def test_an_unknown_media_storage_is_refused_at_start():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DJANGO_READ_DOT_ENV": "0",
            "DEBUG": "1",
            "MEDIA_STORAGE": "ftp",
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MEDIA_STORAGE must be local or s3" in result.stderr
