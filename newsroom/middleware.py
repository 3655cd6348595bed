"""Request guards that run before any view."""

from django.http import HttpResponseBadRequest, JsonResponse

NUL_REFUSED = "The URL contains a NUL character, which no field can hold."


class RefuseNulMiddleware:
    """Answer 400 to a request whose path or query string holds a NUL character.

    PostgreSQL text cannot contain NUL, so a `?q=%00` reaching a filter, a search or an
    autocomplete raised DataError (a 500) there, and silently matched nothing on SQLite. Forms
    and serializers already refuse NUL in bodies; this covers what views read from the URL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
