"""SLOs in the operations workflow: what ``flowops operate`` takes from the SLO specs, and what it keeps current.

- Runbooks: every alert name the specs generate gets one runbook task and document (page
  and ticket share it), made from the SLO (``flowops.slo.runbooks.slo_alerts``).
- A rules file ``flowops slo generate`` wrote from those specs is also an alert file
  that discovery finds (or that ``--alerts`` names). Its alerts are the specs' alerts,
  so the file is not read for alerts: one runbook per name, from one source, whichever
  way the alert was found. ``runbook_rules`` applies the same rule for the
  ``ops.runbooks`` check and ``flowops discover``, so all three judge a runbook against
  the skeleton it was made from.
- Runbook links: a generated rule's ``runbook_url`` names its runbook document, whose
  file name holds the id given when ``operate`` creates it. After creating documents,
  ``refresh_rules`` regenerates each rules file whose only difference from what the
  specs generate now is its ``runbook_url`` lines (so nothing but the links changes,
  and only in a file flowops generated); a file that differs otherwise (the specs
  changed) is left alone and reported with the command that regenerates it.

Nothing here prints; ``flowops.cli.operate`` renders the notes and states.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.errors import ConfigError
from flowops.ops.alerts import Alert, AlertRule
from flowops.slo.generate import GenerateArgs, generate, is_generated, only_links_differ, read_existing, read_header
from flowops.slo.model import SLO
from flowops.slo.repository import CONFIG, SloSetup, resolve
from flowops.slo.rules import RuleOptions
from flowops.slo.runbooks import slo_alerts
from flowops.slo.specs import SpecSet, read_specs

if TYPE_CHECKING:
    from flowops.discovery.inventory import Inventory
    from flowops.project import Project

UPDATED, CURRENT, STALE, MISSING, INVALID = "updated", "current", "stale", "missing", "invalid"
WOULD_UPDATE, REFUSED = "would update", "not a file"


@dataclass
class RulesState:
    """What became of one generated rules file in a run.

    ``updated`` (its runbook links were brought up to date), ``would update`` (dry run),
    ``current``, ``stale`` (the specs changed: ``command`` regenerates it), ``missing``
    (never generated; ``path`` is empty when no rules file is named anywhere), ``invalid``
    (the specs have errors) or ``not a file`` (a link, a FIFO: neither read nor replaced).
    """

    path: str
    state: str
    command: str
    alerts: list[str] = field(default_factory=list)  # updated: the alerts whose link changed

    def to_dict(self) -> dict:
        return {"path": self.path, "state": self.state, "command": self.command, "alerts": list(self.alerts)}


@dataclass
class SloInputs:
    """The SLO specs a run read, the alerts they generate, and the rules files generated from them."""

    setup: SloSetup
    specs: SpecSet
    alerts: list[Alert]
    notes: list[str] = field(default_factory=list)
    rules: list[RulesState] = field(default_factory=list)

    @property
    def has_slos(self) -> bool:
        return bool(self.specs.slos)

    @property
    def facts(self) -> set[str]:
        """What the playbooks may tailor their criteria to (``flowops.ops.playbook.FACTS``)."""
        from flowops.ops.playbook import SLO_SPECS

        return {SLO_SPECS} if self.has_slos else set()

    @property
    def spec_files(self) -> list[str]:
        return list(self.specs.files)

    def replaces(self, header: GenerateArgs | None) -> bool:
        """True when a rules file with this header was generated from specs all read here (its alerts are ours)."""
        return replaces(header, self.spec_files)

    def summary(self) -> str:
        """``2 SLOs, 2 alerts from slo/checkout.sloth.yml (discovered)``."""
        slos = len(self.specs.slos)
        names = len(self.alerts)
        origin = {"config": "slo.specs", "arguments": "given"}.get(self.setup.origin, self.setup.origin)
        return (f"{slos} SLO{'' if slos == 1 else 's'}, {names} alert{'' if names == 1 else 's'} from "
                f"{', '.join(self.spec_files)} ({origin})")

    def to_dict(self) -> dict:
        return {"specs": self.spec_files, "origin": self.setup.origin,
                "slos": [slo.id for slo in self.specs.slos], "alerts": [a.name for a in self.alerts],
                "rules": [r.to_dict() for r in self.rules]}

    def plan_rules(self, project: Project, documents_planned: Collection[str]) -> None:
        """The rules files' states for a dry run: ``would update`` where only links differ or would change."""
        self.rules = [_state(project, self.setup, target, write=False, planned=documents_planned)
                      for target in self.setup.targets]
        self._missing()

    def refresh_rules(self, project: Project) -> None:
        """After documents were created: regenerate each rules file whose only difference is its runbook links."""
        self.rules = [_state(project, self.setup, target, write=True) for target in self.setup.targets]
        self._missing()

    def _missing(self) -> None:
        if not self.setup.targets and self.setup.has_specs:
            self.rules.append(RulesState("", MISSING, self.setup.suggestion))


