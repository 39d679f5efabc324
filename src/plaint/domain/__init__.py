"""The pure core of Plaint: rules with no framework, no database and no clock.

Nothing in this package may import Django (an import-linter contract checks it). Callers
pass in the time (`now`, `today`) and any calendars; the domain never reads them itself.
"""
