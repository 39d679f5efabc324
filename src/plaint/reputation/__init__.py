"""Reputation watch: public reviews, their sentiment and flags, the weekly trend beside
terminations and complaint spikes, alerts and drafted public replies."""
