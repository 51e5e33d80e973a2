"""Fronts and article pages told apart, and a front's cards read, on hand-made pages and on real ones."""

import gzip
from datetime import datetime
from pathlib import Path

from newsassets.pages import ARTICLE, FRONT, front_teasers, links_to_a_list, page_kind
from newsassets.quality import teaser_flags
from newsassets.reading import decode_text

from .conftest import require_shared

FIXTURES = Path(__file__).parent / "fixtures" / "html"
CAPTURED = datetime(2026, 1, 24, 12, 0)


def test_a_section_front_is_a_front_and_article_pages_with_rails_are_articles():
    assert page_kind((FIXTURES / "front_section.html").read_text()) == FRONT
    for name in ("rail_list_time.html", "english_rails.html", "rail_cards_text_ages.html"):
        assert page_kind((FIXTURES / name).read_text()) == ARTICLE, name
    assert page_kind("") == ARTICLE and page_kind("\x00\x01 not html") == ARTICLE


def test_one_card_link_no_parser_reads_costs_that_link_only():
    from newsassets.dedup import link_key

    front = (FIXTURES / "front_section.html").read_text()
    broken = front.replace(
        'href="/buitenland/oekraine-en-rusland-wisselen-krijgsgevangenen-uit"', 'href="http://[kapot"'
    )
    for page_url in ("https://www.dvhn.example/buitenland", None):  # a front with a url, and a file without one
        teasers = front_teasers(broken, CAPTURED, page_url)
        assert len(teasers) == 10 and teasers[0].url is None
        assert teasers[0].title == "Oekraïne en Rusland wisselen opnieuw krijgsgevangenen uit"
        assert teasers[1].url.endswith("/buitenland/witte-huis-verwerpt-kritiek")
    assert link_key("http://[kapot") is None  # and the stages that key links read such a url as no link


def test_an_article_that_says_so_is_an_article_whatever_its_cards():
    front = (FIXTURES / "front_section.html").read_text()
    declared = front.replace('content="website"', 'content="article"')
    assert page_kind(declared) == ARTICLE


def test_every_card_of_the_front_in_page_order_with_absolute_urls_and_times():
    teasers = front_teasers(
        (FIXTURES / "front_section.html").read_text(), CAPTURED, "https://www.dvhn.example/buitenland"
    )
    assert [t.position for t in teasers] == list(range(1, 11))
    assert teasers[0].title == "Oekraïne en Rusland wisselen opnieuw krijgsgevangenen uit"
    assert teasers[0].text == "Volgens de Oekraïense president keerden 157 militairen en burgers terug naar huis."
    assert teasers[0].url == "https://www.dvhn.example/buitenland/oekraine-en-rusland-wisselen-krijgsgevangenen-uit"
    assert teasers[0].published_at == datetime(2026, 1, 24, 8, 15)  # <time datetime> with +01:00, as UTC
    assert (teasers[1].age_text, teasers[1].age_minutes) == ("2 uur geleden", 120)
    assert teasers[3].title == "Iran test nieuwe raket met groter bereik" and teasers[3].text == ""
    assert teasers[7].published_at == datetime(2026, 1, 23, 18, 0)
    titles = " ".join(t.title for t in teasers)
    assert "abonnee" not in titles and "Colofon" not in titles and "archief" not in titles  # nav, footer, more link
    assert all(t.url.startswith("https://www.dvhn.example/") for t in teasers)


def test_real_fronts_are_fronts_and_real_article_pages_are_articles():
    """The 27 German fronts, every fundus page (41 countries) and every Zyte page."""
    from newsassets.evaluate.realdata import front_pages, fundus_pages, zyte_pages

    require_shared("realdata", "fronts", "meta.json")
    require_shared("extraction", "zyte", "ground-truth.json")
    wrong = []
    for expected, pages in ((FRONT, front_pages()), (ARTICLE, fundus_pages() + zyte_pages())):
        for page, _ in pages:
            with gzip.open(page) as handle:
                if page_kind(decode_text(handle.read())) != expected:
                    wrong.append(page.name)
    assert wrong == []


def blocks_front() -> list:
    html = (FIXTURES / "front_blocks_de.html").read_text()
    assert page_kind(html) == FRONT
    return front_teasers(html, CAPTURED, "https://www.tageblatt.example/")


def test_a_kicker_is_set_apart_from_the_headline_where_the_markup_shows_it():
    teasers = blocks_front()
    assert [(t.kicker, t.title) for t in teasers[:3]] == [
        ("Ukraine-Krieg", "Selenskyj fordert mehr Luftabwehr von den Partnern"),  # kicker span in the heading
        ("Bundestag", "Koalition einigt sich in der Nacht auf den Haushalt"),  # topic in the overline, date left out
        ("Bundesliga", "Bayern verliert überraschend in Mainz"),  # a short element right over the heading
    ]
    assert all(t.kicker is None for t in teasers[3:])
    assert [t.title for t in teasers[3:6]] == [
        "Video: Alle Tore des Spieltags im Überblick",
        "Handballer starten mit einem Sieg in die EM",  # the byline and reading time after it are no headline
        "Berlin Von der Leyen: Stromausfall legt Teile von Berlin-Mitte lahm",  # `Von der …` is no byline
    ]


def test_cards_stand_under_their_block_heading_with_their_place_in_the_block():
    teasers = blocks_front()
    assert [(t.position, t.section, t.block_position) for t in teasers] == [
        (1, "Politik", 1),  # a heading in a box of its own heads the cards that follow the box
        (2, "Politik", 2),
        (3, "Sport", 1),  # a heading inside its block heads the block
        (4, "Sport", 2),
        (5, "Sport", 3),
        (6, None, None),  # the ticker has no heading; the games widget's heads no cards, and menus head none
        (7, None, None),
        (8, None, None),
    ]


