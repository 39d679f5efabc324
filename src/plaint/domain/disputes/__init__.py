"""Pure rules of disputes: contact restrictions, ombudsman and ADR referral windows, the
Financial Ombudsman Service eligibility questions. No Django, no clock."""
