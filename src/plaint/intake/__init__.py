"""Receiving a complaint: open the case, derive its deadlines, triage it."""
