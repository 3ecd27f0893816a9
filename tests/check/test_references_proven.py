"""derive check's references, built without re-running the checks, equal the verified ones."""
from __future__ import annotations

import pytest

from derive.check.reference import Target
from derive.check.targets import BUILDERS, target_reference
from derive.core import derivation


@pytest.mark.parametrize("exercise", sorted(BUILDERS))
def test_the_reference_is_the_verified_one(exercise: str) -> None:
    """The builders run with every check (as derive verify runs them) give the same targets."""
    checked = BUILDERS[exercise]()
    assert checked == target_reference(exercise)
    assert all(isinstance(t, Target) for t in checked.targets)


def test_proven_elsewhere_skips_the_checks_and_restores() -> None:
    from derive.exercises.a_b_closed_form import eliminate_chain
    from derive.core.network import Network
    with derivation.proven_elsewhere():
        d = eliminate_chain(Network.generic(2), "a", "h").verify()
        assert d.checks == [] and derivation.PROVEN_ELSEWHERE["on"]
    assert not derivation.PROVEN_ELSEWHERE["on"]
    assert eliminate_chain(Network.generic(2), "a", "h").verify().verified
