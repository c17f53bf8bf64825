"""Querysets compiled once per process, then run with other values.

Building and compiling a queryset costs CPU that grows with its joins and subqueries (a thread
with what its page asks of the reader: about a millisecond), more than a page served from its
skeleton (core/skeletons.py) costs in all; its SQL is the same every time but for the values.
`Prepared(build, *stand_ins)` builds the queryset once with stand-in values, keeps its SQL per
database, and runs it with the real values in their places: the rules stay written once, in the
querysets and Q objects the rest of the code uses.

Stand-ins must be distinct from the query's own constants and within their columns' ranges (Django
drops a lookup on an integer outside its column's range: large positive ids within 32 bits; a
moment in 1901). A datetime may reach the parameters adapted by the backend (SQLite: text), and
so is each real one. A stand-in not found among the parameters is an error when the query is
first compiled, not a wrong answer.
Rows come back as the database driver gives them, without Django's converters: ask for ids,
text, booleans (SQLite gives 0/1: wrap in `bool`) and timestamps only.

`prepared_rows` goes one step further on PostgreSQL for a statement written out whose plan does
not depend on its values (search's page of posts by id: planned in 0.35 ms, run in 0.25): the
server keeps it prepared on each connection (PREPARE once, then EXECUTE), planned once.
"""

import re
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime

from django.conf import settings
from django.db import connections, router


class Prepared:
    def __init__(self, build: Callable, *stand_ins):
        self._build, self._stand_ins = build, stand_ins
        self._compiled: dict[str, tuple] = {}

    def _compile(self, alias: str) -> tuple:
        queryset = self._build(*self._stand_ins).using(alias)
        sql, params = queryset.query.sql_with_params()
        adapt = _adapter(alias)
        places = []
        for param in params:
            found = [
                index
                for index, stand_in in enumerate(self._stand_ins)
                if isinstance(param, type(adapt(stand_in))) and param == adapt(stand_in)
            ]
            if not found:
                places.append(None)
                continue
            # The driver's own type where the backend chose one (psycopg: Int4 for an integer).
            plain = type(param) is type(adapt(self._stand_ins[found[0]]))
            places.append((found[0], None if plain else type(param)))
        missing = set(range(len(self._stand_ins))) - {place[0] for place in places if place}
        if missing:
            raise ValueError(f"stand-ins {sorted(missing)} not found in the query's parameters")
        return sql, tuple(params), tuple(places), adapt

    def rows(self, *values, model=None) -> list[tuple]:
        """The rows of the query with `values` in the stand-ins' places."""
        alias = router.db_for_read(model) if model is not None else "default"
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        sql, params, places, adapt = compiled
        args = [
            param if place is None else _value(adapt, values, *place)
            for param, place in zip(params, places, strict=True)
        ]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.fetchall()


def _value(adapt, values, index, cast):
    value = adapt(values[index])
    return value if cast is None else cast(value)


def _adapter(alias: str) -> Callable:
    operations = connections[alias].ops

    def adapt(value):
        if isinstance(value, datetime):
            return operations.adapt_datetimefield_value(value)
        return value

    return adapt


# The statements `prepared_rows` has prepared, by database connection (psycopg's: a new
# connection starts with none). PostgreSQL keeps a prepared statement for the session, through
# a rollback of the transaction that prepared it.
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"\$\d+")


def prepared_rows(
    name: str, sql: str, types: Sequence[str], values: Sequence, alias: str = "default"
) -> list[tuple]:
    """The rows of `sql`, whose parameters $1, $2, … (each used once, in order) are of the
    PostgreSQL `types`, run with `values`. On PostgreSQL the statement is prepared as `name`
    once per connection and executed from then on (Django counts and logs the EXECUTE as any
    query); elsewhere, or with DB_PREPARED_STATEMENTS off (a pooler that cannot keep prepared
    statements), it runs as it is.

    Only for statements whose best plan is the same whatever their values: after five runs
    PostgreSQL may run one generic plan for every value."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
            cursor.execute(_PLACEHOLDER.sub("%s", sql), list(values))
            return cursor.fetchall()
        prepared = _prepared_on.setdefault(connection.connection, set())
        if name not in prepared:
            cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {sql}")
            prepared.add(name)
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(values))})", list(values))
        return cursor.fetchall()
