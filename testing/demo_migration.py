"""Data-migration demo data for Lumen Frames: the old sources (sales spreadsheets, the old order
system, trade-fair lead lists, the enquiry log) with their measured data quality, the objects to
migrate in order, the field mappings of accounts and contacts, three mock runs whose errors fall
from run to run, the cutover runbook with the timings of two runs, and a stored reconciliation of
the accounts in the cutover rehearsal (RUN-003).

The rehearsal passes every threshold but one: order history reconciles at 99.20 % against the
99.50 % it must reach, so the go/no-go has something real to show.

`seed(project, users)` is called by `manage.py seed_demo` after `testing.demo` and is idempotent:
every row is found by a natural key (a name, run + object, run + step, object + target field) and
saved only when a value differs; the reconciliation is found by run + object + source file name and
run once, when it is created. Dates are relative to today.

The two account extracts are written here (`account_extracts()`), deterministic, with the
differences the reconciliation must find (see ACCOUNTS_RECONCILED for the expected counts).
"""

import csv
import datetime
import decimal
import io
import random

from django.core.files.base import ContentFile
from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import upsert
from projectcrm.governance.choices import Priority

from .choices import CutoverStage, DataQuality, DefectStatus, ReconciliationStatus, RunStatus, Severity
from .demo import backdate_defects, set_if_different
from .models import (
    CutoverStep,
    Defect,
    FieldMapping,
    MigrationObject,
    MockRun,
    Reconciliation,
    RehearsalTiming,
    RunObject,
    SourceSystem,
)

D = decimal.Decimal

SPREADSHEETS = "Sales spreadsheets (one workbook per sales rep)"
ORDER_SYSTEM = "Old order system"
FAIR_LISTS = "Trade-fair lead lists"
ENQUIRY_LOG = "E-mail and phone enquiry log"

# name -> owner, business owner, objects held, records, format, duplicates %, missing key fields %,
# outdated %, quality, assessment
SOURCES = {
    SPREADSHEETS: (
        "member", "Lin Hui (sales director)",
        "Customers, contacts and quotations: sheets Customers, Contacts and Quotes in each rep's workbook.",
        9860, "XLSX workbooks: 14 files, one per sales rep, each laid out a little differently",
        "18.40", "22.70", "31.50", DataQuality.POOR,
        "Every rep keeps his or her own workbook, so the same buyer appears in two or three of them, "
        "spelled differently and with different contacts. A fifth of the customers have no country or "
        "e-mail address, and a third were not touched for more than three years (reps who left, buyers "
        "who stopped ordering). Quotations are copies of an old price template. Measured on a full copy "
        "of the 14 workbooks taken as the baseline snapshot; to be merged onto the order system's "
        "customer numbers, not migrated as they are.",
    ),
    ORDER_SYSTEM: (
        "evaluator", "Liu Fang (customer service and order desk)",
        "Customer master with ship-to addresses, sales orders and order lines since 2009, price lists "
        "and price groups, the item master (mouldings, frames, mirrors in every size and finish).",
        186420, "SQL Server 2008 R2 database, exported table by table as UTF-8 CSV",
        "2.10", "4.80", "12.30", DataQuality.FAIR,
        "The most reliable source: customer numbers and item numbers are unique and every order "
        "points to both. Weak spots: customers with a second delivery address are exported twice, "
        "free-text city and phone fields, credit limits not reviewed since 2019, dates typed as text "
        "in older rows. Customers without an order for five years are migrated as inactive.",
    ),
    FAIR_LISTS: (
        "evaluator3", "Lin Hui (sales director)",
        "Leads from badge scans and business cards of the last two seasons (Ambiente, Spring Fair, "
        "High Point, Index Dubai).",
        4310, "CSV scanner exports and XLSX lists typed from business cards: 11 files",
        "9.60", "27.40", "41.00", DataQuality.POOR,
        "Scanner exports are complete but the typed lists often lack the country or an e-mail address. "
        "Visitors scanned on two days appear twice. Leads older than two seasons were never followed up; "
        "sales agreed to migrate only the last two seasons.",
    ),
    ENQUIRY_LOG: (
        "evaluator2", "Liu Fang (customer service and order desk)",
        "Enquiries, sample requests and complaints received by e-mail and phone.",
        3275, "Shared XLSX log kept by customer service, plus a CSV export of the enquiries mailbox folder",
        "5.20", "15.80", "22.00", DataQuality.FAIR,
        "Kept by two people, so mostly consistent; phone enquiries often have no e-mail address. "
        "Open enquiries become leads; closed complaints stay in the archive and are not migrated.",
    ),
}

ACCOUNTS = "Accounts"
CONTACTS = "Contacts"
PRICE_LISTS = "Price lists"
PRODUCTS = "Products"
QUOTATIONS = "Open quotations"
ORDERS = "Order history"
LEADS = "Leads"

