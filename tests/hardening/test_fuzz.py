"""Schemathesis against the live OpenAPI document of a running gunicorn, every operation, strict checks.

`make test` runs a bounded number of examples (FUZZ_MAX_EXAMPLES, default 20); `make fuzz` a longer run.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.config.factories import DEFAULT_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(600)
def test_every_operation_survives_generated_requests(live_gunicorn, tmp_path):
    user = UserFactory(username="fuzzer")
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.hardening.schemathesis_hooks",
        "FUZZ_BASE_URL": live_gunicorn,
        "FUZZ_USERNAME": user.username,
        "FUZZ_PASSWORD": DEFAULT_PASSWORD,
        "FUZZ_API_KEY": settings.API_KEY,
        "PYTHONPATH": str(ROOT),
    }
    report = tmp_path / "report"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"{live_gunicorn}/schema",
            "--checks",
            CHECKS,
            "--max-examples",
            os.environ.get("FUZZ_MAX_EXAMPLES", "20"),
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "2",
            "--request-timeout",
            "60",
            "--suppress-health-check",
            "all",
            "--seed",
            os.environ.get("FUZZ_SEED", "20261123"),
            "--report",
            "junit",
            "--report-dir",
            str(report),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=580,
        check=False,
    )
    summary = result.stdout[-6000:]
    print(summary)  # noqa: T201 - the summary (request counts, findings) is what `make fuzz` shows
    assert result.returncode == 0, summary + result.stderr[-3000:]
