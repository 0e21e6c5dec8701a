import pytest

from flowops.errors import ConfigError
from flowops.events.handlers import handler_types
from flowops.events.hooksfile import load_hooks, read_hooks


def problems_of(project, **kwargs):
    return read_hooks(project, handler_types(project), **kwargs).problems


def test_the_documented_example_is_valid(project, write_hooks, script, monkeypatch):
    script("scripts/notify.sh", "true\n")
    monkeypatch.setenv("OPS_TOKEN", "tok-4f1c")
    monkeypatch.setenv("CHAT_WEBHOOK_URL", "https://chat.example.com/hook")
    monkeypatch.setenv("FLOWOPS_WEBHOOK_SECRET", "whsec-9d2e")
    write_hooks(
        """
        version: 1
        defaults: {timeout: 30, fail_mode: continue}
        hooks:
          - name: notify-deploy
            events: ["deploy.*"]
            filter: {labels_any: [infrastructure]}
            command: ["scripts/notify.sh", "--fast"]
            env: {CHANNEL: ops, TOKEN: "${OPS_TOKEN}"}
            timeout: 10
            fail_mode: stop
          - name: chat
            events: ["deploy.completed", "workflow.*"]
            webhook:
              url: "${CHAT_WEBHOOK_URL}"
              secret_env: FLOWOPS_WEBHOOK_SECRET
              mode: structured
              timeout: 5
              retries: 3
        """
    )
    loaded = read_hooks(project, handler_types(project), check_env=True)
    assert loaded.problems == []
    first, second = loaded.hooks
    assert (first.name, first.type, first.timeout, first.fail_mode) == ("notify-deploy", "command", 10, "stop")
    assert first.filter == {"labels_any": ["infrastructure"]}
    assert (second.name, second.type, second.timeout, second.fail_mode) == ("chat", "webhook", 30, "continue")


def test_every_problem_is_reported_at_once_with_hook_field_and_line(project, write_hooks):
    write_hooks(
        """
        version: 1
        hooks:
          - name: slow
            events: ["deploy.*"]
            command: ["true"]
            timeout: 900
          - name: slow
            events: ["task.*"]
            command: ["true"]
          - name: typo
            events: ["task.*"]
            command: ["true"]
            fail_mod: stop
          - name: outside
            events: ["task.*"]
            command: ["../elsewhere/run.sh"]
        """
    )
    found = {(p.line, p.field): p.message for p in problems_of(project) if p.severity == "error"}
    assert found == {
        (6, "hooks[0].timeout"): "hook 'slow': timeout must be a number of seconds from 1 to 600, not 900",
        (7, "hooks[1].name"): "hook 'slow': duplicate name (first used by hooks[0])",
        (13, "hooks[2].fail_mod"): found[(13, "hooks[2].fail_mod")],
        (16, "hooks[3].command"): found[(16, "hooks[3].command")],
    }
    assert found[(13, "hooks[2].fail_mod")].startswith("hook 'typo': unknown key 'fail_mod'")
    assert "outside the repository" in found[(16, "hooks[3].command")]


def test_load_raises_one_config_error_listing_all_problems(project, write_hooks):
    write_hooks(
        """
        version: 2
        hooks:
          - name: Bad Name
            events: []
            command: "echo hi"
        """
    )
    with pytest.raises(ConfigError) as info:
        load_hooks(project, handler_types(project))
    error = info.value
    assert error.exit_code == 2 and error.path == ".flowops/hooks.yaml"
    messages = [p.message for p in error.problems]
    assert any("version must be 1" in m for m in messages)
    assert any("name must be a slug" in m for m in messages)
    assert any("events must be a non-empty list" in m for m in messages)
    assert any("set shell: true" in m for m in messages)


def test_a_missing_file_means_no_hooks(project):
    loaded = load_hooks(project, handler_types(project))
    assert loaded.hooks == [] and not loaded.exists


