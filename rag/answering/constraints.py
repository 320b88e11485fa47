"""What a question pins down — the years and months it asks about, and what kind of answer it wants —
and whether a quote meets it.

A report that gives a figure for 2023 and 2024 does not answer a question about 2022, however close
its words are to the question's. Similarity cannot tell these apart (the neighbouring year's figure
shares every word but one), so the period is checked as a constraint: a statement's period is the one
it names itself, else the one its passage names, else its document's title. Evidence that meets the
topic but not the period is a near miss, and the answer says so instead of quoting it.

Years, month names (English and Russian, every case form), ranges ("October–December 2025",
"с 2011 по 2014 год", "between 2019 and 2021"), quarters and half-years are read by the patterns
below. dateparser 1.5.0 was measured for this on questions of both languages and read about half
of them right: "в 2016 году" came back as the year 10, "October" in "between October and December
2025" as October of the current year, and "April–July" not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rag.answering.notes import asks_source, carrying_mark, opens_note
from rag.answering.places import PREFIX, another_country, compounded, countries, countries_in, country_words
from rag.answering.units import (
    DATE_QUESTION,
    PLACE_KIND_WORDS,
    answer_type,
    answers_type,
    asking_sentence,
    count_unknown,
    counted_asked,
    counts_otherwise,
    counts_the_whole,
    counts_things,
    figures_given,
    holds,
    is_heading,
    names_another,
    only_given,
    only_money,
    people_in,
    post_asked,
    uncounted_across,
    whole_given,
)
from rag.answering.wording import MONTHS, Lang, kind, listed, say
from rag.text import MONTH_START, latin_key, script, sentence_spans, tokenize
from rag.types import Chunk, Passage

Opening = Callable[[Chunk], str]  # the opening text of a chunk's document (its first passages)
DATING_CHUNKS = 2  # passages before a chunk whose last date dates it (a date pages back dates nothing after it)
SECTION_CHUNKS = 6  # passages before a chunk read for the heading of its section (a country's runs over a page or two)


class Preceding(Protocol):
    """The text of the passages of a chunk's document before it, the `chunks` nearest."""

    def __call__(self, chunk: Chunk, chunks: int = DATING_CHUNKS) -> str: ...

READ_CACHE = 8192  # texts whose years and months are kept: a document's opening and title are read for every quote
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_YEARS = re.compile(rf"(?<![\d.,/]){_YEAR}(?![\d.,]\d)")
# a four-digit figure that counts something, not a year: "2000 человек", "about 1900 people"
# "в 2012 и в 2013 годах" names two years; and a year ending a line is no count of the next line's word (a table's year
# heading "2009 … 2013" over the row "оправдано 12 16 10 7 5")
_COUNT = re.compile(r"[ \t]+(?!год|г\.|гг|(?:и|или|а|по|до|и в|или в)\b)[а-яё]|\s*%", re.IGNORECASE)
_ABOUT = re.compile(
    r"\b(?:about|some|over|nearly|almost|approximately|around|more than|less than|около|более|свыше|почти|примерно)\s+$", re.IGNORECASE
)
# a year a figure is compared with ("186 deaths in 2024, 29 more than in 2023"): the figure is the other year's
_COMPARED = re.compile(r"\b(?:than(?: in)?|compared (?:to|with)(?: in)?|as against|versus|vs\.?|по сравнению с|чем в)\s+$", re.IGNORECASE)
# "2011–2014", "2011-14", "2023/24", "from 2011 to 2014", "с 2011 по 2014", "between 2019 and 2021"; in "between
# 16 January 2025 and 31 March 2025" the 31 is a day (a month's name follows it), not 2031
_YEAR_RANGE = re.compile(
    rf"(?<!\d)({_YEAR})\s*(?:[-–—/]|\bto\b|\band\b|\bпо\b|\bдо\b|\bи\b)\s*((?:1[89]|20)\d\d|\d\d(?!\d|\s+{MONTH_START}))(?!\d)",
    re.IGNORECASE,
)
_EN_MONTHS = MONTHS["en"]
_RU_MONTHS = ("январ[а-я]*", "феврал[а-я]*", "март(?:а|е|у|ом)?\\b", "апрел[а-я]*", "ма[йяею]\\b", "июн[а-я]*",
              "июл[а-я]*", "август(?:а|е|у|ом)?\\b", "сентябр[а-я]*", "октябр[а-я]*", "ноябр[а-я]*", "декабр[а-я]*")
