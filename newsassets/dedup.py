"""Items → exact-text groups → MinHash signatures → LSH candidates → verified edges → guarded clusters.

The stages, for each kind of item on its own:

1. **Exact duplicates first.** Items whose normalised words (lowercased `\\w+` tokens) are identical share a
   `text_key` and form one *unit*; the same teaser text on many pages costs one signature and no comparison.
2. **Signatures.** One MinHash per unit (datasketch's `affine32` MinHash, value for value, computed for a
   batch of texts in one numpy pass) over word n-gram shingles, hashed once per distinct word. Signatures are keyed by
   `text_key`, so a caller that keeps them (the asset stores them in DuckDB) never hashes an unchanged text again.
3. **Candidates for recall.** LSH banding of the signatures (`bands` × `rows`), buckets read with numpy.
   The bands are tuned to miss almost no pair at the verification threshold; precision is not their job.
4. **Verification like an editor.** On the sets of 32-bit hashes of each text's word shingles (exact but for hash
   collisions, about one in four billion per pair of shingles): a pair joins when its Jaccard reaches `jaccard`
   (a rewrite or a near copy) or when the shorter text lies within the longer one (`containment`: a trimmed
   ending, an extra paragraph). Articles are then refused as *template siblings* when names or numbers are
   swapped in one context (`substitutions`) or when too little content is shared by TF-IDF with document
   frequencies from the corpus (`content_similarity`): election results per town and match reports share
   80–90% of their words and are different stories. Teasers that link to one article join whatever their words
   (`link_key`), teasers linking to two never do, and teasers first seen more than `window_days` apart join
   only as exact copies. The store's time window (`candidate_window_days`, `NEWSASSETS_DEDUP_WINDOW_DAYS`, 30 by
   default) holds for both kinds: items first dated further apart are no candidates, exact copies aside.
5. **Clusters without chaining.** Verified edges are taken strongest first; two clusters merge only when their
   two representatives themselves pass verification at the looser `guard_*` thresholds, so a cluster never
   grows through a path of weak links. `dedup_edges` keeps the edge behind every merge.

Thresholds (chosen on real Dutch news, `python -m newsassets.evaluate dedup-real ../shared/realdata`, and held
on the seeds):
- Articles: candidates on word 4-shingles (rare enough that unrelated Dutch news almost never shares a band),
  128 permutations as 64 bands of 2 rows: a pair at 4-shingle Jaccard 0.2 is a candidate with probability
  0.93, at 0.3 with 0.998 (a rewrite of the seeds' kind scores about 0.4).
  Verification on word 3-shingles: Jaccard ≥ 0.2 or containment ≥ 0.5. The seeds' 000/001 rewrite scores
  0.466; unrelated stories on the same topic stay ≤ 0.05.
  Template siblings at 2 swaps or content similarity < 0.675.
- Teasers: candidates on word 2-shingles, 64 bands of 3 rows (P = 0.90 at 2-shingle Jaccard 0.33, what a
  headline edit at word Jaccard 0.5 keeps; on nu.nl's headlines a quarter of the candidates 42 × 2 made, for
  recall 0.956 instead of 0.983 on text alone); verification on words: Jaccard ≥ 0.5 (nu.nl's
  headline edits of one item) or containment ≥ 0.8 (a teaser cut after its first sentence); a one-day window.

Representative: the earliest item (`published_at`, else the page's `fetched_at`, for teasers too; undated last), then the longest
text, then the smallest id. Cluster id: with no earlier run, a hash of the representative; with an earlier run,
a cluster keeps the id its members had, and when it holds members of several earlier clusters it keeps the id
of the oldest of them (the one whose earliest member is earliest); an earlier id is never given to two clusters.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import pickle
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import numpy as np
from datasketch import MinHash

from newsassets.ids import stable_id
from newsassets.vocabulary import WORD

_MASK64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class DedupItem:
    item_kind: str  # 'article' or 'teaser'
    item_id: str
    text: str
    seniority: tuple = ()  # the smallest becomes its cluster's representative: (undated, date, -length) by default
    link: str | None = None  # what the item links to (a teaser's url); see `link_key`
    captured_only: bool = False  # dated by its page's capture, for want of a publication date


@dataclass(slots=True)
class ClusterMember:
    cluster_id: str
    item_kind: str
    item_id: str
    is_representative: bool
    similarity: float  # Jaccard of the item's shingles with its representative's
    cluster_size: int


@dataclass(slots=True)
class DedupEdge:
    """One merge: `item_b` (and its cluster) joined `item_a`'s cluster."""

    item_kind: str
    item_a: str
    item_b: str
    similarity: float  # verified shingle Jaccard of the two items
    reason: str  # 'exact text', 'near copy', 'rewrite' or 'contained'
    content_similarity: float | None = None  # TF-IDF similarity of their words and names, where it was checked


@dataclass(frozen=True)
class DedupSettings:
    shingle_words: int  # verification shingles
    candidate_shingle_words: int  # the shingles the MinHash signatures are made of
    bands: int
    rows: int
    jaccard: float  # a pair joins at this verified Jaccard …
    containment: float  # … or when this share of the shorter text's shingles is in the longer one
    min_shingles: int  # containment counts only for a shorter text of at least this many shingles
    guard_jaccard: float  # two clusters merge only when their representatives reach this Jaccard …
    guard_containment: float  # … or this containment (and are no template siblings)
    min_content: float = 0.0  # refuse a pair whose content similarity (TF-IDF, `content_similarity`) is below this
    max_substitutions: int = 0  # refuse a pair with this many names or numbers swapped in one context (0: never)
    window_days: float = 0.0  # items dated further apart than this never join unless their texts are equal (0: any)
    # the store's time window (NEWSASSETS_DEDUP_WINDOW_DAYS): items first dated further apart are not even
    # candidates, so an incremental run looks only at the stored texts within it (0: the whole store)
    candidate_window_days: float = 0.0
    # an item dated only by its page's capture was published then or before: it may be an old story captured
    # late (an archive, a dump), so it is near every earlier publication (articles); for fronts' cards, which
    # show what is current, the capture is the date (teasers)
    late_captures: bool = False
    near_copy: float = 0.8  # the Jaccard from which an edge's reason reads 'near copy' rather than 'rewrite'
    bucket_cap: int = 6  # an LSH bucket pairs each member with its next this many members (a big bucket is a template)
    max_refusals: int = 12  # a unit refused this often (a template page among its siblings) verifies no further pair
    seed: int = 1

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    @property
    def candidate_threshold(self) -> float:
        """The similarity at which a pair becomes a candidate with probability ½ (the S-curve's midpoint)."""
        return (1 - 0.5 ** (1 / self.bands)) ** (1 / self.rows)

    @property
    def threshold(self) -> float:
        return self.jaccard

    @property
    def pair_window_days(self) -> float:
        """The narrower of the kind's own window and the store's (0: neither)."""
        return min((w for w in (self.window_days, self.candidate_window_days) if w), default=0.0)


