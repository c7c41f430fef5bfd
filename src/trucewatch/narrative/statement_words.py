"""Words of the parties' statements and of news text in English, Ukrainian and Russian:
numbers, months, who speaks, who is accused, what was counted, weapons and targets, denials.

Plain data and small pure functions for :mod:`trucewatch.narrative.statements`. Patterns are
matched on text normalized by :func:`normalize_statement` (one apostrophe, no non-breaking
spaces), case-insensitively unless said otherwise.
"""

from __future__ import annotations

import re

from trucewatch.narrative.lexicon import words_to_int

__all__ = [
    "ACCORDING",
    "ACCUSE",
    "AGENTS",
    "BARE_AGENTS",
    "BARE_SPEAKERS",
    "BY_AGENT",
    "CALIBRES",
    "CALIBRE_RE",
    "COUNT_NOUNS",
    "DEFENCE",
    "DENIAL",
    "LANGUAGES",
    "MONTHS",
    "MONTH_RE",
    "MUNITIONS",
    "NEGATED",
    "NUMBER",
    "QUALIFIER",
    "SAY",
    "SPEAKERS",
    "STRIKE",
    "TARGETS",
    "TIMES_VERBS",
    "TRUCE_WORDS",
    "VIOLATE",
    "WEAPONS",
    "normalize_statement",
    "number_value",
]

LANGUAGES = ("en", "uk", "ru")


def normalize_statement(text: str) -> str:
    """Text with one apostrophe ('), straight quotes and plain spaces; offsets unchanged
    (every replacement is one character for one)."""
    s = re.sub("[\u00a0\u202f\u2009\u2007]", " ", text)
    s = re.sub("[‘’ʼ`´]", "'", s)
    return re.sub("[“”„«»]", '"', s)


# --------------------------------------------------------------------------- numbers

_UK_UNITS = {
    "один": 1, "одна": 1, "одне": 1, "одного": 1, "одну": 1, "два": 2, "дві": 2, "двох": 2,
    "три": 3, "трьох": 3, "чотири": 4, "чотирьох": 4, "п'ять": 5, "шість": 6, "сім": 7,
    "вісім": 8, "дев'ять": 9, "десять": 10, "одинадцять": 11, "дванадцять": 12,
    "тринадцять": 13, "чотирнадцять": 14, "п'ятнадцять": 15, "шістнадцять": 16,
    "сімнадцять": 17, "вісімнадцять": 18, "дев'ятнадцять": 19, "двадцять": 20,
    "тридцять": 30, "сорок": 40, "п'ятдесят": 50, "шістдесят": 60, "сімдесят": 70,
    "вісімдесят": 80, "дев'яносто": 90, "сто": 100, "двісті": 200, "триста": 300,
    "чотириста": 400, "п'ятсот": 500, "шістсот": 600, "сімсот": 700, "вісімсот": 800,
    "дев'ятсот": 900, "п'яти": 5, "шести": 6, "семи": 7, "восьми": 8, "дев'яти": 9,
    "десяти": 10, "двадцяти": 20, "тридцяти": 30, "сорока": 40, "ста": 100,
    "одним": 1, "однією": 1, "двома": 2, "трьома": 3, "чотирма": 4, "п'ятьма": 5,
    "шістьма": 6, "сімома": 7, "вісьмома": 8, "дев'ятьма": 9, "десятьма": 10,
}  # fmt: skip
_RU_UNITS = {
    "один": 1, "одна": 1, "одно": 1, "одного": 1, "одну": 1, "два": 2, "две": 2, "двух": 2,
    "три": 3, "трех": 3, "трёх": 3, "четыре": 4, "четырех": 4, "четырёх": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11,
    "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15,
    "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60,
    "семьдесят": 70, "восемьдесят": 80, "девяносто": 90, "сто": 100, "двести": 200,
    "триста": 300, "четыреста": 400, "пятьсот": 500, "шестьсот": 600, "семьсот": 700,
    "восемьсот": 800, "девятьсот": 900, "пяти": 5, "шести": 6, "семи": 7, "восьми": 8,
    "девяти": 9, "десяти": 10, "двадцати": 20, "тридцати": 30, "сорока": 40, "ста": 100,
    "одним": 1, "одной": 1, "двумя": 2, "тремя": 3, "четырьмя": 4, "пятью": 5, "шестью": 6,
    "семью": 7, "восемью": 8, "девятью": 9, "десятью": 10,
}  # fmt: skip
_THOUSAND = r"(?:thousand|тисяч[аіи]?|тис\.|тыс(?:яч[аи]?)?\.?)"
_HALF = {"півтори": 1.5, "полторы": 1.5, "полтора": 1.5}
_CYR_WORDS = sorted({*_UK_UNITS, *_RU_UNITS, *_HALF}, key=len, reverse=True)
_CYR_WORD_RE = r"(?:" + "|".join(re.escape(w) for w in _CYR_WORDS) + r")"
_EN_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|a\s+hundred|a\s+thousand)"
)
_DIGITS = r"\d{1,3}(?:[ ,.]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
NUMBER = (
    rf"(?:(?:{_DIGITS})(?:\s*{_THOUSAND})?(?:\s+(?:and\s+)?\d{{1,3}}(?!\d|[:.]\d))?"
    rf"|{_EN_WORD}(?:[\s-]+(?:and\s+)?{_EN_WORD})*"
    rf"|{_CYR_WORD_RE}(?:\s+(?:{_CYR_WORD_RE}|{_THOUSAND}))*)"
)
"""A count in digits ("2,935", "2 935", "4.900", "4,9 тис.", "2 тисячі 935") or words
("two thousand", "дві тисячі", "сто двадцять", "полторы тысячи")."""

