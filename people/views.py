import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from people import services
from people.forms import AccountForm, DeleteAccountForm


@never_cache
@login_required
def account(request):
    """Name, language and email preferences; links to email, password and calendar settings."""
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("people:account")
    return render(request, "people/account.html", {"form": form})


@never_cache
@login_required
@require_safe
def export(request):
    """Everything we hold about the signed-in member, as a JSON download."""
    data = services.export_member_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="commons-my-data-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def resend_verification(request):
    """Mail the member a new link to confirm their address, then back to where they were."""
    sent = services.send_verification_link(request=request, user=request.user)
    if sent is None:
        messages.info(request, _("Your email address is already confirmed."))
    elif sent:
        messages.success(
            request,
            _("We emailed a new link to %(email)s. Open it, then come back to post.")
            % {"email": request.user.email},
        )
    else:
        messages.info(
            request, _("We sent you a link a moment ago: please look for it in your inbox.")
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("people:account")
    return redirect(next_url)


@never_cache
@login_required
def delete(request):
    """Delete the account after an explicit confirmation."""
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user=user)
        messages.success(request, _("Your account is deleted. Thank you for taking part."))
        return redirect("home")
    return render(request, "people/account_delete.html", {"form": form})
