"""Answer units: lead-ins with their items, headings with their line, the sentence that carries what was asked."""

from __future__ import annotations

import pytest

from rag.answering.units import MAX_UNIT_CHARS, answer_type, answers_type, dateline_end, holds, is_heading, quotable, unit_span
from rag.text import sentence_spans


def quoted(text: str, i: int, wanted: str | None = None, second: frozenset[str] = frozenset()) -> str:
    spans = sentence_spans(text)
    start, end = unit_span(text, spans, i, wanted, second)
    return text[start:end]


def test_a_lead_in_is_quoted_with_its_items_and_nothing_after():
    text = "Article 2 lists the prohibited grounds:\n(a) race or colour;\n(b) religion;\n(c) national origin.\nThe list is open."
    assert quoted(text, 0) == "Article 2 lists the prohibited grounds:\n(a) race or colour;\n(b) religion;\n(c) national origin."
    bare = "Человек считается политзаключенным, если:\nон лишен свободы по политическим мотивам.\nДругое предложение."
    assert quoted(bare, 0) == "Человек считается политзаключенным, если:\nон лишен свободы по политическим мотивам."


def test_a_heading_or_term_takes_the_line_under_it():
    text = "Review procedure\n\nA procedure by which a treaty body considers a country without its report. It began in 1991."
    assert quoted(text, 0) == "Review procedure\n\nA procedure by which a treaty body considers a country without its report."
    assert is_heading("Human Rights Treaties Division") and not is_heading("It has 14 members.") and not is_heading("• an item")
    assert is_heading("*2506556*\nConflict-related sexual violence\nReport of the Secretary-General")  # a title block
    assert not is_heading("A sentence that wraps onto a second line of the printed page\nand goes on without a stop")  # a long first line


def test_the_next_sentence_is_added_when_it_carries_the_quantity_or_date_asked_for():
    text = "The Committee on Migrant Workers monitors the Convention. It has 14 members. Sessions are held in Geneva."
    assert quoted(text, 0, "quantity") == "The Committee on Migrant Workers monitors the Convention. It has 14 members."
    assert quoted(text, 1, "quantity") == "The Committee on Migrant Workers monitors the Convention. It has 14 members."
    text = "The Committee on Migrant Workers monitors the Convention. Members serve four years. Sessions are held in Geneva."
    assert quoted(text, 0, "duration") == "The Committee on Migrant Workers monitors the Convention. Members serve four years."
    assert quoted(text, 0, "quantity") == "The Committee on Migrant Workers monitors the Convention."  # four years count no one
    assert quoted(text, 0, None) == "The Committee on Migrant Workers monitors the Convention."
    assert quoted(text, 1, "duration") == "Members serve four years."  # already holds a figure
    assert quoted("The review procedure was first adopted by one committee. In March 1991.", 0, "date").endswith("1991.")
    # a day told from the last one's is a date of its own too
    fire = "On 13 February, gangs set fire to the General Hospital. On the same day, another gang killed 21 people in a town."
    assert quoted(fire, 0, "quantity").endswith("General Hospital.")
    assert quoted("Полиция задержала активистов. На следующий день суд арестовал 12 человек.", 0, "quantity").endswith("активистов.")


def test_a_sentence_or_punishment_asked_for_must_be_written_and_is_not_taken_from_the_next_sentence():
    assert answer_type("What sentence did Sergei Titarenko receive?") == answer_type("Какое наказание понес омоновец?") == "penalty"
    assert answer_type("За что обвинили Староверова и какой приговор он получил?") == "penalty"
    assert answer_type("К чему приговорили активиста?") == "penalty"
    assert answer_type("What prison sentence did the court give him?") == "duration"  # a term asked as such
    assert answer_type("What sanctions did the Security Council impose on the gang leaders?") != "penalty"  # a travel ban
    assert holds("Он был приговорен к трем годам лишения свободы условно.", "penalty")
    assert holds("The court fined him 5,000 euros.", "penalty") and holds("Суд назначил штраф.", "penalty")
    assert not holds("Под стражей находятся Дарья Полюдова и Сергей Титаренко.", "penalty")  # held, not sentenced
    assert not holds("Аресты активистов в Краснодаре продолжаются.", "penalty")  # arrests are no sentence
    assert not answers_type("The riot policeman seriously injured an activist.", "penalty")
    told = "The riot policeman seriously injured an activist. In the end, Staroverov was sentenced to three years."
    assert quoted(told, 0, "penalty").endswith("an activist.")  # another man's sentence
    assert quoted("Pavlov was tried in May. He was sentenced to three years.", 0, "penalty").endswith("three years.")