QUALIFIER = {
    "at least": (
        r"more\s+than|over|at\s+least|in\s+excess\s+of|upwards\s+of|понад|більше(?:\s+ніж)?"
        r"|більш\s+ніж|щонайменше|не\s+менше(?:\s+ніж)?|більш|более|свыше|больше|не\s+менее"
        r"|по\s+меньшей\s+мере"),
    "about": (
        r"about|around|approximately|some|roughly|nearly|almost|близько|майже|приблизно"
        r"|орієнтовно|около|почти|порядка|примерно"),
}  # fmt: skip
"""Words before a count: "at least" (a lower bound is kept as the count) or "about"."""


def number_value(text: str) -> int | None:
    """The value of a count (:data:`NUMBER`), ``None`` when it cannot be read."""
    s = text.strip().lower()
    s = re.sub(r"\s+", " ", s)
    m = re.fullmatch(rf"({_DIGITS})(?:\s*({_THOUSAND}))?(?:\s+(?:and\s+)?(\d{{1,3}}))?", s)
    if m:
        raw, scale, rest = m.group(1), m.group(2), m.group(3)
        if re.fullmatch(r"\d{1,3}(?:[ ,.]\d{3})+", raw):
            value = float(re.sub(r"[ ,.]", "", raw))
        else:
            value = float(raw.replace(",", "."))
        if scale:
            value *= 1000
            value += int(rest) if rest else 0
        elif rest:
            return None
        return round(value) if value == round(value) or scale else None
    if re.fullmatch(r"[a-z\s-]+", s):
        try:
            return words_to_int(s)
        except ValueError:
            return None
    total = 0.0
    current = 0.0
    for token in s.split():
        if token in _HALF:
            current += _HALF[token]
        elif re.fullmatch(_THOUSAND, token):
            total += max(current, 1) * 1000
            current = 0
        elif token in _UK_UNITS or token in _RU_UNITS:
            current += _UK_UNITS.get(token, _RU_UNITS.get(token, 0))
        elif re.fullmatch(r"\d+", token):
            current += int(token)
        else:
            return None
    return round(total + current)


# --------------------------------------------------------------------------- dates

MONTHS: dict[str, int] = {
    **{m: k for k, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"), start=1)},
    **{m: k for k, m in enumerate(
        ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
         "вересня", "жовтня", "листопада", "грудня"), start=1)},
    **{m: k for k, m in enumerate(
        ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
         "сентября", "октября", "ноября", "декабря"), start=1)},
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
"""Month names (English; Ukrainian and Russian in the genitive of dates) -> number."""
MONTH_RE = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"

# --------------------------------------------------------------------------- parties

