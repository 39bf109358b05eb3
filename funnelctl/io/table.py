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

from funnelctl.i18n import _
from funnelctl.store.root import os_reason


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
        raise TableError(_("{name}: {suffix} files are not read: save the sheet as .xlsx or "
                           ".csv").format(name=path.name, suffix=suffix))
    if sheet:
        raise TableError(_("--sheet names a sheet of an .xlsx workbook, not of a CSV file"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(_cannot_read(path, os_reason(exc))) from None
    return _read_csv(str(path), data, encoding)


def _cannot_read(path: Path, why: str) -> str:
    return _("{path}: cannot read: {reason}").format(path=path, reason=why)


def _decode(name: str, data: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise TableError(_("--encoding {encoding!r}: no such encoding").format(
                encoding=encoding)) from None
        except UnicodeDecodeError as exc:
            raise TableError(_("{name}: not {encoding} text (byte {byte})").format(
                name=name, encoding=encoding, byte=exc.start)) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TableError(_("{name}:{line}: not UTF-8 text: give --encoding (the one the "
                           "file was saved in, e.g. cp1252, latin-1, gbk)").format(
            name=name, line=line)) from None


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
        raise TableError(_("{name}: the file is empty").format(name=name))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[Any]]] = []
    headers: list[str] | None = None
    try:
        for n, cells in enumerate(reader, start=1):
            if headers is None:
                if not any(c.strip() for c in cells):
                    raise TableError(_("{name}:{line}: the first line must name the "
                                       "columns").format(name=name, line=n))
                headers = [c.strip() for c in cells]
                continue
            if any(c.strip() for c in cells):
                rows.append((n, cells))
    except csv.Error as exc:
        raise TableError(_("{name}:{line}: not readable as CSV: {error}").format(
            name=name, line=reader.line_num, error=exc)) from None
    return Table(name, headers or [], rows)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise TableError(_("reading .xlsx needs openpyxl: install funnelctl with its io extra "
                           "(pip install 'funnelctl[io]'), or save the sheet as .csv")) from None
    import warnings
    import zipfile

    try:
        with warnings.catch_warnings():  # openpyxl warns of styles it does not read
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        why = os_reason(exc) if isinstance(exc, OSError) and exc.strerror else \
            _("not an .xlsx workbook")
        raise TableError(_cannot_read(path, why)) from None
    except Exception as exc:  # openpyxl's own errors for a damaged workbook
        raise TableError(_("{path}: cannot read the workbook: {error}").format(
            path=path, error=type(exc).__name__)) from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise TableError(_("--sheet {sheet!r}: no such sheet (sheets: {sheets})").format(
                    sheet=sheet, sheets=", ".join(wb.sheetnames)))
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
            raise TableError(_("{path}: the sheet {sheet!r} is empty").format(
                path=path, sheet=ws.title))
    finally:
        wb.close()
    note = None if first == 1 else _("the header is on row {row} of sheet {sheet!r}").format(
        row=first, sheet=ws.title)
    return Table(str(path), headers, rows, note)


def _sheet_rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    yield from ws.iter_rows(values_only=True)
