"""A lead's sales region from whatever location a CRM file gives: a region
name, a country (names and codes), or a US state or Canadian province. The
tables are data, in regions.toml beside this module."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources import files
from types import MappingProxyType

REGIONS = ("NA", "EMEA", "APAC", "LATAM")

_TABLES = tomllib.loads(files(__package__).joinpath("regions.toml").read_text(encoding="utf-8"))
_COUNTRIES = {name: region for region, names in _TABLES["countries"].items() for name in names}
COUNTRY_REGIONS: Mapping[str, str] = MappingProxyType(_COUNTRIES | _TABLES["region_names"])
STATE_REGIONS: Mapping[str, str] = MappingProxyType(
    {name: region for region, names in _TABLES["states"].items() for name in names}
)


def region_of(country: str = "", region: str = "", state: str = "") -> str:
    """Sales region from whatever location the file has.

    A value the tables know wins: the file's own region first (a team that writes
    "APAC" beside "Germany" means it), then the country, then the state; otherwise
    the raw country, else the raw region, is kept so nothing is lost. A state alone
    that is not a US state or Canadian province gives "".
    """
    for value, table in ((region, COUNTRY_REGIONS), (country, COUNTRY_REGIONS), (state, STATE_REGIONS)):
        if value:
            mapped = table.get(value.casefold().strip())
            if mapped:
                return mapped
    return country or region
