"""Reactions between aggregates: process managers that close the loop with customers."""
