"""Training and adoption demo data for Lumen Frames: curricula for the sales and service staff, sessions,
sign-offs, champions, feedback, and twelve weeks of CRM use by the Europe export sales team.

`seed(project, users)` is called by `manage.py seed_demo`. Enrolments in upcoming sessions, sign-offs,
acknowledgements and the quotation course's second version go through the training services, as the
trainer (Xu Mei, user `trainer`) would have done them, so the rules hold and the history names her.

* **Four departments.** Export sales (Europe) is the pilot department and has been live for twelve
  weeks (its own go-live); the other three follow at the project's target go-live. Europe is about 80%
  signed off (two people who missed the courses and a failed quotation test are overdue), the Americas
  and Middle East team about half, sales operations nearly all, and customer service is clearly
  lagging (about one in eight required courses signed off; its complaint-case course is full, with a
  waiting list).
* **Seven courses** for six job roles of the standard library (English names), with pass marks, a
  practical task (the walnut-frame quotation), a train-the-trainer course and material links. Sessions
  in the past were held (attendance, scores, sign-offs, evaluations); one was delivered by a sales
  manager trained as a trainer (train the trainer). Upcoming sessions are planned; three are full.
* **Adoption.** Licences per department (Europe added two in week five), targets (Europe 60% then 80%;
  80% for the whole project after its go-live), baseline figures before and after, one pulse survey
  with answers by department, three champions with the questions they answered, and a usage import of
  twelve weeks of daily rows (weekdays) for the twelve Europe people: the active-user rate climbs from
  40% to 75%, two people never log in, one was inactive last week. Generated with a fixed seed.

Dates hang on this week's Monday (Europe's go-live is the Monday twelve weeks before it; on a Sunday,
when the week is complete, the next Monday), so a run in the same week changes nothing and a run in a
later week moves the story by whole weeks. The other departments' licences and the project-wide target
follow the project's target go-live. Europe's go-live is the Monday the roadmap demo's pilot release
starts (on a Sunday, the Monday after), not that release's go-live milestone, which lies months ahead:
usage data must lie in the past.

Idempotent: rows are found again by natural keys (names, titles, employee IDs, the session's place
among its course's sessions, the usage import's file name) and saved only when a value differs;
sign-offs, enrolments and usage rows are never duplicated. Sign-off and acknowledgement dates are
set to the story's days after the service wrote them (the row and its history rows), as the roadmap
demo backdates its baselines.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projectcrm.core.choices import ImportStatus
from projectcrm.core.management.commands.seed_demo import EMAIL_DOMAIN, acting_as, upsert

from . import adoption, library, services, usage
from .choices import Delivery, EnrolmentStatus, SessionStatus
from .models import (
    AdoptionBaseline,
    AdoptionTarget,
    Champion,
    ChampionQuestion,
    Course,
    CurriculumItem,
    Department,
    Enrolment,
    JobRole,
    LicenceCount,
    PulseResponse,
    PulseSurvey,
    SessionFeedback,
    SignOff,
    Trainee,
    TrainingSession,
    UsageImport,
    UsageRecord,
)

SALES_LIVE_WEEKS_AGO = 12  # Europe went live on the Monday this many weeks before this week's Monday
SEED = 7_2024  # the fixed seed of every generated number (scores, acknowledgements, usage)
USAGE_FILE = "harbourline-usage-export-europe.csv"
MATERIALS = "https://lumenframes.example/training"
ROOM = "Ningbo head office, training room 3F"
MEET = "https://meet.lumenframes.example/crm-training"


def today() -> datetime.date:
    return timezone.localdate()


def this_monday(on: datetime.date | None = None) -> datetime.date:
    """The Monday after the last complete week (as the adoption figures count weeks): this week's Monday,
    except on a Sunday, when the week is complete and the anchor is tomorrow."""
    return adoption.last_complete_week(on or today()) + datetime.timedelta(weeks=1)


def sales_go_live(on: datetime.date | None = None) -> datetime.date:
    """Europe's go-live: the Monday SALES_LIVE_WEEKS_AGO weeks before `this_monday`."""
    return this_monday(on) - datetime.timedelta(weeks=SALES_LIVE_WEEKS_AGO)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# =============================================================================================
# Departments, job roles, courses, curricula
# =============================================================================================

EUROPE, AMERICAS, SERVICE, OPERATIONS = "europe", "americas", "service", "operations"
DEPARTMENTS = {  # key: (name, head, notes); Europe has its own go-live, the others the project's
    EUROPE: (
        "Export sales (Europe)", "Huang Tao",
        "Pilot department: live with the CRM since the pilot go-live. Ten licences at go-live, two more from "
        "week five after the licence true-up.",
    ),
    AMERICAS: (
        "Export sales (Americas & Middle East)", "Sun Yan",
        "Sun Yan's North America team and Ma Jun's Middle East and Australia team. Goes live at the "
        "project's target go-live.",
    ),
    SERVICE: (
        "Customer service", "Liu Fang",
        "Behind plan: half the team has not taken CRM essentials yet and the complaint-case course starts only "
        "now (busy season for claims after the autumn shipments). Goes live at the project's target go-live.",
    ),
    OPERATIONS: (
        "Sales operations", "Lin Hui",
        "The CRM team: customer data analysts, CRM administrators and the sales director. Goes live at the "
        "project's target go-live (the administrators have run the system since the pilot).",
    ),
}

ROLE_KEYS = ["salesperson", "sales-manager", "service-agent", "data-analyst", "crm-administrator", "executive"]

ESSENTIALS, QUOTATIONS, PIPELINE, CASES, DATA_QUALITY, TRAIN_TRAINER, ADMIN = (
    "essentials", "quotations", "pipeline", "cases", "data-quality", "train-the-trainer", "admin"
)


def materials(slug: str, *names: str) -> str:
    return "\n".join(f"{MATERIALS}/{slug}/{name}" for name in names)


