"""Each rule class removes its clutter and keeps the body lines that only look like clutter."""

from __future__ import annotations

import pytest

from cleaner import Cleaner

LEAD = "Pemerintah menetapkan kebijakan baru soal subsidi energi pada Rabu (19/6/2024)."
BODY = "Kebijakan itu berlaku mulai bulan depan di seluruh provinsi."


def clean(cleaner: Cleaner, *lines: str, **kwargs: str):  # type: ignore[no-untyped-def]
    return cleaner.clean_text("\n".join(lines), **kwargs)


def removed_by(article, rule: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.text for r in article.removed if r.rule == rule]


# --- hard negatives: real sentences that look like clutter --------------------------------

HARD_NEGATIVES = [
    "Sumber daya alam Indonesia harus dikelola untuk kemakmuran rakyat.",
    "Sumber daya manusia menjadi kunci, kata dia.",
    "Baca Al-Quran setiap hari menjadi kebiasaan para santri di pesantren itu.",
    "Baca juga buku-buku sejarah agar tidak mudah termakan hoaks, pesannya.",
    "Editor senior majalah itu menolak berkomentar.",
    "Penulis buku itu mengaku terinspirasi dari kisah kakeknya.",
    "Penulis, kata dia, harus jujur pada pembaca.",
    '"Kami terus memantau perkembangan terkini di lapangan," ujar Kapolres.',
    "Informasi terkini lainnya akan disampaikan melalui konferensi pers.",
    "Berita terkait kasus itu beredar luas di media sosial sejak pekan lalu.",
    "Hak cipta lagu itu dimiliki oleh label rekaman asal Jakarta.",
    "Sidang dilanjutkan pada Kamis (20/6/2024).",
    "Usulan itu datang dari fraksi Partai Demokrasi Indonesia Perjuangan (PDIP)",
    "Iklan rokok dilarang tampil di media luar ruang sejak tahun lalu.",
    "Cek fakta yang beredar di TikTok menunjukkan video itu hasil suntingan.",
    "Foto: dokumentasi keluarga itu kini disimpan di museum daerah, katanya.",
    "Halaman rumah warga terendam air setinggi lutut.",
    "Oleh karena itu, pemerintah meminta warga tetap tenang.",
    "Tag nama peserta dibagikan panitia sejak pagi.",
    "Editor: saya tidak pernah menerima laporan itu, katanya kepada wartawan.",
    "Populer di kalangan anak muda, tren itu menyebar cepat.",
    "Inflasi Juni naik 0,2 persen secara bulanan (Sumber: BPS).",
    "Menurut data terbaru, inflasi naik. Harga beras ikut naik (Sumber: BPS)",
    "The council asked residents to subscribe to its newsletter.",
    "Subscribe to the newsletter was the most common answer in the survey of 2,000 readers, the report said.",
    "Readers who sign up for the newsletter get early access. Subscribers also get a discount.",
    "Read more about the average cost of movers in the report below.",
    "Related stories have been told for years, she said.",
    "See also the appendix of the report for the full figures.",
    "Follow the money on Facebook, investigators said.",
    "He asked fans to follow him on Instagram.",
    "Don't miss the last train, the station master warned.",
    "The account was fake. Follow him on Twitter and you will see the posts stopped in May. Police said so.",
]


@pytest.mark.parametrize("line", HARD_NEGATIVES)
def test_hard_negative_survives_in_the_middle(cleaner: Cleaner, line: str) -> None:
    article = clean(cleaner, LEAD, line, BODY)
    assert line in article.paragraphs, article.removed


@pytest.mark.parametrize("line", HARD_NEGATIVES)
def test_hard_negative_survives_as_the_last_paragraph(cleaner: Cleaner, line: str) -> None:
    article = clean(cleaner, LEAD, BODY, line)
    assert article.paragraphs[-1] == line, article.removed


# --- line rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Baca juga: Harga Beras Naik Lagi",
        "Baca Juga : Harga Beras Naik Lagi",
        "BACA JUGA: Harga Beras Naik Lagi",
        "Baca juga :\u00a0 Harga Beras Naik Lagi",
        "Simak juga: Video Banjir Bandang",
        "Baca juga - Harga Beras Naik Lagi",
        "Baca Juga",
    ],
)
def test_baca_juga_lines(cleaner: Cleaner, line: str) -> None:
    article = clean(cleaner, LEAD, line, BODY)
    assert article.paragraphs == [LEAD, BODY]
    assert article.removed[0].rule.startswith("id-news/baca-juga")


