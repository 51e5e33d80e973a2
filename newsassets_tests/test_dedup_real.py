"""Dedup that tells templates from stories, teasers by their links and dates; measured on real Dutch news."""

from datetime import datetime, timedelta

import numpy as np
import pytest

from newsassets.dedup import (
    SETTINGS,
    DedupItem,
    DocumentFrequency,
    cluster_items,
    link_key,
    seniority,
    substitutions,
    text_frequency,
)
from newsassets_tests.conftest import require_shared

# Our own match reports written from one template, the way amateur-football results are machine-written: the
# teams, scorers, minutes and scores change, and so do a few verbs.
TEAMS = [
    ("Witkampers", "Titan", "Jan Bakker", "Piet de Vries", "Oeken"),
    ("Lochem", "Erica", "Kees Smit", "Tom Jansen", "Vorden"),
    ("Brummen", "Gorssel", "Henk Mulder", "Rik Bos", "Eefde"),
    ("Voorst", "Twello", "Bas Peters", "Ruud Visser", "Terwolde"),
    ("Hengelo", "Keijenborg", "Sjaak Hendriks", "Wim Kok", "Zelhem"),
    ("Ruurlo", "Barchem", "Gerrit Dijkstra", "Joop Meijer", "Neede"),
]
VERBS = [("verdelen de punten", "speelden gelijk"), ("delen de punten", "eindigden gelijk")]


def _report(index: int) -> str:
    home, away, scorer_home, scorer_away, next_opponent = TEAMS[index]
    title_verb, body_verb = VERBS[index % 2]
    first, second = 10 + 7 * index, 50 + 3 * index
    return (
        f"{home} 35+1 en {away} 35+1 {title_verb}. In de wedstrijd in de reserve vijfde klasse {body_verb} "
        f"{home} en {away} met {index + 1}-{index + 1}. {home} kwam in de {first}e minuut op voorsprong via "
        f"{scorer_home}. {away} maakte in de {second}e minuut gelijk door een doelpunt van {scorer_away}. Door het "
        f"resultaat staat {home} op de {index + 2}e plaats met {index + 9} punten. {away} staat {index + 4}e met "
        f"{index + 7} punten. Volgende week speelt {home} thuis tegen {next_opponent}, {away} is dan vrij."
    )


def _rewrite(text: str) -> str:
    """How another outlet carries the same report: a sentence reworded, one added."""
    return (
        text.replace("Door het resultaat staat", "Na deze uitslag staat") + " De scheidsrechter had een rustige middag."
    )


def test_match_reports_from_one_template_stay_apart_and_a_rewrite_joins_its_report():
    reports = [DedupItem("article", f"report-{i}", _report(i)) for i in range(len(TEAMS))]
    rewrite = DedupItem("article", "rewrite-of-2", _rewrite(_report(2)))
    result = cluster_items([*reports, rewrite])
    cluster = {m.item_id: m.cluster_id for m in result.members}
    assert len({cluster[r.item_id] for r in reports}) == len(reports)
    assert cluster["rewrite-of-2"] == cluster["report-2"]
    assert result.refused_templates > 0  # the reports were candidates that share their phrasing, and were refused


def test_substitutions_count_names_and_numbers_swapped_in_one_context():
    a = _features(
        "Hoe populair is Omtzigt? Of kiezers in Bernheze straks stemmen: 628 stemmers hier en in Bernheze nu."
    )
    b = _features(
        "Hoe populair is Omtzigt? Of kiezers in Son en Breugel straks stemmen: 391 stemmers hier en in Son nu."
    )
    assert substitutions(a, b) >= 2  # Bernheze/Son en Breugel before `straks`, 628/391 before `stemmers`
    c = _features("Jenni Hermoso kreeg een kus van Rubiales, zei Jenni later tegen de pers.")
    d = _features("Jennifer Hermoso kreeg een kus van Rubiales, zei Jennifer later tegen de pers.")
    assert substitutions(c, d) == 0  # spelling variants of one name are no swap


