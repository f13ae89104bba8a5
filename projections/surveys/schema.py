"""The survey read model's tables and the indexes behind every filter of its queries.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema. Every
``seq`` is the log position of the event that created the row, so a rebuild numbers rows the
same way (a sequence would not: a conflicting insert still consumes a value).

Responses carry their segment (region, channel, product version, loyalty tier) frozen at
response time; invitations carry the same segment frozen at the time they were first issued,
so response rates can be filtered by the same dimensions. Aspect scores, comments and terms
join their response by ``response_id`` and are filtered through it.
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
)