SETTINGS = {
    "article": DedupSettings(
        shingle_words=3,
        candidate_shingle_words=4,
        bands=64,
        rows=2,
        jaccard=0.2,
        containment=0.5,
        min_shingles=20,
        guard_jaccard=0.1,
        guard_containment=0.3,
        min_content=0.675,
        max_substitutions=2,
        late_captures=True,
    ),
    "teaser": DedupSettings(
        shingle_words=1,
        candidate_shingle_words=2,
        bands=64,
        rows=3,
        jaccard=0.5,
        containment=0.8,
        min_shingles=5,
        guard_jaccard=0.35,
        guard_containment=0.6,
        max_substitutions=2,
        window_days=1.0,
    ),
}


def windowed(days: float, settings: Mapping[str, DedupSettings] | None = None) -> dict[str, DedupSettings]:
    """The settings with the store's time window of `days` (0: none)."""
    return {kind: replace(s, candidate_window_days=float(days)) for kind, s in (settings or SETTINGS).items()}


# Stored signatures and cluster state count only under this version: any change of shingling, hashing or a
# setting changes it, and the next run starts afresh (cluster ids still carried over).
SIGNATURE_VERSION = stable_id("v3-affine32-word32", repr(sorted(SETTINGS.items())))


# ---------------------------------------------------------------------------------------------- words, shingles


def words_of(text: str) -> list[str]:
    """Lowercased word tokens: punctuation, quote styles and case do not count."""
    return WORD.findall(text.lower())


def text_key(text: str) -> int:
    """Equal for texts with the same words in the same order: the key of an exact duplicate."""
    return _key(" ".join(words_of(text)))


def _key(normalised: str) -> int:
    return int.from_bytes(hashlib.blake2b(normalised.encode(), digest_size=8).digest(), "little")


def shingles(text: str, size: int) -> set[str]:
    """Word n-grams of the lowercased text; a text shorter than `size` words is one shingle."""
    words = words_of(text)
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NUMBER_SEGMENT = re.compile(r"^[a-z]{0,8}-?([0-9]{5,})$")  # /6215315/, /article248523470/, /a-1234567/
_NUMBER_AT_END = re.compile(r"[-_.]([0-9]{5,})(?:\.[a-z]+)*$")  # /<slug>-87654321.bild.html, /<slug>_123456
_NUMBER_AT_START = re.compile(r"^([0-9]{7,})-[a-z]")  # /artikel/2500001-<slug>


def link_key(url: str | None) -> str | None:
    """What identifies the article a link points to: its host and the article number in its path where it has
    one (a path segment of digits `/binnenland/6215315/<slug>.html`, digits ending or starting the last segment
    `<slug>-87654321.html`, `/artikel/2500001-<slug>`, or a UUID: newsrooms rewrite the slug when they edit a headline, never the number,
    and a number inside the slug, `100000-mensen`, is words), else its host and path; scheme, `www.`, query,
    fragment and a trailing slash never count."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a link no parser reads (`http://[kapot`) identifies nothing
        return None
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/").lower()
    if not host and not path:
        return None
    segments = path.split("/")
    for segment in segments:
        if match := _NUMBER_SEGMENT.match(segment):
            return f"{host}#{match.group(1)}"
    if match := _UUID.search(path):
        return f"{host}#{match.group(0)}"
    if match := _NUMBER_AT_END.search(segments[-1]) or _NUMBER_AT_START.match(segments[-1]):
        return f"{host}#{match.group(1)}"
    return f"{host}{path}"


class _WordHashes:
    """A stable 32-bit hash per distinct word (the top half of its blake2b), computed once per word in a run.
    32 bits tell apart the words two texts share (a collision in a vocabulary of a million words is a few
    pairs) and halve what a million texts' word sequences hold; shingles combine them to 64 bits."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def __call__(self, words: list[str]) -> np.ndarray:
        cache = self._cache
        for word in set(words).difference(cache):
            cache[word] = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little") >> 32
        return np.fromiter(map(cache.__getitem__, words), dtype=np.uint32, count=len(words))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: np.unique, by sorting (numpy 2's hash-based np.unique is many times slower here)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def _mix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(31))
    h = h * np.uint64(0x9E3779B97F4A7C15)
    return h ^ (h >> np.uint64(29))


def shingle_hashes(word_hashes: np.ndarray, size: int) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the word n-grams (one n-gram for a text shorter than `size`)."""
    n = len(word_hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    word_hashes = word_hashes.astype(np.uint64)
    size = min(size, n)
    count = n - size + 1
    h = word_hashes[:count].copy()
    for offset in range(1, size):
        h = h * np.uint64(0x100000001B3) + word_hashes[offset : offset + count]
    return _distinct(_mix(h + np.uint64(size)))


class _Features:
    """What verification looks at in one text, each part computed when a pair first needs it."""

    def __init__(self, text: str, word_hashes: np.ndarray, hashes: _WordHashes, settings: DedupSettings) -> None:
        self.text, self.hashes = text, hashes  # the text is the item's own string, not a copy
        self.word_hashes = word_hashes
        self._shingle_words = settings.shingle_words
        self._tfidf: tuple | None = None

    @functools.cached_property
    def shingles(self) -> np.ndarray:
        """Sorted distinct verification shingles. 32 bits are plenty to compare two texts of a few thousand
        words, and halve the memory; one-word shingles are the words themselves."""
        if self._shingle_words == 1:
            return self.words
        hashed = shingle_hashes(self.word_hashes, self._shingle_words) >> np.uint64(32)
        return _distinct(hashed).astype(np.uint32)

    @functools.cached_property
    def words(self) -> np.ndarray:
        """Sorted distinct 32-bit word hashes."""
        return _distinct(self.word_hashes)

    @functools.cached_property
    def slot_runs(self) -> _SlotRuns:
        """Where the text has names, places and numbers: the places a template fills in from page to page."""
        return _slot_runs(self.text, self.word_hashes, self.hashes)

    def tfidf(self, frequency: DocumentFrequency) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The text's words and their TF-IDF weights, then its names and numbers and theirs (kept per corpus)."""
        if self._tfidf is None or self._tfidf[0] is not frequency:
            words = self.words
            counts = np.bincount(words.searchsorted(self.word_hashes), minlength=len(words))
            weights = (1 + np.log(counts)) * frequency.idf(words)
            slot = _in(self.slots, words)
            self._tfidf = (frequency, (words, weights, words[slot], weights[slot]))
        return self._tfidf[1]

    @functools.cached_property
    def run_spans(self) -> np.ndarray:
        """Where each of `slot_runs` is in the text: (start, end) character offsets, in the runs' order."""
        runs = self.slot_runs
        starts, ends = runs.starts.tolist(), runs.ends.tolist()
        wanted = set(starts) | set(ends)
        found: dict[int, tuple[int, int]] = {}
        for index, match in enumerate(WORD.finditer(self.text)):
            if index in wanted:
                found[index] = match.span()
        return np.array([(found[a][0], found[b][1]) for a, b in zip(starts, ends, strict=True)], dtype=np.int32)

    def run_text(self, run: int) -> str:
        """The lowercased words of one of `slot_runs`, as `Reusel-De Mierden` → `reusel de mierden`."""
        start, end = self.run_spans[run].tolist()
        return " ".join(WORD.findall(self.text[start:end].lower()))

    @property
    def slots(self) -> np.ndarray:
        """Sorted hashes of the names and places (capitalised, never lowercase here) and the numbers."""
        return self.slot_runs.names


class _SlotRuns(NamedTuple):
    """A text's names and numbers as arrays: the distinct ones, and each run of them (`Reusel-De Mierden`,
    `628`) with its context, the word before and the word after it, sorted by context."""

    names: np.ndarray  # sorted distinct 32-bit hashes of the name and number words
    contexts: np.ndarray  # (word before << 32) | word after, one per run, sorted
    starts: np.ndarray  # each run's first and last token position, in the order of `contexts` (int32)
    ends: np.ndarray
    offsets: np.ndarray  # where each run's words start in `words` (int32)
    words: np.ndarray  # the runs' 32-bit word hashes, run after run in the order of `contexts`


def _slot_runs(text: str, word_hashes: np.ndarray, hashes: _WordHashes) -> _SlotRuns:
    """A name is a word written with a capital or a digit that never occurs in lowercase in this text."""
    tokens = WORD.findall(text)
    if len(tokens) != len(word_hashes):  # lowercasing changed the words (a rare letter): hash the tokens as read
        word_hashes = hashes([t.lower() for t in tokens])
    words = word_hashes
    written = ~np.fromiter(map(str.islower, tokens), dtype=bool, count=len(tokens))
    slot = written & ~_in(_distinct(words[~written]), words)
    names = _distinct(words[slot])
    positions = np.flatnonzero(slot)
    if not len(positions):
        empty = np.empty(0, dtype=np.int32)
        return _SlotRuns(names, np.empty(0, dtype=np.uint64), empty, empty, empty, np.empty(0, dtype=np.uint32))
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    starts = positions[np.concatenate(([0], breaks))]
    ends = positions[np.concatenate((breaks - 1, [len(positions) - 1]))]
    inside = (starts > 0) & (ends + 1 < len(words))
    starts, ends = starts[inside], ends[inside]
    contexts = (words[starts - 1].astype(np.uint64) << np.uint64(32)) | words[ends + 1].astype(np.uint64)
    order = np.argsort(contexts, kind="stable")
    starts, ends = starts[order].astype(np.int32), ends[order].astype(np.int32)
    lengths = ends - starts + 1
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int32)
    run_words = words[np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))]
    return _SlotRuns(names, contexts[order], starts, ends, offsets, run_words)