def test_a_question_after_a_statement_is_typed_by_its_asking_sentence():
    from rag.answering.units import asking_sentence

    assert answer_type("По делу о марше обвиняемых пятеро. Кто из них уехал из России?") == "person"
    assert answer_type("The annex says signing creates no obligation. How many States signed it?") == "quantity"
    assert asking_sentence("How many people did Mr. Kiir remove?") == "How many people did Mr. Kiir remove?"
    assert asking_sentence("Fact Sheet No. 30 lists treaties. Which U.S. Army unit left?") == "Which U.S. Army unit left?"
    assert answer_type("In 2023 deaths rose. Which judge ruled? And how many died?") == "person"  # both parts asked
    assert asking_sentence("A bill set up a Commission for Truth and Reconciliation. When did Parliament pass it?") == (
        "When did Parliament pass it?"
    )
    assert asking_sentence("Shares of Apple Corp. rose. How many?") == "How many?"
    assert answer_type("Which force or group carried out that attack?") == "entity"
    assert answer_type("Which specialized unit of the Haitian National Police arrested the farmers?") == "entity"
    assert answer_type("What force causes objects to fall?") is None  # a force of physics, named in lower case


def test_a_sentence_led_by_a_pronoun_is_quoted_with_the_one_it_refers_to():
    entry = "Human Rights Treaties Division\nWithin OHCHR, the Division supports the treaty bodies. It is based in Palais Wilson, Geneva."
    assert quoted(entry, 0) == entry  # the pronoun's sentence follows the one it refers to (a glossary entry here)
    assert quoted(entry, 1) == entry  # and takes it along when it is the one chosen
    russian = "Юрист Виталий Черкасов изучил такие случаи. Он опубликовал исследование в 2014 году. Другая тема."
    assert quoted(russian, 1) == "Юрист Виталий Черкасов изучил такие случаи. Он опубликовал исследование в 2014 году."
    assert quoted("Item one is done. Itemised lists follow.", 0) == "Item one is done."  # "Itemised" is no pronoun


def test_a_table_rows_label_is_quoted_with_its_figures():
    table = (
        "Treaty Initial report within Periodic reports every\nConvention against Torture\n1 year 4 years\n"
        "Convention on the Rights of the Child 2 years 5 years"
    )
    spans = sentence_spans(table)
    label = next(i for i, (s, e) in enumerate(spans) if table[s:e].endswith("Torture"))
    start, end = unit_span(table, spans, label, None)
    assert table[start:end].endswith("Convention against Torture\n1 year 4 years")


def test_a_table_rows_count_printed_on_the_line_after_it_is_quoted_for_a_quantity():
    table = (
        "Date Incident Number\n3 February 2024 Interdiction near Fort Pierce Inlet, Florida.\n33\n27 September 2024\n"
        "Interdiction of a vessel 60 miles south of the Islands.\n182\n12 October 2024 Interdiction of a sailboat.\n31. Next paragraph."
    )
    spans = sentence_spans(table)
    row = next(i for i, (s, e) in enumerate(spans) if table[s:e].startswith("Interdiction of a vessel"))
    start, end = unit_span(table, spans, row, "quantity")
    assert table[start:end] == "Interdiction of a vessel 60 miles south of the Islands.\n182"
    start, end = unit_span(table, spans, row, None)  # asked no quantity, the row's text alone
    assert table[start:end] == "Interdiction of a vessel 60 miles south of the Islands."
    last = next(i for i, (s, e) in enumerate(spans) if table[s:e].endswith("sailboat."))
    start, end = unit_span(table, spans, last, "quantity")
    assert table[start:end].endswith("sailboat.")  # "31." numbers a paragraph: no row's figure


def test_a_figures_caption_is_quoted_with_the_labels_and_figures_under_it():
    page = (
        "UNMISS also verified the military use of two schools.\nFigure II\nViolations against children by State and type\n"
        "Source: UNMISS Human Rights Division.\n6\n2\n5\n2 3\n39\n18\nJonglei\nLakes\nAbduction Attack on hospitals\n"
        "Military use of schools Killing and maiming\n72.\nIn addition, 15 incidents of attacks on hospitals and schools were recorded."
    )
    spans = sentence_spans(page)
    caption = next(i for i, (s, e) in enumerate(spans) if page[s:e].startswith("Figure II"))
    start, end = unit_span(page, spans, caption, None)
    assert page[start:end].startswith("Figure II") and page[start:end].endswith("Military use of schools Killing and maiming")
    table = "Table 2 Cases by year\n2013 2014\n5 7\n3.\nThe cases rose in 2014 as the courts reopened."
    assert table[: unit_span(table, sentence_spans(table), 0, None)[1]] == "Table 2 Cases by year\n2013 2014\n5 7"


