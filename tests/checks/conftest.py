"""Fixtures for the check tests: the shop repository, a context on it, the built-in checks, promtool."""

from __future__ import annotations

import pytest

from flowops.checks.binding import find_binding
from flowops.checks.model import CheckContext
from flowops.checks.registry import collect_checks
from flowops.checks.runner import Runner
from flowops.plugins import build_plugins
from tests.support.evidence import copy_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return copy_shop(tmp_path_factory.mktemp("shop") / "repo")


@pytest.fixture(scope="session")
def builtin_checks():
    return collect_checks(build_plugins(entry_points=lambda: []))


@pytest.fixture
def check(shop, builtin_checks):
    """``check("k8s.hpa --min 3")``: the result of a built-in check on the shop repository (a fresh discovery)."""

    def run(text, root=None, **context):
        binding = find_binding(f"criterion `verify: {text}`")
        runner = Runner(CheckContext(root or shop, **context), builtin_checks)
        return runner.run(binding, context.get("task")).result

    return run


def messages(result):
    return [str(evidence) for evidence in result.evidence]
