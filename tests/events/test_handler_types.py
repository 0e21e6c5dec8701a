import pytest

from flowops.errors import ConfigError
from flowops.events.bus import emit
from flowops.events.command import CommandHandler
from flowops.events.handlers import handler_types
from flowops.events.webhook import WebhookHandler
from flowops.plugins import get_plugins, reset_plugins


def test_command_and_webhook_come_from_the_builtin_handlers_plugin(project):
    types = handler_types(project)
    assert isinstance(types["command"], CommandHandler) and isinstance(types["webhook"], WebhookHandler)
    assert "handlers" in get_plugins(project).info
    assert "register_handler_types" in get_plugins(project).info["handlers"].hooks


def test_disabling_the_builtin_plugin_removes_its_types(project, write_hooks, monkeypatch):
    monkeypatch.setenv("FLOWOPS_DISABLE_PLUGINS", "handlers")
    reset_plugins()
    assert "command" not in handler_types(project)
    write_hooks('version: 1\nhooks:\n  - {name: a, events: ["a.*"], command: ["true"]}\n')
    with pytest.raises(ConfigError) as info:
        emit(project, "a.b")
    assert any("unknown key 'command'" in p.message for p in info.value.problems)
