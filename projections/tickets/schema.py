"""The ticket read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.

- ``tickets``: one row per ticket, as of its latest event (``version``): its requester (a
  customer, ``customer_id``; or an anonymous person, no customer and ``requester_email``),
  ``subject_id`` whose erasure empties its texts, its state, the
  periods in which each SLA clock ran and the SLA terms it was opened under, so a query computes
  the clocks at any instant; the figures the metrics read (business seconds to the first
  response and to the latest resolution, whether that stayed within the target, reopens); and
  per clock, as of the latest event, whether it runs, when it is due and when it starts to be
  breached (only while running), and whether it has breached, so SQL finds the tickets breached
  or due at any later instant.
- ``ticket_timeline``: one row per ticket event (``seq`` is its log position), with its actor,
  whether the customer sees it, its text, details, and both clocks as of that step.

Applying an event twice is a no-op: a ticket event changes the row only when its version is
the next one, and a timeline row is keyed by its log position.
"""

TABLES = ("tickets", "ticket_timeline")

DDL = """
    CREATE TABLE IF NOT EXISTS tickets (
        ticket_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        version bigint NOT NULL,
        customer_id uuid,
        subject_id uuid NOT NULL,
        requester text NOT NULL,
        requester_email text,
        channel text NOT NULL,
        category text NOT NULL,
        subject text,
        description text,
        priority text NOT NULL,
        status text NOT NULL,
        assignee text,
        escalation_level bigint NOT NULL DEFAULT 0,
        opened_at timestamptz NOT NULL,
        first_response_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        reopen_count bigint NOT NULL DEFAULT 0,
        source jsonb,
        terms jsonb NOT NULL,
        first_response_periods jsonb NOT NULL,
        resolution_periods jsonb NOT NULL,
        breaches text[] NOT NULL DEFAULT '{}',
        first_response_seconds double precision,
        resolution_seconds double precision,
        resolved_within_sla boolean,
        first_response_running boolean NOT NULL,
        first_response_due_at timestamptz,
        first_response_breaching_at timestamptz,
        first_response_breached boolean NOT NULL,
        resolution_running boolean NOT NULL,
        resolution_due_at timestamptz,
        resolution_breaching_at timestamptz,
        resolution_breached boolean NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tickets_status_idx ON tickets (status, seq);
    CREATE INDEX IF NOT EXISTS tickets_priority_idx ON tickets (priority, seq);
    CREATE INDEX IF NOT EXISTS tickets_assignee_idx ON tickets (assignee, seq);
    CREATE INDEX IF NOT EXISTS tickets_customer_idx ON tickets (customer_id, seq);
    CREATE INDEX IF NOT EXISTS tickets_subject_idx ON tickets (subject_id);
    CREATE INDEX IF NOT EXISTS tickets_requester_idx ON tickets (requester, seq);
    CREATE INDEX IF NOT EXISTS tickets_category_idx ON tickets (category, seq);
    CREATE INDEX IF NOT EXISTS tickets_channel_idx ON tickets (channel, seq);
    CREATE INDEX IF NOT EXISTS tickets_opened_idx ON tickets (opened_at);
    CREATE INDEX IF NOT EXISTS tickets_first_response_idx ON tickets (first_response_at)
        WHERE first_response_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS tickets_resolved_idx ON tickets (resolved_at)
        WHERE resolved_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS tickets_active_idx ON tickets (assignee, status)
        WHERE status IN ('new', 'open', 'on_hold');
    CREATE INDEX IF NOT EXISTS tickets_breached_idx ON tickets (seq)
        WHERE first_response_breached OR resolution_breached OR cardinality(breaches) > 0;
    CREATE INDEX IF NOT EXISTS tickets_first_response_check_idx
        ON tickets (first_response_breaching_at)
        WHERE NOT ('first_response' = ANY(breaches))
          AND (first_response_breached OR first_response_breaching_at IS NOT NULL);
    CREATE INDEX IF NOT EXISTS tickets_resolution_check_idx
        ON tickets (resolution_breaching_at)
        WHERE NOT ('resolution' = ANY(breaches))
          AND (resolution_breached OR resolution_breaching_at IS NOT NULL);

    CREATE TABLE IF NOT EXISTS ticket_timeline (
        seq bigint PRIMARY KEY,
        ticket_id uuid NOT NULL,
        version bigint NOT NULL,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        channel text NOT NULL,
        public boolean NOT NULL,
        text text,
        details jsonb NOT NULL,
        sla jsonb NOT NULL,
        UNIQUE (ticket_id, version)
    );
    CREATE INDEX IF NOT EXISTS ticket_timeline_kind_idx ON ticket_timeline (kind, at);
"""
