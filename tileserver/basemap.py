"""The basemap the deployer configures (``BAROMETER_BASEMAP``), checked once when the app starts.

One of: a MapLibre style URL, an XYZ raster template (``{z}``, ``{x}``, ``{y}``), a PMTiles archive by URL,
or a PMTiles file inside the data folder, which the app serves itself (``/basemap/<name>``, with range
requests) so that nothing leaves the municipality's own servers. Unset: the light default, drawn from the
dataset's own municipality boundaries and names. Anything else is refused with an error naming the setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from indicators.model import BarometerError

SETTING = "BAROMETER_BASEMAP"


class BasemapError(BarometerError):
    """A basemap setting that is not an http(s) URL or a PMTiles file inside the data folder."""


@dataclass(frozen=True)
class Basemap:
    kind: str
    """``default``, ``style``, ``xyz`` or ``pmtiles``."""
    url: str = ""
    """The style URL, the XYZ template, or the PMTiles URL (empty for a local file: see ``file``)."""
    file: Path | None = None
    """A PMTiles file in the data folder, served at ``/basemap/<file.name>``."""

    def to_json(self, base: str) -> dict:
        """What the page needs; ``base`` is the app's public URL (for the file it serves)."""
        if self.kind == "default":
            return {"kind": "default"}
        url = f"{base}/basemap/{self.file.name}" if self.file else self.url
        return {"kind": self.kind, "url": url}


def parse(value: object, data: object) -> Basemap:
    """The basemap of a setting; ``data`` is the data folder (a local file must be inside it)."""
    text = str(value or "").strip()
    if not text:
        return Basemap("default")
    parts = urlsplit(text)
    if parts.scheme in ("http", "https"):
        if not parts.netloc:
            raise BasemapError(f"{SETTING}={text!r}: the URL names no host")
        if all(f"{{{k}}}" in text for k in "zxy"):
            return Basemap("xyz", text)
        if parts.path.endswith(".pmtiles"):
            return Basemap("pmtiles", text)
        return Basemap("style", text)
    if parts.scheme and len(parts.scheme) > 1:  # not a Windows drive letter
        raise BasemapError(
            f"{SETTING}={text!r}: only http(s) URLs or a .pmtiles file inside the data folder are accepted"
        )
    if not data:
        raise BasemapError(f"{SETTING}={text!r}: a basemap file needs a data folder (BAROMETER_DATA)")
    folder = Path(str(data)).resolve()
    path = (folder / text).resolve()
    if not path.is_relative_to(folder):
        raise BasemapError(f"{SETTING}={text!r}: the file must be inside the data folder {folder}")
    if path.suffix != ".pmtiles":
        raise BasemapError(f"{SETTING}={text!r}: a basemap file must be a PMTiles archive (.pmtiles)")
    if not path.is_file():
        raise BasemapError(f"{SETTING}={text!r}: no such file {path}")
    with path.open("rb") as handle:
        if handle.read(7) != b"PMTiles":
            raise BasemapError(f"{SETTING}={text!r}: {path} is not a PMTiles archive")
    return Basemap("pmtiles", file=path)
