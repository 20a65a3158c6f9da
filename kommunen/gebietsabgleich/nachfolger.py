"""Keys and successors of Gemeinden that left the Gemeindeverzeichnis.

:func:`umschluesselung_ermitteln` finds Gemeinden whose ARS only changed with their
Gemeindeverband; :func:`nachfolger_schaetzen` guesses where a dissolved Gemeinde went.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kommunen import gv100ad
from kommunen.models import Gebietsaenderung, Gemeinde


def _km2(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def umschluesselung_ermitteln(soll: dict[str, dict[str, Any]]) -> dict[str, str]:
    """New ARS -> old ARS for Gemeinden that only changed their Gemeindeverband.

    The ARS contains the Verband, the AGS does not: a valid Gemeinde whose ARS vanished and
    whose AGS reappears under a key that is new to the database keeps its row.
    """
    vorhanden = dict(Gemeinde.objects.filter(gueltig_bis__isnull=True).values_list("ars", "ags"))
    bekannt = set(Gemeinde.objects.values_list("ars", flat=True))
    verschwunden = {ags: ars for ars, ags in vorhanden.items() if ars not in soll}
    return {
        ars: verschwunden[werte["ags"]]
        for ars, werte in soll.items()
        if ars not in bekannt and werte["ags"] in verschwunden
    }


def nachfolger_schaetzen(
    gemeinde: Gemeinde,
    objekte: dict[str, Gemeinde],
    neue_keys: set[str],
    im_verzeichnis: dict[str, gv100ad.GemeindeSatz],
    alt: dict[str, tuple[int, Decimal]],
) -> tuple[Gemeinde | None, str, str]:
    kreis = gemeinde.ars[:5]
    verband = gemeinde.ars[:9]
    # 1. Same name in the same Land under a new key: the key changed (e.g. Kreisreform).
    gleicher_name = [
        objekte[k]
        for k in neue_keys
        if k[:2] == gemeinde.ars[:2] and objekte[k].name == gemeinde.name
    ]
    if len(gleicher_name) == 1:
        neu = gleicher_name[0]
        return (
            neu,
            Gebietsaenderung.Art.SCHLUESSEL,
            f"Schlüssel geändert: gleicher Name unter dem neuen Schlüssel {neu.ars}.",
        )
    # 2. A new Gemeinde in the same Verband, else in the same Kreis (largest area).
    for bereich, laenge, text in ((verband, 9, "Gemeindeverband"), (kreis, 5, "Kreis")):
        kandidaten = [objekte[k] for k in neue_keys if k[:laenge] == bereich]
        if kandidaten:
            neu = max(kandidaten, key=lambda g: (g.flaeche_km2, g.ars))
            mehrere = f" (größte von {len(kandidaten)} neuen)" if len(kandidaten) > 1 else ""
            return (
                neu,
                Gebietsaenderung.Art.AUFGELOEST,
                f"Geschätzt: neue Gemeinde im selben {text}{mehrere}.",
            )
    # 3. The continuing Gemeinde of the same Kreis whose area, else population, grew the most.
    bestehende = [
        objekte[k]
        for k, satz in im_verzeichnis.items()
        if k[:5] == kreis and k not in neue_keys and k in alt
    ]
    for index, was in ((1, "Fläche"), (0, "Einwohnerzahl")):
        zuwachs = []
        for kandidat in bestehende:
            vorher = alt[kandidat.ars][index]
            nachher = kandidat.flaeche_km2 if index == 1 else kandidat.einwohner
            if nachher > vorher:
                zuwachs.append((nachher - vorher, kandidat.ars, kandidat))
        if zuwachs:
            plus, _, kandidat = max(zuwachs)
            if index == 1:
                menge = (
                    f"+{_km2(Decimal(plus))} km²; "
                    f"aufgelöste Gemeinde: {_km2(gemeinde.flaeche_km2)} km²"
                )
            else:
                menge = f"+{plus} Einwohner; aufgelöste Gemeinde: {gemeinde.einwohner} Einwohner"
            return (
                kandidat,
                Gebietsaenderung.Art.AUFGELOEST,
                f"Geschätzt: Gemeinde im selben Kreis mit dem größten Zuwachs der {was} ({menge}).",
            )
    return None, Gebietsaenderung.Art.AUFGELOEST, "Kein Nachfolger im selben Kreis erkennbar."
