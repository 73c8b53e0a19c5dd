"""Usage data exported from the CRM: reading a file, loading it fast, and the weekly sums of it.

The file
--------
A CSV (UTF-8 with or without BOM, UTF-16, GBK/GB18030 or Big5, detected as for register imports)
or an XLSX (first sheet). The first row names the columns, in any order; names are matched without
regard to case, spaces, hyphens or underscores, in English or in the Chinese of `HEADERS`:

* ``user`` (required): the person's CRM user name or e-mail. It is matched, case-insensitively,
  against the trainees' CRM user name, e-mail and employee ID and stored under the trainee's
  usage key (`Trainee.usage_key`); a name that matches no trainee is stored as written (lower
  case) and counted on the import page, so a trainee added later with that CRM user name picks the
  rows up.
* ``date`` (required): the day, ``YYYY-MM-DD`` (``YYYY/MM/DD`` and a time after the date are
  accepted), an Excel date cell, or an Excel date serial number (20000..80000) as text. Not after
  today.
* ``logins`` (required) and ``<type>_created`` / ``<type>_updated`` for accounts, contacts,
  opportunities, activities and cases: whole numbers of 0 or more; an empty cell is 0, a missing
  record-type column is 0 for every row.
* ``completeness`` (optional): the share of key fields filled in. A value from 0 to 1 is a
  fraction; a value above 1 and up to 100 is a percentage (so ``1`` is 100 %, ``0.5`` and ``50``
  are both 50 %; write ``1%`` for one percent); a trailing ``%`` always means a percentage. Empty
  (or a missing column): no figure that day.

All or nothing: every bad cell is reported with its row (the header is row 1), its column as
written in the file, and the problem; two rows for the same person and day are an error; nothing
is saved while any row is bad. A good file's rows replace earlier imported rows of the same person
and day entirely (a column the new file lacks becomes 0 there); other days and other people are
kept. The import records the period it covered (`UsageImport.first_day` .. `last_day`).

Speed
-----
One million rows must load in under 30 s on SQLite and on PostgreSQL (2 cores). Rows are never
model instances: the csv module splits the text, one loop converts the cells with caches for the
few thousand distinct users and dates (counts of plain digits go to the database as text, which
it converts, instead of through `int()`), and the rows go to the database in one transaction.
SQLite: when the project already has rows in the covered period, the rows being replaced are
deleted by (person, day); then plain `executemany` INSERTs in batches of 50,000, with a 256 MB
page cache for the import (an ``ON CONFLICT DO UPDATE`` that sets the batch, a foreign key, costs
SQLite twice as much per row even when nothing conflicts). PostgreSQL: ``COPY`` (psycopg 3)
straight into the table, or, when rows may be replaced, into a temporary table followed by one
``INSERT ... SELECT ... ON CONFLICT DO UPDATE``. Progress (rows read and checked) is written every
50,000 rows; the save is one transaction, shown as "Importing". XLSX goes through openpyxl's
read-only reader and is far slower (about 100,000 rows in 16 s): big exports should be CSV.

Weekly sums and adoption
------------------------
The import keeps a weekly summary table (`UsageWeek`: per person and week the logins, the records
created and updated, and the completeness sum and days), refreshed for the weeks it touched in the
same transaction (`refresh_weeks`, one INSERT ... SELECT ... GROUP BY). `weekly_usage()` reads it;
`adoption_for()` feeds it, with the people's department/role/manager history, licences, targets,
covered weeks and baseline (`adoption_inputs()`), to `adoption.adoption()`; the rows and results
are kept per process until a stamp of the data changes. `adoption_summary()` is
the scorecard other areas read.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projectcrm.core.choices import ImportStatus
from projectcrm.core.services import change_stamp
from projectcrm.core.tabular import FileProblem, check_xlsx_bomb, decode_csv_bytes

from . import adoption
from .choices import RECORD_TYPES
from .models import (
    AdoptionBaseline,
    AdoptionTarget,
    Department,
    JobRole,
    LicenceCount,
    Trainee,
    UsageImport,
    UsageRecord,
    UsageWeek,
)

COUNT_FIELDS = ("logins", *(f"{t}_created" for t in RECORD_TYPES), *(f"{t}_updated" for t in RECORD_TYPES))
RECORD_FIELDS = COUNT_FIELDS[1:]
FIELDS = ("user", "date", *COUNT_FIELDS, "completeness")
REQUIRED = ("user", "date", "logins")

# The column names of a usage file: English, Simplified Chinese, Traditional Chinese.
HEADERS = {
    "user": ("user", "用户", "用戶"),
    "date": ("date", "日期", "日期"),
    "logins": ("logins", "登录次数", "登入次數"),
    "accounts_created": ("accounts_created", "新建客户", "新建客戶"),
    "contacts_created": ("contacts_created", "新建联系人", "新建聯絡人"),
    "opportunities_created": ("opportunities_created", "新建商机", "新建商機"),
    "activities_created": ("activities_created", "新建活动", "新建活動"),
    "cases_created": ("cases_created", "新建服务工单", "新建服務工單"),
    "accounts_updated": ("accounts_updated", "更新客户", "更新客戶"),
    "contacts_updated": ("contacts_updated", "更新联系人", "更新聯絡人"),
    "opportunities_updated": ("opportunities_updated", "更新商机", "更新商機"),
    "activities_updated": ("activities_updated", "更新活动", "更新活動"),
    "cases_updated": ("cases_updated", "更新服务工单", "更新服務工單"),
    "completeness": ("completeness", "数据完整度", "資料完整度"),
}
EXTRA_ALIASES = {
    "username": "user", "user_name": "user", "crm_user": "user", "email": "user", "e_mail": "user",
    "用户名": "user", "用戶名": "user", "day": "date",
}
LANGUAGE_COLUMN = {"en": 0, "zh-hans": 1, "zh-hant": 2}

MAX_COUNT = 2_147_483_647  # the largest count a PostgreSQL integer column holds
BATCH_ROWS = 50_000  # rows per executemany, and per progress update
MAX_STORED_PROBLEMS = 1000
MAX_LISTED_UNMATCHED = 20
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIALS = (20_000, 80_000)  # 1954-10-03 .. 2119-01-10: plausible days of CRM use
DATE_TEXT = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def header_key(text) -> str:
    return str(text).replace("\ufeff", "").strip().casefold().replace(" ", "_").replace("-", "_")


ALIASES = {header_key(name): name_field for name_field, names in HEADERS.items() for name in names}
ALIASES.update({header_key(k): v for k, v in EXTRA_ALIASES.items()})


def max_bytes() -> int:
    return getattr(settings, "USAGE_IMPORT_MAX_BYTES", 256 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "USAGE_IMPORT_MAX_ROWS", 2_000_000)


def column_names(language: str | None = None) -> list[str]:
    """The file's column names in a language (the import page lists them; any of them is accepted)."""
    index = LANGUAGE_COLUMN.get((language or translation.get_language() or "en").lower(), 0)
    return [names[index] for names in HEADERS.values()]


