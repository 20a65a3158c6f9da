"""Celery application. Configuration comes from Django settings (CELERY_ namespace)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")

app = Celery("rollout")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs are declared here, in one place, each with a stable name. Times are
# Europe/Berlin (CELERY_TIMEZONE); `make beat` runs them.
app.conf.beat_schedule = {
    # Every night at 02:30: recompute all current coverage figures from scratch, repairing
    # anything an incremental run missed (e.g. changes saved while Redis was down).
    "abdeckung-voll-naechtlich": {
        "task": "abdeckung.voll_neu_berechnen",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every night at 02:45 (after the full run): the daily snapshot of yesterday; also
    # fills any missing day of the week before (a missed night, the spring DST night
    # that has no 02:30).
    "abdeckung-tagesstand": {
        "task": "abdeckung.tagesstand",
        "schedule": crontab(hour=2, minute=45),
    },
    # Every Monday at 00:00: freeze the weekly Stichtag, the state at the end of Sunday,
    # which the weekly report uses.
    "abdeckung-stichtag-woechentlich": {
        "task": "abdeckung.stichtag",
        "schedule": crontab(hour=0, minute=0, day_of_week="mon"),
    },
    # Every Monday at 06:00 (after the Stichtag froze at 00:00): the steering reports of
    # the newest Stichtag, one task per scope (national + each participating Land).
    "berichte-woechentlich": {
        "task": "berichte.woechentlich",
        "schedule": crontab(hour=6, minute=0, day_of_week="mon"),
    },
}
