"""A serving process's start-up heap, set apart from the garbage collector.

By the time `serve` starts answering, the process holds some 250,000 objects that live as long
as it does: modules, the GraphQL schema and strawberry's types, the sentiment lexicon, the
ledger's mappers and transcoders. Every collection of the oldest generation walked all of them
again (about 130 ms each, a few times a minute under load), and the youngest generation was
collected every 700 net allocations. In a survey answer's profile under 16 clients, the
collector was 0.27 to 0.31 ms of the server's 2.8 to 3.6 ms of CPU per answer
(``gc.callbacks``, 1,500 answers, 2026-12-06). :func:`settle_heap` collects what start-up left
behind, freezes the rest (``gc.freeze``: never collected, never walked again) and lets the
youngest generation grow to ``SERVING_YOUNG_THRESHOLD`` objects between collections; what the
requests allocate is still collected as before.
"""

from __future__ import annotations

import gc

SERVING_YOUNG_THRESHOLD = 7_000
"""Net allocations between collections of the youngest generation while serving (the
interpreter's default is 700): about a tenth as many collections, a few milliseconds each."""


def settle_heap() -> None:
    """Collect the garbage of start-up, then exempt every object left from collection and
    collect the youngest generation less often. Call it once, when the process has built what
    it serves with; a collector turned off (threshold 0) stays off."""
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    if young:
        gc.set_threshold(max(young, SERVING_YOUNG_THRESHOLD), middle, old)