# --- Messages (translated in the uploader's language when the task runs) ----------------------------

MESSAGES = {
    "user_empty": gettext_lazy("The user is empty."),
    "user_long": gettext_lazy("Longer than 150 characters."),
    "date": gettext_lazy("“%(value)s” is not a date: write YYYY-MM-DD or use an Excel date."),
    "future": gettext_lazy("%(value)s is in the future."),
    "count": gettext_lazy("“%(value)s” is not a whole number from 0 to 2147483647."),
    "completeness": gettext_lazy(
        "“%(value)s” is not a completeness: give a fraction from 0 to 1 or a percentage from 0 to 100."
    ),
    "duplicate": gettext_lazy(
        "%(user)s on %(date)s is already on row %(row)d: one row per person and day."
    ),
    "cells": gettext_lazy("This row has %(cells)d cells; the header has %(columns)d."),
}


def message(code: str, **params) -> str:
    return str(MESSAGES[code]) % params if params else str(MESSAGES[code])


# --- Conversions (the slow, general path: XLSX cells, and CSV cells the fast path refused) ---------


def to_count(value) -> int | None:
    """A cell as a whole number of 0 or more ("" is 0), or None when it is not one."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_COUNT else None
    if isinstance(value, float):
        return int(value) if 0 <= value <= MAX_COUNT and value.is_integer() else None
    text = str(value).strip()
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError:
        try:
            real = float(text)
        except ValueError:
            return None
        if not real.is_integer():
            return None
        number = int(real)
    return number if 0 <= number <= MAX_COUNT else None


def to_completeness(value) -> tuple[bool, float | None]:
    """(ok, fraction 0..1 or None for empty) of a completeness cell; see the module docstring."""
    if value is None or value == "":
        return True, None
    percent = False
    if isinstance(value, bool):
        return False, None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        if not text:
            return True, None
        if text.endswith("%"):
            percent, text = True, text[:-1].strip()
        try:
            number = float(text)
        except ValueError:
            return False, None
    if number != number or number < 0:  # NaN or negative
        return False, None
    if percent or number > 1:
        if number > 100:
            return False, None
        return True, number / 100
    return True, number


def to_date(value) -> datetime.date | None:
    """A day from a date cell, a YYYY-MM-DD text or an Excel serial number; None when not a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    serial = None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        serial = value
    else:
        text = str(value).strip()
        match = DATE_TEXT.match(text)
        if match:
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
        try:
            serial = float(text)
        except ValueError:
            return None
    if serial != serial or not float(serial).is_integer() or not EXCEL_SERIALS[0] <= serial <= EXCEL_SERIALS[1]:
        return None
    return EXCEL_EPOCH + datetime.timedelta(days=int(serial))


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# --- Reading ------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """The outcome of reading a file: rows ready for the database, or the problems."""

    columns: list[str] = field(default_factory=list)  # the record columns present, in row order
    rows: list[tuple] = field(default_factory=list)  # (person, day, week, *counts[, completeness])
    has_completeness: bool = False
    file_error: str = ""
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column as written, message)
    problem_count: int = 0
    first_ordinal: int | None = None
    last_ordinal: int | None = None
    unmatched: set[str] = field(default_factory=set)
    encoding: str = ""
    row_count: int = 0

    @property
    def first_day(self) -> datetime.date | None:
        return datetime.date.fromordinal(self.first_ordinal) if self.first_ordinal else None

    @property
    def last_day(self) -> datetime.date | None:
        return datetime.date.fromordinal(self.last_ordinal) if self.last_ordinal else None


def person_aliases(project) -> dict[str, str]:
    """Lower-case CRM user names, e-mails and employee IDs of the project's trainees -> usage key."""
    aliases = {}
    trainees = Trainee.objects.filter(project=project).values_list("crm_username", "email", "employee_id")
    for crm_username, email, employee_id in trainees.order_by("pk"):
        key = (crm_username or email or employee_id).strip().lower()
        if not key:
            continue
        # A CRM user name wins over someone else's e-mail or employee ID that happens to be equal.
        for alias, strength in ((crm_username, 3), (email, 2), (employee_id, 1)):
            alias = alias.strip().lower()
            if alias and aliases.get(alias, (None, 0))[1] < strength:
                aliases[alias] = (key, strength)
    return {alias: key for alias, (key, _strength) in aliases.items()}


