import pytest

from flowops.events.secrets import UnsetVariable, expand, redact, variables_in


def test_expand_replaces_variables_everywhere_and_remembers_their_values():
    found: list[str] = []
    value = {"url": "https://x/${A}", "headers": {"Auth": "Bearer ${B}"}, "argv": ["${A}", "$HOME", "${A:-x}"]}
    assert expand(value, {"A": "alpha", "B": "beta"}, found) == {
        "url": "https://x/alpha",
        "headers": {"Auth": "Bearer beta"},
        "argv": ["alpha", "$HOME", "${A:-x}"],
    }
    assert sorted(found) == ["alpha", "alpha", "beta"]


def test_expand_refuses_an_unset_variable():
    with pytest.raises(UnsetVariable, match="environment variable NOPE is not set"):
        expand("${NOPE}", {})


def test_variables_are_found_in_nested_values():
    assert list(variables_in({"a": ["${X}", {"b": "${Y}-${X}"}], "c": 3})) == ["X", "Y", "X"]


def test_redact_hides_url_credentials_and_known_values():
    text = "POST https://bot:pa55@hooks.example.com/x failed; token tok-123 in body"
    assert redact(text, ["tok-123"]) == "POST https://***@hooks.example.com/x failed; token *** in body"


def test_redact_leaves_short_values_alone():
    assert redact("ops team on call", ["ops"]) == "ops team on call"


def test_redact_stays_fast_on_long_output():
    # A quadratic pattern would take seconds here; this returns at once.
    text = "a" * 65536 + "://" + "b" * 65536
    assert redact(text) == text


def test_redact_hides_the_percent_encoded_and_json_escaped_forms_too():
    from urllib.parse import quote, quote_plus

    secret = 'pa/ss+w"rd&more'
    text = (f"raw {secret} quoted {quote(secret, safe='')} plus {quote_plus(secret)} path {quote(secret)} "
            f"json {secret.replace(chr(34), chr(92) + chr(34))}")
    assert redact(text, [secret]) == "raw *** quoted *** plus *** path *** json ***"


LEAKY_HOOKS = """\
version: 1
hooks:
  - name: leaky
    events: ["deploy.*"]
    command: ["sh", "-c", "echo out $FLOWOPS_WEBHOOK_SECRET $ENCODED; echo err $FLOWOPS_WEBHOOK_SECRET >&2; exit 3"]
  - name: chat
    events: ["deploy.*"]
    webhook: {url: "http://127.0.0.1:9/hook", secret_env: FLOWOPS_WEBHOOK_SECRET, retries: 0, timeout: 2}
"""


def test_a_secret_printed_by_another_handler_is_redacted_in_every_output_log_and_outbox(flowops, repo, monkeypatch):
    import json
    from urllib.parse import quote

    from tests.support.state import audit_log, outbox_file

    secret = "whsec-Zq8/Lp+41"
    monkeypatch.setenv("FLOWOPS_WEBHOOK_SECRET", secret)
    monkeypatch.setenv("ENCODED", quote(secret, safe=""))
    assert flowops("init").exit_code == 0
    (repo / ".flowops" / "hooks.yaml").write_text(LEAKY_HOOKS)

    emitted = flowops(["hooks", "emit", "deploy.completed", "--json", "--data", f"note=leaked {secret}"])
    tested = flowops("hooks test leaky deploy.completed")
    listed = flowops("hooks log --json")

    assert emitted.exit_code == 0
    report = json.loads(emitted.stdout)
    assert report["results"][0]["stdout"].startswith("out *** ***")
    for text in (emitted.stdout, emitted.stderr, tested.stdout, tested.stderr, listed.stdout,
                 audit_log(repo).read_text(), outbox_file(repo).read_text()):
        assert secret not in text and quote(secret, safe="") not in text


def test_a_secret_too_short_to_mask_is_warned_about(flowops, repo, monkeypatch):
    monkeypatch.setenv("FLOWOPS_WEBHOOK_SECRET", "abc")
    monkeypatch.setenv("ENCODED", "-")
    assert flowops("init").exit_code == 0
    (repo / ".flowops" / "hooks.yaml").write_text(LEAKY_HOOKS)

    emitted = flowops("hooks emit deploy.completed")
    validated = flowops("hooks validate")

    for result in (emitted, validated):
        assert "FLOWOPS_WEBHOOK_SECRET" in result.stderr and "shorter than 4 characters" in result.stderr
        assert "abc" not in result.stderr
