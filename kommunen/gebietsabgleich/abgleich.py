"""The comparison of one parsed Gemeindeverzeichnis with the database, level by level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from kommunen.gebietsabgleich.ergebnis import ImportErgebnis, aenderung_beschreiben, datum_text
from kommunen.gebietsabgleich.nachfolger import nachfolger_schaetzen, umschluesselung_ermitteln
from kommunen.gebietsabgleich.zeilen import BATCH, zeilen_aktualisieren
from kommunen.gv100ad import Gemeindeverzeichnis, GemeindeverzeichnisFehler, Zeilenfehler
from kommunen.models import (
    Gebietsaenderung,
    Gebietsstand,
    Gemeinde,
    Gemeindeverband,
    Kreis,
    Land,
    Regierungsbezirk,
)
from kommunen.text import suchform


class Abgleich:
    """Compares one parsed file with the database and writes the difference."""

    def __init__(self, verzeichnis: Gemeindeverzeichnis, *, dry_run: bool) -> None:
        self.v = verzeichnis
        self.stichtag = verzeichnis.gebietsstand
        self.ende = self.stichtag - dt.timedelta(days=1)
        letzter = Gebietsstand.objects.order_by("-stichtag").first()
        if letzter is not None and self.stichtag < letzter.stichtag:
            raise GemeindeverzeichnisFehler(
                [
                    Zeilenfehler(
                        None,
                        f"Gebietsstand {datum_text(self.stichtag)} ist älter als der bereits "
                        f"eingespielte Gebietsstand {datum_text(letzter.stichtag)}; ältere Stände "
                        "werden nicht eingespielt.",
                    )
                ],
                datei=verzeichnis.datei,
            )
        self.vorhandener_stand = (
            letzter if letzter is not None and letzter.stichtag == self.stichtag else None
        )
        self.erster_import = letzter is None
        # The very first file describes the territory as it is; it does not start it.
        self.ab = None if self.erster_import else self.stichtag
        self.ergebnis = ImportErgebnis(
            datei=verzeichnis.datei,
            sha256=verzeichnis.sha256,
            gebietsstand=self.stichtag,
            erster_import=self.erster_import,
            dry_run=dry_run,
        )
        self.ereignisse: list[Gebietsaenderung] = []

    # -- orchestration

    def ausfuehren(self) -> ImportErgebnis:
        self._laender()
        self._regierungsbezirke()
        self._kreise()
        self._verbaende()
        self._gemeinden()
        self._gebietsstand()
        return self.ergebnis

    def _gebietsstand(self) -> None:
        zusammenfassung = self.ergebnis.zusammenfassung()
        stand = self.vorhandener_stand
        if stand is None:
            stand = Gebietsstand.objects.create(
                stichtag=self.stichtag,
                datei=self.v.datei,
                sha256=self.v.sha256,
                zusammenfassung=zusammenfassung,
            )
        elif self.ergebnis.anzahl_aenderungen or stand.sha256 != self.v.sha256:
            # The same Gebietsstand again, but with different content (a corrected file).
            stand.datei = self.v.datei
            stand.sha256 = self.v.sha256
            stand.zusammenfassung = zusammenfassung
            stand.save(update_fields=["datei", "sha256", "zusammenfassung"])
        for ereignis in self.ereignisse:
            ereignis.gebietsstand = stand
        Gebietsaenderung.objects.bulk_create(self.ereignisse, batch_size=BATCH)

    # -- generic comparison of one level

    def _abgleichen(
        self,
        ebene: str,
        model: type[models.Model],
        key_field: str,
        soll: dict[str, dict[str, Any]],
        *,
        zuordnung: dict[str, dict[int, str]] | None = None,
        umschluesselung: dict[str, str] | None = None,
    ) -> tuple[dict[str, Any], list[Any], list[Any]]:
        """Create/update the level's rows from ``soll`` (key -> attname -> value).

        Returns ``(objekte nach Schlüssel, neu angelegte, beendete)``. ``zuordnung`` maps FK
        attnames whose change is a territorial reassignment to id -> key lookups;
        ``umschluesselung`` maps a new key to the old key of the row that takes it over.
        """
        zuordnung = zuordnung or {}
        umschluesselung = umschluesselung or {}
        zaehler = self.ergebnis.ebenen[ebene]
        hat_gueltigkeit = any(f.name == "gueltig_bis" for f in model._meta.fields)
        vorhanden: dict[str, Any] = {getattr(o, key_field): o for o in model._default_manager.all()}
        neu: list[Any] = []
        geaendert: list[Any] = []
        geaenderte_felder: set[str] = set()
        for key, werte in soll.items():
            obj: Any = vorhanden.get(key)
            alter_key = umschluesselung.get(key) if obj is None else None
            if alter_key is not None:
                obj = vorhanden.pop(alter_key)
                setattr(obj, key_field, key)
                vorhanden[key] = obj
            if obj is None:
                obj = model(**{key_field: key}, **werte)
                if hat_gueltigkeit:
                    obj.gueltig_ab = self.ab
                neu.append(obj)
                vorhanden[key] = obj
                zaehler.neu += 1
                if not self.erster_import:
                    self._ereignis(
                        ebene, key, Gebietsaenderung.Art.NEU, {}, {"name": werte["name"]}, ""
                    )
                continue
            felder = {name for name, wert in werte.items() if getattr(obj, name) != wert}
            vorher = {name: getattr(obj, name) for name in felder}
            for name in felder:
                setattr(obj, name, werte[name])
            if alter_key is not None:
                felder.add(key_field)
                vorher[key_field] = alter_key
            if hat_gueltigkeit and obj.gueltig_bis is not None:
                felder.add("gueltig_bis")
                obj.gueltig_bis = None
                if isinstance(obj, Gemeinde):
                    felder.add("nachfolger")
                    obj.nachfolger = None
                self._ereignis(
                    ebene,
                    key,
                    Gebietsaenderung.Art.NEU,
                    {},
                    {"name": obj.name},
                    "wieder im Gemeindeverzeichnis enthalten",
                )
            if not felder:
                zaehler.unveraendert += 1
                continue
            zaehler.geaendert += 1
            geaendert.append(obj)
            geaenderte_felder |= felder
            if "name" in felder:
                self._ereignis(
                    ebene,
                    key,
                    Gebietsaenderung.Art.UMBENANNT,
                    {"name": vorher["name"]},
                    {"name": obj.name},
                    "",
                )
            umgehaengt = [attname for attname in zuordnung if attname in felder]
            if umgehaengt or alter_key is not None:
                davor = {a.removesuffix("_id"): zuordnung[a].get(vorher[a]) for a in umgehaengt}
                danach = {a.removesuffix("_id"): zuordnung[a].get(werte[a]) for a in umgehaengt}
                if alter_key is not None:
                    davor[key_field] = alter_key
                    danach[key_field] = key
                self._ereignis(
                    ebene,
                    key,
                    Gebietsaenderung.Art.ZUORDNUNG,
                    davor | {"name": vorher.get("name", obj.name)},
                    danach | {"name": obj.name},
                    "Schlüssel folgt der neuen Zuordnung; die Gemeinde bleibt dieselbe."
                    if alter_key is not None
                    else "",
                )
        beendet: list[Any] = []
        if hat_gueltigkeit:
            for key, obj in vorhanden.items():
                if key not in soll and obj.gueltig_bis is None:
                    # A record created by a corrected file of the same Gebietsstand cannot end
                    # before it started.
                    obj.gueltig_bis = max(self.ende, obj.gueltig_ab or self.ende)
                    beendet.append(obj)
                    zaehler.aufgeloest += 1
        if neu:
            model._default_manager.bulk_create(neu, batch_size=BATCH)
            if any(obj.pk is None for obj in neu):  # backends without RETURNING
                ids = dict(model._default_manager.values_list(key_field, "pk"))
                for obj in neu:
                    obj.pk = ids[getattr(obj, key_field)]
        if geaendert:
            zeilen_aktualisieren(model, geaendert, sorted(geaenderte_felder))
        return vorhanden, neu, beendet

    def _ereignis(
        self,
        ebene: str,
        ars: str,
        art: str,
        vorher: dict[str, Any],
        nachher: dict[str, Any],
        hinweis: str,
    ) -> None:
        self.ereignisse.append(
            Gebietsaenderung(
                ebene=ebene, ars=ars, art=art, vorher=vorher, nachher=nachher, hinweis=hinweis
            )
        )
        self.ergebnis.aenderungen.append(
            aenderung_beschreiben(ebene, ars, art, vorher, nachher, hinweis)
        )

    def _beenden(
        self, ebene: str, model: type[models.Model], beendet: list[Any], key_field: str = "ars"
    ) -> None:
        for obj in beendet:
            self._ereignis(
                ebene,
                getattr(obj, key_field),
                Gebietsaenderung.Art.AUFGELOEST,
                {"name": obj.name},
                {"gueltig_bis": obj.gueltig_bis.isoformat()},
                "",
            )
        if beendet:
            zeilen_aktualisieren(model, beendet, ["gueltig_bis"])

    # -- levels

    def _laender(self) -> None:
        fehlend = set(Land.objects.values_list("code", flat=True)) - set(self.v.laender)
        if fehlend:
            raise GemeindeverzeichnisFehler(
                [
                    Zeilenfehler(None, f"Land {code} fehlt in der Datei (Länder enden nicht).")
                    for code in sorted(fehlend)
                ],
                datei=self.v.datei,
            )
        soll = {
            code: {
                "kurz": satz.kurz,
                "name": satz.name,
                "einwohner": satz.einwohner,
                "flaeche_km2": satz.flaeche_km2,
            }
            for code, satz in self.v.laender.items()
        }
        objekte, _, _ = self._abgleichen("land", Land, "code", soll)
        self.land_ids = {code: obj.pk for code, obj in objekte.items()}

    def _regierungsbezirke(self) -> None:
        soll = {
            code: {"name": satz.name, "typ": satz.typ, "land_id": self.land_ids[satz.land_code]}
            for code, satz in self.v.regierungsbezirke.items()
        }
        objekte, _, beendet = self._abgleichen("regierungsbezirk", Regierungsbezirk, "code", soll)
        self._beenden("regierungsbezirk", Regierungsbezirk, beendet, "code")
        self.rb_ids = {code: obj.pk for code, obj in objekte.items()}
        self.rb_keys = {pk: code for code, pk in self.rb_ids.items()}

    def _kreise(self) -> None:
        soll = {
            ars: {
                "name": satz.name,
                "name_kurz": satz.name_kurz,
                "typ": satz.typ,
                "sitz": satz.sitz,
                "land_id": self.land_ids[satz.land_code],
                "regierungsbezirk_id": self.rb_ids.get(satz.regierungsbezirk_code or ""),
                "einwohner": satz.einwohner,
                "flaeche_km2": satz.flaeche_km2,
                "suchname": suchform(satz.name),
            }
            for ars, satz in self.v.kreise.items()
        }
        objekte, _, beendet = self._abgleichen(
            "kreis",
            Kreis,
            "ars",
            soll,
            zuordnung={"regierungsbezirk_id": self.rb_keys},
        )
        self._beenden("kreis", Kreis, beendet)
        self.kreis_ids = {ars: obj.pk for ars, obj in objekte.items()}
        self.kreis_keys = {pk: ars for ars, pk in self.kreis_ids.items()}

    def _verbaende(self) -> None:
        soll = {
            ars: {
                "name": satz.name,
                "sitz": satz.sitz,
                "typ": satz.typ,
                "kreis_id": self.kreis_ids.get(satz.kreis_ars),
                "land_id": self.land_ids[satz.land_code],
            }
            for ars, satz in self.v.verbaende.items()
        }
        objekte, _, beendet = self._abgleichen(
            "verband", Gemeindeverband, "ars", soll, zuordnung={"kreis_id": self.kreis_keys}
        )
        self._beenden("verband", Gemeindeverband, beendet)
        self.verband_ids = {ars: obj.pk for ars, obj in objekte.items()}
        self.verband_keys = {pk: ars for ars, pk in self.verband_ids.items()}

    def _gemeinden(self) -> None:
        stichtage: dict[str, dt.date] = {}
        if self.v.einwohner_stichtag is not None:
            stichtage["einwohner_stichtag"] = self.v.einwohner_stichtag
        if self.v.flaeche_stichtag is not None:
            stichtage["flaeche_stichtag"] = self.v.flaeche_stichtag
        soll = {
            ars: {
                "ags": satz.ags,
                "name": satz.name,
                "name_kurz": satz.name_kurz,
                "typ": satz.typ,
                "land_id": self.land_ids[satz.land_code],
                "regierungsbezirk_id": self.rb_ids.get(satz.regierungsbezirk_code or ""),
                "kreis_id": self.kreis_ids.get(satz.kreis_ars),
                "verband_id": self.verband_ids[satz.verband_ars],
                "einwohner": satz.einwohner,
                "einwohner_maennlich": satz.einwohner_maennlich,
                "flaeche_km2": satz.flaeche_km2,
                "plz": satz.plz,
                "plz_mehrere": satz.plz_mehrere,
                "suchname": suchform(satz.name),
                **stichtage,
            }
            for ars, satz in self.v.gemeinden.items()
        }
        # Population and area before the update, to find where a dissolved Gemeinde went.
        alt = {
            ars: (einwohner, flaeche)
            for ars, einwohner, flaeche in Gemeinde.objects.values_list(
                "ars", "einwohner", "flaeche_km2"
            )
        }
        objekte, neu, beendet = self._abgleichen(
            "gemeinde",
            Gemeinde,
            "ars",
            soll,
            zuordnung={"kreis_id": self.kreis_keys, "verband_id": self.verband_keys},
            umschluesselung=umschluesselung_ermitteln(soll),
        )
        if beendet:
            self._nachfolger(objekte, neu, beendet, alt)

    def _nachfolger(
        self,
        objekte: dict[str, Gemeinde],
        neu: list[Gemeinde],
        beendet: list[Gemeinde],
        alt: dict[str, tuple[int, Decimal]],
    ) -> None:
        """Best guess of where each dissolved Gemeinde went, stated in ``hinweis``."""
        neue_keys = {g.ars for g in neu}
        for gemeinde in beendet:
            nachfolger, art, hinweis = nachfolger_schaetzen(
                gemeinde, objekte, neue_keys, self.v.gemeinden, alt
            )
            gemeinde.nachfolger = nachfolger
            assert gemeinde.gueltig_bis is not None
            nachher: dict[str, Any] = {"gueltig_bis": gemeinde.gueltig_bis.isoformat()}
            if nachfolger is not None:
                nachher |= {"nachfolger": nachfolger.ars, "nachfolger_name": nachfolger.name}
            self._ereignis(
                "gemeinde",
                gemeinde.ars,
                art,
                {
                    "name": gemeinde.name,
                    "einwohner": gemeinde.einwohner,
                    "flaeche_km2": str(gemeinde.flaeche_km2),
                },
                nachher,
                hinweis,
            )
        zeilen_aktualisieren(Gemeinde, beendet, ["gueltig_bis", "nachfolger"])
