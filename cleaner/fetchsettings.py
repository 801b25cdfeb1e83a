"""How to fetch: the settings of a Fetcher, apart from the fetcher so that the command line
can show their defaults without loading httpx."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from . import __version__


def _httpx_version() -> str:
    try:
        return metadata.version("httpx")
    except metadata.PackageNotFoundError:
        return "unknown"


DEFAULT_USER_AGENT = f"cleaner/{__version__} (news page archiver; python-httpx/{_httpx_version()})"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How to fetch. Passed to a Fetcher; nothing is read from globals."""

    concurrency: int = 8  # requests in flight, all hosts together
    per_host: int = 2  # requests in flight to one host
    min_delay: float = 1.0  # seconds between the starts of two requests to one host
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest silence while waiting for response bytes
    deadline: float = 120.0  # longest a whole request may take, from sending it to the body's last byte
    max_bytes: int = 10 * 1024 * 1024  # a larger (decoded) body is abandoned as "too large"
    max_redirects: int = 10
    user_agent: str = DEFAULT_USER_AGENT
    attempts: int = 4  # tries per request, the first included
    backoff_base: float = 0.5  # first retry wait in seconds, doubling (with jitter) after that
    backoff_max: float = 30.0
    max_wait: float = 120.0  # cap on a Retry-After or robots.txt Crawl-delay a server asks for
    respect_robots: bool = True

    def __post_init__(self) -> None:
        for name in ("concurrency", "per_host", "max_bytes", "attempts"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("min_delay", "backoff_base", "backoff_max", "max_wait", "max_redirects"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.connect_timeout <= 0 or self.read_timeout <= 0 or self.deadline <= 0:
            raise ValueError("timeouts must be positive")
        if not self.user_agent.strip():
            raise ValueError("user_agent must not be empty")
