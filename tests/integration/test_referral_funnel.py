"""The referral funnel read model, driven by real commands: funnel figures over a period, its
trend per month in a time zone, top referrers, a referrer's referrals and invitations, a
friend's referral, identical rebuilds and idempotent re-application."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.ledger import Ledger
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from projections.referrals.projection import ReferralFunnel
from projections.referrals.queries import (
    UnknownGranularityError,
    UnknownTimeZoneError,
    funnel,
    funnel_trend,
    invitations_of,
    referral_of_friend,
    referrals_of,
    referrer_view,
    top_referrers,
)
from projections.referrals.views import (
    FunnelBucket,
    FunnelFigures,
    ReferralStage,
    ReferralView,
    TopReferrerView,
)
from tests.integration.referral_world import (
    AGENT,
    LATE_JANUARY,
    REVIEWED_AT,
    World,
    on,
    populate,
    project,
)
from tests.support.ledgers import postgres_ledger
from tests.support.read_models import query

ROME = ZoneInfo("Europe/Rome")
SINCE, UNTIL = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def world(ledger: Ledger, database: Database) -> World:
    w = populate(ledger)
    project(ledger, database)
    return w


def figures(
    invited: int, registered: int, qualified: int, rewarded: int, reversals: int, flagged: int
) -> FunnelFigures:
    def rate(part: int, whole: int) -> float | None:
        return None if whole == 0 else part * 100.0 / whole

    return FunnelFigures(
        invited, registered, qualified, rewarded, reversals, flagged,
        rate(registered, invited), rate(qualified, registered), rate(rewarded, registered),
    )  # fmt: skip


def test_the_funnel_counts_invitations_sent_and_what_the_periods_conversions_became(
    database: Database, world: World
) -> None:
    result = query(database, lambda conn: funnel(conn, SINCE, UNTIL))
    assert result == figures(4, 5, 3, 3, 1, 1)
    assert (result.registration_rate, result.qualification_rate) == (125.0, 60.0)


def test_a_period_without_anything_has_no_rates_rather_than_zero_rates(
    database: Database, world: World
) -> None:
    empty = query(database, lambda conn: funnel(conn, on(6, 1), on(7, 1)))
    assert empty == FunnelFigures(0, 0, 0, 0, 0, 0, None, None, None)


def test_the_monthly_trend_buckets_by_the_asked_time_zone(database: Database, world: World) -> None:
    rome = query(database, lambda conn: funnel_trend(conn, SINCE, UNTIL, "month", "Europe/Rome"))
    assert rome == [
        FunnelBucket(datetime(2026, 1, 1, tzinfo=ROME), figures(3, 1, 1, 1, 0, 0)),
        FunnelBucket(datetime(2026, 2, 1, tzinfo=ROME), figures(1, 4, 2, 2, 1, 1)),
    ]
    assert rome[0].period_start.utcoffset() == ROME.utcoffset(datetime(2026, 1, 1))
    # 23:30 UTC on 31 January is still January in UTC.
    utc = query(database, lambda conn: funnel_trend(conn, SINCE, UNTIL, "month", "UTC"))
    assert [bucket.figures for bucket in utc] == [
        figures(4, 2, 1, 1, 0, 0),
        figures(0, 3, 2, 2, 1, 1),
    ]


def test_the_trend_leaves_out_periods_with_nothing_in_them(
    database: Database, world: World
) -> None:
    days = query(database, lambda conn: funnel_trend(conn, SINCE, UNTIL, "day", "UTC"))
    starts = [bucket.period_start for bucket in days]
    assert starts == [
        on(1, 12, 0), on(1, 20, 0), on(1, 31, 0), on(2, 5, 0), on(2, 6, 0), on(2, 20, 0),
    ]  # fmt: skip


def test_an_unknown_time_zone_or_granularity_is_a_typed_error(
    database: Database, world: World
) -> None:
    with pytest.raises(UnknownTimeZoneError):
        query(database, lambda conn: funnel_trend(conn, SINCE, UNTIL, "month", "Mars/Olympus"))
    with pytest.raises(UnknownGranularityError):
        query(database, lambda conn: funnel_trend(conn, SINCE, UNTIL, "year", "UTC"))  # type: ignore[arg-type]


def test_top_referrers_rank_by_conversions_and_count_only_kept_points(
    database: Database, world: World
) -> None:
    top = query(database, lambda conn: top_referrers(conn, SINCE, UNTIL, 10))
    assert top == [
        TopReferrerView(world.cy, conversions=3, qualified=2, rewarded=2, reversed=1,
                        points_earned=500),
        TopReferrerView(world.ada, conversions=2, qualified=1, rewarded=1, reversed=0,
                        points_earned=500),
    ]  # fmt: skip
    assert query(database, lambda conn: top_referrers(conn, SINCE, UNTIL, 1)) == top[:1]
    january = query(database, lambda conn: top_referrers(conn, SINCE, on(2, 1, 0), 10))
    assert [(t.referrer_id, t.conversions) for t in january] == [(world.ada, 2)]


def test_a_referrers_view_has_their_code_and_all_time_totals(
    ledger: Ledger, database: Database, world: World
) -> None:
    view = query(database, lambda conn: referrer_view(conn, world.ada))
    assert view is not None
    referrer = ledger.get_referrer(world.ada)
    assert (view.code, view.code_expires_at, view.revoked, view.issued_at) == (
        referrer.code, referrer.expires_at, False, on(1, 10),
    )  # fmt: skip
    totals = (view.invitations_sent, view.conversions, view.qualified, view.rewarded)
    assert totals == (3, 2, 1, 1)
    assert (view.reversed, view.points_earned) == (0, 500)
    assert query(database, lambda conn: referrer_view(conn, world.bo)) is None


def test_a_revoked_then_renewed_code_shows_the_new_code(
    ledger: Ledger, database: Database, world: World
) -> None:
    old = ledger.get_referrer(world.ada).code
    ledger.revoke_referral_code(world.ada, AGENT, now=on(3, 2))
    project(ledger, database)
    revoked = query(database, lambda conn: referrer_view(conn, world.ada))
    assert revoked is not None and (revoked.code, revoked.revoked) == (old, True)
    ledger.issue_referral_code(world.ada, AGENT, now=on(3, 3))
    project(ledger, database)
    renewed = query(database, lambda conn: referrer_view(conn, world.ada))
    assert renewed is not None and not renewed.revoked
    assert renewed.code == ledger.get_referrer(world.ada).code != old


def test_a_referrers_referrals_come_newest_first_in_pages(database: Database, world: World) -> None:
    first = query(database, lambda conn: referrals_of(conn, world.ada, 1))
    assert [r.friend_id for r in first.items] == [world.eve] and first.has_next_page
    rest = query(database, lambda conn: referrals_of(conn, world.ada, 5, first.items[-1].seq))
    assert [r.friend_id for r in rest.items] == [world.bo] and not rest.has_next_page
    bo = rest.items[0]
    assert (bo.converted_at, bo.qualified_at, bo.qualifying_order_id, bo.rewarded_at) == (
        on(1, 20), on(1, 25), "bo-1", on(1, 25),
    )  # fmt: skip
    assert (bo.referrer_points, bo.friend_points, bo.stage) == (500, 250, ReferralStage.REWARDED)
    assert first.items[0].stage == ReferralStage.REGISTERED  # Eve bought too little


def test_a_reversed_referral_keeps_its_reward_and_names_the_rule(
    database: Database, world: World
) -> None:
    gus = query(database, lambda conn: referral_of_friend(conn, world.gus))
    assert isinstance(gus, ReferralView)
    assert (gus.rewarded_at, gus.reversed_at, gus.reversal_rule, gus.stage) == (
        on(2, 21), REVIEWED_AT, "disposable_domain", ReferralStage.REVERSED,
    )  # fmt: skip
    hal = query(database, lambda conn: referral_of_friend(conn, world.hal))
    assert hal is not None and (hal.flags, hal.referrer_id) == (["velocity"], world.cy)
    assert query(database, lambda conn: referral_of_friend(conn, world.ada)) is None


def test_a_referrers_invitations_show_which_invited_person_converted(
    database: Database, world: World
) -> None:
    page = query(database, lambda conn: invitations_of(conn, world.ada, 10))
    assert [(i.email, i.converted) for i in page.items] == [
        ("e.ve@example.org", True),  # registered as eve@: the same person
        ("dee@example.org", False),
        ("bo@example.org", True),
    ]
    assert all(i.invited_at == on(1, 12) for i in page.items) and not page.has_next_page
    second = query(database, lambda conn: invitations_of(conn, world.ada, 1, page.items[0].seq))
    assert [i.email for i in second.items] == ["dee@example.org"] and second.has_next_page
    [fay] = query(database, lambda conn: invitations_of(conn, world.cy, 10)).items
    assert (fay.invited_at, fay.converted) == (LATE_JANUARY, True)


def test_an_erased_invitees_email_rebuilds_as_null_and_the_invitation_still_counts(
    ledger: Ledger, database: Database, world: World
) -> None:
    with database.connect() as conn:
        conn.execute(
            "DELETE FROM cxl_subject_keys WHERE subject_id = %s",
            (ledger.invitee_subject("dee@example.org"),),
        )
        conn.commit()

    with postgres_ledger(database) as fresh:  # no key cached from before the erasure
        rebuild(fresh, database, ReferralFunnel(), batch_size=5)

    page = query(database, lambda conn: invitations_of(conn, world.ada, 10))
    assert [i.email for i in page.items] == ["e.ve@example.org", None, "bo@example.org"]
    assert query(database, lambda conn: funnel(conn, SINCE, UNTIL)).invited == 4
