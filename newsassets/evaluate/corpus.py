"""A labelled dedup corpus: raw pages whose true article and teaser clusters are known.

`python -m newsassets.evaluate.corpus DIR [--sources N] [--seed S]` writes `DIR/pages/*.txt` (text dumps in the
seeds' layout: title, dateline paragraph, body, site chrome, a `Meer uit …` rail of teasers) and `DIR/truth.json`:

- `articles`: page file → true cluster; `teasers`: `page#position` → true cluster;
- `templates`: page file → template family, for pages machine-written from one template.

The source text is real: the article bodies of the five seeds and the `articleBody` texts of the extraction
benchmark (`../shared/extraction/zyte/ground-truth.json`, read at generation time, never copied into the
project). What each story becomes (the hard cases of issue 4):

- the original page and 0–3 syndicated rewrites (another outlet): new headline, words dropped and replaced,
  clauses swapped, paragraphs reordered, the ending trimmed, an extra background paragraph; different chrome;
- a print/web copy now and then: the same text with a trimmed ending;
- a follow-up on the same subject (same names, other sentences): a different story;
- template families (election results per town, match reports, weather, stock updates): one page per town,
  team or company, 80–90% shared words, every page its own story;
- teasers: a pool of items whose exact text repeats on many pages, copies with small edits (a word changed,
  the second sentence cut, punctuation), and template teasers (results per town) that must stay apart.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from newsassets.cleaning import clean_text_page
from newsassets.reading import decode_text
from newsassets.settings import PROJECT_ROOT

GROUND_TRUTH = PROJECT_ROOT.parent / "shared" / "extraction" / "zyte" / "ground-truth.json"
SEED_DIR = PROJECT_ROOT / "data" / "raw"

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"'])")

TOWNS = [
    "Amsterdam",
    "Rotterdam",
    "Utrecht",
    "Zwolle",
    "Groningen",
    "Leeuwarden",
    "Assen",
    "Arnhem",
    "Nijmegen",
    "Enschede",
    "Deventer",
    "Apeldoorn",
    "Haarlem",
    "Leiden",
    "Delft",
    "Gouda",
    "Dordrecht",
    "Breda",
    "Tilburg",
    "Eindhoven",
    "Helmond",
    "Venlo",
    "Roermond",
    "Maastricht",
    "Heerlen",
    "Sittard",
    "Middelburg",
    "Vlissingen",
    "Goes",
    "Almere",
    "Lelystad",
    "Hilversum",
    "Amersfoort",
    "Zeist",
    "Alkmaar",
    "Hoorn",
    "Den_Helder",
    "Purmerend",
    "Zaanstad",
    "Emmen",
    "Hoogeveen",
    "Meppel",
    "Kampen",
    "Harderwijk",
    "Ede",
    "Wageningen",
    "Tiel",
    "Oss",
    "Uden",
    "Veghel",
    "Boxtel",
    "Weert",
]
TEAMS = [
    "Ajax",
    "Feyenoord",
    "PSV",
    "AZ",
    "Twente",
    "Utrecht",
    "Vitesse",
    "Heerenveen",
    "Groningen",
    "Sparta",
    "Heracles",
    "NEC",
    "Go_Ahead_Eagles",
    "Fortuna_Sittard",
    "PEC_Zwolle",
    "Willem_II",
    "RKC",
    "Excelsior",
    "NAC",
    "Almere_City",
]
COMPANIES = [
    "ASML",
    "Philips",
    "Shell",
    "Unilever",
    "Heineken",
    "Ahold",
    "ING",
    "ABN_AMRO",
    "KPN",
    "Wolters_Kluwer",
    "Randstad",
    "Adyen",
    "Prosus",
    "Aegon",
    "NN",
]
PARTIES = ["VVD", "PVV", "GroenLinks", "PvdA", "CDA", "D66", "SP", "ChristenUnie", "BBB", "Volt"]
SITES = ["AD", "Parool", "Trouw", "Volkskrant", "NRC", "Telegraaf", "NU", "RTL", "NOS", "Omroep"]
CHROME = [
    "Kies je webmail",
    "Inloggen",
    "Deel dit artikel",
    "Advertentie",
    "Lees verder na de advertentie",
    "Wij gebruiken cookies om de site te verbeteren",
    "Download de app van {site}",
    "Word abonnee van {site}",
]
DATELINES = ["DEN HAAG", "AMSTERDAM", "BRUSSEL", "WASHINGTON", "LONDEN", "PARIJS", "BERLIJN", "MOSKOU", "KYIV"]
AGENCIES = ["ANP", "ANP/AFP", "ANP/RTR", "ANP/DPA", "ANP/AP"]
AGES = ["7 minuten geleden", "1 uur geleden", "3 uur geleden", "8 uur geleden", "11 uur geleden"]


@dataclass
class Page:
    name: str
    title: str
    paragraphs: list[str]
    article_cluster: str
    template: str | None = None
    teasers: list[tuple[str, str, str]] = field(default_factory=list)  # (cluster, title, text)


def load_sources(ground_truth: Path = GROUND_TRUTH, seed_dir: Path = SEED_DIR, min_words: int = 150) -> list[list[str]]:
    """Real article bodies as lists of paragraphs: the seeds' (000 and 001 are one story: 000 only) and the
    extraction benchmark's, when that file is there."""
    sources = []
    for path in sorted(seed_dir.glob("*.txt")):
        if path.name.startswith("001"):
            continue
        body = clean_text_page(decode_text(path.read_bytes())).body
        sources.append([p for p in body.split("\n\n") if p.strip()])
    if ground_truth.exists():
        for entry in json.loads(ground_truth.read_text(encoding="utf-8")).values():
            paragraphs = [" ".join(p.split()) for p in entry.get("articleBody", "").split("\n") if len(p.split()) >= 8]
            if sum(len(p.split()) for p in paragraphs) >= min_words:
                sources.append(paragraphs[:14])
    return sources


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.split(paragraph) if s]


