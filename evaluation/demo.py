"""Evaluation demo data for Lumen Frames: the CRM software selection, decided, and the selection of
the implementation partner, under way.

`seed(project, users)` is called by `manage.py seed_demo`. Every step goes through the evaluation's
own services (the starter catalogue, direct weights, rounds, blind scores, consensus, the decision),
as the people named in it would have done it, so the history reads like a real selection.

* **CRM software selection** (lead: Wang Lei, IT manager). The whole software catalogue plus two
  scripted demos, five vendors (invented names), four evaluators who disagree now and then, one
  vendor knocked out because it cannot host data in mainland China, consensus on every item, and
  the decision. The scores come from a fixed pseudo-random generator: a "true" quality per vendor
  and criterion, each evaluator's own bias (Sun Qiang generous, Chen Jing strict) and noise; a
  handful of items carry a scripted disagreement with the evaluators' comments and the rationale
  agreed at the consensus meeting. `software_plan()` tries the seeds from SOFTWARE_SEED up and keeps
  the first whose ranking tells the story (Harbourline first, Kestrel a few points behind), so the
  data stays deterministic even when the catalogue's weights are edited.
* **Implementation partner selection** (lead: Chen Jing, project manager). The partner catalogue with
  weights re-entered by the lead, four consultancies, and an open round in which two evaluators have
  given part of their scores (blind, no consensus yet).

Idempotent: rows are found again by natural keys (evaluation, category, criterion and candidate
names, cost lines by candidate, category and year, references by company) and saved only when a
value differs. Rounds, scores, consensus and the decision are played once: when an evaluation
already has a round, they are left as they are. Dates are relative to today, so a run on a later
day moves the timeline, the round dates and the reference dates along.
"""

from __future__ import annotations

import datetime
import random
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projectcrm.core.management.commands.seed_demo import acting_as, upsert

from . import catalogue, results, services
from .choices import (
    CandidateStatus,
    ConsensusMethod,
    CostCategory,
    CostMode,
    CriterionKind,
    LicenceModel,
    RoundStatus,
    Stage,
    Subject,
)
from .models import (
    Assignment,
    Candidate,
    Category,
    Consensus,
    CostItem,
    Criterion,
    Evaluation,
    ReferenceCheck,
    Round,
    Score,
    TeamMember,
)
from .weights import add_from_catalogue, item_key, save_direct_weights

SOFTWARE_NAME = "CRM software selection"
PARTNER_NAME = "Implementation partner selection"
SOFTWARE_SEED = 2024
PARTNER_SEED = 7
TARGET_GAP = (3.5, 7.5)  # points between the top two that the software plan aims for (the story needs 3-8)
CENT = Decimal("0.01")
SCALE = (0, 5)
SHARE = "https://lumenframes.example/share/crm-selection"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def moment(n: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(days(n), datetime.time(hour, 0)))


# =============================================================================================
# CRM software selection
# =============================================================================================

SOFTWARE = {
    "subject": Subject.SOFTWARE,
    "description": (
        "Choosing the packaged cloud CRM for export sales and customer service (steering committee 1 "
        "decided to buy, not build). A market scan gave a long list of nine products; five vendors "
        "answered the written request for proposal and showed our two scripted demos to the key users. "
        "Criteria: the starter software catalogue plus the two demos. Knock-outs: data hosted in mainland "
        "China, and a user interface in Simplified and Traditional Chinese. Costs in CNY over five years "
        "for 60 users."
    ),
    "stage": Stage.DECISION,
    "consensus_method": ConsensusMethod.MEAN,
    # A panel of four with a known generous and a known strict scorer: items are discussed from a
    # range of three points; smaller differences take the mean.
    "disagreement_range": Decimal(3),
    "close_call_margin": Decimal(3),
    "cost_mode": CostMode.BESIDE,
    "cost_weight": Decimal(0),
    "horizon_years": 5,
    "discount_rate": Decimal(8),
    "users": 60,
}
SOFTWARE_TIMELINE = {  # days from today
    "long_list_date": -80, "rfi_date": -68, "short_list_date": -60, "demos_date": -46,
    "references_date": -36, "decision_date": -28,
}
SOFTWARE_ROUND = ("Written proposals and demos", -58, -44)  # name, opened, closed (days from today)
DECIDED_DAYS_AGO = 28
SOFTWARE_TEAM = {  # username: note
    "evaluator": "Lead; integration, security and data migration",
    "pm": "Project manager; cost, vendor terms and delivery risk",
    "evaluator2": "Customer service: complaints, cases and sample requests",
    "evaluator3": "Sales operations: quotations, reports and the product catalogue",
}

DEMO_CATEGORY = {
    "name": "Scripted demos",
    "description": (
        "Scenarios from Lumen Frames' own work, shown live by each vendor in a two-hour session to the key "
        "users of sales and customer service, on the vendor's system loaded with our sample data."
    ),
    "weight": Decimal(10),  # of the top level; the catalogue's categories share the other 90
    "order": 900,
}
DEMO_ANCHORS = "\n".join([
    "Not shown.",
    "Shown on slides or a video only.",
    "Shown in part, with heavy workarounds or steps left out.",
    "Shown end to end with gaps, or only with the vendor consultant's help.",
    "Shown end to end as scripted.",
    "Shown end to end as scripted, and our key user repeated it unaided after a short briefing.",
])
DEMO_CRITERIA = [  # key, name, description, script
    ("demo-complaint", "Demo: complaint from e-mail to escalation",
     "Customer service logs a complaint straight from the customer's e-mail and the case escalates by itself.",
     "1. An e-mail arrives from a UK retail chain: 12 of 40 oak frames arrived with split corner joints.\n"
     "2. Log a customer complaint from the e-mail, with the photos, against the right account and order.\n"
     "3. Assign it to the customer service queue; the account owner is copied.\n"
     "4. Escalate after 48 hours without a first response: to the customer service lead, then to "
     "production planning.\n"
     "5. Show the complaint, the replies and the credit note on the account history."),
    ("demo-quotation", "Demo: quotation from the moulding catalogue",
     "A salesperson builds a quotation for a custom frame from the governed product catalogue.",
     "1. Open the account of a Nordic importer and start a quotation in EUR.\n"
     "2. Configure a frame: moulding profile, size 50 x 70 cm, walnut finish, glazing and mount; an "
     "invalid combination (this profile does not come in 100 x 150 cm) must be refused.\n"
     "3. Price it from the EUR price list with the importer's volume discount.\n"
     "4. Send the quotation as a PDF with sizes in centimetres and inches.\n"
     "5. Show the quotation in the account history and on the salesperson's pipeline."),
]

