"""The coverage map (issue #5): Germany by Kreis, a Land by Gemeinde (or Kreis), for one
service or all committed services, coloured by one of the three numbers, now or at the end
of a day. Filters are a plain GET form; htmx swaps only the map region and pushes the URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from dashboard.figuren import json_text
from dashboard.figuren.karte import anteil_text, karte_figur, zahl_bezeichnungen
from dashboard.selectors import karte as selectors
from kommunen.models import Land
from leistungen.models import Leistung
from onboarding.permissions import _land_ids, sichtbare_laender
from rollout.http import HtmxHttpRequest

#: How long a computed map is reused at most (changes with an audit event invalidate it
#: at once, see ``daten_version``).
KARTE_CACHE_SEKUNDEN = 120
#: Computed maps kept per process (filters × data versions).
KARTE_CACHE_EINTRAEGE = 32


class _ProzessCache:
    """Computed maps, kept in this process as they are (no pickling).

    A Bayern Gemeinde map is ~2,200 objects plus megabytes of JSON and HTML: going through
    Django's cache (pickled in the local-memory backend, sent over the network with Redis)
    cost more on every request than it saved and left enough garbage to trigger the
    collector on every twentieth request. Each web process computes a view once per data
    version instead; the data version in the key makes a change visible at once."""

    def __init__(self, *, eintraege: int, sekunden: float) -> None:
        self._daten: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._sperre = threading.Lock()
        self._eintraege = eintraege
        self._sekunden = sekunden

    def get(self, schluessel: str) -> Any:
        with self._sperre:
            eintrag = self._daten.get(schluessel)
            if eintrag is None or eintrag[0] < time.monotonic():
                self._daten.pop(schluessel, None)
                return None
            self._daten.move_to_end(schluessel)
            return eintrag[1]

    def set(self, schluessel: str, wert: Any) -> None:
        with self._sperre:
            self._daten[schluessel] = (time.monotonic() + self._sekunden, wert)
            self._daten.move_to_end(schluessel)
            while len(self._daten) > self._eintraege:
                self._daten.popitem(last=False)

    def clear(self) -> None:
        with self._sperre:
            self._daten.clear()


karten_cache = _ProzessCache(eintraege=KARTE_CACHE_EINTRAEGE, sekunden=KARTE_CACHE_SEKUNDEN)
#: How long a browser may reuse the boundaries before it revalidates them (ETag).
GRENZEN_MAX_AGE = 3600


@dataclass
class KartenFilter:
    """The map's query parameters, checked: unknown values fall back to the default and
    leave a message for the page."""

    land: Land | None = None
    leistung: Leistung | None = None
    metrik: str = "bevoelkerung"
    stand: dt.date | None = None
    ebene: str = "kreis"
    piloten: bool = False
    fehler: list[str] = field(default_factory=list)

    def parameter(self) -> dict[str, str]:
        """The query string of this view (only what differs from the default)."""
        werte = {
            "land": self.land.kurz if self.land else "",
            "ebene": self.ebene if self.ebene != ("gemeinde" if self.land else "kreis") else "",
            "leistung": self.leistung.ozg_id if self.leistung else "",
            "metrik": self.metrik if self.metrik != "bevoelkerung" else "",
            "stand": self.stand.isoformat() if self.stand else "",
            "piloten": "1" if self.piloten else "",
        }
        return {k: v for k, v in werte.items() if v}


def _filter_lesen(
    request: HttpRequest, *, laender: list[Land], leistungen: list[Leistung]
) -> KartenFilter:
    f = KartenFilter()
    get = request.GET
    land_roh = get.get("land", "").strip()
    if land_roh:
        treffer = [la for la in laender if land_roh.upper() in (la.kurz.upper(), la.code)]
        if treffer:
            f.land = treffer[0]
        else:
            f.fehler.append(
                f"Das Land „{land_roh[:20]}“ ist unbekannt oder für Sie nicht freigegeben; "
                "gezeigt wird Deutschland."
            )
    leistung_roh = get.get("leistung", "").strip()
    if leistung_roh:
        f.leistung = next((le for le in leistungen if le.ozg_id == leistung_roh), None)
        if f.leistung is None:
            f.fehler.append(
                f"Die Leistung „{leistung_roh[:20]}“ ist keine zugesagte Leistung; "
                "gezeigt werden alle zugesagten Leistungen."
            )
    metrik = get.get("metrik", "").strip()
    if metrik:
        if metrik in selectors.METRIKEN:
            f.metrik = metrik
        else:
            f.fehler.append(
                f"Die Kennzahl „{metrik[:20]}“ gibt es nicht; gezeigt wird die Bevölkerung."
            )
    stand = get.get("stand", "").strip()
    if stand:
        heute = timezone.localdate()
        try:
            tag = dt.date.fromisoformat(stand)
        except ValueError:
            f.fehler.append(
                f"„{stand[:20]}“ ist kein gültiges Datum (JJJJ-MM-TT); gezeigt wird der "
                "aktuelle Stand."
            )
        else:
            if tag > heute:
                f.fehler.append(
                    f"Der {tag:%d.%m.%Y} liegt in der Zukunft; gezeigt wird der aktuelle Stand."
                )
            elif tag < heute:
                f.stand = tag
    f.ebene = "gemeinde" if f.land else "kreis"
    ebene = get.get("ebene", "").strip()
    if ebene:
        if ebene == "kreis" or (ebene == "gemeinde" and f.land):
            f.ebene = ebene
        elif ebene == "gemeinde":
            f.fehler.append("Die Gemeindekarte gibt es je Land; bitte ein Land wählen.")
        else:
            f.fehler.append(f"Die Ebene „{ebene[:20]}“ gibt es nicht.")
    f.piloten = get.get("piloten", "") in ("1", "on", "true")
    return f


def _tabelle_html(karte: selectors.Karte) -> str:
    """The body rows of the table behind the map. Built here rather than in a template
    loop: Bayern has ~2,200 Gemeinden, and the page must stay well under 150 ms (a template
    loop over that many rows alone takes longer). Every value is escaped."""
    link = '<a class="kern-link kern-link--small" href="{}">{}</a>'
    pilot = (
        ' <span class="kern-badge kern-badge--info">'
        '<span class="kern-label kern-label--small">Pilot</span></span>'
    )
    zahl = '<td class="kern-table__cell kern-table__cell--numeric">{}</td>'
    zeilen = []
    for g in karte.gebiete:
        if len(g.zustaendig) == 1:
            zustaendig = g.zustaendig[0].text
        else:
            zustaendig = "; ".join(f"{z.leistung}: {z.text}" for z in g.zustaendig)
        klasse = f"{g.klasse.text} – {g.status}" if g.status else g.klasse.text
        name = link.format(escape(g.url), escape(g.name)) if g.url else escape(g.name)
        zeilen.append(
            '<tr class="kern-table__row"><th scope="row" class="kern-table__header">'
            f"{name}{pilot if g.pilot else ''}</th>"
            f'<td class="kern-table__cell">{escape(klasse)}</td>'
            f"{zahl.format(anteil_text(g.behoerden))}{zahl.format(anteil_text(g.gemeinden))}"
            f"{zahl.format(anteil_text(g.bevoelkerung))}"
            f'<td class="kern-table__cell">{escape(zustaendig or "–")}</td></tr>'
        )
    return mark_safe("\n".join(zeilen))  # noqa: S308  # every value above is escaped


def _karte_inhalt(
    f: KartenFilter, *, land_ids: set[int] | None
) -> tuple[selectors.Karte, str, str]:
    """The map, its figure (JSON) and its table rows for the filter, cached briefly per
    data version (:func:`dashboard.selectors.karte.daten_version`): the same view is
    computed once per change, not per request (Bayern's Gemeinde map takes ~100 ms)."""
    teile = [
        f.ebene,
        f.land.code if f.land else "de",
        f.leistung.ozg_id if f.leistung else "alle",
        f.metrik,
        f.stand.isoformat() if f.stand else f"jetzt-{timezone.localdate().isoformat()}",
        "alle" if land_ids is None else ",".join(str(i) for i in sorted(land_ids)),
        "p" if f.piloten else "",
        selectors.daten_version(),
    ]
    schluessel = "karte:inhalt:v1:" + hashlib.sha256("/".join(teile).encode()).hexdigest()
    inhalt = karten_cache.get(schluessel)
    if inhalt is None:
        daten = selectors.karte_daten(
            ebene="gemeinde" if f.ebene == "gemeinde" else "kreis",
            land=f.land,
            leistung=f.leistung,
            metrik=f.metrik,  # type: ignore[arg-type]  # checked against METRIKEN
            stichtag=f.stand,
            land_ids=land_ids,
            piloten=f.piloten,
        )
        inhalt = (daten, json_text(karte_figur(daten, legende=False)), _tabelle_html(daten))
        karten_cache.set(schluessel, inhalt)
    return inhalt


@require_GET
@login_required
def karte(request: HtmxHttpRequest) -> HttpResponse:
    land_ids = _land_ids(request.user)
    laender = list(sichtbare_laender(request.user).order_by("name"))
    leistungen = selectors.zugesagte_leistungen(land_ids=land_ids)
    f = _filter_lesen(request, laender=laender, leistungen=leistungen)
    daten, figur_json, tabelle_zeilen = _karte_inhalt(f, land_ids=land_ids)
    geojson_url = reverse(
        "dashboard:grenzen", args=[f.ebene, f.land.kurz.lower() if f.land else "de"]
    )
    parameter = f.parameter()
    template = "dashboard/karte.html"
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        template += "#karte-bereich"
    response = render(
        request,
        template,
        {
            "filter": f,
            "laender": laender,
            "leistungen": leistungen,
            "metriken": selectors.METRIKEN,
            "karte": daten,
            "figur_json": figur_json,
            "tabelle_zeilen": tabelle_zeilen,
            "geojson_url": geojson_url,
            "zahl_namen": zahl_bezeichnungen(daten),
            "heute": timezone.localdate(),
            "seiten_url": reverse("dashboard:karte")
            + (f"?{urlencode(parameter)}" if parameter else ""),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def geometrie(request: HttpRequest, ebene: str, gebiet: str) -> HttpResponse:
    """The boundaries of a map (GeoJSON, feature id = ARS), gzip-compressed when the browser
    accepts it, cached by the browser and revalidated by ETag. 404 for a Land the user may
    not see."""
    if ebene not in selectors.EBENEN:
        raise Http404("Unbekannte Ebene.")
    land: Land | None = None
    if gebiet.lower() != "de":
        land = (
            sichtbare_laender(request.user).filter(kurz__iexact=gebiet).first()
            or sichtbare_laender(request.user).filter(code=gebiet).first()
        )
        if land is None:
            raise Http404("Kein sichtbares Land mit diesem Schlüssel.")
    elif ebene == "gemeinde":
        raise Http404("Gemeindegrenzen gibt es je Land.")
    version = selectors.grenzen_version()
    etag = selectors.grenzen_etag(ebene=ebene, gebiet=land.code if land else "de", version=version)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        datei = selectors.grenzen_bytes(
            ebene="gemeinde" if ebene == "gemeinde" else "kreis", land=land, version=version
        )
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(datei.gzip, content_type="application/geo+json")
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(datei.roh, content_type="application/geo+json")
        response["Content-Length"] = str(len(response.content))
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=GRENZEN_MAX_AGE)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
