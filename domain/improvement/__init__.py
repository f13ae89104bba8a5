"""Improvements announced to the customers whose feedback asked for them."""