def _features(text: str):
    from newsassets.dedup import _Features, _WordHashes, words_of

    hashes = _WordHashes()
    return _Features(text, hashes(words_of(text)), hashes, SETTINGS["article"])


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.nu.nl/binnenland/6215315/treinverkeer-ontregeld.html", "nu.nl#6215315"),
        ("http://nu.nl/binnenland/6215315/treinverkeer-in-het-westen-ontregeld.html?utm=x", "nu.nl#6215315"),
        ("https://www.nu.nl/achterklap/6217801/eist-100000-euro.html", "nu.nl#6217801"),
        ("https://www.welt.de/politik/article248523470/Slug.html", "welt.de#248523470"),
        ("https://www.bild.de/politik/100000-menschen-auf-der-flucht-87654321.bild.html", "bild.de#87654321"),
        ("https://nos.nl/artikel/2500001-kabinet-valt-over-stikstof", "nos.nl#2500001"),
        ("https://www.nos.nl/artikel/2500001-kabinet-gevallen?utm_source=x", "nos.nl#2500001"),
        ("https://example.org/news/100000-mensen-op-de-been", "example.org/news/100000-mensen-op-de-been"),
        ("https://example.org/news/story/", "example.org/news/story"),
        (None, None),
        ("", None),
    ],
)
def test_link_key_is_the_article_number_else_the_path(url, key):
    assert link_key(url) == key


def _teaser(item_id: str, text: str, when: datetime, link: str | None = None) -> DedupItem:
    return DedupItem("teaser", item_id, text, seniority(when, len(text)), link)


NOON = datetime(2023, 3, 1, 12)


def test_teasers_join_by_link_and_stay_apart_for_different_links():
    items = [
        _teaser(
            "v1", "Wiegman kan Europese titel niet bevatten", NOON, "https://www.nu.nl/ek/6215308/wiegman-kan.html"
        ),
        _teaser("v2", "Wiegman kust armband na Europese titel", NOON, "https://www.nu.nl/ek/6215308/wiegman-kust.html"),
        _teaser("t", "Trump noemt Biden vijand van de staat", NOON, "https://www.nu.nl/bu/6230001/trump.html"),
        _teaser("v", "Trump noemt Biden vijand van de staat Video", NOON, "https://www.nu.nl/bu/6230002/trump.html"),
    ]
    result = cluster_items(items)
    cluster = {m.item_id: m.cluster_id for m in result.members}
    assert cluster["v1"] == cluster["v2"]  # one article, its headline rewritten
    assert cluster["t"] != cluster["v"]  # the story and its video: two articles
    assert {e.reason for e in result.edges} == {"same link"} and result.refused_links >= 1


def test_teasers_without_links_join_within_a_day_not_weeks_apart():
    text = "Nieuw op Netflix: deze films en series verschenen afgelopen week"
    edited = "Nieuw op Netflix deze week: deze films en series verschenen afgelopen week"
    near = cluster_items([_teaser("a", text, NOON), _teaser("b", edited, NOON + timedelta(hours=6))])
    assert len({m.cluster_id for m in near.members}) == 1
    apart = cluster_items([_teaser("a", text, NOON), _teaser("b", edited, NOON + timedelta(days=7))])
    assert len({m.cluster_id for m in apart.members}) == 2 and apart.refused_window == 1


def test_document_frequency_adds_up_and_weighs_rare_words_most():
    texts = ["de kat zit op de mat", "de hond zit in de tuin", "Bernheze kiest de raad"]
    whole = text_frequency(texts)
    parts = text_frequency(texts[:2]).plus(text_frequency(texts[2:]))
    assert whole.documents == parts.documents == 3
    assert np.array_equal(whole.words, parts.words) and np.array_equal(whole.counts, parts.counts)
    idf = whole.idf(text_frequency(["de bernheze onbekend"]).words)
    assert sorted(idf)[0] < sorted(idf)[1] <= sorted(idf)[2]  # `de` (every text) weighs least
    assert DocumentFrequency().idf(whole.words).min() > 0  # an empty corpus still weighs every word


@pytest.fixture(scope="module")
def realdata():
    return require_shared("realdata", "dutch_articles")


def test_real_dutch_articles_meet_the_targets_on_a_sample(realdata):
    from newsassets.evaluate.dedup_real import ARTICLE_HALVES, ArticleSample, article_figures

    sample = ArticleSample(realdata.parent, ARTICLE_HALVES["early"], pairs=120, templates=80, others=500, seed=3)
    predicted = {m.item_id: m.cluster_id for m in cluster_items(sample.items()).members}
    figures = article_figures(sample, predicted)
    assert figures["joined"] >= 0.97 and figures["apart"] >= 0.95 and figures["false_share"] <= 0.005, figures


