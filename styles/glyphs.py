"""Map label glyphs: signed distance field (SDF) glyph ranges in MapLibre's PBF format, from a TrueType font.

MapLibre asks for ``{fontstack}/{start}-{end}.pbf`` (256 code points each) and draws labels from the SDF
bitmaps in them. The parameters are tiny-sdf's and MapLibre's: 24 px glyphs, a 3 px buffer around each,
distances up to 8 px, the glyph edge at 0.25 of the range (value 191). A glyph is rasterised four times
larger by Pillow (FreeType), its inside and outside distances come from scipy's exact Euclidean distance
transform, and the signed distance is averaged back to 24 px. The cmap (which code points the font has)
comes from fontTools.

``python -m styles.glyphs OUT`` writes ``OUT/<fontstack>/<range>.pbf`` (and a gzip copy) for the ranges
Swedish place names need; ``./dev`` and the Dockerfile run it after the web build.
"""

from __future__ import annotations

import gzip
import math
import sys
import unicodedata
from pathlib import Path

import numpy as np

from geo.protobuf import field, varint

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
"""Debian's fonts-dejavu-core."""
FONTSTACK = "DejaVu Sans"
"""The name styles give in ``text-font``; the served folder has this name."""
RANGES = (0, 256, 8192)
"""Starts of the ranges written: Latin-1 (Swedish), Latin Extended-A (Sami, Finnish, names from abroad),
General Punctuation (en and em dashes, quotes). Other ranges are served empty."""
SIZE, BUFFER, RADIUS, CUTOFF = 24, 3, 8, 0.25
SCALE = 4
"""Supersampling of the rasterised glyph before the distance transform."""


def range_name(start: int) -> str:
    return f"{start}-{start + 255}"


def glyph_range(name: str, start: int, glyphs: list[bytes]) -> bytes:
    """A ``glyphs`` message holding one ``fontstack`` of the range starting at ``start``."""
    stack = field(0x0A, name.encode()) + field(0x12, range_name(start).encode())
    stack += b"".join(field(0x1A, g) for g in glyphs)
    return field(0x0A, stack)


def _sint(value: int) -> bytes:
    return varint((value << 1) ^ (value >> 31))


def glyph_message(code: int, bitmap: bytes, size: tuple[int, int], left: int, top: int, advance: int):
    """One ``glyph``: id, SDF bitmap ((width + 6) × (height + 6) bytes), metrics in 24 px units."""
    width, height = size
    out = b"\x08" + varint(code) + (field(0x12, bitmap) if bitmap else b"")
    out += b"\x18" + varint(width) + b"\x20" + varint(height)
    return out + b"\x28" + _sint(left) + b"\x30" + _sint(top) + b"\x38" + varint(advance)


class GlyphMaker:
    """Renders SDF glyphs of one font."""

    def __init__(self, font: Path = FONT) -> None:
        from fontTools.ttLib import TTFont  # build time only: the server needs none of these
        from PIL import ImageFont

        self.font = ImageFont.truetype(str(font), SIZE * SCALE, layout_engine=ImageFont.Layout.BASIC)
        tt = TTFont(str(font), lazy=True)
        self.cmap = set(tt.getBestCmap())
        self.ascender = round(tt["hhea"].ascent * SIZE / tt["head"].unitsPerEm)

    def glyph(self, code: int) -> bytes | None:
        """The glyph message of ``code``, or None when the font has no glyph for it."""
        if code not in self.cmap or unicodedata.category(chr(code)) == "Cc":
            return None
        from PIL import Image, ImageDraw
        from scipy.ndimage import distance_transform_edt

        char = chr(code)
        advance = round(self.font.getlength(char) / SCALE)
        x0, y0, x1, y1 = self.font.getbbox(char, anchor="ls")
        left, right = math.floor(x0 / SCALE), math.ceil(x1 / SCALE)
        top, bottom = math.floor(y0 / SCALE), math.ceil(y1 / SCALE)  # y down, baseline at 0
        width, height = right - left, bottom - top
        if width <= 0 or height <= 0:  # space and other blank glyphs: metrics only
            return glyph_message(code, b"", (0, 0), 0, 0, advance)
        w, h = width + 2 * BUFFER, height + 2 * BUFFER
        image = Image.new("L", (w * SCALE, h * SCALE), 0)
        origin = ((BUFFER - left) * SCALE, (BUFFER - top) * SCALE)
        ImageDraw.Draw(image).text(origin, char, font=self.font, fill=255, anchor="ls")
        inside = np.asarray(image) >= 128
        distance = distance_transform_edt(~inside) - distance_transform_edt(inside)  # > 0 outside
        distance = distance.reshape(h, SCALE, w, SCALE).mean(axis=(1, 3)) / SCALE
        sdf = np.clip(np.rint(255 - 255 * (distance / RADIUS + CUTOFF)), 0, 255).astype(np.uint8)
        return glyph_message(code, sdf.tobytes(), (width, height), left, -top - self.ascender, advance)

    def range(self, start: int, name: str = FONTSTACK) -> bytes:
        found = (self.glyph(code) for code in range(start, start + 256))
        return glyph_range(name, start, [g for g in found if g is not None])


def write(out: Path, font: Path = FONT, name: str = FONTSTACK) -> list[Path]:
    """Write the ranges of :data:`RANGES` (and gzip copies) into ``out/<name>/``; returns the files."""
    maker = GlyphMaker(font)
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for start in RANGES:
        path = folder / f"{range_name(start)}.pbf"
        body = maker.range(start, name)
        path.write_bytes(body)
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(body, 9, mtime=0))
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m styles.glyphs OUT_FOLDER")
    files = write(Path(sys.argv[1]))
    print(f"wrote {len(files)} glyph ranges of {FONTSTACK} into {sys.argv[1]}")
