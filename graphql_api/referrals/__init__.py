"""Referrals: codes, invitations, conversions, the funnel, and the Customer 360 part."""
