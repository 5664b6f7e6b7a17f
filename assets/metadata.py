"""Small pure helpers that shape Dagster metadata (markdown tables the UI renders)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join("" if v is None else str(v) for v in row) + " |")
    return "\n".join(lines)


def counts_table(counts: Mapping[str, int], key_header: str, value_header: str = "rows") -> str:
    return markdown_table([key_header, value_header], sorted(counts.items()))


def rupiah(amount: int) -> str:
    """Rp 1.234.567 (Indonesian thousands separator), for descriptions only."""
    return "Rp " + f"{amount:,}".replace(",", ".")