def reword(sentence: str, rng: random.Random, vocabulary: list[str], strength: float) -> str:
    """An editor's rewrite of one sentence: words dropped or replaced, the clauses around a comma swapped."""
    if "," in sentence and rng.random() < strength:
        head, _, tail = sentence.partition(",")
        tail = tail.strip().rstrip(".!?")
        if tail:
            sentence = f"{tail[0].upper()}{tail[1:]}, {head[0].lower()}{head[1:].rstrip('.!?')}."
    words = sentence.split()
    out = []
    for word in words:
        roll = rng.random()
        if roll < strength * 0.25 and len(words) > 6:
            continue  # dropped
        if roll < strength * 0.5:
            out.append(rng.choice(vocabulary))  # another word
        else:
            out.append(word)
    return " ".join(out)


def rewrite(paragraphs: list[str], rng: random.Random, vocabulary: list[str], extra: str) -> list[str]:
    """Another outlet's version: reworded sentences, a paragraph pair swapped, the ending trimmed, a paragraph added."""
    strength = rng.uniform(0.15, 0.35)
    out = [" ".join(reword(s, rng, vocabulary, strength) for s in sentences(p)) for p in paragraphs]
    if len(out) > 3 and rng.random() < 0.6:
        i = rng.randrange(1, len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    if len(out) > 4 and rng.random() < 0.5:
        out = out[: len(out) - rng.randint(1, max(1, len(out) // 4))]
    if rng.random() < 0.4:
        out.insert(rng.randint(1, len(out)), extra)
    return out


def _slot(name: str) -> str:
    return name.replace("_", " ")


def template_family(kind: str, rng: random.Random, count: int) -> list[tuple[str, list[str]]]:
    """`count` machine-written pages from one template: (title, paragraphs), each a different story."""
    pages = []
    if kind == "election":
        for town in rng.sample(TOWNS, count):
            t = _slot(town)
            a, b, c = rng.sample(PARTIES, 3)
            seats = rng.sample(range(2, 15), 3)
            turnout = rng.randint(38, 71)
            pages.append(
                (
                    f"Uitslag gemeenteraadsverkiezingen {t}: {a} de grootste",
                    [
                        f"In {t} is {a} bij de gemeenteraadsverkiezingen de grootste partij geworden met {seats[0]} zetels. "
                        f"Dat blijkt uit de voorlopige uitslag die de gemeente {t} woensdagavond bekendmaakte.",
                        f"{b} wordt de tweede partij met {seats[1]} zetels, {c} volgt met {seats[2]} zetels. "
                        f"De opkomst in {t} was {turnout} procent, tegen {turnout - rng.randint(1, 6)} procent vier jaar geleden.",
                        f"De definitieve uitslag wordt vrijdag vastgesteld door het centraal stembureau van {t}. "
                        "Daarna begint de formatie van een nieuw college van burgemeester en wethouders.",
                        f"Lijsttrekker van {a} in {t} noemde de uitslag een duidelijk signaal van de kiezer. "
                        "Hij wil op korte termijn met alle partijen in gesprek over een coalitie.",
                    ],
                )
            )
    elif kind == "match":
        teams = rng.sample(TEAMS, count + 1)
        for home, away in itertools.pairwise(teams):
            h, a = _slot(home), _slot(away)
            g1, g2 = rng.randint(0, 4), rng.randint(0, 4)
            minute = rng.randint(10, 88)
            spectators = rng.randint(8, 52) * 1000
            pages.append(
                (
                    f"{h} en {a} spelen {g1}-{g2} in de eredivisie",
                    [
                        f"{h} heeft zondag in de eredivisie met {g1}-{g2} gespeeld tegen {a}. "
                        f"Het eerste doelpunt viel in de {minute}e minuut.",
                        f"Voor {spectators} toeschouwers had {h} in de eerste helft het meeste balbezit. "
                        f"Na rust kwam {a} beter in het spel en kreeg het meerdere kansen.",
                        f"Door het resultaat staat {h} nu op de {rng.randint(1, 18)}e plaats in de eredivisie. "
                        f"{a} bezet de {rng.randint(1, 18)}e plaats met {rng.randint(5, 60)} punten.",
                        f"De trainer van {h} was na afloop tevreden over de inzet van zijn ploeg. "
                        "Volgende week speelt de ploeg opnieuw een competitiewedstrijd.",
                    ],
                )
            )
    elif kind == "weather":
        for town in rng.sample(TOWNS, count):
            t = _slot(town)
            low, high = rng.randint(-5, 8), rng.randint(9, 24)
            wind = rng.randint(2, 7)
            rain = rng.randint(0, 90)
            pages.append(
                (
                    f"Het weer in {t}: maximaal {high} graden",
                    [
                        f"In {t} wordt het morgen maximaal {high} graden. Vannacht daalt de temperatuur naar {low} graden.",
                        f"De wind komt uit het zuidwesten en is kracht {wind}. "
                        f"De kans op regen in {t} is {rain} procent.",
                        f"Later in de week wordt het in de regio rond {t} wisselvallig. "
                        f"Dan ligt de middagtemperatuur rond {high - rng.randint(1, 4)} graden.",
                    ],
                )
            )
    else:  # stock
        for company in rng.sample(COMPANIES, count):
            c = _slot(company)
            move = rng.choice(["hoger", "lager"])
            pct = f"{rng.randint(0, 6)},{rng.randint(0, 9)}"
            price = f"{rng.randint(5, 900)},{rng.randint(10, 99)}"
            pages.append(
                (
                    f"Aandeel {c} sluit {move}",
                    [
                        f"Het aandeel {c} is dinsdag op het Damrak {pct} procent {move} gesloten op {price} euro. "
                        f"De AEX-index eindigde de handelsdag {rng.choice(['hoger', 'lager'])}.",
                        f"Beleggers reageerden op berichten over {c}. Analisten wijzen op de verwachtingen "
                        "voor de komende kwartaalcijfers en de rente in de eurozone.",
                        f"Sinds het begin van het jaar is {c} {rng.randint(1, 40)} procent in waarde veranderd. "
                        f"Er gingen {rng.randint(1, 30)} miljoen aandelen {c} van hand tot hand.",
                    ],
                )
            )
    return pages


def generate(
    out_dir: Path, sources: list[list[str]] | None = None, seed: int = 7, max_sources: int | None = None
) -> dict:
    """Write the corpus into `out_dir` and return its truth."""
    rng = random.Random(seed)
    sources = load_sources() if sources is None else sources
    if max_sources:
        sources = sources[:max_sources]
    vocabulary = sorted({w for s in sources for p in s for w in p.split() if w.isalpha() and w.islower()})
    all_sentences = [s for src in sources for p in src for s in sentences(p) if len(s.split()) >= 6]
    pages: list[Page] = []

    for index, paragraphs in enumerate(sources):
        story = f"story{index:04d}"
        title = " ".join(paragraphs[0].split()[:8]).rstrip(",.")
        pages.append(Page(f"{story}-orig", title, list(paragraphs), story))
        for copy in range(rng.choice([0, 1, 1, 2, 2, 3])):
            extra = " ".join(rng.sample(all_sentences, 2))
            new_title = " ".join(reword(title, rng, vocabulary, 0.5).split()[:9])
            pages.append(Page(f"{story}-rw{copy}", new_title, rewrite(paragraphs, rng, vocabulary, extra), story))
        if len(paragraphs) > 5 and rng.random() < 0.25:  # print and web: the same text, the ending trimmed
            pages.append(Page(f"{story}-print", title, paragraphs[: max(3, len(paragraphs) - 2)], story))
        if rng.random() < 0.3:  # a follow-up on the same subject: its names, other sentences
            names = [w for p in paragraphs for w in p.split() if w[:1].isupper()][:12]
            follow = []
            for _ in range(max(3, len(paragraphs) // 2)):
                picked = rng.sample(all_sentences, 3)
                follow.append(" ".join(f"{s} {rng.choice(names) if names else ''}".strip() for s in picked))
            pages.append(Page(f"{story}-followup", f"Nieuw: {title}", follow, f"{story}-followup"))

    families = ["election", "match", "weather", "stock"]
    for f_index in range(max(4, len(sources) // 12)):
        kind = families[f_index % len(families)]
        count = rng.randint(5, 12)
        for p_index, (title, paragraphs) in enumerate(template_family(kind, rng, count)):
            name = f"tpl{f_index:03d}-{kind}-{p_index:02d}"
            pages.append(Page(name, title, paragraphs, name, template=f"tpl{f_index:03d}-{kind}"))

    _add_teasers(pages, sources, rng, vocabulary)
    return _write(out_dir, pages, rng)


def _add_teasers(pages: list[Page], sources: list[list[str]], rng: random.Random, vocabulary: list[str]) -> None:
    pool: list[tuple[str, str, str]] = []  # (cluster, title, text)
    for index, paragraphs in enumerate(sources):
        lead = sentences(paragraphs[0])
        text = " ".join(lead[:2]) if len(" ".join(lead[:2]).split()) <= 70 else lead[0]
        if len(text.split()) < 12:
            continue
        cluster = f"teaser{index:04d}"
        title = " ".join(paragraphs[0].split()[:7])
        prefix = f"{rng.choice(DATELINES)} ({rng.choice(AGENCIES)}) - "  # a copy keeps its dateline
        pool.append((cluster, title, prefix + text))
        for variant in range(rng.choice([0, 0, 1, 2])):
            roll = rng.random()
            if roll < 0.4:  # one word changed
                words = text.split()
                i = rng.randrange(len(words))
                words[i] = rng.choice(vocabulary)
                edited = " ".join(words)
            elif roll < 0.7 and len(lead) > 1 and len(lead[0].split()) >= 12:  # the second sentence cut
                edited = lead[0]
            else:  # typography and a word dropped
                words = text.replace(",", "").split()
                del words[rng.randrange(1, len(words))]
                edited = " ".join(words).replace('"', "“", 1)
            pool.append((cluster, title if variant else reword(title, rng, vocabulary, 0.3), prefix + edited))
    for town_index, town in enumerate(rng.sample(TOWNS, 12)):  # template teasers: one story per town
        party, seats = rng.choice(PARTIES), rng.randint(3, 14)
        t = _slot(town)
        pool.append(
            (
                f"teaser-tpl{town_index:02d}",
                f"{party} wint in {t}",
                f"{t.upper()} (ANP) - In {t} is {party} de grootste partij geworden met {seats} zetels. Dat blijkt uit de voorlopige "
                f"uitslag die de gemeente {t} woensdagavond bekendmaakte.",
            )
        )
    weights = [rng.paretovariate(1.2) for _ in pool]  # a few items on many pages, most on one or two
    for page in pages:
        page.teasers = []
        for entry in rng.choices(pool, weights=weights, k=7):
            if entry not in page.teasers:
                page.teasers.append(entry)
    used = {entry for page in pages for entry in page.teasers}
    spare = [entry for entry in pool if entry not in used]
    for i, entry in enumerate(spare):  # every item at least once
        pages[i % len(pages)].teasers.append(entry)


def _write(out_dir: Path, pages: list[Page], rng: random.Random) -> dict:
    (out_dir / "pages").mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict[str, str]] = {"articles": {}, "teasers": {}, "templates": {}}
    for page in pages:
        site = rng.choice(SITES)
        chrome_top = [c.format(site=site) for c in rng.sample(CHROME, rng.randint(0, 3))]
        chrome_bottom = [c.format(site=site) for c in rng.sample(CHROME, rng.randint(0, 2))]
        dateline = f"{rng.choice(DATELINES)} ({rng.choice(AGENCIES)}) - "
        body = [dateline + page.paragraphs[0], *page.paragraphs[1:]]
        lines = [*chrome_top, page.title, "", *(p + "\n" for p in body), *chrome_bottom, "", "Meer uit Buitenland", ""]
        for position, (cluster, title, text) in enumerate(page.teasers, start=1):
            lines += [title, "", text, "", rng.choice(AGES)]
            truth["teasers"][f"{page.name}.txt#{position}"] = cluster
        (out_dir / "pages" / f"{page.name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        truth["articles"][f"{page.name}.txt"] = page.article_cluster
        if page.template:
            truth["templates"][f"{page.name}.txt"] = page.template
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True), encoding="utf-8")
    return truth


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsassets.evaluate.corpus", description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sources", type=int, default=None, help="use only the first N source stories")
    args = parser.parse_args(argv)
    truth = generate(args.dir, seed=args.seed, max_sources=args.sources)
    print(f"{len(truth['articles'])} pages, {len(truth['teasers'])} teasers, {len(truth['templates'])} template pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