# English month names are capitalised (so the verb "may" is no month); an abbreviation counts only with its
# dot or before a day or year, so "Jan Egeland" is no January. Russian month names are not capitalised.
_MONTH = re.compile(
    "|".join(
        rf"(?P<m{n}>\b(?:{name}\b|{name[:3]}{'t?' if n == 8 else ''}(?:\.|(?=\s+\d)))|\b(?i:{ru}))"
        for n, (name, ru) in enumerate(zip(_EN_MONTHS, _RU_MONTHS))
    )
)
_WORD = re.compile(r"[^\W\d_]+")
_EN_OPENINGS = frozenset(name[:3] for name in _EN_MONTHS)
_RU_OPENINGS = frozenset(("янв", "фев", "мар", "апр", "май", "мая", "мае", "маю", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"))
# dates in figures: 27/09/2024, 27.09.2024, 2024-09-27
_NUMERIC_DATE = re.compile(r"\b(?:\d{1,2}[./](\d{1,2})[./]((?:1[89]|20)\d\d)|((?:1[89]|20)\d\d)-(\d{2})-\d{2})\b")
_RANGE_WORDS = re.compile(r"^[\s\d,.]*(?:[-–—]|to|and|through|until|till|по|до|и)[\s\d]*$", re.IGNORECASE)
_QUARTER = re.compile(
    r"\b(?:(first|second|third|fourth|1st|2nd|3rd|4th) quarter|Q([1-4]))\b|\b(перв|втор|трет|четв[её]рт)\w* квартал",
    re.IGNORECASE,
)
_HALF = re.compile(r"\b(first|second) half\b|\b(перв|втор)\w* (?:полугоди|половин)", re.IGNORECASE)
_ORDINALS = {"first": 1, "1st": 1, "перв": 1, "second": 2, "2nd": 2, "втор": 2, "third": 3, "3rd": 3, "трет": 3,
             "fourth": 4, "4th": 4, "четверт": 4, "четвёрт": 4}


@dataclass(frozen=True)
class Constraints:
    """The years and months a question asks about, and the type of answer it wants (rag.answering.units)."""

    years: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    wanted: str | None = None
    names: tuple[str, ...] = ()  # stems of the places, bodies and people it names (names_in)
    articles: frozenset[str] = frozenset()  # the numbers of the articles of law it asks about (articles_in)
    sources: tuple[tuple[str, ...], ...] = ()  # the bodies it asks what they reported, stems of each name (source_runs)
    events: tuple[str, ...] = ()  # for a question asking when: stems of what happened ("releas"; events_in)
    day: tuple[int, int] | None = None  # (month, day) of the one day it asks about ("on 12 October 2024"; the_day)
    places: tuple[str, ...] = ()  # stems of the places below a country it names ("renk" of "Renk County"; places_in)
    ordinals: frozenset[tuple[int, str]] = frozenset()  # what it numbers: {(2, "intern")} of "second international" (ordinals_in)
    spans: frozenset[tuple[int, int]] = frozenset()  # its period as spans ("1 July 2025 to 30 June 2026"; _asked_spans)
    asked: frozenset[str] = frozenset()  # for a question asking which body, place or person: its stems (a quote must name another)
    # the period of the report it asks of ("In the report covering January to March 2025, …"), held to the report's
    # own (its title or the opening that states what it covers), not to each quote: the budget that report gives is
    # dated June and July
    covered_years: frozenset[int] = frozenset()
    covered_months: frozenset[int] = frozenset()
    # a question in two parts ("How many women …, and how did the number compare with the year before?"): the stems
    # of its second part that the first lacks (second_part), which a sentence after the first part's answer may hold
    second: frozenset[str] = frozenset()
    # for a question asking for a figure: the figures it gives ("Of the 18 missing …"), which are no answer to it
    given: frozenset[str] = frozenset()
    # for a question counting women, girls, boys or children ("How many women took part …"): the word as it writes it;
    # a count of all participants does not say how many of them were women
    group: str = ""
    # stems of whom the question says did what it counts ("attributed to Al-Shabaab", "committed by the police"): a
    # quote must name them itself, as a total of all perpetrators does not say how many were theirs (agents_in)
    agents: tuple[str, ...] = ()
    # for "how many X …": the stems of X, and the rest of the question's words, lower-cased (a quote counting only
    # what the rest names, never X, counts something else: counts_otherwise)
    counted: frozenset[str] = frozenset()
    context: frozenset[str] = frozenset()
    # for a count of the dead or the injured ("how many people were killed", "сколько человек погибло"): "dead" or
    # "injured"; a count of those "affected" or "displaced" is no count of the dead (casualty_in)
    casualty: str = ""
    # for a question asking who holds a post it names ("Who is the Chairperson of …"): the post, one lower-case word
    # (post_asked); a quote writing the post must name its holder beside it
    post: str = ""
    # for a question counting people or things ("how many survivors …", not "by how much"): a sum of money is no count
    counting: bool = False
    # the surnames of the people it names, as written (surnames): across alphabets, a quote must spell one of them
    people: tuple[str, ...] = ()
    # for a question asking for a whole year ("over the whole of 2024", "за весь 2024 год"): a figure as of a day in
    # it, or for some of its months, is for part of the year only (part_of_year)
    whole: bool = False
    # for a question asking in which month ("in which month does the Committee meet in New York?"): a quote naming none
    # does not answer it, though it tells of the meeting
    month_asked: bool = False
    # the same for a year ("In which year did the second cycle start?", "В каком году …"): "a four-and-a-half-year
    # cycle" gives none
    year_asked: bool = False
    # the years, months and day the whole question writes (a statement before it too): a quote dating nothing else
    # tells nothing of when (dates_only_given)
    told: tuple[frozenset[int], frozenset[int], tuple[int, int] | None] = (frozenset(), frozenset(), None)
    # for a question counting part of a whole it gives ("Of the 191 victims …, how many were women?"): the whole's
    # figure; a count written away from it ("1,009 women" in another paragraph) is no part of it
    part_of: str = ""
    # for a question asking what, who, when, where, why or how (not whether): its stems; a quote writing nothing else
    # says only what the question says (repeats)
    said: frozenset[str] = frozenset()

    @property
    def period(self) -> bool:
        return bool(self.years or self.months or self.covered_years or self.covered_months)

    def describe(self, lang: Lang = "en") -> str:
        """The period asked about, as a reader would write it: "October–December 2025", "2022" ("октябрь–декабрь 2025")."""
        if not (self.years or self.months):
            return " ".join(part for part in (_month_span(self.covered_months, lang), _year_span(self.covered_years, lang)) if part)
        day = str(self.day[1]) if self.day else ""
        return " ".join(part for part in (day, _month_span(self.months, lang), _year_span(self.years, lang)) if part)


def parse(question: str) -> Constraints:
    """The constraints of a question (none when it names no period and asks for nothing in particular). A period
    written in the name of the report asked of is that report's (covered_years, covered_months), not the answer's."""
    wanted, names = answer_type(question), names_in(question)
    if wanted == "date" and asks_source(question):
        wanted = None  # the date of the publication a report cites ("и какого числа она вышла?"): its note gives it
    events = events_in(question, names) if wanted == "date" else ()
    named = [text for text in (source_text(question), report_text(question)) if text]
    covered = (frozenset().union(*map(years_in, named)), frozenset().union(*map(months_in, named)))
    rest = question
    for text in named if any(covered) else ():
        rest = rest.replace(text, " ")
    # a date asked for is held to the period its asking sentence names, not to a statement's before it ("Sri Lanka
    # published a bill in January 2024 … When did Parliament pass it?"), whose dates only tell what is known (told)
    told_months = months_in(rest)
    told = (years_in(rest), told_months, the_day(rest, told_months))
    if wanted == "date":
        rest = asking_sentence(rest)
    years, months = years_in(rest), months_in(rest)
    counted, context = _counting(question, wanted)
    return Constraints(
        years=years,
        months=months,
        wanted=wanted,
        names=names,
        articles=articles_in(question),
        sources=tuple(source_runs(question)),
        events=events,
        day=the_day(rest, months),
        told=told,
        places=places_in(question, names, wanted in _FIGURES),
        ordinals=ordinals_in(question),
        spans=_asked_spans(rest, years, months),
        asked=frozenset(tokenize(question)) if wanted in ("entity", "person") else frozenset(),
        covered_years=covered[0],
        covered_months=covered[1],
        second=second_part(question),
        given=figures_given(question) if wanted in _FIGURES else frozenset(),
        group=group_in(question) if wanted == "quantity" else "",
        agents=agents_in(question),
        counted=counted,
        context=context,
        casualty=casualty_in(question) if wanted == "quantity" else "",
        post=post_asked(question) if wanted == "person" else "",
        counting=wanted == "quantity" and counts_things(question),
        people=surnames(question),
        whole=bool(years) and _WHOLE_YEAR.search(rest) is not None,
        month_asked=_MONTH_ASKED.search(question) is not None,
        year_asked=_YEAR_ASKED.search(question) is not None,
        part_of=whole_given(question) if wanted in ("quantity", "percent") else "",
        said=frozenset(tokenize(question)) if _ASKS.search(question) else frozenset(),
    )


# a question asking for something (not whether): "what", "who", "why", "how many", "когда", "почему", "сколько"
_ASKS = re.compile(
    r"\b(?:what|which|who|whom|whose|when|where|why|how)\b"
    r"|(?<!\w)(?:как\w*|кто|кого|кому|кем|что|чего|чем|когда|где|куда|откуда|почему|зачем|сколько|скольк\w+|чей|чья|чьё|чьи)(?!\w)",
    re.IGNORECASE,
)
# words that add nothing a question asks for: who said it, that it goes on ("Also on 20 May, Mr. Kiir …")
_NOTHING_NEW = frozenset(
    tokenize(
        "also mr ms mrs dr said says stated noted reported further however moreover additionally then thus therefore "
        "meanwhile likewise также г-н заявил заявила сообщил сообщила отметил отметила кроме того однако затем"
    )
)


def repeats(quote: str, said: frozenset[str]) -> bool:
    """Whether a quote writes nothing the question does not (said: the question's stems), so cannot answer it: "Also
    on 20 May, Mr. Kiir, as SPLM Chairperson, removed the SPLM Deputy Chairpersons, James Wani Igga, Daniel Awet and
    Kuol Manyang" does not say why he did. A yes-or-no question is not asked so (its answer may be the sentence)."""
    return bool(said) and not set(tokenize(quote)) - said - _NOTHING_NEW


_MONTH_ASKED = re.compile(r"\b(?:in )?(?:what|which) month\b|\bв как(?:ом|ой) месяц[еа]?\b|\bв какой месяц\b", re.IGNORECASE)
_ANY_YEAR = re.compile(r"(?<![\d.,])[1-9]\d{2,3}(?:s|-[а-я]+)?(?![\d.,]?\d)")
_YEAR_ASKED = re.compile(r"\b(?:what|which) year\b|\b(?:в|с|до|к) как(?:ом|ого|ому) году?\b|\bв каком году\b|\bкакого года\b", re.IGNORECASE)


# a question asking for a whole year, in so many words
_WHOLE_YEAR = re.compile(
    r"\b(?:(?:over|for|in|during|throughout) (?:the |all )?(?:whole|entire|full|all) (?:of )?(?:the year|(?:of )?(?:19|20)\d\d)"
    r"|(?:over|for|in) all of (?:19|20)\d\d|throughout (?:19|20)\d\d|(?:the )?(?:whole|entire|full)[- ]year)\b"
    r"|за весь (?:(?:19|20)\d\d )?год|в течение всего (?:(?:19|20)\d\d )?года|за (?:(?:19|20)\d\d )?год в целом",
    re.IGNORECASE,
)
# a figure for part of a year: one as of a day or month in it ("As of 8 October 2024"), or for some of its months or
# days ("Between 16 and 18 August 2024"), unless as of its end ("as of 31 December 2024")
_YEARS_END = re.compile(r"\b31 December|\bDecember 31|\bend of (?:the year|(?:19|20)\d\d)|31 декабря|\bконц\w* (?:года|(?:19|20)\d\d)", re.I)


_ASIDE = re.compile(r"\([^()]*\)")


def counted_for_another_year(quote: str, years: frozenset[int]) -> bool:
    """Whether every figure a quote counts with sits in a clause (an aside in brackets, or a part between semicolons)
    that names a year, none of them asked: "In 2012 and 2013 … members of Other Russia suffered (in 2012, 14 of them
    were convicted under this article)" names 2013, but counts only for 2012."""
    counting = _counting_clauses(quote)
    return bool(counting) and all((named := years_in(clause)) and not named & years for clause in counting)


def _counting_clauses(quote: str) -> list[str]:
    """The clauses of a quote that hold a figure counting something: its asides in brackets, and its parts between
    semicolons outside them."""
    clauses = _ASIDE.findall(quote) + re.split(r";\s*", _ASIDE.sub(" ", quote))
    return [clause for clause in clauses if holds(clause, "quantity")]


def dates_only_given(constraints: Constraints, quote: str) -> bool:
    """Whether every date a quote writes is one the question gives already (no other year or month, and no day but the
    question's): it tells nothing of when, for a question asking when."""
    years, months, days = years_in(quote), months_in(quote), days_in(quote)
    if not years and not months:
        return False
    told_years, told_months, told_day = constraints.told
    return years <= told_years and months <= told_months and days <= {told_day}


def part_of_year(quote: str) -> bool:
    """Whether a quote dates what it says by a month of the year, not by the year's end: a figure for part of it."""
    return bool(months_in(quote)) and _YEARS_END.search(quote) is None


# the dead and the injured, as a question asks for them and as a quote counts them, in English and Russian
_CASUALTIES = {
    "dead": (
        r"\b(?:killed|died|dead|deaths|fatalities|death toll|lost their lives)\b|погиб\w*|убит\w*|уби(?:л|ли|ты)\b|смертей|умер\w*",
        r"\b(?:kill\w*|died|dies|dead|deaths?|fatalit\w*|lives|murder\w*|executions?|executed|wiped out|perish\w*|lost|toll"
        r"|casualt\w*|bodies)\b|погиб\w*|убит\w*|уби(?:л|ли|ты|йств\w*)\b"
        r"|смерт\w*|умер\w*|казн\w*|гибел\w*",
    ),
    "injured": (
        r"\b(?:injured|wounded|injuries)\b|ранен\w*|травм\w*",
        r"\b(?:injur\w*|wound\w*)\b|ранен\w*|ранил\w*|травм\w*",
    ),
}


def casualty_in(question: str) -> str:
    """Whether a question counts the dead or the injured: "dead", "injured" or ""."""
    return next((which for which, (asked, _) in _CASUALTIES.items() if re.search(asked, question, re.IGNORECASE)), "")


def uncounted_casualty(constraints: Constraints, quote: str) -> bool:
    """Whether a quote writes nothing of the dead or injured the question counts: "Over 2 million people were
    affected by the earthquakes" does not say how many were killed."""
    return bool(constraints.casualty) and re.search(_CASUALTIES[constraints.casualty][1], quote, re.IGNORECASE) is None


def _counting(question: str, wanted: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """What a "how many" question counts, as stems, and the rest of its words (none for another question)."""
    counted = counted_asked(question) if wanted == "quantity" else frozenset()
    if not counted:
        return frozenset(), frozenset()
    return counted, frozenset(w for w in re.findall(r"[\w’'-]+", question.lower()) if not set(tokenize(w)) & counted)


# whom a question holds for what it asks about: "attributed to Al-Shabaab", "perpetrated by the Sudanese Armed Forces"
_AGENT = re.compile(
    r"\b(?:attributed|attributable|perpetrated|committed|carried out)\s+(?:specifically\s+|solely\s+|directly\s+)?(?:to|by)\s+"
    r"(?:the\s+)?([A-Z][\w’'-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w’'-]*)*)"
)


def agents_in(question: str) -> tuple[str, ...]:
    """The stems of whom a question says did what it asks about, each as one name ("al-shabaab")."""
    return tuple(dict.fromkeys(t for m in _AGENT.finditer(question) for t in tokenize(m.group(1)) if len(t) > 2))  # "al" of Al-Shabaab


def unagented(constraints: Constraints, quote: str) -> list[str]:
    """The stems of the agents the question names when the quote names none of them ([] when it does, or none is asked)."""
    return [] if not constraints.agents or _writes_one(quote, constraints.agents) else list(constraints.agents)


# the groups a count is often broken down by, as a question counts them ("how many women", "сколько девочек")
_GROUP_QUESTION = re.compile(
    r"\bhow many (?:of (?:the|them|these|those) )?(?:[\w-]+ )?(women|girls|boys|children|minors)\b"  # "how many adult women"
    r"|\bскольк(?:о|их|им|ими) (?:из (?:них )?)?(?:\w+ )?(женщин|девочек|девушек|мальчиков|детей|несовершеннолетних)(?!\w)",
    re.IGNORECASE,
)
_WOMEN, _GIRLS, _BOYS = r"wom[ae]n|females?|женщин\w*|женск\w*", r"girls?|девоч\w*|девуш\w*", r"boys?|мальчик\w*"
_CHILDREN = rf"child(?:ren)?|minors?|juveniles?|дет(?:и|ей|ям|ьми|ях)|ребен\w*|ребён\w*|несовершеннолет\w*|{_GIRLS}|{_BOYS}"
# how a quote writes each group, in either language (a Russian question is often answered from an English report), by
# the first letters of the question's word: a child is also a boy, a girl or a minor
_GROUP_WORDS = {
    "wome": _WOMEN, "женщ": _WOMEN, "girl": _GIRLS, "дево": _GIRLS, "деву": _GIRLS, "boys": _BOYS, "маль": _BOYS,
    "chil": _CHILDREN, "дете": _CHILDREN, "mino": _CHILDREN, "несо": _CHILDREN,
}


def group_in(question: str) -> str:
    """The group a question counts, as it writes it ("women" of "How many women took part …"), or ""."""
    match = _GROUP_QUESTION.search(question)
    return next((g for g in match.groups() if g), "") if match else ""


def ungrouped(group: str, quote: str) -> bool:
    """Whether a quote writes nothing of the group a question counts: "a 44-day course … for 150 participants" does not
    say how many women took part."""
    return bool(group) and re.search(rf"(?<!\w)(?:{_GROUP_WORDS[group[:4].lower()]})(?!\w)", quote, re.IGNORECASE) is None


_FIGURES = ("quantity", "money", "percent", "area")  # answer types that are figures
# where a question's second part begins: ", and how did …", "; what …", ", и сколько …" (not a bare comma: ", which
# was adopted in 2012" is a clause of the first)
_SECOND_PART = re.compile(
    r"(?:,?\s+and\s+|;\s*)(?=(?:how|what|which|when|who|whom|where|why|whether)\b)"
    r"|,?\s+и\s+(?=(?:как\w*|сколько|когда|кто|кого|где|почему|чем|за что)\b)",
    re.IGNORECASE,
)


def second_part(question: str) -> frozenset[str]:
    """The stems of a question's second part that its first part does not have, or none for a question in one part."""
    match = _SECOND_PART.search(question, 1)
    if match is None:
        return frozenset()
    return frozenset(tokenize(question[match.end() :])) - frozenset(tokenize(question[: match.start()]))


def _asked_spans(question: str, years: frozenset[int], months: frozenset[int]) -> frozenset[tuple[int, int]]:
    """The period a question asks about as spans (see spans_in): the spans it writes when they hold every year it names
    (none otherwise: "in 2000, to 2005 compared to 1995 to 2000" reads one span and a year outside it); else its
    months of its one year ("in March 2025"), or its run of years ("in 2024", "2011–2014"); none when it names no year."""
    spans = spans_in(question)
    if spans:
        inside = all(any(a // 12 <= year <= b // 12 for a, b in spans) for year in years)
        return spans if inside else frozenset()
    if not years or max(years) - min(years) + 1 != len(years):
        return frozenset()
    if months and len(years) == 1 and max(months) - min(months) + 1 == len(months):
        year = next(iter(years))
        return frozenset({(year * 12 + min(months) - 1, year * 12 + max(months) - 1)})
    return frozenset({(min(years) * 12, max(years) * 12 + 11)}) if not months else frozenset()


@lru_cache(maxsize=READ_CACHE)
def days_in(text: str) -> frozenset[tuple[int, int]]:
    """The days a text names, as (month, day): "on 12 October 2024" and "October 12" give {(10, 12)}."""
    days = set()
    for match in _month_names(text):
        month = int(match.lastgroup[1:]) + 1
        before = _DAY_BEFORE.search(text, max(0, match.start() - 4), match.start())
        after = _DAY_AFTER.match(text, match.end())
        for day in (before, after):
            if day and 1 <= int(day.group(1)) <= 31:
                days.add((month, int(day.group(1))))
    return frozenset(days)


def the_day(question: str, months: frozenset[int]) -> tuple[int, int] | None:
    """The one day a question asks about ("intercepted on 12 October 2024"), or None when it names no day, or a span
    ("between 1 April and 15 July": its days bound a period, they are not the day asked about)."""
    days = days_in(question)
    return next(iter(days)) if len(days) == 1 and len(months) == 1 else None


def events_in(question: str, names: Sequence[str] = ()) -> tuple[str, ...]:
    """The stems of a question's words that say what happened, for a question asking when: its words less its names,
    its period and its source ("When was Prophane Victor released?" gives ("releas",)). A date answers it only in a
    sentence that writes one of them: the date of his arrest is no date of his release, though every name matches."""
    skip = set(names) | set(tokenize(period_text(question))) | set(tokenize(named_text(question)))
    told = DATE_QUESTION.sub(" ", question)  # "in what year" asks; it tells nothing of what happened
    events = [t for t in tokenize(told) if t not in skip and not t[0].isdigit()]
    # "When did Costa v ENEL take place?", "When was the Act passed?": the date is the named thing's own, often written
    # with its name ("Costa v ENEL (1964)", "the British Nationality Act 1981"), not with the verb
    return () if set(events) <= _HAPPENED else tuple(dict.fromkeys(events))


# the verbs saying only that a thing happened (its date is the thing's own): stems of the words as a question writes them
_HAPPENED = frozenset(
    tokenize(
        "happen happened occur occurred take took taken place held hold pass passed begin began start started end ended "
        "finish finished произошло произошел состоялось состоялся случилось началось начался закончилось принят принята"
    )
)


# "article 318", "articles 76 and 77", "art. 21", "статья 212.1", "по статье 318", "ст. 280 и 282"
_ARTICLE = re.compile(
    r"(?<!\w)(?:articles?|arts?\.|стат(?:ья|ьи|ье|ью|ьей|ьям|ьях|ьями|ей)|ст\.)\s*(\d+(?:\.\d+)*(?:\s*(?:,|and|or|и|или)\s*\d+(?:\.\d+)*)*)",
    re.IGNORECASE,
)
_ARTICLE_NUMBER = re.compile(r"\d+(?:\.\d+)*")


def articles_in(question: str) -> frozenset[str]:
    """The numbers of the articles of law (or of a convention) a question names: "по статье 318 УК РФ" gives {"318"}.
    A quote answers about article 318 only where it, its passage up to it or its report writes 318: a count of
    sentences under the anti-extremism articles is no count under article 318, however alike the words."""
    return frozenset(n for m in _ARTICLE.finditer(question) for n in _ARTICLE_NUMBER.findall(m.group(1)))


# a capitalised word after the question's first one (which any question capitalises), and a run of them
_CAPITALISED = re.compile(r"(?<=[\s(«\"“'])[A-ZА-ЯЁ][\w’'-]*")
_RUN_OPENING = re.compile(r"(?:^|(?<=[.!?]\s))[A-ZА-ЯЁ][\w’'-]*(?=\s+[A-ZА-ЯЁ][\w’'-]*)")  # a sentence's first word before a capital
# (a possessive ends a run: "the Secretary-General's South Sudan report" names two)
_CAPITALISED_RUN = re.compile(r"(?<=[\s(«\"“'])[A-ZА-ЯЁ][\w’'-]*(?:(?<![’']s)\s+[A-ZА-ЯЁ][\w’'-]*)*")


def names_in(question: str) -> tuple[str, ...]:
    """The stems of the words a question capitalises after its first: the places, bodies, people and laws it asks
    about ("UNMISS", "South Sudan", "Мемориал"), less the words naming its period or its source (those are checked as
    constraints of their own) and the lower-case part of a compound ("supported" of "UNMISS-supported"). Evidence
    about Nigeria does not answer a question about South Sudan, however alike the rest of its words."""
    skip = set(tokenize(period_text(question))) | set(tokenize(named_text(question)))
    opening = list(_RUN_OPENING.finditer(question))  # "Sri Lanka published …": a name's first word may open the question
    found = sorted([*opening, *_CAPITALISED.finditer(question)], key=lambda m: m.start())
    words = [m.group() for m in found if m in opening or not _SENTENCE_END.search(question, 0, m.start())]
    words = [" ".join(part for part in word.split("-") if part[:1].isupper()) for word in words]  # "UNMISS-supported" names UNMISS
    stems = [t for word in words for t in tokenize(word) if t not in skip and not t[0].isdigit()]
    # Russian writes a country's adjective in lower case: "израильских вооружённых сил" names Israel
    stems += [t for t in tokenize(question) if t.endswith("ск") and script(t) == "cyrillic" and countries_in([t])]
    return tuple(dict.fromkeys(stems))


# a place below a country, named with what kind of place it is: "Renk County", "Ituri Province", "Kakuma Camp"
_PLACE_KINDS = rf"(?:{PLACE_KIND_WORDS}|Administrative\s+Area|(?<!Member )(?<!Islamic )(?<!Member\n)State)\b"
_PLACE = re.compile(r"((?:[A-Z][\w’'-]*\s+){1,3})" + _PLACE_KINDS)
# places counted together, by their kind in the plural: "in Borno and Adamawa States", "North and South Kivu Provinces"
_KINDS = r"(?i:states|counties|provinces|districts|regions|governorates|prefectures|municipalities|departments|islands)"
_JOINT = re.compile(
    rf"(?:[A-Z][\w’'-]*,\s+)*[A-Z][\w’'-]*\s+and\s+[A-Z][\w’'-]*\s+{_KINDS}\b"
    # the kind first: "in Regions such as Ségou and Gao", "the provinces of North and South Kivu"
    rf"|\b{_KINDS}\s+(?:such\s+as|of|including|like)\s+(?:[A-Z][\w’'-]*,\s+)*[A-Z][\w’'-]*\s+and\s+[A-Z][\w’'-]*"
)


def places_in(question: str, names: Sequence[str], figure: bool = False) -> tuple[str, ...]:
    """The stems of the places below a country a question names with their kind ("Renk County" gives ("renk",)), and,
    for a figure asked (figure), the name a question counts in ("How many cases were documented in Ituri in 2024?",
    "Сколько задержали в Туле?"): like a country, such a place must be written where the answer is (a mobile court's
    convictions in Wau do not answer for Renk, though the same mission supported both; the 823 cases of a whole
    country are not Ituri's)."""
    stems = [t for m in _PLACE.finditer(question) for t in tokenize(m.group(1))]
    if figure and not _JOINT.search(question):  # (a country is held to anyway, by its own rule; places counted
        # together, "in Borno and Adamawa States", by theirs: counted_together)
        runs = [tokenize(m.group(1)) for m in _COUNTED_IN.finditer(question) if not _ACRONYM.search(m.group(1))]
        skip = _GENERIC_NAMES | _KIND_STEMS
        stems += [t for run in runs if not countries_in(compounded(run)) for t in run if t not in skip]
    return tuple(dict.fromkeys(t for t in stems if t in names))


_KIND_STEMS = frozenset(tokenize(PLACE_KIND_WORDS.replace("|", " ") + " State States"))  # "County" of "Renk County"
# where a figure is counted: "in Ituri", "at Kakuma", "в Туле" (a capitalised name right after the preposition; not an
# acronym, which is a country held to by its own rule or no place: "in US dollars", "в СИЗО")
_ACRONYM = re.compile(r"\b[A-ZА-ЯЁ]{2,}\b")
_COUNTED_IN = re.compile(r"\b(?:in|at|в|во)\s+((?-i:[A-ZА-ЯЁ])[\w’'-]+(?:\s+(?-i:[A-ZА-ЯЁ])[\w’'-]+){0,2})")


_SENTENCE_END = re.compile(r"[a-zа-яё\d)]{2}[.!?]\s+$")  # a word opening a question's second sentence ("… sanctions regime. Whose name …")


def source_runs(question: str) -> list[tuple[str, ...]]:
    """The names of whom or what the question asks about, each the stems of a run of capitalised words: "According to
    Amnesty International, …" gives [("amnesti", "intern")], "по данным Правозащитного центра «Мемориал»" gives
    [("правозащитн",), ("мемориа",)]; words naming a period are left out."""
    named = set(tokenize(f"{source_text(question)} {reporter_text(question)}")) - set(tokenize(period_text(question)))
    runs = []
    for run in _CAPITALISED_RUN.finditer(question):
        stems = tuple(t for t in tokenize(run.group()) if t in named and not t[0].isdigit())
        if stems and stems not in runs:
            runs.append(stems)
    return runs


def written_names(question: str, stems: Iterable[str]) -> list[str]:
    """The names of the question, as written ("South Sudan"; "Colombia" of "Colombia's"), that hold any of these stems."""
    stems = set(stems)
    runs = (_POSSESSIVE.sub("", run.group()) for run in _CAPITALISED_RUN.finditer(question))
    return list(dict.fromkeys(run for run in runs if stems & set(tokenize(run))))


_POSSESSIVE = re.compile(r"['’]s?$")


def written_words(question: str, stems: Iterable[str]) -> list[str]:
    """The words of the question, as written ("released"), whose stems are among these."""
    stems = set(stems)
    return list(dict.fromkeys(w for w in re.findall(r"[\w’'-]+", question) if stems & set(tokenize(w))))


def unnamed(constraints: Constraints, quote: str, passage: str, *document: str) -> list[str]:
    """The stems of the question's names when none of them is written by the quote, by its passage up to it, or by its
    document's title or opening; [] when any is, or when the question and the passage are in different alphabets
    (across languages names are spelt apart). A name is written in its own form or one sharing its first NAME_PREFIX
    letters ("Indian" by "India", "British" by "Britain"). One name is enough: questions name things the reports
    write otherwise ("US", "Harvard Alumni"); measured on XQuAD, requiring every name lost 31 of 1,190 answers that
    held gold, requiring one lost 9, without refusing a quote about Nigeria for a question about South Sudan. But a
    question naming a country, or a place below one by its kind ("Renk County"), is answered only where one of those
    is written: the mission it also names works everywhere.
    Across alphabets countries are compared by what country they name (rag.answering.places.countries_in): a
    Russian question on Ukraine is not answered by an English passage on the Sudan; and people by their surnames in
    Latin letters (latin_key): "Sergei Loshkarev" is written "Лошкарев", and a Russian sentence on Savva's sentence
    does not say what Loshkarev's was."""
    if not constraints.names:
        return []
    context = _leading(quote, passage)
    if script(passage) != script(" ".join(constraints.names)):
        if constraints.people and not any(_spells(context, surname) for surname in constraints.people):
            return list(constraints.people)
        asked = countries_in(constraints.names)
        if not asked:
            return []
        if document and (titled := _countries_of(document[0])) and not asked & titled:
            document = ()  # as below: a report titled for another country
        return [] if any(asked & _countries_of(text) for text in (context, *document)) else list(_countries(constraints.names))
    if document and _titled_for_another(document[0], constraints.names):
        document = ()  # a report titled for South Sudan is not about Sudan, though its opening speaks of its neighbour
    names = (*_countries(constraints.names), *constraints.places) or _specific(constraints.names)
    if constraints.places and not _writes_one(quote, names) and _names_another_place(quote, constraints.places):
        return list(names)  # the sentence after Renk County's court tells of Pibor's: the passage's place is not its own
    return [] if any(_writes_one(text, names) for text in (context, *document)) else list(names)


# words heading many bodies' and instruments' names: "the Convention" or "the Committee" a sentence writes is not the
# question's "Convention against Torture" when the question also gives what sets its own apart
_GENERIC_NAMES = frozenset(
    tokenize(
        "convention conventions committee committees state states council commission court report secretary general assembly "
        "government ministry office party parties protocol treaty covenant agreement nations united special"
    )
)


def _specific(names: Sequence[str]) -> tuple[str, ...]:
    """The names less the words that head many ("convention", "committee", "state"), unless nothing else is left."""
    return tuple(name for name in names if name not in _GENERIC_NAMES) or tuple(names)


def counted_together(constraints: Constraints, quote: str) -> bool:
    """Whether a quote writes the place a question asks about only together with others of its kind ("412 girls … in
    Borno and Adamawa States" for how many were in Adamawa State): its figure is theirs together, not the place's."""
    if not constraints.places:
        return False
    joint = [m.group() for m in _JOINT.finditer(quote) if not _countries_of(m.group())]  # "Turks and Caicos Islands" is one
    rest = _JOINT.sub(lambda m: " " if m.group() in joint else m.group(), quote)
    return any(_writes_one(text, constraints.places) for text in joint) and not _writes_one(rest, constraints.places)


_CLAUSE = re.compile(r"\s+and\s+|;\s*|,\s+(?:while|whereas|but)\s+")  # where a sentence's coordinated clauses part


def figure_elsewhere(constraints: Constraints, quote: str) -> bool:
    """Whether every clause of a quote holding the figure asked for names another country, none the one asked, while
    another clause names that one: "a 7 per cent decrease in the number of beneficiaries in Somalia and curtailed
    reintegration measures in Mali" gives no percentage for Mali."""
    asked = countries_in(constraints.names) if constraints.wanted in _FIGURES else frozenset()
    clauses = _CLAUSE.split(quote) if asked else []
    holding = [clause for clause in clauses if holds(clause, constraints.wanted)]
    if len(clauses) < 2 or not holding:
        return False
    elsewhere = all((codes := _countries_of(clause)) and not codes & asked for clause in holding)
    return elsewhere and any(asked & _countries_of(clause) for clause in clauses)


def _names_another_place(quote: str, places: Sequence[str]) -> bool:
    """Whether a quote names a place below a country, with its kind, that is none of the places asked ("a mobile court
    deployed to the Greater Pibor Administrative Area" for a question on Renk County)."""
    return any(not _writes_one(m.group(1), places) for m in _PLACE.finditer(quote))


def in_section_on(constraints: Constraints, before: str, quote: str, passage: str) -> bool:
    """Whether a quote sits in a section of its report headed by a country the question names: the last heading line
    naming a country, in the document's text before its passage (before) and in the passage up to the quote, names one
    asked about. A UN report's country section runs over several passages under one heading ("Democratic Republic of
    the Congo"), and its third passage ("In 2024, MONUSCO documented 823 cases …") writes the country nowhere."""
    names = _countries(constraints.names)
    heading = _section_heading(before, quote, passage) if names else ""
    return bool(heading) and _heads_for(heading, names, passage)


def _section_heading(before: str, quote: str, passage: str) -> str:
    """The last heading line naming a country in the text before a passage and in the passage up to a quote, or ""."""
    for line in reversed(f"{before}\n{_leading(quote, passage)}".split("\n")):
        line = line.strip()
        if line and is_heading(line) and _countries(compounded(tokenize(line))):
            return line
    return ""


def _heads_for(heading: str, names: Sequence[str], passage: str) -> bool:
    """Whether a section's heading names one of the countries (names: their stems), compared by country across alphabets."""
    if script(passage) != script(" ".join(names)):
        return bool(countries_in(names) & _countries_of(heading))
    return _writes_one(heading, names)


@lru_cache(maxsize=READ_CACHE)
def _countries_of(text: str) -> frozenset[str]:
    """The codes of the countries a text names, in either language (read once per text: a report's opening is asked
    of every unit)."""
    return countries_in(tokenize(text))


def country_stems(names: Sequence[str]) -> set[str]:
    """The stems of the names that spell a country, in English or in Russian ("южн" and "судан" of "Южном Судане"),
    by their words in a country's name (compounded) or a one-word one."""
    joined = [name.split() for name in compounded(names) if " " in name]
    return {n for n in names if any(n[:NAME_PREFIX] in words for words in joined) or countries_in([n])}


def _countries(names: Sequence[str]) -> tuple[str, ...]:
    """The stems of the names that name a country ("haiti", "south" and "sudan" of South Sudan): when a question names
    a country, one of its countries must be written, whatever else it names (the Mine Action Service's figures in
    South Sudan do not answer for Haiti, though the service is named)."""
    _, singles = countries()
    named = [name for name in compounded(names) if " " in name or name in singles or _demonym(name)]
    words = country_words(names)  # "Sri Lanka", "Sierra Leone": no other country's name inside, so not compounded
    return tuple(stem for stem in names if stem in words or any(stem == name or stem[:NAME_PREFIX] in name.split() for name in named))


@lru_cache(maxsize=READ_CACHE)
def _demonym(stem: str) -> bool:
    """Whether a stem is a one-word country's name with an ending of its people's ("colombian", "sudanes", "haitian",
    "колумбийск"): a question asking which Colombian institution acted names Colombia. The country's name less its last
    letter must lead it, and little more follow ("roman" is not Romania's), opening with a vowel when the name's last
    letter is not kept ("chilean", not "children"; "indigenous" is not Indian); names shorter than five letters are
    left out, as their stems are mere openings ("гу" of Гуам would lead "Гудков")."""
    _, singles = countries()
    return stem not in singles and any(
        len(single) > NAME_PREFIX
        and len(stem) <= len(single) + 4
        and (stem.startswith(single) or (stem.startswith(single[:-1]) and stem[len(single) - 1 : len(single)] in _VOWELS))
        for single in singles
    )


_VOWELS = frozenset("aeiouyаеёиоуыэюя")


def _leading(quote: str, passage: str) -> str:
    """The passage up to the end of the quote: what leads up to it (a section's heading), not what comes after it."""
    at = passage.find(quote)
    return passage[: at + len(quote)] if at >= 0 else quote


# what a question calls someone it names: "environmental activist Sergei Loshkarev", "filmmaker Oleg Sentsov", "журналиста
# Ивана Петрова" (a person's name is told from a body's, "Political Prisoners", "Совета Безопасности", by it)
_CALLED_PERSON = re.compile(
    r"\b(?:activist|journalist|film-?maker|director|lawyer|blogger|artist|poet|writer|politician|opposition figure|leader|judge"
    r"|prosecutor|minister|officer|commander|general|colonel|defendant|prisoner|detainee|student|professor|defender|coordinator"
    r"|editor|reporter|photographer|priest|pastor|imam|businessman|mayor|governor|deputy|Mr|Mrs|Ms|Dr"
    r"|активист\w*|журналист\w*|режисс[её]р\w*|адвокат\w*|блогер\w*|художни\w*|политик\w*|лидер\w*|судь\w*|прокурор\w*"
    r"|министр\w*|командир\w*|генерал\w*|подсудим\w*|заключ[её]нн\w*|студент\w*|профессор\w*|правозащитни\w*"
    r"|координатор\w*|редактор\w*|фотограф\w*|священни\w*|предпринимател\w*|депутат\w*|мэр\w*|губернатор\w*)"
    r'[.,]?\s+(?:[«"“]?[\w-]+[»"”]?\s+){0,3}?$',
    re.IGNORECASE,
)


def surnames(question: str) -> tuple[str, ...]:
    """The surnames of the people a question names as people ("environmental activist Sergei Loshkarev", "активиста
    Джеймса Коанга"), as written: two or three capitalised words after what it calls them."""
    found = []
    for name in people_in(question):
        words = name.split()
        at = question.find(name)
        if 2 <= len(words) <= 3 and not any(w.isupper() for w in words) and _CALLED_PERSON.search(question[max(0, at - 60) : at]):
            found.append(words[-1])
    return tuple(dict.fromkeys(found))


def _spells(text: str, surname: str) -> bool:
    """Whether text writes the surname in either alphabet: a word whose Latin letters begin as the surname's do (its
    first NAME_PREFIX, so that endings and case do not count: "Лошкареву" spells "Loshkarev")."""
    key = latin_key(surname)[:NAME_PREFIX]
    return len(key) == NAME_PREFIX and any(latin_key(word).startswith(key) for word in re.findall(r"[^\W\d_]{3,}", text))


def _titled_for_another(title: str, names: Sequence[str]) -> bool:
    """Whether a title names a country whose longer name holds one of the names asked, and not that name alone."""
    held = {start for word in _words(title) if " " in word for start in word.split()}
    return not _writes_one(title, names) and any(name[:NAME_PREFIX] in held for name in names)


def _writes_one(text: str, names: Sequence[str]) -> bool:
    """Whether text writes any of the names (stems), in its own form or one sharing its first NAME_PREFIX letters. A
    country's name inside another country's longer one is not written ("Sudan" in "South Sudan": rag.answering.places),
    nor is it by another country's name that starts alike ("Niger" by "Nigeria")."""
    words, starts = _words(text), _starts(text)
    for name in compounded(names):
        if name in words:
            return True
        forms = starts.get(name[:NAME_PREFIX], ()) if len(name) > NAME_PREFIX and " " not in name else ()
        if any(not another_country(name, form) for form in forms):
            return True
    return False


NAME_PREFIX = PREFIX  # letters a name shares with the form a report writes ("indi" of Indian and India)


@lru_cache(maxsize=READ_CACHE)
def _words(text: str) -> frozenset[str]:
    return frozenset(compounded(tokenize(text)))


@lru_cache(maxsize=READ_CACHE)
def _starts(text: str) -> dict[str, tuple[str, ...]]:
    """The text's words (no joined country names) by their first NAME_PREFIX letters."""
    starts: dict[str, list[str]] = {}
    for word in _words(text):
        if " " not in word:
            starts.setdefault(word[:NAME_PREFIX], []).append(word)
    return {start: tuple(words) for start, words in starts.items()}


_DAY_BEFORE = re.compile(r"(\d{1,2})\s+$")
_DAY_AFTER = re.compile(r"\s+(\d{1,2})\b")
_ISSUE_YEAR = re.compile(r"\s+(?:19|20)\d\d\b")
_HEAD_CHARS = 300  # an opening without a stated period: its date is among its first lines


def period_text(question: str) -> str:
    """The words of a question that name its period: years, month names with their days, dates in figures
    ("covering 16 January to 31 March 2025" gives "16 January 31 March 2025"). The period is checked as a constraint;
    these words are no evidence of what was asked about it."""
    parts = [m.group() for m in _YEARS.finditer(question)] + [m.group() for m in _NUMERIC_DATE.finditer(question)]
    for match in _month_names(question):
        before = _DAY_BEFORE.search(question, max(0, match.start() - 4), match.start())
        after = _DAY_AFTER.match(question, match.end())
        parts += [before.group(1) if before else "", match.group(), after.group(1) if after else ""]
    return " ".join(part for part in parts if part)


# "According to OHCHR Fact Sheet No. 30, …", "… according to the Secretary-General's report covering …?", "По данным
# Правозащитного центра «Мемориал», …", "Согласно докладу …, …"
_SOURCE_NAMED = re.compile(
    r"\b(?:according to|as reported by|as stated in)\s+([^,?;]+)|(?:^|\s)(?:по данным|согласно|по информации|как сообщает|как указано в)\s+([^,?;]+)",
    re.IGNORECASE,
)
# a question opening with the report it asks of, or closing with it: "In the Secretary-General's South Sudan report
# covering January to March 2025, how much …", "Per the glossary of the OHCHR fact sheet, …", "В докладе ОВД-Инфо об
# уголовных преследованиях, сколько …", "… listed in the annex of the Secretary-General's 2024 CRSV report?" (a report,
# not a body it must be attributed to)
_REPORT_NAMED = re.compile(
    r"^\s*(?:in|from|per)\s+(?!(?:which|what|whose|how|when)\b)((?:the\s+|its\s+|a\s+)?[^,?;]{0,80}?"
    r"\b(?:report|fact sheet|study|survey|review|bulletin|update|annex)s?\b[^,?;]{0,80})(?=,)"
    r"|^\s*(?:в|из)\s+(?!как)((?:доклад|отч[её]т|обзор|исследовани|приложени)\w*[^,?;]{0,80})(?=,)"
    r"|\b(?:in|from) (?:the |its |a )?((?:[\w’'.-]+\s+){0,8}?(?:report|fact sheet|study|survey|review|bulletin|update))\s*\?\s*$",
    re.IGNORECASE,
)
# "… did UNICEF report for 2022?", "… has the Human Rights Section of BINUH documented …", "What death toll did Human
# Rights Watch give …": a body named as the one that reported it (a possessive is not: "does the Secretary-General's
# report define …")
_REPORTED_BY = re.compile(
    r"\b(?:did|does|do|has|have)\s+(?:the\s+)?((?-i:[A-Z])[\w.-]*(?:\s+(?:of\s+(?:the\s+)?)?(?-i:[A-Z])[\w.-]*)*)\s+"
    r"(?:report|record|document|register|estimate|count|say|find|give|put|cite|publish)(?:ed)?\b",
    re.IGNORECASE,
)


def source_text(question: str) -> str:
    """The words of a question that name the body or report it asks what it says ("according to OHCHR Fact Sheet No.
    30"): a quote naming another source does not answer it (unattributed)."""
    return " ".join(next(g for g in m.groups() if g) for m in _SOURCE_NAMED.finditer(question))


def report_text(question: str) -> str:
    """The words of a question that name the report it asks of ("In the Secretary-General's South Sudan report
    covering January to March 2025, …"). Unlike a source, no quote need be attributed to it."""
    return " ".join(_report_itself(next(g for g in m.groups() if g)) for m in _REPORT_NAMED.finditer(question))


_REPORT_WORD = re.compile(r"\b(?:report|fact sheet|study|survey|review|bulletin|update|annex)s?\b", re.IGNORECASE)
_LINKS = re.compile(r"\b(?:in|from|to|of|on|at|by|with)\s", re.IGNORECASE)


def _report_itself(text: str) -> str:
    """The words naming the report, less what leads to it: "the 2024 report on conflict-related sexual violence" of "his
    recommendations to the Security Council in the 2024 report on …" (the Council is whom it is addressed to)."""
    word = _REPORT_WORD.search(text)
    links = [m.end() for m in _LINKS.finditer(text, 0, word.start())] if word else []
    return text[links[-1] :] if links else text


def named_text(question: str) -> str:
    """The words of a question naming its source or its report: they choose where to look, and are no evidence of
    what was asked of it."""
    return f"{source_text(question)} {report_text(question)}".strip()


def reporter_text(question: str) -> str:
    """The name of the body a question asks what it reported ("… did UNICEF report for 2022?" gives "UNICEF"). Unlike
    an "according to" source, it stays among the question's words and names: the quote that answers is likely to
    write it ("In 2024, UNICEF reported …"), and "How many cases did Guinea report?" is about Guinea."""
    return " ".join(m.group(1) for m in _REPORTED_BY.finditer(question))


def without_source(question: str) -> str | None:
    """The question less the words naming its source, for the keyword side (None when nothing names one, or too little
    would be left): "According to OHCHR Fact Sheet No. 30, how often does the Council meet?" searches "how often does
    the Council meet", since every passage of the fact sheet shares the words of its name."""
    rest = _REPORT_NAMED.sub(" ", _SOURCE_NAMED.sub(" ", question))
    return rest if rest != question and len(tokenize(rest)) >= 2 else None


_NAME_WORD = re.compile(r"[A-ZА-ЯЁ][\w’'-]*")
NAME_KEY = 4  # a name word shorter than this in Latin letters ("UN") is too short to pick documents by


def source_names(question: str) -> list[str]:
    """The words naming the source a question asks about, each as a Latin key of its stem: "According to the OVD-Info
    report on criminal prosecutions, …" gives ["ovdinfo"], "По данным Мемориала" gives ["memoria"], which "Memorial" holds. Only capitalised
    words count (names, not "report"), and not those naming the period ("April–July 2025")."""
    named = named_text(question)  # not a body asked what it reported: "did the Mission count" picks no report by title
    period = set(tokenize(period_text(named)))
    keys = []
    for word in _NAME_WORD.findall(named):
        stems = tokenize(re.sub(r"[’']s$", "", word).replace("-", ""))
        if stems and not set(stems) & period and len(key := latin_key(" ".join(stems))) >= NAME_KEY:
            keys.append(key)
    return list(dict.fromkeys(keys))


def named_documents(question: str, titles: Mapping[str, str]) -> list[str] | None:
    """The documents (source -> title) whose file name or title holds every name of the source the question asks
    about, or None when it names none, or they pick no document, or every one. "According to OVD-Info, …" over
    ovdinfo-2014-report.pdf and three UN reports picks the first, written in Russian as "ОВД-Инфо" or not: a question
    asking what one organisation says is answered from its reports, not from another's that shares more words. Every
    name must be there: "the Human Rights Section of BINUH" picks no report titled "Human Rights Treaty System"."""
    names = source_names(question)
    if not names or not titles:
        return None
    chosen = [source for source, title in titles.items() if all(name in latin_key(f"{source} {title}") for name in names)]
    return chosen if 0 < len(chosen) < len(titles) else None


@lru_cache(maxsize=READ_CACHE)
def years_in(text: str) -> frozenset[int]:
    """Years a text names, ranges expanded ("2011–2014" names 2011 to 2014)."""
    years = {
        int(m.group())
        for m in _YEARS.finditer(text)
        if not _COUNT.match(text, m.end())
        and not _ABOUT.search(text, max(0, m.start() - 20), m.start())
        and not _COMPARED.search(text, max(0, m.start() - 24), m.start())
        and not _cited(text, m)
    }
    years.update(int(m.group(2) or m.group(3)) for m in _NUMERIC_DATE.finditer(text))
    for match in _YEAR_RANGE.finditer(text):
        first, last = int(match.group(1)), match.group(2)
        end = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
        if first < end <= first + 50:
            years.update(range(first, end + 1))
    return frozenset(years)


def _cited(text: str, year: re.Match) -> bool:
    """Whether a year is the one of a cited document, in brackets after its number ("resolution 2467 (2019)",
    "Convention No. 169 (1989)"): the year it was adopted, not a period the text speaks of; nor is a document's number
    that looks like a year ("resolutions 1820 (2008)")."""
    cited = text[year.end() : year.end() + 1] == ")" and _NUMBER_BEFORE.search(text, max(0, year.start() - 12), year.start())
    return bool(cited or _YEAR_AFTER.match(text, year.end()))


_NUMBER_BEFORE = re.compile(r"\d\s*\($")
_YEAR_AFTER = re.compile(r"\s*\((?:1[89]|20)\d\d\)")


@lru_cache(maxsize=READ_CACHE)
def months_in(text: str) -> frozenset[int]:
    """Months a text names (1-12), ranges ("October–December", "с октября по декабрь"), quarters and halves expanded."""
    found = [(m.start(), m.end(), int(m.lastgroup[1:]) + 1) for m in _month_names(text)]
    months = {month for _, _, month in found}
    months.update(int(m.group(1) or m.group(4)) for m in _NUMERIC_DATE.finditer(text) if 1 <= int(m.group(1) or m.group(4)) <= 12)
    for (_, end, first), (start, _, last) in zip(found, found[1:]):
        if _RANGE_WORDS.match(text[end:start]) and len(text[end:start]) <= 16:  # "January 2025 and 31 March"
            months.update(_month_range(first, last))
    for match in _QUARTER.finditer(text):
        n = int(match.group(2)) if match.group(2) else _ORDINALS[(match.group(1) or match.group(3)).lower()]
        months.update(range(3 * n - 2, 3 * n + 1))
    for match in _HALF.finditer(text):
        n = _ORDINALS[(match.group(1) or match.group(2)).lower()]
        months.update(range(6 * n - 5, 6 * n + 1))
    return frozenset(months)


# what joins the two ends of a dated span: "1 July 2024 to 30 June 2025", "January 2024–March 2025", "с 1 июля 2024
# года по 30 июня 2025 года"; group 1 is the first end's year when it gives one
_SPAN_JOIN = re.compile(rf"\s*,?\s*(?:({_YEAR})\s*(?:года?|г\.)?)?\s*(?:[-–—]|to|until|through|till|and|по|до|и)\s*(?:\d{{1,2}}\s+)?$", re.IGNORECASE)
_SPAN_END = re.compile(rf"\s*,?\s*({_YEAR})(?!\d)")


@lru_cache(maxsize=READ_CACHE)
def spans_in(text: str) -> frozenset[tuple[int, int]]:
    """The dated spans a text names, each as (first month, last month) counted year * 12 + month - 1: "from 1 July
    2024 to 30 June 2025" and a budget's "2024/25" (read as the two whole years). A span's last end must give its year;
    the first end takes the same year, or the year before when its month comes later ("1 July to 30 June 2026")."""
    spans = set()
    found = list(_month_names(text))
    for first, last in zip(found, found[1:]):
        join = _SPAN_JOIN.match(text[first.end() : last.start()]) if last.start() - first.end() <= 24 else None
        end = _SPAN_END.match(text, last.end())
        if join and end:
            m1, m2, y2 = int(first.lastgroup[1:]), int(last.lastgroup[1:]), int(end.group(1))
            y1 = int(join.group(1)) if join.group(1) else y2 - (m1 > m2)
            if y1 * 12 + m1 < y2 * 12 + m2:
                spans.add((y1 * 12 + m1, y2 * 12 + m2))
    for match in _YEAR_RANGE.finditer(text):
        first, last = int(match.group(1)), match.group(2)
        end = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
        if first < end <= first + 50 and not any(a // 12 == first and b // 12 == end for a, b in spans):
            spans.add((first * 12, end * 12 + 11))
    return frozenset(spans)


def misspanned(asked: frozenset[tuple[int, int]], quote: str) -> bool:
    """Whether the quote gives its figure for a span that is not within any the question asks about (asked: its
    period as spans, _asked_spans). The appropriation for 1 July 2024 to 30 June 2025 does not answer for 1 July 2025
    to 30 June 2026, though both name 2025, nor does a rise "between August 2024 and May 2025" answer for March 2025;
    a part of the period asked is kept ("between January and March 2024" for 2024), and so is a wider span for a
    period of a year or more. Whole years ("2025/26") are compared by year. A quote naming no span is judged by its
    years alone."""
    given = spans_in(quote) if asked else frozenset()
    # around a year or more asked, a wider span is often the answer (forest "lost by 1991" is counted from 1970)
    return bool(given) and not any(_within(g, a) or (a[1] - a[0] >= 11 and _within(a, g)) for a in asked for g in given)


def _within(span: tuple[int, int], period: tuple[int, int]) -> bool:
    if span[0] % 12 == 0 and span[1] % 12 == 11:  # whole years: a budget's "2025/26" lies within July 2025 to June 2026
        return period[0] // 12 <= span[0] // 12 and span[1] // 12 <= period[1] // 12
    return period[0] <= span[0] and span[1] <= period[1]


def _month_names(text: str) -> Iterator[re.Match]:
    """The month names of a text, as _MONTH reads them, tried only at words that open like a month: scanning the
    whole text with the twenty-four alternatives costs about ten times more."""
    for word in _WORD.finditer(text):
        opening = word.group()[:3]
        if opening in _EN_OPENINGS or opening.lower() in _RU_OPENINGS:
            match = _MONTH.match(text, word.start())
            if match:
                yield match


def unmet(constraints: Constraints, quote: str, passage: str, *document: str, before: str = "") -> list[str]:
    """What of the constraints a quote does not meet ([] when it meets them all): 'year', 'month', 'day', the answer
    type, 'name', 'article', 'source' (unattributed) or 'event' (unhappened). The period is the quote's own when it
    names one, else its passage's up to it, else the last one named before the passage (before: the document's text
    ahead of it, when given), else its document's (the period its opening states, then its title); when none of
    them names a year (or a month), that part of the period is unknown, and not held against it.
    One of the names the question gives must be written in the quote, in its passage up to it (a section's heading
    leads its text; what follows the quote is about something else), or in its document's title or opening (checked
    for a question in the passage's language only; see unnamed)."""
    missing = []
    dated = (quote, up_to(quote, passage), last_dated(before), *_periods(document))
    years = _nearest(years_in, *dated)
    if constraints.years and years and not constraints.years & years:
        missing.append("year")
    months = _nearest(months_in, *dated)
    if constraints.months and months and not constraints.months & months:
        missing.append("month")
    if constraints.wanted == "quantity" and constraints.years and not missing and counted_for_another_year(quote, constraints.years):
        missing.append("year")  # "In 2012 and 2013 … (in 2012, 14 were convicted under it)": its count is 2012's
    if not missing and misspanned(constraints.spans, quote):
        missing.append("year")  # another budget period, though it shares a year with the one asked
    if constraints.wanted == "date" and (constraints.told[0] or constraints.told[1]) and dates_only_given(constraints, quote):
        missing.append("date")  # "published in January 2024" for when a bill published in January 2024 was passed
    if constraints.month_asked and not months_in(quote):
        missing.append("date")  # the month asked is not written
    elif constraints.year_asked and not _ANY_YEAR.search(quote):
        missing.append("date")  # nor the year (any year: "in 1237", not only the reports' own)
    if constraints.whole and "year" not in missing and part_of_year(quote):
        missing.append("month")  # a figure as of 8 October is no figure for the whole year
    reported = _periods(document)
    issued = issue_date(document[1]) if len(document) > 1 else ""
    covered = (("year", constraints.covered_years, years_in), ("month", constraints.covered_months, months_in))
    for part, asked, read in covered:
        if part not in missing and asked and (given := _nearest(read, *reported)) and not asked <= given | read(issued):
            # another report's period: the report asked of covers all of the period its name gives (the report on
            # October 2024–February 2025 is not the one for January–March 2025), or is dated in it
            missing.append(part)
    if constraints.day and constraints.day not in (days := days_in(quote)) and any(m == constraints.day[0] for m, _ in days):
        missing.append("day")  # the quote dates something else that month: another day's interception, not the one asked
    if (
        not answers_type(quote, constraints.wanted)
        or (constraints.asked and not names_another(quote, constraints.asked, constraints.wanted, constraints.post))
        or only_given(quote, constraints.given)
        or counts_otherwise(quote, constraints.counted, constraints.context)
        or count_unknown(quote, constraints.counted)
        or uncounted_across(quote, constraints.counted)
        or (constraints.counting and only_money(quote))
    ) and constraints.wanted not in missing:  # (a date asked for may have been found missing as the year asked)
        missing.append(constraints.wanted)
    if unnamed(constraints, quote, passage, *document):
        missing.append("name")
    if unwritten_articles(constraints, quote, passage, *document[:1]):
        missing.append("article")
    if unattributed(constraints, quote):
        missing.append("source")
    if repeats(quote, constraints.said):
        missing.append("repeat")
    if unhappened(constraints, quote, passage):
        missing.append("event")
    if ungrouped(constraints.group, quote) or counted_together(constraints, quote) or figure_elsewhere(constraints, quote):
        missing.append("group")
    if constraints.part_of and not counts_the_whole(passage, constraints.part_of):
        missing.append("whole")
    if unagented(constraints, quote):
        missing.append("agent")
    if uncounted_casualty(constraints, quote):
        missing.append("casualty")
    if misnumbered(constraints.ordinals, quote):
        missing.append("ordinal")
    return missing


def unhappened(constraints: Constraints, quote: str, passage: str) -> list[str]:
    """The stems of what a question asks the date of when neither the quote nor its passage writes any of them ([]
    when one does, or the question asks no date, or the quote is in another alphabet). A passage that never tells of
    a release gives no date of one, however closely it speaks of the man; the passage counts, not the quote alone, as
    a date is often given with the event's name ("the Maastricht Treaty (1992)", "Costa v ENEL (1964)") a sentence
    away from the word the question uses (on XQuAD, asking it of the quote alone lost 8 of 130 "when" answers)."""
    if not constraints.events or script(quote) != script(" ".join(constraints.events)):
        return []
    return [] if _writes_one(quote, constraints.events) or _writes_one(passage, constraints.events) else list(constraints.events)


def unattributed(constraints: Constraints, quote: str) -> list[str]:
    """The stems of the sources the question asks about ("… did UNICEF report?", "according to OVD-Info") when the
    quote names a source of its own that is none of them ("According to Médecins Sans Frontières (MSF), in 2022 …"):
    MSF's count for 2022 does not answer what UNICEF reported for 2022, though both sit in one paragraph about one
    country. [] when the quote names no source by name ("Согласно исследованию, …": whom a report's sentence comes from
    is often said sentences before it, or in its title), or names one asked about (by any word of its name), or one the
    question names otherwise ("According to the figures the Haiti Panel of Experts cites, how many survivors did
    Médecins Sans Frontières assist …" is answered by "According to Médecins Sans Frontières (MSF), …"; a country
    the question names is no source's name), or names one in the other alphabet: "по данным Национального института
    миграции Гондураса" cannot be told from "According to National Institute of Migration of Honduras" by its words."""
    own = source_text(quote)
    if not constraints.sources or not _NAME_WORD.search(own) or any(_writes_one(own, run) for run in constraints.sources):
        return []
    if all(script(own) != script(" ".join(run)) for run in constraints.sources):
        return []  # written in the other alphabet: its words tell nothing (see above)
    if _writes_one(own, [name for name in constraints.names if name not in country_stems(constraints.names)]):
        return []
    return [word for run in constraints.sources for word in run]


# an ordinal and the word after it: "the second international conference", "1st session", "второй конференции"
_ORDINAL = re.compile(
    r"(?<!\w)(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th)"
    r"|(?:перв|втор|трет|четв[её]рт|пят|шест|седьм|восьм|девят|десят)(?:ый|ий|ой|ая|ья|ое|ье|ого|его|ьего|ому|ему|ьему|ом|ем|ьем"
    r"|ую|ью|ые|ьи|ых|ьих|ым|ьим|ыми|ьими|ей|ьей))\s+([^\W\d_]+)",
    re.IGNORECASE,
)
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ORDINAL_STEMS = ("перв", "втор", "трет", "четв", "пят", "шест", "седьм", "восьм", "девят", "десят")


@lru_cache(maxsize=READ_CACHE)
def ordinals_in(text: str) -> frozenset[tuple[int, str]]:
    """The ordinals a text writes, each with the stem of the word after it: "the second international conference"
    gives {(2, "intern")}."""
    found = set()
    for match in _ORDINAL.finditer(text):
        word, after = match.group(1).lower(), tokenize(match.group(2))
        if word[0].isdigit():
            n = int(word.rstrip("stndrh"))
        elif word in _ORDINAL_WORDS:
            n = _ORDINAL_WORDS.index(word) + 1
        else:
            n = next(i for i, stem in enumerate(_ORDINAL_STEMS, 1) if word.replace("ё", "е").startswith(stem))
        if after:
            found.add((n, after[0]))
    return frozenset(found)


def ordinal_phrases(text: str, after: Iterable[str]) -> list[str]:
    """The ordinals of a text followed by a word of these stems, with two words after each, as written: "first
    international conference" of "… organized the first international conference of prosecutors" for {"internat"}."""
    after = set(after)
    phrases = []
    for match in _ORDINAL.finditer(text):
        if set(tokenize(match.group(2))[:1]) & after:
            more = re.match(r"\s+[^\W\d_]+", text[match.end() :])
            phrases.append(match.group() + (more.group() if more else ""))
    return phrases


def misnumbered(asked: frozenset[tuple[int, str]], quote: str) -> bool:
    """Whether the quote numbers what the question asks about (asked: the question's ordinals_in) otherwise: asked of
    the second international conference, a sentence on "the first international conference" tells of another one,
    though every other word matches."""
    if not asked:
        return False
    given = ordinals_in(quote)
    return any(word == w and n != m for n, word in asked for m, w in given) and not asked & given


def unwritten_articles(constraints: Constraints, quote: str, passage: str, *title: str) -> list[str]:
    """The article numbers the question names when none of them is written by the quote, its passage up to it or its
    report's title ([] when one is, or none is named). A number is written as a word of its own ("318", "212.1")."""
    if not constraints.articles:
        return []
    written = any(constraints.articles & set(_ARTICLE_NUMBER.findall(text)) for text in (_leading(quote, passage), *title))
    return [] if written else sorted(constraints.articles, key=lambda n: [int(part) for part in n.split(".")])


def fitting(
    passages: Sequence[Passage], constraints: Constraints, opening: Opening | None = None, preceding: Preceding | None = None
) -> list[Passage]:
    """The passages whose period (their own, else their document's) meets the question's, or whose first sentence's
    does (dated by the last date before it: preceding gives the document's text before a passage), in order; for a
    question asking what something means, those that define something come first."""
    if constraints.wanted == "definition":
        passages = sorted(passages, key=lambda p: not holds(p.chunk.text, "definition"))  # stable: in order otherwise
    if not constraints.period:
        return list(passages)
    period = Constraints(constraints.years, constraints.months, covered_years=constraints.covered_years, covered_months=constraints.covered_months)

    def meets(chunk: Chunk) -> bool:  # the passage's period, or that of its first sentence: what comes before a date
        # in a passage is not dated by it ("… deployed only five hours after the attacks began" / "As of mid-February")
        documents = document_texts(chunk, opening)
        if not unmet(period, chunk.text, chunk.text, *documents):
            return True
        if preceding is None:
            return False
        first = next(iter(chunk.spans()), None)
        if first is not None and constraints.months:  # (a year in passing dates nothing after it)
            sentence = chunk.text[first[0] : first[1]]
            if not unmet(period, sentence, sentence, *documents, before=preceding(chunk)):
                return True
        # a passage of a page's footnotes is of the periods of the sentences carrying their marks (note 30 of a passage
        # dated by note 29's "November 2024" tells of the attacks of January 2025 its mark stands in); a passage of body
        # text that ends in notes is dated by its text, as before
        return any(not unmet(period, sentence, sentence, *documents) for sentence in marking(chunk, preceding))

    return [p for p in passages if meets(p.chunk)]


def marking(chunk: Chunk, preceding: Preceding) -> list[str]:
    """The sentences above the footnotes of a chunk that opens with one, carrying their marks, read in the passages
    before it (SECTION_CHUNKS); none for a chunk opening in body text."""
    spans = chunk.spans()
    if not spans or not opens_note(chunk.text, spans[0][0]):
        return []  # the passage opens in body text
    starts = [start for start, _ in spans if opens_note(chunk.text, start)]
    before = preceding(chunk, SECTION_CHUNKS)
    return [sentence for start in starts if (sentence := carrying_mark(chunk, start, before))]


def document_texts(chunk: Chunk, opening: Opening | None) -> tuple[str, ...]:
    """Where a chunk's document states its period: its title, then its opening (when one can be read)."""
    return (chunk.title, opening(chunk)) if opening else (chunk.title,)


def describe_period(text: str, most: int = 3, lang: Lang = "en") -> str:
    """The period a text names, as describe() writes it; "" when it names none or more than `most` separate years."""
    years = years_in(text)
    ordered = sorted(years)
    if len(ordered) > most and ordered != list(range(ordered[0], ordered[-1] + 1)):
        return ""
    return Constraints(years, months_in(text)).describe(lang)


def dated(text: str) -> bool:
    """Whether a text names a year or a month."""
    return bool(years_in(text) or months_in(text))


def last_dated(text: str) -> str:
    """The last sentence of text that names a year or a month ("" when none does): what dates the undated sentences
    after it."""
    for start, end in reversed(sentence_spans(text)) if text else ():
        if dated(text[start:end]):
            return text[start:end]
    return ""


def up_to(quote: str, passage: str) -> str:
    """The passage up to the end of the quote: what sets a quote's period, when it names none, is written before it
    ("On 27 January 2025, gangs launched an assault …" / "… police deployed only five hours after the attacks
    began"); a date after it ("As of mid-February 2025, …") is the next sentence's."""
    at = passage.find(quote)
    return passage[: at + len(quote)] if at >= 0 else passage


def period_of(quote: str, passage: str, *document: str, counting_for: frozenset[int] = frozenset()) -> str:
    """The text that sets a quote's period: the quote when it names a year or month (its clauses that count, when
    they count for another year than those a question counting for them asks: counted_for_another_year), else its
    passage up to it, else its document's."""
    if counting_for and counted_for_another_year(quote, counting_for):
        return " ".join(_counting_clauses(quote))
    for text in (quote, up_to(quote, passage), *_periods(document)):
        if dated(text):
            return text
    return document[0] if document else ""


# where a report's opening states the period it covers: "It covers … between 1 April and 15 July 2025", "The reporting
# period (October 2024–February 2025)", "Доклад посвящен … с 2011 по 2014 годы", "за отчетный период"
_COVERS = re.compile(r"\b(?:covers?|covering|reporting period|period under review|охватыва\w*|посвящ\w*|период\w*)\b", re.IGNORECASE)


def _periods(document: Sequence[str]) -> tuple[str, ...]:
    """The texts that set a document's period, nearest first: the sentence of its opening stating the period it covers
    (stated_period) ahead of its title, whose date may be a letter's ("Letter dated 9 June 2025 from the Panel …" over
    a report on October 2024–February 2025); without one, the title, then the whole opening."""
    stated = [period for text in document[1:] if (period := stated_period(text))]
    return (*stated, *document[:1]) if stated else tuple(document)


@lru_cache(maxsize=READ_CACHE)
def stated_period(opening: str) -> str:
    """The first sentence of a report's opening that says what period it covers and names it ("" when none does). The
    rest of an opening names other dates too: the previous report's, the date of the letter sending it ("The Council
    of Ministers has not met since March" would put March in an April–July report)."""
    for start, end in sentence_spans(opening):
        sentence = opening[start:end]
        if _COVERS.search(sentence) and (years_in(sentence) or months_in(sentence)):
            return sentence
    return ""


@lru_cache(maxsize=READ_CACHE)
def issue_date(opening: str) -> str:
    """The date a report is dated, as its opening writes it before the period it covers ("Distr.: General 7 August
    2025"), or "": the August 2025 report on South Sudan is the one covering April to July. Only a full date (day,
    month, year) counts, and only ahead of the stated period."""
    period = stated_period(opening)
    head = opening[: opening.find(period)] if period else opening[:_HEAD_CHARS]
    for month in _month_names(head):
        day, year = _DAY_BEFORE.search(head, max(0, month.start() - 4), month.start()), _ISSUE_YEAR.match(head, month.end())
        if day and year:
            return head[day.start(1) : year.end()]
    return ""


def near_miss_message(
    constraints: Constraints,
    periods: Iterable[str],
    missing_names: Sequence[str] = (),
    missing_articles: Sequence[str] = (),
    missing_sources: Sequence[str] = (),
    events: Sequence[str] = (),
    numbered: Sequence[str] = (),
    groups: Sequence[str] = (),
    refused: Iterable[str] = (),
    lang: Lang = "en",
) -> str:
    """Why on-topic evidence was not quoted: the period (or kind of answer) asked for, and the years the nearest
    passages give instead (periods: the texts that set the periods of those refused for theirs, period_of; none when
    none was, and the kind of answer is what they lack: the ruling of 19 February names no judge), or the
    names asked about that the nearest passages do not write (missing_names, as the question writes them), or the
    articles of law they do not cite (missing_articles), or the sources asked about to which they do not attribute
    what they say (missing_sources), or what the question asks the date of when they date something else (events,
    the question's own words), or what they number otherwise (numbered: what they write and what the question asks,
    "first international conference" and "second international conference"). In the question's language (lang)."""
    asked, periods = constraints.describe(lang), list(periods)
    given = sorted(set().union(*(years_in(t) for t in periods)) - constraints.years)
    if "whole" in refused:  # whatever else it lacks, it does not count from the figure the question gives
        return say("no_whole", lang, figure=constraints.part_of)
    if events and not missing_names:
        return say("no_date", lang, events=listed(list(events), lang))
    if len(numbered) == 2 and not missing_names:
        return say("numbered", lang, given=numbered[0], asked=numbered[1])
    if missing_sources and not missing_names:
        return say("unsourced", lang, sources=listed(list(missing_sources), lang))
    if missing_names:
        return say("unnamed", lang, names=listed(list(missing_names), lang))
    if groups:
        return say("ungrouped", lang, group=listed(list(groups), lang))
    if constraints.casualty and "casualty" in refused:
        return say("uncounted", lang, what=say(constraints.casualty, lang))
    if missing_articles:
        which = say("article" if len(missing_articles) == 1 else "articles", lang, numbers=listed(list(missing_articles), lang))
        return say("uncited_article", lang, which=which)
    if constraints.whole and periods and not given:  # refused for dating their figures within the year asked
        return say("part_of_year", lang, asked=asked)
    spans = sorted({span for text in periods for span in spans_in(text)} - constraints.spans) if constraints.spans else []
    if spans and all(b > a for a, b in constraints.spans):  # a span asked is named as one: "July 2025–June 2026"
        asked = listed([_span_text(span, lang) for span in sorted(constraints.spans)], lang)
    if constraints.period and spans:  # refused for a span beyond the one asked: name the spans, not their years
        return say("other_period", lang, asked=asked, given=listed([_span_text(s, lang) for s in spans], lang))
    if constraints.period and given:
        return say("other_period", lang, asked=asked, given=listed(given, lang))
    if constraints.period and periods:
        return say("other_periods", lang, asked=asked)
    if set(refused) == {"repeat"}:
        return say("repeats", lang)
    if constraints.wanted == "person" and constraints.post and constraints.post.isascii() and lang == "en":
        return say("unnamed_post", lang, post=constraints.post)  # "the general in command" is there, unnamed
    return say("lacks_kind", lang, kind=kind(constraints.wanted, lang))


def _span_text(span: tuple[int, int], lang: Lang = "en") -> str:
    """A span as a reader writes it: "August 2024–May 2025", "2024–2025" for whole years, "2023" for one."""
    (y1, m1), (y2, m2) = divmod(span[0], 12), divmod(span[1], 12)
    if m1 == 0 and m2 == 11:
        return f"{y1}–{y2}" if y1 != y2 else str(y1)
    names = MONTHS[lang]
    return f"{names[m1]} {y1}–{names[m2]} {y2}" if y1 != y2 else f"{names[m1]}–{names[m2]} {y2}"


def _nearest(read, *texts: str) -> frozenset[int]:
    """What the innermost text that names anything of the kind names: the quote, its passage, then its document."""
    for text in texts:
        found = read(text)
        if found:
            return found
    return frozenset()


def _month_range(first: int, last: int) -> list[int]:
    """Months first to last, across the new year when last comes before first (November–February)."""
    span = (last - first) % 12
    return [(first - 1 + i) % 12 + 1 for i in range(span + 1)]


def _month_span(months: frozenset[int], lang: Lang = "en") -> str:
    if not months:
        return ""
    ordered, names = sorted(months), MONTHS[lang]
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{names[ordered[0] - 1]}–{names[ordered[-1] - 1]}"
    return ", ".join(names[m - 1] for m in ordered)


def _year_span(years: frozenset[int], lang: Lang = "en") -> str:
    ordered = sorted(years)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return listed(ordered, lang)
