"""Compressed JSONL streams, told by the file name: gzip (`.gz`) and Zstandard (`.zst`, the
form many LLM corpora ship in). Read and written as streams, never whole in memory.

A stream that ends early is an error (EOFError) in both: Python's gzip raises it, and the
Zstandard reader here checks that every frame it began was finished; zstandard's own
stream_reader returns a cut-short file's bytes without a word.
"""

from __future__ import annotations

import gzip
import io
import zlib
from typing import IO, Any

COMPRESSIONS = (".gz", ".zst")
ZSTD_LEVEL = 3  # zstd's default: about gzip -6's size at several times its speed
BLOCK = 1 << 16
PIECE = 1 << 10


def compression_of(name: str) -> str | None:
    """ ".gz" or ".zst" when the name ends with it (any case), else None."""
    lowered = name.lower()
    return next((suffix for suffix in COMPRESSIONS if lowered.endswith(suffix)), None)


def stream_errors() -> tuple[type[Exception], ...]:
    """What reading a corrupt or cut-short compressed stream raises."""
    import zstandard

    return (OSError, EOFError, zlib.error, zstandard.ZstdError)  # gzip.BadGzipFile is an OSError


def reader(stream: IO[bytes], name: str) -> IO[bytes]:
    """`stream` decompressed as `name` says; itself when the name tells no compression."""
    kind = compression_of(name)
    if kind == ".gz":
        return gzip.GzipFile(fileobj=stream)  # type: ignore[return-value]  # a GzipFile is an IO[bytes]
    if kind == ".zst":
        return io.BufferedReader(_ZstdReader(stream), BLOCK)
    return stream


def writer(raw: IO[bytes], name: str) -> IO[bytes]:
    """A stream compressing into `raw` as `name` says (itself when it tells none). Closing it
    ends the compressed stream and leaves `raw` open."""
    kind = compression_of(name)
    if kind == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)  # type: ignore[return-value]
    if kind == ".zst":
        import zstandard

        compressed: IO[bytes] = zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(raw, closefd=False)
        return compressed
    return raw


class _ZstdReader(io.RawIOBase):
    """The frames of a Zstandard stream, one after another, and EOFError when the stream
    ends inside one. Compressed bytes go in PIECE at a time: a frame can inflate over
    30,000-fold, so no piece becomes more than about 32 MB."""

    def __init__(self, stream: IO[bytes]):
        import zstandard

        self._stream = stream
        self._context = zstandard.ZstdDecompressor()
        self._frame: Any = None  # the frame being read; None between frames
        self._input = memoryview(b"")  # read, not yet decompressed
        self._output = b""  # decompressed, handed out up to self._given
        self._given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._given >= len(self._output):
            if not self._input:
                self._input = memoryview(self._stream.read(BLOCK))
                if not self._input:
                    if self._frame is not None:
                        raise EOFError("the zstd stream ends inside a frame: the file is cut short")
                    return 0
            piece, self._input = self._input[:PIECE], self._input[PIECE:]
            self._output, self._given = self._decompress(piece), 0
        size = min(len(buffer), len(self._output) - self._given)
        buffer[:size] = self._output[self._given : self._given + size]
        self._given += size
        return size

    def _decompress(self, piece: memoryview) -> bytes:
        if self._frame is None:
            self._frame = self._context.decompressobj()
        out = self._frame.decompress(piece)
        if self._frame.eof:  # the frame ended inside this piece: the rest starts the next one
            rest, self._frame = self._frame.unused_data, None
            self._input = memoryview(bytes(rest) + bytes(self._input))
        return out  # type: ignore[no-any-return]