@pytest.mark.parametrize(
    "line",
    [
        "ADVERTISEMENT",
        "SCROLL TO CONTINUE WITH CONTENT",
        "Halaman 1 2 3",
        "Halaman Selanjutnya",
        "Bagikan: Facebook Twitter WhatsApp",
        "Tags: subsidi energi, BBM, APBN",
        "Copyright © 2024 Contoh Media. All rights reserved.",
        "Ikuti berita terkini dari Contoh di Google News, klik di sini.",
        "Simak breaking news dan berita pilihan kami langsung di ponselmu di WhatsApp Channel.",
        "***",
        "Sign up for our newsletter",
        "Get the latest updates right in your inbox. Subscribe to Contoh.com's newsletters.",
        "Want more from us? Sign up for our newsletter, The Selection, and shop smarter.",
        "Read More",
        "Continue reading »",
        "Also read: Meta chief AI scientist thinks LLMs are a waste of time",
        "Related: The 15 Weirdest Galaxies in Our Universe",
        "READ MORE: Should you offer green cleaning services?",
        "SEE MORE: Hong Kong protests: 800 students under siege in university",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "Follow me on instagram: @talkinghomerenovations",
        "Have a tip? Jane Doe may be reached at jdoe@example.com. Follow her on Twitter @jdoe or on Facebook.",
        "Her book on the harbour is out now. Follow her on Twitter @jdoe.",
    ],
)
def test_clutter_lines(cleaner: Cleaner, line: str) -> None:
    assert clean(cleaner, LEAD, line, BODY).paragraphs == [LEAD, BODY]


def test_a_short_caption_with_its_source_goes_and_gives_the_credit(cleaner: Cleaner) -> None:
    article = clean(cleaner, LEAD, "Tanda Pria Jatuh Cinta (Sumber: Pixabay)", BODY)
    assert article.paragraphs == [LEAD, BODY]
    assert article.image_credits == ["Pixabay"]


def test_credit_lines_become_metadata(cleaner: Cleaner) -> None:
    article = clean(
        cleaner,
        LEAD,
        BODY,
        "Penulis: Budi Santoso, Rina Marlina dan Ahmad Yani.",
        "Editor: Dewi Lestari",
        "Sumber: Antara",
        "Foto: ANTARA/Sigid Kurniawan",
    )
    assert article.paragraphs == [LEAD, BODY]
    assert article.authors == ["Budi Santoso", "Rina Marlina", "Ahmad Yani"]
    assert article.editors == ["Dewi Lestari"]
    assert article.sources == ["Antara"]
    assert article.image_credits == ["ANTARA/Sigid Kurniawan"]
    assert article.found_by["authors"] == "id-news/credit.author"


def test_author_and_editor_on_one_line(cleaner: Cleaner) -> None:
    article = clean(cleaner, LEAD, BODY, "Penulis : Haryo Jati Editor : Tito-Dirhantoro")
    assert (article.authors, article.editors) == (["Haryo Jati"], ["Tito-Dirhantoro"])


# --- cut markers ----------------------------------------------------------------------


def test_cut_marker_drops_everything_after(cleaner: Cleaner) -> None:
    article = clean(
        cleaner, LEAD, BODY, "Terkini Lainnya", "Judul Lain Satu", "Penulis: Orang Lain", "Tautan Sahabat"
    )
    assert article.paragraphs == [LEAD, BODY]
    assert article.authors == []  # credit lines of other articles below the marker are not ours
    assert {r.kind for r in article.removed} == {"cut"}


def test_cut_marker_first_never_empties_the_page(cleaner: Cleaner) -> None:
    article = clean(cleaner, "Terkini Lainnya", LEAD, BODY)
    assert article.paragraphs == [LEAD, BODY]


# --- prefixes: datelines and stamps -----------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "dateline"),
    [
        ("JAKARTA, KOMPAS.com - " + LEAD, "JAKARTA"),
        ("Jakarta, CNN Indonesia -- " + LEAD, "JAKARTA"),
        ("BANDUNG - " + LEAD, "BANDUNG"),
        ("Pyongyang – " + LEAD, "PYONGYANG"),
        ("JAKARTA (ANTARA) - " + LEAD, "JAKARTA"),
    ],
)
def test_datelines(cleaner: Cleaner, lead: str, dateline: str) -> None:
    article = clean(cleaner, lead, BODY)
    assert article.paragraphs == [LEAD, BODY]
    assert article.dateline == dateline


def test_dateline_only_in_the_lead(cleaner: Cleaner) -> None:
    middle = "Jakarta - Bandung ditempuh tiga jam saat libur panjang, kata petugas."
    assert clean(cleaner, LEAD, middle, BODY).paragraphs == [LEAD, middle, BODY]


