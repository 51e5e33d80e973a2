"""The fronts evaluation: how labelled cards of real fronts are matched, and what the front reading reaches."""

import pytest

from newsassets.evaluate.fronts import evaluate, headline_matches, normal_url
from newsassets_tests.conftest import require_shared


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.spiegel.de/politik/a-123.html", "http://spiegel.de/politik/a-123.html#comments"),
        ("https://www.zeit.de/politik/2022-01/x/", "https://zeit.de/politik/2022-01/x"),
    ],
)
def test_urls_compare_without_scheme_www_fragment_and_trailing_slash(a, b):
    assert normal_url(a) == normal_url(b)


def test_different_articles_and_queries_stay_different():
    assert normal_url("https://www.welt.de/a/1.html?page=2") != normal_url("https://www.welt.de/a/1.html")
    assert normal_url("https://www.welt.de/a/1.html") != normal_url("https://www.welt.de/a/2.html")


def test_a_headline_matches_within_a_kicker_and_title_run_together():
    label = "Ukraine-Krieg Selenskyj fordert mehr Luftabwehr"
    assert headline_matches("Selenskyj fordert mehr Luftabwehr", label)
    assert not headline_matches("Bundesliga: Bayern verliert in Mainz", label)
    assert not headline_matches(None, label)


def test_the_front_reading_finds_nine_in_ten_labelled_cards_of_real_fronts_by_their_url():
    figures = evaluate(require_shared("realdata", "fronts"))  # the fronts folder itself, as the issue runs it
    repeated = figures.pop("captures")
    assert repeated["links"] >= 150 and repeated["edited"] >= 20  # spiegel.de and zeit.de, four captures each
    assert repeated["one_cluster"] == repeated["links"]  # the same card on every capture is one teaser cluster
    assert repeated["edited_one_cluster"] == repeated["edited"]  # also with its headline edited
    assert repeated["merged"] == 0  # and different stories stay apart
    for group, f in figures.items():
        if not group.startswith("site "):  # per site, welt.de's labels take section badges for cards' links
            assert f["found"] / f["labelled"] >= 0.90, group  # the target, per capture group too
        assert f["found_any"] / f["labelled"] >= 0.90, group  # by url, else by headline: per site as well
        assert f["titled"] >= 0.97 * f["found"], group  # a found card carries its own headline
        assert f["articles"] == 0, group  # no front is made into an article
        assert f["without_url"] == 0, group  # every teaser row of a front has its url
    overall = figures["all"]  # a video's length printed as a bare `02:38` counts as a shown time, undated
    assert overall["showing_timed"] >= 0.9 * overall["showing_time"]  # cards that show a time get published_at