def test_a_widened_quote_stays_within_its_bound():
    items = "\n".join(f"- item {i} " + "word " * 30 for i in range(40))
    text = f"The following were recorded:\n{items}"
    assert MAX_UNIT_CHARS - 200 < len(quoted(text, 0)) <= MAX_UNIT_CHARS


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many members does the Committee have?", "quantity"),
        ("According to the report, how much money was raised?", "money"),
        ("What annual budget was approved for 2025?", "money"),
        ("Сколько денег получил фонд?", "money"),
        ("Сколько человек было задержано в 2022 году?", "quantity"),
        ("What increase in sexual violence did the agency report for 2022?", "quantity"),  # a rise is a figure
        ("Какой рост числа задержаний зафиксирован?", "quantity"),
        ("How much land did the service clear in 2025?", "area"),
        ("What fine did the court impose on him?", "money"),
        ("What was the combined budget, in US dollars, of the six projects?", "money"),
        ("What was the total cost of the programme?", "money"),
        ("Сколько, в рублях, составил ущерб?", "money"),
        ("What tonnage of elvers did Haiti export?", "quantity"),
        ("What prison sentence did the court hand down to the former President?", "duration"),
        ("What sentence did the court impose?", "penalty"),  # a fine, death or a term: any sentence passed
        ("К какому штрафу был приговорен активист?", "money"),
        ("How large is a country report task force?", "quantity"),
        ("What area was flooded?", "area"),
        ("What percentage of government posts did women hold?", "percent"),
        ("Какая доля задержанных была освобождена?", "percent"),
        ("How many years did the trial last?", "duration"),
        ("Which judge presided over the ruling of 19 February 2025?", "person"),
        ("Whom did the President appoint as the new Chief Justice?", "person"),
        ("Who heads the field mission?", "person"),
        ("Кто руководит Крымской полевой миссией?", "person"),
        ("Who was the first to arrive?", None),
        ("What death toll did the organisation give?", "quantity"),
        ("How much did the national budget allocate to the Commission?", "money"),
        ("Какую сумму фонд выделил на подготовку доклада?", "money"),
        ("How old was he when he won?", "quantity"),  # an age is often a bare figure ("at 39")
        ("Which armed group was responsible for the attack?", "entity"),
        ("В каком клубе должен был пройти концерт?", "entity"),
        ("What group of scientists measures oxygen?", None),  # answered by a common noun as often as by a name
        ("Какой судья вынес приговор?", "person"),
        ("What are the names of the three Hamas political and military commanders the Prosecutor sought?", "person"),
        ("Как зовут ключевого свидетеля обвинения?", "person"),
        ("Which United Nations entity employed the contractor?", "entity"),
        ("What annual export quota for glass eels has the Dominican Republic set?", "quantity"),
        ("What troop strength did the mission report?", "quantity"),
        ("Кто был осужден за убийство редактора газеты?", "person"),
        ("Who was sentenced for the attack?", "person"),
        ("Кто задержал активистов?", None),  # the police, a body, as often as a person
        ("What are longer growth spells associated with?", None),  # "growth" after a verb asks for no figure
        ("What is the name of the gang that attacked the port?", "entity"),
        ("What act sets the term to which individuals must adhere?", None),  # "which individuals" inside asks nothing
        ("К какому сроку суд приговорил активиста?", "duration"),
        ("На какой срок его лишили свободы?", "duration"),
        ("In what area of the colony were land grants made?", None),  # a region, not a size
        ("Сколько земли было разминировано?", "area"),
        ("When was the report published?", "date"),
        ("In which year did the review procedure start?", "date"),
        ("В каком году был принят закон?", "date"),
        ("Who wrote the report?", None),
        ("Что означает статья 354.1?", "definition"),
        ("Как в докладе расшифровывается статья 165 УК РФ?", "definition"),
        ("How does the report define 'conflict-related sexual violence'?", "definition"),
        ("What is meant by a review procedure?", "definition"),
        ("What do the authors mean by political motive?", "definition"),
        ("Что авторы доклада понимают под политическим мотивом?", "definition"),
        ("What does the term elvers mean?", "definition"),
        ("Where is the Division based?", None),
        ("What are cilia used for?", None),  # what for, not what cilia are
        ("What theorem defines the main role of primes?", None),
        ("Are the broadcasts in high definition?", None),
        # who holds a post the question names, in whatever words it names it
        ("Who is the Chairperson of the National Elections Commission?", "person"),
        ("What was the name of the South Sudan People’s Defence Forces general who was killed?", "person"),
        ("Which Haitian public prosecutor carried out executions?", "person"),
        ("Кого из членов движения задерживали сотрудники полиции?", "person"),
        ("Who is the General Manager for the Broncos?", None),  # a general before a capital is a title or a body
        ("What did the General Assembly decide?", None),
    ],
)
def test_answer_types_in_english_and_russian(question, kind):
    assert answer_type(question) == kind


