"""A person's network pages: asking for the link, the network itself, notes and follow-up
states, hiding and nudges, the calendar feed, and the one-click links from mails."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from sqlalchemy import select

from organizer.plugin_api import (Attendee, Message, Skip, attendee_blueprint, commit, db,
                                  external_url, gettext as _, in_language, lazy_gettext as _l,
                                  limiter, mail_renderer, normalise_email, personal_feed_ics,
                                  queue_mail, webcal_url)

from . import contacts, forms, network, people
from .models import Person

bp = Blueprint("followup_network", __name__, template_folder="templates")
# From an attendee's own page to their network, by their private link.
mine = attendee_blueprint("followup_network_mine", __name__)

LINK_KIND = "followup.network_link"


def _address() -> str:
    return normalise_email(request.form.get("email", ""))[:254] or "-"


def _per_address() -> str:
    return current_app.config.get("NETWORK_LINK_RATE_LIMIT", "3 per hour")


def _per_client() -> str:
    return current_app.config.get("NETWORK_LINK_CLIENT_RATE_LIMIT", "20 per hour")


@bp.route("/network", methods=["GET", "POST"])
@limiter.limit(_per_client, methods=["POST"])
@limiter.limit(_per_address, methods=["POST"], key_func=_address)
def ask():
    """Ask for a link to one's network by address; the answer never says who is known."""
    form = forms.AskForm(request.form)
    if request.method == "POST":
        if not form.validate():
            return render_template("followup/network_ask.html", form=form), 422
        latest = network.attended(form.email.data)
        if latest:
            # The mail is about no one event: it speaks that of the person's latest.
            with in_language(latest[0].event.language):
                subject = _("Your network")
            queue_mail(LINK_KIND, latest[0].email, {"attendee_id": latest[0].id},
                       subject=subject)
            commit()
        return render_template("followup/network_ask.html", form=form, sent=form.email.data)
    return render_template("followup/network_ask.html", form=form)


@mail_renderer(LINK_KIND, title=_l("Links to people's networks"))
def render_link(params: dict) -> Message:
    guest = db.session.get(Attendee, params["attendee_id"])
    if guest is None:
        raise Skip(_("They are no longer on any guest list."))
    link = people.network_url(guest)
    context = {"name": guest.name, "link": link, "days": people.NETWORK_DAYS}
    # Queued without an event, so the deliverer speaks English: speak the guest's event's.
    with in_language(guest.event.language):
        return Message(to=guest.email, subject=_("Your network"),
                       text=render_template("followup/mail/network_link.txt", **context),
                       html=render_template("followup/mail/network_link.html", **context))


@mine.route("/network")
def from_attendee_page(attendee: Attendee):
    """The attendee's own page links here: on to their network by a fresh signed link."""
    return redirect(people.network_url(attendee))


def _person(token: str) -> Person:
    try:
        return people.from_network_token(token)
    except people.BadLink as exc:
        abort(Response(render_template("followup/network_ask.html", form=forms.AskForm(),
                                       problem=str(exc)), 404))


@bp.route("/network/<secret:token>")
def page(token: str):
    person = _person(token)
    return render_template(
        "followup/network.html", person=person, token=token, entries=network.of(person),
        states=network.STATES, series=network.series_dates(person.email),
        feed=webcal_url(external_url("followup_network.feed", feed_token=person.feed_token)))


def _entry(person, attendee_id: int) -> network.Entry:
    entry = next((e for e in network.of(person) if e.attendee_id == attendee_id), None)
    if entry is None:
        abort(404, _("This person is not in your network."))
    return entry


@bp.route("/network/<secret:token>/people/<int:attendee_id>", methods=["GET", "POST"])
def person_page(token: str, attendee_id: int):
    """One person of the network: every meeting, and the form for the note and follow-up."""
    person = _person(token)
    entry = _entry(person, attendee_id)
    if request.method == "GET":
        return render_template("followup/network_person.html", token=token, entry=entry,
                               states=network.STATES, form=None, errors={})
    form = forms.ContactForm(request.form)
    if not form.validate():
        errors = {name: messages[-1] for name, messages in form.errors.items()}
        return render_template("followup/network_person.html", token=token, entry=entry,
                               states=network.STATES, form=request.form, errors=errors), 422
    contacts.save(person, entry.email, form.state.data, form.remind_on.data, form.note.data)
    flash(_("Saved: %(name)s.", name=entry.name), "success")
    return redirect(url_for("followup_network.page", token=token) + f"#person-{attendee_id}")


@bp.route("/network/<secret:token>/settings", methods=["POST"])
def settings(token: str):
    person = _person(token)
    form = forms.NetworkSettingsForm(request.form)
    contacts.set_visibility(person, hidden=form.hidden.data, nudges=form.nudges.data)
    flash(_("Saved. Nobody else sees you in their network now.") if person.hidden
          else _("Saved. People you met see you in their network."), "success")
    return redirect(url_for("followup_network.page", token=token) + "#settings")


@bp.route("/network/feed/<secret:feed_token>.ics")
def feed(feed_token: str):
    """The person's calendar: their follow-up reminders and the next dates of their series."""
    person = db.session.scalar(select(Person).where(Person.feed_token == feed_token))
    if person is None:
        abort(404)
    reminders = []
    for entry in network.of(person):
        contact = entry.contact
        if contact and contact.state == "remind" and contact.remind_on:
            # Each reminder speaks the language of the event where the two last met.
            with in_language(entry.last_met.language):
                reminders.append((
                    f"followup-remind-{contact.id}-{contact.remind_on:%Y%m%d}",
                    _("Follow up with %(name)s", name=entry.name),
                    _("You met at %(event)s. Your network: %(url)s", event=entry.last_met.title,
                      url=external_url("followup_network.ask")),
                    network.reminder_start(contact, entry.last_met.zone)))
    latest = network.attended(person.email)
    with in_language(latest[0].event.language if latest else None):
        data = personal_feed_ics(_("My network"), reminders,
                                 network.series_dates(person.email))
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="network.ics"'})


@bp.route("/network/do/<secret:token>", methods=["GET", "POST"])
def act(token: str):
    """A one-click link from a follow-up mail: a page that says what it will do (mail
    scanners open links; only the person's click on it does it), once."""
    try:
        action = people.from_action_token(token)
    except people.BadLink as exc:
        return render_template("followup/act.html", problem=str(exc)), 404
    if request.method == "POST":
        try:
            found = contacts.apply(action)
        except contacts.Used as used:
            return render_template("followup/act.html", action=action, used=used.when), 409
        return render_template("followup/act.html", action=action, done=True, contact=found,
                               network=people.network_url(action.guest))
    return render_template("followup/act.html", action=action)

