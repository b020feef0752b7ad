"""Login, logout, password change, language and unit switches."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himpun.accounts.forms import LanguageForm, LoginForm, StyledPasswordChangeForm
from himpun.accounts.middleware import SESSION_UNIT
from himpun.structure.models import OrgUnit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        translation.activate(user.language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("core:home")

    def form_valid(self, form: StyledPasswordChangeForm) -> HttpResponse:
        messages.success(self.request, _("Kata sandi Anda sudah diganti."))
        return super().form_valid(form)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return "/"
    return target


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user (and in a cookie)."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(_back(request))
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@login_required
@require_POST
def switch_unit(request: HttpRequest) -> HttpResponse:
    """Narrow lists to one of the user's units, or back to all of them (empty value)."""
    unit_id = request.POST.get("unit", "")
    if unit_id.isdigit() and OrgUnit.objects.restrict(request.user).filter(pk=unit_id).exists():
        request.session[SESSION_UNIT] = int(unit_id)
    else:
        request.session.pop(SESSION_UNIT, None)
    return HttpResponseRedirect(_back(request))
