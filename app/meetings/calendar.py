"""Calendar invitations (.ics, RFC 5545) for the debrief meeting.

One UID per meeting for its whole life; SEQUENCE rises whenever the time or
place changes, so calendars update the event they already hold; a cancellation
is METHOD:CANCEL with STATUS:CANCELLED. Taking one person off the meeting sends
that person alone a METHOD:CANCEL for the same UID, with a higher SEQUENCE and
only them as ATTENDEE (RFC 5546 §3.2.5), so their calendar drops it. Times are in Europe/London with the
time zone defined in the file. The text carries the reference and a link only.
"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from icalendar import Calendar, Event, vCalAddress

from app.models import Meeting, utcnow

LONDON = ZoneInfo("Europe/London")


def ics(meeting: Meeting, reference: str, invitee=None, *, cancel_for_invitee: bool = False) -> bytes:
    """The meeting as a calendar file; `cancel_for_invitee`: the cancellation sent to `invitee` alone when they
    are taken off the meeting (the caller has already raised the meeting's SEQUENCE)."""
    cfg = current_app.config
    cancelled = meeting.cancelled_at is not None or cancel_for_invitee
    cal = Calendar()
    cal.add("prodid", "-//Homicide prevention debriefs//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", utcnow())
    start = meeting.starts_at.astimezone(LONDON)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", f"{cfg['MARKING']}: Debrief meeting {reference}")
    link = cfg["BASE_URL"] + url_for("debriefs.detail", debrief_id=meeting.debrief_id)
    event.add("description", f"Debrief meeting for {reference}. Agenda and details: {link}\n{cfg['HANDLING_LINE']}")
    if meeting.venue:
        event.add("location", meeting.venue)
    online = " ".join((meeting.online_link or "").split())
    if online.startswith(("https://", "http://")) and " " not in online:
        event.add("url", online)
    elif online:  # not a single web address: keep it readable rather than break the file
        event.add("comment", online)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", vCalAddress(f"mailto:{cfg['MAIL_FROM']}"))
    if invitee is not None and invitee.email:
        attendee = vCalAddress(f"mailto:{invitee.email}")
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
