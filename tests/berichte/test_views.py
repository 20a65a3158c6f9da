"""The report archive page, the on-demand request with its polled status, the download."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Rolle
from berichte.models import Bericht
from kommunen.models import Land
from tests.berichte.hilfen import letzter_sonntag, stichtag_einfrieren

pytestmark = pytest.mark.django_db

Status = Bericht.Status
LISTE = reverse("berichte:liste")
ANFORDERN = reverse("berichte:anfordern")
HX = {"HTTP_HX_REQUEST": "true"}


def _archiviert(scope: str, stichtag: dt.date, **felder) -> Bericht:  # type: ignore[no-untyped-def]
    inhalt = felder.pop("inhalt", f"%PDF-1.7\n% {scope} {stichtag}\n".encode())
    werte = {
        "status": Status.FERTIG,
        "pdf": inhalt,
        "groesse": len(inhalt),
        "sha256": hashlib.sha256(inhalt).hexdigest(),
        "datenstand": "Ereignisse bis #42, Gebietsstand 31.12.2025",
        "angefordert_am": timezone.now(),
        "erzeugt_am": timezone.now(),
        "fertig_am": timezone.now(),
    }
    werte.update(felder)
    land = None if scope == "national" else Land.objects.get(kurz=scope)
    return Bericht.objects.create(scope=scope, land=land, stichtag=stichtag, **werte)


def _client(django_user_model, name: str, rolle: str, land: str | None = None) -> Client:  # type: ignore[no-untyped-def]
    user = django_user_model.objects.create_user(
        username=name,
        password="x-123-abc",
        rolle=rolle,
        land=Land.objects.get(kurz=land) if land else None,
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_he(django_user_model) -> Client:  # type: ignore[no-untyped-def]
    return _client(django_user_model, "min-he", Rolle.MINISTERIUM, "HE")


@pytest.fixture
def client_gu(django_user_model) -> Client:  # type: ignore[no-untyped-def]
    return _client(django_user_model, "gu", Rolle.GU_PROGRAMMBUERO)


@pytest.fixture
def stichtag() -> dt.date:
    return stichtag_einfrieren()


# --- list page --------------------------------------------------------------------------------


def test_page_lists_archived_reports_per_scope_with_download(client_ministerium, stichtag):  # type: ignore[no-untyped-def]
    national = _archiviert("national", stichtag, inhalt=b"%PDF-1.7\n" + b"x" * 2000)
    _archiviert("BY", stichtag - dt.timedelta(weeks=1))
    response = client_ministerium.get(LISTE)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" in html
    for name in ("Bund (national)", "Bayern", "Hessen"):
        assert f">{name}</h2>" in html
    assert "Niedersachsen" not in html  # participates, but without a commitment: no report
    assert f'href="/berichte/{national.pk}/pdf/"' in html
    assert f"{stichtag:%d.%m.%Y}" in html
    jahr, woche, _ = stichtag.isocalendar()
    assert f"KW {woche:02d}/{jahr}" in html
    assert national.sha256[:12] + "…" in html
    assert national.sha256 in html  # the full checksum behind the toggle
    assert "2,0\xa0KB" in html  # 2,009 bytes, German decimal comma
    assert "Ereignisse bis #42, Gebietsstand 31.12.2025" in html
    # The request form offers every scope and the stored frozen Stichtage.
    assert '<option value="national"' in html
    assert f'<option value="{stichtag.isoformat()}"' in html


def test_htmx_request_returns_only_the_archive_fragment(client_ministerium, stichtag):  # type: ignore[no-untyped-def]
    _archiviert("HE", stichtag)
    response = client_ministerium.get(LISTE, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="berichte-inhalt">')
    assert "Hessen" in html


def test_wrong_methods_are_refused(client_ministerium, stichtag):  # type: ignore[no-untyped-def]
    bericht = _archiviert("BY", stichtag)
    assert client_ministerium.post(LISTE).status_code == 405
    assert client_ministerium.get(ANFORDERN).status_code == 405
    assert client_ministerium.post(reverse("berichte:status", args=[bericht.pk])).status_code == 405
    assert client_ministerium.post(reverse("berichte:pdf", args=[bericht.pk])).status_code == 405


def test_anonymous_user_is_sent_to_login(client_anon, stichtag):  # type: ignore[no-untyped-def]
    bericht = _archiviert("BY", stichtag)
    for url in (LISTE, reverse("berichte:pdf", args=[bericht.pk])):
        response = client_anon.get(url)
        assert response.status_code == 302
        assert "/konto/anmelden/" in response["Location"]


def test_land_user_sees_only_its_land_and_gets_404_for_foreign_reports(client_he, stichtag):  # type: ignore[no-untyped-def]
    fremd = [_archiviert("national", stichtag), _archiviert("BY", stichtag)]
    eigen = _archiviert("HE", stichtag)
    html = client_he.get(LISTE).content.decode()
    assert ">Hessen</h2>" in html
    assert "Bund (national)" not in html
    assert "Bayern" not in html
    assert f"/berichte/{eigen.pk}/pdf/" in html
    assert '<option value="national"' not in html
    assert '<option value="HE"' in html
    for bericht in fremd:
        assert client_he.get(reverse("berichte:pdf", args=[bericht.pk])).status_code == 404
        assert client_he.get(reverse("berichte:status", args=[bericht.pk]), **HX).status_code == 404
    assert client_he.get(reverse("berichte:pdf", args=[eigen.pk])).status_code == 200


def test_list_page_query_count_does_not_grow_with_the_archive(
    client_ministerium, stichtag, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    for woche in range(6):
        for scope in ("national", "BY", "HE"):
            _archiviert(scope, stichtag - dt.timedelta(weeks=woche))
    client_ministerium.get(LISTE)  # warm the session/user lookups
    # session, user, participating Länder, their names, reports, frozen Stichtage
    with django_assert_num_queries(6):
        response = client_ministerium.get(LISTE)
    assert response.content.decode().count("PDF herunterladen") == 18


# --- download ---------------------------------------------------------------------------------


def test_download_serves_the_archived_bytes_with_a_telling_filename(client_ministerium):  # type: ignore[no-untyped-def]
    tag = letzter_sonntag()
    bericht = _archiviert("BY", tag)
    response = client_ministerium.get(reverse("berichte:pdf", args=[bericht.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="steuerungsbericht-BY-{tag:%Y-%m-%d}.pdf"'
    )
    assert response.content == bytes(bericht.pdf)
    assert response["ETag"] == f'"{bericht.sha256}"'


def test_download_of_a_report_without_pdf_is_404(client_ministerium, stichtag):  # type: ignore[no-untyped-def]
    bericht = Bericht.objects.create(
        scope="HE",
        land=Land.objects.get(kurz="HE"),
        stichtag=stichtag,
        status=Status.FEHLER,
        fehler="Kein eingefrorener Stand.",
        angefordert_am=timezone.now(),
    )
    assert client_ministerium.get(reverse("berichte:pdf", args=[bericht.pk])).status_code == 404


# --- request on demand --------------------------------------------------------------------------


def test_htmx_request_shows_the_row_polling_until_done(
    client_ministerium, stichtag, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_ministerium.post(
            ANFORDERN, {"scope": "BY", "stichtag": stichtag.isoformat()}, **HX
        )
    assert response.status_code == 200
    bericht = Bericht.objects.get(scope="BY", stichtag=stichtag)
    assert bericht.status == Status.ANGEFORDERT
    assert len(callbacks) == 1
    html = response.content.decode()
    assert "<html" not in html
    assert f'hx-get="/berichte/{bericht.pk}/status/"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "angefordert" in html
    # The same request again: nothing new.
    with django_capture_on_commit_callbacks() as callbacks:
        again = client_ministerium.post(
            ANFORDERN, {"scope": "BY", "stichtag": stichtag.isoformat()}, **HX
        )
    assert again.status_code == 200
    assert callbacks == []
    assert Bericht.objects.count() == 1


def test_request_without_javascript_redirects_to_the_list(
    client_ministerium, stichtag, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks():
        response = client_ministerium.post(
            ANFORDERN, {"scope": "national", "stichtag": stichtag.isoformat()}
        )
    assert response.status_code == 302
    assert response["Location"] == LISTE
    seite = client_ministerium.get(LISTE).content.decode()
    assert "Steuerungsbericht Bund (national)" in seite
    assert "angefordert" in seite


def test_request_for_an_unfrozen_day_or_a_foreign_scope_is_refused_with_a_message(
    client_ministerium, client_he, stichtag
):  # type: ignore[no-untyped-def]
    ohne = (stichtag - dt.timedelta(weeks=3)).isoformat()
    response = client_ministerium.post(ANFORDERN, {"scope": "BY", "stichtag": ohne}, **HX)
    assert response.status_code == 422
    assert "Für diesen Tag gibt es keinen eingefrorenen Stichtag." in response.content.decode()
    response = client_he.post(ANFORDERN, {"scope": "BY", "stichtag": stichtag.isoformat()})
    assert response.status_code == 422
    assert "Diesen Bericht dürfen Sie nicht anfordern." in response.content.decode()
    assert "<html" in response.content.decode()
    assert not Bericht.objects.exists()


def test_read_only_roles_cannot_request(client_gu, stichtag):  # type: ignore[no-untyped-def]
    response = client_gu.post(ANFORDERN, {"scope": "BY", "stichtag": stichtag.isoformat()})
    assert response.status_code == 403
    assert not Bericht.objects.exists()
    assert "Bericht erzeugen" not in client_gu.get(LISTE).content.decode()


# --- status polling ---------------------------------------------------------------------------


def test_status_keeps_polling_while_running_and_stops_with_286_when_done(
    client_ministerium, stichtag
):  # type: ignore[no-untyped-def]
    bericht = _archiviert(
        "HE", stichtag, status=Status.LAEUFT, begonnen_am=timezone.now(), pdf=None, sha256=""
    )
    url = reverse("berichte:status", args=[bericht.pk])
    laufend = client_ministerium.get(url, **HX)
    assert laufend.status_code == 200
    assert 'hx-trigger="every 2s"' in laufend.content.decode()
    assert "wird erzeugt" in laufend.content.decode()

    inhalt = b"%PDF-1.7\nfertig\n"
    Bericht.objects.filter(pk=bericht.pk).update(
        status=Status.FERTIG, pdf=inhalt, sha256=hashlib.sha256(inhalt).hexdigest()
    )
    fertig = client_ministerium.get(url, **HX)
    assert fertig.status_code == 286
    html = fertig.content.decode()
    assert "hx-trigger" not in html
    assert f"/berichte/{bericht.pk}/pdf/" in html
    assert html.lstrip().startswith(f'<tr class="kern-table__row" id="bericht-{bericht.pk}"')
    assert "HX-Request" in fertig["Vary"]


def test_status_of_a_failed_run_shows_the_error_and_stops_polling(client_ministerium, stichtag):  # type: ignore[no-untyped-def]
    bericht = _archiviert("BY", stichtag, status=Status.FEHLER, fehler="Kein Stand für Bayern.")
    response = client_ministerium.get(reverse("berichte:status", args=[bericht.pk]), **HX)
    assert response.status_code == 286
    html = response.content.decode()
    assert "Kein Stand für Bayern." in html
    assert "Archiviert bleibt die Fassung vom" in html  # the previous PDF stays downloadable
    assert f"/berichte/{bericht.pk}/pdf/" in html


def test_status_of_a_lost_run_stops_polling_and_says_so(client_ministerium, stichtag):  # type: ignore[no-untyped-def]
    bericht = _archiviert(
        "BY",
        stichtag,
        status=Status.LAEUFT,
        begonnen_am=timezone.now() - dt.timedelta(hours=1),
        pdf=None,
        sha256="",
    )
    response = client_ministerium.get(reverse("berichte:status", args=[bericht.pk]), **HX)
    assert response.status_code == 286
    assert "Bitte erneut anfordern." in response.content.decode()


def test_status_without_htmx_leads_to_the_list(client_ministerium, stichtag):  # type: ignore[no-untyped-def]
    bericht = _archiviert("BY", stichtag)
    response = client_ministerium.get(reverse("berichte:status", args=[bericht.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{LISTE}#bericht-{bericht.pk}"


# --- embedded default and broker trouble ------------------------------------------------------


@pytest.fixture
def im_prozess():  # type: ignore[no-untyped-def]
    """The embedded default: no REDIS_URL, so tasks run in-process (``task_always_eager``)."""
    from rollout.celery import app

    vorher = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = vorher


# Transactional: the after-commit enqueue runs when the request's transaction commits,
# before the view renders its answer, as in production.
@pytest.mark.django_db(transaction=True)
def test_embedded_default_generates_in_process_during_the_request(
    client_ministerium, stichtag, im_prozess
):  # type: ignore[no-untyped-def]
    response = client_ministerium.post(
        ANFORDERN, {"scope": "BY", "stichtag": stichtag.isoformat()}, **HX
    )
    bericht = Bericht.objects.get(scope="BY", stichtag=stichtag)
    assert bericht.status == Status.FERTIG, bericht.fehler
    html = response.content.decode()
    assert "erzeugt und archiviert" in html
    assert f"/berichte/{bericht.pk}/pdf/" in html
    assert 'hx-trigger="every 2s"' not in html
    download = client_ministerium.get(reverse("berichte:pdf", args=[bericht.pk]))
    assert download.content.startswith(b"%PDF-")


@pytest.fixture
def broker_weg():  # type: ignore[no-untyped-def]
    """A broker URL nobody listens on (Redis down)."""
    import socket

    from rollout.celery import app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    vorher = app.conf.broker_url, app.conf.task_always_eager

    def setzen(url: str, eager: bool) -> None:
        app.conf.broker_url = url
        app.conf.task_always_eager = eager
        app._pool = None  # connections are pooled per broker URL
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    setzen(f"redis://127.0.0.1:{port}/0", False)
    yield
    setzen(*vorher)


@pytest.mark.django_db(transaction=True)
def test_unreachable_broker_marks_the_request_failed_with_a_clear_message(
    client_ministerium, stichtag, broker_weg
):  # type: ignore[no-untyped-def]
    response = client_ministerium.post(
        ANFORDERN, {"scope": "HE", "stichtag": stichtag.isoformat()}, **HX
    )
    assert response.status_code == 200
    bericht = Bericht.objects.get(scope="HE", stichtag=stichtag)
    assert bericht.status == Status.FEHLER
    assert "konnte nicht gestartet werden" in bericht.fehler
    assert "konnte nicht gestartet werden" in response.content.decode()
