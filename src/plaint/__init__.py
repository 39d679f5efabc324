"""Plaint: a complaints and disputes desk.

`plaint.domain` holds the rules (pure Python); the Django apps around it hold data and
interfaces. See docs/architecture.md.
"""

__version__ = "0.1.0"
