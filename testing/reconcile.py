"""Data-migration reconciliation: compare a source extract with a target extract, key by key.

    result = reconcile("legacy.csv", "crm.xlsx", Options(keys=["account_no"]), on_progress=callback)
    result.to_dict()          # JSON-serialisable: store it on the run
    write_xlsx(result, out)   # the report as a workbook (summary, columns, samples)

Inputs: CSV (UTF-8 with or without BOM, UTF-16, GB18030/GBK, Big5, guessed as the register imports
guess them, or chosen), XLSX (first sheet, first row: headers) and Parquet. A CSV in another encoding
than UTF-8 and an XLSX are first streamed into a temporary UTF-8 CSV; nothing is loaded whole into
Python objects. The work runs in duckdb with a memory limit (Options.memory_limit); what does not fit
spills to a temporary folder, removed at the end.

A page calls reconcile() from a background task with on_progress(fraction, stage) and stores
result.to_dict() (JSON) on the run; write_xlsx() turns that stored dict into the download.

How rows are compared (each file read once, streamed, unless the source is large; only small
tables and the rows needed are kept):
1. duckdb's sniffer reads the start of a CSV once for its dialect (delimiter, quoting) and column
   names; every read then names them, all columns as text, and runs in parallel on every core.
2. The source is read: each row gets its key (the key columns after the key columns'
   transformations, joined) and one 64-bit hash of its compared cells as written; the empty cells of
   every column are counted exactly. Kept: per key, its row count and hash; and, when the source is
   a CSV taking at most Engine.HOLD_SHARE of the memory limit, every row's cells (held).
3. The target is read the same way, joined with the source's keys as it streams: its cells are kept
   only for the rows that may be needed: a key not in the source, a key found once in the source
   with another hash, and the profile sample.
4. Keys are counted on each side. A key found more than once on a side is a duplicate key: its rows
   are reported as duplicates (source_duplicate_keys / target_duplicate_keys), never as matched or
   unmatched rows. The other keys are matched (on both sides once), only in the source or only in
   the target. A matched key whose hash is the same on both sides is equal in every column.
5. The rows needed are taken from the cells held or kept; a source too large to hold is read a
   second time for them (and a target less than half the source's size for its sample): the rows of
   the matched keys whose hashes differ, the first unmatched rows (samples) and the profile sample,
   the rows whose key hashes into about PROFILE_SAMPLE_ROWS rows of each side (every row up to
   that many).
6. Of the differing rows, only the cells that differ as written are compared, column by column:
   after the column's transformations, two empty cells are equal, equal texts are equal, two values
   that both read as numbers are equal within the tolerance and two values that both read as dates
   are equal when they are the same day and time.
A 64-bit hash collision between two different rows (about 1 in 10^19 per row) would hide a difference.

Transformations (Options.transforms for every column, Options.column_transforms per target column):
  trim      remove spaces, tabs, line breaks, no-break and ideographic (full-width) spaces around the text
  casefold  compare without regard to upper and lower case
  number    values that read as numbers compare as numbers: thousands separators (, ' _ and spaces)
            and currency signs (¥ ￥ $ € £) are ignored, the decimal mark is a point; equal when
            |a - b| <= tolerance + relative_tolerance * |b| (b: the target's value)
  date      values that read as dates compare as dates; DATE_FORMATS lists the forms read (an
            ambiguous n/n/yyyy is month first unless Options.day_first)
A cell that is empty (after trimming, when trimming) is null.

The result holds counts, per-column mismatch counts with samples, exact null rates and value
profiles (kind, distinct values, minimum and maximum, most frequent values) measured on the sample,
which is every row up to PROFILE_SAMPLE_ROWS rows.
"""

import codecs
import csv
import datetime
import decimal
import math
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

TRANSFORMS = ("trim", "casefold", "number", "date")
DEFAULT_TRANSFORMS = ("number", "date")
WHITESPACE = " \t\r\n\x0b\x0c\u00a0\u3000"
KEY_SEPARATOR = "\x1f"
PROFILE_SAMPLE_ROWS = 50_000
KIND_ROWS = 1000
TOP_VALUES = 5
SNIFF_BYTES = 1024 * 1024
TRANSCODE_CHUNK = 1024 * 1024

# Dates and date-times read by the "date" transformation, tried in this order.
DATE_FORMATS = [
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y.%m.%d",
    "%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%Y年%m月%d日", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
]
# Only a text of this shape is tried against the formats (cheap, and most texts are not dates).
DATE_SHAPE = r"[0-9]{1,4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,4}日?([ T][0-9:.]+)?"
MONTH_FIRST = ["%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"]
DAY_FIRST = ["%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"]
NUMBER_PATTERN = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
NUMBER_NOISE = r"[,'_ \t¥￥$€£" + "\u00a0\u3000\u2009" + "]"


class ReconcileError(Exception):
    """An extract cannot be reconciled as asked; the message names the file and the column."""


@dataclass
class Options:
    keys: list[str]
    # source column -> target column. Columns not named here are compared with the target column of
    # the same name (exact, else ignoring case and surrounding spaces).
    mapping: dict[str, str] = field(default_factory=dict)
    transforms: tuple[str, ...] = DEFAULT_TRANSFORMS
    # target column -> its transformations (instead of `transforms`); keys use theirs for matching.
    column_transforms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tolerance: float = 0.0
    relative_tolerance: float = 0.0
    day_first: bool = False
    sample_size: int = 5
    encoding: str = ""  # "" = detect; "utf-8", "utf-16", "gb18030", "big5"
    source_encoding: str = ""  # overrides `encoding` for one side
    target_encoding: str = ""
    memory_limit: str = "1GB"
    threads: int | None = None  # None: every core
    temp_dir: str | None = None

    def __post_init__(self):
        if isinstance(self.keys, str):
            self.keys = [k for k in self.keys.split(",")]
        self.keys = [k.strip() for k in self.keys if k.strip()]
        if not self.keys:
            raise ReconcileError(_("Choose at least one key column."))
        for names in [self.transforms, *self.column_transforms.values()]:
            unknown = [t for t in names if t not in TRANSFORMS]
            if unknown:
                raise ReconcileError(
                    _("Unknown transformation %(name)s; choose among %(known)s.")
                    % {"name": ", ".join(unknown), "known": ", ".join(TRANSFORMS)}
                )
        if self.tolerance < 0 or self.relative_tolerance < 0:
            raise ReconcileError(_("The tolerance cannot be negative."))

    def transforms_for(self, target_column: str) -> tuple[str, ...]:
        return tuple(self.column_transforms.get(target_column, self.transforms))


