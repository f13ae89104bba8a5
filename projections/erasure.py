"""What every read model needs to purge an erased person: the subjects a completion names.

A completed erasure names its subject and the other subjects the same person was (a
customer's email as an invited person). Each read model handles ``ErasureRequest.Completed``
by setting what it holds of them to NULL (or deleting rows derived from it) in the same
transaction as its tracking position; counts, scores, points and times stay. Events before
the completion already decode as erased once the key is gone, so a rebuild (which replays
the completion too) ends with the same purged rows.
"""

from __future__ import annotations

from uuid import UUID

from domain.privacy.erasure import ErasureRequest

ErasureCompleted = ErasureRequest.Completed


def erased_subjects(event: ErasureRequest.Completed) -> list[UUID]:
    """The subject and every other subject the completion erased with it."""
    return [event.subject_id, *event.also_erased]
