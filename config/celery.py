"""Celery application. With REDIS_URL, Redis is the broker and result backend; without, a local filesystem
broker and a SQLite result backend under CELERY_LOCAL_FOLDER (config/settings/base.py). Only the test
settings run tasks eagerly in-process."""

import os
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("commissioning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The filesystem transport's folders must exist before the first message is written or read.
LOCAL_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def make_local_broker_folders(sender: Celery, **kwargs: Any) -> None:
    """Create the filesystem broker's folders, in the web process and the worker alike, when that broker is used."""
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in LOCAL_FOLDER_OPTIONS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = str(sender.conf.result_backend or "")
    if backend.startswith("db+sqlite:///"):
        # SQLAlchemy creates the file and its tables, not the folder.
        Path(backend.removeprefix("db+sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
