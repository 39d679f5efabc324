"""Deadlines that are law, not guesses.

Rules live in regime files (`regimes/*.toml`), one per regime, each rule with its source
and a last-verified date. `engine.derive` computes a case's deadlines from its facts and
explains every step; calendars come in from the caller, and so does the time.
"""