def test_holds_the_wanted_type():
    assert holds("It has 14 members.", "quantity") and not holds("It has many members.", "quantity")
    # "thousands of refugees" counts nobody; "two thousand" and "a million" do
    assert not holds("As thousands of refugees fled, monitors were deployed.", "quantity")
    assert holds("two thousand refugees", "quantity") and holds("a million people", "quantity")
    assert holds("В него трижды выстрелили из травматического оружия.", "quantity")  # how many times: a count in a word
    assert not holds("Licensed under Creative Commons Attribution 3.0 Unported License.", "quantity")  # a licence's version
    assert holds("в феврале прошлого года", "date") and holds("in 2014", "date") and not holds("in the spring", "date")
    assert holds("anything", None)
    # a footnote's own number leading it, before a capital or a quoted term, counts nothing
    assert not holds("63 “Elvers” are young eels, especially those migrating upriver.", "quantity")
    assert not holds("12 See the annex on migration.", "quantity") and holds("12 people were killed.", "quantity")
    # a reference's date in figures counts nothing either
    assert not holds("Фигурант дела заявил об избиении ↩\nhttp://example.ru/news.html\n«Русская планета», 01.10.2013\n52.", "quantity")


def test_an_area_is_a_figure_with_its_unit():
    assert holds("the clearance of 1,281,249 square metres of land", "area") and holds("разминировано 300 кв. м", "area")
    assert holds("12 hectares were flooded", "area") and holds("40 km² of forest", "area")
    assert not holds("patrols were escorted for 1,294 km", "area")  # a length is no area
    assert not holds("square metres of land were cleared", "area")  # no figure
    assert answers_type("The service escorted patrols for 1,294 km.", "area") is False


def test_a_share_is_a_percentage_or_a_fraction():
    assert holds("women's representation reached 20 per cent", "percent") and holds("35% of the posts", "percent")
    assert holds("two thirds of the detainees", "percent") and holds("половина задержанных", "percent")
    # a count of women trained is no share of posts held by women
    assert not answers_type("UNMISS trained 43 military police (5 women) on prison management.", "percent")


def test_a_date_asked_for_needs_some_word_placing_a_time():
    launched = "Jimmy Chérizier, the most vocal leader of the alliance, has even launched the Viv Ansanm political party."
    assert not answers_type(launched, "date")  # it happened, but the sentence says nothing of when
    assert not answers_type(launched.replace("Jimmy Chérizier,", "Jimmy Chérizier (HTi.001),"), "date")  # an identifier's figures
    assert not answers_type("Сутугу приговорили к трем годам и одному месяцу лишения свободы.", "date")  # how long, not when
    assert not answers_type("Поводом могла стать его поездка на Майдан.", "date")  # "Майдан" is no May
    assert not answers_type("An attorney may seek changes in the law.", "date") and answers_type("It was signed in May.", "date")
    assert answers_type("Initial report within 1 year; periodic reports every 2 years", "date")  # when a report is due
    for told in ("He launched it in the 1960s.", "It fell during the Cretaceous.", "After the war the party was launched.",
                 "Партию создали вскоре после выборов.", "He was released on Tuesday."):
        assert answers_type(told, "date"), told


def test_ages_count_no_one():
    ukraine = "In 2024, the Commission found that occupying forces committed rape against women and girls between the ages of 15 to 83."
    assert not answers_type(ukraine, "quantity") and not answers_type("a 22-year-old student was killed", "quantity")
    assert answers_type("UNMISS verified 31 incidents affecting 74 survivors ranging in age from 10 to 70 years.", "quantity")
    assert not answers_type("Three years after the 2022 invasion, reports indicated systematic torture.", "quantity")  # a year


