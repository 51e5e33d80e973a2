from datetime import datetime

import pytest

from newsassets.cleaning import clean_html_page, clean_page, clean_text_page, looks_like_title
from newsassets.quality import leakage_in
from newsassets.teasers import extract_teasers
from newsassets.vocabulary import WORD


@pytest.fixture(scope="module")
def cleaned(seeds):
    return {key: clean_text_page(text) for key, text in seeds.items()}


def test_titles(cleaned):
    assert cleaned["000"].title == "Russen boos om 'lompe' waarschuwing Amerikaanse minister Blinken"
    assert cleaned["002"].title == "Lavrov hoopt dat spanningen afnemen na gesprek met Blinken"
    assert cleaned["003"].title == "Biden en Poetin gaan praten over spanning rond Oekraïne"
    assert cleaned["001"].title is None  # the dump starts with body text: no title is invented


def test_002_title_printed_twice_appears_once(cleaned):
    article = cleaned["002"]
    assert article.title not in article.body


def test_datelines_and_agencies(cleaned):
    assert (cleaned["000"].dateline, cleaned["000"].agencies) == ("MOSKOU", ["ANP", "DPA", "BLOOMBERG"])
    assert (cleaned["002"].dateline, cleaned["002"].agencies) == ("GENÈVE", ["ANP", "RTR", "AFP"])
    assert (cleaned["004"].dateline, cleaned["004"].agencies) == ("MOSKOU", ["ANP", "RTR"])
    assert (cleaned["001"].dateline, cleaned["001"].agencies) == (None, [])


def test_bodies_start_after_the_dateline_and_keep_subheads(cleaned):
    assert cleaned["000"].body.startswith("De Amerikaanse minister van Buitenlandse Zaken heeft zich de woede")
    assert cleaned["002"].body.startswith("De Russische minister van Buitenlandse Zaken Sergej Lavrov")
    assert "\n\nGrap\n\n" in cleaned["000"].body and "\n\nTelefoongesprek\n\n" in cleaned["000"].body
    assert "\n\nMilitair pact\n\n" in cleaned["002"].body
    assert cleaned["000"].lede.startswith("De Amerikaanse minister") and cleaned["000"].lede in cleaned["000"].body


def test_no_boilerplate_rail_teaser_text_or_ages_in_bodies(cleaned, seeds):
    for key, article in cleaned.items():
        text = f"{article.title or ''}\n{article.body}"
        assert "webmail" not in text.lower()
        assert "Meer uit Buitenland" not in text
        assert "geleden" not in text
        for teaser in extract_teasers(seeds[key]):
            assert teaser.text not in text
        assert leakage_in(article.body.split("\n\n")) == [], key


def test_001_caption_once_metadata_prefix_gone_date_kept(cleaned):
    article = cleaned["001"]
    assert article.body.count("Kazachstan riep de hulp in van het CSTO") == 1
    assert not article.body.lower().startswith("date")
    assert article.body.startswith("De Amerikaanse minister")
    assert article.published_at == datetime(2022, 1, 1)


def test_language_and_word_counts(cleaned):
    assert {a.language for a in cleaned.values()} == {"nl"}
    for article in cleaned.values():  # words, not hyphenated parts or punctuation: close to a split on spaces
        assert abs(article.word_count - len(article.body.split())) <= 0.02 * article.word_count
    assert all(a.word_count > 100 for a in cleaned.values())


def test_paragraphs_are_separated_by_blank_lines_whatever_the_dump_used(cleaned):
    # 000 puts one paragraph per line, 002 leaves blank lines between them: both come out alike
    assert cleaned["000"].body.count("\n\n") == 8
    assert "\n\n\n" not in cleaned["002"].body and cleaned["002"].body.count("\n\n") == 10


def test_looks_like_title():
    assert looks_like_title("Kremlin: aanvallers Belgorod gebruikten westers wapentuig")
    assert not looks_like_title("MOSKOU (ANP) - Het Kremlin zegt")
    assert not looks_like_title("Dit is een gewone zin die eindigt met een punt.")
    assert not looks_like_title("woord " * 50)


