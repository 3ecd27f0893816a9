"""Every exercise derive check judges, a to l less d, and its verified reference, built once per process."""
from __future__ import annotations

from functools import cache

from derive.check import reference, reference_ah
from derive.check.reference import Reference
from derive.core.derivation import proven_elsewhere
from derive.core.errors import DeriveError

BUILDERS = dict(sorted((reference.BUILDERS | reference_ah.BUILDERS).items()))


@cache
def target_reference(exercise: str) -> Reference:
    """The exercise's targets, built once per process by the exercise's own builders without
    re-running their checks: the same trees `derive verify` proves (make test runs it, and
    tests/check/test_references_proven.py shows the two builds give equal references)."""
    if exercise not in BUILDERS:
        raise DeriveError(f"derive check knows exercises {', '.join(sorted(BUILDERS))}, not {exercise!r}")
    with proven_elsewhere():
        return BUILDERS[exercise]()