COURSES = {
    ESSENTIALS: {
        "title": "CRM essentials: accounts, contacts and activities",
        "objectives": (
            "Find any customer in seconds, keep accounts and contacts clean with one owner each, and log every "
            "call, e-mail, visit and sample request against the right account."
        ),
        "modules": "\n".join([
            "Finding your way: home page, search and lists",
            "Accounts and contacts: one owner per account, no duplicates",
            "Logging calls, e-mails and visits as activities",
            "Tasks and reminders",
            "The mobile app at a trade fair",
        ]),
        "duration_hours": Decimal(3), "delivery": Delivery.CLASSROOM, "pass_mark": Decimal(70),
        "prerequisites": "",
        "materials": materials("crm-essentials", "slides.pdf", "exercise-workbook.pdf", "quick-reference-card.pdf"),
        "related_processes": (
            "To-be process: account ownership and handover\nUse case: log a customer contact\n"
            "Use case: find and merge a duplicate account"
        ),
    },
    QUOTATIONS: {
        "title": "Quotations from the product catalogue",
        "objectives": (
            "Build, price and send a quotation only from the governed catalogue and price list: valid moulding, "
            "size and finish combinations, the customer's volume discount, sizes in centimetres and inches."
        ),
        "modules": "\n".join([
            "The product catalogue: moulding profiles, sizes, finishes, glazing and mounts",
            "Configuring a frame (only valid combinations)",
            "Price lists in EUR and USD, volume discounts",
            "The quotation PDF and the follow-up",
            "From quotation to opportunity and order",
        ]),
        "duration_hours": Decimal(4), "delivery": Delivery.CLASSROOM, "pass_mark": Decimal(75),
        "practical_task": "Build a quotation for a walnut frame from the catalogue (50 x 70 cm, mount and glazing, "
                          "EUR price list with the importer's discount)",
        "prerequisites": "CRM essentials",
        "materials": materials("quotations", "slides.pdf", "walnut-frame-exercise.pdf", "price-list-guide.pdf"),
        "related_processes": (
            "To-be process: quotation from the catalogue\nUse case: configure and price a frame\n"
            "Change request: product configurator for moulding variants"
        ),
    },
    PIPELINE: {
        "title": "Pipeline, forecasts and dashboards",
        "objectives": (
            "Review the team's pipeline every week in the CRM instead of spreadsheets, forecast by market, read "
            "the sales and adoption dashboards, and coach the team on using the CRM."
        ),
        "modules": "\n".join([
            "Opportunity stages and what each one means at Lumen Frames",
            "The weekly pipeline review in the CRM",
            "Forecast by market and by customer",
            "Dashboards: sales, quotations, adoption",
            "Coaching your team on CRM use",
        ]),
        "duration_hours": Decimal(2), "delivery": Delivery.CLASSROOM,
        "prerequisites": "CRM essentials (managers), none for executives",
        "materials": materials("pipeline", "slides.pdf", "dashboard-guide.pdf"),
        "related_processes": "To-be process: weekly pipeline review\nUse case: forecast by market",
    },
    CASES: {
        "title": "Complaint cases and sample requests",
        "objectives": (
            "Turn every complaint e-mail into a case with an owner and a due date, answer within 48 hours, "
            "escalate on time, and track samples from the sample room to the customer."
        ),
        "modules": "\n".join([
            "Logging a complaint from an e-mail, with the photos",
            "The service queue and the 48-hour first response",
            "Escalation to the team lead and to production planning",
            "Credit notes and closing a case",
            "Sample requests: from the sample room to the customer",
        ]),
        "duration_hours": Decimal(3), "delivery": Delivery.CLASSROOM, "pass_mark": Decimal(70),
        "prerequisites": "CRM essentials",
        "materials": materials("complaint-cases", "slides.pdf", "case-exercises.pdf", "escalation-rules.pdf"),
        "related_processes": (
            "To-be process: complaint handling with escalation\nUse case: log a complaint from an e-mail\n"
            "Use case: track a sample request"
        ),
    },
    DATA_QUALITY: {
        "title": "Data quality and account handover",
        "objectives": (
            "Keep the key fields of accounts and contacts complete, merge duplicates, and hand an account over in a "
            "day when someone leaves or changes market."
        ),
        "modules": "\n".join([
            "Key fields and the completeness score",
            "Finding and merging duplicates",
            "The account handover checklist",
            "What the adoption dashboard shows about your data",
        ]),
        "duration_hours": Decimal("1.5"), "delivery": Delivery.ONLINE,
        "prerequisites": "CRM essentials",
        "materials": materials("data-quality", "recording.mp4", "handover-checklist.pdf"),
        "related_processes": "To-be process: account ownership and handover\nUse case: hand over an account",
    },
    TRAIN_TRAINER: {
        "title": "Key-user train the trainer",
        "objectives": (
            "Prepare key users to run the end-user courses for their own team, answer colleagues' questions as "
            "champions, and pass problems on to the CRM team."
        ),
        "modules": "\n".join([
            "How adults learn a new system",
            "Running CRM essentials with the trainer's kit",
            "Demonstrating the quotation and complaint scenarios",
            "Answering and logging colleagues' questions",
            "When to call the CRM administrator",
        ]),
        "duration_hours": Decimal(7), "delivery": Delivery.TRAIN_THE_TRAINER, "pass_mark": Decimal(80),
        "valid_months": 12,
        "prerequisites": "CRM essentials, and the course the key user will teach, signed off",
        "materials": materials("train-the-trainer", "trainer-kit.zip", "facilitation-guide.pdf"),
        "related_processes": "Roadmap: super users and champions",
    },
    ADMIN: {
        "title": "CRM administration: users, roles and the catalogue import",
        "objectives": (
            "Run the CRM day to day: add and remove users, assign roles and territories, maintain picklists, and "
            "load the monthly catalogue and price-list update from the ERP."
        ),
        "modules": "\n".join([
            "Users, licences, roles and territories",
            "Picklists and page layouts",
            "The monthly catalogue and price-list import",
            "The ERP interface: monitoring and errors",
            "First-line support and the vendor's help desk",
        ]),
        "duration_hours": Decimal(8), "delivery": Delivery.ON_THE_JOB,
        "prerequisites": "CRM essentials",
        "materials": materials("administration", "admin-runbook.pdf", "catalogue-import-guide.pdf"),
        "related_processes": "Use case: load the catalogue and price list\nUse case: add a user and a territory",
    },
}
COURSE_DEFAULTS = {"pass_mark": None, "practical_task": "", "valid_months": None}
QUOTATIONS_V2_NOTE = "Configurator exercise added (change request for moulding variants); sign-offs stay valid."

