"""Surveys (NPS, CSAT, CES), the invitations that carry their links, and the responses."""
