"""The MCP tools: one row each, naming the flowops command it runs with ``--json``.

A tool's parameters are not written out here: they are derived from the click command
itself (its options and arguments, their types, whether they repeat, their help), so a
tool can never drift from the command it runs and adding a tool is adding a row. The
naming rule, for agents: an option's longest long name in snake_case (``--check-ac`` is
``check_ac``, ``--dep/--depends-on`` is ``depends_on``), a task id argument is
``task_id`` in every tool, another argument is its metavar or name in lower case;
repeatable options and variadic arguments are lists.

Nothing here imports the ``mcp`` SDK: the table, the schemas and the argument checks are
plain data and functions, tested without a server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import click

from flowops.errors import UsageError

JSON = dict[str, Any]
ItemType = Literal["string", "integer", "number", "boolean"]


@dataclass(frozen=True)
class Tool:
    """One MCP tool: the flowops command it runs and what an agent is told about it.

    ``only`` limits the parameters to these tool argument names (default: every visible
    option and argument but the output flags); ``fixed`` are flags always passed
    (``operate --status``); ``explain`` words the error of an exit that raised nothing
    (``ac check`` exits 3 after printing its report) from the printed document.
    """

    name: str
    command: tuple[str, ...]
    description: str
    only: tuple[str, ...] | None = None
    fixed: tuple[str, ...] = ()
    read_only: bool = False
    explain: Callable[[JSON], str] | None = None


@dataclass(frozen=True)
class Param:
    """One tool argument and the command-line parameter it becomes."""

    name: str
    flag: str | None  # "--check-ac" for an option, None for a positional argument
    spellings: tuple[str, ...]  # how click names it in messages: its options, or an argument's metavar
    item: ItemType
    many: bool
    required: bool
    schema: JSON


def _unchecked(document: JSON) -> str:
    items = [f"{task['id']} #{item['number']} {item['text']}" for task in document.get("tasks", [])
             for item in task.get("unchecked", [])]
    return f"{document.get('unchecked', len(items))} acceptance criteria unchecked: " + "; ".join(items)


def _flagged(document: JSON) -> str:
    return (f"{document.get('flagged')} of {document.get('criteria')} acceptance criteria flagged in "
            f"{document.get('tasks')} task(s); each finding has a suggestion")


# The tools, as the issue names them. Descriptions are for agents: what the tool does, what
# it returns, which errors to expect. Every result is the document the CLI prints with --json.
TOOLS: tuple[Tool, ...] = (
    Tool("task_create", ("task", "create"),
         "Create a task in the Backlog.md backlog (draft: true puts it in drafts/). Returns the new task as "
         "task_view does. Emits task.created."),
    Tool("task_list", ("task", "list"),
         "List the tasks of backlog/tasks/ (all: true adds completed/ and drafts/), filtered by status, assignee, "
         "labels, priority, parent or text, sorted by priority unless sort says otherwise. Each task carries its "
         "workflow state and whether it is ready (its dependencies are done).",
         read_only=True),
    Tool("task_view", ("task", "view"),
         "One task in full: description, acceptance criteria with their numbers, Definition of Done, plan, notes, "
         "dependencies, subtasks, workflow state and file path.",
         read_only=True),
    Tool("task_edit", ("task", "edit"),
         "Change a task; only what is given changes. check_ac, uncheck_ac and remove_ac take criterion numbers as "
         "task_view shows them: a number that does not exist is an error and nothing is written. Check a "
         "criterion only when it is true. notes replaces the implementation notes, append_notes adds to them. "
         "status Done passes the Done gate: unchecked criteria refuse it (error kind criteria) unless force, "
         "which is recorded in the audit log. Emits task.updated, task.status_changed, task.ac_checked.",
    ),
    Tool("task_search", ("search",),
         "Search task titles, descriptions, criteria, notes and labels, and the backlog's documents; ranked "
         "results with scores. Filter by status, priority, type (task or document), limit.",
         read_only=True),
    Tool("workflow_status", ("workflow", "status"),
         "A task's workflow state (its workflow:<State> label; none means the first state), the workflows that "
         "may run on it now and the states it can move to.",
         read_only=True),
    Tool("workflow_check", ("workflow", "check"),
         "Whether a workflow (a name such as operate, or its command /flow:operate) may run on a task now. "
         "Allowed: the decision. Not allowed: an error of kind blocked (exit code 4) saying which state is "
         "required and what to run first. Writes nothing.",
         read_only=True),
    Tool("workflow_advance", ("workflow", "advance"),
         "Move a task to a workflow's output state. Guarded: the task must be in one of the workflow's input "
         "states and no plugin may veto, else an error of kind blocked and nothing is written. "
         "skip_state_check (only when a person asked for it) needs a reason and is recorded in the audit log. "
         "Emits workflow.transitioned.",
    ),
    Tool("operate", ("operate",),
         "Create a Validated feature's operations tasks (CI/CD, Kubernetes, observability, SLOs and alerting, "
         "as the playbooks say) and one runbook task and document per alert in the alert files. The feature "
         "must be in an input state of operate (Validated): otherwise an error of kind blocked naming the "
         "state, nothing written. dry_run returns the plan and writes nothing. A rerun reuses what exists. "
         "Paths are relative to the project root.",
         only=("task_id", "alerts", "playbook", "dry_run")),
    Tool("operate_status", ("operate",),
         "Progress of a feature's operations work per area (tasks done, criteria checked, runbooks filled in) "
         "and what still stands between it and operate_complete.",
         only=("task_id", "alerts", "playbook"), fixed=("--status",), read_only=True),
    Tool("operate_complete", ("operate",),
         "The completion gate: once every operations task is Done and every runbook is written, move the "
         "feature to Deployed and emit deploy.completed with spec_id and the deployed files. Until then an "
         "error of kind criteria lists what is missing, and nothing changes. dry_run checks the gate only.",
         only=("task_id", "spec_id", "file", "dry_run"), fixed=("--complete",)),
    Tool("ac_check", ("ac", "check"),
         "A task's acceptance criteria that are still unchecked, by number (recursive: its subtasks too). All "
         "checked: the report. Some unchecked: an error of kind criteria (exit code 3) with the report as "
         "error.document.",
         read_only=True, explain=_unchecked),
    Tool("ac_lint", ("ac", "lint"),
         "Flag acceptance criteria a reviewer could not check (nothing measurable, vague predicates), each with "
         "a suggested fix. task_id: one or more tasks, or all: true. Findings are an error of kind criteria "
         "with the report as error.document; none is a clean report.",
         read_only=True, explain=_flagged),
    Tool("hooks_emit", ("hooks", "emit"),
         "Emit an event such as deploy.completed to the handlers of .flowops/hooks.yaml and record it in the "
         "audit log. data: KEY=VALUE strings; json_data: a JSON object (as an object or as text). dry_run "
         "shows which handlers would run. A handler that had to succeed and failed is an error of kind failure.",
    ),
    Tool("slo_budget", ("slo", "budget"),
         "Each SLO's error budget (as a ratio and in minutes over its period) and, per burn-rate alert, the "
         "factor, windows and how long the budget lasts at that rate. spec: Sloth or OpenSLO files or folders "
         "(default: slo.specs in the config).",
         read_only=True),
    Tool("incident_list", ("incident", "list"),
         "List incidents (tasks labelled ops:incident) with their state, severity, times to acknowledge and "
         "resolve, and where their postmortem stands. Filter by state, severity, since.",
         read_only=True),
    Tool("incident_show", ("incident", "show"),
         "One incident: timings, alerts, linked runbook, timeline, postmortem and action items.",
         read_only=True),
    Tool("incident_open", ("incident", "open"),
         "Open an incident by hand (it counts as acknowledged by its opener), linked to the runbooks of its "
         "alerts. Emits incident.opened."),
    Tool("incident_ack", ("incident", "ack"),
         "Acknowledge an incident: someone is on it. No change when someone already responded."),
    Tool("incident_note", ("incident", "note"),
         "Add a timestamped note to an incident's timeline (the first note acknowledges it)."),
    Tool("incident_resolve", ("incident", "resolve"),
         "Record an incident's resolution: creates its postmortem document and task when one is due (by "
         "severity), else closes it. no_postmortem needs a reason. Running it again creates only what is missing."),
    Tool("incident_actions", ("incident", "actions"),
         "Turn each action item of an incident's postmortem into a task under the incident (ops:action-item); "
         "items already tracked are left alone. dry_run lists what would be created."),
    Tool("incident_stats", ("incident", "stats"),
         "The weekly review's numbers: incidents by severity, time to acknowledge and to resolve (median, p90), "
         "postmortems due and finished, open action items.",
         read_only=True),
    # As their issues land: a row whose command this flowops does not have is left out.
    Tool("ac_verify", ("ac", "verify"),
         "Run the checks bound to the tasks' acceptance criteria (a `verify: CHECK ARGS` span at the end of a "
         "criterion) against the repository and report the evidence per criterion; update: true ticks criteria "
         "whose check passed and unticks ticked ones whose check failed. Any check not passed is an error of "
         "kind criteria with the report as error.document. Like `flowops ac verify` in a terminal, `cmd` checks "
         "(and promtool for prom.rules) run the programs the criteria name, in the project root: dry_run lists "
         "them without running anything."),
    Tool("discover", ("discover",),
         "The repository's operations files as flowops finds them (read as untrusted input): CI workflows, "
         "containers, Kubernetes manifests, alert rules, SLO specs, dashboards and runbooks, with the files it "
         "could not read listed as problems.",
         read_only=True),
)

# Task id arguments carry these names in the click commands; the tool argument is task_id.
_TASK_ID_NAMES = {"task_id", "task_ids", "feature_id", "incident_id"}
_ARGUMENT_HELP = {
    "task_id": "The task's id as the backlog shows it: TASK-12, 12, or 12.1 for a subtask.",
    "title": "The title.",
    "text": "The text of the note.",
    "query": "The text to search for.",
    "workflow": "A workflow name such as operate, or its command such as /flow:operate.",
    "type": "The event name: dotted lower-case words such as deploy.completed.",
    "spec": "SLO spec files or folders (Sloth prometheus/v1, OpenSLO), relative to the project root.",
}
_OUTPUT_FLAGS = {"plain", "as_json"}


def available_tools() -> list[Tool]:
    """The rows whose command this flowops has (a row may wait for its command to land).

    A row whose parameters cannot be derived is left out too, so one bad row cannot take
    the whole tool list down; tests/mcp_server/test_tools.py fails on it.
    """
    return [tool for tool in TOOLS if command_of(tool) is not None and _derivable(tool)]


def _derivable(tool: Tool) -> bool:
    try:
        params_of(tool)
    except LookupError:
        return False
    return True


def get_tool(name: str) -> Tool | None:
    """The available tool called ``name``, or None."""
    for tool in available_tools():
        if tool.name == name:
            return tool
    return None


@cache
def _command_at(path: tuple[str, ...]) -> click.Command | None:
    from flowops.cli import BUILTIN_COMMANDS, cli

    # Built-in commands only: a plugin's command of the same name is not the tool's command,
    # and looking up an unknown name would load every plugin.
    if not path or path[0] not in BUILTIN_COMMANDS:
        return None
    command: click.Command = cli
    for word in path:
        if not isinstance(command, click.Group):
            return None
        found = command.get_command(click.Context(command), word)
        if found is None:
            return None
        command = found
    return command


def command_of(tool: Tool) -> click.Command | None:
    """The click command ``tool`` runs, or None when this flowops has none."""
    return _command_at(tool.command)


@cache
def _params(tool: Tool) -> tuple[Param, ...]:
    command = command_of(tool)
    if command is None:
        return ()
    params = [_param(p) for p in command.params if not getattr(p, "hidden", False) and p.name not in _OUTPUT_FLAGS]
    if tool.only is not None:
        by_name = {p.name: p for p in params}
        missing = [name for name in tool.only if name not in by_name]
        if missing:
            raise LookupError(f"tool {tool.name}: flowops {' '.join(tool.command)} has no parameter {', '.join(missing)}")
        params = [by_name[name] for name in tool.only]
    return tuple(params)


def params_of(tool: Tool) -> tuple[Param, ...]:
    """The tool's parameters, in the command's order (arguments first where click lists them first)."""
    return _params(tool)


def _param(p: click.Parameter) -> Param:
    if p.nargs > 1 or getattr(p, "count", False) or getattr(p, "secondary_opts", None):
        # Not needed by any command yet; refused here, where a test sees it, not guessed at.
        raise LookupError(f"parameter {p.name}: nargs > 1, counting options and --x/--no-x flags have no tool form yet")
    if isinstance(p, click.Option):
        longs = [o for o in p.opts if o.startswith("--")] or list(p.opts)
        flag = max(longs, key=len)
        name = flag.lstrip("-").replace("-", "_")
        many = bool(p.multiple)
        required = bool(p.required)
        help_text = p.help or ""
        item: ItemType = "boolean" if p.is_flag else _item_type(p.type)
    else:
        flag = None
        name = _argument_name(p)
        many = p.nargs == -1
        required = bool(p.required)
        help_text = _ARGUMENT_HELP.get(name, "")
        if p.name == "incident_id":
            help_text = "The incident's task id, e.g. TASK-31 (incident_list shows them)."
        if many and name == "task_id":
            help_text = "One or more task ids as the backlog shows them: TASK-12, 12, or 12.1 for a subtask."
        item = _item_type(p.type)
    item_schema: JSON = {"type": item}
    item_schema.update(_type_details(p.type))
    if many:
        schema: JSON = {"type": "array", "items": item_schema}
    else:
        schema = item_schema
    if help_text:
        schema = {"description": _help(help_text, p), **schema}
    spellings = tuple(p.opts)
    if flag is None:
        spellings += (p.make_metavar(click.Context(click.Command("flowops"))), str(getattr(p, "metavar", None) or ""))
    return Param(name, flag, tuple(s for s in spellings if s), item, many, required, schema)


def _argument_name(p: click.Parameter) -> str:
    if p.name in _TASK_ID_NAMES:
        return "task_id"
    metavar = getattr(p, "metavar", None)
    if metavar:
        word = re.sub(r"[^A-Za-z_]", "", metavar).lower()
        if word and word != "id":
            return word
    return str(p.name)


def _item_type(kind: click.ParamType) -> ItemType:
    if isinstance(kind, click.types.IntParamType):  # IntRange too
        return "integer"
    if isinstance(kind, click.types.FloatParamType):
        return "number"
    if isinstance(kind, click.types.BoolParamType):
        return "boolean"
    return "string"


def _type_details(kind: click.ParamType) -> JSON:
    if isinstance(kind, click.Choice):
        return {"enum": [str(choice) for choice in kind.choices]}
    if isinstance(kind, click.types.IntRange | click.types.FloatRange):
        details: JSON = {}
        if kind.min is not None:
            details["exclusiveMinimum" if kind.min_open else "minimum"] = kind.min
        if kind.max is not None:
            details["exclusiveMaximum" if kind.max_open else "maximum"] = kind.max
        return details
    if isinstance(kind, click.DateTime):
        return {"format": "date"}
    return {}


def _help(text: str, p: click.Parameter) -> str:
    # The CLI's help in the tool's terms: no "(repeatable)", "--reason" is "reason".
    text = " ".join(text.split())
    text = re.sub(r"\((?:repeatable or comma-separated|comma-separated or repeatable)\)",
                  "(list; items may be comma-separated)", text)
    text = text.replace(" (repeatable)", "").replace("(repeatable; ", "(").replace("With --complete: ", "")
    text = re.sub(r"--([a-z][a-z-]*)", lambda m: m.group(1).replace("-", "_"), text)
    text = text[:1].upper() + text[1:]
    metavar = getattr(p, "metavar", None)
    if metavar and "=" in metavar:
        text += f" Each item: {metavar}."
    if isinstance(p.type, click.DateTime):
        text += " Format: YYYY-MM-DD."
    return text


def input_schema(tool: Tool) -> JSON:
    """The JSON Schema of the tool's arguments (an object; unknown arguments are refused)."""
    params = params_of(tool)
    schema: JSON = {"type": "object", "properties": {p.name: p.schema for p in params}, "additionalProperties": False}
    required = [p.name for p in params if p.required]
    if required:
        schema["required"] = required
    return schema


