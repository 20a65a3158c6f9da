"""Writes for services, authorities, responsibility rules and their resolution.

* :func:`programm_import` upserts the programme facts from ``fixtures/programm.json``.
* :func:`behoerde_fuer_einheit` gets or creates the one authority of a territorial unit.
* :func:`zustaendigkeiten_aufloesen` rebuilds the materialised ``Zustaendigkeit`` rows from
  rules, exceptions and the territory (the algorithm is in :mod:`leistungen.aufloesung`).
* ``zustaendigkeitsregel_*`` / ``zustaendigkeitsausnahme_*`` save or delete a rule or an
  exception and enqueue the re-resolution after commit (used by the admin).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from abdeckung.tasks import abdeckung_vormerken
from kommunen.models import Gemeinde, Gemeindeverband, Kreis, Land, Regierungsbezirk
from leistungen import aufloesung
from leistungen.models import (
    EBENE_VALUES,
    Behoerde,
    LeikaSchluessel,
    Leistung,
    Programmteilnahme,
    Zusage,
    Zustaendigkeit,
    ZustaendigkeitsAusnahme,
    ZustaendigkeitsRegel,
)

Einheit = Gemeinde | Gemeindeverband | Kreis | Regierungsbezirk | Land


# --- Authorities -------------------------------------------------------------------------


def behoerde_fuer_einheit(*, einheit: Einheit) -> Behoerde:
    """Get or create the one authority of a territorial unit.

    A kreisfreie Stadt / Stadtkreis (Kreis type 41/42) has no authority of its own besides
    its single Gemeinde's: for such a Kreis the Gemeinde's authority ("Stadt Augsburg") is
    returned. Gemeindefreie Gebiete have no administration: ``ValueError``.
    """
    if isinstance(einheit, Kreis) and einheit.ist_kreisfrei:
        stadt = aufloesung.kreisfreie_gemeinde(einheit)
        if stadt is not None:
            einheit = stadt
    daten = aufloesung.behoerde_daten(einheit)
    behoerde = Behoerde.objects.filter(schluessel=daten.schluessel).first()
    if behoerde is not None:
        return behoerde
    with transaction.atomic():
        behoerde, _ = Behoerde.objects.get_or_create(
            schluessel=daten.schluessel, defaults=daten.felder()
        )
    return behoerde


# --- Programme import --------------------------------------------------------------------


class ProgrammImportFehler(ValueError):
    """The programme file is invalid; the message names the offending entry."""


_PFLICHT = {
    "laender": {"land"},
    "leistungen": {"ozg_id", "name", "kurzname"},
    "programmteilnahmen": {"land", "beigetreten_am"},
    "zusagen": {"land", "leistung", "frist"},
    "regeln": {"land", "leistung", "ebene"},
    "behoerden": {"schluessel"},
    "ausnahmen": {"behoerde", "leistung", "grund"},
}


@dataclass
class _Zaehler:
    werte: dict[str, int] = field(default_factory=dict)

    def zaehle(self, art: str, ergebnis: str) -> None:
        key = f"{art}_{ergebnis}"
        self.werte[key] = self.werte.get(key, 0) + 1


def _upsert(
    zaehler: _Zaehler,
    art: str,
    model: Any,
    schluessel: dict[str, Any],
    werte: dict[str, Any],
) -> Any:
    obj = model.objects.filter(**schluessel).first()
    if obj is None:
        obj = model.objects.create(**schluessel, **werte)
        zaehler.zaehle(art, "neu")
        return obj
    geaendert = [name for name, wert in werte.items() if getattr(obj, name) != wert]
    if geaendert:
        for name in geaendert:
            setattr(obj, name, werte[name])
        obj.save(update_fields=geaendert)
        zaehler.zaehle(art, "geaendert")
    else:
        zaehler.zaehle(art, "unveraendert")
    return obj


def _datum(wert: Any, wo: str) -> dt.date | None:
    if wert in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(wert))
    except ValueError as exc:
        raise ProgrammImportFehler(
            f"{wo}: ungültiges Datum {wert!r} (erwartet JJJJ-MM-TT)."
        ) from exc


class _Programm:
    """Parsed and validated programme file; resolves every reference before writing."""

    def __init__(self, daten: Any, datei: Path) -> None:
        if not isinstance(daten, dict):
            raise ProgrammImportFehler(f"{datei}: erwartet ein JSON-Objekt.")
        self.daten = daten
        for abschnitt, pflicht in _PFLICHT.items():
            eintraege = daten.get(abschnitt, [])
            if not isinstance(eintraege, list):
                raise ProgrammImportFehler(f"Abschnitt „{abschnitt}“ muss eine Liste sein.")
            for nr, eintrag in enumerate(eintraege, start=1):
                fehlt = pflicht - set(eintrag) if isinstance(eintrag, dict) else pflicht
                if fehlt:
                    raise ProgrammImportFehler(
                        f"{abschnitt} Nr. {nr}: Pflichtfeld(er) fehlen: {', '.join(sorted(fehlt))}."
                    )
        self.laender = {land.kurz: land for land in Land.objects.all()}
        if not self.laender:
            raise ProgrammImportFehler(
                "Es ist kein Gebietsstand eingespielt: zuerst das Gemeindeverzeichnis importieren."
            )
        self.ozg_ids = {e["ozg_id"] for e in daten.get("leistungen", [])} | set(
            Leistung.objects.values_list("ozg_id", flat=True)
        )
        self.einheiten: dict[str, Einheit] = {}
        self._pruefen()

    def eintraege(self, abschnitt: str) -> list[dict[str, Any]]:
        return self.daten.get(abschnitt, [])

    def _land(self, kurz: Any, wo: str) -> Land:
        if kurz not in self.laender:
            raise ProgrammImportFehler(f"{wo}: unbekanntes Land {kurz!r}.")
        return self.laender[kurz]

    def _leistung(self, ozg_id: Any, wo: str) -> None:
        if ozg_id not in self.ozg_ids:
            raise ProgrammImportFehler(f"{wo}: unbekannte OZG-ID {ozg_id!r}.")

    def _pruefen(self) -> None:
        for e in self.eintraege("laender"):
            self._land(e["land"], f"laender {e['land']}")
        for e in self.eintraege("leistungen"):
            for leika in e.get("leika", []):
                if not str(leika.get("schluessel", "")).isdigit():
                    raise ProgrammImportFehler(
                        f"leistungen {e['ozg_id']}: ungültiger LeiKa-Schlüssel {leika!r}."
                    )
        for e in self.eintraege("programmteilnahmen"):
            wo = f"programmteilnahmen {e['land']}"
            self._land(e["land"], wo)
            if _datum(e["beigetreten_am"], wo) is None:
                raise ProgrammImportFehler(f"{wo}: beigetreten_am fehlt.")
        for e in self.eintraege("zusagen"):
            wo = f"zusagen {e['land']}/{e['leistung']}"
            self._land(e["land"], wo)
            self._leistung(e["leistung"], wo)
            if _datum(e["frist"], wo) is None:
                raise ProgrammImportFehler(f"{wo}: Frist fehlt.")
            _datum(e.get("zugesagt_am"), wo)
        intervalle: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
        for e in self.eintraege("regeln"):
            wo = f"regeln {e['land']}/{e['leistung']} ab {e.get('gueltig_ab') or '–'}"
            self._land(e["land"], wo)
            self._leistung(e["leistung"], wo)
            if e["ebene"] not in EBENE_VALUES:
                raise ProgrammImportFehler(
                    f"{wo}: unbekannte Ebene {e['ebene']!r} (erlaubt: {', '.join(EBENE_VALUES)})."
                )
            ab = _datum(e.get("gueltig_ab"), wo) or dt.date.min
            bis = _datum(e.get("gueltig_bis"), wo) or dt.date.max
            if ab > bis:
                raise ProgrammImportFehler(f"{wo}: gueltig_ab liegt nach gueltig_bis.")
            andere = intervalle.setdefault((e["land"], e["leistung"]), [])
            if any(ab <= o_bis and o_ab <= bis for o_ab, o_bis in andere):
                raise ProgrammImportFehler(f"{wo}: überschneidet sich mit einer anderen Regel.")
            andere.append((ab, bis))
        for e in self.eintraege("behoerden"):
            wo = f"behoerden {e['schluessel']}"
            self._einheit(e["schluessel"], wo)
            if "art" in e and e["art"] not in Behoerde.Art.values:
                raise ProgrammImportFehler(f"{wo}: unbekannte Art {e['art']!r}.")
        for e in self.eintraege("ausnahmen"):
            wo = f"ausnahmen {e['behoerde']}/{e['leistung']}"
            self._einheit(e["behoerde"], wo)
            self._leistung(e["leistung"], wo)
            if (_datum(e.get("gueltig_ab"), wo) or dt.date.min) > (
                _datum(e.get("gueltig_bis"), wo) or dt.date.max
            ):
                raise ProgrammImportFehler(f"{wo}: gueltig_ab liegt nach gueltig_bis.")

    def _einheit(self, schluessel: Any, wo: str) -> Einheit:
        schluessel = str(schluessel)
        if schluessel in self.einheiten:
            return self.einheiten[schluessel]
        einheiten: dict[int, tuple[Any, str]] = {
            12: (Gemeinde, "ars"),
            9: (Gemeindeverband, "ars"),
            5: (Kreis, "ars"),
            3: (Regierungsbezirk, "code"),
            2: (Land, "code"),
        }
        model, feld = einheiten.get(len(schluessel), (None, ""))
        einheit = model.objects.filter(**{feld: schluessel}).first() if model else None
        if einheit is None:
            raise ProgrammImportFehler(f"{wo}: unbekannter Regionalschlüssel (ARS) {schluessel!r}.")
        if isinstance(einheit, Gemeinde) and einheit.ist_gemeindefrei:
            raise ProgrammImportFehler(
                f"{wo}: {einheit.name} ist gemeindefrei und hat keine eigene Behörde."
            )
        self.einheiten[schluessel] = einheit
        return einheit


def programm_import(*, pfad: Path | None = None) -> dict[str, int]:
    """Upsert the programme facts (idempotent); returns counts per kind and outcome.

    Entries are matched by their natural keys and never deleted: an entry removed from the
    file stays in the database until an administrator deletes it. Raises
    :class:`ProgrammImportFehler` naming the first invalid entry; nothing is written then.
    """
    pfad = Path(pfad) if pfad is not None else settings.FIXTURES_DIR / "programm.json"
    try:
        daten = json.loads(pfad.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ProgrammImportFehler(f"{pfad}: nicht lesbar: {exc}") from exc

    with transaction.atomic():
        programm = _Programm(daten, pfad)
        z = _Zaehler()
        for e in programm.eintraege("laender"):
            werte = {
                k: e[k]
                for k in ("kreisbehoerde_bezeichnung", "mittelbehoerde_bezeichnung")
                if k in e
            }
            _upsert(z, "laender", Land, {"kurz": e["land"]}, werte)

        leistungen: dict[str, Leistung] = {}
        for e in programm.eintraege("leistungen"):
            werte = {
                "name": e["name"],
                "kurzname": e["kurzname"],
                "online_dienst": e.get("online_dienst", ""),
                "betreiber": e.get("betreiber", ""),
                "beschreibung": e.get("beschreibung", ""),
            }
            leistung = _upsert(z, "leistungen", Leistung, {"ozg_id": e["ozg_id"]}, werte)
            for leika in e.get("leika", []):
                _upsert(
                    z,
                    "leika",
                    LeikaSchluessel,
                    {"leistung": leistung, "schluessel": str(leika["schluessel"])},
                    {"bezeichnung": leika.get("bezeichnung", "")},
                )
        leistungen = {lst.ozg_id: lst for lst in Leistung.objects.all()}
        laender = programm.laender

        for e in programm.eintraege("programmteilnahmen"):
            _upsert(
                z,
                "programmteilnahmen",
                Programmteilnahme,
                {"land": laender[e["land"]]},
                {
                    "beigetreten_am": _datum(e["beigetreten_am"], ""),
                    "quelle": e.get("quelle", ""),
                },
            )
        for e in programm.eintraege("zusagen"):
            _upsert(
                z,
                "zusagen",
                Zusage,
                {"land": laender[e["land"]], "leistung": leistungen[e["leistung"]]},
                {
                    "frist": _datum(e["frist"], ""),
                    "zugesagt_am": _datum(e.get("zugesagt_am"), ""),
                    "quelle": e.get("quelle", ""),
                },
            )
        for e in programm.eintraege("regeln"):
            _upsert(
                z,
                "regeln",
                ZustaendigkeitsRegel,
                {
                    "land": laender[e["land"]],
                    "leistung": leistungen[e["leistung"]],
                    "gueltig_ab": _datum(e.get("gueltig_ab"), ""),
                },
                {
                    "ebene": e["ebene"],
                    "gueltig_bis": _datum(e.get("gueltig_bis"), ""),
                    "angenommen": bool(e.get("angenommen", False)),
                    "quelle": e.get("quelle", ""),
                },
            )
        # Land designations are in place now, so new authorities get the right names.
        for e in programm.eintraege("behoerden"):
            behoerde = _behoerde_holen(z, programm.einheiten[str(e["schluessel"])])
            werte = {k: e[k] for k in ("name", "art") if k in e}
            if "ist_pilot" in e:
                werte["ist_pilot"] = bool(e["ist_pilot"])
            if "name" in werte:
                werte["suchname"] = aufloesung.suchname(werte["name"])
            _upsert(z, "behoerden", Behoerde, {"pk": behoerde.pk}, werte)
        for e in programm.eintraege("ausnahmen"):
            behoerde = _behoerde_holen(z, programm.einheiten[str(e["behoerde"])])
            _upsert(
                z,
                "ausnahmen",
                ZustaendigkeitsAusnahme,
                {
                    "behoerde": behoerde,
                    "leistung": leistungen[e["leistung"]],
                    "gueltig_ab": _datum(e.get("gueltig_ab"), ""),
                },
                {
                    "gueltig_bis": _datum(e.get("gueltig_bis"), ""),
                    "grund": e["grund"],
                    "angenommen": bool(e.get("angenommen", False)),
                    "quelle": e.get("quelle", ""),
                },
            )
    return dict(sorted(z.werte.items()))


def _behoerde_holen(z: _Zaehler, einheit: Einheit) -> Behoerde:
    vorher = Behoerde.objects.count()
    behoerde = behoerde_fuer_einheit(einheit=einheit)
    if Behoerde.objects.count() != vorher:
        z.zaehle("behoerden", "angelegt")
    return behoerde


# --- Resolution --------------------------------------------------------------------------


@dataclass(frozen=True)
class AufloesungsErgebnis:
    """Counts of one resolution run (rows of ``Zustaendigkeit``)."""

    paare: int
    neu: int
    geaendert: int
    geloescht: int
    unveraendert: int
    behoerden_neu: int
    sekunden: float

    @property
    def zeilen(self) -> int:
        return self.neu + self.geaendert + self.unveraendert


def zustaendigkeiten_aufloesen(
    *, land: Land | None = None, leistung: Leistung | None = None
) -> AufloesungsErgebnis:
    """Rebuild the materialised responsibilities for every (Land, Leistung) pair that has
    rules or resolved rows, optionally restricted to one Land and/or one service.

    Only the rows of the affected pairs are touched; unchanged rows keep their ids. Runs in
    one transaction; safe to run twice (the second run changes nothing).
    """
    start = time.perf_counter()
    with transaction.atomic():
        zaehler = aufloesung.aufloesen(
            land_id=land.pk if land else None, leistung_id=leistung.pk if leistung else None
        )
        if zaehler["neu"] or zaehler["geaendert"] or zaehler["geloescht"]:
            abdeckung_vormerken()  # coverage recomputation after commit (abdeckung.tasks)
    return AufloesungsErgebnis(**zaehler, sekunden=round(time.perf_counter() - start, 3))


# --- Rule and exception maintenance (admin) ------------------------------------------------


def _aufloesung_einreihen(paare: set[tuple[int, int]]) -> None:
    from leistungen.tasks import zustaendigkeiten_aufloesen_task

    for land_id, leistung_id in sorted(paare):
        zustaendigkeiten_aufloesen_task.delay_on_commit(land_id=land_id, leistung_id=leistung_id)


def _regel_paare(regel: ZustaendigkeitsRegel) -> set[tuple[int, int]]:
    paare = {(regel.land_id, regel.leistung_id)}
    if regel.pk:
        vorher = ZustaendigkeitsRegel.objects.filter(pk=regel.pk).values_list(
            "land_id", "leistung_id"
        )
        paare.update(vorher)
    return paare


def _ausnahme_paare(ausnahme: ZustaendigkeitsAusnahme) -> set[tuple[int, int]]:
    land_id = Behoerde.objects.values_list("land_id", flat=True).get(pk=ausnahme.behoerde_id)
    paare = {(land_id, ausnahme.leistung_id)}
    if ausnahme.pk:
        paare.update(
            ZustaendigkeitsAusnahme.objects.filter(pk=ausnahme.pk).values_list(
                "behoerde__land_id", "leistung_id"
            )
        )
    return paare


def zustaendigkeitsregel_ueberschneidung(*, regel: ZustaendigkeitsRegel) -> str | None:
    """Message if another rule of the same Land × service overlaps this one's validity."""
    ab, bis = regel.gueltig_ab or dt.date.min, regel.gueltig_bis or dt.date.max
    andere = ZustaendigkeitsRegel.objects.filter(
        land_id=regel.land_id, leistung_id=regel.leistung_id
    ).exclude(pk=regel.pk)
    for other in andere:
        if ab <= (other.gueltig_bis or dt.date.max) and (other.gueltig_ab or dt.date.min) <= bis:
            return (
                f"Überschneidet sich mit der Regel „{other}“ "
                f"({other.gueltig_ab or 'ohne Anfang'} bis {other.gueltig_bis or 'offen'})."
            )
    return None