# role key -> [(course, required)]
CURRICULA = {
    "salesperson": [(ESSENTIALS, True), (QUOTATIONS, True), (DATA_QUALITY, True), (CASES, False)],
    "sales-manager": [(ESSENTIALS, True), (QUOTATIONS, True), (PIPELINE, True), (TRAIN_TRAINER, False)],
    "service-agent": [(ESSENTIALS, True), (CASES, True), (DATA_QUALITY, True)],
    "data-analyst": [(ESSENTIALS, True), (DATA_QUALITY, True), (PIPELINE, False)],
    "crm-administrator": [(ESSENTIALS, True), (ADMIN, True), (TRAIN_TRAINER, True)],
    "executive": [(PIPELINE, True)],
}

# =============================================================================================
# Trainees: employee ID, name, CRM user name, department, role, manager, demo user, active
# =============================================================================================


@dataclass(frozen=True)
class Person:
    employee_id: str
    name: str
    crm: str  # CRM user name (also the e-mail's local part)
    department: str
    role: str
    manager: str = ""  # name of the manager
    user: str = ""  # demo username, when the person has a login
    active: bool = True


TRAINEES = [
    # Export sales (Europe): the pilot, live for twelve weeks
    Person("LF-0101", "Huang Tao", "tao.huang", EUROPE, "sales-manager", "Lin Hui", user="member"),
    Person("LF-0102", "Anna Becker", "anna.becker", EUROPE, "sales-manager", "Huang Tao"),
    Person("LF-0103", "Song Jia", "jia.song", EUROPE, "salesperson", "Huang Tao"),
    Person("LF-0104", "Zhang Wei", "wei.zhang", EUROPE, "salesperson", "Huang Tao"),
    Person("LF-0105", "Chen Yu", "yu.chen", EUROPE, "salesperson", "Huang Tao"),
    Person("LF-0106", "Yang Jie", "jie.yang", EUROPE, "salesperson", "Huang Tao"),
    Person("LF-0107", "Zhou Xin", "xin.zhou", EUROPE, "salesperson", "Huang Tao"),
    Person("LF-0108", "Sophie Laurent", "sophie.laurent", EUROPE, "salesperson", "Anna Becker"),
    Person("LF-0109", "Marco Rossi", "marco.rossi", EUROPE, "salesperson", "Anna Becker"),
    Person("LF-0110", "Wang Fang", "fang.wang", EUROPE, "salesperson", "Anna Becker"),
    Person("LF-0111", "Olga Ivanova", "olga.ivanova", EUROPE, "salesperson", "Anna Becker"),
    Person("LF-0112", "Liu Yang", "yang.liu", EUROPE, "salesperson", "Anna Becker"),
    # Export sales (Americas & Middle East)
    Person("LF-0201", "Sun Yan", "yan.sun", AMERICAS, "sales-manager", "Lin Hui"),
    Person("LF-0202", "Ma Jun", "jun.ma", AMERICAS, "sales-manager", "Lin Hui"),
    Person("LF-0203", "David Miller", "david.miller", AMERICAS, "salesperson", "Sun Yan"),
    Person("LF-0204", "Hu Jing", "jing.hu", AMERICAS, "salesperson", "Sun Yan"),
    Person("LF-0205", "Xie Lan", "lan.xie", AMERICAS, "salesperson", "Sun Yan"),
    Person("LF-0206", "Carlos Mendes", "carlos.mendes", AMERICAS, "salesperson", "Sun Yan"),
    Person("LF-0207", "Omar Haddad", "omar.haddad", AMERICAS, "salesperson", "Ma Jun"),
    Person("LF-0208", "Fatima Al-Sayed", "fatima.alsayed", AMERICAS, "salesperson", "Ma Jun"),
    Person("LF-0209", "Gao Peng", "peng.gao", AMERICAS, "salesperson", "Ma Jun"),
    Person("LF-0210", "Tang Lei", "lei.tang", AMERICAS, "salesperson", "Ma Jun"),
    Person("LF-0211", "Kevin Tan", "kevin.tan", AMERICAS, "salesperson", "Ma Jun", active=False),  # left
    # Customer service
    Person("LF-0301", "Liu Fang", "fang.liu", SERVICE, "service-agent", user="evaluator2"),
    Person("LF-0302", "Wu Fang", "fang.wu", SERVICE, "service-agent", "Liu Fang"),
    Person("LF-0303", "Zhu Ying", "ying.zhu", SERVICE, "service-agent", "Wu Fang"),
    Person("LF-0304", "He Min", "min.he", SERVICE, "service-agent", "Wu Fang"),
    Person("LF-0305", "Emma Wilson", "emma.wilson", SERVICE, "service-agent", "Wu Fang"),
    Person("LF-0306", "Luo Jia", "jia.luo", SERVICE, "service-agent", "Wu Fang"),
    Person("LF-0307", "Kong Wen", "wen.kong", SERVICE, "service-agent", "Wu Fang"),
    Person("LF-0308", "Jiang Hao", "hao.jiang", SERVICE, "service-agent", "Liu Fang"),
    Person("LF-0309", "Priya Nair", "priya.nair", SERVICE, "service-agent", "Liu Fang"),
    Person("LF-0310", "Xu Lin", "lin.xu", SERVICE, "service-agent", "Liu Fang"),
    Person("LF-0311", "Ivy Chan", "ivy.chan", SERVICE, "service-agent", "Liu Fang"),
    # Sales operations
    Person("LF-0401", "Lin Hui", "hui.lin", OPERATIONS, "executive", user="steering"),
    Person("LF-0402", "Sun Qiang", "qiang.sun", OPERATIONS, "data-analyst", "Lin Hui", user="evaluator3"),
    Person("LF-0403", "Liu Na", "na.liu", OPERATIONS, "data-analyst", "Lin Hui"),
    Person("LF-0404", "Ren Xiao", "xiao.ren", OPERATIONS, "data-analyst", "Sun Qiang"),
    Person("LF-0405", "Feng Yue", "yue.feng", OPERATIONS, "crm-administrator", "Lin Hui"),
    Person("LF-0406", "Zheng Hao", "hao.zheng", OPERATIONS, "crm-administrator", "Feng Yue"),
]

