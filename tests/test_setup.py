"""The two-command setup: Makefile, .env handling, service wrapper, documented settings."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import get_commands

from rollout.env import read_dotenv

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "rollout" / "settings.py"


def _settings_variables() -> set[str]:
    text = SETTINGS.read_text(encoding="utf-8")
    names = set(re.findall(r'env\.(?:str|bool|int|list|required)\(\s*"([A-Z0-9_]+)"', text))
    names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z0-9_]+)"', text))
    return names


def test_settings_variables_are_found() -> None:
    # Guards the two tests below against a regex that silently finds nothing.
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= (
        _settings_variables()
    )


def test_every_setting_is_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))

    assert _settings_variables() - documented == set()


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    in_table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))

    assert _settings_variables() - in_table == set()


def test_env_example_only_sets_debug_and_secret() -> None:
    # Everything else is commented out: an empty value would override a default
    # (an empty DJANGO_ALLOWED_HOSTS would refuse every host).
    values = read_dotenv(ROOT / ".env.example")

    assert values == {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": ""}


def _clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_TASK"))}
    env.update(values)
    return env


def test_written_dotenv_gives_a_working_debug_setup(tmp_path: Path) -> None:
    target = tmp_path / "dev.env"

    subprocess.run([sys.executable, "scripts/write-dotenv.py", str(target)], cwd=ROOT, check=True)

    values = read_dotenv(target)
    assert values["DJANGO_DEBUG"] == "true"
    assert len(values["DJANGO_SECRET_KEY"]) >= 50
    assert target.stat().st_mode & 0o077 == 0, "the secret must not be world-readable"
    probe = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'rollout.settings'; "
        "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_clean_env(DJANGO_ENV_FILE=str(target)),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["True", values["DJANGO_SECRET_KEY"]]


def test_an_existing_dotenv_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "dev.env"
    target.write_text("DJANGO_DEBUG=false\nDJANGO_SECRET_KEY=mine\n")

    subprocess.run([sys.executable, "scripts/write-dotenv.py", str(target)], cwd=ROOT, check=True)

    assert target.read_text() == "DJANGO_DEBUG=false\nDJANGO_SECRET_KEY=mine\n"


# --- Makefile ---------------------------------------------------------------------------

MAKE_TARGETS = ("setup", "demo", "test", "check", "bench", "worker", "beat", "fmt", "lint")


@pytest.fixture
def make() -> str:
    path = shutil.which("make")
    if path is None:
        pytest.skip("make is not installed")
    return path


def test_make_without_target_lists_the_targets(make: str) -> None:
    result = subprocess.run([make], cwd=ROOT, capture_output=True, text=True, check=True)

    listed = dict(re.findall(r"^\s+([a-z-]+)\s+(\S.*)$", result.stdout, flags=re.MULTILINE))
    for target in MAKE_TARGETS:
        assert listed.get(target), f"make help does not describe {target}"


def test_make_setup_runs_the_imports_in_order(make: str) -> None:
    result = subprocess.run(
        [make, "-n", "setup"], cwd=ROOT, capture_output=True, text=True, check=True
    )

    commands = re.findall(r"manage\.py (\w+)", result.stdout)
    assert commands == [
        "migrate",
        "import_gemeindeverzeichnis",
        "import_grenzen",
        "import_programm",
        "zustaendigkeiten_aufloesen",
        "import_checkliste",
        "onboardings_abgleichen",
        "seed_demo",
        "coverage",
    ]


def test_every_management_command_in_the_makefile_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\(MANAGE\) (\w+)", makefile))

    assert used, "no manage.py command found in the Makefile"
    assert used - set(get_commands()) == set()


@pytest.mark.parametrize(
    "script",
    [".ci/run", "scripts/install-system-deps.sh", "scripts/with-services.sh"],
)
def test_shell_scripts_parse(script: str) -> None:
    subprocess.run(["bash", "-n", script], cwd=ROOT, check=True)
    shellcheck = shutil.which("shellcheck")
    if shellcheck:
        result = subprocess.run(
            [shellcheck, script], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout


# --- scripts/with-services.sh -----------------------------------------------------------


def _answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def test_with_services_starts_and_stops_throwaway_servers(tmp_path: Path) -> None:
    out = tmp_path / "urls"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["ROLLOUT_FRESH_SERVICES"] = "1"
    # The command reports what it got, proves both servers answer, and fails on purpose.
    command = (
        f'echo "$DATABASE_URL $REDIS_URL" > {out}; '
        'psql "$DATABASE_URL" -Atc "SELECT 1" && redis-cli -u "$REDIS_URL" ping && exit 7'
    )

    result = subprocess.run(
        ["scripts/with-services.sh", "bash", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 7, result.stderr
    assert "PONG" in result.stdout
    database_url, redis_url = out.read_text().split()
    pg, redis = urlsplit(database_url), urlsplit(redis_url)
    assert pg.scheme == "postgres"
    assert pg.port != 5432
    assert redis.port != 6379
    assert not _answers("127.0.0.1", pg.port), "PostgreSQL still running"
    assert not _answers("127.0.0.1", redis.port), "Redis still running"


def test_with_services_keeps_given_urls(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(DATABASE_URL="postgres://given/db", REDIS_URL="redis://given:1/0")

    result = subprocess.run(
        ["scripts/with-services.sh", "bash", "-c", 'echo "$DATABASE_URL $REDIS_URL"'],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )

    assert result.stdout.split() == ["postgres://given/db", "redis://given:1/0"]
