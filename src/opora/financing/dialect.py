"""SQL that PostgreSQL and SQLite both run: the few expressions they write differently
(the set-based statements of ``opora.financing.settlement``)."""

from django.db import connection

ANALYZE_AFTER = 5_000  # rows inserted by one statement

class Dialect:
    """The few expressions the two databases write differently. SQLite keeps decimals as
    binary floats, so there money is summed and shared in whole kopecks (integers) to
    stay exact; PostgreSQL's numeric is exact as it is."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def uuid(self) -> str:
        return "gen_random_uuid()" if self.postgres else "lower(hex(randomblob(16)))"

    def share(self, amount: str, share: str) -> str:
        """⌊amount × share⌋ to the kopeck (amount ≥ 0, share with four decimals)."""
        if self.postgres:
            return f"floor(({amount}) * ({share}) * 100) / 100"
        return (f"(CAST(round(({amount}) * 100) AS INTEGER) * CAST(round(({share}) * 10000) AS INTEGER)"
                f" / 10000) / 100.0")

    def total(self, expr: str) -> str:
        if self.postgres:
            return f"SUM({expr})"
        return f"(SUM(CAST(round(({expr}) * 100) AS INTEGER)) / 100.0)"

    def money(self, expr: str) -> str:
        return expr if self.postgres else f"round({expr}, 2)"

    def analyze(self, cursor, table: str, rows: int) -> None:
        """After a bulk insert, give PostgreSQL's planner the new size of the table: the next
        statements join it with hundreds of thousands of rows, and a plan made for the empty
        table of the first run (a nested loop over it) would take minutes instead of seconds."""
        if rows >= ANALYZE_AFTER and self.postgres:
            cursor.execute(f"ANALYZE {table}")
