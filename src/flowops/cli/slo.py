"""``flowops slo ...``: SLO specs (Sloth, OpenSLO) to burn-rate alert rules, error budgets, validation."""

from __future__ import annotations

from pathlib import Path

import click

from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write
from flowops.errors import EXIT_USAGE, FlowopsError, Reported, UsageError

_SEVERITY = click.Choice(["page-ticket", "critical-warning"])


def _period_option(func):
    return click.option("--default-period", metavar="DURATION",
                        help="SLO period of Sloth specs and of OpenSLO SLOs without a time window, such as 30d or 4w "
                             "(default: slo.default_period, 30d).")(func)


def _severity_option(func):
    return click.option("--severity", type=_SEVERITY,
                        help="Values of the alerts' severity label: page/ticket or critical/warning "
                             "(default: slo.severity, page-ticket).")(func)


@click.group("slo", cls=HelpGroup)
def slo_group() -> None:
    """SLOs as code: Sloth and OpenSLO specs to burn-rate alerts, error budgets and runbooks.

    Specs are Sloth `prometheus/v1` files and OpenSLO `SLO` documents (`openslo/v1alpha`,
    `openslo/v1`); a folder stands for the specs under it. See docs/slo.md.
    """


def _project():
    from flowops.project import find_project

    return find_project()


def _spec_paths(project, specs: tuple[str, ...]) -> list[Path]:
    """SPEC arguments as typed (relative to the current folder), else ``slo.specs`` (relative to the root)."""
    if specs:
        return [Path(spec) for spec in specs]
    configured = project.config.get("slo.specs") or []
    if not configured:
        raise UsageError("no SLO spec given", hint="pass SPEC paths (files or folders), or set slo.specs in .flowops/config.toml")
    return [project.root / spec for spec in configured]


def _settings(project, default_period, severity, runbook_base_url=None):
    from flowops.slo.generate import Settings

    return Settings.from_config(project.config, default_period=default_period, severity=severity,
                                runbook_base_url=runbook_base_url)


def _warn_problems(specs) -> None:
    for problem in specs.warnings:
        warn(problem)


@slo_group.command("generate")
@click.argument("specs", nargs=-1, metavar="SPEC...")
@click.option("-o", "--output", metavar="FILE", help="The Prometheus rules file to write (default: slo.output).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when FILE is not exactly what would be generated (for CI).")
@_period_option
@_severity_option
@click.option("--runbook-base-url", metavar="URL",
              help="Prefix of the runbook links, e.g. https://github.com/ORG/REPO/blob/main/ (default: "
                   "slo.runbook_base_url; none: repository-relative paths).")
@click.option("--force", is_flag=True, help="Overwrite FILE even when flowops did not generate it.")
def slo_generate(specs, output, check, default_period, severity, runbook_base_url, force):
    """Write the recording and burn-rate alert rules of the SLOs in SPEC... to FILE.

    Per SLO: error-ratio recording rules for 5m to 3d and the period, Sloth's meta rules
    (objective, error budget, burn rates, remaining budget) and a page and a ticket
    alert (multiwindow, multi-burn-rate), with severity labels and a runbook_url to the
    runbook document `flowops operate` creates. Same specs, same bytes. Invalid specs
    exit 2 listing every problem with its file and line.

    Without -o (and slo.output), the rules files flowops generated before from SPEC...
    (without SPEC: from slo.specs, else from any spec) are regenerated, or checked, each
    with the command in its header.
    """
    project = _project()
    config = project.config
    if not output and not config.get("slo.output"):
        # As typed (relative to the current folder), the specs become repository paths.
        named = [project.relpath(Path(spec).absolute()) for spec in specs]
        targets = _discovered_targets(project, named, default_period, severity, runbook_base_url)
    else:
        paths = _spec_paths(project, specs)
        target = Path(output) if output else project.root / config.get("slo.output")
        targets = [(paths, target, _settings(project, default_period, severity, runbook_base_url))]
    stale = [problem for paths, target, settings in targets
             if (problem := _generate_one(project, paths, target, settings, check=check, force=force)) is not None]
    if len(stale) == 1:
        message, command = stale[0]
        raise FlowopsError(message, hint=f"run `{command}` and commit the result")
    if stale:
        for message, command in stale:
            click.echo(f"{message}: run `{command}`", err=True)
        raise FlowopsError(f"{len(stale)} rules files are not what the SLO specs generate",
                           hint="run the command named above for each, and commit the result")


def _discovered_targets(project, specs, default_period, severity, runbook_base_url):
    """(spec paths, rules file, settings) of every rules file flowops generated here from ``specs`` (all
    specs when none are named, else slo.specs), each with the command in its header."""
    from flowops.discovery.inventory import discover_project
    from flowops.slo.repository import resolve

    given = {name: value for name, value in (("default_period", default_period), ("severity", severity),
                                              ("runbook_base_url", runbook_base_url)) if value is not None}
    setup = resolve(project, specs=specs, options=given, inventory=lambda: discover_project(project))
    if not setup.targets:
        if setup.has_specs:
            raise UsageError(f"no output file given, and no rules file generated from the SLO specs "
                             f"({', '.join(setup.specs)}) was found",
                             hint=f"pass -o FILE, for example `{setup.suggestion}`, or set slo.output in "
                                  ".flowops/config.toml")
        raise UsageError("no SLO spec given, and none found in the repository",
                         hint="pass SPEC paths (files or folders), or set slo.specs in .flowops/config.toml")
    for spec in setup.uncovered:
        warn(f"{spec} is an SLO spec in no generated rules file: add it to one "
             f"(`flowops slo generate ... {spec} -o FILE`)")
    return [([project.root / s for s in t.specs], project.root / t.output, t.settings) for t in setup.targets]


