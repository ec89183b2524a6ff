"""Deal intelligence: buyer contacts with consent, a deal brief per conversation, accounts and their buying
committee, CRM export and webhooks, and segments of where conversations came from."""
