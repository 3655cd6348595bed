"""The project's PostgreSQL backend (ENGINE "newsroom.postgresql"): see base.py."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

_preparing = contextvars.ContextVar("newsroom_prepared_statements", default=False)


@contextmanager
def prepared_statements():
    """Let the backend prepare the statements run inside (base.py says which qualify): for
    statements whose shape and plan do not depend on their values. Does nothing on SQLite or
    with DATABASE_PREPARE=off."""
    token = _preparing.set(True)
    try:
        yield
    finally:
        _preparing.reset(token)


def preparing() -> bool:
    return _preparing.get()