class Reader:
    """Reads the rows of one file into a `Parsed`, naming every bad cell."""

    def __init__(self, headers: list, filename: str, aliases: dict[str, str], today: datetime.date,
                 on_progress: Callable[[int], None] | None = None):
        self.filename = filename
        self.aliases = aliases
        self.today_ordinal = today.toordinal()
        self.on_progress = on_progress
        self.parsed = Parsed()
        self.headers = ["" if h is None else str(h).strip() for h in headers]
        self.width = len(self.headers)
        self.persons: dict = {}  # raw cell -> (usage key, index) or None when invalid
        self.person_index: dict[str, int] = {}
        self.dates: dict = {}  # raw cell -> (ISO day, ISO week, ordinal) or None when invalid
        self.seen: dict[int, int] = {}  # (person index, day ordinal) packed -> row number
        self.columns: dict[str, int] = {}
        self.problem_rows = False

    # Header -----------------------------------------------------------------------------------
    def map_headers(self) -> bool:
        parsed = self.parsed
        unknown, twice = [], []
        for index, header in enumerate(self.headers):
            if header == "":
                continue
            target = ALIASES.get(header_key(header))
            if target is None:
                unknown.append(header)
            elif target in self.columns:
                twice.append(header)
            else:
                self.columns[target] = index
        known = ", ".join(column_names())
        if unknown:
            parsed.file_error = _(
                "%(file)s: the column(s) %(unknown)s are not usage columns. Known columns: %(known)s."
            ) % {"file": self.filename, "unknown": ", ".join(f"“{u}”" for u in unknown), "known": known}
        elif twice:
            parsed.file_error = _("%(file)s: the column(s) %(twice)s appear twice.") % {
                "file": self.filename, "twice": ", ".join(f"“{t}”" for t in twice)}
        elif missing := [f for f in REQUIRED if f not in self.columns]:
            names = column_names()
            parsed.file_error = _("%(file)s lacks the column(s) %(missing)s. Known columns: %(known)s.") % {
                "file": self.filename, "missing": ", ".join(f"“{names[FIELDS.index(m)]}”" for m in missing),
                "known": known}
        if parsed.file_error:
            return False
        parsed.columns = [f for f in COUNT_FIELDS if f in self.columns]
        parsed.has_completeness = "completeness" in self.columns
        return True

    # Problems ---------------------------------------------------------------------------------
    def problem(self, number: int, name: str, text: str):
        parsed = self.parsed
        parsed.problem_count += 1
        if len(parsed.problems) < MAX_STORED_PROBLEMS:
            column = self.headers[self.columns[name]] if name in self.columns else name
            parsed.problems.append((number, column, text))
        if not self.problem_rows:
            self.problem_rows = True
            parsed.rows = []  # nothing will be saved: stop keeping rows

    # Cells ------------------------------------------------------------------------------------
    def person(self, raw, number: int):
        cached = self.persons.get(raw, False)
        if cached is not False:
            if cached is None:
                self.problem(number, "user", message("user_empty"))
            return cached
        text = "" if raw is None else str(raw).strip()
        if not text:
            value = None
        elif len(text) > 150:
            self.problem(number, "user", message("user_long"))
            return None  # not cached: every such row is reported
        else:
            lowered = text.lower()
            key = self.aliases.get(lowered)
            if key is None:
                key = lowered[:150]
                self.parsed.unmatched.add(key)
            index = self.person_index.setdefault(key, len(self.person_index))
            value = (key, index)
        self.persons[raw] = value
        if value is None:
            self.problem(number, "user", message("user_empty"))
        return value

    def day(self, raw, number: int):
        cached = self.dates.get(raw, False)
        if cached is False:
            day = to_date(raw)
            cached = None if day is None else (day.isoformat(), monday(day).isoformat(), day.toordinal())
            self.dates[raw] = cached
        if cached is None:
            self.problem(number, "date", message("date", value=str(raw)[:40]))
        elif cached[2] > self.today_ordinal:
            self.problem(number, "date", message("future", value=cached[0]))
            return None
        return cached

    def slow_row(self, row: list, number: int):
        """Convert one row cell by cell, reporting every bad cell; the row tuple or None."""
        if len(row) > self.width and any(str(c).strip() for c in row[self.width:]):
            self.problem(number, _("Row"), message("cells", cells=len(row), columns=self.width))
            return None
        if len(row) < self.width:
            row = list(row) + [""] * (self.width - len(row))
        columns = self.columns
        person = self.person(row[columns["user"]], number)
        day = self.day(row[columns["date"]], number)
        counts = []
        ok = person is not None and day is not None
        for name in self.parsed.columns:
            raw = row[columns[name]]
            value = to_count(raw)
            if value is None:
                self.problem(number, name, message("count", value=str(raw)[:40]))
                ok = False
            counts.append(value)
        tail = ()
        if self.parsed.has_completeness:
            raw = row[columns["completeness"]]
            good, value = to_completeness(raw)
            if not good:
                self.problem(number, "completeness", message("completeness", value=str(raw)[:40]))
                ok = False
            tail = (value,)
        if not ok:
            return None
        return person, day, (day[0], day[1], *counts, *tail)

    def keep(self, person, day, values: tuple, number: int):
        """Check the (person, day) is new in the file and keep the row."""
        key = (person[1] << 22) | day[2]
        first = self.seen.setdefault(key, number)
        if first != number:
            self.problem(number, "user", message("duplicate", user=person[0], date=day[0], row=first))
            return
        if not self.problem_rows:
            self.parsed.rows.append((person[0], *values))

    # The loop ---------------------------------------------------------------------------------
    def read(self, rows: Iterable, fast: bool) -> Parsed:
        """Read the data rows (after the header). `fast`: the cells are CSV text."""
        parsed = self.parsed
        if not self.map_headers():
            return parsed
        columns = self.columns
        user_at, date_at = columns["user"], columns["date"]
        count_at = [columns[name] for name in parsed.columns]
        pick = itemgetter(*count_at) if len(count_at) > 1 else (lambda row, i=count_at[0]: (row[i],))
        completeness_at = columns.get("completeness")
        width = self.width
        persons, dates, seen = self.persons, self.dates, self.seen
        today = self.today_ordinal
        limit = max_rows() + 1
        progress_every = BATCH_ROWS
        next_progress = progress_every + 1
        out = parsed.rows
        number = 1
        blanks = 0
        for row in rows:
            number += 1
            if number >= next_progress:
                next_progress += progress_every
                if number > limit:
                    parsed.file_error = _("%(file)s has more than %(cap)d rows.") % {
                        "file": self.filename, "cap": max_rows()}
                    parsed.rows = []
                    return parsed
                if self.on_progress:
                    self.on_progress(number - 1)
            if fast:
                # The common case in one go; any surprise falls back to the cell-by-cell path. Counts
                # of plain digits (up to 9) go to the database as text: it converts them itself.
                try:
                    if len(row) != width:
                        raise ValueError
                    person = persons[row[user_at]]
                    day = dates[row[date_at]]
                    cells = pick(row)
                    joined = "".join(cells)
                    if "" in cells or not (joined.isascii() and joined.isdigit()) or max(map(len, cells)) > 9:
                        raise ValueError
                    if day[2] > today:
                        raise ValueError
                    if completeness_at is not None:
                        text = row[completeness_at]
                        if text:
                            value = float(text)
                            if not 0 <= value <= 1:
                                if 1 < value <= 100:
                                    value = value / 100
                                else:
                                    raise ValueError
                        else:
                            value = None
                        record = (person[0], day[0], day[1], *cells, value)
                    else:
                        record = (person[0], day[0], day[1], *cells)
                    key = (person[1] << 22) | day[2]
                except (KeyError, ValueError, TypeError, IndexError):
                    pass
                else:
                    if seen.setdefault(key, number) == number:
                        if not self.problem_rows:
                            out.append(record)
                    else:
                        self.problem(number, "user", message("duplicate", user=person[0], date=day[0], row=seen[key]))
                    continue
            # The general path: blank rows, XLSX cells, empty cells, mistakes.
            if not any(str(cell).strip() for cell in row if cell is not None):
                blanks += 1  # a blank row is skipped; its number still counts
                continue
            converted = self.slow_row(list(row), number)
            if converted is None:
                continue
            person, day, values = converted
            self.keep(person, day, values, number)
        parsed.row_count = number - 1 - blanks
        if parsed.row_count > max_rows():
            parsed.file_error = _("%(file)s has more than %(cap)d rows.") % {"file": self.filename, "cap": max_rows()}
            parsed.rows = []
            return parsed
        ordinals = [d[2] for d in dates.values() if d is not None and d[2] <= today]
        if ordinals:
            parsed.first_ordinal, parsed.last_ordinal = min(ordinals), max(ordinals)
        if not parsed.problem_count and not parsed.rows:
            parsed.file_error = _("%(file)s has no data rows.") % {"file": self.filename}
        if parsed.problem_count:
            parsed.rows = []
        return parsed


