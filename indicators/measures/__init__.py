"""Derived measures: områdestyper, ojämlikhetsindex, segregation indices, comparisons and aggregation.

Pure functions over plain pandas/numpy inputs; see docs/measures.md for definitions and sources.
"""