# name: values of the candidate (licence terms differ: four subscriptions, one perpetual licence)
VENDORS = {
    "Harbourline CRM": {
        "contact_name": "Grace Ho", "contact_email": "grace.ho@harbourline.example",
        "contact_phone": "+86 21 5555 0110",
        "website": "https://harbourline.example",
        "notes": "Cloud CRM from a mid-sized vendor with a Shanghai region and a partner network in the Yangtze "
                 "delta. Strong in quotations and ERP integration; thin marketing features.",
        "licence_model": LicenceModel.SUBSCRIPTION, "price_per_user_year": Decimal(1380),
    },
    "Kestrel Cloud": {
        "contact_name": "Martin Keller", "contact_email": "m.keller@kestrel-cloud.example",
        "contact_phone": "+86 10 5555 0220",
        "website": "https://kestrel-cloud.example",
        "notes": "Broad international suite with a large marketplace; China hosting through a local operator. "
                 "The most complete product and the most expensive; Chinese localisation uneven.",
        "licence_model": LicenceModel.SUBSCRIPTION, "price_per_user_year": Decimal(1680),
    },
    "Orchard CRM Enterprise": {
        "contact_name": "Zhang Wen", "contact_email": "zhang.wen@orchardsoft.example",
        "contact_phone": "+86 574 5555 0330",
        "website": "https://orchardsoft.example",
        "notes": "Installed in our own server room: a perpetual licence for 60 named users plus 20% maintenance a "
                 "year. Very configurable; weak mobile access and a slow release cycle.",
        "licence_model": LicenceModel.PERPETUAL, "perpetual_fee": Decimal(420000), "maintenance_percent": Decimal(20),
    },
    "Tidewater Sales Hub": {
        "contact_name": "Amy Lau", "contact_email": "amy.lau@tidewater.example",
        "contact_phone": "+86 755 5555 0440",
        "website": "https://tidewater.example",
        "notes": "Simple, low-priced sales CRM popular with small exporters. Easy to use; integration and "
                 "reporting need partner work.",
        "licence_model": LicenceModel.SUBSCRIPTION, "price_per_user_year": Decimal(960),
    },
    "NimbusDesk CRM": {
        "contact_name": "Daniel Brooks", "contact_email": "dbrooks@nimbusdesk.example",
        "contact_phone": "+1 415 555 0150",
        "website": "https://nimbusdesk.example",
        "notes": "Modern cloud CRM, very good on mobile. Hosted in the United States and Frankfurt only: no "
                 "mainland China region planned (RFI answer 4.2).",
        "licence_model": LicenceModel.SUBSCRIPTION, "price_per_user_year": Decimal(1150),
    },
}
VENDOR_DOCUMENTS = ["proposal.pdf", "rfp-answers.xlsx", "price-list.pdf", "demo-recording"]
WINNER, RUNNER_UP, KNOCKED_OUT = "Harbourline CRM", "Kestrel Cloud", "NimbusDesk CRM"

# candidate: [(cost category, year, every year from then on, amount, note)]; licences come from the terms
VENDOR_COSTS = {
    "Harbourline CRM": [
        (CostCategory.IMPLEMENTATION, 1, False, 320000, "Partner estimate: 160 days"),
        (CostCategory.DATA_MIGRATION, 1, False, 60000, "Customer lists, price lists, open quotations"),
        (CostCategory.INTEGRATION, 1, False, 90000, "ERP prices, orders and payment terms through the REST API"),
        (CostCategory.INTEGRATION, 2, True, 18000, "Middleware subscription"),
        (CostCategory.TRAINING, 1, False, 45000, "Key users by the vendor; end users by our trainers"),
        (CostCategory.INTERNAL_STAFF, 1, True, 60000, "CRM administrator, 0.3 FTE"),
        (CostCategory.SUPPORT, 1, True, 15000, "Premium support, Chinese and English"),
    ],
    "Kestrel Cloud": [
        (CostCategory.IMPLEMENTATION, 1, False, 380000, "Partner estimate: 190 days"),
        (CostCategory.DATA_MIGRATION, 1, False, 55000, "Migration toolkit included"),
        (CostCategory.INTEGRATION, 1, False, 70000, "Standard ERP connector, configured"),
        (CostCategory.INTEGRATION, 1, True, 24000, "ERP connector subscription"),
        (CostCategory.TRAINING, 1, False, 40000, "Online academy plus two on-site days"),
        (CostCategory.INTERNAL_STAFF, 1, True, 60000, "CRM administrator, 0.3 FTE"),
        (CostCategory.SUPPORT, 1, True, 30000, "Local operator's support plan"),
    ],
    "Orchard CRM Enterprise": [
        (CostCategory.HARDWARE, 1, False, 150000, "Two servers, storage and backup"),
        (CostCategory.HARDWARE, 4, False, 60000, "Storage extension"),
        (CostCategory.IMPLEMENTATION, 1, False, 360000, "Vendor services: 180 days"),
        (CostCategory.CUSTOMISATION, 1, False, 80000, "Quotation layout and moulding configurator"),
        (CostCategory.DATA_MIGRATION, 1, False, 60000, "Customer lists, price lists, open quotations"),
        (CostCategory.INTEGRATION, 1, False, 110000, "ERP interface built by the vendor"),
        (CostCategory.TRAINING, 1, False, 45000, "Key users and end users"),
        (CostCategory.INTERNAL_STAFF, 1, True, 120000, "Administrator and database support, 0.6 FTE"),
    ],
    "Tidewater Sales Hub": [
        (CostCategory.IMPLEMENTATION, 1, False, 240000, "Partner estimate: 120 days"),
        (CostCategory.CUSTOMISATION, 1, False, 120000, "Reports by moulding profile; complaint cases"),
        (CostCategory.DATA_MIGRATION, 1, False, 70000, "No migration tool: partner scripts"),
        (CostCategory.INTEGRATION, 1, False, 130000, "ERP interface built by the partner"),
        (CostCategory.TRAINING, 1, False, 35000, "Key users and end users"),
        (CostCategory.INTERNAL_STAFF, 1, True, 80000, "CRM administrator, 0.4 FTE"),
        (CostCategory.SUPPORT, 1, True, 12000, "Standard support"),
    ],
    "NimbusDesk CRM": [
        (CostCategory.IMPLEMENTATION, 1, False, 280000, "Partner estimate: 140 days"),
        (CostCategory.DATA_MIGRATION, 1, False, 50000, "Import wizard plus partner days"),
        (CostCategory.INTEGRATION, 1, False, 100000, "ERP interface through the partner's middleware"),
        (CostCategory.TRAINING, 1, False, 30000, "Online training"),
        (CostCategory.INTERNAL_STAFF, 1, True, 60000, "CRM administrator, 0.3 FTE"),
    ],
}