# name -> order, source system, source object, target object, loaded after, owner, expected records,
# most rejected %, least reconciled %, notes
OBJECTS = {
    ACCOUNTS: (
        10, ORDER_SYSTEM, "dbo.KH_Customer, merged with the Customers sheets of the reps' workbooks",
        "Account", (), "evaluator3", 2140, "0.50", "99.50",
        "The order system's customer number is the key; spreadsheet customers are matched to it by VAT "
        "number, else by cleaned name and country.",
    ),
    CONTACTS: (
        20, SPREADSHEETS, "Contacts sheets of the reps' workbooks, dbo.KH_Contact",
        "Contact (linked to its account)", (ACCOUNTS,), "evaluator3", 5400, "0.50", "99.50",
        "Loaded after accounts: every contact needs its account.",
    ),
    PRICE_LISTS: (
        30, ORDER_SYSTEM, "dbo.JG_PriceList, dbo.JG_PriceGroup", "Price list with price groups",
        (), "evaluator", 1766, "0.50", "100.00",
        "Prices are money: every price must reconcile.",
    ),
    PRODUCTS: (
        40, ORDER_SYSTEM, "dbo.CP_Item (active items and items ordered in the last five years)",
        "Product with its list prices", (PRICE_LISTS,), "evaluator", 3920, "0.50", "100.00",
        "Moulding profiles, frames and mirrors with size and finish variants.",
    ),
    QUOTATIONS: (
        50, SPREADSHEETS, "Quotes sheets: quotations still open, of the last twelve months",
        "Quote with quote lines", (ACCOUNTS, CONTACTS, PRODUCTS), "member", 640, "0.50", "100.00",
        "Re-priced from the migrated price list; reps check their own open quotations after the load.",
    ),
    ORDERS: (
        60, ORDER_SYSTEM, "dbo.DD_Order, dbo.DD_OrderLine (last five years)",
        "Order history (read-only order lines on the account)", (ACCOUNTS, PRODUCTS), "evaluator", 49400,
        "0.50", "99.50",
        "Reference for sales: what each customer bought. Orders stay in the order system after go-live.",
    ),
    LEADS: (
        70, FAIR_LISTS, "Scanner exports and typed lists of the last two seasons; open enquiries of the log",
        "Lead", (), "evaluator3", 3200, "0.50", "99.50",
        "Leads are assigned to the sales manager of their region on load.",
    ),
}

# (object, target field) -> source field, transformation, cleansing rule, lookup table, default,
# required, owner
MAPPINGS = {
    (ACCOUNTS, "account_number"): (
        "KH_Customer.CustNo", "Trim; keep leading zeros.",
        "The key. Two customers exported twice (second delivery address) are merged into one account.",
        "", "", True, "evaluator",
    ),
    (ACCOUNTS, "account_name"): (
        "KH_Customer.CustName", "Trim; collapse double spaces; keep the Chinese name as written.",
        "Legal forms written one way (GmbH, S.r.l., Ltd); the English name goes to english_name.",
        "", "", True, "evaluator3",
    ),
    (ACCOUNTS, "english_name"): (
        "Customers sheet: Company", "Trim.",
        "Taken from the rep's workbook matched to the customer; the longest name wins when reps differ.",
        "", "", False, "evaluator3",
    ),
    (ACCOUNTS, "country_code"): (
        "KH_Customer.Country", "Country name (Chinese or English) to its ISO 3166 code.",
        "Unknown names are listed for the data owner before the load, never guessed.",
        "LKP_COUNTRY", "", True, "evaluator3",
    ),
    (ACCOUNTS, "sales_region"): (
        "KH_Customer.AreaCode", "Old area code to region: E1, E2 -> Europe; NA -> North America; "
        "ME, AU -> Middle East and Australia.",
        "Empty or retired area codes take the region of the account's country.",
        "LKP_REGION", "", True, "evaluator3",
    ),
    (ACCOUNTS, "city"): (
        "KH_Customer.City", "Trim, including full-width spaces; title case.",
        "Cities spelled in Chinese are translated through the city list of the country.",
        "LKP_CITY", "", False, "evaluator3",
    ),
    (ACCOUNTS, "phone"): (
        "KH_Customer.Tel", "Normalise to international form (+49 40 1234567): remove spaces, dashes "
        "and brackets; add the country's dialling code.",
        "Numbers with fewer than seven digits are dropped and listed for the owner.",
        "LKP_COUNTRY", "", False, "evaluator",
    ),
    (ACCOUNTS, "credit_limit"): (
        "KH_Customer.CreditLimit", "Number with two decimals, in the account's currency.",
        "Limits not reviewed since 2019 are flagged for finance, not changed.", "", "", False, "viewer",
    ),
    (ACCOUNTS, "owner"): (
        "KH_Customer.SalesRep", "Old sales-rep code to CRM user.",
        "Reps who left: the account goes to the sales manager of its region.",
        "LKP_SALES_REP", "Sales manager of the account's region", True, "steering",
    ),
    (ACCOUNTS, "status"): (
        "", "Active when the customer ordered in the last five years, else inactive.", "", "", "Active",
        True, "evaluator3",
    ),
    (CONTACTS, "account"): (
        "Contacts sheet: Company", "Matched to the migrated account: VAT number, else cleaned name and country.",
        "Contacts whose company matches no account are listed for the rep, not loaded.",
        "Account match list of the accounts load", "", True, "evaluator3",
    ),
    (CONTACTS, "last_name"): (
        "Contacts sheet: Name", "Split at the last space; for Chinese names the first character is the "
        "family name.", "Titles (Mr, Mrs, Dr) move to salutation.", "", "", True, "evaluator3",
    ),
    (CONTACTS, "email"): (
        "Contacts sheet: E-mail", "Trim; lower case.",
        "Dedup rule: one contact per e-mail address and account; the most recently edited row wins. "
        "Invalid addresses are dropped and listed.",
        "", "", False, "evaluator3",
    ),
    (CONTACTS, "mobile"): (
        "Contacts sheet: Mobile / Phone", "Normalise to international form with the account country's "
        "dialling code.", "A mobile number wins over a landline when both are given.",
        "LKP_COUNTRY", "", False, "evaluator",
    ),
    (CONTACTS, "job_title"): ("Contacts sheet: Position", "Trim.", "", "", "", False, "evaluator3"),
    (CONTACTS, "preferred_language"): (
        "Contacts sheet: Language", "Language name to code (German -> de).", "",
        "LKP_LANGUAGE", "en", False, "evaluator3",
    ),
    (CONTACTS, "owner"): ("", "The owner of the contact's account.", "", "", "Account owner", True, "evaluator3"),
}

