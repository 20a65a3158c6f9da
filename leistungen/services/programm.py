"""Programme import: upserts the programme facts from ``fixtures/programm.json``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from kommunen.models import Gemeinde, Gemeindeverband, Kreis, Land, Regierungsbezirk
from leistungen import aufloesung
from leistungen.models import (
    EBENE_VALUES,
    Behoerde,
    LeikaSchluessel,
    Leistung,
    Programmteilnahme,
    Zusage,
    ZustaendigkeitsAusnahme,
    ZustaendigkeitsRegel,
)
from leistungen.services.behoerden import Einheit, behoerde_fuer_einheit


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
