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
