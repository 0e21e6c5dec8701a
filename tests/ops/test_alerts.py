import pytest

from flowops.errors import ConfigError
from flowops.ops.alerts import parse_alerts, read_alert_files, read_alerts, slugify


def test_prometheus_rules_give_one_alert_per_alerting_rule_with_its_facts(alerts_dir):
    alerts = read_alerts(alerts_dir / "prometheus_rules.yml", "monitoring/rules.yml")

    assert [a.name for a in alerts] == ["HighErrorRate", "High Latency", "CheckoutDown"]
    first = alerts[0]
    assert first.slug == "high-error-rate"
    assert 'code=~"5.."' in first.expr and first.expr.endswith("> 0.01")
    assert (first.duration, first.severity, first.group) == ("5m", "critical", "checkout-availability")
    assert first.summary == "More than 1% of checkout requests fail"
    assert first.description.startswith("5xx ratio is {{ $value")
    assert first.runbook_url == "https://runbooks.example.com/checkout/high-error-rate.md#triage"
    assert (first.source, first.line, first.position) == ("monitoring/rules.yml", 7, "groups[0].rules[1]")
    assert first.location == "monitoring/rules.yml:7"


def test_recording_rules_are_not_alerts(alerts_dir):
    alerts = read_alerts(alerts_dir / "prometheus_rules.yml")
    assert all(not a.name.startswith("job:") for a in alerts)
    assert len(alerts) == 3


def test_missing_optional_facts_stay_empty(alerts_dir):
    down = read_alerts(alerts_dir / "prometheus_rules.yml")[2]
    assert (down.name, down.summary, down.description, down.runbook_url) == ("CheckoutDown", None, None, None)


def test_alerts_config_categories_are_read_and_defaults_ignored(alerts_dir):
    alerts = read_alerts(alerts_dir / "alerts_config.yml", "ops/alerts-config.yaml")

    assert [(a.group, a.slug) for a in alerts] == [
        ("availability", "assistant-api-down"),
        ("performance", "answer-latency-p95-high"),
        ("cost", "daily-token-spend-warning"),
        ("rag", "empty-retrieval-rate-high"),
    ]
    down = alerts[0]
    assert (down.expr, down.duration, down.severity) == ("up{job='assistant'} == 0", "2m", "critical")
    assert down.runbook_url.endswith("#api-down")
    assert (down.line, down.position) == (8, "availability[0]")
    # `message` is the summary in this shape
    assert alerts[2].summary == "Token spend passed 80% of the daily budget"


def test_a_kubernetes_prometheusrule_object_is_read_like_a_rule_file(alerts_dir):
    [alert] = read_alerts(alerts_dir / "prometheus_rule_crd.yml")
    assert (alert.name, alert.duration, alert.severity) == ("OrdersQueueBacklog", "15m", "warning")
    assert alert.position == "spec.groups[0].rules[0]"


@pytest.mark.parametrize(
    "name, slug",
    [
        ("High Latency", "high-latency"),
        ("HighErrorRate", "high-error-rate"), ("HTTPErrorsHigh", "http-errors-high"), ("CPU99Percent", "cpu99-percent"),
        ("  Latency P99 -- High!  ", "latency-p99-high"),
        ("disk_full/root", "disk-full-root"),
        ("Café Down", "caf-down"),
    ],
)
def test_slug_is_lower_case_with_single_dashes_between_alphanumerics(name, slug):
    assert slugify(name) == slug


def test_each_alert_knows_its_runbook_key_and_label():
    [alert] = parse_alerts("groups:\n- name: g\n  rules:\n  - alert: High Latency\n    expr: x > 1\n", "r.yml")
    assert alert.key == "runbook:high-latency"
    assert alert.label == "ops:runbook:high-latency"


def test_invalid_yaml_is_refused_with_file_and_line(alerts_dir):
    with pytest.raises(ConfigError) as info:
        read_alerts(alerts_dir / "invalid_yaml.yml", "monitoring/broken.yml")
    assert info.value.path == "monitoring/broken.yml"
    assert info.value.line in (5, 6)
    assert "invalid YAML" in info.value.message


def test_a_rule_without_alert_or_record_is_an_alert_without_a_name(alerts_dir):
    with pytest.raises(ConfigError) as info:
        read_alerts(alerts_dir / "missing_name.yml", "rules.yml")
    error = info.value
    assert (error.path, error.line, error.field) == ("rules.yml", 6, "groups[0].rules[1]")
    assert "needs a name" in error.message
    assert str(error).startswith("rules.yml:6, field 'groups[0].rules[1]'")


@pytest.mark.parametrize("name", ["", "name: ''\n    ", "name: null\n    "])
def test_an_alerts_config_entry_without_a_name_is_refused_with_its_position(name):
    text = "quality:\n  - name: Drift\n    condition: drift > 0.3\n  - " + name + "condition: score < 0.5\n"
    with pytest.raises(ConfigError) as info:
        parse_alerts(text, "alerts.yaml")
    assert info.value.field == "quality[1]" and info.value.line == 4
    assert "alert without a name" in info.value.message


def test_a_name_that_is_not_text_is_refused():
    with pytest.raises(ConfigError) as info:
        parse_alerts("groups:\n- name: g\n  rules:\n  - alert: [a, b]\n    expr: up\n", "r.yml")
    assert info.value.field == "groups[0].rules[0].alert" and "text value" in info.value.message


