"""Storyline tracking: which articles belong to which storyline, and which report a new development."""
