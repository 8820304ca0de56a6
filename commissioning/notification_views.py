"""The notifications page: each person sees only their own, newest first, and marks them as read."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .listing import page_of
from .models import Notification, User
from .notifications import mark_read, notifications_for, unread_count


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = page_of(request, notifications_for(user=_user(request)))
    return render(
        request,
        "commissioning/notifications.html",
        {
            "page_obj": page,
            "notifications": page.object_list,
            "unread": unread_count(user=_user(request)),
            "breadcrumbs": [("Notifications", None)],
        },
    )


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification as read. Someone else's is not found, whoever asks."""
    notification = get_object_or_404(Notification, pk=pk, recipient=_user(request))
    mark_read(user=_user(request), notification_id=notification.pk)
    return _back_to_list(request)


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    if mark_read(user=_user(request)):
        messages.success(request, "All your notifications are marked as read.")
    return _back_to_list(request)


def _back_to_list(request: HttpRequest) -> HttpResponse:
    url = reverse("notifications")
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1":
        url += f"?page={page}"
    return redirect(url)


def _user(request: HttpRequest) -> User:
    """The signed-in user (every page needs a sign-in: commissioning.middleware.LoginRequiredMiddleware)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
