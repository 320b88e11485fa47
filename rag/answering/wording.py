"""What the service says in its own words, in the language of the question: Russian for a question written in
Cyrillic, English otherwise.

The quotes are the reports' own words, in whatever language the reports are in; everything around them that the
service writes itself (that the reports do not answer, why the nearest passages were not quoted, which period or
kind of answer they lack, what a filter left out) follows the question. A researcher asking "Сколько задержанных …"
reads "В проиндексированных докладах, по-видимому, нет ответа на этот вопрос", not an English sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.text import script

Lang = str  # "en" or "ru"

_TEXTS: dict[str, tuple[str, str]] = {
    "not_answered": (
        "The indexed reports do not appear to answer this.",
        "В проиндексированных докладах, по-видимому, нет ответа на этот вопрос.",
    ),
    "not_mentioned": ("The indexed reports do not mention {names}.", "В проиндексированных докладах не упоминается {names}."),
    "no_source": (
        "The nearest passages tell of this but cite no source for it: the reports do not appear to say where it comes from.",
        "Ближайшие фрагменты говорят об этом, но не ссылаются на источник: в докладах, по-видимому, не сказано, откуда это известно.",
    ),
    "no_passage": (
        "No passage of the chosen reports matches this question.",
        "Ни один фрагмент выбранных докладов не подходит к этому вопросу.",
    ),
    "uncited": (
        "No indexed report by {source}, or quoting it, answers this.",
        "Ни один проиндексированный доклад {source} и ни один доклад, ссылающийся на него, не отвечает на этот вопрос.",
    ),
    "no_date": (
        "The nearest passages give no date for what was asked ({events}): the reports do not appear to answer this.",
        "Ближайшие фрагменты не называют даты того, о чём спрошено ({events}): в докладах, по-видимому, нет ответа.",
    ),
    "numbered": (
        "The nearest passages are about the {given}, not the {asked}: the reports do not appear to answer this.",
        "Ближайшие фрагменты — о другом по счёту: «{given}», а не «{asked}»; в докладах, по-видимому, нет ответа.",
    ),
    "unsourced": (
        "The nearest passages do not say this comes from {sources}: the reports do not appear to answer this.",
        "Ближайшие фрагменты не говорят, что это данные {sources}: в докладах, по-видимому, нет ответа.",
    ),
    "unnamed": (
        "The nearest passages are not about {names}: the reports do not appear to answer this.",
        "Ближайшие фрагменты не касаются того, о чём спрошено ({names}): в докладах, по-видимому, нет ответа.",
    ),
    "ungrouped": (
        "The nearest passages give no figure for {group} alone: the reports do not appear to answer this.",
        "Ближайшие фрагменты не дают отдельной цифры для {group}: в докладах, по-видимому, нет ответа.",
    ),
    "no_note_in": (
        "There is no note numbered {number} in {reports}.",
        "Сноски под номером {number} нет в докладе: {reports}.",
    ),
    "no_note": (
        "No indexed report has a note numbered {number}.",
        "Ни в одном проиндексированном докладе нет сноски под номером {number}.",
    ),
    "uncounted": (
        "The nearest passages do not count the {what}: the reports do not appear to answer this.",
        "Ближайшие фрагменты не называют числа {what}: в докладах, по-видимому, нет ответа.",
    ),
    "dead": ("dead", "погибших"),
    "injured": ("injured", "раненых"),
    "article": ("article {numbers}", "статью {numbers}"),
    "articles": ("articles {numbers}", "статьи {numbers}"),
    "uncited_article": (
        "The nearest passages do not cite {which}: the reports do not appear to answer this.",
        "Ближайшие фрагменты не ссылаются на {which}: в докладах, по-видимому, нет ответа.",
    ),
    "other_period": (
        "The reports do not appear to give this for {asked}; the nearest passages are about {given}.",
        "В докладах, по-видимому, нет этих данных за период {asked}; ближайшие фрагменты относятся к периоду {given}.",
    ),
    "part_of_year": (
        "The nearest passages give this only for part of {asked}, not for the whole year: the reports do not appear to answer this.",
        "Ближайшие фрагменты дают эти данные лишь за часть {asked} года, а не за весь год: в докладах, по-видимому, нет ответа.",
    ),
    "other_periods": (
        "The reports do not appear to give this for {asked}; the nearest passages are about other periods.",
        "В докладах, по-видимому, нет этих данных за период {asked}; ближайшие фрагменты относятся к другим периодам.",
    ),
    "unnamed_post": (
        "The nearest passages do not name the {post} asked about: the reports do not appear to answer this.",
        "Ближайшие фрагменты не называют имени ({post}): в докладах, по-видимому, нет ответа.",
    ),
    "no_whole": (
        "The nearest passages do not break down the {figure} the question counts from: the reports do not appear to answer this.",
        "Ближайшие фрагменты не разбивают названное в вопросе число ({figure}): в докладах, по-видимому, нет ответа.",
    ),
    "repeats": (
        "The nearest passages say only what the question says, not what it asks: the reports do not appear to answer this.",
        "Ближайшие фрагменты лишь повторяют сказанное в вопросе и не отвечают на него: в докладах, по-видимому, нет ответа.",
    ),
    "lacks_kind": (
        "The nearest passages are on the topic but do not give {kind}.",
        "Ближайшие фрагменты по теме, но в них нет {kind}.",
    ),
    "filtered": (
        "Only the chosen reports were searched ({sources}); the others may hold the answer (tick them in Sources, or drop --source).",
        "Поиск шёл только по выбранным докладам ({sources}); ответ может быть в других (отметьте их в Sources или уберите --source).",
    ),
    "collection": ("Only the collection {names} was searched.", "Поиск шёл только по коллекции {names}."),
    "no_report_in_language": (
        "No indexed report is in {ask}, the question's language, and the model {model} does not match {ask} questions with "
        "{hold} text: ask in {hold}, or {way_out}",
        "Ни один проиндексированный доклад не написан на {ask} — языке вопроса, а модель {model} не сопоставляет вопросы на "
        "{ask} с текстом на {hold}: задайте вопрос на {hold} или {way_out}",
    ),
    "some_reports_in_other": (
        "Some indexed reports are in {hold}, which the model {model} does not match with {ask} questions: ask in {hold}, or {way_out}",
        "Часть проиндексированных докладов написана на {hold}, а модель {model} не сопоставляет их с вопросами на {ask}: "
        "задайте вопрос на {hold} или {way_out}",
    ),
    "rebuild": (
        "rebuild the index (python -m rag index --rebuild): it then takes {model}.",
        "пересоберите индекс (python -m rag index --rebuild): тогда будет выбрана модель {model}.",
    ),
    "set_and_rebuild": (
        "set RAG_EMBED_MODEL={model} and rebuild the index (python -m rag index --rebuild).",
        "задайте RAG_EMBED_MODEL={model} и пересоберите индекс (python -m rag index --rebuild).",
    ),
}
# a language by the script it is written in, as "in {language}" / "на {language}" needs it
LANGUAGE_NAMES: dict[Lang, dict[str, str]] = {
    "en": {"latin": "English", "cyrillic": "Russian"},
    "ru": {"latin": "английском", "cyrillic": "русском"},
}
# what the nearest passages lack, by the answer type asked (rag.answering.units): "… do not give a number" / "… нет числа"
_KINDS: dict[str, tuple[str, str]] = {
    "quantity": ("a number", "числа"),
    "money": ("an amount of money", "суммы денег"),
    "area": ("an area", "площади"),
    "percent": ("a share", "доли"),
    "duration": ("a length of time", "срока"),
    "penalty": ("a sentence or penalty", "наказания"),
    "date": ("a date", "даты"),
    "person": ("a person's name", "имени человека"),
    "entity": ("a name", "названия"),
    "": ("what was asked", "того, о чём спрошено"),
}
MONTHS: dict[Lang, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"),
}
_AND = {"en": " and ", "ru": " и "}


def language(question: str) -> Lang:
    """The language to answer a question in: "ru" for one written mostly in Cyrillic, else "en"."""
    return "ru" if script(question) == "cyrillic" else "en"


def say(key: str, lang: Lang = "en", **values: object) -> str:
    """The service's sentence `key` in the language, its {fields} filled in."""
    english, russian = _TEXTS[key]
    return (russian if lang == "ru" else english).format(**values)


def every(key: str) -> tuple[str, ...]:
    """The sentence `key` in every language (to recognise it in an answer, whichever language it was written in)."""
    return _TEXTS[key]


def kind(wanted: str | None, lang: Lang = "en") -> str:
    """What an answer of the wanted type is called, as "… do not give {kind}" / "… нет {kind}" needs it."""
    english, russian = _KINDS.get(wanted or "", _KINDS[""])
    return russian if lang == "ru" else english


def listed(items: Sequence[object], lang: Lang = "en") -> str:
    """Items as a reader lists them, "a, b and c" / "a, b и c"; a long list keeps its first three and last two."""
    words = [str(i) for i in items]
    if len(words) > 6:
        words = words[:3] + ["…"] + words[-2:]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + _AND.get(lang, _AND["en"]) + words[-1]