def test_lead_without_dateline_is_untouched(cleaner: Cleaner) -> None:
    lead = "Presiden Joko Widodo meresmikan bendungan baru di Jawa Tengah."
    article = clean(cleaner, lead, BODY)
    assert article.paragraphs == [lead, BODY] and article.dateline is None


def test_domain_prefix_names_the_site(cleaner: Cleaner) -> None:
    article = clean(cleaner, "Contohberita.com – " + LEAD, BODY)
    assert article.paragraphs == [LEAD, BODY]
    assert article.site == "contohberita.com"


def test_domain_stamp_only_at_the_top(cleaner: Cleaner) -> None:
    article = clean(cleaner, "contohberita.com", "", LEAD, BODY, "Situsnya kini pindah ke", "baru.com")
    assert article.site == "contohberita.com"
    assert article.paragraphs[-1] == "baru.com"


# --- spans: end codes and marks -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "source"),
    [(" (BBC/P-5)", "BBC"), (" (Ant/Z-2)", "Antara"), (" (X-15)", None), (" (ant/dwi)", None)],
)
def test_desk_codes_end_the_last_paragraph(cleaner: Cleaner, code: str, source: str | None) -> None:
    article = clean(cleaner, LEAD, BODY + code)
    assert article.paragraphs == [LEAD, BODY]
    assert article.sources == ([source] if source else [])


def test_desk_code_pattern_inside_the_body_is_kept(cleaner: Cleaner) -> None:
    middle = "Ia menyebut kode itu (P-5) dalam dokumen rahasia (BBC/P-5)"
    assert middle in clean(cleaner, LEAD, middle, BODY).paragraphs


def test_trailing_mark(cleaner: Cleaner) -> None:
    assert clean(cleaner, LEAD, BODY + "***").paragraphs == [LEAD, BODY]


# --- title, repeats and captions -----------------------------------------------------------


def test_title_repeats_and_caption_credit(cleaner: Cleaner) -> None:
    title = "Subsidi Energi Dipangkas Mulai Bulan Depan"
    article = clean(cleaner, title, "", title, title + " (Dok. Istimewa)", LEAD, BODY)
    assert article.title == title
    assert article.paragraphs == [LEAD, BODY]
    assert article.image_credits == ["Dok. Istimewa"]


def test_caption_pair_needs_a_repeat(cleaner: Cleaner) -> None:
    body = "Rapat dipimpin langsung oleh ketua umum partai (PDIP)"
    assert clean(cleaner, LEAD, body, BODY).paragraphs == [LEAD, body, BODY]


def test_a_first_sentence_is_not_a_title(cleaner: Cleaner) -> None:
    article = clean(cleaner, LEAD, BODY)
    assert article.title is None and article.paragraphs == [LEAD, BODY]


def test_published_date_with_zones(cleaner: Cleaner) -> None:
    for zone, offset in (("WIB", "+07:00"), ("WITA", "+08:00"), ("WIT", "+09:00")):
        text = f"Judul Berita\nKompas regional | 1 Mei 2024, 19:05 {zone}MAKASSAR, KOMPAS.TV - {LEAD}\n{BODY}"
        article = cleaner.clean_text(text)
        assert article.published == f"2024-05-01T19:05:00{offset}"
        assert article.dateline == "MAKASSAR"
        assert article.paragraphs[0] == LEAD


def test_impossible_date_is_not_a_match(cleaner: Cleaner) -> None:
    text = f"Judul Berita\nKompas regional | 31 Februari 2024, 19:05 WIBMAKASSAR, KOMPAS.TV - {LEAD}\n{BODY}"
    assert cleaner.clean_text(text).published is None


@pytest.mark.parametrize(
    ("shown", "iso"),
    [
        ("Rabu, 19 Juni 2024 | 10:05 WIB", "2024-06-19T10:05:00+07:00"),
        ("Diperbarui 19 Jun 2024, 10.05 WITA", "2024-06-19T10:05:00+08:00"),
        ("19/06/2024, 10:05 WIT", "2024-06-19T10:05:00+09:00"),
        ("Selasa, 2 Januari 2024", "2024-01-02"),
        ("30/02/2024", None),
        ("Dibaca 1.234 kali", None),
    ],
)
def test_visible_dates(cleaner: Cleaner, shown: str, iso: str | None) -> None:
    from cleaner.metadata import find_visible_date

    assert find_visible_date(shown, cleaner.rules.default) == iso


