"""Files as downloaded: ``.gz`` and ``.zip`` unpacked on the fly, the text encoding found, line ends evened.

A zip may hold one data file (``.csv``, ``.txt``, ``.tsv``, ``.xlsx``, ``.json``) beside notes and folders.
Text is UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else Windows-1252 (what Swedish
Excel saves), else Latin-1. Line ends ``\\n``, ``\\r\\n``, ``\\r`` and ``\\r\\r\\n`` (a Windows round trip
of an export) all become ``\\n``. Everything streams: no file is held in memory whole.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from indicators.model import InputError

DATA_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".json", ".jsonstat")
CHUNK = 1 << 20
_LINE_ENDS = re.compile(r"\r+\n|\r")


@dataclass(frozen=True)
class Source:
    """One data file: the path on disk and, for a zip, the member that holds the data."""

    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        """The data file's own name (``values.csv`` of ``values.csv.gz`` or of a zip's member)."""
        if self.member is not None:
            return Path(self.member).name
        return self.path.stem if self.path.suffix.lower() == ".gz" else self.path.name

    @property
    def where(self) -> str:
        """The name errors give: the file, and the member of a zip."""
        return f"{self.path.name}:{self.member}" if self.member else self.path.name

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def open(self) -> BinaryIO:
        """The data as a binary stream, unpacked."""
        if self.member is not None:
            return _Member(zipfile.ZipFile(self.path), self.member)
        if self.path.suffix.lower() == ".gz":
            return gzip.open(self.path, "rb")  # type: ignore[return-value]
        return self.path.open("rb")

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            try:
                return handle.read()
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                raise InputError(f"cannot unpack: {exc}", file=self.where) from exc


class _Member(io.BufferedReader):
    """A zip member's stream that closes its zip file too."""

    def __init__(self, book: zipfile.ZipFile, member: str) -> None:
        self._book = book
        super().__init__(book.open(member))  # type: ignore[arg-type]

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._book.close()


def source_of(path: Path) -> Source:
    """The data inside a file: itself, its ``.gz`` content, or the one data file of a ``.zip``."""
    if path.suffix.lower() != ".zip":
        return Source(path)
    try:
        with zipfile.ZipFile(path) as book:
            names = [
                info.filename
                for info in book.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and Path(info.filename).suffix.lower() in DATA_SUFFIXES
            ]
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a readable zip file: {exc}", file=path.name) from exc
    if len(names) != 1:
        found = f"several: {names}" if names else "none"
        raise InputError(
            f"a zip must hold exactly one data file ({', '.join(DATA_SUFFIXES)}); it holds {found}: "
            "unpack it and import the file you mean",
            file=path.name,
        )
    return Source(path, names[0])


def encoding_of(source: Source) -> str:
    """``utf-8-sig`` when all bytes decode as UTF-8, else ``cp1252``, else ``latin-1`` (read in chunks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with source.open() as handle:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read or unpack: {exc}", file=source.where) from exc
    decoder = codecs.getincrementaldecoder("cp1252")()
    try:
        with source.open() as handle:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def text_chunks(source: Source, encoding: str, progress: object = None) -> Iterator[str]:
    """The decoded text in chunks with every line end as ``\\n``; ``progress.update(n)`` gets bytes read."""
    decoder = codecs.getincrementaldecoder(encoding)()
    carry = ""
    with source.open() as handle:
        while True:
            chunk = handle.read(CHUNK)
            if progress is not None:
                progress.update(len(chunk))  # type: ignore[attr-defined]
            text = carry + decoder.decode(chunk, final=not chunk)
            # a chunk ending in \r may be half of \r\n or \r\r\n: keep it for the next chunk
            stripped = text.rstrip("\r") if chunk else text
            carry = text[len(stripped) :]
            if stripped:
                yield _LINE_ENDS.sub("\n", stripped) if "\r" in stripped else stripped
            if not chunk:
                return


def lines_of(chunks: Iterator[str]) -> Iterator[str]:
    """The lines (ending in ``\\n``) of text chunks."""
    rest = ""
    for chunk in chunks:
        lines = (rest + chunk).split("\n")
        rest = lines.pop()
        for line in lines:
            yield line + "\n"
    if rest:
        yield rest + "\n"


def read_text(source: Source, encoding: str) -> str:
    return "".join(text_chunks(source, encoding))


def describe_encoding(encoding: str) -> str | None:
    """The report line for an encoding other than UTF-8."""
    return {
        "cp1252": "not UTF-8: read as Windows-1252 (Latin-1)",
        "latin-1": "not UTF-8: read as Latin-1 (ISO-8859-1)",
    }.get(encoding)


class TextReader(io.RawIOBase):
    """A binary stream of UTF-8 from text chunks (what pyarrow's CSV reader reads)."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(target)
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk.encode("utf-8")
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        target[: len(out)] = out
        return len(out)
