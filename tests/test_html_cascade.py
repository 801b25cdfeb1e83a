"""The generic extraction cascade and the shared HTML rules for embeds, captions and lists."""

from __future__ import annotations

import pytest

from cleaner import Cleaner
from cleaner.extract import Candidate, compare, is_sentence, readability_verdict

SENTENCE = "The council voted on Monday to extend the night bus service to the airport and the harbour."
PARAGRAPHS = "".join(
    f"<p>{SENTENCE} Paragraph {i} adds more detail about the timetable.</p>" for i in range(8)
)


def page(body: str, title: str = "Night buses") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


# --- the cascade --------------------------------------------------------------------------


def test_a_clean_page_runs_one_extractor_and_says_nothing(cleaner: Cleaner) -> None:
    article = cleaner.clean_html(page(f"<article><h1>Night buses</h1>{PARAGRAPHS}</article>"))
    assert article.extraction == "generic" and article.notes == []
    assert len(article.paragraphs) == 8


def test_when_every_extractor_misses_the_prose_the_baseline_rescues_it(cleaner: Cleaner) -> None:
    # trafilatura drops a container it takes for reader comments, in every mode
    article = cleaner.clean_html(page(f'<div class="comments-area">{PARAGRAPHS}</div>'))
    assert article.extraction == "generic-prose-baseline" and article.status == "ok"
    assert len(article.paragraphs) == 8
    assert "precision extraction kept 0 of" in article.notes[0]
    assert "prose-baseline" in article.notes[0] and "taken" in article.notes[0]


def test_readability_is_asked_once_precision_mode_misses_the_prose(cleaner: Cleaner) -> None:
    # trafilatura's precision mode drops an <aside> whatever it holds; its readability
    # fallback, skipped in the first run, reads the paragraphs
    article = cleaner.clean_html(page(f"<aside>{PARAGRAPHS}</aside>"))
    assert article.extraction == "generic-readability" and len(article.paragraphs) == 8
    assert "readability (" in article.notes[0] and "taken" in article.notes[0]


COMMENT = "I have taken the night bus for years and this is a welcome change for all of us who work late."


@pytest.mark.parametrize(
    "thread",
    [
        '<section id="comments">{}</section>',
        '<div class="comment-list">{}</div>',
        '<ol class="commentlist">{}</ol>',
    ],
)
def test_a_long_comment_thread_is_not_rescued_as_the_article(cleaner: Cleaner, thread: str) -> None:
    # Readers' comments are prose too, and can outweigh a short article many times: they
    # neither make the article look short nor come back as a rescue.
    comments = "".join(f'<div class="comment"><p>{COMMENT} Comment {i}.</p></div>' for i in range(60))
    article = f"<article><h1>Night buses</h1>{PARAGRAPHS[:400]}</article>"
    result = cleaner.clean_html(page(article + thread.format(comments)))
    assert "Comment 5" not in result.text and SENTENCE in result.text
    assert result.extraction == "generic" and not result.notes


def test_a_page_state_named_after_comments_is_not_a_thread() -> None:
    import lxml.html

    from cleaner.extract import prose_chars

    html = f'<html><body class="comments-open"><article class="post has-comments">{PARAGRAPHS}</article></body></html>'
    assert prose_chars(lxml.html.fromstring(html)) > 1000


def test_a_menu_is_not_rescued(cleaner: Cleaner) -> None:
    links = "".join(
        f"<li><a href='/n/{i}'>Headline number {i} of the day for our readers</a></li>" for i in range(30)
    )
    article = cleaner.clean_html(page(f"<ul>{links}</ul>"))
    assert article.status == "empty"


PROSE = [f"{SENTENCE} Line {i}." for i in range(10)]
CHECKLIST = [f"Book the venue, the caterer and the band for the reception in month {i}" for i in range(12)]
MENU = [f"Venues and prices {i}" for i in range(12)]


