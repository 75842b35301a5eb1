"""Test settings: the same services as production, only faster where it does not matter."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_READ_DOT_ENV", "0")  # tests never depend on a developer's .env
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("API_KEY", "test-api-key")
# Sidecars and relays started by parallel tests would fight over the fixed metrics ports; tests that need one
# choose a free port themselves.
os.environ.setdefault("SIDECAR_METRICS_PORT", "0")
os.environ.setdefault("RELAY_METRICS_PORT", "0")
# Not the development default, so servers started by tests may run with DEBUG off and accept the same JWTs.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-shared-by-tests-and-their-servers")

from .base import *  # noqa: E402, F403
from .base import CACHES  # noqa: E402

# Every test process (each xdist worker, each server a test starts) gets its own cache namespace; not via the
# environment, which xdist workers inherit from the controller.
# Processes a test starts (servers, sidecars) get the test's prefix, so they share its cache and its clean-up.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX") or (
    f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every process of one test run (xdist workers, servers the tests start) keeps its files under one temporary
# folder, which the process that made it removes at exit: a run leaves nothing in the temp directory.
if "TEST_TMP_ROOT" not in os.environ:
    os.environ["TEST_TMP_ROOT"] = tempfile.mkdtemp(prefix="test-run-")
    atexit.register(shutil.rmtree, os.environ["TEST_TMP_ROOT"], ignore_errors=True)
MEDIA_ROOT = tempfile.mkdtemp(prefix="test-media-", dir=os.environ["TEST_TMP_ROOT"])
STATIC_ROOT = tempfile.mkdtemp(prefix="test-static-", dir=os.environ["TEST_TMP_ROOT"])
# Local files, unless a test starts a server with MEDIA_STORAGE=s3 (a bucket on moto's server).
LOCAL_MEDIA = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": STORAGES["default"] if MEDIA_STORAGE == "s3" else LOCAL_MEDIA,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AUTH_THROTTLE_RATE = "10000/min"
# Servers started by tests run with DEBUG off and no collectstatic: whitenoise serves from the app finders.
WHITENOISE_USE_FINDERS = True
# Quiet, except in processes a test reads the log lines of (TEST_KEEP_LOGGING=1: the project's logging).
if os.environ.get("TEST_KEEP_LOGGING") != "1":
    LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Parallel test runs on one server (several checkouts, xdist workers) need distinct database names.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DB_NAME", "test_app")}  # noqa: F405
