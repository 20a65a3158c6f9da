"""All charts of one report (:func:`grafiken_bauen`)."""

from __future__ import annotations

from berichte.grafiken.karte import karte_grafik
from berichte.grafiken.modell import Grafik, Grafiken, LandGrafiken, LeistungGrafiken
from berichte.grafiken.trichter import leistung_trichter, nationaler_trichter
from berichte.grafiken.verlauf import burnup_grafik, land_burnups, nationale_grafiken
from berichte.inhalt import NATIONAL, Bericht
from kommunen.models import Land


def grafiken_bauen(bericht: Bericht, *, karte: Grafik | None = None) -> Grafiken:
    """Every chart of the report from its frozen figures and forecasts: the map and, in a
    Land report, a burn-up and a funnel per commitment; in the national report one burn-up
    per service summed over the Länder and one funnel of all services (its table per
    service): the national picture; the detail per Land is in the summary table and in the
    Land reports. ``karte``: the map if already built (:func:`karte_bauen`)."""
    land_objekte = {
        land.kurz: land
        for land in Land.objects.filter(kurz__in=[a.land_kurz for a in bericht.laender])
    }
    if bericht.scope == NATIONAL:
        return Grafiken(
            laender=(),
            karte=karte or karte_grafik(bericht, None),
            leistungen=nationale_grafiken(bericht, land_objekte),
            trichter=nationaler_trichter(bericht),
        )
    laender = []
    for abschnitt in bericht.laender:
        burnups = land_burnups(abschnitt, land_objekte, bericht.stichtag)
        laender.append(
            LandGrafiken(
                land_kurz=abschnitt.land_kurz,
                land_name=abschnitt.land_name,
                leistungen=tuple(
                    LeistungGrafiken(
                        zeile=zeile,
                        burnup=burnup_grafik(burnup, zeile),
                        trichter=leistung_trichter(zeile),
                    )
                    for zeile, burnup in zip(abschnitt.zeilen, burnups, strict=True)
                ),
            )
        )
    return Grafiken(
        laender=tuple(laender), karte=karte or karte_grafik(bericht, land_objekte[bericht.scope])
    )