# =============================================================================================
# Sessions: (anchor, weeks, weekday) -> the day; "live" = Europe's go-live Monday, "now" = this Monday
# =============================================================================================


@dataclass(frozen=True)
class SessionPlan:
    key: str
    course: str
    when: tuple  # (anchor, weeks from it, weekday 0..4)
    hour: int
    capacity: int
    people: tuple  # names, in the order they were enrolled
    absent: tuple = ()  # names who did not come (held sessions)
    scores: dict = field(default_factory=dict)  # name -> score; the others' scores are generated
    delivered_by: str = ""
    online: bool = False
    cancelled: bool = False
    notes: str = ""


EUROPE_ALL = tuple(p.name for p in TRAINEES if p.department == EUROPE)
EUROPE_LAGGARDS = ("Yang Jie", "Marco Rossi")  # missed training, never log in
EUROPE_TRAINED = tuple(n for n in EUROPE_ALL if n not in EUROPE_LAGGARDS)
EUROPE_SALES = tuple(p.name for p in TRAINEES if p.department == EUROPE and p.role == "salesperson"
                     and p.name not in EUROPE_LAGGARDS)
AMERICAS_ALL = tuple(p.name for p in TRAINEES if p.department == AMERICAS and p.active)
AMERICAS_SALES = tuple(p.name for p in TRAINEES if p.department == AMERICAS and p.active and p.role == "salesperson")
SERVICE_ALL = tuple(p.name for p in TRAINEES if p.department == SERVICE)
SERVICE_FIRST = ("Liu Fang", "Wu Fang", "Zhu Ying", "He Min", "Emma Wilson")
SERVICE_REST = ("He Min",) + tuple(n for n in SERVICE_ALL if n not in SERVICE_FIRST)
ANALYSTS = ("Sun Qiang", "Liu Na", "Ren Xiao")
ADMINS = ("Feng Yue", "Zheng Hao")

SESSIONS = [
    # Before Europe's go-live
    SessionPlan("ttt-1", TRAIN_TRAINER, ("live", -2, 1), 9, 6,
                ("Huang Tao", "Anna Becker", "Song Jia", "Wu Fang", "Feng Yue"),
                notes="Key users of the pilot, plus Wu Fang to prepare customer service."),
    SessionPlan("essentials-europe", ESSENTIALS, ("live", -2, 3), 9, 12, EUROPE_ALL, absent=EUROPE_LAGGARDS,
                notes="Yang Jie and Marco Rossi were visiting an importer in Hamburg; to be rebooked."),
    SessionPlan("quotations-europe", QUOTATIONS, ("live", -1, 1), 9, 12, EUROPE_TRAINED,
                scores={"Zhou Xin": Decimal(62)},
                notes="Zhou Xin scored below the pass mark and is booked on the re-sit."),
    SessionPlan("pipeline-managers", PIPELINE, ("live", -1, 3), 14, 10,
                ("Huang Tao", "Anna Becker", "Lin Hui", "Sun Yan", "Ma Jun")),
    # After Europe's go-live
    SessionPlan("data-quality-europe", DATA_QUALITY, ("live", 2, 2), 16, 12, EUROPE_SALES, delivered_by="Huang Tao",
                online=True, notes="Run by Huang Tao for his own team after the train-the-trainer course."),
    SessionPlan("admin", ADMIN, ("now", -8, 0), 9, 2, ADMINS, notes="On the job with the vendor's consultant."),
    SessionPlan("essentials-americas-moved", ESSENTIALS, ("now", -6, 1), 9, 12, (), cancelled=True,
                notes="Cancelled: the Middle East team was at the Dubai trade fair. Moved one week."),
    SessionPlan("essentials-americas", ESSENTIALS, ("now", -5, 1), 9, 12, AMERICAS_ALL),
    SessionPlan("essentials-service-ops", ESSENTIALS, ("now", -3, 2), 9, 12,
                SERVICE_FIRST + ANALYSTS + ADMINS, absent=("He Min",),
                notes="He Min was on sick leave."),
    SessionPlan("data-quality-ops", DATA_QUALITY, ("now", -2, 3), 14, 12, ANALYSTS, online=True),
    SessionPlan("quotations-americas", QUOTATIONS, ("now", -1, 1), 9, 8,
                ("Sun Yan", "Ma Jun", "David Miller", "Hu Jing", "Omar Haddad", "Xie Lan"),
                scores={"Omar Haddad": Decimal(68)}),
    # Upcoming
    SessionPlan("essentials-service-2", ESSENTIALS, ("now", 1, 1), 9, 8, SERVICE_REST + EUROPE_LAGGARDS,
                delivered_by="Wu Fang", notes="Run by Wu Fang, customer service's key user."),
    SessionPlan("quotations-resit", QUOTATIONS, ("now", 1, 3), 14, 6,
                ("Zhou Xin", "Omar Haddad", "Carlos Mendes", "Gao Peng", "Fatima Al-Sayed", "Tang Lei",
                 *EUROPE_LAGGARDS),
                notes="Re-sit for Zhou Xin and Omar Haddad, and the rest of the Americas team."),
    SessionPlan("cases-1", CASES, ("now", 2, 1), 9, 8, SERVICE_ALL,
                notes="Full: the three on the waiting list move up if anyone cancels, else to the next session."),
    SessionPlan("data-quality-wave", DATA_QUALITY, ("now", 3, 2), 15, 20, SERVICE_ALL + AMERICAS_SALES, online=True),
    SessionPlan("cases-2", CASES, ("now", 4, 1), 9, 8, ("David Miller", "Hu Jing")),
    SessionPlan("ttt-2", TRAIN_TRAINER, ("now", 5, 0), 9, 6, ("Sun Yan", "Ma Jun", "Zheng Hao")),
]
QUOTATIONS_V2_AFTER = ("live", 3, 0)  # the configurator exercise was added before the Americas courses

