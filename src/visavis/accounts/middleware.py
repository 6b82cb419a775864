"""Sends a counselor without a second factor to set one up, when the operator requires it."""

from django.shortcuts import redirect

from visavis.accounts import second_factor

# Pages such a counselor may still reach: the setup itself, logging out, the language.
ALLOWED = {
    "account-second-factor",
    "logout",
    "set_language",
    "javascript-catalog",
    "javascript-catalog-lang",
}


class SecondFactorSetupMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not second_factor.required():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ALLOWED:
            return None
        if second_factor.is_enabled(user):
            return None
        return redirect("account-second-factor")
