"""Reconciliations of a mock run's extracts: the services behind testing/reconcile_views.py and the
background task testing/tasks.run_reconciliation. The comparison itself is testing/reconcile.py.

    check_upload(upload, encoding)      the headers of an uploaded extract, or ReconcileError naming it
    create(run, user, source, target)   a DRAFT reconciliation holding both files
    read_headers(path, label, encoding) the column names of a stored extract (streamed, never read whole)
    initial_setup / check_setup         the setup form: pre-filled choices, and the checked POST
    queue(rec, setup, target_columns)   store the choices and mark the row QUEUED (the view enqueues)
    run(pk, language)                   the task's work: claim, reconcile with progress, store the result
    report(rec)                         what the result page shows; outcome_figure / mismatch_figure

The setup's choices are stored on the row as text: `keys` (source columns, comma-separated) and
`mapping`, one line per source column that is not compared with the target column of its own name:
"source = target" (named differently) or "source =" (not compared).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import decimal
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projectcrm.core.charts import LAYOUT
from projectcrm.core.tabular import ENCODINGS

from . import reconcile as engine
from .choices import ReconciliationStatus
from .models import Reconciliation, RunObject

EXTRACT_SUFFIXES = (".csv", ".xlsx", ".parquet")
HEADER_BYTES = 256 * 1024  # read from a CSV to find its header
HEADER_LINES = 50  # lines of that sample given to duckdb's dialect sniffer
PROGRESS_EVERY = 0.5  # seconds between two progress writes
WORKER_LATE_SECONDS = 15  # a queued row not started after this gets a note about the worker
CHART_COLUMNS = 30  # columns drawn in the mismatches chart (the most mismatched)

Status = ReconciliationStatus


def max_bytes() -> int:
    return getattr(settings, "RECONCILE_MAX_BYTES", 2 * 1024**3)


def transform_labels() -> dict[str, str]:
    return {
        "trim": _("Trim spaces"),
        "casefold": _("Ignore upper and lower case"),
        "number": _("Compare numbers as numbers"),
        "date": _("Compare dates as dates"),
    }


def encoding_choices() -> list[tuple[str, str]]:
    return [("", _("Detect automatically")), *ENCODINGS.items()]


# --- Reading the headers ---------------------------------------------------------------------------


@dataclass
class Headers:
    columns: list[str]
    kind: str  # "csv", "xlsx", "parquet"
    encoding: str = ""  # a CSV's encoding, detected or chosen

    @property
    def format_label(self) -> str:
        if self.kind == "csv":
            return f"CSV ({ENCODINGS.get(self.encoding, self.encoding)})"
        return self.kind.upper()


def _named(exc: engine.ReconcileError, path: Path, label: str) -> engine.ReconcileError:
    """The engine names the file on disk; the reader knows it by the name it was uploaded under."""
    text = str(exc)
    if path.name != label:
        text = text.replace(str(path), label).replace(path.name, label)
    return engine.ReconcileError(text)


def _describe(csv_path: Path, label: str, own_csv: bool) -> list[str]:
    """Column names of a small UTF-8 CSV as the engine's duckdb reads them (the same naming of
    empty and repeated headers)."""
    import duckdb

    extract = engine.Extract(path=csv_path, label=label, kind="csv", own_csv=own_csv)
    con = duckdb.connect(":memory:")
    try:
        engine.Engine(engine.Options(keys=["-"]), None).describe(con, extract)
    finally:
        con.close()
    return extract.columns


def _csv_headers(path: Path, label: str, encoding: str, workdir: Path) -> Headers:
    if path.stat().st_size == 0:
        raise engine.ReconcileError(_("%(file)s is empty.") % {"file": label})
    used = engine.detect_encoding(path, encoding)
    with open(path, "rb") as handle:
        sample = handle.read(HEADER_BYTES)
        whole = len(sample) < HEADER_BYTES
    codec = "utf-8-sig" if used == "utf-8" else used
    try:
        text = codecs.getincrementaldecoder(codec)("strict").decode(sample, final=whole)
    except (UnicodeDecodeError, LookupError):
        raise engine.ReconcileError(
            _("%(file)s cannot be read as %(enc)s. Choose another encoding.")
            % {"file": label, "enc": ENCODINGS.get(used, used)}
        )
    if "\x00" in text:
        raise engine.ReconcileError(_("%(file)s contains binary data; it is not a CSV file.") % {"file": label})
    lines = text.split("\n")
    if not whole:
        lines = lines[:-1]  # the last line may be cut
    sample_path = workdir / "head.csv"
    sample_path.write_text("\n".join(lines[:HEADER_LINES]) + "\n", encoding="utf-8")
    return Headers(_describe(sample_path, label, own_csv=False), "csv", used)


def _xlsx_headers(path: Path, label: str, workdir: Path) -> Headers:
    """The first non-empty row of the first sheet (openpyxl read-only: streamed)."""
    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > settings.XLSX_MAX_RATIO and info.file_size > 1024 * 1024:
                    raise engine.ReconcileError(
                        _("%(file)s is refused: part %(part)s unpacks %(ratio)d times larger than it is stored.")
                        % {"file": label, "part": info.filename, "ratio": ratio}
                    )
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except engine.ReconcileError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many types for broken files
        raise engine.ReconcileError(_("%(file)s is not a valid XLSX file: %(error)s") % {"file": label, "error": exc})
    header = []
    try:
        if workbook.worksheets:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                cells = [engine.xlsx_cell(v) for v in row]
                while cells and cells[-1] == "":
                    cells.pop()
                if cells:
                    header = cells
                    break
    finally:
        workbook.close()
    if not header:
        raise engine.ReconcileError(_("%(file)s is empty.") % {"file": label})
    sample_path = workdir / "head.csv"
    with open(sample_path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(header)
    return Headers(_describe(sample_path, label, own_csv=True), "xlsx")


def _parquet_headers(path: Path, label: str) -> Headers:
    import pyarrow.parquet as pq

    try:
        columns = list(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        raise engine.ReconcileError(
            _("%(file)s cannot be read as %(kind)s: %(error)s") % {"file": label, "kind": "PARQUET", "error": first[:300]}
        )
    if not columns:
        raise engine.ReconcileError(_("%(file)s is empty.") % {"file": label})
    return Headers(columns, "parquet")


def read_headers(path, label: str | None = None, encoding: str = "") -> Headers:
    """The extract's column names as the engine will see them, reading only its beginning (a CSV's
    first 256 KB, an XLSX's first row, a Parquet file's schema). Raises ReconcileError naming `label`."""
    path = Path(path)
    label = label or path.name
    try:
        if not path.is_file():
            raise engine.ReconcileError(_("%(file)s does not exist or is not a file.") % {"file": label})
        kind = engine.detect_kind(path)
        if kind == "parquet":
            return _parquet_headers(path, label)
        workdir = Path(tempfile.mkdtemp(prefix="projectcrm-headers-"))
        try:
            if kind == "xlsx":
                return _xlsx_headers(path, label, workdir)
            return _csv_headers(path, label, encoding, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    except engine.ReconcileError as exc:
        raise _named(exc, path, label)


@contextlib.contextmanager
def uploaded_path(upload):
    """A path on disk holding an uploaded file (its temporary file, or a copy of a small one)."""
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    suffix = Path(upload.name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)
    upload.seek(0)


def check_upload(upload, encoding: str = "") -> Headers:
    """Refuse an extract of the wrong type or size, empty, or whose header cannot be read."""
    name = upload.name
    if Path(name).suffix.lower() not in EXTRACT_SUFFIXES:
        raise engine.ReconcileError(
            _("%(file)s: only CSV, XLSX and Parquet extracts can be reconciled.") % {"file": name}
        )
    if not upload.size:
        raise engine.ReconcileError(_("%(file)s is empty.") % {"file": name})
    if upload.size > max_bytes():
        raise engine.ReconcileError(
            _("%(file)s is %(size).1f MB; the limit is %(cap).1f MB.")
            % {"file": name, "size": upload.size / 1048576, "cap": max_bytes() / 1048576}
        )
    with uploaded_path(upload) as path:
        headers = read_headers(path, name, encoding)
    upload.seek(0)
    return headers


def create(run, user, source, target, migration_object=None, encoding: str = "") -> Reconciliation:
    """A DRAFT reconciliation holding both (checked) uploads."""
    with transaction.atomic():
        return Reconciliation.objects.create(
            project=run.project, run=run, migration_object=migration_object, source_file=source, target_file=target,
            source_name=Path(source.name).name[:200], target_name=Path(target.name).name[:200], encoding=encoding,
            requested_by=user, keys="", status=Status.DRAFT,
        )


def stored_headers(rec: Reconciliation) -> tuple[Headers, Headers]:
    with local_file(rec.source_file) as source, local_file(rec.target_file) as target:
        return (read_headers(source, rec.source_name, rec.encoding), read_headers(target, rec.target_name, rec.encoding))


@contextlib.contextmanager
def local_file(field_file):
    """The stored file's path (a copy in a temporary folder when the storage has no local paths)."""
    try:
        path = field_file.path
    except NotImplementedError:
        folder = Path(tempfile.mkdtemp(prefix="projectcrm-extract-"))
        try:
            copy = folder / Path(field_file.name).name
            with field_file.open("rb") as src, open(copy, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            yield copy
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    yield Path(path)


# --- The setup ---------------------------------------------------------------------------------


@dataclass
class Setup:
    keys: list[str] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)  # source column -> target column, "" = not compared
    transforms: list[str] = field(default_factory=lambda: list(engine.DEFAULT_TRANSFORMS))
    tolerance: decimal.Decimal = decimal.Decimal(0)
    day_first: bool = False