RUNS = {
    "Mock run 1: first full extract": (
        -70, "CRM sandbox (partner)", 1380, False,
        "First end-to-end run on the full extracts, without any cleansing at the source. Every object "
        "loaded, but with far too many rejects; the partner's migration consultant ran the loads.",
    ),
    "Mock run 2: after the first cleansing round": (
        -42, "CRM UAT", 1020, False,
        "Sales reps cleaned their workbooks and the lookups were completed. The loaded data is the UAT "
        "data of the pilot. Load steps timed against the draft runbook.",
    ),
    "Mock run 3: cutover rehearsal": (
        -14, "CRM pre-production (production settings)", 780, True,
        "Dress rehearsal of the cutover runbook, step by step and timed, including the fallback. Every "
        "object passes its thresholds except order history (99.20 % reconciled against 99.50 %).",
    ),
}
RUN_NAMES = list(RUNS)

# run -> object -> extracted, transformed, loaded, rejected, reconciled % (None: from the run's
# reconciliation), load minutes, errors by category, notes
RUN_OBJECTS = {
    RUN_NAMES[0]: {
        ACCOUNTS: (2296, 2201, 2093, 108, "95.10", 38,
                   "missing mandatory field: 61\nunknown region code: 29\nduplicate account number: 12\n"
                   "invalid phone number: 6", "95 spreadsheet duplicates merged before the load."),
        CONTACTS: (5912, 5644, 5287, 357, "93.40", 64,
                   "account not found: 188\nmissing mandatory field: 96\ninvalid e-mail address: 51\n"
                   "invalid phone number: 22", ""),
        PRICE_LISTS: (1804, 1804, 1771, 33, "98.20", 12, "unknown currency: 21\nprice empty or below zero: 12", ""),
        PRODUCTS: (4105, 4040, 3868, 172, "96.00", 41,
                   "missing mandatory field: 120\nunknown finish code: 38\nsize not readable: 14", ""),
        QUOTATIONS: (702, 688, 590, 98, "88.50", 22,
                     "product not found: 54\naccount not found: 31\nmissing mandatory field: 13", ""),
        ORDERS: (51240, 51240, 49880, 1360, "96.90", 312,
                 "product not found: 812\naccount not found: 403\ncurrency differs from the price list: 145", ""),
        LEADS: (4310, 3720, 3412, 308, "90.20", 18,
                "missing mandatory field: 174\ncountry not recognised: 92\nduplicate e-mail address: 42",
                "590 leads older than two seasons left out on extract."),
    },
    RUN_NAMES[1]: {
        ACCOUNTS: (2188, 2171, 2150, 21, "98.90", 31, "missing mandatory field: 12\nunknown region code: 9", ""),
        CONTACTS: (5540, 5430, 5366, 64, "98.60", 52,
                   "account not found: 38\ninvalid e-mail address: 19\nmissing mandatory field: 7", ""),
        PRICE_LISTS: (1772, 1772, 1768, 4, "99.80", 9, "unknown currency: 4", ""),
        PRODUCTS: (3956, 3956, 3931, 25, "99.60", 34, "unknown finish code: 17\nmissing mandatory field: 8", ""),
        QUOTATIONS: (668, 668, 659, 9, "98.70", 17, "product not found: 9", ""),
        ORDERS: (49870, 49870, 49611, 259, "98.80", 268, "product not found: 188\naccount not found: 71", ""),
        LEADS: (3390, 3260, 3211, 49, "97.80", 14, "missing mandatory field: 31\ncountry not recognised: 18", ""),
    },
    RUN_NAMES[2]: {
        ACCOUNTS: (2140, 2138, 2135, 3, None, 27, "missing mandatory field: 3",
                   "Two customers exported twice (second delivery address) merged. Reconciled with the "
                   "order system's customer extract (see the run's reconciliation)."),
        CONTACTS: (5402, 5398, 5391, 7, "99.70", 44, "invalid e-mail address: 5\naccount not found: 2", ""),
        PRICE_LISTS: (1766, 1766, 1766, 0, "100.00", 8, "", ""),
        PRODUCTS: (3921, 3921, 3918, 3, "100.00", 29, "unknown finish code: 3",
                   "The three rejected items are samples without a finish; sales agreed to leave them out."),
        QUOTATIONS: (646, 646, 646, 0, "100.00", 15, "", ""),
        ORDERS: (49420, 49420, 49302, 118, "99.20", 241, "product not found: 118",
                 "Reconciled by a SQL comparison of order lines and net amounts: 395 lines differ (118 "
                 "lines of products discontinued before 2021 not loaded; 277 lines whose net amount the old "
                 "system rounded per line). Below the 99.50 % threshold."),
        LEADS: (3205, 3199, 3192, 7, "99.60", 12, "missing mandatory field: 7", ""),
    },
}

