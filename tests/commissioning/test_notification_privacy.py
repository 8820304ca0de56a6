"""E-mails carry a link and the record type, never names or details (issue 20): every ``notify`` call in the
apps gives a subject that is fixed text, or fixed text around values written here by hand as safe (a count of
days, the name of an escalation stage an administrator set up). A subject built from a record's fields (a
provider's or a person's name, a concern's summary) fails this test, wherever it is added."""

import ast
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings

from commissioning.notifications import NotificationRefused, check_subject, notify
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ("commissioning", "providers", "contracts", "oversight", "performance", "strategies", "scrutiny", "records")

# The only non-literal subjects allowed, each with why it carries no personal data.
SAFE_SUBJECT_EXPRESSIONS = {
    "ALERT_SUBJECT",  # providers.services: a module constant
    "OVERDUE_SUBJECT",  # scrutiny.services: a module constant
    "(subject or f'An escalation has reached {stage.name}')[:100]",  # a stage's name: configuration, not a person
    "f'A further situation was added to an escalation at {escalation.stage.name}'",  # the same stage name
    "f'A contract alert has not been acknowledged in {escalation_days()} days: please follow it up'",  # a setting
    "notification.subject",  # commissioning.tasks: sending a subject already checked by notify
    "subject",  # a parameter passed on from a caller whose own subject this test checks
    "'A scrutiny report pack has been published' if first else 'A scrutiny report pack has been revised'",
}


def _notify_subjects():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name not in ("notify", "_tell", "EmailMessage"):
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "subject":
                        yield f"{path.relative_to(ROOT)}:{node.lineno}", keyword.value


def test_every_notification_subject_is_fixed_text_or_a_value_known_to_be_safe():
    found = list(_notify_subjects())
    assert len(found) >= 8  # the call sites exist: the walk is finding them
    unsafe = [
        (where, ast.unparse(value))
        for where, value in found
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str))
        and ast.unparse(value) not in SAFE_SUBJECT_EXPRESSIONS
    ]
    assert unsafe == []


@pytest.mark.parametrize(
    "subject",
    ["Concern about Mrs Ann Example, 12 High Street, LN1 1AA", "Call 01522 552222", "ann.example@example.org"],
)
def test_a_subject_with_a_postcode_number_or_address_is_refused(subject):
    with pytest.raises(NotificationRefused):
        check_subject(subject)


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_the_email_says_only_the_subject_and_the_link(django_capture_on_commit_callbacks):
    user = UserFactory(email="officer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[user],
            kind="oversight.concern_alert",
            subject="A safeguarding concern needs your attention",
            link="/oversight/concerns/12/",
            dedupe_key="privacy-test",
        )
    sent = mail.outbox[-1]
    assert sent.subject.endswith("A safeguarding concern needs your attention")
    lines = [line for line in sent.body.splitlines() if line.strip()]
    assert any("/oversight/concerns/12/" in line for line in lines)
    # Nothing but the subject, the link and fixed wording: no field of any record.
    assert len(sent.body) < 600
