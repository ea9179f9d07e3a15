"""The fictitious people, firms, courts and providers of the demo matters.

Every name, address, number and account here is invented: phone numbers use the 555-01xx
range, e-mail addresses use `.example` domains, and identity numbers are marked SPECIMEN.
"""

from __future__ import annotations

import datetime as dt

from intake_desktop.core.demo.render import Letterhead

UTC = dt.UTC


def _letterhead(name: str, office: str, contact: str,
                rgb: tuple[float, float, float] | None = None) -> Letterhead:
    """A printed letterhead: the sender's name over an office line and a contact line."""
    lines = (office, contact)
    return Letterhead(name, lines) if rgb is None else Letterhead(name, lines, rgb)


# The matters, one per shipped naming-rules preset.
LITIGATION_MATTER = "2024-0117 Reyes v. Acme Logistics"
INJURY_MATTER = "2024-0342 Nguyen - Motor Vehicle Collision"
IMMIGRATION_MATTER = "2024-0588 Okafor - I-130 Spousal Petition"

MATTER_PRESETS: dict[str, str] = {
    LITIGATION_MATTER: "litigation",
    INJURY_MATTER: "personal-injury",
    IMMIGRATION_MATTER: "immigration",
}
# The checklist each demo matter follows (naming_rules/checklists/).
MATTER_CHECKLISTS = {
    LITIGATION_MATTER: "litigation-commercial-plaintiff",
    INJURY_MATTER: "pi-auto-accident",
    IMMIGRATION_MATTER: "immigration-family-i130-i485",
}

# Our firm.
FIRM = _letterhead(
    "Harbor & Vale LLP",
    "Attorneys at Law  -  1200 Example Avenue, Suite 400, Springfield, CA 94000",
    "Tel. (555) 010-2000  -  intake@harborvale.example")
FIRM_EMAIL_DOMAIN = "harborvale.example"
ATTORNEY = "Jordan Vale"
ATTORNEY_BAR = "SBN 000117"
PARALEGAL = "Priya Raman"

# Litigation: Maria Reyes, a former warehouse shift supervisor, against her employer.
CLIENT_LIT = "Maria Reyes"
DEFENDANT = "Acme Logistics, Inc."
DEFENSE_FIRM = _letterhead(
    "Whitcombe Sterling LLP",
    "Counsel for defendants  -  88 Market Plaza, 12th Floor, Oakport, CA 94100",
    "Tel. (555) 014-8800  -  whitcombesterling.example", rgb=(0.35, 0.12, 0.12))
DEFENSE_ATTORNEY = "Helen Whitcombe"
ACME = _letterhead(
    "ACME LOGISTICS, INC.", "Human Resources  -  400 Freight Way, Springfield, CA 94010",
    "(555) 013-4000  -  hr@acme-logistics.example", rgb=(0.9, 0.45, 0.05))
COURT = "UNITED STATES DISTRICT COURT"
COURT_DISTRICT = "NORTHERN DISTRICT OF CALIFORNIA"
CASE_NO = "Case No. 4:24-cv-00117-DEMO"
JUDGE = "Hon. Eleanor M. Sample"
DEPONENT = "Daniel Brandt"

# Personal injury: Linh Nguyen, rear-ended by a delivery van.
CLIENT_PI = "Linh Nguyen"
ACCIDENT = dt.datetime(2024, 2, 14, 17, 38)
OTHER_DRIVER = "Gordon Pike"
INSURER = _letterhead(
    "Granite Mutual Insurance Company",
    "Bodily Injury Claims  -  PO Box 0000, Granite City, CA 94200",
    "(555) 016-7000  -  claims@granitemutual.example", rgb=(0.1, 0.4, 0.3))
ADJUSTER = "Thomas Greer"
CLAIM_NO = "GM-24-0021477"
POLICE = _letterhead(
    "SPRINGFIELD POLICE DEPARTMENT",
    "Traffic Division  -  1 Civic Center Plaza, Springfield, CA 94000",
    "Records: (555) 010-0911", rgb=(0.1, 0.1, 0.35))
ER_PROVIDER = "St. Brigid Medical Center"
MRI_PROVIDER = "Riverbend Imaging Center"
PT_PROVIDER = "Cedar Point Physical Therapy"
EMPLOYER_PI = "Lakeside Dental Group"

# Immigration: Chidi Okafor (U.S. citizen) petitions for his wife, Adaeze Okafor.
PETITIONER = "Chidi Okafor"
BENEFICIARY = "Adaeze Nwosu Okafor"
RECEIPT_NO = "IOE0000000588 (SPECIMEN)"
PETITIONER_EMPLOYER = _letterhead(
    "Northwind Analytics, Inc.", "People Operations  -  25 Sample Street, Springfield, CA 94030",
    "(555) 018-2500  -  people@northwind-analytics.example", rgb=(0.2, 0.2, 0.5))


def addr(name: str, domain: str) -> str:
    """`Name <first.last@domain>`."""
    local = ".".join(part.lower().strip(".,") for part in name.split()[:2])
    return f"{name} <{local}@{domain}>"