# The vendors' strengths and weaknesses: a base level on the 0-5 scale, then offsets by category
# or criterion key (catalogue keys; "scripted-demos" for the demo category).
PROFILES = {
    "Harbourline CRM": (3.45, {
        "integration": 0.5, "erp": 0.4, "usability": 0.4, "localisation": 0.6, "sales": 0.5, "suite-fit": 0.2,
        "marketing": -0.7, "ecosystem": -0.5, "analytics": -0.4, "market-presence": -0.3,
        "demo-quotation": 0.7, "security-residency": 0.3,
    }),
    "Kestrel Cloud": (3.35, {
        "functional-scope": 0.4, "marketing": 0.6, "ecosystem": 0.8, "reporting": 0.5, "vendor-viability": 0.6,
        "usability": -0.4, "localisation": -0.6, "price-terms": -1.0, "licence-granularity": -0.3, "erp": -0.5,
        "support-coverage": -0.5, "demo-complaint": 0.2,
    }),
    "Orchard CRM Enterprise": (3.0, {
        "customisation": 0.8, "deployment-model": 0.4, "support": 0.3, "security-residency": 0.4, "localisation": 0.4,
        "access": -0.8, "usability": -0.6, "product-roadmap": -0.8, "environments": -0.5, "add-ons": -0.6,
    }),
    "Tidewater Sales Hub": (2.8, {
        "usability": 0.6, "licensing": 0.8, "sales": 0.3, "localisation": 0.3,
        "integration": -0.8, "reporting": -0.6, "customisation": -0.7, "vendor-viability": -0.5, "service": -0.6,
    }),
    "NimbusDesk CRM": (3.25, {
        "access": 0.6, "usability": 0.3, "analytics": 0.3,
        "localisation": -0.7, "privacy-compliance": -1.2, "product-roadmap": -0.4, "local-channels": -1.0,
    }),
}
BIAS = {"evaluator": 0.0, "pm": -0.4, "evaluator2": 0.1, "evaluator3": 0.6}  # each evaluator's leaning
QUALITY_NOISE, EVALUATOR_NOISE = 0.5, 0.45

HIGH_COMMENTS = [
    "Shown live in the demo; no workaround needed.",
    "Full answer in the proposal, with a customer example from manufacturing.",
    "Better than we asked for; tried it ourselves in the sandbox.",
]
LOW_COMMENTS = [
    "Not covered in the proposal; the vendor said it is on the roadmap.",
    "Only possible with partner development; no standard feature.",
    "The answer was vague and the demo skipped it.",
]

# Knock-outs: (candidate, criterion key) -> {evaluator: (passed, comment)}; every other knock-out passes.
KNOCKOUT_SCRIPT = {
    ("NimbusDesk CRM", "data-residency"): {
        "evaluator": (False, "Hosted in the United States and Frankfurt only; RFI answer 4.2 says no China region "
                             "is planned."),
        "pm": (False, "Confirmed by their sales director on the call: no mainland China hosting."),
        "evaluator2": (False, "Fails: customer data would leave China."),
        "evaluator3": (False, "Fails, sadly: the mobile app was the best we saw."),
    },
    ("Orchard CRM Enterprise", "chinese-language"): {
        "evaluator": (True, "Web client fully in Simplified and Traditional Chinese."),
        "pm": (True, "Passes per the written answer."),
        "evaluator2": (False, "The desktop client our service desk would use is in Simplified Chinese only."),
        "evaluator3": (True, "Both scripts shown in the demo."),
    },
}
# Scripted disagreements: (candidate, criterion key) -> ({evaluator: (score, comment)}, consensus, rationale).
# Evaluators not named keep their generated score.
DISAGREEMENTS = {
    ("Kestrel Cloud", "ease-of-use"): (
        {"evaluator3": (5, "Fastest quote-to-order flow of all five; two clicks from the account."),
         "evaluator2": (2, "Logging a complaint takes five screens; my agents would go back to e-mail.")},
        3, "Both are right: sales screens are quick, the case screens are slow. Agreed 3; the partner must "
           "simplify the case layout if Kestrel is chosen.",
    ),
    ("Harbourline CRM", "erp"): (
        {"pm": (2, "The connector for our ERP is only on their roadmap; today it is a CSV import."),
         "evaluator": (5, "Their REST API synchronised prices, orders and payment terms with our ERP test system "
                          "in the sandbox; no connector needed.")},
        4, "Wang Lei showed the sandbox sync working; the build cost is in the integration cost line. Agreed 4 "
           "(not 5: we build and maintain the interface ourselves).",
    ),
    ("Orchard CRM Enterprise", "mobile"): (
        {"evaluator3": (1, "The mobile app is extra and works offline only on Windows tablets."),
         "evaluator": (4, "The mobile web client works on any phone through our VPN.")},
        2, "Salespeople at trade fairs need phones without VPN; the web client needs the VPN. Agreed 2.",
    ),
    ("Tidewater Sales Hub", "self-service-reports"): (
        {"evaluator2": (4, "The report wizard is simple enough for team leads."),
         "pm": (1, "Cannot group by moulding profile or finish without vendor services.")},
        2, "Simple reports are easy, but our key report (sales by moulding profile) needs paid customisation. "
           "Agreed 2.",
    ),
    ("Kestrel Cloud", "demo-complaint"): (
        {"evaluator2": (2, "The 48-hour escalation had to be built live by their consultant."),
         "evaluator3": (5, "Complaint created from the e-mail in one click, photos attached.")},
        3, "Logging was excellent; the escalation was not standard and needed the consultant. Agreed 3.",
    ),
    ("Harbourline CRM", "demo-quotation"): (
        {"pm": (2, "The configurator ran on pre-loaded data; the price-list import was not shown."),
         "evaluator3": (5, "Huang Tao configured and quoted the walnut frame himself after ten minutes.")},
        4, "Unaided quotation by our key user is what we asked for; the price-list import is a contract "
           "condition. Agreed 4.",
    ),
    ("NimbusDesk CRM", "product-roadmap"): (
        {"evaluator": (1, "No China region and no plan for one."),
         "evaluator3": (4, "Impressive roadmap for mobile and AI features.")},
        2, "A roadmap without hosting in our region does not help us. Agreed 2.",
    ),
}
KNOCKOUT_RATIONALE = {
    ("Orchard CRM Enterprise", "chinese-language"): (
        True, "Passes: the vendor confirmed in writing that the desktop client gets Traditional Chinese in the "
              "release due before our go-live; the contract would make it a condition."
    ),
}