def parse_keys(text: str) -> list[str]:
    return [k.strip() for k in (text or "").split(",") if k.strip()]


def parse_mapping(text: str) -> tuple[dict[str, str], list[str]]:
    """({source: target} named differently, [source columns not compared]) from the stored lines."""
    mapping, excluded = {}, []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise engine.ReconcileError(
                _("Line %(line)d of the column mapping has no “=”: write source column = target column.")
                % {"line": number}
            )
        source, _eq, target = line.partition("=")
        source, target = source.strip(), target.strip()
        if target:
            mapping[source] = target
        else:
            excluded.append(source)
    return mapping, excluded


def initial_setup(rec: Reconciliation, source_columns: list[str], target_columns: list[str]) -> Setup:
    """The stored choices, else same-name (or same ignoring case) target columns for every source column."""
    mapping, excluded = parse_mapping(rec.mapping)
    targets, used = {}, set()
    for src in source_columns:
        if src in excluded:
            targets[src] = ""
        elif src in mapping:
            targets[src] = engine.find_column(mapping[src], target_columns) or ""
            used.add(targets[src])
    for src in source_columns:
        if src not in targets:
            auto = engine.find_column(src, target_columns)
            targets[src] = auto if auto and auto not in used else ""
            used.add(targets[src])
    transforms = [t for t in (rec.transforms or "").split(",") if t in engine.TRANSFORMS]
    if not rec.keys and not rec.mapping and not transforms:
        transforms = list(engine.DEFAULT_TRANSFORMS)
    keys = [k for k in (engine.find_column(k, source_columns) for k in parse_keys(rec.keys)) if k]
    return Setup(keys=keys, targets=targets, transforms=transforms, tolerance=rec.tolerance, day_first=rec.day_first)


