"""`flask --app wsgi ...` commands for force IT's accounts work and set-up checks: create-user, set-password,
unlock-user, reset-2fa and check-config. Passwords are prompted for (or read from stdin when piped), never arguments."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.models import Role


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([r.value for r in Role]), help="A role; repeat for several.")
@click.option("--full-name", default=None, help="The person's name (defaults to the username).")
@click.option("--email", default=None)
@click.option("--agency", default=None, help="Agency name, required with --role partner.")
def create_user(username, roles, full_name, email, agency):
    """Create an account. The password is read from a prompt, or from stdin when piped."""
    from app.admin.services import AccountError
    from app.admin.services import create_user as create
    from app.models import Agency

    password = _read_password()
    agency_id = None
    if agency:
        found = db.session.scalars(select(Agency).where(Agency.name == agency)).first()
        if found is None:
            raise click.ClickException(f"No agency called {agency!r}.")
        agency_id = found.id
    try:
        user = create(username=username, full_name=full_name or username, email=email, roles=roles,
                      password=password, agency_id=agency_id, must_change_password=False)
    except AccountError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"Created {user.username} with roles: {', '.join(sorted(r.value for r in user.roles))}")


def _user(username: str):
    from app.auth.services import find_user

    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No account called {username!r}.")
    return user


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.option("--permanent", is_flag=True,
              help="Keep this password; without it the person must choose their own at the next sign-in.")
def set_password(username, permanent):
    """Give an account a new password (prompted), end its sessions and lift any sign-in lock: for an
    administrator who is locked out or has forgotten theirs."""
    from app.admin.services import AccountError, reset_password

    user = _user(username)
    try:
        reset_password(user, _read_password(), None, temporary=not permanent)
    except AccountError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"New password set for {user.username}; "
               + ("it stays until they change it." if permanent else "they choose their own at the next sign-in."))


@click.command("unlock-user")
@with_appcontext
@click.argument("username")
@click.option("--enable", is_flag=True, help="Also re-enable the account if it was disabled.")
def unlock_user(username, enable):
    """Lift the sign-in lock that repeated wrong passwords put on an account."""
    from app.admin.services import unlock

    user = _user(username)
    done = unlock(user, enable=enable)
    click.echo(f"{user.username}: {'; '.join(done) if done else 'was not locked'}"
               + ("" if user.active else " (the account is disabled: add --enable)") + ".")


@click.command("reset-2fa")
@with_appcontext
@click.argument("username")
def reset_2fa(username):
    """Turn off two-factor sign-in for someone who lost their phone and recovery codes; their sessions end.
    If their role needs it, they set it up again at their next sign-in."""
    from app.admin.services import reset_two_factor

    user = _user(username)
    if user.totp_enabled_at is None:
        raise click.ClickException(f"{user.username} does not use two-factor sign-in.")
    reset_two_factor(user, None)
    click.echo(f"Two-factor sign-in reset for {user.username}; their sessions have ended.")


@click.command("check-config")
@with_appcontext
def check_config():
    """Print every setting that matters and what is wrong with it; exit status 1 if anything is."""
    from app import readiness

    found = readiness.checks(current_app)
    width = max(len(c.name) for c in found)
    for c in found:
        mark = "ok     " if c.ok else ("REFUSED" if c.stops and current_app.config["APP_ENV"] == "production"
                                       else "PROBLEM")
        click.echo(f"{mark}  {c.name:<{width}}  {c.shown}")
        if not c.ok:
            click.echo(f"{'':7}  {'':<{width}}  -> {c.problem}")
    problems = [c for c in found if not c.ok]
    click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}." if problems else "No problems found.")
    if problems:
        click.get_current_context().exit(1)


ACCOUNT_COMMANDS = (create_user, set_password, unlock_user, reset_2fa, check_config)