REFERENCE_QUESTIONS = (
    "1. How long did the rollout take against the plan?\n"
    "2. How did the integration with your ERP go?\n"
    "3. How quickly does support answer, and in which language?\n"
    "4. Do your salespeople use it every day? What would you do differently?"
)
# candidate: [(contact, company, their role, checked (days from today), checked by, answers, rating)]
VENDOR_REFERENCES = {
    "Harbourline CRM": [
        ("Zhou Min", "Ningbo Evergreen Furniture Co.", "Sales operations manager", -41, "evaluator",
         "Seven months against a plan of six. ERP sync of prices and orders through the API, built by their own "
         "IT in six weeks. Support answers in Chinese within four hours. 90% of the sales team log in daily; "
         "they would clean the customer data before, not during, the migration.", 5),
        ("Chen Yu", "Xiamen Coastline Ceramics Ltd.", "Customer service lead", -39, "evaluator2",
         "Complaint cases live in four months. Escalation rules work; reports needed partner help at first. "
         "Would train key users earlier.", 4),
        ("Paul Verhoeven", "Delft Interiors Import B.V.", "IT manager (an importer that uses it with suppliers)",
         -37, "pm",
         "Stable for three years; upgrades twice a year with no broken customisations. English support fine.", 4),
    ],
    "Kestrel Cloud": [
        ("Li Na", "Suzhou Brightway Lighting Co.", "CRM administrator", -40, "evaluator",
         "Nine months, three over plan because of the ERP connector setup. Very complete; licence costs rose 7% "
         "at renewal. Support through the local operator is slower than the vendor's own.", 3),
        ("Helen Tse", "Dongguan Silverleaf Home Decor Ltd.", "Sales director", -38, "evaluator3",
         "Marketing campaigns and dashboards are excellent; salespeople complained about the number of screens "
         "for a simple quote in the first months.", 4),
        ("Wu Gang", "Foshan Maple Hardware Co.", "IT manager", -36, "pm",
         "Good product, expensive add-ons. Budget for the marketplace apps you will need.", 3),
    ],
    "Orchard CRM Enterprise": [
        ("Sun Li", "Wenzhou Goldcrest Leather Goods Co.", "IT director", -42, "evaluator",
         "On premise for eight years; very flexible, but every upgrade is a small project.", 3),
        ("Gao Jie", "Jinhua Pinegrove Crafts Ltd.", "Sales manager", -39, "evaluator3",
         "Works well in the office; our salespeople abroad rarely use it on the road.", 2),
    ],
    "Tidewater Sales Hub": [
        ("Huang Xin", "Yiwu Sunrise Gifts Trading Co.", "General manager", -41, "pm",
         "Live in six weeks with twelve users; cheap and simple. We outgrew the reports after a year.", 3),
        ("Ma Lin", "Shantou Bluewave Toys Ltd.", "Customer service supervisor", -38, "evaluator2",
         "Fine for contacts and quotes; complaints stay in e-mail because there is no case module.", 2),
    ],
}

SOFTWARE_DECISION = (
    "{winner} ranks first with {first:.1f} of 100 points, {gap:.1f} ahead of {second} ({second_total:.1f}), and "
    "costs less over five years (net present value {winner_npv:,.0f} against {second_npv:,.0f}). It was the only "
    "vendor whose REST API synchronised prices, orders and payment terms with our ERP test system, and our key "
    "user completed the quotation demo unaided. {knocked_out} was excluded: it cannot host our data in mainland "
    "China. Conditions for the contract: price-list import shown before signature, and a fixed renewal cap."
)


# --- The score plan ---------------------------------------------------------------------------


@dataclass
class Mark:
    """One evaluator's planned score of one candidate on one criterion."""

    value: int | None = None
    passed: bool | None = None
    comment: str = ""
    evidence: str = ""

    @property
    def raw(self) -> str:
        if self.passed is not None:
            return "pass" if self.passed else "fail"
        return "" if self.value is None else str(self.value)


@dataclass(frozen=True)
class Item:
    """A criterion as the plan sees it: key, category key, weights (percent, after renormalising)."""

    key: str
    category: str
    knockout: bool
    category_weight: Decimal
    weight: Decimal


@dataclass
class Plan:
    seed: int
    marks: dict  # (candidate, criterion key) -> {username: Mark}
    consensus: dict  # (candidate, criterion key) -> consensus value the plan expects (number or bool)
    totals: dict  # candidate -> points out of 100 (knocked-out candidates excluded)


def top_weights(catalogue_weights: dict, extra: Decimal) -> dict:
    """The catalogue's top-level weights scaled to leave `extra` percent for one more category, to the
    cent, the remainder on the largest so that they and `extra` add up to exactly 100."""
    scale = (Decimal(100) - extra) / Decimal(100)
    result = {key: (Decimal(weight) * scale).quantize(CENT, ROUND_HALF_UP) for key, weight in catalogue_weights.items()}
    largest = max(result, key=lambda key: (result[key], key))
    result[largest] += Decimal(100) - extra - sum(result.values())
    return result


