"""What the coverage map is computed from: the services of its filter
(:func:`zugesagte_leistungen`) and the fingerprint of its data (:func:`daten_version`) that
keys the page cache of :mod:`dashboard.views.karte`."""

from __future__ import annotations

from django.db import connection

from leistungen.models import Leistung, Zusage, Zustaendigkeit


def zugesagte_leistungen(*, land_ids: set[int] | None) -> list[Leistung]:
    """Services committed by at least one of the Länder (None = any), by OZG-ID."""
    zusagen = Zusage.objects.all()
    if land_ids is not None:
        zusagen = zusagen.filter(land_id__in=land_ids)
    return list(Leistung.objects.filter(pk__in=zusagen.values("leistung_id")).order_by("ozg_id"))


def daten_version() -> str:
    """A fingerprint of everything the map's figures are computed from, in one query: the
    newest audit event (every status change writes one), the last coverage run (stored
    figures), the resolved responsibilities, commitments and the Gebietsstand. A page cache
    keyed by it is invalidated by the next change."""
    from abdeckung.models import Verarbeitungsstand
    from audit.models import Ereignis
    from kommunen.models import Gebietsstand

    tabellen = {
        "ereignis": Ereignis._meta.db_table,
        "stand": Verarbeitungsstand._meta.db_table,
        "zustaendigkeit": Zustaendigkeit._meta.db_table,
        "zusage": Zusage._meta.db_table,
        "gebietsstand": Gebietsstand._meta.db_table,
    }
    q = {k: connection.ops.quote_name(v) for k, v in tabellen.items()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {q['ereignis']}),"  # noqa: S608  # table names only
            f" (SELECT MAX(aktualisiert_am) FROM {q['stand']}),"
            f" (SELECT COUNT(*) FROM {q['zustaendigkeit']}),"
            f" (SELECT MAX(id) FROM {q['zustaendigkeit']}),"
            f" (SELECT COUNT(*) FROM {q['zusage']}),"
            f" (SELECT MAX(id) FROM {q['gebietsstand']})"
        )
        zeile = cursor.fetchone()
    return "|".join(str(w) for w in zeile or ())
