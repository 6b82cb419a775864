"""Login in two steps, the account page, password change and reset. Thin: the work is in
pending.py (the login between its steps), second_factor.py, throttle.py and sessions.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from visavis.accounts import pending, second_factor, services, sessions, throttle
from visavis.accounts.forms import (
    CodeForm,
    ConfirmDeviceForm,
    CurrentCodeForm,
    DisplayNameForm,
    EmailForm,
    LoginForm,
)

TOO_MANY = 429


def _email_enabled() -> bool:
    return bool(settings.VISAVIS.get("EMAIL_ENABLED"))


def _too_many(until) -> str:
    """The refusal, the same whoever asks (it must not tell whether an account exists)."""
    at = formats.date_format(timezone.localtime(until), "H:i")
    return _("Too many attempts. Please try again at %(time)s.") % {"time": at}


def _refuse(form, message: str, *, field: str | None = None):
    """Show only ``message`` on ``form``, without validating it (for the login form that
    would check the password once more)."""
    form.cleaned_data = {}
    form._errors = ErrorDict()
    form.add_error(field, message)
    return form


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _after_login(destination: str) -> str:
    return destination or resolve_url(settings.LOGIN_REDIRECT_URL)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    """Step one: the password. With a second factor, step two follows (:func:`login_code`);
    only after it is the session logged in."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    status = 200
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        counters = throttle.login_counters(request, request.POST.get("username", ""))
        # Admitted (and counted as a failure) before the password hash is computed.
        admission = throttle.admit(counters)
        if not admission.admitted:
            _refuse(form, _too_many(admission.blocked_until))
            status = TOO_MANY
        elif form.is_valid():
            user = form.get_user()
            if second_factor.is_enabled(user):
                throttle.succeeded(admission, forgive=False)  # forgiven after the code
                pending.begin(request, user, step=pending.CODE, next_url=next_url)
                return redirect("login-code")
            if second_factor.required():
                throttle.succeeded(admission, forgive=False)
                pending.begin(request, user, step=pending.SETUP, next_url=next_url)
                return redirect("account-second-factor")
            login(request, user)
            throttle.succeeded(admission)
            return redirect(_after_login(next_url))
        else:
            until = throttle.failed(admission)
            if until:
                _refuse(form, _too_many(until))
                status = TOO_MANY
    else:
        pending.clear(request)
        form = LoginForm(request)
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": next_url, "password_reset": _email_enabled()},
        status=status,
    )


def _refuse_code(form, admission) -> int:
    """A code step failed (refused, or admitted and wrong: counted already): say why on
    the form, "too many attempts" or "not right". Returns the response status."""
    until = throttle.failed(admission) if admission.admitted else admission.blocked_until
    if until:
        _refuse(form, _too_many(until))
        return TOO_MANY
    _refuse(form, _("This code is not right. Please try again."), field="code")
    return 200


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request):
    """Step two: a code from the app or a recovery code, throttled like the password."""
    user = pending.user(request, step=pending.CODE)
    if user is None:
        messages.info(request, _("Please log in again."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        admission = throttle.admit(throttle.login_counters(request, user.get_username()))
        verified = None
        if admission.admitted and form.is_valid():
            verified = second_factor.verify(user, form.cleaned_data["code"])
        if verified:
            destination = pending.complete(request, user)
            throttle.succeeded(admission)
            if verified.recovery_code:
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code. %(count)d is left.",
                        "You used a recovery code. %(count)d are left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_after_login(destination))
        status = _refuse_code(form, admission)
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


@csrf_protect
@never_cache
def second_factor_setup(request):
    """Add an authenticator app: scan (or type) the secret, confirm with a code. Reached
    from the account page, or right after the password when the operator requires it."""
    finishing_login = not request.user.is_authenticated
    user = pending.user(request, step=pending.SETUP) if finishing_login else request.user
    if user is None:
        return redirect("login")
    if second_factor.is_enabled(user) and request.method != "POST":
        return redirect("account")
    form = ConfirmDeviceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        admission = throttle.admit(throttle.login_counters(request, user.get_username()))
        codes = None
        if admission.admitted and form.is_valid():
            codes = second_factor.confirm(user, form.cleaned_data["code"])
        if codes:
            destination = reverse("account")
            if finishing_login:
                destination = _after_login(pending.complete(request, user))
            throttle.succeeded(admission)
            return _no_store(
                render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "continue_url": destination, "new_setup": True},
                )
            )
        status = _refuse_code(form, admission)
    enrolment = second_factor.enrolment(second_factor.pending_device(user))
    return _no_store(
        render(
            request,
            "accounts/second_factor_setup.html",
            {
                "form": form,
                "enrolment": enrolment,
                "finishing_login": finishing_login,
                "required": second_factor.required(),
            },
            status=status,
        )
    )