@pytest.mark.parametrize(
    ("current", "other", "verdict"),
    [
        ([], PROSE, "taken"),
        ([], ["Home", "News", "Sport"], "not taken"),  # nothing readable: nothing to take
        (PROSE[:2], PROSE, "taken"),  # adds sentences and keeps what it had
        (PROSE[:9], PROSE, "not taken"),  # adds little
        (PROSE[:2], PROSE[:2] + [f"Related story number {i} you may like" for i in range(40)], "not taken"),
        ([f"{SENTENCE} Other {i}." for i in range(8)], PROSE * 5, "not taken"),  # another text
        (["Wedding checklist"], ["Wedding checklist", *CHECKLIST], "taken"),  # steps without stops
        (["Wedding checklist"], ["Wedding checklist", *MENU, *MENU], "not taken"),  # a menu, not steps
        (PROSE[:3], PROSE[:3] + CHECKLIST, "not taken"),  # a real choice needs sentences
    ],
    ids=[
        "empty",
        "empty-vs-menu",
        "more-prose",
        "little-gain",
        "adds-links",
        "disagrees",
        "failed-choice-wordy",
        "failed-choice-menu",
        "kept-choice-wordy",
    ],
)
def test_compare_decides_on_evidence(current: list[str], other: list[str], verdict: str) -> None:
    result = compare(Candidate("precision", current), Candidate("recall", other))
    assert result.split(":")[0] == verdict, result


@pytest.mark.parametrize(
    ("first", "readability", "verdict"),
    [
        ([], PROSE, "taken"),  # the first came back empty
        (PROSE[:4], PROSE, "taken"),  # under half of readability's
        (PROSE[:5], PROSE, "not taken"),  # half: trafilatura keeps its own
        (PROSE, PROSE[:4], "not taken"),  # readability found less
        ([], [], "not taken"),  # nothing to take
        (PROSE[:1], [], "not taken"),
    ],
    ids=["first-empty", "under-half", "half", "shorter", "both-empty", "readability-empty"],
)
def test_readability_replaces_the_first_as_trafilatura_would(
    first: list[str], readability: list[str], verdict: str
) -> None:
    result = readability_verdict(Candidate("precision", first), Candidate("readability", readability))
    assert result.split(":")[0] == verdict, result


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (SENTENCE, True),
        ("Read more about buses", False),
        ("Home » News » Transport", False),
        ("Kindle for PCをインストールすると自動でホットキーが設定されます。", True),
        (" ".join([SENTENCE] * 4) + " Read in browser »", True),  # sentences inside a long line
        (" ".join(["Headline without any stop"] * 10), False),
    ],
)
def test_is_sentence(line: str, expected: bool) -> None:
    assert is_sentence(line) is expected


def test_lists_and_tables_come_without_invented_markup(cleaner: Cleaner) -> None:
    body = (
        f"<article>{PARAGRAPHS}<ul><li>First stop at the airport</li><li>Second stop</li></ul>"
        "<table><tr><td>Route</td><td>N1</td></tr></table></article>"
    )
    text = cleaner.clean_html(page(body)).text
    assert "First stop at the airport" in text and "- " not in text and "|" not in text


# --- embeds, captions, lists --------------------------------------------------------------

TWEET = (
    '<blockquote class="twitter-tweet"><p>Big news for night owls today https://t.co/x</p>'
    "&mdash; City Council (@council) June 1, 2024</blockquote>"
)
INSTAGRAM = '<blockquote class="instagram-media"><p>A post shared by the council</p></blockquote>'
QUOTE = "<blockquote><p>“We listened to the riders,” the mayor said at the meeting.</p></blockquote>"


def removed_by(article, rule: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.text for r in article.removed if r.rule == rule]


def test_social_embeds_go_quotes_stay(cleaner: Cleaner) -> None:
    article = cleaner.clean_html(page(f"<article>{PARAGRAPHS}{TWEET}{INSTAGRAM}{QUOTE}</article>"))
    assert not any("night owls" in p or "post shared" in p for p in article.paragraphs)
    assert len(removed_by(article, "web/social-embed")) == 2
    assert any("We listened to the riders" in p for p in article.paragraphs)


LONG_TWEET = (
    '<blockquote class="twitter-tweet"><p>'
    + "Berikut perkembangan kasus di dunia dan pelindungan WNI per hari ini, total WNI terkonfirmasi " * 4
    + "</p>&mdash; Kementerian (@kemlu) January 23, 2021</blockquote>"
)
LONG_QUOTE = (
    "<blockquote><p>"
    + "“Kami mendengarkan para penumpang bus malam di kota ini,” kata wali kota. " * 4
    + "</p></blockquote>"
)
ID_PARAGRAPHS = "".join(
    f"<p>Pemerintah kota memperpanjang layanan bus malam ke bandara dan pelabuhan mulai bulan depan, "
    f"kata pejabat dinas perhubungan pada paragraf {i}.</p>"
    for i in range(8)
)