# --- conventions of the big Indonesian networks -------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "[Gambas:Video CNN]",
        "[Gambas:Video 20detik]",
        'Simak Video "Detik-detik Banjir Bandang Terjang Permukiman"',
        "Saksikan video pilihan di bawah ini:",
        "Halaman 2 dari 3",
        "1 2 3 Selanjutnya",
    ],
)
def test_network_clutter_lines(cleaner: Cleaner, line: str) -> None:
    assert clean(cleaner, LEAD, line, BODY).paragraphs == [LEAD, BODY]


def test_republished_from_names_the_original_publisher(cleaner: Cleaner) -> None:
    article = clean(
        cleaner,
        LEAD,
        BODY,
        "Artikel ini telah tayang di Tribunnews.com dengan judul Harga Beras Naik, https://www.tribunnews.com/x",
        url="https://jateng.tribunnews.com/a",
    )
    assert article.paragraphs == [LEAD, BODY]
    assert article.site == "tribunnews.com"  # the regional subdomain uses tribunnews rules
    assert article.original_publisher is None  # the site names itself: not a republication


def test_republished_from_on_a_mirror(cleaner: Cleaner) -> None:
    article = clean(
        cleaner, "contohmirror.com", LEAD, BODY, "Artikel ini telah tayang di Kompas.com dengan judul X"
    )
    assert article.original_publisher == "kompas.com"


@pytest.mark.parametrize(
    ("credit", "authors", "editors"),
    [
        (
            "Pewarta: Fathur Rochman Editor: Budi Suyanto Copyright © ANTARA 2024",
            ["Fathur Rochman"],
            ["Budi Suyanto"],
        ),
        ("Rep: Febryan A Red: Ratna Puspita", ["Febryan A"], ["Ratna Puspita"]),
        ("Reporter: Yulia Dwi | Editor: Hendra Gunawan", ["Yulia Dwi"], ["Hendra Gunawan"]),
        ("Laporan Wartawan Tribunnews.com, Reza Deni", ["Reza Deni"], []),
        ("Kontributor : Siti Aminah", ["Siti Aminah"], []),
    ],
)
def test_network_credit_blocks(cleaner: Cleaner, credit: str, authors: list[str], editors: list[str]) -> None:
    article = clean(cleaner, LEAD, BODY, credit)
    assert article.paragraphs == [LEAD, BODY]
    assert (article.authors, article.editors) == (authors, editors)


@pytest.mark.parametrize(
    ("caption", "credit"),
    [
        (
            "Warga melintasi genangan di Jalan Sudirman, Senin. (ANTARA FOTO/Aditya Pradana Putra/nym)",
            "ANTARA FOTO/Aditya Pradana Putra/nym",
        ),
        ("Petugas memeriksa tanggul yang jebol. (Foto: Humas Polres)", "Humas Polres"),
    ],
)
def test_caption_lines_with_credits(cleaner: Cleaner, caption: str, credit: str) -> None:
    article = clean(cleaner, LEAD, caption, BODY)
    assert article.paragraphs == [LEAD, BODY] and article.image_credits == [credit]


@pytest.mark.parametrize(
    "line",
    [
        "Simak pernyataan lengkapnya dalam video yang diunggah di akun resmi kementerian.",
        "Artikel ini ditulis berdasarkan wawancara dengan warga setempat.",
        "Laporan keuangan perusahaan itu dirilis pekan lalu.",
        "Halaman depan gedung itu dipenuhi karangan bunga.",
        "Selanjutnya, polisi akan memanggil saksi lain.",
        "Rep: kata itu sering dipakai di media sosial untuk menyebut pengulangan latihan.",
        "Anggaran itu naik dibandingkan tahun lalu (ANTARA, 2023) menurut data BPS, kata dia panjang sekali.",
    ],
)
def test_network_hard_negatives(cleaner: Cleaner, line: str) -> None:
    assert line in clean(cleaner, LEAD, line, BODY).paragraphs


def test_end_code_with_digits(cleaner: Cleaner) -> None:
    assert clean(cleaner, LEAD, BODY + " (mcr8/jpnn)").paragraphs == [LEAD, BODY]


def test_uppercase_domain_dateline(cleaner: Cleaner) -> None:
    for lead in ("TRIBUNNEWS.COM, JAKARTA - ", "REPUBLIKA.CO.ID, JAKARTA -- ", "Liputan6.com, Jakarta - "):
        article = clean(cleaner, lead + LEAD, BODY)
        assert article.paragraphs == [LEAD, BODY], lead
        assert article.dateline == "JAKARTA"