def _generate_one(project, paths, target, settings, *, check: bool, force: bool) -> tuple[str, str] | None:
    """Write (or with ``check`` compare) one rules file; (what is wrong, the command) when ``check`` finds it stale."""
    from flowops.atomic import atomic_write_text
    from flowops.slo.generate import generate, is_generated, read_existing

    generated = generate(project, paths, target, settings)
    _warn_problems(generated.specs)
    shown = project.relpath(target)
    current = read_existing(target)
    if check:
        return _check(generated, current, shown)
    if current is not None and current != generated.text and not is_generated(current) and not force:
        raise UsageError(f"{shown} exists and was not generated by flowops; it was left as it is",
                         hint="choose another -o FILE, or pass --force to replace it")
    summary = _summary(generated)
    if current == generated.text:
        write(f"{shown} is already current: {summary}.\n")
    else:
        try:
            atomic_write_text(target, generated.text)
        except OSError as exc:
            raise FlowopsError(f"cannot write {shown}: {exc.strerror or exc}") from None
        write(f"Wrote {shown}: {summary}.\n")
    missing = generated.missing_runbooks
    if missing:
        warn(f"{_count(len(missing), 'alert')} without a runbook document yet ({', '.join(missing)}): their "
             f"runbook_url is {generated.links.docs_dir}/ for now; `flowops operate FEATURE` creates the documents "
             "and links them in this file")
    return None


def _summary(generated) -> str:
    slos = generated.specs.slos
    alerts = sorted({name for slo in slos for name in slo.alert_names})
    return f"{_count(len(slos), 'SLO')}, {_count(len(alerts), 'alert')}" + (f" ({', '.join(alerts)})" if alerts else "")


def _check(generated, current: str | None, shown: str) -> tuple[str, str] | None:
    """None when the file on disk is what the specs generate; else a short diff on stderr, and what is wrong."""
    from flowops.slo.generate import differences, only_links_differ, slo_at

    if current == generated.text:
        write(f"{shown} is current: {_summary(generated)}.\n")
        return None
    if current is None:
        return f"{shown} does not exist", generated.command
    line, diff = differences(current, generated.text, shown)
    for text in diff:
        click.echo(text, err=True)
    slo = slo_at(generated.text, line) or slo_at(current, line)
    why = ("only its runbook_url links differ: a runbook document was created or renamed since"
           if only_links_differ(current, generated.text)
           else f"first difference at line {line}" + (f", in SLO {slo}" if slo else ""))
    return f"{shown} is not what the SLO specs generate ({why})", generated.command


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@slo_group.command("budget")
@click.argument("specs", nargs=-1, metavar="SPEC...")
@_period_option
@_severity_option
@output_options
def slo_budget(specs, default_period, severity, plain, as_json):
    """Show each SLO's error budget and how fast each alert's burn rate spends it.

    Per SLO: the objective and period, the error budget as a ratio and in minutes
    (99.9% over 30 days: 43.2 minutes), and per alert condition the burn-rate factor,
    its long and short windows and how long the budget lasts at that rate.
    """
    from flowops.slo.budget import budgets, lines, report
    from flowops.slo.generate import rule_options
    from flowops.slo.specs import read_specs

    mode = resolve_mode(plain, as_json)
    project = _project()
    settings = _settings(project, default_period, severity)
    found = read_specs(_spec_paths(project, specs), root=project.root, default_period=settings.default_period)
    found.raise_errors()
    _warn_problems(found)
    options = rule_options(project, settings)
    if mode == "json":
        print_json(report(found.slos, options))
        return
    out: list[str] = []
    for entry in budgets(found.slos, options):
        if out:
            out.append("")
        out += lines(entry)
    write("".join(line + "\n" for line in out) if out else "No SLOs found.\n")


@slo_group.command("validate")
@click.argument("specs", nargs=-1, metavar="SPEC...")
@_period_option
@output_options
@click.pass_context
def slo_validate(ctx, specs, default_period, plain, as_json):
    """Check SLO specs and list every problem with its file, line and field; exit 2 when one is invalid.

    Problems: objectives outside 0-100, queries without {{.window}}, an SLI with both
    events and raw, unknown versions, duplicate SLO names, missing fields, invalid label
    names. Unknown fields are warnings.
    """
    from flowops.slo.specs import read_specs

    mode = resolve_mode(plain, as_json)
    project = _project()
    settings = _settings(project, default_period, None)
    found = read_specs(_spec_paths(project, specs), root=project.root, default_period=settings.default_period)
    problems = sorted(found.problems, key=lambda p: (p.path or "", p.line or 0, p.severity != "error"))
    errors = len(found.errors)
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "slo-validate", "valid": not errors, "files": found.files,
                    "slos": [{"service": s.service, "name": s.name, "id": s.id, "spec": s.spec, "path": s.source,
                              "line": s.line, "alerts": s.alert_names} for s in found.slos],
                    "problems": [p.to_dict() for p in problems]})
    else:
        out = [f"{p.severity}: {p}" for p in problems]
        warnings = len(problems) - errors
        if errors:
            out.append(f"invalid: {_count(errors, 'error')}, {_count(warnings, 'warning')} in "
                       f"{_count(len(found.files) or len(specs), 'file')}")
        else:
            out.append(f"valid: {_count(len(found.slos), 'SLO')} in {_count(len(found.files), 'file')}"
                       + (f" ({_count(warnings, 'warning')})" if warnings else ""))
        write("".join(line + "\n" for line in out))
    if errors:
        raise Reported(EXIT_USAGE)