@dataclass
class Result:
    source: str
    target: str
    keys: list[str]
    source_rows: int = 0
    target_rows: int = 0
    matched: int = 0
    matched_equal: int = 0  # matched rows equal in every compared column (after the transformations)
    mismatched_rows: int = 0  # matched rows with at least one column different
    source_only: int = 0
    target_only: int = 0
    source_duplicate_keys: int = 0
    target_duplicate_keys: int = 0
    source_duplicate_rows: int = 0  # rows on a key duplicated on either side
    target_duplicate_rows: int = 0
    columns: dict = field(default_factory=dict)
    source_only_samples: list = field(default_factory=list)
    target_only_samples: list = field(default_factory=list)
    duplicate_samples: list = field(default_factory=list)
    unmapped_source_columns: list = field(default_factory=list)
    unmapped_target_columns: list = field(default_factory=list)
    options: dict = field(default_factory=dict)
    source_format: str = ""
    target_format: str = ""
    elapsed_s: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Result":
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def mismatch_rate(self) -> float:
        """Share of the matched rows with at least one column different."""
        return self.mismatched_rows / self.matched if self.matched else 0.0


# --- Reading the extracts ----------------------------------------------------------------------


@dataclass
class Extract:
    path: Path
    label: str  # the file's name, for messages
    kind: str  # "csv", "xlsx", "parquet"
    encoding: str = ""
    read_path: Path | None = None  # what duckdb reads (a transcoded copy when needed)
    own_csv: bool = False  # a CSV we wrote ourselves: its dialect is known (sniffed for its names only)
    columns: list[str] = field(default_factory=list)
    # The CSV dialect as sniffed once (read_csv options); afterwards every read names it and the
    # columns (all text) instead of sniffing again.
    dialect: str = ""
    parallel: bool = True  # false after the parallel reader refused the file (see Engine.execute)

    def relation(self) -> str:
        path = sql_string(str(self.read_path or self.path))
        if self.kind == "parquet":
            return f"read_parquet({path})"
        if not self.dialect:  # sniffing: only to learn the dialect and the column names
            return f"read_csv({path}, all_varchar = true, header = true, null_padding = true)"
        columns = ", ".join(f"{sql_string(c)}: 'VARCHAR'" for c in self.columns)
        return (f"read_csv({path}, columns = {{{columns}}}, {self.dialect}, header = true, auto_detect = false, "
                f"null_padding = true, parallel = {str(self.parallel).lower()})")


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def detect_kind(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise ReconcileError(
            _("%(file)s cannot be read: %(error)s") % {"file": path.name, "error": exc.strerror or exc}
        )
    suffix = path.suffix.lower()
    if head == b"PAR1" or suffix == ".parquet":
        return "parquet"
    if head[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".xls", ".ods"):
        raise ReconcileError(
            _("%(file)s: only CSV, XLSX and Parquet extracts can be reconciled. Save it as XLSX or CSV.")
            % {"file": path.name}
        )
    return "csv"


def detect_encoding(path: Path, chosen: str = "") -> str:
    """The CSV's encoding: chosen, or guessed from its first megabyte as the imports guess."""
    from projectcrm.core.tabular import FileProblem, decode_csv_bytes

    with open(path, "rb") as handle:
        sample = handle.read(SNIFF_BYTES)
        whole = len(sample) < SNIFF_BYTES
    if chosen == "utf-8":
        try:
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
        except UnicodeDecodeError:
            raise ReconcileError(
                _("%(file)s cannot be read as %(enc)s. Choose another encoding.") % {"file": path.name, "enc": "UTF-8"}
            )
    if chosen:
        return chosen
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if not whole and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # never cut a multi-byte character
    try:
        return decode_csv_bytes(sample, path.name)[1]
    except FileProblem as exc:
        raise ReconcileError(str(exc))


def transcode(extract: Extract, workdir: Path):
    """Stream a non-UTF-8 CSV into a UTF-8 copy, a megabyte at a time."""
    from projectcrm.core.tabular import ENCODINGS

    out = workdir / f"{extract.label}.{id(extract)}.utf8.csv"
    codec = {"utf-16": "utf-16", "gb18030": "gb18030", "big5": "big5"}.get(extract.encoding, extract.encoding)
    try:
        with open(extract.path, encoding=codec, newline="") as src, open(out, "w", encoding="utf-8",
                                                                          newline="") as dst:
            while chunk := src.read(TRANSCODE_CHUNK):
                dst.write(chunk)
    except (UnicodeDecodeError, LookupError):
        raise ReconcileError(
            _("%(file)s cannot be read as %(enc)s. Choose another encoding.")
            % {"file": extract.label, "enc": ENCODINGS.get(extract.encoding, extract.encoding)}
        )
    extract.read_path = out


def xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def xlsx_to_csv(extract: Extract, workdir: Path):
    """Stream the first sheet into a UTF-8 CSV (openpyxl read-only: one row in memory at a time)."""
    import openpyxl
    from django.conf import settings

    try:
        with zipfile.ZipFile(extract.path) as archive:
            for info in archive.infolist():
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > settings.XLSX_MAX_RATIO and info.file_size > 1024 * 1024:
                    raise ReconcileError(
                        _("%(file)s is refused: part %(part)s unpacks %(ratio)d times larger than it is stored.")
                        % {"file": extract.label, "part": info.filename, "ratio": ratio}
                    )
        workbook = openpyxl.load_workbook(extract.path, read_only=True, data_only=True)
    except ReconcileError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many types for broken files
        raise ReconcileError(
            _("%(file)s is not a valid XLSX file: %(error)s") % {"file": extract.label, "error": exc}
        )
    out = workdir / f"{extract.label}.{id(extract)}.csv"
    try:
        with open(out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            width = None
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                cells = [xlsx_cell(v) for v in row]
                if width is None:
                    while cells and cells[-1] == "":
                        cells.pop()
                    width = len(cells)
                    if not width:
                        continue
                if not any(cells):
                    continue
                writer.writerow((cells + [""] * width)[:width])
    finally:
        workbook.close()
    extract.read_path = out
    extract.own_csv = True


def open_extract(path, side_label: str, encoding: str, workdir: Path) -> Extract:
    path = Path(path)
    if not path.is_file():
        raise ReconcileError(_("%(file)s does not exist or is not a file.") % {"file": path})
    extract = Extract(path=path, label=path.name, kind=detect_kind(path))
    if extract.kind == "xlsx":
        xlsx_to_csv(extract, workdir)
    elif extract.kind == "csv":
        if path.stat().st_size == 0:
            raise ReconcileError(_("%(file)s is empty.") % {"file": extract.label})
        extract.encoding = detect_encoding(path, encoding)
        if extract.encoding != "utf-8":
            transcode(extract, workdir)
    return extract


# --- SQL building blocks -------------------------------------------------------------------------


def normalised(expr: str, transforms) -> str:
    """The cell as compared: trimmed and case-folded as asked; empty is NULL."""
    if "trim" in transforms:  # trim(x, chars) is slow: only where the first or last character is a space
        spaces = sql_string(WHITESPACE)
        expr = (f"CASE WHEN contains({spaces}, left({expr}, 1)) OR contains({spaces}, right({expr}, 1)) "
                f"THEN trim({expr}, {spaces}) ELSE {expr} END")
    if "casefold" in transforms:
        expr = f"lower({expr})"
    return f"NULLIF({expr}, '')"


def number_expr(expr: str) -> tuple[str, str]:
    """(exact DECIMAL, DOUBLE) readings of a text that reads as a number, else NULL."""
    clean = f"regexp_replace({expr}, {sql_string(NUMBER_NOISE)}, '', 'g')"
    ok = f"regexp_full_match({clean}, {sql_string(NUMBER_PATTERN)})"
    return (
        f"CASE WHEN {ok} THEN TRY_CAST({clean} AS DECIMAL(38, 12)) END",
        f"CASE WHEN {ok} THEN TRY_CAST({clean} AS DOUBLE) END",
    )


def date_expr(expr: str, day_first: bool) -> str:
    formats = DATE_FORMATS + (DAY_FIRST if day_first else MONTH_FIRST)
    listed = ", ".join(sql_string(f) for f in formats)
    return f"CASE WHEN regexp_full_match({expr}, {sql_string(DATE_SHAPE)}) THEN try_strptime({expr}, [{listed}]) END"


def equal_expr(s: str, t: str, transforms, options: Options) -> tuple[str, str | None]:
    """SQL for "the normalised cells s and t are equal", and for their numeric difference."""
    parts = [f"WHEN {s} IS NULL AND {t} IS NULL THEN true", f"WHEN {s} IS NULL OR {t} IS NULL THEN false",
             f"WHEN {s} = {t} THEN true"]
    difference = None
    if "number" in transforms:
        (s_dec, s_dbl), (t_dec, t_dbl) = number_expr(s), number_expr(t)
        difference = f"coalesce(abs({s_dec} - {t_dec}), abs({s_dbl} - {t_dbl}))"
        tolerance = f"CAST({sql_string(repr(options.tolerance))} AS DECIMAL(38, 12))"
        limit = tolerance
        if options.relative_tolerance:
            limit = f"({tolerance} + {options.relative_tolerance!r} * abs({t_dbl}))"
        parts.append(f"WHEN {s_dbl} IS NOT NULL AND {t_dbl} IS NOT NULL THEN {difference} <= {limit}")
    if "date" in transforms:
        s_date, t_date = date_expr(s, options.day_first), date_expr(t, options.day_first)
        parts.append(f"WHEN {s_date} IS NOT NULL AND {t_date} IS NOT NULL THEN {s_date} = {t_date}")
    return "CASE " + " ".join(parts) + " ELSE false END", difference


def key_expr(columns: list[str], transforms_of) -> str:
    parts = [f"coalesce({normalised(ident(c), transforms_of(c))}, '')" for c in columns]
    if len(parts) == 1:
        return parts[0]
    return f"concat_ws({sql_string(KEY_SEPARATOR)}, {', '.join(parts)})"


def plain(value):
    """A duckdb value as JSON: numbers, text; dates and times as ISO text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


# --- Column resolution ---------------------------------------------------------------------------


def find_column(name: str, columns: list[str]) -> str | None:
    if name in columns:
        return name
    folded = name.strip().casefold()
    for column in columns:
        if column.strip().casefold() == folded:
            return column
    return None


def resolve_columns(source: Extract, target: Extract, options: Options):
    """(source keys, target keys, [(source column, target column)] compared, unmapped lists)."""
    for extract in (source, target):
        if not extract.columns:
            raise ReconcileError(_("%(file)s is empty.") % {"file": extract.label})
    mapping = {}
    for src_name, dst_name in options.mapping.items():
        src_col = find_column(src_name, source.columns)
        if src_col is None:
            raise ReconcileError(
                _("%(file)s has no column “%(column)s” (named in the column mapping). Its columns: %(columns)s.")
                % {"file": source.label, "column": src_name, "columns": ", ".join(source.columns)}
            )
        dst_col = find_column(dst_name, target.columns)
        if dst_col is None:
            raise ReconcileError(
                _("%(file)s has no column “%(column)s” (named in the column mapping). Its columns: %(columns)s.")
                % {"file": target.label, "column": dst_name, "columns": ", ".join(target.columns)}
            )
        mapping[src_col] = dst_col
    source_keys, target_keys = [], []
    for key in options.keys:
        src_col = find_column(key, source.columns)
        if src_col is None:
            raise ReconcileError(
                _("%(file)s has no key column “%(column)s”. Its columns: %(columns)s.")
                % {"file": source.label, "column": key, "columns": ", ".join(source.columns)}
            )
        dst_col = mapping.get(src_col) or find_column(key, target.columns)
        if dst_col is None:
            raise ReconcileError(
                _("%(file)s has no key column “%(column)s”. Its columns: %(columns)s. Map it with "
                  "source=target if it is named differently.")
                % {"file": target.label, "column": key, "columns": ", ".join(target.columns)}
            )
        source_keys.append(src_col)
        target_keys.append(dst_col)
    pairs = []
    used_targets = set(target_keys)
    for src_col in source.columns:
        if src_col in source_keys:
            continue
        dst_col = mapping.get(src_col) or find_column(src_col, target.columns)
        if dst_col is None or dst_col in used_targets:
            continue
        used_targets.add(dst_col)
        pairs.append((src_col, dst_col))
    paired_sources = {s for s, _t in pairs} | set(source_keys)
    unmapped_source = [c for c in source.columns if c not in paired_sources]
    unmapped_target = [c for c in target.columns if c not in used_targets]
    return source_keys, target_keys, pairs, unmapped_source, unmapped_target


# --- The engine ----------------------------------------------------------------------------------


@dataclass
class Side:
    """One extract as the engine reads it: its key expression and compared cells as text."""

    name: str  # "source" or "target"
    extract: Extract
    table: str  # "src" or "tgt": its rows kept for the comparison (see Engine.fetch_rows)
    keys: list[str]
    columns: list[str]
    transforms_of: Callable
    # Where the rows' cells are after the first pass: "" (only in the file), "held" (every row's
    # cells in <table>_rows) or "kept" (in <table>_rows.__cells, for the rows that may be needed).
    cells: str = ""

    def rows(self) -> str:
        """The extract as rows of (__k: the key, c0, c1, ...: the compared cells as text)."""
        cells = "".join(f", CAST({ident(c)} AS VARCHAR) AS c{i}" for i, c in enumerate(self.columns))
        names = "".join(f", c{i}" for i in range(len(self.columns)))
        key_cols = ", ".join(f"CAST({ident(k)} AS VARCHAR) AS {ident(k)}" for k in self.keys)
        return (f"SELECT {key_expr(self.keys, self.transforms_of)} AS __k{names} "
                f"FROM (SELECT {key_cols}{cells} FROM {self.extract.relation()})")


def available_cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def memory_bytes(limit: str) -> int | None:
    """"1GB", "512 MiB" ... as bytes; None when not a plain size (a percentage, for instance)."""
    import re

    found = re.fullmatch(r"\s*([0-9.]+)\s*([KMGT]?)(i?)B?\s*", limit, re.IGNORECASE)
    if not found:
        return None
    number, unit, binary = found.groups()
    return int(float(number) * (1024 if binary else 1000) ** " KMGT".index(unit.upper() or " "))


def sample_below(rows: int) -> int | None:
    """The profile sample: the rows whose key hashes (64 bits) below this, about PROFILE_SAMPLE_ROWS
    of `rows`; None: every row."""
    if rows <= PROFILE_SAMPLE_ROWS:
        return None
    return int(2**64 * PROFILE_SAMPLE_ROWS // rows)


def in_sample(key: str, below: int | None) -> str:
    return "true" if below is None else f"hash({key}) < CAST({below} AS UBIGINT)"


class Engine:
    # A CSV source (or XLSX, as CSV) whose file takes at most this share of the memory limit is read
    # once and its cells held in memory (about 1.6 bytes per byte of CSV); a larger one, or Parquet,
    # is read a second time for the rows needed. The target is read once.
    HOLD_SHARE = 0.3

    def __init__(self, options: Options, on_progress: Callable | None):
        self.options = options
        self.on_progress = on_progress

    def progress(self, fraction: float, stage: str):
        if self.on_progress:
            self.on_progress(round(fraction, 3), stage)

    def connect(self, workdir: Path):
        import duckdb

        con = duckdb.connect(":memory:", config={"enable_external_access": True})
        con.execute(f"SET memory_limit = {sql_string(self.options.memory_limit)}")
        con.execute(f"SET temp_directory = {sql_string(str(workdir / 'spill'))}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET threads = {int(self.options.threads or available_cores())}")
        return con

    def describe(self, con, extract: Extract):
        if extract.kind == "csv":
            return self.sniff(con, extract)
        try:
            rows = con.execute(f"DESCRIBE SELECT * FROM {extract.relation()}").fetchall()
        except Exception as exc:
            raise self.read_error(extract, exc)
        extract.columns = [r[0] for r in rows]

    def sniff(self, con, extract: Extract):
        """The CSV's dialect and column names, from duckdb's sniffer (on a sample at the start)."""
        path = sql_string(str(extract.read_path or extract.path))
        options = "all_varchar = true, header = true, null_padding = true"
        if extract.own_csv:
            options += ", delim = ',', quote = '\"', escape = '\"'"
        try:
            delim, quote, escape, skip, comment, columns = con.execute(
                f"SELECT Delimiter, Quote, Escape, SkipRows, Comment, Columns FROM sniff_csv({path}, {options})"
            ).fetchone()
        except Exception as exc:
            raise self.read_error(extract, exc)

        def given(value):
            return "" if value == "(empty)" else value or ""

        # A sample without quotes says nothing about the rest of the file: standard quoting then.
        quote = given(quote) or '"'
        dialect = [f"delim = {sql_string(delim)}", f"quote = {sql_string(quote)}",
                   f"escape = {sql_string(given(escape) or quote)}", f"skip = {int(skip or 0)}"]
        if given(comment):
            dialect.append(f"comment = {sql_string(comment)}")
        extract.dialect = ", ".join(dialect)
        extract.columns = [c["name"] for c in columns]
        if len(extract.columns) == 1 and extract.columns[0] in ("column0", ""):
            raise ReconcileError(_("%(file)s is empty.") % {"file": extract.label})

    def read_error(self, extract: Extract, exc: Exception) -> ReconcileError:
        text = str(exc)
        if "unicode" in text.lower() or "utf" in text.lower():
            return ReconcileError(
                _("%(file)s is not valid UTF-8 further in the file. Choose its encoding (UTF-16, GBK/GB18030 "
                  "or Big5).") % {"file": extract.label}
            )
        first = text.strip().splitlines()[0] if text.strip() else exc.__class__.__name__
        return ReconcileError(
            _("%(file)s cannot be read as %(kind)s: %(error)s")
            % {"file": extract.label, "kind": extract.kind.upper(), "error": first[:300]}
        )

    def read(self, con, side: Side, sql: Callable[[], str]):
        """Run the statement sql() that reads side's extract; a read error names the file. duckdb's
        parallel CSV reader refuses a file with both short rows and line breaks inside quotes: such a
        file is then read by one thread. duckdb cannot tell how many rows a file holds and may build
        a join's hash table on the file's side (every row, every cell): the other side is the build
        side of the joins of these statements."""
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        try:
            return con.execute(sql())
        except Exception as exc:
            extract = side.extract
            if extract.parallel and extract.kind == "csv" and "parallel" in str(exc):
                extract.parallel = False
                return self.read(con, side, sql)
            raise self.read_error(extract, exc)
        finally:
            con.execute("RESET disabled_optimizers")

    def hold(self, extract: Extract) -> bool:
        """Whether the source's cells are held in memory after one read (a small file) rather than
        read again for the rows needed (a large one: the first read keeps only keys and hashes)."""
        limit = memory_bytes(self.options.memory_limit)
        if limit is None or extract.kind != "csv":  # a Parquet file unpacks to many times its size
            return False
        return (extract.read_path or extract.path).stat().st_size <= limit * self.HOLD_SHARE

    def empty(self, side: Side, i: int, column: str, bit: int = 1) -> str:
        """SQL: `bit` when the cell c<i> is empty (after trimming, when trimmed), else 0."""
        raw = f"c{i}"
        whens = [f"WHEN {raw} IS NULL THEN {bit}"]
        if side.extract.kind not in ("csv", "xlsx"):  # duckdb reads an empty CSV cell as NULL
            whens.append(f"WHEN {raw} = '' THEN {bit}")
        if "trim" in self.options.transforms_for(column):
            # Trimmed only where the first character may be a space (trim with characters is slow):
            # below "!", or from U+00A0 (no-break space) up to U+3000 (ideographic space).
            blank = f"(CASE WHEN trim({raw}, {sql_string(WHITESPACE)}) = '' THEN {bit} ELSE 0 END)"
            whens += [f"WHEN {raw} < '!' THEN {blank}", f"WHEN {raw} < '\u00a0' THEN 0",
                      f"WHEN {raw} < '\u3001' THEN {blank}"]
        return f"CASE {' '.join(whens)} ELSE 0 END"

    def first_pass(self, con, side: Side, pairs, result: Result, keep: str = ""):
        """The one full read of a file: into <table>_rows per row its key and the hash of its cells
        as written; its cells as side.cells says (every row's when held; when kept, in __cells those
        of the rows `keep` selects, and a bit per empty cell); per key its number of rows and hash in
        <table>_keys; the exact number of empty cells of every column."""
        width = len(pairs)
        hashed = f"hash({', '.join(f'c{i}' for i in range(width))})" if width else "0"
        cells = ", ".join(f"c{i}" for i in range(width))
        table = side.table
        masks = []
        if side.cells != "held":  # held: the empty cells are counted in the table afterwards
            for start in range(0, width, 62):  # a bit per cell, 62 columns to a number
                bits = [self.empty(side, i, pairs[i][1], 1 << (i - start)) for i in range(start, min(width, start + 62))]
                masks.append(f"CAST({' | '.join(bits)} AS BIGINT) AS __m{start // 62}")
        mask_names = "".join(f", __m{i}" for i in range(len(masks)))

        def sql():
            rows = f"SELECT __k, {hashed} AS __h{''.join(', ' + m for m in masks)}, {cells or 'NULL'} FROM ({side.rows()})"
            if side.cells == "held":
                return f"CREATE TABLE {table}_rows AS {rows}"
            if side.cells == "kept":
                return f"""
                    CREATE TABLE {table}_rows AS SELECT r.__k, r.__h{mask_names},
                        CASE WHEN {keep} THEN [{cells}] END AS __cells
                    FROM ({rows}) r LEFT JOIN src_keys s ON r.__k = s.__k
                """
            return f"CREATE TABLE {table}_rows AS SELECT __k, __h{mask_names} FROM ({rows})"

        self.read(con, side, sql)
        con.execute(f"CREATE TABLE {table}_keys AS SELECT __k, count(*) AS n, min(__h) AS h FROM {table}_rows GROUP BY __k")
        if width:
            if masks:
                counted = ", ".join(f"sum((__m{i // 62} >> {i % 62}) & 1)" for i in range(width))
            else:
                counted = ", ".join(f"sum({self.empty(side, i, t)})" for i, (_s, t) in enumerate(pairs))
            empties = con.execute(f"SELECT count(*), {counted} FROM {table}_rows").fetchone()
            total = empties[0]
            for i, (_s, t) in enumerate(pairs):
                nulls = int(empties[i + 1] or 0)
                column = result.columns.setdefault(t, {})
                column[f"{side.name}_nulls"] = nulls
                column[f"null_rate_{side.name}"] = round(nulls / total, 6) if total else 0.0
        if not side.cells:
            con.execute(f"DROP TABLE {table}_rows")

    def run(self, source_path, target_path) -> Result:
        started = time.perf_counter()
        options = self.options
        workdir = Path(tempfile.mkdtemp(prefix="projectcrm-reconcile-", dir=options.temp_dir))
        try:
            self.progress(0.0, _("Reading the extracts"))
            source = open_extract(source_path, "source", options.source_encoding or options.encoding, workdir)
            target = open_extract(target_path, "target", options.target_encoding or options.encoding, workdir)
            con = self.connect(workdir)
            try:
                return self.compare(con, source, target, started)
            finally:
                con.close()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def compare(self, con, source: Extract, target: Extract, started: float) -> Result:
        options = self.options
        self.describe(con, source)
        self.describe(con, target)
        source_keys, target_keys, pairs, unmapped_source, unmapped_target = resolve_columns(source, target, options)
        to_target = dict(zip(source_keys, target_keys, strict=True)) | dict(pairs)
        result = Result(
            source=source.label, target=target.label, keys=list(source_keys),
            unmapped_source_columns=unmapped_source, unmapped_target_columns=unmapped_target,
            source_format=source.kind if source.kind != "csv" else f"csv ({source.encoding})",
            target_format=target.kind if target.kind != "csv" else f"csv ({target.encoding})",
            options={
                "keys": list(source_keys), "mapping": dict(pairs), "transforms": list(options.transforms),
                "column_transforms": {k: list(v) for k, v in options.column_transforms.items()},
                "tolerance": options.tolerance, "relative_tolerance": options.relative_tolerance,
                "day_first": options.day_first,
            },
        )
        src = Side("source", source, "src", source_keys, [s for s, _t in pairs],
                   lambda c: options.transforms_for(to_target[c]), cells="held" if self.hold(source) else "")
        tgt = Side("target", target, "tgt", target_keys, [t for _s, t in pairs], options.transforms_for, cells="kept")
        # The source: keys, their counts and row hashes (and, held, the cells).
        self.progress(0.05, _("Reading the source"))
        self.first_pass(con, src, pairs, result)
        source_rows = con.execute("SELECT sum(n) FROM src_keys").fetchone()[0] or 0
        # The target, joined with the source's keys as it is read: its cells are kept only for the
        # rows that may be needed (a key not in the source or whose hash differs from the source's
        # row, and a profile sample generous enough for a target half the source's size).
        self.progress(0.3, _("Reading the target"))
        keep_sample = sample_below(source_rows // 2)
        self.first_pass(con, tgt, pairs, result, keep=(
            f"s.__k IS NULL OR (s.n = 1 AND s.h <> r.__h) OR {in_sample('r.__k', keep_sample)}"))
        self.progress(0.55, _("Matching the keys"))
        self.classify(con, result)
        below = sample_below(result.target_rows)
        if keep_sample is not None and (below is None or below > keep_sample):
            tgt.cells = ""  # a target less than half the source's size: its sample is read again
        # The rows needed later (those of differing keys, a few of the unmatched ones, a sample for
        # the value profiles), from the cells held or kept, or a second read of the file.
        for side, fraction in ((src, 0.6), (tgt, 0.78)):
            self.progress(fraction, _("Profiling the source") if side is src else _("Profiling the target"))
            self.fetch_rows(con, side, pairs, result)
        self.progress(0.95, _("Comparing the columns"))
        self.compare_columns(con, result, pairs)
        # Rows whose hashes differ but whose cells are equal after the transformations are equal too.
        result.matched_equal = result.matched - result.mismatched_rows
        self.samples(con, result, pairs)
        self.profile_samples(con, result, pairs)
        result.elapsed_s = round(time.perf_counter() - started, 3)
        self.progress(1.0, _("Done"))
        return result

    def classify(self, con, result: Result):
        con.execute("""
            CREATE TABLE keys AS
            SELECT coalesce(s.__k, t.__k) AS k, coalesce(s.n, 0) AS sn, coalesce(t.n, 0) AS tn, s.h AS sh, t.h AS th
            FROM src_keys s FULL JOIN tgt_keys t ON s.__k = t.__k
        """)
        con.execute("DROP TABLE src_keys")
        con.execute("DROP TABLE tgt_keys")
        row = con.execute("""
            SELECT
                sum(sn), sum(tn),
                count_if(sn = 1 AND tn = 1), count_if(sn = 1 AND tn = 1 AND sh = th),
                count_if(sn = 1 AND tn = 0), count_if(sn = 0 AND tn = 1),
                count_if(sn > 1), count_if(tn > 1),
                sum(sn) FILTER (WHERE sn > 1 OR tn > 1), sum(tn) FILTER (WHERE sn > 1 OR tn > 1)
            FROM keys
        """).fetchone()
        (result.source_rows, result.target_rows, result.matched, result.matched_equal, result.source_only,
         result.target_only, result.source_duplicate_keys, result.target_duplicate_keys,
         result.source_duplicate_rows, result.target_duplicate_rows) = (int(v or 0) for v in row)
        con.execute("CREATE TABLE diff AS SELECT k FROM keys WHERE sn = 1 AND tn = 1 AND sh <> th")
        n = int(self.options.sample_size)
        for table, rows, only, on_side in (
            ("src", result.source_rows, "sn = 1 AND tn = 0", "sn > 0"),
            ("tgt", result.target_rows, "sn = 0 AND tn = 1", "tn > 0"),
        ):
            # The keys whose rows are kept: __want (the differing keys and a few unmatched ones) and
            # __sample (the profile sample).
            con.execute(f"""
                CREATE TABLE want_{table} AS SELECT k, bool_or(w) AS __want, bool_or(s) AS __sample FROM (
                    SELECT k, true AS w, false AS s FROM diff
                    UNION ALL (SELECT k, true, false FROM keys WHERE {only} ORDER BY k LIMIT {n})
                    UNION ALL SELECT k, false, true FROM keys WHERE {on_side} AND {in_sample('k', sample_below(rows))}
                ) GROUP BY k
            """)

    def fetch_rows(self, con, side: Side, pairs, result: Result):
        """Into side.table the rows whose keys are in want_<table>, with the flags __want and
        __sample: from the cells held or kept, else read again from the file. Then the columns'
        kinds, judged on the sample's first KIND_ROWS rows."""
        table = side.table
        width = len(pairs)
        if side.cells == "kept":
            cells = "".join(f", r.__cells[{i + 1}] AS c{i}" for i in range(width))
            con.execute(f"""
                CREATE TABLE {table} AS SELECT r.__k{cells}, w.__want, w.__sample
                FROM {table}_rows r JOIN want_{table} w ON r.__k = w.k WHERE r.__cells IS NOT NULL
            """)
        else:
            rows = f"{table}_rows" if side.cells == "held" else f"({side.rows()})"
            self.read(con, side, lambda: f"""
                CREATE TABLE {table} AS SELECT r.__k{"".join(f", r.c{i}" for i in range(width))}, w.__want, w.__sample
                FROM {rows} r JOIN want_{table} w ON r.__k = w.k
            """)
        con.execute(f"DROP TABLE want_{table}")
        con.execute(f"DROP TABLE IF EXISTS {table}_rows")
        con.execute(f"CREATE OR REPLACE TEMP TABLE head AS SELECT * FROM {table} WHERE __sample LIMIT {KIND_ROWS}")
        kinds = self.kinds(con, [normalised(f"c{i}", self.options.transforms_for(t))
                                 for i, (_s, t) in enumerate(pairs)])
        for i, (_s, t) in enumerate(pairs):
            result.columns[t].setdefault("profile", {})[side.name] = {"kind": kinds[i][0], "reading": kinds[i][1]}

    def compare_columns(self, con, result: Result, pairs):
        options = self.options
        n = len(pairs)
        # The cells of the differing rows that differ as written (the others are equal), one row per
        # cell: (k, i: the column, s and t: the source's and the target's cell).
        if n:
            con.execute(f"""
                CREATE TEMP TABLE cells AS SELECT * FROM (
                    SELECT d.k, unnest(range({n})) AS i, unnest([{", ".join(f"s.c{i}" for i in range(n))}]) AS s,
                        unnest([{", ".join(f"t.c{i}" for i in range(n))}]) AS t
                    FROM diff d JOIN src s ON s.__k = d.k AND s.__want JOIN tgt t ON t.__k = d.k AND t.__want
                ) WHERE s IS DISTINCT FROM t
            """)
        # Compared after their column's transformations (one SQL expression per set of
        # transformations): m (they differ) and d (their difference as numbers, where they differ).
        groups = {}
        for i, (_s, t) in enumerate(pairs):
            groups.setdefault(tuple(options.transforms_for(t)), []).append(i)
        parts = []
        for transforms, columns in groups.items():
            equal, difference = equal_expr("ns", "nt", transforms, options)
            parts.append(f"""
                SELECT k, i, s, t, m, CASE WHEN m THEN d END AS d FROM (
                    SELECT k, i, s, t, NOT ({equal}) AS m, {difference or "NULL"} AS d FROM (
                        SELECT k, i, s, t, {normalised("s", transforms)} AS ns, {normalised("t", transforms)} AS nt
                        FROM cells WHERE i IN ({", ".join(map(str, columns))})
                    )
                )
            """)
        counts, samples = {}, {}
        if parts:
            con.execute(f"CREATE TEMP TABLE flags AS {' UNION ALL '.join(parts)}")
            con.execute("DROP TABLE cells")
            result.mismatched_rows = con.execute("SELECT count(DISTINCT k) FROM flags WHERE m").fetchone()[0]
            counts = {i: (c, d) for i, c, d in con.execute(
                "SELECT i, count(*), max(d) FROM flags WHERE m GROUP BY i").fetchall()}
            sample = int(options.sample_size)
            if sample:
                for i, k, s, t in con.execute(f"""
                    SELECT i, k, s, t FROM flags WHERE m QUALIFY row_number() OVER (PARTITION BY i ORDER BY k) <= {sample}
                    ORDER BY i, k
                """).fetchall():
                    samples.setdefault(i, []).append({"key": self.key_dict(k, result.keys), "source": s, "target": t})
        for i, (s, t) in enumerate(pairs):
            mismatches, difference = counts.get(i, (0, None))
            result.columns[t] = {
                "source_column": s,
                "transforms": list(options.transforms_for(t)),
                "mismatches": mismatches,
                "mismatch_rate": round(mismatches / result.matched, 6) if result.matched else 0.0,
                "max_difference": plain(difference),
                "samples": samples.get(i, []),
                **result.columns.get(t, {}),
            }

    def key_dict(self, key: str, names: list[str]) -> dict:
        parts = key.split(KEY_SEPARATOR) if len(names) > 1 else [key]
        return dict(zip(names, parts, strict=False))

    def samples(self, con, result: Result, pairs):
        n = int(self.options.sample_size)
        if not n:
            return
        for table, cols, condition, out in (
            ("src", [s for s, _t in pairs], "sn = 1 AND tn = 0", result.source_only_samples),
            ("tgt", [t for _s, t in pairs], "sn = 0 AND tn = 1", result.target_only_samples),
        ):
            cells = "".join(f", x.c{i}" for i in range(len(cols)))
            rows = con.execute(f"""
                SELECT x.__k{cells} FROM {table} x SEMI JOIN (SELECT k FROM keys WHERE {condition}) o ON x.__k = o.k
                WHERE x.__want ORDER BY x.__k LIMIT {n}
            """).fetchall()
            for row in rows:
                out.append({"key": self.key_dict(row[0], result.keys), "row": dict(zip(cols, row[1:], strict=True))})
        rows = con.execute(f"""
            SELECT k, sn, tn FROM keys WHERE sn > 1 OR tn > 1 ORDER BY greatest(sn, tn) DESC, k LIMIT {n}
        """).fetchall()
        result.duplicate_samples = [
            {"key": self.key_dict(k, result.keys), "source_count": sn, "target_count": tn} for k, sn, tn in rows
        ]

    def profile_samples(self, con, result: Result, pairs):
        """Distinct values, minimum and maximum (as numbers, dates or text), most frequent values:
        on the sample."""
        if not pairs:
            return
        width = len(pairs)
        for side, table in (("source", "src"), ("target", "tgt")):
            con.execute(f"CREATE OR REPLACE TEMP TABLE sample AS SELECT * FROM {table} WHERE __sample")
            sampled = con.execute("SELECT count(*) FROM sample").fetchone()[0]
            extremes = []
            for i, (_s, t) in enumerate(pairs):
                profile = result.columns[t]["profile"][side]
                reading = profile.pop("reading") or "NULLIF({v}, '')"
                value = reading.format(v=f"c{i}")
                extremes.append(f"min({value}), max({value})")
            row = con.execute(f"SELECT {', '.join(extremes)} FROM sample").fetchone()
            # Every column's distinct values counted once, in one query: the cells unpivoted as
            # (column i, value v); the most frequent first, ties in the order of the values.
            top, distinct = {}, {}
            for i, values, frequent in con.execute(f"""
                SELECT i, count(*), min_by({{'v': v, 'n': n}}, {{'rank': -n, 'v': v}}, {TOP_VALUES}) FROM (
                    SELECT i, v, count(*) AS n FROM (
                        SELECT unnest(range({width})) AS i, unnest([{", ".join(f"c{i}" for i in range(width))}]) AS v
                        FROM sample
                    ) WHERE v <> '' GROUP BY i, v
                ) GROUP BY i
            """).fetchall():
                distinct[i] = values
                top[i] = [{"value": f["v"], "count": f["n"], "share": round(f["n"] / sampled, 4) if sampled else 0.0}
                          for f in frequent]
            for i, (_s, t) in enumerate(pairs):
                profile = result.columns[t]["profile"][side]
                low, high = row[2 * i: 2 * i + 2]
                profile["distinct"] = int(distinct.get(i, 0))
                profile["min"], profile["max"] = plain(low), plain(high)
                profile["top"] = top.get(i, [])
                profile["sampled_rows"] = sampled

    def kinds(self, con, values: list[str]) -> list[tuple[str, str]]:
        """Per column ("number" | "date" | "text", SQL reading a raw cell {v} for min and max), judged
        on the sample's first KIND_ROWS rows (the table head): numbers when every value casts to a
        number, dates when one date format reads every value."""
        if not values:
            return []
        formats = DATE_FORMATS + (DAY_FIRST if self.options.day_first else MONTH_FIRST)
        # The columns' values unpivoted as (column i, value v): each check written once.
        cells = f"SELECT unnest(range({len(values)})) AS i, unnest([{', '.join(values)}]) AS v FROM head"
        counts = {i: (filled, numbers, dates) for i, filled, numbers, dates in con.execute(f"""
            SELECT i, count(v), count(TRY_CAST(v AS DOUBLE)), count({date_expr('v', self.options.day_first)})
            FROM ({cells}) GROUP BY i
        """).fetchall()}
        dated = [i for i, (filled, numbers, dates) in counts.items() if filled and numbers != filled and dates == filled]
        readable = {}
        if dated:
            # Every value is a date: the first format that reads them all reads the column.
            for i, *read in con.execute(
                f"SELECT i, {', '.join(f'count(try_strptime(v, {sql_string(f)}))' for f in formats)} "
                f"FROM ({cells}) WHERE i IN ({', '.join(map(str, dated))}) GROUP BY i"
            ).fetchall():
                readable[i] = next((f for f, n in zip(formats, read, strict=True) if n == counts[i][0]), None)
        kinds = []
        for i in range(len(values)):
            filled, numbers, dates = counts.get(i, (0, 0, 0))
            fmt = readable.get(i)
            if filled and numbers == filled:
                kinds.append(("number", "TRY_CAST({v} AS DOUBLE)"))  # a cast allows surrounding spaces
            elif fmt == "%Y-%m-%d":
                kinds.append(("date", "TRY_CAST({v} AS DATE)"))  # fast; allows surrounding spaces
            elif fmt:
                kinds.append(("date", f"try_strptime(trim({{v}}), {sql_string(fmt)})"))
            else:
                kinds.append(("text", ""))
        return kinds

def reconcile(source_path, target_path, options: Options, on_progress: Callable | None = None) -> Result:
    """Compare two extracts; `on_progress(fraction 0..1, stage label)` is called between stages.

    Raises ReconcileError (a message for the user naming the file and the column) when an extract
    cannot be read or a key or mapped column is missing."""
    return Engine(options, on_progress).run(source_path, target_path)


# --- The report as XLSX --------------------------------------------------------------------------


def _cell(value):
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def xlsx_sheets(result) -> list[tuple[str, list[str], list[list]]]:
    data = result.to_dict() if isinstance(result, Result) else dict(result)
    summary = [
        [_("Source"), data["source"]], [_("Target"), data["target"]],
        [_("Key columns"), ", ".join(data["keys"])],
        [_("Source rows"), data["source_rows"]], [_("Target rows"), data["target_rows"]],
        [_("Matched keys"), data["matched"]], [_("Matched rows with a difference"), data.get("mismatched_rows", 0)],
        [_("Only in the source"), data["source_only"]], [_("Only in the target"), data["target_only"]],
        [_("Duplicate keys in the source"), data["source_duplicate_keys"]],
        [_("Duplicate keys in the target"), data["target_duplicate_keys"]],
        [_("Source columns not compared"), ", ".join(data.get("unmapped_source_columns", []))],
        [_("Target columns not compared"), ", ".join(data.get("unmapped_target_columns", []))],
        [_("Tolerance"), data.get("options", {}).get("tolerance", 0)],
        [_("Seconds"), data.get("elapsed_s", 0)],
    ]
    columns = []
    samples = []
    for name, col in data["columns"].items():
        source_profile = col.get("profile", {}).get("source", {})
        target_profile = col.get("profile", {}).get("target", {})
        columns.append([
            name, col.get("source_column", name), col["mismatches"], col.get("mismatch_rate", 0),
            col.get("max_difference"), col.get("source_nulls"), col.get("target_nulls"),
            col.get("null_rate_source"), col.get("null_rate_target"), source_profile.get("kind"),
            source_profile.get("distinct"), target_profile.get("distinct"),
            _cell(source_profile.get("min")), _cell(source_profile.get("max")),
            _cell(target_profile.get("min")), _cell(target_profile.get("max")),
            ", ".join(str(t["value"]) for t in source_profile.get("top", [])),
            ", ".join(str(t["value"]) for t in target_profile.get("top", [])),
        ])
        for sample in col.get("samples", []):
            samples.append([_("Different value"), _cell(sample["key"]), name, sample["source"], sample["target"]])
    for kind, key in ((_("Only in the source"), "source_only_samples"), (_("Only in the target"), "target_only_samples")):
        for sample in data.get(key, []):
            samples.append([kind, _cell(sample["key"]), "", _cell(sample["row"]), ""])
    for sample in data.get("duplicate_samples", []):
        samples.append([_("Duplicate key"), _cell(sample["key"]), "", sample["source_count"], sample["target_count"]])
    return [
        (_("Summary"), [_("Figure"), _("Value")], summary),
        (_("Columns"), [
            _("Target column"), _("Source column"), _("Mismatches"), _("Mismatch rate"), _("Largest difference"),
            _("Empty in source"), _("Empty in target"), _("Empty rate in source"), _("Empty rate in target"),
            _("Kind"), _("Distinct in source"), _("Distinct in target"), _("Source minimum"), _("Source maximum"),
            _("Target minimum"), _("Target maximum"), _("Most frequent in source"), _("Most frequent in target"),
        ], columns),
        (_("Samples"), [_("Difference"), _("Key"), _("Column"), _("Source"), _("Target")], samples),
    ]


def write_xlsx(result, out):
    """Write the report (a Result or its to_dict()) to a path or a binary stream."""
    from projectcrm.core.tabular import write_xlsx_sheets

    data = write_xlsx_sheets(xlsx_sheets(result))
    if isinstance(out, (str, os.PathLike)):
        Path(out).write_bytes(data)
    else:
        out.write(data)
    return data


__all__ = ["Options", "ReconcileError", "Result", "reconcile", "write_xlsx", "xlsx_sheets"]
