"""Evaluation commands that print figures: `python -m newsassets.evaluate {extraction,dedup} DIR`."""
