"""The success plans read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.
Personal: only the check-ins' notes (``success_plan_check_ins.note``), set to NULL when the
customer is erased; titles, goals and milestones are staff's words about the program.
"""

PLAN_DDL = """
    CREATE TABLE IF NOT EXISTS success_plans (
        plan_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        customer_id uuid NOT NULL,
        title text NOT NULL,
        status text NOT NULL,
        outcome text,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        version integer NOT NULL
    );
    CREATE INDEX IF NOT EXISTS success_plans_customer_idx ON success_plans (customer_id, seq);
    CREATE INDEX IF NOT EXISTS success_plans_status_idx ON success_plans (status, seq);

    CREATE TABLE IF NOT EXISTS success_plan_goals (
        goal_id uuid PRIMARY KEY,
        plan_id uuid NOT NULL,
        seq bigint NOT NULL,
        goal text NOT NULL,
        added_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS success_plan_goals_plan_idx ON success_plan_goals (plan_id, seq);

    CREATE TABLE IF NOT EXISTS success_plan_milestones (
        seq bigint PRIMARY KEY,
        plan_id uuid NOT NULL,
        goal_id uuid NOT NULL,
        milestone text NOT NULL,
        reached_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS success_plan_milestones_plan_idx
        ON success_plan_milestones (plan_id, seq);

    CREATE TABLE IF NOT EXISTS success_plan_check_ins (
        seq bigint PRIMARY KEY,
        plan_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        note text,
        recorded_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS success_plan_check_ins_plan_idx
        ON success_plan_check_ins (plan_id, seq);
    CREATE INDEX IF NOT EXISTS success_plan_check_ins_customer_idx
        ON success_plan_check_ins (customer_id);
"""

PLAN_TABLES = (
    "success_plans",
    "success_plan_goals",
    "success_plan_milestones",
    "success_plan_check_ins",
)
