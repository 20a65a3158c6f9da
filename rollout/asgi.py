import os

from django.core.asgi import get_asgi_application

from rollout.speicher import speicherbereinigung_einstellen

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")
application = get_asgi_application()
speicherbereinigung_einstellen()