# Session evaluations: session key -> [(name, rating, comment)]
FEEDBACK = {
    "essentials-europe": [
        ("Zhang Wei", 5, "Clear and practical; the exercise with our own customers helped."),
        ("Sophie Laurent", 4, "Good pace. I would like more time on the mobile app."),
        ("Wang Fang", 4, ""),
        ("Chen Yu", 3, "Too much time on settings, not enough on logging e-mails."),
    ],
    "quotations-europe": [
        ("Song Jia", 5, "The walnut-frame exercise was exactly our daily work."),
        ("Zhou Xin", 2, "Too fast for me; I need another session on discounts."),
        ("Olga Ivanova", 4, "Good, but the configurator was slow on the training system."),
    ],
    "data-quality-europe": [
        ("Wang Fang", 5, "Huang Tao used our own duplicates as examples: very useful."),
        ("Liu Yang", 4, ""),
        ("Sophie Laurent", 4, "Short and to the point."),
    ],
    "essentials-americas": [
        ("David Miller", 4, "Good overview; looking forward to the quotation course."),
        ("Omar Haddad", 3, "Arabic customer names did not search well in the test system."),
    ],
}

# =============================================================================================
# Champions, pulse survey, licences, targets, baselines
# =============================================================================================

# name: (since (anchor, weeks, weekday), recognition, [(asked (anchor, weeks, weekday), asked by, question, answer)])
CHAMPIONS = {
    "Song Jia": (("live", -2, 2), (
        "Answered most of the Europe team's questions in the first month after go-live, recorded a two-minute "
        "video of the walnut-frame quotation that the whole team now uses, and keeps the best data completeness "
        "in the department."
    ), [
        (("live", 0, 2), "Zhang Wei", "How do I copy last year's quotation for a returning customer?",
         "Open the old quotation and choose Copy; prices are refreshed from the current EUR price list, so check "
         "the discount line before you send it."),
        (("live", 0, 3), "Wang Fang", "The configurator will not offer 100 x 150 cm for the oak profile. Is it broken?",
         "No: that profile is not made in that size. The catalogue lists the sizes per profile; choose profile "
         "2015 or quote two frames."),
        (("live", 1, 2), "Olga Ivanova",
         "Where do I log a sample request from a trade-fair visitor who is not a customer yet?",
         "Create the account as a prospect first (the duplicate check runs as you type), then add the sample "
         "request as an activity on it."),
        (("live", 2, 1), "Sophie Laurent", "Can I see the quotations my predecessor sent to Maison Cadre?",
         "Yes: open the account; its history lists every quotation since the migration, with the PDFs."),
        (("live", 4, 0), "Chen Yu", "How do I show sizes in inches for the UK buyer?",
         "Choose the 'UK and US' layout when you create the PDF: it prints centimetres and inches side by side."),
        (("live", 7, 3), "Zhou Xin", "My forecast is empty on the dashboard.",
         "The forecast counts only opportunities with an expected close date; add the dates and it fills up at "
         "the next refresh."),
    ]),
    "Wu Fang": (("now", -3, 2), (
        "Took the train-the-trainer course before her team's go-live and will run CRM essentials for customer "
        "service herself; collects her colleagues' worries about the complaint cases for the project team."
    ), [
        (("now", -2, 2), "Zhu Ying", "Will complaints still come to the shared mailbox after go-live?",
         "Yes, but every e-mail becomes a case automatically; we answer from the case so the history stays with "
         "the customer."),
        (("now", -1, 1), "Emma Wilson", "Can we see which samples a customer has already received?",
         "The second wave adds sample requests with dates; until then the Europe team logs them as activities on "
         "the account."),
    ]),
    "Liu Na": (("live", 0, 0), (
        "Cleaned and de-duplicated about 1,900 customer records before the pilot go-live and answers the weekly "
        "data-quality questions of both sales teams."
    ), [
        (("live", 1, 0), "Huang Tao", "Why does the completeness score count the VAT number?",
         "The order desk needs it for every EU customer; the score uses the fields the to-be process marks as key."),
        (("live", 5, 2), "Anna Becker", "Two Nordic importers appear twice after the migration.",
         "Merged both; the duplicate check now also matches the VAT number."),
        (("live", 9, 0), "Sun Yan", "Can the Americas customer lists be loaded before our training?",
         "Yes: send them by the end of the month and they are profiled and loaded into the training system."),
    ]),
}

PULSE = {
    "title": "Pulse survey: eight weeks after the pilot go-live",
    "question": "How confident are you about working in the CRM every day (or, if your team is not live yet, "
                "about starting)?",
    "sent": ("live", 8, 2),
    "responses": {  # department -> [(rating, comment)]
        EUROPE: [
            (4, "Quotations take half the time now."), (5, "Every customer's history is in one place."), (4, ""),
            (4, "The configurator saves me checking the catalogue PDF."), (3, "Logging e-mails still takes too many clicks."),
            (5, ""), (4, "Good, but the mobile app is slow at trade fairs."), (2, "I still keep my spreadsheet, just in case."),
        ],
        AMERICAS: [
            (3, "Looking forward to it after seeing the Europe team's quotes."), (4, ""),
            (3, "Worried about sharing my customers with colleagues."), (2, "We have not had the quotation course yet."),
        ],
        SERVICE: [
            (2, "We have not been trained on cases yet."), (2, "Will we type complaints twice, in the mailbox and the CRM?"),
            (3, "The essentials course was good."), (1, "Nobody has told us when we go live."),
            (2, "No time for training in the claims season."),
        ],
        OPERATIONS: [
            (4, ""), (5, "The data is much cleaner since the pilot."), (4, "The catalogue import now works every month."),
            (4, ""),
        ],
    },
}

