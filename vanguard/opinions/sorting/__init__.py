"""Sorting (梳理): gathered opinions attached to their subject, aspect and kind,
merged or set aside; further rounds of solicitation; and the opinion dashboard."""
