"""``flowops init``: set up (or adopt) a backlog and flowops' own files, idempotently.

Every step reports whether it created, kept or updated something; running init again
changes nothing and says so. An existing Backlog.md backlog is adopted untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flowops.atomic import atomic_write_text
from flowops.errors import ConfigError

CONFIG_TOML = """\
# flowops settings (every key is optional). Documented in docs/configuration.md.

# Refuse `task edit -s Done` while acceptance criteria are unchecked. Unset: only for
# tasks that carry a workflow: or ops: label.
# require_checked_ac_for_done = true

[plugins]
# Plugins (entry-point names) to block; FLOWOPS_DISABLE_PLUGINS does the same.
disable = []

[operate]
# Alert rule files `flowops operate` reads when no --alerts is given
# (Prometheus rule files or alerts-config files).
alerts = []
# Playbooks to apply when no --playbook is given.
playbooks = ["sre"]
# Files reported with deploy.completed when no --file is given.
files = []
"""

HOOKS_YAML = """\
# Event handlers for flowops (see docs/events.md). Every event flowops records is
# matched against `events` (glob patterns) and delivered to each matching handler.
# Check this file with `flowops hooks validate`.
version: 1
defaults: {timeout: 30, fail_mode: continue}
hooks:
# Two examples, disabled. To use one, delete the "#" at the start of each of its lines.
# The chat hook posts deploy and workflow events to a webhook. CHAT_WEBHOOK_URL is often
# set only in CI: `when_unset: skip` skips the hook quietly wherever it is not set,
# instead of reporting a failure (and queueing the event) on every laptop.
#  - name: chat
#    events: ["deploy.completed", "workflow.*"]
#    when_unset: skip
#    webhook:
#      url: "${CHAT_WEBHOOK_URL}"
#      secret_env: FLOWOPS_WEBHOOK_SECRET
#      timeout: 5
#      retries: 3
#  - name: notify
#    events: ["deploy.*"]
#    command: ["scripts/notify.sh"]
#    timeout: 10
"""

# What flowops writes here per machine. Outside git the audit log and the outbox live here
# too (in a git repository they are in .git/flowops/, see flowops.statedir); caches are in
# the user's cache folder, but an older flowops kept them in cache/.
GITIGNORE = """\
# flowops' per-machine files: never commit them.
cache/
locks/
log/
outbox.jsonl
outbox.jsonl.lock
*.tmp
*.flowops-tmp
"""

# Appended to the repository's own .gitignore: an interrupted atomic write can leave its
# temporary file next to any file flowops writes (backlog/tasks/, docs, ...).
ROOT_GITIGNORE_LINES = (
    "# flowops: temporary files of interrupted writes (`flowops doctor --fix` removes them)",
    "*.flowops-tmp",
)


@dataclass
class InitStep:
    path: str
    status: str  # created | kept | updated | adopted
    detail: str = ""

    def to_dict(self) -> dict:
        return {"path": self.path, "status": self.status, "detail": self.detail}


@dataclass
class InitReport:
    root: Path
    steps: list[InitStep] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(step.status in ("created", "updated") for step in self.steps)

    def to_dict(self) -> dict:
        return {"root": str(self.root), "changed": self.changed, "steps": [s.to_dict() for s in self.steps]}


def init_project(root: Path, name: str | None = None, *, config_kind: str = "toml") -> InitReport:
    """Create what is missing under ``root``; never overwrite what exists."""
    from flowops.backlog.store import init_layout
    from flowops.project import find_backlog_dir
    from flowops.workflow.default import default_workflow_yaml

    report = InitReport(root)
    existing = find_backlog_dir(root)
    if existing is not None and (existing / "config.yml").exists():
        report.steps.append(InitStep(_rel(existing, root) + "/", "adopted", "existing Backlog.md backlog, left as it is"))
    else:
        backlog_dir = existing or root / "backlog"
        created = init_layout(backlog_dir, name or root.resolve().name)
        status = "created" if created else "kept"
        report.steps.append(InitStep(_rel(backlog_dir, root) + "/", status, f"{len(created)} folders/files" if created else ""))
    flowops_dir = root / ".flowops"
    report.steps.append(_ensure_file(flowops_dir / ".gitignore", GITIGNORE, root))
    report.steps.append(_ensure_root_gitignore(root))
    report.steps.append(_ensure_file(flowops_dir / "workflow.yml", default_workflow_yaml(), root))
    report.steps.append(_ensure_file(flowops_dir / "hooks.yaml", HOOKS_YAML, root))
    report.steps.append(_ensure_config(root, config_kind))
    return report


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _ensure_file(path: Path, text: str, root: Path) -> InitStep:
    if path.exists():
        return InitStep(_rel(path, root), "kept")
    atomic_write_text(path, text)
    return InitStep(_rel(path, root), "created")


def _ensure_root_gitignore(root: Path) -> InitStep:
    """Add flowops' temporary-file pattern to the repository's .gitignore (kept as it is otherwise)."""
    path = root / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=".gitignore", hint="fix or remove the file, then rerun") from None
    pattern = ROOT_GITIGNORE_LINES[-1]
    if text is not None and pattern in (line.strip() for line in text.splitlines()):
        return InitStep(".gitignore", "kept")
    block = "\n".join(ROOT_GITIGNORE_LINES) + "\n"
    if text is None:
        atomic_write_text(path, block)
        return InitStep(".gitignore", "created", "ignores flowops' temporary files")
    separator = "" if text == "" else ("\n" if text.endswith("\n") else "\n\n")  # one blank line before the block
    atomic_write_text(path, text + separator + block)
    return InitStep(".gitignore", "updated", "added flowops' temporary-file pattern")


def _ensure_config(root: Path, kind: str) -> InitStep:
    from flowops.config import CONFIG_FILE, config_location

    location = config_location(root)
    if location is not None:
        path, found_kind = location
        shown = _rel(path, root) + ("  [tool.flowops]" if found_kind == "pyproject" else "")
        return InitStep(shown, "kept")
    if kind == "toml":
        return _ensure_file(root / CONFIG_FILE, CONFIG_TOML, root)
    if kind != "pyproject":
        raise ConfigError(f"unknown config kind '{kind}'", hint="use --config toml or --config pyproject")
    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        raise ConfigError("--config pyproject needs an existing pyproject.toml", path="pyproject.toml",
                          hint="create one, or use --config toml for .flowops/config.toml")
    import tomlkit

    try:
        document = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    except Exception as exc:  # tomlkit raises its own ParseError subclasses
        raise ConfigError(f"invalid TOML: {exc}", path="pyproject.toml", line=getattr(exc, "line", None)) from None
    tool = document.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        document["tool"] = tool
    table = tomlkit.table()
    table.add(tomlkit.comment("flowops settings (docs/configuration.md); every key is optional"))
    operate = tomlkit.table()
    operate.add("alerts", tomlkit.array())
    operate.add("playbooks", tomlkit.array('["sre"]'))
    table.add("operate", operate)
    tool["flowops"] = table
    atomic_write_text(pyproject, tomlkit.dumps(document))
    return InitStep("pyproject.toml  [tool.flowops]", "updated")
