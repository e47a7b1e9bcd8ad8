"""IANA time zone names, checked."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def check_zone(value: str) -> str:
    """The name, if it is a zone this machine knows; ValueError saying what to write otherwise."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}: use an IANA name like Europe/Berlin") from exc
    return value