def check_setup(keys, targets: dict[str, str], transforms, tolerance_text, day_first, source: Headers,
                target: Headers, source_name: str, target_name: str) -> tuple[Setup, dict[str, str]]:
    """The posted choices checked against both files' columns: (setup, {field: message})."""
    errors = {}
    setup = Setup(keys=[k for k in keys if k], targets=dict(targets), transforms=list(transforms),
                  day_first=bool(day_first))
    unknown_keys = [k for k in setup.keys if k not in source.columns]
    if not setup.keys:
        errors["key_columns"] = _("Choose at least one key column.")
    elif unknown_keys:
        errors["key_columns"] = _("“%(column)s” is not a column of %(file)s.") % {"column": unknown_keys[0], "file": source_name}
    chosen_by = {}
    for index, src in enumerate(source.columns):
        name = f"map-{index}"
        dst = setup.targets.get(src, "") or ""
        setup.targets[src] = dst
        if dst and dst not in target.columns:
            errors[name] = _("“%(column)s” is not a column of %(file)s.") % {"column": dst, "file": target_name}
        elif dst and dst in chosen_by:
            errors[name] = _("“%(target)s” is already compared with “%(other)s”; a target column is compared with one "
                             "source column.") % {"target": dst, "other": chosen_by[dst]}
        elif dst:
            chosen_by[dst] = src
        elif src in setup.keys:
            errors[name] = _("Key column “%(column)s” needs its column in %(file)s.") % {"column": src, "file": target_name}
    unknown = [t for t in setup.transforms if t not in engine.TRANSFORMS]
    if unknown:
        errors["transforms"] = _("Unknown transformation %(name)s; choose among %(known)s.") % {
            "name": ", ".join(unknown), "known": ", ".join(engine.TRANSFORMS)}
    setup.transforms = [t for t in engine.TRANSFORMS if t in setup.transforms]
    text = str(tolerance_text if tolerance_text is not None else "").strip().replace(",", ".") or "0"
    try:
        tolerance = decimal.Decimal(text)
        if not tolerance.is_finite() or tolerance < 0 or tolerance >= 10**6:
            raise decimal.InvalidOperation
        if tolerance != tolerance.quantize(decimal.Decimal("0.000001")):
            errors["tolerance"] = _("The tolerance has at most 6 decimal places.")
        setup.tolerance = tolerance
    except decimal.InvalidOperation:
        errors["tolerance"] = _("Enter the tolerance as a number of 0 or more (below 1,000,000), for example 0.01.")
    return setup, errors


