import gzip
import json

import pytest

from newsassets.bylines import (
    account_names,
    byline_authors,
    clean_name,
    page_authors,
    site_names,
    split_names,
    visible_byline_authors,
)
from newsassets.cleaning import clean_html_page, clean_text_page
from newsassets.evaluate.realdata import REALDATA, dutch_articles
from newsassets.html import parse_html


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Door Jan Jansen en Piet de Vries", ["Jan Jansen", "Piet de Vries"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Von Birgit Baumann, Anna Giulia Fink", ["Birgit Baumann", "Anna Giulia Fink"]),
        ("Ursula von der Leyen", ["Ursula von der Leyen"]),
        ("Jan Jansen (verslaggever)", ["Jan Jansen"]),
        ("Jan Jansen / ANP", ["Jan Jansen", "ANP"]),  # an agency that signs is named as the page names it
        ("https://www.facebook.com/janjansen", []),
        ("Redactie", ["Redactie"]),
        ("松岡大地", ["松岡大地"]),  # a script without capitals
        ("Salzburger Nachrichten", ["Salzburger Nachrichten"]),  # a newsroom that signs as one: as the page says
        ("신현주 기자", ["신현주"]),  # a role after the name, in a script without capitals
        ("박준석 기자 외 1명", ["박준석"]),
        ("Capital Von Jemima Kelly", ["Jemima Kelly"]),  # the newsroom before a byline word
        # scripts whose vowel signs are combining marks: the names stay whole (Bhaskar's `दैनिक भास्कर`)
        ("दैनिक भास्कर", ["दैनिक भास्कर"]),
        ("প্রথম আলো", ["প্রথম আলো"]),
        ("முருகன் செல்வம்", ["முருகன் செல்வம்"]),
    ],
)
def test_names_are_split_and_cleaned(text, names):
    assert split_names(text) == names


def test_running_text_is_no_name():
    assert clean_name("the time we arrived", in_running_text=True) is None
    assert clean_name("Rutte gesteund", in_running_text=True) is None  # a verb is no part of a name
    assert clean_name("Tuesday", in_running_text=True) is None  # `By Tuesday` in running text
    assert clean_name("Kasparov") == "Kasparov"  # metadata may give one word


def test_a_byline_line_at_the_top_of_a_dump_names_the_authors():
    paragraphs = ["Kabinet valt over asiel", "Door Jan Jansen", "DEN HAAG - Het kabinet is gevallen."]
    assert byline_authors(paragraphs) == (["Jan Jansen"], 1)
    assert byline_authors(["By Tuesday the rain had stopped and the roads were open again for traffic."]) == ([], None)
    assert byline_authors(["Een", "twee", "drie", "vier", "Door Jan Jansen"]) == ([], None)  # too far down


def test_a_text_dump_loses_its_byline_line_to_the_authors_column():
    article = clean_text_page(
        "Kabinet valt over asiel\n\nDoor Jan Jansen\n\nDEN HAAG (ANP) - Het kabinet is gevallen over asiel.\n"
    )
    assert article.authors == ["Jan Jansen"]
    assert "Door Jan Jansen" not in article.body and article.dateline == "DEN HAAG"


def _page(head: str, body: str = "") -> str:
    story = " ".join(["De gemeenteraad heeft dinsdagavond de begroting voor volgend jaar goedgekeurd."] * 5)
    return f"<html><head>{head}</head><body><article><h1>Begroting</h1>{body}<p>{story}</p></article></body></html>"


def test_a_pages_json_ld_article_names_its_authors_before_any_meta_tag():
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Dagblad"},
            {
                "@type": "NewsArticle",
                "headline": "Begroting",
                "author": [{"@type": "Person", "name": "Anna Bakker"}, {"@type": "Organization", "name": "Dagblad"}],
            },
        ],
    }
    html = _page(f'<script type="application/ld+json">{json.dumps(ld)}</script><meta name="author" content="Dagblad">')
    assert page_authors(parse_html(html)) == ["Anna Bakker"]
    assert clean_html_page(html).authors == ["Anna Bakker"]


def test_a_pages_meta_tags_and_itemprops_name_authors_where_it_has_no_json_ld():
    assert page_authors(parse_html(_page('<meta name="author" content="Piet Peters, Klaas Kok">'))) == [
        "Piet Peters",
        "Klaas Kok",
    ]
    itemprop = '<span itemprop="author" itemscope><span itemprop="name">Sara Smit</span></span>'
    assert page_authors(parse_html(_page("", itemprop))) == ["Sara Smit"]
    assert page_authors(parse_html(_page(""))) == []


