"""Reconciliation engine (testing/reconcile.py) and its command, on hand-made extracts."""

import io
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from testing import reconcile as engine
from testing.reconcile import Options, ReconcileError, Result, reconcile, write_xlsx

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def run(tmp_path, source: str, target: str, **options) -> Result:
    options.setdefault("keys", ["id"])
    return reconcile(write(tmp_path / "source.csv", source), write(tmp_path / "target.csv", target), Options(**options))


# --- Every kind of difference -----------------------------------------------------------------

SOURCE = """id,name,amount,city
1,Alice,10.00,Paris
2,Bob,20.00,Berlin
3,Carol,30.00,Rome
4,Dan,40.00,Oslo
5,Eve,50.00,Lima
5,Eve again,50.00,Lima
7,Gus,70.00,Kyiv
9,Ivy,90.00,
"""

TARGET = """id,name,amount,city
1,Alice,10,Paris
2,Bobby,20.00,Berlin
3,Carol,30.50,Rome
6,Fay,60.00,Quito
7,Gus,70.00,Kyiv
7,Gus,70.00,Kyiv
8,Hal,80.00,Baku
9,Ivy,90.00,Lisbon
"""


def test_every_kind_of_difference(tmp_path):
    result = run(tmp_path, SOURCE, TARGET)
    assert (result.source_rows, result.target_rows) == (8, 8)
    # Keys 1, 2, 3, 9 on both sides once; 4 only in the source; 6 and 8 only in the target;
    # 5 twice in the source, 7 twice in the target: duplicates, neither matched nor unmatched.
    assert result.matched == 4
    assert result.source_only == 1
    assert result.target_only == 2
    assert result.source_duplicate_keys == 1
    assert result.target_duplicate_keys == 1
    assert (result.source_duplicate_rows, result.target_duplicate_rows) == (3, 2)
    assert result.columns["name"]["mismatches"] == 1  # Bob / Bobby
    assert result.columns["amount"]["mismatches"] == 1  # 30.00 / 30.50; 10.00 / 10 are the same number
    assert result.columns["city"]["mismatches"] == 1  # empty / Lisbon
    assert result.mismatched_rows == 3
    assert result.columns["name"]["samples"] == [{"key": {"id": "2"}, "source": "Bob", "target": "Bobby"}]
    assert result.columns["city"]["samples"] == [{"key": {"id": "9"}, "source": None, "target": "Lisbon"}]
    assert result.columns["amount"]["max_difference"] == pytest.approx(0.5)
    assert [s["key"] for s in result.source_only_samples] == [{"id": "4"}]
    assert result.source_only_samples[0]["row"] == {"name": "Dan", "amount": "40.00", "city": "Oslo"}
    assert [s["key"]["id"] for s in result.target_only_samples] == ["6", "8"]
    assert {(d["key"]["id"], d["source_count"], d["target_count"]) for d in result.duplicate_samples} == {
        ("5", 2, 0), ("7", 1, 2)}
    data = json.loads(json.dumps(result.to_dict()))
    for key in ("source_rows", "target_rows", "matched", "source_only", "target_only", "source_duplicate_keys",
                "target_duplicate_keys", "columns", "source_only_samples", "target_only_samples",
                "duplicate_samples", "unmapped_source_columns", "unmapped_target_columns", "elapsed_s"):
        assert key in data
    assert data["columns"]["city"]["source_nulls"] == 1
    assert data["columns"]["city"]["null_rate_source"] == pytest.approx(1 / 8)
    assert data["columns"]["city"]["target_nulls"] == 0


def test_null_on_both_sides_is_equal_and_empty_strings_are_null(tmp_path):
    result = run(tmp_path, 'id,a,b\n1,,x\n2,"",\n', 'id,a,b\n1,"",x\n2,,""\n')
    assert result.matched == 2
    assert result.mismatched_rows == 0


def test_profiles(tmp_path):
    source = "id,qty,status,day\n" + "".join(f"{i},{i * 10},{'Open' if i % 3 else 'Closed'},2026-03-{i:02d}\n"
                                          for i in range(1, 10))
    result = run(tmp_path, source, source)
    qty = result.columns["qty"]["profile"]["source"]
    assert qty["kind"] == "number"
    assert (qty["min"], qty["max"], qty["distinct"]) == (10, 90, 9)
    status = result.columns["status"]["profile"]["target"]
    assert status["kind"] == "text"
    assert status["distinct"] == 2
    assert status["top"][0] == {"value": "Open", "count": 6, "share": pytest.approx(6 / 9, abs=1e-4)}
    day = result.columns["day"]["profile"]["source"]
    assert day["kind"] == "date"
    assert (day["min"], day["max"]) == ("2026-03-01", "2026-03-09")


