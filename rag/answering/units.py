"""Answer units: what a quote must hold to be read on its own, and what a question asks for.

A sentence is the unit the answer step ranks, but not always one a reader can use alone: a lead-in
("… on the following grounds:") is nothing without its list items, a heading or a glossary term
without the line under it, and a sentence that repeats the question ("The Committee on Migrant
Workers held its first session in 2004.") without the next one that carries the figure asked for.
The quote is widened over those, always as one contiguous span of the passage, so it stays verbatim.
"""

from __future__ import annotations

import re

from rag.text import MONTH_START, is_lead_in, is_list_item, is_table_row, latin_key, script, tokenize

MAX_UNIT_CHARS = 1500  # a widened quote never passes this length
HEADING_WORDS = 8  # lines this short, with no end punctuation, read as a heading or a term
# A sentence led by a pronoun or a demonstrative ("It is based in …", "These include …", "Он был …") speaks of
# what the sentence before it named: it is read, scored and quoted with that sentence.
_REFERS_BACK = re.compile(
    r"(?:It|Its|This|These|That|Those|They|Their|He|His|She|Her|Such|Он|Она|Оно|Они|Его|Ее|Её|Их|Это|Этот|Эта|Эти|Такой|Такая|Такие)\b"
)
# a line of one figure, no full stop (a paragraph number has one), with the next line after it: how a PDF gives a table
# row whose last column is a count ("Interdiction of a vessel south of the Islands." / "182" / "12 October 2024 …")
_LAST_CELL = re.compile(r"\d{1,3}(?:,\d{3})*(?=[ \t]*\n[ \t]*\S)")
# a figure's or a table's caption opens with its name and number: "Figure II", "Table 3", "Рисунок 2", "Таблица IV"
_CAPTION = re.compile(
    r"(?:figure|fig\.|table|chart|graph|diagram|map|box|рисунок|рис\.|таблица|диаграмма|схема|график)\s+(?:\d{1,3}[a-z]?|[ivxl]{1,6})\b", re.I
)
_END_MARK = re.compile(r"[.!?…;:»”\"')\]↩]$")  # ↩: the back-link that ends a web-printed report's note
_DATELINE = re.compile(r"\s*((?:\S+[ \t]+){0,5}?\S+)[ \t]+(?:—|–|-{1,2})[ \t]+(?=\S)")
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?|(?:янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)[а-я]*\.?"
_DAY_MONTH = re.compile(rf"(?i:\b\d{{1,2}}\s+(?:{_MONTH_ABBR})(?=\s|$)|(?<!\w)(?:{_MONTH_ABBR})\s+\d{{1,2}}\b)")
_CAPITAL_PLACE = re.compile(r"[A-ZА-ЯЁ]{3,}(?:[ -][A-ZА-ЯЁ]{2,})*\s*[,(]")
_QUANTITY = re.compile(
    r"\b(how (many|much|large|big|old|tall|high|deep|wide|heavy)"
    r"|(what|which) ((?!(?:is|are|was|were|does|did|do|can|could|will|would|has|have|had|should|may|might)\b)\w+ ){0,2}?"
    r"(number|percentage|proportion|share|amount|sum|total|budget|rate|quota|volume|capacity|population|strength|increase"
    r"|decrease|rise|growth|drop|fall|reduction|toll|tally|count|tonnage|weight|quantity|quantities)s?"
    r"|сколько|скольк(?:их|им|ими)|каков[аоы]? (\w+ )?(число|количество|доля|сумма|бюджет|размер|рост|прирост|снижение)"
    r"|как(ое|ая|ой) (\w+ )?(число|количество|доля|сумма|рост|прирост|снижение))\b",
    re.IGNORECASE,
)
# a question asking how long: "how many years", "сколько лет", "к какому сроку" (a quantity of time; "how old" is
# answered by a bare figure as often: "at 39")
_DURATION_QUESTION = re.compile(
    r"\b(how many (years|months|weeks|days|hours|decades)|сколько (лет|месяц\w*|недел\w*|дней|суток|часов)"
    r"|как\w* (\w+ )?срок\w*|на какой срок"
    r"|(what|which|how long an?) (\w+ )?(prison sentence|prison term|jail term|jail sentence|custodial sentence|term of imprisonment))",
    re.IGNORECASE,
)
# a question asking what sentence or punishment someone received: "What sentence did X receive?", "Какое наказание
# понес …", "Какой приговор получил …", "К чему приговорили …" (a prison term asked as such is a duration)
_PENALTY_QUESTION = re.compile(
    r"\b(?:what|which) (?:\w+ )?(?:sentences?|punishments?|penalt(?:y|ies))\b(?! (?:of|in) the (?:report|text|paragraph))"
    r"|\bкак(?:ое|ие|ой|ого|ому|им) (?:\w+ )?(?:наказани|приговор)\w*|\bк чему (?:\w+ ){0,3}?приговор\w*",
    re.IGNORECASE,
)
# what a sentence or a punishment is written with: a term, a fine, a colony, a suspended sentence, an acquittal
_PENALTY = re.compile(
    r"\b(?:sentenced|sentences? of|imprison\w*|prison|jail\w*|fined?|fines|probation|suspended|acquitt\w*|death penalty"
    r"|community service|penal colony|punish\w*|disciplin\w*|reprimand\w*)\b"
    r"|лишени\w* свободы|колони\w*|штраф\w*|условн\w*|оправда\w*|приговор\w*|административн\w* арест\w*|арест\w* на \d"
    r"|исправительн\w* работ|пожизненн\w*|заключени\w*|наказ\w*|выговор\w*",
    re.IGNORECASE,
)
DATE_QUESTION = re.compile(
    r"(?:^\W*|\b(?:and|и)\s+|[,;]\s*)(when|когда)\b|\b((in )?(what|which) (year|month|date)|в каком году|какого числа|в какой день|в каком месяце)\b",
    re.IGNORECASE,
)
# a quantity is written in figures or in words ("fourteen members", "половина", "twice as many")
_QUANTITY_IN_TEXT = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand"
    r"|million|billion|dozen|half|twice|double|один|одна|одно|одного|два|две|двух|двум|двумя|три|трех|трёх|трем|трём|тремя|четыре"
    r"|четырех|четырёх|четырем|четырём|четырьмя|полутора|пять|пяти|шесть|шести|семь|семи|восемь|восьми|девять|девяти|десять|десяти|(?:одиннадцат|двенадцат"
    r"|тринадцат|четырнадцат|пятнадцат|шестнадцат|семнадцат|восемнадцат|девятнадцат|двадцат|тридцат|сорок|пятьдесят"
    r"|шестьдесят|семьдесят|восемьдесят|девяност|сотн|двест|тысяч|миллион|миллиард|половин|трет|четверт)\w*|сто|дважды|трижды|четырежды|thrice)\b",
    re.IGNORECASE,
)
# a year or a day of a date is no quantity: "in 2025", "2025 год", "on 12 March", "1 January to 31 July 2025", "on 1
# and 2 May", "с 23 по 25 марта", "after the 2022 invasion"
_FIGURE_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b")  # a date in figures: "01.10.2013", "7/8/2024"
_DATE_FIGURES = re.compile(
    r"(?i:\b(?:in|by|since|of|during|until|to|from|early|late|mid|the|its|this|that|в|с|по|до|к|на|jan|feb|mar|apr|may|jun|jul|aug|sep|oct"
    r"|nov|dec|январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр)[a-zа-я]*\.?\s+)(?:1[89]|20)\d\d\b"
    r"|\b(?:1[89]|20)\d\d(?=\s*(?:год|г\.|гг|[-–—/]\d|[.,;:)]|$))"
    r"|\b\d{1,2}(?=(?:\s*(?:and|to|[-–—]|и|по)\s*\d{1,2})?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    r"|(?i:январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр)))"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:,\s*(?:1[89]|20)\d\d)?\b"
)
# figures that count nothing: paragraph numbers ("\n31."), footnote marks ("35 See …", "actors.36"), web addresses, article,
# resolution and document numbers ("art. 50", "resolution 2467 (2019)", "S/2025/504"), versions of a licence or a text
# ("Creative Commons Attribution 3.0", "version 2.1"), and "one and the same" ("одного и того же человека")
_NOT_COUNTS = re.compile(
    r"(?m)^\s*\d{1,3}\.?\s*$|^\s*\d{1,3}(?=\s+[“\"«(]?[A-ZА-Я])|(?<=[a-zа-я.,;:)»”\"])(?<!\d[.,])\d{1,3}\b|\S*(?:https?://|www\.)\S*|\b[A-Z]+(?:/[\w.]+)+"
    r"|(?i:\b(?:один|одна|одно|одного|одной|одному|одним|одном|одну)\s+и\s+т(?:от|а|о|ого|ой|ому|ем|у)\s+же\b|\bone and the same\b)"
    r"|(?i:\b(?:art|arts|article|articles|resolution|resolutions|paragraph|para|paras|rule|section|chapter|annex|no|ст|статья|статьи|стать[ейяю]|пункт|ч|часть|части)\.?\s+\d+(?:[.,]\d+)*(?:\s*\(\d{4}\))?)"
    r"|(?i:\b(?:version|ver|v|attribution|sharealike|noncommercial|noderivatives|noderivs|license|licence|версия|версии)\.?\s+\d+(?:\.\d+)+\b)"
    # ages count no one: "between the ages of 15 to 83", "ranging in age from 10 to 70", "aged 12", "a 22-year-old"
    r"|(?i:\b(?:aged|ages?\s+of|in\s+age\s+from|в\s+возрасте(?:\s+от)?)\s+\d{1,3}(?:\s*(?:to|and|-|–|до)\s*\d{1,3})?\b"
    r"|\b\d{1,3}-year-olds?\b|\b\d{1,3}-летн\w*)"
)
# zero said in words is a figure too ("None of the original treaties …")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")  # a figure written in digits, with its separators
_ZERO = re.compile(r"\b(?:none|nobody|no one|zero|ни одного|ни один|никто|ноль|нуль)\b", re.IGNORECASE)
# money is written with a currency: "$7.2 million", "US$ 120,000", "25 000 рублей"
_CURRENCY = r"(?:US\$|USD|EUR|dollars?|euros?|pounds?|francs?|рубл\w*|долл\w*|евро)"
_MONEY = re.compile(rf"[$€£₽]|\b{_CURRENCY}\b", re.IGNORECASE)
# a sum of money, which counts no people or things: "approximately $100", "US$ 2.5 million", "25 000 рублей"
_MONEY_FIGURE = re.compile(
    r"(?:US\$|\$|€|£|₽)\s?\d[\d,.]*(?:\s*(?:million|billion|thousand|bn|m)\b)?"
    rf"|\d[\d,.]*(?:[ \u00a0]\d{{3}})*(?:\s*(?:million|billion|thousand|млн|млрд|тыс)\.?)?\s*{_CURRENCY}(?!\w)",
    re.IGNORECASE,
)
_MONEY_QUESTION = re.compile(
    r"\b(how much (money|funding|did\b.{1,60}?\b(cost|spend|receive|raise|pay|allocate|allot|appropriate|budget|grant|donate|contribute"
    r"|invest|earn|owe|fund))|(what|which) ((was|is|were|are|had been|has been) )?(the |its |their )?(\w+ )?(budget|cost|funding|sum|fine)s?\b"
    r"|\bin (US |U\.S\. )?(dollars|USD|euros|EUR)\b|в (долларах|рублях|евро)\b"  # "what was the combined budget, in US dollars, of …"
    r"|сколько (денег|средств|стои\w+|рубл\w*|долл\w*)|(каков|как)\w* (\w+ )?(бюджет|сумм|стоимост)\w*|как\w* (\w+ )?штраф|размер\w* штраф)",
    re.IGNORECASE,
)
# an area is written with its unit: "1,281,249 square metres", "40 km²", "12 hectares", "300 кв. м", "5 га"
_AREA = re.compile(
    r"\b(?:square\s+(?:metre|meter|kilometre|kilometer|mile|foot|feet|yard)s?|sq\.?\s*(?:m|km|mi|ft)\b|hectares?|acres?|km2|m2"
    r"|квадратн\w+\s+(?:метр|километр)\w*|кв\.\s*(?:м|км)\b|гектар\w*|га\b)|\b(?:km|m)²",
    re.IGNORECASE,
)
# a share is written as one: "20 per cent", "35%", "half", "two thirds", "one in five", "большинство"
_PERCENT = re.compile(
    r"%|\bper\s?cent|\bpercent|процент|\b(?:half|halves|third|thirds|quarter|quarters|fifths?|tenths?|majority|minority"
    r"|one in|one out of|twice|double|triple)\b|половин|трет[ьи]|четверт|большинств|меньшинств",
    re.IGNORECASE,
)
_PERCENT_QUESTION = re.compile(
    r"\b((what|which) (\w+ )?(percentage|proportion|share|per ?cent)|how many per ?cent|what fraction"
    r"|как(ой|ая|ую) (\w+ )?(процент|доля|долю)|каков\w* (\w+ )?(процент|доля)|сколько процентов)",
    re.IGNORECASE,
)
_AREA_QUESTION = re.compile(
    r"\b(how much (land|territory|ground|surface)|how (many|much) (square|hectares?|acres?)"
    r"|(what|how large an?) (total )?area (was|were|has been|had been) \w+ed\b"
    r"|сколько (земли|территории|гектар\w*|квадратн\w+)|какая (\w+ )?площадь|каков\w* (\w+ )?площадь)",
    re.IGNORECASE,
)
# a question naming the kind of person it asks for: "Which judge presided …", "What official signed …", "Какой судья …"
# (as it opens, or opens a second part: "to which individuals …" inside a question asks nothing)
_PERSON_NOUNS = (
    r"(?:judges?|prosecutors?|ministers?|presidents?|officials?|officers?|lawyers?|attorneys?|journalists?|activists?|individuals?"
    r"|commanders?|chairs?|chairpersons?|chairmen|chairman|directors?|leaders?|spokes(?:man|woman|person)|envoys?|ambassadors?"
    r"|rapporteurs?|coordinators?|investigators?|witness(?:es)?|soldiers?|victims?|detainees?|defendants?|suspects?|hostages?"
    r"|secretar(?:y|ies)|governors?|mayors?|deput(?:y|ies)|representatives?|administrators?|commissioners?|advis[eo]rs?|students?"
    # a general, not the General Assembly or a general comment
    r"|generals?(?!\s+(?:(?-i:[A-Z])|assembly|assemblies|comments?|recommendations?|debates?|elections?|principles?|provisions?|secretary))"
    r")\b"
)
# the Russian posts whose holder a question may ask for, as stems ("министр" of "министра здравоохранения")
_RU_POSTS = r"(судь|судей|прокурор|министр|чиновник|адвокат|журналист|активист|следовател|командир|руководител|председател|свидетел)\w*"
_PERSON_QUESTION = re.compile(
    r"(?:^\W*|\b(?:and|or) |[,;] ?)(?:which|what) (?:(?!(?:is|are|was|were|does|did|do|has|have|had|the)\b)\w+ ){0,2}?"
    + _PERSON_NOUNS
    # "What are the names of the three commanders …", "Name the judges who …"
    + r"|\b(?:names? of|name) (?:the |a |an |its |their )?(?:[\w’'-]+ ){0,5}?" + _PERSON_NOUNS
    # who holds a post the question names: "Who is the Chairperson of the Commission …", "Who was the officer …"
    + r"|^\W*who (?:is|was|are|were|has been|had been) (?:the |a |an )?(?:[\w’'-]+ ){0,3}?" + _PERSON_NOUNS
    + r"|(?:^\W*|\b(?:и|или) |[,;] ?)как(?:ой|ая|ие|ого) (?:\w+ )?(?:судья|судьи|прокурор\w*|министр\w*|чиновник\w*|адвокат\w*"
    r"|журналист\w*|активист\w*|следовател\w*|командир\w*|руководител\w*|председател\w*|свидетел\w*)"
    # … with the post whose holder is asked for, when one follows: "Как звали министра здравоохранения …"
    r"|\b(?:как (?:зовут|звали)|назовите (?:имена|имя|фамили\w*))\b(?: (?:\w+ )?" + _RU_POSTS + r")?|^\W*кого\b"
    # who holds a post, or was put in one: "Who heads the mission?", "Whom did the President appoint …", "Кто возглавляет …"
    r"|^\W*(?:who|whom)\b.{0,40}?\b(?:heads?|headed|leads?|led|chairs?|chaired|directs?|appoint|appointed|nominate|nominated|named)\b"
    r"|^\W*кто\s+(?:\w+\s+)?(?:руководит|руководил\w*|возглавля\w+|возглавил\w*|председательств\w+|назнач\w+)"
    # who was convicted, sentenced, charged or arrested ("Кто был осужден за убийство …"): a person, named
    r"|^\W*who\s+(?:was|were|has been|have been|had been)\s+(?:\w+\s+)?(?:convicted|sentenced|charged|indicted|arrested|detained)\b"
    r"|^\W*кто\s+(?:был[аи]?\s+)?(?:осужден|приговорен|обвинен|арестован|задержан)\w*"
    # which of the people just named: "… обвиняемых пятеро. Кто из них уехал из России?"
    r"|^\W*кто из\b|^\W*who (?:among|of) them\b",
    re.IGNORECASE,
)
# words of an institution's, a post's or a date's name, not of a person's: "the Court of First Instance", "Appeals Court",
# "the Chief Justice", "the Central Bank Governor"
_NOT_PERSON = frozenset(
    "court courts council ministry office police republic nations united national committee commission government assembly "
    "army forces party union department state states agency bank fund programme program mission panel security general "
    "tribunal instance appeals appeal first supreme high international human rights division unit service services "
    "directorate prison prisons county province region city the a an in on of and for chief justice governor governors "
    "administrator administrative president vice minister secretary special representative deputy commander envoy director "
    "head chair chairperson prime central greater area federal regional municipal january february march april may june "
    "july august september october november december "
    # a document's, a meeting's or a movement's name: "the Revitalized Agreement" presided over nothing
    "agreement accord convention covenant protocol treaty act law code plan strategy initiative forum conference summit "
    "report resolution declaration charter framework process talks movement front alliance coalition group centre center "
    "institute foundation association society organization organisation network federation kingdom "
    # a place or a unit named as one: "the Presidential Palace", "the Counter-Ambush Team"
    "palace team gang camp site hospital university school station airport port "
    # what a ministry or an office is of: "the Ministry of Agriculture, Natural Resources and Rural Development"
    "resources development agriculture affairs interior defence defense health education finance labour labor "
    "environment energy trade industry transport welfare protection relations planning authority executive "
    "intergovernmental".split()
)
_APPOSED = re.compile(r"\b" + _PERSON_NOUNS + r",\s+([A-Z][\w’'-]+)(?=[,;)]|\s+(?:was|is|who|had|has)\b)")
_CALLED = re.compile(r"\b(?:named|called)\s+([A-Z][\w’'-]+)")  # "a Norman named Oursel"
_TITLED = re.compile(
    r"\b(?:Judge|Justice|Mr|Mrs|Ms|Dr|Prosecutor|Commissioner|Minister|President|Colonel|General|Senator|Ambassador)\.?\s+[A-Z][\w’'-]+"
    r"|\b(?:судья|прокурор|адвокат|министр|председатель)\s+[А-ЯЁ][а-яё-]+"
)
# a question asking which body, group, place or publication: "Which armed group was responsible …", "What company
# manufactured …", "В каком клубе …", "Какая организация опубликовала …" (as it opens, or opens a second part)
_ENTITY_QUESTION = re.compile(
    r"(?:(?:^\W*|\b(?:and|or) |[,;] ?)(?:in |at |from |by |to )?(?:which|what) (?:(?!(?:is|are|was|were|does|did|do|type|kind|sort)\b)[\w-]+ ){0,2}?"
    r"|\bnames? of (?:the |a |an |its |their )?(?:[\w-]+ ){0,3}?)"
    # "Which force or group carried out the attack?", "which specialized unit of the police …" (not "What force causes …")
    r"(?:(?:armed|criminal) groups?|(?:force|group|unit)s?(?: or (?:force|group|unit)s?)? "
    r"(?=(?:carried|committed|perpetrated|attacked|arrested|killed|executed|abducted|(?:was|were|is|are) (?:responsible|behind))\b)"
    r"|(?:police|military|security|specialized|specialised) units?|organi[sz]ations?|entit(?:y|ies)|institutions?|part(?:y|ies)"
    r"|compan(?:y|ies)|manufacturers?"
    r"|agenc(?:y|ies)|gangs?|militias?|factions?|ministr(?:y|ies)|clubs?|newspapers?|outlets?|channels?|firms?|banks?|countr(?:y|ies)"
    r"|cit(?:y|ies)|towns?|villages?|provinces?|counties|county)\b"
    r"|(?:^\W*|\b(?:и|или) |[,;] ?)(?:в |на |из |от |у )?как(?:ой|ая|ое|ие|ого|ом|ую|их|ому|ими) (?:\w+ )?(?:вооруженн\w* групп"
    r"|организаци|парти|компани|производител|ведомств|банд|министерств|клуб|газет|издани|город|стран|сайт|телеканал)\w*",
    re.IGNORECASE,
)
# a sentence opening with its own date: "Between 2 and 4 May, …", "On 16 October …", "In 2023, …", "В феврале 2014 года …",
# or with a day told from the last one's ("On the same day, …", "The next day …", "В тот же день …")
_OPENS_WITH_DATE = re.compile(
    r"\W*(?:(?:on |later )?(?:the same|that|the (?:next|following|previous)) (?:day|night|morning|evening|week)\b"
    r"|(?:в )?(?:тот же|этот же|тот|следующий|на следующий) (?:день|вечер)\b|(?:на )?следующ\w+ (?:день|утро|ночь)\b)"
    r"|\W*(?:(?:on|in|between|from|since|by|as at|as of|during|until|в|с|на|к|до|по|между)\s+)?(?:(?:early|late|mid)[- ]?\s*)?"
    r"(?:\d{1,2}(?:\s*(?:and|to|[-–—]|и|по)\s*\d{1,2})?\s+)?(?:(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
    r"|(?:январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-яё]*|(?:1[89]|20)\d\d\b)",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[A-ZА-ЯЁ][\w’'/-]*")
_OPENERS = frozenset(
    "the a an in on of at by for from with as after before during since this that these those it its he she they we there "
    "when while although however according under over between among following despite notably also furthermore moreover "
    "of note in addition meanwhile today then such some many most all each both one two three several other further "
    "в на по с так это этот эта эти он она они при после до для кроме однако согласно как из за к о об у также между "
    "среди во со по данным тем не менее всего".split()
)
_MONTH_WORD = re.compile(MONTH_START, re.IGNORECASE)
_NAME_RUN = re.compile(r"[A-ZА-ЯЁ][\w’'.-]*(?:\s+(?:(?:de|da|van|von|bin|al|la|le|du|dos)\s+)?[A-ZА-ЯЁ][\w’'.-]*)+")
_PREPOSITION = r"(?:to|for|with|of|in|on|by|from|about|at|as|into)\b"
# "How does the report define …", "What does … mean", "What is meant by …", "Что означает …", "Что понимается под …",
# and "What are elvers?" / "Что такое …?" (a term of at most three words, then the question ends or a comma follows)
_DEFINITION_QUESTION = re.compile(
    r"\bhow (?:does|do|did|is|are|was|were)\b.{0,80}\bdefined?\b|^\s*define\b|\b(?:definition|meaning) of\b"
    r"|\bwhat (?:is|are) meant by\b|\bwhat does .{1,80} (?:mean|stand for)\b|\b(?:mean|means|understand)\s+by\b"
    r"|\b(?:понима|подразумева)\w*\s+под\b"
    r"|\bчто (?:означает|значит|понимается|подразумевается)\b|\bкак\w* .{0,40}определ\w*|\bопределени\w*"
    r"|\bрасшифров\w*|\bhow (?:is|are) .{1,60} spelt out\b"
    # "What are elvers?", "What is a twin prime?", "What is the NASUWT?": a term of one or two words, none of them a
    # preposition ("What are cilia used for?" asks what for, not what cilia are)
    rf"|^\s*(?:what (?:is|are)|что (?:такое|это))\s+(?:an?\s+|the\s+)?(?!{_PREPOSITION})[\w“”«»\"'-]+(?:\s+(?!{_PREPOSITION})[\w“”«»\"'-]+)?\s*[?,]",
    re.IGNORECASE,
)
# the term a definition question asks about: "What are elvers, …?", "How does the report define 'X'?", "What does X
# mean?", "What is meant by X?", "Что означает X, …?", "Что такое X?"
_DEFINED_TERM = re.compile(
    r"\bdefines?\s+(?P<a>[^?,;]+)|\bwhat does\s+(?P<b>.+?)\s+(?:mean|stand for)\b|\b(?:what (?:is|are) meant by|meaning of)\s+(?P<c>[^?,;]+)"
    r"|^\s*what (?:is|are)\s+(?:an?\s+|the\s+)?(?P<d>[^?,;]+)|\bчто (?:означает|значит|такое|понимается под|подразумевается под)\s+(?P<e>[^?,;]+)",
    re.IGNORECASE,
)
# a sentence that defines: "X refers to …", "… means …", "is defined as", "под X понимается", "X — это", a term in
# quotation marks followed by is/are ("“Elvers” are young eels"), or a glossary's
# "Term: explanation" line (a term of at most six words, opening with a capital or a figure, at the start of a line
# that does not continue a sentence)
# labels that lead a line with a colon but define nothing ("Annex 12: Trends …", "Source: UNMISS")
_LABELS = (
    r"(?:annex|appendix|table|figure|chart|box|map|chapter|section|part|sources?|notes?"
    r"|приложение|таблица|рисунок|схема|источник|глава|раздел)\b"
)
_TERM_PART = r"(?:[^\s.:;]|(?<=\d)\.(?=\d))"  # a glossary term's characters: no stop or colon, but "354.1"
_DEFINES = re.compile(
    r"\b(refers?\s+to|means|is\s+defined\s+as|defined\s+as|denotes|stands\s+for|is\s+understood\s+as|is\s+the\s+term\s+for"
    r"|понима(ется|ют|ем)|означает|определяется\s+как|подразумева\w+)\b|\s[—–]\s*это\b"
    r"|[“«\"][^”»\"\n]{1,60}[”»\"],?\s+(is|are|—|–)\s"
    rf"|(?:\A|(?<=[.!?…;↩]\n))(?!{_LABELS})(?-i:[A-ZА-ЯЁ0-9]){_TERM_PART}*(?:[ \t]+{_TERM_PART}+){{0,5}}:\s+\S",
    re.IGNORECASE,
)
_YEAR_OR_MONTH = re.compile(
    r"\b(1[89]\d\d|20\d\d)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр)",
    re.IGNORECASE,
)


# anything a "when" may be answered by: a year ("1066", "the 1960s", "9000 BP"; not an identifier's "HTi.001"), an
# ordinal ("the 19th century"), a written date, a month or a day of the week, or words placing a time ("during the
# war", "after his death", "at the time of drafting", "вскоре после"); not a span's unit ("three years", "трем годам
# и одному месяцу" is how long, not when)
_WHEN_TOLD = re.compile(
    r"(?<![\w.])\d{3,4}(?:s|'s|-е|-х)?\b(?![.,]\d)|\b\d{1,2}(?:st|nd|rd|th|-?[йгмх]\w?)\b|\b\d{1,2}\.\d{1,2}\.\d{2,4}\b"
    r"|\b(?-i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?"
    r"|Dec(?:ember)?)\b|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:during|after|before|since|until|till|within|every|when|while|ago|later|earlier|following|prior|then|once|now|today|yesterday"
    r"|tomorrow|recently|formerly|previously|initially|eventually|subsequently|meanwhile|century|centuries|decade|decades|era|age"
    r"|period|reign|night|morning|evening|spring|summer|autumn|fall|winter|season|times?|beginning|end"
    r"|first|last|early|late|mid|dynasty|war)\b"
    r"|\bма[йяе]\b|\b(?:январ|феврал|март|апрел|июн|июл|август|сентябр|октябр|ноябр|декабр|понедельник|вторник|четверг|пятниц"
    r"|суббот|воскресень|накануне|недавно|вскоре|спустя|позже|позднее|ранее|прежде|зим|весн|осен|летом|утр|вечер|ноч)\w*"
    r"|\b(?:во время|в ходе|после|перед|до того|когда|пока|тогда|сейчас|сегодня|вчера|век|века|веке|году|годах|время|в начале"
    r"|в конце|войны|войне)\b",
    re.IGNORECASE,
)
# a span of time is no count of what a "how many" question asks for: "sentenced to three years" answers no "how many
# sentences", "within 30 days" no "how many cases"
_TIME_SPAN = re.compile(
    rf"(?:{_QUANTITY_IN_TEXT.pattern})[\w,.]*(?:[ \t-]+(?:and a half|с половиной))?[ \t-]+"
    r"(?:years?|months?|weeks?|days?|hours?|decades?|лет|года?|годам|годами|месяц\w*|недел\w*|дн[яеий]\w*|суток|час\w*)\b"
    r"(?![ \t]+(?:ago|назад|тому назад)\b)",  # "9 лет назад", "two years ago" is a time, no term
    re.IGNORECASE,
)


_LIFE = re.compile(r"\blife (?:imprisonment|sentence|term)|\bfor life\b|пожизненн\w*", re.IGNORECASE)


# the kinds of answer a question can ask for, each with how a question asks it: the first a question reads as is its
_QUESTION_KINDS = (
    ("money", _MONEY_QUESTION), ("area", _AREA_QUESTION), ("percent", _PERCENT_QUESTION), ("person", _PERSON_QUESTION),
    ("entity", _ENTITY_QUESTION), ("duration", _DURATION_QUESTION), ("penalty", _PENALTY_QUESTION), ("quantity", _QUANTITY),
    ("date", DATE_QUESTION),
    ("definition", _DEFINITION_QUESTION),
)
ANSWER_TYPES = frozenset(kind for kind, _ in _QUESTION_KINDS)


def answer_type(question: str) -> str | None:
    """What the question asks for: 'money' (how much money, what budget), 'area' (how much land, what area),
    'percent' (what percentage, what share, какая доля), 'person' (which judge, who heads, кто руководит), 'entity'
    (which armed group, what company, в каком клубе), 'duration' (how many years, к какому сроку), 'penalty' (what
    sentence, какое наказание), 'quantity' (how many, сколько), 'date' (when, в каком году), 'definition' (how is …
    defined, что означает …), or None; the first of these that the question reads as."""
    asking = asking_sentence(question)
    return next((kind for kind, asks in _QUESTION_KINDS if asks.search(asking)), None)


# where a question's sentences part: after a word's full stop, before a capital ("… обвиняемых пятеро. Кто из них …",
# "… Truth, Unity and Reconciliation. When did …"), not after "Mr.", "U.S.", "No." or "Corp." (an abbreviation's)
_SENTENCE_BREAK = re.compile(
    r"(?<!\S)(?:[a-zа-яё][^\s.!]*|(?!(?:Corp|Sept|Prof|Capt|Govt|Dept|Univ)\.)[A-ZА-ЯЁ][a-zа-яё]{3,})[.!]\s+(?=[A-ZА-ЯЁ])"
)


def asking_sentence(question: str) -> str:
    """The sentence of a question that asks it: the last one with a question mark, when a statement comes first ("The
    annex says signing imposes no obligation. What obligation does it create?"); else the whole question."""
    starts = [match.end() for match in _SENTENCE_BREAK.finditer(question)]
    return next((question[at:] for at in reversed(starts) if "?" in question[at:]), question)


# "What does the report mean by X?", "What do the authors understand by X?", "Что авторы понимают под X?": the term
# follows "by" / "под", whoever is said to mean it
_MEANT_BY = re.compile(r"\b(?:mean|means|meant|understand|understood)\s+by\s+([^?,;]+)|\b(?:понима|подразумева)\w*\s+под\s+([^?,;]+)", re.I)


def defined_term(question: str) -> str:
    """The words a question asks the meaning of ("elvers", "'conflict-related sexual violence'"), or ""."""
    meant = _MEANT_BY.search(question)
    if meant:
        return (meant.group(1) or meant.group(2)).strip()
    match = _DEFINED_TERM.search(question)
    return next((g for g in match.groups() if g), "").strip() if match else ""


def holds(text: str, wanted: str | None) -> bool:
    """Whether text holds something of the wanted type (any text does when nothing in particular is wanted). A phrase
    is read across a PDF's line breaks ("five years'\nimprisonment"); figures and definitions, which lines set apart
    (a paragraph's number, a glossary's term), are read with them."""
    if wanted == "quantity":  # a figure that counts something, not a span of time
        return _has_figure(text)
    if wanted != "definition":
        text = " ".join(text.split())
    if wanted == "duration":  # a span of time, or a term for life ("пожизненное лишение свободы"); "2014 года" is a date
        return _TIME_SPAN.search(_DATE_FIGURES.sub(" ", text)) is not None or _LIFE.search(text) is not None
    if wanted == "money":
        return _MONEY.search(text) is not None and _has_figure(text)
    if wanted == "area":
        return _AREA.search(text) is not None and _has_figure(text)
    if wanted == "percent":
        return _PERCENT.search(text) is not None
    if wanted == "person":
        return bool(people_in(text))
    if wanted == "penalty":
        return _PENALTY.search(text) is not None
    if wanted == "date":
        return _YEAR_OR_MONTH.search(text) is not None
    if wanted == "definition":
        return _DEFINES.search(text) is not None
    return True


def _has_figure(text: str) -> bool:
    return _QUANTITY_IN_TEXT.search(_counted(text)) is not None


def _counted(text: str) -> str:
    """The text less what counts nothing: spans of time, paragraph and note numbers, article numbers, dates' years,
    dates in figures."""
    return _DATE_FIGURES.sub(" ", _NOT_COUNTS.sub(" ", _TIME_SPAN.sub(" ", _FIGURE_DATE.sub(" ", text))))


# small numbers written in words, read as figures where a question's figures are compared with a quote's ("Of the six
# cases …" gives 6, as "six laboratory-confirmed cases" writes it); "one" is left a word ("one of them" is news)
_SPELT = {
    word: str(n)
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
        "eighteen nineteen twenty".split()
    )
    if n > 1
}
_SPELT.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90"})
_SPELT_RU = (
    ("2", "два две двух двум двумя"), ("3", "три трех трёх трем трём тремя"), ("4", "четыре четырех четырёх четырем четырём"),
    ("5", "пять пяти пятью"), ("6", "шесть шести шестью"), ("7", "семь семи семью"), ("8", "восемь восьми восемью"),
    ("9", "девять девяти девятью"), ("10", "десять десяти десятью"),
)
_SPELT.update({word: figure for figure, words in _SPELT_RU for word in words.split()})
_SPELT_WORD = re.compile(r"\b(?:" + "|".join(sorted(_SPELT, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def _spelt_out(text: str) -> str:
    """The text with its small numbers in words written in figures ("six cases" -> "6 cases")."""
    return _SPELT_WORD.sub(lambda match: _SPELT[match.group().lower()], text)


def figures_given(question: str) -> frozenset[str]:
    """The figures a question gives ("Of the 48 people convicted …" gives 48, "Of the six cases …" 6), as written
    less their commas."""
    return _figures(_counted(_spelt_out(question)))


def only_given(quote: str, given: frozenset[str]) -> bool:
    """Whether every figure a quote counts with is one the question gives (given: figures_given): "В октябре 2014 года
    говорили о 18 пропавших" does not say how many of the 18 were found dead. A figure in words counts as new."""
    counted = _counted(_spelt_out(quote))
    figures = _figures(counted)
    words = _QUANTITY_IN_TEXT.search(_DIGITS.sub(" ", counted)) is not None
    return bool(given) and bool(figures) and figures <= given and not words


# a question counting part of a whole it gives: "Of the 191 victims …, how many were women?", "Из 48 осуждённых …"
_PART_OF = re.compile(
    r"^\W*(?:of|among|out of)\s+(?:the|these|those|its|their|all)?\s*((?:\d[\d,.]*(?:\s\d{3})*|[a-z]+)(?=\s))"
    r"|^\W*(?:из|среди)\s+((?:\d[\d\s,.]*\d|\d|[а-яё]+)(?=\s))",
    re.IGNORECASE,
)


def whole_given(question: str) -> str:
    """The figure of the whole a question asks a part of ("191" of "Of the 191 victims …, how many were women?", "6"
    of "Of the six cases …"), less its separators; "" when it asks no part of a figure it gives."""
    match = _PART_OF.match(question)
    if match is None:
        return ""
    return next(iter(_figures(_joined(_spelt_out(match.group(1) or match.group(2))))), "")


def counts_the_whole(text: str, whole: str) -> bool:
    """Whether text writes the figure of the whole (whole_given), in figures or in words: the breakdown of the 191
    victims is given beside them, and a count of 1,009 women elsewhere in the report is no part of them."""
    return whole in _figures(_joined(_spelt_out(text)))


_THOUSANDS_SPACE = re.compile(r"(?<=\d)[ \u00a0](?=\d{3}\b)")  # "1 234", "25 000": one figure, as Russian writes it


def _joined(text: str) -> str:
    return _THOUSANDS_SPACE.sub("", text)


# what a "how many" question counts: the words after it up to a verb or a preposition ("How many convictions had
# resulted …" counts convictions, "How many accused persons were …" accused persons)
_COUNTED_ASKED = re.compile(
    r"\bhow many\s+((?:(?!(?:of|the|had|have|has|were|was|did|do|does|are|is|will|would|could|can|in|from|by|at|on|for|to|per"
    r"|with|did|remain|remained)\b)[\w-]+\s+){1,3}?)(?=(?:had|have|has|were|was|did|do|does|are|is|will|would|could|can|in|of|from"
    r"|by|at|on|for|to|per|with|remain|remained)\b|[,?])",
    re.IGNORECASE,
)
# the words a figure counts in a text: "99 criminal proceedings", "three epicenters" (up to two words, none of them a
# function word; a year counts nothing: "the 2010 drought")
_COUNTED_IN_TEXT = re.compile(
    r"(?:(?<![\w,.])(?!(?:1[89]|20)\d\d\b)\d[\d,.]*|" + _QUANTITY_IN_TEXT.pattern.removeprefix("\\d|") + r")\s+"
    r"((?:(?!(?:of|the|and|or|in|on|at|to|for|from|by|with|were|was|had|have|has|are|is|including|during|per|which|that|between"
    r"|since|as)\b)[^\W\d_][\w-]*\s*){1,2})",
    re.IGNORECASE,
)


# the same in Russian: the words after "сколько" up to a preposition or a stop ("сколько человек было похищено в …")
_RU_BREAK = r"(?:в|во|на|за|по|из|от|до|с|со|к|у|о|об|при|для|и|или|согласно|среди|между|после|чем|если)"
_COUNTED_ASKED_RU = re.compile(
    rf"\bскольк(?:о|их|им|ими)\s+((?:(?!{_RU_BREAK}\b)[\w-]+\s+){{1,3}}?)(?={_RU_BREAK}\b|[,?:;(«])", re.IGNORECASE
)


def counted_asked(question: str) -> frozenset[str]:
    """The stems of what a "how many" question counts ("convict" of "How many convictions had resulted from the
    proceedings …"; "человек", "похищ" of "Сколько человек было похищено в …"), or none when it does not say in so
    many words."""
    match = _COUNTED_ASKED.search(question) or _COUNTED_ASKED_RU.search(question)
    return frozenset(tokenize(match.group(1))) if match else frozenset()


# a question counting people or things, not asking how much: "how many survivors", "сколько езидских женщин" (a plural
# noun, or an adjective before one, after "сколько"; not "сколько рублей", "сколько стоил")
_COUNTING = re.compile(
    r"\bhow many\b(?!\s+(?:dollars|euros|pounds|francs|roubles|rubles)\b)"
    r"|\bскольк(?:о|их|им|ими)\s+(?!(?:рубл|долл|евро|денег|средств)\w*)(?:\w+\s+)?(?:\w+(?:ов|ев|ей|ий|ых|их|ами|ями|ам|ям|ими|ым)|человек|раз|лиц|дел)\b",
    re.IGNORECASE,
)


def counts_things(question: str) -> bool:
    """Whether a question counts people or things ("how many …", "сколько … человек"), so that a sum of money is no
    answer to it (only_money)."""
    return _COUNTING.search(question) is not None


def only_money(quote: str) -> bool:
    """Whether a quote's only figures are sums of money: "an allowance of approximately $100" says how much each
    survivor gets, not how many survivors get it (for a question counting "how many" of something; "by how much"
    may be answered in dollars). A share may answer: "nearly 30% of the staff having left" is how many teachers left."""
    return _has_figure(quote) and not _has_figure(_MONEY_FIGURE.sub(" ", quote))


def counts_otherwise(quote: str, counted: frozenset[str], context: frozenset[str]) -> bool:
    """Whether every figure of a quote counts something the question names as other than what it counts, and the
    quote never writes what it counts: "initiated 99 criminal proceedings" does not say how many convictions resulted
    from the criminal proceedings (context: the question's other words, lower-cased, as written: "nine convictions"
    answers "how many people did the court convict", whose verb only shares a stem). A figure counting a word the
    question does not use may be the answer in other words ("1.7 million inhabitants" for "how many people")."""
    if not counted or counted & set(tokenize(quote)):
        return False
    objects = [set(m.group(1).lower().split()) for m in _COUNTED_IN_TEXT.finditer(_counted(quote))]
    return bool(objects) and all(words & context for words in objects)


# a number a quote says is not known: "displaced an unknown number of civilians", "неустановленное число жителей" (its
# words may be parted by a PDF's line break)
_UNKNOWN_NUMBER = re.compile(
    r"\b(?:an?\s+)?(?:unknown|unspecified|undetermined|unconfirmed|undisclosed|uncounted)\s+(?:number|count|total)\s+of\s+"
    r"((?:[\w-]+\s+){0,2}?[\w-]+)"
    r"|(?:неизвестн|неустановленн|неуточн[её]нн|неопредел[её]нн)\w*\s+(?:числ|количеств)\w*\s+((?:\w+\s+){0,2}?\w+)",
    re.IGNORECASE,
)


def count_unknown(quote: str, counted: frozenset[str]) -> bool:
    """Whether a quote writes what a question counts (counted: its stems) only to say that its number is not known:
    "killed 27 soldiers and displaced an unknown number of civilians" gives no count of civilians."""
    unknown = {stem for match in _UNKNOWN_NUMBER.finditer(quote) for stem in tokenize(match.group(1) or match.group(2))}
    return bool(counted & unknown) and not counted & set(tokenize(_UNKNOWN_NUMBER.sub(" ", quote)))


# what a question counts, by its English stem's start and as a Russian report writes it, for the kinds of people and
# things reports count (not "people" or "persons": any of these is some): a question on a report in the other language
_COUNTED_ACROSS = (
    (("observ",), ("наблюдат",)), (("journalist", "reporter"), ("журналист", "корреспондент")), (("activist",), ("активист",)),
    (("detaine",), ("задержан", "заключ")), (("arrest",), ("арест", "задерж")), (("search",), ("обыск",)),
    (("case",), ("дел", "случа")), (("victim",), ("жертв", "пострадав", "потерпевш")), (("women", "woman"), ("женщин",)),
    (("child", "minor"), ("дет", "ребен", "ребён", "несовершеннолет")), (("girl",), ("девоч", "девуш")), (("boy",), ("мальчик",)),
    (("prisoner",), ("заключ", "узник", "осужд")), (("protest", "demonstr"), ("протест", "демонстр", "участник", "митинг")),
    (("member",), ("член", "участник")), (("convict",), ("осужд", "приговор")), (("sentenc",), ("приговор", "осужд")),
    (("student",), ("студент",)), (("refuge",), ("беженц",)), (("migrant",), ("мигрант",)), (("soldier",), ("военн", "солдат")),
    (("officer", "policem"), ("полиц", "сотрудник")), (("fine",), ("штраф",)), (("organ",), ("организ",)),
    (("attack", "assault"), ("напад", "атак", "избиен")), (("defend",), ("обвиняем", "подсудим", "фигурант")),
    (("lawyer",), ("адвокат", "юрист")), (("blogger",), ("блогер",)), (("complaint",), ("жалоб", "заявлен", "обращен")),
    (("report", "articl", "public"), ("доклад", "стат", "публикац", "сообщен", "материал")), (("film", "video"), ("фильм", "видео", "ролик")),
    (("concert",), ("концерт",)), (("vote",), ("голос",)), (("candid",), ("кандидат",)),
    (("kidnap", "abduct", "hostage"), ("похищ", "заложник")),
    (("kill", "dead", "death", "murder", "homicid", "fatalit"), ("убит", "убийств", "погиб", "смерт", "гибел")),
    (("injur", "wound"), ("ранен", "травм")), (("displac",), ("перемещ",)), (("rape",), ("изнасил",)),
    (("deport", "expel", "expul", "repatri"), ("депорт", "выслан", "высыл", "выдвор", "репатри")), (("survivor",), ("выживш",)),
    (("execut",), ("казн",)), (("allegat",), ("обвинени",)), (("troop",), ("войск", "военнослужащ")),
)


def uncounted_across(quote: str, counted: frozenset[str]) -> bool:
    """Whether a quote in one alphabet writes nothing of a kind a question in the other counts (counted: its stems;
    the kinds in _COUNTED_ACROSS): "at least one case under article 280.1" does not say how many observers were
    detained, nor "4,463 survivors of sexual violence … 3,207 in 2023" how many people were kidnapped ("Сколько
    человек было похищено"). A word of the question naming no kind there is not held against it."""
    if not counted:
        return False
    english = all(stem.isascii() for stem in counted)
    if english == (script(quote) != "cyrillic"):
        return False  # the question's alphabet is the quote's
    words = re.findall(r"[а-яё]+" if english else r"[a-z]+", quote.lower())
    for stem in counted:
        forms = {
            form
            for english_forms, russian_forms in _COUNTED_ACROSS
            if any(stem.startswith(f) for f in (english_forms if english else russian_forms))
            for form in (russian_forms if english else english_forms)
        }
        if forms and not any(word.startswith(form) for word in words for form in forms):
            return True
    return False


def _figures(counted: str) -> frozenset[str]:
    return frozenset(m.group().replace(",", "") for m in _DIGITS.finditer(counted))


def answers_type(text: str, wanted: str | None) -> bool:
    """Whether a quote may answer a question wanting this type: a quantity needs a figure (or zero in words; "many"
    does not answer "how many"), money a currency too, an area its unit, a share a percentage or a fraction ("5
    women" is no share of posts held by women); other types are not required of a quote: "when" is answered by "in
    the 1960s" or "during the Cretaceous" as often as by a year (on XQuAD, requiring one lost 38 of 130 "when"
    answers, where requiring a figure for "how many" lost 5 of 107, most of them rough amounts)."""
    if wanted in ("quantity", "duration"):
        return holds(text, wanted) or _ZERO.search(text) is not None
    if wanted in ("money", "area", "percent", "person", "penalty"):
        return holds(text, wanted)
    if wanted == "date":  # not a year: any word placing a time (on XQuAD, requiring a year lost 38 of 130 "when" answers)
        return _WHEN_TOLD.search(text) is not None
    return True


# how far from the post a question names a quote's name may stand and still be its holder's ("Jean Ernest Muscadin, the
# Public Prosecutor of Miragoâne"; "William Farel was a student of Lefevre who went on to become a leader of …")
POST_REACH = 100
_PERSON_NOUN = re.compile(_PERSON_NOUNS, re.IGNORECASE)
_RU_POST = re.compile(_RU_POSTS, re.IGNORECASE)


def post_asked(question: str) -> str:
    """The post whose holder a question asks for, as one word, lower-case ("chairperson" of "Who is the Chairperson of
    …", "officer" of "the name of the … officer"; a stem in Russian, "судь" of "Какой судья …"), or "" when it asks
    for a person by what they did ("Who heads …")."""
    asking = _PERSON_QUESTION.search(question)
    if asking is None:
        return ""
    english = [m.group().lower() for m in _PERSON_NOUN.finditer(asking.group())]
    if english:
        return re.sub(r"(?<=ss)es$|(?<!s)s$", "", english[-1].replace("chairmen", "chairman"))
    russian = _RU_POST.search(asking.group())
    return russian.group(1).lower() if russian else ""


def _post_pattern(post: str) -> str:
    """Where a text writes the post (post_asked), in any number or case form."""
    if post.isascii():
        return r"\b" + post.replace("chairman", "chairm[ae]n") + r"(?:s|es)?\b"
    return r"\b(?:судь|судей)\w*" if post.startswith("суд") else rf"\b{post}\w*"


def names_another(text: str, asked: frozenset[str], wanted: str | None = None, post: str = "") -> bool:
    """Whether text names something the question does not (asked: the question's stems): a capitalised word or an
    acronym that is no month and none of the question's words, nor a word any sentence may open with ("The", "On",
    "Notably"; "Greenland signed …" names Greenland). Which armed group shot the two staff is not answered by a
    sentence naming only the road and the United Nations the question names. For a person (wanted), the name must be
    a person's: who was appointed Special Representative is not answered by the General Assembly that created the post;
    and when the question names the post (post: post_asked) and the text writes it, the name must stand near it:
    "the general in command" leaves the general unnamed, whoever else the sentence names."""
    if wanted == "person":
        spots = [match.span() for match in re.finditer(_post_pattern(post), text, re.IGNORECASE)] if post else []
        near = [text[max(0, start - POST_REACH) : end + POST_REACH] for start, end in spots] or [text]
        spelt = {latin_key(stem)[:4] for stem in asked}  # "Олега Сенцова" is the question's Oleg Sentsov
        return any({latin_key(w)[:4] for w in set(tokenize(name)) - asked} - spelt for part in near for name in people_in(part))
    opening, given_before = len(text) - len(text.lstrip()), -1
    for match in _NAME_WORD.finditer(text):
        word = match.group()
        if match.start() == opening and word.lower() in _OPENERS:
            continue
        if given_before >= 0 and _PLACE_KIND.fullmatch(word) and not text[given_before : match.start()].strip():
            continue  # "Jonglei State" for the question's "Jonglei": the kind of a place it names
        stems = tokenize(word)
        if stems and not set(stems) & asked and not _MONTH_WORD.match(word):
            return True
        given_before = match.end() if stems else -1
    return False


# the kinds of place a name may be, written after it: "Uror County", "Ituri Province", "Kakuma Camp" (with "State",
# which rag.answering.constraints reads apart from "Member State")
PLACE_KIND_WORDS = r"County|Counties|Province|District|Region|Governorate|Prefecture|Municipality|Department|Islands?|Camp|City|Village|Payam"
_PLACE_KIND = re.compile(rf"{PLACE_KIND_WORDS}|States?")


def people_in(text: str) -> list[str]:
    """The names in text that can be a person's: runs of capitalised words (_personal), a name after a title ("Judge
    Kamara"; not "General Assembly", whose "General" is no general's), set off after a post ("the Hauteville
    leader, Drogo, …") or given ("a Norman named Oursel")."""
    names = [run.group() for run in _NAME_RUN.finditer(text) if _personal(run.group())]
    titled = [match.group().split(None, 1)[-1] for match in _TITLED.finditer(text)]
    titled += [match.group(1) for match in _APPOSED.finditer(text)] + _CALLED.findall(text)
    return names + [name for name in titled if name.lower() not in _NOT_PERSON]


def _personal(run: str) -> bool:
    """Whether a run of capitalised words can be a person's name: two words or more, none of them an institution's or a
    month's ("Appeals Court", "Court of First Instance", "February 2025", "Secretary-General" are not; "Garry Conille",
    "Ярослав Белоусов" are)."""
    words = [w.strip(".’'").lower() for w in re.split(r"[\s-]+", run) if w.strip(".’'")]
    return len(words) >= 2 and not any(w.removesuffix("’s").removesuffix("'s") in _NOT_PERSON for w in words)


def is_statement(text: str) -> bool:
    """A sentence of running text: more words than a heading or a label, ended by a full stop (or ! ? …), no table row."""
    text = text.rstrip()
    return text[-1:] in ".!?…" and len(text.split()) > HEADING_WORDS and not is_table_row(text)


def is_heading(text: str) -> bool:
    """Short lines with no end punctuation: a heading (or a title block), a glossary term or a label, not a statement.
    The number of the paragraph that follows a heading ("I. Introduction\n1.") is no end punctuation."""
    text = _NEXT_PARAGRAPH.sub("", text.rstrip())
    if _END_MARK.search(text) or is_list_item(text) or is_table_row(text):
        return False
    return all(len(line.split()) <= HEADING_WORDS for line in text.split("\n"))


def dateline_end(quote: str) -> int:
    """Where a quote's text starts after a news dateline ("22 Dec. INTERFAX.RU — ", "MOSCOW, 3 May (Reuters) - "), or 0.

    A dateline is a short lead (six words at most) ending in a spaced dash that holds a date or opens with a
    place written in capitals followed by a comma or a bracket. A name before a dash ("UNHCR – the UN refugee
    agency – said …") holds neither, so it stays: it is the subject of the sentence.
    """
    match = _DATELINE.match(quote)
    if not match or len(quote) - match.end() < 20:
        return 0
    lead = match.group(1)
    return match.end() if _DAY_MONTH.search(lead) or _CAPITAL_PLACE.match(lead) else 0


_NEXT_PARAGRAPH = re.compile(r"\n[ \t]*\d{1,3}\.$")
_PARAGRAPH_NUMBER = re.compile(r"\d{1,3}\.")
# figures of a title block or a heading that are no data: a document's bar code ("*2511938*") and the numbers of its
# sections and paragraphs ("I. Introduction 1.", "A. Mandate")
_NOT_DATA = re.compile(r"\*\d{5,}\*|(?<!\S)(?:\d{1,3}|[IVXLC]{1,6}|[A-Z])\.(?=\s|$)")


def quotable(quote: str) -> bool:
    """Whether a unit can stand as a quote: not a bare heading, label or running line left alone at a passage's end.
    A short line with a figure ("Detained in 2024: 312") is data, not a heading; a bar code or a section number is not."""
    text = quote.strip()
    return not is_heading(text) or any(c.isdigit() for c in _NOT_DATA.sub(" ", text))


def _carries(unit: str, following: str, wanted: str | None) -> bool:
    """Whether the sentence after a unit carries what was asked that the unit lacks, and so goes with it. Not for a
    person or a penalty (a name or a sentence passed in the next sentence is rarely the one asked for: "… collected by
    the Crimean Field Mission." / "The case of Oleg Sentsov …"; "… the riot policeman injured an activist." / "In the
    end, Staroverov was sentenced to …"; one led by a pronoun still goes, see unit_span), nor a sentence opening with
    a date of its own unless a date was asked: it tells of another event ("… Yaribe, where the forces suffered
    significant casualties." / "Between 2 and 4 May, … ambushed the forces in three incidents")."""
    if wanted in ("person", "penalty") or (wanted != "date" and _OPENS_WITH_DATE.match(following)):
        return False
    return not holds(unit, wanted) and holds(following, wanted)


def _answers_second(unit: str, following: str, second: frozenset[str]) -> bool:
    """Whether the next sentence is about the question's second part (second: its own stems) as the unit is not: two
    of those words or more, and more of them than the unit has."""
    held = len(second & set(tokenize(following)))
    return held >= 2 and held > len(second & set(tokenize(unit)))


def refers_back(sentence: str) -> bool:
    """Whether a sentence opens with a pronoun or a demonstrative, so it means nothing without the one before it."""
    return _REFERS_BACK.match(sentence.lstrip()) is not None


def unit_span(
    text: str, spans: list[tuple[int, int]], i: int, wanted: str | None, second: frozenset[str] = frozenset()
) -> tuple[int, int]:
    """The span to quote for sentence i of a passage (spans: its sentences, in order): the sentence itself, or
    widened back over the sentence a pronoun leading it refers to, on over the list its lead-in opens, the line
    under a heading, the figures of a table row its label leads, the next sentence holding what was asked or what
    the question's second part asks (second: its stems the first part lacks; "… 1,009 women …" / "The reported
    cases represented a 68 per cent increase compared with the previous year"), or else the next sentence when a
    pronoun leading it refers to this one."""
    # a pronoun's sentence is led by the one it refers to (first = 1); what follows is judged after the pronoun's
    first = int(i > 0 and refers_back(text[spans[i][0] : spans[i][1]]) and spans[i][1] - spans[i - 1][0] <= MAX_UNIT_CHARS)
    i -= first
    start = spans[i][0]
    unit = text[spans[i + first][0] : spans[i + first][1]]
    following = [text[s:e] for s, e in spans[i + first + 1 :]]
    take = 0
    if is_lead_in(unit):
        take = max(1, next((n for n, f in enumerate(following) if not is_list_item(f)), len(following)))
    elif _CAPTION.match(unit):  # a figure's or table's caption, with the labels and figures under it up to the next statement
        take = next((n for n, f in enumerate(following) if is_statement(f) or _PARAGRAPH_NUMBER.fullmatch(f)), len(following))
    elif is_heading(unit):
        take = 1
    elif following and not _END_MARK.search(unit.rstrip()) and is_table_row(following[0]) and not is_table_row(unit):
        take = 1  # a row's label, its figures on the next line ("Convention against Torture" / "1 year 4 years")
    elif following and (_carries(unit, following[0], wanted) or _answers_second(unit, following[0], second)):
        take = 1
    take = min(take, len(following)) + first
    if take == first and following and refers_back(following[0]):
        take += 1  # the next sentence goes on about what this one names ("… Division provides …" / "It is based in …")
    while take > first and spans[i + take][1] - start > MAX_UNIT_CHARS:
        take -= 1
    end = spans[i + take][1]
    if wanted == "quantity" and i + take + 1 < len(spans) and (cell := _LAST_CELL.match(text, spans[i + take + 1][0])):
        end = cell.end()  # a table row's last column, its figure, came out on the line after the row's text
    return start, end
