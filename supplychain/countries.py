"""Turn what people type for a country into an ISO 3166-1 alpha-2 code.

Spreadsheets arrive with "VN", "VNM", "Viet Nam", "Vietnam" or "Myanmar (Burma)"; all must land
on one code, and anything else must be reported rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

# Names common in labour-migration reporting that pycountry does not list as such.
_ALIASES = {
    "burma": "MM",
    "myanmar (burma)": "MM",
    "laos": "LA",
    "lao pdr": "LA",
    "lao": "LA",
    "vietnam": "VN",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "korea, south": "KR",
    "north korea": "KP",
    "taiwan": "TW",
    "uae": "AE",
    "u.a.e.": "AE",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "united states of america": "US",
    "russia": "RU",
    "turkey": "TR",
    "turkiye": "TR",
    "brunei": "BN",
    "hong kong": "HK",
    "macau": "MO",
    "iran": "IR",
    "syria": "SY",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "east timor": "TL",
    "timor leste": "TL",
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
    "palestine": "PS",
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", text.strip().lower())


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for attribute in ("alpha_2", "alpha_3", "name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                table[_key(value)] = code
    table.update(_ALIASES)
    return table


@lru_cache(maxsize=4096)
def resolve_country(text: str | None) -> str | None:
    """The alpha-2 code for a code or English name, or None if it is not a country."""
    if text is None:
        return None
    key = _key(str(text))
    return _lookup().get(key) if key else None


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str:
    """A readable short name for reports ("Viet Nam", "Lao PDR"), or the code itself."""
    if not code:
        return "Unknown"
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return _SHORT_NAMES.get(code) or getattr(country, "common_name", None) or country.name


# Official names that are too long for a table cell or a heatmap axis.
_SHORT_NAMES = {
    "LA": "Lao PDR",
    "KR": "South Korea",
    "KP": "North Korea",
    "TW": "Taiwan",
    "IR": "Iran",
    "MD": "Moldova",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "BO": "Bolivia",
    "SY": "Syria",
    "CD": "DR Congo",
    "GB": "United Kingdom",
    "US": "United States",
    "RU": "Russia",
    "VN": "Viet Nam",
    "MM": "Myanmar",
    "BN": "Brunei",
}