# department -> [(weeks after its go-live, licences)]; Europe's go-live is its own, the others' the project's
LICENCES = {EUROPE: [(0, 10), (4, 12)], AMERICAS: [(0, 10)], SERVICE: [(0, 11)], OPERATIONS: [(0, 6)]}
# (department or None for the project, weeks after the go-live, rate %): keyed by department and rate
TARGETS = [(EUROPE, 4, Decimal(60)), (EUROPE, 10, Decimal(80)), (None, 12, Decimal(80))]
BASELINES = [  # measure, before, unit, after (None: not measured yet), note
    ("Quotation errors per month (Europe)", Decimal(14), "errors", Decimal(5),
     "Wrong moulding codes, sizes or prices found by customers or the order desk, counted from credit notes and "
     "re-issued quotations. After: the average of the last four weeks."),
    ("Average time to answer a new lead", Decimal(30), "hours", Decimal(9),
     "From the enquiry e-mail to the first reply, sampled from 40 leads before go-live; after: from the CRM."),
    ("Quotation turnaround", Decimal(2), "days", Decimal("0.5"),
     "From the request to the quotation sent (pilot goal: the same day)."),
    ("Europe accounts without a clear owner", Decimal(46), "accounts", Decimal(3),
     "Accounts claimed by two salespeople or by nobody in the spreadsheets; after: accounts awaiting handover."),
    ("Complaints answered within 48 hours", Decimal(62), "%", None,
     "Customer service, from the mailbox folders; measured again after customer service goes live."),
]
BASELINE_WEEKS_BEFORE = 4

# =============================================================================================
# Usage: who uses the CRM from which week (1..12), and the exceptions
# =============================================================================================

USAGE_FROM_WEEK = {  # CRM user name -> first week with a login
    "tao.huang": 1, "jia.song": 1, "anna.becker": 1, "wei.zhang": 1, "olga.ivanova": 2, "yu.chen": 4,
    "fang.wang": 5, "sophie.laurent": 7, "xin.zhou": 9, "yang.liu": 11,
}  # active each week from then on: 4, 5, 5, 6 of 10 licences, then 7, 6, 8, 8, 9, 9, 10, 9 of 12
USAGE_AWAY = {("anna.becker", 6), ("olga.ivanova", 12)}  # (person, week): trade fair, annual leave
COMPLETENESS_BIAS = {"jia.song": 0.08, "tao.huang": 0.03, "xin.zhou": -0.07, "yang.liu": -0.04}


# =============================================================================================
# Seeding
# =============================================================================================


def when(spec: tuple, go_live: datetime.date, monday: datetime.date) -> datetime.date:
    anchor, weeks, weekday = spec
    return (go_live if anchor == "live" else monday) + datetime.timedelta(weeks=weeks, days=weekday)


def at(day: datetime.date, hour: float) -> datetime.datetime:
    minutes = round(hour * 60)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60)))


@dataclass
class Story:
    """What the steps share: the project, the people, the rows found or made so far."""

    project: object
    users: dict
    go_live: datetime.date  # Europe's
    monday: datetime.date  # this week's
    project_go_live: datetime.date
    departments: dict = field(default_factory=dict)  # key -> Department
    roles: dict = field(default_factory=dict)  # key -> JobRole
    courses: dict = field(default_factory=dict)  # key -> Course
    trainees: dict = field(default_factory=dict)  # name -> Trainee
    sessions: dict = field(default_factory=dict)  # key -> TrainingSession

    @property
    def trainer(self):
        return self.users["trainer"]

    def day(self, spec: tuple) -> datetime.date:
        return when(spec, self.go_live, self.monday)


def seed(project, users):
    """The demo project's training and adoption data (idempotent; see the module docstring)."""
    monday = this_monday()
    story = Story(project, users, sales_go_live(), monday, project.target_go_live or monday + datetime.timedelta(weeks=22))
    with transaction.atomic():
        with acting_as(story.trainer):
            seed_catalogue(story)
            seed_trainees(story)
            seed_sessions(story)
            seed_held_sessions(story)
            seed_sign_offs(story)
            seed_upcoming_enrolments(story)
            seed_feedback(story)
            seed_champions(story)
        with acting_as(users["pm"]):
            seed_pulse(story)
            seed_licences_and_targets(story)
            seed_baselines(story)
        seed_usage(story)


def seed_catalogue(story: Story):
    project = story.project
    for key, (name, head, notes) in DEPARTMENTS.items():
        story.departments[key] = upsert(
            Department, {"project": project, "name": name},
            {"head": head, "notes": notes, "go_live": story.go_live if key == EUROPE else None},
        )[0]
    standard = {entry["key"]: entry for entry in library.localised("en")}
    for key in ROLE_KEYS:
        entry = standard[key]
        story.roles[key] = upsert(
            JobRole, {"project": project, "name": entry["name"]},
            {"description": entry["description"], "catalogue_key": key},
        )[0]
    for key, values in COURSES.items():
        values = {**COURSE_DEFAULTS, **values}
        title = values.pop("title")
        story.courses[key] = upsert(Course, {"project": project, "title": title}, values)[0]
    for role, items in CURRICULA.items():
        for course, required in items:
            upsert(
                CurriculumItem, {"project": project, "job_role": story.roles[role], "course": story.courses[course]},
                {"required": required},
            )


def seed_trainees(story: Story):
    """Trainees, managers before the people who report to them (so each row is written once)."""
    waiting = list(TRAINEES)
    while waiting:
        later = []
        for person in waiting:
            if person.manager and person.manager not in story.trainees:
                later.append(person)
                continue
            story.trainees[person.name] = upsert(
                Trainee, {"project": story.project, "employee_id": person.employee_id},
                {
                    "name": person.name, "email": f"{person.crm}@{EMAIL_DOMAIN}", "crm_username": person.crm,
                    "department": story.departments[person.department], "job_role": story.roles[person.role],
                    "manager": story.trainees.get(person.manager), "licensed": person.department == EUROPE,
                    "active": person.active, "user": story.users[person.user] if person.user else None,
                },
            )[0]
        if len(later) == len(waiting):
            raise ValueError(f"Managers missing from TRAINEES: {sorted({p.manager for p in later})}")
        waiting = later