def test_card_times_in_german_and_english_read_in_the_pages_own_zone():
    teasers = blocks_front()
    # `10:05 Uhr` printed beside `datetime=…09:05Z` (10:05+01:00): the page's clocks run one hour ahead of UTC
    assert [(t.age_text, t.published_at) for t in teasers] == [
        ("vor 2 Stunden", datetime(2026, 1, 24, 10, 0)),
        ("09:30", datetime(2026, 1, 24, 8, 30)),  # a bare clock in an element the markup calls a date
        ("10:05 Uhr", datetime(2026, 1, 24, 9, 5)),
        (None, None),  # `14:05` in a player's duration is no time
        ("Heute, 11:30 Uhr", datetime(2026, 1, 24, 10, 30)),
        ("5 mins ago", datetime(2026, 1, 24, 11, 55)),
        (None, None),  # `03:30`, a video's length
        ("23.01.2026", datetime(2026, 1, 22, 23, 0)),  # midnight in the page's zone
    ]


def test_a_page_without_a_capture_time_dates_its_cards_by_what_they_print_as_a_moment():
    """Real pages saved without their capture time (fundus's): a card's `<time datetime>` still dates it, whatever
    the visible text (`02/02/2025` beside a datetime); a printed date or time needs the capture's clock and zone,
    and is no unreadable age either."""
    html = (FIXTURES / "front_blocks_de.html").read_text()
    teasers = front_teasers(html, None, "https://www.tageblatt.example/")
    assert [(t.age_text, t.published_at) for t in teasers if t.age_text] == [
        ("vor 2 Stunden", None),
        ("09:30", None),
        ("10:05 Uhr", datetime(2026, 1, 24, 9, 5)),  # its datetime attribute, in UTC
        ("Heute, 11:30 Uhr", None),
        ("5 mins ago", None),
        ("23.01.2026", None),  # in the page's zone, which only its capture's clocks tell: never guessed
    ]
    flags = [teaser_flags(t.title, t.text, t.age_text, t.age_minutes, t.published_at, None) for t in teasers]
    assert flags == [[]] * len(teasers)
    slashed = html.replace(">10:05 Uhr<", ">24/01/2026<")
    assert front_teasers(slashed, None, "https://x.example/")[2].published_at == datetime(2026, 1, 24, 9, 5)


def test_a_page_without_zone_hints_reads_its_clocks_in_utc():
    html = (FIXTURES / "front_blocks_de.html").read_text().replace('datetime="2026-01-24T10:05:00+01:00"', "")
    teasers = front_teasers(html, CAPTURED, "https://www.tageblatt.example/")
    assert teasers[1].published_at == datetime(2026, 1, 24, 9, 30)
    assert teasers[2].published_at == datetime(2026, 1, 24, 10, 5)


def test_a_more_link_to_a_section_front_is_no_teaser():
    titles = [t.title for t in blocks_front()]
    assert "Alle Nachrichten aus dem Sport" not in titles  # `/sport/`: a list of stories, not a story
    for url in (
        "https://sudoku.example/",
        "https://www.example.de/video/",
        "https://example.de/extra",
        "https://www.example.de/schweiz/index",
        "https://ads.example/redi?sid=41",
    ):
        assert links_to_a_list(url), url
    for url in (
        "https://www.example.de/wildtiere/riesenotter?ref=1",
        "https://www.example.de/a-123.html",
        "https://www.example.nl/binnenland/kabinet-valt-over-stikstof",
        "https://x.example/6123456",
        None,
    ):
        assert not links_to_a_list(url), url


def test_a_front_whose_cards_have_no_heading_is_read_from_its_repeated_links():
    html = (FIXTURES / "front_list_nl.html").read_text()
    assert page_kind(html) == FRONT
    teasers = front_teasers(html, CAPTURED, "https://www.nieuwsblad.example/")
    assert len(teasers) == 9  # the list's links; not the menu's, the footer's or the `Bekijk al het nieuws` link
    assert teasers[0].title == "Kabinet presenteert plan voor versterking van dijken in Zeeland"  # time left out
    assert teasers[0].url == (
        "https://www.nieuwsblad.example/binnenland/6310001/kabinet-presenteert-plan-voor-dijkversterking.html"
    )
    assert [(t.age_text, t.published_at) for t in (teasers[0], teasers[6], teasers[8])] == [
        ("11:05", datetime(2026, 1, 24, 11, 5)),  # a bare clock in an element the markup calls a time
        ("08:47", datetime(2026, 1, 24, 8, 47)),
        ("gisteren 21:15", datetime(2026, 1, 23, 21, 15)),
    ]


def test_an_article_with_a_list_of_links_beside_it_stays_an_article():
    """A short story beside a sidebar of eleven headline links: the links are cards, but hold less text than it."""
    items = "".join(
        f'<li><a class="side" href="/s/{i}">Een andere kop van een ander verhaal nummer {i}</a></li>' for i in range(11)
    )
    story = " ".join(["Het kabinet heeft vandaag een plan gepresenteerd voor de dijken."] * 10)
    html = f"<html><body><main><h1>Dijken</h1><p>{story}</p></main><aside><ul>{items}</ul></aside></body></html>"
    assert page_kind(html) == ARTICLE
    assert page_kind(html.replace(f"<p>{story}</p>", "")) == FRONT  # without its story it is a list of cards