# title -> (run, object) it was raised on, also seen in, severity, priority, status, assignee,
# raised by, description
DEFECTS = {
    "Spreadsheet customers without a region code rejected": (
        (RUN_NAMES[0], ACCOUNTS), [], Severity.MAJOR, Priority.HIGH, DefectStatus.CLOSED, "evaluator3",
        "evaluator",
        "Customers from the reps' workbooks have no area code, so the region lookup failed and the load "
        "rejected them. The region now comes from the country when the area code is empty.",
    ),
    "Contacts not linked when the company is spelled differently": (
        (RUN_NAMES[0], CONTACTS), [(RUN_NAMES[1], CONTACTS)], Severity.MAJOR, Priority.HIGH,
        DefectStatus.CLOSED, "evaluator3", "member",
        "“Nordhaus Bilderrahmen” in a workbook and “Nordhaus Bilderrahmen GmbH” in the order system: the "
        "contact found no account. Matching now uses the VAT number first and a cleaned name second.",
    ),
    "Order lines point to items missing from the product extract": (
        (RUN_NAMES[0], ORDERS), [], Severity.MAJOR, Priority.HIGH, DefectStatus.CLOSED, "evaluator",
        "evaluator3",
        "The product extract took only active items, but orders of the last five years use inactive "
        "ones too. Inactive items ordered in the last five years are now extracted as inactive products.",
    ),
    "Finish codes of the 2019 range missing from the finish lookup": (
        (RUN_NAMES[0], PRODUCTS), [(RUN_NAMES[1], PRODUCTS)], Severity.MINOR, Priority.MEDIUM,
        DefectStatus.CLOSED, "evaluator", "evaluator",
        "Finishes such as antique silver and smoked oak of the 2019 range are not in the lookup. Added "
        "after run 2; the three items still rejected in run 3 are samples without a finish.",
    ),
    "Quotation lines with discontinued moulding profiles rejected": (
        (RUN_NAMES[1], QUOTATIONS), [], Severity.MINOR, Priority.MEDIUM, DefectStatus.CLOSED, "member",
        "evaluator3",
        "Nine open quotations quote profiles that are no longer sold. The reps re-quoted them with the "
        "successor profiles before run 3.",
    ),
    "Trade-fair leads without a country rejected instead of queued": (
        (RUN_NAMES[1], LEADS), [], Severity.MINOR, Priority.LOW, DefectStatus.CLOSED, "evaluator3",
        "steering",
        "Leads without a country should go to the sales-operations queue for research, not be rejected. "
        "The load now assigns them to the queue; only leads without any name are rejected.",
    ),
    "Order history: 395 lines differ from the order system": (
        (RUN_NAMES[2], ORDERS), [], Severity.MINOR, Priority.HIGH, DefectStatus.IN_PROGRESS, "evaluator",
        "evaluator3",
        "118 lines of products discontinued before 2021 are not loaded (no product), and the old system "
        "rounded the line discount per line, so 277 net amounts differ by a cent or two. Reconciled "
        "99.20 %, below the 99.50 % threshold. Fix: load the discontinued items as inactive products and "
        "take the net amount as stored instead of recomputing it.",
    ),
}