def software_items(source: catalogue.Catalogue) -> list[Item]:
    weights = top_weights({c.key: c.weight for c in source.categories}, DEMO_CATEGORY["weight"])
    items = [
        Item(k.key, c.key, k.knockout, weights[c.key], Decimal(k.weight)) for c in source.categories for k in c.criteria
    ]
    share = Decimal(100) / len(DEMO_CRITERIA)
    items += [Item(key, "scripted-demos", False, DEMO_CATEGORY["weight"], share) for key, *_rest in DEMO_CRITERIA]
    return items


def tighten(values: dict, limit: int) -> None:
    """Pull the score farthest from the median towards it until the panel's range is at most `limit`."""
    while max(values.values()) - min(values.values()) > limit:
        middle = statistics.median(values.values())
        who = max(values, key=lambda name: (abs(values[name] - middle), name))
        values[who] += 1 if values[who] < middle else -1


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def plan_for(seed: int, items: list[Item], candidates: list[str]) -> Plan:
    rng = random.Random(seed)
    low, high = SCALE
    marks, consensus = {}, {}
    for candidate in candidates:
        base, offsets = PROFILES[candidate]
        for item in items:
            cell = (candidate, item.key)
            if item.knockout:
                script = KNOCKOUT_SCRIPT.get(cell, {})
                marks[cell] = {}
                for user in BIAS:
                    passed, comment = script.get(user, (True, ""))
                    lead_fails = user == "evaluator" and not passed
                    evidence = f"{SHARE}/{slug(candidate)}/rfp-answers#{item.key}" if lead_fails else ""
                    marks[cell][user] = Mark(passed=passed, comment=comment, evidence=evidence)
                outcomes = [m.passed for m in marks[cell].values()]
                majority = sum(outcomes) * 2 > len(outcomes)  # as services.proposal decides
                consensus[cell] = KNOCKOUT_RATIONALE[cell][0] if cell in KNOCKOUT_RATIONALE else majority
                continue
            quality = base + offsets.get(item.category, 0) + offsets.get(item.key, 0) + rng.gauss(0, QUALITY_NOISE)
            values = {
                user: min(high, max(low, round(quality + bias + rng.gauss(0, EVALUATOR_NOISE))))
                for user, bias in BIAS.items()
            }
            tighten(values, int(SOFTWARE["disagreement_range"]) - 1)
            cell_marks = {}
            for user, value in values.items():
                mark = Mark(value=value)
                if value == high and rng.random() < 0.25:
                    mark.comment = rng.choice(HIGH_COMMENTS)
                elif value <= low + 1 and rng.random() < 0.5:
                    mark.comment = rng.choice(LOW_COMMENTS)
                if user in ("evaluator", "evaluator2") and rng.random() < 0.12:
                    document = "demo-recording" if item.category == "scripted-demos" else "rfp-answers"
                    mark.evidence = f"{SHARE}/{slug(candidate)}/{document}#{item.key}"
                cell_marks[user] = mark
            if cell in DISAGREEMENTS:
                scripted, agreed, _rationale = DISAGREEMENTS[cell]
                for user, (value, comment) in scripted.items():
                    cell_marks[user] = Mark(value=value, comment=comment, evidence=cell_marks[user].evidence)
                consensus[cell] = Decimal(agreed)
            else:
                mean = sum(m.value for m in cell_marks.values()) / len(cell_marks)
                consensus[cell] = Decimal(str(round(mean, 2)))
            marks[cell] = cell_marks
    totals = {}
    for candidate in candidates:
        if any(item.knockout and not consensus[(candidate, item.key)] for item in items):
            continue
        totals[candidate] = float(sum(
            item.category_weight * item.weight * consensus[(candidate, item.key)] / (Decimal(high - low) * 100)
            for item in items if not item.knockout
        ))
    return Plan(seed, marks, consensus, totals)


def software_plan(source: catalogue.Catalogue | None = None) -> Plan:
    """The first plan from SOFTWARE_SEED up whose ranking tells the story (see the module docstring)."""
    items = software_items(source or catalogue.load("software", "en"))
    for seed in range(SOFTWARE_SEED, SOFTWARE_SEED + 500):
        plan = plan_for(seed, items, list(VENDORS))
        ranked = sorted(plan.totals, key=plan.totals.get, reverse=True)
        gap = plan.totals[ranked[0]] - plan.totals[ranked[1]]
        if ranked[:2] == [WINNER, RUNNER_UP] and TARGET_GAP[0] <= gap <= TARGET_GAP[1]:
            return plan
    raise RuntimeError("No seed gives the software evaluation's story; adjust PROFILES.")


# --- Building it ------------------------------------------------------------------------------


def seed(project, users):
    """The demo project's evaluations (idempotent; see the module docstring)."""
    seed_software(project, users)
    seed_partner(project, users)


def timeline(offsets: dict) -> dict:
    return {field: days(n) for field, n in offsets.items()}


def key_of(row) -> str:
    """A category's or criterion's key in this module: its catalogue key without the catalogue, else its name."""
    return row.catalogue_key.split(":", 1)[1] if row.catalogue_key else row.name


def set_top_weights(evaluation, lead, wanted: dict) -> None:
    """Enter top-level weights (key_of -> percent) on the direct-weights form, as the lead would."""
    categories = Category.objects.filter(evaluation=evaluation, parent=None)
    posted = {item_key(c): (str(wanted[key_of(c)]), str(c.version)) for c in categories if key_of(c) in wanted}
    save_direct_weights(evaluation, lead, posted)


def upsert_team(evaluation, users, team: dict) -> dict:
    return {
        username: upsert(TeamMember, {"evaluation": evaluation, "user": users[username]}, {"note": note})[0]
        for username, note in team.items()
    }


def upsert_candidates(evaluation, specs: dict, status=CandidateStatus.SHORT_LIST) -> dict:
    return {
        name: upsert(Candidate, {"evaluation": evaluation, "name": name}, {**values, "status": status})[0]
        for name, values in specs.items()
    }


