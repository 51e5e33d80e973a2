"""The stories evaluation on real data: nu.nl's front replayed, and Dutch articles across outlets."""

from newsassets.evaluate.stories import evaluate

from .conftest import require_shared


def test_nunl_ids_get_one_story_each_and_articles_cross_brands():
    require_shared("realdata", "nunl_teasers", "snapshots.jsonl.gz")
    figures = evaluate(require_shared("realdata"), snapshots=300, examples=0, out=lambda _: None)
    nunl = figures["nunl"]
    assert nunl["sightings"] > 8000 and nunl["ids"] > 400
    assert nunl["exact"] >= 0.95  # the target: an id's story spans exactly its sightings
    assert nunl["first_and_last_seen"] >= 0.95
    articles = figures["articles"]
    assert articles["multi_site"] >= 30  # syndicated and rewritten stories across AD, Parool, Trouw …
    assert articles["stories"] < articles["articles"]
