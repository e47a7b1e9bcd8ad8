"""Where a lead is, in time: the zone its local time is shown in.

Known in two ways, the first that answers wins:

- a time zone column of the import (leadqueue's `time_zone` or `timezone`,
  HubSpot's `Time Zone` or `IP Timezone`, kept with the lead's other columns):
  an IANA name (`Europe/Berlin`), HubSpot's internal value
  (`europe_slash_berlin`) or a label quoting one
  (`(GMT+01:00) Central European Time (Europe/Berlin)`);
- the lead's country, when the country keeps one time: `Germany`, `DE` or
  `DEU` is Europe/Berlin. A country with several (the United States, Canada,
  Brazil, Australia, Russia, Spain with the Canaries...) gives none: a wrong
  local time is worse than none, since the rep would call at 7 in the morning.

The table is the tz database's (zone.tab): the countries whose zones all
keep the same time, under the ISO 3166 code, the tz database's English name
and the spellings CRM files use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Headers (compared as `_key` compares them) of the columns that hold a zone, and a country.
ZONE_COLUMNS = ("time zone", "timezone", "ip timezone", "hs timezone", "hs ip timezone", "ip tz")
COUNTRY_COLUMNS = ("country", "country/region", "country code", "countrycode", "country region")
# Sales regions, never countries: "NA" is North America here, not Namibia.
REGIONS = frozenset({"na", "emea", "apac", "latam"})

# ISO code, zone, names: one line a country that keeps one time.
_COUNTRIES = """
AD Europe/Andorra Andorra|AND
AE Asia/Dubai United Arab Emirates|UAE|ARE
AF Asia/Kabul Afghanistan
AG America/Antigua Antigua & Barbuda
AI America/Anguilla Anguilla
AL Europe/Tirane Albania
AM Asia/Yerevan Armenia|ARM
AO Africa/Luanda Angola
AR America/Argentina/Buenos_Aires Argentina|ARG
AS Pacific/Pago_Pago Samoa (American)|American Samoa
AT Europe/Vienna Austria|AUT|Österreich
AW America/Aruba Aruba
AX Europe/Mariehamn Åland Islands|Aland
AZ Asia/Baku Azerbaijan|AZE
BA Europe/Sarajevo Bosnia & Herzegovina|Bosnia and Herzegovina|Bosnia
BB America/Barbados Barbados
BD Asia/Dhaka Bangladesh|BGD
BE Europe/Brussels Belgium|BEL
BF Africa/Ouagadougou Burkina Faso
BG Europe/Sofia Bulgaria|BGR
BH Asia/Bahrain Bahrain|BHR
BI Africa/Bujumbura Burundi
BJ Africa/Porto-Novo Benin
BL America/St_Barthelemy St Barthelemy
BM Atlantic/Bermuda Bermuda
BN Asia/Brunei Brunei
BO America/La_Paz Bolivia|BOL
BQ America/Kralendijk Caribbean NL|Bonaire|Caribbean Netherlands
BS America/Nassau Bahamas
BT Asia/Thimphu Bhutan
BW Africa/Gaborone Botswana
BY Europe/Minsk Belarus|BLR
BZ America/Belize Belize
CC Indian/Cocos Cocos (Keeling) Islands
CF Africa/Bangui Central African Rep.|Central African Republic
CG Africa/Brazzaville Congo (Rep.)|Republic of the Congo
CH Europe/Zurich Switzerland|CHE|Schweiz|Suisse
CI Africa/Abidjan Côte d'Ivoire|Ivory Coast
CK Pacific/Rarotonga Cook Islands
CM Africa/Douala Cameroon
CN Asia/Shanghai China|CHN|PRC|People's Republic of China
CO America/Bogota Colombia|COL
CR America/Costa_Rica Costa Rica|CRI
CU America/Havana Cuba|CUB
CV Atlantic/Cape_Verde Cape Verde|Cabo Verde
CW America/Curacao Curaçao|Curacao|CUW
CX Indian/Christmas Christmas Island
CY Asia/Nicosia Cyprus|CYP
CZ Europe/Prague Czech Republic|Czechia|CZE
DE Europe/Berlin Germany|Deutschland|DEU
DJ Africa/Djibouti Djibouti
DK Europe/Copenhagen Denmark|DNK|Danmark
DM America/Dominica Dominica
DO America/Santo_Domingo Dominican Republic|DOM
DZ Africa/Algiers Algeria|DZA
EE Europe/Tallinn Estonia|EST
EG Africa/Cairo Egypt|EGY
EH Africa/El_Aaiun Western Sahara
ER Africa/Asmara Eritrea
ET Africa/Addis_Ababa Ethiopia|ETH
FI Europe/Helsinki Finland|FIN|Suomi
FJ Pacific/Fiji Fiji
FK Atlantic/Stanley Falkland Islands
FO Atlantic/Faroe Faroe Islands
FR Europe/Paris France|FRA
GA Africa/Libreville Gabon
GB Europe/London Britain (UK)|United Kingdom|UK|GBR|Great Britain|England|Scotland|Wales|Northern Ireland
GD America/Grenada Grenada
GE Asia/Tbilisi Georgia|GEO
GF America/Cayenne French Guiana
GG Europe/Guernsey Guernsey
GH Africa/Accra Ghana|GHA
GI Europe/Gibraltar Gibraltar
GM Africa/Banjul Gambia
GN Africa/Conakry Guinea
GP America/Guadeloupe Guadeloupe
GQ Africa/Malabo Equatorial Guinea
GR Europe/Athens Greece|GRC|Hellas
GS Atlantic/South_Georgia South Georgia & the South Sandwich Islands
GT America/Guatemala Guatemala|GTM
GU Pacific/Guam Guam
GW Africa/Bissau Guinea-Bissau
GY America/Guyana Guyana
HK Asia/Hong_Kong Hong Kong|HKG
HN America/Tegucigalpa Honduras|HND
HR Europe/Zagreb Croatia|HRV
HT America/Port-au-Prince Haiti
HU Europe/Budapest Hungary|HUN
IE Europe/Dublin Ireland|IRL
IL Asia/Jerusalem Israel|ISR
IM Europe/Isle_of_Man Isle of Man
IN Asia/Kolkata India|IND
IO Indian/Chagos British Indian Ocean Territory
IQ Asia/Baghdad Iraq|IRQ
IR Asia/Tehran Iran|IRN
IS Atlantic/Reykjavik Iceland|ISL
IT Europe/Rome Italy|ITA|Italia
JE Europe/Jersey Jersey
JM America/Jamaica Jamaica|JAM
JO Asia/Amman Jordan|JOR
JP Asia/Tokyo Japan|JPN
KE Africa/Nairobi Kenya|KEN
KG Asia/Bishkek Kyrgyzstan
KH Asia/Phnom_Penh Cambodia|KHM
KM Indian/Comoro Comoros
KN America/St_Kitts St Kitts & Nevis
KP Asia/Pyongyang Korea (North)|North Korea|PRK
KR Asia/Seoul Korea (South)|South Korea|Korea|KOR|Republic of Korea
KW Asia/Kuwait Kuwait|KWT
KY America/Cayman Cayman Islands
KZ Asia/Almaty Kazakhstan|KAZ
LA Asia/Vientiane Laos|LAO
LB Asia/Beirut Lebanon|LBN
LC America/St_Lucia St Lucia
LI Europe/Vaduz Liechtenstein|LIE
LK Asia/Colombo Sri Lanka|LKA
LR Africa/Monrovia Liberia
LS Africa/Maseru Lesotho
LT Europe/Vilnius Lithuania|LTU
LU Europe/Luxembourg Luxembourg|LUX
LV Europe/Riga Latvia|LVA
LY Africa/Tripoli Libya
MA Africa/Casablanca Morocco|MAR
MC Europe/Monaco Monaco|MCO
MD Europe/Chisinau Moldova|MDA
ME Europe/Podgorica Montenegro
MF America/Marigot St Martin (French)
MG Indian/Antananarivo Madagascar
MH Pacific/Majuro Marshall Islands
MK Europe/Skopje North Macedonia|Macedonia|MKD
ML Africa/Bamako Mali
MM Asia/Yangon Myanmar (Burma)|Myanmar|Burma
MO Asia/Macau Macau|Macao
MP Pacific/Saipan Northern Mariana Islands
MQ America/Martinique Martinique
MR Africa/Nouakchott Mauritania
MS America/Montserrat Montserrat
MT Europe/Malta Malta|MLT
MU Indian/Mauritius Mauritius
MV Indian/Maldives Maldives
MW Africa/Blantyre Malawi
MY Asia/Kuala_Lumpur Malaysia|MYS
MZ Africa/Maputo Mozambique
NA Africa/Windhoek Namibia|NAM
NC Pacific/Noumea New Caledonia
NE Africa/Niamey Niger
NF Pacific/Norfolk Norfolk Island
NG Africa/Lagos Nigeria|NGA
NI America/Managua Nicaragua|NIC
NL Europe/Amsterdam Netherlands|NLD|The Netherlands|Holland
NO Europe/Oslo Norway|NOR|Norge
NP Asia/Kathmandu Nepal|NPL
NR Pacific/Nauru Nauru
NU Pacific/Niue Niue
OM Asia/Muscat Oman|OMN
PA America/Panama Panama|PAN
PE America/Lima Peru|PER
PH Asia/Manila Philippines|PHL
PK Asia/Karachi Pakistan|PAK
PL Europe/Warsaw Poland|POL|Polska
PM America/Miquelon St Pierre & Miquelon
PN Pacific/Pitcairn Pitcairn
PR America/Puerto_Rico Puerto Rico|PRI
PS Asia/Gaza Palestine
PW Pacific/Palau Palau
PY America/Asuncion Paraguay|PRY
QA Asia/Qatar Qatar|QAT
RE Indian/Reunion Réunion|Reunion
RO Europe/Bucharest Romania|ROU
RS Europe/Belgrade Serbia|SRB
RW Africa/Kigali Rwanda|RWA
SA Asia/Riyadh Saudi Arabia|SAU|KSA
SB Pacific/Guadalcanal Solomon Islands
SC Indian/Mahe Seychelles
SD Africa/Khartoum Sudan
SE Europe/Stockholm Sweden|SWE|Sverige
SG Asia/Singapore Singapore|SGP
SH Atlantic/St_Helena St Helena
SI Europe/Ljubljana Slovenia|SVN
SJ Arctic/Longyearbyen Svalbard & Jan Mayen
SK Europe/Bratislava Slovakia|SVK
SL Africa/Freetown Sierra Leone
SM Europe/San_Marino San Marino
SN Africa/Dakar Senegal
SO Africa/Mogadishu Somalia
SR America/Paramaribo Suriname
SS Africa/Juba South Sudan
ST Africa/Sao_Tome Sao Tome & Principe
SV America/El_Salvador El Salvador|SLV
SX America/Lower_Princes St Maarten (Dutch)|Sint Maarten
SY Asia/Damascus Syria|SYR
SZ Africa/Mbabane Eswatini (Swaziland)|Eswatini|Swaziland
TC America/Grand_Turk Turks & Caicos Is|Turks and Caicos Islands
TD Africa/Ndjamena Chad
TF Indian/Kerguelen French S. Terr.
TG Africa/Lome Togo
TH Asia/Bangkok Thailand|THA
TJ Asia/Dushanbe Tajikistan
TK Pacific/Fakaofo Tokelau
TL Asia/Dili East Timor|Timor-Leste
TM Asia/Ashgabat Turkmenistan
TN Africa/Tunis Tunisia|TUN
TO Pacific/Tongatapu Tonga
TR Europe/Istanbul Turkey|Türkiye|TUR
TT America/Port_of_Spain Trinidad & Tobago|Trinidad
TV Pacific/Funafuti Tuvalu
TW Asia/Taipei Taiwan|TWN
TZ Africa/Dar_es_Salaam Tanzania|TZA
UA Europe/Kyiv Ukraine|UKR
UG Africa/Kampala Uganda|UGA
UY America/Montevideo Uruguay|URY
UZ Asia/Tashkent Uzbekistan
VA Europe/Vatican Vatican City|Holy See
VC America/St_Vincent St Vincent
VE America/Caracas Venezuela|VEN
VG America/Tortola Virgin Islands (UK)|British Virgin Islands
VI America/St_Thomas Virgin Islands (US)|US Virgin Islands
VN Asia/Ho_Chi_Minh Vietnam|Viet Nam|VNM
VU Pacific/Efate Vanuatu
WF Pacific/Wallis Wallis & Futuna
WS Pacific/Apia Samoa (western)|Samoa
YE Asia/Aden Yemen
YT Indian/Mayotte Mayotte
ZA Africa/Johannesburg South Africa|ZAF|RSA
ZM Africa/Lusaka Zambia
ZW Africa/Harare Zimbabwe
"""

_SPACES = re.compile(r"[\s_]+")
# An IANA name inside a label: "Area/City", "Area/Sub/City", words separated by spaces or underscores.
_IANA_IN_TEXT = re.compile(r"[A-Za-z]+(?:/[A-Za-z0-9][A-Za-z0-9_+\- ]*)+")


@dataclass(frozen=True)
class LeadZone:
    name: str  # IANA, e.g. Europe/Berlin
    source: str  # "time zone column" or "country"

    @property
    def place(self) -> str:
        """The zone's city as people write it: Europe/Berlin is Berlin, .../Buenos_Aires is Buenos Aires."""
        return self.name.rsplit("/", 1)[-1].replace("_", " ")

    def local_time(self, at: datetime, rep_zone: ZoneInfo) -> str:
        """`14:05 CET (Berlin)`; with the weekday when the lead's day is not the rep's
        (`Sat 02:05 JST (Tokyo)`), so a call is not placed at night."""
        local = at.astimezone(ZoneInfo(self.name))
        day = "" if local.date() == at.astimezone(rep_zone).date() else f"{local:%a} "
        return f"{day}{local:%H:%M %Z} ({self.place})"