def upsert_costs(evaluation, candidates: dict, lines: dict) -> None:
    for name, rows in lines.items():
        for category, year, every_year, amount, note in rows:
            upsert(
                CostItem,
                {"evaluation": evaluation, "candidate": candidates[name], "category": category, "year": year,
                 "every_year": every_year},
                {"amount": Decimal(amount), "note": note},
            )


def backdate_round(round_: Round, opened: int, closed: int | None) -> None:
    """Date a round to when it ran in the story (timestamps, not tracked fields; moved on every run)."""
    wanted = {"opened_at": moment(opened, 9)}
    if closed is not None:
        wanted["closed_at"] = moment(closed, 17)
    if any(getattr(round_, field) != value for field, value in wanted.items()):
        Round.objects.filter(pk=round_.pk).update(**wanted)


def seed_software(project, users) -> Evaluation:
    lead = users["evaluator"]
    source = catalogue.load("software", "en")
    with acting_as(lead):
        evaluation, _created = upsert(
            Evaluation, {"project": project, "name": SOFTWARE_NAME},
            {**SOFTWARE, **timeline(SOFTWARE_TIMELINE), "lead": lead},
        )
        add_from_catalogue(evaluation, lead, "software", "en")  # skips the categories already added
        demos, _created = upsert(
            Category, {"evaluation": evaluation, "name": DEMO_CATEGORY["name"], "parent": None},
            {"description": DEMO_CATEGORY["description"], "order": DEMO_CATEGORY["order"]},
        )
        share = Decimal(100) / len(DEMO_CRITERIA)
        for position, (_key, name, description, script) in enumerate(DEMO_CRITERIA, start=1):
            upsert(
                Criterion, {"evaluation": evaluation, "name": name},
                {"category": demos, "kind": CriterionKind.DEMO, "description": description, "script": script,
                 "knockout": False, "weight": share, "scale_min": SCALE[0], "scale_max": SCALE[1],
                 "anchors": DEMO_ANCHORS, "order": position * 10},
            )
        weights = top_weights({c.key: c.weight for c in source.categories}, DEMO_CATEGORY["weight"])
        set_top_weights(evaluation, lead, {**weights, DEMO_CATEGORY["name"]: DEMO_CATEGORY["weight"]})
        candidates = upsert_candidates(evaluation, {
            name: {**values, "documents": "\n".join(f"{SHARE}/{slug(name)}/{doc}" for doc in VENDOR_DOCUMENTS)}
            for name, values in VENDORS.items()
        })
        upsert_costs(evaluation, candidates, VENDOR_COSTS)
        upsert_team(evaluation, users, SOFTWARE_TEAM)
        for name, rows in VENDOR_REFERENCES.items():
            for contact, company, role, checked, by, answers, rating in rows:
                upsert(
                    ReferenceCheck, {"evaluation": evaluation, "candidate": candidates[name], "company": company},
                    {"contact_name": contact, "contact_role": role, "checked_on": days(checked),
                     "checked_by": users[by], "questions": REFERENCE_QUESTIONS, "answers": answers, "rating": rating},
                    by=users[by],
                )
    if not Round.objects.filter(evaluation=evaluation).exists():
        play_software(evaluation, users, candidates, source)
    round_ = Round.objects.filter(evaluation=evaluation).order_by("number").first()
    backdate_round(round_, SOFTWARE_ROUND[1], SOFTWARE_ROUND[2])
    evaluation.refresh_from_db()
    if evaluation.selected_id:
        upsert(Evaluation, {"pk": evaluation.pk}, {"decided_on": days(-DECIDED_DAYS_AGO)}, by=lead)
    return evaluation


def criteria_by_key(evaluation) -> dict:
    """Criterion key of the plan -> Criterion (catalogue key without the catalogue, or a demo key)."""
    demo_keys = {name: key for key, name, *_rest in DEMO_CRITERIA}
    return {demo_keys.get(c.name, key_of(c)): c for c in services.criteria_of(evaluation)}


def give_scores(round_, users, candidates: dict, criteria: dict, marks: dict) -> None:
    """Each evaluator's scores in the open round, evaluator by evaluator, with a history row each.

    The rows are what `services.save_score` would write for a first score (same parsing, the same
    assignment rule, version 1, one "+" history row naming the evaluator), written in bulk: a
    thousand save_score calls would take most of seed_demo's time.
    """
    round_ = Round.objects.get(pk=round_.pk)
    if not round_.is_open:
        raise ValueError("Scores can only be given in an open round.")
    evaluation = round_.evaluation
    for username in dict.fromkeys(name for by_user in marks.values() for name in by_user):
        user = users[username]
        allowed = {c.pk for c in services.assigned_criteria(evaluation, user)}
        rows = []
        for (candidate, key), by_user in marks.items():
            mark = by_user.get(username)
            if mark is None:
                continue
            criterion = criteria[key]
            if criterion.pk not in allowed:
                raise ValueError(f"{username} is not assigned to score {criterion.name}.")
            value, passed = services.parse_value(criterion, mark.raw)
            rows.append(Score(
                project_id=evaluation.project_id, evaluation_id=evaluation.pk, round=round_, evaluator=user,
                candidate=candidates[candidate], criterion=criterion, value=value, passed=passed,
                comment=mark.comment, evidence=mark.evidence,
            ))
        bulk_create_with_history(rows, Score, batch_size=500, default_user=user)


