"""Quality rules: each flags what it names, and real article text (dates, clock times, durations) is never a
teaser age. The real-text cases are the ones that made the old rule block every run."""

from datetime import datetime

import pytest

from newsassets.cleaning import clean_text_page
from newsassets.quality import article_flags, is_teaser_age, leakage_in, plausible_date, rule_names, teaser_flags

from .conftest import require_shared


@pytest.mark.parametrize(
    "paragraph",
    [
        "8 november 1986 Geboren in Amsterdam.",  # a profile's timeline
        "27 mei 1971 Amsterdam",
        "12.31 Uhr: Offenbar mehrere Kinder unter den Opfern",  # a liveblog entry
        "09.50",  # a timeline's time on its own line
        "02:57 Min.. Verfügbar bis 06.05.2024.",  # a video's duration
        "5:45 AM PST 11/19/2019 by Patrick Shanley",
        "Twee dagen geleden zei hij dat het goed ging.",
        "De wedstrijd begint om 14.30. Kaarten kosten 12 euro.",
    ],
)
def test_dates_times_and_durations_in_article_text_are_no_teaser_age(paragraph):
    assert leakage_in(["Een titel", paragraph]) == []


@pytest.mark.parametrize(
    ("paragraphs", "rule"),
    [
        (["Kies je webmail"], "boilerplate"),
        (["Meer uit Buitenland"], "rail_heading"),
        (["1 uur geledenKYIV (ANP/RTR) - Bijna 6000 gebouwen"], "teaser_age"),  # glued to the next dateline
        (["14:05KYIV (ANP/RTR) - Bijna 6000 gebouwen"], "teaser_age"),
        (["de stad is -12 graden gemeten. 1 uur geleden"], "teaser_age"),  # after the last sentence
        (["7 minuten geleden"], "teaser_age"),  # a relative age alone
        (["WASHINGTON (ANP/AFP) - Het Witte Huis verwerpt kritiek.", "09:50"], "teaser_age"),  # after a teaser
        (["KYIV (ANP/RTR) - Bijna 6000 gebouwen"], "teaser_dateline"),
    ],
)
def test_leaked_furniture_is_flagged_where_it_stands_as_furniture(paragraphs, rule):
    assert rule in rule_names(leakage_in(paragraphs))


def test_a_bare_time_is_a_teaser_age_only_after_a_teaser():
    assert is_teaser_age("09:50", "WASHINGTON (ANP/AFP) - Het Witte Huis verwerpt kritiek.")
    assert not is_teaser_age("09:50", "Het Witte Huis verwerpt kritiek.")
    assert is_teaser_age("zojuist", "")


def test_article_flags_name_each_rule_with_its_evidence():
    flags = article_flags(None, "Kort stuk.\n\nMeer uit Buitenland", 3, datetime(1970, 1, 1), datetime(2026, 1, 24))
    assert rule_names(flags) == ["rail_heading", "no_title", "short_body", "implausible_date"]
    assert flags[0].evidence == "Meer uit Buitenland" and flags[2].evidence == "3 words"


def test_dates_after_the_capture_are_implausible_within_a_day_they_are_not():
    captured = datetime(2026, 1, 24, 12, 0)
    assert plausible_date(datetime(2026, 1, 25, 6, 0), captured)  # time zones
    assert not plausible_date(datetime(2026, 3, 1), captured)
    assert plausible_date(None, captured) and plausible_date(datetime(2026, 3, 1), None)


def test_teaser_flags():
    assert rule_names(teaser_flags(None, "", "ooit", None, None, None)) == ["unparsed_age", "no_headline"]
    assert teaser_flags("Titel", "", "1 uur geleden", 60, datetime(2026, 1, 24, 11), datetime(2026, 1, 24, 12)) == []
    # a time of day is read, but only a capture time places it: a page without one lacks it, the reader does not
    assert teaser_flags("Titel", "", "gisteren 14:05", None, None, None) == []
    assert rule_names(teaser_flags("Titel", "", "gisteren 14:05", None, None, datetime(2026, 1, 24, 12))) == [
        "unparsed_age"
    ]
    assert rule_names(teaser_flags("Titel", "", "31.02.2026", None, None, None)) == ["unparsed_age"]


def test_the_seed_articles_break_no_leakage_rule(seeds):
    for key, text in seeds.items():
        article = clean_text_page(text)
        flags = article_flags(article.title, article.body, article.word_count, article.published_at, None)
        assert rule_names(flags) == (["no_title"] if key == "001" else []), key


def test_real_dutch_articles_are_almost_never_flagged():
    """Every 10th of the 12,477 real Dutch articles: no leakage flag at all, and few untitled or short ones."""
    require_shared("realdata", "dutch_articles", "articles.jsonl.gz")
    from newsassets.evaluate.flags import dutch_rows, tally
    from newsassets.evaluate.realdata import REALDATA

    total, flagged, shown = tally(dutch_rows(REALDATA, every=10), examples=3)
    assert total > 1200
    for rule in ("boilerplate", "rail_heading", "teaser_age", "teaser_dateline", "implausible_date"):
        assert flagged[rule] == 0, shown[rule]
    assert flagged["no_title"] + flagged["short_body"] <= 0.005 * total, shown