SPEAKERS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (r"(?:Russian|Moscow)-(?:installed|appointed|backed)\s+[\w\s-]{0,40}?"
         r"(?:governor|authorities|officials?|head|administration|leader)", "RU"),
        (r"(?:Russia's|Russian|the\s+Russian)\s+(?:defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e"
         r"|military|army|general\s+staff|foreign\s+ministry|officials|authorities|side"
         r"|government|embassy|investigative\s+committee|state\s+media|media|propaganda)"
         r"|(?:the\s+)?Ministry\s+of\s+Defen[cs]e\s+of\s+(?:Russia|the\s+Russian\s+Federation)"
         r"|(?:the\s+)?Kremlin|Peskov|Putin|Lavrov|Zakharova|Shoigu|Gerasimov|Gladkov"
         r"|Khinshtein|Bogomaz|Saldo|Balitsky|Pushilin"
         r"|(?:Belgorod|Kursk|Bryansk)\s+(?:region(?:al)?\s+|oblast\s+)?(?:governor|authorities)",
         "RU"),
        (r"(?:Ukraine's|Ukrainian|the\s+Ukrainian)\s+(?:general\s+staff|defen[cs]e\s+ministry"
         r"|ministry\s+of\s+defen[cs]e|military|army|air\s+force|armed\s+forces|navy"
         r"|officials|authorities|side|government|president|foreign\s+ministry"
         r"|border\s+guards?|state\s+border\s+guard\s+service|national\s+police|police"
         r"|emergency\s+service|prosecutors?|general\s+prosecutor's\s+office)"
         r"|(?:the\s+)?General\s+Staff\s+of\s+(?:the\s+)?(?:Armed\s+Forces\s+of\s+)?Ukraine"
         r"|(?:the\s+)?Ministry\s+of\s+Defen[cs]e\s+of\s+Ukraine"
         r"|Zelensk(?:yy|iy|y|i)|Syrskyi|Sybiha|Yermak|Umerov|Shmyhal|Prokudin|Fedorov|Syniehubov"
         r"|Lysak|Vilkul|Filashkin|Kiper"
         r"|(?:Kherson|Kharkiv|Zaporizhzhia|Dnipropetrovsk|Sumy|Odesa|Mykolaiv|Donetsk|Chernihiv)"
         r"\s+(?:regional\s+|oblast\s+|military\s+|city\s+)*(?:governor|administration|head"
         r"|authorities|mayor)", "UA"),
    ),
    "uk": (
        (r"(?:Міноборони|Міністерств[оа]\s+оборони|Генштаб\w*|Генеральн\w+\s+штаб\w*)\s+"
         r"(?:Росії|РФ|Російської\s+Федерації|країни-агресора)"
         r"|російськ\w+\s+(?:Міноборони|міністерств\w+\s+оборони|військов\w+|влад\w+"
         r"|пропаганд\w+|сторон\w+|МЗС)"
         r"|Кремл\w*|Пєсков\w*|Путін\w*|Лавров\w*|Захаров\w*|окупаційн\w+\s+влад\w+"
         r"|(?:пропаганд\w*|ЗМІ)\s+(?:РФ|Росії)|росЗМІ|російськ\w+\s+ЗМІ"
         r"|гауляйтер\w*|Сальдо|Балицьк\w+|Пушилін\w*|Гладков\w*|губернатор\w*\s+(?:Бєлгородськ"
         r"|Курськ|Брянськ)\w+\s+област\w+|у\s+Москві|Москв[аи]", "RU"),
        (r"Генштаб\w*\s+ЗСУ|Генеральн\w+\s+штаб\w*\s+(?:ЗСУ|Збройних\s+сил\s+України)"
         r"|Міноборони(?:\s+України)?|Міністерств[оа]\s+оборони\s+України|Повітрян\w+\s+сил\w*"
         r"|Сил\w*\s+оборони|ВМС\s+ЗСУ|Державн\w+\s+прикордонн\w+\s+служб\w+|ДПСУ|ДСНС"
         r"|Нацполіці\w+|Офіс\w*\s+Генпрокурора|Зеленськ\w+|Сирськ\w+|Сибіг\w+|Єрмак\w*|Умєров\w*"
         r"|Прокудін\w*|Федоров\w*|Синєгубов\w*|Лисак\w*|Вілкул\w*|Філашкін\w*|Кіпер\w*"
         r"|(?:Херсонськ|Харківськ|Запорізьк|Дніпропетровськ|Сумськ|Одеськ|Миколаївськ|Донецьк"
         r"|Чернігівськ)\w*\s+(?:обласн\w+\s+)?(?:військов\w+\s+)?(?:адміністраці\w+|ОВА|МВА)"
         r"|\bОВА\b|\bМВА\b|українськ\w+\s+(?:сторон\w+|військов\w+|влад\w+)|у\s+ЗСУ"
         r"|ЗСУ\s+(?:повідомил|заявил)\w*|Київ\w*\s+заяв\w+|Україн[аи]\s+заяв\w+", "UA"),
    ),
    "ru": (
        (r"(?:Минобороны|Министерств[оа]\s+обороны|Генштаб\w*)\s+(?:России|РФ|Российской"
         r"\s+Федерации)|российск\w+\s+(?:Минобороны|военн\w+|власт\w+|сторон\w+|МИД)"
         r"|Минобороны(?!\s+Украины)|Министерство\s+обороны(?!\s+Украины)|Кремл\w*|Песков\w*"
         r"|Путин\w*|Лавров\w*|Захаров\w*|российск\w+\s+СМИ|СМИ\s+(?:РФ|России)|Гладков\w*|Хинштейн\w*|Богомаз\w*|Сальдо|Балицк\w+"
         r"|Пушилин\w*|губернатор\w*\s+(?:Белгородск|Курск|Брянск)\w+\s+област\w+|в\s+Москве"
         r"|Москв[аы]\s+заяв\w+|Росси[яи]\s+заяв\w+", "RU"),
        (r"Генштаб\w*\s+(?:ВСУ|ВС\s+Украины)|Генеральн\w+\s+штаб\w*\s+(?:ВСУ|ВС\s+Украины"
         r"|Вооруж[её]нных\s+сил\s+Украины)|Минобороны\s+Украины|Министерств[оа]\s+обороны"
         r"\s+Украины|Воздушн\w+\s+сил\w*(?:\s+Украины|\s+ВСУ)|Зеленск\w+|Сырск\w+|Сибиг\w+"
         r"|Ермак\w*|Умеров\w*|украинск\w+\s+(?:сторон\w+|военн\w+|власт\w+)|в\s+Киеве"
         r"|Киев\s+заяв\w+|Украин[аы]\s+заяв\w+", "UA"),
    ),
}  # fmt: skip
"""Who speaks (institutions and officials), and its party code."""

