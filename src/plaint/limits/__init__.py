"""Limits on what any one client or organisation may do in a window of time: one atomic
counter per (scope, key, window), shared by every interface."""
