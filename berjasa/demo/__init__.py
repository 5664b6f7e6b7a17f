"""Synthetic landing data for demos and tests: realistic department files with known faults,
and a truth file saying what the pipeline must decide for every row."""

from berjasa.demo.generate import DemoSummary, generate_demo_data

__all__ = ["DemoSummary", "generate_demo_data"]
