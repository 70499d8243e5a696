"""Facilitator accounts: signing in and out, first set-up, one-time password links, admin."""
