"""Plaint's settings for the API bench: the same, with the per-token rate limit out of the
way (the bench measures the work of a request, not the limiter's refusals)."""

from plaint.config.settings import *  # noqa: F403

PLAINT_API_RATE_LIMIT = 1_000_000_000
