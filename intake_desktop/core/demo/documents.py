"""The demo's documents: about forty realistic, fictitious files across three matters.

`generate_documents(seed)` returns them in memory (bytes, intake path, kind); the same seed
gives the same bytes. The kinds cover what a firm receives: letters and pleadings (text
PDFs on a letterhead or pleading paper), scanned medical and civil records (image-only,
300 dpi), phone photos with EXIF dates and orientation, e-mails with attachments, a Word
document, a spreadsheet, a zip of pay stubs, a byte-identical duplicate, a
password-protected PDF and a file no naming rule matches.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from intake_desktop.core.demo import cast as c
from intake_desktop.core.demo.render import (
    Attachment,
    Email,
    Letterhead,
    Photo,
    ScanPage,
    Sheet,
    TextDocument,
    WordDocument,
    docx_bytes,
    eml_bytes,
    encrypt_pdf,
    photo_jpeg,
    scanned_pdf,
    text_pdf,
    xlsx_bytes,
    zip_bytes,
)

DEFAULT_SEED = 117
PRODUCTION_PASSWORD = "acme2024"


class Kind(enum.StrEnum):
    LETTER = "letter"
    PLEADING = "pleading"
    NOTICE = "notice"  # forms and notices from agencies, police, insurers
    SCAN = "scan"
    PHOTO = "photo"
    EMAIL = "email"
    WORD = "word"
    SPREADSHEET = "spreadsheet"
    ARCHIVE = "archive"
    DUPLICATE = "duplicate"
    ENCRYPTED = "encrypted"
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class DemoDocument:
    """One file the demo drops into Intake/<matter>/<relative>."""

    matter: str
    relative: str  # posix path below Intake/<matter>/
    kind: Kind
    description: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def name(self) -> str:
        return self.relative.rsplit("/", 1)[-1]


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _long(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _pleading_caption(title: str, dated: str, plaintiff_side: bool = True) -> tuple[str, ...]:
    """Attorney block, court and caption; `dated` is the first date on page 1, as filed."""
    attorney = (
        (f"{c.ATTORNEY} ({c.ATTORNEY_BAR})", "HARBOR & VALE LLP",
         "1200 Example Avenue, Suite 400, Springfield, CA 94000",
         f"Attorneys for Plaintiff {c.CLIENT_LIT.upper()}")
        if plaintiff_side else
        (f"{c.DEFENSE_ATTORNEY} (SBN 000388)", "WHITCOMBE STERLING LLP",
         "88 Market Plaza, 12th Floor, Oakport, CA 94100",
         "Attorneys for Defendant ACME LOGISTICS, INC.")
    )
    return (
        *attorney,
        "",
        f"# {c.COURT}",
        f"# {c.COURT_DISTRICT}",
        "",
        f"{c.CLIENT_LIT.upper()}, an individual,            {c.CASE_NO}",
        "          Plaintiff,",
        f"     v.                                                  {title}",
        f"{c.DEFENDANT.upper()}, a Delaware corporation,",
        "          Defendant.",
        f"                                                          Dated: {dated}",
    )


def _text_pdf(matter: str, relative: str, kind: Kind, description: str,
              **fields: Any) -> DemoDocument:
    """A text PDF document; `fields` are `TextDocument`'s (title, author, paragraphs, ...)."""
    return DemoDocument(matter, relative, kind, description, text_pdf(TextDocument(**fields)))


def _pleading(matter: str, relative: str, description: str, *, title: str, date: str,
              author: str, heading: str, paragraphs: tuple[str, ...],
              plaintiff_side: bool = True) -> DemoDocument:
    """A pleading on pleading paper, its caption dated the day it was filed (`date`)."""
    day = _d(date)
    return _text_pdf(matter, relative, Kind.PLEADING, description, title=title, date=day,
                     author=author, pleading=True,
                     caption=_pleading_caption(heading, _long(day), plaintiff_side),
                     paragraphs=paragraphs)


# ---- litigation: Reyes v. Acme Logistics ------------------------------------------------------


