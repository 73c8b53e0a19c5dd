"""Reconciliation benchmark: our engine (testing/reconcile.py) against datacompy on the same files.

    .venv/bin/python bench/reconcile_bench.py            # 1,000,000 and 5,000,000 rows
    .venv/bin/python bench/reconcile_bench.py 200000     # other sizes (rows), e.g. a quick check

The source and target extracts (CSV, UTF-8, 20 columns: an integer key, integers, decimals, text
with Chinese, dates) are generated once by duckdb into tempfile.gettempdir()/projectcrm-reconcile-bench/
and kept for later runs. About 1% of the keys carry each kind of difference: only in the source,
only in the target, duplicated in the source, duplicated in the target, a changed name, an amount
changed beyond the tolerance (0.50), an amount changed within it (0.004), surrounding whitespace in
the city, the status in upper case, the date written as YYYY/MM/DD, an e-mail left empty. The target
is shuffled.

Every contender runs in its own subprocess (a fresh interpreter, so imports count and nothing is
shared), one after another, and its wall time and peak resident memory (getrusage of the finished
child, ru_maxrss) are measured:
  ours               `manage.py reconcile SOURCE TARGET --key id --tolerance 0.01 --trim --casefold --json`
  datacompy_pandas   pandas.read_csv of both files, datacompy.PandasCompare(join_columns="id",
                     abs_tol=0.01, ignore_spaces=True, ignore_case=True) and its report()
  datacompy_polars   the same with polars.read_csv and datacompy.PolarsCompare
Figures: reconcile_<size>_<contender>_s (wall), _peak_mb and _cpu_s (user + system time of all its
threads: the fairer figure on a machine shared with other work), reconcile_<size>_ours_engine_s (the
engine's own time, Result.elapsed_s: the wall time less the interpreter's and Django's start, about
1.3 s), reconcile_<size>_speedup_vs_<contender> (their wall time / ours) and
reconcile_<size>_memory_ratio_vs_<contender> (our peak / theirs).
datacompy-pandas runs only up to PANDAS_MAX_ROWS (1,000,000): at 5,000,000 rows it would need about
10 GB and several minutes.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "projectcrm-reconcile-bench"
TOLERANCE = 0.01
# datacompy-pandas holds both frames, their merge and the per-column results as Python objects:
# about 2 GB at 1M rows, so 10 GB or more at 5M; it runs only up to this size.
PANDAS_MAX_ROWS = 1_000_000
GENERATOR_VERSION = 1


def size_label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


# Column expressions over i (0..rows-1) and r (a pseudo-random 64-bit number of i).
SOURCE_COLUMNS = """
    i + 1 AS id,
    'CUST-' || lpad(CAST(i % 99991 AS VARCHAR), 6, '0') AS customer_code,
    (['张伟', '王芳', '李娜', '刘洋', '陈静', 'Smith', 'García', '黃志明'])[1 + (r % 8)] || ' '
        || (['Trading', 'Frames', '画框有限公司', 'Import Export', '贸易', 'Holdings'])[1 + ((r >> 3) % 6)]
        || ' ' || CAST(i % 1000 AS VARCHAR) AS name,
    (['北京', '上海', '广州', '深圳', '台北', 'Hamburg', 'Lyon', 'Osaka'])[1 + ((r >> 6) % 8)] AS city,
    (['CN', 'TW', 'HK', 'DE', 'FR', 'JP', 'US'])[1 + ((r >> 9) % 7)] AS country,
    'user' || CAST(i AS VARCHAR) || '@example.com' AS email,
    '+86 ' || lpad(CAST((r >> 12) % 100000000 AS VARCHAR), 8, '0') AS phone,
    (['Active', 'Prospect', 'Closed', 'On hold'])[1 + ((r >> 20) % 4)] AS status,
    (['Retail', 'Wholesale', 'OEM', '经销商'])[1 + ((r >> 22) % 4)] AS segment,
    CAST((r >> 24) % 500 AS INTEGER) AS qty,
    CAST((r >> 30) % 10000 AS INTEGER) AS units,
    CAST(((r >> 34) % 10000000) / 100 AS DECIMAL(12, 2)) AS amount,
    CAST(((r >> 40) % 100000) / 100 AS DECIMAL(10, 2)) AS price,
    CAST(((r >> 44) % 30) / 100 AS DECIMAL(4, 2)) AS discount,
    CAST((((r >> 46) % 20000000) - 10000000) / 100 AS DECIMAL(12, 2)) AS balance,
    DATE '2018-01-01' + CAST((r >> 50) % 2500 AS INTEGER) AS created,
    DATE '2024-01-01' + CAST((r >> 38) % 700 AS INTEGER) AS updated,
    DATE '2025-01-01' + CAST((r >> 28) % 400 AS INTEGER) AS due,
    (['按时交货', 'Call back next week', '样品已寄出', '', 'VIP 客户, 注意报价'])[1 + ((r >> 54) % 5)] AS notes,
    (['Y', 'N'])[1 + ((r >> 58) % 2)] AS flag
