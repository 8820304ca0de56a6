"""A task goes through the real broker and a real worker (CI's PostgreSQL + Redis run)."""

import pytest
from django.core import mail

from commissioning.tasks import send_notification


@pytest.mark.celery_worker
def test_notification_is_sent_by_a_real_worker_through_redis(live_celery_worker):
    result = send_notification.delay(subject="Pack published", body="A new pack.", recipients=["cllr@council.example"])
    assert result.get(timeout=30) == 1
    assert [m.subject for m in mail.outbox] == ["Pack published"]


def test_notification_to_nobody_sends_nothing():
    assert send_notification.delay(subject="x", body="y", recipients=[]).get() == 0
