"""Shares the operations test fixtures (sample alert files, plugin managers), and the closed racy window of the store tests."""

from tests.backlog.conftest import _outside_the_racy_window  # noqa: F401  (autouse: caching is tested here too)
from tests.ops.conftest import alerts_dir, plugins_with  # noqa: F401  (pytest fixtures)
