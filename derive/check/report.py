"""Printers of a Verdict: the verdict line with the read-back (text), one JSON object, Markdown for a notebook."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Protocol

from derive.check.names import GREEK
from derive.check.parse import parse
from derive.check.readback import TEX_RELATIONS, readback_latex


class EquationVerdict(Protocol):  # derive.check.judge's, which imports this module to show itself
    @property
    def lhs(self) -> str: ...

    @property
    def verdict(self) -> str: ...

    @property
    def mistakes(self) -> tuple[str, ...]: ...

    @property
    def read_as(self) -> str: ...

    @property
    def failing_link(self) -> int | None: ...

    @property
    def message(self) -> str: ...


class Verdict(Protocol):
    @property
    def exercise(self) -> str: ...

    @property
    def verdict(self) -> str: ...

    @property
    def convention(self) -> str | None: ...

    @property
    def mistakes(self) -> tuple[str, ...]: ...

    @property
    def equations(self) -> Sequence[EquationVerdict]: ...

    @property
    def message(self) -> str: ...

    @property
    def seconds(self) -> float: ...

    @property
    def read_as(self) -> str: ...


EXIT = {"correct": 0, "convention": 0, "wrong": 1, "incomplete": 1, "unreadable": 2, "undecided": 3}


def line(v: Verdict) -> str:
    """correct | convention (half-sum-of-squares): ... | wrong (id, id): message."""
    tag = v.convention or ", ".join(v.mistakes)
    head = v.verdict + (f" ({tag})" if tag else "")
    return head + (f": {v.message}" if v.message else "")


def text(v: Verdict) -> str:
    """The verdict line, then what derive read."""
    return line(v) + (f"\nread as: {v.read_as}" if v.read_as else "")


def as_dict(v: Verdict) -> dict[str, object]:
    return {"exercise": v.exercise, "verdict": v.verdict, "convention": v.convention, "mistakes": list(v.mistakes),
            "equations": [{"lhs": e.lhs, "verdict": e.verdict, "mistakes": list(e.mistakes), "read_as": e.read_as,
                           "failing_link": e.failing_link} for e in v.equations],
            "message": v.message, "routes": list(getattr(v, "routes", ())), "seconds": round(v.seconds, 4)}


def as_json(v: Verdict) -> str:
    return json.dumps(as_dict(v), ensure_ascii=False)


# --- Markdown, for a notebook: the verdict in words, the mistakes, the read-back as maths --------------
WORDS = {"correct": "correct: it equals the verified result",
         "convention": "correct with another convention",
         "incomplete": "incomplete",
         "wrong": "wrong",
         "unreadable": "unreadable: derive could not read this LaTeX",
         "undecided": "undecided: derive reached no verdict"}
GREEK_TEX = {char: "\\" + name + " " for char, name in GREEK.items()} | {
    "Γ": "\\Gamma ", "Δ": "\\Delta ", "Θ": "\\Theta ", "Λ": "\\Lambda ", "Ξ": "\\Xi ", "Φ": "\\Phi ",
    "Ψ": "\\Psi ", "Ω": "\\Omega ", "π": "\\pi ", "∂": "\\partial ", "…": "\\ldots ", "∞": "\\infty ",
    "𝒩": "\\mathcal{N}", "𝒟": "\\mathcal{D}", "ℒ": "\\mathcal{L}", "∇": "\\nabla ", "·": "\\cdot "} | {
    rel: tex + " " for rel, tex in TEX_RELATIONS.items()}
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def tex(read: str) -> str:
    """The Unicode read-back as LaTeX: δ_j^(l) -> \\delta _j^{(l)}, w_kj -> w_{kj}, Σ_{k=1}^{K} -> \\sum_{k=1}^{K}."""
    out = re.sub(r"Σ(?=_)", r"\\sum", read)
    out = re.sub(r"Π(?=_)", r"\\prod", out)
    out = re.sub(r"\^\(([^()]*)\)", r"^{(\1)}", out)
    out = re.sub(r"_([A-Za-z0-9']+)(?=(\()?)", subscript, out)
    out = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "^{" + m.group().translate(SUPERSCRIPTS) + "}", out)
    out = re.sub(r"\b(log|exp|tanh|sin|cos)\(", r"\\\1(", out)
    return "".join(GREEK_TEX.get(c, c) for c in out).replace("Σ", "\\Sigma ").replace("Π", "\\Pi ")


def subscript(m: re.Match[str]) -> str:
    """_kj -> _{kj}, _i' -> _i', _ji' -> _{ji'}; the primes before a call are the function's: h_L'( -> h_L'(."""
    body, call = m.group(1), m.group(2)
    core = body.rstrip("'") if call else body
    primes = body[len(core):]
    return ("_{" + core + "}" if len(core) > 1 else "_" + core) + primes


def plain(words: str) -> str:
    """Prose for Markdown: its special characters escaped."""
    return re.sub(r"([\\`*_\[\]<>$#|])", r"\\\1", words)


def markdown(v: Verdict, source: str | None = None) -> str:
    """The verdict in words, each equation with its mistakes, and the read-back as $...$ (exact from `source`)."""
    tag = f" ({v.convention})" if v.convention else ""
    out = [f"**Exercise {v.exercise}: {WORDS[v.verdict]}{tag}**"]
    if v.mistakes:
        out.append("Mistakes: " + ", ".join(f"`{m}`" for m in v.mistakes))
    if v.verdict == "unreadable":
        return "\n\n".join(out + ["```\n" + v.message + "\n```"])
    if v.message and len(v.equations) < 2 and v.verdict != "correct":
        out.append(plain(v.message))
    out += [f"- ${tex(e.lhs)}$: {e.verdict}" + (f" ({', '.join(e.mistakes)})" if e.mistakes else "")
            + (f": {plain(e.message)}" if e.message else "") for e in v.equations if len(v.equations) > 1]
    read = v.read_as.split("\n")
    notes = [n for n in read if n.startswith("  ")]
    lines = readback_latex(parse(source)).split("\n") if source is not None else \
        [tex(n) for n in read if n and not n.startswith("  ")]
    if v.read_as:
        out.append("Read as:\n\n" + "\n\n".join(f"$${n}$$" for n in lines))
        out += [f"*{plain(n.strip())}*" for n in notes]
    return "\n\n".join(out)
