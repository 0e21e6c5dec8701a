"""Configuration rules as data: JSON Schema validation with located, actionable messages.

hooks.yaml, each handler type's part of it and the settings file are described by JSON
Schemas (plain dicts, Draft 2020-12) next to the code that reads them; ``validate`` checks
a document against one and returns ``Problem``s naming file, line (through
``flowops.yamlfile.Locations``) and field. ``jsonschema`` is imported only then, and callers
on hot paths remember a file's clean verdict (``flowops.cachedir.VerdictCache``), so
``hooks emit`` and git hooks normally validate nothing and import neither this module nor
jsonschema.

jsonschema's own messages ("900 is greater than the maximum of 600") say what is wrong but
not what to do, so a subschema says it in our words, per keyword::

    {"type": "number", "minimum": 1, "maximum": 600,
     "x-message": "timeout must be a number of seconds from 1 to 600, not {value!r}"}
    {"type": "object", "x-messages": {"type": "defaults must be a mapping (timeout, fail_mode)"}}

``x-messages`` maps a keyword to its message, ``x-message`` covers the others. Templates
may use ``{value}`` (the value found), ``{key}`` (an unknown or missing key), ``{found}``
(the value's repr, or "missing"), ``{kind}`` (the value in words: "the text 'x'", "a
list", "5 (a number)", "empty"), ``{quote}`` ("; quote it" after a number or boolean where
a text was wanted) and ``{allowed}`` (an enum's values, comma-separated). A missing
required key is reported at the object when the object's ``x-messages`` has a message for
``required``, else at the key, with the message of the key's own schema (``value`` None).
Unknown keys are declared
with ``propertyNames: {"enum": [...]}`` so that each is reported at its own line. One
problem is reported per field: the first the schema finds, in the schema's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flowops.errors import Problem

if TYPE_CHECKING:
    from flowops.yamlfile import Locations

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Prefixes each message, e.g. with "hook 'chat': ", given the field path.
Prefix = Callable[[tuple[Any, ...]], str]


def validate(data: Any, schema: Mapping[str, Any], *, path: str | None, locations: Locations | None = None,
             prefix: Prefix | None = None) -> list[Problem]:
    """Every problem of ``data`` against ``schema``, one per field, in file order (errors only)."""
    return [problem for _field, problem in check(data, schema, path=path, locations=locations, prefix=prefix)]


def check(data: Any, schema: Mapping[str, Any], *, path: str | None, locations: Locations | None = None,
          prefix: Prefix | None = None) -> list[tuple[tuple[Any, ...], Problem]]:
    """Like ``validate``, each problem with the field path it is about (for callers that group them)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema, format_checker=None)
    seen: set[Any] = set()
    problems: list[tuple[int, int, tuple[Any, ...], Problem]] = []
    for order, error in enumerate(validator.iter_errors(data)):
        field_path, message = _explain(error)
        # One problem per field; several missing keys of one object are each a problem.
        seen_as = (field_path, message) if error.validator == "required" else field_path
        if seen_as in seen:
            continue
        seen.add(seen_as)
        if prefix is not None:
            message = prefix(field_path) + message
        line = locations.line(*field_path) if locations is not None else None
        dotted = _dotted(field_path) or None
        problems.append((line or 0, order, field_path, Problem(message, path, line, dotted)))
    return [(field, problem) for _line, _order, field, problem in sorted(problems, key=lambda item: (item[0], item[1]))]


def _explain(error: Any) -> tuple[tuple[Any, ...], str]:
    """(field path, message) for one jsonschema ValidationError."""
    where = tuple(error.absolute_path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    value = error.instance
    key: Any = None
    if "propertyNames" in error.absolute_schema_path:
        # A key was refused: it is the instance; report it where it stands.
        key = value
        where = (*where, key) if isinstance(key, (str, int)) else where
    elif keyword == "required":
        key = _missing_key(error)
        template = (schema.get("x-messages") or {}).get("required")
        if template is not None:
            return where, _format(template, None, key, schema, missing=True)
        own = (schema.get("properties") or {}).get(key)
        template = _template(own, "required") if isinstance(own, Mapping) else None
        return (*where, key), _format(template or "missing required key '{key}'", None, key, schema, missing=True)
    if key is None and where and isinstance(where[-1], str):
        key = where[-1]
    template = _template(schema, keyword)
    if template is None:
        template = _default(error)
    return where, _format(template, value, key, schema)


def _template(schema: Mapping[str, Any], keyword: str) -> str | None:
    messages = schema.get("x-messages") or {}
    if keyword in messages:
        return str(messages[keyword])
    message = schema.get("x-message")
    return str(message) if message is not None else None


def _missing_key(error: Any) -> Any:
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    for key in error.validator_value:
        if key not in instance and repr(key) in error.message:
            return key
    return next((key for key in error.validator_value if key not in instance), None)


def _format(template: str, value: Any, key: Any, schema: Mapping[str, Any], *, missing: bool = False) -> str:
    allowed = schema.get("enum") or (schema.get("propertyNames") or {}).get("enum") or []
    found = "missing" if missing else repr(value)
    quote = "; quote it" if isinstance(value, (bool, int, float)) else ""
    try:
        return template.format(value=value, key=key, found=found, kind=kind_of(value), quote=quote,
                               allowed=", ".join(str(a) for a in allowed))
    except (KeyError, IndexError, ValueError):
        return template


def kind_of(value: Any) -> str:
    """``value`` in words, for messages: "the text 'x'", "a list", "5 (a number)", "empty"."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _default(error: Any) -> str:
    """Our wording for a keyword no schema gave a message for (plugin schemas, mostly)."""
    name = _dotted(tuple(error.absolute_path)) or "the file"
    value = error.instance
    keyword = error.validator
    expected = error.validator_value
    if keyword == "type":
        kinds = " or ".join(_KIND_NAMES.get(kind, kind) for kind in ([expected] if isinstance(expected, str) else expected))
        return f"{name} must be {kinds}, not {value!r}"
    if keyword == "enum":
        return f"{name} must be one of {', '.join(str(v) for v in expected)}, not {value!r}"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                   "minItems", "maxItems", "pattern", "const"):
        return f"{name}: {error.message}"
    return f"{name}: {error.message}"


_KIND_NAMES = {
    "object": "a mapping", "array": "a list", "string": "a text", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "null": "empty",
}


def _dotted(field_path: tuple[Any, ...]) -> str:
    from flowops.yamlfile import Locations

    return Locations.dotted(field_path)


def unknown_keys(known: Iterable[str], message: str) -> dict[str, Any]:
    """A ``propertyNames`` schema refusing every key but ``known``, with ``message`` ({value}: the key)."""
    return {"enum": list(known), "x-message": message}
