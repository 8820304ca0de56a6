"""Shared pages (account, API tokens, notifications, document downloads) and the API root; apps add their own
API routes in api_urls."""

from django.urls import include, path

from . import document_views, notification_views, token_views

urlpatterns = [
    path("account/tokens/", token_views.tokens, name="tokens"),
    path("account/tokens/create/", token_views.token_create, name="token-create"),
    path("account/tokens/revoke/", token_views.token_revoke, name="token-revoke"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/read/", notification_views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification-read"),
    path("documents/<int:pk>/download/", document_views.download, name="document-download"),
    path("imports/", include("commissioning.import_urls")),
]

urlpatterns += [
    path(
        "documents/attach/<slug:app_label>/<slug:model_name>/<int:pk>/", document_views.attach, name="document-attach"
    ),
    path("documents/<int:pk>/remove/", document_views.remove, name="document-remove"),
]
