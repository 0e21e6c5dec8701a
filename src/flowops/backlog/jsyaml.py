"""YAML scalars exactly as Backlog.md 1.52 reads and writes them.

Backlog.md writes frontmatter with gray-matter, whose YAML engine is js-yaml 3.14
(``safeDump``, indent 2, line width 80). To write files byte-identical to Backlog.md's,
this module re-implements js-yaml 3.14's scalar style choice (plain, single-quoted,
double-quoted, literal ``|``, folded ``>``), its line folding and its escaping. It also
resolves plain scalars the way js-yaml's default safe schema does when reading (YAML 1.2
core types plus timestamps), which differs from PyYAML's YAML 1.1 rules: ``yes`` and
``on`` are strings there, ``0o17`` is a string, ``012`` is octal.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone

INDENT = 2
LINE_WIDTH = 80

# js-yaml quotes these in "compat mode" so YAML 1.1 readers do not see booleans.
_DEPRECATED_BOOLEANS = frozenset(
    ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]
)

_ESCAPES = {
    0x00: "\\0",
    0x07: "\\a",
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0B: "\\v",
    0x0C: "\\f",
    0x0D: "\\r",
    0x1B: "\\e",
    0x22: '\\"',
    0x5C: "\\\\",
    0x85: "\\N",
    0xA0: "\\_",
    0x2028: "\\L",
    0x2029: "\\P",
}

_PLAIN_FIRST_FORBIDDEN = frozenset("-?:,[]{}#&*!|=>'\"%@`")
_FLOW_INDICATORS = frozenset(",[]{}:")

STYLE_PLAIN, STYLE_SINGLE, STYLE_LITERAL, STYLE_FOLDED, STYLE_DOUBLE = range(1, 6)


def _printable(c: int) -> bool:
    return (
        0x20 <= c <= 0x7E
        or (0xA1 <= c <= 0xD7FF and c not in (0x2028, 0x2029))
        or (0xE000 <= c <= 0xFFFD and c != 0xFEFF)
        or 0x10000 <= c <= 0x10FFFF
    )


def _whitespace(c: int) -> bool:
    return c == 0x20 or c == 0x09


def _ns_char(c: int) -> bool:
    return _printable(c) and not _whitespace(c) and c != 0xFEFF and c != 0x0D and c != 0x0A


def _plain_safe(c: int, prev: int | None) -> bool:
    if not _printable(c) or c == 0xFEFF:
        return False
    ch = chr(c)
    if ch in _FLOW_INDICATORS:
        return False
    if ch == "#":
        return prev is not None and _ns_char(prev)
    return True


def _plain_safe_first(c: int) -> bool:
    return _printable(c) and c != 0xFEFF and not _whitespace(c) and chr(c) not in _PLAIN_FIRST_FORBIDDEN


# --- implicit types of js-yaml's DEFAULT_SAFE_SCHEMA -------------------------------------

_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:0|[1-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
    r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_TIMESTAMP_RE = re.compile(
    r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?$"
)
_SEXAGESIMAL_TAIL = re.compile(r"^(:[0-5]?[0-9])+$")


_WORDS_WITH_MEANING = frozenset(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"])


def _is_null(s: str) -> bool:
    return s in ("", "~", "null", "Null", "NULL")


def _is_bool(s: str) -> bool:
    return s in ("true", "True", "TRUE", "false", "False", "FALSE")


def _is_int(s: str) -> bool:
    # A transcription of js-yaml 3's int resolver (decimal, 0b, 0x, leading-0 octal,
    # underscores, sexagesimal).
    n = len(s)
    if not n:
        return False
    i = 0
    ch = s[0]
    if ch in "-+":
        i += 1
        if i >= n:
            return False
        ch = s[i]
    if ch == "0":
        if i + 1 == n:
            return True
        i += 1
        ch = s[i]
        digits = False
        if ch == "b":
            i += 1
            for ch in s[i:]:
                if ch == "_":
                    continue
                if ch not in "01":
                    return False
                digits = True
            return digits and ch != "_"
        if ch == "x":
            i += 1
            for ch in s[i:]:
                if ch == "_":
                    continue
                if ch not in "0123456789abcdefABCDEF":
                    return False
                digits = True
            return digits and ch != "_"
        for ch in s[i:]:
            if ch == "_":
                continue
            if ch not in "01234567":
                return False
            digits = True
        return digits and ch != "_"
    if ch == "_":
        return False
    digits = False
    j = i
    while j < n:
        ch = s[j]
        if ch == "_":
            j += 1
            continue
        if ch == ":":
            break
        if not ch.isascii() or not ch.isdigit():
            return False
        digits = True
        j += 1
    if not digits or ch == "_":
        return False
    if ch != ":":
        return True
    return bool(_SEXAGESIMAL_TAIL.match(s[j:]))


def _is_float(s: str) -> bool:
    return bool(_FLOAT_RE.match(s)) and not s.endswith("_")


def _is_timestamp(s: str) -> bool:
    return bool(_DATE_RE.match(s) or _TIMESTAMP_RE.match(s))


def is_ambiguous(s: str) -> bool:
    """True when js-yaml would read the plain scalar ``s`` as something other than a string."""
    return _is_null(s) or _is_bool(s) or _is_int(s) or _is_float(s) or _is_timestamp(s) or s == "<<"


def resolve_plain(s: str):
    """The value js-yaml's safe schema gives the plain (unquoted) scalar ``s``.

    Returns None, bool, int, float, a ``date`` (date-only timestamp), a ``datetime``
    (UTC) or the string itself.
    """
    first = s[:1]
    if first.isalpha() and s not in _WORDS_WITH_MEANING:
        # Most values (statuses, names, ids) start with a letter; only null/bool words
        # and nothing numeric can then resolve to a non-string.
        return s
    if _is_null(s):
        return None
    if _is_bool(s):
        return s in ("true", "True", "TRUE")
    if _is_int(s):
        return _construct_int(s)
    if _is_float(s):
        return _construct_float(s)
    match = _DATE_RE.match(s)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return s
    match = _TIMESTAMP_RE.match(s)
    if match:
        return _construct_timestamp(match) or s
    return s


def _construct_int(s: str) -> int:
    value = s.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    if value[0] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value, 16)
    if value.startswith("0"):
        return sign * int(value, 8)
    if ":" in value:
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(value)


def _construct_float(s: str) -> float:
    value = s.replace("_", "").lower()
    sign = -1.0 if value.startswith("-") else 1.0
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    if ":" in value:
        total = 0.0
        for part in value.split(":"):
            total = total * 60 + float(part)
        return sign * total
    return sign * float(value)


def _construct_timestamp(match: re.Match) -> datetime | None:
    try:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        hour, minute, second = int(match[4]), int(match[5]), int(match[6])
        fraction = int((match[7] or "0")[:3].ljust(3, "0"))
        value = datetime(year, month, day, hour, minute, second, fraction * 1000, tzinfo=timezone.utc)
    except ValueError:
        return None
    if match[9]:
        from datetime import timedelta

        offset = timedelta(hours=int(match[10]), minutes=int(match[11] or 0))
        value = value - offset if match[9] == "+" else value + offset
    return value


def js_string(value) -> str:
    """``String(value)`` as JavaScript would print a YAML-loaded value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, datetime):
        # JS Date#toString is locale-dependent; Backlog only String()s dates in odd
        # places, so an ISO form is the useful rendering.
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00.000Z"
    return str(value)


