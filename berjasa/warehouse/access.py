"""Who may read what: roles in PostgreSQL and the small-cell-suppressed BI views.

Roles (PostgreSQL, created idempotently, privileges converge to exactly this on every call):
- `berjasa_finance`: SELECT on billing_monthly, billing_detail, rejected_records,
  publication_cohort_status, publication_log, source_file_stats and the dimensions.
- `berjasa_bi`: SELECT only on the views of schema `berjasa_bi`; nothing in schema `berjasa`
  (so never billing_detail). The views run with their owner's rights, so BI needs no base access.

Suppression rule (the BI views, both targets). Cells are grouped by the published total they add
up to (a *row group*: the period, plus the program for billing). Within a group:
1. primary: every cell with 0 < count < 5 is suppressed (null);
2. complementary: when exactly one cell of a group is primary, the next-smallest other cell is
   suppressed too (smallest positive count first, ties by key; a zero cell only when no other
   cell is positive).
So a group shows either no suppressed cell or at least two, and `total - visible` is the sum of
two or more positive hidden counts: it never equals one hidden cell. Every measure derived from a
count (premium, program_share) is suppressed with it. Limits, documented rather than hidden: a
group whose only positive cell is small cannot be protected (the total is that cell); and
cross-period differencing of `new`/`exited`/`active` is not controlled (membership publishes
`active`, `new` and `exited`, each suppressed on its own; `continuing` = active - new is left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from berjasa.config import Settings
from berjasa.warehouse.tables import BI_SCHEMA, DIM_TABLES, SCHEMA, quote_literal
from berjasa.warehouse.targets import Adapter, is_postgres, open_target, q

FINANCE_ROLE = "berjasa_finance"
BI_ROLE = "berjasa_bi"
FINANCE_TABLES: tuple[str, ...] = (
    "billing_monthly",
    "billing_detail",
    "rejected_records",
    "publication_cohort_status",
    "publication_log",
    "source_file_stats",
    *DIM_TABLES,
)
SMALL_CELL_LIMIT = 5
CITY_AREA_CODE = "73.71"


@dataclass(frozen=True)
class Measure:
    column: str
    dependents: tuple[str, ...] = ()  # columns hidden together with it (derived from it)


@dataclass(frozen=True)
class SuppressedView:
    name: str
    source: str
    columns: tuple[str, ...]  # passed through unchanged
    group: tuple[str, ...]
    key: tuple[str, ...]
    measures: tuple[Measure, ...]
    cell_filter: str = "true"  # rows that are cells; the others (a total row) pass as they are
    comment: str = ""


BI_VIEWS: tuple[SuppressedView, ...] = (
    SuppressedView(
        name="billing_by_cohort",
        source="billing_monthly",
        columns=("period", "cohort_code", "program"),
        group=("period", "program"),
        key=("cohort_code",),
        measures=(Measure("participants", ("premium_idr",)),),
        comment="Participants and premium per period, cohort and program; counts 1-4 and a"
        " complementary cell per period and program are suppressed (null).",
    ),
    SuppressedView(
        name="membership_by_cohort",
        source="membership_changes",
        columns=("period", "cohort_code"),
        group=("period",),
        key=("cohort_code",),
        measures=(Measure("active"), Measure("new"), Measure("exited")),
        comment="Active, new and exited people per primary cohort; counts 1-4 and a"
        " complementary cell per period are suppressed (null).",
    ),
    SuppressedView(
        name="coverage_by_area",
        source="coverage_monthly",
        columns=(
            "period",
            "area_code",
            "area_name",
            "bpjs_active_participants",
            "potential_workers",
            "ucj_rate",
            "target_rate",
        ),
        group=("period",),
        key=("area_code",),
        measures=(Measure("program_participants", ("program_share",)),),
        cell_filter=f"area_code <> {quote_literal(CITY_AREA_CODE)}",
        comment="Program participants and UCJ per kecamatan (the city row is the total);"
        " counts 1-4 and a complementary area per period are suppressed (null).",
    ),
)


def suppressed_view_sql(view: SuppressedView) -> str:
    """SELECT implementing the suppression rule with window functions (DuckDB and PostgreSQL)."""
    cell = f"({view.cell_filter})"
    small_cols, window_cols, outputs = [], [], []
    for m in view.measures:
        col = q(m.column)
        small = f"small_{m.column}"
        small_cols.append(
            f"case when {cell} and {col} > 0 and {col} < {SMALL_CELL_LIMIT}"
            f" then 1 else 0 end as {small}"
        )
        partition = ", ".join([*(q(g) for g in view.group), cell])
        order = ", ".join(
            [f"case when {col} > 0 then 0 else 1 end", col, *(q(k) for k in view.key)]
        )
        window_cols.append(f"sum({small}) over (partition by {partition}) as n_{small}")
        window_cols.append(
            f"row_number() over (partition by {partition}, {small} order by {order})"
            f" as rank_{small}"
        )
        hidden = f"({small} = 1 or ({cell} and n_{small} = 1 and {small} = 0 and rank_{small} = 1))"
        for column in (m.column, *m.dependents):
            outputs.append(f"case when {hidden} then null else {q(column)} end as {q(column)}")
        outputs.append(f"{hidden} as {q(m.column + '_suppressed')}")
    passthrough = [q(c) for c in view.columns]
    needed = sorted(
        {
            *view.columns,
            *(m.column for m in view.measures),
            *(d for m in view.measures for d in m.dependents),
        }
    )
    return (
        f"with cells as (select {', '.join(q(c) for c in needed)}, {', '.join(small_cols)}"
        f" from {SCHEMA}.{q(view.source)}),"
        f" ranked as (select *, {', '.join(window_cols)} from cells)"
        f" select {', '.join(passthrough + outputs)} from ranked"
    )


def _create_views(adapter: Adapter, views: Sequence[SuppressedView]) -> None:
    adapter.execute(f"create schema if not exists {BI_SCHEMA}")
    for view in views:
        adapter.execute(f"drop view if exists {BI_SCHEMA}.{q(view.name)}")
        adapter.execute(f"create view {BI_SCHEMA}.{q(view.name)} as {suppressed_view_sql(view)}")
        if view.comment:
            adapter.execute(
                f"comment on view {BI_SCHEMA}.{q(view.name)} is {quote_literal(view.comment)}"
            )
    for dim in DIM_TABLES:
        adapter.execute(f"drop view if exists {BI_SCHEMA}.{q(dim)}")
        adapter.execute(f"create view {BI_SCHEMA}.{q(dim)} as select * from {SCHEMA}.{q(dim)}")


def _ensure_role(adapter: Adapter, role: str) -> None:
    adapter.execute(
        "do $$ begin if not exists (select 1 from pg_roles where rolname ="
        f" {quote_literal(role)}) then create role {q(role)} nologin; end if; end $$"
    )


def grant_roles(settings: Settings, warehouse_url: str | None = None) -> list[str]:
    """Create the BI views and (PostgreSQL) the two roles with exactly their privileges.

    Run after the first publication (the views read the published tables). On a DuckDB file
    only the views are created (DuckDB has no roles). Returns the BI view names.
    """
    target = str(warehouse_url or settings.warehouse)
    with open_target(target) as adapter:
        missing = [t for t in FINANCE_TABLES if not adapter.existing_columns(t)]
        missing += [v.source for v in BI_VIEWS if not adapter.existing_columns(v.source)]
        if missing:
            raise LookupError(
                f"publish a period first: warehouse tables missing: {', '.join(sorted(missing))}"
            )
        _create_views(adapter, BI_VIEWS)
        if is_postgres(target):
            for role in (FINANCE_ROLE, BI_ROLE):
                _ensure_role(adapter, role)
                for schema in (SCHEMA, BI_SCHEMA):
                    adapter.execute(f"revoke all on all tables in schema {schema} from {q(role)}")
                    adapter.execute(f"revoke all on schema {schema} from {q(role)}")
            adapter.execute(f"grant usage on schema {SCHEMA} to {q(FINANCE_ROLE)}")
            tables = ", ".join(f"{SCHEMA}.{q(t)}" for t in FINANCE_TABLES)
            adapter.execute(f"grant select on {tables} to {q(FINANCE_ROLE)}")
            adapter.execute(f"grant usage on schema {BI_SCHEMA} to {q(BI_ROLE)}")
            adapter.execute(f"grant select on all tables in schema {BI_SCHEMA} to {q(BI_ROLE)}")
    return [v.name for v in BI_VIEWS] + list(DIM_TABLES)