# -- from a call to a command line ---------------------------------------------------------


def command_line(tool: Tool, arguments: Mapping[str, Any] | None) -> list[str]:
    """The flowops arguments (after ``flowops``) that ``tool`` called with ``arguments`` stands for.

    Types are checked here, with messages that name the tool argument; values (a priority
    that is not a choice, a date that is not a date) are checked by click as on the command
    line. Option values are passed as ``--name=value`` and positional values after ``--``, so
    no value an agent sends is ever read as an option.
    """
    given = _given(tool, arguments)
    argv = [*tool.command, *tool.fixed]
    positional: list[str] = []
    for param in params_of(tool):
        if param.name not in given:
            continue
        values = _values(tool, param, given[param.name])
        if param.flag is None:
            positional.extend(values)
        elif param.item == "boolean" and not param.many:
            if values == ["true"]:
                argv.append(param.flag)
        else:
            argv.extend(f"{param.flag}={value}" for value in values)
    argv.append("--json")
    if positional:
        argv.append("--")
        argv.extend(positional)
    return argv


def _given(tool: Tool, arguments: Mapping[str, Any] | None) -> dict[str, Any]:
    """The arguments that were given (null counts as left out), all known, none required missing."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, Mapping):
        raise UsageError(f"{tool.name}: arguments must be an object, not {_json_type(arguments)}")
    params = params_of(tool)
    known = [p.name for p in params]
    unknown = sorted(key for key in arguments if key not in known)
    if unknown:
        raise UsageError(f"{tool.name}: unknown argument {', '.join(repr(k) for k in unknown)}",
                         hint="arguments: " + (", ".join(known) or "none"))
    given = {key: value for key, value in arguments.items() if value is not None}
    missing = [p.name for p in params if p.required and p.name not in given]
    if missing:
        raise UsageError(f"{tool.name}: missing required argument {', '.join(repr(m) for m in missing)}")
    return given


def _values(tool: Tool, param: Param, value: Any) -> list[str]:
    if param.many:
        items = list(value) if isinstance(value, list | tuple) else [value]
    else:
        if isinstance(value, list | tuple):
            raise UsageError(f"{tool.name}: argument '{param.name}' takes one {param.item}, not a list")
        items = [value]
    out = []
    for item in items:
        text = _CONVERT[param.item](item, param)
        if text is None:
            what = f"a list of {param.item}s" if param.many else f"a {param.item}"
            raise UsageError(f"{tool.name}: argument '{param.name}' must be {what}, not {_json_type(item)} {_shown(item)}")
        if "\x00" in text:
            raise UsageError(f"{tool.name}: argument '{param.name}' contains a NUL character")
        out.append(text)
    return out


# One value as the command line spells it, or None when it is not of the type. Lenient
# where the meaning is plain: 12 for "12", "true" for true, a task id sent as a number.
_INTEGER = re.compile(r"[+-]?\d+")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_boolean(value: Any, param: Param) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower()
    return None


def _as_integer(value: Any, param: Param) -> str | None:
    if _is_number(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return str(int(value))
    return None


def _as_number(value: Any, param: Param) -> str | None:
    if _is_number(value):
        return repr(value)
    if isinstance(value, str):
        try:
            return repr(float(value))
        except ValueError:
            return None
    return None


def _as_string(value: Any, param: Param) -> str | None:
    if isinstance(value, str):
        return value
    if _is_number(value):
        return str(value)
    if isinstance(value, dict) and param.name.endswith("json_data"):
        return json.dumps(value, ensure_ascii=False)
    return None


_CONVERT: dict[str, Callable[[Any, Param], str | None]] = {
    "boolean": _as_boolean,
    "integer": _as_integer,
    "number": _as_number,
    "string": _as_string,
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Sequence):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def in_tool_terms(tool: Tool, message: str) -> str:
    """A click message with the command line's spellings (``'--check-ac'``, ``'ID'``) as tool argument names."""
    for param in params_of(tool):
        for spelling in sorted(param.spellings, key=len, reverse=True):
            message = message.replace(f"'{spelling}'", f"'{param.name}'")
        message = message.replace(f"'{param.name}' / '{param.name}'", f"'{param.name}'")
    return message
