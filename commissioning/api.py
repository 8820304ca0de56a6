"""Shared REST framework pieces: one error format for every status, the base viewset every
resource builds on, the schema and its documentation page.

Permissions, pagination and throttling that settings name live in drf.py."""

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.template import engines
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import permissions, roles
from .drf import (
    ApiRateThrottle,
    ApiTokenAuthentication,
    Conflict,
    PageNumberPagination,
    PreconditionFailed,
    RoleModelPermissions,
)

__all__ = [
    "AUTHENTICATION_CLASSES",
    "ApiAutoSchema",
    "Conflict",
    "ErrorSerializer",
    "PageNumberPagination",
    "PreconditionFailed",
    "ResourceViewSet",
    "RoleModelPermissions",
    "ServiceSchema",
    "ServiceViewSet",
    "SwaggerView",
    "ApiRateThrottle",
    "exception_handler",
    "may_edit_for_directorate",
]


def exception_handler(exc, context):
    """Every error answers {"status": n, "code": "...", "detail": "...", "errors": {field: [..]}}."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, DjangoPermissionDenied):
        # Keep the service's reason ("only your own directorate's records"): the page shows the same words.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    body = {"status": response.status_code, "code": getattr(exc, "default_code", "error"), "detail": "", "errors": {}}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["detail"] = "The request has errors; see errors by field."
        body["errors"] = data if isinstance(data, dict) else {"non_field_errors": data}
    elif isinstance(data, dict) and "detail" in data:
        body["detail"] = str(data["detail"])
        body["code"] = getattr(data["detail"], "code", body["code"])
        body.update({k: v for k, v in data.items() if k not in body})
    else:
        body["detail"] = str(data)
    return Response(body, status=response.status_code, headers=dict(response.items()))


# Token first: its WWW-Authenticate header makes an anonymous request a 401 rather than a 403.
AUTHENTICATION_CLASSES = [ApiTokenAuthentication, SessionAuthentication]


def may_edit_for_directorate(user, directorate_id) -> bool:
    """A commissioner with a directorate edits only that directorate's strategies and reports."""
    if user.has_role(roles.ADMINISTRATOR) or not user.has_role(roles.COMMISSIONER):
        return True
    return user.directorate_id is None or user.directorate_id == directorate_id


class ErrorSerializer(serializers.Serializer):
    """The one error body every status uses."""

    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text='A machine-readable code, e.g. "invalid", "not_found", "conflict".')
    detail = serializers.CharField(help_text="What went wrong, in words.", allow_blank=True)
    # The body's key is "errors" by design; on a schema-only serializer it may shadow Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field name (400 only; empty otherwise).",
    )


ERROR_EXAMPLES = {
    "400": OpenApiExample(
        "Invalid",
        value={
            "status": 400,
            "code": "invalid",
            "detail": "The request has errors; see errors by field.",
            "errors": {"end_date": ["The end date must be on or after the start date."]},
        },
        response_only=True,
        status_codes=["400"],
    ),
    "401": OpenApiExample(
        "Not authenticated",
        value={
            "status": 401,
            "code": "not_authenticated",
            "detail": "Authentication credentials were not provided.",
            "errors": {},
        },
        response_only=True,
        status_codes=["401"],
    ),
}


def _error(description: str, code: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorSerializer,
        description=description,
        examples=[ERROR_EXAMPLES[code]] if code in ERROR_EXAMPLES else [],
    )