def seed_sessions(story: Story):
    """Each course's demo sessions, matched to its existing sessions in the order of their numbers."""
    existing: dict = {}
    for session in TrainingSession.objects.filter(project=story.project).order_by("number"):
        existing.setdefault(session.course_id, []).append(session)
    for plan in SESSIONS:
        course = story.courses[plan.course]
        day = story.day(plan.when)
        starts = at(day, plan.hour)
        past = day < story.monday
        status = SessionStatus.CANCELLED if plan.cancelled else SessionStatus.HELD if past else SessionStatus.PLANNED
        values = {
            "starts": starts, "ends": starts + datetime.timedelta(hours=float(course.duration_hours)),
            "trainer": story.trainer, "delivered_by": story.trainees.get(plan.delivered_by),
            "location": "" if plan.online else ROOM, "link": MEET if plan.online else "",
            "capacity": plan.capacity, "status": status, "notes": plan.notes,
        }
        queue = existing.get(course.pk)
        if queue:
            story.sessions[plan.key] = upsert(TrainingSession, {"pk": queue.pop(0).pk}, values)[0]
        else:
            session = TrainingSession(project=story.project, course=course, **values)
            session.save()
            story.sessions[plan.key] = session


def held(story: Story, plan: SessionPlan) -> bool:
    return story.sessions[plan.key].status == SessionStatus.HELD


def planned_scores(plan: SessionPlan, course: Course) -> dict:
    """name -> score of the people who came: the plan's own, the others generated (above the pass mark)."""
    if course.pass_mark is None:
        return {}
    rng = random.Random(f"{SEED}:{plan.key}")
    low = max(float(course.pass_mark) + 3, 72)
    return {
        name: plan.scores.get(name, Decimal(round(rng.uniform(low, 98)))) for name in plan.people if name not in plan.absent
    }


def seed_held_sessions(story: Story):
    """Enrolments of held sessions with attendance and scores (new ones in bulk, the trainer's history)."""
    existing = {
        (e.session_id, e.trainee_id): e
        for e in Enrolment.objects.filter(project=story.project, session__status=SessionStatus.HELD)
    }
    new = []
    for plan in SESSIONS:
        if not held(story, plan):
            continue
        session = story.sessions[plan.key]
        scores = planned_scores(plan, story.courses[plan.course])
        for name in plan.people:
            trainee = story.trainees[name]
            values = {"status": EnrolmentStatus.ENROLLED, "attended": name not in plan.absent, "score": scores.get(name)}
            row = existing.get((session.pk, trainee.pk))
            if row is None:
                new.append(Enrolment(project=story.project, session=session, trainee=trainee, **values))
            else:
                upsert(Enrolment, {"pk": row.pk}, values)
    if new:
        bulk_create_with_history(new, Enrolment, default_user=story.trainer)


def seed_sign_offs(story: Story):
    """The trainer signs off everyone who came to a held session and passed (through the service)."""
    signed = {(s.trainee_id, s.course_id): s for s in SignOff.objects.filter(project=story.project)}
    version_day = story.day(QUOTATIONS_V2_AFTER)
    rng = random.Random(f"{SEED}:sign-off")
    for plan in SESSIONS:
        if not held(story, plan):
            continue
        session = story.sessions[plan.key]
        course = story.courses[plan.course]
        day = timezone.localtime(session.starts).date()
        if plan.course == QUOTATIONS and day > version_day and course.content_version == 1:
            services.new_course_version(course, story.trainer, material=False, note=QUOTATIONS_V2_NOTE)
        scores = planned_scores(plan, course)
        for name in plan.people:
            # Drawn for everyone, so a change in one person's result leaves the others' dates alone.
            acknowledged_after = rng.choice([1, 1, 2, 3, None])
            if name in plan.absent or services.passes(course, scores.get(name)) is False:
                continue
            trainee = story.trainees[name]
            row = signed.get((trainee.pk, course.pk))
            if row is None:
                row = services.sign_off(
                    trainee, course, story.trainer, session=session, practical_done=bool(course.practical_task),
                    note="Built the walnut-frame quotation unaided." if course.practical_task else "",
                )
            acknowledged = None
            if acknowledged_after is not None:
                acknowledged = min(day + datetime.timedelta(days=acknowledged_after), today())
                if row.acknowledged_on is None:
                    services.acknowledge(row)
            backdate_sign_off(row, day, acknowledged)


def backdate_sign_off(row: SignOff, signed_on: datetime.date, acknowledged: datetime.date | None):
    """Date a sign-off (and its acknowledgement, if the trainee gave it) to the story's days: the row and
    its history rows. Nothing is written when the dates are already right."""
    signed_at = at(signed_on, 17)
    found = SignOff.objects.filter(pk=row.pk).values("signed_on", "acknowledged_on").get()
    acknowledged_at = found["acknowledged_on"]
    if acknowledged_at is not None and acknowledged is not None:
        acknowledged_at = at(acknowledged, 9.5)
    if (found["signed_on"], found["acknowledged_on"]) == (signed_on, acknowledged_at):
        return
    SignOff.objects.filter(pk=row.pk).update(signed_on=signed_on, created=signed_at, acknowledged_on=acknowledged_at)
    history = SignOff.history.filter(id=row.pk)
    history.update(signed_on=signed_on, created=signed_at)
    history.filter(history_type="+").update(history_date=signed_at)
    if acknowledged_at is not None:
        history.exclude(acknowledged_on=None).update(acknowledged_on=acknowledged_at)
        history.filter(history_type="~").exclude(acknowledged_on=None).update(history_date=acknowledged_at)


def seed_upcoming_enrolments(story: Story):
    """Enrol the planned sessions' people through the service: places in order, then the waiting list.
    People already in a session are skipped by the service (nothing written)."""
    for plan in SESSIONS:
        session = story.sessions[plan.key]
        if session.status != SessionStatus.PLANNED or not plan.people:
            continue
        present = set(Enrolment.objects.filter(session=session).values_list("trainee__name", flat=True))
        wanted = [story.trainees[name] for name in plan.people if name not in present]
        if wanted:
            services.enrol(session, wanted, story.trainer)


def seed_feedback(story: Story):
    for key, rows in FEEDBACK.items():
        session = story.sessions[key]
        if session.status != SessionStatus.HELD:
            continue
        for name, rating, comment in rows:
            upsert(
                SessionFeedback, {"project": story.project, "session": session, "trainee": story.trainees[name]},
                {"rating": rating, "comments": comment},
            )


