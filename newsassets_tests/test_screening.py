import time
from dataclasses import replace

import pytest

from newsassets import screening
from newsassets.limits import DocumentTimeout, time_limit
from newsassets.reading import OK, REJECTED, TEXT, RawDocument

DOC = RawDocument(
    "d", "p.txt", TEXT, "sha", 10, None, OK, None, "Titel\nMOSKOU (ANP) - Het Kremlin zegt iets over de oorlog."
)


def test_a_page_with_an_article_stays_ok_as_an_article_page():
    assert screening.screen_document(DOC, 5) == replace(DOC, page_kind="article")


def test_a_front_stays_ok_as_a_front_without_being_cleaned(monkeypatch):
    from pathlib import Path

    from newsassets.reading import HTML

    def no_cleaning(*args):
        raise AssertionError("a front is not cleaned as an article")

    monkeypatch.setattr(screening, "clean_page", no_cleaning)
    front = (Path(__file__).parent / "fixtures" / "html" / "front_section.html").read_text()
    document = screening.screen_document(replace(DOC, source_format=HTML, content=front), 5)
    assert (document.status, document.error, document.page_kind) == (OK, None, "front")


def test_a_page_of_only_boilerplate_is_rejected_with_that_reason():
    document = screening.screen_document(replace(DOC, content="Webmail\nKies je webmail\nAccepteer cookies"), 5)
    assert (document.status, document.error) == (REJECTED, screening.NO_ARTICLE)
    assert document.content  # kept for inspection: nothing lost


def test_rejected_documents_pass_through_untouched():
    rejected = replace(DOC, status=REJECTED, error="empty file", content=None)
    assert screening.screen_document(rejected, 5) is rejected


def test_a_slow_page_times_out_and_the_next_one_is_fine(monkeypatch):
    real = screening.clean_page

    def slow(content, source_format, url=None):
        if "traag" in content:
            time.sleep(5)
        return real(content, source_format, url)

    monkeypatch.setattr(screening, "clean_page", slow)
    started = time.monotonic()
    slow_doc = screening.screen_document(replace(DOC, content=DOC.content + " traag"), 0.2)
    assert time.monotonic() - started < 2
    assert (slow_doc.status, slow_doc.error) == (REJECTED, "timeout: cleaning took over 0.2 s")
    assert screening.screen_document(DOC, 0.2).status == OK


def test_a_crash_in_cleaning_rejects_only_that_page(monkeypatch):
    def broken(content, source_format, url=None):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(screening, "clean_page", broken)
    document = screening.screen_document(DOC, 5)
    assert (document.status, document.error) == (
        REJECTED,
        "cleaning failed: RecursionError: maximum recursion depth exceeded",
    )


def test_a_crash_inside_the_html_extractor_is_reported_as_such_not_as_a_page_without_an_article(monkeypatch):
    from newsassets import html
    from newsassets.reading import HTML

    def broken(page, url):
        raise AttributeError("'list' object has no attribute 'split'")

    monkeypatch.setattr(html, "_extract_html", broken)
    page = "<html><body><article><p>DEN HAAG (ANP) - Het kabinet presenteert een plan.</p></article></body></html>"
    document = screening.screen_document(replace(DOC, source_format=HTML, content=page), 5)
    assert (document.status, document.error) == (
        REJECTED,
        "cleaning failed: ExtractionFailed: AttributeError: 'list' object has no attribute 'split'",
    )
    # the extractor itself still never raises: its result says what happened
    assert html.extract_html(page).error == "AttributeError: 'list' object has no attribute 'split'"


def test_time_limit_leaves_no_alarm_behind():
    with time_limit(0.5):
        pass
    time.sleep(0.7)  # an alarm left set would raise here
    with pytest.raises(DocumentTimeout), time_limit(0.1):
        time.sleep(1)
