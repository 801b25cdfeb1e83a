"""Fetch throughput benchmark against a local server with a fixed latency.

A threaded HTTP/1.1 server on 127.0.0.1 answers every request after a fixed delay (50 ms by
default, requests served concurrently) with a ~10 KB page. The same N pages (200 by default)
are fetched by:

  - a plain sequential loop over httpx.Client.get (the baseline);
  - cleaner's Fetcher at concurrency 1, 8 and 32, without a per-host limit (per_host equal
    to the concurrency) and with per_host 4; min_delay 0 in both, robots.txt obeyed
    (the server answers it with a 404, which allows everything);
  - for reference at 8 and 32, a bare httpx.AsyncClient with a semaphore: what the machine and
    the local server allow without any politeness or retry machinery.

The server runs in its own process (spawn), so it does not share the client's GIL.

Each run must fetch every page; the table shows pages per second side by side, with the
bound the latency alone sets (slots / latency). Only 127.0.0.1 is contacted.

Usage::

    .venv/bin/python bench/fetch_bench.py [--pages N] [--latency MS] [--concurrency 1,8,32]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized

import httpx

from cleaner import Fetcher, FetchSettings

PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Berita</title></head><body><article>"
    + "<p>Pemerintah kota mulai menerapkan sistem ganjil genap di lima ruas jalan utama.</p>" * 120
    + "</article></body></html>"
).encode()
PER_HOST_LIMIT = 4


def make_handler(latency: float, hits: Synchronized[int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real server
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:
            time.sleep(latency)
            with hits.get_lock():
                hits.value += 1
            if self.path == "/robots.txt":
                status, body = 404, b"not found"
            else:
                status, body = 200, PAGE
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def serve(latency: float, hits: Synchronized[int], ports: Queue[int]) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(latency, hits))
    server.daemon_threads = True
    server.request_queue_size = 128  # 32 connections opening at once must not overflow the backlog
    ports.put(server.server_port)
    server.serve_forever()


@contextmanager
def local_server(latency: float, hits: Synchronized[int]) -> Iterator[str]:
    """The server in its own process: sharing the client's GIL would slow both and blur the numbers."""
    context = multiprocessing.get_context("spawn")
    ports: Queue[int] = context.Queue()
    process = context.Process(target=serve, args=(latency, hits, ports), daemon=True)
    process.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=30)}"
    finally:
        process.terminate()
        process.join()


def httpx_loop(urls: Sequence[str]) -> int:
    fetched = 0
    with httpx.Client() as client:
        for url in urls:
            response = client.get(url)
            fetched += response.status_code == 200 and len(response.content) > 0
    return fetched


def httpx_gather(urls: Sequence[str], concurrency: int) -> int:
    """Reference: a bare httpx.AsyncClient with a semaphore, no politeness, retries or robots.txt."""

    async def run() -> int:
        slots = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(limits=limits) as client:

            async def get(url: str) -> bool:
                async with slots:
                    response = await client.get(url)
                    return response.status_code == 200 and len(response.content) > 0

            return sum(await asyncio.gather(*(get(url) for url in urls)))

    return asyncio.run(run())


def fetcher_run(urls: Sequence[str], settings: FetchSettings) -> int:
    async def run() -> int:
        return sum([result.ok async for result in Fetcher(settings).fetch_many(urls)])

    return asyncio.run(run())


def timed(run: Callable[[], int], expected: int) -> float:
    """Pages per second of one run; every page must have been fetched."""
    started = time.perf_counter()
    fetched = run()
    seconds = time.perf_counter() - started
    if fetched != expected:
        raise SystemExit(f"only {fetched} of {expected} pages fetched")
    return fetched / seconds


COLUMNS = (
    "Fetcher, no per-host limit",
    f"Fetcher, per-host {PER_HOST_LIMIT}",
    "httpx.AsyncClient + semaphore",
    "httpx.Client loop",
)


def measure(urls: Sequence[str], level: int) -> list[float | None]:
    """Pages/s of each column at one concurrency level (None: not run at this level)."""
    unlimited = FetchSettings(concurrency=level, per_host=level, min_delay=0)
    limited = FetchSettings(concurrency=level, per_host=PER_HOST_LIMIT, min_delay=0)
    return [
        timed(partial(fetcher_run, urls, unlimited), len(urls)),
        timed(partial(fetcher_run, urls, limited), len(urls)),
        # At concurrency 1 the sequential loop is the reference; gathering would only repeat it.
        timed(partial(httpx_gather, urls, level), len(urls)) if level > 1 else None,
        timed(partial(httpx_loop, urls), len(urls)) if level == 1 else None,
    ]


def render(rows: dict[int, list[float | None]], latency: float) -> str:
    width = max(map(len, COLUMNS))
    lines = ["concurrency  " + "  ".join(f"{name:>{width}}" for name in COLUMNS)]
    for level, speeds in rows.items():
        slots = (level, min(level, PER_HOST_LIMIT), level, 1)
        cells = [
            f"{speed:.1f} ({n / latency:.0f})" if speed is not None else "-"
            for speed, n in zip(speeds, slots, strict=True)
        ]
        lines.append(f"{level:>11}  " + "  ".join(f"{cell:>{width}}" for cell in cells))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--latency", type=float, default=50.0, help="server latency per request, ms")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated levels")
    args = parser.parse_args(argv)
    latency = args.latency / 1000
    levels = [int(level) for level in args.concurrency.split(",")]
    hits = multiprocessing.get_context("spawn").Value("i", 0)
    with local_server(latency, hits) as base:
        urls = [f"{base}/news/{n}" for n in range(args.pages)]
        rows = {level: measure(urls, level) for level in levels}
    print(
        f"Fetch benchmark: {args.pages} pages of {len(PAGE) // 1000} KB from 127.0.0.1, "
        f"{args.latency:.0f} ms server latency per request, {hits.value} requests served.\n"
        "Pages/s; in brackets the bound the latency sets (requests in flight / latency).\n"
    )
    print(render(rows, latency))


if __name__ == "__main__":
    main()