class DocumentFrequency:
    """In how many distinct texts of a corpus each word occurs (words as the 32-bit hashes verification uses).

    It is what tells a template from a story without a list of words: the phrases a machine template repeats on
    hundreds of pages, and the words every story uses, occur in many texts and weigh little; the names, places
    and numbers that make one story occur in few texts and weigh much. Counted over distinct texts (exact copies
    once), kept in DuckDB by the stage and updated by each run's new texts."""

    def __init__(self, words: np.ndarray | None = None, counts: np.ndarray | None = None, documents: int = 0):
        self.words = np.empty(0, dtype=np.uint32) if words is None else words  # sorted, distinct
        self.counts = np.empty(0, dtype=np.int64) if counts is None else counts
        self.documents = documents

    @classmethod
    def of(cls, word_hashes: Iterable[np.ndarray]) -> DocumentFrequency:
        """The frequencies over texts given as their word hashes (`_WordHashes`), one array per distinct text;
        counted a batch of texts at a time, so a million texts' words are never all in one array."""
        total, batch = cls(), []
        for hashes in word_hashes:
            batch.append(_distinct(hashes))
            if len(batch) == 10_000:
                total, batch = total.plus(cls._counted(batch)), []
        return total.plus(cls._counted(batch)) if batch else total

    @classmethod
    def _counted(cls, distinct: list[np.ndarray]) -> DocumentFrequency:
        words, counts = np.unique(np.concatenate(distinct), return_counts=True)
        return cls(words, counts.astype(np.int64), len(distinct))

    def plus(self, other: DocumentFrequency) -> DocumentFrequency:
        if not other.documents:
            return self
        words, inverse = np.unique(np.concatenate([self.words, other.words]), return_inverse=True)
        counts = np.bincount(inverse, weights=np.concatenate([self.counts, other.counts]), minlength=len(words))
        return DocumentFrequency(words, counts.astype(np.int64), self.documents + other.documents)

    def idf(self, words: np.ndarray) -> np.ndarray:
        """Inverse document frequency ln((N + 1) / (df + 1)), N at least `MIN_DOCUMENTS`: a word in every text
        weighs nothing, an unseen word most; in a corpus too small to say what is common every word counts about
        alike (two copies of one story in a corpus of two must still look alike)."""
        found = _in(self.words, words)
        df = np.zeros(len(words), dtype=np.float64)
        df[found] = self.counts[self.words.searchsorted(words[found])]
        return np.log((max(self.documents, MIN_DOCUMENTS) + 1) / (df + 1))


MIN_DOCUMENTS = 1000


def text_frequency(texts: Iterable[str]) -> DocumentFrequency:
    """`DocumentFrequency` of texts (each counted once, as a distinct text)."""
    hashes = _WordHashes()
    return DocumentFrequency.of(hashes(words) for text in texts if (words := words_of(text)))


def text_words(texts: Iterable[str]) -> np.ndarray:
    """The distinct words (32-bit hashes, as verification and `DocumentFrequency` use them) of the texts."""
    hashes = _WordHashes()
    arrays = [hashes(words) for text in texts if (words := words_of(text))]
    return _distinct(np.concatenate(arrays)) if arrays else np.empty(0, dtype=np.uint32)


def _tfidf_cosine(a_words, a_weights, b_words, b_weights) -> float:
    if not len(a_words) or not len(b_words):
        return 0.0
    shared = _in(b_words, a_words)
    dot = float(a_weights[shared] @ b_weights[b_words.searchsorted(a_words[shared])])
    return dot / float(np.linalg.norm(a_weights) * np.linalg.norm(b_weights))


def content_similarity(a: _Features, b: _Features, frequency: DocumentFrequency) -> float:
    """How far two texts are about the same things: the mean of two TF-IDF cosines (sublinear term frequency
    × `DocumentFrequency.idf`), one over all their words and one over their names, places and numbers alone (the first
    alone when a text has none). Two pages of one template share their phrasing but differ in exactly the
    rare, repeated words that say which town, match or company a page is about; two copies of one story share
    those. On real Dutch news: copies of one story score 0.81 or more (19 pairs in 20), pages of one election
    template 0.68 or less (19 in 20)."""
    (aw, awt, asl, aslt), (bw, bwt, bsl, bslt) = a.tfidf(frequency), b.tfidf(frequency)
    overall = _tfidf_cosine(aw, awt, bw, bwt)
    if not len(asl) or not len(bsl):
        return overall
    return (overall + _tfidf_cosine(asl, aslt, bsl, bslt)) / 2


# ---------------------------------------------------------------------------------------------- signatures, LSH


