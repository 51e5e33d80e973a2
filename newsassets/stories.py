"""Articles, teasers and their clusters → stories: which story ran where, who had it first, and how long and how
prominently fronts and rails promoted it.

1. **Teaser links.** Each teaser is linked to the article it promotes, when that article is in the tables: by its
   link first (`newsassets.dedup.link_key` of the teaser's url equals that of the article's url: scheme, `www.`,
   query, fragment and slug edits aside), else by its words: the share of the teaser's words (headline and
   text) found in the article's title and lede reaches `TEXT_LINK_MIN_SCORE`, the teaser has at least
   `TEXT_LINK_MIN_WORDS` words and was seen within `TEXT_LINK_WINDOW` of the article's date. A teaser in the
   seeds is its article's title and dateline paragraph; a rail or front card is its headline and standfirst.
   Every link records how it was made (`url` or `text`) and its score.
2. **Stories.** A story is an article cluster (`dedup_clusters`) with the teaser clusters whose teasers link to
   its articles (each teaser cluster goes whole to the article cluster most of its linked teasers point to), or
   a teaser cluster that links to no article (a teaser-only story). Every article and every teaser is in exactly
   one story.
3. **Ids.** A story keeps the id its members' earlier story had (the oldest one when stories merge), the way
   cluster ids do; a new story is named by its representative item.

The story's facts: its earliest article (else its earliest teaser) gives the first publication and the site that
had it first, the first of them that has one its title and lede; the sightings of its teasers on fronts give first and last seen and
the best position; its timeline lists every article and sighting in time order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsassets.dedup import link_key, words_of
from newsassets.ids import stable_id
from newsassets.pages import FRONT

TEXT_LINK_MIN_SCORE = 0.8
TEXT_LINK_MIN_WORDS = 5
TEXT_LINK_WINDOW = timedelta(days=7)
# A word in more articles' titles and ledes within a teaser's window than this is no clue which article it promotes.
_COMMON_WORD_ARTICLES = 200
_TEXT_CANDIDATES = 20  # the articles sharing most words with a teaser, of which the best-scoring is taken


@dataclass(frozen=True, slots=True)
class StoryArticle:
    article_id: str
    doc_id: str
    cluster_id: str
    title: str | None
    lede: str | None
    url: str | None
    site: str | None
    dated: datetime | None  # published_at, else the page's capture time
    page: str | None = None  # the page's url, else its path under the raw folder


@dataclass(frozen=True, slots=True)
class StoryTeaser:
    teaser_id: str
    doc_id: str
    cluster_id: str
    title: str | None
    text: str | None
    url: str | None
    site: str | None  # the site of the page it was seen on
    seen_at: datetime | None  # the capture time of that page
    published_at: datetime | None
    position: int | None
    page_kind: str | None
    page: str | None = None

    @property
    def dated(self) -> datetime | None:
        """When the teaser says its story appeared, else when it was seen."""
        return self.published_at or self.seen_at


@dataclass(frozen=True, slots=True)
class TeaserLink:
    teaser_id: str
    article_id: str
    method: str  # 'url' or 'text'
    score: float  # 1.0 for a link; the share of the teaser's words in the article's title and lede for text


@dataclass
class Story:
    story_id: str
    title: str | None
    lede: str | None
    first_published_at: datetime | None
    first_site: str | None
    sites: list[str]
    n_articles: int
    n_teaser_sightings: int
    first_seen_on_front: datetime | None
    last_seen_on_front: datetime | None
    best_position: int | None
    timeline: list[dict]
    members: list[tuple[str, str]] = field(default_factory=list)  # (item_kind, item_id)

    @property
    def n_sites(self) -> int:
        return len(self.sites)


def link_teasers(articles: list[StoryArticle], teasers: Iterable[StoryTeaser]) -> list[TeaserLink]:
    """Each teaser's link to the article it promotes, where one is in `articles`; see the module docstring.

    A teaser's text link depends only on the articles within `TEXT_LINK_WINDOW` of it (and undated ones), so
    linking a day's teasers needs only the articles of the days around it, whatever the archive holds."""
    by_key: dict[str, StoryArticle] = {}
    for article in sorted(articles, key=_article_seniority):
        if key := link_key(article.url):
            by_key.setdefault(key, article)
    index: _WordIndex | None = None
    links = []
    for teaser in teasers:
        if (key := link_key(teaser.url)) and key in by_key:
            links.append(TeaserLink(teaser.teaser_id, by_key[key].article_id, "url", 1.0))
            continue
        index = index or _WordIndex(articles)  # built only once a teaser needs it
        if found := _text_link(teaser, articles, index):
            links.append(found)
    return links


