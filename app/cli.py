"""`flask --app wsgi ...` commands for force IT."""
from __future__ import annotations


import click
from flask import Flask, current_app
from flask.cli import with_appcontext



def init_cli(app: Flask) -> None:
    from app.cli_accounts import ACCOUNT_COMMANDS

    for command in ACCOUNT_COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_reminders)
    app.cli.add_command(retention_digest)
    app.cli.add_command(audit_verify)
    app.cli.add_command(audit_anchor)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(exchange_export)


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


def _digest_options(command):
    """--today and --dry-run, for the commands that send digests."""
    command = click.option("--dry-run", is_flag=True, help="Show what would be sent; claim and send nothing.")(command)
    return click.option("--today", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                        help="Run as on this UK day, YYYY-MM-DD (default: today in Europe/London).")(command)


@click.command("send-reminders")
@with_appcontext
@_digest_options
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
    _show(summary.planned, summary.failures)
    click.echo(summary.line())
    if summary.failed:
        click.get_current_context().exit(1)


def _show(planned, failures) -> None:
    """A dry run's messages as they would go, and the failures of a real one."""
    for digest in planned:
        click.echo(f"Would send the {digest.kind} digest for {digest.period} to {digest.recipient}")
        click.echo(f"  Subject: {current_app.config['MARKING']}: {digest.subject}")
        for line in digest.body.splitlines():
            click.echo(f"  | {line}".rstrip())
    for failure in failures:
        click.echo(f"Could not send the {failure}", err=True)


@click.command("retention-digest")
@with_appcontext
@_digest_options
def retention_digest(on, dry_run):
    """Email the review team, once a week, the debriefs due for retention review, disposals waiting for a
    second person and legal holds past their expected end. Exits with status 1 if a message failed."""
    from app.debriefs.timeliness import today
    from app.records.digest import send

    run = send(on.date() if on else today(), dry_run=dry_run)
    if run.not_configured:
        click.echo("Records digest: nothing sent, because SMTP_HOST is not set.")
        return
    if run.nothing_due:
        click.echo("Records digest: nothing is due for review; nothing sent.")
        return
    _show(run.planned, run.failures)
    if not dry_run:
        click.echo(f"Records digest: {run.sent} sent, {run.skipped} skipped (already sent), "
                   f"{len(run.failures)} failed.")
    if run.failures:
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


@click.command("backup")
@with_appcontext
@click.option("--to", "directory", type=click.Path(file_okay=False), default=None,
              help="Directory for the backup file (default: instance/backups, created with mode 0700).")
def backup(directory):
    """Write the whole database, as it stood at one instant, to one file (mode 0600): the database copy and a
    manifest with the audit anchor, the row counts and the copy's SHA-256. Safe while the app is running.
    Prints the file, the anchor and the checksum; exits with status 1 if the backup could not be made."""
    from app import backup as backups

    try:
        made = backups.create(directory)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    manifest = made.manifest
    click.echo(f"Backup written: {made.path}")
    click.echo(f"Audit anchor (keep it outside the database): {manifest['audit_anchor'] or 'none (no audit chain)'}")
    click.echo(f"SHA-256 of the database copy: {manifest['database_sha256']}")


@click.command("restore")
@with_appcontext
@click.argument("archive", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Restore without asking for confirmation.")
def restore(archive, yes):
    """Load a backup file made by `flask backup` into an EMPTY database, then check the audit log against the
    backup's anchor and every table's row count against its manifest. Refuses a file whose checksum does not
    match, or a database that already has tables. Exits with status 1 if anything is refused or differs."""
    import tempfile

    from app import audit_chain
    from app import backup as backups

    with tempfile.TemporaryDirectory(prefix="hpd-restore-") as staging:
        try:
            checked = backups.check_archive(archive, staging)
            manifest = checked.manifest
            click.echo(f"Backup {checked.archive.name}: {manifest['database']}, taken {manifest['created_at']}, "
                       f"schema revision {manifest['alembic_revision'] or 'unknown'}, "
                       f"audit anchor {manifest['audit_anchor'] or 'none'}.")
            click.echo("Checksum matches the manifest.")
            backups.require_compatible_and_empty(checked)
            target = backups.target_description()
            if not yes:
                click.confirm(f"Restore it into {target}?", abort=True)
            backups.load(checked)
        except backups.BackupError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Restored into {target}.")

    failed = False
    anchors = []
    if manifest["audit_anchor"]:
        anchor = audit_chain.parse_anchor(manifest["audit_anchor"])
        if anchor[0] > 0:
            anchors.append(anchor)
    verdict = audit_chain.verify(anchors)
    click.echo(f"Audit log: {verdict.rows} rows, chain head at position {verdict.head_seq}.")
    for problem in verdict.problems:
        click.echo(f"  NOT INTACT: {problem}", err=True)
    if verdict.intact and verdict.anchor == manifest["audit_anchor"]:
        click.echo(f"Intact, and it ends at the backup's anchor {verdict.anchor}.")
    elif verdict.intact:
        click.echo(f"Intact. Anchor: {verdict.anchor}")
    else:
        click.echo("  (If every row is reported, AUDIT_KEY is not the key of the server that was backed up.)",
                   err=True)
        failed = True
    differences = backups.count_differences(manifest["row_counts"], backups.describe_current().counts)
    for difference in differences:
        click.echo(f"  ROW COUNT DIFFERS: {difference}", err=True)
    if not differences:
        click.echo(f"Row counts match the manifest ({len(manifest['row_counts'])} tables).")
    code = backups.code_revision()
    if manifest["alembic_revision"] and code and manifest["alembic_revision"] != code:
        click.echo(f"The backup's schema revision is {manifest['alembic_revision']} and this code's is {code}: "
                   "run `flask db upgrade` before starting the app.")
    audit_chain.log.info("database restored from %s (backup anchor %s): audit log %s, row counts %s",
                         checked.archive.name, manifest["audit_anchor"], "intact" if verdict.intact else "NOT intact",
                         "match" if not differences else "differ")
    if failed or differences:
        click.get_current_context().exit(1)


@click.command("exchange-export")
@click.option("--recipient", required=True, help="Who the file is for (recorded in the audit log and the file).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the JSON file.")
@with_appcontext
def exchange_export(recipient, out):
    """Write this force's issued learning, anonymised, as a learning exchange file (audited as a disclosure)."""
    from pathlib import Path

    from app.exchange import services

    if not recipient.strip():
        raise click.ClickException("Say who the file is for (--recipient).")
    text = services.export(recipient)
    Path(out).write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out} for {recipient.strip()}.")
