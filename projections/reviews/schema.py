"""The product reviews read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.
``title``, ``body`` and ``shown_name`` are the reviewer's personal data: an erasure sets them
to NULL and keeps the rating, so the product's figures do not change. ``seq`` is the position
of the review's first writing (its place in a product's list); ``last_seq`` the last event
applied to the row, so an event applied twice changes nothing.
"""

DDL = """
    CREATE TABLE IF NOT EXISTS product_reviews (
        review_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        sku text NOT NULL,
        customer_id uuid NOT NULL,
        rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
        title text,
        body text,
        shown_name text,
        verified_order_id text,
        status text NOT NULL,
        reason text,
        written_at timestamptz NOT NULL,
        edited_at timestamptz,
        moderated_at timestamptz,
        last_seq bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS product_reviews_sku_idx ON product_reviews (sku, status, seq);
    CREATE INDEX IF NOT EXISTS product_reviews_status_idx ON product_reviews (status, seq);
    CREATE INDEX IF NOT EXISTS product_reviews_customer_idx ON product_reviews (customer_id);

    CREATE TABLE IF NOT EXISTS review_order_skus (
        order_id text NOT NULL,
        sku text NOT NULL,
        customer_id uuid NOT NULL,
        PRIMARY KEY (order_id, sku)
    );
    CREATE INDEX IF NOT EXISTS review_order_skus_customer_idx
        ON review_order_skus (customer_id, sku);
"""

TABLES = ("product_reviews", "review_order_skus")