class _WordIndex:
    """The words of each article's title and lede, and for each word the articles that have it in date order."""

    def __init__(self, articles: list[StoryArticle]) -> None:
        self.words = [frozenset(words_of(f"{a.title or ''} {a.lede or ''}")) for a in articles]
        self.dated: dict[str, list[int]] = defaultdict(list)
        self.dates: dict[str, list[datetime]] = defaultdict(list)
        self.undated: dict[str, list[int]] = defaultdict(list)
        for i in sorted(range(len(articles)), key=lambda i: _article_seniority(articles[i])):
            moment = articles[i].dated
            for word in self.words[i]:
                if moment is None:
                    self.undated[word].append(i)
                else:
                    self.dated[word].append(i)
                    self.dates[word].append(moment)

    def near(self, word: str, moment: datetime | None) -> list[int]:
        """The articles with `word` within the window of `moment` (all of them for an undated teaser)."""
        postings = self.dated.get(word, [])
        if moment is not None and postings:
            dates = self.dates[word]
            postings = postings[
                bisect_left(dates, moment - TEXT_LINK_WINDOW) : bisect_right(dates, moment + TEXT_LINK_WINDOW)
            ]
        return postings + self.undated.get(word, [])


def _text_link(teaser: StoryTeaser, articles: list[StoryArticle], index: _WordIndex) -> TeaserLink | None:
    teaser_words = frozenset(words_of(f"{teaser.title or ''} {teaser.text or ''}"))
    if len(teaser_words) < TEXT_LINK_MIN_WORDS:
        return None
    hits: Counter[int] = Counter()
    for word in teaser_words:
        near = index.near(word, teaser.dated)
        if len(near) <= _COMMON_WORD_ARTICLES:  # common within the window: no clue which article it is
            hits.update(near)
    ranked = sorted(hits, key=lambda i: (-hits[i], _article_seniority(articles[i])))[:_TEXT_CANDIDATES]
    best = None  # (-score, the article's seniority, its index): the highest score, then the earliest article
    for i in ranked:
        score = len(teaser_words & index.words[i]) / len(teaser_words)
        if score >= TEXT_LINK_MIN_SCORE:
            candidate = (-score, _article_seniority(articles[i]), i)
            best = candidate if best is None else min(best, candidate)
    if best is None:
        return None
    return TeaserLink(teaser.teaser_id, articles[best[2]].article_id, "text", round(-best[0], 4))


def _within_window(seen: datetime | None, published: datetime | None) -> bool:
    """Undated sides never rule a link out: a text dump may carry no time at all."""
    return seen is None or published is None or abs(seen - published) <= TEXT_LINK_WINDOW


def build_stories(
    articles: list[StoryArticle],
    teasers: list[StoryTeaser],
    links: Iterable[TeaserLink],
    previous: Mapping[tuple[str, str], str] | None = None,
    reserved: Iterable[str] = (),
) -> list[Story]:
    """Every article and teaser in exactly one story, stories keeping their `previous` ids ((item_kind, item_id)
    → story_id of the last run) the way clusters do; in order of their first member. A new story never takes
    a `reserved` id (the ids of stories this call leaves as they are)."""
    article_of = {link.teaser_id: link.article_id for link in links}
    cluster_of_article = {a.article_id: a.cluster_id for a in articles}
    groups: dict[tuple[str, str], tuple[list[StoryArticle], list[StoryTeaser]]] = {}
    for article in articles:
        groups.setdefault(("article", article.cluster_id), ([], []))[0].append(article)
    teaser_clusters: dict[str, list[StoryTeaser]] = defaultdict(list)
    for teaser in teasers:
        teaser_clusters[teaser.cluster_id].append(teaser)
    for cluster_id, members in teaser_clusters.items():
        votes = Counter(
            cluster_of_article[article_of[t.teaser_id]]
            for t in members
            if article_of.get(t.teaser_id) in cluster_of_article
        )
        if votes:
            top = max(votes.values())
            target = min(
                (c for c, n in votes.items() if n == top),
                key=lambda c: _article_seniority(min(groups["article", c][0], key=_article_seniority)),
            )
            groups["article", target][1].extend(members)
        else:
            groups["teaser", cluster_id] = ([], members)
    stories = [_story(group_articles, group_teasers) for group_articles, group_teasers in groups.values()]
    stories.sort(key=lambda s: (s.first_published_at is None, s.first_published_at or datetime.min, s.members[0]))
    _name(stories, previous or {}, set(reserved))
    return stories