# --- Transformations ------------------------------------------------------------------------------


def test_whitespace_counts_unless_trimmed(tmp_path):
    source, target = "id,city\n1,Paris\n2,北京\n3,x\n", "id,city\n1,  Paris \n2,\u3000北京\u3000\n3,\t\n"
    plain = run(tmp_path, source, target)
    assert plain.columns["city"]["mismatches"] == 3
    trimmed = run(tmp_path, source, target, transforms=("trim",))
    assert trimmed.columns["city"]["mismatches"] == 1  # "x" against a cell of only a tab: empty
    assert trimmed.columns["city"]["target_nulls"] == 1


def test_case_counts_unless_casefolded(tmp_path):
    source, target = "id,status\n1,Active\n2,ÉTÉ\n", "id,status\n1,ACTIVE\n2,été\n"
    assert run(tmp_path, source, target).columns["status"]["mismatches"] == 2
    assert run(tmp_path, source, target, transforms=("casefold",)).columns["status"]["mismatches"] == 0


def test_per_column_transformations(tmp_path):
    source, target = "id,a,b\n1,X ,X \n", "id,a,b\n1,x,x\n"
    result = run(tmp_path, source, target, transforms=(), column_transforms={"a": ("trim", "casefold")})
    assert result.columns["a"]["mismatches"] == 0
    assert result.columns["b"]["mismatches"] == 1


def test_keys_are_matched_after_their_transformations(tmp_path):
    result = run(tmp_path, "code,v\n ab-1 ,1\n", "code,v\nAB-1,1\n", keys=["code"], transforms=("trim", "casefold"))
    assert result.matched == 1
    assert run(tmp_path, "code,v\n ab-1 ,1\n", "code,v\nAB-1,1\n", keys=["code"]).matched == 0


def test_numbers_with_tolerance_edges(tmp_path):
    source = "id,v\n1,1.00\n2,1.00\n3,100\n4,\"1,234.50\"\n5,abc\n6,-0.5\n7,1e3\n8,¥1 000\n"
    target = "id,v\n1,1.01\n2,1.0100001\n3,100.000\n4,1234.5\n5,ABC\n6,-0.49\n7,1000\n8,1000.00\n"
    result = run(tmp_path, source, target, tolerance=0.01)
    samples = {s["key"]["id"] for s in result.columns["v"]["samples"]}
    assert samples == {"2", "5"}  # 1.00/1.01 exactly at the tolerance is equal; 1.0100001 is not
    exact = run(tmp_path, source, target)
    assert {s["key"]["id"] for s in exact.columns["v"]["samples"]} == {"1", "2", "5", "6"}
    no_numbers = run(tmp_path, source, target, transforms=())
    assert no_numbers.columns["v"]["mismatches"] == 8


def test_relative_tolerance(tmp_path):
    result = run(tmp_path, "id,v\n1,1000\n2,10\n", "id,v\n1,1004\n2,10.5\n", relative_tolerance=0.005)
    assert [s["key"]["id"] for s in result.columns["v"]["samples"]] == ["2"]


def test_dates_in_several_formats(tmp_path):
    source = "id,d\n" + "".join(f"{i},2026-03-05\n" for i in range(1, 9)) + "9,2026-03-05\n10,2026-03-05 14:30:00\n"
    target = ("id,d\n1,2026/03/05\n2,05.03.2026\n3,03/05/2026\n4,2026年3月5日\n5,2026-3-5\n6,2026.03.05\n"
              "7,2026-03-05 00:00:00\n8,2026-03-05T00:00:00\n9,2026-03-06\n10,2026/03/05 14:30:00\n")
    result = run(tmp_path, source, target)
    assert [s["key"]["id"] for s in result.columns["d"]["samples"]] == ["9"]
    day_first = run(tmp_path, source, target, day_first=True)  # 03/05/2026 is then the 3rd of May
    assert sorted(s["key"]["id"] for s in day_first.columns["d"]["samples"]) == ["3", "9"]
    assert run(tmp_path, source, target, transforms=()).columns["d"]["mismatches"] == 10


# --- Keys -----------------------------------------------------------------------------------------


