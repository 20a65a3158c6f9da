"""Applying many record changes at once (the bulk import): the same rules, version checks
and audit events as the per-record services, in a few queries.

Every rule is the per-record services' own function (``services.bearbeiten``):
``daten_lesen`` (values), ``felder_rechte_pruefen`` and ``Rechte`` (scope, asked once per
Land and team here), ``punkt_schritt`` (checklist item: scope, version, closed record, stand,
waive needs a reason, dates), ``onboarding_schritt`` (version, closed record, actual dates,
``status_pruefen``, dates filled in on a forward move, go-live confirmation) and
``naechster_status`` (automatic phase advance). A change runs exactly as
``checklistenpunkt_setzen`` for each item (each followed by the automatic advance) and then
``onboarding_aktualisieren`` for the fields would run it, on the records in memory; so it
writes the same audit events (one per item change, one per record step, each with its
``version`` entry).

Queries: the records (locked ``FOR UPDATE`` in id order, as ``checklistenpunkt_setzen`` locks
one, so no item changes underneath), their checklist items and the named teams are loaded in
a few statements; the records and items are then written with one conditional UPDATE per
record or item (on PostgreSQL batched: ``UPDATE … FROM (VALUES …) WHERE id = … AND
version = …``, a row that no longer matches is a conflict for its change) and the events with
one ``bulk_create``.

A change that the rules refuse (or that conflicts) is reported in
:attr:`StapelErgebnis.fehler` by its position and leaves no trace. Without
``nur_fehlerfreie`` one refused change means nothing at all is written.

Split by sub-domain:

- :mod:`._gemeinsam`: the changes and the result (``PunktAenderung``, ``StapelAenderung``,
  ``StapelErgebnis``), one change worked out in memory (``Zeile``), chunking.
- :mod:`.anwenden`: ``onboardings_stapel_anwenden``, the transaction around it all.
- :mod:`.laden`: loading records (locked), checklist items and teams.
- :mod:`.planen`: working out one change in memory, the conflict of a change.
- :mod:`.schreiben`: the conditional UPDATEs (batched on PostgreSQL) and the events.
"""

from onboarding.services.stapel._gemeinsam import PunktAenderung, StapelAenderung, StapelErgebnis
from onboarding.services.stapel.anwenden import onboardings_stapel_anwenden

__all__ = [
    "PunktAenderung",
    "StapelAenderung",
    "StapelErgebnis",
    "onboardings_stapel_anwenden",
]
