"""A primary and a streaming hot standby on this machine: the benchmarks' builder, shared."""

from benchmarks.support.standby_pair import SYSTEM_USER as SYSTEM_USER
from benchmarks.support.standby_pair import Pair as Pair
from benchmarks.support.standby_pair import binaries as binaries
from benchmarks.support.standby_pair import primary_and_standby as primary_and_standby
