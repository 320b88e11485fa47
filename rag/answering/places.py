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
def _named() -> frozenset[tuple[str, tuple[str, ...]]]:
    """Every country's names as stems, with its ISO code: short, common and official, in English and in Russian."""
    import gettext

    import pycountry

    russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[RUSSIAN_NAMES], fallback=True)
    named: set[tuple[str, tuple[str, ...]]] = set()
    for country in pycountry.countries:
        forms = {getattr(country, field, "") for field in ("name", "common_name", "official_name")}
        forms |= {russian.gettext(form) for form in set(forms) if form}
        # "Congo, The Democratic Republic of the" is an index form: reports write "the Democratic Republic of the Congo"
        # ("Taiwan, Province of China" is not turned round: it would hold China's name)
        forms = {_turned(form) for form in forms if form and "Province" not in form}
        named |= {(country.alpha_2, stems) for form in forms if (stems := tuple(tokenize(form)))}
    return frozenset(named)


def _turned(form: str) -> str:
    """An index form of a country's name turned round as text writes it: "Korea, Republic of" is "Republic of Korea"."""
    head, _, tail = form.partition(", ")
    return f"{tail} {head}" if tail else form


@lru_cache(maxsize=1)
def countries() -> tuple[dict[str, tuple[tuple[str, ...], ...]], frozenset[str]]:
    """The country names holding another country's name, by first stem (longest first), and the stems of one-word
    country names."""
    named = _named()
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


# the word of a two-word name that says what kind of state it is: "Russian Federation" is also written "Russia",
# "Российская Федерация" "Россия" (by the first word's first letters)
_STATE_WORDS = frozenset({"feder", "republ", "kingdom", "федерац", "республик", "королевств"})


@lru_cache(maxsize=1)
def _forms() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """Every country's names as the first letters of their words, by the first of them, with the country's code; a
    name holding another's is one word of its joined letters, as compounded writes it ("sout suda")."""
    holding = {name for names in countries()[0].values() for name in names}
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for code, stems in _named():
        starts = _starts(stems)
        forms = [(" ".join(starts),)] if starts in holding else [starts]
        if len(stems) == 2 and stems[1] in _STATE_WORDS and stems[0] not in _STATE_WORDS:
            forms.append(starts[:1])
        for form in forms:
            by_first.setdefault(form[0], []).append((form, code))
    return {first: tuple(forms) for first, forms in by_first.items()}


def country_words(stems: Sequence[str]) -> frozenset[str]:
    """The stems that are the words of a country's name of several words the stems spell in a run ("sri" and "lanka"
    of Sri Lanka, "sierra" and "leon" of Sierra Leone); names holding another's are compounded's."""
    words, forms, found = [stem[:PREFIX] for stem in stems], _forms(), set()
    for i, word in enumerate(words):
        for form, _ in forms.get(word, ()):
            if len(form) > 1 and tuple(words[i : i + len(form)]) == form:
                found.update(stems[i : i + len(form)])
    return frozenset(found)


def countries_in(stems: Sequence[str]) -> frozenset[str]:
    """The ISO codes of the countries these stems name, in English or in Russian: "Украине" and "Ukraine" both give
    UA, so a Russian question's country can be looked for in an English report (a country's name inside another
    country's longer one names only the longer: "Южном Судане" gives SS, not SD)."""
    words = [stem if " " in stem else stem[:PREFIX] for stem in compounded(stems)]
    forms = _forms()
    return frozenset(
        code for i, word in enumerate(words) for form, code in forms.get(word, ()) if tuple(words[i : i + len(form)]) == form
    )
