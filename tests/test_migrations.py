"""Schema versions (loaders/migrations.py): a registry written before versions were recorded upgrades itself,
and a renamed column is carried by its migration, never dropped."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from loaders import migrations, service, store
from loaders.migrations import Migration
from loaders.store import sha256_of
from loaders.registry import connect_read_only
from loaders.schema import TABLES, ddl
from loaders.store import read_journal, rollback
from test_diff import MAGNET, PHARMA, ROBOT, alliances, subsidies

V1 = Path(__file__).parent / "fixtures" / "registry_v1.sql"  # the DDL main wrote before versions existed
NAMES = [t.name for t in TABLES] + ["imports"]


def columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = current_database() "
                                        "order by table_name").fetchall()]
    return {t: [tuple(r[:2]) for r in con.execute(f"describe {t}").fetchall()] for t in tables}


def schema_of(sql: str, upgrade: bool = False) -> dict[str, list[tuple[str, str]]]:
    con = duckdb.connect(":memory:")
    con.execute(sql)
    if upgrade:
        migrations.migrate(con)
    return columns(con)


def v1_registry(db: Path, tmp_path: Path) -> Path:
    """A registry file exactly as today's main writes it (version 1), holding a real import's data."""
    source = tmp_path / "today.duckdb"
    (tmp_path / "files").mkdir()
    service.load(source, [alliances(tmp_path / "files", ROBOT, MAGNET, PHARMA), subsidies(tmp_path / "files", "50")],
                 user="张三")
    con = duckdb.connect(str(db))
    con.execute(V1.read_text(encoding="utf-8"))
    con.execute(f"attach '{source}' as src (read_only)")
    for name in NAMES:
        con.execute(f"insert into {name} select * from src.{name}")
    con.close()
    assert migrations.file_version(db) == 1
    return db


def alliance_rows(db: Path, staff: str = "staff_count") -> list[tuple]:
    con = connect_read_only(db)
    try:
        return con.execute(f"select alliance_id, name, region, {staff} from alliances order by alliance_id").fetchall()
    finally:
        con.close()


def test_every_column_of_the_current_schema_is_reachable_from_version_1():
    assert schema_of(V1.read_text(encoding="utf-8"), upgrade=True) == schema_of(ddl())
    assert [m.version for m in migrations.MIGRATIONS] == list(range(2, migrations.current() + 1))  # in order, no gaps


def test_a_registry_written_by_todays_code_upgrades_itself_on_the_next_import(db: Path, tmp_path: Path):
    v1_registry(db, tmp_path)
    before = alliance_rows(db)
    assert [r[3] for r in before] == [3, None, 2]
    checked = service.check(db, [subsidies(tmp_path, "50", "30")], user="李四")   # upgrades first: a batch of its own
    assert migrations.file_version(db) == migrations.current() and checked.state == 2
    assert service.commit(checked, user="李四").import_id == 3
    assert alliance_rows(db) == before                                           # carried, not dropped
    assert [(r["import_id"], r["action"], r["outcome"]) for r in read_journal(db)] == [
        (2, "upgrade", "ok"), (3, "import", "ok")]
    con = connect_read_only(db)
    assert [r[0] for r in con.execute("select import_id from imports order by 1").fetchall()] == [1, 2, 3]
    assert [r[0] for r in con.execute("select version from schema_version order by 1").fetchall()] == [2]
    con.close()
    assert rollback(db, 2).summary == "回滚到批次 2 的数据"                       # the upgrade is a state like any other


RENAME = Migration(3, "专职人员数 is stored as staff (fixture)", "alter table alliances rename column staff_count to staff")


def renamed_ddl() -> str:
    assert "    staff_count INTEGER" in ddl()
    return ddl().replace("    staff_count INTEGER", "    staff INTEGER")


def test_a_renamed_column_is_carried_by_its_migration(db: Path, tmp_path: Path, monkeypatch):
    v1_registry(db, tmp_path)
    before = alliance_rows(db)
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, RENAME])
    monkeypatch.setattr(store, "ddl", renamed_ddl)
    assert schema_of(V1.read_text(encoding="utf-8"), upgrade=True) == schema_of(renamed_ddl())
    service.load(db, [subsidies(tmp_path, "70")], user="李四")                  # upgrade to 3, then import
    assert alliance_rows(db, staff="staff") == before
    assert migrations.file_version(db) == 3
    assert [r["action"] for r in read_journal(db)] == ["upgrade", "import"]


def test_a_column_the_schema_lost_without_a_migration_is_refused_not_dropped(db: Path, tmp_path: Path, monkeypatch):
    v1_registry(db, tmp_path)
    service.load(db, [subsidies(tmp_path, "70")], user="李四")                  # at the current version
    monkeypatch.setattr(store, "ddl", renamed_ddl)                              # renamed, but no migration says so
    unchanged = sha256_of(db)
    with pytest.raises(RuntimeError, match="staff_count"):
        service.load(db, [subsidies(tmp_path, "80")], user="李四")
    assert sha256_of(db) == unchanged
    assert read_journal(db)[-1]["outcome"] == "interrupted"


def test_the_command_line_upgrades_once_and_init_upgrades_an_existing_registry(db: Path, tmp_path: Path, capsys):
    from loaders.__main__ import main

    v1_registry(db, tmp_path)
    assert main(["init", "--db", str(db)]) == 0                                # make run: the registry exists
    assert "数据结构从版本 1 升级到版本 2，数据不变（新批次 2）" in capsys.readouterr().out
    assert migrations.file_version(db) == migrations.current()
    assert main(["upgrade", "--db", str(db)]) == 0
    assert "数据结构已是当前版本" in capsys.readouterr().out
    assert [r["action"] for r in read_journal(db)] == ["upgrade"]
