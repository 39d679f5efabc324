"""Regulator returns as pure functions over case facts: the reporting period, and the
FCA complaints return (`fca`). No Django, no clock: callers pass the facts and the period."""