def play_software(evaluation, users, candidates: dict, source) -> None:
    """The round, the consensus and the decision, once (see the module docstring)."""
    lead = users["evaluator"]
    plan = software_plan(source)
    criteria = criteria_by_key(evaluation)
    round_ = services.open_round(evaluation, lead, SOFTWARE_ROUND[0])
    give_scores(round_, users, candidates, criteria, plan.marks)
    round_ = services.close_round(round_, lead)
    services.accept_proposals(evaluation, round_, lead)
    agreed = set(Consensus.objects.filter(evaluation=evaluation).values_list("candidate_id", "criterion_id"))
    for candidate, key in plan.marks:
        row = candidates[candidate], criteria[key]
        if (row[0].pk, row[1].pk) in agreed:
            continue
        if (candidate, key) in DISAGREEMENTS:
            _scripted, value, rationale = DISAGREEMENTS[(candidate, key)]
            raw = str(value)
        elif (candidate, key) in KNOCKOUT_RATIONALE:
            passed, rationale = KNOCKOUT_RATIONALE[(candidate, key)]
            raw = "pass" if passed else "fail"
        else:  # flagged but not scripted (cannot happen with the plan's tightening): the plan's own value
            expected = plan.consensus[(candidate, key)]
            raw = ("pass" if expected else "fail") if isinstance(expected, bool) else str(expected)
            rationale = "Discussed at the consensus meeting; the panel kept the mean of its scores."
        services.record_consensus(evaluation, round_, row[0], row[1], raw, rationale, lead)
    outcome = results.compute(evaluation, with_sensitivity=False)
    first, second = outcome.ranking[0], outcome.ranking[1]
    winner, runner_up = outcome.by_id[first.candidate], outcome.by_id[second.candidate]
    excluded = [outcome.by_id[r.candidate].name for r in outcome.totals.excluded]
    rationale = SOFTWARE_DECISION.format(
        winner=winner.name, first=first.total, gap=first.total - second.total, second=runner_up.name,
        second_total=second.total, winner_npv=outcome.costs[winner.pk].tco.npv,
        second_npv=outcome.costs[runner_up.pk].tco.npv, knocked_out=", ".join(excluded),
    )
    services.decide(evaluation, lead, winner, rationale)


# =============================================================================================
# Implementation partner selection
# =============================================================================================

PARTNER = {
    "subject": Subject.PARTNER,
    "description": (
        "Choosing the partner who implements Harbourline CRM with us: configuration, the ERP interface, data "
        "migration and training, in two waves (pilot with the Europe team, then customer service and the other "
        "export teams). Four consultancies from a long list of seven; each presents its approach and named team. "
        "Costs in CNY from their day rates and estimates."
    ),
    "stage": Stage.DEMOS,
    "consensus_method": ConsensusMethod.MEDIAN,
    "disagreement_range": Decimal(2),
    "close_call_margin": Decimal(3),
    "cost_mode": CostMode.BESIDE,
    "cost_weight": Decimal(0),
    "horizon_years": 5,
    "discount_rate": Decimal(8),
    "users": 60,
}
PARTNER_TIMELINE = {
    "long_list_date": -40, "rfi_date": -26, "short_list_date": -12, "demos_date": 5,
    "references_date": 15, "decision_date": 25,
}
PARTNER_ROUND = ("Proposals and presentations", -6)
PARTNER_TEAM = {
    "pm": "Lead; method, plan and commercial terms",
    "evaluator": "Integration and data migration skills",
    "evaluator2": "Customer service view: training, change and the people we will work with",
    "evaluator3": "Sales operations view",
}
# Customer service scores the people side only (catalogue category keys).
PARTNER_ASSIGNMENTS = {"evaluator2": ["change-training", "team", "cultural-fit"]}
# Weights entered by the lead: change management up (adoption is the top risk), geography up (three
# export teams in two cities), experience and method down a little.
PARTNER_WEIGHTS = {
    "experience": 18, "references": 14, "methodology": 14, "team": 15, "change-training": 16, "geographic-fit": 9,
    "commercial-terms": 9, "cultural-fit": 5,
}

CONSULTANCIES = {
    "Linden Quay Consulting": {
        "contact_name": "Olivia Tan", "contact_email": "olivia.tan@lindenquay.example",
        "contact_phone": "+86 21 5555 0610",
        "website": "https://lindenquay.example",
        "notes": "Harbourline's largest partner in East China; 40 consultants. Day rate 5,600. Proposes 150 days "
                 "with a fixed price for the pilot.",
        "documents": f"{SHARE}/partners/linden-quay/proposal.pdf\n{SHARE}/partners/linden-quay/team-cvs.pdf",
    },
    "Pinegate Advisory": {
        "contact_name": "Robert Chan", "contact_email": "r.chan@pinegate.example",
        "contact_phone": "+86 571 5555 0620",
        "website": "https://pinegate.example",
        "notes": "Change-management specialists with a small Harbourline practice (8 certified consultants). "
                 "Day rate 6,400; 130 days on time and materials.",
        "documents": f"{SHARE}/partners/pinegate/proposal.pdf",
    },
    "Westmoor CRM Partners": {
        "contact_name": "Xu Hao", "contact_email": "xu.hao@westmoor.example",
        "contact_phone": "+86 574 5555 0630",
        "website": "https://westmoor.example",
        "notes": "Local firm in Ningbo, twenty minutes from our office; manufacturing clients, first Harbourline "
                 "project last year. Day rate 4,200; 175 days.",
        "documents": f"{SHARE}/partners/westmoor/proposal.pdf",
    },
    "Sanhe Digital Services": {
        "contact_name": "Kelly Wong", "contact_email": "kelly.wong@sanhe-digital.example",
        "contact_phone": "+86 20 5555 0640",
        "website": "https://sanhe-digital.example",
        "notes": "Large integrator with offices in Guangzhou, Shanghai and Hamburg; Harbourline gold partner. "
                 "Day rate 7,500; 120 days, offshore build.",
        "documents": f"{SHARE}/partners/sanhe/proposal.pdf\n{SHARE}/partners/sanhe/rate-card.xlsx",
    },
}
# candidate: (day rate, consultant days) -> implementation = rate x days; other lines as for the vendors
PARTNER_RATES = {
    "Linden Quay Consulting": (5600, 150),
    "Pinegate Advisory": (6400, 130),
    "Westmoor CRM Partners": (4200, 175),
    "Sanhe Digital Services": (7500, 120),
}
PARTNER_EXTRA_COSTS = {
    "Linden Quay Consulting": [
        (CostCategory.DATA_MIGRATION, 1, False, 22, "Migration scripts and two trial runs"),
        (CostCategory.TRAINING, 1, False, 10, "Train-the-trainer for key users"),
        (CostCategory.SUPPORT, 2, True, 12, "Support retainer after go-live"),
    ],
    "Pinegate Advisory": [
        (CostCategory.DATA_MIGRATION, 1, False, 18, "Migration with our analyst"),
        (CostCategory.TRAINING, 1, False, 20, "Change programme and end-user training"),
        (CostCategory.SUPPORT, 2, True, 10, "Adoption coaching after go-live"),
    ],
    "Westmoor CRM Partners": [
        (CostCategory.DATA_MIGRATION, 1, False, 30, "Migration scripts, three trial runs"),
        (CostCategory.TRAINING, 1, False, 12, "Key users and end users"),
        (CostCategory.SUPPORT, 2, True, 15, "Support retainer after go-live"),
    ],
    "Sanhe Digital Services": [
        (CostCategory.DATA_MIGRATION, 1, False, 16, "Migration factory (offshore)"),
        (CostCategory.TRAINING, 1, False, 8, "Key users only"),
        (CostCategory.SUPPORT, 2, True, 8, "Managed service after go-live"),
    ],
}
PARTNER_PROFILES = {
    "Linden Quay Consulting": (3.6, {"experience": 0.5, "methodology": 0.3, "change-training": -0.4,
                                     "geographic-fit": 0.2}),
    "Pinegate Advisory": (3.3, {"change-training": 0.9, "cultural-fit": 0.5, "experience": -0.5, "day-rates": -0.7}),
    "Westmoor CRM Partners": (3.0, {"geographic-fit": 1.2, "commercial-terms": 0.6, "references": -0.6,
                                     "product-expertise": -0.8}),
    "Sanhe Digital Services": (3.2, {"experience": 0.4, "team": -0.3, "continuity": -0.9, "cultural-fit": -0.6,
                                     "day-rates": -1.2}),
}
PARTNER_BIAS = {"evaluator": 0.0, "evaluator2": 0.2}
# Who has scored what so far: evaluator -> {candidate: catalogue category keys, or None for all}.
PARTNER_PROGRESS = {
    "evaluator": {
        "Linden Quay Consulting": None,
        "Sanhe Digital Services": None,
        "Westmoor CRM Partners": ["experience", "references", "methodology"],
    },
    "evaluator2": {
        "Linden Quay Consulting": None,
        "Pinegate Advisory": None,
        "Westmoor CRM Partners": ["change-training"],
    },
}
PARTNER_COMMENTS = {
    ("evaluator", "Sanhe Digital Services", "named-team"):
        "Passes for the build: the architect and two consultants are named; the run phase is not.",
    ("evaluator", "Sanhe Digital Services", "continuity"):
        "The named architect leaves after the build; the run phase moves to their offshore centre.",
    ("evaluator", "Linden Quay Consulting", "product-expertise"):
        "Six certified Harbourline consultants on the team; showed our ERP sync pattern from a past project.",
    ("evaluator2", "Pinegate Advisory", "change-management"):
        "Best change plan we have seen: champions per team and a clear role for the sales director.",
    ("evaluator2", "Linden Quay Consulting", "training"):
        "Training is one train-the-trainer week; our trainers would carry the end-user courses alone.",
}


