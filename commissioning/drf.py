"""REST framework classes named in settings. Kept apart from api.py, which imports
rest_framework.views: that import reads these settings, so it must not be a cycle."""

from rest_framework import exceptions, pagination, permissions, status, throttling
from rest_framework.authentication import TokenAuthentication


class RoleModelPermissions(permissions.DjangoModelPermissions):
    """Model permissions from the user's role groups, including view rights for reads."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class TokenClientRateThrottle(throttling.SimpleRateThrottle):
    """Limits clients that authenticate with a token; browser sessions are not throttled."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.successful_authenticator, TokenAuthentication):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The version you sent is not the current one."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        'Send If-Match with the ETag you read, or the "version" field, so that a newer version is not overwritten.'
    )
    default_code = "precondition_required"