def _key(text: str) -> str:
    """A name as compared: accents, case, dots, `&` and runs of spaces or underscores aside."""
    folded = unicodedata.normalize("NFKD", text.strip())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return _SPACES.sub(" ", folded.replace("&", " and ").replace(".", "")).strip()


@cache
def _country_zones() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _COUNTRIES.strip().splitlines():
        code, zone, names = line.split(" ", 2)
        for name in (code, *names.split("|")):
            table[_key(name)] = zone
    # "NA" in a country column is far more often "not available" (or North America) than Namibia.
    return {name: zone for name, zone in table.items() if name not in REGIONS}


@cache
def _known_zones() -> dict[str, str]:
    """This machine's IANA names by their compared form; Area/City names only (and UTC):
    `EST` or `Etc/GMT+5` keep no daylight saving time and would be an hour off half the year."""
    names = {n for n in available_timezones() if "/" in n and not n.startswith("Etc/")} | {"UTC"}
    return {_key(n): n for n in names}


def zone_of_country(country: str) -> str | None:
    """The zone of a country that keeps one time; None for one with several, or unknown."""
    return _country_zones().get(_key(country))


def zone_from_text(text: str) -> str | None:
    """The IANA zone a time zone cell names, or None."""
    text = text.strip()
    if not text:
        return None
    known = _known_zones()
    whole = known.get(_key(text.replace("_slash_", "/")))
    if whole:
        return whole
    for candidate in reversed(_IANA_IN_TEXT.findall(text)):  # a label names its zone last
        found = known.get(_key(candidate))
        if found:
            return found
    return None


def _cell(extra: Mapping[str, Any], names: tuple[str, ...]) -> str:
    for header, value in extra.items():
        if isinstance(value, str) and value.strip() and _key(header) in names:
            return value
    return ""


def lead_zone(extra: Mapping[str, Any], region: str = "") -> LeadZone | None:
    """The lead's zone from its imported columns (`LeadProfile.extra`), else from a
    region that is a country's name (an import keeps a country it cannot place)."""
    zone = zone_from_text(_cell(extra, ZONE_COLUMNS))
    if zone:
        return _checked(zone, "time zone column")
    country = _cell(extra, COUNTRY_COLUMNS) or ("" if _key(region) in REGIONS else region)
    zone = zone_of_country(country) if country else None
    return _checked(zone, "country") if zone else None


def _checked(zone: str, source: str) -> LeadZone | None:
    try:
        ZoneInfo(zone)  # a machine with an older tz database may lack a newer name (Europe/Kyiv)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return LeadZone(zone, source)
