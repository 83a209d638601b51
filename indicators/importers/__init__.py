"""Readers that turn users' value files (CSV, XLSX, PxWeb JSON-stat2, Kolada JSON) into the value table."""

from indicators.importers.common import ValueImport
from indicators.importers.reader import FORMATS, guess_format, read_values

__all__ = ["FORMATS", "ValueImport", "guess_format", "read_values"]
