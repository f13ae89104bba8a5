"""The referral funnel read model: invitations, conversions and what became of them."""
