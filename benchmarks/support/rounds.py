"""The ``--rounds`` option of the benchmarks whose sides take turns (``benchmarks.append``,
``benchmarks.graphql_http``): each figure's budget split into rounds, every side running once in
each, so that a slow spell of the machine falls on the product and its baseline alike."""

from __future__ import annotations

import argparse

DEFAULT_ROUNDS = 3


def add_rounds_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        choices=range(1, 101),
        metavar="R",
        help=f"split each figure into R rounds, the sides taking turns (default {DEFAULT_ROUNDS})",
    )