def mapping_text(setup: Setup, source_columns: list[str], target_columns: list[str]) -> str:
    """The lines to store: only the source columns whose target is not their same-named column."""
    lines = []
    for src in source_columns:
        chosen = setup.targets.get(src, "")
        auto = engine.find_column(src, target_columns)
        if chosen == (auto or ""):
            continue
        lines.append(f"{src} = {chosen}" if chosen else f"{src} =")
    return "\n".join(lines)


def queue(rec: Reconciliation, setup: Setup, source_columns: list[str], target_columns: list[str]) -> bool:
    """Store the setup and mark the row QUEUED; False when it is queued or running already (the
    caller then does not enqueue it again)."""
    with transaction.atomic():
        current = Reconciliation.objects.select_for_update().get(pk=rec.pk)
        if current.is_running:
            return False
        current.keys = ", ".join(setup.keys)
        current.mapping = mapping_text(setup, source_columns, target_columns)
        current.transforms = ",".join(setup.transforms)
        current.tolerance = setup.tolerance
        current.day_first = setup.day_first
        current.status = Status.QUEUED
        current.progress, current.stage, current.error, current.result, current.finished = 0, "", "", None, None
        current.save()
    return True


# --- Running -----------------------------------------------------------------------------------


def options_for(rec: Reconciliation) -> engine.Options:
    keys = parse_keys(rec.keys)
    mapping, excluded = parse_mapping(rec.mapping)
    if excluded and keys:
        # The engine compares every same-named column and has no "do not compare" option; a source
        # column sent to the first key's target column is left out, because that column is taken.
        anchor = mapping.get(keys[0], keys[0])
        for src in excluded:
            mapping[src] = anchor
    transforms = tuple(t.strip() for t in (rec.transforms or "").split(",") if t.strip())
    return engine.Options(
        keys=keys, mapping=mapping, transforms=transforms, tolerance=float(rec.tolerance or 0),
        day_first=rec.day_first, encoding=rec.encoding or "",
    )


def run(pk: int, language: str = "en") -> Reconciliation | None:
    """Reconcile a QUEUED row (the background task calls this; a demo may call it directly).

    The row is claimed with a conditional update (QUEUED -> RUNNING), so a retried task does not run
    it twice. Progress goes to the row by plain updates (no history row each), at most every
    PROGRESS_EVERY seconds. Returns the row, or None when it was deleted meanwhile."""
    rec = Reconciliation.objects.select_related("run", "migration_object").filter(pk=pk).first()
    if rec is None or rec.status != Status.QUEUED:
        return rec
    claimed = Reconciliation.objects.filter(pk=pk, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=0, stage="", error=""
    )
    if not claimed:
        return rec
    last = [0.0]

    def on_progress(fraction: float, stage: str):
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and fraction < 1:
            return
        last[0] = now
        Reconciliation.objects.filter(pk=pk).update(progress=max(0.0, min(1.0, fraction)), stage=str(stage)[:200])

    with translation.override(language):
        try:
            options = options_for(rec)
            with local_file(rec.source_file) as source, local_file(rec.target_file) as target:
                try:
                    result = engine.reconcile(source, target, options, on_progress)
                except engine.ReconcileError as exc:
                    exc = _named(_named(exc, source, rec.source_name), target, rec.target_name)
                    raise exc from None
        except engine.ReconcileError as exc:
            return _fail(pk, str(exc))
        except Exception as exc:
            _fail(pk, _("%(source)s and %(target)s could not be reconciled (%(error)s).") % {
                "source": rec.source_name, "target": rec.target_name, "error": exc.__class__.__name__})
            raise
        return _store(pk, result)