BARE_SPEAKERS: tuple[tuple[str, str], ...] = (
    (r"Ukraine|Kyiv|Kiev|Україна|Київ|Украина|Киев", "UA"),
    (r"Russia|Moscow|Росія|Москва|Россия|Москва", "RU"),
)
"""A country or its capital, a speaker only as the subject of a verb of saying (:data:`SAY`)
or after "according to" ("Ukraine said", "according to Moscow")."""

SAY: dict[str, str] = {
    "en": (r"said|says|say|stated|states|reported|reports|announced|claimed|claims|alleged"
           r"|accused|accuses|recorded|registered|counted|documented|told|wrote|added"
           r"|insisted|charged|complained"),
    "uk": (r"заяви\w*|повідоми\w*|повідомляє|зафіксува\w*|зафіксовано|нарахува\w*|звинува\w*"
           r"|стверджу\w*|заявляє|написа\w*|наголоси\w*|інформу\w*|зазначи\w*|підрахува\w*"),
    "ru": (r"заяви\w*|сообщи\w*|сообщает|зафиксирова\w*|зафиксировано|насчита\w*|обвини\w*"
           r"|утвержда\w*|заявляет|написа\w*|подчеркну\w*|информиру\w*|отмети\w*|подсчита\w*"),
}  # fmt: skip
"""Verbs of saying or recording."""

ACCORDING: dict[str, str] = {
    "en": r"according\s+to|citing|per",
    "uk": (r"за\s+(?:даними|словами|інформацією)"
           r"|як\s+(?:повідоми\w*|заяви\w*|зазначи\w*)\s+(?:в|у)?"),
    "ru": r"по\s+(?:данным|словам|информации)|как\s+(?:сообщи\w*|заяви\w*|отмети\w*)\s+(?:в)?",
}  # fmt: skip

AGENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (r"(?:the\s+)?enemy|(?:the\s+)?adversary|(?:the\s+)?opponent", "enemy"),
        (r"Russian\s+(?:armed\s+)?(?:forces|troops|army|military|occupiers|occupation\s+forces"
         r"|units|drones?|artillery|side|aircraft|aviation|soldiers|servicemen|missiles?"
         r"|invaders|strikes?|attacks?|violations?|shelling|assaults?)|(?:the\s+)?Russians"
         r"|the\s+aggressor|the\s+occupiers", "RU"),
        (r"Ukrainian\s+(?:armed\s+)?(?:forces|troops|army|military|units|drones?|artillery"
         r"|side|aircraft|militants|formations|nationalists|soldiers|servicemen|missiles?"
         r"|strikes?|attacks?|violations?|shelling|assaults?)"
         r"|(?:the\s+)?Kyiv\s+regime|(?:the\s+)?Ukrainians|\bAFU\b|\bUAF\b", "UA"),
    ),
    "uk": (
        (r"ворог\w*|противник\w*|супротивник\w*|окупант\w*|загарбник\w*|агресор\w*", "enemy"),
        (r"(?:російськ|рф-івськ)\w*\s+(?:окупант|війс|військ|армі|сил|дрон|безпілотник|ракет"
         r"|артилері|авіаці|загарбник|підрозділ|солдат|бойовик|удар|атак|обстріл|порушен)\w*|рашист\w*|росіян\w*|орк\w*"
         r"|окупаційн\w+\s+війс\w+", "RU"),
        (r"\bЗСУ\b|українськ\w*\s+(?:війс|військ|армі|сил|дрон|безпілотник|ракет|артилері"
         r"|підрозділ|бойовик|формуван|удар|атак|обстріл|порушен)\w*|Сил\w*\s+оборони", "UA"),
    ),
    "ru": (
        (r"противник\w*|враг\w*|неприятел\w*", "enemy"),
        (r"\bВСУ\b|\bВФУ\b|\bВС\s+Украины|украинск\w*\s+(?:войск|арми|сил|дрон|беспилотник"
         r"|ракет|артиллери|подразделени|боевик|формировани|националист|военн|удар|атак"
         r"|обстрел|нарушени)\w*"
         r"|киевск\w+\s+режим\w*|боевик\w*|националист\w*|неонацист\w*", "UA"),
        (r"\bВС\s+РФ\b|российск\w*\s+(?:войск|арми|сил|дрон|беспилотник|ракет|артиллери"
         r"|подразделени|военн|оккупант|удар|атак|обстрел|нарушени)\w*|оккупант\w*"
         r"|русск\w+\s+войск\w*", "RU"),
    ),
}  # fmt: skip
"""Who is accused: a party, or ``enemy`` (the other party of the claimant)."""

BARE_AGENTS: tuple[tuple[str, str], ...] = (
    (r"Russia|Moscow|\bRF\b|Росі[яїю]|Москв[аи]|\bРФ\b|Росси[яию]\w*|Москв[аы]", "RU"),
    (r"Ukraine|Kyiv|Kiev|Україн[аиоу]|Київ|Украин[аыуе]|Киев", "UA"),
)  # fmt: skip
"""A country or its capital: accused only as the subject of a verb of violating or striking
(:data:`VIOLATE`, :data:`STRIKE`), after :data:`BY_AGENT`, or as the object of "accused"."""

VIOLATE: dict[str, str] = {
    "en": (r"violated|violates|violate|violating|breached|breaches|broke|breaks|struck"
           r"|attacked|shelled|launched|fired|hit|bombed|continued\s+(?:to\s+)?(?:attack|shell|strike)\w*|had"
           r"\s+violated|has\s+violated|have\s+violated"),
    "uk": (r"поруши\w*|порушува\w*|порушу\w*|атакува\w*|обстріля\w*|обстрілю\w*|вдари\w*"
           r"|завда\w*|запусти\w*|випусти\w*|скину\w*|продовжу\w*"),
    "ru": (r"наруши\w*|нарушал\w*|наруша\w*|атакова\w*|обстреля\w*|обстрелива\w*|удари\w*"
           r"|нан[её]с\w*|нанесл\w*|запусти\w*|выпусти\w*|сброси\w*|продолжа\w*"),
}  # fmt: skip
"""Verbs whose subject is the accused."""

ACCUSE: dict[str, str] = {
    "en": r"accused|accuses|accusing|blamed|blames",
    "uk": r"звинуват\w*|звинувачу\w*",
    "ru": r"обвини\w*|обвиня\w*",
}
"""Verbs whose object is the accused ("accused Russia of ...")."""

