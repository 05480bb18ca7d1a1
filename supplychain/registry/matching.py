"""How a network's recruiter is recognised in the registry: by its licence, or offered by
its name. Pure: strings in, keys and scores out, so each rule is checked by hand.

A licence number is written many ways ("POEA-123-LB-0456-19", "poea 123 lb 0456 19"): its key
keeps letters and digits only, upper-cased. A name's key drops case, accents, punctuation and
the legal forms that say nothing about who the agency is ("Pvt. Ltd.", "Sdn Bhd", "Inc."), so
"Himal Manpower Pvt. Ltd." and "HIMAL MANPOWER" share a key, and similar keys (difflib's
ratio) become suggestions for a person to accept or reject, never links.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

# Legal forms and filler words of the region's company names, as whole words after folding.
LEGAL_FORMS = frozenset(
    {
        "pvt", "private", "ltd", "limited", "inc", "incorporated", "co", "company", "corp",
        "corporation", "llc", "plc", "sdn", "bhd", "pt", "tbk", "cv", "jsc", "the", "and",
    }
)  # fmt: skip
SUGGEST_AT = 0.85  # name keys this alike (0..1) are offered as a suggestion


def licence_key(number: str | None) -> str | None:
    if number is None:
        return None
    key = re.sub(r"[^0-9A-Za-z]", "", number).upper()
    return key or None


def name_key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    words = re.findall(r"[^\W_]+", plain)
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


def similarity(a: str, b: str) -> float:
    """How alike two name keys are, 0 to 1, rounded to two places for people."""
    if not a or not b:
        return 0.0
    return round(SequenceMatcher(None, a, b).ratio(), 2)