def _store(pk: int, result: engine.Result) -> Reconciliation | None:
    data = result.to_dict()
    with transaction.atomic():
        current = Reconciliation.objects.select_for_update(of=("self",)).select_related("migration_object").filter(pk=pk).first()
        if current is None:
            return None  # deleted while it ran
        data["source"], data["target"] = current.source_name, current.target_name
        current.result = data
        current.status = Status.DONE
        current.progress, current.stage, current.error = 1.0, _("Done"), ""
        current.finished = timezone.now()
        current._history_user = current.requested_by
        current.save()
        _update_run_object(current)
    return current


def _update_run_object(rec: Reconciliation):
    """The run's row for the reconciled object takes the reconciled percentage (saved normally, so
    its history records the change)."""
    rate = rec.reconciled_rate
    if not rec.migration_object_id or rate is None:
        return
    row = RunObject.objects.select_for_update().filter(run_id=rec.run_id, migration_object_id=rec.migration_object_id).first()
    if row is None:
        return
    row.reconciled_rate = decimal.Decimal(str(rate)).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
    row.version += 1
    row._history_user = rec.requested_by
    row.save()


def _fail(pk: int, message: str) -> Reconciliation | None:
    with transaction.atomic():
        current = Reconciliation.objects.select_for_update().filter(pk=pk).first()
        if current is None:
            return None
        current.status = Status.FAILED
        current.error = message
        current.finished = timezone.now()
        current._history_user = current.requested_by
        current.save()
    return current


# --- The result page -----------------------------------------------------------------------------


def percent(part, whole) -> float | None:
    return 100 * part / whole if whole else None


def verdict(rec: Reconciliation) -> dict | None:
    """Pass or fail against the linked object's least reconciled percentage."""
    rate = rec.reconciled_rate
    if rec.migration_object is None or rate is None:
        return None
    threshold = float(rec.migration_object.min_reconciled_rate)
    return {"threshold": threshold, "passed": round(rate, 2) >= threshold}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _key_text(key: dict) -> str:
    return " · ".join(_cell(v) for v in key.values())


def report(rec: Reconciliation) -> dict:
    """Everything the result page shows, from the stored result (plain values, labels translated)."""
    data = rec.result or {}
    keys = data.get("keys", [])
    counts = [
        ("source_rows", _("Source rows"), data.get("source_rows", 0)),
        ("target_rows", _("Target rows"), data.get("target_rows", 0)),
        ("matched", _("Matched keys"), data.get("matched", 0)),
        ("matched_equal", _("Matched and equal"), data.get("matched_equal", 0)),
        ("mismatched_rows", _("Matched with a difference"), data.get("mismatched_rows", 0)),
        ("source_only", _("Only in the source"), data.get("source_only", 0)),
        ("target_only", _("Only in the target"), data.get("target_only", 0)),
        ("source_duplicate_keys", _("Duplicate keys in the source"), data.get("source_duplicate_keys", 0)),
        ("source_duplicate_rows", _("Their rows in the source"), data.get("source_duplicate_rows", 0)),
        ("target_duplicate_keys", _("Duplicate keys in the target"), data.get("target_duplicate_keys", 0)),
        ("target_duplicate_rows", _("Their rows in the target"), data.get("target_duplicate_rows", 0)),
    ]
    columns = []
    profiles = []
    for name, col in data.get("columns", {}).items():
        columns.append({
            "target": name, "source": col.get("source_column", name), "mismatches": col.get("mismatches", 0),
            "rate": 100 * (col.get("mismatch_rate") or 0), "max_difference": col.get("max_difference"),
            "null_source": 100 * (col.get("null_rate_source") or 0), "null_target": 100 * (col.get("null_rate_target") or 0),
            "samples": [{"key": _key_text(s.get("key", {})), "source": _cell(s.get("source")),
                         "target": _cell(s.get("target"))} for s in col.get("samples", [])],
        })
        for side, label in (("source", _("Source")), ("target", _("Target"))):
            profile = col.get("profile", {}).get(side)
            if profile:
                profiles.append({
                    "column": name if side == "target" else col.get("source_column", name), "side": label,
                    "kind": {"number": _("number"), "date": _("date"), "text": _("text")}.get(profile.get("kind"), profile.get("kind")),
                    "distinct": profile.get("distinct"), "min": _cell(profile.get("min")), "max": _cell(profile.get("max")),
                    "top": [{"value": _cell(t["value"]), "count": t["count"], "share": 100 * t.get("share", 0)}
                            for t in profile.get("top", [])],
                    "sampled": profile.get("sampled_rows"),
                })
    source_cols = [c["source"] for c in columns]
    target_cols = [c["target"] for c in columns]
    options = data.get("options", {})
    labels = transform_labels()
    return {
        "data": data,
        "counts": counts,
        "rate": rec.reconciled_rate,
        "verdict": verdict(rec),
        "columns": columns,
        "differing_columns": sum(1 for c in columns if c["mismatches"]),
        "profiles": profiles,
        "key_names": keys,
        "source_only": {"heads": keys + source_cols, "rows": [
            [*(_cell(v) for v in s.get("key", {}).values()), *(_cell(s.get("row", {}).get(c)) for c in source_cols)]
            for s in data.get("source_only_samples", [])]},
        "target_only": {"heads": keys + target_cols, "rows": [
            [*(_cell(v) for v in s.get("key", {}).values()), *(_cell(s.get("row", {}).get(c)) for c in target_cols)]
            for s in data.get("target_only_samples", [])]},
        "duplicates": [{"key": _key_text(d.get("key", {})), "source": d.get("source_count", 0),
                        "target": d.get("target_count", 0)} for d in data.get("duplicate_samples", [])],
        "unmapped_source": data.get("unmapped_source_columns", []),
        "unmapped_target": data.get("unmapped_target_columns", []),
        "options": {
            "keys": options.get("keys", keys),
            "mapping": [(s, t) for s, t in options.get("mapping", {}).items()],
            "transforms": [labels.get(t, t) for t in options.get("transforms", [])],
            "tolerance": options.get("tolerance", 0),
            "day_first": options.get("day_first", False),
            "source_format": data.get("source_format", ""),
            "target_format": data.get("target_format", ""),
            "elapsed": data.get("elapsed_s", 0),
        },
    }