def _story(articles: list[StoryArticle], teasers: list[StoryTeaser]) -> Story:
    articles = sorted(articles, key=_article_seniority)
    teasers = sorted(teasers, key=_teaser_seniority)
    if articles:  # the first member dates the story; the first that has one gives its title and lede
        first_at, first_site = articles[0].dated, articles[0].site
        title = next((a.title for a in articles if a.title), None)
        lede = next((a.lede for a in articles if a.lede), None)
    else:
        first_at, first_site = teasers[0].dated, teasers[0].site
        title = next((t.title for t in teasers if t.title), None)
        lede = next((t.text for t in teasers if t.text), None)
    on_fronts = [t.seen_at for t in teasers if t.page_kind == FRONT and t.seen_at is not None]
    positions = [t.position for t in teasers if t.position is not None]
    timeline = [
        {"time": a.dated, "site": a.site, "kind": "article", "position": None, "page": a.page, "doc_id": a.doc_id}
        for a in articles
    ] + [
        {"time": t.seen_at or t.published_at, "site": t.site, "kind": "teaser", "position": t.position,
         "page": t.page, "doc_id": t.doc_id}
        for t in teasers
    ]  # fmt: skip
    timeline.sort(
        key=lambda e: (e["time"] is None, e["time"] or datetime.min, e["kind"], e["doc_id"], e["position"] or 0)
    )
    return Story(
        story_id="",
        title=title,
        lede=lede,
        first_published_at=first_at,
        first_site=first_site,
        sites=sorted({m.site for m in (*articles, *teasers) if m.site}),
        n_articles=len(articles),
        n_teaser_sightings=len(teasers),
        first_seen_on_front=min(on_fronts, default=None),
        last_seen_on_front=max(on_fronts, default=None),
        best_position=min(positions, default=None),
        timeline=timeline,
        members=[("article", a.article_id) for a in articles] + [("teaser", t.teaser_id) for t in teasers],
    )


def _name(stories: list[Story], previous: Mapping[tuple[str, str], str], reserved: set[str]) -> None:
    """Each story keeps the earlier id of its oldest earlier story (stories are in order of their first member);
    a new one is named by its first member."""
    taken: set[str] = set(reserved)
    claims = []  # (story's place, earlier id)
    for place, story in enumerate(stories):
        for member in story.members:
            if (earlier := previous.get(member)) is not None:
                claims.append((place, earlier))
    first_claim: dict[str, int] = {}
    for place, earlier in claims:
        first_claim[earlier] = min(first_claim.get(earlier, place), place)
    for place, earlier in sorted(set(claims), key=lambda c: (first_claim[c[1]], c[1], c[0])):
        if not stories[place].story_id and earlier not in taken:
            stories[place].story_id = earlier
            taken.add(earlier)
    for story in stories:
        if not story.story_id:
            candidate, salt = stable_id("story", *story.members[0]), 0
            while candidate in taken:
                salt += 1
                candidate = stable_id("story", *story.members[0], salt)
            story.story_id = candidate
            taken.add(candidate)


def _article_seniority(article: StoryArticle) -> tuple:
    return (article.dated is None, article.dated or datetime.min, article.article_id)


def _teaser_seniority(teaser: StoryTeaser) -> tuple:
    return (teaser.dated is None, teaser.dated or datetime.min, teaser.teaser_id)
