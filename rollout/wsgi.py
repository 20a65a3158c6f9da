import os

from django.core.wsgi import get_wsgi_application

from rollout.speicher import speicherbereinigung_einstellen

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")
application = get_wsgi_application()
speicherbereinigung_einstellen()
