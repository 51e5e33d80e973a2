"""Who wrote a story: author names from a page's metadata, or from a byline line in a text dump.

A news page names its authors in several places, and the reliable ones are machine-readable: the `author` of
the page's JSON-LD article object, `<meta name="author">` and its variants, `itemprop="author"` elements.
Other places are noisy: a meta tag may hold the site's name or a profile url, a byline may carry a role or
the agency. This module reads them in order of reliability and cleans each name; a text dump (no markup)
gives its authors in a `Door …` / `By …` / `Von …` line at the top. No Dagster here, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsassets.page_metadata import read_page_metadata
from newsassets.vocabulary import MARKS, WORD

# A byline line: the word for "by" in the languages of the project's pages (`Von:` and `By:` with a colon too),
# then the names.
_BY = r"(?:door|by|von|par|por|di|af|av|przez|autor(?:in)?|tekst|text):?"
BYLINE_LINE = re.compile(rf"^\s*{_BY}\s+(?P<names>.+?)\s*$", re.IGNORECASE)
# Where a list of names splits: commas, semicolons, slashes, ampersands and "and" in several languages.
_SEPARATORS = re.compile(r"\s*(?:[,;/|&·•]|\s(?:and|en|und|et|y|e|og|och|i|a)\s)\s*", re.IGNORECASE)
# Not a name at all: a url, an e-mail address, a date. (A newsroom or an agency that signs a story, `dpa`,
# `Associated Press`, `MND Staff`, is what the page names as its author, and kept as such.)
_NOT_A_NAME = re.compile(r"https?://|www\.|@|\d")
# A site's login account, not a writer: WordPress and its kind sign with it (`admin`, `jdadmin`, `Webmaster`).
_ACCOUNT = re.compile(r"\w*admin|administrator|webmaster", re.IGNORECASE)
# A profile page of a site's login account (`/author/admin/`): whatever display name the account shows (`Ilanga D`),
# the story was posted under it, not signed.
_ACCOUNT_PROFILE = re.compile(
    r"/(?:author|user|profile)s?/(?:\w*admin|administrator|webmaster)/?(?:[?#]|$)", re.IGNORECASE
)
# A profile link, a site path or an e-mail address beside the names.
_ADDRESS = re.compile(r"(?:https?://|www\.)\S*|(?:^|\s)/\S+|\S+@\S+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")  # `chuck-ross`: a profile's url slug, not the name as written
_ROLE_SUFFIX = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|\s[|–—-]\s.*)$")  # "Jan Jansen (verslaggever)", "… - Rome"
# A role after a name in scripts without capitals: `신현주 기자` (reporter), `박준석 기자 외 1명` (and one more),
# `松岡大地記者`, `特派員`, `编辑`.
_CJK_ROLE = re.compile(
    r"\s*(?:기자|특파원|선임기자|객원기자|논설위원|記者|特派員|編集委員|记者|编辑|責任編輯)(?:\s.*)?$"
)
# A role where a name should be, its last word the job (`AP Auto Writer`, `CNN Editor-at-large`, `News reporter`,
# `Redakteurin`): a byline's second line, split off as if it were a second author.
_ROLE = re.compile(
    r"(?:^|\s)(?:writer|reporter(?:in)?|editor(?:-at-large)?|correspondent|columnist|contributor|journalist(?:in)?"
    r"|photographer|redakteur(?:in)?|korrespondent(?:in)?|verslaggever|redacteur|journaliste|rédact(?:eur|rice)"
    r"|correspondant(?:e)?|periodista|redactor(?:a)?|corresponsal|giornalista|corrispondente)$",
    re.IGNORECASE,
)
# A byline word inside a metadata value, after a newsroom's name (`Capital Von Jemima Kelly`) or the kind of
# piece (`Analysis by Chris Cillizza`).
_INNER_BYLINE = re.compile(r"^.*?\s(?:By|Von|Door|Par|Por)\s+(?=\S)|^[^\W\d_]+\s+by\s+(?=\S)")
_NAME_WORD = re.compile(rf"^[^\W\d_][\w{MARKS}'’.\-]*$")
MAX_NAME_WORDS = 5
MAX_BYLINE_CHARS = 1000  # twenty names with their roles fit; past this, reading it costs time and finds no one
_META_AUTHOR = (
    "//meta[@name='author' or @name='Author' or @property='author' or @name='article:author' "
    "or @property='article:author' or @name='parsely-author' or @name='sailthru.author' or @name='dc.creator' "
    "or @name='DC.creator' or @name='byl' or @name='cXenseParse:author']/@content"
)


# Lower-case words inside a name: `Piet de Vries`, `Ursula von der Leyen`, `Ahmed bin Salman`.
_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "du", "da", "das", "dos", "del", "della", "di", "la", "le", "ten", "ter"}
    | {"te", "het", "'t", "bin", "ibn", "al", "el", "y", "e", "zu"}
)


def clean_name(text: str, in_running_text: bool = False) -> str | None:
    """One author name as the page writes it, or None when `text` is no name (a url, an e-mail address, a
    date). Metadata says outright that it names an author, so a newsroom signing as `dpa` or `mbl.is` stays;
    a byline line of a text dump (`in_running_text`) must also look like a person's name: two words or more,
    capitalised where the script has capitals (`By Tuesday` and `Door Rutte gesteund` are running text)."""
    text = BYLINE_LINE.sub(r"\g<names>", " ".join(text.split())).strip(" .:,;")
    text = _CJK_ROLE.sub("", _ROLE_SUFFIX.sub("", _INNER_BYLINE.sub("", text))).strip(" .:,;")
    if not text or _NOT_A_NAME.search(text) or _SLUG.fullmatch(text):
        return None
    if _ACCOUNT.fullmatch(text) or _ROLE.search(text):
        return None  # a site's login account, or a job where a name should be
    words = text.split()
    if len(words) > MAX_NAME_WORDS or not all(_NAME_WORD.match(word) for word in words):
        return None
    if in_running_text:
        # in a script with capitals, a name's words start with one (but its particles); other scripts have none
        capitalised = [not w[0].islower() or w.lower() in _PARTICLES for w in words]
        if len(words) < 2 or not all(capitalised) or words[0][0].islower() or words[-1][0].islower():
            return None
    return text


def split_names(text: str, in_running_text: bool = False) -> list[str]:
    """The names of a byline or metadata value: `Jan Jansen en Piet de Vries` → two names; what is no name
    (a url, a role after the name) is left out."""
    if len(text) > MAX_BYLINE_CHARS:
        return []  # no byline or author field is this long: a script's blob or a page's text
    text = _ADDRESS.sub(" ", BYLINE_LINE.sub(r"\g<names>", " ".join(text.split())))
    return unique(name for part in _SEPARATORS.split(text) if part and (name := clean_name(part, in_running_text)))


def unique(names: Iterable[str]) -> list[str]:
    """The names in order, each once (case-insensitively)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def byline_authors(paragraphs: list[str], within: int = 4) -> tuple[list[str], int | None]:
    """The authors of a text dump's byline line among its first `within` paragraphs, and that line's index
    (None when there is none). A byline is a short line: `Door Jan Jansen`, `By Jane Doe and John Roe`."""
    for index, paragraph in enumerate(paragraphs[:within]):
        if len(paragraph.split()) > 12:
            continue
        if (match := BYLINE_LINE.match(paragraph)) and (names := split_names(match["names"], in_running_text=True)):
            return names, index
    return [], None


