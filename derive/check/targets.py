"""Every exercise derive check judges, a to l less d, and its verified reference, built once per process."""
from __future__ import annotations

from functools import cache

from derive.check import reference, reference_ah
from derive.check.reference import Reference
from derive.core.errors import DeriveError

BUILDERS = dict(sorted((reference.BUILDERS | reference_ah.BUILDERS).items()))


@cache
def target_reference(exercise: str) -> Reference:
    """The exercise's verified targets, built once per process."""
    if exercise not in BUILDERS:
        raise DeriveError(f"derive check knows exercises {', '.join(sorted(BUILDERS))}, not {exercise!r}")
    return BUILDERS[exercise]()
