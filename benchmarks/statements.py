"""Where the emitted gradients() spends its time, statement by statement.

    python benchmarks/statements.py large float64 [--threads 1]

Takes the module `derive code` writes for a row of benchmarks/run.py, puts a clock around
every statement of gradients() and prints each one's share of the wall time, largest
first: the GEMMs (np.matmul, @) against the elementwise work.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peers import Spec, problem  # noqa: E402
from run import ROWS, busy, wait_quiet  # noqa: E402

from derive.emit.code.plan import module_source  # noqa: E402


def instrumented(source: str) -> tuple[str, list[str]]:
    """The module with a clock around each statement of gradients(), and those statements."""
    body = source[source.index("def gradients"):source.index("def sgd_step")]
    lines = body.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("W1, b1"))
    last = next(i for i, line in enumerate(lines) if line.strip().startswith("return float"))
    statements = [line for line in lines[first + 1:last] if line.strip() and not line.strip().startswith("#")]
    timed = lines[:first + 1]
    for i, line in enumerate(statements):
        timed += ["    _t = _clock()", line, f"    _spent[{i}] += _clock() - _t"]
    return source.replace(body, "\n".join(timed + lines[last:]) + "\n\n\n"), statements


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("row", choices=list(ROWS))
    parser.add_argument("dtype", choices=["float64", "float32"])
    parser.add_argument("--threads", type=int, help="BLAS threads (threadpoolctl)")
    parser.add_argument("--calls", type=int, default=0, help="timed calls (default: about 2 s worth)")
    parser.add_argument("--quiet", type=float, default=120.0, metavar="SECONDS",
                        help="wait up to SECONDS for idle CPUs before timing")
    args = parser.parse_args()
    widths, loss, N = ROWS[args.row]
    spec = Spec(args.row, widths, loss, N, args.dtype)
    source, statements = instrumented(module_source(",".join(map(str, widths)), "tanh", loss, args.dtype))
    namespace: dict = {}
    exec(compile(source, f"{args.row}.py", "exec"), namespace)
    spent = namespace["_spent"] = [0.0] * len(statements)
    namespace["_clock"] = time.perf_counter
    if args.threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
    params, X, T = problem(spec)
    gradients = namespace["gradients"]
    start = time.perf_counter()
    for _ in range(3):
        gradients(params, X, T)
    calls = args.calls or max(3, int(2.0 / ((time.perf_counter() - start) / 3)))
    spent[:] = [0.0] * len(statements)
    wait_quiet(time.monotonic() + args.quiet)  # OpenBLAS threads stall when another process runs
    start = time.perf_counter()
    for _ in range(calls):
        gradients(params, X, T)
    wall = (time.perf_counter() - start) / calls
    gemm = sum(s for s, line in zip(spent, statements) if "matmul" in line or " @ " in line) / calls
    print(f"{args.row} {args.dtype}: {wall * 1e6:.1f} us per call (with clocks), GEMM {gemm / wall:.1%}; "
          f"CPUs {busy():.0%} busy after")
    for s, line in sorted(zip(spent, statements), reverse=True):
        print(f"{s / calls * 1e6:10.1f} us {s / calls / wall:6.1%}  {line.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
