"""Side-by-side speed of the emitted NumPy code against its peers (`python benchmarks/run.py`).

For each row (a network, a batch size N, a dtype) every peer runs one evaluation of the loss
E(w) and all its gradients; the table shows median wall times and the ratio to a
hand-written vectorised NumPy reference (= 1.00, lower is faster). The peers are timed in
interleaved rounds (the order rotates each round), so a change in machine load affects all
of them alike. For every row the script also times the matrix products of the emitted
gradients() alone (benchmarks/peers.py: gemm_only) and reports their share of its wall time.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py [--rows tiny,large]
"""
from __future__ import annotations

import argparse
import gc
from importlib import metadata
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peers import PEERS, Spec, gemm_only, problem  # noqa: E402

ROWS = {  # name -> (widths, loss, N)
    "tiny": ((1, 3, 1), "sum-of-squares", 50),  # Bishop fig. 5.3
    "small": ((784, 128, 10), "cross-entropy", 64),
    "medium": ((784, 256, 256, 10), "cross-entropy", 256),
    "large": ((784, 1024, 1024, 10), "cross-entropy", 1024),
}


def per_call(step, budget: float) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """How many calls make a batch of about `budget` seconds, and one call's time."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            step()
        took = time.perf_counter() - start
        if took >= budget or n >= 1 << 20:
            return n, took / n
        n = max(2 * n, int(n * budget / max(took, 1e-9)) + 1)


def measure(steps: dict, rounds: int, budget: float, quiet: float) -> dict[str, float]:  # type: ignore[type-arg]
    """Median seconds per call of each step, from interleaved rounds; before each round wait
    up to `quiet` seconds (all rounds together) for the other processes to leave the CPUs."""
    sizes = {name: per_call(step, budget)[0] for name, step in steps.items()}
    times: dict[str, list[float]] = {name: [] for name in steps}
    names, deadline = list(steps), time.monotonic() + quiet
    gc.disable()
    try:
        for r in range(rounds):
            wait_quiet(deadline)
            for name in names[r % len(names):] + names[:r % len(names)]:
                step, n = steps[name], sizes[name]
                start = time.perf_counter()
                for _ in range(n):
                    step()
                times[name].append((time.perf_counter() - start) / n)
    finally:
        gc.enable()
    return {name: statistics.median(t) for name, t in times.items()}


def build(spec: Spec, peers: list[str]) -> tuple[dict, dict[str, str]]:  # type: ignore[type-arg]
    """Every peer's step, warmed up (compiled, jitted) and checked to agree on E."""
    params, X, T = problem(spec)
    steps, skipped = {}, {}
    for name in peers:
        try:
            step = PEERS[name](spec, params, X, T)
            values = [step() for _ in range(3)]  # warm-up: compilation, buffers, caches
        except ImportError as exc:
            skipped[name] = f"not installed ({exc.name})"
            continue
        steps[name] = step
        reference = steps[peers[0]]() if peers[0] in steps else values[-1]
        tolerance = 1e-9 if spec.dtype == "float64" else 1e-3
        if abs(values[-1] - reference) > tolerance * max(1.0, abs(reference)):
            raise SystemExit(f"{name} disagrees on {spec.name} {spec.dtype}: E = {values[-1]} vs {reference}")
    steps["GEMM only"] = gemm_only(spec, params, X, T)
    return steps, skipped


def blas() -> list[str]:
    """The BLAS NumPy uses and the kernel it picked (threadpoolctl), and the env that steers it."""
    lines = []
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            lines.append(f"{pool['user_api']}: {pool['internal_api']} {pool['version']}, "
                         f"kernel {pool.get('architecture')}, {pool['num_threads']} threads "
                         f"({Path(pool['filepath']).name})")
    except ImportError:
        lines.append("threadpoolctl not installed: BLAS unknown")
    try:
        import torch
        found = re.findall(r"BLAS_INFO=(\w+)", torch.__config__.show())
        lines.append(f"torch: BLAS {found[0] if found else '?'}, {torch.get_num_threads()} threads")
    except ImportError:
        pass
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS"):
        lines.append(f"{var}={os.environ[var]}" if var in os.environ else f"{var} unset")
    return lines


