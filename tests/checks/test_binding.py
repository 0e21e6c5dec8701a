"""The `verify:` binding read from and written into a criterion's own text."""

from __future__ import annotations

import pytest

from flowops.checks.binding import BindingError, bind, find_binding, strip_binding


@pytest.mark.parametrize("text, words", [
    ("Every container sets CPU and memory requests and limits `verify: k8s.resources`", ("k8s.resources",)),
    ("An HPA keeps 3 replicas `verify: k8s.hpa --min 3 k8s/` ", ("k8s.hpa", "--min", "3", "k8s/")),
    ("Uses `kubectl` in the text `verify: file docs/slo.md`", ("file", "docs/slo.md")),
    ("Backticks inside ``verify: cmd grep -q '`x`' README.md``", ("cmd", "grep", "-q", "`x`", "README.md")),
])
def test_a_trailing_verify_code_span_is_the_binding(text, words):
    binding = find_binding(text)
    assert binding.words == words
    assert not binding.text.endswith(" ")


@pytest.mark.parametrize("text", [
    "No binding at all",
    "Ends in code that is no binding `kubectl rollout status`",
    "A binding not at the end `verify: k8s.hpa` is only text",
])
def test_other_text_is_not_a_binding(text):
    assert find_binding(text) is None


@pytest.mark.parametrize("text, problem", [
    ("Empty `verify:`", "names no check"),
    ("Bad quotes `verify: cmd 'unclosed`", "No closing quotation"),
    ("Capitals `verify: K8s.HPA`", "is not a check name"),
])
def test_an_unreadable_binding_is_an_error_naming_the_problem(text, problem):
    with pytest.raises(BindingError, match=problem):
        find_binding(text)


def test_bind_appends_replaces_and_reads_back_the_same_words():
    text = bind("Every container sets limits", ["k8s.resources"])
    assert text == "Every container sets limits `verify: k8s.resources`"
    rebound = bind(text, ["cmd", "grep", "-q", "`ready`", "docs/run book.md"])
    assert rebound.startswith("Every container sets limits ``verify: ")
    assert find_binding(rebound).words == ("cmd", "grep", "-q", "`ready`", "docs/run book.md")
    assert strip_binding(rebound) == "Every container sets limits"
