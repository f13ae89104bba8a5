"""The LoyaltyProgram aggregate: the earning rule book and the program's terms.

One program, one short stream (it changes when an admin changes the rules), so every earning
reads the rules as of the moment it is computed and every rule change is itself on the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.loyalty.errors import EarningRuleNotFoundError
from domain.loyalty.values import EarningRule, ProgramTerms
from domain.shared.aggregate import LedgerAggregate

PROGRAM_ID = uuid5(NAMESPACE_URL, "https://cxledger.invalid/loyalty-program")


class LoyaltyProgram(LedgerAggregate):
    """The rules by which members earn points, and how long points live."""

    class Started(LedgerAggregate.Created):
        """The program got its first rule or terms (with the default terms)."""

        points_lifetime_days: int
        return_window_days: int
        at: datetime

        def apply(self, program: LoyaltyProgram) -> None:
            program.terms = ProgramTerms(self.points_lifetime_days, self.return_window_days)
            program.rules = {}

    class EarningRuleDefined(LedgerAggregate.Event):
        """A rule joined the rule book (or replaced the rule with the same id)."""

        rule: dict[str, Any]
        at: datetime

        def apply(self, program: LoyaltyProgram) -> None:
            rule = EarningRule.from_dict(self.rule)
            program.rules[rule.rule_id] = rule

    class EarningRuleRetired(LedgerAggregate.Event):
        """A rule stopped applying to new earnings (past ones keep it in their cause)."""

        rule_id: UUID
        at: datetime

        def apply(self, program: LoyaltyProgram) -> None:
            del program.rules[self.rule_id]

    class TermsChanged(LedgerAggregate.Event):
        """Points' lifetime or the return window changed, for points earned from now on."""

        points_lifetime_days: int
        return_window_days: int
        at: datetime

        def apply(self, program: LoyaltyProgram) -> None:
            program.terms = ProgramTerms(self.points_lifetime_days, self.return_window_days)

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    terms: ProgramTerms
    rules: dict[UUID, EarningRule]

    @classmethod
    def start(cls, at: datetime) -> LoyaltyProgram:
        terms = ProgramTerms()
        return cls._create(
            cls.Started,
            id=PROGRAM_ID,
            points_lifetime_days=terms.points_lifetime_days,
            return_window_days=terms.return_window_days,
            at=at,
        )

    def define_rule(self, rule: EarningRule, at: datetime) -> None:
        if self.rules.get(rule.rule_id) == rule:
            return  # the same definition again: a retry
        self.trigger_event(self.EarningRuleDefined, rule=rule.checked().as_dict(), at=at)

    def retire_rule(self, rule_id: UUID, at: datetime) -> None:
        if rule_id not in self.rules:
            raise EarningRuleNotFoundError("no such active earning rule", field="ruleId")
        self.trigger_event(self.EarningRuleRetired, rule_id=rule_id, at=at)

    def change_terms(self, terms: ProgramTerms, at: datetime) -> None:
        if terms.checked() == self.terms:
            return
        self.trigger_event(
            self.TermsChanged,
            points_lifetime_days=terms.points_lifetime_days,
            return_window_days=terms.return_window_days,
            at=at,
        )

    def active_rules(self) -> list[EarningRule]:
        return list(self.rules.values())
