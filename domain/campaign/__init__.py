"""Campaigns: a personalised message to a segment, decided per recipient at send time."""