# name -> stage, order, owner, planned minutes, after (names), loads object, instructions, rollback
STEPS = {
    "Load lookup tables and users into the CRM": (
        CutoverStage.PREPARATION, 10, "evaluator", 60, (), None,
        "Import the country, region, city, sales-rep and language lookups and the CRM users with their "
        "regions; check that every active sales rep can log in.",
        "Nothing to undo: the CRM is not yet open to users.",
    ),
    "Back up the order system and the spreadsheet share": (
        CutoverStage.PREPARATION, 20, "evaluator", 45, (), None,
        "Full backup of the order-system database and a read-only copy of the sales spreadsheet share; "
        "write down the backup names in the cutover log.",
        "The backups are the fallback's starting point: keep them for 90 days.",
    ),
    "Freeze the old order system and collect the final workbooks": (
        CutoverStage.FREEZE, 30, "evaluator", 30,
        ("Load lookup tables and users into the CRM", "Back up the order system and the spreadsheet share"),
        None,
        "Set every order-system user to read-only except the order desk's emergency login; the reps "
        "upload their final workbooks by 17:00. Take the baseline snapshot: record counts of every "
        "source table and workbook.",
        "Give write access back to the order-system users.",
    ),
    "Extract and cleanse the source data": (
        CutoverStage.MIGRATION, 40, "evaluator3", 90,
        ("Freeze the old order system and collect the final workbooks",), None,
        "Run the extract jobs, then the cleansing rules (trimming, lookups, phone numbers, duplicate "
        "merge). Stop if a lookup reports unknown codes.",
        "Discard the staging tables.",
    ),
    "Load accounts": (
        CutoverStage.MIGRATION, 50, "evaluator3", 35, ("Extract and cleanse the source data",), ACCOUNTS,
        "Load the merged accounts; compare the load log with the staging count.",
        "Delete the loaded accounts by load batch number.",
    ),
    "Load contacts": (
        CutoverStage.MIGRATION, 60, "evaluator3", 50, ("Load accounts",), CONTACTS,
        "Load contacts linked to their accounts; list the contacts that found no account.",
        "Delete the loaded contacts by load batch number.",
    ),
    "Load price lists": (
        CutoverStage.MIGRATION, 70, "evaluator", 10, ("Extract and cleanse the source data",), PRICE_LISTS,
        "Load the price lists and price groups valid on go-live day.",
        "Delete the loaded price lists by load batch number.",
    ),
    "Load products": (
        CutoverStage.MIGRATION, 80, "evaluator", 35, ("Load price lists",), PRODUCTS,
        "Load items with their list prices; spot-check ten moulding profiles against the price list.",
        "Delete the loaded products by load batch number.",
    ),
    "Load open quotations": (
        CutoverStage.MIGRATION, 90, "evaluator3", 20, ("Load contacts", "Load products"), QUOTATIONS,
        "Load open quotations with their lines; send each rep the list of his or her open quotations.",
        "Delete the loaded quotations by load batch number.",
    ),
    "Load order history": (
        CutoverStage.MIGRATION, 100, "evaluator", 210, ("Load accounts", "Load products"), ORDERS,
        "Load order lines in batches of 5,000; watch the batch log.",
        "Truncate the order-history table; the accounts stay.",
    ),
    "Load leads": (
        CutoverStage.MIGRATION, 110, "evaluator3", 15, ("Extract and cleanse the source data",), LEADS,
        "Load leads of the last two seasons and the open enquiries; check the assignment by region.",
        "Delete the loaded leads by load batch number.",
    ),
    "Reconcile record counts and key figures": (
        CutoverStage.VERIFICATION, 120, "evaluator", 90,
        ("Load contacts", "Load open quotations", "Load order history", "Load leads"), None,
        "Reconcile each object's source and target extracts; compare totals (credit limits, order "
        "amounts per year) with the baseline snapshot.",
        "",
    ),
    "Key users' smoke test": (
        CutoverStage.VERIFICATION, 130, "member", 120, ("Reconcile record counts and key figures",), None,
        "Each key user opens five of his or her own accounts, one open quotation and the order history "
        "of one customer, and reports differences in the cutover chat.",
        "",
    ),
    "Go/no-go call and opening the CRM": (
        CutoverStage.GO_LIVE, 140, "pm", 30, ("Key users' smoke test",), None,
        "The steering group decides on the reconciliation figures and the smoke test; on go, the CRM is "
        "opened to all sales reps and the go-live message is sent.",
        "On no-go: run the fallback.",
    ),
    "Fall back to the old systems": (
        CutoverStage.FALLBACK, 150, "evaluator", 60, ("Go/no-go call and opening the CRM",), None,
        "Only on no-go: close the CRM to users, give write access back in the order system, tell the reps "
        "to keep using their workbooks until the new date.",
        "",
    ),
}

# run -> step -> actual minutes, notes
TIMINGS = {
    RUN_NAMES[1]: {
        "Extract and cleanse the source data": (150, "First timed run; the name matching ran single-threaded."),
        "Load accounts": (31, ""),
        "Load contacts": (52, ""),
        "Load products": (34, ""),
        "Load order history": (268, "Batches of 1,000 rows; too slow."),
        "Reconcile record counts and key figures": (180, "Reconciled by hand in spreadsheets."),
    },
    RUN_NAMES[2]: {
        "Load lookup tables and users into the CRM": (55, ""),
        "Back up the order system and the spreadsheet share": (52, "The database backup (38 GB) took longer than planned."),
        "Freeze the old order system and collect the final workbooks": (25, "Two reps uploaded late; chased by phone."),
        "Extract and cleanse the source data": (118, "Name matching ran twice after a lookup fix."),
        "Load accounts": (27, ""),
        "Load contacts": (44, ""),
        "Load price lists": (8, ""),
        "Load products": (29, ""),
        "Load open quotations": (15, ""),
        "Load order history": (241, "The index rebuild after each batch adds half an hour."),
        "Load leads": (12, ""),
        "Reconcile record counts and key figures": (120, "The order-history difference was investigated."),
        "Key users' smoke test": (95, ""),
        "Go/no-go call and opening the CRM": (35, "Discussion of the order-history difference."),
        "Fall back to the old systems": (48, "Rehearsed after the go/no-go call on the pre-production copy."),
    },
}