def partner_marks(source: catalogue.Catalogue) -> dict:
    """(candidate, criterion key) -> {evaluator: Mark} for the scores given so far."""
    rng = random.Random(PARTNER_SEED)
    low, high = SCALE
    marks: dict = {}
    for username, progress in PARTNER_PROGRESS.items():
        allowed = PARTNER_ASSIGNMENTS.get(username)
        for candidate, category_keys in progress.items():
            base, offsets = PARTNER_PROFILES[candidate]
            for category in source.categories:
                if category_keys is not None and category.key not in category_keys:
                    continue
                if allowed is not None and category.key not in allowed:
                    continue
                for item in category.criteria:
                    if item.knockout:
                        mark = Mark(passed=True, comment=PARTNER_COMMENTS.get((username, candidate, item.key), ""))
                    else:
                        quality = base + offsets.get(category.key, 0) + offsets.get(item.key, 0)
                        value = round(quality + PARTNER_BIAS[username] + rng.gauss(0, EVALUATOR_NOISE))
                        mark = Mark(value=min(high, max(low, value)))
                        mark.comment = PARTNER_COMMENTS.get((username, candidate, item.key), "")
                    marks.setdefault((candidate, item.key), {})[username] = mark
    return marks


def seed_partner(project, users) -> Evaluation:
    lead = users["pm"]
    source = catalogue.load("partner", "en")
    with acting_as(lead):
        evaluation, _created = upsert(
            Evaluation, {"project": project, "name": PARTNER_NAME},
            {**PARTNER, **timeline(PARTNER_TIMELINE), "lead": lead},
        )
        add_from_catalogue(evaluation, lead, "partner", "en")
        set_top_weights(evaluation, lead, {name: Decimal(weight) for name, weight in PARTNER_WEIGHTS.items()})
        candidates = upsert_candidates(
            evaluation, {name: {**values, "licence_model": LicenceModel.NONE} for name, values in CONSULTANCIES.items()}
        )
        lines = {}
        for name, (rate, consultant_days) in PARTNER_RATES.items():
            lines[name] = [(CostCategory.IMPLEMENTATION, 1, False, rate * consultant_days,
                            f"{consultant_days} consultant days x {rate:,} a day")]
            lines[name] += [
                (category, year, every_year, rate * n, f"{note}: {n} days x {rate:,}")
                for category, year, every_year, n, note in PARTNER_EXTRA_COSTS[name]
            ]
            lines[name].append((CostCategory.INTERNAL_STAFF, 1, False, 90000, "Our key users' time during the project"))
        upsert_costs(evaluation, candidates, lines)
        members = upsert_team(evaluation, users, PARTNER_TEAM)
        categories = {key_of(c): c for c in Category.objects.filter(evaluation=evaluation)}
        for username, keys in PARTNER_ASSIGNMENTS.items():
            for key in keys:
                upsert(Assignment, {"evaluation": evaluation, "member": members[username], "category": categories[key]})
    if not Round.objects.filter(evaluation=evaluation).exists():
        round_ = services.open_round(evaluation, lead, PARTNER_ROUND[0])
        criteria = {key_of(c): c for c in services.criteria_of(evaluation)}
        give_scores(round_, users, candidates, criteria, partner_marks(source))
    round_ = Round.objects.filter(evaluation=evaluation, status=RoundStatus.OPEN).first()
    if round_ is not None:
        backdate_round(round_, PARTNER_ROUND[1], None)
    return evaluation
