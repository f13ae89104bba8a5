"""Ids and random bytes come from OpenSSL's generator (domain.shared.ids): version 4 UUIDs as
``uuid4`` makes them, and bytes that a forked process does not repeat (nonces and keys are
drawn in the API's and the workers' processes alike)."""

from __future__ import annotations

import os
import uuid

from domain.shared.ids import new_id, random_bytes


def test_new_ids_are_random_version_4_uuids_of_the_rfc_variant() -> None:
    ids = [new_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    assert all(i.version == 4 and i.variant == uuid.RFC_4122 for i in ids)


def test_random_bytes_have_the_length_asked_and_do_not_repeat() -> None:
    drawn = [random_bytes(12) for _ in range(1000)]
    assert {len(b) for b in drawn} == {12}
    assert len(set(drawn)) == len(drawn)


def test_a_forked_child_draws_other_bytes_than_its_parent() -> None:
    random_bytes(32)  # the parent's generator is seeded before the fork
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: send what it draws, then leave at once
        os.close(read_end)
        os.write(write_end, random_bytes(32))
        os._exit(0)
    os.close(write_end)
    parent_draw = random_bytes(32)
    with os.fdopen(read_end, "rb") as pipe:
        child_draw = pipe.read()
    os.waitpid(child, 0)
    assert len(child_draw) == 32 and child_draw != parent_draw


def test_bytes_drawn_across_a_refill_do_not_repeat() -> None:
    """Each thread's buffer is refilled when it runs out: what comes after is fresh."""
    drawn = [random_bytes(100) for _ in range(200)]  # five buffers' worth
    assert len(set(drawn)) == len(drawn)
    assert len(random_bytes(5000)) == 5000  # more than a buffer at once


def test_threads_draw_other_bytes_than_each_other() -> None:
    """Each thread draws from a buffer of its own, never one another's."""
    import threading

    draws: list[bytes] = []

    def draw() -> None:
        draws.extend(random_bytes(16) for _ in range(300))

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(draws)) == len(draws) == 1200


def test_a_forked_child_draws_nothing_its_parent_draws_after_the_fork() -> None:
    """The bytes the parent had drawn into its buffer before the fork are not handed out by
    the child too."""
    random_bytes(16)  # the buffer is filled: most of it is still to hand out
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        os.write(write_end, b"".join(random_bytes(16) for _ in range(8)))
        os._exit(0)
    os.close(write_end)
    parent_draws = b"".join(random_bytes(16) for _ in range(8))
    with os.fdopen(read_end, "rb") as pipe:
        child_draws = pipe.read()
    os.waitpid(child, 0)
    assert len(child_draws) == 128
    assert not {child_draws[i : i + 16] for i in range(0, 128, 16)} & {
        parent_draws[i : i + 16] for i in range(0, 128, 16)
    }