def test_unknown_mirror_joins_the_mirror_family(cleaner: Cleaner) -> None:
    text = "\n".join(
        [
            "cerminberita.com",
            "",
            "Judul Berita Cermin Hari Ini",
            LEAD,
            BODY,
            "Sumber: mediaindonesia.com",
            "Terkini Lainnya",
            "Judul lain",
            "Tautan Sahabat",
        ]
    )
    article = cleaner.clean_text(text)
    assert article.site == "cerminberita.com"
    assert article.original_publisher == "mediaindonesia.com"
    assert article.found_by["original_publisher"] == "mirror/source-domain"
    assert article.paragraphs == [LEAD, BODY]


def test_a_site_without_the_family_signature_stays_default(cleaner: Cleaner) -> None:
    article = cleaner.clean_text("\n".join(["contoh.com", LEAD, BODY, "Sumber: mediaindonesia.com"]))
    assert article.original_publisher is None  # no partner-link block: not taken for a mirror


# --- shared rules gathered from the site files ---------------------------------------------


@pytest.mark.parametrize(
    ("line", "published"),
    [
        ("Kamis, 11 Juli 2024 | 14:06 WIB", "2024-07-11T14:06:00+07:00"),
        ("15 Jul 2024, 10:35 WITA", "2024-07-15T10:35:00+08:00"),
        ("- Selasa, 15 Juli 2025 | 14:20 WIB", "2025-07-15T14:20:00+07:00"),
    ],
)
def test_date_line_fills_published(cleaner: Cleaner, line: str, published: str) -> None:
    article = clean(cleaner, line, LEAD, BODY)
    assert article.paragraphs == [LEAD, BODY] and article.published == published


@pytest.mark.parametrize(
    "line",
    [
        "Baca Juga Pemprov Sumbar Siapkan Rest Area di Jalur Mudik",
        "BACA JUGA Harga Cabai Turun Jelang Akhir Pekan",
        "Silakan baca konten menarik lainnya dari JPNN.com di Google News",
        "Follow WhatsApp Channel Okezone untuk update berita terbaru setiap hari",
        "2 dari 4 halaman",
        "A A A",
        "Petugas mengevakuasi warga dari lokasi banjir di Kabupaten Bandung, Senin (15/7/2024). ANTARA FOTO/Raisan Al Farisi/agr.",
        "Truk melintas di Tol Cipularang, Jawa Barat. Foto: Aditia Noviansyah/kumparan",
    ],
)
def test_shared_rules_from_the_sites(cleaner: Cleaner, line: str) -> None:
    assert clean(cleaner, LEAD, line, BODY).paragraphs == [LEAD, BODY]


def test_bare_label_takes_its_headline(cleaner: Cleaner) -> None:
    article = clean(cleaner, LEAD, "Baca Juga:", "Harga Cabai Turun Jelang Akhir Pekan", BODY)
    assert article.paragraphs == [LEAD, BODY]


def test_bare_label_leaves_a_sentence(cleaner: Cleaner) -> None:
    article = clean(cleaner, LEAD, "Baca juga", "Warga diminta tetap waspada terhadap cuaca ekstrem.", BODY)
    assert "Warga diminta tetap waspada terhadap cuaca ekstrem." in article.paragraphs


def test_lone_desk_code_after_the_last_sentence(cleaner: Cleaner) -> None:
    assert clean(cleaner, LEAD, BODY + " (fru)").paragraphs == [LEAD, BODY]
    kept = "Rapat itu dihadiri fraksi Partai Demokrasi Indonesia Perjuangan (PDIP)"
    assert clean(cleaner, LEAD, kept).paragraphs[-1] == kept


@pytest.mark.parametrize(
    "line",
    [
        "Baca juga buku sejarah agar paham konteksnya.",
        "Baca Juga, kata guru itu, adalah nama kelompok belajar mereka.",
        "A. Rahman menjadi saksi pertama dalam sidang itu.",
        "Foto: warga memadati alun-alun sejak pagi untuk menyaksikan upacara.",
        "Ia menyebut inflasi naik 2,5 persen (yoy)",
        "Kamis, 11 Juli 2024, menjadi hari bersejarah bagi warga desa itu.",
    ],
)
def test_hard_negatives_of_the_shared_additions(cleaner: Cleaner, line: str) -> None:
    assert line in clean(cleaner, LEAD, BODY, line).paragraphs


def test_dont_miss_takes_the_headlines_under_it(cleaner: Cleaner) -> None:
    article = clean(cleaner, LEAD, "DON'T MISS", "China Furious At Macron For Protest Jibe", BODY)
    assert article.paragraphs == [LEAD, BODY]
    assert {r.rule for r in article.removed} == {"web/dont-miss"}
