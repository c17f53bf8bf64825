"""Reaching the people registered for an event: organisers' messages, and reminder opt-outs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from events import notices, services
from events.forms_attendees import AttendeeMessageForm
from events.models import AttendeeMessage
from events.views.organising import event_editor_required
from people.models import User

LOG_PAGE_SIZE = 20


@require_http_methods(["GET", "POST"])
@event_editor_required
def email_attendees(request, event):
    """Write a message, preview it ("preview"), then send it ("send"); the log is below."""
    posted = request.POST if request.method == "POST" else None
    form = AttendeeMessageForm(posted, event=event)
    action = request.POST.get("action")
    if posted is not None and form.is_valid() and action in ("preview", "send"):
        if action == "preview":
            context = _preview(request, event, form)
            return render(request, "events/email_attendees_preview.html", context)
        try:
            message = services.email_attendees(
                event=event, sender=request.user, **form.cleaned_data
            )
        except services.NobodyToEmail as error:  # everyone left since the preview
            form.add_error("audience", str(error))
        else:
            messages.success(
                request,
                _("Your message is on its way to %(count)d people.")
                % {"count": message.recipient_count},
            )
            return redirect("events:email_attendees", slug=event.slug)
    log = AttendeeMessage.objects.filter(event=event).select_related("sender")
    context = {
        "event": event,
        "form": form,
        "log": Paginator(log, LOG_PAGE_SIZE).get_page(request.GET.get("page")),
        "reminders_sent": event.registrations.filter(reminder_sent_at__isnull=False).count(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "events/email_attendees.html", context, status=status)


def _preview(request, event, form) -> dict:
    data = form.cleaned_data
    return {
        "event": event,
        "form": form,
        "recipient_count": form.recipient_count,
        "audience_label": AttendeeMessage.Audience(data["audience"]).label,
        "full_subject": notices.attendee_message_subject(event, data["subject"]),
        "text": notices.attendee_message_text(
            event=event,
            subject=data["subject"],
            body=data["body"],
            sender_name=request.user.public_name,
            recipient_name=_("(their name)"),
            opt_out_url=_("(their own link)"),
        ),
    }


@csrf_exempt  # RFC 8058: mail clients POST without a CSRF token; the signed token protects it.
@require_http_methods(["GET", "HEAD", "POST"])
def email_opt_out(request, token):
    """Stop (or resume) one kind of attendee mail for the user the signed token names.

    A GET only shows the choice (link scanners follow links); the change is a POST.
    """
    read = notices.read_opt_out_token(token)
    if read is None:
        raise Http404
    user_id, kind = read
    user = get_object_or_404(User, pk=user_id, is_active=True)
    if request.method == "POST":
        wanted = request.POST.get("action") == "resume"
        services.set_email_choice(user=user, kind=kind, wanted=wanted)
    context = {
        "token": token,
        "kind": kind,
        "stopped": not notices.wants(user, kind),
        "done": request.method == "POST",
    }
    response = render(request, "events/email_opt_out.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