def _signatures(word_hashes: Iterable[np.ndarray], settings: DedupSettings) -> np.ndarray:
    """One MinHash per text (given as its word hashes) as a row of `num_perm` uint32 values: datasketch's
    `affine32` MinHash over the text's word n-gram hashes, value for value (`MinHash(…, scheme="affine32",
    hashfunc=int)`), computed for a batch of texts at a time: one numpy pass over all their shingles and every
    permutation, where datasketch pays its per-object cost per text (4× faster on articles, more on teasers)."""
    texts = list(word_hashes)
    sigs = np.full((len(texts), settings.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    a, b = _permutations(settings.num_perm, settings.seed)
    start = 0
    while start < len(texts):
        stop, size = start, 0
        while stop < len(texts) and (stop == start or size + len(texts[stop]) <= _SIGNATURE_BATCH):
            size += len(texts[stop])
            stop += 1
        batch = texts[start:stop]
        hashed = [i for i, t in enumerate(batch) if len(t)]  # an empty text keeps datasketch's empty MinHash
        if hashed:
            flat, offsets = _shingle_batch([batch[i] for i in hashed], settings.candidate_shingle_words)
            values = a * _fmix32(flat)[None, :]
            values += b
            sigs[np.asarray(hashed) + start] = np.minimum.reduceat(values, offsets, axis=1).T
        start = stop
    return sigs


_SIGNATURE_BATCH = 1 << 15  # shingles per numpy pass: (num_perm × this) uint32 values, 16–24 MiB


@functools.lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations (a, b) as (num_perm, 1) uint32 columns."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32)[:, None], b.astype(np.uint32)[:, None]


def _fmix32(h: np.ndarray) -> np.ndarray:
    """The 32-bit MurmurHash3 finalizer, datasketch's pre-mix of every input hash under `affine32`."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _shingle_batch(texts: list[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
    """The candidate shingles of non-empty texts, as `shingle_hashes(…) >> 32` (uint32, not deduplicated: a
    repeat does not change a minimum) laid end to end, and where each text's run starts."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    words = np.concatenate([*texts, np.zeros(size - 1, dtype=np.uint32)]).astype(np.uint64)  # padded past the end
    total = int(lengths.sum())
    h = words[:total].copy()
    for offset in range(1, size):
        h = h * np.uint64(0x100000001B3) + words[offset : offset + total]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(total) - np.repeat(starts, lengths)
    counts = np.maximum(lengths - size + 1, 1)
    flat = (_mix(h[position <= np.repeat(lengths - size, lengths)] + np.uint64(size)) >> np.uint64(32)).astype(
        np.uint32
    )
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    short = np.flatnonzero(lengths < size)  # shorter than one shingle: the one n-gram of all its words
    if len(short):
        out = np.empty(int(counts.sum()), dtype=np.uint32)
        mask = np.ones(len(out), dtype=bool)
        mask[offsets[short]] = False
        out[mask] = flat
        out[offsets[short]] = [int(shingle_hashes(texts[i], size)[0]) >> 32 for i in short.tolist()]
        flat = out
    return flat, offsets


def band_keys(sigs: np.ndarray, settings: DedupSettings) -> np.ndarray:
    """(n, bands) uint64 keys: rows equal in every value of a band share that band's key."""
    width = settings.bands * settings.rows
    multipliers = (np.arange(settings.rows, dtype=np.uint64) * np.uint64(2) + np.uint64(0x9E3779B97F4A7C15)) | 1
    # the sum over each band's rows of value × multiplier (mod 2^64), one row of every band at a time
    keys = np.zeros((sigs.shape[0], settings.bands), dtype=np.uint64)
    for row in range(settings.rows):
        keys += sigs[:, row : width : settings.rows].astype(np.uint64) * multipliers[row]
    keys += np.arange(settings.bands, dtype=np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    return _mix(keys)


def _by_estimate(pairs: np.ndarray, sigs: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """The pairs ordered by MinHash agreement, highest first, then by index: a deterministic order."""
    if not len(pairs):
        return pairs
    estimate = np.concatenate(
        [
            (sigs[pairs[i : i + chunk, 0]] == sigs[pairs[i : i + chunk, 1]]).sum(axis=1)
            for i in range(0, len(pairs), chunk)
        ]
    )
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0], -estimate))]


