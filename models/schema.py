"""The database's schema revision against the migrations this version ships.

Migrations run only when asked (`triage migrate`), with one exception: a brand-new SQLite
database (its file not there yet) is created and brought to the newest revision on first use,
so a fresh data dir works at once. Any other database is checked, never changed: a schema
older than this version needs `triage migrate`; a newer one (migrated by a later version)
is refused, since this code would misread it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from models.db import alembic_config, get_engine, migrate


class SchemaMismatch(RuntimeError):
    """The database's schema is not the one this version of the code works with."""


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # the database's revision; None when it has none
    head: str  # the newest revision this version knows
    known: frozenset[str]  # every revision this version knows
    has_tables: bool

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    @property
    def is_newer(self) -> bool:
        return self.current is not None and self.current not in self.known


def known_revisions(url: str) -> frozenset[str]:
    """Every revision this version's migrations know (read from the files, not the database)."""
    script = ScriptDirectory.from_config(alembic_config(url))
    return frozenset(revision.revision for revision in script.walk_revisions())


def schema_state(url: str) -> SchemaState:
    """Where the database's schema stands, read without changing anything."""
    script = ScriptDirectory.from_config(alembic_config(url))
    known = frozenset(revision.revision for revision in script.walk_revisions())
    with get_engine(url).connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        has_tables = bool(inspect(connection).get_table_names())
    return SchemaState(current, script.get_current_head() or "", known, has_tables)


def new_sqlite_file(url: str) -> bool:
    """A SQLite URL whose file does not exist yet (so nothing can be lost by creating it)."""
    if not url.startswith("sqlite:///"):
        return False
    path = url.removeprefix("sqlite:///")
    return path not in {"", ":memory:"} and not Path(path).exists()


def open_database(url: str) -> bool:
    """Check the schema before any work; True when a brand-new SQLite database was created
    and migrated just now. Raises SchemaMismatch saying what to do otherwise."""
    if new_sqlite_file(url):
        migrate(url)
        return True
    check_schema(url)
    return False


def check_schema(url: str) -> SchemaState:
    """Refuse a database whose schema is not this version's, saying which revision and what
    to do; the state when it is."""
    state = schema_state(url)
    if state.is_current:
        return state
    if state.is_newer:
        raise SchemaMismatch(
            f"the database is at schema revision {state.current}, newer than this version of "
            f"housing-triage knows (its newest is {state.head}): it was migrated by a later "
            "version. Run that version here (update the checkout and reinstall), or restore "
            "the back-up taken before the upgrade (`triage restore PATH`)")
    found = state.current or ("no schema at all" if not state.has_tables
                              else "tables but no schema revision")
    raise SchemaMismatch(
        f"the database's schema is at {found}; this version needs {state.head}. Stop the "
        "workers, back up (`triage backup PATH`), run `triage migrate`, then start them again")


def migrate_to_head(url: str) -> tuple[str | None, str]:
    """`triage migrate`: bring the schema to this version's newest revision; (from, to).
    A database already newer than this version is refused, never downgraded."""
    state = schema_state(url)
    if state.is_newer:
        check_schema(url)
    migrate(url)
    return state.current, state.head