DEFENCE: dict[str, str] = {
    "en": (r"repelled|repulsed|shot\s+down|intercepted|downed|destroyed|neutralized"
           r"|neutralised|suppressed|thwarted|foiled"),
    "uk": r"відби\w*|відбито|збил\w*|збито|знищи\w*|знищено|перехопи\w*|подави\w*|зірва\w*",
    "ru": r"отрази\w*|отбил\w*|сбил\w*|сбито|уничтожи\w*|уничтожено|перехвати\w*|подави\w*"
          r"|сорва\w*|пресекл\w*",
}  # fmt: skip
"""Verbs of one's own side's defence: its subject is not the accused ("Ukrainian forces
repelled 96 assaults" accuses the other side)."""

BY_AGENT: dict[str, str] = {
    "en": r"by|from|of",
    "uk": r"з\s+боку|від|з",
    "ru": r"со\s+стороны|от|с",
}
"""Prepositions that name the accused after the counted noun ("violations by Russian
forces", "порушень з боку РФ", "нарушений со стороны ВСУ")."""

# --------------------------------------------------------------------------- what was counted

COUNT_NOUNS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (r"(?:ceasefire\s+|truce\s+)?violations?", "violations"),
        (r"times", "times"),
        (r"(?:drone\s+|missile\s+|air\s+)?(?:strikes?|attacks?)", "attacks"),
        (r"shellings?|bombardments?|artillery\s+attacks?", "shelling"),
        (r"assaults?|assault\s+actions?|assault\s+operations?|combat\s+clashes|clashes"
         r"|combat\s+engagements?|attempts?\s+to\s+(?:attack|advance)", "assaults"),
        (r"drones?|UAVs?|Shaheds?", "drones"),
    ),
    "uk": (
        (r"порушен\w*(?:\s+режиму\s+(?:тиші|припинення\s+вогню))?", "violations"),
        (r"раз(?:ів|и)?", "times"),
        (r"удар(?!н)\w*|атак\w*|авіаудар\w*|ракетн\w+\s+удар\w*", "attacks"),
        (r"обстріл\w*", "shelling"),
        (r"штурм\w*|штурмов\w+\s+ді\w+|бойов\w+\s+зіткнен\w*|наступальн\w+\s+ді\w+|зіткнен\w*",
         "assaults"),
        (r"дрон\w*|безпілотник\w*|БпЛА|БПЛА|шахед\w*", "drones"),
    ),
    "ru": (
        (r"нарушени\w*(?:\s+режима\s+(?:тишины|прекращения\s+огня))?", "violations"),
        (r"раз(?:а)?", "times"),
        (r"удар(?!н)\w*|атак\w*|авиаудар\w*|ракетн\w+\s+удар\w*", "attacks"),
        (r"обстрел\w*", "shelling"),
        (r"штурм\w*|штурмов\w+\s+действи\w*|боев\w+\s+столкновени\w*|боестолкновени\w*"
         r"|попыт\w+\s+атак\w*", "assaults"),
        (r"дрон\w*|беспилотник\w*|БПЛА|БЛА|беспилотн\w+\s+летательн\w+\s+аппарат\w*", "drones"),
    ),
}  # fmt: skip
"""Nouns of a counted claim and the ``kind`` of the aggregate record (``times``: the kind
of its verb, :data:`TIMES_VERBS`)."""

TIMES_VERBS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": ((r"violat\w*|breach\w*|broke", "violations"), (r"shell\w*", "shelling"),
           (r"attack\w*|struck|strik\w*|hit", "attacks"), (r"assault\w*", "assaults")),
    "uk": ((r"поруш\w*", "violations"), (r"обстріл\w*", "shelling"),
           (r"атак\w*|вдари\w*|удар\w*|завда\w*", "attacks"), (r"штурм\w*", "assaults")),
    "ru": ((r"наруш\w*", "violations"), (r"обстрел\w*", "shelling"),
           (r"атак\w*|удар\w*|нан[её]с\w*|нанесл\w*", "attacks"), (r"штурм\w*", "assaults")),
}  # fmt: skip
"""The verb of "N times" ("attacked 46 times") and what the count then counts."""

