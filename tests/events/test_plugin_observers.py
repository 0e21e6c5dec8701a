"""Plugins installed through entry points observe events emitted on the command line."""

import json

from tests.events.conftest import Raiser, Recorder, audit_records


def test_an_installed_plugin_observes_cli_emits_even_next_to_a_raising_one(flowops, repo, installed_plugins):
    recorder = Recorder()
    installed_plugins(broken=Raiser(), recorder=recorder)
    result = flowops("hooks emit deploy.completed --task-id TASK-7 --json")
    assert result.exit_code == 0, result
    (seen,) = recorder.events
    assert (seen.type, seen.subject) == ("deploy.completed", "TASK-7")
    results = {r["handler"]: r for r in json.loads(result.stdout)["results"]}
    assert (results["broken"]["ok"], results["recorder"]["ok"]) == (False, True)
    assert "RuntimeError: observer exploded" in results["broken"]["error"]
    assert flowops("hooks emit deploy.completed --strict").exit_code == 1
    assert sorted(r["handler"] for r in audit_records(repo)[:3] if r["kind"] == "delivery") == ["broken", "recorder"]


def test_observers_are_not_called_with_no_hooks(flowops, installed_plugins):
    recorder = Recorder()
    installed_plugins(recorder=recorder)
    assert flowops("--no-hooks hooks emit deploy.completed").exit_code == 0
    assert recorder.events == []


def test_list_names_the_observing_plugins(flowops, installed_plugins):
    installed_plugins(recorder=Recorder())
    assert "python observers (on_event): recorder" in flowops("hooks list --plain").stdout


def test_plugin_lookup_skips_importlib_metadata_only_when_no_distribution_declares_the_group(tmp_path, monkeypatch):
    from flowops.plugins import _group_declared

    site = tmp_path / "site-packages"
    (site / "other-1.0.dist-info").mkdir(parents=True)
    (site / "other-1.0.dist-info" / "entry_points.txt").write_text("[console_scripts]\nother = other:main\n")
    monkeypatch.setattr("sys.path", [str(site), str(tmp_path / "missing")])
    assert _group_declared("flowops") is False
    (site / "flowops_slack-0.1.dist-info").mkdir()
    (site / "flowops_slack-0.1.dist-info" / "entry_points.txt").write_text("[flowops]\nslack = flowops_slack\n")
    assert _group_declared("flowops") is True
    (tmp_path / "bundle.zip").write_bytes(b"PK")
    monkeypatch.setattr("sys.path", [str(tmp_path / "bundle.zip")])
    assert _group_declared("flowops") is True  # only importlib.metadata can look inside a zip
