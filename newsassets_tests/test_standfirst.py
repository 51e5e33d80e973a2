import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from newsassets.cleaning import clean_html_page
from newsassets.standfirst import find_standfirst, marked_standfirsts, visible_text

HEADLINE = "Dutch cities plan thousands of homes along the railway"
DEK = "The plan would double the number of homes near stations by 2035, but money for it is not yet found."
STORY = "".join(
    f"<p>Paragraph {i}: the province of Utrecht wants more homes built along the railway between its cities.</p>"
    for i in range(6)
)


def article_page(*, meta: str = DEK, top: str = "", under_headline: str = "", foot: str = "", ld: str = "") -> str:
    script = f'<script type="application/ld+json">{ld}</script>' if ld else ""
    return (
        f'<html><head><title>{HEADLINE} | Example News</title><meta property="og:description" content="{meta}">'
        f"{script}</head><body><header>{top}</header><article><header class='article-header'><h1>{HEADLINE}</h1>"
        f"{under_headline}</header><div class='article-body'>{STORY}</div></article>"
        f"<footer>{foot}</footer></body></html>"
    )


def test_the_description_shown_under_the_headline_is_the_summary_and_not_the_body():
    article = clean_html_page(article_page(under_headline=f"<p class='intro'>{DEK}</p>"), "https://news.example/a")
    assert article.summary == DEK
    assert DEK not in article.body and article.body.startswith("Paragraph 0")


@pytest.mark.parametrize(
    "where",
    [
        {},  # only in the metadata: the page never shows it
        {"foot": f"<p>{DEK}</p>"},  # the site's slogan under everything
        {"top": f"<p>{DEK}</p>"},  # a tagline in the masthead, above any headline
        {"under_headline": f"<figure><img src='x.jpg'><figcaption>{DEK}</figcaption></figure>"},  # a caption
    ],
)
def test_a_description_not_shown_between_the_headline_and_the_story_is_no_summary(where):
    article = clean_html_page(article_page(**where), "https://news.example/a")
    assert article.summary is None
    assert article.body.startswith("Paragraph 0")


def test_a_description_that_is_the_storys_first_paragraph_stays_in_the_body_only():
    first = "Paragraph 0: the province of Utrecht wants more homes built along the railway between its cities."
    article = clean_html_page(article_page(meta=first), "https://news.example/a")
    assert article.summary is None and article.body.startswith(first)
    # a standfirst that the extractor read as the story's first paragraph stays there: nothing is lost or doubled
    page = f"<html><head><meta property='og:description' content='{DEK}'></head><body><article><h1>{HEADLINE}</h1>"
    article = clean_html_page(f"{page}<p>{DEK}</p>{STORY}</article></body></html>", "https://news.example/a")
    assert article.summary is None and DEK in article.body


def test_the_social_description_wins_over_a_json_ld_one_that_captions_the_picture():
    caption = "Homes under construction near Utrecht Central station, seen from the north."
    ld = f'{{"@type": "NewsArticle", "headline": "{HEADLINE}", "description": "{caption}"}}'
    page = article_page(under_headline=f"<p>{caption}</p><p>{DEK}</p>", ld=ld)
    assert clean_html_page(page, "https://news.example/a").summary == DEK
    # with no social description, the JSON-LD one is the page's word on its summary
    only_ld = page.replace(f'<meta property="og:description" content="{DEK}">', "")
    assert clean_html_page(only_ld, "https://news.example/a").summary == caption


def test_the_standfirst_the_markup_names_stands_in_for_a_description_worded_apart():
    # Börsen-Zeitung, Stern, El Mundo, Aftonbladet: the description is worded for search engines, the page shows
    # its own standfirst in an element named so
    seo = "Deutsche Bank nominates its supervisory board chairman for a second term from 2026 onwards."
    for named in ("pxp-html excerpt", "article-subtitle", "intro__text u-typo", "_textTheme_16ipd_1 _lead_16k26_2"):
        page = article_page(meta=seo, under_headline=f"<div class='{named}'>{DEK}</div>")
        article = clean_html_page(page, "https://news.example/a")
        assert article.summary == DEK and DEK not in article.body, named


