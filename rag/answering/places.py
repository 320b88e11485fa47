"""Country names that hold another country's name: "South Sudan" holds "Sudan", "Equatorial Guinea" holds "Guinea".

A report on South Sudan writes "Sudan" in every line, and a question about Sudan is not answered by it. The
names come from ISO 3166 as pycountry ships it (short, common and official names, in English and in Russian),
stemmed as the keyword index stems; nothing here is keyed to a report. A name counts as written only where it
is not part of another country's longer name, and a country's name is not met by another country's that merely
starts alike ("Niger" by "Nigeria").
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rag.text import tokenize

PREFIX = 4  # a name's words compare by their first letters: Russian case forms stem apart ("Судан" "суда", "Судане" "судан")
RUSSIAN_NAMES = "ru"  # the other language whose country names are read (the corpus's languages are English and Russian)


@lru_cache(maxsize=1)
def countries() -> tuple[dict[str, tuple[tuple[str, ...], ...]], frozenset[str]]:
    """The country names holding another country's name, by first stem (longest first), and the stems of one-word
    country names."""
    import gettext

    import pycountry

    russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[RUSSIAN_NAMES], fallback=True)
    named: set[tuple[str, tuple[str, ...]]] = set()
    for country in pycountry.countries:
        forms = {getattr(country, field, "") for field in ("name", "common_name", "official_name")}
        forms |= {russian.gettext(form) for form in set(forms) if form}
        # "Korea, Republic of" is an index form, not how reports write it (its common name is kept)
        named |= {(country.alpha_2, stems) for form in forms if form and "," not in form and (stems := tuple(tokenize(form)))}
    holding = {
        stems for code, stems in named
        if any(other != code and len(inner) < len(stems) and _holds(stems, inner) for other, inner in named)
    }
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for stems in sorted(holding, key=len, reverse=True):
        by_first.setdefault(stems[0][:PREFIX], []).append(_starts(stems))
    return {first: tuple(names) for first, names in by_first.items()}, frozenset(stems[0] for _, stems in named if len(stems) == 1)


def _starts(stems: Sequence[str]) -> tuple[str, ...]:
    return tuple(stem[:PREFIX] for stem in stems)


def _holds(stems: Sequence[str], inner: Sequence[str]) -> bool:
    return any(tuple(stems[i : i + len(inner)]) == tuple(inner) for i in range(len(stems) - len(inner) + 1))


def compounded(stems: Sequence[str]) -> list[str]:
    """The stems with each run that spells a country name holding another's joined into one word of their first
    letters ("sout suda", whatever the case form); the stems inside such a run are not kept alone. Every such name
    the run holds is given ("repu sout suda" and "sout suda")."""
    holding, _ = countries()
    out: list[str] = []
    covered_to = 0
    for i, stem in enumerate(stems):
        for name in holding.get(stem[:PREFIX], ()):
            if _starts(stems[i : i + len(name)]) == name:
                out.append(" ".join(name))
                covered_to = max(covered_to, i + len(name))
        if i >= covered_to:
            out.append(stem)
    return out


def another_country(name: str, form: str) -> bool:
    """Whether `form`, a word sharing its first letters with the country name `name`, is the name of another country
    ("nigeria" for "niger"); such a form does not write the name."""
    _, singles = countries()
    return name != form and name in singles and form in singles
