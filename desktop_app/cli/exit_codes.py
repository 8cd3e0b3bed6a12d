"""Exit codes of `orderdesk <subcommand>` (also listed in --help)."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["EXIT_CODES_HELP", "ExitCode"]


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # an unexpected error (a bug: please report it)
    USAGE = 2  # bad arguments, or the action is not allowed / invalid: nothing was queued
    AUTH = 3  # not signed in, or the platform refused the sign-in
    OFFLINE = 4  # the platform could not be reached; a sync did not finish
    NOT_FOUND = 5  # no such order, outbox entry or profile
    ATTENTION = 6  # sync finished, but operations were rejected or need review
    CACHE = 7  # the local cache could not be read or written (disk full, read-only, damaged)
    INTERRUPTED = 130  # Ctrl+C


EXIT_CODES_HELP = """exit codes:
  0    success
  1    unexpected error
  2    usage error, or the action is not allowed or its input is invalid (nothing queued)
  3    not signed in, or the platform refused the sign-in (run `orderdesk login`)
  4    the platform could not be reached, or a sync did not finish (queued work is kept)
  5    no such order, outbox entry or profile
  6    sync finished, but some operations are rejected, need review or were set aside
  7    the local cache could not be read or written (disk full, read-only, locked, damaged)
  130  interrupted
"""