def estimate_rows(text: str) -> int:
    return max(0, text.count("\n") - 1)


def read_file(data: bytes, filename: str, project, on_progress=None, on_total=None,
              today: datetime.date | None = None) -> Parsed:
    """Read an uploaded usage file (CSV or XLSX) of a project into a `Parsed` (never raises for bad input)."""
    today = today or timezone.localdate()
    if len(data) > max_bytes():
        return Parsed(file_error=_("%(file)s is %(size).1f MB; the limit is %(cap).1f MB.") % {
            "file": filename, "size": len(data) / 1048576, "cap": max_bytes() / 1048576})
    name = filename.lower()
    aliases = person_aliases(project)
    try:
        if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
            return _read_xlsx(data, filename, aliases, today, on_progress, on_total)
        if name.endswith((".csv", ".txt", ".tsv")):
            return _read_csv(data, filename, aliases, today, on_progress, on_total)
    except FileProblem as exc:
        return Parsed(file_error=str(exc))
    return Parsed(file_error=_("%(file)s: only .csv and .xlsx files can be imported.") % {"file": filename})


def _read_csv(data, filename, aliases, today, on_progress, on_total) -> Parsed:
    text, used = decode_csv_bytes(data, filename)
    del data
    if "\x00" in text:
        raise FileProblem(_("%(file)s contains binary data; it is not a CSV file.") % {"file": filename})
    # The header names the delimiter: the one of comma, semicolon and tab it holds most often.
    header = text[:4096].lstrip("\ufeff\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    if on_total:
        on_total(estimate_rows(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, None)
        while headers is not None and not any(h.strip() for h in headers):
            headers = next(reader, None)
        if headers is None:
            raise FileProblem(_("%(file)s is empty.") % {"file": filename})
        parsed = Reader(headers, filename, aliases, today, on_progress).read(reader, fast=True)
    except csv.Error as exc:
        raise FileProblem(_("%(file)s is not a valid CSV file: %(error)s") % {"file": filename, "error": exc})
    parsed.encoding = used
    return parsed


def _read_xlsx(data, filename, aliases, today, on_progress, on_total) -> Parsed:
    import openpyxl

    check_xlsx_bomb(data, filename)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise FileProblem(_("%(file)s is not a valid XLSX file: %(error)s") % {"file": filename, "error": exc})
    try:
        sheet = workbook.worksheets[0]
        if on_total and sheet.max_row:
            on_total(max(0, sheet.max_row - 1))
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None)
        if headers is None or not any(h not in (None, "") for h in headers):
            raise FileProblem(_("%(file)s is empty.") % {"file": filename})
        cells = (["" if c is None else c for c in row] for row in rows)
        parsed = Reader(list(headers), filename, aliases, today, on_progress).read(cells, fast=False)
    finally:
        workbook.close()
    parsed.encoding = "xlsx"
    return parsed


# --- Writing ------------------------------------------------------------------------------------


def save_rows(project_id: int, batch_id: int, parsed: Parsed) -> None:
    """Write the parsed rows in the current transaction, replacing the project's rows of the same person-days."""
    table = connection.ops.quote_name(UsageRecord._meta.db_table)
    present = [*parsed.columns, *(["completeness"] if parsed.has_completeness else [])]
    absent = [(name, "0") for name in COUNT_FIELDS if name not in parsed.columns]
    if not parsed.has_completeness:
        absent.append(("completeness", "NULL"))
    names = ["person", "day", "week", *present]
    # Only when the project already has rows in the covered period can a row replace another.
    overlapping = UsageRecord.objects.filter(
        project_id=project_id, day__range=(parsed.first_day, parsed.last_day)
    ).exists()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _save_postgresql(cursor, table, project_id, batch_id, parsed.rows, names, absent, overlapping)
        else:
            _save_executemany(cursor, table, project_id, batch_id, parsed.rows, names, absent, overlapping)


def _save_executemany(cursor, table, project_id, batch_id, rows, names, absent, overlapping):
    """SQLite: delete the rows being replaced, then plain INSERTs. (An upsert that sets the batch, a
    foreign key, costs twice as much per row on SQLite even when nothing conflicts.)"""
    project_id, batch_id = int(project_id), int(batch_id)
    if overlapping:
        delete = f"DELETE FROM {table} WHERE project_id = {project_id} AND person = %s AND day = %s"
        for start in range(0, len(rows), BATCH_ROWS):
            cursor.executemany(delete, [row[:2] for row in rows[start:start + BATCH_ROWS]])
    all_names = ["project_id", "batch_id", *names, *(name for name, _value in absent)]
    values = [str(project_id), str(batch_id), *(["%s"] * len(names)), *(value for _name, value in absent)]
    insert = f"INSERT INTO {table} ({', '.join(all_names)}) VALUES ({', '.join(values)})"
    for start in range(0, len(rows), BATCH_ROWS):
        cursor.executemany(insert, rows[start:start + BATCH_ROWS])


def _save_postgresql(cursor, table, project_id, batch_id, rows, names, absent, overlapping):
    """PostgreSQL: COPY into the table, or into a temporary table and upsert from it when rows may conflict."""
    raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
    project_id, batch_id = int(project_id), int(batch_id)
    all_names = ["project_id", "batch_id", *names, *(name for name, _value in absent)]
    if not overlapping:
        constants = (project_id, batch_id)
        tail = tuple(0 if value == "0" else None for _name, value in absent)
        with raw.copy(f"COPY {table} ({', '.join(all_names)}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(constants + row + tail)
        return
    types = {"person": "text", "day": "date", "week": "date", "completeness": "double precision"}
    cursor.execute(
        "CREATE TEMPORARY TABLE training_usage_load ("
        + ", ".join(f"{name} {types.get(name, 'bigint')}" for name in names)
        + ") ON COMMIT DROP"
    )
    with raw.copy(f"COPY training_usage_load ({', '.join(names)}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            write(row)
    selected = [str(project_id), str(batch_id), *names, *(value for _name, value in absent)]
    updated = [name for name in all_names if name not in ("project_id", "person", "day")]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(all_names)}) SELECT {', '.join(selected)} FROM training_usage_load "
        "ON CONFLICT (project_id, person, day) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in updated)
    )
    cursor.execute("DROP TABLE training_usage_load")


