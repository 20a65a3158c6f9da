"""Bulk updates from CSV/XLSX: reading, per-row validation with line numbers, preview, atomic
apply, only-good-rows choice, export round trip, the upload pages, and 10,000 rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Rolle
from audit.models import Ereignis, Quelle
from leistungen.models import Behoerde, Zusage
from onboarding import services
from onboarding.bulk import export as bulk_export
from onboarding.bulk import massenimport_anwenden, massenimport_pruefen
from onboarding.models import Checklistenpunkt, Huerde, Massenimport, Onboarding, Status, Team

pytestmark = pytest.mark.django_db

LK_MUENCHEN = "09184"  # Landratsamt München (BY, Führerschein at Kreis level)
LK_STARNBERG = "09188"
FUEHRERSCHEIN = "10169"
UMMELDUNG = "10124"


# --- Fixtures -----------------------------------------------------------------------------


def _abgleichen(land: str, ozg_id: str) -> Zusage:
    services.checklisten_vorlage_import()
    zusage = Zusage.objects.get(land__kurz=land, leistung__ozg_id=ozg_id)
    services.onboardings_abgleichen(zusage=zusage)
    return zusage


@pytest.fixture
def fuehrerschein_by() -> Zusage:
    return _abgleichen("BY", FUEHRERSCHEIN)


@pytest.fixture
def fuehrerschein_he() -> Zusage:
    return _abgleichen("HE", FUEHRERSCHEIN)


@pytest.fixture
def gu_user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username="gu", password="test-pass-123", rolle=Rolle.GU_PROGRAMMBUERO
    )


@pytest.fixture
def team_he() -> Team:
    from kommunen.models import Land

    return Team.objects.create(name="Team Hessen Nord", land=Land.objects.get(kurz="HE"))


@pytest.fixture
def team_user(django_user_model, team_he):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username="team-he", password="test-pass-123", rolle=Rolle.ROLLIN_TEAM, team=team_he
    )


def _onboarding(schluessel: str, ozg_id: str = FUEHRERSCHEIN) -> Onboarding:
    return Onboarding.objects.get(
        behoerde__schluessel=schluessel, leistung__ozg_id=ozg_id, geschlossen_am__isnull=True
    )


def _csv(zeilen: list[dict[str, str]], *, trenner: str = ";", bom: bool = False) -> bytes:
    kopf: list[str] = []
    for zeile in zeilen:
        kopf.extend(k for k in zeile if k not in kopf)
    puffer = io.StringIO()
    schreiber = csv.DictWriter(puffer, fieldnames=kopf, delimiter=trenner, lineterminator="\n")
    schreiber.writeheader()
    schreiber.writerows(zeilen)
    return (("\ufeff" if bom else "") + puffer.getvalue()).encode("utf-8")


def _zeile(schluessel: str = LK_MUENCHEN, ozg_id: str = FUEHRERSCHEIN, **werte: str) -> dict:
    return {"behoerde_schluessel": schluessel, "ozg_id": ozg_id, **werte}


def _heute_plus(tage: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=tage)).strftime("%d.%m.%Y")


# --- Preview and apply --------------------------------------------------------------------


def test_preview_lists_each_change_and_writes_nothing(fuehrerschein_by, gu_user):
    datei = _csv(
        [
            _zeile(
                status="geplant",
                welle="Welle 2",
                geplant_golive="01.10.2026",
                baseline="nein",
                p0_ansprechpersonen="erledigt",
            )
        ]
    )
    vorher = Ereignis.objects.count()

    ergebnis = massenimport_pruefen(user=gu_user, inhalt=datei, dateiname="a.csv")

    assert ergebnis.fehlerfrei, ergebnis.als_dict()
    (zeile,) = ergebnis.zeilen
    assert zeile.zeile == 2
    aenderungen = {a.feld: (a.vorher, a.nachher) for a in zeile.aenderungen}
    assert aenderungen == {
        "status": ("unbekannt", "geplant"),
        "welle": ("–", "Welle 2"),
        "geplant_golive": ("–", "01.10.2026"),
        "p0_ansprechpersonen": ("offen", "erledigt"),
    }
    onboarding = _onboarding(LK_MUENCHEN)
    assert onboarding.status == Status.UNBEKANNT
    assert onboarding.welle == ""
    assert Ereignis.objects.count() == vorher
    assert not ergebnis.angewendet


def test_apply_writes_through_services_with_import_source_and_reapply_changes_nothing(
    fuehrerschein_by, gu_user
):
    datei = _csv(
        [
            _zeile(status="Geplant", welle="Welle 2", geplant_golive="2026-10-01"),
            _zeile(LK_STARNBERG, p0_ansprechpersonen="verzichtet: Kontakt besteht schon"),
        ]
    )
    vorher = Ereignis.objects.count()

    ergebnis = massenimport_anwenden(user=gu_user, inhalt=datei, dateiname="a.csv")

    assert ergebnis.angewendet
    assert ergebnis.anzahl_geaendert == 2
    muenchen = _onboarding(LK_MUENCHEN)
    assert (muenchen.status, muenchen.welle, muenchen.geplant_golive) == (
        Status.GEPLANT,
        "Welle 2",
        dt.date(2026, 10, 1),
    )
    punkt = Checklistenpunkt.objects.get(
        onboarding=_onboarding(LK_STARNBERG), code="p0_ansprechpersonen"
    )
    assert (punkt.stand, punkt.verzicht_grund) == ("verzichtet", "Kontakt besteht schon")
    neu = Ereignis.objects.order_by("id")[vorher:]
    assert len(neu) == 2
    assert {e.quelle for e in neu} == {Quelle.IMPORT}
    assert {e.user_id for e in neu} == {gu_user.pk}

    zweites = massenimport_anwenden(user=gu_user, inhalt=datei, dateiname="a.csv")

    assert zweites.angewendet
    assert zweites.anzahl_geaendert == 0
    assert zweites.anzahl_unveraendert == 2
    assert Ereignis.objects.count() == vorher + 2


def test_finished_phase_advances_status_and_preview_says_so(fuehrerschein_by, gu_user):
    onboarding = _onboarding(LK_MUENCHEN)
    codes = list(onboarding.punkte.filter(phase__in=[0, 1]).values_list("code", flat=True))
    p0 = [c for c in codes if c.startswith("p0_")]
    datei = _csv([_zeile(**dict.fromkeys(p0, "erledigt"), status="in Phase 1")])
    ergebnis = massenimport_anwenden(user=gu_user, inhalt=datei)
    assert ergebnis.angewendet, ergebnis.als_dict()
    assert _onboarding(LK_MUENCHEN).status == Status.PHASE_1

    p1 = [c for c in codes if c.startswith("p1_")]
    datei = _csv([_zeile(**dict.fromkeys(p1, "erledigt"))])
    vorschau = massenimport_pruefen(user=gu_user, inhalt=datei)

    felder = {(a.bezeichnung, a.vorher, a.nachher) for a in vorschau.zeilen[0].aenderungen}
    assert (
        "Status (automatisch)",
        str(Status.PHASE_1.label),
        str(Status.PHASE_2.label),
    ) in felder
    assert _onboarding(LK_MUENCHEN).status == Status.PHASE_1


# --- Bad rows -----------------------------------------------------------------------------

GUTE_ZEILE = {"welle": "Welle 9"}


def _schlechte_zeilen(fall: str) -> tuple[dict[str, str], str]:
    """(the bad row, a fragment of the expected reason)."""
    if fall == "unbekannter_schluessel":
        return _zeile("09999", welle="x"), "Unbekannter Behördenschlüssel „09999“"
    if fall == "unbekannte_ozg_id":
        return _zeile(ozg_id="99999", welle="x"), "Unbekannte OZG-ID „99999“"
    if fall == "nicht_zustaendig":
        # Pullach is a Gemeinde; driving licences are the Landratsamt's business.
        pullach = Behoerde.objects.get(schluessel="091840139139")
        return _zeile(pullach.schluessel, welle="x"), "nicht zuständig"
    if fall == "ist_datum_in_zukunft":
        return _zeile(LK_STARNBERG, ist_phase_1=_heute_plus(3)), "liegt in der Zukunft"
    if fall == "falsches_datum":
        return _zeile(LK_STARNBERG, geplant_golive="31.02.2026"), "kein gültiges Datum"
    if fall == "unerlaubter_statussprung":
        return _zeile(LK_STARNBERG, status="live"), "noch nicht möglich"
    if fall == "unbekannter_status":
        return _zeile(LK_STARNBERG, status="fast fertig"), "kein bekannter Status"
    if fall == "unbekanntes_team":
        return _zeile(LK_STARNBERG, team="Team Atlantis"), "Unbekanntes Team „Team Atlantis“"
    if fall == "unbekannter_punktwert":
        return _zeile(LK_STARNBERG, p0_ansprechpersonen="vielleicht"), "kein gültiger Stand"
    if fall == "verzicht_ohne_grund":
        return _zeile(LK_STARNBERG, p0_ansprechpersonen="verzichtet"), "braucht einen Grund"
    if fall == "unbekannter_punkt":
        return _zeile(LK_STARNBERG, p3_gibt_es_nicht="erledigt"), "gibt es in der Checkliste"
    if fall == "nicht_im_bereich":
        return _zeile("06433", welle="x"), "nicht in Ihrem Zuständigkeitsbereich"  # Groß-Gerau
    if fall == "doppelt":
        return _zeile(welle="Welle 3"), "stehen schon in Zeile 2"
    raise AssertionError(fall)


FAELLE = [
    "unbekannter_schluessel",
    "unbekannte_ozg_id",
    "nicht_zustaendig",
    "ist_datum_in_zukunft",
    "falsches_datum",
    "unerlaubter_statussprung",
    "unbekannter_status",
    "unbekanntes_team",
    "unbekannter_punktwert",
    "verzicht_ohne_grund",
    "unbekannter_punkt",
    "nicht_im_bereich",
    "doppelt",
]


@pytest.mark.parametrize("fall", FAELLE)
def test_bad_row_is_reported_with_line_and_reason_and_nothing_is_written(
    fall, fuehrerschein_by, fuehrerschein_he, django_user_model
):
    # A Bavarian-only Land ministry would see nothing; use a GU office contracted for BY
    # only, so Hessian rows are out of scope.
    from leistungen.models import Programmteilnahme

    Programmteilnahme.objects.filter(land__kurz="HE").update(gu_beauftragt=False)
    user = django_user_model.objects.create_user(
        username="gu-by", password="x", rolle=Rolle.GU_PROGRAMMBUERO
    )
    schlecht, grund = _schlechte_zeilen(fall)
    datei = _csv([_zeile(**GUTE_ZEILE), schlecht])
    vorher = Ereignis.objects.count()

    vorschau = massenimport_pruefen(user=user, inhalt=datei, dateiname="x.csv")
    ergebnis = massenimport_anwenden(user=user, inhalt=datei, dateiname="x.csv")

    for e in (vorschau, ergebnis):
        assert [z.zeile for z in e.fehlerhafte_zeilen] == [3], e.als_dict()
        assert grund in " ".join(e.fehlerhafte_zeilen[0].fehler)
        assert e.zeilen[0].ok
    assert not ergebnis.angewendet
    assert _onboarding(LK_MUENCHEN).welle == ""
    assert Ereignis.objects.count() == vorher


def test_only_good_rows_are_applied_when_the_user_chooses_so(fuehrerschein_by, gu_user):
    datei = _csv(
        [
            _zeile(welle="Welle 4"),
            _zeile(LK_STARNBERG, status="live"),
            _zeile("09999", welle="Welle 4"),
        ]
    )

    ergebnis = massenimport_anwenden(user=gu_user, inhalt=datei, nur_fehlerfreie=True)

    assert ergebnis.angewendet
    assert [z.zeile for z in ergebnis.fehlerhafte_zeilen] == [3, 4]
    assert ergebnis.anzahl_geaendert == 1
    assert _onboarding(LK_MUENCHEN).welle == "Welle 4"
    assert _onboarding(LK_STARNBERG).status == Status.UNBEKANNT


def test_roll_in_team_may_only_change_its_own_records(fuehrerschein_he, team_user, team_he):
    eigene = Onboarding.objects.filter(zusage=fuehrerschein_he).order_by("pk")[0]
    fremde = Onboarding.objects.filter(zusage=fuehrerschein_he).order_by("pk")[1]
    Onboarding.objects.filter(pk=eigene.pk).update(team=team_he)
    datei = _csv(
        [
            _zeile(eigene.behoerde.schluessel, welle="A"),
            _zeile(fremde.behoerde.schluessel, welle="A"),
            _zeile(LK_MUENCHEN, welle="A"),
        ]
    )

    ergebnis = massenimport_pruefen(user=team_user, inhalt=datei)

    assert [z.zeile for z in ergebnis.fehlerhafte_zeilen] == [3, 4]
    assert "nicht bearbeiten" in ergebnis.zeilen[1].fehler[0]
    assert "nicht in Ihrem Zuständigkeitsbereich" in ergebnis.zeilen[2].fehler[0]


def test_stale_version_with_changes_is_a_conflict_but_unchanged_row_is_not(
    fuehrerschein_by, gu_user
):
    onboarding = _onboarding(LK_MUENCHEN)
    services.onboarding_aktualisieren(
        onboarding_id=onboarding.pk,
        user=gu_user,
        version=onboarding.version,
        daten={"welle": "Welle 1"},
        quelle=Quelle.UI,
    )
    alt = str(onboarding.version)

    konflikt = massenimport_pruefen(
        user=gu_user, inhalt=_csv([_zeile(welle="Welle 2", version=alt)])
    )
    gleich = massenimport_pruefen(user=gu_user, inhalt=_csv([_zeile(welle="Welle 1", version=alt)]))

    assert "Konflikt" in konflikt.zeilen[0].fehler[0]
    assert gleich.fehlerfrei
    assert gleich.anzahl_unveraendert == 1


def test_new_hurdle_named_in_two_rows_is_recorded_once_and_blocks_both(fuehrerschein_by, gu_user):
    hurde = {
        "huerde": "XMeld-Release fehlt",
        "huerde_kategorie": "schnittstelle",
        "huerde_verantwortlich": "Fachverfahrenshersteller",
    }
    datei = _csv([_zeile(**hurde), _zeile(LK_STARNBERG, **hurde)])

    ergebnis = massenimport_anwenden(user=gu_user, inhalt=datei)

    assert ergebnis.angewendet, ergebnis.als_dict()
    huerde = Huerde.objects.get(titel="XMeld-Release fehlt")
    assert set(huerde.onboardings.values_list("pk", flat=True)) == {
        _onboarding(LK_MUENCHEN).pk,
        _onboarding(LK_STARNBERG).pk,
    }
    assert _onboarding(LK_MUENCHEN).blockiert
    assert _onboarding(LK_STARNBERG).blockiert
    vorher = Ereignis.objects.count()
    assert massenimport_anwenden(user=gu_user, inhalt=datei).anzahl_geaendert == 0
    assert Ereignis.objects.count() == vorher

    # A third record named with the same title is linked to the existing hurdle.
    drittes = Onboarding.objects.filter(zusage=fuehrerschein_by).exclude(
        behoerde__schluessel__in=[LK_MUENCHEN, LK_STARNBERG]
    )[0]
    dritte = _csv([_zeile(drittes.behoerde.schluessel, **hurde)])
    assert massenimport_anwenden(user=gu_user, inhalt=dritte).angewendet
    assert huerde.onboardings.count() == 3
    assert Huerde.objects.filter(titel="XMeld-Release fehlt").count() == 1


# --- File level ---------------------------------------------------------------------------


def test_file_that_is_not_utf8_is_rejected_naming_the_line(fuehrerschein_by, gu_user):
    datei = "behoerde_schluessel;ozg_id;welle\n09184;10169;Welle 1\n09188;10169;Größe\n".encode(
        "latin-1"
    )

    ergebnis = massenimport_pruefen(user=gu_user, inhalt=datei)

    assert "Zeile 3" in ergebnis.datei_fehler
    assert "UTF-8" in ergebnis.datei_fehler
    assert ergebnis.zeilen == []


def test_unknown_delimiter_is_rejected(fuehrerschein_by, gu_user):
    datei = b"behoerde_schluessel\tozg_id\twelle\n09184\t10169\tWelle 1\n"

    ergebnis = massenimport_pruefen(user=gu_user, inhalt=datei)

    assert "Trennzeichen" in ergebnis.datei_fehler


def test_comma_delimiter_and_bom_are_accepted(fuehrerschein_by, gu_user):
    datei = _csv([_zeile(welle="Welle 5")], trenner=",", bom=True)

    ergebnis = massenimport_anwenden(user=gu_user, inhalt=datei)

    assert ergebnis.angewendet
    assert _onboarding(LK_MUENCHEN).welle == "Welle 5"


@pytest.mark.parametrize(
    ("inhalt", "meldung"),
    [
        (b"", "Die Datei ist leer."),
        (b"\xef\xbb\xbf\n\n", "Die Datei ist leer."),
        (b"behoerde_schluessel;ozg_id;welle\n", "keine Datenzeilen"),
        (b"behoerde;welle\n09184;x\n", "Pflichtspalten: behoerde_schluessel, ozg_id"),
        (b"behoerde_schluessel;ozg_id;farbe\n09184;10169;rot\n", "Unbekannte Spalte(n)"),
    ],
)
def test_empty_or_headless_file_is_rejected(fuehrerschein_by, gu_user, inhalt, meldung):
    ergebnis = massenimport_anwenden(user=gu_user, inhalt=inhalt)

    assert meldung in ergebnis.datei_fehler
    assert not ergebnis.angewendet


# --- Export round trip --------------------------------------------------------------------


def _etwas_fortschritt(gu_user) -> None:  # type: ignore[no-untyped-def]
    onboarding = _onboarding(LK_MUENCHEN)
    for punkt in onboarding.punkte.filter(phase=0):
        services.checklistenpunkt_setzen(
            punkt_id=punkt.pk,
            user=gu_user,
            version=punkt.version,
            stand="erledigt",
            quelle=Quelle.UI,
        )
    onboarding.refresh_from_db()
    services.onboarding_aktualisieren(
        onboarding_id=onboarding.pk,
        user=gu_user,
        version=onboarding.version,
        daten={"status": "phase_1", "welle": "Welle 1", "geplant_golive": dt.date(2026, 11, 2)},
        quelle=Quelle.UI,
    )
    services.huerde_erfassen(
        user=gu_user,
        daten={"titel": "ePayment fehlt", "kategorie": "epayment", "verantwortlich": "kommune"},
        onboarding_ids=[onboarding.pk],
        quelle=Quelle.UI,
    )
    punkt = Checklistenpunkt.objects.get(
        onboarding=_onboarding(LK_STARNBERG), code="p0_ansprechpersonen"
    )
    services.checklistenpunkt_setzen(
        punkt_id=punkt.pk,
        user=gu_user,
        version=punkt.version,
        stand="verzichtet",
        verzicht_grund="liegt vor; Vertrag: alt",
        quelle=Quelle.UI,
    )


@pytest.mark.parametrize("endung", ["csv", "xlsx"])
def test_export_then_import_changes_nothing_and_writes_no_audit_event(
    fuehrerschein_by, fuehrerschein_he, gu_user, endung
):
    _etwas_fortschritt(gu_user)
    client = Client()
    client.force_login(gu_user)

    antwort = client.get(reverse(f"massen:export_{endung}"))

    assert antwort.status_code == 200
    inhalt = b"".join(antwort.streaming_content) if antwort.streaming else antwort.content
    anzahl = Onboarding.objects.filter(geschlossen_am__isnull=True).count()
    vorher = Ereignis.objects.count()
    ergebnis = massenimport_anwenden(user=gu_user, inhalt=inhalt, dateiname=f"x.{endung}")

    assert ergebnis.fehlerfrei, ergebnis.fehlerhafte_zeilen[:3]
    assert ergebnis.anzahl_zeilen == anzahl
    assert ergebnis.anzahl_geaendert == 0
    assert Ereignis.objects.count() == vorher


def test_xlsx_export_keeps_keys_as_text_and_imports_changes(fuehrerschein_by, gu_user):
    from openpyxl import load_workbook

    inhalt = bulk_export.export_xlsx(Onboarding.objects.filter(zusage=fuehrerschein_by))
    mappe = load_workbook(io.BytesIO(inhalt))
    blatt = mappe.worksheets[0]
    kopf = [c.value for c in blatt[1]]
    zeile = next(
        r
        for r in blatt.iter_rows(min_row=2)
        if r[kopf.index("behoerde_schluessel")].value == LK_MUENCHEN
    )
    zeile[kopf.index("welle")].value = "Welle X"
    zeile[kopf.index("geplant_golive")].value = dt.datetime(2026, 12, 1)  # noqa: DTZ001 (Excel dates are naive)
    puffer = io.BytesIO()
    mappe.save(puffer)

    ergebnis = massenimport_anwenden(user=gu_user, inhalt=puffer.getvalue(), dateiname="x.xlsx")

    assert ergebnis.angewendet, ergebnis.fehlerhafte_zeilen
    assert ergebnis.anzahl_geaendert == 1
    assert _onboarding(LK_MUENCHEN).welle == "Welle X"
    assert _onboarding(LK_MUENCHEN).geplant_golive == dt.date(2026, 12, 1)


# --- Pages --------------------------------------------------------------------------------


@pytest.fixture
def client_gu(gu_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(gu_user)
    return client


def _hochladen(client: Client, inhalt: bytes, name: str = "datei.csv"):  # type: ignore[no-untyped-def]
    datei = io.BytesIO(inhalt)
    datei.name = name
    return client.post(reverse("massen:hochladen"), {"datei": datei})


def test_upload_shows_preview_and_all_button_applies(fuehrerschein_by, client_gu):
    assert client_gu.get(reverse("massen:hochladen")).status_code == 200
    antwort = _hochladen(client_gu, _csv([_zeile(welle="Welle 7")]))
    upload = Massenimport.objects.get()
    assert antwort.status_code == 302
    assert antwort["Location"] == reverse("massen:vorschau", args=[upload.pk])

    seite = client_gu.get(antwort["Location"]).content.decode()

    assert "Welle: – → Welle 7" in seite
    assert "Alle übernehmen" in seite
    assert _onboarding(LK_MUENCHEN).welle == ""

    antwort = client_gu.post(reverse("massen:uebernehmen", args=[upload.pk]), {"modus": "alle"})

    assert antwort.status_code == 302
    assert _onboarding(LK_MUENCHEN).welle == "Welle 7"
    upload.refresh_from_db()
    assert upload.angewendet_am is not None
    assert "Alle übernehmen" not in client_gu.get(antwort["Location"]).content.decode()


def test_preview_with_bad_rows_offers_only_the_explicit_choice(fuehrerschein_by, client_gu):
    _hochladen(client_gu, _csv([_zeile(welle="Welle 7"), _zeile("09999", welle="x")]))
    upload = Massenimport.objects.get()

    seite = client_gu.get(reverse("massen:vorschau", args=[upload.pk])).content.decode()

    assert "Alle übernehmen</span>" not in seite
    assert "Nur fehlerfreie Zeilen übernehmen" in seite
    assert "Unbekannter Behördenschlüssel „09999“" in seite

    # Posting "alle" anyway writes nothing.
    client_gu.post(reverse("massen:uebernehmen", args=[upload.pk]), {"modus": "alle"})
    assert _onboarding(LK_MUENCHEN).welle == ""
    client_gu.post(reverse("massen:uebernehmen", args=[upload.pk]), {"modus": "fehlerfreie"})
    assert _onboarding(LK_MUENCHEN).welle == "Welle 7"


def test_cancel_deletes_the_upload_and_writes_nothing(fuehrerschein_by, client_gu):
    _hochladen(client_gu, _csv([_zeile(welle="Welle 7")]))
    upload = Massenimport.objects.get()

    antwort = client_gu.post(reverse("massen:abbrechen", args=[upload.pk]))

    assert antwort.status_code == 302
    assert not Massenimport.objects.exists()
    assert _onboarding(LK_MUENCHEN).welle == ""


def test_another_users_upload_is_not_found(fuehrerschein_by, client_gu, client_ministerium):
    _hochladen(client_gu, _csv([_zeile(welle="Welle 7")]))
    upload = Massenimport.objects.get()

    assert client_ministerium.get(reverse("massen:vorschau", args=[upload.pk])).status_code == 404
    antwort = client_ministerium.post(
        reverse("massen:uebernehmen", args=[upload.pk]), {"modus": "alle"}
    )
    assert antwort.status_code == 404
    assert _onboarding(LK_MUENCHEN).welle == ""


def test_bulk_pages_need_login_and_the_right_method(fuehrerschein_by, client_anon, client_gu):
    assert client_anon.get(reverse("massen:hochladen")).status_code == 302
    assert client_anon.get(reverse("massen:export_csv")).status_code == 302
    _hochladen(client_gu, _csv([_zeile(welle="Welle 7")]))
    upload = Massenimport.objects.get()
    assert client_gu.get(reverse("massen:uebernehmen", args=[upload.pk])).status_code == 405
    assert client_gu.post(reverse("massen:export_csv")).status_code == 405


def test_export_follows_the_work_queue_filters_and_visibility(
    fuehrerschein_by, fuehrerschein_he, client_gu, django_user_model
):
    from kommunen.models import Land

    def zeilen(client: Client, query: str) -> list[list[str]]:
        antwort = client.get(reverse("massen:export_csv") + query)
        text = b"".join(antwort.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))[1:]

    alle = zeilen(client_gu, "")
    nur_he = zeilen(client_gu, "?land=HE")
    suche = zeilen(client_gu, f"?q=Starnberg&leistung={FUEHRERSCHEIN}")
    assert len(alle) == Onboarding.objects.filter(geschlossen_am__isnull=True).count()
    assert {z[0][:2] for z in nur_he} == {"06"}
    assert (
        len(nur_he)
        == Onboarding.objects.filter(zusage__land__kurz="HE", geschlossen_am__isnull=True).count()
    )
    assert [z[0] for z in suche] == [LK_STARNBERG]

    he_ministerium = django_user_model.objects.create_user(
        username="hmdi", password="x", rolle=Rolle.MINISTERIUM, land=Land.objects.get(kurz="HE")
    )
    client = Client()
    client.force_login(he_ministerium)
    assert {z[0][:2] for z in zeilen(client, "")} == {"06"}


# --- 10,000 rows --------------------------------------------------------------------------


def _mindestens_onboardings(anzahl: int) -> None:
    """Commit services until at least ``anzahl`` open records exist: all commitments of the
    programme data, then gemeinde-level rules for further Länder (real responsibility
    resolution and the same sync service)."""
    from django.db.models import Count

    from kommunen.models import Land
    from leistungen.models import Leistung, Programmteilnahme, ZustaendigkeitsRegel
    from leistungen.services import zustaendigkeiten_aufloesen

    services.checklisten_vorlage_import()
    services.onboardings_abgleichen()
    # The Länder with the most Gemeinden first (gemeinde-level rules give many records).
    kandidaten = (
        Land.objects.exclude(kurz__in=["BY", "HE"]).annotate(n=Count("gemeinden")).order_by("-n")
    )
    leistungen = list(Leistung.objects.order_by("ozg_id"))
    for land in kandidaten:
        if Onboarding.objects.filter(geschlossen_am__isnull=True).count() >= anzahl:
            return
        Programmteilnahme.objects.get_or_create(
            land=land, defaults={"beigetreten_am": dt.date(2026, 3, 1), "gu_beauftragt": True}
        )
        for leistung in leistungen:
            if not ZustaendigkeitsRegel.objects.filter(land=land, leistung=leistung).exists():
                ZustaendigkeitsRegel.objects.create(
                    land=land, leistung=leistung, ebene="gemeinde", quelle="Lasttest"
                )
            zusage, _ = Zusage.objects.get_or_create(
                land=land,
                leistung=leistung,
                defaults={"frist": dt.date(2026, 12, 31), "zugesagt_am": dt.date(2026, 3, 1)},
            )
            zustaendigkeiten_aufloesen(land=land, leistung=leistung)
            services.onboardings_abgleichen(zusage=zusage)
            if Onboarding.objects.filter(geschlossen_am__isnull=True).count() >= anzahl:
                return


@pytest.mark.postgres
def test_ten_thousand_rows_preview_and_apply_in_reasonable_time(admin_user_rc, capsys):
    vorbereitung = time.perf_counter()
    _mindestens_onboardings(10_000)
    vorbereitung = time.perf_counter() - vorbereitung
    onboardings = (
        Onboarding.objects.filter(geschlossen_am__isnull=True)
        .select_related("behoerde", "leistung")
        .order_by("pk")[:10_000]
    )
    zeilen = [
        {
            "behoerde_schluessel": o.behoerde.schluessel,
            "ozg_id": o.leistung.ozg_id,
            "welle": f"Welle {o.pk % 4 + 1}",
            "geplant_golive": "01.12.2026",
            "status": "geplant",
            "p0_ansprechpersonen": "erledigt",
        }
        for o in onboardings
    ]
    assert len(zeilen) == 10_000
    datei = _csv(zeilen)
    vorher = Ereignis.objects.count()

    start = time.perf_counter()
    vorschau = massenimport_pruefen(user=admin_user_rc, inhalt=datei, dateiname="gross.csv")
    mitte = time.perf_counter()
    with CaptureQueriesContext(connection) as abfragen:
        ergebnis = massenimport_anwenden(user=admin_user_rc, inhalt=datei, dateiname="gross.csv")
    ende = time.perf_counter()

    assert vorschau.fehlerfrei
    assert vorschau.anzahl_geaendert == 10_000
    assert ergebnis.angewendet
    assert ergebnis.anzahl_geaendert == 10_000
    # One event per record and one per checklist item.
    assert Ereignis.objects.count() - vorher == 20_000
    assert Onboarding.objects.filter(welle="Welle 1", status=Status.GEPLANT).exists()
    with capsys.disabled():
        print(  # noqa: T201 (the measured figure for the report)
            f"\n10.000 Zeilen ({connection.vendor}): Vorschau {mitte - start:.1f} s, "
            f"Übernahme {ende - mitte:.1f} s, zusammen {ende - start:.1f} s "
            f"(Testdaten vorbereitet in {vorbereitung:.1f} s)"
        )
    # The preview is checked in memory (a few queries for the whole file); applying goes
    # through the services' batch path (records, items, teams loaded at once; one batched
    # conditional UPDATE per 1,000 records or items; events in bulk): a few dozen queries
    # for the whole file instead of about 18 a row.
    assert len(abfragen.captured_queries) < 150
    assert mitte - start < 30
    assert ende - start < 60
