"""The newsroom project package (top floor). Loads the Celery app so shared tasks bind to it."""

from newsroom.celery import app as celery_app

__all__ = ["celery_app"]
