"""Triage rules that need no model and no database: legal-risk flags with their evidence,
PII masking, the urgency score, the category taxonomies and the evaluation arithmetic."""
