"""Feedback outside surveys: suggestions, complaints, compliments and questions."""
