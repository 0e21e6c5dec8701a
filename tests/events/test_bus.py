import pytest

from flowops.errors import ConfigError, UsageError
from flowops.events.bus import emit, try_handler
from flowops.events.handlers import DeliveryResult
from flowops.hookspecs import hookimpl
from tests.events.conftest import Raiser, Recorder, audit_records, register

TWO_HANDLERS = """
version: 1
hooks:
  - {name: first, events: ["deploy.*"], command: ["sh", "-c", "exit 4"], fail_mode: FIRST_MODE}
  - {name: second, events: ["deploy.*"], command: ["sh", "-c", "touch second-ran"]}
"""


def test_event_carries_ids_files_and_data(project, repo):
    (repo / "k8s" / "checkout").mkdir(parents=True)
    (repo / "deploy.yml").write_text("x")
    report = emit(
        project,
        "deploy.completed",
        task_id="TASK-12",
        spec_id="checkout",
        files=["deploy.yml", str(repo / "k8s" / "checkout"), "./k8s/../deploy.yml"],
        data={"region": "eu", "replicas": 3},
    )
    event = report.event
    assert (event.type, event.subject, event.source) == ("deploy.completed", "TASK-12", f"flowops:/{repo.name}")
    assert event.data == {"spec_id": "checkout", "task_id": "TASK-12", "files": ["deploy.yml", "k8s/checkout"],
                          "region": "eu", "replicas": 3}
    assert report.warnings == [] and report.exit_code == 0


def test_source_comes_from_settings_when_set(project, repo):
    (repo / ".flowops" / "config.toml").write_text('[events]\nsource = "https://ops.example.com/shop"\n')
    assert emit(project, "a.b").event.source == "https://ops.example.com/shop"


def test_a_missing_file_is_a_warning(project):
    report = emit(project, "deploy.completed", files=["k8s/nothing.yaml"])
    assert report.event.data["files"] == ["k8s/nothing.yaml"]
    assert report.warnings == ["file k8s/nothing.yaml does not exist"]


def test_a_file_outside_the_repository_is_a_usage_error_and_nothing_is_recorded(project, repo, tmp_path):
    with pytest.raises(UsageError, match="outside the repository"):
        emit(project, "deploy.completed", files=["../elsewhere.txt"])
    with pytest.raises(UsageError):
        emit(project, "deploy.completed", files=[str(tmp_path / "x")])
    assert audit_records(repo) == []


def test_an_invalid_name_is_a_usage_error(project, repo):
    with pytest.raises(UsageError) as info:
        emit(project, "Deploy")
    assert info.value.exit_code == 2 and audit_records(repo) == []


def test_data_may_repeat_but_not_contradict_the_ids(project):
    assert emit(project, "task.created", task_id="TASK-1", data={"task_id": "TASK-1", "title": "x"}).event.subject == "TASK-1"
    assert emit(project, "task.created", data={"task_id": "TASK-2"}).event.subject == "TASK-2"
    with pytest.raises(UsageError, match="task_id"):
        emit(project, "task.created", task_id="TASK-1", data={"task_id": "TASK-9"})
    with pytest.raises(UsageError, match="JSON"):
        emit(project, "task.created", data={"when": object()})


def test_fail_mode_stop_skips_later_handlers_and_fails_the_emit(project, write_hooks, repo):
    write_hooks(TWO_HANDLERS.replace("FIRST_MODE", "stop"))
    report = emit(project, "deploy.completed")
    first, second = report.results
    assert (first.ok, first.exit_code) == (False, 4)
    assert second.skipped and "first failed with fail_mode: stop" in second.note
    assert not (repo / "second-ran").exists()
    assert (report.ok, report.exit_code, report.stopped_by) == (False, 1, "first")
    assert [r.get("skipped") for r in audit_records(repo)[1:]] == [False, True]


def test_fail_mode_continue_runs_the_rest_and_succeeds_unless_strict(project, write_hooks, repo):
    write_hooks(TWO_HANDLERS.replace("FIRST_MODE", "continue"))
    report = emit(project, "deploy.completed")
    assert [r.ok for r in report.results] == [False, True] and (repo / "second-ran").exists()
    assert report.exit_code == 0
    assert emit(project, "deploy.completed", strict=True).exit_code == 1


def test_no_hooks_records_the_event_but_delivers_nothing(project, write_hooks, repo):
    write_hooks(TWO_HANDLERS.replace("FIRST_MODE", "stop"))
    recorder = Recorder()
    register(project, recorder, "recorder")
    report = emit(project, "deploy.completed", no_hooks=True)
    assert report.results == [] and not report.delivered and report.exit_code == 0
    assert [r["kind"] for r in audit_records(repo)] == ["event"]
    assert recorder.events == [] and not (repo / "second-ran").exists()


