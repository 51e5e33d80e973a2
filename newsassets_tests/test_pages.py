"""Fronts and article pages told apart, and a front's cards read, on hand-made pages and on real ones."""

import gzip
from datetime import datetime
from pathlib import Path

from newsassets.pages import ARTICLE, FRONT, front_teasers, page_kind
from newsassets.reading import decode_text

from .conftest import require_shared

FIXTURES = Path(__file__).parent / "fixtures" / "html"
CAPTURED = datetime(2026, 1, 24, 12, 0)


def test_a_section_front_is_a_front_and_article_pages_with_rails_are_articles():
    assert page_kind((FIXTURES / "front_section.html").read_text()) == FRONT
    for name in ("rail_list_time.html", "english_rails.html", "rail_cards_text_ages.html"):
        assert page_kind((FIXTURES / name).read_text()) == ARTICLE, name
    assert page_kind("") == ARTICLE and page_kind("\x00\x01 not html") == ARTICLE


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