def page_authors(tree, json_ld_authors: list | None = None, accounts: set[str] | None = None) -> list[str]:
    """The persons a page's markup names as authors: its JSON-LD article's `author` persons (`page_metadata`
    reads them), else its author meta tags, else its `itemprop="author"` elements; each name cleaned, and none
    of the site's login accounts (`account_names`)."""
    if json_ld_authors is None:
        json_ld_authors = read_page_metadata(tree).author_values
    if accounts is None:
        accounts = account_names(tree, json_ld_authors)
    for found in (
        lambda: _person_names(json_ld_authors),
        lambda: _meta_authors(tree),
        lambda: _itemprop_authors(tree),
    ):
        if names := unique(name for name in found() if name.casefold() not in accounts):
            return names
    return []


def account_names(tree, json_ld_authors: list) -> set[str]:
    """The display names (case-folded) of the site's login accounts: a JSON-LD author or a link whose profile
    is `/author/admin/` or the like."""
    names = {
        name.casefold()
        for link in tree.xpath("//a[@href]")
        if _ACCOUNT_PROFILE.search(link.get("href"))
        for name in split_names(link.text_content())
    }
    stack = list(json_ld_authors)
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack += value
        elif isinstance(value, dict) and any(
            isinstance(address, str) and _ACCOUNT_PROFILE.search(address)
            for address in (value.get("url"), value.get("@id"))
        ):
            names |= {name.casefold() for name in _person_names({**value, "@type": "Person"})}
    return names


