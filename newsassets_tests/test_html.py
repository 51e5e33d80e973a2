import json
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsassets.cleaning import clean_html_page
from newsassets.html import HtmlExtraction, extract_html
from newsassets.quality import leakage_in
from newsassets.rails import extract_html_teasers

FIXTURES = Path(__file__).parent / "fixtures" / "html"
FETCHED_AT = datetime(2026, 1, 24, 12, 0)  # naive UTC, as raw_documents.fetched_at


def page(name: str) -> str:
    return (FIXTURES / f"{name}.html").read_text(encoding="utf-8")


# For each fixture: sentences of the article that must stay, and rail/chrome text that must go.
ARTICLES = {
    "rail_list_time": (
        [
            "Oekraïne en Rusland hebben zaterdag opnieuw krijgsgevangenen uitgewisseld",
            "bemiddeling door de Verenigde Arabische Emiraten",
            "Bemiddeling",  # a subhead stays
            "wisten niet of ze nog in leven waren.",
        ],
        [
            "Meer uit Buitenland",
            "Minneapolis",
            "Lavrov",
            "Belgorod",
            "geleden",
            "Meest gelezen",
            "Gaswinning",
            "nieuwsbrief",
            "mailbox",
            "cookies",
            "Deel dit artikel",
            "WhatsApp",
            "Inloggen",
            "Alle rechten voorbehouden",
            "Volg ons",
            "Vind je dit artikel",
        ],
    ),
    "rail_cards_text_ages": (
        [
            "Dat staat in een plan dat de minister van Infrastructuur woensdag presenteerde",
            "Kritiek van milieuorganisaties",
            "hoe de kosten over de regio's worden verdeeld.",
        ],
        [
            "Lees ook",
            "Walcheren",
            "Gerelateerde artikelen",
            "Zeeuwse kust krijgt extra zand",
            "Meer uit Binnenland",
            "asielaanvragen",
            "Treinverkeer",
            "geleden",
            "14:05",
            "Deel op",
            "Webmail",
            "Word abonnee",
            "Copyright",
        ],
    ),
    "english_rails": (
        [
            "handled a record number of containers last year",
            "Volumes of liquid bulk, including oil and chemicals, fell slightly",
            "scheduled to start operating next year.",
        ],
        [
            "Read more",
            "Shipping rates climb",
            "Related",
            "Dutch economy grows",
            "More from World",
            "Floods hit southern Spain",
            "Sign up",
            "newsletter",
            "inbox",
            "Most read",
            "Markets rally",
            "Share on",
            "cookies",
            "Reporting by",
            "Follow World News",
            "All rights reserved",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_body_keeps_the_article_and_loses_every_rail(name):
    keep, lose = ARTICLES[name]
    text = extract_html(page(name)).text
    body = clean_html_page(page(name)).body
    for sentence in keep:
        assert sentence in text and sentence in body, sentence
    for furniture in lose:
        assert furniture not in text and furniture not in body, furniture
    assert leakage_in(body.split("\n\n")) == []


def test_rails_without_any_class_are_found_by_their_headings():
    story = "".join(
        f"<p>Alinea {i}: de provincie Utrecht wil meer woningen bouwen langs het spoor tussen de grote steden.</p>"
        for i in range(4)
    )
    html = (
        "<html><body><article><h1>Woningbouw langs het spoor</h1>"
        f"{story[: len(story) // 2]}"
        '<p><strong>Lees ook:</strong> <a href="/a">Bouwplannen Amersfoort opnieuw vertraagd</a></p>'
        f"{story[len(story) // 2 :]}"
        "<h2>Meer uit Binnenland</h2><ul>"
        '<li><a href="/b">Minder asielaanvragen in december</a></li>'
        '<li><a href="/c">Treinverkeer rond Utrecht hervat</a></li></ul>'
        "<h3>Meest gelezen</h3><ol><li><a href='/d'>Storm zorgt voor schade</a></li>"
        "<li><a href='/e'>Nieuwe burgemeester</a></li></ol>"
        "</article></body></html>"
    )
    text = extract_html(html).text
    assert "Alinea 0" in text and "Alinea 3" in text
    for furniture in ("Lees ook", "Amersfoort", "Meer uit", "asielaanvragen", "Treinverkeer", "Meest gelezen", "Storm"):
        assert furniture not in text, furniture


def test_a_rail_heading_in_another_language_over_other_stories_cards_is_not_the_story():
    # a Portuguese blog: `Você pode gostar...` over <article> cards, each a share bar and an excerpt, outweighing
    # the short story above them
    sentence = (
        "Viver uma verdadeira experiência amorosa é um dos maiores prazeres da vida, e gostar é sentir com a alma."
    )
    card = (
        "<article class='post'><center><img src='/o.jpg'></center><div><center><a href='whatsapp://send?text=x'>"
        "Whatsapp</a> <a href='https://www.facebook.com/sharer/sharer.php?u=x'>Facebook</a></center></div>"
        "<p>{} requer da gente otimismo e coragem para esperar o melhor e fazer o melhor acontecer, sem perder o "
        "entusiasmo e a esperança de que o bem está logo ali, esperando mais à frente por gente dedicada de verdade "
        "em persegui-lo, com otimismo e um plano paralelo para a vida …</p></article>"
    )
    cards = "".join(card.format(subject) for subject in ("A vida", "O amor", "A fé", "A família", "A paz", "A sorte"))
    html = (
        f"<html><body><div id='primary'><article class='post'><h1>Quem se ama</h1><p>{' '.join([sentence] * 3)}</p>"
        f"</article><article class='post'><h3>Você pode gostar...</h3>{cards}</article></div></body></html>"
    )
    text = extract_html(html, "https://www.mensagens.com.br/quem-se-ama").text
    assert text.endswith(" ".join([sentence] * 3)) and "requer" not in text and "Você" not in text


@pytest.mark.parametrize(
    ("heading", "links", "url"),
    [
        (
            "関連記事",
            ("日米首脳が電話会談 関税協議で合意", "円相場が一時150円台に下落"),
            "https://www.asahi.com/articles/A1.html",
        ),
        (
            "Читайте также",
            ("Центробанк сохранил ключевую ставку", "Курс рубля снова упал"),
            "https://www.kommersant.ru/doc/1",
        ),
    ],
)
def test_a_rail_heading_in_another_script_over_a_list_of_links_is_not_the_story(heading, links, url):
    # no class names the rail, only its heading does: a list, each item a linked headline and its excerpt
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    excerpt = "De gemeenteraad besprak het voorstel uitgebreid en stemde daarna in met de plannen."
    items = "".join(
        f"<li><a href='/news/{i}.html'>{title}</a> <span>{excerpt}</span></li>" for i, title in enumerate(links)
    )
    html = f"<html><body><article><h1>Stadspark</h1>{story}<h2>{heading}</h2><ul>{items}</ul></article></body></html>"
    text = extract_html(html, url).text
    assert text.endswith(STORY_PARAGRAPHS[-1]) and heading not in text and "besprak het voorstel" not in text


def test_a_read_more_card_inside_the_story_is_not_the_story():
    # a Polish site's card between two paragraphs: `Czytaj więcej` in a box of its own, then a box whose picture
    # and headline are links, over an excerpt longer than the headline
    story = [f"<p>{p}</p>" for p in STORY_PARAGRAPHS]
    card = (
        "<div class='excerpt'><div class='subtitle--border'><p class='subtitle'>Czytaj więcej</p></div>"
        "<div class='article'><a href='/art44185081'><img src='/t.jpg' alt='Prezydent'></a>"
        "<a href='/art44185081'><h3>Kolejna tura rozmów USA-Iran w Pakistanie</h3></a>"
        "<p>W poniedziałek wieczorem do stolicy Pakistanu na kolejną turę negocjacji z Iranem dotrze delegacja "
        "Stanów Zjednoczonych, wynika ze słów prezydenta, który zapowiedział rozmowy.</p></div></div>"
    )
    html = f"<html><body><article><h1>Iran</h1>{''.join(story[:6])}{card}{''.join(story[6:])}</article></body></html>"
    text = extract_html(html, "https://www.rp.pl/konflikty-zbrojne/art44186001").text
    assert all(paragraph in text for paragraph in STORY_PARAGRAPHS)
    assert "Czytaj" not in text and "W poniedziałek wieczorem" not in text and "Kolejna tura" not in text


def test_a_read_also_pointer_in_the_story_does_not_cut_the_story_under_it():
    story = [f"<p>{p}</p>" for p in STORY_PARAGRAPHS]
    more = (
        "<p>Tornando al remake, il titolo provvisorio è Knights of the Zodiac e la prima stagione dovrebbe essere di "
        "dodici episodi, che conterranno il periodo che va dalla Guerra Galattica ai Cavalieri d'Argento.</p>"
    )
    # `Leggi anche` over a link to another story, then the story goes on
    pointer = "<p>Leggi anche</p><h2><a href='/film'>I Cavalieri dello Zodiaco diventeranno un film</a></h2>"
    html = f"<html><body><div><h1>Stadspark</h1>{''.join(story)}{pointer}{more}</div></body></html>"
    assert "Tornando al remake" in extract_html(html, "https://www.remember.it/remake").text
    # under a rail's heading come other stories' links, and the heading and all under it go
    rail = "<p>Leggi anche</p><ul><li><a href='/a'>Un altro articolo da leggere</a></li></ul><p>Tutti i diritti.</p>"
    text = extract_html(html.replace(pointer + more, rail), "https://www.remember.it/remake").text
    assert "Alinea 11" in text and "Leggi anche" not in text and "altro articolo" not in text


@pytest.mark.parametrize(
    ("sentence", "pointer", "url"),
    [
        # Hindi sentences end in a danda (`।`)
        (
            "नगर निगम ने मंगलवार को नए पार्क की योजना पर लंबी बहस की और पार्षदों ने शहर के किनारे बनने वाले इस पार्क के "
            "लिए बजट को मंजूरी दे दी ताकि काम जल्द शुरू हो सके।",
            "<p>ये भी पढ़ें</p><h2><a href='/news/park'>शहर में दूसरा पार्क भी बनेगा, मेयर ने कहा</a></h2>",
            "https://www.bhaskar.com/local/park",
        ),
        # a Japanese paragraph is a few `\\w+` runs however long it is: its words are counted by its characters
        (
            "気象庁は13日、午後9時19分ごろ、日向灘で震度5弱の地震があったと発表した。震源の深さは約30キロ、"
            "地震の規模は6.9と推定され、気象庁は高知県と宮崎県に1メートルの津波注意報を出した。",
            "<p>関連記事</p><h2><a href='/articles/A2.html'>宮崎で震度5弱 津波注意報を解除</a></h2>",
            "https://www.asahi.com/articles/A1.html",
        ),
    ],
)
def test_a_read_also_pointer_in_a_hindi_or_japanese_story_does_not_cut_the_story_under_it(sentence, pointer, url):
    story = "".join(f"<p>{index}. {sentence}</p>" for index in range(8))
    html = f"<html><body><div><h1>Story</h1>{story}{pointer}<p>9. {sentence}</p></div></body></html>"
    assert f"9. {sentence}" in extract_html(html, url).text


def test_words_are_counted_as_readers_of_the_language_count_them():
    from newsassets.vocabulary import text_words

    assert text_words("De gemeenteraad van Zwolle, 12 leden.") == 6
    assert text_words("気象庁は13日、震度5弱の地震があったと発表した。") == 9  # 気象庁は13日: 2, 震度5弱の…発表した: 7
    assert text_words("ข่าวที่เกี่ยวข้อง") == 8  # one `\\w+` run of 17 characters
    assert text_words("신현주 기자가 보도했다") == 3  # Korean is written with spaces


STORY = "".join(
    f"<p>Alinea {i}: de provincie Utrecht wil meer woningen bouwen langs het spoor tussen de grote steden.</p>"
    for i in range(6)
)


def test_a_headless_rail_of_teaser_cards_after_the_story_is_cut_by_its_ages():
    cards = "".join(
        f"<div><a href='/x{i}'><h3>Ander nieuws over woningbouw nummer {i}</h3></a>"
        f"<p>UTRECHT (ANP) - Een korte samenvatting van het andere bericht, nummer {i}.</p><span>{i + 1} uur geleden</span></div>"
        for i in range(3)
    )
    text = extract_html(
        f"<html><body><div class='main'><h1>Woningbouw</h1>{STORY}<div>{cards}</div></div></body></html>"
    ).text
    assert text.endswith(
        "Alinea 5: de provincie Utrecht wil meer woningen bouwen langs het spoor tussen de grote steden."
    )
    assert "Ander nieuws" not in text and "samenvatting" not in text and "geleden" not in text


def test_trailing_link_lists_and_closing_lines_are_trimmed():
    from lxml import etree

    from newsassets.html import _body_text

    body = etree.fromstring(
        "<body><p>Het kabinet trekt geld uit voor dijken langs de rivieren.</p><p>De Kamer debatteert volgende maand.</p>"
        "<head>Meer nieuws</head><list><item>Brand in Emmen</item><item>Nieuwe fietsbrug geopend</item></list>"
        "<p>Volg ons op Instagram voor meer nieuws uit de regio.</p><p>(Reporting by Anna Smit; Editing by Jan Bos)</p>"
        "<p>___</p></body>"
    )
    text = _body_text(body, anchors={"Brand in Emmen", "Nieuwe fietsbrug geopend"})
    assert text == "Het kabinet trekt geld uit voor dijken langs de rivieren.\nDe Kamer debatteert volgende maand."
    # a list that is the story's own (not link text) stays
    kept = etree.fromstring(
        "<body><p>Dit zijn de maatregelen:</p><list><item>Hogere dijken</item><item>Meer kwelders</item></list></body>"
    )
    assert _body_text(kept, anchors=set()).endswith("Meer kwelders")
    # a newsletter box's blurb under its heading goes with it; a short line under a mere subhead stays
    boxed = etree.fromstring(
        "<body><p>Auch Teamkollege Elvedi haderte mit der neuen Regel.</p><p>Die FIFA will sie bald erklären.</p>"
        "<p>Newsletter: Sport inside</p><p>Jeden Montag die Topstorys der Woche aus der Sportredaktion</p></body>"
    )
    assert _body_text(boxed, anchors=set()).endswith("Die FIFA will sie bald erklären.")
    info = etree.fromstring(
        "<body><p>Het stuk speelt tot en met december in de schouwburg.</p><head>Kaarten</head><p>40 euro</p></body>"
    )
    assert _body_text(info, anchors=set()).endswith("40 euro")


def test_cards_under_the_story_go_by_their_links_and_a_story_inside_a_link_stays():
    story = (
        "<p>Thousands of troops launched joint exercises in the north of the islands yesterday, officials said.</p>"
        "<p>The annual exercises are focused on defending the north coast of the main island, which lies several "
        "hundred kilometres from the strait, and come days after a collision between two vessels at sea.</p>"
        "<p>The commandant said at the opening ceremony that the exercises had long been planned and had nothing "
        "to do with the drills held by the other side earlier this week.</p>"
        "<p>An amphibious landing and training on how to defend against chemical and biological warfare are also "
        "among the activities planned, a press kit said. More than a thousand troops take part on both sides.</p>"
        "<p>The western island facing the sea is also to host part of the drills, the second time this year that "
        "the two armies train there together, after a smaller exercise in the spring.</p>"
        "<p>The drills run until Wednesday next week and include live-fire exercises along the coast.</p>"
    )
    excerpt = (
        "RISK REMAINS: An official said that with the elections so close, it is unclear whether the other side "
        "would hold war games or keep its reaction to words. The question was how it would respond to the speech, "
        "which vowed to resist annexation, and whether it would use it as a pretext."
    )
    # the story and, in the same container, cards whose links hold a headline and a long excerpt each
    cards = (
        "<ul><li><a href='/other-story'><div><h2>Alert over carrier</h2><div class='date_list'>2024-10-14</div>"
        f"<p>{excerpt}</p><h6>By Jane Doe and John Roe</h6></div></a></li>"
        "<li><a href='/third-story'><div><h2>Five-year window?</h2><div class='date_list'>2024-10-13</div>"
        f"<p>{excerpt.replace('RISK REMAINS', 'FIVE-YEAR WINDOW?')}</p></div></a></li></ul>"
    )
    page = f"<html><body><div class='archives'><ul><li><h1>Troops begin drills</h1>{story}{cards}</li></ul></div></body></html>"
    body = extract_html(page, "https://news.example/drills").text
    assert body.endswith("include live-fire exercises along the coast.")
    assert "RISK REMAINS" not in body and "FIVE-YEAR WINDOW" not in body
    # a page whose whole story sits inside one link (broken markup) keeps it
    wrapped = f"<html><body><a href='/self'><div><h1>Troops begin drills</h1>{story}</div></a></body></html>"
    assert extract_html(wrapped, "https://news.example/drills").text.endswith("exercises along the coast.")


def test_a_reading_time_a_stamp_the_authors_byline_and_a_photo_credit_above_the_story_go():
    from lxml import etree

    from newsassets.html import _body_text

    story = "<p>In 2024 the city grew by 3,000 people, 12.5 percent of them from abroad.</p><p>Rents rose too.</p>"
    top = etree.fromstring(
        "<body><p>Lesedauer: 4 Minuten</p><p>Stand: 22.04.2024, 06:00 Uhr</p><p>Von Nina Magoley</p>"
        f"<p>Photo: AFP</p>{story}</body>"
    )
    assert _body_text(top, anchors=set(), signers=["Nina Magoley"]).startswith("In 2024 the city grew")
    # a name line that is not the page's author, and a sentence full of numbers, are the story's
    other = etree.fromstring(f"<body><p>Jan Jansen</p><p>Euro 2024</p>{story}</body>")
    assert _body_text(other, anchors=set(), signers=["Nina Magoley"]).startswith("Jan Jansen\nEuro 2024\nIn 2024")


def test_a_reacties_subhead_over_running_text_is_the_story_not_a_comment_section():
    reactions = (
        "<h2>Reacties</h2><p>De oppositie reageerde woedend op het besluit en eist dat de minister naar de Kamer komt.</p>"
        "<p>Ook de provincie is niet blij: de gedeputeerde spreekt van een gemiste kans voor de hele regio.</p>"
    )
    html = f"<html><body><article><h1>Woningbouw</h1>{STORY}{reactions}</article></body></html>"
    text = extract_html(html).text
    assert "De oppositie reageerde woedend" in text and text.endswith("een gemiste kans voor de hele regio.")


def test_metadata_title_date_site_url():
    extraction = extract_html(page("rail_list_time"))
    assert extraction.title == "Oekraïne en Rusland wisselen opnieuw krijgsgevangenen uit"
    assert extraction.published_at == datetime(2026, 1, 24, 8, 15)  # 09:15+01:00, as naive UTC
    assert extraction.site == "Dagblad van het Noorden"
    assert extraction.language == "nl" and extract_html(page("english_rails")).language == "en"
    assert extraction.url == "https://www.dvhn.example/buitenland/oekraine-en-rusland-wisselen-krijgsgevangenen-uit"
    assert extract_html(page("rail_cards_text_ages")).published_at == datetime(2026, 1, 22)  # a day only
    assert extract_html(page("english_rails"), url="https://news.example/port").url == "https://news.example/port"


def test_cleaned_html_article_lifts_the_dateline_and_drops_the_title_line():
    article = clean_html_page(page("rail_cards_text_ages"))
    assert article.title == "Kabinet trekt extra geld uit voor versterking van dijken"
    assert article.title not in article.body
    assert (article.dateline, article.agencies) == ("DEN HAAG", ["ANP"])
    assert article.language == "nl" and article.site == "Omroep Zeeland"
    english = clean_html_page(page("english_rails"))
    assert (english.dateline, english.agencies, english.language) == ("ROTTERDAM", ["Reuters"], "en")


def test_a_page_of_only_boilerplate_has_an_empty_body():
    article = clean_html_page(page("boilerplate_only"))
    assert (article.body, article.word_count) == ("", 0)


def test_a_truncated_page_gives_what_it_has():
    body = clean_html_page(page("truncated")).body
    assert body.startswith("Honderden boeren zijn dinsdag met hun trekkers naar Den Haag gereden")
    assert "De boeren zeggen dat de regels hun bedrijven onbetaalbaar maken" in body


def test_repeated_short_lines_are_structure_and_stay():
    menu = "".join(
        f"<h2>Dag {day}</h2><h3>Ontbijt</h3><p>Havermout met fruit en noten, zoals elke ochtend op dag {day}.</p>"
        f"<h3>Lunch</h3><p>Volkorenbrood met kaas en een salade van het seizoen voor dag {day}.</p>"
        for day in range(1, 4)
    )
    html = f"<html><body><article><h1>Weekmenu</h1>{menu}</article></body></html>"
    body = clean_html_page(html).body
    assert body.count("Ontbijt") == 3 and body.count("Lunch") == 3


def test_an_article_body_split_around_an_advert_is_read_whole():
    first = "".join(
        f"<p>Eerste deel, alinea {i}: de gemeenteraad sprak lang over de begroting van volgend jaar.</p>"
        for i in range(5)
    )
    second = "".join(
        f"<p>Tweede deel, alinea {i}: de wethouder beloofde de lasten voor bewoners te beperken.</p>" for i in range(5)
    )
    html = (
        "<html><body><article><h1>Begroting</h1>"
        f'<div class="article-body">{first}</div>'
        '<div class="ad-slot"><a href="/ad">Advertentie</a></div>'
        f'<div class="article-body">{second}</div>'
        "</article></body></html>"
    )
    body = clean_html_page(html).body
    assert "Eerste deel, alinea 0" in body and "Tweede deel, alinea 4" in body
    assert body.index("Eerste deel, alinea 4") < body.index("Tweede deel, alinea 0")


def test_deeply_nested_html_is_safe_and_fast():
    article = "<p>" + "De provincie investeert fors in nieuwe fietspaden langs de provinciale wegen. " * 5 + "</p>"
    nested = "<html><body>" + article + "<div>" * 50_000 + "diep" + "</div>" * 50_000 + "</body></html>"
    start = time.perf_counter()
    extraction = extract_html(nested)
    teasers = extract_html_teasers(nested, FETCHED_AT)
    assert time.perf_counter() - start < 3
    assert "fietspaden" in extraction.text
    assert teasers == []
    only_nested = "<div>" * 50_000 + "<h2>Meer uit Buitenland</h2><ul><li>x</li></ul>"
    assert isinstance(extract_html(only_nested), HtmlExtraction)
    assert isinstance(extract_html_teasers(only_nested, FETCHED_AT), list)


def test_thousands_of_form_fields_pictures_and_tags_are_pruned_in_linear_time():
    # each form field, picture and tag link asks about the same large box around it: counted once, not once for each
    # (counted again for each, these pages took 140 s and 96 s)
    story = "<p>" + "De provincie investeert fors in nieuwe fietspaden langs de provinciale wegen. " * 10 + "</p>"
    fields = "".join(f"<span><input type='checkbox'><label>optie {i}</label></span>" for i in range(5000))
    pictures = "".join("<span><img src='x.jpg'> foto </span>" for _ in range(5000))
    tags = "".join(f"<span><a rel='tag' href='/tag/t{i}/'>onderwerp {i}</a></span> " for i in range(5000))
    pages = [
        f"<html><body><article><h1>Fietspaden</h1>{story * 10}</article><div>{story * 30}<p>Tags {tags}</p></div>"
        "</body></html>",
        f"<html><body><article><h1>Fietspaden</h1>{story * 10}</article><div>{story * 30}{fields}</div></body></html>",
        f"<html><body><article><h1>Fietspaden</h1><p>Begin <span>{pictures}<a href='/a'>Naam</a> <a href='/b'>Kop "
        f"van een ander verhaal</a></span> einde.</p>{story * 10}</article></body></html>",
    ]
    for page in pages:
        start = time.perf_counter()
        extraction = extract_html(page)
        assert time.perf_counter() - start < 15
        assert "fietspaden" in extraction.text and extraction.error is None
        assert "onderwerp" not in extraction.text


def test_giant_lines_around_the_story_are_read_in_linear_time():
    # a trailing line of 40,000 dashes and a 90,000-letter token (a script's blob shown as text) once cost the
    # closing-line, credit and byline patterns time quadratic in their length
    story = "<p>" + "De provincie investeert fors in nieuwe fietspaden langs de provinciale wegen. " * 5 + "</p>"
    page = f"<html><body><p>{'x' * 90_000}</p>{story}<p>{'— ' * 20_000}zz</p><p>{'y' * 90_000}</p></body></html>"
    start = time.perf_counter()
    extraction = extract_html(page, "https://news.example/fietspaden")
    assert time.perf_counter() - start < 3
    assert "fietspaden" in extraction.text


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "geen html hier",
        "<",
        "<html><body></body></html>",
        "\x00\x01\x02<html>\x00<p>binair</p>",
        bytes(range(256)).decode("latin-1") * 50,
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>xml</p></body></html>',
        "<html><body>" + "<p>" * 20_000,
        "<table>" * 5_000,
    ],
)
def test_junk_never_raises(html):
    assert isinstance(extract_html(html), HtmlExtraction)
    assert isinstance(extract_html_teasers(html, FETCHED_AT), list)
    article = clean_html_page(html)
    assert article.word_count == 0 or article.word_count >= 10  # fewer than 10 words is no article: an empty body


def test_teasers_from_a_list_with_time_elements():
    teasers = extract_html_teasers(page("rail_list_time"), FETCHED_AT)
    rail = [t for t in teasers if t.section == "Buitenland"]
    assert [t.position for t in rail] == [1, 2, 3]
    first, second, third = rail
    assert first.title == "Duizenden betogers in Minneapolis na dodelijk schietincident"
    assert (first.dateline, first.agencies) == ("MINNEAPOLIS", ["ANP", "AFP"])
    assert first.text.startswith("In de Amerikaanse stad Minneapolis zijn duizenden mensen")
    assert "geleden" not in first.text and "MINNEAPOLIS" not in first.text
    assert (first.age_text, first.age_minutes, first.published_at) == (
        "7 minuten geleden",
        7,
        datetime(2026, 1, 24, 11, 53),
    )
    assert (second.dateline, second.agencies) == ("GENÈVE", ["ANP", "RTR", "AFP"])
    assert (second.age_minutes, second.published_at) == (60, datetime(2026, 1, 24, 11, 0))  # 12:00+01:00
    # a bare date in `datetime` has no minutes to count: the printed `gisteren 14:05` is read instead
    assert (third.age_text, third.age_minutes, third.published_at) == (
        "gisteren 14:05",
        21 * 60 + 55,
        datetime(2026, 1, 23, 14, 5),
    )
    most_read = [t for t in teasers if t.section == "Meest gelezen"]
    assert [t.position for t in most_read] == [4, 5, 6]  # positions run through the page's rails
    assert most_read[0].text == "Gaswinning onder Groningen definitief gestopt"


def test_teasers_from_cards_with_ages_as_text():
    teasers = extract_html_teasers(page("rail_cards_text_ages"), FETCHED_AT)
    assert [t.position for t in teasers] == list(range(1, len(teasers) + 1))
    related = [t for t in teasers if t.section == "Gerelateerde artikelen"]
    assert related[0].text == "Zeeuwse kust krijgt extra zand tegen afkalving"
    cards = {t.title: t for t in teasers if t.section == "Binnenland"}
    assert len(cards) == 5
    asiel = cards["Minder asielaanvragen in december"]
    assert (asiel.dateline, asiel.agencies, asiel.text) == (
        "TER APEL",
        ["ANP"],
        "Het aantal asielaanvragen is in december gedaald, meldt de IND.",
    )
    assert (asiel.age_text, asiel.age_minutes, asiel.published_at) == (
        "7 minuten geleden",
        7,
        datetime(2026, 1, 24, 11, 53),
    )
    assert cards["Treinverkeer rond Utrecht hervat"].published_at == datetime(2026, 1, 23, 14, 5)
    glued = cards["Kamer wil snelheid op snelwegen omlaag"]  # `… toestaan. 14:05`: the age after the last sentence
    assert (glued.text, glued.age_text) == ("Een meerderheid wil 's nachts niet langer 130 toestaan.", "14:05")
    assert glued.published_at == datetime(2026, 1, 23, 14, 5)  # 14:05 has not come yet today: yesterday
    storm = cards["Storm zorgt voor schade in Zeeland"]
    assert (storm.agencies, storm.age_text, storm.age_minutes) == (["ANP", "DPA"], "23 jan 2026 14:05", 1315)
    unreadable = cards["Nieuwe burgemeester voor Vlissingen"]
    assert (unreadable.age_text, unreadable.age_minutes, unreadable.published_at) == ("binnenkort", None, None)


def test_without_a_capture_time_only_relative_ages_are_read():
    cards = {t.title: t for t in extract_html_teasers(page("rail_cards_text_ages"), None) if t.section == "Binnenland"}
    assert cards["Minder asielaanvragen in december"].age_minutes == 7
    assert cards["Treinverkeer rond Utrecht hervat"].age_minutes is None
    assert all(t.published_at is None for t in cards.values())
    listed = [t for t in extract_html_teasers(page("rail_list_time"), None) if t.section == "Buitenland"]
    assert [t.age_minutes for t in listed] == [7, 60, None]  # without the capture time, the printed age is read
    # and a `<time datetime>` moment dates its teaser (a bare date, `2026-01-23`, is no moment)
    assert [t.published_at for t in listed] == [datetime(2026, 1, 24, 11, 53), datetime(2026, 1, 24, 11, 0), None]


def test_english_rails_yield_their_items_with_links_under_their_headings():
    teasers = extract_html_teasers(page("english_rails"), FETCHED_AT, "https://news.example/world/story")
    assert [(t.section, t.block_position, t.text, t.url) for t in teasers] == [
        ("Read more", 1, "Shipping rates climb as vessels avoid Suez Canal", "https://news.example/a"),
        ("Read more", 2, "Antwerp and Hamburg compete for Asian cargo", "https://news.example/b"),
        ("Related", 1, "Dutch economy grows faster than expected", "https://news.example/c"),
        ("Related", 2, "Strikes at Belgian ports disrupt supply chains", "https://news.example/d"),
        ("Related", 3, "EU agrees new rules for shipping emissions", "https://news.example/e"),
        ("More from World", 1, "Floods hit southern Spain", "https://news.example/f"),  # a rail of one-link divs
        ("More from World", 2, "Italy approves new budget", "https://news.example/g"),
        ("More from World", 3, "Poland holds early elections", "https://news.example/h"),
        ("Most read", 1, "Markets rally on rate cut hopes", "https://news.example/i"),
        ("Most read", 2, "Airline cancels flights amid strike", "https://news.example/j"),
    ]
    assert [t.position for t in teasers] == list(range(1, 11))


def test_a_page_without_a_rail_has_no_teasers():
    assert extract_html_teasers(page("truncated"), FETCHED_AT) == []


HTML_PIECES = st.sampled_from(
    [
        "<html>",
        "<body>",
        "</body>",
        "<div class='related'>",
        "</div>",
        "<ul>",
        "<li>",
        "</li>",
        "<p>",
        "</p>",
        "<h2>Meer uit Buitenland</h2>",
        "<h2>Related</h2>",
        "<time datetime='2026-01-24T11:00:00Z'>",
        "<time datetime='x'>",
        "</time>",
        "<a href='/x'>",
        "</a>",
        "MOSKOU (ANP) - ",
        "7 minuten geleden",
        "gisteren 14:05",
        "Lees ook:",
        "Het kabinet trekt geld uit voor dijken. ",
        "<!--",
        "<script>",
        "&amp;",
        "\x00",
        "<?xml version='1.0' encoding='utf-8'?>",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    assert isinstance(extract_html(text), HtmlExtraction)
    assert isinstance(extract_html_teasers(text, FETCHED_AT), list)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(HTML_PIECES, st.text(max_size=20)), max_size=60), st.none() | st.just(FETCHED_AT))
def test_arbitrary_html_never_raises(pieces, fetched_at):
    html = "".join(pieces)
    assert isinstance(extract_html(html), HtmlExtraction)
    for teaser in extract_html_teasers(html, fetched_at):
        assert teaser.position >= 1
        assert teaser.age_minutes is None or teaser.age_minutes >= 0


def test_a_rails_ranks_and_menu_links_are_no_teasers():
    page = (
        "<html><body><article><h1>Kop</h1><p>Tekst van het verhaal zelf.</p></article><aside><h2>Meest gelezen</h2>"
        "<ol><li><span>1</span><a href='/a/1234567/x'>Kabinet valt over stikstofplan</a></li>"
        "<li><span>2</span><a href='/a/1234568/y'>Ajax wint ruim van PSV</a></li>"
        "<li><a href='/karriere'>Karriere</a></li><li><a href='/in-depth'>In-Depth</a></li></ol></aside></body></html>"
    )
    teasers = extract_html_teasers(page, FETCHED_AT, "https://www.example.nl/")
    assert [(t.title, t.text, t.url) for t in teasers] == [
        (None, "Kabinet valt over stikstofplan", "https://www.example.nl/a/1234567/x"),
        (None, "Ajax wint ruim van PSV", "https://www.example.nl/a/1234568/y"),
    ]


STORY_PARAGRAPHS = [
    f"Alinea {i}: de gemeenteraad van Zwolle besprak dinsdagavond urenlang de plannen voor het nieuwe stadspark."
    for i in range(12)
]


def test_a_story_rendered_from_a_next_js_payload_is_read_from_the_script():
    import json

    markup = "".join(f'<p class="editor-p">{p}</p>' for p in STORY_PARAGRAPHS)
    payload = json.dumps([1, markup]).replace("<", "\\u003c").replace(">", "\\u003e")
    html = (
        "<html><head><title>Stadspark</title></head><body><div id='root'><h1>Stadspark</h1></div>"
        f"<script>self.__next_f.push({payload})</script></body></html>"
    )
    text = extract_html(html).text
    assert text.split("\n") == STORY_PARAGRAPHS


def test_a_story_in_next_data_json_is_read_when_the_page_shows_none_of_it():
    import json

    data = {"props": {"pageProps": {"article": {"body": "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)}}}}
    html = (
        "<html><body><nav><a href='/'>Home</a></nav>"
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script></body></html>'
    )
    assert extract_html(html).text.split("\n") == STORY_PARAGRAPHS


def test_a_page_that_shows_its_story_ignores_the_markup_its_scripts_carry():
    import json

    shown = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    hidden = json.dumps({"teaser": "".join(f"<p>Other story {i}, other words, other town.</p>" for i in range(40))})
    html = f"<html><body><article><h1>Stadspark</h1>{shown}</article><script>var s = {hidden};</script></body></html>"
    text = extract_html(html).text
    assert "Alinea 11" in text and "Other story" not in text


def test_a_real_next_js_page_whose_story_is_only_in_its_payload_is_read_whole():
    from newsassets.evaluate.extraction import load_fundus, page_recall, page_scores
    from newsassets.evaluate.realdata import REALDATA

    if not (REALDATA / "fundus_pages").exists():
        pytest.skip("../shared/realdata/fundus_pages is not here (../shared is absent)")
    truth = next(page for page in load_fundus() if page.page_id == "kr/HankookIlbo_2026_01_29")
    text = extract_html(truth.html, truth.url).text
    assert text.startswith("장동혁 국민의힘 대표가 당권을 위협하던")
    assert page_recall(page_scores(truth.body, text)) > 0.85  # fundus counts the summary above the story


def test_a_text_much_shorter_than_the_pages_article_container_is_read_again_from_the_container():
    from newsassets.html import _second_opinion, parse_html

    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    tree = parse_html(
        "<html><body><div class='print-header'><p>This copy is for your personal, non-commercial use only.</p></div>"
        f"<article class='article'><div class='article__body'>{story}</div></article></body></html>"
    )
    # what trafilatura kept on such a page: the print header's notice
    text = _second_opinion(tree, "This copy is for your personal, non-commercial use only.", set(), None)
    assert text.split("\n") == STORY_PARAGRAPHS
    # a text as long as the container's is left as it is
    assert _second_opinion(tree, "\n".join(STORY_PARAGRAPHS[:8]), set(), None).split("\n") == STORY_PARAGRAPHS[:8]


@pytest.mark.parametrize(
    ("line", "signers", "reason"),
    [
        ("André Schmidt", (), "signature"),
        ("MDR (Engin Haupt, Alisa Sonntag)", (), "signature"),
        ("SDA/sep", (), "signature"),
        ("Wochenblatt / Última Hora", (), "signature"),
        ("(Quelle: APA/sda/dpa)", (), "credit"),
        ("Redaktion: Marcus Bensmann, Elena Müller", (), "credit"),
        ("Sendung: Antenne Brandenburg, 24.04.2024, 15:10 Uhr", (), "credit"),
        ("Übersetzung: Tristan Oetker-Kast, Audioversion: Iris Hochberger und Christian Melchert", (), "credit"),
        ("Write to Al Root at allen.root@dowjones.com", (), "contact"),
        ("Lê Phương", ("Lê Phương",), "signer"),
        ("Manuela Conrad ist ZDF-Reporterin für das Berichtsgebiet Russland.", ("Manuela Conrad",), "signer"),
        ("Der Berliner Imam Abdul Adhim Kamouss ist Gründer einer Stiftung.", ("Abdul Adhim Kamouss",), "signer"),
        # a biography that opens with an apposition, naming the author by first name or surname
        (
            "A 38-year industry veteran and award-winning journalist, Lance has covered technology since PCs were "
            "the size of suitcases.",
            ("Lance Ulanoff",),
            "signer",
        ),
        ("A veteran journalist, she has covered the war since 2022.", ("Lance Ulanoff",), None),
        # sentences, lists and prices are the story's, however short
        ("Het duel eindigde in 2-1.", (), None),
        ("Die Polizei ermittelt.", (), None),
        ("(Graphic: Global assets in 2019 - here)", (), None),
        ("R : 50,000₩", (), None),
        ("Inquiry", (), None),
        ("Kauert sagte im Gespräch mit MDR SACHSEN-ANHALT: Bitte haltet euch daran.", ("MDR SACHSEN-ANHALT",), None),
        # a signer named late in a paragraph is a quotation or a sign-off in it, not a biography
        ("Dear Abby is written by Abigail Van Buren, also known as Jeanne Phillips.", ("Abigail Van Buren",), None),
    ],
)
def test_credit_lines_under_a_story_in_any_language(line, signers, reason):
    from newsassets.html import credit_line

    assert credit_line(line, signers) == reason


def test_a_signature_and_the_authors_biography_under_the_story_are_cut():
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    html = (
        '<html><head><meta name="author" content="Anna de Vries"></head><body><article><h1>Stadspark</h1>'
        f"{story}<p>Anna de Vries is verslaggever voor de regio Zwolle en schrijft over de gemeenteraad.</p>"
        "<p>Redactie: Anna de Vries, Jan Bakker</p><p>ANP/DPA</p></article></body></html>"
    )
    extraction = extract_html(html)
    assert extraction.authors == ("Anna de Vries",)
    assert extraction.text.split("\n")[-len(STORY_PARAGRAPHS) :] == STORY_PARAGRAPHS


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        # the JSON-LD names one of two authors; the byline readers see names both
        (
            "<a rel='author'>Ingrid Treborg</a> <a rel='author'>Marlene Lundberg Holm</a>",
            ("Ingrid Treborg", "Marlene Lundberg Holm"),
        ),
        # a byline that does not name the metadata's author is someone else's (a photographer, another story)
        ("<a rel='author'>Petra Lerchbaumer</a> <a rel='author'>Jan Bakker</a>", ("Marlene Lundberg Holm",)),
        # the same author, no more: the metadata's spelling stays
        ("Marlene Lundberg Holm", ("Marlene Lundberg Holm",)),
    ],
)
def test_the_visible_byline_adds_the_authors_the_metadata_leaves_out(byline, authors):
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    ld = '{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Marlene Lundberg Holm"}]}'
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body><article><h1>Stadspark</h1>'
        f"<div class='byline'>{byline}</div>{story}</article></body></html>"
    )
    assert extract_html(html).authors == authors


@pytest.mark.parametrize(
    "byline",
    [
        '<div class="author">Detroit News wire services</div>',  # a newsroom's furniture, in running text
        '<span class="byline">Admin</span>',  # the site's login account
        '<p class="author-name">Tom Gillespie News reporter</p>',  # a name run into its job, no name alone
    ],
)
def test_trafilaturas_reading_of_the_byline_must_look_like_names(byline):
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    html = f"<html><body><article><h1>Stadspark</h1>{byline}{story}</article></body></html>"
    assert extract_html(html).authors == ()


@pytest.mark.parametrize(
    ("listed", "kept"),
    [
        # the site's other stories in the story: each item one own-site link with a headline, perhaps a kicker
        (
            "<ul><li><strong>„Über manches irritiert“: </strong><a href='/politik/a1.html'>Klingbeil greift "
            "Klöckner an</a></li><li><a href='https://www.dagblad.nl/b2.html'>Hier sitzen Deutschlands vergessene "
            "Islamisten ein</a></li></ul>",
            False,
        ),
        # an item that says more than its link is the story's own list
        (
            "<ul><li>Het college trekt twee miljoen euro uit voor <a href='/park.html'>het nieuwe stadspark aan de "
            "rand</a> en de aanleg van de vijver.</li><li>De raad stemt in april over het plan en de kosten "
            "van <a href='/raad.html'>de vier nieuwe speeltuinen</a> in de wijken.</li></ul>",
            True,
        ),
    ],
)
def test_a_list_of_the_sites_other_stories_inside_the_story_is_not_the_story(listed, kept):
    story = [f"<p>{p}</p>" for p in STORY_PARAGRAPHS]
    html = (
        f"<html><body><article><h1>Stadspark</h1>{''.join(story[:5])}{listed}{''.join(story[5:])}</article>"
        "</body></html>"
    )
    text = extract_html(html, "https://www.dagblad.nl/stad/stadspark.html").text
    assert all(paragraph in text for paragraph in STORY_PARAGRAPHS)
    assert (("Klingbeil" if "Klingbeil" in listed else "twee miljoen") in text) == kept


def test_only_links_to_the_pages_own_site_make_a_list_of_other_stories():
    from lxml import html as lxml_html

    from newsassets.html import _lists_other_stories, _site_of

    assert (
        _site_of("https://www.bbc.co.uk/news/x") == "bbc.co.uk" and _site_of("https://m.spiegel.de/a") == "spiegel.de"
    )
    url = "https://www.space.com/nasa-moon.html"
    own = lxml_html.fromstring(
        "<ul><li><a href='/moon-rush.html'>Moon Rush: Private Lunar Lander Plans</a></li>"
        "<li><a href='https://www.space.com/iss.html'>The Space Station Is Open for Business</a></li></ul>"
    )
    shops = lxml_html.fromstring(
        "<ul><li><a href='https://www.amazon.com/x'>Get it on Amazon for $39.99</a></li>"
        "<li><a href='https://www.walmart.com/y'>Also at Walmart for $38.99 today</a></li></ul>"
    )
    assert _lists_other_stories(own, url, _site_of(url)) and not _lists_other_stories(shops, url, _site_of(url))
    # a link no url parser reads is no site's, and the page is read as any other
    broken = "<ul><li><a href='http://[broken'>Een kop van vier woorden</a></li><li><a href='/b'>Nog een kop hier</a></li></ul>"
    assert not _lists_other_stories(lxml_html.fromstring(broken), url, _site_of(url))
    page = f"<html><body><article><h1>Maan</h1><p>{STORY_PARAGRAPHS[0]}</p>{broken}</article></body></html>"
    assert extract_html(page, url).error is None


@pytest.mark.parametrize(
    "tags",
    [
        # WordPress's tag links under a label, in a box with no class to name it
        "<strong>Tags<br><a href='/tag/park/' rel='tag'>stadspark zwolle 2018</a>, <a href='/tag/boerderij/' "
        "rel='tag'>kinderboerderij zwolle</a>, <a href='/tag/noord/' rel='tag'>zwolle noord vijver</a></strong>",
        # links to the site's tag pages after a label
        "<p>Schlagworte: <a href='/tags/park'>Park am See</a> · <a href='/news.php?tag=raad'>Gemeinderat Zwolle</a>"
        " · <a href='/news.php?tag=geld'>Kinderboerderij Zwolle</a></p>",
    ],
)
def test_a_list_of_the_storys_tags_is_not_the_story(tags):
    story = [f"<p>{p}</p>" for p in STORY_PARAGRAPHS]
    # a sentence that links names to their tag pages is the story's
    linked = (
        "<p>Wethouder <a href='/tag/jansen/' rel='tag'>Jansen</a> en <a href='/tag/de-vries/' rel='tag'>De "
        "Vries</a> openen het park op zaterdag samen met de kinderen van de drie basisscholen uit de wijk.</p>"
    )
    html = (
        f"<html><body><div><h1>Stadspark</h1>{''.join(story[:6])}{linked}{''.join(story[6:])}{tags}"
        "<p>Reacties zijn welkom.</p></div></body></html>"
    )
    text = extract_html(html, "https://www.dagblad.nl/stad/stadspark.html").text
    assert all(paragraph in text for paragraph in STORY_PARAGRAPHS)
    assert "Wethouder Jansen en De Vries openen het park op zaterdag" in text
    assert "inderboerderij" not in text and "Tags" not in text and "Schlagworte" not in text


def test_a_paragraph_with_a_link_that_trafilatura_drops_from_inside_the_story_is_put_back():
    # each paragraph in its own nested boxes (a BBC page): trafilatura's precision setting drops the ones that
    # hold a link, however little of them the link is
    def block(paragraph: str, css: str = "para") -> str:
        return f"<div class='text-block'><div class='box'><div class='inner'><p class='{css}'>{paragraph}</p></div></div></div>"

    linked = (
        "Wethouder Jansen verweet de oppositie dat zij <a href='/a/123'>te veel vertrouwt op het geld</a> van de "
        "provincie en haar eigen begroting niet op orde heeft."
    )
    # between the story's paragraphs, styled otherwise or all link: a caption, a pointer to another story
    caption = block(
        "Het nieuwe stadspark gezien vanaf de toren van de Grote Kerk, in de zomer van vorig jaar.", "caption"
    )
    pointer = block("<a href='/b/456'>Lees ook: de raad van Zwolle stemt in over het nieuwe stadspark</a>.")
    blocks = [block(p) for p in STORY_PARAGRAPHS]
    blocks[4:4] = [block(linked), caption, pointer]
    html = f"<html><body><main><article><h1>Stadspark</h1>{''.join(blocks)}</article></main></body></html>"
    text = extract_html(html, "https://www.dagblad.nl/stad/park").text
    assert all(paragraph in text for paragraph in STORY_PARAGRAPHS)
    assert "Wethouder Jansen verweet de oppositie dat zij te veel vertrouwt op het geld van de provincie" in text
    assert text.index("Wethouder") > text.index("Alinea 3") and text.index("Wethouder") < text.index("Alinea 4")
    assert "Grote Kerk" not in text and "Lees ook" not in text


def test_a_videos_caption_in_the_story_is_not_the_story():
    story = [f"<p>{p}</p>" for p in STORY_PARAGRAPHS]
    # a video's caption, ending in its date and running time, and a video's stamp, between paragraphs
    captions = (
        "<p>Wie groß ist die Gefahr einer nuklearen Eskalation? Der Politologe antwortet im Interview. "
        "21.04.2024 | 3:18 min</p><p>02:57 Min.. Verfügbar bis 06.05.2024.</p>"
    )
    # times, running times and ratios in the story's sentences are the story's
    kept = (
        "<p>Der Zug fuhr um 12:30 Uhr ab und kam nach 3:18 Stunden an, das Modell im Maßstab 1:24 stand bereit.</p>"
        "<p>Die Siegerin lief die 1500 Meter in 4:05 min, so schnell wie nie zuvor.</p>"
    )
    html = f"<html><body><article><h1>Iran</h1>{''.join(story[:6])}{captions}{kept}{''.join(story[6:])}</article></body></html>"
    text = extract_html(html).text
    assert all(paragraph in text for paragraph in STORY_PARAGRAPHS)
    assert "Der Zug fuhr um 12:30 Uhr ab" in text and "Die Siegerin lief" in text
    assert "Eskalation" not in text and "Verfügbar" not in text


def test_a_pop_up_card_inside_a_sentence_is_not_the_sentence():
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    # a person's hover card: their picture, their page and their latest stories, inside the sentence naming them
    card = (
        "<span class='rollover'><a href='/people/ilhan-omar'>Ilhan Omar</a><span class='block'><span>"
        "<img src='omar.jpg'><a href='/people/ilhan-omar'>Ilhan Omar</a><a href='/policy/1'>Progressives oppose "
        "funding bill over surveillance authority</a> <a href='/news/2'>Omar asks court to apply compassion</a>"
        "</span></span></span>"
    )
    # a picture beside a single link is no card
    figure = "<p>De kaart <img src='kaart.png'> staat op <a href='/kaart'>de site van de gemeente</a>.</p>"
    html = (
        f"<html><body><article><h1>Stadspark</h1><p>A man pleaded guilty to threatening Rep. {card} (D-Minn.), "
        f"the office announced Monday.</p>{figure}{story}</article></body></html>"
    )
    text = extract_html(html).text
    assert "A man pleaded guilty to threatening Rep. Ilhan Omar (D-Minn.), the office announced Monday." in text
    assert "Progressives" not in text and "compassion" not in text
    assert "De kaart staat op de site van de gemeente." in " ".join(text.split())


def test_a_box_around_a_form_field_inside_the_story_is_not_the_story():
    story = [f"<p>{p}</p>" for p in STORY_PARAGRAPHS]
    # a consent placeholder for an embed: a checkbox, its label, and text asking the reader to agree
    consent = (
        "<div><div><p>Empfohlener redaktioneller Inhalt</p><p>An dieser Stelle finden Sie einen externen Inhalt, "
        "der den Artikel anreichert.</p><input type='checkbox' id='c1'><label for='c1'>Externen Inhalt anzeigen"
        "</label><p>Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird.</p></div></div>"
    )
    # a button inside the story (a lead that expands) is no form field: its paragraph stays
    lead = "<p>Het college wil het park vergroten met twee hectare grond. <button>Lees meer</button></p>"
    html = (
        f"<html><body><article><h1>Stadspark</h1>{lead}{''.join(story[:6])}{consent}{''.join(story[6:])}"
        "</article></body></html>"
    )
    text = extract_html(html).text
    assert "einverstanden" not in text and "Externen Inhalt" not in text and "redaktioneller" not in text
    assert "Het college wil het park vergroten" in text
    assert all(paragraph in text for paragraph in STORY_PARAGRAPHS)


def test_split_body_chunks_never_add_a_paragraph_the_text_already_has():
    from lxml import etree

    from newsassets.html import _add_missing_chunks

    # trafilatura kept the first chunk and one paragraph of the second (its inline link spaced differently)
    body = etree.fromstring(
        "<body><p>Eerste alinea over de begroting.</p><p>Tweede alinea, met <a>een link</a>, over de lasten.</p></body>"
    )
    chunks = [
        ["Eerste alinea over de begroting."],
        ["Tweede alinea, met een link , over de lasten.", "Derde alinea over de dijken."],
    ]
    _add_missing_chunks(body, chunks)
    assert [" ".join("".join(p.itertext()).split()) for p in body] == [
        "Eerste alinea over de begroting.",
        "Tweede alinea, met een link, over de lasten.",
        "Derde alinea over de dijken.",
    ]


def test_a_fact_box_beside_the_story_is_not_the_story():
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    box = (
        '<div class="fact-box"><h3>Fakta om parker</h3><ul><li>Zwolle heeft 40 parken en plantsoenen.</li>'
        "<li>Het grootste park is 30 hectare groot en ligt aan de rand van de stad.</li></ul></div>"
    )
    html = f"<html><body><article><h1>Stadspark</h1>{story[:2000]}{box}{story[2000:]}</article></body></html>"
    text = extract_html(html).text
    assert "Alinea 11" in text and "Fakta om parker" not in text and "40 parken" not in text


@pytest.mark.parametrize(
    ("site", "line", "mention", "authors"),
    [
        # the metadata names only the site: the name line above the story is its byline, and leaves the text
        ("Lesotho Times", "<strong>Mohloai Mpesi</strong>", "", ("Mohloai Mpesi",)),
        # a name the story itself speaks of is its subject, not its byline: the line stays
        ("LinkNaija", "Kate Henshaw", " Kate Henshaw was there.", ("LinkNaija",)),
    ],
)
def test_a_name_line_above_the_story_is_its_byline_unless_the_story_speaks_of_that_name(site, line, mention, authors):
    story = "".join(f"<p>{p}{mention}</p>" for p in STORY_PARAGRAPHS)
    html = (
        f'<html><head><meta name="author" content="{site}"><meta property="og:site_name" content="{site}">'
        f"</head><body><article><h1>Stadspark</h1><p>{line}</p>{story}</article></body></html>"
    )
    extraction = extract_html(html)
    assert extraction.authors == authors
    name = line.removeprefix("<strong>").removesuffix("</strong>")
    assert (f"{name}\n" in extraction.text) == bool(mention) and STORY_PARAGRAPHS[0] in extraction.text


def test_a_template_slot_the_page_was_served_with_unfilled_is_not_the_story():
    # Hankook Ilbo's story markup, from its script, holds an advert's slot between a caption and the first paragraph
    story = [f"<p>{p}</p>" for p in STORY_PARAGRAPHS]
    braces = "<p>In de sjabloontaal schrijft de redactie {{ naam }} waar later de naam van de lezer komt te staan.</p>"
    body = f"{story[0]}$$ARTICLEAD$${''.join(story[1:6])}<p>%%AD_SLOT_2%%</p>{''.join(story[6:])}{braces}"
    text = extract_html(f"<html><body><article><h1>Stadspark</h1>{body}</article></body></html>").text
    assert "$$" not in text and "%%" not in text and all(paragraph in text for paragraph in STORY_PARAGRAPHS)
    assert "schrijft de redactie {{ naam }} waar" in text  # braces inside a sentence are the story's own


def test_another_storys_card_set_inside_the_story_is_not_the_story():
    # ZDF: each paragraph in boxes of its own, then a pointer line and an `<article>` card for the live blog, its
    # kicker and linked headline over an excerpt
    pointer = '<em>Mehr zur Lage im </em><a href="/nahost-102.html"><em>Nahen Osten</em></a><em> lesen Sie hier:</em>'
    card = (
        '<article><h3><div>Eskalation in Nahost</div><span>:</span><a href="/nachrichten/liveticker-100.html">'
        "Aktuelle News zur Lage in Israel</a></h3><div>Durch den Terrorangriff der Hamas am 7. Oktober auf Israel "
        "eskalierte die Lage in Nahost. Aktuelle Entwicklungen im Liveblog.</div></article>"
    )
    story = "".join(f'<div class="c"><div class="r">{p}</div></div>' for p in [*STORY_PARAGRAPHS, pointer])
    html = f'<html><body><main><h1>Stadspark</h1><div>{story}<div class="c">{card}</div></div></main></body></html>'
    text = extract_html(html, "https://www.zdf.de/nachrichten/stadspark-100.html").text
    assert "Terrorangriff" not in text and "Aktuelle News" not in text
    assert text.endswith(STORY_PARAGRAPHS[-1])


@pytest.mark.parametrize(
    "heading",
    [
        '<a href="/sport">Sport</a>',  # a section's name over a short story: no headline
        '<a href="https://www.zdf.de/nachrichten/kort-100.html">Raad stemt in met nieuw stadspark</a>',  # its own
    ],
)
def test_a_short_story_in_an_article_whose_heading_links_a_section_or_itself_stays(heading):
    brief = "De gemeenteraad van Zwolle heeft dinsdagavond ingestemd met het nieuwe stadspark aan de rand van de stad."
    html = (
        "<html><body><div><h1>Zwolle</h1></div><ul><li><a href='/a'>Home</a></li></ul>"
        f"<article><h2>{heading}</h2><p>{brief}</p></article></body></html>"
    )
    assert brief in extract_html(html, "https://www.zdf.de/nachrichten/kort-100.html").text


def test_a_name_line_above_the_story_is_its_byline_where_the_metadata_names_the_sites_login_account():
    # Ilanga: the JSON-LD author and the byline link are the WordPress `admin` account; the story's first line
    # names the reporter
    account = {"@type": "Person", "@id": "https://ilanganews.co.za/author/admin/", "name": "Ilanga D"}
    ld = json.dumps({"@type": "NewsArticle", "headline": "Stadspark", "author": account})
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body><article><h1>Stadspark</h1>'
        '<p>by <a href="https://ilanganews.co.za/author/admin/" rel="author">Ilanga D</a></p>'
        f"<p>MTHOBISI SITHOLE</p>{story}</article></body></html>"
    )
    extraction = extract_html(html)
    assert extraction.authors == ("MTHOBISI SITHOLE",)
    # the name line and the account's byline are not the story
    assert "SITHOLE" not in extraction.text and "Ilanga" not in extraction.text
    assert STORY_PARAGRAPHS[0] in extraction.text


@pytest.mark.parametrize(
    "sources",
    [
        # a box beside the story: its heading (not a heading element) over a list of citations
        '<div class="box"><div>Verwendete Quellen</div><ul><li>Eigene Recherche</li>'
        "<li>nytimes.com: Behind the Seized Tanker (Englisch)</li></ul></div>",
        # a heading line and a list at the end of the story's own container
        "<p><strong>Quellen:</strong></p><ul><li>Landtag NRW, Stellungnahmen</li><li>WDR Interviews</li></ul>",
    ],
)
def test_the_sources_listed_under_a_story_are_not_the_story(sources):
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    html = f"<html><body><article><h1>Stadspark</h1>{story}{sources}</article></body></html>"
    text = extract_html(html).text
    assert text.endswith(STORY_PARAGRAPHS[-1])
    assert "Quellen" not in text and "Recherche" not in text and "Interviews" not in text


def test_a_list_under_a_heading_that_is_no_sources_heading_stays():
    story = "".join(f"<p>{p}</p>" for p in STORY_PARAGRAPHS)
    listed = "<p>De plannen:</p><ul><li>Een nieuwe vijver</li><li>Twee speeltuinen</li></ul>"
    html = f"<html><body><article><h1>Stadspark</h1>{story}{listed}</article></body></html>"
    assert extract_html(html).text.endswith("Twee speeltuinen")


def test_a_ruby_reading_stays_inside_its_paragraph_in_brackets():
    from lxml import etree

    from newsassets.html import parse_html

    tree = parse_html(
        "<html><body><p>政府は<ruby><rb>憲法</rb><rp>(</rp><rt>けんぽう</rt><rp>)</rp></ruby>の改正を"
        "<ruby>検討<rt>けんとう</rt></ruby>した。</p></body></html>"
    )
    assert (
        etree.tostring(tree.find(".//p"), encoding=str, method="text")
        == "政府は憲法(けんぽう)の改正を検討（けんとう）した。"
    )
    sentence = "首相は<ruby>国会<rt>こっかい</rt></ruby>で新しい予算案について長い説明を行い、野党の質問に答えた。"
    page = f"<html><body><article><h1>予算案</h1>{''.join(f'<p>{i}. {sentence}</p>' for i in range(8))}</article></body></html>"
    lines = extract_html(page, "https://news.example/jp").text.split("\n")
    assert "3. 首相は国会（こっかい）で新しい予算案について長い説明を行い、野党の質問に答えた。" in lines
