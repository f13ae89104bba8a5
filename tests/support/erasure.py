"""A failure injected into erasure: the real key destruction, then the error a crash or a lost
connection would raise before the completion can be recorded."""

from __future__ import annotations

from uuid import UUID

from domain.shared.ports import ErasureWorks


class FailsAfterDestroyingKeys:
    """Wraps the erasure's real works; the first ``failures`` key destructions raise right
    after the key is gone."""

    def __init__(self, works: ErasureWorks, failures: int = 1) -> None:
        self.works = works
        self.failures_left = failures

    def destroy_key(self, subject_id: UUID) -> None:
        self.works.destroy_key(subject_id)
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("server closed the connection unexpectedly")

    def positions_holding(self, subject_id: UUID) -> list[int]:
        return self.works.positions_holding(subject_id)