# --- The import job -----------------------------------------------------------------------------


def report_of(job: UsageImport) -> dict:
    """What the import page shows beside the status (stored as JSON in `UsageImport.error`)."""
    empty = {"file_error": "", "problems": [], "problem_count": 0, "unmatched": [], "unmatched_count": 0,
             "encoding": ""}
    if not job.error:
        return empty
    try:
        stored = json.loads(job.error)
    except ValueError:
        return {**empty, "file_error": job.error}
    if not isinstance(stored, dict):
        return {**empty, "file_error": job.error}
    report = {**empty, **stored}
    report["problems"] = [{"row": p[0], "column": p[1], "message": p[2]} for p in report["problems"]]
    return report


def _store_report(job: UsageImport, parsed: Parsed):
    job.error = json.dumps({
        "file_error": parsed.file_error,
        "problems": parsed.problems,
        "problem_count": parsed.problem_count,
        "unmatched": sorted(parsed.unmatched)[:MAX_LISTED_UNMATCHED],
        "unmatched_count": len(parsed.unmatched),
        "encoding": parsed.encoding,
    }, ensure_ascii=False)


def run_import(import_id: int, language: str = "en", today: datetime.date | None = None) -> UsageImport:
    """Read, check and save one uploaded usage file (the background task calls this)."""
    job = UsageImport.objects.select_related("project").get(pk=import_id)
    if job.status != ImportStatus.QUEUED:
        return job  # already run (a retried task)
    data = bytes(job.content)
    # Claim the job and drop the stored file in one statement: SQLite rewrites a whole row on every
    # UPDATE, so the progress updates must not drag 50 MB of file along each time.
    claimed = UsageImport.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, content=b""
    )
    if not claimed:
        return job
    job.status, job.content = ImportStatus.VALIDATING, b""
    try:
        with translation.override(language):
            return _run(job, data, today)
    except Exception as exc:
        job.status = ImportStatus.FAILED
        job.error = json.dumps({"file_error": _("%(file)s could not be processed (%(error)s). Nothing was saved.") % {
            "file": job.filename, "error": exc.__class__.__name__}})
        job.finished = timezone.now()
        UsageImport.objects.filter(pk=job.pk).update(status=job.status, error=job.error, finished=job.finished)
        raise


def _run(job: UsageImport, data: bytes, today) -> UsageImport:
    def progress(done: int):
        UsageImport.objects.filter(pk=job.pk).update(processed_rows=done)

    def total(count: int):
        UsageImport.objects.filter(pk=job.pk).update(total_rows=count)

    parsed = read_file(data, job.filename, job.project, progress, total, today)
    del data
    job.total_rows = job.processed_rows = parsed.row_count
    job.first_day, job.last_day = parsed.first_day, parsed.last_day
    _store_report(job, parsed)
    if parsed.file_error or parsed.problem_count:
        job.status = ImportStatus.INVALID
        job.finished = timezone.now()
        job.save()
        return job
    UsageImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, total_rows=job.total_rows, processed_rows=job.processed_rows
    )
    with big_sqlite_cache(), transaction.atomic():
        save_rows(job.project_id, job.pk, parsed)
        refresh_weeks(job.project_id, parsed.first_day, parsed.last_day)
        job.status = ImportStatus.DONE
        job.finished = timezone.now()
        job.save()
    return job


