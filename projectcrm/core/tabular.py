"""Reading and writing CSV and XLSX files safely.

Reading: UTF-8 (with or without BOM), UTF-16 (with BOM), GB18030 (a superset of GBK and GB2312)
and Big5, guessed or chosen; XLSX checked against decompression bombs before it is opened.
Writing: cells that a spreadsheet would run as a formula are neutralised.
"""

import csv
import io
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _


class FileProblem(Exception):
    """The file as a whole cannot be read; the message names the file and the reason."""


ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "gb18030": "GBK / GB18030",
    "big5": "Big5",
}

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- Encodings ---------------------------------------------------------------------------------


def _common_share(text: str, codec: str, lead_low: int, lead_high: int) -> float:
    """Share of the CJK characters whose first byte in `codec` falls in the range of its most
    frequently used characters (GB2312 level 1: B0-D7; Big5 frequent: A4-C6)."""
    cjk = [c for c in text if "\u3400" <= c <= "\u9fff"]
    if not cjk:
        return 0.0
    common = 0
    for char in cjk:
        try:
            raw = char.encode(codec)
        except UnicodeEncodeError:
            continue
        if lead_low <= raw[0] <= lead_high:
            common += 1
    return common / len(cjk)


def decode_csv_bytes(data: bytes, filename: str, encoding: str = "") -> tuple[str, str]:
    """Decode an uploaded CSV; returns (text, encoding used) or raises FileProblem."""
    if encoding:
        codec = "utf-8-sig" if encoding == "utf-8" else encoding
        try:
            return data.decode(codec), encoding
        except (UnicodeDecodeError, LookupError):
            raise FileProblem(
                _("%(file)s cannot be read as %(enc)s. Choose another encoding or “Detect automatically”.")
                % {"file": filename, "enc": ENCODINGS.get(encoding, encoding)}
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = {}
    for codec in ("gb18030", "big5"):
        try:
            candidates[codec] = data.decode(codec)
        except UnicodeDecodeError:
            continue
    if len(candidates) == 1:
        codec, text = next(iter(candidates.items()))
        return text, codec
    if len(candidates) == 2:
        # Both decode: GBK text read as Big5, or Big5 read as GBK, gives mostly rare characters.
        gb = _common_share(candidates["gb18030"], "gb2312", 0xB0, 0xD7)
        big5 = _common_share(candidates["big5"], "big5", 0xA4, 0xC6)
        codec = "big5" if big5 > gb else "gb18030"
        return candidates[codec], codec
    raise FileProblem(
        _(
            "%(file)s is not a text file in UTF-8, UTF-16, GBK/GB18030 or Big5. Save it from Excel as "
            "“CSV UTF-8” and upload it again."
        )
        % {"file": filename}
    )


# --- Reading -----------------------------------------------------------------------------------


def read_csv(data: bytes, filename: str, encoding: str = "") -> tuple[list[list[str]], str]:
    text, used = decode_csv_bytes(data, filename, encoding)
    if "\x00" in text:
        raise FileProblem(_("%(file)s contains binary data; it is not a CSV file.") % {"file": filename})
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise FileProblem(_("%(file)s is not a valid CSV file: %(error)s") % {"file": filename, "error": exc})
    return rows, used


def check_xlsx_bomb(data: bytes, filename: str):
    """Refuse an XLSX that would unpack to far more than it weighs (a decompression bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileProblem(_("%(file)s is not a valid XLSX file.") % {"file": filename})
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > settings.XLSX_MAX_RATIO and info.file_size > 1024 * 1024:
                raise FileProblem(
                    _("%(file)s is refused: part %(part)s unpacks %(ratio)d times larger than it is stored.")
                    % {"file": filename, "part": info.filename, "ratio": ratio}
                )
        if total > settings.XLSX_MAX_UNCOMPRESSED_BYTES:
            raise FileProblem(
                _("%(file)s is refused: it unpacks to %(size)d MB, more than the %(cap)d MB allowed.")
                % {
                    "file": filename,
                    "size": total // (1024 * 1024),
                    "cap": settings.XLSX_MAX_UNCOMPRESSED_BYTES // (1024 * 1024),
                }
            )


def read_xlsx(data: bytes, filename: str) -> list[list]:
    import openpyxl

    check_xlsx_bomb(data, filename)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise FileProblem(_("%(file)s is not a valid XLSX file: %(error)s") % {"file": filename, "error": exc})
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if cell is None else cell for cell in row])
            if len(rows) > settings.IMPORT_MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return rows


def read_table(data: bytes, filename: str, encoding: str = "") -> tuple[list[list], str]:
    """Rows of an uploaded CSV or XLSX file (first row: headers) and the encoding used."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileProblem(
            _("%(file)s is %(size).1f MB; the limit is %(cap).1f MB.")
            % {"file": filename, "size": len(data) / 1048576, "cap": settings.IMPORT_MAX_BYTES / 1048576}
        )
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        rows, used = read_xlsx(data, filename), "xlsx"
    elif name.endswith((".csv", ".txt", ".tsv")):
        rows, used = read_csv(data, filename, encoding)
    else:
        raise FileProblem(_("%(file)s: only .csv and .xlsx files can be imported.") % {"file": filename})
    # Drop fully empty rows at the end (spreadsheets keep formatted empty rows).
    while rows and all(str(cell).strip() == "" for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise FileProblem(_("%(file)s is empty.") % {"file": filename})
    if len(rows) - 1 > settings.IMPORT_MAX_ROWS:
        raise FileProblem(
            _("%(file)s has more than %(cap)d rows.") % {"file": filename, "cap": settings.IMPORT_MAX_ROWS}
        )
    return rows, used


# --- Writing -----------------------------------------------------------------------------------


def neutralise(value):
    """Make a cell that begins with = + - @ tab or CR plain text (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise("" if v is None else v) for v in row])
    # UTF-8 with BOM: Excel then opens Chinese text correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    return write_xlsx_sheets([(title, headers, rows)])


def write_xlsx_sheets(sheets: Iterable[tuple[str, list[str], Iterable[list]]]) -> bytes:
    """A workbook of several sheets: (title, headers, rows) each; cells neutralised as in CSV."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
        header_cells = []
        for header in headers:
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=neutralise(header))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            out = []
            for value in row:
                value = neutralise(value)
                if isinstance(value, str):
                    # openpyxl would also treat a leading "=" as a formula; neutralise() removed it,
                    # and the explicit string type keeps numbers-as-text as text.
                    cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    out.append(cell)
                else:
                    out.append(value)
            sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