def test_dry_run_lists_handlers_runs_none_and_records_nothing(project, write_hooks, repo):
    write_hooks(TWO_HANDLERS.replace("FIRST_MODE", "stop"))
    register(project, Recorder(), "recorder")
    report = emit(project, "deploy.completed", dry_run=True)
    assert [(r.handler, r.kind, r.skipped) for r in report.results] == [
        ("first", "command", True),
        ("second", "command", True),
        ("recorder", "python", True),
    ]
    assert report.results[1].note == "dry run: would run command: sh -c 'touch second-ran'"
    assert audit_records(repo) == [] and not (repo / "second-ran").exists()


def test_handlers_are_chosen_by_pattern_and_filter(project, write_hooks, repo):
    write_hooks(
        """
        version: 1
        hooks:
          - {name: infra, events: ["task.*"], filter: {labels_any: [infrastructure]}, command: ["true"]}
          - {name: deploys, events: ["deploy.*"], command: ["true"]}
        """
    )
    infra = emit(project, "task.created", data={"labels": ["infrastructure", "k8s"]})
    other = emit(project, "task.created", data={"labels": ["frontend"]})
    assert [r.handler for r in infra.results] == ["infra"]
    assert other.results == []


def test_observers_receive_every_event(project):
    recorder = Recorder()
    register(project, recorder, "recorder")
    report = emit(project, "runbook.created", task_id="TASK-4", data={"doc_id": "doc-1", "alert": "HighLatency"})
    (seen,) = recorder.events
    assert seen.to_dict() == report.event.to_dict()
    assert [(r.handler, r.kind, r.ok) for r in report.results] == [("recorder", "python", True)]


def test_a_raising_observer_does_not_stop_another(project, repo):
    recorder = Recorder()
    register(project, Raiser(), "raiser")
    register(project, recorder, "recorder")
    report = emit(project, "deploy.completed")
    assert len(recorder.events) == 1
    results = {r.handler: r for r in report.results}
    assert results["raiser"].ok is False and "observer exploded" in results["raiser"].error
    assert results["recorder"].ok is True
    assert report.exit_code == 0 and emit(project, "deploy.completed", strict=True).exit_code == 1
    assert {(r["handler"], r["ok"]) for r in audit_records(repo) if r["kind"] == "delivery"} >= {("raiser", False), ("recorder", True)}


class Pigeon:
    """A handler type from a plugin: writes the event type into a file named in hooks.yaml."""

    def validate(self, config):
        target = config.get("pigeon", {}).get("nest")
        return [] if isinstance(target, str) else [(("pigeon", "nest"), "nest must be a file name")]

    def deliver(self, event, config, context):
        (context.root / config["pigeon"]["nest"]).write_text(event.type)
        return DeliveryResult(ok=True)


class PigeonPlugin:
    @hookimpl
    def register_handler_types(self, register):
        register("pigeon", Pigeon())


def test_a_plugin_handler_type_is_configured_like_the_built_in_ones(project, write_hooks, repo):
    register(project, PigeonPlugin(), "pigeon")
    write_hooks('version: 1\nhooks:\n  - {name: coo, events: ["deploy.*"], pigeon: {nest: nest.txt}}\n')
    (result,) = emit(project, "deploy.started").results
    assert (result.handler, result.kind, result.ok) == ("coo", "pigeon", True)
    assert (repo / "nest.txt").read_text() == "deploy.started"
    write_hooks('version: 1\nhooks:\n  - {name: coo, events: ["deploy.*"], pigeon: {nest: 3}}\n')
    with pytest.raises(ConfigError) as info:
        emit(project, "deploy.started")
    assert info.value.problems[0].message == "hook 'coo': nest must be a file name"


def test_a_broken_hooks_file_is_a_config_error_after_the_event_is_recorded(project, write_hooks, repo):
    write_hooks("version: 1\nhooks:\n  - {name: x, events: [a.b], command: [true], timeout: 0}\n")
    with pytest.raises(ConfigError):
        emit(project, "a.b")
    assert [r["kind"] for r in audit_records(repo)] == ["event", "error"]


def test_trying_a_handler_ignores_its_filter_and_uses_a_sample_event(project, write_hooks, repo):
    write_hooks(
        """
        version: 1
        hooks:
          - {name: infra, events: ["deploy.*"], filter: {labels_any: [never]}, command: ["sh", "-c", "cat > got.json"]}
        """
    )
    event, result = try_handler(project, "infra")
    assert result.ok and event.type == "deploy.started" and event.data["test"] is True
    assert '"deploy.started"' in (repo / "got.json").read_text()


def test_dry_run_with_a_broken_hooks_file_records_nothing(project, write_hooks, repo):
    write_hooks("version: 1\nhooks:\n  - {name: x, events: [a.b], command: [true], timeout: 0}\n")
    with pytest.raises(ConfigError):
        emit(project, "a.b", dry_run=True)
    assert audit_records(repo) == []
