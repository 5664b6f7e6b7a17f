"""The Dagster instance's storage: Dagster's SQLite storage, with each database's connection
kept open for the life of the process instead of opened and closed for every write.

Why: Dagster's SQLite storages create an engine and open a new connection for every write
(`NullPool`). In WAL mode, closing a database's last connection checkpoints the log into the
database and deletes it: five `fdatasync`s and a few file creations per event. A run writes
~230 events to the run's log and the asset index (every dbt model and test is a
materialisation or check, plus ~70 planned events before the first step), and storing them
took 6.6 s of a 30 s city-size run, ~28 ms an event, on the main thread. With the connection
kept, an event is one WAL append (one `fdatasync`).

What stays the same: the files and their layout under `$DAGSTER_HOME` (`history/runs.db`,
`history/runs/<run>.db`, `schedules/`), the WAL journal, full synchronous commits, and other
processes (`dagster dev`, the daemon) reading and writing the same files: SQLite's WAL lets a
kept connection and theirs work side by side. `dagster.yaml` selects it:

    storage:
      custom:
        module: orchestration.dagster_storage
        class: KeptConnectionSqliteStorage
        config:
          base_dir: {env: DAGSTER_HOME}

It overrides the private `_connect` of `SqliteEventLogStorage` and `connect` of
`SqliteRunStorage` (dagster 1.13, pinned by uv.lock): tests/orchestration/test_dagster_storage.py
runs a job on it and reads its events back, so an upgrade that changes them fails there.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def kept_connection_engine(conn_string: str) -> Engine:
    """An engine whose connections stay open between uses (a pool of them, for the threads
    that write at once)."""
    return create_engine(
        conn_string,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        # a pooled connection is used by whichever thread checks it out, one at a time
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )


class KeptConnectionSqliteEventLogStorage(SqliteEventLogStorage):
    """The run logs and the asset index, one kept engine per database file, for the
    `KEPT_ENGINES` files used last: a run writes its own log and the index, while the UI or a
    migration reads the logs of many runs, whose files must not all stay open."""

    KEPT_ENGINES = 8

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # the lock is held while the connection is in use (as Dagster's own _connect does), so
        # the engine evicted below is never one in use
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = kept_connection_engine(self.conn_string_for_shard(shard))
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
                if len(self._engines) > self.KEPT_ENGINES:
                    self._engines.popitem(last=False)[1].dispose()
            self._engines.move_to_end(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()


class KeptConnectionSqliteRunStorage(SqliteRunStorage):
    """The runs database through one kept engine."""

    def __init__(self, conn_string: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(conn_string, inst_data=inst_data)
        self._engine = kept_connection_engine(conn_string)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self._engine.dispose()
        super().dispose()


class KeptConnectionSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (same files) with kept connections for runs and events."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # DagsterSqliteStorage.__init__ with the two storages swapped (same directories)
        self.base_dir = base_dir
        self._run_storage = KeptConnectionSqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = KeptConnectionSqliteEventLogStorage(
            _event_logs_directory(base_dir)
        )
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData, config_value: Any
    ) -> KeptConnectionSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