# --- Charts (plain data in, plotly figures out) ------------------------------------------------------

EQUAL_COLOUR = "#16a34a"
DIFFERENT_COLOUR = "#f59e0b"
ONLY_COLOUR = "#dc2626"
DUPLICATE_COLOUR = "#8b5cf6"


def outcome_figure(data: dict) -> go.Figure:
    """Every row of each file by outcome, as two stacked horizontal bars (source, target)."""
    sides = [_("Source"), _("Target")]
    segments = [
        (_("Matched and equal"), [data.get("matched_equal", 0)] * 2, EQUAL_COLOUR),
        (_("Matched with a difference"), [data.get("mismatched_rows", 0)] * 2, DIFFERENT_COLOUR),
        (_("Only on this side"), [data.get("source_only", 0), data.get("target_only", 0)], ONLY_COLOUR),
        (_("Rows on duplicate keys"), [data.get("source_duplicate_rows", 0), data.get("target_duplicate_rows", 0)],
         DUPLICATE_COLOUR),
    ]
    fig = go.Figure()
    for name, values, colour in segments:
        fig.add_bar(name=name, y=sides, x=values, orientation="h", marker_color=colour, text=values,
                    textposition="inside", hovertemplate="%{y}: %{x}<extra>" + name + "</extra>")
    fig.update_layout(**LAYOUT, barmode="stack", height=230, margin={"l": 10, "r": 10, "t": 10, "b": 40},
                      legend={"orientation": "h", "y": -0.25}, xaxis={"title": _("Rows")},
                      yaxis={"autorange": "reversed"})
    return fig


def mismatch_figure(data: dict) -> go.Figure | None:
    """Mismatched values per compared column (the CHART_COLUMNS most mismatched); None when none differ."""
    columns = [(name, col.get("mismatches", 0)) for name, col in data.get("columns", {}).items()]
    columns = sorted((c for c in columns if c[1]), key=lambda c: -c[1])[:CHART_COLUMNS]
    if not columns:
        return None
    names = [c[0] for c in columns]
    values = [c[1] for c in columns]
    fig = go.Figure(go.Bar(y=names, x=values, orientation="h", marker_color=DIFFERENT_COLOUR, text=values,
                           textposition="auto", hovertemplate="%{y}: %{x}<extra></extra>"))
    fig.update_layout(**LAYOUT, height=max(180, 60 + 26 * len(names)), margin={"l": 10, "r": 10, "t": 10, "b": 40},
                      xaxis={"title": _("Mismatched values"), "rangemode": "tozero", "tickformat": ",d",
                             **({"dtick": 1} if max(values) <= 10 else {})},
                      yaxis={"autorange": "reversed", "automargin": True})
    return fig


def queued_too_long(rec: Reconciliation) -> bool:
    return rec.status == Status.QUEUED and (timezone.now() - rec.updated).total_seconds() > WORKER_LATE_SECONDS
