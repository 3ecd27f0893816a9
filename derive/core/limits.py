"""What this machine can do: architectures too large for it are refused before any work."""
from __future__ import annotations

import os
from collections.abc import Sequence

from derive.core.errors import DeriveError

MAX_WEIGHTS = 10**8  # above this no check or module is attempted
COPIES = 8  # float64/int64 arrays the size of the weights that a check or module holds at once


def weight_count(widths: Sequence[int]) -> int:
    """Weights and biases: sum over layers of M_l (M_{l-1} + 1)."""
    return sum(m * (prev + 1) for prev, m in zip(widths, widths[1:]))


def available_memory() -> int | None:
    """Bytes of memory available now (Linux MemAvailable), None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def needed_memory(widths: Sequence[int]) -> int:
    """An estimate of the bytes a full-size check or an emitted module holds: COPIES arrays of
    8-byte numbers the size of the weights, plus the activations of a batch of 1024."""
    return 8 * (COPIES * weight_count(widths) + 4 * 1024 * sum(widths))


def refuse_too_large(widths: Sequence[int], memory: int | None = None) -> None:
    """DeriveError in one line, naming the limit, for a network this machine cannot handle."""
    n = weight_count(widths)
    shape = ",".join(map(str, widths))
    if n > MAX_WEIGHTS:
        raise DeriveError(f"--widths {shape}: {n:,} weights is more than the limit of {MAX_WEIGHTS:,}")
    free = available_memory() if memory is None else memory
    need = needed_memory(widths)
    if free is not None and need > free:
        raise DeriveError(f"--widths {shape}: needs about {need / 2**30:.1f} GiB of memory, "
                          f"{free / 2**30:.1f} GiB is free")


def memory_note() -> str:
    """For messages: the machine's cores and memory."""
    free = available_memory()
    return f"{os.cpu_count()} cores, {free / 2**30:.1f} GiB free" if free else f"{os.cpu_count()} cores"