MUNITIONS: dict[str, str] = {
    "en": r"bombs?|shells?|rounds?|missiles?|rockets?|projectiles?",
    "uk": r"авіабомб\w*|бомб\w*|снаряд\w*|ракет\w*|мін(?:и|а|ами)?|КАБ\w*",
    "ru": r"авиабомб\w*|бомб\w*|снаряд\w*|ракет\w*|мин(?:ы|а|ами)?|КАБ\w*",
}
"""Munitions counted at a place ("two guided bombs on Huliaipole", "15 снарядов"): the
item's count; with no place, an aggregate of kind ``munitions``."""

STRIKE: dict[str, str] = {
    "en": (r"struck|strikes?|hit|hits|attacked|attacks?|shelled|shelling|bombed|bombing"
           r"|targeted|pounded|fired\s+(?:on|at|upon)|launched|dropped|came\s+under\s+fire"
           r"|came\s+under\s+attack|was\s+(?:hit|struck|shelled|attacked)"),
    "uk": (r"удар\w*|авіаудар\w*|вдари\w*|завда\w+\s+(?:авіа)?удар\w*|обстріл\w*|атакува\w*"
           r"|атак\w*|поціли\w*"
           r"|влуча\w*|влучил\w*|скину\w*|скида\w*|зазна\w+\s+(?:удар\w*|обстріл\w*|атак\w*)"
           r"|били\s+по|гатил\w*|прилет\w*|обстрілю\w*|бомбардува\w*"),
    "ru": (r"удар\w*|авиаудар\w*|нан[её]с\w*\s+(?:авиа)?удар\w*|нанесл\w*\s+(?:авиа)?удар\w*"
           r"|обстрел\w*|атакова\w*|атак\w*"
           r"|попадани\w*|сброси\w*|сбрасыва\w*|подверг\w*\s+(?:удар\w*|обстрел\w*|атак\w*)"
           r"|били\s+по|прил[её]т\w*|бомбардирова\w*"),
}  # fmt: skip
"""Words of one strike or attack on a place."""

DENIAL: dict[str, str] = {
    "en": (r"denied|denies|deny|denying|rejected|rejects|dismissed|dismisses|refuted|refutes"
           r"|false|fake|baseless|groundless|disinformation|propaganda\s+claims?|untrue"
           r"|not\s+true"),
    "uk": (r"заперечу\w*|заперечи\w*|спростува\w*|спростову\w*|відкину\w*|відкида\w*|фейк\w*"
           r"|неправд\w*|не\s+відповіда\w*\s+дійсності|дезінформаці\w*|брехн\w*|вигадк\w*"),
    "ru": (r"опроверг\w*|опровергa\w*|отрица\w*|отверг\w*|отверга\w*|фейк\w*|ложь|лжив\w*"
           r"|не\s+соответству\w*\s+действительности|дезинформаци\w*|выдумк\w*"),
}  # fmt: skip
"""A denial: the sentence is not a claim."""

NEGATED: dict[str, str] = {
    "en": (r"\bno\s+(?:\w+\s+){0,2}(?:violations?|attacks?|strikes?|shelling)\b"
           r"|\b(?:did|have|has|had)\s+not\s+(?:\w+\s+){0,2}(?:violate|attack|strike|shell|fire)"
           r"|\bnot\s+a\s+single\b|\bnever\s+(?:violated|attacked|struck|shelled)"),
    "uk": (r"\bне\s+(?:було\s+)?(?:зафіксовано|зафіксува\w*|порушува\w*|атакува\w*|обстрілю\w*"
           r"|завдава\w*|порушил\w*)|\bжодн\w+\s+(?:порушен\w*|удар\w*|обстріл\w*|атак\w*)"
           r"|\bнемає\s+порушень"),
    "ru": (r"\bне\s+(?:было\s+)?(?:зафиксировано|зафиксирова\w*|нарушал\w*|атакова\w*"
           r"|обстрелива\w*|нарушил\w*|наноси\w*)|\bни\s+одного\b|\bнет\s+нарушений"),
}  # fmt: skip
"""A claim negated ("no violations were recorded"): not a claim."""

# --------------------------------------------------------------------------- weapons, targets

