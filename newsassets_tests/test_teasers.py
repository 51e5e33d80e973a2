from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from newsassets.teasers import extract_teasers, split_rail

from .conftest import FETCHED_AT


def teasers_of(seeds, key):
    return extract_teasers(seeds[key], FETCHED_AT)


def test_seven_teasers_on_four_pages_none_on_001(seeds):
    assert {key: len(teasers_of(seeds, key)) for key in seeds} == {"000": 7, "001": 0, "002": 7, "003": 7, "004": 7}


def test_glued_layout_000_first_teaser(seeds):
    first = teasers_of(seeds, "000")[0]
    assert (first.section, first.position, first.title) == ("Buitenland", 1, None)
    assert (first.dateline, first.agencies, first.age_text, first.age_minutes) == (
        "KYIV",
        ["ANP", "RTR"],
        "1 uur geleden",
        60,
    )
    assert first.text.startswith("Bijna 6000 gebouwen") and first.text.endswith("gemeten.")


def test_glued_layout_ages_belong_to_the_teaser_above_them(seeds):
    ages = [(t.dateline, t.age_text) for t in teasers_of(seeds, "000")]
    assert ages == [
        ("KYIV", "1 uur geleden"),
        ("KYIV", "2 uur geleden"),
        ("TEHERAN", "2 uur geleden"),
        ("WASHINGTON", "8 uur geleden"),
        ("SACRAMENTO", "8 uur geleden"),
        ("MINNEAPOLIS", "11 uur geleden"),
        ("WASHINGTON", "11 uur geleden"),
    ]


def test_title_layout_002_first_teaser(seeds):
    first = teasers_of(seeds, "002")[0]
    assert first.title == "Witte Huis verwerpt kritiek op Trumps uitspraken over NAVO"
    assert (first.dateline, first.agencies, first.age_minutes) == ("WASHINGTON", ["ANP", "AFP"], 7)
    assert first.text.startswith("De Amerikaanse regering heeft kritiek")
    assert all(t.title for t in teasers_of(seeds, "002"))


def test_multi_place_dateline_on_003(seeds):
    fifth = teasers_of(seeds, "003")[4]
    assert (fifth.position, fifth.dateline, fifth.agencies) == (5, "WASHINGTON/ABU DHABI", ["ANP", "AFP"])


def test_no_teaser_text_holds_an_age_or_another_dateline(seeds):
    for key in seeds:
        for teaser in teasers_of(seeds, key):
            assert "geleden" not in teaser.text
            assert "(ANP" not in teaser.text
            assert teaser.age_minutes is not None and teaser.published_at is not None


def test_published_at_is_capture_time_minus_age(seeds):
    for teaser in teasers_of(seeds, "003"):
        assert teaser.published_at == FETCHED_AT - timedelta(minutes=teaser.age_minutes)
    assert [t.position for t in teasers_of(seeds, "004")] == [1, 2, 3, 4, 5, 6, 7]


def test_without_capture_time_relative_ages_still_read_but_no_date(seeds):
    teaser = extract_teasers(seeds["000"])[0]
    assert (teaser.age_minutes, teaser.published_at) == (60, None)


def test_other_sections_and_a_missing_age():
    page = "Titel\nTekst van het artikel.\nMeer uit Sport\nAMSTERDAM (ANP) - Ajax wint.\nzojuist\nROTTERDAM (ANP) - Feyenoord speelt gelijk."
    first, second = extract_teasers(page, FETCHED_AT)
    assert (first.section, first.dateline, first.age_minutes, first.published_at) == (
        "Sport",
        "AMSTERDAM",
        0,
        FETCHED_AT,
    )
    assert (second.dateline, second.age_text, second.age_minutes) == ("ROTTERDAM", None, None)


def test_split_rail_without_rail():
    split = split_rail("Titel\nAlleen tekst.")
    assert (split.article, split.section, split.rail) == ("Titel\nAlleen tekst.", None, "")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_extract_teasers_never_raises(text):
    for teaser in extract_teasers(text, FETCHED_AT):
        assert teaser.position >= 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Meer uit Buitenland",
                "KYIV (ANP/RTR) - Tekst.",
                "1 uur geleden",
                "Titel",
                "",
                "gisteren 14:05",
                "3 uur geledenX",
            ]
        ),
        max_size=20,
    )
)
def test_positions_are_contiguous_on_any_arrangement_of_rail_lines(lines):
    assert [t.position for t in extract_teasers("\n".join(lines), FETCHED_AT)] == list(
        range(1, len(extract_teasers("\n".join(lines), FETCHED_AT)) + 1)
    )


def test_every_age_form_in_the_glued_layout():
    ages = [
        "zojuist",
        "5 minuten geleden",
        "gisteren 14:05",
        "23 jan 2026 14:05",
        "23-01-2026",
        "11:15",
        "3 dagen geleden",
    ]
    places = ["AMSTERDAM", "UTRECHT", "DEN HAAG", "ARNHEM", "ZWOLLE", "BREDA", "LEIDEN"]
    rail = "".join(
        f"{place} (ANP) - Bericht {i} uit {place.title()}.\n{age}"
        for i, (place, age) in enumerate(zip(places, ages, strict=True))
    )
    page = f"Titel\nMOSKOU (ANP) - Tekst.\nMeer uit Economie\n{rail}"
    found = extract_teasers(page, FETCHED_AT)
    assert [(t.section, t.dateline, t.age_text) for t in found] == [
        ("Economie", p, a) for p, a in zip(places, ages, strict=True)
    ]
    assert [t.age_minutes for t in found] == [0, 5, 21 * 60 + 55, 21 * 60 + 55, 36 * 60, 45, 3 * 1440]
    assert all(t.text == f"Bericht {i} uit {t.dateline.title()}." for i, t in enumerate(found))