def test_a_type_is_read_across_a_line_break():
    assert holds("He was ordered to do community\nservice.", "penalty")  # as a PDF's lines run
    # being placed under house arrest awaits a trial: it is no sentence (one sentenced to it is "sentenced")
    assert not holds("Депутат Янкаускас помещен под домашний арест.", "penalty") and not holds("placed under house arrest", "penalty")
    assert holds("Он был оштрафован на 10 000\nрублей.", "penalty") and not holds("He was placed under\nguard.", "penalty")


def test_a_person_asked_for_is_a_name_not_an_institution():
    ruling = "On 19 February 2025, the Appeals Court ruled that the Court of First Instance did not have the power to summon them."
    assert not answers_type(ruling, "person")  # courts and a date, no one who presided
    assert answers_type("Judge Morin presided over the hearing.", "person")
    assert not answers_type("The President also removed and replaced the Chief Justice and the Central Bank Governor.", "person")  # posts
    assert answers_type("The then Prime Minister, Garry Conille, disagreed.", "person")
    assert answers_type("Ярослав Белоусов был осужден.", "person") and not answers_type("Верховный суд отменил решение.", "person")
    # "Secretary-General" is a post, "General Assembly" a body (its "General" no title before a name)
    assert not answers_type("The General Assembly established the post of Special Representative of the Secretary-General.", "person")
    # what a ministry or an authority is of is no one's name either
    ministry = "The Ministry of Agriculture, Natural Resources and Rural Development (MARNDR) issues export licenses."
    assert not answers_type(ministry, "person")
    assert not answers_type("the Deputy Executive Secretary of the Intergovernmental Authority on Development visited Juba.", "person")


def test_a_question_asking_who_held_a_post_wants_a_person():
    for question in (
        "Who was the IGAD deputy executive secretary who came to Juba on 5-6 May 2025?",
        "Which deputy governor signed the order?",
        "Who was the special representative in 2024?",
        "Who was the 22-year-old student killed by a stray bullet?",
        "What is the name of the Women's Protection Adviser newly deployed to BINUH?",
    ):
        assert answer_type(question) == "person", question


def test_a_person_asked_for_is_one_the_question_does_not_name():
    from rag.answering.units import names_another
    from rag.text import tokenize

    asked = frozenset(tokenize("Whom did Salva Kiir appoint as Vice-President for the Economic Cluster?"))
    assert not names_another("Salva Kiir appointed a new Vice-President for the Economic Cluster.", asked, "person")
    assert names_another("Salva Kiir appointed Benjamin Bol Mel as Vice-President.", asked, "person")
    assert names_another("The President appointed Judge Morin.", asked, "person")
    asked = frozenset(tokenize("Как зовут свидетеля, который опознал Даниила Константинова?"))
    assert not names_another("Свидетель опознал Даниила Константинова по фотографиям.", asked, "person")
    asked = frozenset(tokenize("What was the name of the leader ennobled by Henry III?"))  # one word, set off after the post
    assert names_another("Emperor Henry III ennobled the Hauteville leader, Drogo, as duke.", asked, "person")
    assert names_another("A Norman named Oursel led a force of Franks into the valley.", frozenset(), "person")


