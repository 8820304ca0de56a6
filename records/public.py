"""The public statements: the accessibility statement and the privacy notice. One selector reads what the
public page shows (the administrator's text, or the default built from the council's settings until there is
one); one service writes it, checking the right and recording who wrote it (the history keeps earlier text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from commissioning import permissions
from commissioning.text import normalise_newlines

from .models import PublicStatement

Kind = PublicStatement.Kind

SERVICE_NAME = "Commissioning management"

# The GOV.UK model accessibility statement's headings, in its order (the statement's default text follows them).
ACCESSIBILITY_HEADINGS = [
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website's accessibility",
    "Compliance status",
    "Non-accessible content",
    "What we're doing to improve accessibility",
    "Preparation of this accessibility statement",
]

_ACCESSIBILITY_DEFAULT = """\
This accessibility statement applies to {service}, the commissioning and contract management service run by \
{council}.

This website is run by {council}. We want as many people as possible to be able to use it. For example, that \
means you should be able to:
- change colours, contrast levels and fonts using browser or device settings
- zoom in up to 400% without the text spilling off the screen
- navigate most of the website using a keyboard or speech recognition software
- listen to most of the website using a screen reader

## How accessible this website is
We know some parts of this website are not fully accessible: some older PDF documents attached to records \
(contracts, returns, reports uploaded by providers) may not be accessible to screen reader software.

## Feedback and contact information
If you need information on this website in a different format, such as accessible PDF, large print, easy read, \
audio recording or braille, e-mail {email}{telephone_text}. We'll consider your request and get back to you \
within 10 working days.

## Reporting accessibility problems with this website
We're always looking to improve the accessibility of this website. If you find any problems not listed on this \
page or think we're not meeting accessibility requirements, e-mail {email}.

## Enforcement procedure
The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites \
and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the 'accessibility regulations'). If you're not \
happy with how we respond to your complaint, contact the Equality Advisory and Support Service (EASS).

## Technical information about this website's accessibility
{council} is committed to making its website accessible, in accordance with the Public Sector Bodies (Websites \
and Mobile Applications) (No. 2) Accessibility Regulations 2018.

## Compliance status
This website is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard, due \
to the non-compliances listed below.

## Non-accessible content
The content listed below is non-accessible for the following reasons.
- Some documents uploaded to records by providers and officers are PDFs that were not made accessible. We \
generate the service's own report packs as tagged PDFs with an HTML copy.

## What we're doing to improve accessibility
Every page template is checked by an automated accessibility test (axe) before each release, and we fix any \
serious or critical issue it finds before the release goes out.

## Preparation of this accessibility statement
This statement was prepared by {council}. The results of the latest automated check are shown below.
"""

_PRIVACY_DEFAULT = """\
This notice explains how {council} uses personal information held in {service}.

## Who we are
{council} is the data controller for the information held in this service. Address: {address}.

## The information we hold
- Contract records: contracts, their values and terms, and the names and work contact details of the people who \
manage them for the council and for providers.
- Provider records: providers' names, addresses, registration details and ratings from the Care Quality \
Commission, and the names of their registered managers and contacts.
- Safeguarding and quality records: safeguarding concerns, serious incidents, visit notes and complaints. These \
can include special category data (health and care information) about the people who use providers' services.

## Why we hold it and our lawful basis
We hold this information to commission and monitor care and other services, which is a task carried out in the \
public interest and in the exercise of official authority vested in the council: UK GDPR article 6(1)(e) (public \
task).
For special category data we rely on article 9(2)(g) (reasons of substantial public interest, with the \
conditions in Schedule 1 of the Data Protection Act 2018, including safeguarding of children and of individuals \
at risk) and article 9(2)(h) (the management of health or social care systems and services).

## How long we keep it
We keep records only as long as our retention schedule says: contract records for 6 years after the contract \
ends (12 years for contracts made as deeds), agendas, reports and minutes of meetings for 6 years after the \
meeting, and background papers for 4 years. The schedule's summary is linked below.

## Who we share it with
Only those who need it for the purposes above: the council's officers with a need to know, the Care Quality \
Commission, the police or NHS bodies where safeguarding requires it. Notification e-mails from this service \
carry a link and the kind of record, never names or details.

## Your rights
You have the right to ask for a copy of the information we hold about you, to have it corrected, and in some \
cases to have it erased or its use restricted, or to object to its use.

## Contact our data protection officer
E-mail {dpo_email}, or write to the Data Protection Officer, {council}, {address}.