@contextmanager
def big_sqlite_cache(kib: int = 262_144):
    """A larger SQLite page cache on this connection while a big import writes (restored after)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def create_import(project, user, filename: str, content: bytes) -> UsageImport:
    return UsageImport.objects.create(project=project, user=user, filename=filename[:255], content=content)


def finished_imports(project):
    return UsageImport.objects.filter(project=project, status=ImportStatus.DONE).defer("content")


# --- Weekly sums --------------------------------------------------------------------------------


RECORDS_SUM = " + ".join(RECORD_FIELDS)  # the usage table's record columns, added up per row


def refresh_weeks(project_id: int, first_day: datetime.date | None = None, last_day: datetime.date | None = None) -> None:
    """Recompute the weekly sums (`UsageWeek`) of the project's weeks that contain `first_day`..`last_day`
    (all weeks when both are None) from the daily usage rows, in the caller's transaction.

    Two statements: delete the weeks' sums, then one INSERT ... SELECT ... GROUP BY over the daily
    rows of those weeks (about 1 s for a million rows; the import pays it once instead of every
    first request after it).
    """
    quote = connection.ops.quote_name
    week_table, day_table = quote(UsageWeek._meta.db_table), quote(UsageRecord._meta.db_table)
    where, params = "project_id = %s", [int(project_id)]
    if first_day is not None or last_day is not None:
        where += " AND week BETWEEN %s AND %s"
        params += [monday(first_day or last_day), monday(last_day or first_day)]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {week_table} WHERE {where}", params)
        cursor.execute(
            f"INSERT INTO {week_table} "
            "(project_id, person, week, logins, records, completeness_sum, completeness_days, days) "
            f"SELECT project_id, person, week, SUM(logins), SUM({RECORDS_SUM}), SUM(completeness), "
            f"COUNT(completeness), COUNT(*) FROM {day_table} WHERE {where} GROUP BY project_id, person, week",
            params,
        )


def weekly_usage(project, since: datetime.date | None = None, until: datetime.date | None = None) -> list[tuple]:
    """Per (person, week) the sums of the project's usage rows, read from `UsageWeek` (one query).

    Rows are (person, week, logins, records, completeness_sum, completeness_days): `records` is
    every record created and updated that week; `completeness_sum / completeness_days` is the
    week's mean completeness over the days with a figure (no figure when `completeness_days` is 0). `since` / `until` limit the weeks (inclusive, by the week's
    Monday). Plain SQL through the cursor: at 145,000 rows the ORM's row conversion costs more
    than the query. `week_usage()` turns the rows into `adoption.WeekUsage` tuples.
    """
    quote = connection.ops.quote_name
    where, params = ["project_id = %s"], [project.pk]
    if since is not None:
        where.append("week >= %s")
        params.append(since)
    if until is not None:
        where.append("week <= %s")
        params.append(until)
    # SQLite: the week as plain text (a column declared as a date goes through a Python converter
    # per row, a tenth of a second at 145,000 rows); the few distinct weeks are parsed below.
    week = "CAST(week AS TEXT)" if connection.vendor == "sqlite" else "week"
    sql = (
        f"SELECT person, {week}, logins, records, completeness_sum, completeness_days "
        f"FROM {quote(UsageWeek._meta.db_table)} WHERE {' AND '.join(where)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if rows and not isinstance(rows[0][1], datetime.date):  # a backend that returns dates as text
        weeks = {text: datetime.date.fromisoformat(str(text)) for text in {r[1] for r in rows}}  # a few dozen
        rows = [(r[0], weeks[r[1]], *r[2:]) for r in rows]
    return rows


def week_usage(rows: list[tuple]) -> list[tuple]:
    """`weekly_usage()` rows as `adoption.WeekUsage` tuples (person, week, logins, created + updated, 0,
    mean completeness or None), plain tuples for speed."""
    return [
        (person, week, logins, records, 0, total / days if days else None)
        for person, week, logins, records, total, days in rows
    ]


def covered_period(project) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day covered by the project's finished imports (None, None without any)."""
    from django.db.models import Max, Min

    found = finished_imports(project).aggregate(first=Min("first_day"), last=Max("last_day"))
    return found["first"], found["last"]


# --- Adoption: the inputs of adoption.adoption() from the database, kept per data change ---------

CACHE_SIZE = 4  # projects kept per process (5,000 people x 29 weeks of sums take about 20 MB)
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()
WATCHED = (Trainee, Department, JobRole, LicenceCount, AdoptionTarget, AdoptionBaseline)


@dataclass
class AdoptionInputs:
    """Everything `adoption.adoption()` needs besides the grouping and the day, read from the database."""

    go_live: datetime.date | None  # the first go-live: the project's, or an earlier department's
    department_go_live: dict  # department name -> its go-live (its own, else the project's; None: unknown)
    assignments: list  # adoption.Assignment
    licences: list  # adoption.Licences
    estimated_licences: list  # departments whose licensed people stand in for missing licence counts
    targets: list  # adoption.Target
    covered_weeks: list
    names: dict  # person key -> trainee name
    baseline: dict  # adoption metric -> value (rates as fractions)
    baseline_rows: list  # (AdoptionBaseline, adoption metric or None)
    first_day: datetime.date | None
    last_day: datetime.date | None


@dataclass
class AdoptionData:
    inputs: AdoptionInputs
    rows: list  # week_usage(weekly_usage()): adoption.WeekUsage tuples
    results: dict = field(default_factory=dict)  # (by, as_of) -> adoption.Adoption
    extra: dict = field(default_factory=dict)  # the views' own per-language leftovers (figures)