WEAPONS: tuple[tuple[str, str], ...] = (
    (r"\bguided\s+(?:aerial\s+|air\s+)?bombs?|\bglide\s+bombs?|\baerial\s+bombs?|\bKABs?\b"
     r"|\bКАБ\w*|\bУАБ\w*|авіабомб\w*|авиабомб\w*|керован\w+\s+авіабомб\w*|\bairstrikes?\b"
     r"|авіаудар\w*|авиаудар\w*", "aerial bomb"),
    (r"\bdrones?\b|\bUAVs?\b|\bShahed\w*|\bFPV\b|\bloitering\s+munitions?|\bЛанцет\w*"
     r"|\bLancet\w*|дрон\w*|безпілотник\w*|беспилотник\w*|\bБпЛА\b|\bБПЛА\b|\bБЛА\b|шахед\w*"
     r"|\bгеран\w*", "drone"),
    (r"\bMLRS\b|\bmultiple[\s-]launch\s+rocket|\bGrad\b|\bHIMARS\b|\bUragan\b|\bSmerch\b"
     r"|\bРСЗВ\b|\bРСЗО\b|\bГрад\w*|\bХаймарс\w*|\bУраган\w*|реактивн\w+\s+систем\w+", "mlrs"),
    (r"\bmissiles?\b|\bballistic\b|\bIskander\w*|\bракет\w*|\bІскандер\w*|\bИскандер\w*",
     "missile"),
    (r"\bmortars?\b|міномет\w*|миномет\w*|мінометн\w*|минометн\w*", "mortar"),
    (r"\bartillery\b|\bhowitzers?\b|артилері\w*|артиллери\w*|гаубиц\w*", "artillery"),
    (r"\btanks?\b|\bтанк\w*", "tank"),
    (r"\bgrenade\s+launchers?\b|гранатомет\w*|\bАГС\b", "grenade"),
    (r"\bsmall[\s-]arms\b|\bmachine[\s-]guns?\b|стрілецьк\w+|стрелков\w+|кулемет\w*|пулемет\w*",
     "small arms"),
)  # fmt: skip
"""Weapon words in the three languages -> the weapon word of a claim record."""

CALIBRES: dict[int, str] = {60: "mortar", 82: "mortar", 120: "mortar", 100: "artillery",
                            105: "artillery", 122: "artillery", 130: "artillery",
                            152: "artillery", 155: "artillery", 203: "artillery",
                            125: "tank"}  # fmt: skip
"""A weapon given only by its calibre ("155 мм", "82mm"), in mm -> its weapon word."""
CALIBRE_RE = r"(?<![\d.,])(?P<mm>\d{2,3})\s*(?:mm|мм|-?мм|-?mm)\b"

TARGETS: tuple[tuple[str, str], ...] = (
    (r"\benergy\b|\bpower\s+(?:plant|station|grid|line|facility)|\bsubstations?\b"
     r"|\belectricity\b|енергетичн\w+|енергетик\w*|енергооб'єкт\w*|підстанці\w*|ТЕЦ|ТЕС"
     r"|енергосистем\w*|энергетическ\w+|энергетик\w*|энергообъект\w*|подстанци\w*|ТЭЦ|ТЭС",
     "energy infrastructure"),
    (r"\bhospitals?\b|лікарн\w*|больниц\w*|госпитал\w*", "hospital"),
    (r"\bschools?\b|школ\w*", "school"),
    (r"\bresidential\b|\bapartment\b|\bhouses?\b|\bhomes?\b|житлов\w+|будин\w*|багатоповерх\w*"
     r"|жил\w+\s+(?:дом|домов|квартал|сектор)\w*|многоэтаж\w*|частн\w+\s+дом\w*", "residential"),
    (r"\bcivilians?\b|\bcivilian\s+infrastructure|цивільн\w+|мирн\w+\s+(?:житель|мешкан)\w*"
     r"|гражданск\w+|мирн\w+\s+жител\w*", "civilian"),
    (r"\bports?\b|\bпорт(?:у|і|а|ом|ах|ы)?\b", "port"),
    (r"\brailway\b|залізничн\w+|железнодорожн\w+", "railway"),
)  # fmt: skip
"""What a strike hit (the first that matches) -> the target word of a claim record."""

TRUCE_WORDS = (r"(?:the\s+)?(?:easter\s+|energy\s+)?(?:truce|ceasefire|moratorium)"
               r"|перемир'я|мораторі\w+|режим\w*\s+тиші|перемири\w+|мораторий\w*"
               r"|режим\w*\s+тишины")  # fmt: skip
"""Words naming the truce itself, whose period a statement may leave to the reader."""
