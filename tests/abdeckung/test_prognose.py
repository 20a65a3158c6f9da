"""Forecast per Land × service: constructed histories for every status of the rule.

Hessen × BImSchG-Genehmigung (OZG 10462) is handled by the three Regierungspräsidien
(Darmstadt, Gießen, Kassel): three authorities, commitment given 21.01.2026, deadline
31.12.2026. The forecast is asked for the end of 30.06.2026: 184 days (26.28 weeks) before
the deadline; the 8-week window is 06.05.–30.06.2026 (56 days).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from abdeckung.prognose import GEFAEHRDET, IM_PLAN, NICHT_ERREICHBAR, prognose, prognosen
from abdeckung.services import statusintervalle_neu_aufbauen
from accounts.models import Rolle
from audit.models import Quelle
from kommunen.models import Land
from leistungen.models import Leistung, Zusage
from onboarding.models import Checklistenpunkt, Onboarding
from onboarding.services import (
    checklistenpunkt_setzen,
    golive_bestaetigen,
    huerde_erfassen,
    onboarding_aktualisieren,
)

STICHTAG = dt.date(2026, 6, 30)


def _um(tag: dt.date, stunde: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(tag, dt.time(stunde)))


@pytest.fixture
def user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username="prognose", password="x-123-abc", rolle=Rolle.ADMINISTRATION
    )


@pytest.fixture
def rps() -> list[Onboarding]:
    rps = list(
        Onboarding.objects.filter(
            zusage__land__kurz="HE", leistung__ozg_id="10462", geschlossen_am__isnull=True
        ).order_by("behoerde__schluessel")
    )
    assert len(rps) == 3
    return rps


def _golive(o: Onboarding, tag: dt.date, user: Any) -> None:
    """The real workflow: phases 0–2 ticked off, then the go-live confirmed on ``tag``."""
    zeit = _um(tag - dt.timedelta(days=20))
    for n, p in enumerate(
        Checklistenpunkt.objects.filter(onboarding=o, phase__lte=2).order_by("phase", "pk")
    ):
        if p.phase == 1 and Onboarding.objects.get(pk=o.pk).status == "geplant":
            _status(o, "phase_1", zeit, user)
        checklistenpunkt_setzen(
            punkt_id=p.pk,
            user=user,
            version=p.version,
            stand="erledigt",
            quelle=Quelle.UI,
            zeitpunkt=zeit + dt.timedelta(minutes=n),
        )
    golive_bestaetigen(
        onboarding_id=o.pk,
        user=user,
        version=Onboarding.objects.get(pk=o.pk).version,
        datum=tag,
        quelle=Quelle.UI,
        zeitpunkt=_um(tag),
    )


def _status(o: Onboarding, status: str, zeitpunkt: dt.datetime, user: Any, **daten: Any) -> None:
    onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=user,
        version=Onboarding.objects.get(pk=o.pk).version,
        daten={"status": status, **daten},
        quelle=Quelle.UI,
        zeitpunkt=zeitpunkt,
    )


def _vorbereiten(rps: list[Onboarding], user: Any) -> None:
    for o in rps:
        _status(o, "in_klaerung", _um(dt.date(2026, 2, 2)), user)
        _status(o, "geplant", _um(dt.date(2026, 2, 9)), user)


def _prognose(stichtag: dt.date = STICHTAG, **kwargs: Any):  # type: ignore[no-untyped-def]
    statusintervalle_neu_aufbauen(
        onboarding_ids=Onboarding.objects.filter(zusage__land__kurz="HE").values_list(
            "pk", flat=True
        )
    )
    return prognose(
        land=Land.objects.get(kurz="HE"),
        leistung=Leistung.objects.get(ozg_id="10462"),
        stichtag=stichtag,
        **kwargs,
    )


@pytest.mark.django_db
def test_zwei_golives_im_fenster_reichen_fuer_den_rest_im_plan(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 5, 20), user)
    _golive(rps[1], dt.date(2026, 6, 10), user)

    p = _prognose()

    assert (p.behoerden_gesamt, p.behoerden_live, p.verbleibend) == (3, 2, 1)
    assert (p.fenster_tage, p.fenster_von) == (56, dt.date(2026, 5, 6))
    assert p.golives_im_fenster == 2
    assert p.rate_pro_woche == Decimal("0.25")  # 2 go-lives × 7 / 56 days
    # 1 remaining ÷ 0.25 per week = 4 weeks = 28 days after 30.06.
    assert p.prognose_datum == dt.date(2026, 7, 28)
    assert p.wochen_bis_frist == Decimal("26.28")  # 184 / 7, cut
    assert p.benoetigte_rate == Decimal("0.03")  # 1 / 26.28…
    assert p.status == IM_PLAN
    assert p.status_text == "im Plan"
    assert "8 Wochen" in p.annahmen
    assert "06.05.2026" in p.annahmen
    assert "25 %" in p.annahmen


@pytest.mark.django_db
def test_golive_vor_dem_fenster_zaehlt_nicht_fuer_das_tempo(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 4, 1), user)  # before the window
    _golive(rps[1], dt.date(2026, 6, 10), user)

    p = _prognose()

    assert p.golives_im_fenster == 1
    assert p.rate_pro_woche == Decimal("0.12")  # 1 × 7 / 56 = 0.125, cut
    assert p.prognose_datum == dt.date(2026, 8, 25)  # 1 / 0.125 weeks = 56 days
    assert p.status == IM_PLAN


@pytest.mark.django_db
def test_baseline_golives_zaehlen_nicht_fuer_das_tempo(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    for o in rps[:2]:
        _status(o, "live", _um(dt.date(2026, 6, 1)), user, baseline=True)

    p = _prognose()

    assert p.behoerden_live == 2
    assert p.golives_im_fenster == 0
    assert p.prognose_datum is None


@pytest.mark.django_db
def test_ohne_tempo_aber_mit_geplanten_terminen_bis_zur_frist_gefaehrdet(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 3, 2), user)
    for o in rps[1:]:
        _status(o, "geplant", _um(dt.date(2026, 6, 15)), user, geplant_golive="2026-11-30")

    p = _prognose()

    assert (p.verbleibend, p.golives_im_fenster, p.geplant_bis_frist) == (2, 0, 2)
    assert p.prognose_datum is None
    assert p.status == GEFAEHRDET
    assert "nie erreicht" in p.begruendung


@pytest.mark.django_db
def test_zu_langsam_und_zu_wenig_geplant_nicht_erreichbar(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 3, 2), user)
    # one plan within the deadline, one after it: 1 + 0 × 26.28 < 2
    _status(rps[1], "geplant", _um(dt.date(2026, 6, 15)), user, geplant_golive="2026-11-30")
    _status(rps[2], "geplant", _um(dt.date(2026, 6, 15)), user, geplant_golive="2027-02-01")

    p = _prognose()

    assert p.geplant_bis_frist == 1
    assert p.status == NICHT_ERREICHBAR
    assert p.status_text == "nicht erreichbar"


@pytest.mark.django_db
def test_plan_der_erst_nach_dem_stichtag_erfasst_wurde_zaehlt_am_stichtag_nicht(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 3, 2), user)
    for o in rps[1:]:
        _status(o, "geplant", _um(dt.date(2026, 7, 15)), user, geplant_golive="2026-11-30")

    assert _prognose().status == NICHT_ERREICHBAR  # at 30.06. nothing was planned
    assert _prognose(dt.date(2026, 7, 15)).status == GEFAEHRDET


@pytest.mark.django_db
def test_tempo_reicht_nicht_bis_zur_frist_gefaehrdet(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 6, 10), user)
    for o in rps[1:]:
        _status(o, "geplant", _um(dt.date(2026, 6, 15)), user, geplant_golive="2026-12-15")

    p = _prognose(dt.date(2026, 10, 31))  # window 06.09.–31.10.: no go-live

    assert p.status == GEFAEHRDET
    p = _prognose(dt.date(2026, 7, 31))  # window 06.06.–31.07.: 1 go-live, 0.125/week
    assert p.rate_pro_woche == Decimal("0.12")
    assert p.prognose_datum == dt.date(2026, 7, 31) + dt.timedelta(days=112)  # 20.11.
    assert p.status == IM_PLAN


@pytest.mark.django_db
def test_blockierende_huerden_bei_mindestens_einem_viertel_gefaehrdet(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 5, 20), user)
    _golive(rps[1], dt.date(2026, 6, 10), user)
    assert _prognose().status == IM_PLAN
    huerde_erfassen(
        user=user,
        daten={"titel": "Schnittstelle fehlt", "kategorie": "schnittstelle",
               "verantwortlich": "fachverfahren", "erfasst_am": "2026-06-20"},
        onboarding_ids=[rps[2].pk],
        quelle=Quelle.UI,
        zeitpunkt=_um(dt.date(2026, 6, 20)),
    )  # fmt: skip

    p = _prognose()

    assert (p.blockiert, p.blockiert_anteil) == (1, Decimal("1.00"))
    assert p.status == GEFAEHRDET
    assert "Hürden" in p.begruendung
    # With a threshold above 100 % the hurdle alone no longer endangers the plan.
    assert _prognose(huerden_schwelle=Decimal("1.01")).status == IM_PLAN
    # Before the hurdle was recorded, the plan was fine.
    assert _prognose(dt.date(2026, 6, 19)).status == IM_PLAN


@pytest.mark.django_db
def test_abgelaufene_frist_mit_offenen_behoerden_nicht_erreichbar(rps, user) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 6, 10), user)
    Zusage.objects.filter(land__kurz="HE", leistung__ozg_id="10462").update(
        frist=dt.date(2026, 6, 29)
    )

    p = _prognose()

    assert p.status == NICHT_ERREICHBAR
    assert p.benoetigte_rate is None
    assert p.wochen_bis_frist == 0
    assert "abgelaufen" in p.begruendung


@pytest.mark.django_db
def test_flaechendeckend_ist_im_plan_und_aktueller_stand_ohne_datum(rps, user) -> None:  # type: ignore[no-untyped-def]
    for o in rps:
        _golive(o, timezone.localdate() - dt.timedelta(days=3), user)

    p = prognose(land=Land.objects.get(kurz="HE"), leistung=Leistung.objects.get(ozg_id="10462"))

    assert (p.verbleibend, p.golives_im_fenster) == (0, 3)
    assert p.status == IM_PLAN
    assert p.prognose_datum == timezone.localdate()
    assert p.als_dict()["status_text"] == "im Plan"


@pytest.mark.django_db
def test_ohne_zusage_keine_prognose() -> None:
    with pytest.raises(ValueError, match="keine Zusage"):
        prognose(land=Land.objects.get(kurz="NW"), leistung=Leistung.objects.get(ozg_id="10124"))


def _ohne_zeit(p: Any) -> dict[str, Any]:
    werte = p.als_dict()
    werte.pop("berechnet_am")
    return werte


@pytest.mark.django_db
@pytest.mark.parametrize("stichtag", [STICHTAG, None])
def test_prognosen_gibt_fuer_jede_zusage_dasselbe_wie_prognose_in_vier_abfragen(
    rps, user, stichtag, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _vorbereiten(rps, user)
    _golive(rps[0], dt.date(2026, 5, 20), user)
    _golive(rps[1], dt.date(2026, 6, 10), user)
    huerde_erfassen(
        onboarding_ids=[rps[2].pk],
        user=user,
        daten={
            "titel": "Schnittstelle fehlt",
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
            "blockierend": True,
        },
        quelle=Quelle.UI,
        zeitpunkt=_um(dt.date(2026, 6, 20)),
    )
    _prognose()  # rebuilds the status intervals of Hessen

    with django_assert_num_queries(4):
        alle = prognosen(stichtag=stichtag)

    zusagen = list(Zusage.objects.select_related("land", "leistung"))
    assert set(alle) == {(z.land_id, z.leistung_id) for z in zusagen}
    assert len(alle) > 5
    for z in zusagen:
        einzeln = prognose(land=z.land, leistung=z.leistung, stichtag=stichtag)
        assert _ohne_zeit(alle[(z.land_id, z.leistung_id)]) == _ohne_zeit(einzeln)
    he = alle[(rps[0].zusage.land_id, rps[0].leistung_id)]
    assert he.behoerden_live == 2
    assert he.blockiert == 1
    # The go-lives of May and June lie in the window of 30.06., not in today's.
    assert he.golives_im_fenster == (2 if stichtag else 0)


@pytest.mark.django_db
def test_prognosen_mit_uebergebenen_kennzahlen_braucht_keine_abdeckungsabfrage(
    django_assert_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    from abdeckung.services import abdeckung_berechnen

    kennzahlen = abdeckung_berechnen()
    with django_assert_num_queries(3):
        alle = prognosen(kennzahlen=kennzahlen)
    erwartet = {(k.land_id, k.leistung_id): k.behoerden_gesamt for k in kennzahlen}
    assert {s: p.behoerden_gesamt for s, p in alle.items()} == erwartet


@pytest.mark.django_db
def test_zusage_die_erst_spaeter_zaehlt_hat_noch_keine_prognose(rps) -> None:  # type: ignore[no-untyped-def]
    zusage = rps[0].zusage
    Zusage.objects.filter(pk=zusage.pk).update(zugesagt_am=dt.date(2026, 7, 1))

    assert (zusage.land_id, zusage.leistung_id) not in prognosen(stichtag=STICHTAG)
    with pytest.raises(ValueError, match="zählt erst ab 01.07.2026"):
        prognose(land=zusage.land, leistung=zusage.leistung, stichtag=STICHTAG)
    assert (zusage.land_id, zusage.leistung_id) in prognosen(stichtag=dt.date(2026, 7, 1))
