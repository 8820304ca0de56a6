# Production image: gunicorn serves the web app; the same image runs the Celery workers (one per queue), beat
# and the one-off `migrate` (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt package.json package-lock.json ./
RUN pip install --no-cache-dir -r requirements.txt && npm ci --omit=dev --no-audit --no-fund
COPY . .
# Production settings, so the hashed, compressed files and their manifest are built; the key only lives for this step.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --create-home council && chown -R council /app
USER council
EXPOSE 8000
# Liveness: the web process answers (docker-compose.yml asks the web containers /healthz/ready instead, and gives
# the worker containers a Celery ping). No curl in the slim image: Python's own client.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz/live', timeout=4)"]
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