def test_chinese_keys(tmp_path):
    source = "客户,城市,金额\n张伟,北京,100\n王芳,上海,200\n李娜,广州,300\n"
    target = "客户,城市,金额\n王芳,上海,200\n张伟,北京市,100\n陈静,深圳,400\n"
    result = run(tmp_path, source, target, keys=["客户"])
    assert (result.matched, result.source_only, result.target_only) == (2, 1, 1)
    assert result.columns["城市"]["samples"] == [{"key": {"客户": "张伟"}, "source": "北京", "target": "北京市"}]
    assert result.source_only_samples[0]["key"] == {"客户": "李娜"}


def test_composite_keys(tmp_path):
    source = "region,no,v\nNorth,1,a\nNorth,2,b\nSouth,1,c\nSouth,1,c2\n"
    target = "region,no,v\nNorth,1,a\nSouth,2,x\nNorth,2,B\nSouth,1,c\n"
    result = run(tmp_path, source, target, keys=["region", "no"])
    assert (result.matched, result.source_only, result.target_only) == (2, 0, 1)
    assert result.source_duplicate_keys == 1  # South/1 twice in the source
    assert result.columns["v"]["samples"] == [{"key": {"region": "North", "no": "2"}, "source": "b", "target": "B"}]
    assert result.target_only_samples[0]["key"] == {"region": "South", "no": "2"}
    # The key's parts are kept apart: "a|b" + "c" is not "a" + "b|c".
    parts = run(tmp_path, "x,y,v\nab,c,1\n", "x,y,v\na,bc,1\n", keys=["x", "y"])
    assert parts.matched == 0


def test_key_given_as_comma_separated_text(tmp_path):
    assert Options(keys="region, no").keys == ["region", "no"]


# --- Column mapping -------------------------------------------------------------------------------


def test_mapping_and_unmapped_columns(tmp_path):
    source = "acct,acct_name,amount,legacy_flag\n1,Acme,5,Y\n"
    target = "account,name,Amount,crm_owner\n1,ACME,5,kim\n"
    result = run(tmp_path, source, target, keys=["acct"], mapping={"acct": "account", "acct_name": "name"})
    assert result.matched == 1
    assert set(result.columns) == {"name", "Amount"}  # "amount" meets "Amount" ignoring case
    assert result.columns["name"]["source_column"] == "acct_name"
    assert result.columns["name"]["mismatches"] == 1
    assert result.unmapped_source_columns == ["legacy_flag"]
    assert result.unmapped_target_columns == ["crm_owner"]


# --- Encodings and formats ------------------------------------------------------------------------

CHINESE_SOURCE = "编号,名称,城市\n1,张伟画框,北京\n2,王芳貿易,臺北\n3,李娜,广州\n"
CHINESE_TARGET = "编号,名称,城市\n1,张伟画框,北京\n2,王芳貿易,台北\n4,陈静,深圳\n"


@pytest.mark.parametrize("encoding, codec", [
    ("gb18030", "gb18030"), ("big5", "big5"), ("utf-16", "utf-16"), ("utf-8", "utf-8-sig"), ("utf-8", "utf-8"),
])
def test_encodings_detected(tmp_path, encoding, codec):
    source, target = CHINESE_SOURCE, CHINESE_TARGET
    if encoding == "big5":  # Big5 has no simplified characters
        source = "編號,名稱,城市\n1,張偉畫框,北京\n2,王芳貿易,臺北\n3,李娜,廣州\n"
        target = "編號,名稱,城市\n1,張偉畫框,北京\n2,王芳貿易,台北\n4,陳靜,深圳\n"
    src = write(tmp_path / "s.csv", source, codec)
    tgt = write(tmp_path / "t.csv", target, codec)
    key = "编号" if encoding != "big5" else "編號"
    result = reconcile(src, tgt, Options(keys=[key]))
    assert (result.matched, result.source_only, result.target_only) == (2, 1, 1)
    city = "城市"
    assert result.columns[city]["samples"][0]["source"] == "臺北"
    assert result.columns[city]["samples"][0]["target"] == "台北"
    assert result.source_format == f"csv ({encoding})"


def test_encoding_chosen_and_mixed(tmp_path):
    src = write(tmp_path / "s.csv", CHINESE_SOURCE, "gb18030")
    tgt = write(tmp_path / "t.csv", CHINESE_TARGET, "utf-8")
    result = reconcile(src, tgt, Options(keys=["编号"], source_encoding="gb18030"))
    assert result.matched == 2
    with pytest.raises(ReconcileError, match="s.csv cannot be read as UTF-8"):
        reconcile(src, tgt, Options(keys=["编号"], encoding="utf-8"))