@login_required
@never_cache
def account(request, name_form=None):
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "second_factor": second_factor.is_enabled(user),
            "required": second_factor.required(),
            "recovery_codes_left": second_factor.recovery_codes_left(user),
            "code_form": CurrentCodeForm(),
            "email_enabled": _email_enabled(),
            "email_form": EmailForm(initial={"email": user.email}),
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "name_form": name_form
            or DisplayNameForm(initial={"display_name": services.own_display_name(user)}),
            "default_names": [
                services.default_display_name(code) for code in ("en", "de")
            ],
        },
        status=400 if name_form is not None else 200,
    )


def _check_current_code(request) -> bool:
    """A current code for changing the second factor, throttled like the login."""
    admission = throttle.admit(throttle.login_counters(request, request.user.get_username()))
    if not admission.admitted:
        messages.error(request, _too_many(admission.blocked_until))
        return False
    form = CurrentCodeForm(request.POST)
    if form.is_valid() and second_factor.verify(request.user, form.cleaned_data["code"]):
        throttle.succeeded(admission, forgive=False)
        return True
    until = throttle.failed(admission)
    messages.error(
        request, _too_many(until) if until else _("This code is not right. Please try again.")
    )
    return False


@login_required
@require_POST
@sensitive_post_parameters("code")
def second_factor_disable(request):
    if _check_current_code(request):
        second_factor.disable(request.user)
        messages.success(request, _("The second factor is turned off."))
    return redirect("account")


@login_required
@require_POST
@sensitive_post_parameters("code")
def recovery_codes(request):
    if not second_factor.is_enabled(request.user) or not _check_current_code(request):
        return redirect("account")
    codes = second_factor.new_recovery_codes(request.user)
    return _no_store(
        render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "continue_url": reverse("account"), "new_setup": False},
        )
    )


@login_required
@require_POST
def logout_everywhere(request):
    """End every session of this counselor, in every browser, this one too."""
    sessions.end_all(request.user)
    logout(request)
    messages.success(request, _("You are logged out everywhere."))
    return redirect("login")


@login_required
@require_POST
def change_display_name(request):
    """The name clients see in a call (never the login name)."""
    form = DisplayNameForm(request.POST)
    if form.is_valid():
        try:
            services.set_display_name(user=request.user, name=form.cleaned_data["display_name"])
        except services.AccountError as exc:
            form.add_error("display_name", str(exc))
        else:
            messages.success(request, _("Your name for clients is saved."))
            return redirect("account")
    return account(request, name_form=form)


@login_required
@require_POST
def change_email(request):
    if not _email_enabled():
        raise Http404
    form = EmailForm(request.POST)
    if form.is_valid():
        request.user.email = form.cleaned_data["email"]
        request.user.save(update_fields=["email"])
        messages.success(request, _("Your e-mail address is saved."))
    else:
        messages.error(request, _("Please enter a valid e-mail address."))
    return redirect("account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is changed. Other browsers where you were logged in are logged out."),
        )
        return response


class _EmailOnly:
    """Password reset exists only where the operator configured an SMTP server."""

    def dispatch(self, request, *args, **kwargs):
        if not _email_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(_EmailOnly, auth_views.PasswordResetView):
    """Always the same answer, whether or not an account has the address."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # Every request counts (admitted ones stay recorded), not only failures.
        admission = throttle.admit([throttle.for_reset(self.request)])
        if not admission.admitted:
            form.add_error(None, _too_many(admission.blocked_until))
            return self.render_to_response(self.get_context_data(form=form), status=TOO_MANY)
        return super().form_valid(form)


class PasswordResetDoneView(_EmailOnly, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(never_cache, name="dispatch")
class PasswordResetConfirmView(_EmailOnly, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False  # the login, with its second step, comes after


class PasswordResetCompleteView(_EmailOnly, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule since 5.0): a link or an image cannot log anyone out."""

    next_page = "login"


@never_cache
def keep_alive(request):
    """204 while there is a session (a counselor's login, or a client's PIN and consent),
    401 otherwise. The request itself renews the idle timer, so a room page, busy for
    long without loading pages (a call), keeps its session from expiring under it."""
    alive = request.user.is_authenticated or not request.session.is_empty()
    return HttpResponse(status=204 if alive else 401)


def admin_login(request):
    """The admin's own login would skip the second factor and the throttling: use ours."""
    target = _safe_next(request, request.GET.get("next")) or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': target}, safe='/')}")
