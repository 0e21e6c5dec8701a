"""``${VAR}`` references in hooks.yaml, and keeping their values out of logs and output.

Values that come from the environment (tokens, webhook URLs), the hook's ``env`` values
and credentials written into URLs are secrets: ``redact`` replaces them in any text
flowops is about to print or record.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterable, Iterator, Mapping

VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# scheme://user:password@host -> the part between :// and @ is a credential.
# Bounded repetitions keep this linear on long output (a handler may print 64 KiB of letters).
_URL_USERINFO_RE = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]{0,31}://)(?P<userinfo>[^/@\s]{1,512})@")
MASK = "***"
# Shorter values are too likely to match ordinary text ("1", "ops") to be masked usefully.
_MIN_SECRET_LENGTH = 4


class UnsetVariable(Exception):
    """A ``${VAR}`` names an environment variable that is not set."""

    def __init__(self, name: str) -> None:
        super().__init__(f"environment variable {name} is not set")
        self.name = name


def variables_in(value: Any) -> Iterator[str]:
    """Every ``${VAR}`` name used in ``value`` (strings, lists and mappings, recursively)."""
    if isinstance(value, str):
        for match in VAR_RE.finditer(value):
            yield match.group(1)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from variables_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from variables_in(item)


def expand(value: Any, environ: Mapping[str, str] | None = None, found: list[str] | None = None) -> Any:
    """Replace ``${VAR}`` in every string of ``value``; raise UnsetVariable for a missing one.

    Each substituted value is appended to ``found`` so the caller can redact it later.
    """
    env = os.environ if environ is None else environ
    if isinstance(value, str):

        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name not in env:
                raise UnsetVariable(name)
            if found is not None:
                found.append(env[name])
            return env[name]

        return VAR_RE.sub(substitute, value)
    if isinstance(value, Mapping):
        return {key: expand(item, env, found) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item, env, found) for item in value]
    return value


def redact(text: str | None, secrets: Iterable[str] = ()) -> str | None:
    """``text`` with URL credentials and every known secret value replaced by ``***``."""
    if not text:
        return text
    for secret in sorted({s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    if "://" not in text:
        return text
    return _URL_USERINFO_RE.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
