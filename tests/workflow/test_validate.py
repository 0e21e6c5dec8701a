from flowops.workflow.validate import errors_only, validate
from tests.workflow.helpers import parse

HEAD = """\
version: 1
states: [Open, Doing, Review, Closed]
workflows:
  start: {command: /flow:start, input_states: [Open], output_state: Doing}
  review: {command: /flow:review, input_states: [Doing], output_state: Review}
  close: {command: /flow:close, input_states: [Review], output_state: Closed}
transitions:
  - {from: Open, to: Doing, via: start}
  - {from: Doing, to: Review, via: review}
  - {from: Review, to: Closed, via: close}
"""


def problems(text):
    return validate(parse(text))


def only(found, severity):
    return [p for p in found if p.severity == severity]


def test_a_consistent_workflow_has_no_problems():
    assert problems(HEAD) == []


def test_a_forward_cycle_is_reported_with_its_path_and_the_closing_line():
    found = problems(HEAD + "  - {from: Review, to: Doing, via: manual}\n")
    [error] = errors_only(found)
    assert "cycle: Doing -> Review (via review) -> Doing (via manual)" in error.message
    assert error.line == 11 and error.field == "transitions[3]"


def test_rework_and_rollback_edges_may_go_back_without_forming_a_cycle():
    text = HEAD + "  - {from: Review, to: Doing, via: rework}\n  - {from: Closed, to: Review, via: rollback}\n"
    assert problems(text) == []


def test_a_cycle_over_every_state_also_leaves_no_terminal_state():
    text = HEAD + "  - {from: Closed, to: Open, via: manual}\n"
    messages = [p.message for p in errors_only(problems(text))]
    assert any("cycle: Open -> Doing (via start) -> Review (via review) -> Closed (via close) -> Open (via manual)" in m for m in messages)
    assert any(m.startswith("no terminal state") for m in messages)


def test_each_separate_cycle_is_reported():
    text = """\
    version: 1
    states: [A, B, C, D, E]
    workflows: {}
    transitions:
      - {from: A, to: B, via: manual}
      - {from: B, to: A, via: manual}
      - {from: B, to: C, via: manual}
      - {from: C, to: D, via: manual}
      - {from: D, to: C, via: manual}
      - {from: D, to: E, via: manual}
    """
    cycles = sorted(p.message.split(";")[0] for p in problems(text) if "cycle" in p.message)
    assert cycles == [
        "forward transitions form a cycle: A -> B (via manual) -> A (via manual)",
        "forward transitions form a cycle: C -> D (via manual) -> C (via manual)",
    ]


def test_a_workflow_naming_an_undefined_state_is_an_error_with_a_suggestion():
    [error] = problems(HEAD.replace("output_state: Closed", "output_state: Closd"))
    assert error.severity == "error"
    assert error.field == "workflows.close.output_state" and error.line == 6
    assert "undefined state 'Closd'; did you mean 'Closed'?" in error.message


def test_a_transition_naming_an_undefined_state_is_an_error():
    found = problems(HEAD + "  - {from: Closed, to: Archived, via: manual}\n")
    [error] = errors_only(found)
    assert error.field == "transitions[3].to" and "undefined state 'Archived'" in error.message


def test_an_unreachable_state_is_an_error():
    text = HEAD.replace("[Open, Doing, Review, Closed]", "[Open, Doing, Review, Closed, Limbo]")
    [error] = errors_only(problems(text))
    assert error.field == "states[4]"
    assert "'Limbo' cannot be reached from the first state 'Open'" in error.message


def test_states_are_duplicates_when_they_differ_only_in_case():
    text = HEAD.replace("[Open, Doing, Review, Closed]", "[Open, Doing, Review, Closed, DOING]")
    [error] = errors_only(problems(text))
    assert error.field == "states[4]" and "'DOING' repeats 'Doing' (states[1])" in error.message


def test_a_workflow_without_its_transition_is_only_a_warning():
    text = HEAD.replace("  - {from: Doing, to: Review, via: review}\n", "")
    found = problems(text)
    assert errors_only(found) == []
    [warning] = found
    assert warning.severity == "warning" and warning.field == "workflows.review"
    assert "{from: Doing, to: Review, via: review}" in warning.message


def test_a_transition_via_an_unknown_workflow_is_an_error():
    found = problems(HEAD + "  - {from: Review, to: Closed, via: merge}\n")
    [error] = errors_only(found)
    assert error.field == "transitions[3].via" and "via 'merge'" in error.message


def test_a_transition_that_contradicts_its_workflow_is_an_error():
    found = problems(HEAD + "  - {from: Open, to: Review, via: start}\n")
    [error] = errors_only(found)
    assert "workflow 'start' leads to 'Doing'" in error.message


def test_a_transition_to_its_own_state_is_an_error():
    [error] = errors_only(problems(HEAD + "  - {from: Doing, to: Doing, via: manual}\n"))
    assert "does not change the state" in error.message


def test_a_rework_edge_that_goes_forward_is_a_warning():
    found = problems(HEAD + "  - {from: Open, to: Review, via: rework}\n")
    assert errors_only(found) == []
    assert "goes forward" in found[0].message


def test_a_repeated_transition_is_a_warning():
    found = problems(HEAD + "  - {from: Open, to: Doing, via: start}\n")
    assert [p.severity for p in found] == ["warning"]
    assert "repeats transitions[0]" in found[0].message


def test_a_differently_spelled_state_reference_is_accepted_with_a_warning():
    found = problems(HEAD.replace("output_state: Closed", "output_state: closed"))
    assert [p.severity for p in found] == ["warning"]
    assert "'closed' is spelled 'Closed'" in found[0].message


def test_a_long_chain_of_states_validates_without_recursion_limits():
    count = 3000
    states = [f"S{i}" for i in range(count)]
    lines = ["version: 1", f"states: [{', '.join(states)}]", "workflows: {}", "transitions:"]
    lines += [f"  - {{from: S{i}, to: S{i + 1}, via: manual}}" for i in range(count - 1)]
    lines.append(f"  - {{from: S{count - 1}, to: S0, via: manual}}")
    [terminal, cycle] = errors_only(problems("\n".join(lines) + "\n"))  # in line order
    assert cycle.message.count("->") == count
    assert terminal.message.startswith("no terminal state")
