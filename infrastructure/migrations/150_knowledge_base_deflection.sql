-- The knowledge base's deflection counts (infrastructure/deflection.py): searches per UTC day,
-- and one row per set of suggestions shown, marked when an openTicket brings its token back.
-- Operational counts, not events: a search changes nothing about anyone.
CREATE TABLE IF NOT EXISTS cxl_kb_searches (
    day date PRIMARY KEY,
    searches bigint NOT NULL CHECK (searches >= 0)
);
CREATE TABLE IF NOT EXISTS cxl_kb_suggestions (
    token uuid PRIMARY KEY,
    shown_at timestamptz NOT NULL,
    ticket_opened_at timestamptz
);
CREATE INDEX IF NOT EXISTS cxl_kb_suggestions_shown_at ON cxl_kb_suggestions (shown_at);