def test_a_long_tweet_goes_on_indonesian_pages_a_long_quote_stays(cleaner: Cleaner) -> None:
    # web/social-embed spares a block holding a long paragraph (class words are generic);
    # id-news/social-embed-whole selects the embed classes themselves, whatever their length.
    html = page(f"<article>{ID_PARAGRAPHS}{LONG_TWEET}{LONG_QUOTE}</article>")
    article = cleaner.clean_html(html, url="https://www.liputan6.com/news/read/1/bus-malam")
    assert len(removed_by(article, "id-news/social-embed-whole")) == 1
    assert "pelindungan WNI" not in article.text
    assert "Kami mendengarkan para penumpang" in article.text


@pytest.mark.parametrize(
    ("url", "photo", "caption", "credit", "rule"),
    [
        (
            "https://www.liputan6.com/news/read/1/bus-malam",
            '<div class="article-photo-gallery--item"><img src="a.jpg"><div>Perbesar</div>'
            '<div class="article-photo-gallery--item__description"><span>Bus malam di depo. (AP Photo/Jane Doe)</span></div></div>',
            "Bus malam di depo.",
            "AP Photo/Jane Doe",
            "liputan6.com/photo-gallery-item",
        ),
        (
            "https://www.merdeka.com/peristiwa/bus-malam.html",
            '<div class="imagecontent"><img src="a.jpg"></div><div class="imageinfo"><span>©MGM</span></div>',
            "©MGM",
            "MGM",
            "merdeka.com/photo-caption",
        ),
    ],
)
def test_site_photo_captions_go_and_give_their_credit(
    cleaner: Cleaner, url: str, photo: str, caption: str, credit: str, rule: str
) -> None:
    body = {
        "liputan6.com": '<div class="article-content-body">{}</div>',
        "merdeka.com": '<div class="mdk-body-paragraph">{}</div>',
    }["liputan6.com" if "liputan6" in url else "merdeka.com"]
    html = page(body.format(ID_PARAGRAPHS[:500] + photo + ID_PARAGRAPHS[500:]))
    article = cleaner.clean_html(html, url=url)
    assert removed_by(article, rule)
    assert caption not in article.text and "Perbesar" not in article.text
    assert credit in article.image_credits
    assert article.text.count("Pemerintah kota memperpanjang") == 8


@pytest.mark.parametrize(
    ("caption", "credit"),
    [
        ("The new night bus at the depot. ©Jane Doe", "Jane Doe"),
        ("The new night bus at the depot. (Photo: Jane Doe/Reuters)", "Jane Doe/Reuters"),
        ("The new night bus at the depot. Photo by Jane Doe", "Jane Doe"),
        ("Bus baru di depo. (Foto: Humas Pemkot)", "Humas Pemkot"),
        ("The new night bus at the depot. (AP Photo/Jane Doe)", "AP Photo/Jane Doe"),
        ("The mayor (right) at the depot", None),  # a bracket is not a credit
        ("Photo/video gallery of the depot (updated)", None),
        ("A photo of the depot at dawn", None),
    ],
)
def test_captions_go_and_their_credits_are_kept(cleaner: Cleaner, caption: str, credit: str | None) -> None:
    figure = f'<figure><img src="bus.jpg"><figcaption>{caption}</figcaption></figure>'
    article = cleaner.clean_html(page(f"<article>{PARAGRAPHS[:600]}{figure}{PARAGRAPHS[600:]}</article>"))
    assert removed_by(article, "web/figure-caption") == [caption]
    assert article.image_credits == ([credit] if credit else [])
    assert not any(caption[:20] in p for p in article.paragraphs)


BACA_JUGA = "<p><strong>Baca juga:</strong></p>"
LINKS = '<ul><li><a href="/a">Bus malam diperpanjang</a></li><li><a href="/b">Tarif baru</a></li></ul>'


@pytest.mark.parametrize(
    ("before", "items", "removed"),
    [
        (BACA_JUGA, LINKS, True),
        ("<p>Artikel terkait</p>", LINKS, True),
        (f"<p>{SENTENCE}</p>", LINKS, False),  # a list after a paragraph is the article's
        (BACA_JUGA, "<ul><li>Halte baru di bandara</li><li>Tarif baru</li></ul>", False),  # not links
    ],
    ids=["baca-juga", "artikel-terkait", "after-paragraph", "plain-items"],
)
def test_list_left_by_a_baca_juga_label(cleaner: Cleaner, before: str, items: str, removed: bool) -> None:
    article = cleaner.clean_html(page(f"<article>{PARAGRAPHS}{before}{items}{PARAGRAPHS}</article>"))
    assert bool(removed_by(article, "id-news/baca-juga-list")) is removed


