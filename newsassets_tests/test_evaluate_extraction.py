import gzip
import json

import pytest

from newsassets.evaluate import __main__ as dispatcher
from newsassets.evaluate.extraction import (
    PageScore,
    aggregate,
    ends_with_leak,
    page_precision,
    page_recall,
    page_scores,
    shingles,
)


def test_shingles_are_a_bag_of_word_4_grams():
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("x y z w x y z w") == {
        ("x", "y", "z", "w"): 2,
        ("y", "z", "w", "x"): 1,
        ("z", "w", "x", "y"): 1,
        ("w", "x", "y", "z"): 1,
    }
    assert shingles("a, b!") == {("a", "b"): 1}  # fewer than 4 tokens: one shorter n-gram
    assert shingles("") == {} and shingles("— …") == {}


def test_page_scores_are_normalised_to_sum_one():
    assert page_scores("a b c d e", "a b c d e") == PageScore(1.0, 0.0, 0.0)
    assert page_scores("a b c d e", "a b c d") == PageScore(0.5, 0.0, 0.5)  # one 4-gram found, one missed
    assert page_scores("a b c d", "a b c d e f") == pytest.approx(PageScore(1 / 3, 2 / 3, 0.0))
    assert page_scores("a b c d", "p q r s") == PageScore(0.0, 0.5, 0.5)
    assert page_scores("", "") == PageScore(0.0, 0.0, 0.0)
    # counts matter: a paragraph printed twice is one false positive more
    assert page_scores("a b c d", "a b c d. a b c d") == pytest.approx(PageScore(1 / 5, 4 / 5, 0.0))


def test_page_precision_and_recall():
    assert page_precision(PageScore(0.5, 0.25, 0.25)) == pytest.approx(2 / 3)
    assert page_recall(PageScore(0.5, 0.25, 0.25)) == pytest.approx(2 / 3)
    assert page_precision(PageScore(1.0, 0.0, 0.0)) == page_recall(PageScore(1.0, 0.0, 0.0)) == 1.0
    assert page_precision(PageScore(0.0, 0.0, 1.0)) == 0.0  # not counted in the mean, see aggregate


def test_aggregate_means_over_pages_with_a_prediction_or_a_truth():
    scores = [
        page_scores("a b c d e", "a b c d e"),  # perfect
        page_scores("a b c d e", ""),  # nothing predicted: counts for recall (0) only
        page_scores("", "a b c d e"),  # no truth: counts for precision (0) only
    ]
    result = aggregate(scores)
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(0.5)
    assert result.f1 == pytest.approx(0.5)
    assert aggregate([]).f1 == 0.0


TRUTH = "The council approved the budget on Tuesday.\nThe mayor said taxes would not rise next year."


def test_a_tail_of_foreign_text_after_the_truths_end_is_a_leak():
    assert ends_with_leak(TRUTH, TRUTH + "\nMore from Politics: five other stories you may like")
    assert ends_with_leak(TRUTH, TRUTH + "\nShare this")  # short paragraphs count as their whole token run
    assert not ends_with_leak(TRUTH, TRUTH)
    assert not ends_with_leak(TRUTH, "The council approved the budget on Tuesday.")  # cut short: no leak
    # foreign text at the end, but the article's own ending never came: a wrong extraction, not a leaked tail
    assert not ends_with_leak(TRUTH, "The council approved the budget on Tuesday.\nSign up for our newsletter today")
    # the last paragraph mostly the truth's: not foreign
    assert not ends_with_leak(
        TRUTH, "The council approved the budget\non Tuesday. The mayor said taxes would not rise next year."
    )
    assert not ends_with_leak("", "anything at all here") and not ends_with_leak(TRUTH, "")


def test_the_command_prints_both_extractors(tmp_path, capsys):
    article = " ".join(["De gemeenteraad van Assen heeft dinsdagavond de begroting voor volgend jaar goedgekeurd."] * 4)
    html = (
        "<html><body><article><h1>Begroting Assen goedgekeurd</h1>"
        f"<p>{article}</p><p>Volgens de wethouder stijgen de lasten voor inwoners niet.</p></article>"
        "<section class='related'><h2>Meer uit Drenthe</h2><ul><li><a href='/a'>Brand in Emmen</a></li></ul></section>"
        "</body></html>"
    )
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(html.encode()))
    truth = {
        "p1": {"articleBody": f"{article}\nVolgens de wethouder stijgen de lasten voor inwoners niet.", "url": None}
    }
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    assert dispatcher.main(["extraction", str(tmp_path), "--dump", str(tmp_path / "dump.json")]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.split()}
    assert "project" in lines and "trafilatura" in lines
    precision, recall, f1 = (float(x) for x in lines["project"][1:4])
    assert precision == recall == f1 == 1.0
    dump = json.loads((tmp_path / "dump.json").read_text(encoding="utf-8"))
    assert set(dump["p1"]) == {"truth", "project", "trafilatura"}