## Complaints
If you are unhappy with how we have used your information you can complain to the Information Commissioner's \
Office (ICO), Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF, telephone 0303 123 1113, www.ico.org.uk.
"""


def default_body(kind: str) -> str:
    """The statement's text until an administrator writes one, from the council's settings."""
    council = settings.COUNCIL_NAME
    email = settings.COUNCIL_EMAIL
    telephone = getattr(settings, "COUNCIL_TELEPHONE", "")
    values = {
        "service": SERVICE_NAME,
        "council": council,
        "email": email,
        "telephone_text": f" or call {telephone}" if telephone else "",
        "address": settings.COUNCIL_ADDRESS,
        # A council names its data protection officer's mailbox; until it is set, the council's own address.
        "dpo_email": getattr(settings, "DATA_PROTECTION_OFFICER_EMAIL", "") or email,
    }
    template = _ACCESSIBILITY_DEFAULT if kind == Kind.ACCESSIBILITY else _PRIVACY_DEFAULT
    return template.format(**values)


@dataclass(frozen=True)
class Block:
    """One block of a statement's body: a heading, a paragraph or a list."""

    kind: str  # "heading", "paragraph" or "list"
    text: str = ""
    items: tuple[str, ...] = ()


def render_body(body: str) -> list[Block]:
    """The body as blocks for the template to show (escaped there): "## " starts a heading, "- " a list item,
    a blank line ends a paragraph. Nothing in the text is ever treated as HTML."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(Block("list", items=tuple(items)))
            items.clear()

    for raw in normalise_newlines(body).split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(Block("heading", line[3:].strip()))
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return blocks


@dataclass(frozen=True)
class StatementPage:
    """What a public statement page shows."""

    kind: str
    title: str
    blocks: list[Block]
    statement: PublicStatement | None
    retention_url: str


def _title(kind: str) -> str:
    if kind == Kind.ACCESSIBILITY:
        return f"Accessibility statement for {SERVICE_NAME}"
    return f"Privacy notice for {SERVICE_NAME}"


def _retention_url() -> str:
    # The retention schedule's summary is the records app's page; until it exists the notice lists the periods.
    try:
        return reverse("records:retention_schedule")
    except NoReverseMatch:
        return ""


def statement_page(*, kind: str) -> StatementPage:
    """The statement as the public reads it: the administrator's text, or the default until there is one."""
    statement = PublicStatement.objects.filter(kind=kind).select_related("updated_by").first()
    body = statement.body if statement is not None else default_body(kind)
    return StatementPage(
        kind=kind,
        title=_title(kind),
        blocks=render_body(body),
        statement=statement,
        retention_url=_retention_url() if kind == Kind.PRIVACY else "",
    )


def statement_initial(*, kind: str) -> dict[str, Any]:
    """What the edit form starts from: the current text and check results, or the defaults."""
    statement = PublicStatement.objects.filter(kind=kind).first()
    if statement is None:
        return {"body": default_body(kind)}
    return {
        "body": statement.body,
        "pages_checked": statement.pages_checked,
        "serious_violations": statement.serious_violations,
        "date_checked": statement.date_checked,
    }


def may_edit_statements(user: Any) -> bool:
    return permissions.may(user, "records.change_publicstatement")


@transaction.atomic
def statement_update(
    *,
    kind: str,
    by: Any,
    body: str,
    pages_checked: int | None = None,
    serious_violations: int | None = None,
    date_checked: date | None = None,
) -> PublicStatement:
    """Write the accessibility statement or privacy notice (an administrator's). The automated check's
    results belong to the accessibility statement only, and come together: how many pages, how many serious
    or critical violations, and when."""
    permissions.require(by, "records.change_publicstatement")
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose the accessibility statement or the privacy notice."})
    body = normalise_newlines(body or "").strip()
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = f"Enter the text of the {Kind(kind).label.lower()}."
    results = {"pages_checked": pages_checked, "serious_violations": serious_violations, "date_checked": date_checked}
    if kind == Kind.ACCESSIBILITY:
        given = [name for name, value in results.items() if value is not None]
        if given and len(given) != len(results):
            for name, value in results.items():
                if value is None:
                    errors[name] = "Enter all three results of the automated check, or none of them."
        if pages_checked is not None and serious_violations is not None and pages_checked < 1:
            errors["pages_checked"] = "Enter how many pages the automated check covered (at least 1)."
    else:
        results = dict.fromkeys(results)
    if errors:
        raise ValidationError(errors)
    statement = PublicStatement.objects.select_for_update().filter(kind=kind).first() or PublicStatement(kind=kind)
    statement.body = body
    for name, value in results.items():
        setattr(statement, name, value)
    statement.updated_by = by
    statement.save()
    return statement