def test_the_sites_login_account_is_no_author_whatever_name_it_shows():
    # Ilanga posts its stories under a WordPress `admin` account named `Ilanga D`
    account = {"@type": "Person", "@id": "https://ilanganews.co.za/author/admin/", "name": "Ilanga D"}
    ld = {"@type": "NewsArticle", "headline": "Begroting", "author": account}
    link = '<a href="https://ilanganews.co.za/author/admin/" rel="author">Ilanga D</a>'
    html = _page(f'<script type="application/ld+json">{json.dumps(ld)}</script><meta name="author" content="Ilanga D">')
    assert account_names(parse_html(html), [account]) == {"ilanga d"}
    assert page_authors(parse_html(html)) == []
    assert page_authors(parse_html(_page("", f"<p>Door {link}</p>"))) == []
    # a person's own profile page is no account, nor is a name that merely contains the word
    person = '<a href="/author/adminova-jana/" rel="author">Jana Adminova</a>'
    assert page_authors(parse_html(_page('<meta name="author" content="Jana Adminova">', person))) == ["Jana Adminova"]


@pytest.mark.skipif(not (REALDATA / "dutch_articles").exists(), reason="../shared/realdata/dutch_articles is not here")
def test_the_byline_lines_of_real_dutch_dumps_name_their_real_authors():
    """LexisNexis exports carry the byline in a field of their own; a few also print a `door …` line at the top of
    the text. The export's byline is always among the names read from such a line (the export keeps only the
    first of `door Leon Brandsema en Connie de Jonge`)."""
    bylines = {}
    with gzip.open(REALDATA / "dutch_articles" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            bylines[record["doc_id"]] = (record.get("byline") or "").casefold()
    found = [
        (names, bylines[article.doc_id])
        for article in dutch_articles(every=2)
        if (names := byline_authors([article.title, *filter(str.strip, article.text.split("\n"))])[0])
    ]
    assert len(found) >= 50
    assert all(byline in {name.casefold() for name in names} for names, byline in found)


def test_the_headline_is_the_json_ld_one_and_loses_the_sites_name():
    from newsassets.page_metadata import read_page_metadata

    ld = {
        "@type": "NewsArticle",
        "headline": "Begroting  goedgekeurd - Dagblad",
        "datePublished": "2025-06-05T12:36:40+02:00",
    }
    head = (
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        '<meta property="og:site_name" content="Dagblad"><meta property="og:title" content="Begroting | Dagblad">'
    )
    metadata = read_page_metadata(parse_html(_page(head)))
    assert metadata.headline_or("Begroting goedgekeurd | Dagblad") == "Begroting goedgekeurd"
    assert metadata.published.isoformat() == "2025-06-05T12:36:40+02:00"
    article = clean_html_page(_page(head))
    assert article.title == "Begroting goedgekeurd"
    assert article.published_at.isoformat() == "2025-06-05T10:36:40"  # stored as UTC
    # no JSON-LD: the <h1> that og:title agrees with, without the site's name
    plain = read_page_metadata(parse_html(_page('<meta property="og:title" content="Begroting | Dagblad">')))
    assert plain.headline_or(None, "Dagblad") == "Begroting"


def test_the_headline_loses_the_section_the_site_adds_after_it():
    from newsassets.page_metadata import read_page_metadata

    title = "민주당 도입 또다시 불발-정치ㅣ한국일보"
    head = f'<meta name="content_category" content="정치"><meta property="og:title" content="{title}">'
    assert read_page_metadata(parse_html(_page(head))).headline_or(None, "한국일보") == "민주당 도입 또다시 불발"
    ld = {
        "@type": "NewsArticle",
        "headline": "Zuid-Afrika na de verkiezingen - Buitenland",
        "articleSection": ["Buitenland"],
    }
    metadata = read_page_metadata(parse_html(_page(f'<script type="application/ld+json">{json.dumps(ld)}</script>')))
    assert metadata.headline_or(None) == "Zuid-Afrika na de verkiezingen"
    # a headline that merely ends in the section's word, with no separator before it, keeps it
    other = {**ld, "headline": "Nieuws uit het Buitenland"}
    metadata = read_page_metadata(parse_html(_page(f'<script type="application/ld+json">{json.dumps(other)}</script>')))
    assert metadata.headline_or(None) == "Nieuws uit het Buitenland"


def test_the_sites_own_name_is_told_from_the_persons():
    sites = ("Hankook Ilbo", "한국일보", "www.lrt.lt")
    assert site_names(["한국일보", "신현주"], sites) == ["한국일보"]
    assert site_names(["Povilas Aleksandravičius", "Lrt.lt"], sites) == ["Lrt.lt"]
    assert site_names(["Jan Jansen"], (None, "")) == []


def test_a_visible_byline_names_the_authors_where_the_metadata_does_not():
    tree = parse_html(
        "<html><body><div class='articleMeta'><p class='author'><a>David Straub, MDR THÜRINGEN</a></p></div>"
        "<p>Die Thüringer Bratwurst ist ein Stück Heimat, sagt der Metzger.</p></body></html>"
    )
    assert visible_byline_authors(tree) == ["David Straub", "MDR THÜRINGEN"]
    # a long text in an author box is a biography, not a byline
    bio = (
        "<html><body><div class='author-box'>"
        + "Jan Jansen schrijft al jaren over de regio. " * 5
        + "</div></body></html>"
    )
    assert visible_byline_authors(parse_html(bio)) == []


@pytest.mark.parametrize(
    ("value", "names"),
    [
        # a byline's second line, the author's job, is no second author (the AP's, a cable news site's)
        ("By TOM KRISHER, AP Auto Writer", ["TOM KRISHER"]),
        ("STEVE PEOPLES, AP National Political Writer", ["STEVE PEOPLES"]),
        ("Analysis by Chris Cillizza, CNN Editor-at-large", ["Chris Cillizza"]),
        ("Daniel Großert, Redakteur", ["Daniel Großert"]),
        # a site's login account is no writer
        ("admin", []),
        ("jdadmin", []),
        ("Webmaster", []),
        # a newsroom or an agency that signs is kept, and a particle is no byline word
        ("MND Staff", ["MND Staff"]),
        ("Associated Press", ["Associated Press"]),
        ("Ursula von der Leyen", ["Ursula von der Leyen"]),
    ],
)
def test_a_role_or_an_account_is_no_authors_name(value, names):
    assert split_names(value) == names


def test_each_author_the_bylines_markup_marks_is_a_name_of_its_own():
    # two authors' links side by side, no comma between them (a Norwegian page's byline)
    tree = parse_html(
        "<html><body><div class='bylines'>"
        "<address class='name'><a rel='author'><span>Ingrid</span> <span>Treborg</span></a></address> "
        "<address class='name'><a rel='author'>Marlene Lundberg Holm</a></address>"
        "</div><p>Det ble en varm helg i hele landet.</p></body></html>"
    )
    assert visible_byline_authors(tree) == ["Ingrid Treborg", "Marlene Lundberg Holm"]
    # one marked author: the element's text is read whole, as before
    one = parse_html(
        "<html><body><p class='byline'>Door <a rel='author'>Anna de Vries</a> en Jan Bakker</p></body></html>"
    )
    assert visible_byline_authors(one) == ["Anna de Vries", "Jan Bakker"]


def test_a_labelled_byline_names_the_authors_and_a_cards_byline_does_not():
    # `Von:` with a colon, the names in profile links (a fact-check page whose metadata names no person)
    labelled = parse_html(
        "<html><body><ul><li class='information-item'>Von: <span><a href='/bill-mccarthy'>Bill  MCCARTHY</a>, "
        "</span><span><a href='/marisha-goldhamer'>Marisha GOLDHAMER</a></span></li></ul>"
        "<p>Ein Foto soll zeigen, wie ein Politiker auf einer Bühne stolpert. Es ist bearbeitet.</p></body></html>"
    )
    assert visible_byline_authors(labelled) == ["Bill MCCARTHY", "Marisha GOLDHAMER"]
    # a byline inside a link is the card's of another story (a related-story list), not the page's
    card = parse_html(
        "<html><body><div class='name'>AFP, MANILA</div><p>Manila accused Beijing of sideswiping a boat.</p>"
        "<ul><li><a href='/other'><p>The carrier group was expected to enter the Western Pacific.</p>"
        "<h6>By Ben Blanchard and Yimou Lee</h6></a></li></ul></body></html>"
    )
    assert visible_byline_authors(card) == []
    assert split_names("By: Jane Doe and John Roe", in_running_text=True) == ["Jane Doe", "John Roe"]


def test_a_headline_the_page_hides_for_search_engines_gives_way_to_the_one_readers_see():
    from newsassets.page_metadata import read_page_metadata

    ld = {"@type": "NewsArticle", "headline": "Trump plant Helikopterlandeplatz beim Weissen Haus"}
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script>'
        '<meta property="og:title" content="Trump plant Helikopterlandeplatz – während sein Ballsaal-Projekt stockt">'
        '</head><body><h1 class="seotitle">Trump plant Helikopterlandeplatz beim Weissen Haus</h1>'
        "<h2>Trump plant Helikopterlandeplatz – während sein Ballsaal-Projekt stockt</h2></body></html>"
    )
    metadata = read_page_metadata(parse_html(html))
    assert metadata.headline_or(None) == "Trump plant Helikopterlandeplatz – während sein Ballsaal-Projekt stockt"
    # the same headline in a visible <h1> is the story's
    visible = html.replace(' class="seotitle"', "")
    assert read_page_metadata(parse_html(visible)).headline_or(None) == ld["headline"]


def test_the_headline_readers_see_wins_over_the_json_ld_one_with_a_kicker_before_it():
    from newsassets.page_metadata import read_page_metadata

    ld = {"@type": "NewsArticle", "headline": "«Evnukkmakeren»: Nordmann dømt til livstid"}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    page = f"<html><head>{head}</head><body><h1>Nordmann dømt <span>til livstid</span></h1></body></html>"
    assert read_page_metadata(parse_html(page)).headline_or(None) == "Nordmann dømt til livstid"
    # a heading that is the headline's start, or has no kicker's colon before it, changes nothing
    for heading in ("«Evnukkmakeren»", "dømt til livstid"):
        other = page.replace("Nordmann dømt <span>til livstid</span>", heading)
        assert read_page_metadata(parse_html(other)).headline_or(None) == ld["headline"]
