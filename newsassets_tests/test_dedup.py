from datetime import datetime

import pytest

from newsassets.cleaning import clean_text_page
from newsassets.dedup import SETTINGS, DedupItem, PreviousRun, cluster_items, jaccard, shingles
from newsassets.teasers import extract_teasers


def test_shingles_ignore_case_and_punctuation():
    assert shingles("“Een lompe opmerking”, zei hij.", 3) == shingles('"een LOMPE opmerking" zei hij', 3)
    assert shingles("twee woorden", 3) == {"twee woorden"}
    assert shingles("", 3) == set()
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)


@pytest.fixture(scope="module")
def seed_items(seeds):
    articles = [DedupItem("article", f"a{key}", clean_text_page(text).body) for key, text in seeds.items()]
    teasers = [
        DedupItem("teaser", f"t{key}-{t.position}", t.text)
        for key, text in seeds.items()
        for t in extract_teasers(text)
    ]
    return articles + teasers


def clusters_of(members, kind):
    groups = {}
    for m in members:
        if m.item_kind == kind:
            groups.setdefault(m.cluster_id, set()).add(m.item_id)
    return sorted(sorted(g) for g in groups.values())


def test_seed_articles_000_and_001_join_the_rest_alone(seed_items):
    members = cluster_items(seed_items).members
    assert clusters_of(members, "article") == [["a000", "a001"], ["a002"], ["a003"], ["a004"]]


def test_seed_teasers_four_shared_pairs_twenty_alone(seed_items):
    groups = clusters_of(cluster_items(seed_items).members, "teaser")
    pairs = [g for g in groups if len(g) == 2]
    assert len(groups) == 24 and len(pairs) == 4
    assert all(a.startswith("t000-") and b.startswith("t002-") for a, b in pairs)
    assert ["t000-4", "t002-1"] in pairs  # the NAVO/Afghanistan item, glued layout on 000, titled on 002


def test_every_item_once_one_representative_similarity_in_range(seed_items):
    members = cluster_items(seed_items).members
    assert sorted(m.item_id for m in members) == sorted(i.item_id for i in seed_items)
    for cluster_id in {m.cluster_id for m in members}:
        group = [m for m in members if m.cluster_id == cluster_id]
        assert sum(m.is_representative for m in group) == 1
        assert all(m.cluster_size == len(group) and 0 <= m.similarity <= 1 for m in group)
    pair = [m for m in members if m.item_id in ("a000", "a001")]
    assert next(m.similarity for m in pair if not m.is_representative) == pytest.approx(0.466, abs=0.01)


def test_representative_is_the_earliest_then_the_longest():
    text = "de minister van buitenlandse zaken zei vrijdag in genève dat het gesprek open was"
    items = [
        DedupItem("article", "late", text, seniority=(False, datetime(2026, 1, 2), -len(text))),
        DedupItem("article", "early", text + " extra", seniority=(False, datetime(2026, 1, 1), -len(text) - 6)),
        DedupItem("article", "undated", text, seniority=(True, datetime.min, -len(text))),
    ]
    members = {m.item_id: m for m in cluster_items(items).members}
    assert members["early"].is_representative and not members["late"].is_representative
    assert len({m.cluster_id for m in members.values()}) == 1


def test_cluster_ids_are_stable_and_independent_of_input_order(seed_items):
    first = {(m.item_id, m.cluster_id) for m in cluster_items(seed_items).members}
    assert {(m.item_id, m.cluster_id) for m in cluster_items(list(reversed(seed_items))).members} == first


def test_settings_documented_thresholds_are_ordered():
    for setting in SETTINGS.values():
        assert 0 < setting.candidate_threshold < setting.threshold <= 1


def test_empty_texts_stay_singletons():
    members = cluster_items([DedupItem("teaser", "x", ""), DedupItem("teaser", "y", "")]).members
    assert [m.cluster_size for m in members] == [1, 1]


ELECTION = (
    "In {town} is de VVD bij de gemeenteraadsverkiezingen de grootste partij geworden met {seats} zetels. Dat blijkt "
    "uit de voorlopige uitslag die de gemeente {town} woensdagavond bekendmaakte. De PvdA wordt de tweede partij met "
    "{second} zetels, het CDA volgt met vier zetels. De opkomst in {town} was {turnout} procent, tegen 51 procent vier "
    "jaar geleden. De definitieve uitslag wordt vrijdag vastgesteld door het centraal stembureau. Daarna begint de "
    "formatie van een nieuw college van burgemeester en wethouders."
)


def test_a_template_family_stays_apart_while_a_rewrite_joins(seeds):
    original = clean_text_page(seeds["000"]).body
    rewrite = clean_text_page(seeds["001"]).body
    towns = [("Utrecht", 9, 5, 48), ("Zwolle", 7, 6, 55), ("Breda", 11, 3, 61), ("Leiden", 8, 8, 44)]
    items = [DedupItem("article", "orig", original), DedupItem("article", "rewrite", rewrite)] + [
        DedupItem("article", f"town-{town}", ELECTION.format(town=town, seats=s, second=t, turnout=u))
        for town, s, t, u in towns
    ]
    result = cluster_items(items)
    assert clusters_of(result.members, "article") == [
        ["orig", "rewrite"],
        ["town-Breda"],
        ["town-Leiden"],
        ["town-Utrecht"],
        ["town-Zwolle"],
    ]
    assert result.refused_templates > 0  # the family was a candidate, and verification refused it
    (edge,) = result.edges
    assert {edge.item_a, edge.item_b} == {"orig", "rewrite"} and edge.reason == "rewrite"