# --- The accounts reconciliation of the rehearsal ---------------------------------------------

SOURCE_NAME = "order_system_customers_run3.csv"
TARGET_NAME = "crm_accounts_run3.csv"
SOURCE_COLUMNS = ["CustNo", "CustName", "Country", "City", "CreditLimit", "Currency", "CreatedOn", "SalesRep"]
TARGET_COLUMNS = ["account_number", "account_name", "country_code", "city", "credit_limit", "currency",
                  "customer_since", "owner"]
RECONCILIATION_KEYS = "CustNo"
RECONCILIATION_MAPPING = (
    "CustNo = account_number\nCustName = account_name\nCity = city\nCreditLimit = credit_limit\n"
    "Currency = currency\nCreatedOn = customer_since"
)
RECONCILIATION_TRANSFORMS = "trim,number,date"
RECONCILIATION_TOLERANCE = D("0.01")

MATCHED = 2133  # customers once in each extract
SOURCE_ONLY = ["K20107", "K21452", "K23318"]  # no country: rejected by the load
DUPLICATED = ["K10480", "K16622"]  # exported twice (second delivery address); one account each
TARGET_ONLY = ["T90001", "T90002"]  # test accounts left in pre-production by the UAT set-up
CITY_SPACES = {"K10007": " Hamburg", "K12345": "Milan ", "K15010": "Dubai\u3000"}  # trimmed: equal
CITY_CASE = {"K11111": "SYDNEY", "K14242": "TORONTO"}  # title-cased by the load: different
CREDIT_LIMIT = {"K13579": (80000, 85000)}  # source, target: raised in the CRM by mistake

# What the reconciliation must find (the test checks these figures).
ACCOUNTS_RECONCILED = {
    "source_rows": MATCHED + len(SOURCE_ONLY) + 2 * len(DUPLICATED),  # 2,140
    "target_rows": MATCHED + len(DUPLICATED) + len(TARGET_ONLY),  # 2,137
    "matched": MATCHED,
    "mismatched_rows": len(CITY_CASE) + len(CREDIT_LIMIT),  # 3
    "source_only": len(SOURCE_ONLY),
    "target_only": len(TARGET_ONLY),
    "source_duplicate_keys": len(DUPLICATED),
    "target_duplicate_keys": 0,
    "source_duplicate_rows": 2 * len(DUPLICATED),
    "target_duplicate_rows": len(DUPLICATED),
}
# Matched and equal in every compared column after the transformations: 2,130 of 2,140 = 99.53 %.
ACCOUNTS_EQUAL = MATCHED - len(CITY_CASE) - len(CREDIT_LIMIT)

COUNTRIES = [  # code, Chinese name, currency, cities, weight
    ("DE", "德国", "EUR", ["Hamburg", "Frankfurt", "Munich", "Cologne", "Berlin", "Stuttgart"], 16),
    ("FR", "法国", "EUR", ["Paris", "Lyon", "Marseille", "Lille"], 9),
    ("IT", "意大利", "EUR", ["Milan", "Florence", "Rome", "Bologna"], 8),
    ("GB", "英国", "GBP", ["London", "Manchester", "Birmingham", "Leeds"], 9),
    ("NL", "荷兰", "EUR", ["Amsterdam", "Rotterdam", "Utrecht"], 5),
    ("ES", "西班牙", "EUR", ["Madrid", "Barcelona", "Valencia"], 5),
    ("US", "美国", "USD", ["New York", "Chicago", "Los Angeles", "Dallas", "Atlanta", "High Point"], 20),
    ("CA", "加拿大", "CAD", ["Toronto", "Vancouver", "Montreal"], 6),
    ("AE", "阿联酋", "USD", ["Dubai", "Abu Dhabi", "Sharjah"], 6),
    ("SA", "沙特阿拉伯", "USD", ["Riyadh", "Jeddah"], 4),
    ("AU", "澳大利亚", "AUD", ["Sydney", "Melbourne", "Brisbane", "Perth"], 8),
]
NAME_PARTS = ["诺德", "豪斯", "卡德", "加勒", "维拉", "莫里", "布朗", "斯通", "奥克", "艾伦", "贝克", "汉森",
              "罗西", "马丁", "杜邦", "米勒", "格林", "怀特", "金框", "银河", "星光", "彩虹", "橡树", "海岸"]
NAME_KINDS = ["画框有限公司", "家居用品进口公司", "艺术品贸易公司", "装饰品有限公司", "相框批发公司",
              "零售连锁集团", "镜业有限公司"]
