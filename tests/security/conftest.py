"""The adversarial suite sends thousands of requests: lift the rate limits it is not testing."""

import pytest


@pytest.fixture(autouse=True)
def no_throttling(monkeypatch):
    from newsroom.api.base import FailedAuthenticationThrottle, TokenRateThrottle

    rates = {"token": "1000000/hour", "failed_auth": "1000000/hour"}
    monkeypatch.setattr(FailedAuthenticationThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", rates)
