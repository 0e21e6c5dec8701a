"""Writing the rendered slash commands into a project, one file per agent and command.

Nothing the user changed is overwritten without ``force``: an existing file with other
content is *kept*; one with the same content is *unchanged*. Every source is rendered
before anything is written, so a broken source leaves the project untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flowops.render.agents import DEFAULT_AGENT, get_agent
from flowops.render.sources import discover_sources
from flowops.render.writes import STATUSES, write_rendered


@dataclass(frozen=True)
class InstallEntry:
    agent: str
    command: str  # as typed in that agent, e.g. "/flow:operate"
    source: str  # "commands/flow/operate.md"
    path: str  # relative to the project root, forward slashes
    status: str

    def to_dict(self) -> dict:
        return {"agent": self.agent, "command": self.command, "source": self.source, "path": self.path, "status": self.status}


@dataclass
class InstallReport:
    root: Path
    dry_run: bool
    force: bool
    entries: list[InstallEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for entry in self.entries if entry.status == status) for status in STATUSES}

    def to_dict(self) -> dict:
        return {
            "root": str(self.root),
            "dry_run": self.dry_run,
            "force": self.force,
            "files": [entry.to_dict() for entry in self.entries],
            "counts": self.counts(),
        }


def install_commands(
    root: Path,
    agents: list[str] | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
    source_root: Path | None = None,
) -> InstallReport:
    """Render every command source for each agent (default: claude) and write it under ``root``."""
    chosen = list(dict.fromkeys(agents or [DEFAULT_AGENT]))
    formats = [get_agent(name) for name in chosen]
    sources = discover_sources(source_root)
    planned = [(agent, source, agent.relpath(source), agent.render(source)) for agent in formats for source in sources]

    report = InstallReport(root=root, dry_run=dry_run, force=force)
    for agent, source, rel, text in planned:
        status = write_rendered(root / rel, rel, text, force=force, dry_run=dry_run)
        report.entries.append(InstallEntry(agent.name, agent.invocation(source), f"commands/{source.file}", rel, status))
    return report

