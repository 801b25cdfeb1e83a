"""A whole-page text dump read as a document: the article is located, the header and the
footer go, blocks and link lists go with one rule id each, and what only looks like clutter
(a menu word above the article, a sub-heading, a short closing sentence) stays."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from cleaner import Cleaner, zones
from cleaner.zones import read_passages, shape, stopwords

ID_STOPS = stopwords(("Indonesian", "English"))

MENU = ["Menu", "Beranda", "News", "Indeks", "Terpopuler", "Login", "Mode Gelap", "Beranda » Daerah"]
TITLE = "Banjir Rob Rendam Ratusan Rumah Warga di Pesisir Demak"
P1 = (
    "Banjir rob kembali merendam ratusan rumah warga di pesisir Kabupaten Demak, Jawa Tengah, "
    "pada Senin pagi. Air laut masuk ke permukiman sejak pukul 05.00 WIB dan terus meninggi."
)
P2 = (
    "Kepala Pelaksana BPBD Demak mengatakan ketinggian air di dalam rumah mencapai 40 sentimeter. "
    "Petugas telah menyiapkan perahu karet dan dapur umum bagi warga yang mengungsi."
)
P3 = (
    "Warga berharap pemerintah segera membangun tanggul laut yang permanen, sebab rob datang "
    "hampir setiap bulan dan merusak perabot serta dinding rumah mereka."
)
RELATED = [
    "Harga Cabai Rawit di Pasar Johar Naik Dua Kali Lipat",
    "Jalan Pantura Demak Kembali Tergenang Air Setinggi Betis",
    "Petani Garam di Pati Mulai Panen Lebih Awal Tahun Ini",
]
FOOTER = ["Tentang Kami", "Pedoman Media Siber", "Kontak", "© PT Contoh Media 2024"]


def clean(cleaner: Cleaner, *lines: str, **kwargs: str):  # type: ignore[no-untyped-def]
    return cleaner.clean_text("\n".join(lines), **kwargs)


def rules_of(article, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.rule for r in article.removed if r.text == text]


def test_a_menu_word_above_the_article_never_cuts_it(cleaner: Cleaner) -> None:
    article = clean(cleaner, *MENU, TITLE, P1, P2, P3, "Terkini Lainnya", *RELATED, *FOOTER)
    assert article.paragraphs == [P1, P2, P3]
    assert rules_of(article, "Terpopuler") == ["builtin/header-zone"]
    assert article.title == TITLE
    assert rules_of(article, RELATED[0]) == ["id-news/terkini-lainnya"]  # a marker inside still cuts


def test_header_and_footer_zones_are_attributed(cleaner: Cleaner) -> None:
    article = clean(cleaner, *MENU, TITLE, "Ilustrasi banjir rob", P1, P2, P3, "Karier", "Mitra", "Sitemap")
    assert article.paragraphs == [P1, P2, P3]
    assert rules_of(article, "Mode Gelap") == ["builtin/header-zone"]
    assert rules_of(article, "Ilustrasi banjir rob") == ["builtin/header-zone"]  # a caption above the lead
    assert rules_of(article, "Mitra") == ["builtin/footer-zone"]


def test_widgets_and_the_page_footer_end_the_article_but_not_above_it(cleaner: Cleaner) -> None:
    for marker in ("Bagikan ini:", "Tinggalkan Balasan", "TOPIK TERKAIT", "Pedoman Media Siber"):
        article = clean(cleaner, marker, *MENU, TITLE, P1, P2, P3, marker, "Facebook", "Sunting")
        assert article.paragraphs == [P1, P2, P3], marker
        assert [r.kind for r in article.removed if r.text == "Sunting"] == ["cut"], marker
    sentence = "Pedoman media siber itu disusun Dewan Pers bersama komunitas pers pada 2012."
    assert sentence in clean(cleaner, TITLE, P1, sentence, P2, P3).paragraphs


def test_a_dateline_on_its_own_line_above_the_lead_is_read(cleaner: Cleaner) -> None:
    article = clean(
        cleaner, *MENU, TITLE, "Liputan6.com, Jakarta", P1, P2, P3, url="https://www.liputan6.com/x"
    )
    assert article.paragraphs == [P1, P2, P3]
    assert article.dateline == "JAKARTA"


def test_a_desk_code_under_the_last_paragraph_gives_its_source(cleaner: Cleaner) -> None:
    article = clean(cleaner, *MENU, TITLE, P1, P2, P3, "(Ant/Z-2)", *FOOTER)
    assert article.paragraphs == [P1, P2, P3]
    assert article.sources == ["Antara"]
    assert rules_of(article, "(Ant/Z-2)") == ["id-news/end-code-line"]


def test_a_baca_juga_label_takes_all_its_headlines_and_nothing_more(cleaner: Cleaner) -> None:
    sub = "Tanggul Darurat"  # a sub-heading right after the box is not a headline of it
    article = clean(
        cleaner, TITLE, P1, "Baca Juga", *RELATED, "warga lalu mengungsi ke balai desa terdekat.", P2, sub, P3
    )
    assert [r.rule for r in article.removed if r.text in RELATED] == ["id-news/baca-juga-bare"] * 3
    assert "warga lalu mengungsi ke balai desa terdekat." in article.paragraphs
    assert sub in article.paragraphs


def test_a_run_of_headlines_in_the_article_is_a_link_list_but_a_subheading_stays(cleaner: Cleaner) -> None:
    article = clean(cleaner, TITLE, P1, "Upaya Evakuasi Warga", P2, *RELATED, P3)
    assert "Upaya Evakuasi Warga" in article.paragraphs  # three capitalised words, alone: a sub-heading
    assert [rules_of(article, h) for h in RELATED] == [["builtin/link-list"]] * 3
    assert article.paragraphs == [P1, "Upaya Evakuasi Warga", P2, P3]


def test_a_short_closing_sentence_stays_in_the_article(cleaner: Cleaner) -> None:
    article = clean(cleaner, *MENU, TITLE, P1, P2, P3, "Semoga segera surut.", *FOOTER)
    assert article.paragraphs[-1] == "Semoga segera surut."


def test_a_sentence_broken_at_inline_links_is_kept_whole(cleaner: Cleaner) -> None:
    lines = ["Warga di", "Demak", "mengeluhkan rob yang datang setiap bulan dan merusak rumah mereka."]
    article = clean(cleaner, *MENU, TITLE, P1, *lines, P2, P3, *FOOTER)
    assert article.paragraphs == [P1, *lines, P2, P3]


def test_a_phrase_split_over_lines_is_matched_as_one(cleaner: Cleaner) -> None:
    article = clean(cleaner, TITLE, P1, "Scroll down", "untuk melanjutkan membaca", P2, P3)
    assert article.paragraphs == [P1, P2, P3]
    assert rules_of(article, "Scroll down") == ["id-news/advertisement"]


def test_an_embedded_tweet_goes_with_its_text_but_not_the_paragraph_above(cleaner: Cleaner) -> None:
    tweet = [
        "Selamat untuk warga Demak yang tetap tabah!",
        "pic.twitter.com/AbC123",
        "— Budi Santoso (@budisan)",
        "December 20, 2021",
    ]
    article = clean(cleaner, *MENU, TITLE, P1, P2, *tweet, P3, *FOOTER)
    assert article.paragraphs == [P1, P2, P3]
    assert rules_of(article, tweet[0]) == ["id-news/tweet"]


def test_an_instagram_attribution_without_its_opener_takes_nothing_above(cleaner: Cleaner) -> None:
    article = clean(cleaner, TITLE, P1, P2, "Sebuah kiriman dibagikan oleh Pemkab Demak (@pemkabdemak)", P3)
    assert article.paragraphs == [P1, P2, P3]


def test_embeds_are_left_to_the_page_stage_on_extracted_html_text(cleaner: Cleaner) -> None:
    page = f"<html><body><article><h1>{TITLE}</h1><p>{P1}</p><p>{P2}</p><p>— Budi Santoso (@budisan)</p><p>{P3}</p></article></body></html>"
    article = cleaner.clean_html(page.encode())
    assert P2 in article.paragraphs


def test_a_short_text_is_not_zoned(cleaner: Cleaner) -> None:
    article = clean(cleaner, "Beranda", "Singkat saja: rob surut sore ini.")
    assert article.paragraphs == ["Beranda", "Singkat saja: rob surut sore ini."]


def test_passages_join_lines_that_continue_one_another() -> None:
    texts = ["Sholat", "juga merupakan tiang agama.", "Beranda", "Indeks"]
    passages = read_passages(texts, [False] * 4, ID_STOPS)
    assert [(p.first, p.last) for p in passages] == [(0, 1), (2, 2), (3, 3)]


def test_shapes_tell_prose_from_headlines() -> None:
    assert shape(P1, ID_STOPS).is_prose
    assert not shape(RELATED[0], ID_STOPS).is_prose
    assert shape(RELATED[0], ID_STOPS).is_headline
    assert not shape("warga lalu mengungsi ke balai desa terdekat", ID_STOPS).is_headline


def test_without_a_located_article_a_marker_above_the_first_prose_only_drops_itself(cleaner: Cleaner) -> None:
    short = "Banjir rob kembali merendam ratusan rumah warga di pesisir Demak pada Senin pagi."
    article = clean(cleaner, "Terpopuler", "Indeks", short, "Terkini Lainnya", RELATED[0])
    assert article.paragraphs == ["Indeks", short]
    assert rules_of(article, "Terpopuler") == ["id-news/rekomendasi-heading"]
    assert rules_of(article, RELATED[0]) == ["id-news/terkini-lainnya"]


NEW_LINE_RULES = [
    ("Baca: Harga Cabai Rawit di Pasar Johar Naik Dua Kali Lipat", "id-news/baca-juga"),
    ("Baca Selanjutnya: Sate Lalat Pak Muhsin...", "id-news/baca-juga"),
    ("Lanjutkan Membaca ↓", "id-news/advertisement"),
    ("Scroll down untuk melanjutkan membaca", "id-news/advertisement"),
    ("Halaman", "id-news/pagination-label"),
    ("VIDEO: Susanti Trending Usai Timnas Indonesia Tekuk Malaysia", "id-news/video-headline"),
    ("Lihat postingan ini di Instagram", "id-news/embed-chrome"),
    ("pic.twitter.com/f9HKnsvcVC", "id-news/embed-chrome"),
    ("Download aplikasi Contoh News untuk Android: https://example.com/app", "id-news/app-download"),
    ("©MGM", "id-news/caption-copyright-credit"),
    ("Hedy Lamarr. ©Sunset Boulevard/Corbis", "id-news/caption-copyright-credit"),
]
NEW_RULE_HARD_NEGATIVES = [
    "Baca buku itu: kata guru, anak-anak jadi lebih tenang di kelas.",
    "Halaman rumah warga terendam air setinggi lutut.",
    "Video: rekaman itu menunjukkan warga mengevakuasi barang, kata polisi.",
    "Video itu viral di media sosial sejak Senin malam.",
    "Warga men-download aplikasi itu untuk melapor banjir.",
    "Lanjutkan membaca pesan ini, kata dia kepada para relawan di posko.",
    "Lagu itu © milik penciptanya, kata dia.",
]


def test_new_line_rules_remove_their_clutter(cleaner: Cleaner) -> None:
    for line, rule in NEW_LINE_RULES:
        article = clean(cleaner, P1, line, P2)
        assert article.paragraphs == [P1, P2], line
        assert rules_of(article, line) == [rule], line


def test_new_line_rules_keep_sentences_that_look_like_clutter(cleaner: Cleaner) -> None:
    for line in NEW_RULE_HARD_NEGATIVES:
        assert clean(cleaner, P1, line, P2).paragraphs == [P1, line, P2], line


def test_an_anonymous_desk_code_gives_no_source(cleaner: Cleaner) -> None:
    article = clean(cleaner, P1, P2, "(***/Dio)")
    assert article.paragraphs == [P1, P2]
    assert article.sources == []


SPLIT_CREDITS = [
    (["Reporter :", "Tantri Setyorini"], "authors", ["Tantri Setyorini"], "id-news/credit.author"),
    (["Oleh", "Tommy Kurnia"], "authors", ["Tommy Kurnia"], "id-news/credit.oleh"),
    (["Tommy Kurnia", "Author"], "authors", ["Tommy Kurnia"], "id-news/credit.name-label"),
    (["Hariz Barak", "Editor"], "editors", ["Hariz Barak"], "id-news/credit.name-label"),
    (
        ["Gayuh Tri Pinjungwati", "02 Jun 2020, 19:15 WIB"],
        "authors",
        ["Gayuh Tri Pinjungwati"],
        "id-news/credit.byline-date",
    ),
    (["| Penulis | : Budi Santoso |"], "authors", ["Budi Santoso"], "id-news/credit.author"),
    (["Oleh : Budi Santoso / FMB"], "authors", ["Budi Santoso"], "id-news/credit.author"),
    (
        ["Budi Santoso · Senin, 02 September 2024 - 19:40 WIB"],
        "authors",
        ["Budi Santoso"],
        "id-news/credit.byline-date",
    ),
    (["12 Maret 2025 oleh Budi Santoso"], "authors", ["Budi Santoso"], "id-news/credit.date-by"),
    (["12 Maret 2025 oleh admin"], "published", "2025-03-12", "id-news/credit.date-by"),
]


def test_credits_split_over_lines_give_their_metadata_and_go(cleaner: Cleaner) -> None:
    for lines, field, value, rule in SPLIT_CREDITS:
        article = clean(cleaner, *MENU, TITLE, *lines, P1, P2, P3, *FOOTER)
        assert getattr(article, field) == value, lines
        assert article.paragraphs == [P1, P2, P3], lines
        assert all(rules_of(article, line) == [rule] for line in lines), lines


def test_the_updated_time_is_not_the_publication_time(cleaner: Cleaner) -> None:
    lines = ["Oleh", "Liputan6.com", "pada 18 Jan 2019, 22:18 WIB", "Diperbarui", "07 Jun 2021, 20:56 WIB"]
    article = clean(cleaner, *MENU, TITLE, *lines, P1, P2, P3)
    assert article.published == "2019-01-18T22:18:00+07:00"
    assert article.authors == []  # an outlet is no author


def test_credit_lookalikes_stay(cleaner: Cleaner) -> None:
    lookalikes = [
        "Oleh karena itu, warga diminta waspada terhadap rob susulan pekan depan.",
        "Jakarta, 02 Jun 2020, 19:15 WIB",  # a place and a date: not a byline
    ]
    for line in lookalikes:
        article = clean(cleaner, P1, line, P2)
        assert article.authors == [], line
    assert clean(cleaner, P1, lookalikes[0], P2).paragraphs == [P1, lookalikes[0], P2]


def test_a_share_bar_split_over_lines_inside_the_article_is_a_link_list(cleaner: Cleaner) -> None:
    bar = ["Bagikan", "Facebook", "Twitter", "WhatsApp", "Salin Link"]
    article = clean(cleaner, TITLE, P1, *bar, P2, P3)
    assert article.paragraphs == [P1, P2, P3]
    assert rules_of(article, "Salin Link") == ["builtin/link-list"]


def test_short_list_items_of_the_article_stay(cleaner: Cleaner) -> None:
    numbered = ["1. Jalan Braga", "2. Jalan Merdeka", "3. Jalan Dipatiukur", "4. Jalan Asia Afrika"]
    three = ["Cibiru", "Ledeng", "Cibeureum"]
    for items in (numbered, three):
        article = clean(cleaner, *MENU, TITLE, P1, P2, *items, P3, *FOOTER)
        assert article.paragraphs == [P1, P2, *items, P3], items


def test_numbered_items_that_read_like_headlines_stay_a_most_read_list_goes(cleaner: Cleaner) -> None:
    # Capitalised, no full stop, four words: each reads like a headline, but the numbering
    # makes them the article's list. Numbered lines of headline length are a "most read" list.
    roads = [
        "1. Jalan Ahmad Yani–Martadinata",
        "2. Jalan Gatot Subroto Pelajar",
        "3. Jalan Talaga Bodas Raya",
    ]
    article = clean(cleaner, *MENU, TITLE, P1, P2, *roads, P3, *FOOTER)
    assert article.paragraphs == [P1, P2, *roads, P3]
    most_read = [f"{i}. Banjir Bandang Rendam Puluhan Rumah Warga di Kabupaten Nomor {i}" for i in (1, 2, 3)]
    article = clean(cleaner, TITLE, P1, P2, *most_read, P3)
    assert [rules_of(article, h) for h in most_read] == [["builtin/link-list"]] * 3


def test_a_tweet_ending_with_its_picture_link_goes_on_an_indonesian_site(cleaner: Cleaner) -> None:
    tweet = "Selamat Susanti! Kamu mengalahkan mereka di kandang sendiri. pic.twitter.com/f9HKnsvcVC"
    quoting = "Akun itu menulis pic.twitter.com/f9HKnsvcVC di bawah unggahannya, lalu menghapusnya pagi ini."
    article = clean(cleaner, TITLE, P1, tweet, P2, quoting, P3, url="https://www.liputan6.com/bola/read/1/x")
    assert rules_of(article, tweet) == ["id-news/tweet-text"]
    assert quoting in article.paragraphs  # the link inside a sentence is not a tweet's end
    # A site without its own rules may be any site of the web: the tweet is left alone there.
    assert tweet in clean(cleaner, TITLE, P1, tweet, P2, P3).paragraphs


def test_a_desk_code_ends_the_article_even_above_a_promo_that_reads_like_prose(cleaner: Cleaner) -> None:
    promo = "Banyak orang hebat di sekitar kita. Kisah mereka layak dibagikan agar jadi inspirasi bagi semua."
    article = clean(cleaner, *MENU, TITLE, P1, P2, P3, "(mdk/yan)", promo, *FOOTER)
    assert article.paragraphs == [P1, P2, P3]
    assert rules_of(article, "(mdk/yan)") == ["id-news/end-code-line"]
    assert rules_of(article, promo) == ["builtin/footer-zone"]
    # Most of the article after a line like a desk code: it does not end there.
    article = clean(cleaner, *MENU, TITLE, P1, "(abc)", P2, P3, *FOOTER)
    assert article.paragraphs[-2:] == [P2, P3]


def test_an_unknown_stop_list_is_a_rule_error_naming_the_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from cleaner.errors import RuleError
    from cleaner.rules import load_rules

    from .conftest import REPO

    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    (rules / "contoh.id.yaml").write_text(
        "extends: [id-news]\nstoplists: [Indonesain]\nmatch:\n  domains: [contoh.id]\n"
    )
    try:
        load_rules(rules)
    except RuleError as exc:
        assert (
            "contoh.id.yaml: key 'stoplists[0]': unknown stop list 'Indonesain'; did you mean 'Indonesian'?"
            in str(exc)
        )
    else:
        raise AssertionError("an unknown stop list was accepted")


def test_a_short_lead_with_a_dateline_opens_the_article(cleaner: Cleaner) -> None:
    lead = "JAKARTA, KOMPAS.com - Harga cabai naik lagi."
    article = clean(cleaner, *MENU, TITLE, lead, P1, P2, P3, *FOOTER, url="https://www.kompas.com/x")
    assert article.paragraphs == ["Harga cabai naik lagi.", P1, P2, P3]
    assert article.dateline == "JAKARTA"


def test_a_short_lead_sentence_right_above_the_prose_is_kept(cleaner: Cleaner) -> None:
    article = clean(cleaner, *MENU, TITLE, "Harga cabai naik lagi.", P1, P2, P3, *FOOTER)
    assert article.paragraphs == ["Harga cabai naik lagi.", P1, P2, P3]


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_lowered_words_of_ascii_text_are_its_words_lowered(text: str) -> None:
    assert list(zones._lowered_words(text, zones.WORD.findall(text))) == zones.WORD.findall(text.lower())


def test_lowered_words_elsewhere_are_read_from_the_lowered_text() -> None:
    text = "İstanbul DAN Jakarta"  # "İ" lowers to "i" and a combining dot
    assert list(zones._lowered_words(text, zones.WORD.findall(text))) == zones.WORD.findall(text.lower())


SENTENCE_END = re.compile(r"[.!?…:;][\"”’')\]]*$")  # what a shape's ends_* stand for, as regexes
STATEMENT_END = re.compile(r"[.…][\"”’')\]]*$")


@given(st.text(alphabet=st.sampled_from(list("ab .!?…:;,\"”’')]\n([")), max_size=12))
def test_ends_answers_as_the_sentence_end_patterns(text: str) -> None:
    form = zones.shape(text, frozenset())
    assert (form.ends_sentence, form.ends_statement) == (
        bool(SENTENCE_END.search(text)),
        bool(STATEMENT_END.search(text)),
    )


OPEN_END = re.compile(r"[.!?…][\"”’')\]]*$")  # what a line must not end with for the next to go on from it


@given(st.text(alphabet=st.sampled_from(list("ab .!?…:;,\"”’')]\n([")), max_size=12))
def test_a_final_mark_answers_as_the_open_end_pattern(text: str) -> None:
    assert (zones._last_mark(text) in zones.FINAL_MARKS) == bool(OPEN_END.search(text))
