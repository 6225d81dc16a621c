import re

import pytest

from circle.core.durations import format_clock, format_duration, parse_duration
from circle.protocol.schema import json_schema


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("2m", 120),
        ("1h30m", 5400),
        ("1m 30s", 90),
        ("1h 2m 3s", 3723),
        (" 2M ", 120),
        ("45", 45),
        (0, 0),
        (75, 75),
        ("168h", 604800),
        (90.4, 90),
    ],
)
def test_parse_duration_reads_what_people_write(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-5, "duration -5 is negative; it must be zero or more"),
        ("-30s", "duration '-30s' is negative; it must be zero or more"),
        ("2 minutes", "cannot read duration '2 minutes'; write it like 90s, 2m or 1h30m"),
        ("", "cannot read duration ''; write it like 90s, 2m or 1h30m"),
        ("1.5m", "cannot read duration '1.5m'; write it like 90s, 2m or 1h30m"),
        ("5m3h", "cannot read duration '5m3h'; give hours, minutes, seconds in order"),
        ("1m1m", "cannot read duration '1m1m'; give hours, minutes, seconds in order"),
        (True, "True is not a duration; write it like 90s, 2m or 1h30m"),
        (False, "False is not a duration; write it like 90s, 2m or 1h30m"),
        (None, "None is not a duration; write it like 90s, 2m or 1h30m"),
        # found by tests/test_fuzz_inputs.py
        (float("inf"), "duration inf is longer than a week; it must be at most 168h"),
        (float("nan"), "nan is not a duration; write it like 90s, 2m or 1h30m"),
        (10**30, f"duration {10**30} is longer than a week; it must be at most 168h"),
        ("169h", "duration '169h' is longer than a week; it must be at most 168h"),
        ("9" * 5000, f"duration '{'9' * 55}...' is longer than a week; it must be at most 168h"),
        ("²", "cannot read duration '²'; write it like 90s, 2m or 1h30m"),
        ([1, 2], "a list is not a duration; write it like 90s, 2m or 1h30m"),
    ],
)
def test_parse_duration_rejects_with_a_readable_message(value, message):
    with pytest.raises(ValueError) as exc:
        parse_duration(value)
    assert str(exc.value) == message


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (59.6, "1m"),
        (120, "2m"),
        (150, "2m 30s"),
        (3900, "1h 05m"),
        (-90, "-1m 30s"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (5, "0:05"), (245, "4:05"), (600, "10:00"), (3723, "1:02:03"), (-75, "1:15")],
)
def test_format_clock(seconds, text):
    assert format_clock(seconds) == text


def _patterns(node):
    if isinstance(node, dict):
        if "pattern" in node and "[hH]" in node["pattern"]:
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_schema_pattern_agrees_with_the_parser():
    """Editors check durations with the schema's pattern; it must accept what circle accepts."""
    regex = re.compile(next(_patterns(json_schema())))
    for sample in ["90", "90s", "2m", "1h30m", "1m 30s", "1h", "2 m", "5m3h", "2 minutes", "m", "", "1h1h", "-5s"]:
        try:
            parse_duration(sample)
            accepted = True
        except ValueError:
            accepted = False
        assert bool(regex.match(sample)) == accepted, sample