def js_number(value: float) -> str:
    """JavaScript's Number#toString for the values frontmatter holds."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text


# --- dumping ------------------------------------------------------------------------------


def _choose_style(s: str, single_line_only: bool, line_width: int) -> int:
    track_width = line_width != -1
    has_line_break = False
    has_foldable_line = False
    previous_line_break = -1
    plain = _plain_safe_first(ord(s[0])) and not _whitespace(ord(s[-1]))
    i = 0
    if single_line_only:
        for i, ch in enumerate(s):
            c = ord(ch)
            if not _printable(c):
                return STYLE_DOUBLE
            prev = ord(s[i - 1]) if i > 0 else None
            plain = plain and _plain_safe(c, prev)
    else:
        for i, ch in enumerate(s):
            c = ord(ch)
            if c == 0x0A:
                has_line_break = True
                if track_width:
                    has_foldable_line = has_foldable_line or (
                        i - previous_line_break - 1 > line_width and s[previous_line_break + 1] != " "
                    )
                previous_line_break = i
            elif not _printable(c):
                return STYLE_DOUBLE
            prev = ord(s[i - 1]) if i > 0 else None
            plain = plain and _plain_safe(c, prev)
        i = len(s)
        has_foldable_line = has_foldable_line or (
            track_width and i - previous_line_break - 1 > line_width and s[previous_line_break + 1] != " "
        )
    if not has_line_break and not has_foldable_line:
        return STYLE_PLAIN if plain and not is_ambiguous(s) else STYLE_SINGLE
    if INDENT > 9 and _needs_indent_indicator(s):
        return STYLE_DOUBLE
    return STYLE_FOLDED if has_foldable_line else STYLE_LITERAL


def _needs_indent_indicator(s: str) -> bool:
    return bool(re.match(r"^\n* ", s))


def _block_header(s: str) -> str:
    indicator = str(INDENT) if _needs_indent_indicator(s) else ""
    clip = s.endswith("\n")
    keep = clip and (s[-2:-1] == "\n" or s == "\n")
    chomp = "+" if keep else ("" if clip else "-")
    return indicator + chomp + "\n"


def _indent_string(s: str, spaces: int) -> str:
    pad = " " * spaces
    out = []
    for line in s.splitlines(keepends=True):
        if line and line != "\n":
            out.append(pad)
        out.append(line)
    return "".join(out)


def _drop_ending_newline(s: str) -> str:
    return s[:-1] if s.endswith("\n") else s


def _fold_line(line: str, width: int) -> str:
    if line == "" or line[0] == " ":
        return line
    result = ""
    start = 0
    end = 0
    curr = 0
    for match in re.finditer(r" [^ ]", line):
        curr = match.start()
        if curr - start > width:
            end = end if end > start else curr
            result += "\n" + line[start:end]
            start = end + 1
        end = curr
    result += "\n"
    if len(line) - start > width and end > start:
        result += line[start:end] + "\n" + line[end + 1 :]
    else:
        result += line[start:]
    return result[1:]


def _fold_string(s: str, width: int) -> str:
    first_break = s.find("\n")
    first_break = first_break if first_break != -1 else len(s)
    result = _fold_line(s[:first_break], width)
    prev_more_indented = s[:1] in ("\n", " ")
    for match in re.compile(r"(\n+)([^\n]*)").finditer(s, first_break):
        prefix, line = match.group(1), match.group(2)
        more_indented = line[:1] == " "
        result += prefix + ("\n" if not prev_more_indented and not more_indented and line != "" else "") + _fold_line(line, width)
        prev_more_indented = more_indented
    return result


def _escape(s: str) -> str:
    out = []
    for ch in s:
        c = ord(ch)
        escaped = _ESCAPES.get(c)
        if escaped is None and _printable(c):
            out.append(ch)
        elif escaped is not None:
            out.append(escaped)
        elif c <= 0xFF:
            out.append(f"\\x{c:02X}")
        elif c <= 0xFFFF:
            out.append(f"\\u{c:04X}")
        else:
            out.append(f"\\U{c:08X}")
    return "".join(out)


def dump_string(s: str, level: int = 1, *, is_key: bool = False) -> str:
    """Render ``s`` as js-yaml 3.14 would at nesting ``level`` (1 = value of a top-level key).

    Block styles come back with their header and indented lines, ready to follow ``key: ``.
    """
    if s == "":
        return "''"
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError as exc:
            # YAML readers refuse surrogate escapes: such a value could be written but never read back.
            raise ValueError(f"{s!r} holds bytes that are not valid UTF-8 (character {exc.start + 1}); it cannot be written") from None
    if s in _DEPRECATED_BOOLEANS:
        return f"'{s}'"
    indent = INDENT * max(1, level)
    width = max(min(LINE_WIDTH, 40), LINE_WIDTH - indent)
    style = _choose_style(s, is_key, width)
    if style == STYLE_PLAIN:
        return s
    if style == STYLE_SINGLE:
        return "'" + s.replace("'", "''") + "'"
    if style == STYLE_LITERAL:
        return "|" + _block_header(s) + _drop_ending_newline(_indent_string(s, indent))
    if style == STYLE_FOLDED:
        return ">" + _block_header(s) + _drop_ending_newline(_indent_string(_fold_string(s, width), indent))
    return '"' + _escape(s) + '"'


def dump_scalar(value, level: int = 1) -> str:
    """Render a str, int, float, bool or None the way js-yaml's safeDump does."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        if value == 0 and math.copysign(1, value) < 0:
            return "-0.0"
        text = js_number(value)
        return re.sub(r"^([-+]?[0-9]+)e", r"\1.e", text)
    return dump_string(str(value), level)


def dump_entry(key: str, value) -> str:
    """Render ``key: value`` (value a scalar or a list of scalars) as js-yaml writes a top-level pair.

    Lists are block sequences indented by two spaces; an empty list is ``[]``.
    """
    if isinstance(value, (list, tuple)):
        if not value:
            return f"{key}: []"
        lines = [f"{key}:"]
        for item in value:
            rendered = dump_scalar(item, level=2)
            lines.append(f"  - {rendered}")
        return "\n".join(lines)
    rendered = dump_scalar(value, level=1)
    return f"{key}: {rendered}"
