"""Fixtures for workflow tests (helpers live in tests/workflow/helpers.py)."""

from __future__ import annotations

import pytest

from flowops.workflow.loader import read_default


@pytest.fixture
def default_config():
    return read_default()
