"""Shares the operations test fixtures (sample alert files, plugin managers)."""

from tests.ops.conftest import alerts_dir, plugins_with  # noqa: F401  (pytest fixtures)
