"""Protocol buffer primitives of the MVT encoder: varints one at a time and vectorised, length-delimited
fields, gathering many byte ranges of a buffer with numpy, and the Value message of a property value."""

from __future__ import annotations

import math
import struct

import numpy as np

PropertyValue = str | int | float | bool
_DOUBLE = struct.Struct("<d")


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_SMALL_VARINTS = [_varint(value) for value in range(1 << 14)]
"""The varints of 0 .. 2**14 - 1 (one and two bytes): the encoders ask for these most."""


def varint(value: int) -> bytes:
    """The varint bytes of one non-negative integer."""
    return _SMALL_VARINTS[value] if value < 0x4000 else _varint(value)


def field(tag: int, payload: bytes) -> bytes:
    """A length-delimited field: tag byte(s), length, payload."""
    return varint(tag) + varint(len(payload)) + payload


def varint_sizes(values: np.ndarray) -> np.ndarray:
    """Bytes of the varint of every non-negative int64 value."""
    values = np.asarray(values, dtype=np.int64)
    sizes = np.ones(len(values), dtype=np.int64)
    top = int(values.max()) if len(values) else 0
    for k in range(1, (top.bit_length() + 6) // 7):
        sizes += values >= 1 << (7 * k)
    return sizes


def encode_varints(values: np.ndarray, lead: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Varint bytes of non-negative integers below 2**63, and the byte offset of each value (n + 1).

    With ``lead`` (one byte per value, below 128: e.g. a one-byte key index before each value index) each
    value is written after its lead byte, and the offsets are those of the lead bytes.
    """
    values = np.asarray(values).astype(np.int64, copy=False)
    top = int(np.maximum.reduce(values)) if len(values) else 0
    width = max(1, (top.bit_length() + 6) // 7)
    if width == 1 and lead is None:
        return values.astype(np.uint8), np.arange(len(values) + 1)
    if width == 1:  # lead and value: two bytes each
        out = np.empty(2 * len(values), dtype=np.uint8)
        out[0::2], out[1::2] = lead, values
        return out, np.arange(0, len(out) + 1, 2)
    longer = [values >= 1 << (7 * k) for k in range(1, width)]  # longer[k - 1]: more than k bytes
    skip = 0 if lead is None else 1
    sizes = np.full(len(values), 1 + skip, dtype=np.int64)
    for more in longer:
        sizes += more
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.add.accumulate(sizes, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.uint8)
    if lead is not None:
        out[offsets[:-1]] = lead
    start = offsets[:-1] + skip
    out[start] = (values & 0x7F) | (longer[0] << 7) if longer else values
    for k in range(1, width):
        at = longer[k - 1].nonzero()[0]
        byte = (values[at] >> (7 * k)) & 0x7F
        if k < len(longer):
            byte |= longer[k][at] << 7
        out[start[at] + k] = byte
    return out, offsets


def ragged_indices(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions ``starts[i] .. starts[i] + lengths[i] - 1`` of every range, back to back."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    first = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=first[1:])
    return np.repeat(np.asarray(starts, dtype=np.int64) - first, lengths) + np.arange(total)


def take_ranges(buffer: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """The byte ranges ``buffer[starts[i]:stops[i]]``, concatenated."""
    return buffer[ragged_indices(starts, np.asarray(stops) - np.asarray(starts))]


def plain(value: object) -> PropertyValue | None:
    """A property value as str, bool, int or float; None for missing values (None, NaN) and other types."""
    kind = type(value)
    if kind is str or kind is bool or kind is int:
        return value  # type: ignore[return-value]
    if kind is float:
        return None if value != value else value  # type: ignore[return-value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    return None


def value_field(value: PropertyValue) -> bytes:
    """A Layer.values entry (tag 4): the Value message with its field tag and length."""
    return field(0x22, _value_message(value))


def _value_message(value: PropertyValue) -> bytes:
    if isinstance(value, str):
        return field(0x0A, value.encode())  # string_value = 1
    if isinstance(value, bool):
        return b"\x38" + (b"\x01" if value else b"\x00")  # bool_value = 7
    if isinstance(value, int) and -(1 << 63) <= value < (1 << 64):
        if value < 0:
            return b"\x30" + varint((value << 1) ^ (value >> 63))  # sint_value = 6
        if value >= 1 << 63:
            return b"\x28" + varint(value)  # uint_value = 5
        return b"\x20" + varint(value)  # int_value = 4
    return b"\x19" + _DOUBLE.pack(float(value))  # double_value = 3


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if byte < 0x80:
            return value, at


def decode_value_field(data: bytes) -> PropertyValue:
    """The value of a Layer.values field as ``value_field`` writes it."""
    _, at = _read_varint(data, 1)  # tag 0x22, then the message length
    tag, at = data[at], at + 1
    if tag == 0x19:
        return _DOUBLE.unpack_from(data, at)[0]
    if tag == 0x0A:
        length, at = _read_varint(data, at)
        return data[at : at + length].decode()
    if tag == 0x38:
        return bool(data[at])
    number, _ = _read_varint(data, at)
    if tag == 0x30:
        return (number >> 1) ^ -(number & 1)
    return number
