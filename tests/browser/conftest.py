"""Browser test harness: Playwright driving Debian's Chromium against pytest-django's
live server.

- Chromium is the system one (``/usr/bin/chromium``); ``playwright install`` is never used.
- Every request that leaves 127.0.0.1/localhost is aborted and fails the test.
- ``assert_no_axe_violations(page)`` runs the vendored axe-core with the WCAG 2.1 A/AA rules.
- ``angemeldete_seite`` is a page whose browser context carries a logged-in session.
- ``screenshot(page, name)`` writes ``test-artifacts/screenshots/<name>.png``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in
# a thread with a running loop unless told that this is safe (the calls are sequential).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
ERLAUBTE_HOSTS = {"127.0.0.1", "localhost"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORT = "browser-pass-123"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this directory is a browser test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # Date inputs and number formats as a German user sees them.
            "--lang=de-DE",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # A tablet-to-laptop width; German locale so date inputs and sorting look as users see.
    return {
        **browser_context_args,
        "locale": "de-DE",
        "timezone_id": "Europe/Berlin",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def context(context):  # type: ignore[no-untyped-def]
    """The browser context with the network guard: only the local live server is reachable."""
    blockiert: list[str] = []

    def waechter(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname in ERLAUBTE_HOSTS:
            route.continue_()
        else:
            blockiert.append(f"{route.request.method} {url}")
            route.abort()

    context.route("**/*", waechter)
    yield context
    if blockiert:
        pytest.fail("Requests outside 127.0.0.1/localhost:\n" + "\n".join(blockiert))


def assert_no_axe_violations(page, *, name: str = "") -> None:  # type: ignore[no-untyped-def]
    """Run axe-core (WCAG 2.1 A + AA) on the current page and fail listing every violation."""
    page.add_script_tag(path=str(AXE_JS))
    ergebnis = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        WCAG_TAGS,
    )
    if ergebnis:
        zeilen = [f"axe: {len(ergebnis)} violation(s) on {name or page.url}"]
        for v in ergebnis:
            zeilen.append(f"- [{v['impact']}] {v['id']}: {v['help']}")
            zeilen.extend(f"    {node}" for node in v["nodes"][:10])
        pytest.fail("\n".join(zeilen))


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pfad = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(pfad), full_page=True)
    return pfad


@pytest.fixture
def browser_user(django_user_model):  # type: ignore[no-untyped-def]
    from accounts.models import Rolle

    return django_user_model.objects.create_user(
        username="browser",
        password=PASSWORT,
        first_name="Bea",
        last_name="Browser",
        rolle=Rolle.MINISTERIUM,
    )


@pytest.fixture
def angemeldete_seite(page, live_server, browser_user) -> Iterator:  # type: ignore[no-untyped-def]
    """A page whose context carries the session of ``browser_user`` (cookie injected)."""
    from django.test import Client

    client = Client()
    client.force_login(browser_user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page
