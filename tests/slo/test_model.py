"""Durations, exact numbers and the burn-rate math: the same share of budget in the same windows."""

from __future__ import annotations

from fractions import Fraction

import pytest

from flowops.slo.model import (
    DAY,
    HOUR,
    PAGE,
    POLICY,
    SLI_WINDOWS,
    TICKET,
    decimal_fraction,
    format_days,
    format_duration,
    format_number,
    parse_duration,
)


@pytest.mark.parametrize(("text", "minutes"), [
    ("5m", 5), ("1h", 60), ("1h30m", 90), ("3d", 3 * DAY), ("30d", 30 * DAY), ("4w", 28 * DAY), ("1y", 365 * DAY),
])
def test_durations_parse_to_minutes(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "30", "30s", "1M", "d", "5m1", "-5m", "1.5h", "5mh"])
def test_durations_that_are_not_whole_minutes_in_prometheus_units_are_refused(text):
    assert parse_duration(text) is None


@pytest.mark.parametrize(("minutes", "text"), [
    (5, "5m"), (30, "30m"), (60, "1h"), (2 * HOUR, "2h"), (DAY, "1d"), (3 * DAY, "3d"),
    (30 * DAY, "30d"), (28 * DAY, "4w"), (7 * DAY, "1w"), (90 * DAY, "90d"), (365 * DAY, "1y"), (36 * HOUR, "1d12h"),
])
def test_durations_print_as_prometheus_prints_them(minutes, text):
    # Sloth names the period rule after this text: slo:sli_error:ratio_rate4w for 28 days.
    assert format_duration(minutes) == text


def test_periods_print_in_days_for_people():
    assert format_days(28 * DAY) == "28 days" and format_days(DAY) == "1 day"


@pytest.mark.parametrize(("value", "text"), [
    (Fraction(1, 1000), "0.001"), (Fraction(144, 10), "14.4"), (Fraction(6), "6"), (Fraction(-1, 2), "-0.5"),
    (Fraction(14, 15), "0.9333333333333333"), (Fraction(9995, 10000), "0.9995"),
])
def test_numbers_print_exactly_when_they_can(value, text):
    assert format_number(value) == text


def test_a_yaml_decimal_is_the_decimal_the_user_wrote():
    assert decimal_fraction(99.9) == Fraction(999, 10)
    assert 1 - decimal_fraction(99.9) / 100 == Fraction(1, 1000)  # not 0.0009999999999999432


def test_the_policy_is_the_sre_workbook_table_for_30_days():
    table = [(b.tier, format_number(b.factor(30 * DAY)), format_duration(b.long), format_duration(b.short)) for b in POLICY]
    assert table == [(PAGE, "14.4", "1h", "5m"), (PAGE, "6", "6h", "30m"), (TICKET, "3", "1d", "2h"),
                     (TICKET, "1", "3d", "6h")]


def test_other_periods_spend_the_same_share_of_budget_in_the_same_windows():
    factors = [b.factor(28 * DAY) for b in POLICY]
    assert [format_number(f) for f in factors] == ["13.44", "5.6", "2.8", "0.9333333333333333"]
    for burn in POLICY:
        for period in (7 * DAY, 28 * DAY, 30 * DAY, 90 * DAY):
            # budget spent in the long window at the factor's burn rate = factor * long / period
            assert burn.factor(period) * burn.long / period == burn.share


def test_the_budget_lasts_long_window_over_share_whatever_the_period():
    assert [b.exhaustion_minutes() / 60 for b in POLICY] == [50, 120, 240, 720]


def test_recording_windows_are_the_ones_the_alerts_use():
    assert [format_duration(w) for w in SLI_WINDOWS] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