def _litigation(rng: random.Random) -> list[DemoDocument]:
    m = c.LITIGATION_MATTER
    docs: list[DemoDocument] = []
    weekly_hours = rng.choice((52, 54, 55, 57))
    rate = rng.choice((27.5, 28.25, 29.0))
    unpaid = round((weekly_hours - 40) * rate * 1.5 * 104, 2)

    complaint = _pleading(m, "Complaint - Reyes v Acme.pdf", "complaint (pleading paper)",
        title="Complaint for Damages - Reyes v. Acme Logistics", date="2024-01-22",
        author=c.ATTORNEY, heading="COMPLAINT FOR DAMAGES",
        paragraphs=(
            "# COMPLAINT FOR DAMAGES AND DEMAND FOR JURY TRIAL",
            f"Plaintiff {c.CLIENT_LIT} alleges against Defendant {c.DEFENDANT} as follows:",
            "# PARTIES",
            f"1. Plaintiff {c.CLIENT_LIT} is an individual residing in Springfield, California. "
            "From August 1, 2019 until November 3, 2023 she was employed by Defendant as a "
            "warehouse shift supervisor at its Freight Way distribution center.",
            f"2. Defendant {c.DEFENDANT} is a Delaware corporation doing business in this "
            "District.",
            "# FACTS",
            f"3. Throughout 2022 and 2023 Plaintiff regularly worked {weekly_hours} hours a week. "
            "Defendant classified her as exempt and paid no overtime.",
            "4. On September 18, 2023 Plaintiff reported in writing that loading-dock safety "
            "rails were missing. Six weeks later, on November 3, 2023, Defendant terminated "
            "her employment, citing a 'restructuring' that affected no other supervisor.",
            "# FIRST CLAIM FOR RELIEF (Unpaid Overtime, Cal. Labor Code 510, 1194)",
            f"5. Defendant owes Plaintiff unpaid overtime of not less than {_money(unpaid)}.",
            "# SECOND CLAIM FOR RELIEF (Retaliation, Cal. Labor Code 1102.5)",
            "6. Defendant terminated Plaintiff because she disclosed a safety violation.",
            "# PRAYER FOR RELIEF",
            "WHEREFORE Plaintiff prays for unpaid wages, penalties, damages, interest, and "
            "attorneys' fees and costs.",
            "",
            "Dated: January 22, 2024                 HARBOR & VALE LLP",
            f"                                        By: /s/ {c.ATTORNEY}",
        ),
    )
    docs.append(complaint)
    docs.append(DemoDocument(m, "Downloads/Complaint - Reyes v Acme (1).pdf", Kind.DUPLICATE,
                             "the complaint again, downloaded twice", complaint.data))
    docs.append(_pleading(m, "Answer of Defendant Acme Logistics.pdf",
                          "answer with affirmative defenses",
        title="Answer to Complaint - Acme Logistics", date="2024-02-26",
        author=c.DEFENSE_ATTORNEY, heading="DEFENDANT'S ANSWER TO COMPLAINT", plaintiff_side=False,
        paragraphs=(
            "# DEFENDANT ACME LOGISTICS, INC.'S ANSWER TO COMPLAINT",
            "Defendant Acme Logistics, Inc. answers the Complaint as follows. Dated: "
            "February 26, 2024.",
            "1. Defendant admits that Plaintiff was employed from August 1, 2019 to November 3, "
            "2023 and denies every other allegation of paragraph 1.",
            "2. Defendant denies that Plaintiff was misclassified or is owed overtime.",
            "# AFFIRMATIVE DEFENSES",
            "First Affirmative Defense: Plaintiff was exempt as an executive employee.",
            "Second Affirmative Defense: the termination was for legitimate business reasons.",
            "Third Affirmative Defense: failure to mitigate damages.",
            "",
            f"Dated: February 26, 2024   WHITCOMBE STERLING LLP  By: /s/ {c.DEFENSE_ATTORNEY}",
        ),
    ))
    docs.append(_pleading(m, "Requests for Production - Set One.pdf", "discovery served on us",
        title="Defendant's Requests for Production, Set One", date="2024-03-04",
        author=c.DEFENSE_ATTORNEY, heading="REQUESTS FOR PRODUCTION, SET ONE", plaintiff_side=False,
        paragraphs=(
            "# DEFENDANT'S FIRST SET OF REQUESTS FOR PRODUCTION OF DOCUMENTS",
            "PROPOUNDING PARTY: Defendant Acme Logistics, Inc.  RESPONDING PARTY: Plaintiff "
            "Maria Reyes.  SET NO.: One.  Served March 4, 2024.",
            "REQUEST FOR PRODUCTION NO. 1: All documents recording the hours you worked for "
            "Defendant from January 1, 2022 to November 3, 2023.",
            "REQUEST FOR PRODUCTION NO. 2: All communications with any Acme employee about "
            "loading-dock safety.",
            "REQUEST FOR PRODUCTION NO. 3: All documents supporting your claim for damages.",
            "Responses are due within thirty days of service.",
        ),
    ))
    docs.append(_pleading(m, "Special Interrogatories - Set One.pdf", "discovery we served",
        title="Plaintiff's Special Interrogatories, Set One", date="2024-03-11",
        author=c.ATTORNEY, heading="SPECIAL INTERROGATORIES, SET ONE",
        paragraphs=(
            "# PLAINTIFF MARIA REYES'S SPECIAL INTERROGATORIES, SET ONE",
            "PROPOUNDING PARTY: Plaintiff Maria Reyes.  RESPONDING PARTY: Defendant Acme "
            "Logistics, Inc.  SET NO.: One.",
            "SPECIAL INTERROGATORY NO. 1: Identify every system that recorded Plaintiff's "
            "badge scans from January 1, 2022 to November 3, 2023.",
            "SPECIAL INTERROGATORY NO. 2: State every reason for Plaintiff's termination.",
        ),
    ))
    docs.append(_pleading(m, "Notice of Motion to Compel.pdf", "our motion",
        title="Notice of Motion and Motion to Compel", date="2024-05-06",
        author=c.ATTORNEY, heading="NOTICE OF MOTION AND MOTION TO COMPEL",
        paragraphs=(
            "# NOTICE OF MOTION AND MOTION TO COMPEL PRODUCTION OF TIMEKEEPING RECORDS",
            "TO DEFENDANT AND ITS ATTORNEYS OF RECORD: PLEASE TAKE NOTICE that on June 3, 2024 "
            f"at 10:00 a.m., before the {c.JUDGE}, Plaintiff will move for an order compelling "
            "Defendant to produce badge-scan and timekeeping records for 2022-2023.",
            "The motion is made after the parties met and conferred by letter on April 12, 2024 "
            "and by telephone on April 19, 2024 without resolving the dispute.",
            "Dated: May 6, 2024",
        ),
    ))
    docs.append(_pleading(m, "Order Granting Motion to Compel.pdf", "court order",
        title="Order Granting Plaintiff's Motion to Compel", date="2024-06-03",
        author=c.JUDGE, heading="ORDER GRANTING MOTION TO COMPEL",
        paragraphs=(
            "# ORDER GRANTING PLAINTIFF'S MOTION TO COMPEL",
            "The Court, having considered the papers and the arguments of counsel at the hearing "
            "of June 3, 2024, GRANTS the motion.",
            "Defendant shall produce all badge-scan and timekeeping records for Plaintiff for "
            "January 1, 2022 through November 3, 2023 within 21 days of this order.",
            "IT IS SO ORDERED.",
            f"Dated: June 3, 2024                      {c.JUDGE}",
            "                                          United States District Judge",
        ),
    ))
    docs.append(_text_pdf(m, "Whitcombe letter re meet and confer.pdf", Kind.LETTER,
                          "letter from opposing counsel",
        title="Letter re meet and confer", author=c.DEFENSE_ATTORNEY, date=_d("2024-04-12"),
        letterhead=c.DEFENSE_FIRM,
        paragraphs=(
            "April 12, 2024",
            f"VIA E-MAIL\n{c.ATTORNEY}, Harbor & Vale LLP",
            f"Re: Reyes v. Acme Logistics, Inc., {c.CASE_NO}",
            "Dear Mr. Vale:",
            "I write in response to your letter of April 5 regarding Defendant's responses to "
            "Plaintiff's document requests. Acme has produced the personnel file and will "
            "supplement with payroll registers. Badge-scan data is not kept in the ordinary "
            "course beyond 18 months, and we object to its production as unduly burdensome.",
            "We are available to meet and confer by telephone on April 19.",
            "Very truly yours,",
            f"{c.DEFENSE_ATTORNEY}",
            "Counsel for Defendant Acme Logistics, Inc.",
        ),
    ))
    docs.append(_text_pdf(m, "Letter to client - case status.pdf", Kind.LETTER,
                          "our letter to the client",
        title="Case status letter", author=c.ATTORNEY, letterhead=c.FIRM, date=_d("2024-03-15"),
        paragraphs=(
            "March 15, 2024",
            f"PRIVILEGED AND CONFIDENTIAL - ATTORNEY-CLIENT COMMUNICATION\n{c.CLIENT_LIT}",
            "Re: Your case against Acme Logistics - status",
            "Dear Ms. Reyes:",
            "Acme filed its answer on February 26. It denies that you were owed overtime and "
            "says your position was exempt. On March 4 Acme served requests for documents; "
            "please send us any schedules, texts or photos that show the hours you worked.",
            "Your deposition is not yet scheduled. We will prepare you well in advance.",
            "Sincerely,",
            c.ATTORNEY,
        ),
    ))
    transcript = [
        "# UNITED STATES DISTRICT COURT - NORTHERN DISTRICT OF CALIFORNIA",
        f"Reyes v. Acme Logistics, Inc., {c.CASE_NO}",
        f"# DEPOSITION OF {c.DEPONENT.upper()}",
        f"Deposition of {c.DEPONENT}",
        "Taken Thursday, July 18, 2024, at 9:32 a.m., at the offices of Harbor & Vale LLP.",
        "Reported by: Sandra Lowell, CSR No. 00000 (fictitious)",
    ]
    qa = [
        ("Please state your name for the record.", f"{c.DEPONENT}."),
        ("What is your position at Acme Logistics?", "Regional operations manager."),
        ("Did Ms. Reyes report to you?", "Yes, from 2021 until she left."),
        ("How many hours a week did shift supervisors work?",
         f"Usually fifty, sometimes {weekly_hours} in peak season."),
        ("Did you receive Ms. Reyes's memo of September 18, 2023 about the dock rails?",
         "I saw it, yes."),
        ("Who decided to eliminate her position?", "That came from corporate."),
    ]
    for n, (q, a) in enumerate(qa * 3, start=1):
        transcript.append(f"Q. {q}")
        transcript.append(f"A. {a}")
        if n % 6 == 0:
            transcript.append("MS. WHITCOMBE: Objection, asked and answered.")
    docs.append(_text_pdf(m, "Brandt deposition transcript 2024-07-18.pdf", Kind.PLEADING,
                          "deposition transcript",
        title=f"Deposition of {c.DEPONENT}", author="Lowell Court Reporting", date=_d("2024-07-18"),
        pleading=True, paragraphs=tuple(transcript)))
    docs.append(_text_pdf(m, "Exhibits/Employment Agreement - Reyes.pdf", Kind.LETTER,
                          "the employment agreement (an exhibit)",
        title="Employment Agreement", author="Acme Logistics HR", letterhead=c.ACME,
        date=_d("2019-08-01"),
        paragraphs=(
            "# EMPLOYMENT AGREEMENT",
            f"This Employment Agreement is made on August 1, 2019 between {c.DEFENDANT} "
            f"(\"Acme\") and {c.CLIENT_LIT} (\"Employee\").",
            "1. Position. Employee is hired as Warehouse Shift Supervisor, reporting to the "
            "Regional Operations Manager.",
            f"2. Compensation. Employee will be paid ${rate:.2f} per hour, payable bi-weekly.",
            "3. Hours. The standard schedule is five 8-hour shifts a week. Overtime must be "
            "approved in advance and is paid as required by law.",
            "4. At-will employment. Either party may end employment at any time.",
            "ACME LOGISTICS, INC. by: R. Calder, HR Director        EMPLOYEE: Maria Reyes",
        ),
    ))
    docs.append(_text_pdf(m, "Exhibits/Termination letter 2023-11-03.pdf", Kind.LETTER,
                          "the termination letter (an exhibit)",
        title="Notice of termination", author="Acme Logistics HR", letterhead=c.ACME,
        date=_d("2023-11-03"),
        paragraphs=(
            "November 3, 2023",
            f"{c.CLIENT_LIT}",
            "Re: Separation of employment",
            "Dear Maria:",
            "As part of a restructuring of our Springfield operations, your position as Shift "
            "Supervisor has been eliminated effective today. Your final paycheck, including "
            "accrued vacation, is enclosed.",
            "Please return your badge and any company property to Human Resources.",
            "Sincerely,",
            "R. Calder, HR Director",
        ),
    ))
    docs.append(_text_pdf(m, "Exhibits/Safety memo 2023-09-18.pdf", Kind.LETTER,
                          "the client's safety memo (an exhibit)",
        title="Memo: loading dock safety rails", author=c.CLIENT_LIT, letterhead=c.ACME,
        date=_d("2023-09-18"),
        paragraphs=(
            "# MEMORANDUM",
            f"TO: {c.DEPONENT}, Regional Operations Manager",
            f"FROM: {c.CLIENT_LIT}, Shift Supervisor",
            "DATE: September 18, 2023",
            "RE: Missing safety rails at docks 4-7",
            "The safety rails at loading docks 4 through 7 have been missing since the August "
            "repaving. Two near-misses were logged this month. Please schedule the repair "
            "before the holiday peak.",
        ),
    ))
    privilege_log = text_pdf(TextDocument(
        title="Acme privilege log", author=c.DEFENSE_ATTORNEY, letterhead=c.DEFENSE_FIRM,
        date=_d("2024-04-26"),
        paragraphs=(
            "# DEFENDANT'S PRIVILEGE LOG - PRODUCTION VOLUME 1",
            "Date | Type | Author | Recipients | Subject | Privilege",
            "2023-10-30 | E-mail | R. Calder | Legal | Restructuring | Attorney-client",
            "2023-11-01 | Memo | Legal | R. Calder | Separation plan | Work product",
        ),
    ))
    docs.append(DemoDocument(m, "RE Reyes v Acme - document production.eml", Kind.EMAIL,
                             "e-mail from opposing counsel with an attachment", eml_bytes(Email(
        sender=c.addr(c.DEFENSE_ATTORNEY, "whitcombesterling.example"),
        to=c.addr(c.ATTORNEY, c.FIRM_EMAIL_DOMAIN),
        cc=c.addr(c.PARALEGAL, c.FIRM_EMAIL_DOMAIN),
        subject="RE: Reyes v. Acme - document production, volume 1",
        sent=dt.datetime(2024, 4, 26, 16, 5, tzinfo=c.UTC),
        body=(
            "Jordan,\n\nAcme's production volume 1 (the personnel file) follows by secure "
            f"link; the PDF is password protected. The password is {PRODUCTION_PASSWORD}.\n"
            "Our privilege log is attached.\n\nBest regards,\nHelen Whitcombe\n"
            "Whitcombe Sterling LLP, counsel for defendant"
        ),
        attachments=(Attachment("Acme privilege log.pdf", "application/pdf", privilege_log),),
    ), "reyes-prod-vol1")))
    personnel = text_pdf(TextDocument(
        title="ACME000001-ACME000003 Personnel file", author="Acme Logistics HR",
        date=_d("2024-04-26"),
        letterhead=c.ACME,
        paragraphs=(
            "# PERSONNEL FILE - MARIA REYES (CONFIDENTIAL - PRODUCED IN LITIGATION)",
            "Hire date: 2019-08-01. Position: Warehouse Shift Supervisor. Classification: "
            "exempt (reclassified 2021-03-01).",
            "Performance review 2022: meets expectations; commended for dock throughput.",
            "Performance review 2023: meets expectations.",
            "Separation: 2023-11-03, position eliminated (restructuring).",
        ),
    ))
    docs.append(DemoDocument(m, "Discovery/ACME Production Vol 1 - personnel file.pdf",
                             Kind.ENCRYPTED, f"password-protected production "
                             f"(password {PRODUCTION_PASSWORD})",
                             encrypt_pdf(personnel, PRODUCTION_PASSWORD, "acme-owner-demo")))
    wage_rows: list[tuple[str | float | int, ...]] = [
        ("Week ending", "Hours worked", "Regular hours", "Overtime hours", "Rate",
         "Overtime owed")
    ]
    start = _d("2023-07-07")
    for week in range(16):
        hours = weekly_hours + rng.choice((-3, -1, 0, 0, 2, 4))
        wage_rows.append((
            (start + dt.timedelta(weeks=week)).isoformat(), hours, 40, hours - 40, rate,
            round((hours - 40) * rate * 1.5, 2),
        ))
    wage_rows.append(("Total", "", "", "", "", f"=SUM(F2:F{len(wage_rows)})"))
    docs.append(DemoDocument(m, "Discovery/Produced/Reyes hours reconstruction 2023.xlsx",
                             Kind.SPREADSHEET, "our hours reconstruction (spreadsheet)", xlsx_bytes(
        [Sheet("Overtime", tuple(wage_rows), (14, 14, 14, 15, 8, 15))],
        "Reyes overtime calculation", c.PARALEGAL, dt.datetime(2024, 3, 20, 11, 0),
    )))
    docs.append(DemoDocument(m, "Draft Declaration of Maria Reyes.docx", Kind.WORD,
                             "draft declaration (Word)", docx_bytes(WordDocument(
        title="Declaration of Maria Reyes (draft)", author=c.PARALEGAL,
        created=dt.datetime(2024, 5, 2, 15, 30),
        paragraphs=(
            "# DECLARATION OF MARIA REYES IN SUPPORT OF MOTION TO COMPEL",
            "I, Maria Reyes, declare:",
            "1. I was a shift supervisor at Acme Logistics from August 2019 to November 2023.",
            f"2. I regularly worked about {weekly_hours} hours a week and badged in and out "
            "at the Freight Way turnstile every shift.",
            "3. The badge records would show my actual hours.",
            "I declare under penalty of perjury that the foregoing is true and correct.",
            "Executed on May __, 2024 at Springfield, California.  DRAFT",
        ),
    ))))
    for n, (hour, minute, orientation) in enumerate(((7, 14, 6),), start=2):
        taken = dt.datetime(2023, 9, 15, hour, minute, 33)
        docs.append(DemoDocument(m, f"From client/IMG_20230915_{hour:02d}{minute:02d}33.jpg",
                                 Kind.PHOTO, "client's photo of the dock (EXIF date)", photo_jpeg(
            Photo(f"Dock {3 + n} - missing rail", taken, orientation,
                  palette=((205, 205, 200), (120, 115, 105)), subject="room"),
            seed=rng.randrange(1 << 30),
        )))
    docs.append(_pleading(m, "Subpoena - Freight Way Security.pdf",
                          "subpoena served by the defense",
        title="Subpoena to produce documents", date="2024-05-20",
        author=c.DEFENSE_ATTORNEY, heading="SUBPOENA TO PRODUCE DOCUMENTS", plaintiff_side=False,
        paragraphs=(
            "# SUBPOENA TO PRODUCE DOCUMENTS, INFORMATION, OR OBJECTS",
            "To: Freight Way Security Services, Inc. (custodian of records)",
            "YOU ARE COMMANDED to produce by June 14, 2024 the turnstile and badge-scan logs "
            "for the Freight Way distribution center for badge holder M. Reyes, January 1, "
            "2022 through November 3, 2023.",
            "Place: Whitcombe Sterling LLP, 88 Market Plaza, 12th Floor, Oakport, CA 94100",
            f"Issued May 20, 2024 by {c.DEFENSE_ATTORNEY}, attorney for Defendant.",
        ),
    ))
    docs.append(DemoDocument(m, "Mediation session.ics", Kind.UNMATCHED,
                             "a calendar invitation (no rule matches)", (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Intake Desktop demo//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:reyes-mediation@demo.example\r\nDTSTAMP:20240801T120000Z\r\n"
        b"DTSTART:20240912T170000Z\r\nDTEND:20240913T000000Z\r\n"
        b"SUMMARY:Mediation - Reyes v. Acme (fictitious)\r\n"
        b"LOCATION:Sample Mediation Services\\, Springfield\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )))
    return docs


# ---- personal injury: Nguyen, motor vehicle collision ------------------------------------------


def _injury(rng: random.Random) -> list[DemoDocument]:
    m = c.INJURY_MATTER
    docs: list[DemoDocument] = []
    er_charges = [("Emergency department visit, level 4", 1850.0),
                  ("CT cervical spine without contrast", 2240.0),
                  ("X-ray lumbar spine, 3 views", 410.0),
                  ("Cervical collar", 95.0),
                  ("Cyclobenzaprine 10 mg x 20", 38.5)]
    er_total = sum(v for _, v in er_charges)
    docs.append(_text_pdf(m, "Police report 24-01877.pdf", Kind.NOTICE, "traffic collision report",
        title="Traffic Collision Report 24-01877", author="Springfield Police Department",
        date=_d("2024-02-15"),
        letterhead=c.POLICE,
        paragraphs=(
            "# TRAFFIC COLLISION REPORT",
            "Report No. 24-01877     Date of collision: 2024-02-14     Time: 17:38",
            "Location: Harbor Boulevard at 3rd Street, Springfield",
            f"Party 1 (driver): {c.OTHER_DRIVER}, 2019 white cargo van, Dalton Freight Co.",
            f"Party 2 (driver): {c.CLIENT_PI}, 2016 red sedan",
            "Narrative: Party 2 was stopped for a red signal. Party 1, travelling eastbound, "
            "failed to stop and struck Party 2's vehicle from behind. Party 2 complained of "
            "neck and lower back pain and was transported by ambulance to St. Brigid Medical "
            "Center.",
            "Primary collision factor: unsafe speed (Vehicle Code 22350), Party 1.",
            "Reporting officer: Ofc. K. Marsh #0417 (fictitious)",
        ),
    ))
    er_pages = [
        ScanPage(
            (c.ER_PROVIDER, "Emergency Department  -  900 Sample Parkway, Springfield",
             "Medical Records - (555) 015-3300"),
            ("# EMERGENCY DEPARTMENT RECORD",
             f"Patient: {c.CLIENT_PI.upper()}      DOB: 1988-06-02      MRN: 00-DEMO-342",
             "Date of service: 02/14/2024    Arrival: 18:21 by ambulance",
             "",
             "# CHIEF COMPLAINT",
             "Neck pain and low back pain after rear-end motor vehicle collision.",
             "# HISTORY OF PRESENT ILLNESS",
             "35 y.o. restrained driver, stopped at light, struck from behind by a van.",
             "No loss of consciousness. Pain 7/10, worse with rotation.",
             "# EXAMINATION",
             "Paraspinal tenderness C4-C7 and L3-S1. Neuro intact. ROM limited.",
             "# ASSESSMENT",
             "1. Cervical strain (S13.4XXA)   2. Lumbar strain (S39.012A)"),
            stamp="RECEIVED MAR 04 2024",
        ),
        ScanPage(
            (c.ER_PROVIDER, "Emergency Department - page 2"),
            ("# IMAGING",
             "CT cervical spine: no fracture or malalignment.",
             "X-ray lumbar spine: no acute osseous abnormality.",
             "# PLAN",
             "Cervical collar for comfort; cyclobenzaprine 10 mg at night.",
             "Follow up with primary care or orthopedics in 3-5 days.",
             "Return precautions reviewed. Off work 3 days.",
             "",
             "Attending: M. Osei, MD (fictitious)   Electronically signed 02/14/2024 22:47"),
        ),
    ]
    docs.append(DemoDocument(m, f"Medical Records/{c.ER_PROVIDER}/ER record 2024-02-14.pdf",
                             Kind.SCAN,
                             "scanned ER record (image-only, 300 dpi)",
                             scanned_pdf(er_pages, seed=rng.randrange(1 << 30),
                                         scanned=dt.datetime(2024, 3, 4, 10, 12))))
    docs.append(DemoDocument(m, "MRI lumbar 2024-03-01.pdf", Kind.SCAN,
                             "scanned MRI report", scanned_pdf([ScanPage(
        (c.MRI_PROVIDER, "300 Sample Way, Springfield  -  (555) 015-7700"),
        ("# MRI LUMBAR SPINE WITHOUT CONTRAST",
         f"Patient: {c.CLIENT_PI}     DOB: 06/02/1988     Exam date: 03/01/2024",
         "Referring: A. Patel, MD (fictitious)",
         "# CLINICAL HISTORY",
         "Low back pain radiating to left leg since MVC on 02/14/2024.",
         "# FINDINGS",
         "L4-L5: 4 mm broad-based posterior disc protrusion abutting the left L5 nerve root.",
         "L5-S1: mild disc desiccation without herniation.",
         "# IMPRESSION",
         "L4-L5 disc protrusion with left L5 nerve root contact.",
         "",
         "Interpreted by: R. Lindqvist, MD (fictitious radiologist)"),
    )], seed=rng.randrange(1 << 30))))
    pt_lines = []
    visit = _d("2024-03-11")
    for n in range(10):
        pain = max(2, 7 - n // 2)
        pt_lines.append(f"{visit:%m/%d/%Y}  Visit {n + 1}: pain {pain}/10, manual therapy, "
                        "core stabilization")
        visit += dt.timedelta(days=rng.choice((3, 4, 4, 7)))
    docs.append(DemoDocument(m, f"Medical Records/{c.PT_PROVIDER}/PT notes.pdf", Kind.SCAN,
                             "scanned physical therapy notes", scanned_pdf([ScanPage(
        (c.PT_PROVIDER, "12 Sample Lane, Springfield  -  (555) 015-8800"),
        ("# PHYSICAL THERAPY TREATMENT NOTES",
         f"Patient: {c.CLIENT_PI}     Diagnosis: cervical and lumbar strain, L4-5 protrusion",
         "Plan of care: 2x/week for 6 weeks", "", *pt_lines),
    )], seed=rng.randrange(1 << 30), scanned=dt.datetime(2024, 4, 22, 16, 5))))
    docs.append(_text_pdf(m, "Hospital lien - St Brigid.pdf", Kind.LETTER, "a hospital lien",
        title="Notice of Hospital Lien", author=c.ER_PROVIDER, date=_d("2024-04-02"),
        paragraphs=(
            f"# {c.ER_PROVIDER.upper()}",
            "# NOTICE OF HOSPITAL LIEN",
            "Dated: April 2, 2024",
            f"Patient: {c.CLIENT_PI}     Date of service: 02/14/2024",
            f"Insurer: Granite Mutual Insurance Company, claim {c.CLAIM_NO}",
            f"{c.ER_PROVIDER} claims a lien under the Hospital Lien Act on any recovery for "
            "the emergency care provided, in the amount of the unpaid charges.",
            "Please protect this lien in any settlement and contact our recovery unit before "
            "disbursing funds.",
        ),
    ))
    docs.append(_text_pdf(m, "St Brigid itemized bill.pdf", Kind.NOTICE, "itemized medical bill",
        title="Itemized statement", author=c.ER_PROVIDER, date=_d("2024-03-18"),
        letterhead=text_letterhead(c.ER_PROVIDER, "Patient Financial Services"),
        paragraphs=(
            "# ITEMIZED STATEMENT",
            f"Patient: {c.CLIENT_PI}     Account: 7700-DEMO-0342     Statement date: "
            "March 18, 2024",
            "Date of service: 02/14/2024",
            *[f"{desc} ....... {_money(amount)}" for desc, amount in er_charges],
            f"TOTAL CHARGES ....... {_money(er_total)}",
            "Insurance payments ....... $0.00",
            f"AMOUNT DUE ....... {_money(er_total)}",
        ),
    ))
    photos = []
    for n, (minute, second, orientation) in enumerate(((42, 10, 1), (45, 2, 3))):
        taken = dt.datetime(2024, 2, 14, 17, minute, second)
        photo = photo_jpeg(Photo(f"Harbor Blvd - rear damage {n + 1}", taken, orientation,
                                 subject="car"), seed=rng.randrange(1 << 30))
        photos.append((f"IMG_20240214_17{minute:02d}{second:02d}.jpg", photo))
    for name, data in photos:
        docs.append(DemoDocument(m, f"Photos/{name}", Kind.PHOTO,
                                 "phone photo of the damage (EXIF date, orientation)", data))
    docs.append(DemoDocument(m, "Fwd other driver insurance card.eml", Kind.EMAIL,
                             "client e-mail with a photo attached", eml_bytes(Email(
        sender=f"{c.CLIENT_PI} <linh.nguyen.demo@mail.example>",
        to=c.addr(c.PARALEGAL, c.FIRM_EMAIL_DOMAIN),
        subject="Fwd: other driver's insurance card",
        sent=dt.datetime(2024, 2, 20, 19, 12, tzinfo=c.UTC),
        body=("Hi Priya,\n\nHere is the photo my husband took of the other driver's "
              "insurance card at the scene.\n\nThanks,\nLinh"),
        attachments=(
            Attachment("insurance card.jpg", "image/jpeg", photo_jpeg(Photo(
                "Granite Mutual - policy GM-DEMO-7781", dt.datetime(2024, 2, 14, 17, 50, 5),
                1, palette=((230, 230, 225), (210, 210, 205)), subject="document"),
                seed=rng.randrange(1 << 30))),
        ),
    ), "nguyen-photos")))
    docs.append(_text_pdf(m, "Granite Mutual claim acknowledgment.pdf", Kind.LETTER,
                          "insurer's letter",
        title="Claim acknowledgment", author=c.ADJUSTER, letterhead=c.INSURER,
        date=_d("2024-03-08"),
        paragraphs=(
            "March 8, 2024",
            f"{c.ATTORNEY}, Harbor & Vale LLP",
            f"Re: Our insured: Dalton Freight Co.   Claimant: {c.CLIENT_PI}   "
            f"Claim No.: {c.CLAIM_NO}   Date of loss: 02/14/2024",
            "Dear Mr. Vale:",
            "We acknowledge your letter of representation. Liability is under investigation. "
            "Please forward your client's medical records and bills, and a wage-loss "
            "verification from her employer, when treatment is complete.",
            "Sincerely,",
            f"{c.ADJUSTER}, Senior Bodily Injury Adjuster",
        ),
    ))
    docs.append(_text_pdf(m, "Letter of representation.pdf", Kind.LETTER,
                          "our letter to the insurer",
        title="Letter of representation", author=c.ATTORNEY, letterhead=c.FIRM,
        date=_d("2024-02-22"),
        paragraphs=(
            "February 22, 2024",
            f"{c.ADJUSTER}, Granite Mutual Insurance Company",
            f"Re: Claimant {c.CLIENT_PI}; date of loss February 14, 2024",
            "Dear Mr. Greer:",
            "This firm represents Linh Nguyen for injuries from the collision of February 14, "
            "2024 with your insured's van. Please direct all communication to this office and "
            "preserve the van's dash-camera footage and telematics.",
            "Sincerely,",
            c.ATTORNEY,
        ),
    ))
    stubs = []
    gross = rng.choice((2480.0, 2515.0, 2560.0))
    for n, period_end in enumerate(("2024-01-15", "2024-01-31", "2024-02-15", "2024-02-29")):
        hours = 80 if n < 2 else (80 if n == 2 else 56)
        pay = round(gross * hours / 80, 2)
        stubs.append((f"Paystub {period_end}.pdf", text_pdf(TextDocument(
            title=f"Earnings statement {period_end}", author=c.EMPLOYER_PI,
            date=_d(period_end),
            letterhead=text_letterhead(c.EMPLOYER_PI, "Payroll"),
            paragraphs=(
                "# EARNINGS STATEMENT",
                f"Employee: {c.CLIENT_PI}    Position: Dental hygienist    Pay period ending: "
                f"{period_end}",
                f"Hours: {hours}    Gross pay: {_money(pay)}    Net pay: {_money(pay * 0.78)}",
                "Note: 3 unpaid days (medical) this period." if hours < 80 else "",
            ),
        ))))
    docs.append(DemoDocument(m, "Pay stubs Jan-Feb 2024.zip", Kind.ARCHIVE,
                             "zip of four pay stubs (lost wages)",
                             zip_bytes(stubs, dt.datetime(2024, 3, 5, 8, 30))))
    docs.append(_text_pdf(m, "Client/Retainer agreement - Nguyen.pdf", Kind.LETTER,
                          "signed contingency-fee agreement",
        title="Retainer agreement", author=c.ATTORNEY, letterhead=c.FIRM, date=_d("2024-02-19"),
        paragraphs=(
            "# RETAINER AGREEMENT - CONTINGENCY FEE",
            "Date: February 19, 2024",
            f"Client: {c.CLIENT_PI}.   Matter: injuries from the collision of February 14, 2024.",
            "1. The firm will pursue the client's claims for personal injury against the "
            "responsible parties and their insurers.",
            "2. Contingency fee: 33 1/3% of any recovery before suit is filed, 40% after.",
            "3. Costs are advanced by the firm and repaid from the recovery.",
            f"Signed February 19, 2024:  {c.CLIENT_PI}, client;  {c.ATTORNEY}, Harbor & Vale LLP",
        ),
    ))
    docs.append(_text_pdf(m, "Client/HIPAA authorization - St Brigid.pdf", Kind.NOTICE,
                          "signed records authorization",
        title="HIPAA authorization", author=c.ATTORNEY, date=_d("2024-02-19"),
        paragraphs=(
            "# HIPAA AUTHORIZATION FOR RELEASE OF PROTECTED HEALTH INFORMATION",
            "Date signed: February 19, 2024",
            f"Patient: {c.CLIENT_PI}     Date of birth: 06/02/1988",
            f"I authorize {c.ER_PROVIDER} to release my complete medical and billing records "
            "for services from 02/14/2024 to the present to Harbor & Vale LLP.",
            "This authorization expires one year from the date signed.",
            f"Signed: /s/ {c.CLIENT_PI}     Date: 02/19/2024",
        ),
    ))
    return docs


def text_letterhead(name: str, department: str) -> Letterhead:
    return Letterhead(name, (f"{department}  -  Springfield, CA  -  (555) 015-0000",))


# ---- immigration: Okafor, I-130 spousal petition ---------------------------------------------


def _immigration(rng: random.Random) -> list[DemoDocument]:
    m = c.IMMIGRATION_MATTER
    docs: list[DemoDocument] = []
    docs.append(DemoDocument(m, "Passport - Adaeze Okafor.pdf", Kind.SCAN,
                             "passport bio page scan (SPECIMEN)", scanned_pdf([ScanPage(
        ("FEDERAL REPUBLIC OF SAMPLELAND", "PASSPORT  -  SPECIMEN, NOT A REAL DOCUMENT"),
        ("Type: P     Code: XXS     Passport No.: S00000588",
         "Surname: OKAFOR (nee NWOSU)",
         "Given names: ADAEZE",
         "Nationality: SAMPLELANDER",
         "Date of birth: 09 MAR 1991     Sex: F",
         "Place of birth: LAGOSVILLE",
         "Date of issue: 14 JUN 2021     Date of expiry: 13 JUN 2031",
         "",
         "P<XXSOKAFOR<<ADAEZE<<<<<<<<<<<<<<<<<<<<<<<<<",
         "S00000588<XXS9103094F3106135<<<<<<<<<<<<<<02"),
    )], seed=rng.randrange(1 << 30), scanned=dt.datetime(2024, 2, 5, 11, 20))))
    docs.append(DemoDocument(m, "Birth certificate - original (French).pdf", Kind.SCAN,
                             "foreign birth certificate scan", scanned_pdf([ScanPage(
        ("REPUBLIQUE DE SAMPLELAND", "ACTE DE NAISSANCE  -  SPECIMEN"),
        ("No. 1991/0309/DEMO",
         "Nom: NWOSU     Prenoms: Adaeze",
         "Nee le: 9 mars 1991 a Lagosville",
         "Pere: Emeka Nwosu     Mere: Grace Nwosu",
         "Delivre le 2 fevrier 2024 par l'officier de l'etat civil"),
        stamp="COPIE CERTIFIEE",
    )], seed=rng.randrange(1 << 30), scanned=dt.datetime(2024, 2, 5, 11, 24))))
    docs.append(_text_pdf(m, "Birth certificate - certified translation.pdf", Kind.LETTER,
                          "certified English translation",
        title="Certified translation - birth certificate", author="Clearword Translations",
        date=_d("2024-02-20"),
        letterhead=text_letterhead("Clearword Translations", "Certified translators"),
        paragraphs=(
            "# CERTIFIED ENGLISH TRANSLATION",
            "Translation date: February 20, 2024",
            "Document: Birth certificate No. 1991/0309/DEMO (French)",
            "Surname: NWOSU     Given name: Adaeze",
            "Born: March 9, 1991 in Lagosville",
            "Father: Emeka Nwosu     Mother: Grace Nwosu",
            "Issued February 2, 2024 by the civil registrar.",
            "# TRANSLATOR'S CERTIFICATION",
            "I, Elise Fontaine, certify that I am competent to translate from French into "
            "English and that the above is a complete and accurate translation of the attached "
            "document.   Date: February 20, 2024   Signature: /s/ Elise Fontaine",
        ),
    ))
    docs.append(_text_pdf(m, "Marriage certificate (e-certified copy).pdf", Kind.NOTICE,
                          "county-issued electronic certified copy",
        title="Certificate of Marriage - certified copy", author="County of Springfield",
        date=_d("2023-11-01"),
        letterhead=text_letterhead("COUNTY OF SPRINGFIELD", "Clerk-Recorder, Vital Records"),
        paragraphs=(
            "# CERTIFICATE OF MARRIAGE - CERTIFIED COPY (SPECIMEN)",
            "Certified copy issued: November 1, 2023",
            "Registration No. 2023-DEMO-0588",
            f"Spouse 1: {c.PETITIONER}     Born: 1989-11-21, Springfield, California",
            f"Spouse 2: {c.BENEFICIARY}     Born: 1991-03-09, Lagosville, Sampleland",
            "Date of marriage: October 7, 2023     Place: Springfield City Hall",
            "Officiant: Hon. P. Alvarez (fictitious)",
            "This is a true and correct copy of the record on file in this office. "
            "Issued electronically November 1, 2023. Not valid for any real purpose.",
        ),
    ))
    docs.append(_text_pdf(m, "I-797C receipt notice.pdf", Kind.NOTICE,
                          "USCIS-style receipt notice (specimen)",
        title="I-797C Notice of Action (specimen)", author="Sample Service Center",
        date=_d("2024-04-09"),
        paragraphs=(
            "# NOTICE OF ACTION (I-797C) - SPECIMEN FOR DEMONSTRATION ONLY",
            "Receipt Number: IOE0000000588 (SPECIMEN)     Case Type: I-130, Petition for "
            "Alien Relative",
            "Notice Date: 04/09/2024     Received Date: 04/02/2024",
            f"Petitioner: {c.PETITIONER.upper()}     Beneficiary: {c.BENEFICIARY.upper()}",
            "This notice confirms receipt of the petition. It does not grant any immigration "
            "status or benefit. Keep it for your records.",
            "This is a fictitious sample generated by Intake Desktop; it is not issued by any "
            "government agency.",
        ),
    ))
    docs.append(_text_pdf(m, "Employment verification - Northwind.pdf", Kind.LETTER,
                          "employment verification letter",
        title="Employment verification", author="Northwind Analytics", date=_d("2024-03-12"),
        letterhead=(
            c.PETITIONER_EMPLOYER),
        paragraphs=(
            "March 12, 2024",
            "Dear Sir or Madam:",
            f"This letter confirms that {c.PETITIONER} has been employed full-time by Northwind "
            "Analytics, Inc. as a Senior Data Engineer since May 3, 2020. His current annual "
            f"salary is ${rng.choice((118000, 121500, 126000)):,}.",
            "Sincerely,",
            "Dana Whitfield, Director of People Operations",
        ),
    ))
    for n, (day, orientation) in enumerate(((7, 8),), start=1):
        taken = dt.datetime(2023, 10, day, 15 + n, 10 * n, 5)
        docs.append(DemoDocument(m, "Relationship evidence/Wedding photo.jpg", Kind.PHOTO,
                                 "wedding photo (EXIF date)", photo_jpeg(Photo(
            f"Springfield City Hall, 2023-10-07 ({n})", taken, orientation,
            palette=((240, 228, 215), (170, 150, 130)), subject="people",
        ), seed=rng.randrange(1 << 30))))
    docs.append(_text_pdf(m, "IRS tax return transcript 2023.pdf", Kind.NOTICE,
                          "tax return transcript (specimen)",
        title="Tax return transcript 2023 (specimen)", author="Sample Revenue Service",
        date=_d("2024-03-02"),
        paragraphs=(
            "# TAX RETURN TRANSCRIPT - SPECIMEN, NOT ISSUED BY ANY AGENCY",
            "Request date: March 2, 2024",
            "Tax period: December 31, 2023     Form 1040, U.S. Individual Income Tax Return",
            f"Taxpayer: {c.PETITIONER.upper()}     Filing status: Married filing jointly",
            f"Spouse: {c.BENEFICIARY.upper()}",
            "Adjusted gross income: $121,480.00     Total tax: $14,212.00",
        ),
    ))
    lease = text_pdf(TextDocument(
        title="Residential lease", author="Maple Court Apartments", date=_d("2023-10-20"),
        letterhead=text_letterhead("Maple Court Apartments", "Leasing office"),
        paragraphs=(
            "# RESIDENTIAL LEASE AGREEMENT",
            f"Tenants: {c.PETITIONER} and {c.BENEFICIARY}",
            "Premises: 77 Sample Court, Apt. 4B, Springfield, CA 94000",
            "Term: November 1, 2023 to October 31, 2024.  Monthly rent: $2,450.00",
            "Signed October 20, 2023 by both tenants and the landlord's agent.",
        ),
    ))
    bank = text_pdf(TextDocument(
        title="Joint account statement March 2024", author="Sample Federal Credit Union",
        date=_d("2024-03-31"),
        letterhead=text_letterhead("Sample Federal Credit Union", "Member statements"),
        paragraphs=(
            "# JOINT CHECKING - STATEMENT PERIOD 03/01/2024 - 03/31/2024",
            f"Account holders: {c.PETITIONER.upper()} and {c.BENEFICIARY.upper()}",
            "Account: XXXX-0588 (fictitious)",
            "03/01 Rent - Maple Court Apartments ....... -$2,450.00",
            "03/15 Payroll deposit - Northwind Analytics ....... +$3,980.12",
            "03/22 Groceries ....... -$186.40",
            "Ending balance ....... $6,214.77",
        ),
    ))
    docs.append(DemoDocument(m, "Documents for the petition.eml", Kind.EMAIL,
                             "client e-mail with two PDF attachments", eml_bytes(Email(
        sender=f"{c.PETITIONER} <chidi.okafor.demo@mail.example>",
        to=c.addr(c.PARALEGAL, c.FIRM_EMAIL_DOMAIN),
        subject="Lease and bank statement for the I-130",
        sent=dt.datetime(2024, 4, 15, 21, 40, tzinfo=c.UTC),
        body=("Hello,\n\nAttached are our lease and the March statement for our joint "
              "account, as evidence of our shared life.\n\nBest,\nChidi"),
        attachments=(Attachment("Lease - 77 Sample Court.pdf", "application/pdf", lease),
                     Attachment("Joint account March 2024.pdf", "application/pdf", bank)),
    ), "okafor-docs")))
    docs.append(DemoDocument(m, "Cover letter to USCIS - draft.docx", Kind.WORD,
                             "draft cover letter (Word)", docx_bytes(WordDocument(
        title="I-130 cover letter (draft)", author=c.PARALEGAL,
        created=dt.datetime(2024, 3, 25, 10, 0),
        paragraphs=(
            "March 25, 2024",
            "# COVER LETTER - FORM I-130, PETITION FOR ALIEN RELATIVE",
            f"Petitioner: {c.PETITIONER}     Beneficiary: {c.BENEFICIARY}",
            "Enclosed please find:",
            "Exhibit A - Proof of the petitioner's U.S. citizenship",
            "Exhibit B - Proof of marriage (county certified copy)",
            "Exhibit C - Beneficiary's birth record, with its English translation",
            "Exhibit D - Evidence of bona fide marriage (joint lease, joint account, photos)",
            "Dear Officer:",
            "Please find enclosed Form I-130 with the filing fee and the supporting evidence "
            "listed above. Thank you for your attention to this petition.",
            "Sincerely,",
            f"{c.ATTORNEY}, Harbor & Vale LLP - DRAFT for attorney review",
        ),
    ))))
    return docs


BUILDERS: tuple[Callable[[random.Random], list[DemoDocument]], ...] = (
    _litigation,
    _injury,
    _immigration,
)


def generate_documents(seed: int = DEFAULT_SEED) -> list[DemoDocument]:
    """Every demo document, in the order they are dropped into Intake/."""
    docs: list[DemoDocument] = []
    for n, build in enumerate(BUILDERS):
        docs.extend(build(random.Random(seed * 1000 + n)))
    return docs