SALES_REPS = ["黄涛", "孙燕", "马骏", "杨洁", "周欣", "吴芳", "陈明"]
SALES_REP_USERS = {"黄涛": "member", "孙燕": "s.yan", "马骏": "ma.jun", "杨洁": "y.jie", "周欣": "z.xin",
                   "吴芳": "w.fang", "陈明": "c.ming"}


def _customer(rng: random.Random, key: str) -> dict:
    code, country, currency, cities, _weight = rng.choices(COUNTRIES, weights=[c[4] for c in COUNTRIES])[0]
    name = country + "".join(rng.sample(NAME_PARTS, 2)) + rng.choice(NAME_KINDS)
    created = datetime.date(2008, 1, 1) + datetime.timedelta(days=rng.randrange(17 * 365))
    return {
        "key": key, "name": name, "country": country, "code": code, "city": rng.choice(cities),
        "limit": 5000 * rng.randint(2, 100), "currency": currency, "created": created,
        "rep": rng.choice(SALES_REPS),
    }


def _move_to(c: dict, city: str):
    """Put the customer in `city`, in its country."""
    code, country, currency, _cities, _weight = next(country for country in COUNTRIES if city in country[3])
    name = country + c["name"].removeprefix(c["country"])
    c.update(code=code, country=country, currency=currency, city=city, name=name)


def _source_row(c: dict, city=None, limit=None, country=None) -> list:
    return [c["key"], c["name"], c["country"] if country is None else country, c["city"] if city is None else city,
            f"{c['limit'] if limit is None else limit:,.2f}", c["currency"], c["created"].strftime("%Y/%m/%d"),
            c["rep"]]


def _target_row(c: dict, limit=None) -> list:
    return [c["key"], c["name"], c["code"], c["city"], f"{c['limit'] if limit is None else limit:.2f}",
            c["currency"], c["created"].isoformat(), SALES_REP_USERS[c["rep"]]]