def usage_stamp(project) -> tuple:
    """Changes whenever the project's usage rows may have changed (a new row or a finished import)."""
    record, job = UsageRecord._meta.db_table, UsageImport._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {quote(record)}), "
            f"(SELECT COUNT(*) FROM {quote(job)} WHERE project_id = %s AND status = %s), "
            f"(SELECT MAX(id) FROM {quote(job)} WHERE project_id = %s AND status = %s)",
            [project.pk, ImportStatus.DONE, project.pk, ImportStatus.DONE],
        )
        return tuple(cursor.fetchone())


def data_stamp(project) -> tuple:
    """Changes whenever any row the adoption figures read may have changed (max ids of rows and history)."""
    return change_stamp(WATCHED)


def clear_cache():
    with _cache_lock:
        _cache.clear()


def adoption_data(project) -> AdoptionData:
    """The project's adoption inputs and weekly usage sums, computed once per process and data change.

    The weekly sums (one aggregate over a million rows takes about a second) are kept until the
    usage changes; the other inputs (a few small queries) until any watched row changes.
    """
    usage_key = (project.pk, project.created, connection.alias, usage_stamp(project))
    inputs_key = data_stamp(project) + (project.target_go_live,)
    with _cache_lock:
        hit = _cache.get(project.pk)
        if hit is not None:
            _cache.move_to_end(project.pk)
    rows = hit[2].rows if hit is not None and hit[0] == usage_key else None
    if hit is not None and hit[0] == usage_key and hit[1] == inputs_key:
        return hit[2]
    if rows is None:
        rows = week_usage(weekly_usage(project))
    data = AdoptionData(inputs=adoption_inputs(project), rows=rows)
    with _cache_lock:
        _cache[project.pk] = (usage_key, inputs_key, data)
        _cache.move_to_end(project.pk)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def adoption_for(project, as_of: datetime.date | None = None, by: str = adoption.DEPARTMENT, top: int = 10):
    """(adoption.Adoption, AdoptionData) of a project on a day, grouped by department, role or manager."""
    as_of = as_of or timezone.localdate()
    data = adoption_data(project)
    key = (by, as_of, top)
    result = data.results.get(key)
    if result is None:
        inputs = data.inputs
        result = adoption.adoption(
            data.rows, inputs.assignments, go_live=inputs.go_live or as_of, as_of=as_of, licences=inputs.licences,
            targets=inputs.targets, covered_weeks=inputs.covered_weeks, by=by, baseline=inputs.baseline,
            names=inputs.names, top=top,
        )
        data.results[key] = result
    return result, data


@dataclass(frozen=True)
class Laggards:
    never_logged_in: tuple  # adoption.Laggard
    inactive: tuple
    by_manager: tuple  # adoption.ManagerLaggards, most laggards first


def live_laggards(result, inputs: AdoptionInputs, as_of: datetime.date) -> Laggards:
    """The laggards of `result` in departments that are live on `as_of` (their own go-live, else the
    project's; a department without any go-live counts as live). People of a department going live
    later are not expected to use the CRM yet."""

    def live(laggard) -> bool:
        go_live = inputs.department_go_live.get(laggard.department)
        return go_live is None or go_live <= as_of

    never = tuple(p for p in result.never_logged_in if live(p))
    inactive = tuple(p for p in result.inactive if live(p))
    if len(never) == len(result.never_logged_in) and len(inactive) == len(result.inactive):
        return Laggards(never, inactive, result.laggards_by_manager)
    per_manager: dict = {}
    for person in never:
        per_manager.setdefault(person.manager, ([], []))[0].append(person)
    for person in inactive:
        per_manager.setdefault(person.manager, ([], []))[1].append(person)
    managers = [adoption.ManagerLaggards(m, tuple(a), tuple(b)) for m, (a, b) in per_manager.items()]
    managers.sort(key=lambda m: (-m.total, m.manager is None, str(m.manager).casefold()))
    return Laggards(never, inactive, tuple(managers))


def adoption_summary(project, as_of: datetime.date | None = None) -> dict:
    """The adoption scorecard of a project on a day, for other areas (go-live readiness, steering reports).

    Keys: `week` (Monday of the last covered complete week, None without usage data), `rate` (active
    users / licensed users, 0..1 or None), `target` (0..1 or None), `gap` (rate - target), `rule`
    (0.8, the 80% rule), `meets_rule` (bool or None), `rule_gap` (rate - 0.8), `active`, `licensed`,
    `change` (rate minus the previous covered week's), `records_per_active_user`, `completeness`
    (0..1), `never_logged_in` and `inactive` (counts of licensed people, see adoption.py),
    `departments` (list of {"department", "rate", "target", "gap"} in name order), `has_data`.
    """
    as_of = as_of or timezone.localdate()
    result, data = adoption_for(project, as_of, adoption.DEPARTMENT)
    laggards = live_laggards(result, data.inputs, as_of)
    current = result.overall.current
    return {
        "as_of": as_of,
        "week": result.current_week,
        "has_data": current is not None,
        "rate": current.rate if current else None,
        "target": current.target if current else None,
        "gap": current.gap if current else None,
        "rule": adoption.DEFAULT_TARGET,
        "meets_rule": result.overall.meets_default,
        "rule_gap": result.overall.default_gap,
        "active": current.active if current else None,
        "licensed": current.licensed if current else None,
        "change": result.overall.current_change,
        "records_per_active_user": current.records_per_active if current else None,
        "completeness": current.completeness if current else None,
        "never_logged_in": len(laggards.never_logged_in),
        "inactive": len(laggards.inactive),
        "departments": [
            {"department": name, "rate": series.current_rate,
             "target": series.current.target if series.current else None,
             "gap": series.current.gap if series.current else None}
            for name, series in result.groups.items()
        ],
    }