def seed_champions(story: Story):
    for name, (since, recognition, questions) in CHAMPIONS.items():
        champion = upsert(
            Champion, {"project": story.project, "trainee": story.trainees[name]},
            {"since": story.day(since), "recognition": recognition},
        )[0]
        for asked, asked_by, question, answer in questions:
            upsert(
                ChampionQuestion, {"project": story.project, "champion": champion, "question": question},
                {"asked_on": story.day(asked), "asked_by": asked_by, "answer": answer},
            )


def seed_pulse(story: Story):
    survey = upsert(
        PulseSurvey, {"project": story.project, "title": PULSE["title"]},
        {"question": PULSE["question"], "sent_on": story.day(PULSE["sent"])},
    )[0]
    for key, answers in PULSE["responses"].items():
        department = story.departments[key]
        existing = list(PulseResponse.objects.filter(survey=survey, department=department).order_by("pk"))
        for index, (rating, comment) in enumerate(answers):
            values = {"rating": rating, "comment": comment}
            if index < len(existing):
                upsert(PulseResponse, {"pk": existing[index].pk}, values)
            else:
                PulseResponse.objects.create(project=story.project, survey=survey, department=department, **values)


def department_go_live(story: Story, key: str | None) -> datetime.date:
    return story.go_live if key == EUROPE else monday_of(story.project_go_live)


def seed_licences_and_targets(story: Story):
    for key, counts in LICENCES.items():
        department = story.departments[key]
        existing = list(LicenceCount.objects.filter(department=department).order_by("start", "pk"))
        for index, (weeks, count) in enumerate(counts):
            values = {"start": department_go_live(story, key) + datetime.timedelta(weeks=weeks), "count": count}
            if index < len(existing):
                upsert(LicenceCount, {"pk": existing[index].pk}, values)
            else:
                LicenceCount.objects.create(project=story.project, department=department, **values)
    for key, weeks, rate in TARGETS:
        upsert(
            AdoptionTarget, {"project": story.project, "department": story.departments.get(key), "rate": rate},
            {"date": department_go_live(story, key) + datetime.timedelta(weeks=weeks)},
        )


def seed_baselines(story: Story):
    captured = story.go_live - datetime.timedelta(weeks=BASELINE_WEEKS_BEFORE)
    for metric, value, unit, after, note in BASELINES:
        upsert(
            AdoptionBaseline, {"project": story.project, "metric": metric},
            {"value": value, "unit": unit, "after_value": after, "captured_on": captured, "note": note},
        )


# --- Usage ------------------------------------------------------------------------------------


def usage_rows(story: Story) -> list[tuple]:
    """Daily rows (weekdays) of the Europe people for the twelve weeks since go-live, in a fixed order.

    Each row: (person, day, week, logins, {count field: value}, completeness or None).
    """
    rng = random.Random(f"{SEED}:usage")
    people = [p for p in TRAINEES if p.department == EUROPE]
    rows = []
    for week in range(1, SALES_LIVE_WEEKS_AGO + 1):
        monday = story.go_live + datetime.timedelta(weeks=week - 1)
        for person in people:
            start = USAGE_FROM_WEEK.get(person.crm)
            active = start is not None and week >= start and (person.crm, week) not in USAGE_AWAY
            experience = week - start if start is not None else 0
            days = set()
            if active:
                count = min(5, 2 + experience // 2 + rng.randint(0, 1))
                days = set(rng.sample(range(5), count))
            quality = min(0.97, 0.52 + 0.03 * week + COMPLETENESS_BIAS.get(person.crm, 0) + rng.uniform(-0.03, 0.03))
            manager = person.role == "sales-manager"
            for weekday in range(5):
                day = monday + datetime.timedelta(days=weekday)
                if weekday not in days:
                    rows.append((person.crm, day, monday, 0, {}, None))
                    continue
                scale = min(1.0, 0.4 + 0.12 * experience)
                counts = {
                    "activities_created": round(rng.randint(1, 5) * scale) if not manager else rng.randint(0, 2),
                    "contacts_created": rng.randint(0, 1),
                    "accounts_created": 1 if rng.random() < 0.1 else 0,
                    "opportunities_created": rng.randint(0, 2) if not manager else rng.randint(0, 1),
                    "accounts_updated": round(rng.randint(0, 3) * scale),
                    "contacts_updated": round(rng.randint(0, 2) * scale),
                    "opportunities_updated": rng.randint(1, 4) if manager else round(rng.randint(0, 2) * scale),
                    "activities_updated": rng.randint(0, 1),
                }
                records = sum(counts.values())
                completeness = round(max(0.3, quality + rng.uniform(-0.05, 0.05)), 3) if records else None
                rows.append((person.crm, day, monday, rng.randint(1, 2 + min(experience, 4) // 2), counts, completeness))
    return rows


def seed_usage(story: Story):
    """A finished usage import of the Europe team's twelve weeks: rebuilt only when the period moved."""
    rows = usage_rows(story)
    first_day = story.go_live
    last_day = story.monday - datetime.timedelta(days=1)  # the Sunday of the last complete week (maybe today)
    project = story.project
    job = UsageImport.objects.filter(project=project, filename=USAGE_FILE).order_by("pk").first()
    if (
        job is not None and job.status == ImportStatus.DONE and (job.first_day, job.last_day) == (first_day, last_day)
        and job.total_rows == len(rows) and UsageRecord.objects.filter(batch=job).count() == len(rows)
    ):
        return
    with transaction.atomic():
        if job is None:
            job = UsageImport(project=project, filename=USAGE_FILE, content=b"")
        persons = sorted({row[0] for row in rows})
        if job.pk:
            UsageRecord.objects.filter(batch=job).delete()
        UsageRecord.objects.filter(project=project, person__in=persons, day__range=(first_day, last_day)).delete()
        job.user = story.users["pm"]
        job.status = ImportStatus.DONE
        job.total_rows = job.processed_rows = len(rows)
        job.first_day, job.last_day = first_day, last_day
        job.error = ""
        job.finished = timezone.now()
        job.save()
        UsageRecord.objects.bulk_create(
            [
                UsageRecord(project=project, person=person, day=day, week=week, logins=logins, completeness=completeness,
                            batch=job, **counts)
                for person, day, week, logins, counts, completeness in rows
            ],
            batch_size=1000,
        )
        usage.refresh_weeks(project.pk)
