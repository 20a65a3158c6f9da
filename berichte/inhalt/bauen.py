"""Building a steering report's content (:func:`bericht_inhalt`): the frozen Stichtag
snapshot, the forecast fed with it, and the lists replayed from the history up to it (see
:mod:`berichte.inhalt`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Exists, Max, OuterRef, Q

from abdeckung import regeln
from abdeckung.models import Abdeckungsstand
from abdeckung.prognose import IM_PLAN, NICHT_ERREICHBAR, Prognose
from abdeckung.prognose import prognosen as prognosen_berechnen
from abdeckung.selectors import abdeckung_am
from abdeckung.services import Kennzahl, Zahl, tagesende
from audit.models import Ereignis
from berichte.format import datum, veraenderung, zahl
from berichte.historie import huerden_stand, onboarding_staende
from berichte.inhalt.zeilen import (
    NATIONAL,
    Bericht,
    BerichtFehler,
    LandAbschnitt,
    SummenZeile,
    Wert,
    ZusageZeile,
)
from berichte.listen import (
    LAND,
    aenderungen_der_woche,
    datensaetze_laden,
    huerden_abschnitt,
    piloten_tabellen,
    ueberfaellige_golives,
)
from berichte.listen import NATIONAL as NATIONAL_KAPPUNG
from kommunen.models import Gebietsstand, Land
from leistungen.models import Zusage
from leistungen.selectors import teilnehmende_laender
from onboarding.demo import DEMO_MARKER

# --- building ----------------------------------------------------------------------------------


def _laender_im_bereich(scope: str) -> tuple[str, str, list[Land]]:
    teilnehmend = list(
        teilnehmende_laender().filter(Exists(Zusage.objects.filter(land=OuterRef("pk"))))
    )
    wert = (scope or "").strip()
    if wert.lower() == NATIONAL:
        if not teilnehmend:
            raise BerichtFehler("Kein Land nimmt mit einer Zusage am Programm teil.")
        return NATIONAL, "national", teilnehmend
    for land in teilnehmend:
        if wert.upper() == land.kurz:
            return land.kurz, land.name, [land]
    erlaubt = ", ".join(["national", *(land.kurz for land in teilnehmend)])
    raise BerichtFehler(
        f"Unbekannter Berichtsbereich „{scope}“: erlaubt sind {erlaubt} "
        "(ein Land nur, wenn es mit einer Zusage am Programm teilnimmt)."
    )


def _werte(k: Kennzahl, v: Kennzahl | None) -> tuple[Wert, Wert, Wert]:
    return (
        Wert(k.behoerden, v.behoerden if v else None),
        Wert(k.gemeinden, v.gemeinden if v else None),
        Wert(k.bevoelkerung, v.bevoelkerung if v else None),
    )


def _zeile(k: Kennzahl, vorher: Kennzahl | None, zusage: Zusage, p: Prognose | None) -> ZusageZeile:
    b, g, e = _werte(k, vorher)
    return ZusageZeile(
        land_id=k.land_id,
        land_kurz=k.land_kurz,
        land_name=k.land_name,
        leistung_id=k.leistung_id,
        ozg_id=k.ozg_id,
        leistung_name=k.leistung_name,
        frist=zusage.frist,
        kennzahl=k,
        behoerden=b,
        gemeinden=g,
        bevoelkerung=e,
        prognose=p,
    )


def _land_satz(land_name: str, zeilen: list[ZusageZeile], vorher: dt.date | None) -> str:
    """The one line a minister reads in ten seconds."""
    zaehlung = Counter(z.prognose.status for z in zeilen if z.prognose)
    teile = [f"{zaehlung.get(IM_PLAN, 0)} von {len(zeilen)} Zusagen im Plan"]
    if zaehlung.get("gefaehrdet"):
        teile.append(f"{zaehlung['gefaehrdet']} gefährdet")
    if zaehlung.get("nicht_erreichbar"):
        teile.append(f"{zaehlung['nicht_erreichbar']} nicht erreichbar")
    satz = f"{land_name}: " + ", ".join(teile) + "."
    if zeilen:
        nach_quote = sorted(zeilen, key=lambda z: (z.bevoelkerung.zahl.quote or 0, z.ozg_id))
        tief, hoch = nach_quote[0], nach_quote[-1]
        if tief is hoch:
            satz += f" Bevölkerung erreicht: {tief.bevoelkerung.quote}."
        else:
            satz += (
                f" Bevölkerung erreicht je Leistung: {tief.bevoelkerung.quote} "
                f"({tief.leistung_name}) bis {hoch.bevoelkerung.quote} ({hoch.leistung_name})."
            )
        live = sum(z.behoerden.zahl.zaehler for z in zeilen)
        gesamt = sum(z.behoerden.zahl.nenner for z in zeilen)
        satz += f" Behörden live: {zahl(live)} von {zahl(gesamt)}"
        if vorher is not None:
            diff = sum(z.behoerden.differenz or 0 for z in zeilen)
            satz += f" ({veraenderung(diff)} seit {datum(vorher)})"
        satz += "."
    return satz


def _summen(zeilen: list[ZusageZeile]) -> tuple[SummenZeile, ...]:
    gruppen: dict[str | None, list[ZusageZeile]] = defaultdict(list)
    for z in zeilen:
        gruppen[z.ozg_id].append(z)
        gruppen[None].append(z)

    def summe(attr: str, zs: list[ZusageZeile]) -> Wert:
        werte = [getattr(z, attr) for z in zs]
        jetzt = Zahl(sum(w.zahl.zaehler for w in werte), sum(w.zahl.nenner for w in werte))
        if any(w.vorher is None for w in werte):
            return Wert(jetzt, None)
        vorher = Zahl(sum(w.vorher.zaehler for w in werte), sum(w.vorher.nenner for w in werte))
        return Wert(jetzt, vorher)

    ergebnis = []
    for ozg in [*sorted(o for o in gruppen if o is not None), None]:
        zs = gruppen.get(ozg, [])
        if not zs:
            continue
        ergebnis.append(
            SummenZeile(
                ozg_id=ozg,
                leistung_name=zs[0].leistung_name if ozg else "alle Leistungen",
                laender=len({z.land_id for z in zs}),
                behoerden=summe("behoerden", zs),
                gemeinden=summe("gemeinden", zs),
                bevoelkerung=summe("bevoelkerung", zs),
            )
        )
    return tuple(ergebnis)


def _ausser_plan(zeilen: list[ZusageZeile]) -> list[ZusageZeile]:
    """The commitments off plan, the most urgent first: not reachable before at risk,
    then the most authorities still open, then Land and service."""

    def dringlichkeit(z: ZusageZeile) -> tuple[int, int, str, str]:
        p = z.prognose
        assert p is not None
        return (0 if p.status == NICHT_ERREICHBAR else 1, -p.verbleibend, z.land_kurz, z.ozg_id)

    return sorted((z for z in zeilen if not z.im_plan), key=dringlichkeit)


def bericht_inhalt(*, scope: str, stichtag: dt.date) -> Bericht:
    """The content of the steering report for ``scope`` ("national" or a Land's code such
    as "BY") at the weekly ``stichtag`` (a Sunday with a frozen snapshot). Raises
    :class:`BerichtFehler` with a German message when that is not possible."""
    scope, scope_titel, laender = _laender_im_bereich(scope)
    if stichtag.weekday() != 6:
        raise BerichtFehler(
            f"Der {datum(stichtag)} ist kein Stichtag: der wöchentliche Stichtag ist ein "
            "Sonntag (Stand Sonntag 24 Uhr)."
        )
    land_ids = {land.pk for land in laender}
    kappung = NATIONAL_KAPPUNG if scope == NATIONAL else LAND
    snapshot = Abdeckungsstand.objects.filter(
        art=Abdeckungsstand.Art.STICHTAG, land_id__in=land_ids, kreis__isnull=True
    )
    eingefroren = snapshot.filter(stichtag=stichtag).aggregate(
        ereignis_bis=Max("ereignis_bis"), berechnet_am=Max("berechnet_am")
    )
    if eingefroren["berechnet_am"] is None:
        raise BerichtFehler(
            f"Für den Stichtag {datum(stichtag)} gibt es keinen eingefrorenen Wochenstand "
            f"({scope_titel}). Er entsteht montags um 0 Uhr für den Sonntag davor; für "
            "vergangene Sonntage mit „manage.py abdeckung_nachtragen“ nachtragen."
        )
    # Every commitment that counts on the Stichtag must be frozen: a Land missing from the
    # snapshot would otherwise be computed from today's history (not frozen) or left out.
    gefroren = set(
        snapshot.filter(stichtag=stichtag).values_list("land_id", "leistung_id").distinct()
    )
    fehlend = sorted(
        {
            z.land.name
            for z in Zusage.objects.filter(land_id__in=land_ids)
            .filter(Q(zugesagt_am__isnull=True) | Q(zugesagt_am__lte=stichtag))
            .select_related("land")
            if (z.land_id, z.leistung_id) not in gefroren
        }
    )
    if fehlend:
        raise BerichtFehler(
            f"Der eingefrorene Wochenstand vom {datum(stichtag)} ist unvollständig: es fehlen "
            f"die Zahlen von {', '.join(fehlend)} ({scope_titel}). Mit „manage.py "
            "abdeckung_nachtragen“ nachtragen und den Bericht erneut anfordern."
        )
    ereignis_bis = int(eingefroren["ereignis_bis"] or 0)
    vorher_tag = snapshot.filter(stichtag__lt=stichtag).aggregate(m=Max("stichtag"))["m"]

    kennzahlen = abdeckung_am(
        stichtag=stichtag, art=Abdeckungsstand.Art.STICHTAG, land_ids=land_ids
    )
    vorher = (
        {
            (k.land_id, k.leistung_id): k
            for k in abdeckung_am(
                stichtag=vorher_tag, art=Abdeckungsstand.Art.STICHTAG, land_ids=land_ids
            )
        }
        if vorher_tag
        else {}
    )
    zusagen = list(
        Zusage.objects.filter(land_id__in=land_ids)
        .select_related("land", "leistung")
        .order_by("land__code", "leistung__ozg_id")
    )
    zusage_von = {(z.land_id, z.leistung_id): z for z in zusagen}
    prognosen = prognosen_berechnen(stichtag=stichtag, land_ids=land_ids, kennzahlen=kennzahlen)

    abschnitte = []
    for land in laender:
        zeilen = [
            _zeile(
                k,
                vorher.get(k.schluessel[:2]),
                zusage_von[k.schluessel[:2]],
                prognosen.get(k.schluessel[:2]),
            )
            for k in kennzahlen
            if k.land_id == land.pk and k.schluessel[:2] in zusage_von
        ]
        if zeilen:
            abschnitte.append(
                LandAbschnitt(
                    land.kurz, land.name, tuple(zeilen), _land_satz(land.name, zeilen, vorher_tag)
                )
            )
    alle = [z for a in abschnitte for z in a.zeilen]

    # History: the records at the start and the end of the reporting week.
    woche_von = stichtag - dt.timedelta(days=6)
    beginn, ende = tagesende(stichtag - dt.timedelta(days=7)), tagesende(stichtag)
    datensaetze = datensaetze_laden(land_ids)
    vorher_stand, jetzt_stand = onboarding_staende(
        land_ids=land_ids, zeitpunkte=[beginn, ende], ereignis_bis=ereignis_bis
    )
    offen_am_stichtag = {pk for pk, s in jetzt_stand.items() if s.offen}
    huerden, huerden_je_datensatz = huerden_abschnitt(
        huerden_stand(bis=ende, ereignis_bis=ereignis_bis),
        datensaetze,
        offen_am_stichtag,
        woche_von,
        stichtag,
        kappung,
    )
    neu_live, nicht_mehr_live, neu_blockiert, verschoben = aenderungen_der_woche(
        vorher_stand, jetzt_stand, datensaetze, huerden_je_datensatz, woche_von, stichtag, kappung
    )
    ueberfaellig, ueberfaellig_je_zusage = ueberfaellige_golives(
        jetzt_stand, datensaetze, stichtag, kappung
    )
    ausser_plan = _ausser_plan(alle)

    gebietsstand = (
        Gebietsstand.objects.filter(importiert_am__lte=eingefroren["berechnet_am"])
        .order_by("-stichtag")
        .values_list("stichtag", flat=True)
        .first()
    )
    demo = Ereignis.objects.filter(
        objekt_typ=Zusage._meta.label_lower,
        objekt_id__in=[z.pk for z in zusagen],
        beschreibung=DEMO_MARKER,
        id__lte=ereignis_bis,
    ).exists()
    annahmen = tuple(dict.fromkeys(z.prognose.annahmen for z in alle if z.prognose))
    kw = stichtag.isocalendar()
    return Bericht(
        scope=scope,
        scope_titel="national" if scope == NATIONAL else scope_titel,
        land_kurz=None if scope == NATIONAL else scope,
        stichtag=stichtag,
        vorheriger_stichtag=vorher_tag,
        woche_von=woche_von,
        kalenderwoche=kw.week,
        kalenderjahr=kw.year,
        ereignis_bis=ereignis_bis,
        eingefroren_am=eingefroren["berechnet_am"],
        gebietsstand=gebietsstand,
        laender=tuple(abschnitte),
        summen=_summen(alle) if scope == NATIONAL else (),
        neu_live=neu_live,
        nicht_mehr_live=nicht_mehr_live,
        neu_blockiert=neu_blockiert,
        verschoben=verschoben,
        huerden=huerden,
        ausser_plan=tuple(ausser_plan[: kappung.hoechstens]),
        ausser_plan_gesamt=len(ausser_plan),
        ueberfaellig=ueberfaellig,
        ueberfaellig_je_zusage=ueberfaellig_je_zusage,
        piloten=piloten_tabellen(laender, zusagen, jetzt_stand, datensaetze, stichtag),
        annahmen=annahmen,
        demo=demo,
        definitionen=dict(regeln.DEFINITIONEN),
        kappung=kappung,
    )
