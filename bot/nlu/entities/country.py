"""Countries named in a message: Indonesian, English and Malay names, cities and worker slang."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.nlu.types import Entity

# alias (lowercase) -> ISO 3166 alpha-2. Only explicit names: "pulang kampung" names no country.
# fmt: off
_ALIASES: dict[str, tuple[str, ...]] = {
    "HK": ("hong kong", "hongkong", "hongkok", "hk", "hkg", "kowloon", "causeway bay",
           "tsim sha tsui", "mongkok", "mong kok", "tuen mun", "yuen long", "shatin", "sha tin"),
    "TW": ("taiwan", "taiwan roc", "tw", "taipei", "taipe", "taichung", "taoyuan", "kaohsiung",
           "tainan", "hsinchu", "changhua"),
    "MY": ("malaysia", "malaysian", "malay", "m'sia", "msia", "mlysia", "kl", "kuala lumpur",
           "penang", "pulau pinang", "johor", "johor bahru", "jb", "selangor", "sabah",
           "sarawak", "kuching", "kota kinabalu", "tawau", "melaka", "malaka", "klang"),
    "SG": ("singapura", "singapur", "singapore", "sg", "spore", "s'pore", "sgp"),
    "SA": ("saudi", "saudi arabia", "arab saudi", "arab", "ksa", "riyadh", "riyad", "jeddah",
           "jedah", "jiddah", "mekkah", "makkah", "mecca", "madinah", "medina", "dammam",
           "saudia"),
    "AE": ("uea", "uae", "uni emirat arab", "united arab emirates", "emirat", "emirates",
           "dubai", "abu dhabi", "abudhabi", "sharjah"),
    "QA": ("qatar", "katar", "doha"),
    "KW": ("kuwait", "kuwet"),
    "OM": ("oman", "muscat"),
    "BH": ("bahrain", "bahrein"),
    "JO": ("yordania", "jordan", "amman"),
    "BN": ("brunei", "brunei darussalam", "bandar seri begawan"),
    "KR": ("korea", "korea selatan", "south korea", "korsel", "seoul", "busan"),
    "JP": ("jepang", "japan", "jpn", "tokyo", "osaka", "nagoya"),
    "MO": ("macau", "makau", "macao"),
    "CN": ("china", "cina", "tiongkok"),
    "TR": ("turki", "turkey", "turkiye", "istanbul"),
    "PL": ("polandia", "poland"),
    "DE": ("jerman", "germany"),
    "IT": ("italia", "italy"),
    "NL": ("belanda", "netherlands", "holland"),
    "GB": ("inggris", "england", "united kingdom", "britain"),
    "US": ("amerika", "amerika serikat", "usa", "america", "united states"),
    "AU": ("australia",),
    "NZ": ("selandia baru", "new zealand"),
    "TH": ("thailand", "bangkok"),
    "KH": ("kamboja", "cambodia", "phnom penh"),
    "MM": ("myanmar", "burma"),
    "LA": ("laos",),
    "VN": ("vietnam",),
    "PH": ("filipina", "philippines", "manila"),
    "TL": ("timor leste", "timor-leste"),
    "EG": ("mesir", "egypt"),
    "CD": ("kongo", "congo"),
    "ZA": ("afrika selatan", "south africa"),
    "RU": ("rusia", "russia"),
    "ID": ("indonesia", "indo", "jakarta"),
}
# fmt: on

ALIASES: dict[str, str] = {a: code for code, names in _ALIASES.items() for a in names}

_alternatives = "|".join(
    re.escape(a).replace(r"\ ", r"\s+") for a in sorted(ALIASES, key=len, reverse=True)
)
# "HK$" and "S$"-like currency prefixes are money, not a country: hence `$` in the lookahead.
PATTERN = re.compile(rf"(?<![\w$'])({_alternatives})(?![\w$'])", re.IGNORECASE)
# Informal writing glues "di"/"ke"/"dari" to place names: "dihongkong", "ketaiwan".
_long = "|".join(re.escape(a) for a in sorted(ALIASES, key=len, reverse=True) if len(a) >= 5)
_GLUED = re.compile(rf"(?<![\w$])(?:di|ke|dr|dari)({_long})(?![\w$])", re.IGNORECASE)


def find_countries(text: str) -> Iterator[Entity]:
    spans: dict[int, Entity] = {}
    for pattern in (PATTERN, _GLUED):
        for m in pattern.finditer(text):
            alias = " ".join(m.group(1).lower().split())
            spans.setdefault(
                m.start(1), Entity("country", ALIASES[alias], m.group(1), m.start(1), m.end(1))
            )
    yield from (spans[k] for k in sorted(spans))
