"""The survey read model's tables and the indexes behind every filter of its queries.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema. Every
``seq`` is the log position of the event that created the row, so a rebuild numbers rows the
same way (a sequence would not: a conflicting insert still consumes a value).

Responses carry their segment (region, channel, product version, loyalty tier) frozen at
response time; invitations carry the same segment frozen at the time they were first issued,
so response rates can be filtered by the same dimensions. Aspect scores, comments and terms
join their response by ``response_id`` and are filtered through it.

The rollups hold counts and sums only (no customer id, no text), per UTC day and segment, so
trends and breakdowns cost the number of days and segments rather than of responses (see
:mod:`projections.surveys.rollups`). Each comes in two shapes with the same columns:
``*_slices`` keep one row per (level, survey, day, value of that level's dimension), with
``level`` 'all' (no dimension) or one of channel, region, product_version, tier and the other
dimension columns NULL; ``*_cube`` keeps one row per (survey, day, channel, region,
product_version, tier). A query reads the smallest one that answers its filter and grouping.

The slices also count distinct people per row (``respondents``, ``invitees``: a person once
per survey, UTC day and value of the level), kept through the presence tables
``survey_respondent_days`` and ``survey_invitee_days``: one row per person and cube cell they
answered or were invited in (a row is new only the first time). They hold customer ids, so
erasure deletes the erased person's presence rows; the counts stay, as the responses do.
"""