def test_a_caption_box_a_bylines_box_or_a_menus_tagline_is_no_standfirst_whatever_its_class():
    caption = "A closely guarded compound: Russia's mission to the United Nations in Geneva. Imago"
    tagline = "Inspiration and food for thought for the world of tomorrow, every week"
    stamp = "<span>JANIE HAR</span><time datetime='2019-11-20'>Nov. 20, 2019</time><time>Updated: 1:35 a.m.</time>"
    page = article_page(
        meta="Words no element shows.",
        top=f"<span class='p2-teaser'>{tagline}</span>",  # above the headline: the masthead's
        under_headline=f"<div class='header-teaser__image-details'>{caption}</div>"
        f"<figure class='c-contentHeader__lead'><img src='x.jpg'>{caption}</figure>"
        f"<div class='articleHeader--subhead'>{stamp}</div>",
    )
    assert marked_standfirsts(lxml_html.fromstring(page)) == []
    assert clean_html_page(page, "https://news.example/a").summary is None


def test_the_standfirst_is_found_however_the_text_opens_and_the_page_spaces_its_elements():
    shown = f"Menu Breakpoint : Hilfe , die Fundis kommen! {DEK} The story begins here with its long first paragraph."
    body = "The story begins here with its long first paragraph.\nAnd goes on."
    # the headline, split over a kicker's element and the title's, as the text gives it
    assert find_standfirst([DEK], shown, body, ["Breakpoint: Hilfe, die Fundis kommen!"]) == DEK
    # the text opens with the headline (Börsen-Zeitung): the story starts after it
    opened = f"Breakpoint: Hilfe, die Fundis kommen!\n{body}"
    assert find_standfirst([DEK], shown, opened, ["Breakpoint: Hilfe, die Fundis kommen!"]) == DEK
    # the story opens with a list (Dagbladet's `Kort fortalt`): its items' dashes are the text's, not the page's
    listed = "Kort fortalt\n- The story begins here with its long first paragraph.\n- And goes on."
    assert find_standfirst([DEK], shown, listed, ["Breakpoint: Hilfe, die Fundis kommen!"]) == DEK


def test_find_standfirst_on_strings():
    body = "The story begins here with its first long paragraph.\nAnd goes on."
    shown = f"Menu News {HEADLINE} {DEK} The story begins here with its first long paragraph. And goes on. About us"
    assert find_standfirst([DEK], shown, body, [HEADLINE]) == DEK
    assert find_standfirst(["too short"], shown, body, [HEADLINE]) is None
    assert find_standfirst([DEK], shown, body, ["A headline the page never shows"]) is None
    assert find_standfirst([HEADLINE], shown, body, [HEADLINE]) is None  # the headline is no summary of itself
    assert find_standfirst([DEK], shown, "A body the page does not show anywhere at all.", [HEADLINE]) is None
    # wherever the page breaks its lines, and in whatever case, the words are the same
    assert find_standfirst([DEK.upper()], shown.replace(" ", "\n  "), body, [HEADLINE]) is not None


def test_visible_text_leaves_out_scripts_styles_comments_and_captions():
    tree = lxml_html.fromstring(
        "<html><head><title>T</title></head><body><h1>Head</h1><script>var x = 1;</script><style>p {}</style>"
        "<!-- note --><figure><figcaption>Caption</figcaption></figure><p>Shown <b>text</b></p> tail</body></html>"
    )
    assert visible_text(tree) == "Head Shown text tail"


WORDS = st.text(alphabet="abcdefg xyz.\n", max_size=80)
LINE = st.text(alphabet="abcdefg xyz.", min_size=20, max_size=100)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE | WORDS, max_size=3), LINE | WORDS, LINE | WORDS, WORDS, st.permutations(range(4)))
def test_a_standfirst_is_a_description_shown_after_a_headline_and_before_the_story(
    descriptions, headline, body, junk, order
):
    parts = [headline, *(descriptions[:1] or [junk]), body, junk]
    shown = " ".join(parts[i] for i in order)
    found = find_standfirst(descriptions, shown, body, [headline, None])
    if found is not None:  # the words in order, wherever the page's elements put spaces between them
        page = "".join(shown.split()).casefold()
        at = page.find("".join(found.split()).casefold())
        assert found in [" ".join(d.split()) for d in descriptions] and at >= 0
        assert 0 <= page.find("".join(headline.split()).casefold()) < at


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<p>", "</p>", "<figcaption>", "</figcaption>", "<!--", "-->", "<script>", "x y ", "&amp;", "\x00"]
        ),
        max_size=40,
    )
)
def test_visible_text_reads_any_markup(pieces):
    from newsassets.html import parse_html

    tree = parse_html("<html><body>" + "".join(pieces))
    assert tree is None or "\n" not in visible_text(tree)
