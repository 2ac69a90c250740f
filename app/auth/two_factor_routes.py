"""The second step of signing in, and setting up, renewing and turning off two-factor sign-in."""
from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app import audit
from app.auth import bp, services, sessions, two_factor
from app.auth.forms import CodeForm, EnrolForm, TurnOffForm
from app.auth.passwords import verify_password
from app.auth.safe_next import safe_next
from app.extensions import db
from app.models import User
from app.permissions import policy

PENDING = "2fa_pending"
NEW_SECRET = "2fa_new_secret"
PENDING_SECONDS = 300


def start_second_step(user: User, next_url: str | None):
    """The password was right and the account has two-factor sign-in: ask for the code next."""
    session[PENDING] = {"uid": user.id, "at": int(time.time()), "next": next_url or ""}
    return redirect(url_for("auth.login_code"))


def after_sign_in(user: User, next_url: str | None):
    target = sessions.unfinished_sign_in(user)
    if target:
        if user.must_change_password:
            flash("Choose a new password before you go on.", "info")
        else:
            flash("Your role needs two-factor sign-in: set it up before you go on.", "info")
        return redirect(target)
    return redirect(safe_next(next_url) or url_for("main.home"))


def _pending_user() -> tuple[User | None, str]:
    pending = session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None, ""
    return db.session.get(User, pending["uid"]), pending.get("next", "")


@bp.route("/login/code", methods=["GET", "POST"])
@policy(public=True)
def login_code():
    user, next_url = _pending_user()
    if user is None:
        flash("Sign in again: the code was not entered within five minutes.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        outcome = services.check_second_factor(user, form.code.data, request.remote_addr)
        if outcome == "ok":
            if sessions.method() == "password+recovery":
                left = two_factor.recovery_codes_left(user)
                flash(f"You signed in with a recovery code; {left} left. Make new ones from Your account if "
                      "you are running low.", "info")
            return after_sign_in(user, next_url)
        if outcome == "locked":
            session.pop(PENDING, None)
            flash("Too many wrong codes. Wait a few minutes and sign in again.", "error")
            return redirect(url_for("auth.login")), 303
        form.code.errors = ["That code is not right, or has been used already. Codes change every 30 seconds."]
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login_code.html", form=form), status


def _enrol_page(user: User, form: EnrolForm, status: int = 200):
    secret = session.get(NEW_SECRET)
    if not secret:
        secret = session[NEW_SECRET] = two_factor.new_secret()
    return render_template("auth/two_factor_setup.html", form=form, qr=two_factor.qr_svg(user, secret),
                           key=two_factor.grouped(secret), required=two_factor.required_for(user),
                           issuer=two_factor.issuer()), status


def _settings_page(user: User, code_form=None, off_form=None, status: int = 200):
    """Two-factor sign-in once it is on: recovery codes left, new codes, turning it off."""
    return render_template("auth/two_factor.html", user=user, left=two_factor.recovery_codes_left(user),
                           required=two_factor.required_for(user),
                           code_form=code_form or EnrolForm(prefix="renew"),
                           off_form=off_form or TurnOffForm(prefix="off")), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@policy(during_password_change=True)
def two_factor_setup():
    user = current_user._get_current_object()
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    if user.totp_enabled_at is not None:
        return _settings_page(user)
    form = EnrolForm()
    if form.validate_on_submit():
        codes = two_factor.enable(user, session.get(NEW_SECRET, ""), form.code.data)
        if codes is not None:
            session.pop(NEW_SECRET, None)
            return render_template("auth/recovery_codes.html", codes=codes, first=True)
        form.code.errors = ["That code is not right. Check the app shows this system's entry and try the "
                            "newest code; codes change every 30 seconds."]
        return _enrol_page(user, form, 422)
    if request.method == "POST":
        return _enrol_page(user, form, 422)
    return _enrol_page(user, form)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@policy()
def two_factor_new_codes():
    user = current_user._get_current_object()
    form = EnrolForm(prefix="renew")
    if form.validate_on_submit() and user.totp_enabled_at and two_factor.check(user, form.code.data) == "totp":
        codes = two_factor.regenerate_recovery_codes(user)
        return render_template("auth/recovery_codes.html", codes=codes, first=False)
    db.session.rollback()
    form.code.errors = form.code.errors or ["That code is not right, or has been used already."]
    return _settings_page(user, code_form=form, status=422)


@bp.route("/account/two-factor/off", methods=["POST"])
@policy()
def two_factor_off():
    user = current_user._get_current_object()
    form = TurnOffForm(prefix="off")
    if two_factor.required_for(user):
        form.password.errors = ["Your role needs two-factor sign-in, so it cannot be turned off."]
    elif form.validate_on_submit():
        if verify_password(user.password_hash, form.password.data):
            two_factor.disable(user, user)
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("auth.account"))
        audit.security("two_factor.disable_refused", user=user, object_type="user_account", object_id=user.id)
        db.session.commit()
        form.password.errors = ["Your password is not right."]
    return _settings_page(user, off_form=form, status=422)
