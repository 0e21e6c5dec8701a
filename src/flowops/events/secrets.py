"""``${VAR}`` references in hooks.yaml, and keeping their values out of logs and output.

Values that come from the environment (tokens, webhook URLs), the hook's ``env`` values
and credentials written into URLs are secrets: ``redact`` replaces them in any text
flowops is about to print or record.
"""

from __future__ import annotations

import json as _json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

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


def forms(secret: str) -> set[str]:
    """``secret`` as a handler might print it: as is, percent-encoded (path, query, form) or JSON-escaped."""
    from urllib.parse import quote, quote_plus

    found = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), _json.dumps(secret)[1:-1],
             _json.dumps(secret, ensure_ascii=False)[1:-1]}
    return {form for form in found if len(form) >= _MIN_SECRET_LENGTH}


def redact(text: str | None, secrets: Iterable[str] = ()) -> str | None:
    """``text`` with URL credentials and every known secret value (in any of its ``forms``) replaced by ``***``."""
    if not text:
        return text
    masked: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET_LENGTH:
            masked |= forms(secret)
    for secret in sorted(masked, key=len, reverse=True):
        text = text.replace(secret, MASK)
    if "://" not in text:
        return text
    return _URL_USERINFO_RE.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)


def configured(data: Any, environ: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """The secret values a hooks.yaml document configures, and the names of those too short to mask.

    Secrets are: the value of every ``${VAR}`` referenced anywhere in the file, of every
    variable a ``secret_env`` names, every literal value of a command's ``env`` mapping, and
    the credentials of every URL (after expansion). All of them are masked in the output of
    every handler, not only the handler that uses them: a command may print another
    handler's webhook secret.
    """
    found = _Collector(os.environ if environ is None else environ)
    found.walk(data)
    return list(dict.fromkeys(found.values)), found.short


class _Collector:
    """Walks a hooks.yaml document and keeps every secret value it configures."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.env = environ
        self.values: list[str] = []
        self.short: list[str] = []  # names of values too short to mask

    def keep(self, value: str, name: str, *, warn: bool = True) -> None:
        if not value:
            return
        if len(value) < _MIN_SECRET_LENGTH:
            # Literal values are in the repository for anyone to read; only a value that comes
            # from the environment is a secret whose leak is worth a warning.
            if warn and name not in self.short:
                self.short.append(name)
            return
        self.values.append(value)

    def walk(self, node: Any, key: Any = None) -> None:
        if isinstance(node, Mapping):
            for child_key, child in node.items():
                if child_key == "secret_env" and isinstance(child, str) and child in self.env:
                    self.keep(self.env[child], child)
                elif child_key == "env" and isinstance(child, Mapping):
                    self.literal_env(child)
                self.walk(child, child_key)
        elif isinstance(node, list):
            for item in node:
                self.walk(item, key)
        elif isinstance(node, str):
            self.string(node, key)

    def literal_env(self, env: Mapping) -> None:
        for name, value in env.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and not VAR_RE.search(str(value)):
                self.keep(str(value), f"env {name}", warn=False)

    def string(self, text: str, key: Any) -> None:
        for name in VAR_RE.findall(text):
            if name in self.env:
                self.keep(self.env[name], name)
        if "://" not in text:
            return
        try:
            expanded = expand(text, self.env)
        except UnsetVariable:
            return
        for match in _URL_USERINFO_RE.finditer(expanded):
            for part in match.group("userinfo").split(":", 1):
                self.keep(part, f"the credentials of a URL in {key}")


def redact_data(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` (an event as a dict, say) with every string ``redact``ed; keys are kept."""
    secrets = list(secrets)
    if not secrets:
        return value
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {key: redact_data(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_data(item, secrets) for item in value]
    return value


def short_secret_warning(names: list[str]) -> str | None:
    """One warning naming (never showing) configured secrets too short to be masked reliably."""
    if not names:
        return None
    listed = ", ".join(names)
    return (
        f"the value of {listed} is shorter than {_MIN_SECRET_LENGTH} characters: flowops cannot mask it in "
        "handler output without mangling other text, so handler output may show it; use a longer secret"
    )