def test_transcoding_streams_in_chunks(tmp_path, monkeypatch):
    # Small chunks and a small detection sample: characters cut across chunk borders survive.
    monkeypatch.setattr(engine, "TRANSCODE_CHUNK", 7)
    monkeypatch.setattr(engine, "SNIFF_BYTES", 64)
    rows = "".join(f"{i},画框有限公司{i},深圳\n" for i in range(200))
    src = write(tmp_path / "s.csv", "id,name,city\n" + rows, "gb18030")
    tgt = write(tmp_path / "t.csv", "id,name,city\n" + rows, "utf-8")
    result = reconcile(src, tgt, Options(keys=["id"]))
    assert result.source_format == "csv (gb18030)"
    assert (result.matched, result.mismatched_rows) == (200, 0)


def test_xlsx_and_parquet_inputs(tmp_path):
    import datetime

    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "name", "amount", "day"])
    sheet.append([1, "Alice", 10.5, datetime.datetime(2026, 3, 5)])
    sheet.append([2, "Bob", 20, datetime.date(2026, 3, 6)])
    sheet.append([3, "Carol", 30, datetime.datetime(2026, 3, 7)])
    workbook.save(tmp_path / "source.xlsx")
    table = pa.table({
        "id": pa.array([1, 2, 4], pa.int64()),
        "name": ["Alice", "Bobby", "Dan"],
        "amount": pa.array([10.5, 20.0, 40.0]),
        "day": pa.array([datetime.date(2026, 3, 5), datetime.date(2026, 3, 6), datetime.date(2026, 3, 8)]),
    })
    pq.write_table(table, tmp_path / "target.parquet")
    result = reconcile(tmp_path / "source.xlsx", tmp_path / "target.parquet", Options(keys=["id"]))
    assert (result.matched, result.source_only, result.target_only) == (2, 1, 1)
    assert result.columns["name"]["mismatches"] == 1
    assert result.columns["amount"]["mismatches"] == 0  # 20 (XLSX) and 20.0 (Parquet double)
    assert result.columns["day"]["mismatches"] == 0
    assert (result.source_format, result.target_format) == ("xlsx", "parquet")
    # And the other way round, Parquet against CSV.
    back = reconcile(tmp_path / "target.parquet", write(tmp_path / "t.csv", "id,name,amount,day\n1,Alice,10.50,2026/03/05\n"),
                     Options(keys=["id"]))
    assert (back.matched, back.mismatched_rows, back.source_only) == (1, 0, 2)


def test_semicolon_and_tab_delimiters(tmp_path):
    result = reconcile(write(tmp_path / "a.csv", "id;v\n1;a\n2;b\n"), write(tmp_path / "b.csv", "id\tv\n1\ta\n2\tc\n"),
                       Options(keys=["id"]))
    assert (result.matched, result.columns["v"]["mismatches"]) == (2, 1)


# --- Errors ---------------------------------------------------------------------------------------


def test_unknown_key_column_names_file_and_column(tmp_path):
    with pytest.raises(ReconcileError) as error:
        run(tmp_path, "id,v\n1,a\n", "id,v\n1,a\n", keys=["account"])
    assert "source.csv" in str(error.value) and "account" in str(error.value) and "id, v" in str(error.value)
    with pytest.raises(ReconcileError, match="target.csv has no key column “code”"):
        run(tmp_path, "code,v\n1,a\n", "id,v\n1,a\n", keys=["code"])


def test_mapped_column_missing(tmp_path):
    with pytest.raises(ReconcileError, match="target.csv has no column “nom”"):
        run(tmp_path, "id,name\n1,a\n", "id,name\n1,a\n", mapping={"name": "nom"})
    with pytest.raises(ReconcileError, match="source.csv has no column “nme”"):
        run(tmp_path, "id,name\n1,a\n", "id,name\n1,a\n", mapping={"nme": "name"})


def test_empty_and_unreadable_files(tmp_path):
    with pytest.raises(ReconcileError, match="source.csv is empty"):
        run(tmp_path, "", "id,v\n1,a\n")
    with pytest.raises(ReconcileError, match="missing.csv does not exist"):
        reconcile(tmp_path / "missing.csv", tmp_path / "missing.csv", Options(keys=["id"]))
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReconcileError, match="broken.xlsx is not a valid XLSX file"):
        reconcile(tmp_path / "broken.xlsx", write(tmp_path / "t.csv", "id\n1\n"), Options(keys=["id"]))
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ReconcileError, match="binary.csv"):
        reconcile(tmp_path / "binary.csv", write(tmp_path / "t.csv", "id\n1\n"), Options(keys=["id"]))
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 nonsense")
    with pytest.raises(ReconcileError, match="bad.parquet cannot be read as PARQUET"):
        reconcile(tmp_path / "bad.parquet", write(tmp_path / "t.csv", "id\n1\n"), Options(keys=["id"]))


