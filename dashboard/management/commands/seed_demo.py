"""Fill the database with the demo state: demo accounts and demo rollout progress.

Each step is one service call; add a step by appending to ``SCHRITTE``. Every step must be
idempotent, so ``make setup`` can run this command any number of times.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import DEMO_KONTEN, DEMO_PASSWORT, demo_benutzer_anlegen


def _konten_anlegen(command: BaseCommand) -> str:
    ergebnis = demo_benutzer_anlegen()
    neu = sum(1 for _user, created in ergebnis if created)
    return f"{len(ergebnis)} Demo-Konten ({neu} neu angelegt)"


def _fortschritt_anlegen(command: BaseCommand) -> str:
    from abdeckung.services import abdeckung_aktualisieren
    from abdeckung.tasks import vormerken_ausgesetzt
    from onboarding.demo import demo_fortschritt_anlegen
    from onboarding.services import checklisten_vorlage_import, onboardings_abgleichen

    # The demo writes history in many transactions; recompute the coverage once at the end
    # instead of after each of them.
    with vormerken_ausgesetzt():
        # Both idempotent: the checklist template and one record per responsible authority.
        checklisten_vorlage_import()
        onboardings_abgleichen()
        ergebnis = demo_fortschritt_anlegen()
    abdeckung_aktualisieren()
    return str(ergebnis)


def _wochen_stichtage_anlegen(command: BaseCommand) -> str:
    """The weekly frozen figures (art "stichtag", the end of each Sunday) that the weekly
    task would have taken since the programme start, from the demo history: the burn-up
    charts and the steering report then have a past. Sundays already frozen stay as they
    are (a frozen snapshot is never rewritten), so a second run only adds new Sundays."""
    import datetime as dt

    from django.utils import timezone

    from abdeckung.models import Abdeckungsstand
    from abdeckung.services import snapshot_erstellen, tagesende
    from leistungen.models import Zusage
    from onboarding.demo import DEMO_BEGINN, demo_stichtag

    ende = demo_stichtag()
    letzter = ende - dt.timedelta(days=(ende.weekday() + 1) % 7)  # Sunday on/before ende
    if tagesende(letzter) > timezone.now():
        letzter -= dt.timedelta(days=7)
    erster = DEMO_BEGINN + dt.timedelta(days=(6 - DEMO_BEGINN.weekday()) % 7)
    vorhanden = set(
        Abdeckungsstand.objects.filter(art=Abdeckungsstand.Art.STICHTAG).values_list(
            "stichtag", flat=True
        )
    )
    tage = zeilen = 0
    tag = erster
    while tag <= letzter:
        if tag not in vorhanden:
            zeilen += snapshot_erstellen(stichtag=tag, art=Abdeckungsstand.Art.STICHTAG)
            tage += 1
        tag += dt.timedelta(days=7)
    # The daily figures of each commitment day (the daily task freezes every day): the
    # start of the burn-up's target line.
    eingefroren = set(
        Abdeckungsstand.objects.filter(art=Abdeckungsstand.Art.TAEGLICH).values_list(
            "stichtag", flat=True
        )
    )
    zusagetage = {
        z
        for z in Zusage.objects.filter(zugesagt_am__lte=ende).values_list("zugesagt_am", flat=True)
        if z is not None and z not in eingefroren
    }
    for tag in sorted(zusagetage):
        if tagesende(tag) <= timezone.now():
            zeilen += snapshot_erstellen(stichtag=tag, art=Abdeckungsstand.Art.TAEGLICH)
            tage += 1
    if tage == 0:
        return "nichts zu tun (alle Wochen-Stichtage schon eingefroren)"
    return (
        f"{tage} Stände eingefroren (Sonntage {erster:%d.%m.%Y} bis {letzter:%d.%m.%Y} "
        f"und Zusagetage), {zeilen} Zeilen"
    )


# (name, step): a step writes through a service and returns a one-line summary.
SCHRITTE: list[tuple[str, Callable[[BaseCommand], str]]] = [
    ("Demo-Konten", _konten_anlegen),
    ("Demo-Fortschritt", _fortschritt_anlegen),
    ("Wochen-Stichtage", _wochen_stichtage_anlegen),
]


class Command(BaseCommand):
    help = "Legt die Demo-Konten und den Demo-Fortschritt (Bayern, Hessen) an; wiederholbar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--nur-anzeigen",
            action="store_true",
            help="Nur die Demo-Anmeldedaten ausgeben, nichts schreiben.",
        )
        parser.add_argument(
            "--ohne-fortschritt",
            action="store_true",
            help="Nur die Demo-Konten anlegen, keinen Demo-Fortschritt (schneller).",
        )

    def handle(
        self,
        *args: object,
        nur_anzeigen: bool = False,
        ohne_fortschritt: bool = False,
        **options: object,
    ) -> None:
        if not nur_anzeigen:
            for name, schritt in SCHRITTE:
                if ohne_fortschritt and schritt in (
                    _fortschritt_anlegen,
                    _wochen_stichtage_anlegen,
                ):
                    continue
                try:
                    zusammenfassung = schritt(self)
                except ValidationError as exc:
                    raise CommandError(f"{name}: {' '.join(exc.messages)}") from exc
                self.stdout.write(self.style.SUCCESS(f"{name}: {zusammenfassung}"))
        self._anmeldedaten_ausgeben()

    def _anmeldedaten_ausgeben(self) -> None:
        zeilen = [("Benutzername", "Rolle", "Bereich")] + [
            (konto.username, konto.rolle.label, konto.land_kurz or "bundesweit")
            for konto in DEMO_KONTEN
        ]
        breiten = [max(len(zeile[i]) for zeile in zeilen) for i in range(3)]
        trenner = "  ".join("-" * breite for breite in breiten)
        self.stdout.write("")
        self.stdout.write("Demo-Anmeldung (alle Konten):")
        for nummer, zeile in enumerate(zeilen):
            self.stdout.write(
                "  ".join(wert.ljust(b) for wert, b in zip(zeile, breiten, strict=True)).rstrip()
            )
            if nummer == 0:
                self.stdout.write(trenner)
        self.stdout.write(f"Passwort für alle Demo-Konten: {DEMO_PASSWORT}")