def read_slo_inputs(project: Project, inventory: Callable[[], Inventory] | None) -> SloInputs | None:
    """The SLO specs of ``project`` (``slo.specs``, else discovered) and what ``operate`` takes from them.

    None when there is no spec at all. Problems in specs named by ``slo.specs`` are a
    ConfigError (exit 2, every problem located, before anything is written); in
    discovered specs they are notes, and the valid SLOs are still used.
    """
    setup = resolve(project, inventory=inventory)
    if not setup.has_specs:
        return None
    specs = read_setup_specs(project, setup)
    if specs.errors and setup.origin == CONFIG:
        specs.raise_errors()
    notes = [f"warning: {problem.path}{':' + str(problem.line) if problem.line else ''}: not read for SLOs: "
             f"{problem.field + ': ' if problem.field else ''}{problem.message}" for problem in specs.errors]
    return SloInputs(setup, specs, spec_alerts(specs.slos, setup), notes)


def read_setup_specs(project: Project, setup: SloSetup) -> SpecSet:
    """Every spec of ``setup``, each read with the period of the rules file generated from it.

    A Sloth spec has no period of its own: the rules file's header (or the settings)
    gives it, and the SLO must be read as the rules are generated.
    """
    discovered = [t for t in setup.targets if t.origin == "discovered"]
    if discovered:
        groups = [(list(t.specs), t.settings.default_period) for t in discovered]
        if setup.uncovered:
            groups.append((list(setup.uncovered), setup.settings.default_period))
    else:
        groups = [(list(setup.specs), setup.settings.default_period)]
    combined = SpecSet()
    seen: set[tuple[str, str]] = set()
    for specs, period in groups:
        found = read_specs([Path(project.root, s) for s in specs], root=project.root, default_period=period,
                           confine=True)
        combined.files += [f for f in found.files if f not in combined.files]
        combined.problems += [p for p in found.problems if p not in combined.problems]
        for slo in found.slos:
            if (slo.source, slo.id) not in seen:
                seen.add((slo.source, slo.id))
                combined.slos.append(slo)
    combined.files.sort()
    return combined


def spec_alerts(slos: Sequence[SLO], setup: SloSetup) -> list[Alert]:
    """One alert per alert name, its severities named as the rules file generated from its spec names them."""
    alerts: dict[str, Alert] = {}
    for slo in slos:
        target = setup.target_for(slo.source)
        severity = (target.settings if target else setup.settings).severity
        for alert in slo_alerts([slo], RuleOptions(severity=severity)):
            alerts.setdefault(alert.name, alert)
    return list(alerts.values())


def replaces(header: GenerateArgs | None, spec_files: Collection[str]) -> bool:
    """True when ``header`` (of a generated rules file) names only specs among ``spec_files``."""
    return header is not None and bool(header.specs) and all(spec in spec_files for spec in header.specs)


def file_header(path: Path) -> GenerateArgs | None:
    """The generate command in the header of the rules file at ``path`` (None for any other file)."""
    return read_header(path)


def runbook_rules(rules: Sequence[AlertRule], generated: Mapping[str, GenerateArgs | None],
                  inputs: SloInputs | None) -> list[AlertRule]:
    """The alerting rules that runbooks are made for and judged against.

    ``rules`` are those of the alert files; ``generated`` maps a file to its generate
    header. Rules of a file generated from specs that were read are replaced by the
    specs' own alerts (one rule per alert name).
    """
    if inputs is None:
        return list(rules)
    kept = [rule for rule in rules if not inputs.replaces(generated.get(rule.source))]
    return kept + [rule for alert in inputs.alerts for rule in alert.rules]


def merge_alerts(file_alerts: Sequence[Alert], inputs: SloInputs | None) -> list[Alert]:
    """The alerts of the alert files joined with the SLO alerts: one Alert per name (ConfigError on a slug clash)."""
    from flowops.ops.alerts import group_rules

    if inputs is None:
        return list(file_alerts)
    return group_rules([*(rule for alert in file_alerts for rule in alert.rules),
                        *(rule for alert in inputs.alerts for rule in alert.rules)])


def _state(project: Project, setup: SloSetup, target: Any, *, write: bool, planned: Collection[str] = ()) -> RulesState:
    from flowops.atomic import atomic_write_text

    path = Path(project.root, target.output)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return RulesState(target.output, REFUSED, target.command)  # not a file flowops wrote: never read or replaced
    try:
        current = read_existing(path)
        generated = generate(project, [Path(project.root, s) for s in target.specs], path, target.settings,
                             confine=True)
    except ConfigError:
        return RulesState(target.output, INVALID, target.command)  # the specs' problems are notes already
    if current is None:
        return RulesState(target.output, MISSING, target.command)
    if current == generated.text:
        # A dry run cannot know the ids of documents it would create: their links would change.
        waiting = [name for name in generated.missing_runbooks if name in planned]
        return RulesState(target.output, WOULD_UPDATE if waiting else CURRENT, target.command, waiting)
    if not (is_generated(current) and only_links_differ(current, generated.text)):
        return RulesState(target.output, STALE, target.command)
    changed = _changed_alerts(current, generated.text)
    if not write:
        return RulesState(target.output, WOULD_UPDATE, target.command, changed)
    atomic_write_text(path, generated.text)
    return RulesState(target.output, UPDATED, target.command, changed)


def _changed_alerts(old: str, new: str) -> list[str]:
    """The alert names whose runbook_url line differs (the alert: line above it names it)."""
    names: list[str] = []
    current = None
    for before, after in zip(old.splitlines(), new.splitlines(), strict=False):
        stripped = after.lstrip()
        if stripped.startswith("- alert:"):
            current = stripped[len("- alert:"):].strip()
        if before != after and current and current not in names:
            names.append(current)
    return names
