"""Reconcile a source extract with a target extract (CSV, XLSX or Parquet) from the command line.

    python manage.py reconcile legacy.csv crm.parquet --key account_no
    python manage.py reconcile legacy.csv crm.xlsx --key region,account_no --map acct_name=name \\
        --tolerance 0.01 --trim --casefold --max-source-only 0 --max-mismatch-rate 0.001 --json

Prints a readable summary, or with --json one JSON object (testing.reconcile.Result.to_dict()).
Exit status: 0 when every threshold given holds, 1 when one fails (after printing the result),
2 when the input cannot be reconciled (a file unreadable, a key or mapped column missing).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from testing.reconcile import Options, ReconcileError, reconcile, write_xlsx


def mapping_pair(text: str) -> tuple[str, str]:
    source, sep, target = text.partition("=")
    if not sep or not source.strip() or not target.strip():
        raise CommandError(_("--map expects source=target, got “%(value)s”.") % {"value": text}, returncode=2)
    return source.strip(), target.strip()


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    # No system checks: the command reads two files and touches neither the database nor the URLs.
    requires_system_checks = []
    help = "Reconcile a source extract with a target extract: rows only on one side, duplicate keys, column mismatches."

    def add_arguments(self, parser):
        parser.add_argument("source", help="source extract: .csv, .xlsx or .parquet")
        parser.add_argument("target", help="target extract: .csv, .xlsx or .parquet")
        parser.add_argument("--key", required=True, help="key column(s) of the source, comma-separated")
        parser.add_argument("--map", action="append", default=[], metavar="SRC=DST",
                            help="compare source column SRC with target column DST (repeatable; "
                                 "other columns are compared with the target column of the same name)")
        parser.add_argument("--tolerance", type=float, default=0.0,
                            help="absolute tolerance for values that read as numbers")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
        parser.add_argument("--encoding", default="", choices=["", "utf-8", "utf-16", "gb18030", "big5"],
                            help="encoding of CSV extracts (default: detected)")
        parser.add_argument("--trim", action="store_true", help="ignore spaces around values")
        parser.add_argument("--casefold", action="store_true", help="ignore upper and lower case")
        parser.add_argument("--day-first", action="store_true", help="read n/n/yyyy dates as day/month/year")
        parser.add_argument("--sample", type=int, default=5, metavar="N", help="samples kept per difference")
        parser.add_argument("--xlsx", metavar="OUT", help="also write the report as an XLSX workbook")
        parser.add_argument("--max-source-only", type=int, metavar="N", help="fail above N rows only in the source")
        parser.add_argument("--max-target-only", type=int, metavar="N", help="fail above N rows only in the target")
        parser.add_argument("--max-mismatch-rate", type=fraction, metavar="R",
                            help="fail when more than R (0..1) of the matched rows differ in any column")
        parser.add_argument("--max-duplicates", type=int, metavar="N",
                            help="fail above N duplicate keys (source and target together)")

    def handle(self, *args, **opts):
        transforms = ["number", "date"]
        if opts["trim"]:
            transforms.insert(0, "trim")
        if opts["casefold"]:
            transforms.insert(0, "casefold")
        try:
            options = Options(
                keys=[k for k in opts["key"].split(",")],
                mapping=dict(mapping_pair(m) for m in opts["map"]),
                transforms=tuple(transforms),
                tolerance=opts["tolerance"],
                day_first=opts["day_first"],
                sample_size=max(opts["sample"], 0),
                encoding=opts["encoding"],
            )
            result = reconcile(opts["source"], opts["target"], options)
        except ReconcileError as exc:
            raise CommandError(str(exc), returncode=2)
        if opts["xlsx"]:
            write_xlsx(result, opts["xlsx"])
        if opts["json"]:
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            self.stdout.write(summary(result))
        failures = threshold_failures(result, opts)
        if failures:
            if not opts["json"]:
                for failure in failures:
                    self.stdout.write(failure)
            raise CommandError("; ".join(failures), returncode=1)
        if opts["xlsx"] and not opts["json"]:
            self.stdout.write(_("Report written to %(path)s") % {"path": opts["xlsx"]})


def threshold_failures(result, opts) -> list[str]:
    failures = []
    checks = [
        ("max_source_only", result.source_only, _("Only in the source: %(value)s, more than %(limit)s allowed.")),
        ("max_target_only", result.target_only, _("Only in the target: %(value)s, more than %(limit)s allowed.")),
        ("max_duplicates", result.source_duplicate_keys + result.target_duplicate_keys,
         _("Duplicate keys: %(value)s, more than %(limit)s allowed.")),
    ]
    for name, value, message in checks:
        limit = opts.get(name)
        if limit is not None and value > limit:
            failures.append(message % {"value": f"{value:,}", "limit": f"{limit:,}"})
    limit = opts.get("max_mismatch_rate")
    if limit is not None and result.mismatch_rate > limit:
        failures.append(
            _("Matched rows with a difference: %(value).4f%%, more than %(limit).4f%% allowed.")
            % {"value": result.mismatch_rate * 100, "limit": limit * 100}
        )
    return failures


def table(rows: list[list[str]], right: set[int]) -> list[str]:
    """Aligned columns (East Asian wide characters count double)."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def summary(result) -> str:
    def n(value) -> str:
        return f"{value:,}"

    lines = [_("Reconciliation of %(source)s (source) with %(target)s (target) on %(keys)s")
             % {"source": result.source, "target": result.target, "keys": ", ".join(result.keys)}, ""]
    lines += table([
        [_("Source rows"), n(result.source_rows)],
        [_("Target rows"), n(result.target_rows)],
        [_("Matched keys"), n(result.matched)],
        ["  " + _("equal in every column"), n(result.matched - result.mismatched_rows)],
        ["  " + _("with a difference"), n(result.mismatched_rows)],
        [_("Only in the source"), n(result.source_only)],
        [_("Only in the target"), n(result.target_only)],
        [_("Duplicate keys in the source"), f"{n(result.source_duplicate_keys)} "
         + _("(%(rows)s rows)") % {"rows": n(result.source_duplicate_rows)}],
        [_("Duplicate keys in the target"), f"{n(result.target_duplicate_keys)} "
         + _("(%(rows)s rows)") % {"rows": n(result.target_duplicate_rows)}],
    ], right={1})
    if result.columns:
        rows = [[_("Column"), _("Mismatches"), _("Rate"), _("Empty (source)"), _("Empty (target)"), _("Sample")]]
        for name, col in result.columns.items():
            label = name if col["source_column"] == name else f"{col['source_column']} → {name}"
            sample = ""
            if col["samples"]:
                first = col["samples"][0]
                sample = f"{', '.join(map(str, first['key'].values()))}: {first['source']!r} ≠ {first['target']!r}"
            rows.append([label, n(col["mismatches"]), f"{col['mismatch_rate'] * 100:.2f}%",
                         f"{col.get('null_rate_source', 0) * 100:.1f}%", f"{col.get('null_rate_target', 0) * 100:.1f}%",
                         sample[:60]])
        lines += ["", *table(rows, right={1, 2, 3, 4})]
    if result.unmapped_source_columns:
        lines.append(_("Source columns not compared: %(columns)s") % {"columns": ", ".join(result.unmapped_source_columns)})
    if result.unmapped_target_columns:
        lines.append(_("Target columns not compared: %(columns)s") % {"columns": ", ".join(result.unmapped_target_columns)})
    lines.append(_("Done in %(seconds).1f s.") % {"seconds": result.elapsed_s})
    return "\n".join(lines)
