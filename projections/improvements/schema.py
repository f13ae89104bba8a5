"""The improvements read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.
Nothing here is personal: ids, scores, and staff's announcements. The NPS answers are this
read model's own copy (customer, category, when), so it rebuilds alone from the log.
"""

DDL = """
    CREATE TABLE IF NOT EXISTS improvement_announcements (
        improvement_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        topic_kind text NOT NULL,
        topic text NOT NULL,
        product_version text NOT NULL,
        message text NOT NULL,
        announced_at timestamptz NOT NULL,
        audience_size integer NOT NULL
    );

    CREATE TABLE IF NOT EXISTS improvement_audience (
        improvement_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        PRIMARY KEY (improvement_id, customer_id)
    );

    CREATE TABLE IF NOT EXISTS improvement_notices (
        notice_id uuid PRIMARY KEY,
        improvement_id uuid NOT NULL
    );
    CREATE INDEX IF NOT EXISTS improvement_notices_improvement_idx
        ON improvement_notices (improvement_id);

    CREATE TABLE IF NOT EXISTS improvement_nps_answers (
        response_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        nps_category text NOT NULL,
        responded_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS improvement_nps_answers_customer_idx
        ON improvement_nps_answers (customer_id, responded_at);
"""

TABLES = (
    "improvement_announcements",
    "improvement_audience",
    "improvement_notices",
    "improvement_nps_answers",
)