def test_options_are_checked():
    with pytest.raises(ReconcileError, match="at least one key"):
        Options(keys=[])
    with pytest.raises(ReconcileError, match="Unknown transformation"):
        Options(keys=["id"], transforms=("upper",))
    with pytest.raises(ReconcileError, match="negative"):
        Options(keys=["id"], tolerance=-1)


# --- Progress, compression, report ------------------------------------------------------------------


def test_progress_is_reported_up_to_one(tmp_path):
    calls = []
    reconcile(write(tmp_path / "a.csv", SOURCE), write(tmp_path / "b.csv", TARGET), Options(keys=["id"]),
              on_progress=lambda fraction, stage: calls.append((fraction, stage)))
    fractions = [f for f, _stage in calls]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] == 1
    assert all(isinstance(stage, str) and stage for _f, stage in calls)


def test_xlsx_report(tmp_path):
    import openpyxl

    result = run(tmp_path, SOURCE, TARGET)
    write_xlsx(result, tmp_path / "report.xlsx")
    stream = io.BytesIO()
    write_xlsx(result.to_dict(), stream)  # a stored result works as well
    for source in (tmp_path / "report.xlsx", io.BytesIO(stream.getvalue())):
        workbook = openpyxl.load_workbook(source)
        assert workbook.sheetnames == ["Summary", "Columns", "Samples"]
        summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
        assert summary["Matched keys"] == 4 and summary["Only in the target"] == 2
        columns = list(workbook["Columns"].iter_rows(values_only=True))
        assert columns[0][0] == "Target column"
        assert {row[0]: row[2] for row in columns[1:]} == {"name": 1, "amount": 1, "city": 1}
        kinds = [row[0] for row in workbook["Samples"].iter_rows(min_row=2, values_only=True)]
        assert kinds.count("Different value") == 3 and "Duplicate key" in kinds
    assert Result.from_dict(result.to_dict()).matched == 4


# --- datacompy's documented example -----------------------------------------------------------------
# https://capitalone.github.io/datacompy/pandas_usage.html (and the README of earlier versions)

DC_SOURCE = """acct_id,dollar_amt,name,float_fld,date_fld
10000001234,123.45,George Maharis,14530.1555,2017-01-01
10000001235,0.45,Michael Bluth,1,2017-01-01
10000001236,1345,George Bluth,,2017-01-01
10000001237,123456,Bob Loblaw,345.12,2017-01-01
10000001239,1.05,Lucille Bluth,,2017-01-01
"""
DC_TARGET = """acct_id,dollar_amt,name,float_fld
10000001234,123.4,George Michael Bluth,14530.155
10000001235,0.45,Michael Bluth,
10000001236,1345,George Bluth,1
10000001237,123456,Robert Loblaw,345.12
10000001238,1.05,Loose Seal Bluth,111
"""
# The current documentation's version: 10000001238 twice in the first frame.
DC_SOURCE_DUPLICATED = DC_SOURCE.replace(
    "10000001239,1.05,Lucille Bluth,,2017-01-01\n",
    "10000001238,1.05,Lucille Bluth,,2017-01-01\n10000001238,1.05,Loose Seal Bluth,,2017-01-01\n",
)


def datacompy_compare(source: str, target: str):
    import datacompy
    import pandas as pd

    return datacompy.PandasCompare(pd.read_csv(StringIO(source)), pd.read_csv(StringIO(target)),
                                   join_columns="acct_id", abs_tol=0.0001, rel_tol=0,
                                   df1_name="original", df2_name="new")


def test_datacompy_documented_example_agrees(tmp_path):
    compare = datacompy_compare(DC_SOURCE, DC_TARGET)
    result = run(tmp_path, DC_SOURCE, DC_TARGET, keys=["acct_id"], tolerance=0.0001)
    assert result.matched == len(compare.intersect_rows) == 4
    assert result.source_only == len(compare.df1_unq_rows) == 1
    assert result.target_only == len(compare.df2_unq_rows) == 1
    theirs = {s["column"]: int(s["unequal_cnt"]) for s in compare.column_stats if s["column"] != "acct_id"}
    ours = {name: column["mismatches"] for name, column in result.columns.items()}
    assert ours == theirs == {"dollar_amt": 1, "name": 2, "float_fld": 3}
    assert result.mismatched_rows == len(compare.all_mismatch())
    assert result.unmapped_source_columns == list(compare.df1_unq_columns()) == ["date_fld"]
    assert result.source_only_samples[0]["key"] == {"acct_id": "10000001239"}