def test_unset_variables_are_reported_with_the_hook_name_when_asked(project, write_hooks, monkeypatch):
    monkeypatch.delenv("NOT_SET_TOKEN", raising=False)
    monkeypatch.delenv("NOT_SET_SECRET", raising=False)
    write_hooks(
        """
        version: 1
        hooks:
          - name: chat
            events: ["deploy.*"]
            webhook: {url: "https://x.example/${NOT_SET_TOKEN}", secret_env: NOT_SET_SECRET}
        """
    )
    assert problems_of(project) == []  # at emit time the handler fails instead
    messages = [(p.line, p.message) for p in problems_of(project, check_env=True)]
    assert messages == [
        (5, "hook 'chat': environment variable NOT_SET_TOKEN is not set"),
        (5, "hook 'chat': environment variable NOT_SET_SECRET is not set"),
    ]


def test_handler_must_be_exactly_one_known_type(project, write_hooks):
    write_hooks(
        """
        version: 1
        hooks:
          - name: none
            events: ["a.b"]
          - name: two
            events: ["a.b"]
            command: ["true"]
            webhook: {url: "https://x.example"}
          - name: unknown
            events: ["a.b"]
            slack: {channel: ops}
        """
    )
    messages = [p.message for p in problems_of(project)]
    assert "hook 'none': no handler: add one of command, webhook" in messages
    assert "hook 'two': give exactly one handler, found command, webhook" in messages
    assert any(m.startswith("hook 'unknown': unknown key 'slack'") for m in messages)


def test_command_only_keys_are_refused_on_webhooks(project, write_hooks):
    write_hooks(
        """
        version: 1
        hooks:
          - name: chat
            events: ["a.b"]
            shell: true
            webhook: {url: "https://x.example", retries: 20, mode: push}
        """
    )
    messages = sorted(p.message for p in problems_of(project))
    assert messages == [
        "hook 'chat': 'shell' does not apply to webhook handlers",
        "hook 'chat': mode must be one of structured, binary",
        "hook 'chat': retries must be a whole number from 0 to 10, not 20",
    ]


def test_missing_script_is_a_warning_not_an_error(project, write_hooks):
    write_hooks(
        """
        version: 1
        hooks:
          - name: notify
            events: ["a.b"]
            command: ["scripts/missing.sh"]
        """
    )
    loaded = load_hooks(project, handler_types(project))
    assert [p.message for p in loaded.warnings] == ["hook 'notify': program 'scripts/missing.sh' does not exist"]
    assert loaded.hooks[0].name == "notify"


def test_yaml_syntax_errors_name_the_line(project, write_hooks):
    write_hooks("version: 1\nhooks:\n  - name: [oops\n")
    with pytest.raises(ConfigError) as info:
        load_hooks(project, handler_types(project))
    assert info.value.line is not None and "invalid YAML" in info.value.message


def test_an_edit_is_seen_even_though_the_parse_is_cached(project, write_hooks):
    write_hooks('version: 1\nhooks:\n  - {name: a, events: ["a.b"], command: ["true"]}\n')
    assert [h.name for h in load_hooks(project, handler_types(project)).hooks] == ["a"]
    assert (project.cache_dir / "hooks-yaml.json").exists()
    write_hooks('version: 1\nhooks:\n  - {name: b, events: ["a.b"], command: ["true"], timeout: 0}\n')
    with pytest.raises(ConfigError) as info:
        load_hooks(project, handler_types(project))
    assert info.value.problems[0].line == 3


def test_a_committed_parse_cache_cannot_add_a_handler_nobody_sees(flowops, repo, tmp_path):
    import hashlib
    import json

    assert flowops("init").exit_code == 0
    innocent = "version: 1\nhooks: []\n"
    (repo / ".flowops" / "hooks.yaml").write_text(innocent)
    marker = tmp_path / "hidden-handler-ran"
    hidden = {"version": 1, "hooks": [{"name": "hidden", "events": ["*"], "command": ["touch", str(marker)]}]}
    forged = {"sha256": hashlib.sha256(innocent.encode()).hexdigest(), "path": ".flowops/hooks.yaml", "data": hidden,
              "lines": [[[], 1]]}
    (repo / ".flowops" / "cache").mkdir(exist_ok=True)
    (repo / ".flowops" / "cache" / "hooks-yaml.json").write_text(json.dumps(forged))

    created = flowops("task create Innocent")
    listed = flowops("hooks list --json")

    assert created.exit_code == 0, created
    assert not marker.exists()
    assert json.loads(listed.stdout)["hooks"] == []
