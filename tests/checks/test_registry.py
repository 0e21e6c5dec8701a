"""Checks are plugins: registered through register_checks, the built-ins exactly like a third party's."""

from __future__ import annotations

import json

import pytest

import flowops
from flowops.checks import Check, CheckResult, Evidence, failed, passed
from flowops.checks.binding import find_binding
from flowops.checks.model import CheckContext
from flowops.checks.registry import collect_checks
from flowops.checks.runner import Runner
from flowops.errors import ConfigError
from flowops.plugins import Plugins


class DockerfileUser:
    """A third-party check: every Dockerfile's last stage sets USER."""

    @flowops.hookimpl
    def register_checks(self, register):
        register(Check("docker.user", "every Dockerfile sets a USER", self.run, "docker.user"))

    def run(self, context, args):
        problems = []
        for container in context.inventory().containers:
            text = context.inventory().files.read_text(container["path"])
            if "\nUSER " not in text:
                problems.append(Evidence(container["path"], None, "no USER instruction: the image runs as root"))
        return failed("images running as root", problems) if problems else passed("every image sets USER")


def test_the_builtin_checks_are_registered_by_the_checks_plugin():
    from flowops.plugins import build_plugins

    checks = collect_checks(build_plugins(entry_points=lambda: []))
    assert {plugin for plugin, _check in checks.values()} == {"checks"}
    assert {"cmd", "file", "k8s.resources", "k8s.probes", "k8s.hpa", "k8s.pdb", "k8s.netpol", "k8s.rbac", "k8s.nonroot",
            "prom.rules", "prom.alerts", "ops.runbooks", "gha.pinned", "gha.permissions", "gha.sbom",
            "gha.provenance", "slo.rules", "slo.specs"} == set(checks)


def test_a_third_party_check_is_bound_and_verified_like_a_builtin(flowops, install_plugin, repo):
    install_plugin("docker-user", DockerfileUser())
    (repo / "Dockerfile").write_text("FROM python:3.12-slim\nCMD [\"python\"]\n")
    assert flowops("init").exit_code == 0
    assert flowops("task create Image --ac 'The image does not run as root'").exit_code == 0
    assert flowops("ac bind 1 1 -- docker.user").exit_code == 0
    result = flowops("ac verify 1 --json")
    assert result.exit_code == 3
    (verdict,) = json.loads(result.stdout)["results"]
    assert (verdict["check"], verdict["status"]) == ("docker.user", "fail")
    assert verdict["evidence"] == [{"path": "Dockerfile", "line": None, "message": "no USER instruction: the image runs as root"}]
    assert "docker.user" in flowops("ac checks --plain").stdout


def test_two_plugins_registering_one_name_is_a_configuration_error():
    plugins = Plugins()
    plugins.register(DockerfileUser(), "one", builtin=False)
    plugins.register(DockerfileUser(), "two", builtin=False)
    with pytest.raises(ConfigError, match="check 'docker.user' is registered by both plugin"):
        collect_checks(plugins)


def test_a_malformed_check_is_refused_naming_the_plugin():
    class Bad:
        @flowops.hookimpl
        def register_checks(self, register):
            register(Check("Not A Name", "", lambda context, args: None))

    plugins = Plugins()
    plugins.register(Bad(), "bad", builtin=False)
    with pytest.raises(ConfigError, match="plugin 'bad' registered a malformed check"):
        collect_checks(plugins)


def test_a_check_that_raises_or_returns_nonsense_is_an_error_and_the_others_still_run(tmp_path):
    def boom(context, args):
        raise RuntimeError("cluster unreachable")

    checks = {"x.boom": ("boomer", Check("x.boom", "raises", boom)),
              "x.none": ("lazy", Check("x.none", "returns None", lambda context, args: None)),
              "x.ok": ("fine", Check("x.ok", "passes", lambda context, args: CheckResult("pass", "ok")))}
    plugins = Plugins()
    runner = Runner(CheckContext(tmp_path), checks, plugins)
    results = [runner.run(find_binding(f"c `verify: {name}`")).result for name in ("x.boom", "x.none", "x.ok", "x.gone")]
    assert [r.status for r in results] == ["error", "error", "pass", "error"]
    assert "RuntimeError: cluster unreachable" in results[0].summary
    assert "unknown check 'x.gone'" in results[3].summary
    assert [f.plugin for f in plugins.failures] == ["boomer"]


def test_the_same_question_is_answered_once_per_verification(tmp_path):
    calls = []
    checks = {"x.count": ("p", Check("x.count", "counts", lambda c, a: calls.append(a) or CheckResult("pass", "ok")))}
    runner = Runner(CheckContext(tmp_path), checks)
    for text in ("a `verify: x.count`", "b `verify: x.count`", "c `verify: x.count k8s/`"):
        runner.run(find_binding(text))
    assert calls == [[], ["k8s/"]]