def test_datacompy_example_with_duplicates(tmp_path):
    # datacompy pairs duplicate keys by row order and counts the one left over as a row only in the
    # first frame; we set the duplicated key apart. On the other keys the counts agree.
    compare = datacompy_compare(DC_SOURCE_DUPLICATED, DC_TARGET)
    result = run(tmp_path, DC_SOURCE_DUPLICATED, DC_TARGET, keys=["acct_id"], tolerance=0.0001)
    assert (len(compare.intersect_rows), len(compare.df1_unq_rows), len(compare.df2_unq_rows)) == (5, 1, 0)
    assert (result.matched, result.source_only, result.target_only) == (4, 0, 0)
    assert (result.source_duplicate_keys, result.source_duplicate_rows, result.target_duplicate_rows) == (1, 2, 1)
    unique = compare.intersect_rows[compare.intersect_rows["acct_id"] != 10000001238]
    for name, column in result.columns.items():
        assert column["mismatches"] == int((~unique[f"{name}_match"]).sum()), name


# --- Command line ---------------------------------------------------------------------------------


def command(*args):
    out = StringIO()
    call_command("reconcile", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def extracts(tmp_path):
    return write(tmp_path / "source.csv", SOURCE), write(tmp_path / "target.csv", TARGET)


def test_command_json(extracts):
    data = json.loads(command(*extracts, "--key", "id", "--json"))
    for key in ("source_rows", "target_rows", "matched", "source_only", "target_only", "source_duplicate_keys",
                "target_duplicate_keys", "columns"):
        assert key in data
    assert (data["matched"], data["source_only"], data["target_only"]) == (4, 1, 2)
    assert (data["source_duplicate_keys"], data["target_duplicate_keys"]) == (1, 1)
    assert {name: c["mismatches"] for name, c in data["columns"].items()} == {"name": 1, "amount": 1, "city": 1}


def test_command_map_tolerance_trim_casefold(tmp_path):
    src = write(tmp_path / "s.csv", "no,Name,amt\n1, Acme ,10.004\n2,Beta,5\n")
    tgt = write(tmp_path / "t.csv", "id,name,amount\n1,ACME,10\n2,beta,5.02\n")
    args = [src, tgt, "--key", "no", "--map", "no=id", "--map", "amt=amount", "--json"]
    data = json.loads(command(*args))
    assert {n: c["mismatches"] for n, c in data["columns"].items()} == {"name": 2, "amount": 2}
    data = json.loads(command(*args, "--tolerance", "0.01", "--trim", "--casefold"))
    assert {n: c["mismatches"] for n, c in data["columns"].items()} == {"name": 0, "amount": 1}


def test_command_readable_summary(extracts):
    text = command(*extracts, "--key", "id")
    assert "Only in the source" in text and "Duplicate keys in the target" in text
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    assert lines["Matched keys"].endswith(" 4")
    assert "Bob" in lines["name"]  # the first sample of the column


def test_command_readable_summary_in_chinese(extracts):
    from django.utils import translation

    with translation.override("zh-hans"):
        text = command(*extracts, "--key", "id")
    assert "4" in text  # translated labels, once the lead's translation run has added them


def test_command_thresholds(extracts):
    command(*extracts, "--key", "id", "--max-source-only", "1", "--max-target-only", "2", "--max-duplicates", "2",
            "--max-mismatch-rate", "0.75")
    for option, value, words in (("--max-source-only", "0", "Only in the source: 1"),
                                 ("--max-target-only", "1", "Only in the target: 2"),
                                 ("--max-duplicates", "1", "Duplicate keys: 2"),
                                 ("--max-mismatch-rate", "0.5", "75.0000%")):
        with pytest.raises(CommandError) as error:
            command(*extracts, "--key", "id", option, value)
        assert error.value.returncode == 1
        assert words in str(error.value)


def test_command_bad_input(extracts, tmp_path):
    for args, words in (
        (["--key", "nope"], "source.csv has no key column “nope”"),
        (["--key", "id", "--map", "name=nom"], "target.csv has no column “nom”"),
        (["--key", "id", "--map", "name"], "--map expects source=target"),
    ):
        with pytest.raises(CommandError) as error:
            command(*extracts, *args)
        assert error.value.returncode == 2
        assert words in str(error.value)
    with pytest.raises(CommandError) as error:
        command(tmp_path / "none.csv", extracts[1], "--key", "id")
    assert error.value.returncode == 2


def test_command_xlsx_and_sample(extracts, tmp_path):
    import openpyxl

    out = tmp_path / "report.xlsx"
    data = json.loads(command(*extracts, "--key", "id", "--json", "--xlsx", out, "--sample", "1"))
    assert len(data["target_only_samples"]) == 1
    assert openpyxl.load_workbook(out).sheetnames == ["Summary", "Columns", "Samples"]


def test_command_exit_status_from_the_shell(extracts):
    base = [sys.executable, str(ROOT / "manage.py"), "reconcile", *map(str, extracts), "--key", "id"]
    done = subprocess.run([*base, "--json", "--max-source-only", "0"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert json.loads(done.stdout)["source_only"] == 1  # only the JSON on stdout
    assert "Only in the source: 1" in done.stderr
    done = subprocess.run([*base[:-1], "missing"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert "missing" in done.stderr
    done = subprocess.run(base, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0


# --- How the files are read (held, streamed twice, kept) ------------------------------------------


def comparable(result: Result) -> dict:
    data = result.to_dict()
    data.pop("elapsed_s")
    return data


@pytest.fixture(params=["held", "streamed"])
def source_mode(request, monkeypatch):
    """The source's cells held in memory after one read (a small file), or read a second time (a
    file too large to hold): the same results either way."""
    if request.param == "streamed":
        monkeypatch.setattr(engine.Engine, "HOLD_SHARE", 0.0)
    return request.param


def test_held_and_streamed_sources_agree(tmp_path, monkeypatch):
    cases = [
        (SOURCE, TARGET, {}),
        (DC_SOURCE, DC_TARGET, {"keys": ["acct_id"], "tolerance": 0.0001}),
        ("id,city\n1,Paris\n2,北京\n3,x\n", "id,city\n1,  Paris \n2,\u3000北京\u3000\n3,\t\n", {"transforms": ("trim",)}),
    ]
    for source, target, options in cases:
        held = run(tmp_path, source, target, **options)
        monkeypatch.setattr(engine.Engine, "HOLD_SHARE", 0.0)
        streamed = run(tmp_path, source, target, **options)
        monkeypatch.undo()
        assert comparable(held) == comparable(streamed)


def test_whitespace_only_cells_are_empty_when_trimmed(tmp_path, source_mode):
    # A cell of only spaces of any kind (ASCII, no-break U+00A0, ideographic U+3000) is empty when
    # trimmed, on either side; a cell that only starts with one is not.
    source = "id,v\n1,\u3000\n2,\u00a0\u00a0\n3, \t\n4,\u3000x\n5,é\n6,\n"
    result = run(tmp_path, source, source, transforms=("trim",))
    assert (result.columns["v"]["source_nulls"], result.columns["v"]["target_nulls"]) == (4, 4)
    assert run(tmp_path, source, source, transforms=()).columns["v"]["source_nulls"] == 1


def test_many_columns_count_their_empty_cells(tmp_path, source_mode):
    # The empty cells are counted with a bit per cell, 62 columns to a number: 70 columns take two.
    names = [f"c{i}" for i in range(70)]
    header = "id," + ",".join(names) + "\n"
    source = header + "1," + ",".join("" if i % 7 == 0 else str(i) for i in range(70)) + "\n"
    target = header + "1," + ",".join("" if i % 5 == 0 else str(i) for i in range(70)) + "\n"
    result = run(tmp_path, source, target)
    assert result.columns["c0"]["source_nulls"] == 1
    assert sum(result.columns[n]["source_nulls"] for n in names) == 10  # 0, 7, ..., 63
    assert sum(result.columns[n]["target_nulls"] for n in names) == 14  # 0, 5, ..., 65
    # Columns empty on one side only differ: 7 and 5 multiples that are not both (0 and 35 are).
    assert result.columns["c63"]["mismatches"] == 1 and result.columns["c65"]["mismatches"] == 1
    assert result.columns["c35"]["mismatches"] == 0
    assert result.mismatched_rows == 1


def test_profile_sample_is_every_row_then_about_the_sample_size(tmp_path, monkeypatch, source_mode):
    monkeypatch.setattr(engine, "PROFILE_SAMPLE_ROWS", 100)
    small = "id,v\n" + "".join(f"{i},{i}\n" for i in range(100))
    profile = run(tmp_path, small, small).columns["v"]["profile"]
    assert profile["source"]["sampled_rows"] == profile["target"]["sampled_rows"] == 100
    assert profile["source"]["distinct"] == 100
    large = "id,v\n" + "".join(f"{i},{i % 50}\n" for i in range(2000))
    result = run(tmp_path, large, large)
    profile = result.columns["v"]["profile"]
    assert 50 <= profile["source"]["sampled_rows"] <= 200
    # The same keys on both sides: the same rows sampled.
    assert profile["source"]["sampled_rows"] == profile["target"]["sampled_rows"]
    assert profile["source"]["top"] == profile["target"]["top"]
    assert result.matched == result.matched_equal == 2000


def test_target_much_smaller_than_the_source_is_read_again_for_its_sample(tmp_path, monkeypatch, source_mode):
    # The target's cells are kept, as it is read, for a sample sized on the source; a target of 50
    # rows against 2,000 is read again so that every one of its rows is profiled.
    monkeypatch.setattr(engine, "PROFILE_SAMPLE_ROWS", 100)
    source = "id,v\n" + "".join(f"{i},{i}\n" for i in range(2000))
    target = "id,v\n" + "".join(f"{i},{i if i % 10 else -i}\n" for i in range(50))
    result = run(tmp_path, source, target)
    assert (result.matched, result.source_only, result.target_only) == (50, 1950, 0)
    assert result.columns["v"]["mismatches"] == 4  # 10, 20, 30, 40 (0 is -0: the same number)
    assert result.columns["v"]["profile"]["target"]["sampled_rows"] == 50
    assert result.columns["v"]["profile"]["target"]["distinct"] == 50


def test_unmatched_samples_are_the_first_keys(tmp_path, source_mode):
    source = "id,v\n" + "".join(f"{i:04d},a\n" for i in range(0, 300, 3))
    target = "id,v\n" + "".join(f"{i:04d},a\n" for i in range(0, 300, 2))
    result = run(tmp_path, source, target, sample_size=3)
    assert [s["key"]["id"] for s in result.source_only_samples] == ["0003", "0009", "0015"]
    assert [s["key"]["id"] for s in result.target_only_samples] == ["0002", "0004", "0008"]
    assert result.target_only_samples[0]["row"] == {"v": "a"}


def test_short_rows_and_line_breaks_in_quotes(tmp_path, source_mode):
    # duckdb's parallel reader refuses short rows together with line breaks inside quotes: such a
    # file is read by one thread instead.
    source = 'id,note,city\n1,"two\nlines",Paris\n2,short\n3,"a, b",Rome\n'
    target = 'id,note,city\n1,"two\nlines",Paris\n2,short,\n3,"a, b",Roma\n'
    result = run(tmp_path, source, target)
    assert result.matched == 3
    assert result.columns["note"]["mismatches"] == 0
    assert result.columns["city"]["samples"] == [{"key": {"id": "3"}, "source": "Rome", "target": "Roma"}]
    assert result.columns["city"]["source_nulls"] == 1


def test_quotes_after_the_sniffed_start_are_read(tmp_path, source_mode):
    # The dialect is sniffed on the file's start; a quoted cell further on is still read as one cell.
    rows = "".join(f"{i},plain {i}\n" for i in range(30_000))
    source = "id,v\n" + rows + '30000,"with, comma"\n'
    result = run(tmp_path, source, source)
    assert (result.source_rows, result.matched_equal) == (30_001, 30_001)
    assert result.unmapped_source_columns == []


def test_memory_limit_as_bytes():
    assert engine.memory_bytes("1GB") == 1_000_000_000
    assert engine.memory_bytes("512 MiB") == 512 * 1024**2
    assert engine.memory_bytes("1.5GB") == 1_500_000_000
    assert engine.memory_bytes("80%") is None


def test_rows_equal_only_after_the_transformations_count_as_matched_and_equal(tmp_path):
    """10.00 against 10 differs as written, equals as a number: the row is matched and equal."""
    source, target = tmp_path / "s.csv", tmp_path / "t.csv"
    source.write_text("id,amount,city\n1,10.00,Xi'an\n2,5,Suzhou\n3,7,Hangzhou\n")
    target.write_text("id,amount,city\n1,10,Xi'an\n2,6,Suzhou\n3,7,Hangzhou\n")
    result = reconcile(source, target, Options(keys=["id"]))
    assert (result.matched, result.matched_equal, result.mismatched_rows) == (3, 2, 1)