def test_no_rule_removes_most_of_a_page(cleaner: Cleaner) -> None:
    # an unclosed <nav> swallows the article; page-chrome must not take the page with it
    article = cleaner.clean_html(page(f"<nav><a href='/'>Home</a><div>{PARAGRAPHS}</div>"))
    assert len(article.paragraphs) == 8
    assert not any(r.rule == "web/page-chrome" for r in article.removed)


def test_a_small_nav_still_goes(cleaner: Cleaner) -> None:
    article = cleaner.clean_html(
        page(f"<nav><a href='/'>Home</a> <a href='/n'>News</a></nav><article>{PARAGRAPHS}</article>")
    )
    assert [r.text for r in article.removed if r.rule == "web/page-chrome"] == ["Home News"]


# --- a site's layouts, newest first -------------------------------------------------------


@pytest.fixture(scope="module")
def layouts_cleaner(tmp_path_factory: pytest.TempPathFactory) -> Cleaner:
    import shutil

    from .conftest import REPO

    rules = tmp_path_factory.mktemp("rules")
    shutil.copytree(REPO / "rules", rules, dirs_exist_ok=True)
    (rules / "contoh.co.id.yaml").write_text(
        "extends: [id-news]\nmatch: {domains: [contoh.co.id]}\n"
        "html:\n  body: ['#content-wrapper', 'div.detail-in', 'span[itemprop=articleBody]']\n",
        encoding="utf-8",
    )
    return Cleaner(rules)


@pytest.mark.parametrize(
    "body",
    [
        f'<div id="content-wrapper">{PARAGRAPHS}</div>',  # current layout
        f'<div id="content-wrapper"><p>Iklan</p></div><div class="detail-in">{PARAGRAPHS}</div>',  # 2019: the new id is a stub
        f'<span itemprop="articleBody">{"<br>".join([SENTENCE] * 8)}</span>',  # 2015
    ],
    ids=["current", "older-with-stub", "oldest"],
)
def test_body_selectors_are_tried_in_order(layouts_cleaner: Cleaner, body: str) -> None:
    article = layouts_cleaner.clean_html(
        page(f"<nav><a href='/'>Beranda</a></nav>{body}"), url="https://contoh.co.id/r/1"
    )
    assert article.extraction == "site-selector" and article.notes == []
    assert len(article.paragraphs) == 8 and "Iklan" not in article.paragraphs


def test_no_layout_matches_generic_extraction_says_so(layouts_cleaner: Cleaner) -> None:
    article = layouts_cleaner.clean_html(
        page(f"<article>{PARAGRAPHS}</article>"), url="https://contoh.co.id/r/1"
    )
    assert article.extraction == "generic" and "matched no article text" in article.notes[0]


# --- the title's repeats --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "repeat"),
    [
        ("NIGHT BUSES RETURN TO THE HARBOUR ROUTE", True),  # other capitals
        ("Night buses return to the ‘harbour’ route!", True),  # other quote marks, a final mark
        ("Night buses return to the harbour route now", True),  # first line, a word more
        ("Night buses return", False),  # shares under four fifths of the words
        ("Night buses return to the harbour route, the council said on Monday.", False),  # a sentence
    ],
    ids=["capitals", "quotes", "word-more", "few-words", "sentence"],
)
def test_a_heading_that_repeats_the_title_goes(cleaner: Cleaner, heading: str, repeat: bool) -> None:
    html = page(
        f"<article><h2>{heading}</h2>{PARAGRAPHS}</article>",
        title="Night buses return to the 'harbour' route",
    )
    article = cleaner.clean_html(html)
    assert (heading not in article.paragraphs) is repeat, article.paragraphs[:2]
    assert ("builtin/title-repeat" in {r.rule for r in article.removed}) is repeat


def test_a_title_escaped_twice_by_the_page_is_read_as_shown(cleaner: Cleaner) -> None:
    html = page(
        f"<article>{PARAGRAPHS}</article>",
        title="&amp;#8216;Night buses&amp;#8217; return &amp;amp; stay at AT&amp;T Park",
    )
    assert cleaner.clean_html(html).title == "‘Night buses’ return & stay at AT&T Park"