def test_a_post_the_question_names_must_be_held_by_a_name_beside_it():
    from rag.answering.units import names_another, post_asked
    from rag.text import tokenize

    question = "Who is the Chairperson of the National Elections Commission who met the President on 8 May?"
    asked, post = frozenset(tokenize(question)), post_asked(question)
    # the chair is written unnamed; the one name stands with another post, far from it
    met = (
        "On 8 May, the Chairperson of the National Elections Commission met with the President, and later with the "
        "Vice-President for the Economic Cluster, Benjamin Bol Mel, to discuss urgent issues."
    )
    assert not names_another(met, asked, "person", post) and names_another(met, asked, "person")
    assert names_another("The Chairperson of the Commission, Abednego Akok Kacuol, met the President.", asked, "person", post)
    question = "What is the name of the Counter-Ambush Team officer arrested on 31 October 2024?"
    asked, post = frozenset(tokenize(question)), post_asked(question)
    arrested = "On 31 October 2024, an officer from the Counter-Ambush Team (based at the Presidential Palace) was arrested."
    assert not names_another(arrested, asked, "person", post)  # a palace is no person
    # a name before the post holds it; a quote not writing the post may name its holder in other words ("led")
    question = "Which Haitian public prosecutor carried out extrajudicial executions?"
    asked, post = frozenset(tokenize(question)), post_asked(question)
    assert names_another("Jean Ernest Muscadin, the Public Prosecutor of Miragoâne, committed six executions.", asked, "person", post)
    question = "Who was the leader when the Franks entered the Euphrates valley?"
    led = "A Norman named Oursel led a force of Franks into the upper Euphrates valley."
    assert names_another(led, frozenset(tokenize(question)), "person", post_asked(question))
    assert post_asked("Какой судья вынес приговор?") and post_asked("Who heads the mission?") == ""
    # "what was the name of the minister", in Russian: the post follows the question's words
    question = "Как звали министра здравоохранения, которого сняли с должности после нападения на больницу?"
    assert post_asked(question) == "министр" and post_asked("Как зовут троих арестованных?") == ""
    dismissed = (
        "После нападения на больницу министр здравоохранения был снят с должности; об этом на следующий день в своём "
        "выступлении перед журналистами в столице рассказал представитель правительства Иван Петров."
    )
    assert not names_another(dismissed, frozenset(tokenize(question)), "person", post_asked(question))
    assert names_another("Министр здравоохранения Анна Дюпон была снята с должности.", frozenset(tokenize(question)), "person", "министр")
    # the names of the soldiers killed are people's; the question's own man, spelt in Cyrillic, is no other person
    assert answer_type("What were the names of the two off-duty soldiers killed in the attack?") == "person"
    question = "In the case against filmmaker Oleg Sentsov, which defendant had already been sentenced?"
    told = "Наибольший резонанс получило дело против кинорежиссера Олега Сенцова, по которому проходят восемь человек."
    assert not names_another(told, frozenset(tokenize(question)), "person", post_asked(question))


def test_the_next_sentence_answering_the_questions_second_part_goes_with_the_unit():
    from rag.answering.constraints import second_part

    text = ("In 2024, the Unit recorded cases of sexual violence that affected 1,009 women and 73 men. "
            "The reported cases represented a 68 per cent increase compared with the previous year. "
            "Most occurred in Antioquia.")
    second = second_part("How many women did the Unit record in 2024, and how did the number of reported cases compare with the year before?")
    assert second == {"number", "report", "case", "compar", "year"}
    assert quoted(text, 0, "quantity", second).endswith("compared with the previous year.")
    assert quoted(text, 0, "quantity").endswith("1,009 women and 73 men.")  # a question in one part: the sentence alone
    assert second_part("Which law, which was adopted in 2012, bans it?") == frozenset()  # a clause, no second question
    assert second_part("За что обвинили Староверова и какой приговор он получил?") == {"приговор", "получ"}


def test_a_name_in_the_next_sentence_is_not_taken_for_the_person_asked_about():
    text = "The material was collected by the Crimean Field Mission. The case of Oleg Sentsov drew the most attention."
    assert quoted(text, 0, "person") == "The material was collected by the Crimean Field Mission."
    assert quoted(text, 0, "quantity") == "The material was collected by the Crimean Field Mission."


def test_a_body_or_place_asked_for_is_a_name_the_question_does_not_give():
    from rag.answering.units import names_another
    from rag.text import tokenize

    asked = frozenset(tokenize("Which armed group shot dead the two United Nations contracted staff on the Bor-Pibor Road on 4 April?"))
    told = "Of note, on 4 April, along the Bor-Pibor Road, armed perpetrators attacked, and two United Nations staff were shot dead."
    assert not names_another(told, asked)  # only the road, the month and the United Nations the question names
    assert names_another("On 4 April, SPLM/A-IO fighters shot dead two United Nations staff.", asked)
    assert names_another("Greenland signed a treaty in 1985.", frozenset(tokenize("Which country signed a treaty in 1985?")))


def test_the_kind_of_a_place_the_question_names_is_no_other_name():
    from rag.answering.units import names_another
    from rag.text import tokenize

    asked = frozenset(tokenize("Which armed group attacked the warehouse in Uror County, Jonglei, on 12 February?"))
    assert not names_another("On 12 February, unknown armed men attacked a warehouse in Uror County, Jonglei State.", asked)
    assert names_another("On 12 February, White Army fighters attacked a warehouse in Jonglei State.", asked)
    assert names_another("On 12 February, fighters attacked a warehouse in Jonglei. State forces came.", asked)


