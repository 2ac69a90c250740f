from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from app.forms import BaseForm

from app import audit
from app.admin import bp, services
from app.admin.forms import EditUserForm, NewUserForm, ResetPasswordForm, UserFilterForm
from app.extensions import db
from app.forms import submitted_version
from app.htmx import render
from app.models import Role, User
from app.permissions import get_or_404, policy, scoped

PAGE_SIZE = 50


def _apply_error(form, err: services.AccountError) -> None:
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = list(field.errors) + [err.message]
    else:
        form.form_errors.append(err.message)


@bp.route("/users")
@policy(Role.ADMIN)
def users():
    audit.log_consultation("user_account", None, action="user.list")
    form = UserFilterForm(request.args)
    form.validate()
    page = max(form.page.data or 1, 1)
    stmt = scoped(services.list_users_stmt(form.q.data, form.role.data, form.status.data), User)
    result = db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)
    return render("admin/users.html", "admin/_user_table.html", form=form, result=result)


@bp.route("/users/new", methods=["GET", "POST"])
@policy(Role.ADMIN)
def new_user():
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(
                username=form.username.data, full_name=form.full_name.data, email=form.email.data,
                roles=form.roles.data, agency_id=form.agency_id.data, password=form.new_password.data,
                actor=current_user._get_current_object())
        except services.AccountError as err:
            db.session.rollback()
            _apply_error(form, err)
        else:
            flash(f"Account {user.username} created. They must choose a new password when they first sign in.",
                  "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    if request.method == "POST":
        status = 422
    return render_template("admin/user_new.html", form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@policy(Role.ADMIN)
def user_detail(user_id: int):
    user = get_or_404(User, user_id)
    actor = current_user._get_current_object()
    if request.method == "GET":
        form = EditUserForm(obj=user, roles=[r.value for r in user.roles], agency_id=user.agency_id or 0,
                            version=user.version)
        audit.log_consultation("user_account", user.id, action="user.view")
        return _detail_page(user, form)

    form = EditUserForm()
    if not form.validate_on_submit():
        return _detail_page(user, form, 422)
    version = submitted_version(form)
    try:
        changed = services.update_user(user, version=version, full_name=form.full_name.data, email=form.email.data,
                                       roles=form.roles.data, agency_id=form.agency_id.data, actor=actor)
    except services.StaleEdit:
        db.session.rollback()
        user = get_or_404(User, user_id)
        form.version.data = user.version  # saving again now overwrites knowingly
        return _detail_page(user, form, 409, conflict=True)
    except services.AccountError as err:
        db.session.rollback()
        _apply_error(form, err)
        return _detail_page(get_or_404(User, user_id), form, 422)
    flash("Saved." if changed else "No changes to save.", "success" if changed else "info")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _detail_page(user: User, form, status: int = 200, conflict: bool = False):
    return render_template("admin/user_detail.html", user=user, form=form, conflict=conflict,
                           action_form=BaseForm()), status


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@policy(Role.ADMIN)
def disable_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@policy(Role.ADMIN)
def enable_user(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = get_or_404(User, user_id)
    try:
        services.set_active(user, active, current_user._get_current_object())
    except services.AccountError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(f"{user.username} is now {'active' if active else 'disabled; their sessions have ended'}.",
              "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@policy(Role.ADMIN)
def reset_password(user_id: int):
    audit.log_consultation("user_account", user_id, action="user.password_view")
    user = get_or_404(User, user_id)
    form = ResetPasswordForm()
    form.policy_username, form.policy_full_name = user.username, user.full_name
    status = 200
    if form.validate_on_submit():
        services.reset_password(user, form.new_password.data, current_user._get_current_object())
        flash(f"Temporary password set for {user.username}. They must change it when they next sign in.",
              "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    if request.method == "POST":
        status = 422
    return render_template("admin/reset_password.html", user=user, form=form), status


@bp.route("/users/<int:user_id>/sessions/revoke", methods=["POST"])
@policy(Role.ADMIN)
def revoke_sessions(user_id: int):
    user = get_or_404(User, user_id)
    count = services.end_sessions(user, current_user._get_current_object())
    flash(f"Ended {count} session{'s' if count != 1 else ''} of {user.username}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@policy(Role.ADMIN)
def reset_two_factor(user_id: int):
    user = get_or_404(User, user_id)
    services.reset_two_factor(user, current_user._get_current_object())
    flash(f"Two-factor sign-in reset for {user.username}; their sessions have ended.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/process", methods=["GET", "POST"])
@policy(Role.ADMIN)
def process():
    """Gates on or off and timeliness targets, while the force pilots and tunes the process."""
    from app import process_settings

    definitions = process_settings.definitions()
    values = process_settings.current()
    errors: dict[str, str] = {}
    form = BaseForm()
    if request.method == "POST" and form.validate_on_submit():
        new_values = {}
        for d in definitions:
            if d.kind == "bool":
                new_values[d.key] = "1" in request.form.getlist(d.key)
                continue
            if d.key not in request.form:  # not on the page that was sent (opened before it was added): kept
                new_values[d.key] = values[d.key]
                continue
            raw = (request.form.get(d.key) or "").strip()
            try:
                number = int(raw)
            except ValueError:
                errors[d.key] = "Enter a whole number."
                continue
            if not d.minimum <= number <= d.maximum:
                errors[d.key] = f"Enter a number from {d.minimum} to {d.maximum}."
                continue
            new_values[d.key] = number
        if not errors:
            changed = process_settings.save(new_values, current_user._get_current_object())
            flash("Settings saved." if changed else "No changes to save.", "success" if changed else "info")
            return redirect(url_for("admin.process"))
        values = {**values, **{k: request.form.get(k, "") for k in errors}}
    status = 422 if errors else 200
    return render_template("admin/process.html", definitions=definitions, values=values, errors=errors,
                           form=form), status


def _lists():
    from app.models import Agency, RetentionCategory, Team, Theme

    return {
        "retention": (RetentionCategory, "Retention schedule", "retention category",
                      "The categories debriefs are kept under and how often each is reviewed. A new debrief "
                      "takes its kind's starting category; reviewers change it on the debrief's retention page."),
        "teams": (Team, "Action owner teams", "team",
                  "Teams and agencies that own actions without a login. Their reminders go to the contact address."),
        "agencies": (Agency, "Agencies", "agency",
                     "The agencies partner staff belong to and chronology entries come from."),
        "themes": (Theme, "Themes", "theme",
                   "The themes learning points are filed under, which the board follows over time."),
    }


@bp.route("/agencies", methods=["GET", "POST"], defaults={"kind": "agencies"}, endpoint="agencies")
@bp.route("/themes", methods=["GET", "POST"], defaults={"kind": "themes"}, endpoint="themes")
@bp.route("/teams", methods=["GET", "POST"], defaults={"kind": "teams"}, endpoint="teams")
@bp.route("/retention-schedule", methods=["GET", "POST"], defaults={"kind": "retention"},
          endpoint="retention_categories")
@policy(Role.ADMIN)
def reference_list(kind: str):
    """A reference list: add, rename, or switch off an item (it stays on past records)."""
    from sqlalchemy import select

    from app.admin.forms import ListItemForm

    model, title, noun, lead = _lists()[kind]
    form = ListItemForm()
    form.name.label.text = f"{noun.capitalize()} name"
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                item = services.add_list_item(model, form.name.data, current_user._get_current_object(),
                                              email=form.email.data if kind == "teams" else None,
                                              review_years=form.review_years.data if kind == "retention" else None)
            except services.AccountError as err:
                db.session.rollback()
                getattr(form, err.field or "name", form.name).errors = [err.message]
            else:
                flash(f"Added {item.name}.", "success")
                return redirect(url_for(_endpoint(kind)))
    rows = db.session.scalars(select(model).order_by(model.active.desc(), model.name)).all()
    return render_template("admin/reference_list.html", form=form, items=rows, action_form=BaseForm(), kind=kind,
                           title=title, noun=noun, lead=lead, list_endpoint=_endpoint(kind)), status


@bp.route("/agencies/<int:item_id>", methods=["POST"], defaults={"kind": "agencies"}, endpoint="update_agency")
@bp.route("/themes/<int:item_id>", methods=["POST"], defaults={"kind": "themes"}, endpoint="update_theme")
@bp.route("/teams/<int:item_id>", methods=["POST"], defaults={"kind": "teams"}, endpoint="update_team")
@bp.route("/retention-schedule/<int:item_id>", methods=["POST"], defaults={"kind": "retention"},
          endpoint="update_retention_category")
@policy(Role.ADMIN)
def update_list_item(kind: str, item_id: int):
    model = _lists()[kind][0]
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    from app.admin.forms import ListItemForm

    form = ListItemForm()
    if not form.validate_on_submit():
        problems = [e for f in (form.name, form.email, form.review_years) for e in f.errors] or [
            "The form has expired; try again."]
        flash(f"{item.name} not saved: " + " ".join(problems), "error")
        return redirect(url_for(_endpoint(kind))), 303
    try:
        changed = services.update_list_item(item, name=form.name.data, active=request.form.get("active") == "1",
                                            actor=current_user._get_current_object(),
                                            email=form.email.data if kind == "teams" else None,
                                            is_police=request.form.get("is_police") == "1" if kind == "agencies" else None,
                                            review_years=form.review_years.data if kind == "retention" else None)
    except services.AccountError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(f"Saved {item.name}." if changed else "No changes to save.", "success" if changed else "info")
    return redirect(url_for(_endpoint(kind)))


def _endpoint(kind: str) -> str:
    return "admin.retention_categories" if kind == "retention" else f"admin.{kind}"