"""

COLUMNS = [
    "id", "customer_code", "name", "city", "country", "email", "phone", "status", "segment", "qty",
    "units", "amount", "price", "discount", "balance", "created", "updated", "due", "notes", "flag",
]


def _target_select() -> str:
    """The target's columns: the source's, with the differences of each kind (i % 100 picks)."""
    changed = {
        "name": "CASE WHEN k = 5 THEN name || ' X' ELSE name END",
        "amount": (
            "CASE WHEN k = 6 THEN CAST(amount + 0.50 AS VARCHAR) WHEN k = 7 THEN CAST(amount + 0.004 AS VARCHAR) "
            "ELSE CAST(amount AS VARCHAR) END"
        ),
        "city": "CASE WHEN k = 8 THEN '  ' || city || ' ' ELSE city END",
        "status": "CASE WHEN k = 9 THEN upper(status) ELSE status END",
        "created": "CASE WHEN k = 10 THEN strftime(created, '%Y/%m/%d') ELSE CAST(created AS VARCHAR) END",
        "email": "CASE WHEN k = 11 THEN NULL ELSE email END",
    }
    return ", ".join(f"{changed[c]} AS {c}" if c in changed else c for c in COLUMNS)


def generate(rows: int) -> tuple[Path, Path]:
    """The source and target CSV files for `rows` (generated once, reused)."""
    import duckdb

    folder = CACHE / f"v{GENERATOR_VERSION}-{size_label(rows)}"
    source, target = folder / "source.csv", folder / "target.csv"
    if source.exists() and target.exists():
        return source, target
    folder.mkdir(parents=True, exist_ok=True)
    print(f"# generating {rows:,}-row extracts in {folder} ...", file=sys.stderr, flush=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = '{folder / 'tmp'}'")
    con.execute("SET preserve_insertion_order = true")
    base = f"""
        SELECT i % 100 AS k, {SOURCE_COLUMNS}
        FROM (SELECT range AS i, CAST(hash(range * 7919 + 17) >> 1 AS BIGINT) AS r FROM range({rows}))
    """
    con.execute(f"CREATE TEMP VIEW base AS {base}")
    cols = ", ".join(COLUMNS)
    # Source: every key but the target-only ones (k = 2); k = 3 keys twice (second: another name).
    con.execute(f"""
        COPY (
            SELECT {cols} FROM base WHERE k <> 2
            UNION ALL
            SELECT {", ".join("name || ' (dup)' AS name" if c == "name" else c for c in COLUMNS)}
            FROM base WHERE k = 3
        ) TO '{source}.part' (HEADER, DELIMITER ',')
    """)
    # Target: every key but the source-only ones (k = 1); k = 4 keys twice; shuffled.
    con.execute(f"""
        COPY (
            SELECT {cols} FROM (
                SELECT {_target_select()} FROM base WHERE k <> 1
                UNION ALL
                SELECT {_target_select()} FROM base WHERE k = 4
            ) ORDER BY hash(id * 31 + length(name))
        ) TO '{target}.part' (HEADER, DELIMITER ',')
    """)
    con.close()
    os.replace(f"{source}.part", source)
    os.replace(f"{target}.part", target)
    return source, target


# --- Contenders ----------------------------------------------------------------------------------

DATACOMPY_SCRIPT = r"""
import json, sys, time
backend, source, target, tolerance = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
import datacompy
if backend == "pandas":
    import pandas as pd
    df1, df2 = pd.read_csv(source), pd.read_csv(target)
    compare = datacompy.PandasCompare(df1, df2, join_columns="id", abs_tol=tolerance,
                                      ignore_spaces=True, ignore_case=True)
    source_only, target_only = len(compare.df1_unq_rows), len(compare.df2_unq_rows)
