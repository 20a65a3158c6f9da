"""Writing for the bulk path: records and items with one conditional UPDATE per row (on
PostgreSQL batched: ``UPDATE … FROM (VALUES …)``), the events with one ``bulk_create``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

from audit.services import ereignisse_anlegen
from onboarding.models import Checklistenpunkt, Onboarding
from onboarding.services.stapel._gemeinsam import Zeile, stuecke

_SCHREIBEN = 1000  # rows per batched UPDATE
_PUNKT_FELDER = ("stand", "verzicht_grund", "erledigt_am", "geaendert_von")


def zeilen_schreiben(zeilen: list[Zeile]) -> list[Zeile]:
    """Write records, items and events of the changes; return the changes whose
    conditional UPDATE found another version (the caller then rolls back)."""
    jetzt_ = timezone.now()
    gruppen: dict[tuple[str, ...], list[Zeile]] = defaultdict(list)
    for zeile in zeilen:
        if zeile.felder:
            gruppen[tuple(sorted(zeile.felder))].append(zeile)
    konflikte: set[int] = set()
    for felder, gruppe in gruppen.items():
        geschrieben = _bedingt_aktualisieren(
            Onboarding,
            [(z.onboarding, z.start_version) for z in gruppe],
            felder,
            extra={"geaendert_am": jetzt_},
        )
        konflikte.update(z.position for z in gruppe if z.onboarding.pk not in geschrieben)
    punkte = [(p, z.punkt_start_version[p.pk]) for z in zeilen for p in z.punkte.values()]
    geschrieben = _bedingt_aktualisieren(Checklistenpunkt, punkte, _PUNKT_FELDER)
    konflikte.update(z.position for z in zeilen if any(pk not in geschrieben for pk in z.punkte))
    if konflikte:
        return [z for z in zeilen if z.position in konflikte]
    ereignisse_anlegen(ereignisse=[e for z in zeilen for e in z.ereignisse])
    return []


def _gebuendelt() -> bool:
    """Whether the conditional UPDATEs are batched (``UPDATE … FROM (VALUES …)``)."""
    return connection.vendor == "postgresql"


def _bedingt_aktualisieren(
    model: type[models.Model],
    objekte: list[tuple[Any, int]],
    felder: Iterable[str],
    extra: dict[str, Any] | None = None,
) -> set[int]:
    """``UPDATE … SET <felder>, version = <new> WHERE id = … AND version = <old>`` for each
    (object in its new state, old version); returns the ids written. Batched into
    ``UPDATE … FROM (VALUES …)`` on PostgreSQL, one statement per object elsewhere."""
    extra = extra or {}
    modellfelder = [cast(models.Field, model._meta.get_field(f)) for f in felder]
    if not objekte:
        return set()
    if not _gebuendelt():
        einzeln: set[int] = set()
        for objekt, alt in objekte:
            werte = {f.attname: getattr(objekt, f.attname) for f in modellfelder}
            if model._default_manager.filter(pk=objekt.pk, version=alt).update(
                **werte, **extra, version=objekt.version
            ):
                einzeln.add(objekt.pk)
        return einzeln
    qn = connection.ops.quote_name
    pk_feld = cast(models.Field, model._meta.pk)
    version_feld = cast(models.Field, model._meta.get_field("version"))
    typen = [
        pk_feld.db_type(connection),
        version_feld.db_type(connection),
        version_feld.db_type(connection),
    ] + [f.db_type(connection) for f in modellfelder]
    spalten = ["id", "alt", "neu"] + [f.column for f in modellfelder]
    setzen = [f"{qn(f.column)} = v.{qn(f.column)}" for f in modellfelder]
    setzen.append('"version" = v."neu"')
    extra_felder = [cast(models.Field, model._meta.get_field(f)) for f in extra]
    setzen += [f"{qn(f.column)} = %s" for f in extra_felder]
    extra_werte = [f.get_db_prep_save(extra[f.name], connection) for f in extra_felder]
    zeile_sql = "(" + ", ".join(f"%s::{t}" for t in typen) + ")"
    geschrieben: set[int] = set()
    with connection.cursor() as cursor:
        for stueck in stuecke(objekte, _SCHREIBEN):
            parameter = list(extra_werte)
            for objekt, alt in stueck:
                parameter += [objekt.pk, alt, objekt.version]
                parameter += [
                    f.get_db_prep_save(getattr(objekt, f.attname), connection) for f in modellfelder
                ]
            cursor.execute(
                f"UPDATE {qn(model._meta.db_table)} AS t SET {', '.join(setzen)} "
                f"FROM (VALUES {', '.join([zeile_sql] * len(stueck))}) "
                f"AS v({', '.join(qn(s) for s in spalten)}) "
                f'WHERE t."id" = v."id" AND t."version" = v."alt" RETURNING t."id"',
                parameter,
            )
            geschrieben.update(pk for (pk,) in cursor.fetchall())
    return geschrieben
