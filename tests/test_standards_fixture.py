"""The offline standards folder: missing under CI is a failure, elsewhere a skip."""

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.conftest import require_standards


def test_missing_standards_fail_under_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="offline standards folder not found"):
        require_standards(tmp_path / "missing")


def test_missing_standards_skip_elsewhere(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped, match="offline standards folder not found"):
        require_standards(tmp_path / "missing")


def test_a_present_folder_is_returned(tmp_path):
    assert require_standards(tmp_path) == tmp_path
