"""The customer portal: file a complaint, follow it through a private link, add to it,
escalate it."""