def _site_key(name: str) -> str:
    """A site's name compared loosely: `LRT.lt`, `Lrt lt` and `lrt` are one; `hessenschau.de` is `hessenschau`."""
    words = WORD.findall(name.casefold())
    if len(words) > 1 and len(words[-1]) <= 3:
        words = words[:-1]  # a domain's ending
    if len(words) > 1 and words[0] == "www":
        words = words[1:]
    return "".join(words)


def site_names(names: list[str], sites: Iterable[str | None]) -> list[str]:
    """Those of the names that are the site's own (`한국일보` on hankookilbo.com, `Lrt.lt` on LRT)."""
    keys = {_site_key(site) for site in sites if site}
    return [name for name in names if _site_key(name) in keys]


# A visible byline's markup: a class or rel naming the author (`author`, `byline`, `autor`, `auteur`, …).
_BYLINE_MARKUP = re.compile(
    r"(?:^|[\s_-])(?:authors?|author-?name|byline|bylines|autor(?:en|in)?|auteurs?|forfatter|writer|reporter)(?:$|[\s_\d-])",
    re.IGNORECASE,
)
# The word for "by" opening an element's own text: `Von:`, `By`, `Door`.
_BYLINE_WORD = re.compile(rf"^\s*{_BY}(?:\s|$)", re.IGNORECASE)
# A visible byline is short: a few names and perhaps the newsroom.
_BYLINE_MAX_WORDS = 10


def visible_byline_authors(tree, accounts: set[str] = frozenset()) -> list[str]:
    """The names of the page's first visible byline (an element whose class names it so, a `rel="author"`
    link, or a short element that opens with the word for "by": `<li>Von: <a>…</a>, <a>…</a></li>`), read as
    running text, without the site's login `accounts`: for a page whose metadata names no person."""
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "meta", "link", "img", "title"):
            continue
        labelled = _BYLINE_WORD.match(element.text or "")  # the element's own text, before its first child
        if not labelled and element.get("rel") != "author" and not _BYLINE_MARKUP.search(element.get("class") or ""):
            continue
        if next(element.iterancestors("a"), None) is not None:
            continue  # inside a link: the byline of a card that links to another story
        text = _byline_text(element)
        if not text or len(text.split()) > _BYLINE_MAX_WORDS or (labelled and not BYLINE_LINE.match(text)):
            continue
        if names := [name for name in split_names(text, in_running_text=True) if name.casefold() not in accounts]:
            return names
    return []


def _byline_text(element) -> str:
    """A byline's text, where each author the markup marks as one (a `rel="author"` link, an `<address>`, an
    `itemprop="author"`) is its own name, though the page sets no comma between them."""
    units = element.xpath(".//a[@rel='author'] | .//address | .//*[@itemprop='author']")
    if len(units) > 1:
        return ", ".join(" ".join(unit.text_content().split()) for unit in units)
    return " ".join(element.text_content().split())


def signing_organisations(json_ld_authors: list) -> list[str]:
    """The organisations a page's JSON-LD names as author: a newsroom that signs the story itself (`BBC
    News`), for a page that names no person."""
    return unique(_person_names(json_ld_authors, organisations=True))


def _person_names(value, organisations: bool = False) -> list[str]:
    """Names of a JSON-LD `author`: strings and Persons (or lists of them). An Organization counts only where
    no person is named (`organisations`): a newsroom that signs the story itself (`BBC News`)."""
    if isinstance(value, list):
        return [name for item in value for name in _person_names(item, organisations)]
    if isinstance(value, str):
        return split_names(value)
    if isinstance(value, dict):
        kind = value.get("@type")
        kinds = {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
        if kinds & {"organization", "newsmediaorganization", "corporation"} and not organisations:
            return []
        name = value.get("name")
        if isinstance(name, str):
            return split_names(name)
        if isinstance(name, list):
            return [n for item in name if isinstance(item, str) for n in split_names(item)]
    return []


def _meta_authors(tree) -> list[str]:
    return [name for value in tree.xpath(_META_AUTHOR) for name in split_names(str(value))]


def _itemprop_authors(tree) -> list[str]:
    names = []
    for element in tree.xpath("//*[@itemprop='author']"):
        inner = element.xpath(".//*[@itemprop='name']")
        text = inner[0].get("content") or inner[0].text_content() if inner else element.text_content()
        names += split_names(text or "")
    return names
