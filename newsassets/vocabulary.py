"""The words of a Dutch wire-news page: datelines, agencies, relative ages, rail headings, site boilerplate.

Cleaning, teaser extraction and the quality checks all read pages through these definitions, so a
new site quirk is taught here once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta


def _combining_marks() -> str:
    """The combining marks (Unicode categories Mn, Mc, Me) of the Basic Multilingual Plane, as the body of a regex
    character class: the vowel signs of Devanagari, Bengali, Tamil, Thai … (`दैनिक`, `ข่าว`), which `\\w` does
    not count as a word's characters, so that a word of those scripts would fall apart into consonants. Read from
    the running Python's Unicode tables once, at import (about 35 ms), so it never lags behind them."""
    ranges, start = [], None
    for code in range(0x10000):
        mark = unicodedata.category(chr(code)) in ("Mn", "Mc", "Me")
        if mark and start is None:
            start = code
        elif not mark and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{code - 1:04x}")
            start = None
    return "".join(ranges)


MARKS = _combining_marks()
WORD = re.compile(rf"[\w{MARKS}]+")  # a word, as every count, shingle and metric of the project reads text

# Scripts written without spaces between words: Han, kana, Thai, Lao, Myanmar, Khmer. A run of them is one `WORD`.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def text_words(text: str) -> int:
    """Words in a text, as a reader of its language counts them: a run of a script written without spaces
    (`気象庁は13日`) counts as one word per two of its characters, so that the thresholds in words mean in
    Japanese, Chinese or Thai what they mean elsewhere (a 100-character Japanese paragraph is no 5-word line)."""
    tokens = WORD.findall(text)
    if not _UNSPACED.search(text):
        return len(tokens)
    return sum(max(1, len(_UNSPACED.findall(token)) // 2) for token in tokens)


_UPPER = "A-ZÀ-ÖØ-Þ"
# `MOSKOU (ANP/DPA/BLOOMBERG) - `, `WASHINGTON/ABU DHABI (ANP/AFP) - `, `'S-HERTOGENBOSCH (ANP) – `
DATELINE = re.compile(
    rf"(?P<place>[{_UPPER}'][{_UPPER}'.\-/ ]*?[{_UPPER}.])"
    r"\s*\((?P<agencies>[A-Za-z][\w.&' ]*(?:/[A-Za-z][\w.&' ]*)*)\)"
    r"\s*[-–—]\s+"
)


@dataclass(frozen=True)
class Dateline:
    place: str
    agencies: list[str]
    rest: str  # the paragraph after the dateline


def parse_dateline(paragraph: str) -> Dateline | None:
    """The dateline at the start of a paragraph, or None when the paragraph has none."""
    match = DATELINE.match(paragraph)
    if not match:
        return None
    agencies = [a.strip() for a in match["agencies"].split("/") if a.strip()]
    return Dateline(place=match["place"].strip(), agencies=agencies, rest=paragraph[match.end() :].strip())


# Relative and absolute ages as news sites print them under a teaser, in Dutch, German and English.
_MONTHS = {
    "jan": 1, "feb": 2, "mrt": 3, "maa": 3, "mar": 3, "mär": 3, "mae": 3, "mrz": 3, "apr": 4, "mei": 5, "mai": 5,
    "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12, "dez": 12,
}  # fmt: skip
_MONTH = r"(?:jan|feb|mrt|maa|mär|mae|mrz|mar|apr|mei|mai|may|jun|jul|aug|sep|okt|oct|nov|dec|dez)[a-zä]*\.?"
# A unit's minutes by the start of its word: `minuten`, `Minute`, `mins` → 1; `uur`, `Stunden`, `hrs` → 60; …
_UNIT_MINUTES = {"se": 0, "sek": 0, "min": 1, "uur": 60, "stu": 60, "std": 60, "hou": 60, "hr": 60, "dag": 1440,
                 "tag": 1440, "day": 1440, "wee": 10080, "wek": 10080, "woc": 10080}  # fmt: skip
_UNIT = (
    r"(?:seconden?|sekunden?|sek\.?|seconds?|secs?\.?|minuut|minuten|minutes?|mins?\.?|uur|stunden?|std\.?"
    r"|hours?|hrs?\.?|dagen|dag|tag(?:en?)?|days?|weken|week|wochen?|weeks?)"
)
_ONE = {"een", "a", "an", "one", "ein", "eine", "einer", "einem"}


def _clock(name: str) -> str:
    """A time of day as printed: `14:05`, `23.53 Uhr`, `2:05 pm`; its groups named `{name}h`, `{name}m`, `{name}p`."""
    return rf"(?P<{name}h>[01]?\d|2[0-3])[:.](?P<{name}m>[0-5]\d)(?:\s*(?P<{name}p>[ap])\.?m\.?)?(?:\s*uhr)?"


_AT = r"(?:,?\s+(?:om\s+|um\s+|at\s+)?)"
# Ages relative to the capture, or a time of day: what a teaser prints, never a story's or a post's own date.
_RELATIVE_AGES = [
    r"(?P<just>zojuist|net geplaatst|gerade eben|soeben|just now)",
    rf"(?P<n>\d{{1,4}}|een|an?|one)\s+(?P<unit>{_UNIT})\s+(?:geleden|ago)",
    rf"vor\s+(?P<vn>\d{{1,4}}|einer|einem|ein)\s+(?P<vunit>{_UNIT})",
    rf"(?P<yesterday>gisteren|gestern|yesterday)(?:{_AT}{_clock('y')})?",
    rf"(?P<today>vandaag|heute|today){_AT}{_clock('t')}",
    _clock("c"),
]
# Dates with a year, as cards print them too.
_DATES = [
    rf"(?P<day>[0-3]?\d)\.?[ -](?P<month>{_MONTH}),?[ -](?P<year>\d{{4}})(?:{_AT}{_clock('d')})?",
    rf"(?P<emonth>{_MONTH})\s(?P<eday>[0-3]?\d),?\s(?P<eyear>\d{{4}})(?:{_AT}{_clock('e')})?",
    rf"(?P<nday>[0-3]?\d)[-.](?P<nmonth>[01]?\d)[-.](?P<nyear>\d{{4}})(?:{_AT}{_clock('n')})?",
]
AGE = re.compile("(?:" + "|".join(_RELATIVE_AGES + _DATES) + ")", re.IGNORECASE)


# An age over a century is a misread or a broken capture time, never an age: None, as for any unreadable one.
MAX_AGE_MINUTES = 100 * 366 * 24 * 60


def parse_age(age_text: str, reference: datetime | None = None) -> int | None:
    """Minutes between a printed age and the moment the page was captured; None when it cannot be read.

    Relative ages (`zojuist`, `7 minuten geleden`, `vor 2 Stunden`, `5 mins ago`) need no reference.
    `gisteren 14:05`, `heute, 14:05 Uhr`, a bare `14:05` and absolute dates (`31 dec 2025`, `31. Dezember 2025,
    23.53 Uhr`, `Dec 31, 2025`, `31.12.2025`) need the capture time as `reference` (naive UTC; an aware one
    reads them in its own zone); without it they give None rather than a guess. An age of more than a century
    (`MAX_AGE_MINUTES`), or one that no date arithmetic can reach (`01-01-0001` read in year 9999, a
    reference at the edge of the calendar), is None too: never guessed, and always within an INTEGER column.
    """
    try:
        minutes = _age_minutes(age_text, reference)
    except (OverflowError, ValueError):
        return None
    return minutes if minutes is not None and 0 <= minutes <= MAX_AGE_MINUTES else None


def _unit_minutes(unit: str) -> int:
    unit = unit.lower().rstrip(".")
    return next(minutes for start, minutes in _UNIT_MINUTES.items() if unit.startswith(start))


def _count(word: str) -> int:
    return 1 if word.lower() in _ONE else int(word)


def _time_of_day(match: re.Match, name: str) -> tuple[int, int] | None:
    """Hour and minute of the clock named `name`, with `am`/`pm` read; None when the clock is absent or wrong."""
    if match[f"{name}h"] is None:
        return None
    hour, minute, half = int(match[f"{name}h"]), int(match[f"{name}m"]), (match[f"{name}p"] or "").lower()
    if half and not 1 <= hour <= 12:
        raise ValueError("not a 12-hour clock")
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    return hour, minute


def _age_minutes(age_text: str, reference: datetime | None) -> int | None:
    match = AGE.fullmatch(age_text.strip())
    if not match:
        return None
    if match["just"]:
        return 0
    if match["unit"] or match["vunit"]:
        count, unit = (match["n"], match["unit"]) if match["unit"] else (match["vn"], match["vunit"])
        return _count(count) * _unit_minutes(unit)
    if reference is None:
        return None
    if match["yesterday"]:
        day = reference - timedelta(days=1)
        clock = _time_of_day(match, "y")
        if clock is None:
            return int((reference - day.replace(hour=12, minute=0, second=0, microsecond=0)).total_seconds() // 60)
        moment = day.replace(hour=clock[0], minute=clock[1], second=0, microsecond=0)
    elif _is_date(match):
        moment = _printed_moment(match).replace(tzinfo=reference.tzinfo)
    else:  # a time of day, bare or `today`: today, or yesterday when that time has not come yet
        hour, minute = _time_of_day(match, "t" if match["today"] else "c") or (0, 0)
        moment = reference.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if moment > reference:
            moment -= timedelta(days=1)
    return int((reference - moment).total_seconds() // 60)


def _is_date(match: re.Match) -> bool:
    return bool(match["month"] or match["emonth"] or match["nmonth"])


def _printed_moment(match: re.Match) -> datetime:
    """The day (and time, where printed) of an age that is a date, naive."""
    if match["month"]:
        year, month, day, clock = match["year"], _MONTHS[match["month"][:3].lower()], match["day"], "d"
    elif match["emonth"]:
        year, month, day, clock = match["eyear"], _MONTHS[match["emonth"][:3].lower()], match["eday"], "e"
    else:
        year, month, day, clock = match["nyear"], int(match["nmonth"]), match["nday"], "n"
    moment = datetime(int(year), month, int(day))
    if (time_of_day := _time_of_day(match, clock)) is not None:
        moment = moment.replace(hour=time_of_day[0], minute=time_of_day[1])
    return moment


def needs_capture_time(age_text: str) -> bool:
    """`gisteren 14:05`, `heute, 14:05 Uhr`, `14:05`, `23 jan 2026`: an age that only the page's capture (its time
    and its clocks' zone) turns into a moment, where a relative age (`7 minuten geleden`) needs none. An impossible
    date (`31.02.2026`) is no age at all."""
    match = AGE.fullmatch(age_text.strip())
    if not match or match["just"] or match["unit"] or match["vunit"]:
        return False
    if _is_date(match):
        try:
            _printed_moment(match)
        except (OverflowError, ValueError):
            return False
    return True


def is_bare_clock(text: str) -> bool:
    """`14:05`: a time of day with no `Uhr`, date or word around it, which a card prints for a video's length too."""
    return bool(re.fullmatch(r"\d{1,2}[:.]\d{2}", text.strip()))


def is_relative_age(text: str) -> bool:
    """`zojuist`, `7 minuten geleden`, `gisteren 14:05`: ages only a teaser prints, never a story's own date or time."""
    match = AGE.fullmatch(text.strip())
    return bool(match and (match["just"] or match["unit"] or match["vunit"] or match["yesterday"]))


# An age that starts a line: alone, or glued to the next teaser's dateline (`1 uur geledenKYIV (ANP) - `).
AGE_AT_LINE_START = re.compile(rf"^(?P<age>(?i:{AGE.pattern}))(?=$|\s*[{_UPPER}'])", re.MULTILINE)
# An age left at the end of a paragraph, after its last sentence: `… gemeten. 1 uur geleden`.
# Only a relative age or a time of day: a date after the last sentence is the story's or an embedded post's own
# (`— The Nigerian Senate (@NGRSenate) October 9, 2018`).
TRAILING_AGE = re.compile(rf"[.!?\"”’)]\s*(?i:{'|'.join(_RELATIVE_AGES)})$")

# Headings that open a page's rail of teasers; everything below one belongs to the rail, not the article.
RAIL_HEADING = re.compile(
    r"^(?:Meer uit|Meer over|Meer nieuws uit|Ook in)\s+(?P<section>[\w'’ -]{2,40})$"
    r"|^(?P<generic>Meer nieuws|Meest gelezen|Meest bekeken|Gerelateerde artikelen|Gerelateerd nieuws|Net binnen"
    r"|Het laatste nieuws)\s*:?$",
    re.IGNORECASE,
)

# Lines that are site chrome, never article text: webmail and login prompts, cookie walls, share bars.
BOILERPLATE_LINE = re.compile(
    r"^(?:"
    r"webmail|kies je webmail|.*\bwebmail aanbiedt\b.*|inloggen|log ?in|registreren|mijn account"
    r"|(?:wij|we) gebruiken cookies.*|.*\bcookie(?:s|instellingen|beleid|voorkeuren)\b.*akkoord.*|accepteer(?: alle)? cookies"
    r"|cookie-?instellingen|deel (?:dit )?(?:artikel|bericht)|delen via.*|deel op (?:facebook|x|twitter|whatsapp|linkedin)"
    r"|advertentie|lees verder na de advertentie|abonneer(?: je)?.*|word abonnee.*|download (?:de|onze) app.*"
    r")$",
    re.IGNORECASE,
)

# `date 2022-01` and friends: a metadata prefix some dumps put before the first paragraph.
METADATA_DATE_PREFIX = re.compile(
    r"^\s*(?:date|datum|published)\s*:?\s+(?P<date>\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)\s*",
    re.IGNORECASE,
)


def parse_metadata_date(value: str) -> datetime:
    """`2022-01` → 2022-01-01; `2022-01-07` and ISO date-times as written."""
    if len(value) == 7:
        value += "-01"
    return datetime.fromisoformat(value.replace(" ", "T"))


def naive_utc(moment: datetime) -> datetime:
    """A naive UTC datetime, as the tables store times: aware ones converted, naive ones taken as UTC already."""
    if moment.tzinfo is None:
        return moment
    return (moment - moment.utcoffset()).replace(tzinfo=None)


# HTML page furniture, as the HTML extraction (`newsassets.html`) recognises it.
# Rails as their markup names them: a class, id, role or aria-label containing one of these words.
RAIL_MARKUP = re.compile(
    r"(?:^|[\s_-])(?:"
    r"related|relateds|gerelateerd|more-?(?:from|news|stories|articles|on)|meer-?(?:uit|nieuws|over)|lees-?ook"
    r"|read-?(?:more|also|next)|also-?read|see-?also|most-?(?:read|popular|viewed|shared)|meest-?(?:gelezen|bekeken)"
    r"|popular|trending|recommend(?:ed|ations?)?|aanbevolen|outbrain|taboola|teasers?-?(?:list|rail|block)"
    r"|newsletter|nieuwsbrief|subscribe|signup|sign-up"
    r"|share|sharing|social-?(?:share|links|media|bar|buttons)|socials|deel-?(?:knoppen|balk)|sharebar"
    r"|cookie|cookies|consent|gdpr"
    r"|comments?|disqus|reacties"
    r"|breadcrumbs?|pagination|byline-?share"
    # a fact box beside the story: background the site repeats under many stories, not the story's text
    r"|fact-?box|facts-?box|info-?box|faktbox|fakten-?box|fakta-?boks|feiten-?box|info-?kasten"
    r")(?:$|[\s_-])",
    re.IGNORECASE,
)
RAIL_TAGS = {"aside", "nav", "footer", "form", "dialog"}
# Headings that open a list of other stories (beside `RAIL_HEADING`), in English, Dutch and German, and in the
# words newsrooms in other languages and scripts use for them (`À lire aussi`, `Leia também`, `Mohlo by vás
# zajímat`, `Читайте также`, `関連記事`, `관련기사`, `مقالات ذات صلة`) ...
LIST_HEADING = re.compile(
    r"^(?:related(?:\s+(?:articles?|stories|news|content|coverage|posts|links|reading|topics))?"
    r"|more\s+(?:from|on|about|in)\b.{0,60}|more\s+(?:news|stories|articles|to\s+read)|more\s+like\s+this"
    r"|read\s+(?:more|also|next)|also\s+read|see\s+also|you\s+(?:may|might)\s+also\s+(?:like|be\s+interested\s+in)"
    r"|recommended(?:\s+for\s+you)?|recommended\s+(?:stories|articles|reading)|most\s+(?:read|popular|viewed|shared)"
    r"|popular(?:\s+(?:now|stories|articles|posts))?|trending(?:\s+now)?|top\s+stories|latest\s+(?:news|stories)"
    r"|editor'?s?\s+picks?|don'?t\s+miss|around\s+the\s+web"
    r"|lees\s+(?:ook|meer|verder)|bekijk\s+ook|ook\s+interessant|aanbevolen|populair|meer\s+lezen"
    r"|mehr\s+zum\s+thema|mehr\s+(?:aus|von|zu|über)\b.{0,60}|meistgelesen(?:e\s+artikel)?|meist\s+gelesen"
    r"|das\s+könnte\s+sie\s+(?:auch\s+)?interessieren|lesen\s+sie\s+(?:auch|mehr)|auch\s+interessant"
    r"|weitere\s+(?:artikel|nachrichten|themen|meldungen)|beliebte\s+artikel|empfehlungen(?:\s+für\s+sie)?"
    # French
    r"|(?:à|a)\s+lire\s+(?:aussi|également|ensuite)|lire\s+(?:aussi|également)|(?:à\s+)?voir\s+aussi"
    r"|sur\s+le\s+même\s+(?:sujet|thème)|dans\s+la\s+même\s+rubrique|articles?\s+(?:similaires|liés|associés|recommandés)"
    r"|vous\s+(?:aimerez|pourriez)\s+(?:aussi|également|peut-être)(?:\s+aimer)?|(?:les\s+)?(?:articles\s+)?(?:les\s+)?plus\s+lus"
    r"|ces\s+articles\s+peuvent\s+vous\s+intéresser|(?:nos\s+)?dernières\s+(?:actualités|actus|infos)"
    # Spanish
    r"|le[ea]\s+también|(?:también\s+)?(?:te|le)\s+puede\s+interesar|quizás?\s+te\s+interese|ver\s+también"
    r"|(?:noticias|artículos|notas)\s+relacionad[ao]s|relacionad[ao]s|(?:lo\s+)?más\s+(?:leído|leídas|leídos|visto)"
    r"|más\s+noticias|te\s+recomendamos|últimas\s+noticias"
    # Portuguese
    r"|leia\s+(?:também|mais)|veja\s+também|(?:você\s+)?(?:também\s+)?pode\s+(?:gostar|interessar)|talvez\s+você\s+goste"
    r"|(?:notícias|matérias|artigos|posts)\s+relacionad[ao]s|(?:as\s+|os\s+)?mais\s+(?:lidas|lidos|vistas|vistos)"
    r"|últimas\s+notícias|recomendados?\s+para\s+você"
    # Italian
    r"|leggi\s+anche|(?:ti\s+)?potrebbe(?:ro)?\s+(?:anche\s+)?interessarti|articoli\s+correlati|notizie\s+correlate"
    r"|(?:i\s+|le\s+)?più\s+(?:letti|lette)|altre\s+notizie|vedi\s+anche|da\s+non\s+perdere|ultime\s+notizie"
    # Danish, Norwegian, Swedish, Finnish
    r"|l(?:æ|e|ä)s\s+(?:også|också|mer)|mest\s+(?:læste|lest|lästa|läst|delte)|flere\s+nyheder|fler\s+nyheter"
    r"|relater(?:te|ede|ade)\s+(?:artikler|artiklar|saker)|lue\s+myös|luetuimmat"
    # Polish, Czech, Hungarian, Turkish, Indonesian
    r"|czytaj\s+(?:także|też|również|więcej)|zobacz\s+(?:także|też|również)|najczęściej\s+czytane|(?:podobne|powiązane)\s+artykuły"
    r"|čtěte\s+také|přečtěte\s+si\s+také|nejčtenější|související\s+články|mohlo\s+by\s+vás\s+zajímat"
    r"|kapcsolódó\s+cikkek|ezek\s+is\s+érdekelhetik|legolvasottabb"
    r"|ilgili\s+haberler|benzer\s+haberler|en\s+çok\s+okunan(?:lar)?|bunlar\s+da\s+ilginizi\s+çekebilir"
    r"|baca\s+juga|berita\s+terkait|terpopuler"
    # German, the rest: a blog's lists
    r"|ähnliche\s+(?:artikel|beiträge)|verwandte\s+artikel|neueste\s+(?:beiträge|artikel)"
    # Romanian, Croatian, Serbian, Bosnian, Slovenian, Slovak
    r"|cite(?:ș|ş|s)te\s+(?:(?:ș|ş|s)i|mai\s+mult)|articole\s+similare|cele\s+mai\s+citite"
    r"|pro(?:č|c)itajte\s+(?:još|i|također|takođe)|povezan[ae]\s+(?:vijesti|vesti|članci|clanci)|najčitanije"
    r"|preberite\s+(?:tudi|še)|sorodne\s+novice|najbolj\s+brano|(?:č|c)ítajte\s+(?:aj|tiež)|súvisiace\s+články"
    r"|najčítanejšie"
    # Lithuanian, Latvian, Estonian
    r"|(?:taip\s+pat\s+skaitykite|skaitykite\s+taip\s+pat)|susiję\s+straipsniai|skaitomiausi"
    r"|lasi(?:et)?\s+arī|saistītie\s+raksti|lasītākie|loe\s+ka|seotud\s+artiklid|loetumad"
    # Greek, Russian, Ukrainian, Bulgarian, Serbian Cyrillic
    r"|διαβάστε\s+(?:επίσης|ακόμη|ακόμα)|δείτε\s+(?:επίσης|ακόμη|ακόμα)|σχετικά\s+άρθρα|σχετικές\s+ειδήσεις"
    r"|(?:τα\s+)?πιο\s+δημοφιλή"
    r"|читайте\s+(?:также|тоже|також)|смотрите\s+также|дивіться\s+також|(?:ещё|еще|більше)\s+по\s+темі?"
    r"|материалы\s+по\s+теме|по\s+теме|похожие\s+(?:статьи|новости|материалы)|схожі\s+(?:статті|новини)"
    r"|самое\s+(?:читаемое|популярное)|найпопулярніше|прочетете\s+още|още\s+по\s+темата|най-четени"
    r"|свързани\s+новини|прочитајте\s+(?:још|и)|повезане\s+вести"
    # Arabic, Persian, Hebrew, Hindi
    r"|[اإ]قرأ\s+أيض[اًا]+|(?:مقالات|أخبار|مواضيع)\s+ذات\s+صلة|الأكثر\s+(?:قراءة|مشاهدة)|اخترنا\s+لك"
    r"|بیشتر\s+بخوانید|(?:مطالب|اخبار)\s+مرتبط|پربازدیدترین"
    r"|קראו\s+(?:גם|עוד)|כתבות\s+(?:נוספות|קשורות)|הכי\s+נקראים"
    r"|(?:ये|यह)\s+भी\s+पढ़ें|संबंधित\s+(?:खबरें|ख़बरें|समाचार)"
    # Japanese, Chinese, Korean (a Japanese heading in its lenticular brackets: `【関連記事】`), Vietnamese, Thai
    r"|【?関連(?:記事|ニュース)】?|あわせて読みたい|合わせて読みたい|こちらもおすすめ.{0,12}|おすすめ記事|アクセスランキング"
    r"|相[关關](?:新[闻聞]|[阅閱][读讀]|文章|[报報]道)|(?:延伸|推荐|推薦)[阅閱][读讀]|[热熱]门(?:新[闻聞]|文章)"
    r"|관련\s?기사|이\s+기사와\s+관련된\s+기사|(?:.{0,12}\s)?많이\s+본\s+(?:뉴스|기사)|추천\s?기사"
    r"|tin\s+liên\s+quan|bài\s+(?:viết\s+)?liên\s+quan|tin\s+cùng\s+chuyên\s+mục|đọc\s+nhiều\s+nhất"
    r"|ข่าวที่เกี่ยวข้อง|ข่าวยอดนิยม"
    r")\s*[:.…]*$",
    re.IGNORECASE,
)
# ... and headings of the page's other furniture: sign-ups, share bars, comment sections.
FURNITURE_HEADING = re.compile(
    r"^(?:(?:sign\s+up|subscribe)\b.{0,60}|(?:our\s+|free\s+)?newsletters?|nieuwsbrief|schrijf\s+je\s+in\b.{0,60}"
    r"|share(?:\s+this(?:\s+(?:article|story|post))?)?|deel\s+dit(?:\s+(?:artikel|bericht))?|comments?|reacties?"
    r")\s*[:.…]*$",
    re.IGNORECASE,
)
# The heading of the list of sources a newsroom puts under a story (`Verwendete Quellen`, `Sources`, `Bronnen`).
SOURCES_HEADING = re.compile(
    r"^(?:verwendete\s+|weitere\s+)?(?:quellen?|sources?|bronn?en|kilder|källor|fuentes|źródła|lähteet|fonti)"
    r"(?:\s+(?:und|and|en|og|och)\s+\w+)?\s*[:.]?$",
    re.IGNORECASE,
)
# Where a newsroom asks readers to follow it.
_PLATFORM = r"(?:facebook|twitter|x|instagram|linkedin|youtube|tiktok|threads|bluesky|whatsapp|telegram|google\s+news)"
# Closing furniture: a paragraph that is never the end of a story.
CLOSING_LINE = re.compile(
    r"^[-–—•*\s]*(?:"  # a list item's bullet or a dash may open the line
    r"(?:sign\s+up|subscribe|register)\b.{0,200}(?:newsletters?|inbox|e-?mail\s+(?:updates|alerts)|alerts)\b.{0,200}"
    r"|.{0,80}\bnewsletters?\b.{0,40}|.{0,200}\bnieuwsbrief\b.{0,200}|schrijf\s+je\s+in\b.{0,200}"
    rf"|follow\s+(?:us|@?\w[\w .]{{0,40}})\s+on\s+{_PLATFORM}.{{0,200}}"
    rf"|volg\s+(?:ons|\w[\w .]{{0,40}})\s+op\s+{_PLATFORM}.{{0,200}}"
    # a call for tips: `Got a story? Get in touch with our news team …`, `Tip de redactie`, `Haben Sie einen Hinweis?`
    r"|(?:got|have\s+you\s+got|do\s+you\s+have|have)\s+a\s+(?:story|news\s+tip|tip)\s*\?.{0,200}"
    r"|tip\s+(?:de|onze)\s+redactie\b.{0,200}|(?:heb|hebt)\s+(?:je|jij|u)\s+een\s+tip\s*\?.{0,200}"
    r"|haben\s+sie\s+(?:einen\s+hinweis|eine\s+geschichte|einen\s+tipp)\s*\?.{0,200}"
    r"|(?:like|liked|enjoyed)\s+this\s+(?:story|article|post)\?.{0,200}|share\s+(?:this|it)\b.{0,80}"
    r"|if\s+you\s+(?:enjoyed|liked|value|appreciate)\s+(?:this|our)\s+(?:article|story|post|journalism|reporting)\b.{0,600}"
    r"|(?:hat|haben)\s+(?:ihnen|dir|euch)\s+(?:dieser|der|unser)\s+(?:artikel|beitrag|text)\s+gefallen\b.{0,400}"
    # an invitation to write to the newsroom: `We'd like to hear what you think about this or any of our articles.`
    r"|.{0,300}\bwe(?:'|’)?d\s+(?:like|love)\s+to\s+hear\s+(?:from\s+you|what\s+you\s+think)\b.{0,300}"
    r"|.{0,200}\bsign(?:ing)?\s+up\b.{0,100}\bnewsletters?\b.{0,40}"
    # a report-an-error prompt, a breaking-story notice, a pointer to more of the same
    r"|(?:fehler\s+gefunden|found\s+an?\s+(?:error|mistake|typo)|spotted\s+an?\s+(?:error|mistake|typo)"
    r"|fout\s+gezien|une\s+erreur)\b.{0,80}"
    r"|this\s+is\s+a\s+(?:breaking|developing)\s+(?:news\s+)?(?:new\s+)?story\b.{0,120}|more\s+to\s+follow\W*"
    r"|for\s+more\s+(?:stories|news|articles)\s+like\s+this\b.{0,120}"
    # a pointer to what the page does not show: `Listen to Newsbeat live … or listen back here.`, `You can view
    # our June thread here.`, `Lees hier het hele interview.`
    r"|(?:(?:you\s+can\s+)?(?:listen|watch|read|view|see|find|download)\b.{0,150}\bhere"
    r"|(?:lees|bekijk|kijk|luister|lesen\s+sie|sehen\s+sie|hören\s+sie)\b.{0,150}\bhier)\W*"
    r"|(?:lees|bekijk|kijk|luister)\s+hier\b.{0,150}|hier\s+(?:lesen|sehen|hören)\s+sie\b.{0,150}"
    # the paywall's remainder notice: `Il vous reste 57% de cet article à lire`
    r"|il\s+vous\s+reste\s+\d.{0,200}|.{0,120}\b(?:réservée?s?\s+aux\s+abonnés|for\s+subscribers\s+only"
    r"|nur\s+für\s+abonnenten|alleen\s+voor\s+abonnees)\b.{0,120}"
    # where the story first ran: `First published in The Conversation`, `Dieser Artikel ist zuerst bei … erschienen`
    r"|(?:this\s+(?:article|story|piece)\s+(?:was\s+|is\s+)?)?(?:first|originally)\s+(?:published|appeared|ran)\b.{0,200}"
    r"|(?:dieser|der)\s+(?:artikel|beitrag|text)\s+(?:ist|wurde|erschien)\b.{0,200}\b(?:erschienen|veröffentlicht"
    r"|übersetzung)\b.{0,200}"
    r"|dit\s+(?:artikel|stuk|verhaal)\s+(?:verscheen|is\s+eerder\s+verschenen|werd\s+eerder\s+gepubliceerd)\b.{0,200}"
    r"|(?:vond|vind)\s+(?:je|u)\s+dit\s+(?:artikel|verhaal|stuk)\b.{0,200}"
    r"|deel\s+(?:dit|het)\b.{0,80}|\d*\s*(?:comments?|reacties?)|(?:view|show|load|read|add|post)\s+(?:all\s+)?comments?.{0,40}"
    r"|(?:leave|post)\s+a\s+(?:comment|reply).{0,40}|plaats\s+een\s+reactie.{0,40}|tell\s+us\s+what\s+you\s+think.{0,40}"
    r"|[<\[(]?\s*(?:copyright|©|ⓒ|\(c\)).{0,200}|.{0,80}\ball\s+rights\s+reserved.{0,80}"
    r"|alle\s+rechten\s+voorbehouden.{0,80}"
    r"|(?:filed\s+under|tags?|tagged(?:\s+with)?|topics?|trefwoorden|onderwerpen)\s*:.{0,300}"
    r"|you\s+may\s+also\s+like.{0,40}|(?:advertisement|advertentie|sponsored|gesponsord)"
    # credit and source lines: who reported, edited or contributed; the agency the story came from
    r"|\(?(?:(?:additional\s+)?reporting|writing|editing|compiled|research)\s+by\b.{0,300}"
    r"|\(?(?:with\s+(?:additional\s+)?(?:files|reporting|reports|material)|additional\s+reporting)\s+(?:from|by)\b.{0,300}"
    r"|mit\s+(?:agenturmaterial|material\s+(?:von|der|aus)\b.{0,80})\W*"
    r"|.{0,200}\bcontributed\s+(?:to\s+this\s+(?:report|story|article)|reporting)\b.{0,80}"
    r"|(?:source|sources|bron|bronnen)\s*:.{0,80}|\((?-i:[A-Z]{2,}(?:\s*[/,]\s*[A-Z]{2,})*)\)"
    r"|(?:updated|bijgewerkt|aangepast|laatste\s+update)\b.{0,40}\d.{0,20}"
    # contact and promotion lines: an address alone, "follow/reach/read more at <link>"
    r"|[\w.+-]+@[\w-]+\.[\w.]+|(?:https?://|www\.)?[\w-]+(?:\.[\w-]+)+/\S*"
    r"|(?:follow|more|reach|contact|email|e-mail|read|volg|meer|lees|mail)\b.{0,150}(?:https?://|www\.|@\w|twitter\.com).{0,80}"
    # labels and bare links: `Listen: http://po.st/TP_615 Download: http://po.st/TP_615Download`
    r"|[\w ]{1,30}:\s*(?:https?://|www\.)\S+(?:\s+\w{1,30}:\s*(?:https?://|www\.)\S+)*"
    # a share button's notice: `Link copied`, `기사 URL이 복사되었습니다` (the article's URL has been copied)
    r"|(?:the\s+)?(?:article\s+)?(?:link|url)\s+(?:has\s+been\s+|was\s+)?(?:copied|kopiert|gekopieerd|copié)\W*"
    r"|.{0,20}(?:url|링크)\S{0,2}\s*복사되었습니다\W*"
    # a script's settings rendered as text: `showPaywall: false isSubscriber: false`
    r"|(?:(?:true|false|null|undefined|(?-i:[a-z]+(?:[A-Z][a-z0-9]*)+):)\s*)+"
    r"|.*\[/\w+\].*"  # an unrendered shortcode, `[button …]…[/button]`
    r"|[\W_]*"  # a separator: `___`, `* * *`
    r")$",
    re.IGNORECASE,
)
# A pitch: a newsletter, subscription or membership offer addressed to the reader, never a quotation.
PITCH = re.compile(
    r"\b(?:newsletters?|inbox|delivered\s+(?:to|through)\s+your|click\s+here|(?:subscrib\w+|sign\s+up)\s+to\s+(?:our|the)"
    r"|nieuwsbrie\w*|abonneer|word\s+lid|meld\s+je\s+aan|schrijf\s+je\s+in)\b"
    # an offer's price by the period: `for only N$85 a month`, `voor maar € 4,99 per maand`, `nur 1 € pro Woche`
    r"|(?:only|just|voor\s+maar|slechts|nur|seulement)\s+\S{0,3}\s?\d(?:[\d.,]*\d)?\s*\S{0,3}\s*"
    r"(?:a|per|/|each|every|pro|par)\s*(?:month|week|year|maand|jaar|monat|woche|jahr|mois|an)\b",
    re.IGNORECASE,
)
READER = re.compile(r"\b(?:you|your|je|jouw|u|uw)\b", re.IGNORECASE)
IMPERATIVE_OFFER = re.compile(
    r"^(?:get|join|sign|subscribe|click|download|register|try|start|become|meld|abonneer|word|schrijf|ontvang|probeer)\b"
    r".{0,200}\b(?:subscri\w*|members?(?:hip)?|newsletters?|abonne\w*|nieuwsbrie\w*|lid|premium|plus|pro|trial)\b",
    re.IGNORECASE,
)
QUOTED = re.compile(r"^[\"“”‘’'«„—–-]")


def is_pitch(text: str) -> bool:
    """A newsletter, subscription or membership offer addressed to the reader (never a quotation)."""
    if QUOTED.match(text):
        return False
    return bool((PITCH.search(text) and READER.search(text)) or IMPERATIVE_OFFER.match(text))


# A reading time: `Lesedauer: 4 Minuten`, `Tempo de leitura: 1 minuto`, `5 min read`, and, in a front's heading
# after the headline, a bare `5 Min` or `3 Minuten Lesezeit`.
_MINUTE_UNIT = r"(?:min(?:ute[ns]?|utos?|uti|s)?\.?|minuten|minuter|minutter)"
_MINUTES = rf"\d{{1,3}}\s*{_MINUTE_UNIT}"
READING_TIME = re.compile(
    r"(?:(?:lesedauer|lesezeit|leestijd|leesduur|reading\s+time|read\s+time|tempo\s+de\s+leitura"
    r"|tiempo\s+de\s+lectura|temps\s+de\s+lecture|tempo\s+di\s+lettura|lukuaika|lesetid|lästid)\s*:?\s*"
    rf"(?:ca\.\s*|about\s+|environ\s+)?{_MINUTES}"
    rf"|{_MINUTES}(?:\s+(?:read|lesen|lezen|lesezeit|leestijd|de\s+lecture|de\s+leitura|de\s+lectura))?)",
    re.IGNORECASE,
)
# A video's or a podcast's running time: `3:18 min`, `02:57 Min.`, `1:02:03 minutes`.
RUNNING_TIME = re.compile(rf"(?:^|[\s|,(])\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s*{_MINUTE_UNIT}(?!\w)", re.IGNORECASE)
# A photo credit standing as a paragraph: `Photo: AFP`, `Image: Jane Doe/Agency`, `Фото: Дмитрий Азаров`.
PHOTO_CREDIT = re.compile(
    r"(?:photo|foto|image|bild|picture|kuva|billede|zdjęcie|фото|fotó|φωτογραφία)s?\s*(?:credit)?\s*:\s*.{1,80}",
    re.IGNORECASE,
)