def candidate_pairs(keys: np.ndarray, empty: np.ndarray, cap: int) -> np.ndarray:
    """(m, 2) index pairs, i < j, that share a band key; rows flagged `empty` take part in nothing. In a bucket
    each member is paired with its next `cap` members only: a huge bucket is a template family, not a story."""
    n = keys.shape[0]
    codes = np.empty(0, dtype=np.int64)  # pair (i, j) as i * n + j, deduplicated every few bands to bound memory
    found = []
    alive = np.nonzero(~empty)[0]
    for band in range(keys.shape[1]):
        column = keys[alive, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        members = alive[order].astype(np.int64)
        for offset in range(1, cap + 1):
            same = np.nonzero(ordered[offset:] == ordered[:-offset])[0]
            if not len(same):
                break
            a, b = members[same], members[same + offset]
            found.append(np.minimum(a, b) * n + np.maximum(a, b))
        if band % 8 == 7 or band == keys.shape[1] - 1:
            codes = _distinct(np.concatenate([codes, *found]))
            found = []
    return np.stack([codes // n, codes % n], axis=1)


# ---------------------------------------------------------------------------------------------- verification


def _in(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A mask over `values`: which of them are in `sorted_values` (sorted, distinct). Faster than np.isin here."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    at = sorted_values.searchsorted(values)
    at[at == len(sorted_values)] = 0
    return sorted_values[at] == values


def _overlap(a: _Features, b: _Features) -> tuple[float, float]:
    na, nb = len(a.shingles), len(b.shingles)
    if not na or not nb:
        return 0.0, 0.0
    inter = int(_in(b.shingles, a.shingles).sum())
    return inter / (na + nb - inter), inter / min(na, nb)


def substitutions(a: _Features, b: _Features, limit: int | None = None) -> int:
    """How often a name or number of one text stands where the other has a different one, in the same two
    words' context, neither occurring in the other text at all, and no spelling variant of each other
    (Jenni/Jennifer): `in Bernheze straks` against `in Son en Breugel straks`, `kleurden 628 stemmers` against
    `kleurden 391 stemmers`. Pages of one template swap exactly these, again and again; two copies of one
    story almost never do (2 of 685 real same-story pairs swap twice or more, 9 in 10 template pairs do).
    Counting stops at `limit`."""
    if len(a.word_hashes) <= _SHORT and len(b.word_hashes) <= _SHORT:
        return _short_substitutions(a.text, b.text, limit)
    ra, rb = a.slot_runs, b.slot_runs
    if not len(ra.contexts) or not len(rb.contexts):
        return 0
    in_a = _runs_the_other_lacks(ra, b.words, _in(rb.contexts, ra.contexts))
    if not len(in_a):
        return 0
    contexts_a = ra.contexts[in_a]  # sorted, as the runs are
    in_b = _runs_the_other_lacks(rb, a.words, _in(contexts_a, rb.contexts))
    if not len(in_b):
        return 0
    contexts_b = rb.contexts[in_b]
    found = 0
    for context in np.unique(contexts_b).tolist():
        for i in in_a[contexts_a == context].tolist():
            x = a.run_text(i)
            for j in in_b[contexts_b == context].tolist():
                if _spelling_variants(x, b.run_text(j)):
                    continue
                found += 1
                if limit is not None and found >= limit:
                    return found
    return found


_SHORT = 64  # words: below this, plain Python sets beat numpy's cost per call (headlines, teasers)


def _short_substitutions(a: str, b: str, limit: int | None) -> int:
    """`substitutions` for two short texts, on Python sets (the same rule, words as strings)."""
    words_a, runs_a = _short_runs(a)
    words_b, runs_b = _short_runs(b)
    found = 0
    for context in runs_a.keys() & runs_b.keys():
        for x in runs_a[context]:
            if all(w in words_b for w in x.split()):
                continue
            for y in runs_b[context]:
                if all(w in words_a for w in y.split()) or _spelling_variants(x, y):
                    continue
                found += 1
                if limit is not None and found >= limit:
                    return found
    return found


@functools.lru_cache(maxsize=16384)
def _short_runs(text: str) -> tuple[frozenset[str], dict[tuple[str, str], list[str]]]:
    """A short text's lowercased words, and its runs of names and numbers by context (as `_slot_runs`)."""
    tokens = WORD.findall(text)
    lowered = [t.lower() for t in tokens]
    lowercase = {t for t in tokens if t.islower()}
    slot = [not t.islower() and low not in lowercase for t, low in zip(tokens, lowered, strict=True)]
    runs: dict[tuple[str, str], list[str]] = defaultdict(list)
    start = None
    for i in range(len(tokens) + 1):
        if i < len(tokens) and slot[i]:
            start = i if start is None else start
            continue
        if start is not None and start > 0 and i < len(tokens):
            runs[(lowered[start - 1], lowered[i])].append(" ".join(lowered[start:i]))
        start = None
    return frozenset(lowered), runs


def _runs_the_other_lacks(runs: _SlotRuns, other_words: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Indexes of the chosen runs (a mask) with at least one word that `other_words` (sorted) lacks."""
    index = np.flatnonzero(chosen)
    if not len(index):
        return index
    lengths = runs.ends[index] - runs.starts[index] + 1
    firsts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    positions = np.repeat(runs.offsets[index] - firsts, lengths) + np.arange(int(lengths.sum()))
    present = _in(other_words, runs.words[positions])
    return index[~np.logical_and.reduceat(present, firsts)]


def _spelling_variants(x: str, y: str) -> bool:
    """Jenni/Jennifer, Tajiek/Tadzjiek, Niki/Nicki: one start, mostly the same letters (but Oost-/Weststellingwerf
    are two towns)."""
    return x[:2] == y[:2] and difflib.SequenceMatcher(None, x, y).ratio() >= 0.6


def verify(
    a: _Features,
    b: _Features,
    settings: DedupSettings,
    loose: bool = False,
    frequency: DocumentFrequency | None = None,
) -> tuple[float, str | None, float | None]:
    """(Jaccard, reason, content similarity) when the pair is the same story; reason None when it is not. The
    content similarity is measured only when the settings ask for it and the shingles already agree."""
    jac, contained = _overlap(a, b)
    min_jaccard = settings.guard_jaccard if loose else settings.jaccard
    min_contained = settings.guard_containment if loose else settings.containment
    if jac >= min_jaccard:
        reason = "near copy" if jac >= settings.near_copy else "rewrite"
    elif contained >= min_contained and min(len(a.shingles), len(b.shingles)) >= settings.min_shingles:
        reason = "contained"
    else:
        return jac, None, None
    content = None
    if settings.min_content:  # first: it is the cheaper test, and it refuses most pairs of unrelated texts
        content = content_similarity(a, b, frequency or DocumentFrequency())
        if content < settings.min_content:
            return jac, None, content
    if settings.max_substitutions and substitutions(a, b, settings.max_substitutions) >= settings.max_substitutions:
        return jac, None, content
    return jac, reason, content


# ---------------------------------------------------------------------------------------------- clustering


@dataclass(frozen=True)
class PreviousRun:
    """What an earlier run left: each item's cluster id, and signatures by (item_kind, text_key)."""

    cluster_ids: Mapping[tuple[str, str], str]
    signatures: Mapping[tuple[str, int], np.ndarray]


@dataclass(frozen=True)
class DedupResult:
    members: list[ClusterMember]
    edges: list[DedupEdge]
    signatures: dict[tuple[str, int], np.ndarray]  # every unit's signature, by (item_kind, text_key)
    hashed: int  # signatures computed in this run (the others came from the previous run)
    candidates: int  # LSH candidate pairs verified
    refused_templates: int  # pairs whose shingles agree, refused as template siblings or for their content
    text_keys: dict[tuple[str, str], int | None]  # each item's text key (None for an empty text)
    frequency: dict[str, DocumentFrequency] = field(default_factory=dict)  # the word frequencies verification used
    refused_window: int = 0  # candidate pairs dated too far apart to be one story
    refused_links: int = 0  # candidate pairs that link to two different articles
    link_keys: dict[tuple[str, str], str] = field(default_factory=dict)  # (item_kind, item_id) → its `link_key`


def cluster_items(
    items: list[DedupItem],
    settings: Mapping[str, DedupSettings] | None = None,
    previous: PreviousRun | None = None,
    frequency: Mapping[str, DocumentFrequency] | None = None,
    workers: int = 1,
) -> DedupResult:
    """Every item exactly once, each kind clustered on its own; singletons are clusters of one. `frequency`
    gives each kind's word document frequencies over the whole corpus when `items` are only part of it (an
    incremental run); without it they are counted over `items`. `workers`: see `cluster_kinds`."""
    by_kind: dict[str, list[DedupItem]] = defaultdict(list)
    for item in items:
        by_kind[item.item_kind].append(item)
    sizes = {kind: len(kind_items) for kind, kind_items in by_kind.items()}
    return cluster_kinds(sizes, by_kind.pop, settings, previous, frequency, workers)


def cluster_kinds(
    sizes: Mapping[str, int],
    load: Callable[[str], list[DedupItem]],
    settings: Mapping[str, DedupSettings] | None = None,
    previous: PreviousRun | None = None,
    frequency: Mapping[str, DocumentFrequency] | None = None,
    workers: int = 1,
) -> DedupResult:
    """`cluster_items` over kinds of `sizes` items each, `load(kind)` giving a kind's items when its turn comes.
    With `workers` > 1 and at least `PARALLEL_MIN_ITEMS` of each kind, the kind with fewer items is loaded
    first and clustered in a worker process while the others are clustered here: the same result, sooner. A
    kind's items are held only while it is clustered (or sent to the worker), so the memory of the kinds
    is not added up."""
    settings = settings or SETTINGS
    previous = previous or PreviousRun({}, {})
    kinds = sorted(kind for kind, size in sizes.items() if size)

    def arguments(kind: str) -> tuple:
        return (kind, load(kind), settings[kind], previous, (frequency or {}).get(kind))

    worker, away = None, None
    if workers > 1 and len(kinds) > 1 and min(sizes[k] for k in kinds) >= PARALLEL_MIN_ITEMS:
        away = min(kinds, key=lambda k: sizes[k])
        kind, items, kind_settings, _, kind_frequency = arguments(away)
        own = PreviousRun(
            {key: v for key, v in previous.cluster_ids.items() if key[0] == away},
            {key: v for key, v in previous.signatures.items() if key[0] == away},
        )
        worker = _Worker((kind, items, kind_settings, own, kind_frequency))
        del items  # sent: the worker has its own copy
    results = {kind: _cluster_kind(*arguments(kind)) for kind in kinds if kind != away}
    if worker is not None:
        results[away] = worker.result()
    results = [results[kind] for kind in kinds]
    return DedupResult(
        members=[m for r in results for m in r.members],
        edges=[e for r in results for e in r.edges],
        signatures={k: v for r in results for k, v in r.signatures.items()},
        hashed=sum(r.hashed for r in results),
        candidates=sum(r.candidates for r in results),
        refused_templates=sum(r.refused_templates for r in results),
        text_keys={k: v for r in results for k, v in r.text_keys.items()},
        frequency={k: v for r in results for k, v in r.frequency.items()},
        refused_window=sum(r.refused_window for r in results),
        refused_links=sum(r.refused_links for r in results),
        link_keys={k: v for r in results for k, v in r.link_keys.items()},
    )


PARALLEL_MIN_ITEMS = 20_000  # of each kind: below this a worker process costs more than it saves


class _Worker:
    """`_cluster_kind(*arguments)` in a fresh interpreter (`python -m newsassets.dedup_worker`): a plain
    subprocess, so nothing of the caller's process is copied or re-run (a thread-holding Dagster run, a script
    without a `__main__` guard). The arguments go in through its stdin, the result comes back through its
    stdout, both pickled as streams."""

    def __init__(self, arguments: tuple) -> None:
        # the worker imports this package from where this process did, whatever its working directory
        package_root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsassets.dedup_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )
        try:
            pickle.dump(arguments, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.close()
        except OSError as exc:  # the worker died while reading (its error is on stderr)
            self._fail(exc)

    def result(self) -> DedupResult:
        try:
            result = pickle.load(self.process.stdout)
        except (EOFError, pickle.UnpicklingError) as exc:
            self._fail(exc)
        self.process.stdout.close()
        if self.process.wait() != 0:
            self._fail(None)
        return result

    def _fail(self, cause: BaseException | None) -> None:
        self.process.kill()
        code = self.process.wait()
        raise RuntimeError(
            f"the dedup worker process failed (exit code {code}; its error is above); NEWSASSETS_WORKERS=1 "
            "clusters everything in the run's own process"
        ) from cause


def new_text_signatures(
    items: Iterable[DedupItem], known: Mapping[str, set[int]], settings: Mapping[str, DedupSettings] | None = None
) -> dict[tuple[str, int], np.ndarray]:
    """Signatures of the items' distinct texts that `known` (text keys by kind) does not hold yet."""
    settings = settings or SETTINGS
    todo: dict[tuple[str, int], str] = {}
    for item in items:
        normalised = " ".join(words_of(item.text))
        if normalised and _key(normalised) not in known.get(item.item_kind, ()):
            todo.setdefault((item.item_kind, _key(normalised)), normalised)
    found = {}
    for kind in sorted({kind for kind, _ in todo}):
        keys = [key for key in todo if key[0] == kind]
        hashes = _WordHashes()
        sigs = _signatures((hashes(todo[key].split()) for key in keys), settings[kind])
        found.update(zip(keys, sigs, strict=True))
    return found


def related_texts(
    kind: str,
    new: Mapping[int, np.ndarray],
    known_keys: np.ndarray,
    known_signatures: np.ndarray,
    settings: Mapping[str, DedupSettings] | None = None,
) -> set[int]:
    """The known text keys (with their signatures, one row each) that a new text copies exactly or shares an LSH
    band with: the texts whose clusters an incremental run has to look at again."""
    settings = (settings or SETTINGS)[kind]
    if not new or not len(known_keys):
        return set()
    new_keys = np.fromiter(new, dtype=np.uint64, count=len(new))
    related = set(new_keys[_in(_distinct(known_keys), new_keys)].tolist())
    new_bands = band_keys(np.vstack(list(new.values())), settings)
    old_bands = band_keys(known_signatures, settings)
    hit = np.zeros(len(known_keys), dtype=bool)
    low = np.zeros(_LOW_MASK + 1, dtype=bool)  # which low bits the new keys of a band have: a cheap first filter
    for band in range(settings.bands):
        new_band, old_band = _distinct(new_bands[:, band]), old_bands[:, band]
        low[(new_band & _LOW_MASK).astype(np.intp)] = True
        maybe = np.nonzero(low[(old_band & _LOW_MASK).astype(np.intp)])[0]
        hit[maybe[_in(new_band, old_band[maybe])]] = True  # the exact test, on the few that pass the filter
        low[(new_band & _LOW_MASK).astype(np.intp)] = False
    return related | set(known_keys[hit].tolist())


_LOW_MASK = np.uint64((1 << 20) - 1)


def verified_relatives(
    kind: str,
    new_items: list[DedupItem],
    stored_items: list[DedupItem],
    signatures: Mapping[tuple[str, int], np.ndarray],
    frequency: DocumentFrequency,
    settings: Mapping[str, DedupSettings] | None = None,
) -> set[int]:
    """The text keys of the stored items (those `related_texts` found) that some new item would join: a pair
    that verifies, or one link. Only their clusters need clustering again; a stored page that merely shares a
    band with a new one and is refused (a page of the same template, a story on the same topic) keeps its
    cluster as it is, so a daily run no longer re-verifies whole template families. Pairs as the clustering
    makes them (LSH over these items, strongest first, at most `max_refusals` refusals per new text)."""
    settings_ = (settings or SETTINGS)[kind]
    fresh_ids = {item.item_id for item in new_items}
    items = sorted(new_items + stored_items, key=senior_key)
    prepared = _prepare(kind, items, settings_, PreviousRun({}, signatures))
    units, pairs, feature = prepared.units, prepared.pairs, prepared.feature
    fresh = np.array([any(items[i].item_id in fresh_ids for i in unit) for unit in units.members], dtype=bool)
    pairs = pairs[fresh[pairs[:, 0]] != fresh[pairs[:, 1]]] if len(pairs) else pairs
    links = _unit_links([link_key(item.link) for item in items], units)
    rules = _PairRules(items, units, links, settings_)

    joined: set[int] = set()
    for linked in _single_links(links).values():
        if fresh[linked].any():
            joined.update(u for u in linked if not fresh[u])
    refusals = np.zeros(len(units.members), dtype=np.int32)
    for a, b in _pair_list(pairs):
        new, old = (a, b) if fresh[a] else (b, a)
        if old in joined or refusals[new] >= settings_.max_refusals:
            continue
        if rules.apart(a, b) or rules.other_article(a, b):
            continue
        if verify(feature(a), feature(b), settings_, frequency=frequency)[1] is None:
            refusals[new] += 1
            continue
        joined.add(old)
    return {units.keys[u] for u in joined if units.keys[u] is not None}


def seniority(dated: datetime | None, length: int) -> tuple:
    """The one seniority rule: dated before undated, earlier before later, longer before shorter."""
    return (dated is None, dated or datetime.min, -length)


def senior_key(item: DedupItem) -> tuple:
    """Sort key of items by seniority, the item id breaking ties: the smallest represents its cluster."""
    return (item.seniority, item.item_id)


_UNSEEN = object()


@dataclass
class _Units:
    """Step 1's result: items grouped into units of identical word sequences (an empty text is a unit of its
    own), in seniority order, each with its text key and word hashes; and the `exact text` edges inside units."""

    members: list[list[int]] = field(default_factory=list)  # item indexes per unit, most senior first
    keys: list[int | None] = field(default_factory=list)  # the unit's text key; None for an empty text
    hashes: list[np.ndarray] = field(default_factory=list)  # word hashes, computed once for signature and checks
    edges: list[DedupEdge] = field(default_factory=list)

    def keyed(self) -> list[int]:
        return [u for u, key in enumerate(self.keys) if key is not None]


@dataclass
class _Merges:
    """Steps 4 and 5's result: the union-find forest over units and the edges behind its merges."""

    parent: list[int]
    edges: list[DedupEdge]
    refused_templates: int
    refused_window: int = 0
    refused_links: int = 0

    def root(self, u: int) -> int:
        parent = self.parent
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u


def _cluster_kind(
    kind: str,
    items: list[DedupItem],
    settings: DedupSettings,
    previous: PreviousRun,
    frequency: DocumentFrequency | None,
) -> DedupResult:
    items = sorted(items, key=senior_key)  # seniority order: the first of any group is its representative
    prepared = _prepare(kind, items, settings, previous)  # 1.–3.
    units, sigs, pairs, feature = prepared.units, prepared.sigs, prepared.pairs, prepared.feature
    if frequency is None:
        frequency = DocumentFrequency.of(units.hashes[u] for u in units.keyed())
    item_links = [link_key(item.link) for item in items]
    merges = _merge(kind, items, units, pairs, feature, settings, frequency, _unit_links(item_links, units))
    members = _members(kind, items, units, merges, feature, previous)  # 4. verification and 5. clusters above
    return DedupResult(
        members=members,
        edges=units.edges + merges.edges,
        signatures={(kind, units.keys[u]): sigs[u] for u in units.keyed()},
        hashed=len(prepared.missing),
        candidates=len(pairs),
        refused_templates=merges.refused_templates,
        text_keys={(kind, items[i].item_id): units.keys[u] for u, unit in enumerate(units.members) for i in unit},
        frequency={kind: frequency},
        refused_window=merges.refused_window,
        refused_links=merges.refused_links,
        link_keys={(kind, item.item_id): key for item, key in zip(items, item_links, strict=True) if key},
    )


class _Prepared(NamedTuple):
    units: _Units
    sigs: np.ndarray
    missing: list[int]  # the units whose signatures had to be computed
    pairs: np.ndarray  # LSH candidate pairs of units, strongest first
    feature: Callable[[int], _Features]  # a unit's verification features, made once when first asked for


def _prepare(kind: str, items: list[DedupItem], settings: DedupSettings, previous: PreviousRun) -> _Prepared:
    """Steps 1–3 on items in seniority order: units of exact copies, their signatures (the previous run's where
    it has them), the candidate pairs strongest first by the signatures' estimate of their similarity."""
    hashes = _WordHashes()
    units = _exact_units(kind, items, hashes)
    sigs, missing = _unit_signatures(kind, units, settings, previous)
    empty = np.ones(len(units.members), dtype=bool)
    empty[units.keyed()] = False
    pairs = _by_estimate(candidate_pairs(band_keys(sigs, settings), empty, settings.bucket_cap), sigs)
    features: dict[int, _Features] = {}

    def feature(u: int) -> _Features:
        if u not in features:
            features[u] = _Features(items[units.members[u][0]].text, units.hashes[u], hashes, settings)
        return features[u]

    return _Prepared(units, sigs, missing, pairs, feature)


def _exact_units(kind: str, items: list[DedupItem], hashes: _WordHashes) -> _Units:
    """One unit per distinct non-empty word sequence, so an exact copy (a teaser on many pages) is hashed and
    compared once; each copy joins its unit's most senior item by an `exact text` edge."""
    units = _Units()
    unit_of_key: dict[int, int] = {}
    key_of_text: dict[str, object] = {}  # the same raw text is normalised once
    words: list[str] = []
    for index, item in enumerate(items):
        key = key_of_text.get(item.text, _UNSEEN)
        if key is _UNSEEN:  # (a key may be any 64-bit value, 0 too: only the sentinel means "not computed")
            words = words_of(item.text)
            key = key_of_text[item.text] = _key(" ".join(words)) if words else None
        if key is None or key not in unit_of_key:  # a new unit: its raw text was new, so `words` are its words
            if key is not None:
                unit_of_key[key] = len(units.members)
            units.members.append([index])
            units.keys.append(key)
            units.hashes.append(hashes(words) if key is not None else np.empty(0, dtype=np.uint32))
        else:
            units.members[unit_of_key[key]].append(index)
    units.edges = [
        DedupEdge(kind, items[unit[0]].item_id, items[i].item_id, 1.0, "exact text")
        for unit in units.members
        for i in unit[1:]
    ]
    return units


def _unit_signatures(
    kind: str, units: _Units, settings: DedupSettings, previous: PreviousRun
) -> tuple[np.ndarray, list[int]]:
    """Each unit's MinHash (all-max for an empty text), taken from the previous run where it has one; and the
    units that had to be hashed."""
    sigs = np.full((len(units.members), settings.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    keyed = units.keyed()
    missing = [u for u in keyed if (kind, units.keys[u]) not in previous.signatures]
    for u in keyed:
        if (kind, units.keys[u]) in previous.signatures:
            sigs[u] = previous.signatures[(kind, units.keys[u])]
    if missing:
        sigs[missing] = _signatures((units.hashes[u] for u in missing), settings)
    return sigs, missing


def _merge(
    kind: str,
    items: list[DedupItem],
    units: _Units,
    pairs,
    feature,
    settings: DedupSettings,
    frequency: DocumentFrequency,
    links: list[frozenset[str]],
) -> _Merges:
    """Verify candidate pairs strongest first. A pair already in one cluster needs no verification; two clusters
    merge only when the pair verifies and their representatives verify too (loosely): no chaining. With a time
    window, units first dated further apart than it are never verified (an undated unit is near every date)."""
    merges = _Merges(parent=list(range(len(units.members))), edges=[], refused_templates=0)
    refusals = np.zeros(len(units.members), dtype=np.int32)
    rules = _PairRules(items, units, links, settings)
    apart, other_article = rules.apart, rules.other_article

    _merge_links(kind, items, units, links, feature, merges)  # 4a. one link, one story

    # 4b. texts verified pair by pair
    for a, b in _pair_list(pairs):
        ra, rb = merges.root(a), merges.root(b)
        if ra == rb or max(refusals[a], refusals[b]) >= settings.max_refusals:
            continue
        if apart(a, b):
            merges.refused_window += 1
            continue
        if other_article(a, b) or other_article(ra, rb):
            merges.refused_links += 1
            continue
        similarity, reason, content = verify(feature(a), feature(b), settings, frequency=frequency)
        if reason is None:
            refusals[a] += 1
            refusals[b] += 1
            merges.refused_templates += similarity >= settings.jaccard
            continue
        if (ra, rb) != (a, b) and (
            apart(ra, rb) or verify(feature(ra), feature(rb), settings, loose=True, frequency=frequency)[1] is None
        ):
            continue
        merges.parent[max(ra, rb)] = min(ra, rb)  # units are in seniority order: a root is its cluster's most senior
        merges.edges.append(_edge(kind, items, units, a, b, similarity, reason, content))
    return merges


def _pair_list(pairs: np.ndarray, chunk: int = 65_536) -> Iterable[list[int]]:
    """The pairs as Python ints, a chunk at a time: a million pairs as one list of lists would take 130 MB."""
    for start in range(0, len(pairs), chunk):
        yield from pairs[start : start + chunk].tolist()


class _PairRules:
    """What refuses a pair of units before their words are compared: first seen further apart than the window
    (an undated unit is near every date; with `late_captures`, a unit dated only by captures is near every
    publication before them), or linking to different articles."""

    def __init__(self, items: list[DedupItem], units: _Units, links: list[frozenset[str]], settings: DedupSettings):
        self.window, self.links = settings.pair_window_days, links
        self.first = _first_days(items, units) if self.window else None
        self.open = (
            np.array([all(items[i].captured_only for i in unit) for unit in units.members], dtype=bool)
            if self.window and settings.late_captures
            else None
        )

    def apart(self, a: int, b: int) -> bool:
        if self.first is None:
            return False
        if self.open is not None and self.open[a] != self.open[b]:
            captured, published = (a, b) if self.open[a] else (b, a)
            return self.first[published] - self.first[captured] > self.window  # published after that capture
        return abs(self.first[a] - self.first[b]) > self.window

    def other_article(self, a: int, b: int) -> bool:
        """Both link, and not to one article: different stories, however alike the words (a story and its video)."""
        links = self.links
        return bool(links[a]) and bool(links[b]) and (links[a] != links[b] or len(links[a]) > 1)


def _single_links(links: list[frozenset[str]]) -> dict[str, list[int]]:
    """The units that link to exactly one article, by that article (a unit linking to several anchors nothing)."""
    by_link: dict[str, list[int]] = defaultdict(list)
    for u, keys in enumerate(links):
        if len(keys) == 1:
            by_link[next(iter(keys))].append(u)
    return by_link


def _merge_links(kind: str, items: list[DedupItem], units: _Units, links, feature, merges: _Merges) -> None:
    """Every text that links to one article joins its most senior text. A text that links to several articles
    (a daily format reusing its title) is no evidence of which story it is."""
    by_link = _single_links(links)
    for key in sorted(by_link):
        first_unit, *rest = by_link[key]
        for u in rest:
            ra, rb = merges.root(first_unit), merges.root(u)
            if ra != rb:
                merges.parent[max(ra, rb)] = min(ra, rb)
                similarity = _overlap(feature(first_unit), feature(u))[0]
                merges.edges.append(_edge(kind, items, units, first_unit, u, similarity, "same link", None))


def _edge(kind, items, units: _Units, a: int, b: int, similarity: float, reason: str, content) -> DedupEdge:
    first, second = items[units.members[a][0]].item_id, items[units.members[b][0]].item_id
    return DedupEdge(kind, first, second, round(similarity, 6), reason, None if content is None else round(content, 6))


def _unit_links(item_links: list[str | None], units: _Units) -> list[frozenset[str]]:
    """The `link_key`s of each unit's items (empty for texts without links)."""
    return [frozenset(key for i in unit if (key := item_links[i])) for unit in units.members]


def _first_days(items: list[DedupItem], units: _Units) -> np.ndarray:
    """Each unit's first date in days (its most senior item's), NaN when undated: a text's first appearance
    dates it, so a daily format that repeats one title for months is not near every day's new text."""
    first = np.full(len(units.members), np.nan)
    for u, unit in enumerate(units.members):
        day = _days(items[unit[0]])
        if day is not None:
            first[u] = day
    return first


def _days(item: DedupItem) -> float | None:
    s = item.seniority
    if len(s) < 2 or s[0] or not isinstance(s[1], datetime):
        return None
    return s[1].timestamp() / 86400 if s[1].tzinfo else (s[1] - datetime(1970, 1, 1)).total_seconds() / 86400


def _members(
    kind: str, items: list[DedupItem], units: _Units, merges: _Merges, feature, previous: PreviousRun
) -> list[ClusterMember]:
    """Every item as a member of its cluster: the cluster's id, whether it represents it, its similarity to the
    representative and the cluster's size."""
    clusters: dict[int, list[int]] = defaultdict(list)  # root unit → item indexes
    unit_of_item: dict[int, int] = {}
    for u, unit in enumerate(units.members):
        clusters[merges.root(u)].extend(unit)
        unit_of_item.update(dict.fromkeys(unit, u))
    ids = _cluster_ids(kind, items, clusters, previous)
    members = []
    for r, indexes in clusters.items():
        indexes.sort()
        representative = indexes[0]
        similarity_of_unit = {r: 1.0}  # the representative's unit: its exact copies are at 1.0 too
        for i in indexes:
            u = unit_of_item[i]
            if u not in similarity_of_unit:
                similarity_of_unit[u] = round(_overlap(feature(r), feature(u))[0], 6)
            member = ClusterMember(ids[r], kind, items[i].item_id, i == representative, similarity_of_unit[u], 0)
            members.append(member)
        for member in members[-len(indexes) :]:
            member.cluster_size = len(indexes)
    members.sort(key=lambda m: (m.cluster_id, m.item_id))
    return members


def _cluster_ids(
    kind: str, items: list[DedupItem], clusters: Mapping[int, list[int]], previous: PreviousRun
) -> dict[int, str]:
    """Each cluster keeps the earlier id of its oldest earlier cluster; new clusters are named by their
    representative. Items are in seniority order, so an index's smallness is its seniority."""
    claims = []  # (seniority of the earlier cluster = its most senior member now, earlier id, cluster root)
    for r, indexes in clusters.items():
        for i in indexes:
            earlier = previous.cluster_ids.get((kind, items[i].item_id))
            if earlier is not None:
                claims.append((i, earlier, r))
    ids: dict[int, str] = {}
    taken: set[str] = set()
    oldest: dict[str, int] = {}
    for i, earlier, _ in claims:
        oldest[earlier] = min(oldest.get(earlier, i), i)
    for _, earlier, r in sorted(claims, key=lambda c: (oldest[c[1]], c[1], c[2])):
        if r not in ids and earlier not in taken:
            ids[r] = earlier
            taken.add(earlier)
    for r, indexes in sorted(clusters.items(), key=lambda c: min(c[1])):
        if r not in ids:
            candidate = stable_id("cluster", kind, items[min(indexes)].item_id)
            salt = 0
            while candidate in taken:
                salt += 1
                candidate = stable_id("cluster", kind, items[min(indexes)].item_id, salt)
            ids[r] = candidate
            taken.add(candidate)
    return ids
