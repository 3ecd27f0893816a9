"""Architectures too large for the machine are refused in one line, before any work."""
from __future__ import annotations

import pytest

from derive.core.errors import DeriveError
from derive.core.limits import MAX_WEIGHTS, refuse_too_large, weight_count


def test_weight_count_includes_the_biases() -> None:
    assert weight_count((784, 128, 10)) == 128 * 785 + 10 * 129


def test_more_than_the_weight_limit_is_refused() -> None:
    with pytest.raises(DeriveError, match="more than the limit of 100,000,000"):
        refuse_too_large((100000, 100000))
    assert weight_count((100000, 100000)) > MAX_WEIGHTS


def test_more_memory_than_is_free_is_refused() -> None:
    with pytest.raises(DeriveError, match="GiB of memory, 0.0 GiB is free"):
        refuse_too_large((784, 128, 10), memory=1024)


def test_the_readme_architectures_pass() -> None:
    for widths in ((784, 128, 10), (784, 1024, 1024, 10), (1, 3, 1)):
        refuse_too_large(widths, memory=2**34)
