"""Segments: defining them, and reading their members, history and sizes."""
