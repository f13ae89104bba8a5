"""Pieces every aggregate shares: personal-data marker, event metadata, base errors."""
