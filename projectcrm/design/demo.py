"""Design demo data for Lumen Frames: how leads and quotations are handled today and in the CRM.

Two processes, lead management and quotation, each with an as-is map (recorded in the interviews
with the export sales teams) and a to-be map (agreed in the key-user workshops) that is based on
it and keeps the keys of the steps that survive, so the gap comparison pairs them. Then the gaps
that matter, the business rules and a dozen use cases. Test cases of the testing demo name the
rules and use cases by reference ("BR-02", "UC-03"), so those rows have fixed numbers.

`seed(project, users)` is called by `manage.py seed_demo` after the roadmap demo (gaps link to its
deliverables when they exist) and before the testing demo. Idempotent: processes, maps and gaps
are found by name or title, rules and use cases by number; map contents go through
`mapdata.save_content`, which writes nothing when they are unchanged. Sign-off times are relative
to today. Demo text is English, as the project team would write it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import upsert
from projectcrm.governance.choices import Priority
from projectcrm.governance.models import Stakeholder

from . import mapdata
from .choices import (
    GapDecision,
    GapKind,
    MapKind,
    MapStatus,
    MoSCoW,
    PainPoint,
    Resolution,
    RuleStatus,
    RuleType,
    StepKind,
    UseCaseStatus,
)
from .models import DEFAULT_LANE_HEIGHT, BusinessRule, Gap, Process, ProcessMap, Step, UseCase

# --- Layout --------------------------------------------------------------------------------------

FIRST_X = 80     # centre of the first column, from the end of the lane header
COLUMN = 170     # one column per step in flow order
TALL_LANE = 200  # a lane with two steps stacked in one column
STACK = 50       # vertical offset of a stacked step from the lane's middle

P = PainPoint
K = StepKind


@dataclass(frozen=True)
class S:
    """A step as the demo writes it: a column and a slot (-1 above, 0 middle, +1 below) in its lane."""

    key: str
    col: int
    lane: str
    kind: str
    name: str
    slot: int = 0
    performer: str = ""
    system: str = ""
    minutes: int | None = None
    volume: int | None = None
    pains: tuple = ()
    automated: bool = False
    description: str = ""


def map_content(lanes: list[tuple], steps: list[S], flows: list[tuple], stakeholders: dict) -> mapdata.MapData:
    """MapData from lanes (key, name, height, stakeholder name), steps and flows (source, target, condition)."""
    heights = {key: height for key, _name, height, _who in lanes}
    return mapdata.MapData(
        lanes=[
            mapdata.LaneData(key, name, height, getattr(stakeholders.get(who), "pk", None))
            for key, name, height, who in lanes
        ],
        steps=[
            mapdata.StepData(
                key=s.key, name=s.name, kind=s.kind, lane=s.lane,
                x=FIRST_X + COLUMN * s.col, y=heights[s.lane] // 2 + STACK * s.slot,
                description=s.description, performer=s.performer, system=s.system,
                duration_minutes=s.minutes, volume=s.volume, pain_points=[str(p) for p in s.pains],
                automated=s.automated,
            )
            for s in steps
        ],
        flows=[
            mapdata.FlowData(f"Flow_{n:02d}", source, target, condition)
            for n, (source, target, condition) in enumerate(flows, start=1)
        ],
    ).normalised()


# --- Processes and maps --------------------------------------------------------------------------

LEAD = "Lead management"
QUOTE = "Quotation"

# name -> business area, owner, description
PROCESSES = {
    LEAD: (
        "Export sales", "steering",
        "From a buyer's first contact (trade fair, website, e-mail or phone) to a qualified lead with one "
        "owner. Today leads live on business cards, in mailboxes and in each sales manager's spreadsheet, "
        "and nobody sees how many there are or what became of them.",
    ),
    QUOTE: (
        "Export sales", "steering",
        "From a buyer's request for prices to a quotation sent and, when it is accepted, a sales order in "
        "the ERP. Today quotations are typed into an Excel template from personal price spreadsheets.",
    ),
}

LEAD_AS_IS = "Lead management: as-is"
LEAD_TO_BE = "Lead management: to-be"
QUOTE_AS_IS = "Quotation: as-is"
QUOTE_TO_BE = "Quotation: to-be"

FAIR = ("Lane_fair", "Trade-fair team", DEFAULT_LANE_HEIGHT, None)
ASSISTANT = ("Lane_assistant", "Sales assistant", DEFAULT_LANE_HEIGHT, None)
REP_TALL = ("Lane_rep", "Regional sales manager", TALL_LANE, None)
REP = ("Lane_rep", "Regional sales manager", DEFAULT_LANE_HEIGHT, None)
DIRECTOR = ("Lane_director", "Sales director", DEFAULT_LANE_HEIGHT, "Lin Hui")
CRM = ("Lane_crm", "CRM system", DEFAULT_LANE_HEIGHT, None)
CUSTOMER = ("Lane_customer", "Customer", DEFAULT_LANE_HEIGHT, None)
ORDERS = ("Lane_orders", "Order desk", DEFAULT_LANE_HEIGHT, None)

ENQUIRY = "Enquiry at a fair, on the website, by e-mail or by phone"

LEAD_AS_IS_STEPS = [
    S("Start_enquiry", 0, "Lane_fair", K.START, ENQUIRY),
    S("Gateway_channel", 1, "Lane_fair", K.DECISION, "Met at a trade fair?"),
    S("Task_capture_contact", 2, "Lane_fair", K.TASK, "Collect the business card and write notes",
      performer="Trade-fair staff", system="Paper notebook, WeChat", minutes=5, volume=400,
      pains=(P.MISSING_DATA, P.LOST_HISTORY),
      description="Notes on the back of the card or in a notebook; some visitors only leave a WeChat contact."),
    S("Task_send_cards", 3, "Lane_fair", K.HANDOFF, "Bring the cards to the office after the fair",
      performer="Trade-fair team lead", system="Courier, WeChat photos", minutes=60, volume=8,
      pains=(P.SLOW_RESPONSE, P.LOST_HISTORY),
      description="Cards travel back with the team or by courier, usually a week after the fair closes."),
    S("Task_log_enquiry", 4, "Lane_assistant", K.TASK, "Type the leads into the lead spreadsheet",
      performer="Sales assistant", system="Excel, Outlook", minutes=8, volume=650,
      pains=(P.MANUAL_REKEYING, P.DUPLICATE_ENTRY, P.MISSING_DATA),
      description="Cards, website-form e-mails, e-mails and phone notes are typed in; nobody checks for "
                  "buyers who are already somebody's customer."),
    S("Task_email_manager", 5, "Lane_assistant", K.HANDOFF, "E-mail the new leads to the sales director",
      performer="Sales assistant", system="Outlook, Excel", minutes=15, volume=22,
      pains=(P.SLOW_RESPONSE, P.NO_VISIBILITY)),
    S("Task_assign_lead", 6, "Lane_director", K.TASK, "Pick a sales manager for each lead from memory",
      performer="Sales director", system="Outlook", minutes=5, volume=650,
      pains=(P.NO_OWNER, P.SLOW_RESPONSE),
      description="Two sales managers sometimes claim the same buyer; the director settles it by hand."),
    S("Task_forward_lead", 7, "Lane_director", K.HANDOFF, "Forward the lead e-mail to the sales manager",
      performer="Sales director", system="Outlook", minutes=3, volume=650, pains=(P.SLOW_RESPONSE,)),
    S("Task_copy_lead", 8, "Lane_rep", K.TASK, "Copy the lead into the personal customer spreadsheet",
      performer="Regional sales manager", system="Excel", minutes=5, volume=650,
      pains=(P.DUPLICATE_ENTRY, P.LOST_HISTORY),
      description="Each sales manager keeps a private list; it leaves the company with its owner."),
    S("Task_contact_lead", 9, "Lane_rep", K.TASK, "Call or e-mail the buyer",
      performer="Regional sales manager", system="Outlook, WeChat, phone", minutes=20, volume=650,
      pains=(P.SLOW_RESPONSE, P.LOST_HISTORY)),
    S("Gateway_interest", 10, "Lane_rep", K.DECISION, "Buyer interested?"),
    S("Task_report_weekly", 11, "Lane_rep", K.TASK, "Report the lead in the weekly sales spreadsheet", slot=-1,
      performer="Regional sales manager", system="Excel", minutes=30, volume=24,
      pains=(P.NO_VISIBILITY, P.DUPLICATE_ENTRY)),
    S("End_dropped", 11, "Lane_rep", K.END, "Lead dropped", slot=1),
    S("End_qualified", 12, "Lane_rep", K.END, "Lead qualified", slot=-1),
]
LEAD_AS_IS_FLOWS = [
    ("Start_enquiry", "Gateway_channel", ""),
    ("Gateway_channel", "Task_capture_contact", "At a trade fair"),
    ("Gateway_channel", "Task_log_enquiry", "Website form, e-mail or phone"),
    ("Task_capture_contact", "Task_send_cards", ""),
    ("Task_send_cards", "Task_log_enquiry", ""),
    ("Task_log_enquiry", "Task_email_manager", ""),
    ("Task_email_manager", "Task_assign_lead", ""),
    ("Task_assign_lead", "Task_forward_lead", ""),
    ("Task_forward_lead", "Task_copy_lead", ""),
    ("Task_copy_lead", "Task_contact_lead", ""),
    ("Task_contact_lead", "Gateway_interest", ""),
    ("Gateway_interest", "Task_report_weekly", "Interested"),
    ("Gateway_interest", "End_dropped", "Not interested or no answer"),
    ("Task_report_weekly", "End_qualified", ""),
]

LEAD_TO_BE_STEPS = [
    S("Start_enquiry", 0, "Lane_fair", K.START, ENQUIRY),
    S("Gateway_channel", 1, "Lane_fair", K.DECISION, "Channel of the enquiry?"),
    S("Task_capture_contact", 2, "Lane_fair", K.TASK, "Scan the badge and add notes in the CRM app",
      performer="Trade-fair staff", system="CRM mobile app", minutes=2, volume=400,
      description="The notes and the moulding profiles shown are added at the stand; scans wait in the app "
                  "when the hall has no network."),
    S("Task_log_enquiry", 2, "Lane_assistant", K.TASK, "Log e-mail and phone enquiries in the lead form",
      performer="Sales assistant", system="CRM", minutes=4, volume=180),
    S("Task_web_form", 2, "Lane_crm", K.SYSTEM, "Create the lead from the website form",
      system="CRM, website", minutes=1, volume=70, automated=True),
    S("Task_dedupe", 3, "Lane_crm", K.SYSTEM, "Match the enquiry against leads and accounts",
      system="CRM", minutes=1, volume=650, automated=True,
      description="An enquiry from a known contact e-mail is added to the existing lead or account as a new "
                  "visit; only new contacts become new leads."),
    S("Gateway_region", 4, "Lane_crm", K.DECISION, "Region found for the country?"),
    S("Task_assign_auto", 5, "Lane_crm", K.SYSTEM, "Assign to the region's sales manager and notify",
      system="CRM", minutes=1, volume=635, automated=True),
    S("Task_assign_lead", 5, "Lane_director", K.TASK, "Assign the lead by hand",
      performer="Sales director", system="CRM", minutes=3, volume=15,
      description="Only for countries that belong to no sales region."),
    S("Task_contact_lead", 6, "Lane_rep", K.TASK, "Call or e-mail the buyer from the lead",
      performer="Regional sales manager", system="CRM, Outlook add-in", minutes=15, volume=560,
      description="Calls and e-mails are logged on the lead, so the next person sees what was said."),
    S("Gateway_interest", 7, "Lane_rep", K.DECISION, "Buyer interested?"),
    S("Task_convert", 8, "Lane_rep", K.TASK, "Convert to account, contact and opportunity", slot=-1,
      performer="Regional sales manager", system="CRM", minutes=5, volume=150),
    S("End_dropped", 8, "Lane_rep", K.END, "Lead closed with a reason", slot=1),
    S("End_qualified", 9, "Lane_rep", K.END, "Lead qualified", slot=-1),
]
LEAD_TO_BE_FLOWS = [
    ("Start_enquiry", "Gateway_channel", ""),
    ("Gateway_channel", "Task_capture_contact", "Trade fair"),
    ("Gateway_channel", "Task_log_enquiry", "E-mail or phone"),
    ("Gateway_channel", "Task_web_form", "Website form"),
    ("Task_capture_contact", "Task_dedupe", ""),
    ("Task_log_enquiry", "Task_dedupe", ""),
    ("Task_web_form", "Task_dedupe", ""),
    ("Task_dedupe", "Gateway_region", ""),
    ("Gateway_region", "Task_assign_auto", "Country belongs to a region"),
    ("Gateway_region", "Task_assign_lead", "No region for the country"),
    ("Task_assign_auto", "Task_contact_lead", ""),
    ("Task_assign_lead", "Task_contact_lead", ""),
    ("Task_contact_lead", "Gateway_interest", ""),
    ("Gateway_interest", "Task_convert", "Interested"),
    ("Gateway_interest", "End_dropped", "Not interested (reason recorded)"),
    ("Task_convert", "End_qualified", ""),
]

QUOTE_AS_IS_STEPS = [
    S("Start_request", 0, "Lane_customer", K.START, "Buyer asks for a quotation", system="E-mail, WeChat"),
    S("Task_read_request", 1, "Lane_rep", K.TASK, "Search the mailbox for the buyer's past quotations",
      performer="Regional sales manager", system="Outlook", minutes=20, volume=260,
      pains=(P.LOST_HISTORY, P.NO_VISIBILITY)),
    S("Task_lookup_items", 2, "Lane_rep", K.TASK, "Look up moulding codes, sizes and finishes",
      performer="Regional sales manager", system="Excel catalogue, PDF price book", minutes=25, volume=260,
      pains=(P.MISSING_DATA,),
      description="About 2,300 active variants; retired codes still appear in old catalogue files."),
    S("Task_price_lines", 3, "Lane_rep", K.TASK, "Copy prices from the personal price spreadsheet",
      performer="Regional sales manager", system="Excel", minutes=30, volume=260,
      pains=(P.WRONG_PRICE, P.MANUAL_REKEYING),
      description="Each sales manager keeps a copy of the price list; some copies are a season old."),
    S("Task_volume_discount", 4, "Lane_rep", K.TASK, "Work out the volume discount by hand",
      performer="Regional sales manager", system="Excel", minutes=15, volume=260, pains=(P.WRONG_PRICE,)),
    S("Gateway_discount", 5, "Lane_rep", K.DECISION, "Extra discount above 5%?"),
    S("Task_approve_discount", 6, "Lane_director", K.HANDOFF, "Approve the discount by WeChat or e-mail",
      performer="Sales director", system="WeChat, Outlook", minutes=10, volume=60,
      pains=(P.APPROVAL_DELAY, P.LOST_HISTORY),
      description="Approval takes up to three days when the director travels; the answer stays in a chat."),
    S("Task_prepare_quote", 7, "Lane_rep", K.TASK, "Type the quotation into the Excel template",
      performer="Regional sales manager", system="Excel", minutes=30, volume=260,
      pains=(P.DUPLICATE_ENTRY, P.MANUAL_REKEYING)),
    S("Task_send_quote", 8, "Lane_rep", K.TASK, "E-mail the quotation to the buyer",
      performer="Regional sales manager", system="Outlook", minutes=5, volume=260, pains=(P.LOST_HISTORY,)),
    S("Task_follow_up", 9, "Lane_rep", K.TASK, "Chase the buyer when someone remembers",
      performer="Regional sales manager", system="Outlook calendar", minutes=10, volume=160,
      pains=(P.NO_VISIBILITY, P.SLOW_RESPONSE)),
    S("Gateway_accepted", 10, "Lane_customer", K.DECISION, "Buyer accepts?"),
    S("Task_enter_order", 11, "Lane_orders", K.TASK, "Re-type the accepted quotation into the ERP",
      performer="Order desk clerk", system="ERP", minutes=25, volume=100,
      pains=(P.MANUAL_REKEYING, P.WRONG_PRICE)),
    S("End_lost", 11, "Lane_rep", K.END, "Quotation lost"),
    S("End_ordered", 12, "Lane_orders", K.END, "Sales order in the ERP"),
]
QUOTE_AS_IS_FLOWS = [
    ("Start_request", "Task_read_request", ""),
    ("Task_read_request", "Task_lookup_items", ""),
    ("Task_lookup_items", "Task_price_lines", ""),
    ("Task_price_lines", "Task_volume_discount", ""),
    ("Task_volume_discount", "Gateway_discount", ""),
    ("Gateway_discount", "Task_approve_discount", "Above 5%"),
    ("Gateway_discount", "Task_prepare_quote", "5% or less"),
    ("Task_approve_discount", "Task_prepare_quote", ""),
    ("Task_prepare_quote", "Task_send_quote", ""),
    ("Task_send_quote", "Task_follow_up", ""),
    ("Task_follow_up", "Gateway_accepted", ""),
    ("Gateway_accepted", "Task_enter_order", "Accepted"),
    ("Gateway_accepted", "End_lost", "Declined or no answer"),
    ("Task_enter_order", "End_ordered", ""),
]

QUOTE_TO_BE_STEPS = [
    S("Start_request", 0, "Lane_customer", K.START, "Buyer asks for a quotation", system="E-mail, WeChat"),
    S("Task_open_account", 1, "Lane_rep", K.TASK, "Start the quotation from the account",
      performer="Regional sales manager", system="CRM", minutes=3, volume=260,
      description="The account timeline shows every earlier quotation, sample and complaint."),
    S("Task_lookup_items", 2, "Lane_rep", K.TASK, "Configure the frames in the product configurator",
      performer="Regional sales manager", system="CRM configurator", minutes=10, volume=260,
      description="Only valid combinations of moulding, size, finish, glazing and mount can be chosen."),
    S("Task_price_lines", 3, "Lane_crm", K.SYSTEM, "Price the lines from the ERP price list",
      system="CRM, ERP price list", minutes=1, volume=260, automated=True),
    S("Task_volume_discount", 4, "Lane_crm", K.SYSTEM, "Apply the volume discount per line",
      system="CRM", minutes=1, volume=260, automated=True),
    S("Gateway_discount", 5, "Lane_crm", K.DECISION, "Extra discount above 5%?"),
    S("Task_approve_discount", 6, "Lane_director", K.TASK, "Approve or reject the discount in the CRM",
      performer="Sales director", system="CRM mobile app", minutes=3, volume=60),
    S("Task_prepare_quote", 7, "Lane_crm", K.SYSTEM, "Generate the quotation PDF",
      system="CRM", minutes=1, volume=260, automated=True),
    S("Task_send_quote", 8, "Lane_rep", K.TASK, "Send the quotation from the CRM",
      performer="Regional sales manager", system="CRM, Outlook", minutes=3, volume=260),
    S("Task_follow_up", 9, "Lane_crm", K.SYSTEM, "Remind the owner after seven days without answer",
      system="CRM", minutes=1, volume=160, automated=True),
    S("Gateway_accepted", 10, "Lane_customer", K.DECISION, "Buyer accepts?"),
    S("Task_enter_order", 11, "Lane_orders", K.TASK, "Check the sales order created from the quotation",
      performer="Order desk clerk", system="ERP (order from the CRM interface)", minutes=5, volume=100),
    S("End_lost", 11, "Lane_rep", K.END, "Quotation lost (reason recorded)"),
    S("End_ordered", 12, "Lane_orders", K.END, "Sales order in the ERP"),
]
QUOTE_TO_BE_FLOWS = [
    ("Start_request", "Task_open_account", ""),
    ("Task_open_account", "Task_lookup_items", ""),
    ("Task_lookup_items", "Task_price_lines", ""),
    ("Task_price_lines", "Task_volume_discount", ""),
    ("Task_volume_discount", "Gateway_discount", ""),
    ("Gateway_discount", "Task_approve_discount", "Above 5%"),
    ("Gateway_discount", "Task_prepare_quote", "5% or less"),
    ("Task_approve_discount", "Task_prepare_quote", "Approved"),
    ("Task_prepare_quote", "Task_send_quote", ""),
    ("Task_send_quote", "Task_follow_up", ""),
    ("Task_follow_up", "Gateway_accepted", ""),
    ("Gateway_accepted", "Task_enter_order", "Accepted"),
    ("Gateway_accepted", "End_lost", "Declined or no answer in 30 days"),
    ("Task_enter_order", "End_ordered", ""),
]

# name -> process, kind, status, based on, who drew it, description, lanes, steps, flows
MAPS = {
    LEAD_AS_IS: (
        LEAD, MapKind.AS_IS, MapStatus.AGREED, None, "member",
        "As recorded in the interviews with the three export sales teams and the trade-fair team. Volumes "
        "are monthly averages over the last year, trade-fair months included.",
        [FAIR, ASSISTANT, REP_TALL, DIRECTOR], LEAD_AS_IS_STEPS, LEAD_AS_IS_FLOWS,
    ),
    LEAD_TO_BE: (
        LEAD, MapKind.TO_BE, MapStatus.REVIEW, LEAD_AS_IS, "member",
        "From the key-user workshops: every enquiry enters the CRM where it arrives, duplicates are caught "
        "on entry and the buyer's country decides the owner.",
        [FAIR, ASSISTANT, REP_TALL, DIRECTOR, CRM], LEAD_TO_BE_STEPS, LEAD_TO_BE_FLOWS,
    ),
    QUOTE_AS_IS: (
        QUOTE, MapKind.AS_IS, MapStatus.AGREED, None, "member",
        "How the Europe team quotes today; the North America and Middle East teams work the same way, each "
        "with their own spreadsheets.",
        [CUSTOMER, REP, DIRECTOR, ORDERS], QUOTE_AS_IS_STEPS, QUOTE_AS_IS_FLOWS,
    ),
    QUOTE_TO_BE: (
        QUOTE, MapKind.TO_BE, MapStatus.AGREED, QUOTE_AS_IS, "member",
        "Signed by the sales director: frames are configured and priced in the CRM from the ERP price list, "
        "extra discounts are approved in the CRM and accepted quotations go to the ERP as sales orders.",
        [CUSTOMER, REP, DIRECTOR, ORDERS, CRM], QUOTE_TO_BE_STEPS, QUOTE_TO_BE_FLOWS,
    ),
}

# --- Gaps ----------------------------------------------------------------------------------------

# Roadmap deliverables (book template names) that gaps feed.
INTEGRATION_DESIGN = "Integration design"
RULES_DELIVERABLE = "Business rules and escalations"
TRAINING_MATERIAL = "User manual and training material"
MIGRATION_DESIGN = "Migration design and field mapping"

# title -> kind, as-is map, as-is step, to-be map, to-be step, resolution, effort days, priority,
# owner, decision, decision notes, deliverables, description
GAPS = {
    "Badge scans replace business cards at trade fairs": (
        GapKind.CHANGED, LEAD_AS_IS, "Task_capture_contact", LEAD_TO_BE, "Task_capture_contact",
        Resolution.CONFIGURATION, "4", Priority.HIGH, "evaluator", GapDecision.ACCEPTED,
        "Use the vendor's scanner app; try it at the spring fair with the Europe team first.", [],
        "Trade-fair staff write visitors' details on business cards and in notebooks; notes get lost or "
        "cannot be read, and the cards reach the office a week after the fair. In the to-be process the "
        "badge is scanned into the CRM app at the stand, with the notes and the products shown.",
    ),
    "Website enquiry form creates leads": (
        GapKind.ADDED, LEAD_AS_IS, None, LEAD_TO_BE, "Task_web_form",
        Resolution.INTEGRATION, "5", Priority.MEDIUM, "evaluator", GapDecision.ACCEPTED,
        "The web agency posts the form to the CRM's lead endpoint; IT reviews the spam filter.",
        [INTEGRATION_DESIGN],
        "Website enquiries arrive as e-mails that the sales assistant types into the lead list. The form "
        "will create the lead directly, with Website as its source.",
    ),
    "Leads assigned to the region's sales manager automatically": (
        GapKind.ADDED, LEAD_AS_IS, "Task_assign_lead", LEAD_TO_BE, "Task_assign_auto",
        Resolution.CONFIGURATION, "2", Priority.HIGH, "steering", GapDecision.ACCEPTED,
        "Region table owned by sales operations; the assignment rule is standard configuration.",
        [RULES_DELIVERABLE],
        "The sales director picks an owner for each lead from memory, and two sales managers sometimes "
        "claim the same buyer. The CRM assigns the lead by the country's sales region and tells the owner.",
    ),
    "Sales managers work leads in the CRM, not in private spreadsheets": (
        GapKind.REMOVED, LEAD_AS_IS, "Task_copy_lead", LEAD_TO_BE, None,
        Resolution.TRAINING, "6", Priority.HIGH, "trainer", GapDecision.ACCEPTED,
        "Covered in the key-user course and the end-user sessions before go-live.", [TRAINING_MATERIAL],
        "Each sales manager copies forwarded leads into a personal spreadsheet, so the history leaves with "
        "the person. The copy step disappears; the courses teach working the lead in the CRM, and the "
        "weekly sales spreadsheet gives way to the pipeline view.",
    ),
    "Customer and lead lists de-duplicated before go-live": (
        GapKind.OTHER, LEAD_AS_IS, "Task_log_enquiry", LEAD_TO_BE, "Task_dedupe",
        Resolution.DATA, "12", Priority.HIGH, "evaluator3", GapDecision.ACCEPTED,
        "Matching on e-mail and VAT number; disputed owners go to the sales director.", [MIGRATION_DESIGN],
        "The duplicate check on entry only helps if the migrated lists are clean: trial migration 1 found "
        "11% duplicates among 4,100 customer records. The lists are matched and merged, with their owners "
        "agreed, before the final migration.",
    ),
    "Leads from countries without a sales region": (
        GapKind.CHANGED, LEAD_AS_IS, "Task_assign_lead", LEAD_TO_BE, "Task_assign_lead",
        Resolution.PROCESS_CHANGE, "1", Priority.MEDIUM, "steering", GapDecision.OPEN,
        "Lin Hui to choose at the next design workshop: the sales director's queue or a weekly rotation "
        "among the sales managers.", [],
        "Some enquiries come from countries that no region covers, such as South America or Africa. "
        "Somebody must own them, or they fall back to the Europe queue as they did in UAT round 2.",
    ),
    "Prices taken from the ERP price list": (
        GapKind.AUTOMATED, QUOTE_AS_IS, "Task_price_lines", QUOTE_TO_BE, "Task_price_lines",
        Resolution.INTEGRATION, "15", Priority.CRITICAL, "evaluator", GapDecision.ACCEPTED,
        "Nightly synchronisation plus a refresh on demand; the ERP stays the master of prices.",
        [INTEGRATION_DESIGN],
        "Sales managers copy prices from their own spreadsheets, some of them a season old, and wrong "
        "prices reach buyers. The CRM prices every line from the ERP price list of the account's price "
        "group, and the price cannot be typed over.",
    ),
    "Volume discount calculated per line": (
        GapKind.AUTOMATED, QUOTE_AS_IS, "Task_volume_discount", QUOTE_TO_BE, "Task_volume_discount",
        Resolution.CUSTOMISATION, "6", Priority.HIGH, "evaluator", GapDecision.ACCEPTED,
        "A small extension by the partner: the standard discount field works per quotation only.", [],
        "Volume discounts are worked out by hand and often wrong. The ERP holds the scale by price group; "
        "the CRM applies the band for each line's quantity.",
    ),
    "Discount approval in the CRM instead of WeChat": (
        GapKind.CHANGED, QUOTE_AS_IS, "Task_approve_discount", QUOTE_TO_BE, "Task_approve_discount",
        Resolution.PROCESS_CHANGE, "2", Priority.HIGH, "steering", GapDecision.ACCEPTED,
        "The sales director agreed to approve only in the CRM, with a one-working-day target.",
        [RULES_DELIVERABLE],
        "Extra discounts are approved by WeChat or e-mail, so an approval can take three days and nobody "
        "finds it later. Approval becomes a CRM step with the quotation, the margin and the decision on "
        "record.",
    ),
    "Accepted quotations become ERP sales orders": (
        GapKind.CHANGED, QUOTE_AS_IS, "Task_enter_order", QUOTE_TO_BE, "Task_enter_order",
        Resolution.INTEGRATION, "10", Priority.HIGH, "evaluator", GapDecision.ACCEPTED,
        "Part of the ERP interface; the order desk keeps the final check of dates and payment terms.",
        [INTEGRATION_DESIGN],
        "The order desk re-types accepted quotations into the ERP, with mistakes in sizes and prices. The "
        "CRM sends the accepted quotation to the ERP as a sales order; the order desk only checks it.",
    ),
    "Credit status shown before a quotation is sent": (
        GapKind.OTHER, QUOTE_AS_IS, None, QUOTE_TO_BE, "Task_send_quote",
        Resolution.OUT_OF_SCOPE, "8", Priority.MEDIUM, "viewer", GapDecision.DEFERRED,
        "Out of the pilot's scope. The change request for an ERP credit-status interface waits for the "
        "steering committee; to be looked at again for wave 2.", [],
        "Quotations have gone to importers on credit hold because sales cannot see the ERP balance.",
    ),
}

# --- Business rules ------------------------------------------------------------------------------

# number -> name, type, trigger, condition, action, owner, (map, step key) or None, status
RULES = {
    1: (
        "Service requests escalate by priority and age", RuleType.ESCALATION,
        "Hourly check of open service requests",
        "High priority: no response within 4 working hours. Normal: open for more than 2 working days. "
        "Low: open for more than 5 working days.",
        "Notify the customer service lead and raise the escalation level; at the second level also notify "
        "the account owner and the sales director.",
        "evaluator2", None, RuleStatus.AGREED,
    ),
    2: (
        "One lead per contact e-mail", RuleType.VALIDATION,
        "A lead is created or imported",
        "An open lead or a contact already has the same e-mail address (case ignored).",
        "Create no second lead: add the enquiry to the existing lead as a new visit, or point to the "
        "existing contact.",
        "evaluator3", (LEAD_TO_BE, "Task_dedupe"), RuleStatus.CONFIGURED,
    ),
    3: (
        "One account per customer (VAT number)", RuleType.VALIDATION,
        "An account is created, or a lead is converted",
        "An account with the same VAT number exists.",
        "Refuse the new account and offer the existing one.",
        "evaluator3", (LEAD_TO_BE, "Task_convert"), RuleStatus.CONFIGURED,
    ),
    4: (
        "Leads are owned by the sales manager of their region", RuleType.ASSIGNMENT,
        "A new lead is saved",
        "The lead's country belongs to a sales region (Europe, North America, Middle East and Australia).",
        "Make the region's sales manager the lead owner and notify them.",
        "steering", (LEAD_TO_BE, "Task_assign_auto"), RuleStatus.CONFIGURED,
    ),
    5: (
        "The lead owner becomes the account owner", RuleType.ASSIGNMENT,
        "A lead is converted",
        "The conversion creates a new account.",
        "Give the new account, its contacts and the opportunity the lead's owner; an existing account keeps "
        "its owner.",
        "steering", (LEAD_TO_BE, "Task_convert"), RuleStatus.CONFIGURED,
    ),
    6: (
        "Quotations above EUR 50,000 alert sales leadership", RuleType.ALERT,
        "A quotation is sent, or an opportunity's value changes",
        "The total is above EUR 50,000, or the same amount in USD or AUD at the ERP rate.",
        "Notify the sales director and the general manager with a link to the quotation.",
        "sponsor", (QUOTE_TO_BE, "Task_send_quote"), RuleStatus.AGREED,
    ),
    7: (
        "Extra discounts above 5% need the sales director's approval", RuleType.VALIDATION,
        "A quotation is submitted",
        "A line's discount beyond the volume scale is above 5%.",
        "Hold the quotation for the sales director's approval; it cannot be sent before it is approved.",
        "steering", (QUOTE_TO_BE, "Task_approve_discount"), RuleStatus.AGREED,
    ),
    8: (
        "Unanswered quotations are followed up after seven days", RuleType.ALERT,
        "Daily check of sent quotations",
        "Sent seven or more days ago and no answer logged.",
        "Create a follow-up task for the quotation owner.",
        "member", (QUOTE_TO_BE, "Task_follow_up"), RuleStatus.CONFIGURED,
    ),
    9: (
        "Leads not worked within two working days escalate", RuleType.ESCALATION,
        "Daily check of new leads",
        "No call, e-mail or note logged two working days after the lead was assigned.",
        "Remind the owner; after four working days notify the sales director.",
        "steering", (LEAD_TO_BE, "Task_contact_lead"), RuleStatus.PROPOSED,
    ),
    10: (
        "Leads from countries without a region go to the sales director", RuleType.ASSIGNMENT,
        "A new lead is saved",
        "The lead's country belongs to no sales region.",
        "Put the lead in the sales director's queue to be assigned by hand.",
        "steering", (LEAD_TO_BE, "Task_assign_lead"), RuleStatus.PROPOSED,
    ),
    11: (
        "Prices come from the ERP price list only", RuleType.VALIDATION,
        "A quotation line is added or changed",
        "Always.",
        "Take the unit price from the current ERP price list for the account's price group; the price "
        "cannot be typed over.",
        "evaluator", (QUOTE_TO_BE, "Task_price_lines"), RuleStatus.CONFIGURED,
    ),
    12: (
        "Volume discount by quantity per line", RuleType.CALCULATION,
        "A quotation line's quantity changes",
        "The quantity reaches a band of the ERP volume-discount scale (3% from 500 pieces, 5% from 1,000).",
        "Apply the band's discount to the line and show it on the quotation.",
        "evaluator", (QUOTE_TO_BE, "Task_volume_discount"), RuleStatus.CONFIGURED,
    ),
    13: (
        "Quotations are valid for 30 days", RuleType.VALIDATION,
        "A quotation is generated",
        "Always; price-list changes during the 30 days do not change a sent quotation.",
        "Print a validity date 30 days ahead; an expired quotation needs a new version before it can be "
        "accepted.",
        "steering", (QUOTE_TO_BE, "Task_prepare_quote"), RuleStatus.AGREED,
    ),
    15: (
        "Samples ship within five working days", RuleType.ESCALATION,
        "A sample request is submitted",
        "Not shipped five working days after it was submitted.",
        "Warn the sample room supervisor and the sales manager, and show the request as overdue.",
        "member", None, RuleStatus.AGREED,
    ),
    20: (
        "First response to a complaint within 48 hours", RuleType.ESCALATION,
        "A complaint case is opened",
        "No first response recorded 40 hours after the case was opened.",
        "Warn the case owner and the customer service lead; at 48 hours mark the service level as missed.",
        "evaluator2", None, RuleStatus.CONFIGURED,
    ),
}

# --- Use cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UC:
    title: str
    actor: str
    goal: str
    preconditions: str
    trigger: str
    main_flow: tuple
    alternate: str
    exception: str
    postconditions: str
    priority: str
    rules: tuple
    steps: tuple  # (map name, step key)
    gaps: tuple   # gap titles
    status: str
    owner: str
    signed_days_ago: int | None = None


USE_CASES = {
    1: UC(
        "Capture lead", "Trade-fair staff, sales assistant",
        "Every enquiry, whatever its channel, is a lead in the CRM within a day, with its source and notes.",
        "The user is signed in to the CRM app or the browser. Lead sources (trade fairs, website, e-mail, "
        "phone) are set up.",
        "A buyer visits the stand, sends the website form, writes an e-mail or calls.",
        (
            "The user opens New lead in the CRM app or the browser.",
            "The user scans the visitor's badge or business card, or types company, contact, country and e-mail.",
            "The user picks the source (the fair by name, website, e-mail or phone) and adds notes and the "
            "products shown.",
            "The CRM checks the contact e-mail against existing leads and contacts.",
            "The CRM saves the lead as New and lists it for its owner.",
        ),
        "A1 (step 2) Website form: the form creates the lead without a user; steps 4 and 5 follow.\n"
        "A2 (step 4) The e-mail belongs to an existing lead: the enquiry is added to it as a new visit.",
        "E1 (step 2) No network at the stand: the app keeps the scans and sends them when it is online.\n"
        "E2 (step 5) Company or country missing: the CRM does not save and names the missing fields.",
        "One lead per contact e-mail, with its source, notes and the date of the enquiry.",
        MoSCoW.MUST, (2,),
        ((LEAD_TO_BE, "Task_capture_contact"), (LEAD_TO_BE, "Task_log_enquiry"), (LEAD_TO_BE, "Task_web_form"),
         (LEAD_TO_BE, "Task_dedupe")),
        ("Badge scans replace business cards at trade fairs", "Website enquiry form creates leads"),
        UseCaseStatus.APPROVED, "steering", 12,
    ),
    2: UC(
        "Assign lead", "CRM system; sales director for exceptions",
        "Each new lead has exactly one owner, the sales manager of the buyer's region, who hears of it at once.",
        "Sales regions and their countries are maintained, each region with one sales manager.",
        "A new lead is saved.",
        (
            "The CRM reads the lead's country.",
            "The CRM finds the country's sales region.",
            "The CRM makes the region's sales manager the lead owner.",
            "The CRM notifies the owner by e-mail and in the new-leads list.",
            "The owner opens the lead and accepts it.",
        ),
        "A1 (step 2) The country has no region: the lead goes to the sales director, who assigns it by hand.\n"
        "A2 (step 5) The owner is away: the sales director reassigns the lead; the history keeps both owners.",
        "E1 (step 4) The e-mail cannot be sent: the lead still appears in the owner's list and IT sees the "
        "failure in the log.",
        "The lead has one owner, and the assignment is in its history.",
        MoSCoW.MUST, (4, 9, 10),
        ((LEAD_TO_BE, "Task_assign_auto"), (LEAD_TO_BE, "Task_assign_lead")),
        ("Leads assigned to the region's sales manager automatically", "Leads from countries without a sales region"),
        UseCaseStatus.APPROVED, "steering", 10,
    ),
    3: UC(
        "Create quotation", "Regional sales manager",
        "A correct quotation, priced from the current ERP price list, reaches the buyer the same day.",
        "The account exists with its currency and price group; the price list and the volume-discount scale "
        "are synchronised from the ERP.",
        "A buyer asks for a quotation.",
        (
            "The sales manager opens the account and chooses New quotation.",
            "The sales manager configures each frame: moulding profile, size, finish, glazing and mount.",
            "The CRM prices each line from the current ERP price list of the account's price group.",
            "The CRM applies the volume discount for each line's quantity.",
            "The sales manager sets payment terms and the CRM generates the PDF.",
            "The sales manager sends the quotation from the CRM; the e-mail and the PDF are kept on the account.",
        ),
        "A1 (step 2) An item is not in the catalogue: the sales manager asks product development through a "
        "task on the quotation, which stays a draft.\n"
        "A2 (step 4) An extra discount above 5% is entered: the quotation goes for approval (UC-6) first.",
        "E1 (step 3) The price list failed to synchronise: the CRM blocks the quotation and tells IT.\n"
        "E2 (step 6) The buyer's e-mail bounces: the owner gets a task to send it another way.",
        "The quotation is on the account with its lines, prices, PDF and e-mail; the opportunity value is updated.",
        MoSCoW.MUST, (11, 12, 13, 6),
        ((QUOTE_TO_BE, "Task_open_account"), (QUOTE_TO_BE, "Task_lookup_items"), (QUOTE_TO_BE, "Task_price_lines"),
         (QUOTE_TO_BE, "Task_volume_discount"), (QUOTE_TO_BE, "Task_prepare_quote"),
         (QUOTE_TO_BE, "Task_send_quote")),
        ("Prices taken from the ERP price list", "Volume discount calculated per line"),
        UseCaseStatus.APPROVED, "steering", 9,
    ),
    4: UC(
        "Convert lead", "Regional sales manager",
        "A qualified lead becomes an account, a contact and an opportunity without typing anything twice.",
        "The lead is qualified and the user owns it.",
        "The buyer confirms interest in a range, or asks for a quotation or samples.",
        (
            "The sales manager opens the lead and chooses Convert.",
            "The CRM searches accounts by VAT number and company name and shows any match.",
            "The sales manager creates a new account or picks the matching one.",
            "The CRM creates the contact and, if asked, an opportunity for the range of interest.",
            "The CRM gives the new account the lead's owner and moves the lead's visits and notes to it.",
            "The CRM marks the lead as converted, with a link to the account.",
        ),
        "A1 (step 3) The matching account has another owner: the contact is added to it and its owner is "
        "told; the account keeps its owner.",
        "E1 (step 2) The lead has no VAT number: the sales manager enters it or confirms that the buyer has "
        "none (retail chains outside the EU).",
        "One account per VAT number, with the lead's whole history and one owner.",
        MoSCoW.MUST, (3, 5),
        ((LEAD_TO_BE, "Task_convert"),),
        ("Customer and lead lists de-duplicated before go-live",),
        UseCaseStatus.APPROVED, "steering", 9,
    ),
    5: UC(
        "Request samples", "Regional sales manager",
        "The buyer receives the corner samples and finish cards promised, within five working days.",
        "The account has an open opportunity; sample items are flagged in the product catalogue.",
        "A buyer asks for samples.",
        (
            "The sales manager creates a sample request from the opportunity.",
            "The sales manager adds corner samples and finish cards; only items flagged as samples can be chosen.",
            "The CRM sets the due date five working days ahead and queues the request for the sample room.",
            "The sample room packs the samples and records the courier and tracking number.",
            "The CRM shows the shipment on the account timeline and tells the sales manager.",
        ),
        "A1 (step 4) A sample is out of stock: the sample room proposes another; the sales manager accepts or "
        "changes the request.",
        "E1 (step 3) The due date passes without a shipment: the sample room supervisor and the sales manager "
        "are warned.",
        "The account shows which samples were sent, when and with which courier.",
        MoSCoW.SHOULD, (15,), (), (),
        UseCaseStatus.APPROVED, "steering", 6,
    ),
    6: UC(
        "Approve discount", "Sales director",
        "Extra discounts above 5% are decided within a working day, with the reason on record.",
        "A quotation with an extra discount above 5% waits for approval.",
        "The sales manager submits the quotation.",
        (
            "The CRM sends the request to the sales director with the quotation, its margin and the account's "
            "sales of the last twelve months.",
            "The sales director opens the request in the CRM app.",
            "The sales director approves it with a comment.",
            "The CRM records the decision and lets the sales manager send the quotation.",
        ),
        "A1 (step 3) The director rejects: the quotation returns to draft with the comment.\n"
        "A2 (step 2) The director is away: the general manager decides instead.",
        "E1 (step 2) No decision within one working day: the CRM reminds the director and tells the sales "
        "manager.",
        "The discount, the decision, who took it and when are kept on the quotation.",
        MoSCoW.MUST, (7,),
        ((QUOTE_TO_BE, "Task_approve_discount"),),
        ("Discount approval in the CRM instead of WeChat",),
        UseCaseStatus.REVIEWED, "steering",
    ),
    7: UC(
        "Confirm order", "Regional sales manager, order desk",
        "An accepted quotation becomes an ERP sales order with the same items and net prices, without "
        "re-typing.",
        "The quotation is sent and still valid; the account exists in the ERP.",
        "The buyer accepts the quotation or sends a purchase order.",
        (
            "The sales manager marks the quotation accepted and attaches the buyer's purchase order.",
            "The CRM sends the quotation to the ERP as a sales order.",
            "The ERP returns the order number; the CRM stores it on the quotation and the opportunity.",
            "The order desk checks the delivery date and payment terms in the ERP and confirms the order.",
            "The CRM marks the opportunity as won.",
        ),
        "A1 (step 1) The buyer changes quantities: the sales manager makes a new version of the quotation "
        "and it is accepted instead.",
        "E1 (step 2) The ERP refuses the order (unknown account or item): the quotation shows the ERP's "
        "message and the order desk gets a task.",
        "The ERP sales order and the CRM quotation have the same lines and net prices; the opportunity is won.",
        MoSCoW.MUST, (11, 12),
        ((QUOTE_TO_BE, "Task_enter_order"),),
        ("Accepted quotations become ERP sales orders",),
        UseCaseStatus.APPROVED, "steering", 5,
    ),
    8: UC(
        "Follow up quotation", "Regional sales manager",
        "No quotation is forgotten: every open quotation is chased within seven days.",
        "A quotation has been sent.",
        "Seven days pass without an answer from the buyer.",
        (
            "The CRM creates a follow-up task for the quotation owner.",
            "The sales manager calls or e-mails the buyer from the task.",
            "The sales manager logs the answer on the quotation.",
            "The sales manager marks the quotation accepted or declined, or sets the next follow-up date.",
        ),
        "A1 (step 4) Declined: the sales manager records the reason (price, delivery time, design or "
        "competitor).",
        "E1 (step 1) The quotation has expired: the task asks for a new version or for the quotation to be "
        "closed.",
        "Every sent quotation has an outcome or a next follow-up date.",
        MoSCoW.SHOULD, (8, 13),
        ((QUOTE_TO_BE, "Task_follow_up"),), (),
        UseCaseStatus.REVIEWED, "steering",
    ),
    9: UC(
        "Handle complaint", "Customer service agent",
        "Every complaint is a case with an owner, a first response within 48 hours and a recorded remedy.",
        "The account exists; the customer service queue and its service levels are set up.",
        "A customer complains by e-mail, by phone or through the sales manager.",
        (
            "The agent logs the complaint as a case on the account, with its type, the order number and photos.",
            "The CRM sets the first-response target 48 hours ahead and puts the case in the queue.",
            "The agent sends the first response and records it on the case.",
            "The agent agrees a remedy with production or logistics: credit note, replacement or a discount on "
            "the next order.",
            "The agent records the remedy and closes the case; the sales manager is told.",
        ),
        "A1 (step 1) The complaint comes through the sales manager, who logs it; the case goes to the queue.\n"
        "A2 (step 4) The credit note is above the agent's limit: the customer service manager approves it.",
        "E1 (step 3) No first response after 40 hours: the case owner and the customer service lead are warned.",
        "The case shows the complaint, the first-response time, the remedy and who closed it.",
        MoSCoW.MUST, (20, 1), (), (),
        UseCaseStatus.APPROVED, "sponsor", 4,
    ),
    10: UC(
        "View the sales pipeline", "Sales director",
        "See leads, quotations and opportunities by region and stage without asking for spreadsheets.",
        "Leads, quotations and opportunities are worked in the CRM.",
        "The weekly sales meeting, or whenever the director needs the figures.",
        (
            "The sales director opens the pipeline dashboard.",
            "The CRM shows new leads, open quotations and opportunities by region, stage and expected value.",
            "The director filters by region, sales manager or product line.",
            "The director opens an item to see its owner and history.",
        ),
        "A1 (step 2) The director exports the view to Excel for the board meeting.",
        "E1 (step 2) Items without an expected value are listed apart, so the totals hide nothing.",
        "No weekly sales spreadsheet is collected; the figures come from the CRM.",
        MoSCoW.SHOULD, (6,), (),
        ("Sales managers work leads in the CRM, not in private spreadsheets",),
        UseCaseStatus.APPROVED, "sponsor", 3,
    ),
    11: UC(
        "Import trade-fair leads", "Sales assistant",
        "All badge scans of a fair are leads in the CRM the day after the fair, without duplicates.",
        "The scanner export (CSV) of the fair is available.",
        "A trade-fair day ends.",
        (
            "The sales assistant uploads the scanner file and picks the fair.",
            "The CRM shows a preview of the rows it will create, update or reject.",
            "The sales assistant corrects or removes the rejected rows.",
            "The CRM creates a lead for each new contact e-mail and adds a visit to existing leads.",
            "The CRM assigns the new leads by region (UC-2).",
        ),
        "A1 (step 2) The file has another encoding: the assistant picks it and the preview is refreshed.",
        "E1 (step 1) The file is not a scanner export: the CRM names the missing columns and imports nothing.",
        "Each scanned visitor is one lead with the fair as its source.",
        MoSCoW.SHOULD, (2, 4),
        ((LEAD_TO_BE, "Task_capture_contact"), (LEAD_TO_BE, "Task_dedupe")),
        ("Badge scans replace business cards at trade fairs",),
        UseCaseStatus.DRAFT, "steering",
    ),
    12: UC(
        "Escalate service request", "CRM system",
        "Urgent or ageing service requests reach someone who can act before the customer chases us.",
        "Escalation levels and the age limit of each priority are set up for the customer service queue.",
        "A service request passes the age limit of its priority.",
        (
            "The CRM checks the open service requests every hour.",
            "The CRM finds the requests past the limit of their priority.",
            "The CRM raises their escalation level and notifies the customer service lead.",
            "The customer service lead reassigns the request or calls the customer.",
        ),
        "A1 (step 3) The second level is reached: the account owner and the sales director are told as well.",
        "E1 (step 1) The check did not run: the monitoring job tells IT.",
        "Every escalation is recorded on the request with its time and level.",
        MoSCoW.COULD, (1,), (), (),
        UseCaseStatus.DRAFT, "sponsor",
    ),
}


# --- Seeding -------------------------------------------------------------------------------------


def seed(project, users):
    """The design registers of the demo project (idempotent; see the module docstring)."""
    processes = seed_processes(project, users)
    maps = seed_maps(project, users, processes)
    steps = {
        (name, step.key): step for name, process_map in maps.items() for step in Step.objects.filter(map=process_map)
    }
    gaps = seed_gaps(project, users, maps, steps)
    rules = seed_rules(project, users, steps)
    seed_use_cases(project, users, steps, gaps, rules)


def seed_processes(project, users) -> dict:
    processes = {}
    for name, (area, owner, description) in PROCESSES.items():
        processes[name], _created = upsert(
            Process, {"project": project, "name": name},
            {"business_area": area, "owner": users[owner], "description": description},
        )
    return processes


def seed_maps(project, users, processes) -> dict:
    stakeholders = {s.name: s for s in Stakeholder.objects.filter(project=project)}
    maps = {}
    for name, (process, kind, status, based_on, drawn_by, description, lanes, steps, flows) in MAPS.items():
        process_map, _created = upsert(
            ProcessMap, {"project": project, "process": processes[process], "name": name},
            {"kind": kind, "status": status, "description": description, "based_on": maps.get(based_on)},
        )
        mapdata.save_content(process_map, map_content(lanes, steps, flows, stakeholders), user=users[drawn_by])
        maps[name] = process_map
    return maps


def seed_gaps(project, users, maps, steps) -> dict:
    gaps = {}
    for title, (kind, as_is, as_is_step, to_be, to_be_step, resolution, effort, priority, owner, decision,
                notes, deliverables, description) in GAPS.items():
        gap, _created = upsert(
            Gap, {"project": project, "title": title},
            {
                "kind": kind, "description": description,
                "as_is_map": maps[as_is], "to_be_map": maps[to_be],
                "as_is_step": steps[as_is, as_is_step] if as_is_step else None,
                "to_be_step": steps[to_be, to_be_step] if to_be_step else None,
                "resolution": resolution, "effort_days": Decimal(effort), "priority": priority,
                "owner": users[owner], "decision": decision, "decision_notes": notes,
            },
        )
        found = [deliverable(project, name) for name in deliverables]
        set_if_different(gap.deliverables, [task for task in found if task is not None])
        gaps[title] = gap
    return gaps


def deliverable(project, name: str):
    """The roadmap deliverable of that name in the earliest release, or None without the roadmap demo."""
    from roadmap.choices import ItemKind
    from roadmap.models import Task

    return (
        Task.objects.filter(project=project, kind=ItemKind.DELIVERABLE, name=name)
        .order_by("release__start_date", "number").first()
    )


def seed_rules(project, users, steps) -> dict:
    rules = {}
    for number, (name, rule_type, trigger, condition, action, owner, source, status) in RULES.items():
        rules[number], _created = upsert(
            BusinessRule, {"project": project, "number": number},
            {
                "name": name, "rule_type": rule_type, "trigger": trigger, "condition": condition,
                "action": action, "owner": users[owner], "source_step": steps[source] if source else None,
                "status": status,
            },
        )
    return rules


def seed_use_cases(project, users, steps, gaps, rules) -> None:
    today = timezone.localdate()
    for number, uc in USE_CASES.items():
        signed = uc.status == UseCaseStatus.APPROVED
        use_case, _created = upsert(
            UseCase, {"project": project, "number": number},
            {
                "title": uc.title, "actor": uc.actor, "goal": uc.goal, "preconditions": uc.preconditions,
                "trigger": uc.trigger, "main_flow": "\n".join(uc.main_flow), "alternate_flows": uc.alternate,
                "exception_flows": uc.exception, "postconditions": uc.postconditions, "priority": uc.priority,
                "status": uc.status, "business_owner": users[uc.owner],
                "signed_off_by": users[uc.owner] if signed else None,
                "signed_off_at": signed_at(today, uc.signed_days_ago) if signed else None,
            },
        )
        set_if_different(use_case.business_rules, [rules[n] for n in uc.rules])
        set_if_different(use_case.steps, [steps[ref] for ref in uc.steps])
        set_if_different(use_case.gaps, [gaps[title] for title in uc.gaps])


def signed_at(today: datetime.date, days_ago: int) -> datetime.datetime:
    """Late afternoon, `days_ago` days before today (in the project's time zone)."""
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 30)))


def set_if_different(manager, wanted) -> None:
    if set(manager.values_list("pk", flat=True)) != {obj.pk for obj in wanted}:
        manager.set(wanted)
