"""Where coverage is computed: the one aggregate, the status intervals it reads for past
dates, stored figure sets (live, daily, weekly Stichtag) and the incremental recomputation.

The definitions of the numbers are in :mod:`abdeckung.regeln`; this package implements them.
The submodules are split by sub-domain; import the names from here.

* :mod:`~abdeckung.services.berechnung`: the figure types (:class:`Zahl`,
  :class:`Kennzahl`) and :func:`abdeckung_berechnen`, a pure read and ONE SQL query per
  call: the resolved responsibilities valid on the day, joined to the status of each
  responsible authority's onboarding record (now: ``Onboarding.status``; a past day: the
  :class:`Statusintervall` containing the end of that day), grouped per Land × service (or
  Kreis × service) with conditional aggregation.
* :mod:`~abdeckung.services.speicherung`: :func:`abdeckung_speichern`, the stored figure
  sets.
* :mod:`~abdeckung.services.statusintervalle`: :func:`statusintervalle_neu_aufbauen`, the
  status intervals rebuilt from the audit history.
* :mod:`~abdeckung.services.aktualisierung`: :func:`abdeckung_aktualisieren` keeps the
  ``aktuell`` rows and the intervals in step with the audit history, reading only the
  events after its watermark.
* :mod:`~abdeckung.services.snapshots`: :func:`snapshot_erstellen` and
  :func:`snapshots_nachtragen`, the frozen daily and weekly figure sets.
"""

from abdeckung.services.aktualisierung import (
    LUECKE_FENSTER,
    LUECKE_HOECHSTENS,
    abdeckung_aktualisieren,
)
from abdeckung.services.berechnung import (
    Kennzahl,
    Zahl,
    abdeckung_berechnen,
    tagesende,
    zustaendigkeiten_mit_status,
)
from abdeckung.services.snapshots import snapshot_erstellen, snapshots_nachtragen
from abdeckung.services.speicherung import abdeckung_speichern
from abdeckung.services.statusintervalle import statusintervalle_neu_aufbauen

__all__ = [
    "LUECKE_FENSTER",
    "LUECKE_HOECHSTENS",
    "Kennzahl",
    "Zahl",
    "abdeckung_aktualisieren",
    "abdeckung_berechnen",
    "abdeckung_speichern",
    "snapshot_erstellen",
    "snapshots_nachtragen",
    "statusintervalle_neu_aufbauen",
    "tagesende",
    "zustaendigkeiten_mit_status",
]
