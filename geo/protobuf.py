"""Protocol buffer primitives of the MVT encoder: varints, length-delimited fields, and the Value message of
a property value (encoded once per distinct value; geo._mvt copies them into tiles)."""

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


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    """The varint at ``at`` and the offset after it."""
    value = shift = 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if byte < 0x80:
            return value, at


def decode_value_field(data: bytes) -> PropertyValue:
    """The value of a Layer.values field as ``value_field`` writes it."""
    _, at = read_varint(data, 1)  # tag 0x22, then the message length
    tag, at = data[at], at + 1
    if tag == 0x19:
        return _DOUBLE.unpack_from(data, at)[0]
    if tag == 0x0A:
        length, at = read_varint(data, at)
        return data[at : at + length].decode()
    if tag == 0x38:
        return bool(data[at])
    number, _ = read_varint(data, at)
    if tag == 0x30:
        return (number >> 1) ^ -(number & 1)
    return number
