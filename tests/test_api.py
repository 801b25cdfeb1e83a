"""The library surface ingestion jobs rely on."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import ThreadPoolExecutor

import cleaner
from cleaner import Article, Cleaner

from .conftest import REPO

TEXT = (REPO / "seeds" / "000_dc11ff0526b04c86.txt").read_text(encoding="utf-8")
KEYS = {
    "text", "paragraphs", "title", "authors", "editors", "sources", "published", "dateline", "site",
    "original_publisher", "image_credits", "url", "removed",
}  # fmt: skip


def test_module_function_and_to_dict() -> None:
    article = cleaner.clean_text(TEXT)
    assert isinstance(article, Article)
    record = article.to_dict()
    assert set(record) >= KEYS
    assert json.loads(json.dumps(record)) == record
    assert record["removed"][0].keys() >= {"rule", "text"}
    assert article.text == "\n\n".join(article.paragraphs)


def test_cleaner_pickles_and_gives_the_same_result(cleaner: Cleaner) -> None:
    clone = pickle.loads(pickle.dumps(cleaner))
    assert clone.clean_text(TEXT).to_dict() == cleaner.clean_text(TEXT).to_dict()


def test_threads_share_one_cleaner(cleaner: Cleaner) -> None:
    expected = cleaner.clean_text(TEXT).to_dict()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: cleaner.clean_text(TEXT).to_dict(), range(40)))
    assert all(r == expected for r in results)


def test_site_from_url_subdomain_and_argument(cleaner: Cleaner) -> None:
    body = "Isi berita pertama yang panjang.\nIsi berita kedua."
    assert cleaner.clean_text(body, url="https://video.kompas.tv/a/1").site == "kompas.tv"
    assert cleaner.clean_text(body, url="https://www.contoh.co.id/a").site == "contoh.co.id"
    assert cleaner.clean_text(body, site="kompas.tv").site == "kompas.tv"
    assert cleaner.clean_text(body).site is None


def test_url_is_carried(cleaner: Cleaner) -> None:
    assert cleaner.clean_text("Satu dua tiga.", url="https://kompas.tv/x").url == "https://kompas.tv/x"


def test_empty_text_gives_empty_status(cleaner: Cleaner) -> None:
    article = cleaner.clean_text("  \n\n")
    assert article.status == "empty" and article.paragraphs == [] and article.text == ""
