"""A CRM's or a spreadsheet's table read into rows of cells: CSV in any of the
usual shapes (comma, semicolon or tab; UTF-8 with or without a BOM, UTF-16 as
Excel saves "Unicode text", another encoding when named), or the first sheet of
an .xlsx workbook (openpyxl, imported only here).

Rows are numbered as a spreadsheet shows them: the header is row 1, so the first
deal is row 2. Entirely empty rows are skipped (they keep their numbers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class TableError(Exception):
    """The file cannot be read as a table at all; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    path: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number, cells)
    note: str | None = None  # how it was read, when that was a guess


def read_table(path: Path, encoding: str | None = None, sheet: str | None = None) -> Table:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".xls", ".ods", ".numbers"):
        raise TableError(f"{path.name}: {suffix} files are not read: save the sheet as .xlsx "
                         f"or .csv")
    if sheet:
        raise TableError("--sheet names a sheet of an .xlsx workbook, not of a CSV file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(f"{path}: cannot read: {exc.strerror}") from None
    return _read_csv(str(path), data, encoding)


def _decode(name: str, data: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise TableError(f"--encoding {encoding!r}: no such encoding") from None
        except UnicodeDecodeError as exc:
            raise TableError(f"{name}: not {encoding} text (byte {exc.start})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TableError(f"{name}:{line}: not UTF-8 text: give --encoding (the one the "
                         f"file was saved in, e.g. cp1252, latin-1, gbk)") from None


def _delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns: comma,
    semicolon (Excel in much of Europe) or tab."""
    first = text.split("\n", 1)[0]
    best, most = ",", 1
    for d in (",", ";", "\t"):
        n = len(next(csv.reader([first], delimiter=d), []))
        if n > most:
            best, most = d, n
    return best


def _read_csv(name: str, data: bytes, encoding: str | None) -> Table:
    text = _decode(name, data, encoding)
    if not text.strip():
        raise TableError(f"{name}: the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[Any]]] = []
    headers: list[str] | None = None
    try:
        for n, cells in enumerate(reader, start=1):
            if headers is None:
                if not any(c.strip() for c in cells):
                    raise TableError(f"{name}:{n}: the first line must name the columns")
                headers = [c.strip() for c in cells]
                continue
            if any(c.strip() for c in cells):
                rows.append((n, cells))
    except csv.Error as exc:
        raise TableError(f"{name}:{reader.line_num}: not readable as CSV: {exc}") from None
    return Table(name, headers or [], rows)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise TableError("reading .xlsx needs openpyxl: install funnelctl with its io extra "
                         "(pip install 'funnelctl[io]'), or save the sheet as .csv") from None
    import warnings
    import zipfile

    try:
        with warnings.catch_warnings():  # openpyxl warns of styles it does not read
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not an .xlsx workbook"
        raise TableError(f"{path}: cannot read: {why}") from None
    except Exception as exc:  # openpyxl's own errors for a damaged workbook
        raise TableError(f"{path}: cannot read the workbook: {type(exc).__name__}") from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise TableError(f"--sheet {sheet!r}: no such sheet "
                                 f"(sheets: {', '.join(wb.sheetnames)})")
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for n, cells in enumerate(_sheet_rows(ws), start=1):
            if headers is None:
                if not any(c not in (None, "") for c in cells):
                    continue  # blank lines above the header
                headers = ["" if c is None else str(c).strip() for c in cells]
                first = n
                continue
            if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                rows.append((n, list(cells)))
        if headers is None:
            raise TableError(f"{path}: the sheet {ws.title!r} is empty")
    finally:
        wb.close()
    note = None if first == 1 else f"the header is on row {first} of sheet {ws.title!r}"
    return Table(str(path), headers, rows, note)


def _sheet_rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    yield from ws.iter_rows(values_only=True)