def test_the_next_sentence_opening_with_its_own_date_tells_of_another_event():
    text = "On 1 and 2 May, the opposition attacked Yaribe, where the forces suffered significant casualties. " \
        "Between 2 and 4 May, the opposition ambushed the forces in three incidents, killing at least two soldiers."
    assert quoted(text, 0, "quantity").endswith("significant casualties.")  # "1 and 2 May" counts nothing, and the
    assert not holds("On 1 and 2 May, the opposition attacked Yaribe.", "quantity")  # ambush of 2-4 May is another event
    assert not holds("с 23 по 25 марта задержали активистов", "quantity") and holds("On 1 and 2 May, 35 people were killed.", "quantity")
    assert quoted("The review procedure was first adopted by one committee. In March 1991.", 0, "date").endswith("1991.")


def test_a_sum_of_money_is_no_count_of_people_or_things():
    from rag.answering.constraints import parse, unmet
    from rag.answering.units import counts_things, only_money

    allowance = "The Government began disbursing a monthly allowance of approximately $100 to Yazidi survivors."
    assert only_money(allowance) and only_money("штраф в размере 25 000 рублей") and only_money("a fine of 5,000 euros")
    assert not only_money("US$ 2.5 million for 300 survivors") and not only_money("It has 14 members.")
    assert counts_things("How many Yazidi survivors receive the allowance?") and counts_things("Сколько езидских женщин пропали?")
    assert not counts_things("By how much did Harvard reduce its holdings?")  # answered in dollars
    assert not counts_things("Сколько рублей заплатил активист?") and not counts_things("Сколько стоил ремонт?")
    assert unmet(parse("How many Yazidi survivors receive the monthly allowance?"), allowance, allowance) == ["quantity"]
    assert unmet(parse("By how much did the allowance grow?"), allowance, allowance) == []


def test_a_span_of_time_is_no_count_but_answers_how_long():
    sentence = "В итоге Староверов был обвинен по статье 318 УК и приговорен к трем годам лишения свободы условно."
    assert not holds(sentence, "quantity") and holds(sentence, "duration")  # "how many sentences" is no "how long"
    assert not holds("The court must rule within 30 days.", "quantity") and holds("It lasted two and a half years.", "duration")
    assert holds("In the first three years, 35 people were sentenced.", "quantity")  # the 35 still counts
    # a term needs its unit of time: eight people accused, a date's "2014 года", are no term
    assert not holds("Дело Олега Сенцова, по которому проходят уже восемь человек (статья 205 УК).", "duration")
    assert not holds("В конце февраля 2014 года Колхидов был задержан.", "duration")
    assert holds("приговорен к семи годам колонии", "duration") and holds("sentenced to life imprisonment", "duration")


def test_holds_a_definition():
    assert holds("The term “conflict-related sexual violence”, as used in the present report, refers\nto rape.", "definition")
    assert holds("Статья 354.1 УК РФ: Реабилитация нацизма. ↩", "definition")  # a glossary's "Term: explanation"
    assert holds("Под политическими репрессиями понимается преследование по политическим мотивам.", "definition")
    assert not holds("The Committee held its first session in 2004.", "definition")
    # a colon inside a wrapped sentence is no glossary term
    assert not holds("The Secretary-General issued studies and the \nGeneral Assembly established two mechanisms: the Special", "definition")


@pytest.mark.parametrize(
    "text",
    [
        "Many survivors sought care after the attacks.\n31.",  # a paragraph number
        "35 See www.unicef.org/press-releases/displaced-2024.",  # a footnote and its address
        "The Panel continues its investigation into key actors.36",  # a footnote mark
        "The Convention (art. 47) and resolution 2467 (2019) provide for it.",
        "See S/2025/504 for the previous report.",
        "In November 2025 civilians were killed in Jonglei.",  # a date
        "Статья 212.1 УК предусматривает наказание.",
        "Одного и того же человека могли преследовать по разным делам.",  # "one and the same"
    ],
)
def test_figures_that_count_nothing_are_no_quantity(text):
    assert not holds(text, "quantity")


def test_a_money_answer_names_a_currency():
    assert holds("The budget was $7.2 million.", "money") and holds("25 000 рублей", "money")
    assert not holds("The network supported 60 joint projects.", "money")
    assert holds("The network supported 60 joint projects.", "quantity")


