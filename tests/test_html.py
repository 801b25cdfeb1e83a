"""The HTML path: decoding, site selectors and their fallback, metadata, pages that are not articles."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import lxml.html
import pytest

from cleaner import Cleaner
from cleaner.decode import decode_html
from cleaner.inputs import clean_path
from cleaner.prune import PREVIEW_CHARS, preview
from cleaner.textrules import normalise_space

from .conftest import REPO

STORY = [
    "Pemerintah Kota Bandung mulai menerapkan sistem ganjil genap di lima ruas jalan utama pada Senin pagi.",
    "Kebijakan itu diambil setelah kemacetan di pusat kota meningkat tajam selama musim liburan sekolah.",
    "Kepala Dinas Perhubungan mengatakan pengawasan akan dilakukan oleh petugas gabungan di setiap simpang.",
    "Warga diminta memanfaatkan angkutan umum dan menyesuaikan jam berangkat kerja selama masa uji coba.",
]


def page(body: str, *, head: str = "", charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<!DOCTYPE html><html><head>{meta}<title>Ganjil Genap Berlaku di Bandung - Contoh</title>{head}</head><body>{body}</body></html>"


def article_html(container_class: str = "read__content") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    return page(
        '<nav><a href="/">Beranda</a><a href="/news">News</a><a href="/bola">Bola</a></nav>'
        f'<div class="{container_class}">{paragraphs[: len(paragraphs) // 2]}'
        '<div class="baca-juga"><strong>Baca juga:</strong> <a href="/x">Judul lain</a></div>'
        f"{paragraphs[len(paragraphs) // 2 :]}<p>Penulis: Rina Marlina</p></div>"
        '<div class="read__editor">Editor: Dewi Lestari</div>'
        "<footer><p>Copyright © 2024 Contoh Media. All rights reserved.</p></footer>",
        head='<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
        '"headline":"Ganjil Genap Berlaku di Bandung","datePublished":"2024-06-20T08:50:00+07:00",'
        '"author":[{"@type":"Person","name":"Rina Marlina"},{"@type":"Organization","name":"Contoh"}],'
        '"publisher":{"@type":"Organization","name":"Contoh"}}</script>',
    )


@pytest.fixture(scope="module")
def site_cleaner(tmp_path_factory: pytest.TempPathFactory) -> Cleaner:
    rules = tmp_path_factory.mktemp("rules")
    shutil.copytree(REPO / "rules", rules, dirs_exist_ok=True)
    (rules / "contoh.co.id.yaml").write_text(
        "extends: [id-news]\nmatch: {domains: [contoh.co.id]}\n"
        "html:\n  body: ['div.read__content']\n  editor: ['.read__editor']\n  remove:\n    - id: baca-juga-box\n      selector: '.baca-juga'\n"
        "title_suffixes:\n  - id: outlet\n    pattern: '\\s+-\\s+Contoh$'\n",
        encoding="utf-8",
    )
    return Cleaner(rules)


# --- decoding -----------------------------------------------------------------------------

SAMPLE = "Kafé “Kopi Tubruk” – naïve façade résumé"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbf<p>" + SAMPLE.encode("utf-8") + b"</p>", SAMPLE),  # BOM
        (f'<meta charset="windows-1252"><p>{SAMPLE}</p>'.encode("cp1252"), SAMPLE),
        (
            f'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>{SAMPLE}</p>'.encode(
                "cp1252"
            ),
            SAMPLE,
        ),
        (f"<p>{SAMPLE}</p>".encode("cp1252"), SAMPLE),  # no charset at all
        (f"<p>{SAMPLE}</p>".encode(), SAMPLE),  # no charset, UTF-8
        ("<p>UTF-16 ok</p>".encode("utf-16"), "UTF-16 ok"),
        # A UTF-8 page that says UTF-16 (it cannot be: no BOM, no NULs), read as browsers read
        # it. Of an even length: odd bytes fail to decode as UTF-16 and fell back to UTF-8 anyway.
        (f'<meta charset="utf-16"><p>{SAMPLE}</p> '.encode(), SAMPLE),
        (f'<meta charset="UTF-16LE"><p>{SAMPLE}</p> '.encode(), SAMPLE),
        # A UTF-8 page that declares a legacy code page (a CMS template's ISO-8859-1): as UTF-8.
        # (Without a closing curly quote: its byte 0x9D has no cp1252 character, which fails.)
        ('<meta charset="iso-8859-1"><p>Kafé naïve résumé</p>'.encode(), "Kafé naïve résumé"),
    ],
)
def test_decoding(data: bytes, expected: str) -> None:
    assert expected in decode_html(data)


def test_header_charset_wins_over_a_wrong_meta() -> None:
    data = f'<meta charset="utf-8"><p>{SAMPLE}</p>'.encode("cp1252")
    assert SAMPLE in decode_html(data, declared="windows-1252")


def test_a_header_saying_a_legacy_code_page_of_a_utf8_page_reads_utf8() -> None:
    assert "Kafé naïve" in decode_html("<p>Kafé naïve</p>".encode(), declared="windows-1252")


def test_a_label_still_decides_for_ascii_bytes() -> None:
    # ISO-2022-JP is 7-bit: its Japanese is escape sequences in ASCII bytes, only the label tells
    assert "日本語" in decode_html('<meta charset="iso-2022-jp"><p>日本語</p>'.encode("iso-2022-jp"))


def test_a_header_saying_utf16_of_a_utf8_page_reads_utf8() -> None:
    for page in (f"<p>{SAMPLE}</p>".encode(), f"<p>{SAMPLE}</p> ".encode()):  # one of them even
        assert SAMPLE in decode_html(page, declared="utf-16")


def test_undecodable_bytes_never_crash(cleaner: Cleaner) -> None:
    data = (
        page("<p>" + "Teks berita yang cukup panjang untuk diekstrak. " * 10 + "</p>").encode()
        + b"\xff\xfe\x80"
    )
    cleaner.clean_html(data)


# --- site selectors -----------------------------------------------------------------------


def test_site_selector_and_pruning(site_cleaner: Cleaner) -> None:
    article = site_cleaner.clean_html(article_html().encode(), url="https://www.contoh.co.id/read/1")
    assert article.extraction == "site-selector"
    assert article.paragraphs == STORY
    assert article.title == "Ganjil Genap Berlaku di Bandung"
    assert article.authors == ["Rina Marlina"]  # the Organization author is the outlet
    assert article.editors == ["Dewi Lestari"] and article.found_by["editors"] == "contoh.co.id:html.editor"
    assert article.published == "2024-06-20T08:50:00+07:00"
    assert article.site == "contoh.co.id"
    box = next(r for r in article.removed if r.kind == "element")
    assert (box.rule, box.selector) == ("contoh.co.id/baca-juga-box", ".baca-juga")
    assert article.notes == []


def test_stale_body_selector_falls_back_and_says_so(site_cleaner: Cleaner) -> None:
    article = site_cleaner.clean_html(article_html("story-body").encode(), url="https://contoh.co.id/read/2")
    assert article.extraction == "generic"
    assert article.notes and "body selector" in article.notes[0]
    assert [p for p in STORY if p in article.paragraphs] == STORY
    assert not any("Baca juga" in p or "Copyright" in p for p in article.paragraphs)


def test_unknown_site_uses_generic_extraction(cleaner: Cleaner) -> None:
    article = cleaner.clean_html(article_html().encode(), url="https://berita.example.org/a/1")
    assert article.extraction == "generic" and article.notes == []
    assert article.site == "berita.example.org"
    assert all(p in article.paragraphs for p in STORY)


def test_site_from_canonical_link(site_cleaner: Cleaner) -> None:
    html = article_html().replace(
        "<title>", '<link rel="canonical" href="https://www.contoh.co.id/read/1"><title>'
    )
    article = site_cleaner.clean_html(html)
    assert article.site == "contoh.co.id" and article.url == "https://www.contoh.co.id/read/1"


# --- not articles -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body></body></html>",
        page("<nav><a href='/a'>Politik</a> <a href='/b'>Ekonomi</a> <a href='/c'>Olahraga</a></nav>"),
        page(
            "<ul>"
            + "".join(f"<li><a href='/n/{i}'>Berita nomor {i} hari ini</a></li>" for i in range(30))
            + "</ul>"
        ),
    ],
    ids=["empty-string", "empty-body", "nav-only", "home-page-link-list"],
)
def test_pages_that_are_not_articles(cleaner: Cleaner, html: str) -> None:
    article = cleaner.clean_html(html.encode())
    assert article.status == "empty"
    assert article.paragraphs == [] and article.text == ""


# --- files --------------------------------------------------------------------------------


def test_gzipped_page_with_url_sidecar(tmp_path: Path, site_cleaner: Cleaner) -> None:
    path = tmp_path / "halaman.html.gz"
    path.write_bytes(gzip.compress(article_html().encode()))
    (tmp_path / "halaman.url").write_text("https://contoh.co.id/read/9\n", encoding="utf-8")
    article = clean_path(site_cleaner, path)
    assert article.url == "https://contoh.co.id/read/9" and article.paragraphs == STORY


def test_urls_manifest(tmp_path: Path, site_cleaner: Cleaner) -> None:
    (tmp_path / "a.html").write_text(article_html(), encoding="utf-8")
    (tmp_path / "urls.tsv").write_text("a.html\thttps://contoh.co.id/read/7\n", encoding="utf-8")
    assert clean_path(site_cleaner, tmp_path / "a.html").url == "https://contoh.co.id/read/7"


def test_an_edited_urls_file_is_read_again(tmp_path: Path, site_cleaner: Cleaner) -> None:
    (tmp_path / "a.html").write_text(article_html(), encoding="utf-8")
    urls = tmp_path / "urls.tsv"
    urls.write_text("a.html\thttps://contoh.co.id/read/7\n", encoding="utf-8")
    assert clean_path(site_cleaner, tmp_path / "a.html").url == "https://contoh.co.id/read/7"
    urls.write_text("a.html\thttps://contoh.co.id/read/8\n", encoding="utf-8")  # same size
    os.utime(urls, ns=(urls.stat().st_atime_ns, urls.stat().st_mtime_ns + 1_000_000))
    assert clean_path(site_cleaner, tmp_path / "a.html").url == "https://contoh.co.id/read/8"
    urls.write_text("a.html\thttps://contoh.co.id/read/10\n", encoding="utf-8")  # same tick, longer
    assert clean_path(site_cleaner, tmp_path / "a.html").url == "https://contoh.co.id/read/10"


def test_html_to_dict_is_json(cleaner: Cleaner) -> None:
    record = cleaner.clean_html(article_html().encode()).to_dict()
    assert json.loads(json.dumps(record)) == record


def test_explain_lists_elements_lines_and_path(tmp_path: Path, site_cleaner: Cleaner) -> None:
    from cleaner.explain import render_explain_html

    trace = site_cleaner.clean_html_traced(article_html().encode(), url="https://contoh.co.id/r/1")
    shown = render_explain_html(trace.lines, trace.article)
    assert "Body from: site body selector" in shown
    assert "[contoh.co.id/baca-juga-box] .baca-juga: Baca juga: Judul lain" in shown
    assert "[id-news/credit.author]" in shown


def test_class_word_rules_match_whole_words_and_nested_once(cleaner: Cleaner) -> None:
    from trafilatura.utils import load_html

    from cleaner.prune import prune_tree

    tree = load_html(
        page(
            '<div class="ads"><div class="ads inner">ADVERTISEMENT</div></div>'
            '<div class="downloads heads">Unduh laporan lengkap di sini.</div>'
            '<div class="share"><p>'
            + "Paragraf panjang yang kebetulan ada di dalam kotak berbagi. " * 6
            + "</p></div>"
        )
    )
    removed = prune_tree(tree, cleaner.rules.default)
    assert [(r.rule, r.text) for r in removed] == [("web/ad-slot", "ADVERTISEMENT")]
    assert "Unduh laporan" in tree.text_content() and "Paragraf panjang" in tree.text_content()


def test_multi_page_article_is_joined(tmp_path: Path, site_cleaner: Cleaner) -> None:
    first = article_html().replace(STORY[3], STORY[3] + "</p><p>Halaman Selanjutnya")
    second = (
        article_html()
        .replace("read__content", "read__content")
        .replace(
            "".join(f"<p>{p}</p>" for p in STORY[:2]),
            "<p>Di halaman kedua, warga menyambut baik uji coba itu dan berharap kemacetan berkurang.</p>",
        )
    )
    (tmp_path / "berita.html").write_text(first, encoding="utf-8")
    (tmp_path / "berita.p2.html").write_text(second, encoding="utf-8")
    (tmp_path / "berita.url").write_text("https://contoh.co.id/read/5\n", encoding="utf-8")
    article = clean_path(site_cleaner, tmp_path / "berita.html")
    assert article.paragraphs[:4] == STORY
    assert (
        "Di halaman kedua, warga menyambut baik uji coba itu dan berharap kemacetan berkurang."
        in article.paragraphs
    )
    assert "Halaman Selanjutnya" not in article.paragraphs
    assert article.title == "Ganjil Genap Berlaku di Bandung"
    from cleaner.batch import collect_inputs

    assert [i.path.name for i in collect_inputs([tmp_path])] == ["berita.html"]  # page 2 goes with page 1


def test_site_timezone_and_image_credit_selectors(tmp_path_factory: pytest.TempPathFactory) -> None:
    rules = tmp_path_factory.mktemp("rules")
    shutil.copytree(REPO / "rules", rules, dirs_exist_ok=True)
    (rules / "contoh.co.id.yaml").write_text(
        "extends: [id-news]\nmatch: {domains: [contoh.co.id]}\ntimezone: WIB\n"
        "html:\n  body: ['div.read__content']\n  published: ['.read__time']\n  image_credit: ['.photo__credit']\n",
        encoding="utf-8",
    )
    html = (
        article_html()
        .replace('"datePublished":"2024-06-20T08:50:00+07:00",', "")
        .replace(
            "<nav>",
            '<div class="read__time">Kamis, 20 Juni 2024 | 08:50</div><figure><img src="x.jpg"><span class="photo__credit">Foto: ANTARA/Budi</span></figure><nav>',
        )
    )
    article = Cleaner(rules).clean_html(html, url="https://contoh.co.id/r/1")
    assert article.published == "2024-06-20T08:50:00+07:00"  # the site prints no zone; its rules say WIB
    assert article.image_credits == ["ANTARA/Budi"]


@pytest.mark.parametrize(
    ("shown", "credit"),
    [
        ("Foto: ANTARA/Budi", "ANTARA/Budi"),
        ("Petugas memeriksa tanggul yang jebol. (Foto: Humas Polres)", "Humas Polres"),
        ("Warga melintas di genangan. ANTARA FOTO/Aditya Pradana/nym", "ANTARA FOTO/Aditya Pradana/nym"),
        ("Suasana penimbangan truk di jembatan timbang Losarang, Indramayu, yang ramai sejak pagi.", None),
    ],
)
def test_credit_from_a_caption_element(cleaner: Cleaner, shown: str, credit: str | None) -> None:
    from cleaner.pagemeta import _credit

    assert _credit(shown, cleaner.rules.default) == credit


def test_credit_ignores_caption_rules_without_a_credit_group(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    rules = tmp_path_factory.mktemp("rules")
    shutil.copytree(REPO / "rules", rules, dirs_exist_ok=True)
    (rules / "contoh.co.id.yaml").write_text(
        "extends: [id-news]\nmatch: {domains: [contoh.co.id]}\ncaptions:\n  - id: repeat\n    pattern: '$'\n",
        encoding="utf-8",
    )
    from cleaner.pagemeta import _credit

    ruleset = Cleaner(rules).rules.sets["contoh.co.id"]
    assert (
        _credit("Relawan mengangkat sampah. Foto: Republika/Abdan Syakura", ruleset)
        == "Republika/Abdan Syakura"
    )


@pytest.mark.parametrize(
    "markup",
    [
        "<div>Short footer</div>",
        "<div>" + "<span>word </span>" * 400 + "</div>",  # long: cut
        "<div>" + "<span> </span>" * 5000 + "<b>end</b></div>",  # mostly whitespace, read to the end
        "<div>" + "<b>a</b>" * (PREVIEW_CHARS + 1) + "</div>",  # one character over
    ],
    ids=["short", "long", "whitespace", "one-over"],
)
def test_a_removal_preview_reads_only_what_it_shows(markup: str) -> None:
    element = lxml.html.fromstring(markup)
    whole = normalise_space(" ".join(element.itertext()))
    expected = whole if len(whole) <= PREVIEW_CHARS else whole[: PREVIEW_CHARS - 1] + "…"
    assert preview(element) == expected