def test_a_name_without_letters_or_digits_is_refused():
    with pytest.raises(ConfigError) as info:
        parse_alerts("cost:\n  - name: '!!!'\n    condition: x > 1\n", "a.yml")
    assert "slug" in info.value.message and info.value.field == "cost[0]"


@pytest.mark.parametrize(
    "text, line",
    [
        ("receiver: pager\nroute:\n  group_by: [alertname]\n", 1),
        ("- alert: A\n  expr: up\n", 1),
        ("just a string\n", 1),
    ],
)
def test_an_unknown_shape_is_refused_naming_both_known_shapes(text, line):
    with pytest.raises(ConfigError) as info:
        parse_alerts(text, "what.yml")
    assert info.value.path == "what.yml" and info.value.line == line
    assert "unknown alert file shape" in info.value.message
    assert "groups" in info.value.hint and "availability" in info.value.hint


def test_an_alertmanager_config_is_not_mistaken_for_alerts(alerts_dir):
    with pytest.raises(ConfigError, match="unknown alert file shape"):
        read_alerts(alerts_dir / "unknown_shape.yml")


def test_lists_that_are_not_alerts_are_left_alone_in_an_alerts_config():
    text = "channels:\n  - name: slack\n    type: slack\nperformance:\n  - name: Slow\n    condition: p99 > 2\n"
    assert [a.name for a in parse_alerts(text, "a.yml")] == ["Slow"]


def test_two_alerts_with_the_same_slug_in_one_file_are_refused(alerts_dir):
    with pytest.raises(ConfigError) as info:
        read_alerts(alerts_dir / "duplicate_slug.yml", "dup.yml")
    error = info.value
    assert (error.path, error.line, error.field) == ("dup.yml", 8, "groups[1].rules[0]")
    assert "'Disk Full' (dup.yml:4, groups[0].rules[0])" in error.message and "'disk-full'" in error.message


def test_the_same_slug_in_two_files_names_both_files(tmp_path):
    one = tmp_path / "one.yml"
    two = tmp_path / "two.yml"
    one.write_text("groups:\n- name: a\n  rules:\n  - alert: High Latency\n    expr: x > 1\n")
    two.write_text("performance:\n  - name: high-latency\n    condition: p95 > 1\n")
    with pytest.raises(ConfigError) as info:
        read_alert_files([(one, "rules/one.yml"), (two, "rules/two.yml")])
    error = info.value
    assert error.path == "rules/two.yml" and error.line == 2
    assert "rules/one.yml:4" in error.message and "high-latency" in error.message


def test_several_files_are_merged_in_order_and_a_file_named_twice_is_read_once(alerts_dir):
    rules = alerts_dir / "prometheus_rules.yml"
    alerts = read_alert_files([rules, alerts_dir / "alerts_config.yml", str(rules)])
    assert len(alerts) == 7
    assert alerts[0].source == str(rules) and alerts[3].group == "availability"


def test_an_empty_file_has_no_alerts(tmp_path):
    empty = tmp_path / "empty.yml"
    empty.write_text("# all alerts removed\n")
    assert read_alerts(empty) == []
    assert parse_alerts("groups: []\n", "g.yml") == []


def test_a_missing_file_is_a_config_error_naming_it(tmp_path):
    with pytest.raises(ConfigError) as info:
        read_alerts(tmp_path / "nope.yml", "monitoring/nope.yml")
    assert info.value.path == "monitoring/nope.yml" and "not found" in info.value.message


@pytest.mark.parametrize(
    "rule, field",
    [
        ("  - alert: A\n    expr: up\n    labels: [critical]\n", "groups[0].rules[0].labels"),
        ("  - alert: A\n    expr: up\n    annotations:\n      summary: {text: hi}\n", "groups[0].rules[0].annotations.summary"),
        ("  - alert: A\n    expr: [up]\n", "groups[0].rules[0].expr"),
        ("  - just text\n", "groups[0].rules[0]"),
    ],
)
def test_a_field_of_the_wrong_type_is_refused_with_its_position(rule, field):
    with pytest.raises(ConfigError) as info:
        parse_alerts("groups:\n- name: g\n  rules:\n" + rule, "r.yml")
    assert info.value.field == field and info.value.line is not None


def test_groups_that_are_not_a_list_are_refused():
    with pytest.raises(ConfigError) as info:
        parse_alerts("groups:\n  name: g\n", "r.yml")
    assert info.value.field == "groups" and "list of rule groups" in info.value.message


def test_fifty_alerts_are_read_each_with_its_own_line(tmp_path):
    rules = "".join(
        f"  - alert: Service{i}Errors\n    expr: errors{{svc=\"s{i}\"}} > {i}\n    for: {i % 10 + 1}m\n"
        f"    labels:\n      severity: {'critical' if i % 2 else 'warning'}\n"
        for i in range(50)
    )
    path = tmp_path / "big.yml"
    path.write_text("groups:\n- name: all\n  rules:\n" + rules)
    alerts = read_alerts(path)
    assert len(alerts) == 50 and len({a.slug for a in alerts}) == 50
    assert [a.line for a in alerts] == [4 + 5 * i for i in range(50)]
    assert alerts[49].expr == 'errors{svc="s49"} > 49' and alerts[49].duration == "10m"


def test_read_alerts_accepts_a_plain_string_path(alerts_dir):
    assert len(read_alerts(str(alerts_dir / "prometheus_rule_crd.yml"))) == 1
