"""The result types of the report's charts: :class:`Grafik` with its :class:`Tabelle`, and
their grouping per Land and service (:class:`Grafiken`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from berichte.inhalt import ZusageZeile


@dataclass(frozen=True)
class Tabelle:
    """A data table; the first cell of each row is its row header."""

    caption: str
    kopf: tuple[str, ...]
    zeilen: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Grafik:
    """One chart: the Plotly figure, its size in the PDF (``breite``/``hoehe`` in CSS px for
    kaleido), the ``alt`` text and the data table behind it."""

    schluessel: str
    titel: str
    alt: str
    figur: dict[str, Any]
    tabelle: Tabelle
    breite: int
    hoehe: int
    #: The boundaries (GeoJSON bytes) for traces whose ``geojson`` is the placeholder
    #: ``"__geometrie__"``, as in the browser (``static/js/charts.js``).
    grenzen: bytes | None = None
    #: The drawn chart as a data URI (set by :meth:`Grafiken.gezeichnet`).
    src: str = ""


@dataclass(frozen=True)
class LeistungGrafiken:
    """The burn-up of one commitment, and its funnel in a Land report."""

    zeile: ZusageZeile
    burnup: Grafik
    trichter: Grafik | None = None


@dataclass(frozen=True)
class LandGrafiken:
    """The charts of one Land (a Land report): burn-up and funnel per commitment."""

    land_kurz: str
    land_name: str
    leistungen: tuple[LeistungGrafiken, ...]


@dataclass(frozen=True)
class NationaleGrafiken:
    """The burn-up of one committed service in the national report, summed over the Länder
    that committed it (:mod:`berichte.national`)."""

    ozg_id: str
    leistung_name: str
    laender: tuple[str, ...]
    burnup: Grafik


@dataclass(frozen=True)
class Grafiken:
    laender: tuple[LandGrafiken, ...]
    karte: Grafik
    #: The national report's burn-up per service and its one funnel (all services summed
    #: over the Länder, the counts per service in its table); ``laender`` is then empty.
    leistungen: tuple[NationaleGrafiken, ...] = ()
    trichter: Grafik | None = None

    def alle(self) -> list[Grafik]:
        grafiken = [self.karte]
        if self.trichter is not None:
            grafiken.append(self.trichter)
        grafiken.extend(ng.burnup for ng in self.leistungen)
        for land in self.laender:
            for lg in land.leistungen:
                grafiken.append(lg.burnup)
                if lg.trichter is not None:
                    grafiken.append(lg.trichter)
        return grafiken

    def gezeichnet(self, zeichnen: Callable[[Grafik], str]) -> Grafiken:
        """The same charts with ``src`` set to ``zeichnen(grafik)``."""

        def mit(g: Grafik) -> Grafik:
            return replace(g, src=zeichnen(g))

        def vielleicht(g: Grafik | None) -> Grafik | None:
            return None if g is None else mit(g)

        return Grafiken(
            laender=tuple(
                replace(
                    land,
                    leistungen=tuple(
                        replace(lg, burnup=mit(lg.burnup), trichter=vielleicht(lg.trichter))
                        for lg in land.leistungen
                    ),
                )
                for land in self.laender
            ),
            karte=mit(self.karte),
            leistungen=tuple(replace(ng, burnup=mit(ng.burnup)) for ng in self.leistungen),
            trichter=vielleicht(self.trichter),
        )
