"""The product affinity read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.

``affinity_purchases`` holds one row per customer and product they ever bought, and
``affinity_aspects`` each customer's latest score per survey aspect: both are about a person,
and an erasure deletes their rows. ``affinity_products`` (buyers per product, its category) and
``affinity_pairs`` (customers who bought both products, kept in both directions so that a
lookup from either side is one index range) are anonymous aggregates: they stay after an
erasure, as a product's sales figures do. Counts are ``bigint`` (a product bought by more than
2**31 customers still counts); skus and categories are the purchase slice's (64 characters).
"""

DDL = """
    CREATE TABLE IF NOT EXISTS affinity_purchases (
        customer_id uuid NOT NULL,
        sku text NOT NULL,
        PRIMARY KEY (customer_id, sku)
    );

    CREATE TABLE IF NOT EXISTS affinity_products (
        sku text PRIMARY KEY,
        category text,
        customers bigint NOT NULL DEFAULT 0
    );

    CREATE TABLE IF NOT EXISTS affinity_pairs (
        sku text NOT NULL,
        other_sku text NOT NULL,
        customers bigint NOT NULL,
        PRIMARY KEY (sku, other_sku)
    );

    CREATE TABLE IF NOT EXISTS affinity_aspects (
        customer_id uuid NOT NULL,
        aspect text NOT NULL,
        score smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
        last_seq bigint NOT NULL,
        PRIMARY KEY (customer_id, aspect)
    );
"""

TABLES = ("affinity_purchases", "affinity_products", "affinity_pairs", "affinity_aspects")
