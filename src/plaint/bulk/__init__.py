"""Bulk actions of the desk over many cases (assign, priority, transition, note, export).

Each case is changed through its own per-case service, so it gets its own ledger event in
the same transaction as its change; a large job runs on the worker in resumable chunks."""