def zustaendigkeitsregel_speichern(*, regel: ZustaendigkeitsRegel) -> ZustaendigkeitsRegel:
    """Save a rule and re-resolve its Land × service (old and new pair) after commit.

    Raises ``ValidationError`` if it overlaps another rule of the same pair."""
    with transaction.atomic():
        paare = _regel_paare(regel)
        regel.full_clean()
        if fehler := zustaendigkeitsregel_ueberschneidung(regel=regel):
            raise ValidationError(fehler)
        regel.save()
        _aufloesung_einreihen(paare)
    return regel


def zustaendigkeitsregel_loeschen(*, regel: ZustaendigkeitsRegel) -> None:
    """Delete a rule. Its resolved rows go at once (they point at it); the re-resolution
    after commit rebuilds the pair from the remaining rules."""
    with transaction.atomic():
        paare = _regel_paare(regel)
        Zustaendigkeit.objects.filter(regel=regel).delete()
        regel.delete()
        _aufloesung_einreihen(paare)


def zustaendigkeitsausnahme_speichern(
    *, ausnahme: ZustaendigkeitsAusnahme
) -> ZustaendigkeitsAusnahme:
    """Save an exception and re-resolve the affected Land × service after commit."""
    with transaction.atomic():
        paare = _ausnahme_paare(ausnahme)
        ausnahme.full_clean()
        ausnahme.save()
        _aufloesung_einreihen(paare)
    return ausnahme


def zustaendigkeitsausnahme_loeschen(*, ausnahme: ZustaendigkeitsAusnahme) -> None:
    """Delete an exception; the rows it decided fall back to the rule after commit."""
    with transaction.atomic():
        paare = _ausnahme_paare(ausnahme)
        rows = Zustaendigkeit.objects.filter(ausnahme=ausnahme)
        rows.update(ausnahme=None)
        ausnahme.delete()
        _aufloesung_einreihen(paare)


def zustaendigkeiten_neu_aufloesen_einreihen(*, paare: set[tuple[int, int]]) -> int:
    """Enqueue the re-resolution of the given (land_id, leistung_id) pairs after commit."""
    with transaction.atomic():
        _aufloesung_einreihen(paare)
    return len(paare)
