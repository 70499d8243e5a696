"""Conversations: prepare, list, the facilitator console, capture and ratings."""