def _csv(header: list, rows: list, bom: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if bom else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def account_extracts() -> tuple[bytes, bytes]:
    """(source, target) CSV extracts of the rehearsal's accounts, the same on every call.

    Source: the old order system's export (UTF-8 with BOM, thousands separators, dates 2016/05/03).
    Target: the CRM's export (plain numbers, ISO dates, country codes, owners as user names).
    """
    rng = random.Random(20260301)
    special = set(SOURCE_ONLY) | set(DUPLICATED) | set(CITY_SPACES) | set(CITY_CASE) | set(CREDIT_LIMIT)
    ordinary = sorted({f"K{n}" for n in range(10001, 24000)} - special)
    needed = MATCHED - len(CITY_SPACES) - len(CITY_CASE) - len(CREDIT_LIMIT)
    keys = sorted(rng.sample(ordinary, needed) + list(CITY_SPACES) + list(CITY_CASE) + list(CREDIT_LIMIT)
                  + DUPLICATED + SOURCE_ONLY)
    source, target = [], []
    for key in keys:
        c = _customer(rng, key)
        if key in CITY_CASE:
            _move_to(c, CITY_CASE[key].title())
            source.append(_source_row(c, city=CITY_CASE[key]))
        elif key in CITY_SPACES:
            _move_to(c, CITY_SPACES[key].strip(" \u3000"))
            source.append(_source_row(c, city=CITY_SPACES[key]))
        elif key in CREDIT_LIMIT:
            before, after = CREDIT_LIMIT[key]
            source.append(_source_row(c, limit=before))
            target.append(_target_row(c, limit=after))
            continue
        elif key in SOURCE_ONLY:
            source.append(_source_row(c, country=""))
            continue
        elif key in DUPLICATED:
            source.append(_source_row(c))
            cities = next(country[3] for country in COUNTRIES if country[0] == c["code"])
            source.append(_source_row(c, city=rng.choice([city for city in cities if city != c["city"]])))
        else:
            source.append(_source_row(c))
        target.append(_target_row(c))
    for number, key in enumerate(TARGET_ONLY, start=1):
        c = _customer(rng, key)
        c["name"] = f"测试客户 {number} (UAT)"
        target.append(_target_row(c))
    return _csv(SOURCE_COLUMNS, source, bom=True), _csv(TARGET_COLUMNS, target, bom=False)


def reconcile_accounts(project, run, accounts, requested_by) -> Reconciliation:
    """The rehearsal's accounts reconciliation: created and run once; found again on a re-seed."""
    existing = Reconciliation.objects.filter(
        project=project, run=run, migration_object=accounts, source_name=SOURCE_NAME
    ).order_by("pk").first()
    if existing is not None:
        return existing
    source, target = account_extracts()
    reconciliation = Reconciliation(
        project=project, run=run, migration_object=accounts, source_name=SOURCE_NAME, target_name=TARGET_NAME,
        keys=RECONCILIATION_KEYS, mapping=RECONCILIATION_MAPPING, transforms=RECONCILIATION_TRANSFORMS,
        tolerance=RECONCILIATION_TOLERANCE, status=ReconciliationStatus.QUEUED, requested_by=requested_by,
    )
    reconciliation.source_file.save(SOURCE_NAME, ContentFile(source), save=False)
    reconciliation.target_file.save(TARGET_NAME, ContentFile(target), save=False)
    reconciliation.save()

    from .reconciliation import run as run_reconciliation

    run_reconciliation(reconciliation.pk)
    reconciliation.refresh_from_db()
    return reconciliation


# --- Seeding -----------------------------------------------------------------------------------


def seed(project, users):
    """Data-migration registers of the demo project (idempotent)."""
    today = timezone.localdate()

    sources = {}
    for name, (owner, business_owner, held, count, fmt, dup, missing, outdated, quality, notes) in SOURCES.items():
        sources[name], _created = upsert(
            SourceSystem,
            {"project": project, "name": name},
            {
                "owner": users[owner], "business_owner": business_owner, "objects_held": held,
                "record_count": count, "data_format": fmt, "duplicate_rate": D(dup),
                "missing_fields_rate": D(missing), "outdated_rate": D(outdated), "quality": quality,
                "assessment": notes, "retire_after_go_live": True,
            },
        )

    objects = {}
    for name, (sequence, source, source_object, target, _after, owner, expected, rejected, reconciled, notes) in (
        OBJECTS.items()
    ):
        objects[name], _created = upsert(
            MigrationObject,
            {"project": project, "name": name},
            {
                "sequence": sequence, "source_system": sources[source], "source_object": source_object,
                "target_object": target, "owner": users[owner], "expected_records": expected,
                "max_rejected_rate": D(rejected), "min_reconciled_rate": D(reconciled), "notes": notes,
            },
        )
    for name, (*_head, after, _owner, _expected, _rejected, _reconciled, _notes) in OBJECTS.items():
        set_if_different(objects[name].depends_on, [objects[other] for other in after])

    for (obj, target_field), (source_field, transformation, cleansing, lookup, default, required, owner) in (
        MAPPINGS.items()
    ):
        upsert(
            FieldMapping,
            {"project": project, "migration_object": objects[obj], "target_field": target_field},
            {
                "source_field": source_field, "transformation": transformation, "cleansing_rule": cleansing,
                "lookup_table": lookup, "default_value": default, "required": required, "owner": users[owner],
            },
        )

    runs = {}
    for name, (day, environment, minutes, rehearsal, notes) in RUNS.items():
        runs[name], _created = upsert(
            MockRun,
            {"project": project, "name": name},
            {
                "run_date": today + datetime.timedelta(days=day), "environment": environment,
                "status": RunStatus.DONE, "duration_minutes": minutes, "is_rehearsal": rehearsal, "notes": notes,
            },
        )

    results = {}
    for run_name, rows in RUN_OBJECTS.items():
        for obj, (extracted, transformed, loaded, rejected, reconciled, minutes, errors, notes) in rows.items():
            values = {
                "extracted": extracted, "transformed": transformed, "loaded": loaded, "rejected": rejected,
                "errors": errors, "load_minutes": minutes, "notes": notes,
            }
            if reconciled is not None:  # else the run's reconciliation stores it
                values["reconciled_rate"] = D(reconciled)
            results[run_name, obj], _created = upsert(
                RunObject,
                {"project": project, "run": runs[run_name], "migration_object": objects[obj]},
                values,
            )

    raised_on = {}
    for title, (where, also, severity, priority, status, assignee, raised_by, description) in DEFECTS.items():
        defect, _created = upsert(
            Defect,
            {"project": project, "title": title},
            {
                "severity": severity, "priority": priority, "status": status, "assignee": users[assignee],
                "raised_by": users[raised_by], "description": description,
            },
            by=users[raised_by],
        )
        for key in [where, *also]:
            raised_on.setdefault(key, []).append(defect)
    for key, result in results.items():
        set_if_different(result.defects, raised_on.get(key, []))

    steps = {}
    for name, (stage, sequence, owner, planned, _after, obj, instructions, rollback) in STEPS.items():
        steps[name], _created = upsert(
            CutoverStep,
            {"project": project, "name": name},
            {
                "stage": stage, "sequence": sequence, "owner": users[owner], "planned_minutes": planned,
                "migration_object": objects[obj] if obj else None, "instructions": instructions,
                "rollback": rollback,
            },
        )
    for name, (_stage, _sequence, _owner, _planned, after, *_rest) in STEPS.items():
        set_if_different(steps[name].depends_on, [steps[other] for other in after])

    for run_name, timings in TIMINGS.items():
        for step, (minutes, notes) in timings.items():
            upsert(
                RehearsalTiming,
                {"project": project, "run": runs[run_name], "step": steps[step]},
                {"actual_minutes": minutes, "notes": notes},
            )

    reconcile_accounts(project, runs[RUN_NAMES[2]], objects[ACCOUNTS], users["evaluator3"])
    # Every defect exists now (UAT and migration): give them their past for the test dashboard.
    backdate_defects(project)
