# One image for web (gunicorn), worker and beat (Celery); see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango/HarfBuzz and a font for the PDF reports (WeasyPrint); Chromium draws the report's
# charts (kaleido finds Debian's chromium on its own).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files are collected into the image and served by whitenoise (manifest storage).
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only-not-used-at-runtime \
        DJANGO_ENV_FILE=/nonexistent \
        python manage.py collectstatic --no-input \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin rollout \
    && mkdir -p /app/data \
    && chown rollout /app/data

USER rollout
EXPOSE 8000

CMD ["gunicorn", "rollout.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
