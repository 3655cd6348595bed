"""API plumbing shared by the apps' endpoints: who may call, paging, caching, throttling."""

import hashlib

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework import exceptions, pagination, permissions, renderers, status, throttling
from rest_framework.response import Response

from claims.workflow import StaleVersion
from newsroom import roles
from newsroom.models import ApiToken
from sources import licensing
from sources.errors import field_messages
from sources.odrl import reserved_documents, tdm_headers


def is_consumer(user) -> bool:
    """Tell whether a user calls the API as an outside consumer."""
    return roles.is_api_consumer(user)


class IsNewsroomUser(permissions.BasePermission):
    """Staff and API consumers may read; staff may write what their model permissions allow.

    Anonymous callers get 401 (the authentication classes answer with a challenge).
    """

    message = "Your account has no API access: ask for the API consumers role."
    write_permissions = permissions.DjangoModelPermissions.perms_map

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            count_failed_authentication(request, view)
            return False
        if request.method in permissions.SAFE_METHODS:
            return licensing.is_inside(user) or is_consumer(user)
        if request.method not in self.write_permissions:
            raise exceptions.MethodNotAllowed(request.method)
        if not licensing.is_inside(user):
            self.message = "API consumers have read-only access."
            return False
        required = getattr(view, "required_write_permissions", None)
        if required is None and not hasattr(view, "get_queryset"):
            raise exceptions.MethodNotAllowed(request.method)  # e.g. the API root: read-only
        if required is None:
            model = view.get_queryset().model
            required = [
                perm % {"app_label": model._meta.app_label, "model_name": model._meta.model_name}
                for perm in self.write_permissions[request.method]
            ]
        if not user.has_perms(required):
            # DRF makes a permission object per request, so the message is this request's.
            self.message = f"Your role may not do this (it needs {', '.join(sorted(required))})."
            return False
        return True


class NewsroomCursorPagination(pagination.CursorPagination):
    """Cursor paging: stable under inserts and never runs COUNT(*) on large tables."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-updated_at", "-id")


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Rate-limit each API token on its own; session users by account."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class FailedAuthenticationThrottle(throttling.SimpleRateThrottle):
    """Count, per client address, API requests refused for want of valid credentials.

    DRF throttles only after authentication and permissions have passed, so a caller sending
    bad or no credentials would otherwise get 401s at full speed, with a token lookup each.
    """

    scope = "failed_auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def count_failed_authentication(request, view=None) -> None:
    """Count a request refused for its credentials; past the rate, answer 429 instead of 401."""
    throttle = FailedAuthenticationThrottle()
    if not throttle.allow_request(request, view):
        raise exceptions.Throttled(throttle.wait())


class FastJSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, byte for byte, from orjson: compact, UTF-8, U+2028/U+2029 escaped.

    Anything orjson does not take as DRF would (datetimes, which DRF's encoder cuts to
    milliseconds; Decimals, lazy strings, big integers, non-string keys) goes to DRF's own
    renderer, as does an indented rendering a client asked for.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_refuse, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except TypeError:
            return super().render(data, accepted_media_type, renderer_context)
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


def _refuse(value):
    raise TypeError(f"{type(value).__name__} is left to DRF's encoder")


class ConditionalGetMixin:
    """Answer GET with ETag and Last-Modified, and 304 when the client's copy is current.

    The ETag hashes the rendered body, which already differs by audience (withheld quotes),
    so a consumer and an editor never share a validator. Views set `self.last_modified`.
    """

    last_modified = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
        response["ETag"] = etag
        last_modified = self.last_modified
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        patch_vary_headers(response, ["Authorization", "Cookie"])
        conditional = get_conditional_response(
            request._request,
            etag=etag,
            last_modified=int(last_modified.timestamp()) if last_modified else None,
            response=response,
        )
        return conditional


class DisclosureMixin:
    """Licensed text goes out as one `licensing.Disclosure` per response, with its headers.

    Views build the disclosure for what they serve and pass it to the serializer as
    context["disclosure"]; where none was built (DRF's browsable-API forms), the default
    carries no licensed text at all. `disclosed()` is the one writer of the TDMRep headers:
    `tdm-reservation`/`tdm-policy` when any served document's holder reserves mining, and
    `TDM-Reserved-Documents` naming every such document whose text went out.
    """

    def get_serializer_context(self):
        context = super().get_serializer_context()
        audience = licensing.audience_for(self.request.user)
        context.setdefault("audience", audience)
        context.setdefault("disclosure", licensing.Disclosure.nothing(audience))
        return context

    def disclosure_context(self, disclosure: licensing.Disclosure) -> dict:
        return self.get_serializer_context() | {
            "audience": disclosure.audience,
            "disclosure": disclosure,
        }

    def disclosed(self, response, disclosure: licensing.Disclosure):
        served = disclosure.served
        signals = disclosure.site_signals if served else {}
        headers = tdm_headers(
            served, build_url=self.request.build_absolute_uri, site_signals=signals
        )
        for header, value in headers.items():
            response[header] = value
        reserved = reserved_documents(served, site_signals=signals)
        if reserved:
            response["TDM-Reserved-Documents"] = ", ".join(str(d.pk) for d in reserved)
        return response


def exception_handler(exc, context):
    """DRF's handler, plus the services' errors: validation → 400, stale version → 409."""
    # Not at the top: DRF imports this module (the permission/pagination defaults) while
    # rest_framework.views is still initialising, so importing it there would be circular.
    from rest_framework.views import exception_handler as drf_handler

    if isinstance(exc, StaleVersion):
        return Response(
            {
                "detail": str(exc),
                "code": f"stale_{exc.counter}",
                f"current_{exc.counter}": exc.current,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"body": [f"The request body is larger than the limit of {limit:,} bytes."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        body = {
            ("non_field_errors" if field is None else field): messages
            for field, messages in field_messages(exc)
        }
        codes = (
            {error.code for error in exc.error_list} if not hasattr(exc, "error_dict") else set()
        )
        if len(codes) == 1 and None not in codes:
            body["code"] = codes.pop()
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_handler(exc, context)
