"""Files and directories: text files by their decoded text, tables by cell; a bad file in a
directory is skipped with a reason, a bad file named on its own is an error."""

from __future__ import annotations

import os
from pathlib import Path

from custos.discovery.engine import Engine
from custos.discovery.errors import CustosDiscoveryInputError, ScanSourceNotFound, UnreadableSource
from custos.discovery.model import Location, ScanResult, Skipped
from custos.discovery.ports import NoProgress, Progress
from custos.discovery.scanners.columns import TableScanner
from custos.discovery.scanners.decode import decode
from custos.discovery.scanners.tables import TABLE_SUFFIXES, read_records
from custos.discovery.scanners.text import scan_text

MAX_FILE_BYTES = 512 * 1024 * 1024


class FileScanner:
    def __init__(self, engine: Engine, min_score: float = 0.0, sample_size: int = 200) -> None:
        self.engine = engine
        self.min_score = min_score
        self.tables = TableScanner(engine, min_score, sample_size)

    def scan_path(self, path: Path, progress: Progress | None = None) -> ScanResult:
        if not path.exists():
            raise ScanSourceNotFound(
                f"no such file or directory: {path}", details={"path": str(path)}
            )
        if path.is_dir():
            return self.scan_directory(path, progress or NoProgress())
        return self.scan_file(path)

    def scan_directory(self, root: Path, progress: Progress) -> ScanResult:
        files = sorted(_walk(root))
        result = ScanResult(source=str(root))
        progress.start(len(files), root.name or str(root))
        try:
            for path in files:
                try:
                    result.extend(self.scan_file(path))
                except CustosDiscoveryInputError as error:
                    result.skipped.append(Skipped(str(path), error.reason))
                progress.advance(path.name)
        finally:
            progress.finish()
        return result

    def scan_file(self, path: Path) -> ScanResult:
        """One file; a table's findings are kept only when the whole file parsed."""
        if path.suffix.lower() in TABLE_SUFFIXES:
            table = self.tables.scan(str(path), path.name, read_records(path))
            return table
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise UnreadableSource(
                    f"{path.name}: larger than {MAX_FILE_BYTES} bytes", code="too_large"
                )
            data = path.read_bytes()
        except OSError as error:
            raise UnreadableSource(f"{path.name}: cannot read ({error.strerror})") from None
        decoded = decode(data)
        if decoded is None:
            raise UnreadableSource(
                f"{path.name}: binary or undecodable / 二进制或无法解码", code="binary"
            )
        text = decoded[0]
        result = ScanResult(source=str(path), scanned_sources=1, scanned_chars=len(text))
        result.findings = scan_text(self.engine, text, Location(str(path)), self.min_score)
        return result


def _walk(root: Path) -> list[Path]:
    """Regular files under root, not following symbolic links (no loops, no escapes)."""
    found = []
    for directory, _dirs, names in os.walk(root, followlinks=False):
        for name in names:
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found
