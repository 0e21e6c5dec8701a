"""``{{INCLUDE:partials/_name.md}}``: pulling shared text into slash-command sources.

Include paths are relative to the commands folder and may not leave it (no ``..``, no
absolute paths, no symlink pointing outside). Includes nest up to ``MAX_INCLUDE_DEPTH``
levels; a cycle is reported with the whole chain so the loop is easy to find.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from flowops.errors import ConfigError, Location

INCLUDE_RE = re.compile(r"\{\{INCLUDE:([^{}]*)\}\}")
DIRECTIVE_RE = re.compile(r"(?<!\$)\{\{\s*([A-Z][A-Z0-9_]*)\b([^{}]*)\}\}")
MAX_INCLUDE_DEPTH = 8


def resolve_includes(
    text: str,
    name: str,
    root: Path,
    *,
    max_depth: int = MAX_INCLUDE_DEPTH,
    display_root: str = "commands",
    first_line: int = 1,
    allowed_directives: frozenset[str] | None = None,
) -> str:
    """Return ``text`` (the file ``name`` under ``root``) with every include replaced, recursively.

    ``display_root`` prefixes file names in messages (``commands/flow/operate.md``);
    ``first_line`` is the line of ``name`` where ``text`` starts (after a frontmatter).
    With ``allowed_directives``, any other ``{{UPPERCASE}}`` directive is an error, so a
    misspelt include never reaches an agent as literal text.
    Raises ConfigError naming the including file and line for a missing, escaping,
    cyclic or too deeply nested include.
    """
    resolver = _Resolver(root.resolve(), max_depth, display_root, allowed_directives)
    return resolver.resolve(text, (name,), first_line)


def included_files(text: str) -> list[str]:
    """The include targets written in ``text`` (not resolved), in order of appearance."""
    return [match.group(1).strip() for match in INCLUDE_RE.finditer(text)]


class _Resolver:
    def __init__(self, root: Path, max_depth: int, display_root: str, allowed: frozenset[str] | None) -> None:
        self.root = root
        self.max_depth = max_depth
        self.display_root = display_root
        self.allowed = allowed

    def shown(self, name: str) -> str:
        return f"{self.display_root}/{name}" if self.display_root else name

    def resolve(self, text: str, chain: tuple[str, ...], first_line: int = 1) -> str:
        including = chain[-1]
        if self.allowed is not None:
            self.check_directives(text, including, first_line, self.allowed)

        def replace(match: re.Match) -> str:
            line = text.count("\n", 0, match.start()) + first_line
            target = match.group(1).strip()
            rel = self.confine(target, including, line)
            if rel in chain or len(chain) > self.max_depth:
                links = " -> ".join(self.shown(part) for part in (*chain, rel))
                if rel in chain:
                    message, hint = f"include cycle: {links}", "remove one of these includes so the chain ends"
                else:
                    message = f"includes nested deeper than {self.max_depth} levels: {links}"
                    hint = "flatten the partials: a partial should rarely include another"
                raise ConfigError(message, path=self.shown(including), line=line, hint=hint)
            file = self.root / rel
            if not file.is_file():
                raise ConfigError(
                    f"included file '{target}' not found (looked for {self.shown(rel)})",
                    path=self.shown(including),
                    line=line,
                    hint=f"include paths are relative to the {self.display_root or 'commands'} folder, "
                    "e.g. {{INCLUDE:partials/_workflow-state.md}}",
                )
            try:
                content = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read included file: {exc}", path=self.shown(rel)) from None
            expanded = self.resolve(content, (*chain, rel))
            # The directive usually sits on its own line: the line break after it stays,
            # so the partial's own final line break would leave a blank line behind.
            return expanded[:-1] if expanded.endswith("\n") else expanded

        return INCLUDE_RE.sub(replace, text)

    def check_directives(self, text: str, name: str, first_line: int, allowed: frozenset[str]) -> None:
        for match in DIRECTIVE_RE.finditer(text):
            directive = match.group(1)
            if directive == "INCLUDE" and match.group(2).startswith(":"):
                continue
            if directive in allowed and not match.group(2).strip():
                continue
            known = ", ".join(["{{INCLUDE:path}}", *(f"{{{{{other}}}}}" for other in sorted(allowed))])
            raise ConfigError(
                f"unknown directive '{match.group(0)}'",
                path=self.shown(name),
                line=text.count("\n", 0, match.start()) + first_line,
                hint=f"known directives: {known}",
            )

    def confine(self, target: str, including: str, line: int) -> str:
        """Normalise ``target`` to a path under the root, or raise naming the include."""
        where: Location = {"path": self.shown(including), "line": line}
        if not target:
            raise ConfigError("empty include path in {{INCLUDE:}}", **where)
        if PurePosixPath(target).is_absolute() or PureWindowsPath(target).is_absolute() or target.startswith("\\"):
            raise ConfigError(
                f"include path '{target}' is absolute; it must be relative to the {self.display_root} folder",
                **where,
            )
        parts = [part for part in PurePosixPath(target.replace("\\", "/")).parts if part != "."]
        if ".." in parts:
            raise ConfigError(f"include path '{target}' leaves the {self.display_root} folder ('..' is not allowed)", **where)
        rel = "/".join(parts)
        try:
            (self.root / rel).resolve().relative_to(self.root)
        except ValueError:
            raise ConfigError(
                f"include path '{target}' resolves outside the {self.display_root} folder (symbolic link?)", **where
            ) from None
        return rel
