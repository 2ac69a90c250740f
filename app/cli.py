"""`flask --app wsgi ...` commands for force IT."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.models import Role


def init_cli(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_reminders)
    app.cli.add_command(audit_verify)
    app.cli.add_command(audit_anchor)


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


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Add clearly fictional demo accounts (refused in production)."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("seed-demo refuses to run under the production configuration.")
    from app.demo import seed, seed_debriefs

    logins = seed()
    added = seed_debriefs()
    if added:
        click.echo(f"Added {added} fictional debriefs across every stage.")
    click.echo("Demo logins (fictional people; development only):")
    for username, password, roles in logins:
        click.echo(f"  {username:<12} {password:<28} {roles}")


@click.command("send-reminders")
@with_appcontext
@click.option("--today", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as on this UK day, YYYY-MM-DD (default: today in Europe/London).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; claim and send nothing.")
def send_reminders(on, dry_run):
    """Email owners their overdue and due-soon actions, and the working group its weekly escalation.

    Safe to run again, and on several servers at once: each digest goes once per day (owners) or per ISO
    week (working group). Exits with status 1 if any message could not be sent.
    """
    from app.actions.reminders import send_reminders as run
    from app.debriefs.timeliness import today

    summary = run(on.date() if on else today(), dry_run=dry_run)
    if summary.not_configured:
        click.echo("Reminders: nothing sent, because SMTP_HOST is not set.")
        return
    for digest in summary.planned:
        click.echo(f"Would send the {digest.kind} digest for {digest.period} to {digest.recipient}")
        click.echo(f"  Subject: {current_app.config['MARKING']}: {digest.subject}")
        for line in digest.body.splitlines():
            click.echo(f"  | {line}".rstrip())
    for failure in summary.failures:
        click.echo(f"Could not send the {failure}", err=True)
    click.echo(summary.line())
    if summary.failed:
        click.get_current_context().exit(1)


@click.command("audit-verify")
@with_appcontext
@click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
              help="An anchor kept outside the database (from a backup or the application log); repeatable.")
def audit_verify(anchors):
    """Check the audit log's hash chain from its first row: report modified, deleted, inserted, reordered
    or cut-off rows. Exits with status 1 if the log is not intact. Prints the anchor to keep."""
    from app import audit_chain

    try:
        wanted = [audit_chain.parse_anchor(a) for a in anchors]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--anchor") from exc
    verdict = audit_chain.verify(wanted)
    click.echo(f"Audit log: {verdict.rows} rows, chain head at position {verdict.head_seq}.")
    for problem in verdict.problems:
        click.echo(f"  NOT INTACT: {problem}", err=True)
    if verdict.intact:
        click.echo(f"Intact. Anchor (keep it outside the database): {verdict.anchor}")
        audit_chain.log.info("audit verified intact, anchor %s", verdict.anchor)
    else:
        audit_chain.log.error("audit verification failed: %d problem(s)", len(verdict.problems))
        click.get_current_context().exit(1)


@click.command("audit-anchor")
@with_appcontext
def audit_anchor():
    """Write the audit chain's current head to the application log (run it from a timer): if the newest
    rows are ever cut off, an earlier anchor is what shows it."""
    from app import audit_chain

    click.echo(audit_chain.write_anchor("scheduled"))
