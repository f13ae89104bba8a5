"""Referrals: codes, invitations of friends, conversion and qualification, two-sided rewards
paid once, and fraud rules that can be re-applied to past conversions."""
