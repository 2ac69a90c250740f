"""Owners told: an email to an action's owner when the working group sends it back or decides an extension.

User owners get it at their account's address (active accounts only), team owners at the team's contact
address (`Team.email`), the same addresses reminders go to. The message names the action by its reference,
says what happened and the due date now, and links to the action: never the working group's comment (it
may name someone), what the action asks for, or a name. Sent after the decision is committed
(`app.notices`), so a failure to send leaves the decision as it is.
"""
from __future__ import annotations

from flask import current_app

from app import notices
from app.models import Action


def owner_address(action: Action) -> str | None:
    """Where an action's owner is told: an active user's email, or an active team's contact address."""
    if action.owner_user is not None:
        return action.owner_user.email if action.owner_user.active else None
    if action.owner_team is not None and action.owner_team.active:
        return action.owner_team.email
    return None


def _send(action: Action, subject: str, body: str, event: str) -> str:
    reference = action.reference(action.debrief_row.reference)
    link = f"{current_app.config['BASE_URL']}/actions/{action.id}"
    return notices.send(owner_address(action), f"Action {reference}: {subject}",
                        f"{body}\n\nThe action, with the working group's comments and its history: {link}",
                        object_type="action", object_id=action.id, action=f"action.notice.{event}",
                        debrief_id=action.debrief_id)


def sent_back(action: Action) -> str:
    reference = action.reference(action.debrief_row.reference)
    return _send(action, "sent back",
                 f"The debrief working group has sent action {reference} back: it was not signed off and is in "
                 f"progress again. Its page says what is still needed. It is due on {action.due_on:%d %B %Y}.",
                 "sent_back")


def extension_decided(action: Action, approved: bool, old_due, new_due) -> str:
    reference = action.reference(action.debrief_row.reference)
    if approved:
        body = (f"The debrief working group has approved the extension asked for on action {reference}. "
                f"The new due date is {new_due:%d %B %Y} (it was {old_due:%d %B %Y}).")
    else:
        body = (f"The debrief working group has refused the extension to {new_due:%d %B %Y} asked for on action "
                f"{reference}. The due date stays {action.due_on:%d %B %Y}; its page says why.")
    return _send(action, "extension " + ("approved" if approved else "refused"), body,
                 "extension_" + ("approved" if approved else "refused"))