DDL = """
    CREATE TABLE IF NOT EXISTS survey_catalog (
        survey_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        kind text NOT NULL,
        title text NOT NULL,
        question text NOT NULL,
        aspects jsonb NOT NULL,
        product_version text,
        channels text[] NOT NULL,
        status text NOT NULL,
        drafted_at timestamptz NOT NULL,
        published_at timestamptz,
        closed_at timestamptz,
        version bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS survey_catalog_status_idx ON survey_catalog (status, seq);

    CREATE TABLE IF NOT EXISTS survey_customer_regions (
        customer_id uuid PRIMARY KEY,
        region text
    );

    CREATE TABLE IF NOT EXISTS survey_member_tiers (
        account_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL UNIQUE,
        tier text NOT NULL
    );

    CREATE TABLE IF NOT EXISTS survey_invitations (
        invitation_id uuid PRIMARY KEY,
        survey_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        channel text NOT NULL,
        region text,
        tier text,
        product_version text,
        issued_at timestamptz NOT NULL,
        responded_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS survey_invitations_survey_idx
        ON survey_invitations (survey_id, issued_at);
    CREATE INDEX IF NOT EXISTS survey_invitations_issued_idx ON survey_invitations (issued_at);
    CREATE INDEX IF NOT EXISTS survey_invitations_region_idx
        ON survey_invitations (region, issued_at);
    CREATE INDEX IF NOT EXISTS survey_invitations_channel_idx
        ON survey_invitations (channel, issued_at);
    CREATE INDEX IF NOT EXISTS survey_invitations_tier_idx
        ON survey_invitations (tier, issued_at);
    CREATE INDEX IF NOT EXISTS survey_invitations_version_idx
        ON survey_invitations (product_version, issued_at);

    CREATE TABLE IF NOT EXISTS survey_responses (
        response_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        survey_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        kind text NOT NULL,
        score integer NOT NULL,
        nps_category text,
        channel text NOT NULL,
        region text,
        product_version text,
        tier text,
        responded_at timestamptz NOT NULL,
        completion_seconds double precision NOT NULL
    );
    CREATE INDEX IF NOT EXISTS survey_responses_survey_idx
        ON survey_responses (survey_id, responded_at);
    CREATE INDEX IF NOT EXISTS survey_responses_responded_idx
        ON survey_responses (responded_at);
    CREATE INDEX IF NOT EXISTS survey_responses_region_idx
        ON survey_responses (region, responded_at);
    CREATE INDEX IF NOT EXISTS survey_responses_channel_idx
        ON survey_responses (channel, responded_at);
    CREATE INDEX IF NOT EXISTS survey_responses_tier_idx
        ON survey_responses (tier, responded_at);
    CREATE INDEX IF NOT EXISTS survey_responses_version_idx
        ON survey_responses (product_version, responded_at);
    CREATE INDEX IF NOT EXISTS survey_responses_customer_idx
        ON survey_responses (customer_id, seq);

    CREATE TABLE IF NOT EXISTS survey_aspect_scores (
        response_id uuid NOT NULL,
        aspect text NOT NULL,
        score integer NOT NULL,
        PRIMARY KEY (response_id, aspect)
    );

    CREATE TABLE IF NOT EXISTS survey_comments (
        response_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        comment text,
        sentiment double precision
    );
    CREATE INDEX IF NOT EXISTS survey_comments_customer_idx ON survey_comments (customer_id);

    CREATE TABLE IF NOT EXISTS survey_comment_terms (
        response_id uuid NOT NULL,
        term text NOT NULL,
        PRIMARY KEY (response_id, term)
    );
    CREATE INDEX IF NOT EXISTS survey_comment_terms_term_idx
        ON survey_comment_terms (term, response_id);

    CREATE TABLE IF NOT EXISTS survey_response_slices (
        level text NOT NULL,
        survey_id uuid NOT NULL,
        day timestamptz NOT NULL,
        channel text,
        region text,
        product_version text,
        tier text,
        responses bigint NOT NULL,
        promoters bigint NOT NULL,
        passives bigint NOT NULL,
        detractors bigint NOT NULL,
        csat_responses bigint NOT NULL,
        csat_satisfied bigint NOT NULL,
        ces_responses bigint NOT NULL,
        ces_score_sum bigint NOT NULL,
        completion_seconds_sum double precision NOT NULL,
        respondents bigint NOT NULL,
        UNIQUE NULLS NOT DISTINCT (level, survey_id, day, channel, region, product_version, tier)
    );
    CREATE TABLE IF NOT EXISTS survey_response_cube (
        survey_id uuid NOT NULL,
        day timestamptz NOT NULL,
        channel text,
        region text,
        product_version text,
        tier text,
        responses bigint NOT NULL,
        promoters bigint NOT NULL,
        passives bigint NOT NULL,
        detractors bigint NOT NULL,
        csat_responses bigint NOT NULL,
        csat_satisfied bigint NOT NULL,
        ces_responses bigint NOT NULL,
        ces_score_sum bigint NOT NULL,
        completion_seconds_sum double precision NOT NULL,
        UNIQUE NULLS NOT DISTINCT (survey_id, day, channel, region, product_version, tier)
    );
    CREATE TABLE IF NOT EXISTS survey_invitation_slices (
        level text NOT NULL,
        survey_id uuid NOT NULL,
        day timestamptz NOT NULL,
        channel text,
        region text,
        product_version text,
        tier text,
        invitations bigint NOT NULL,
        invitees bigint NOT NULL,
        UNIQUE NULLS NOT DISTINCT (level, survey_id, day, channel, region, product_version, tier)
    );
    CREATE TABLE IF NOT EXISTS survey_invitation_cube (
        survey_id uuid NOT NULL,
        day timestamptz NOT NULL,
        channel text,
        region text,
        product_version text,
        tier text,
        invitations bigint NOT NULL,
        UNIQUE NULLS NOT DISTINCT (survey_id, day, channel, region, product_version, tier)
    );
    CREATE TABLE IF NOT EXISTS survey_respondent_days (
        customer_id uuid NOT NULL,
        survey_id uuid NOT NULL,
        day timestamptz NOT NULL,
        channel text,
        region text,
        product_version text,
        tier text,
        UNIQUE NULLS NOT DISTINCT (customer_id, survey_id, day, channel, region, product_version,
            tier)
    );
    CREATE TABLE IF NOT EXISTS survey_invitee_days (
        customer_id uuid NOT NULL,
        survey_id uuid NOT NULL,
        day timestamptz NOT NULL,
        channel text,
        region text,
        product_version text,
        tier text,
        UNIQUE NULLS NOT DISTINCT (customer_id, survey_id, day, channel, region, product_version,
            tier)
    );
"""

TABLES = (
    "survey_catalog",
    "survey_customer_regions",
    "survey_member_tiers",
    "survey_invitations",
    "survey_responses",
    "survey_aspect_scores",
    "survey_comments",
    "survey_comment_terms",
    "survey_response_slices",
    "survey_response_cube",
    "survey_invitation_slices",
    "survey_invitation_cube",
    "survey_respondent_days",
    "survey_invitee_days",
)
