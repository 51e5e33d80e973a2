"""The labelled dedup corpus and its evaluation: the targets of issue 4 hold on a small generated corpus."""

import json

import pytest

from newsassets.evaluate.corpus import GROUND_TRUTH, generate, template_family
from newsassets.evaluate.dedup import evaluate, load_items, scores


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not GROUND_TRUTH.exists():  # CI and the workplace have ../shared beside the checkout; a bare clone may not
        pytest.skip(f"the corpus needs the benchmark's article texts at {GROUND_TRUTH}")
    directory = tmp_path_factory.mktemp("corpus")
    generate(directory, seed=3, max_sources=40)
    return directory


def test_every_true_item_is_extracted_from_the_raw_pages(corpus):
    truth = json.loads((corpus / "truth.json").read_text())
    items = load_items(corpus)
    assert {i.item_id for i in items if i.item_kind == "article"} == set(truth["articles"])
    assert set(truth["teasers"]) <= {i.item_id for i in items if i.item_kind == "teaser"}
    assert truth["templates"] and set(truth["templates"]) <= set(truth["articles"])


def test_targets_hold_and_plain_datasketch_is_beaten(corpus):
    """Since issue 11 the thresholds come from real Dutch news (`test_dedup_real.py` asserts its targets there);
    on this small generated corpus one pair of match reports whose teams overlap (RKC–Feyenoord against
    Feyenoord–NEC: each swapped team also plays in the other report, so no swap counts) merges, 2 of its 37
    template pages, which is why template pages apart is held at 0.9 here and not 0.95, and plain datasketch is
    beaten on F1 at every threshold rather than on recall and templates apart at once."""
    rows = {(kind, name.split(" (")[0]): s for kind, name, s in evaluate(corpus)}
    ours = rows[("articles", "newsassets")]
    assert ours["recall"] >= 0.97 and ours["precision"] >= 0.99 and ours["templates_apart"] >= 0.9
    assert rows[("teasers", "newsassets")]["ari"] >= 0.98
    for threshold in (0.3, 0.5, 0.7):
        plain = rows[("articles", f"datasketch 5-shingle LSH {threshold}")]
        assert ours["recall"] > plain["recall"] or ours["templates_apart"] > plain["templates_apart"]
        # plain 0.7 keeps every template page apart by joining 7% of the true pairs: beaten on F1, not on both
        assert ours["f1"] > plain["f1"] and ours["recall"] >= plain["recall"]


def test_scores_on_a_known_case():
    truth = {"a": "1", "b": "1", "c": "2", "d": "3"}
    perfect = scores(truth, truth, {"c": "t", "d": "t"})
    assert perfect == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "ari": 1.0, "templates_apart": 1.0}
    merged = scores(truth, {"a": "x", "b": "x", "c": "y", "d": "y"}, {"c": "t", "d": "t"})
    assert merged["precision"] == 0.5 and merged["recall"] == 1.0 and merged["templates_apart"] == 0.0


def test_template_pages_share_most_words_but_differ_in_their_slots():
    import random

    from newsassets.dedup import shingles

    (t1, p1), (t2, p2) = template_family("weather", random.Random(1), 2)
    assert t1 != t2 and p1 != p2 and len(p1) == len(p2)
    words1, words2 = set(" ".join(p1).lower().split()), set(" ".join(p2).lower().split())
    assert len(words1 & words2) / len(words1 | words2) >= 0.6  # most words shared …
    s1, s2 = shingles(" ".join(p1), 3), shingles(" ".join(p2), 3)
    assert s1 != s2 and words1 != words2  # … yet the slots (places, numbers) differ