def versions() -> str:
    found = [f"python {platform.python_version()}"]
    for package in ("numpy", "torch", "jax", "jaxlib", "autograd"):
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} missing")
    return ", ".join(found)


def pin(cpus: list[int]) -> None:
    """Run every peer on these CPUs only, with as many threads as CPUs (BLAS, torch, XLA)."""
    os.sched_setaffinity(0, cpus)  # XLA sizes its thread pool from this mask
    from threadpoolctl import threadpool_limits
    threadpool_limits(len(cpus))
    try:
        import torch
        torch.set_num_threads(len(cpus))
    except ImportError:
        pass


def busy(window: float = 0.5) -> float:
    """Fraction of the machine's CPU time in use over `window` seconds (/proc/stat)."""
    def ticks() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait
    total, idle = ticks()
    time.sleep(window)
    total2, idle2 = ticks()
    return 1.0 - (idle2 - idle) / max(total2 - total, 1)


def wait_quiet(deadline: float) -> None:
    """Wait until the other processes leave the CPUs idle (under 10% busy), or the deadline."""
    while time.monotonic() < deadline and os.path.exists("/proc/stat") and busy() > 0.10:
        pass


def cell(seconds: float, reference: float) -> str:
    unit, scale = ("ms", 1e3) if seconds >= 1e-3 else ("us", 1e6)
    return f"{seconds * scale:.3g} {unit} ({seconds / reference:.2f})"


def table(results: list[tuple[Spec, dict[str, float], dict[str, str]]], peers: list[str]) -> str:
    head = ["row", "dtype", *peers, "GEMM share (derive / hand)"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for spec, times, skipped in results:
        ref = times[peers[0]]
        cells = [cell(times[p], ref) if p in times else skipped.get(p, "n/a") for p in peers]
        fastest = min((t, p) for p, t in times.items() if p in peers)[1]
        cells = [f"**{c}**" if p == fastest else c for p, c in zip(peers, cells)]
        share = f"{times['GEMM only'] / times['derive']:.0%} / {times['GEMM only'] / ref:.0%}" \
            if "derive" in times else "n/a"
        widths = "-".join(map(str, spec.widths))
        out.append(f"| {spec.name} {widths} N={spec.N} | {spec.dtype} | " + " | ".join(cells) + f" | {share} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated subset of " + ", ".join(ROWS))
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--peers", default=",".join(PEERS), help="first one is the reference (1.00)")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per row")
    parser.add_argument("--budget", type=float, default=0.05, help="seconds per timed batch")
    parser.add_argument("--quiet", type=float, default=0.0, metavar="SECONDS",
                        help="per row, wait up to SECONDS in all for idle CPUs before each round")
    parser.add_argument("--cpus", help="comma-separated CPU numbers to pin every peer to (e.g. 1)")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.cpus:
        pin([int(c) for c in args.cpus.split(",")])
    peers = args.peers.split(",")
    unknown = [p for p in peers + args.rows.split(",") if p not in PEERS and p not in ROWS]
    if unknown:
        parser.error(f"unknown row or peer {unknown[0]!r}")
    print(versions())
    print("\n".join(blas()))
    print(f"CPUs: {sorted(os.sched_getaffinity(0))} of {os.cpu_count()}")
    results = []
    for row in args.rows.split(","):
        widths, loss, N = ROWS[row]
        for dtype in args.dtypes.split(","):
            spec = Spec(row, widths, loss, N, dtype)
            steps, skipped = build(spec, peers)
            load = os.getloadavg()[0]
            times = measure(steps, args.rounds, args.budget, args.quiet)
            print(f"{row} {dtype} (load {load:.2f} -> {os.getloadavg()[0]:.2f}): "
                  + ", ".join(f"{p} {t * 1e3:.3f} ms" for p, t in times.items()), flush=True)
            results.append((spec, times, skipped))
    text = table(results, peers)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
