"""Shared REST framework pieces: one error format for every status.

Permissions, pagination and throttling that settings name live in drf.py."""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .drf import Conflict, PageNumberPagination, PreconditionFailed, RoleModelPermissions, TokenClientRateThrottle

__all__ = [
    "Conflict",
    "PageNumberPagination",
    "PreconditionFailed",
    "RoleModelPermissions",
    "TokenClientRateThrottle",
    "exception_handler",
]


def exception_handler(exc, context):
    """Every error answers {"status": n, "code": "...", "detail": "...", "errors": {field: [..]}}."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
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
