import json

from flowops.hookspecs import hookimpl
from flowops.ops.playbook import Playbook, PlaybookItem


class SecurityPlaybook:
    def __init__(self, name="security"):
        self.name = name

    @hookimpl
    def register_playbooks(self, register):
        register(
            Playbook(
                name=self.name,
                description="Security sign-off before launch",
                items=(
                    PlaybookItem(
                        key="security:pentest",
                        title="Penetration test for {feature}",
                        area="security",
                        description="Outside testers try to break in.",
                        criteria=("docs/security/pentest.md lists 0 open high findings", "`zap-baseline.py` passes"),
                    ),
                ),
            )
        )


def test_plain_list_shows_each_playbook_with_its_plugin_and_items(flowops, install_plugin):
    result = flowops("playbooks list --plain")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mlops (plugin mlops): ")
    sre = lines.index(next(line for line in lines if line.startswith("sre (plugin sre): ")))
    assert lines[sre + 1].split() == ["cicd", "cicd", "9", "criteria", "CI/CD", "pipeline", "for", "{feature}"]
    assert lines[sre + 4].split()[:3] == ["slo", "monitoring", "7"]
    assert result.stderr == ""


def test_json_list_has_stable_keys_and_counts_criteria(flowops, install_plugin):
    result = flowops("playbooks list --json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert [p["name"] for p in data["playbooks"]] == ["mlops", "sre"]
    sre = data["playbooks"][1]
    assert set(sre) == {"name", "description", "plugin", "items"} and sre["plugin"] == "sre"
    assert sre["items"][0] == {
        "key": "cicd",
        "label": "ops:cicd",
        "title": "CI/CD pipeline for {feature}",
        "area": "cicd",
        "criteria_count": 9,
    }
    assert [item["key"] for item in sre["items"]] == ["cicd", "kubernetes", "observability", "slo"]


def test_a_third_party_playbook_is_listed_with_its_plugin(flowops, install_plugin):
    install_plugin("acme-security", SecurityPlaybook())
    data = json.loads(flowops("playbooks list --json").stdout)
    security = next(p for p in data["playbooks"] if p["name"] == "security")
    assert security["plugin"] == "acme-security"
    assert security["items"] == [
        {"key": "security:pentest", "label": "ops:security:pentest", "title": "Penetration test for {feature}", "area": "security",
         "criteria_count": 2}
    ]


def test_a_playbook_name_taken_twice_exits_2_naming_both_plugins(flowops, install_plugin):
    install_plugin("acme-security", SecurityPlaybook(name="sre"))
    result = flowops("playbooks list --json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "plugin 'sre'" in result.stderr and "plugin 'acme-security'" in result.stderr


def test_a_broken_playbook_plugin_is_a_warning_and_the_rest_are_listed(flowops, install_plugin):
    class Broken:
        @hookimpl
        def register_playbooks(self, register):
            raise RuntimeError("cannot read my data")

    install_plugin("broken", Broken())
    result = flowops("playbooks list --plain")
    assert result.exit_code == 0
    assert "plugin 'broken' failed in hook register_playbooks: RuntimeError: cannot read my data" in result.stderr
    assert "sre (plugin sre)" in result.stdout


def test_disabled_builtin_playbooks_are_not_listed(flowops, install_plugin):
    result = flowops("playbooks list --plain", env={"FLOWOPS_DISABLE_PLUGINS": "mlops,sre"})
    assert result.exit_code == 0
    assert result.stdout == "No playbooks registered.\n"
