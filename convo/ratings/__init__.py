"""Ratings: each party scores the relationship privately (service), both sides are compared
and their differences found (compare), and drawn as a chart (chart)."""