def test_what_a_quote_must_hold_to_answer():
    assert not answers_type("A Lama is reborn, often many times.", "quantity")  # "many" does not say how many
    assert answers_type("None of the original treaties mention it.", "quantity")
    assert not answers_type("35 See www.unicef.org/press-releases/2024.", "quantity")
    assert answers_type("It happened in the 1960s.", "date") and answers_type("After the war.", "date")
    assert not answers_type("The network supported 60 joint projects.", "money")
    assert answers_type("anything", None)


@pytest.mark.parametrize(
    ("quote", "rest"),
    [
        ("22 Dec. INTERFAX.RU — Police detained twelve journalists in Minsk.", "Police detained"),
        ("MOSCOW, Dec 22 (Reuters) - The court sentenced the activist to five years.", "The court"),
        ("5 марта — Суд приговорил журналиста к пяти годам колонии.", "Суд приговорил"),
        ("UNHCR – the UN refugee agency – said that 3 million people fled.", "UNHCR"),  # the subject, not a dateline
        ("In 2023 – the worst year – 40 people died in custody, the report says.", "In 2023"),
    ],
)
def test_a_news_dateline_is_not_part_of_the_quote(quote, rest):
    assert quote[dateline_end(quote) :].startswith(rest)


def test_a_heading_left_alone_is_no_quote():
    assert not quotable("Belarus political prisoners") and not quotable("Human Rights Treaties Division\n")
    assert quotable("It has 14 members.") and quotable("Term\nThe definition that follows it.")
    assert not quotable("*2511938*\nSituation in South Sudan\nReport of the Secretary-General\nI. Introduction\n1.")  # no data
    assert quotable("Detained in 2024: 312")


def test_a_label_with_a_colon_or_a_quoted_term_is_read_right():
    assert not holds("Annex 12: Trends in the elvers sector in Haiti", "definition")
    assert not holds("Source: UNMISS Human Rights Division.", "definition")
    assert holds("63 “Elvers” are young eels (also known as glass eels).", "definition")
    assert answer_type("What are elvers, whose trade the Panel investigated?") == "definition"
    assert answer_type("What is the population of the largest city of Haiti?") is None  # more than a term follows


def test_the_term_a_definition_question_asks_about():
    from rag.answering.units import defined_term

    assert defined_term("What are elvers, whose trade the Panel investigated?") == "elvers"
    assert defined_term("How does the report define 'conflict-related sexual violence'?") == "'conflict-related sexual violence'"
    assert defined_term("Что означает статья 354.1 УК РФ, упомянутая в докладе?") == "статья 354.1 УК РФ"
    assert defined_term("What does NAURMAL stand for?") == "NAURMAL"
    assert defined_term("What does the report mean by a review procedure?") == "a review procedure"  # not "the report"
    assert defined_term("Что авторы доклада понимают под политическим мотивом?") == "политическим мотивом"
    assert defined_term("Who wrote the report?") == ""


def test_a_time_ago_is_no_term_and_a_figure_the_question_gives_is_no_answer():
    from rag.answering.units import figures_given, only_given

    assert not holds("в розыске за преступление, совершенное 9 лет назад.", "duration")
    assert not holds("He left two years ago.", "duration") and holds("He was sentenced to two years.", "duration")
    given = figures_given("Сколько из 18 пропавших без вести крымских татар были найдены мертвыми?")
    assert given == {"18"}
    assert only_given("В октябре 2014 года крымские татары говорили о 18 пропавших без вести.", given)  # the year is a date
    assert not only_given("Из 18 пропавших 3 были найдены мертвыми.", given)
    assert not only_given("Из 18 пропавших три были найдены мертвыми.", given)  # a figure in words is new
    # a small number in words is the same figure in figures, in either language
    six = figures_given("Of the six laboratory-confirmed mpox cases, how many were in Malakal?")
    assert six == {"6"} and only_given("As at 20 March, six laboratory-confirmed cases had been identified in Juba and Malakal.", six)
    assert not only_given("Of the six cases, two were in Malakal.", six) and figures_given("Сколько из шести дел") == {"6"}
    assert not only_given("It has 18 members.", frozenset())  # a question giving no figure
    # a figure's thousands are no footnote mark after a comma
    given = figures_given("Of the 18,741 cases registered by September 2024, how many involved sexual violence?")
    assert given == {"18741"} and only_given("The Committee had registered 18,741 cases.", given)
