"""Tables of the referral funnel read model (unqualified names: rebuild makes them in a shadow
schema, then swaps).

Each row remembers the log position of the last event applied to it (``last_seq``): an update
only applies an event past it, so applying an event twice changes nothing.
"""

from __future__ import annotations

TABLES = (
    "referral_referrers",
    "referral_invitations",
    "referral_invitee_customers",
    "referral_referrals",
)

DDL = """
    CREATE TABLE IF NOT EXISTS referral_referrers (
        customer_id uuid PRIMARY KEY,
        referrer_id uuid NOT NULL UNIQUE,
        code text NOT NULL,
        code_expires_at timestamptz NOT NULL,
        revoked boolean NOT NULL DEFAULT false,
        issued_at timestamptz NOT NULL,
        last_seq bigint NOT NULL
    );

    -- ``variant`` (the email without dots and +tags, personal data like ``email``) matches
    -- the invited person with the customer who later registers.
    CREATE TABLE IF NOT EXISTS referral_invitations (
        seq bigint PRIMARY KEY,
        referrer_id uuid NOT NULL,
        invitee_id uuid NOT NULL,
        email text,
        variant text,
        invited_at timestamptz NOT NULL,
        converted_friend_id uuid
    );
    CREATE INDEX IF NOT EXISTS referral_invitations_referrer_idx
        ON referral_invitations (referrer_id, seq);
    CREATE INDEX IF NOT EXISTS referral_invitations_at_idx ON referral_invitations (invited_at);
    CREATE INDEX IF NOT EXISTS referral_invitations_variant_idx
        ON referral_invitations (variant);
    CREATE INDEX IF NOT EXISTS referral_invitations_invitee_idx
        ON referral_invitations (invitee_id);
    CREATE INDEX IF NOT EXISTS referral_invitations_converted_idx
        ON referral_invitations (converted_friend_id);

    -- Only customers who registered with an invited email's variant are kept here.
    CREATE TABLE IF NOT EXISTS referral_invitee_customers (
        customer_id uuid PRIMARY KEY,
        variant text NOT NULL,
        last_seq bigint NOT NULL
    );

    CREATE TABLE IF NOT EXISTS referral_referrals (
        referral_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        referrer_id uuid NOT NULL,
        friend_id uuid NOT NULL UNIQUE,
        code text NOT NULL,
        converted_at timestamptz NOT NULL,
        qualified_at timestamptz,
        qualifying_order_id text,
        rewarded_at timestamptz,
        referrer_points integer,
        friend_points integer,
        reversed_at timestamptz,
        reversal_rule text,
        flags text[] NOT NULL DEFAULT '{}',
        last_seq bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS referral_referrals_referrer_idx
        ON referral_referrals (referrer_id, seq);
    CREATE INDEX IF NOT EXISTS referral_referrals_converted_idx
        ON referral_referrals (converted_at);
"""
