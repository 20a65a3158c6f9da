"""Deployment readiness: production settings pass Django's deploy checks, no pending
migrations, strict env parsing, and a docker-compose file that lints.

Settings are read once per process, so every case runs in a subprocess with its own
environment and its own (empty) env file instead of the developer's .env.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"

# Variables that settings.py reads; removed from the subprocess environment so that only
# what a test sets counts.
SETTINGS_VARIABLES = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_STATIC_ROOT",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_LOG_LEVEL",
    "DJANGO_ENV_FILE",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_TASK_TIME_LIMIT",
)


def _outside_env() -> dict[str, str]:
    """The test process's environment without anything Django or settings would read.

    Other tests' plugins set variables too (pytest-playwright sets
    DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy checks rightly flag).
    """
    return {
        key: value
        for key, value in os.environ.items()
        if key not in SETTINGS_VARIABLES and not key.startswith("DJANGO_")
    }


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = _outside_env()
    empty = tmp_path / "empty.env"
    empty.write_text("")
    env["DJANGO_ENV_FILE"] = str(empty)
    env.update(values)
    return env


def _production_env(tmp_path: Path, **values: str) -> dict[str, str]:
    production = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "rollout.example.de",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://rollout.example.de",
    }
    return _env(tmp_path, **{**production, **values})


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "manage.py", *args], env)


def _load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'rollout.settings'; "
        "from django.conf import settings; print(settings.DEBUG)"
    )
    return _run([sys.executable, "-c", code], env)


def test_production_settings_pass_the_deploy_checks(tmp_path: Path) -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_checks_flag_a_short_secret_key(tmp_path: Path) -> None:
    # The positive test above would pass with checks switched off; this one shows they run.
    env = _production_env(tmp_path, DJANGO_SECRET_KEY="too-short")

    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_no_model_change_is_missing_a_migration(tmp_path: Path) -> None:
    env = _env(tmp_path, DJANGO_DEBUG="true")

    result = _manage("makemigrations", "--check", "--dry-run", env=env)

    assert result.returncode == 0, f"Pending migrations:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "nonsense"),
        ("DJANGO_SECURE_HSTS_SECONDS", "one year"),
        ("DJANGO_SECURE_SSL_REDIRECT", "sometimes"),
        ("CELERY_TASK_TIME_LIMIT", "6min"),
    ],
)
def test_malformed_setting_raises_improperly_configured(
    tmp_path: Path, variable: str, value: str
) -> None:
    env = _production_env(tmp_path, **{variable: value})

    result = _load_settings(env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr or "DATABASE_URL" in result.stderr


def test_missing_secret_key_with_debug_off_is_an_error(tmp_path: Path) -> None:
    env = _env(tmp_path, DJANGO_DEBUG="false")

    result = _load_settings(env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_missing_secret_key_is_allowed_in_debug(tmp_path: Path) -> None:
    result = _load_settings(_env(tmp_path, DJANGO_DEBUG="true"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


# --- docker-compose ----------------------------------------------------------------------


@pytest.fixture
def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        message = "docker-compose missing (Debian package docker-compose)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def _compose(docker_compose: str, tmp_path: Path, *args: str, **values: str):  # type: ignore[no-untyped-def]
    # An empty --env-file: the developer's .env must not feed the substitution.
    empty = tmp_path / "compose.env"
    empty.write_text("")
    env = _outside_env()
    env.update(values)
    return _run([docker_compose, "--env-file", str(empty), *args], env)


def test_compose_file_is_valid(docker_compose: str, tmp_path: Path) -> None:
    result = _compose(
        docker_compose, tmp_path, "config", "-q", DJANGO_SECRET_KEY=secrets.token_urlsafe(50)
    )

    assert result.returncode == 0, result.stderr


def test_compose_defines_the_stack_from_one_image(docker_compose: str, tmp_path: Path) -> None:
    key = secrets.token_urlsafe(50)
    services = _compose(docker_compose, tmp_path, "config", "--services", DJANGO_SECRET_KEY=key)
    volumes = _compose(docker_compose, tmp_path, "config", "--volumes", DJANGO_SECRET_KEY=key)
    full = _compose(docker_compose, tmp_path, "config", DJANGO_SECRET_KEY=key)

    assert set(services.stdout.split()) == {"db", "redis", "web", "worker", "beat"}
    assert "db-data" in volumes.stdout.split()
    assert full.stdout.count("image: rollout-cockpit:latest") == 3
    assert full.stdout.count("healthcheck:") == 3
    assert f"DJANGO_SECRET_KEY: {key}" in full.stdout


def test_compose_refuses_to_start_without_a_secret_key(docker_compose: str, tmp_path: Path) -> None:
    result = _compose(docker_compose, tmp_path, "config", "-q")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