def _local_day(moment) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def adoption_inputs(project) -> AdoptionInputs:
    """Read people with their department/role/manager history, licences, targets, covered weeks and baseline."""
    departments = dict(Department.objects.filter(project=project).values_list("pk", "name"))
    roles = dict(JobRole.objects.filter(project=project).values_list("pk", "name"))
    people = list(
        Trainee.objects.filter(project=project).values_list(
            "pk", "name", "crm_username", "email", "employee_id", "department_id", "job_role_id", "manager_id",
            "licensed", "active",
        )
    )
    # Managers named alike are told apart by their employee ID (or number).
    name_count: dict = {}
    for row in people:
        name_count[row[1]] = name_count.get(row[1], 0) + 1
    manager_label = {
        pk: name if name_count[name] == 1 else f"{name} ({employee_id or pk})"
        for pk, name, _u, _e, employee_id, *_rest in people
    }

    def department_name(pk):
        return departments.get(pk) or _("Department %(id)s (deleted)") % {"id": pk}

    def role_name(pk):
        return roles.get(pk) or _("Job role %(id)s (deleted)") % {"id": pk}

    def manager_name(pk):
        if pk is None:
            return None
        return manager_label.get(pk) or _("Person %(id)s (deleted)") % {"id": pk}

    history: dict = {}
    for pk, moment, department, role, manager, licensed, active in (
        Trainee.history.filter(project_id=project.pk, history_type__in=["+", "~"])
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "department_id", "job_role_id", "manager_id", "licensed", "active")
    ):
        history.setdefault(pk, []).append((_local_day(moment), (department, role, manager, licensed, active)))
    today = timezone.localdate()
    assignments, names = [], {}
    for pk, name, crm_username, email, employee_id, department, role, manager, licensed, active in people:
        key = (crm_username or email or employee_id).strip().lower() or f"#{pk}"
        names[key] = name
        current = (department, role, manager, licensed, active)
        states = history.get(pk, [])
        if not states:
            states = [(datetime.date.min, current)]
        else:
            states[0] = (datetime.date.min, states[0][1])  # the first known place reaches back
            if states[-1][1] != current:  # changed without history (a bulk update): from today on
                states.append((today, current))
        # One state per day (the last of the day), then periods until the next state's day.
        by_day: dict = {}
        for day, state in states:
            by_day[day] = state
        days = sorted(by_day)
        for index, day in enumerate(days):
            department, role, manager, licensed, active = by_day[day]
            if not (licensed and active):
                continue  # leavers and people without a licence are not expected to use the CRM
            end = days[index + 1] - datetime.timedelta(days=1) if index + 1 < len(days) else None
            assignments.append(adoption.Assignment(
                key, department_name(department), role_name(role), manager_name(manager), day, end,
            ))
    # Licences: the recorded counts; a department without any uses its licensed people today.
    licences, counted = [], set()
    for department, start, count in LicenceCount.objects.filter(project=project).values_list(
        "department_id", "start", "count"
    ):
        licences.append(adoption.Licences(department_name(department), start, count))
        counted.add(department)
    estimated = []
    licensed_now: dict = {}
    for _pk, _n, _u, _e, _i, department, _r, _m, licensed, active in people:
        if licensed and active:
            licensed_now[department] = licensed_now.get(department, 0) + 1
    for pk, count in licensed_now.items():
        if pk not in counted:
            licences.append(adoption.Licences(department_name(pk), datetime.date.min, count))
            estimated.append(department_name(pk))
    # Targets: the latest entered wins when two share a department and date.
    target_rows: dict = {}
    for department, day, rate in AdoptionTarget.objects.filter(project=project).order_by("pk").values_list(
        "department_id", "date", "rate"
    ):
        label = department_name(department) if department is not None else None
        target_rows[(label, day)] = float(rate) / 100
    targets = [adoption.Target(label, day, rate) for (label, day), rate in target_rows.items()]
    # Covered weeks: every week of a finished import's period.
    weeks = set()
    first_day = last_day = None
    for first, last in finished_imports(project).filter(first_day__isnull=False).values_list("first_day", "last_day"):
        first_day = first if first_day is None else min(first_day, first)
        last_day = last if last_day is None else max(last_day, last)
        week = monday(first)
        while week <= last:
            weeks.add(week)
            week += datetime.timedelta(days=7)
    baseline, baseline_rows = baseline_of(project)
    # Go-live: the first one (a pilot department may go live before the project's target date).
    own = dict(Department.objects.filter(project=project, go_live__isnull=False).values_list("pk", "go_live"))
    department_go_live = {name: own.get(pk, project.target_go_live) for pk, name in departments.items()}
    go_live = min((d for d in [project.target_go_live, *own.values()] if d), default=None) or first_day
    return AdoptionInputs(
        go_live=go_live, department_go_live=department_go_live, assignments=assignments, licences=licences,
        estimated_licences=sorted(estimated),
        targets=targets, covered_weeks=sorted(weeks), names=names, baseline=baseline, baseline_rows=baseline_rows,
        first_day=first_day, last_day=last_day,
    )


RATE_METRICS = (adoption.ACTIVE_RATE, adoption.COMPLETENESS)


def metric_key(text: str) -> str | None:
    """The adoption metric a baseline figure's name means (its key, or its name in any language), or None."""
    wanted = header_key(text)
    for metric in adoption.METRICS:
        if wanted == header_key(metric):
            return metric
        for language in LANGUAGE_COLUMN:
            with translation.override(language):
                if wanted == header_key(adoption.metric_label(metric)):
                    return metric
    return None


def baseline_of(project) -> tuple[dict, list]:
    """Baseline figures by adoption metric (rates as fractions: 35 or 35 % is 0.35), and every row with its metric."""
    baseline, rows = {}, []
    for row in AdoptionBaseline.objects.filter(project=project).order_by("metric", "captured_on", "pk"):
        metric = metric_key(row.metric)
        rows.append((row, metric))
        if metric is not None:
            value = float(row.value)
            if metric in RATE_METRICS and ("%" in row.unit or value > 1):
                value = value / 100
            if metric in RATE_METRICS and not 0 <= value <= 1:
                continue  # not a rate; shown as entered
            baseline[metric] = value  # the latest captured wins
    return baseline, rows
