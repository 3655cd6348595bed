"""The Celery application: background imports, feed polling and batch recounts.

Configured from Django settings (CELERY_*). With no broker configured (the embedded default of
`make run` and the tests) tasks run in-process, eagerly, so nothing else needs to be running.
Run a worker with `celery -A newsroom worker` and the scheduler with `celery -A newsroom beat`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
