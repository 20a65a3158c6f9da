"""The Land page (issue #5): burn-up and phase funnel per committed service with the
forecast, the authority table (filter, sort, pages, CSV/XLSX export), hurdles by category
and owner, and the pilots. The data tables of the burn-up charts (a row per weekly Stichtag
and service, most of the page's weight) have their own view: loaded into the chart's
toggle when it is opened, and a page to print or to use without JavaScript.

Who sees it: the Länder of ``permissions.sichtbare_laender``; any other Land, or one not in
the programme, is a 404 (a Hessian viewer learns nothing about Bavarian authorities).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from abdeckung import prognose as prognose_modul
from abdeckung.selectors import huerden_zaehlung
from dashboard import exporte
from dashboard.figuren import json_script
from dashboard.figuren.trichter import trichter_figur
from dashboard.figuren.verlauf import burnup_figur
from dashboard.forms import LandBehoerdenFilterForm
from dashboard.selectors import land as selectors
from kommunen.models import Land
from leistungen.models import Zusage
from onboarding.models import Huerde, Onboarding, Team
from onboarding.views.anzeige import status_badge
from rollout.http import HtmxHttpRequest

PRO_SEITE = 50
FORMATE = ("csv", "xlsx")

#: Columns of the authority table: (sort key or "", label).
SPALTEN: tuple[tuple[str, str], ...] = (
    ("behoerde", "Behörde"),
    ("leistung", "Leistung"),
    ("status", "Status"),
    ("phase", "Phasenfortschritt"),
    ("golive", "Go-live geplant"),
    ("team", "Team"),
    ("huerden", "Offene Hürden"),
)


def _land_holen(request: HtmxHttpRequest, code: str) -> Land:
    land = selectors.sichtbares_land(user=request.user, code=code)
    if land is None:
        raise Http404("Kein sichtbares Land im Programm mit diesem Kürzel.")
    return land


def _filter_form(request: HtmxHttpRequest, land: Land, zusagen: list[Zusage]) -> Any:
    teams = Team.objects.filter(Q(land=land) | Q(land__isnull=True)).order_by("name")
    return LandBehoerdenFilterForm(
        request.GET or None,
        leistungen=[(z.leistung.ozg_id, z.leistung.kurzname) for z in zusagen],
        teams=[(str(t.pk), t.name) for t in teams],
    )


def _url_muster(name: str) -> str:
    """A route with "{}" for its one argument (reversed once per page, not per row)."""
    return reverse(name, args=["0"]).replace("/0/", "/{}/")


def _zeilen(onboardings: list[Onboarding]) -> list[dict[str, Any]]:
    selectors.mit_offenen_huerden(onboardings)
    behoerde = _url_muster("leistungen:behoerde")
    detail = _url_muster("onboarding:detail")
    huerde = _url_muster("onboarding:huerde")
    return [
        {
            "onboarding": o,
            "badge": status_badge(o.status),
            "phase": selectors.phase_text(o),
            "behoerde_url": behoerde.format(o.behoerde.schluessel),
            "detail_url": detail.format(o.pk),
            "huerden": [(huerde.format(h.pk), h.titel) for h in o.offene_huerden],  # type: ignore[attr-defined]
        }
        for o in onboardings
    ]


def _piloten(piloten: list[selectors.PilotZeile]) -> list[dict[str, Any]]:
    """The pilot rows with their links (reversed once per page, not per cell)."""
    behoerde = _url_muster("leistungen:behoerde")
    detail = _url_muster("onboarding:detail")
    return [
        {
            "pilot": p,
            "behoerde_url": behoerde.format(p.schluessel),
            "zellen": [(o, detail.format(o.pk) if o else "") for o in p.zellen],
        }
        for p in piloten
    ]


def _zahl(wert: int) -> str:
    return f"{wert:,}".replace(",", ".")


_QUELLE = {"aktuell": " (aktuell)", "stichtag": " (Wochen-Stichtag)", "berechnet": ""}


def _verlauf_zeilen(burnup: selectors.Burnup) -> SafeString:
    """The rows of the burn-up's text alternative (a year of weekly rows per service:
    built here, the template language would take most of the time)."""
    return format_html_join(
        "\n",
        '<tr class="kern-table__row"><th scope="row" class="kern-table__header">{}{}</th>'
        '<td class="kern-table__cell kern-table__cell--numeric">{}</td>'
        '<td class="kern-table__cell kern-table__cell--numeric">{}</td>'
        '<td class="kern-table__cell kern-table__cell--numeric">{}</td>'
        '<td class="kern-table__cell kern-table__cell--numeric">{}</td></tr>',
        (
            (
                f"{p.datum:%d.%m.%Y}",
                " (Tag der Zusage)" if p.datum == burnup.zugesagt_am else _QUELLE.get(p.quelle, ""),
                _zahl(p.behoerden_live),
                _zahl(p.behoerden_gesamt),
                p.behoerden_text,
                p.bevoelkerung_text,
            )
            for p in burnup.tabelle
        ),
    )


def _kopf(form: Any, parameter: str) -> list[dict[str, Any]]:
    """The sortable column headers: link to sort by it (ascending, or descending when it is
    the ascending sort now) and its ``aria-sort``."""
    aktuell, absteigend = form.sortierung()
    kopf = []
    for schluessel, label in SPALTEN:
        aktiv = schluessel == aktuell
        richtung = "descending" if aktiv and absteigend else "ascending" if aktiv else ""
        neu = f"-{schluessel}" if aktiv and not absteigend else schluessel
        kopf.append(
            {
                "schluessel": schluessel,
                "label": label,
                "aria_sort": richtung,
                "href": "?" + (f"{parameter}&" if parameter else "") + f"sort={neu}",
            }
        )
    return kopf


def _tabelle(request: HtmxHttpRequest, land: Land, zusagen: list[Zusage]) -> dict[str, Any]:
    form = _filter_form(request, land, zusagen)
    daten = form.daten()
    sortierung, absteigend = form.sortierung()
    qs = selectors.land_behoerden(
        user=request.user, land=land, filter=daten, sortierung=sortierung, absteigend=absteigend
    )
    seite: Page[Onboarding] = Paginator(qs, PRO_SEITE).get_page(request.GET.get("seite"))
    parameter = request.GET.copy()
    parameter.pop("seite", None)
    ohne_sort = parameter.copy()
    ohne_sort.pop("sort", None)
    return {
        "form": form,
        "seite": seite,
        "zeilen": _zeilen(list(seite.object_list)),
        "kopf": _kopf(form, ohne_sort.urlencode()),
        "parameter": parameter.urlencode(),
        "gefiltert": any(k != "sort" for k in daten),
        "heute": timezone.localdate(),
    }


def _huerden(land: Land) -> dict[str, Any]:
    zaehlung = huerden_zaehlung(land=land)
    kategorien = dict(Huerde.Kategorie.choices)
    verantwortliche = [
        (wert, str(label))
        for wert, label in Huerde.Verantwortlich.choices
        if wert in zaehlung.nach_verantwortlich
    ]
    zeilen = [
        {
            "kategorie": kategorie,
            "label": str(kategorien.get(kategorie, kategorie)),
            "gesamt": anzahl,
            "zellen": [zaehlung.matrix.get((kategorie, v), 0) for v, _ in verantwortliche],
        }
        for kategorie, anzahl in zaehlung.nach_kategorie.items()
    ]
    return {
        "zaehlung": zaehlung,
        "verantwortliche": verantwortliche,
        "summen": [zaehlung.nach_verantwortlich.get(v, 0) for v, _ in verantwortliche],
        "zeilen": zeilen,
        "liste_url": reverse("onboarding:huerden") + f"?land={land.kurz}",
    }


@require_GET
@login_required
def land(request: HtmxHttpRequest, code: str) -> HttpResponse:
    land = _land_holen(request, code)
    zusagen = list(
        Zusage.objects.filter(land=land).select_related("leistung").order_by("leistung__ozg_id")
    )
    kontext: dict[str, Any] = {"land": land, "zusagen": zusagen}
    kontext.update(_tabelle(request, land, zusagen))
    template = "dashboard/land.html"
    if request.htmx and not request.htmx.boosted:
        response = render(request, template + "#land-behoerden", kontext)
        patch_vary_headers(response, ["HX-Request"])
        return response

    seite = selectors.land_seite(land=land, zusagen=zusagen)
    verlauf_url = reverse("dashboard:land_verlauf", args=[land.kurz])
    leistungen = []
    for stand in seite.leistungen:
        b = stand.burnup
        leistungen.append(
            {
                "stand": stand,
                "burnup_id": f"burnup-{b.ozg_id}",
                "burnup": json_script(burnup_figur(b), f"burnup-{b.ozg_id}"),
                "bevoelkerung_id": f"bevoelkerung-{b.ozg_id}",
                "bevoelkerung": json_script(
                    burnup_figur(b, metrik="bevoelkerung"), f"bevoelkerung-{b.ozg_id}"
                ),
                "trichter_id": f"trichter-{b.ozg_id}",
                "trichter": json_script(
                    trichter_figur(stand.trichter, titel=f"{b.leistung_name}: Behörden je Status"),
                    f"trichter-{b.ozg_id}",
                ),
                "trichter_summe": sum(s.anzahl for s in stand.trichter),
                # The burn-up's table is loaded from here when its toggle is opened.
                "verlauf_tabelle_url": f"{verlauf_url}?leistung={b.ozg_id}",
            }
        )
    piloten = selectors.piloten(land=land, leistung_ids=[z.leistung_id for z in zusagen])
    kontext.update(
        {
            "seite_daten": seite,
            "leistungen": leistungen,
            "huerden": _huerden(land),
            "piloten": piloten,
            "pilot_zeilen": _piloten(piloten),
            "regel": prognose_modul.REGEL.format(
                schwelle=f"{int(prognose_modul.HUERDEN_SCHWELLE * 100)} %"
            ),
            "prognose_fenster": prognose_modul.FENSTER_WOCHEN,
            "verlauf_url": verlauf_url,
        }
    )
    response = render(request, template, kontext)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def verlauf_tabellen(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """The data tables of the burn-up charts: every committed service, or the one of
    ``?leistung=<OZG-ID>``. An htmx request for one service gets only its table (the Land
    page loads it into the chart's toggle when it is opened); otherwise a page of its own
    (for printing every table, and the link of the toggle without JavaScript). The same
    figures as the Land page: its burn-ups of every commitment (same forecasts, same
    cache)."""
    land = _land_holen(request, code)
    zusagen = list(
        Zusage.objects.filter(land=land).select_related("leistung").order_by("leistung__ozg_id")
    )
    ozg_id = request.GET.get("leistung")
    if ozg_id is not None and not any(z.leistung.ozg_id == ozg_id for z in zusagen):
        raise Http404("Diese Leistung hat das Land nicht zugesagt.")
    tabellen = [
        {"burnup": b, "zeilen": _verlauf_zeilen(b)}
        for b in selectors.burnups_daten(land=land, zusagen=zusagen)
        if ozg_id is None or b.ozg_id == ozg_id
    ]
    template = "dashboard/land_verlauf.html"
    if request.htmx and not request.htmx.boosted and ozg_id is not None:
        t = tabellen[0]
        response = render(
            request, template + "#verlauf-tabelle", {"land": land, "t": t, "b": t["burnup"]}
        )
    else:
        einzeln = tabellen[0]["burnup"] if ozg_id is not None else None
        response = render(
            request, template, {"land": land, "tabellen": tabellen, "einzeln": einzeln}
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def behoerden_export(request: HtmxHttpRequest, code: str, format: str) -> HttpResponse:  # noqa: A002
    if format not in FORMATE:
        raise Http404("Unbekanntes Exportformat (csv oder xlsx).")
    land = _land_holen(request, code)
    zusagen = list(
        Zusage.objects.filter(land=land).select_related("leistung").order_by("leistung__ozg_id")
    )
    form = _filter_form(request, land, zusagen)
    sortierung, absteigend = form.sortierung()
    qs = selectors.land_behoerden(
        user=request.user,
        land=land,
        filter=form.daten(),
        sortierung=sortierung,
        absteigend=absteigend,
        fuer="export",
    )
    heute = timezone.localdate()
    name = f"behoerden-{land.kurz}-{heute:%Y-%m-%d}.{format}"
    if format == "csv":
        inhalt = exporte.behoerden_csv(qs, stichtag=heute)
        response = HttpResponse(inhalt, content_type="text/csv; charset=utf-8")
    else:
        inhalt = exporte.behoerden_xlsx(qs, stichtag=heute, titel=f"Behörden {land.name}")
        response = HttpResponse(
            inhalt,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
