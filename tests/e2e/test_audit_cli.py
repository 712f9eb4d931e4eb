"""`custos audit …` as an operator drives it, against a data directory tampered with by hand."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from custos.audit.chain import GENESIS, chain_hash
from custos.audit.merkle import MerkleLevels, leaf_hash
from custos.audit.model import AuditEvent, Outcome
from custos.bootstrap import initialize, open_container
from custos.config import Settings
from custos.entrypoints.cli import main
from custos.errors import CustosError, IntegrityViolation
from tests.e2e.conftest import Run

INTERVAL = 100
EXTRA_EVENTS = 250  # plus whatever `init` records; checkpoints at 100 and 200


@pytest.fixture(scope="module")
def app() -> object:
    main._register()
    return main.app


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CUSTOS_CHECKPOINT_INTERVAL", str(INTERVAL))
    settings = Settings(data_dir=tmp_path / "data", checkpoint_interval=INTERVAL)
    initialize(settings)
    container = open_container(settings)
    events = [
        AuditEvent(
            "local-operator",
            "subject.read",
            Outcome.SUCCESS,
            "customer_support",
            (f"sub_{i:05d}",),
            ("email",),
        )
        for i in range(EXTRA_EVENTS)
    ]
    with container.uow() as uow:
        container.audit.append_many(uow.conn, events)
        uow.commit()
    container.engine.dispose()
    return settings.data_dir


def run(app: object, data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--data-dir", str(data_dir), "audit", *args])  # type: ignore[arg-type]


def sql(data_dir: Path, *statements: str) -> None:
    with sqlite3.connect(data_dir / "custos.db") as db:
        for statement in statements:
            db.execute(statement)


def rehash(data_dir: Path) -> None:
    """Recompute every chain hash and the head, as an attacker who read the design would."""
    with sqlite3.connect(data_dir / "custos.db") as db:
        rows = db.execute("SELECT seq, body FROM audit_events ORDER BY seq").fetchall()
        previous, leaves = GENESIS, []
        for seq, body in rows:
            leaves.append(leaf_hash(bytes(body)))
            previous = chain_hash(previous, seq, leaves[-1])
            db.execute("UPDATE audit_events SET chain_hash = ? WHERE seq = ?", (previous, seq))
        levels = MerkleLevels(leaves)
        frontier = b"".join(levels.stack(len(leaves)))
        db.execute("UPDATE audit_head SET chain_hash = ?, frontier = ?", (previous, frontier))


SWAP = ("UPDATE audit_events SET seq = -1 WHERE seq = 120",
        "UPDATE audit_events SET seq = 120 WHERE seq = 121",
        "UPDATE audit_events SET seq = 121 WHERE seq = -1")  # fmt: skip
INSERT = ("UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 120",
          "UPDATE audit_events SET seq = -seq WHERE seq < 0",
          "INSERT INTO audit_events SELECT 120, recorded_at, body, chain_hash "
          "FROM audit_events WHERE seq = 119")  # fmt: skip
EDIT = ("UPDATE audit_events SET body = CAST(replace(body, 'sub_', 'sub_X') AS BLOB) "
        "WHERE seq = 120",)  # fmt: skip
TAMPERING = {
    "edit": (EDIT, 120),
    "delete": (("DELETE FROM audit_events WHERE seq = 120",), 120),
    "insert": (INSERT, 120),
    "reorder": (SWAP, 120),
    "truncate": (("DELETE FROM audit_events WHERE seq > 210",), 211),
}  # fmt: skip


def test_an_intact_log_verifies_with_exit_0(app: object, data_dir: Path) -> None:
    result = run(app, data_dir, "verify", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and report["first_bad_seq"] is None
    assert report["events_checked"] > EXTRA_EVENTS
    assert "OK" in run(app, data_dir, "verify").output


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_fails_verify_and_names_the_seq(app: object, data_dir: Path, case: str) -> None:
    statements, seq = TAMPERING[case]
    sql(data_dir, *statements)
    text = run(app, data_dir, "verify")
    assert text.exit_code == IntegrityViolation.exit_code
    assert f"first bad seq {seq}" in text.output
    as_json = json.loads(run(app, data_dir, "verify", "--format", "json").output)
    assert as_json["first_bad_seq"] == seq and not as_json["ok"]
    quick = json.loads(run(app, data_dir, "verify", "--quick", "--format", "json").output)
    assert quick["first_bad_seq"] == seq


def test_a_rehashed_edit_is_caught_by_checkpoints_and_the_exported_file(
    app: object, data_dir: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "outside" / "checkpoints.jsonl"
    assert run(app, data_dir, "checkpoint", "--export", str(exported)).exit_code == 0
    sql(data_dir, *EDIT, "DELETE FROM audit_checkpoints WHERE tree_size > 100")
    rehash(data_dir)
    sql(data_dir, "UPDATE audit_head SET checkpoint_size = 100")
    inside = json.loads(run(app, data_dir, "verify", "--format", "json").output)
    assert inside["problem"]["code"] == "checkpoint_missing" and inside["first_bad_seq"] == 101
    result = run(app, data_dir, "verify", "--checkpoints", str(exported), "--format", "json")
    assert result.exit_code == IntegrityViolation.exit_code
    outside = json.loads(result.output)
    assert outside["first_bad_seq"] == 101
    assert outside["problem"]["code"] in {"checkpoint_missing", "root_mismatch"}


def test_a_forged_checkpoint_signature_fails_verify(app: object, data_dir: Path) -> None:
    sql(data_dir, "UPDATE audit_checkpoints SET signature = zeroblob(64) WHERE tree_size = 200")
    result = run(app, data_dir, "verify")
    assert result.exit_code == IntegrityViolation.exit_code
    assert "first bad seq 200" in result.output and "bad_signature" in result.output


def test_export_writes_jsonl_and_is_itself_audited(
    app: object, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "audit.jsonl"
    result = run(app, data_dir, "export", "--out", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)["events"]
    lines = out.read_bytes().splitlines()
    assert len(lines) == exported and json.loads(lines[-1])["seq"] == exported
    verified = json.loads(run(app, data_dir, "verify", "--format", "json").output)
    assert verified["tree_size"] == exported + 1  # the export recorded an audit.export event


def test_proofs_as_json_verify(app: object, data_dir: Path) -> None:
    inclusion = run(app, data_dir, "proof", "42", "--tree-size", "200", "--format", "json")
    assert inclusion.exit_code == 0, inclusion.output
    proof = json.loads(inclusion.output)
    assert proof["verified"] and proof["leaf_index"] == 41 and len(proof["path"]) == 8
    consistency = run(app, data_dir, "consistency", "100", "200", "--format", "json")
    assert json.loads(consistency.output)["verified"]
    missing = run(app, data_dir, "proof", "99999")
    assert missing.exit_code != 0


def test_checkpoint_signs_now_and_help_is_bilingual(app: object, data_dir: Path) -> None:
    signed = json.loads(run(app, data_dir, "checkpoint", "--format", "json").output)
    assert signed["tree_size"] > EXTRA_EVENTS and len(signed["root"]) == 64
    help_text = CliRunner().invoke(app, ["audit", "--help"]).output  # type: ignore[arg-type]
    assert "audit log" in help_text and "审计日志" in help_text


def test_the_installed_command_exits_non_zero_with_the_seq(custos: Run, data_dir: Path) -> None:
    assert custos("audit", "verify").returncode == 0
    sql(data_dir, "DELETE FROM audit_events WHERE seq = 7")
    result = custos("audit", "verify", check=False)
    assert result.returncode == IntegrityViolation.exit_code
    assert "first bad seq 7" in result.stdout and "Traceback" not in result.stderr


def test_two_validly_signed_roots_for_one_size_are_detected(
    app: object, data_dir: Path, tmp_path: Path
) -> None:
    """Equivocation: the key signed a second tree of size 100; the exported copy shows it."""
    from custos.audit import checkpoints as cpfile
    from custos.audit.canonical import format_time
    from custos.audit.model import Checkpoint
    from custos.crypto.signing import SigningKey

    key = SigningKey.load(data_dir / "keys" / "audit-signing.key")
    honest = tmp_path / "honest.jsonl"
    assert run(app, data_dir, "checkpoint", "--export", str(honest)).exit_code == 0
    stored = cpfile.read_file(honest)[0]
    other_root = bytes(32)
    signature = key.sign(cpfile.note(stored.tree_size, other_root, format_time(stored.signed_at)))
    forked = Checkpoint(stored.tree_size, other_root, stored.signed_at, key.key_id, signature)
    fork_file = tmp_path / "fork.jsonl"
    cpfile.write_file([forked], key.public_key_for, fork_file)
    result = run(app, data_dir, "verify", "--checkpoints", str(fork_file), "--format", "json")
    assert result.exit_code == IntegrityViolation.exit_code
    report = json.loads(result.output)
    assert report["problem"]["code"] == "conflicting_roots"
    assert report["first_bad_seq"] == stored.tree_size == INTERVAL


def test_signing_key_rotation_keeps_the_trail_verifiable(
    app: object, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOS_OPERATOR", "1")
    before = SigningKeyFile(data_dir).key_id()
    rotated = CliRunner().invoke(app, ["--data-dir", str(data_dir), "keys", "rotate-signing"])  # type: ignore[arg-type]
    assert rotated.exit_code == 0, rotated.output
    after = SigningKeyFile(data_dir).key_id()
    assert after != before and before in rotated.output and after in rotated.output
    exported = tmp_path / "checkpoints.jsonl"
    assert run(app, data_dir, "checkpoint", "--export", str(exported)).exit_code == 0
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert {line["key_id"] for line in lines} == {before, after}
    result = run(app, data_dir, "verify", "--checkpoints", str(exported), "--format", "json")
    assert result.exit_code == 0, result.output
    # A forged history entry makes the store refuse to trust any key: a clear error, no trace.
    history = data_dir / "keys" / "audit-signing-history.json"
    doc = json.loads(history.read_text())
    doc["keys"][0]["public_key"] = "00" * 32
    history.write_text(json.dumps(doc))
    refused = run(app, data_dir, "verify")
    error = refused.exception  # run_guarded in `main` turns it into a message and exit 9
    assert isinstance(error, CustosError) and error.reason == "signing_history_invalid"
    assert "audit-signing-history.json" in str(error) and error.exit_code == 9


class SigningKeyFile:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "keys" / "audit-signing.key"

    def key_id(self) -> str:
        from custos.crypto.signing import SigningKey

        return SigningKey.load(self.path).key_id