class ApiAutoSchema(AutoSchema):
    """Documents the shared error responses on every operation, in the one error format."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "401": "Not logged in and no valid token.",
            "403": "Your role does not allow this.",
            "429": "Too many requests from this token.",
        }
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            errors["400"] = "The request has errors; see errors by field."
        if not self._is_list_view() and "{" in self.path:
            errors["404"] = "No such record, or not one you can see."
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(_error(description, code), code, direction=direction)
        return responses


class ResourceViewSet(viewsets.ModelViewSet):
    """A resource under /api/v1/: reads through ``get_queryset`` (related rows loaded up front), writes
    through the app's services.

    A subclass offers a write by defining ``do_create(data)``, ``do_update(instance, data)`` or
    ``do_delete(instance)``, each calling a service; the writes it does not define are 405 and absent
    from the schema.
    """

    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated, RoleModelPermissions]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    # JSON only: the browsable API's pages carry inline script the site's CSP refuses.
    renderer_classes = [JSONRenderer]
    schema = ApiAutoSchema()
    # Set when the viewset has POST actions (e.g. submit/) even without create.
    extra_post_actions = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        names = ["get", "head", "options"]
        if cls.do_create is not ResourceViewSet.do_create or cls.extra_post_actions:
            names.append("post")
        if cls.do_update is not ResourceViewSet.do_update or "update" in cls.__dict__:
            names += ["put", "patch"]
        if cls.do_delete is not ResourceViewSet.do_delete:
            names.append("delete")
        cls.http_method_names = names

    def get_authenticate_header(self, request):
        return 'Token realm="api"'

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not self.may_write(request.user, obj):
            raise exceptions.PermissionDenied("You may change only your own directorate's records.")

    def may_write(self, user, obj) -> bool:
        """Object-level rule for writes beyond the model permission; open by default."""
        return True

    def do_create(self, data: dict):
        raise exceptions.MethodNotAllowed("POST")

    def refuse_create_unless_offered(self) -> None:
        """POST on a viewset with no ``do_create`` is offered for its actions (submit/, close/...), not to make a
        row: say 405 before the body is read, rather than answer an empty body with field errors."""
        if type(self).do_create is ResourceViewSet.do_create:
            raise exceptions.MethodNotAllowed("POST")

    def do_update(self, instance, data: dict):
        raise exceptions.MethodNotAllowed("PUT")

    def do_delete(self, instance) -> None:
        raise exceptions.MethodNotAllowed("DELETE")

    def perform_create(self, serializer):
        serializer.instance = self.do_create(dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self.do_update(serializer.instance, dict(serializer.validated_data))

    def perform_destroy(self, instance):
        self.do_delete(instance)

    def get_output(self, instance):
        """Re-read a written row through ``get_queryset`` so the response shows what a GET would."""
        return self.get_queryset().get(pk=instance.pk)

    def create(self, request, *args, **kwargs):
        self.refuse_create_unless_offered()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        out = self.get_serializer(self.get_output(serializer.instance))
        return Response(out.data, status=201)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.get_serializer(self.get_output(serializer.instance)).data)


class ServiceSchema(ApiAutoSchema):
    """Documents a write's body as the viewset's input serializer and its answer as the output one."""

    def get_request_serializer(self) -> Any:
        view = self.view
        if self.method in ("POST", "PUT", "PATCH") and isinstance(view, ServiceViewSet):
            chosen = view.input_serializer_for(getattr(view, "action", None))
            if chosen is not None:
                return chosen
        return super().get_request_serializer()


class ServiceViewSet(ResourceViewSet):
    """A resource whose writes are read by an input serializer (the request's shape only: no rules, no model
    validators) and answered with ``serializer_class``, the output serializer, re-read as a GET would show it.

    ``do_create(data)`` and ``do_update(instance, data)`` pass the input to a service, which checks the actor
    and the rules. ``update_serializer_class`` reads edits where their shape differs from a new record's;
    ``change_permission`` names the permission an edit of this object needs (checked before the input is
    read, as a page refuses before showing its form; the service asks again).
    """

    input_serializer_class: ClassVar[type[serializers.BaseSerializer] | None] = None
    update_serializer_class: ClassVar[type[serializers.BaseSerializer] | None] = None
    change_permission: ClassVar[str | None] = None
    schema = ServiceSchema()

    @classmethod
    def input_serializer_for(cls, action: str | None) -> type[serializers.BaseSerializer] | None:
        """The input serializer of the create and update actions (an extra action names its own)."""
        if action in ("update", "partial_update"):
            return cls.update_serializer_class or cls.input_serializer_class
        if action == "create":
            return cls.input_serializer_class
        return None

    def may_write(self, user, obj) -> bool:
        if self.change_permission is None:
            return True
        return permissions.may(user, self.change_permission, obj)

    def valid_input(
        self,
        instance: Any = None,
        *,
        serializer_class: type[serializers.BaseSerializer] | None = None,
        partial: bool = False,
    ) -> dict[str, Any]:
        """The request body, checked for shape by ``serializer_class`` (an extra action's) or the action's
        input serializer."""
        chosen = serializer_class or self.input_serializer_for(self.action)
        if chosen is None:
            raise exceptions.MethodNotAllowed(self.request.method or "")
        serializer = chosen(instance, data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request, *args, **kwargs):
        self.refuse_create_unless_offered()
        instance = self.do_create(self.valid_input())
        return Response(self.get_serializer(self.get_output(instance)).data, status=201)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()  # refuses another directorate's record (may_write) before reading input
        data = self.valid_input(instance, partial=kwargs.pop("partial", False))
        instance = self.do_update(instance, data)
        return Response(self.get_serializer(self.get_output(instance)).data)


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from the installed (sidecar) assets, with no inline script or style (the site's CSP)."""

    authentication_classes = AUTHENTICATION_CLASSES

    PAGE = engines["django"].from_string(
        """<!DOCTYPE html>
<html lang="en">
  <head>
    <title>{{ title }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" href="{{ favicon_href }}">
    <link rel="stylesheet" href="{{ swagger_ui_css }}">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{{ swagger_ui_bundle }}"></script>
    <script src="{{ swagger_ui_standalone }}"></script>
    <script src="{{ script_url }}"></script>
  </body>
</html>
"""
    )

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            return response
        # The stock page carries a <style> block the CSP refuses; the same page without it.
        return HttpResponse(self.PAGE.render(response.data), content_type="text/html; charset=utf-8")