def test_plain_minhash_would_merge_the_template_family():
    a, b = (ELECTION.format(town=t, seats=s, second=4, turnout=50) for t, s in (("Utrecht", 9), ("Zwolle", 7)))
    assert jaccard(shingles(a, 5), shingles(b, 5)) > 0.5  # a single threshold low enough for rewrites takes them


def test_edges_explain_every_merge_and_exact_copies_come_first(seed_items):
    result = cluster_items([*seed_items, DedupItem("teaser", "copy", seed_items[-1].text)])
    sizes = {m.cluster_id: m.cluster_size for m in result.members}
    assert len(result.edges) == sum(size - 1 for size in sizes.values())
    cluster_of = {m.item_id: m.cluster_id for m in result.members}
    assert all(cluster_of[e.item_a] == cluster_of[e.item_b] and 0 <= e.similarity <= 1 for e in result.edges)
    assert any(e.reason == "exact text" and "copy" in (e.item_a, e.item_b) for e in result.edges)


def test_a_trimmed_teaser_joins_by_containment():
    text = (
        "KYIV (ANP/RTR) - Bijna 6000 gebouwen in Kyiv zitten zonder verwarming na een nieuwe nachtelijke Russische "
        "aanval, verklaart burgemeester Vitali Klitsjko. In de Oekraïense hoofdstad is zaterdagochtend een "
        "temperatuur van -12 graden gemeten. De stad heeft noodopvang ingericht voor bewoners die het in hun woning "
        "te koud krijgen, en vraagt inwoners om zuinig te zijn met stroom."
    )
    trimmed = text.split(" In de Oekraïense")[0]
    result = cluster_items([DedupItem("teaser", "full", text), DedupItem("teaser", "trimmed", trimmed)])
    assert clusters_of(result.members, "teaser") == [["full", "trimmed"]]
    assert result.edges[0].reason == "contained"


def test_signatures_are_reused_and_not_computed_again(seed_items):
    first = cluster_items(seed_items)
    assert first.hashed == len(first.signatures) > 0
    again = cluster_items(seed_items, previous=PreviousRun({}, first.signatures))
    assert again.hashed == 0 and again.members == first.members


@pytest.mark.parametrize("kind", ["article", "teaser"])
def test_batched_signatures_are_datasketchs_minhash_value_for_value(seed_items, kind):
    """The numpy batch gives each text exactly what datasketch's affine32 MinHash gives it on its own: long and
    short texts, texts shorter than one shingle, an empty text, and batches split mid-way."""
    import numpy as np
    from datasketch import MinHash

    from newsassets import dedup

    settings = SETTINGS[kind]
    hashes = dedup._WordHashes()
    texts = [item.text for item in seed_items] + ["Oekraïne", "twee woorden", "", "drie losse woorden"]
    word_hashes = [hashes(dedup.words_of(text)) for text in texts]
    expected = []
    for wh in word_hashes:
        minhash = MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme="affine32", hashfunc=int)
        if len(wh):
            minhash.update_batch((dedup.shingle_hashes(wh, settings.candidate_shingle_words) >> np.uint64(32)).tolist())
        expected.append(minhash.hashvalues)
    assert (dedup._signatures(word_hashes, settings) == np.vstack(expected)).all()
    small_batches = pytest.MonkeyPatch.context()
    with small_batches as patch:
        patch.setattr(dedup, "_SIGNATURE_BATCH", 7)
        assert (dedup._signatures(word_hashes, settings) == np.vstack(expected)).all()


def test_clustering_the_kinds_at_once_in_a_worker_gives_the_same_result(seed_items, monkeypatch):
    from newsassets import dedup

    monkeypatch.setattr(dedup, "PARALLEL_MIN_ITEMS", 1)
    earlier = cluster_items(seed_items)
    previous = PreviousRun({(m.item_kind, m.item_id): m.cluster_id for m in earlier.members}, earlier.signatures)
    alone = cluster_items(seed_items, previous=previous, workers=1)
    at_once = cluster_items(seed_items, previous=previous, workers=2)
    assert at_once.members == alone.members and at_once.edges == alone.edges
    assert at_once.text_keys == alone.text_keys and at_once.signatures.keys() == alone.signatures.keys()
    assert all((at_once.signatures[k] == alone.signatures[k]).all() for k in alone.signatures)
    assert at_once.hashed == 0  # the earlier run's signatures reached the worker too


def test_workers_setting_defaults_to_the_cores_and_refuses_nonsense(monkeypatch):
    from newsassets import settings

    monkeypatch.delenv(settings.WORKERS_VAR, raising=False)
    assert settings.workers() >= 1
    monkeypatch.setenv(settings.WORKERS_VAR, "1")
    assert settings.workers() == 1
    for bad in ["0", "two"]:
        monkeypatch.setenv(settings.WORKERS_VAR, bad)
        with pytest.raises(ValueError, match=settings.WORKERS_VAR):
            settings.workers()


def test_a_failing_worker_process_is_a_clear_error_not_a_hang(capfd):
    from newsassets import dedup

    broken = ("article", [DedupItem("article", "a", "een tekst")], None, PreviousRun({}, {}), None)  # no settings
    with pytest.raises(RuntimeError, match="NEWSASSETS_WORKERS=1"):
        dedup._Worker(broken).result()
    assert "Traceback" in capfd.readouterr().err  # the worker's own error is shown above ours