def test_real_nunl_headline_edits_join_and_other_items_stay_apart(realdata):
    from newsassets.evaluate.dedup_real import TeaserSample, teaser_figures

    sample = TeaserSample(realdata.parent, ("2023-02-01", "2023-02-28"))
    predicted = {m.item_id: m.cluster_id for m in cluster_items(sample.items()).members}
    figures = teaser_figures(sample, predicted)
    assert figures["precision"] >= 0.99 and figures["recall"] >= 0.95, figures
    text_only = {m.item_id: m.cluster_id for m in cluster_items(sample.items(links=False)).members}
    assert teaser_figures(sample, text_only)["recall"] >= 0.95


def test_teasers_from_one_template_stay_apart_while_a_headline_edit_joins():
    towns = [("Hoogeveen", "VVD", 7), ("Lelystad", "SP", 4), ("Kampen", "Volt", 6)]
    items = [
        _teaser(town, f"In {town} is {party} de grootste partij geworden met {seats} zetels.", NOON)
        for town, party, seats in towns
    ]
    items.append(_teaser("edit", "In Hoogeveen is VVD met 7 zetels de grootste partij geworden.", NOON))
    cluster = {m.item_id: m.cluster_id for m in cluster_items(items).members}
    assert len({cluster[town] for town, _, _ in towns}) == 3
    assert cluster["edit"] == cluster["Hoogeveen"]


def test_short_texts_count_swaps_as_long_texts_do(monkeypatch):
    import newsassets.dedup as dedup

    texts = [_report(i) for i in range(3)] + [
        "In Hoogeveen is VVD de grootste partij geworden met 7 zetels.",
        "In Lelystad is SP de grootste partij geworden met 4 zetels.",
        "Jenni Hermoso kreeg een kus van Rubiales, zei Jenni later.",
        "Jennifer Hermoso kreeg een kus van Rubiales, zei Jennifer later.",
    ]
    pairs = [(_features(a), _features(b)) for a in texts for b in texts if a != b]
    counts = {}
    for short in (10**6, -1):  # every text short (Python sets), then none (numpy)
        monkeypatch.setattr(dedup, "_SHORT", short)
        counts[short] = [substitutions(a, b) for a, b in pairs]
    assert counts[10**6] == counts[-1] and sum(c > 0 for c in counts[-1]) >= 6


def test_an_incremental_run_touches_the_stories_a_new_page_joins_not_its_template_siblings():
    """A new report of a template family shares bands with every stored report and joins none of them: no stored
    cluster needs clustering again. A rewrite of a stored report touches that one report's text."""
    from newsassets.dedup import _signatures, _WordHashes, text_key, verified_relatives, words_of

    stored = [DedupItem("article", f"report-{i}", _report(i)) for i in range(5)]
    new = [DedupItem("article", "report-5", _report(5)), DedupItem("article", "rewrite", _rewrite(_report(2)))]
    hashes = _WordHashes()
    signatures = {
        ("article", text_key(item.text)): _signatures([hashes(words_of(item.text))], SETTINGS["article"])[0]
        for item in stored + new
    }
    frequency = text_frequency(item.text for item in stored + new)
    assert verified_relatives("article", new[:1], stored, signatures, frequency) == set()
    assert verified_relatives("article", new, stored, signatures, frequency) == {text_key(_report(2))}


def test_an_incremental_run_touches_a_stored_teaser_that_links_to_the_same_article():
    from newsassets.dedup import text_key, verified_relatives

    stored = [
        _teaser("old", "Kabinet valt over stikstofplan", NOON, "https://www.nu.nl/politiek/6123456/kabinet-valt.html"),
        _teaser("other", "Kabinet valt over stikstofplannen", NOON, "https://www.nu.nl/politiek/6999999/x.html"),
    ]
    new = [
        _teaser("new", "Stikstofruzie: het kabinet is gevallen", NOON, "https://nu.nl/politiek/6123456/ander-pad.html")
    ]
    frequency = text_frequency(t.text for t in stored + new)
    assert verified_relatives("teaser", new, stored, {}, frequency) == {text_key(stored[0].text)}
