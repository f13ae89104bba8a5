"""The enhancement priorities read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.
A product version of '' stands for "no version" (an answer or feedback given without one),
so that the version can be part of a primary key; the API never accepts '' as a version.

- ``theme_priority_answers``: every NPS answer (its person, version and 0-10 score), and
  ``theme_priority_totals`` their count, sum and sum of squares per version, kept in the
  statement that records the answer: the "everyone" side of each theme's NPS impact.
- ``theme_priority_mentions``: which theme each comment or feedback mentions, by whom (the
  data subject: a customer, or an anonymous sender's email), under which version, and the
  NPS score given with it (NULL for feedback and other kinds of survey). These rows are drawn
  from a person's words, so erasing the person deletes theirs.
- ``theme_priority_status``: the latest decision on a theme (planned, done) and its note.
"""

DDL = """
    CREATE TABLE IF NOT EXISTS theme_priority_answers (
        response_id uuid PRIMARY KEY,
        subject_id uuid NOT NULL,
        product_version text NOT NULL,
        score smallint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS theme_priority_answers_version_idx
        ON theme_priority_answers (product_version, subject_id);

    CREATE TABLE IF NOT EXISTS theme_priority_totals (
        product_version text PRIMARY KEY,
        answers bigint NOT NULL,
        score_sum bigint NOT NULL,
        score_squares bigint NOT NULL
    );

    CREATE TABLE IF NOT EXISTS theme_priority_mentions (
        source_id uuid NOT NULL,
        theme text NOT NULL,
        subject_id uuid NOT NULL,
        product_version text NOT NULL,
        score smallint,
        PRIMARY KEY (source_id, theme)
    );
    CREATE INDEX IF NOT EXISTS theme_priority_mentions_theme_idx
        ON theme_priority_mentions (theme, subject_id);
    CREATE INDEX IF NOT EXISTS theme_priority_mentions_version_idx
        ON theme_priority_mentions (product_version, theme);
    CREATE INDEX IF NOT EXISTS theme_priority_mentions_subject_idx
        ON theme_priority_mentions (subject_id);

    CREATE TABLE IF NOT EXISTS theme_priority_status (
        theme text PRIMARY KEY,
        priority_id uuid NOT NULL UNIQUE,
        status text NOT NULL,
        note text NOT NULL,
        decided_at timestamptz NOT NULL,
        seq bigint NOT NULL
    );
"""

TABLES = (
    "theme_priority_answers",
    "theme_priority_totals",
    "theme_priority_mentions",
    "theme_priority_status",
)

NO_VERSION = ""
"""The version key of what was given without a product version."""
