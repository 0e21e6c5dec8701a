"""What an SLO is once read from any spec format, and the durations it is measured in.

Every reader (Sloth ``prometheus/v1``, OpenSLO ``v1alpha`` and ``v1``) produces the same
``SLO`` values, so the rule generator and the budget calculator never look at a spec
format. Numbers that users wrote as decimals (``99.9``) are kept as exact fractions: the
error budget of 99.9% is exactly 1/1000, not 0.0009999999999999432.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

MINUTE = 1
HOUR = 60
DAY = 24 * HOUR
WEEK = 7 * DAY
YEAR = 365 * DAY

PAGE = "page"
TICKET = "ticket"

# Sloth's formats and ours for OpenSLO, as ``sloth_spec`` labels them.
SLOTH_V1 = "prometheus/v1"
SLOTH_K8S = "sloth.slok.dev/v1"
OPENSLO_V1ALPHA = "openslo/v1alpha"
OPENSLO_V1 = "openslo/v1"

_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_UNIT_MINUTES = {"m": MINUTE, "h": HOUR, "d": DAY, "w": WEEK, "y": YEAR}


def parse_duration(text: str) -> int | None:
    """``"30d"`` -> 43200 (minutes); ``"1h30m"`` -> 90. None when not a whole number of minutes.

    Prometheus' own units (``m h d w y``) in any combination; seconds and milliseconds are
    refused because no SLO window is that short.
    """
    text = text.strip()
    if not text:
        return None
    position, total = 0, 0
    for match in _DURATION.finditer(text):
        if match.start() != position or match.group(2) not in _UNIT_MINUTES:
            return None
        total += int(match.group(1)) * _UNIT_MINUTES[match.group(2)]
        position = match.end()
    return total if position == len(text) and total > 0 else None


def format_duration(minutes: int) -> str:
    """Minutes as Prometheus prints a duration: ``43200`` -> ``30d``, ``40320`` -> ``4w``.

    Years and weeks are used only when they divide the duration exactly (``90d``, not
    ``12w6d``), as Prometheus' ``model.Duration`` does; Sloth names its period rules this
    way (``slo:sli_error:ratio_rate4w`` for 28 days), so dashboards built for it match.
    """
    if minutes <= 0:
        return "0s"
    out = ""
    rest = minutes
    for unit, size, exact in (("y", YEAR, True), ("w", WEEK, True), ("d", DAY, False), ("h", HOUR, False),
                              ("m", MINUTE, False)):
        if exact and rest % size:
            continue
        count, rest = divmod(rest, size)
        if count:
            out += f"{count}{unit}"
    return out


def format_days(minutes: int) -> str:
    """A period for people: ``40320`` -> ``28 days`` (rule names use ``format_duration``: ``4w``)."""
    if minutes % DAY:
        return format_duration(minutes)
    days = minutes // DAY
    return f"{days} day{'' if days == 1 else 's'}"


def format_number(value: Fraction) -> str:
    """An exact decimal when there is one (``0.001``, ``14.4``, ``6``), else the shortest float.

    Deterministic on every platform: the same fraction always prints the same text.
    """
    value = Fraction(value)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return repr(float(value))
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, remainder = divmod(value.numerator, value.denominator)
    if not remainder:
        return f"{sign}{whole}"
    digits = ""
    fraction = Fraction(remainder, value.denominator)
    while fraction:
        fraction *= 10
        digit = fraction.numerator // fraction.denominator
        digits += str(digit)
        fraction -= digit
    return f"{sign}{whole}.{digits}"


def format_short(value: Fraction, places: int = 4) -> str:
    """A number for people: at most ``places`` decimals (``0.9333`` rather than ``0.9333333333333333``)."""
    scale = 10**places
    return format_number(Fraction(round(Fraction(value) * scale), scale))


def decimal_fraction(value: float | int) -> Fraction:
    """The fraction a user meant by a YAML number: ``99.9`` -> 999/10 (not the nearest binary float)."""
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(value))


@dataclass(frozen=True)
class BurnWindow:
    """One multiwindow burn-rate condition: ``share`` of the budget spent within ``long`` minutes.

    The alert fires when the error ratio over both ``long`` and ``short`` exceeds the
    burn-rate ``factor(period)`` times the error budget; the short window (1/12 of the long
    one) makes it stop soon after the errors do.
    """

    tier: str
    share: Fraction
    long: int
    short: int

    def factor(self, period: int) -> Fraction:
        """The burn rate that spends ``share`` of a ``period``-minute budget in ``long`` minutes.

        For 30 days this is the SRE Workbook's 14.4 / 6 / 3 / 1; for 28 days 13.44 / 5.6 /
        2.8 / 0.933..., so the same share of the budget is spent in the same windows.
        """
        return self.share * period / self.long

    def exhaustion_minutes(self) -> Fraction:
        """How long the whole budget lasts at this burn rate (``long / share``), whatever the period."""
        return Fraction(self.long) / self.share


# The multiwindow, multi-burn-rate alerts of the SRE Workbook ("Alerting on SLOs"), with the
# windows Sloth uses: page on 2% of the budget in 1h or 5% in 6h, ticket on 10% in 1d or 3d.
POLICY: tuple[BurnWindow, ...] = (
    BurnWindow(PAGE, Fraction(2, 100), 1 * HOUR, 5 * MINUTE),
    BurnWindow(PAGE, Fraction(5, 100), 6 * HOUR, 30 * MINUTE),
    BurnWindow(TICKET, Fraction(10, 100), 1 * DAY, 2 * HOUR),
    BurnWindow(TICKET, Fraction(10, 100), 3 * DAY, 6 * HOUR),
)

# Every window an error-ratio recording rule is needed for, shortest first (the period comes last).
SLI_WINDOWS: tuple[int, ...] = tuple(sorted({w for burn in POLICY for w in (burn.long, burn.short)}))
MIN_PERIOD = max(SLI_WINDOWS)  # a period shorter than the longest alert window makes no sense
DEFAULT_PERIOD = 30 * DAY


@dataclass(frozen=True)
class AlertMeta:
    """What one tier's alert carries beyond the expression: its name, labels and annotations."""

    tier: str
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SLI:
    """The indicator as one error-ratio query with ``{{.window}}`` in it.

    ``kind`` says how it was written: ``events`` (errors / total), ``raw`` (a ratio),
    ``good`` (1 - good / total) or ``bad`` (bad / total); ``queries`` keeps the user's
    queries by role for messages and documents.
    """

    kind: str
    error_ratio: str
    queries: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SLO:
    """One service level objective, whatever spec it came from.

    ``objective`` is the target in percent (999/10 for 99.9%), ``period`` the rolling
    window in minutes. ``page`` and ``ticket`` are None when that alert is disabled.
    ``source``/``line`` say where it was defined, for messages.
    """

    service: str
    name: str
    objective: Fraction
    period: int
    sli: SLI
    spec: str
    source: str
    line: int | None
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    page: AlertMeta | None = None
    ticket: AlertMeta | None = None

    @property
    def id(self) -> str:
        """Sloth's ``sloth_id``: ``<service>-<name>``."""
        return f"{self.service}-{self.name}"

    @property
    def ratio(self) -> Fraction:
        """The objective as a ratio (0.999)."""
        return self.objective / 100

    @property
    def error_budget(self) -> Fraction:
        """The share of events allowed to fail (0.001 for 99.9%)."""
        return 1 - self.ratio

    @property
    def period_days(self) -> Fraction:
        return Fraction(self.period, DAY)

    @property
    def budget_minutes(self) -> Fraction:
        """The error budget as minutes of total failure in the period (43.2 for 99.9% over 30 days)."""
        return self.error_budget * self.period

    @property
    def location(self) -> str:
        return self.source if self.line is None else f"{self.source}:{self.line}"

    def alert(self, tier: str) -> AlertMeta | None:
        return self.page if tier == PAGE else self.ticket

    @property
    def alert_names(self) -> list[str]:
        """The distinct alert names this SLO generates (page and ticket usually share one)."""
        names = [meta.name for meta in (self.page, self.ticket) if meta is not None]
        return list(dict.fromkeys(names))