else:
    import polars as pl
    df1 = pl.read_csv(source, infer_schema_length=10000)
    df2 = pl.read_csv(target, infer_schema_length=10000)
    compare = datacompy.PolarsCompare(df1, df2, join_columns="id", abs_tol=tolerance,
                                      ignore_spaces=True, ignore_case=True)
    source_only, target_only = compare.df1_unq_rows.height, compare.df2_unq_rows.height
compare.report()
print(json.dumps({
    "source_rows": len(df1), "target_rows": len(df2), "matched": len(compare.intersect_rows),
    "source_only": source_only, "target_only": target_only,
    "columns": {s["column"]: {"mismatches": int(s["unequal_cnt"])} for s in compare.column_stats},
}))
"""


MEASURE_SCRIPT = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(done.stderr)
print(json.dumps({"rc": done.returncode, "s": seconds, "peak_kb": usage.ru_maxrss,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "out": done.stdout}))
"""


def measure(command: list[str]) -> tuple[float, float, float, dict]:
    """Run `command` under a small wrapper process whose only child it is, so the wrapper's
    RUSAGE_CHILDREN figures are exactly this contender's: (wall s, peak RSS MB, CPU s, its JSON)."""
    done = subprocess.run([sys.executable, "-c", MEASURE_SCRIPT, *command], cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {command[:4]} failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    if report["rc"] not in (0, 1):  # ours exits 1 when a threshold fails: still a result
        raise RuntimeError(f"{command[:4]} exited {report['rc']}:\n{done.stderr[-3000:]}")
    output = report["out"].strip().splitlines()
    return report["s"], report["peak_kb"] / 1024, report["cpu_s"], json.loads(output[-1]) if output else {}


def contenders(source: Path, target: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "ours": [python, str(ROOT / "manage.py"), "reconcile", str(source), str(target), "--key", "id",
                 "--tolerance", str(TOLERANCE), "--trim", "--casefold", "--json"],
        "datacompy_pandas": [python, "-c", DATACOMPY_SCRIPT, "pandas", str(source), str(target), str(TOLERANCE)],
        "datacompy_polars": [python, "-c", DATACOMPY_SCRIPT, "polars", str(source), str(target), str(TOLERANCE)],
    }


def run(bench_sizes=(1_000_000, 5_000_000)):
    """Yield (name, value, unit) figures for every size (see the module's docstring)."""
    for rows in bench_sizes:
        label = size_label(rows)
        source, target = generate(rows)
        results = {}
        for name, command in contenders(source, target).items():
            if name == "datacompy_pandas" and rows > PANDAS_MAX_ROWS:
                print(f"# reconcile_{label}_datacompy_pandas: skipped above {PANDAS_MAX_ROWS:,} rows "
                      "(it needs about 2 GB per million rows and minutes)", file=sys.stderr, flush=True)
                continue
            seconds, peak_mb, cpu_s, output = measure(command)
            results[name] = (seconds, peak_mb)
            counts = {k: output.get(k) for k in ("source_rows", "target_rows", "matched", "source_only", "target_only",
                                                  "source_duplicate_keys", "target_duplicate_keys")}
            counts["mismatches"] = {c: v["mismatches"] for c, v in output.get("columns", {}).items() if v["mismatches"]}
            print(f"# {name} {label}: {json.dumps(counts)}", file=sys.stderr, flush=True)
            yield f"reconcile_{label}_{name}_s", f"{seconds:.1f}", "s"
            yield f"reconcile_{label}_{name}_peak_mb", f"{peak_mb:.0f}", "MB"
            yield f"reconcile_{label}_{name}_cpu_s", f"{cpu_s:.1f}", "s"
            if name == "ours" and "elapsed_s" in output:
                yield f"reconcile_{label}_ours_engine_s", f"{output['elapsed_s']:.1f}", "s"
        if "ours" in results:
            ours_s, ours_mb = results["ours"]
            for name, (seconds, peak_mb) in results.items():
                if name == "ours":
                    continue
                short = name.removeprefix("datacompy_")
                yield f"reconcile_{label}_speedup_vs_{short}", f"{seconds / ours_s:.1f}", "x"
                yield f"reconcile_{label}_memory_ratio_vs_{short}", f"{ours_mb / peak_mb:.2f}", "x"


if __name__ == "__main__":
    sizes = tuple(int(a.replace("_", "")) for a in sys.argv[1:]) or (1_000_000, 5_000_000)
    for figure, value, unit in run(sizes):
        print(f"{figure}: {value} {unit}", flush=True)