def test_headlines_that_end_like_sentences_are_titles_over_longer_text():
    body = "De Nederlandse politicus maakte dinsdag bekend dat hij na de verkiezingen stopt met zijn werk in de Kamer."
    assert looks_like_title("Nilüfer Gündogan verlaat politiek na verkiezingen:", body)
    assert looks_like_title("En de Nobelprijs voor Beste Man gaat naar...", body)
    assert looks_like_title("Boeiende analyse van de koloniale wereld.", body)
    assert not looks_like_title("Boeiende analyse van de koloniale wereld.", "Kort.")  # not over a longer text
    assert not looks_like_title("Het kon niet meer misgaan. Dácht ik.", body)  # two sentences: running text
    assert not looks_like_title("Hij zei dat het goed ging, en daarna,", body)
    assert clean_text_page("Personalia:\n\n" + body).title == "Personalia:"


def test_a_page_of_only_boilerplate_has_an_empty_body():
    article = clean_text_page("Webmail\n\nKies je webmail\n\nAccepteer cookies\n")
    assert (article.body, article.word_count, article.language) == ("", 0, None)


HTML_PAGE = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8">
<title>Kabinet presenteert plan voor dijkversterking | Zeeuws Nieuws</title>
<meta property="og:title" content="Kabinet presenteert plan voor dijkversterking">
<meta property="article:published_time" content="2026-01-20T09:30:00+01:00">
</head><body>
<header><nav><a href="/">Home</a> <a href="/binnenland">Binnenland</a></nav><p>Webmail</p></header>
<article>
<h1>Kabinet presenteert plan voor dijkversterking</h1>
<p>DEN HAAG (ANP) - Het kabinet trekt de komende tien jaar miljarden uit voor de versterking van dijken langs
de grote rivieren en de kust. Dat staat in een plan dat de minister van Infrastructuur dinsdag presenteerde.</p>
<p>Volgens het plan moeten ruim zeshonderd kilometer dijken worden aangepakt. Waterschappen krijgen meer geld
en meer ruimte om zelf te bepalen welke dijken het eerst aan de beurt zijn.</p>
<h2>Kritiek</h2>
<p>Milieuorganisaties noemen het plan een goede eerste stap, maar vinden dat er te weinig aandacht is voor
natuurlijke oplossingen zoals het teruggeven van ruimte aan de rivier.</p>
</article>
<footer><p>Wij gebruiken cookies om de site te verbeteren.</p></footer>
</body></html>"""


def test_html_page_through_trafilatura_then_the_same_rules():
    article = clean_page(HTML_PAGE, "html")
    assert article.title == "Kabinet presenteert plan voor dijkversterking"
    assert (article.dateline, article.agencies) == ("DEN HAAG", ["ANP"])
    assert article.body.startswith("Het kabinet trekt de komende tien jaar miljarden uit")
    assert "natuurlijke oplossingen" in article.body
    assert "cookies" not in article.body and "Webmail" not in article.body and "Home" not in article.body
    assert article.published_at is not None and article.published_at.date().isoformat() == "2026-01-20"
    assert article.language == "nl"


def test_a_short_japanese_news_item_is_an_article_with_its_words_counted_as_a_reader_counts_them():
    # three sentences, four `\\w+` runs: taken for navigation before words were counted per two characters
    text = (
        "気象庁は13日午後9時19分ごろ日向灘で震度5弱の地震があったと発表した。"
        "震源の深さは約30キロで地震の規模は6.9と推定される。"
        "気象庁は高知県と宮崎県に1メートルの津波注意報を出した。"
    )
    html = f"<html><head><title>地震</title></head><body><article><h1>宮崎で震度5弱</h1><p>{text}</p></article></body></html>"
    article = clean_html_page(html, "https://www.asahi.com/articles/A1.html")
    assert article.body == text and article.language == "ja"
    assert 30 <= article.word_count <= 50  # 79 characters of Han and kana, a few digits


def test_html_without_text_gives_an_empty_article():
    assert clean_html_page("<html><body><nav>Home</nav></body></html>").body == ""


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PAGE_LINES = st.sampled_from(
    [
        "Meer uit Buitenland",
        "KYIV (ANP/RTR) - Tekst.",
        "1 uur geleden",
        "Titel",
        "",
        " date 2022-01 Tekst",
        "Webmail",
        "Grap",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=500), st.lists(PAGE_LINES, max_size=15).map("\n".join)))
def test_clean_text_page_never_raises_and_never_leaks_the_rail(text):
    article = clean_text_page(text)
    assert "Meer uit Buitenland" not in article.body
    assert article.word_count == len(WORD.findall(article.body))
