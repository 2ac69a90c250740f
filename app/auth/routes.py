from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit
from app.auth import bp, services, sessions
from app.auth.forms import ChangePasswordForm, LoginForm
from app.auth.safe_next import safe_next
from app.auth.two_factor_routes import after_sign_in, start_second_step
from app.permissions import policy
from app.forms import BaseForm

GENERIC_FAILURE = "Sign-in failed. Check your username and password and try again, or wait a few minutes."


@bp.route("/login", methods=["GET", "POST"])
@policy(public=True)
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    if not current_app.config["PASSWORD_SIGNIN"]:
        # Single sign-on only: the force's proxy signs people in; there is no password to type here.
        return render_template("auth/login_sso_only.html", ended=g.get("session_ended")), \
            (403 if request.method == "POST" else 200)
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    status = 200
    if form.validate_on_submit():
        user = services.check_password(form.username.data, form.password.data, request.remote_addr)
        if user is not None:
            if user.totp_enabled_at is not None:
                return start_second_step(user, form.next.data)
            services.finish_sign_in(user, "password")
            return after_sign_in(user, form.next.data)
        form.password.data = ""
        form.form_errors.append(GENERIC_FAILURE)
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form, ended=g.get("session_ended"),
                           sso=bool(current_app.config["SSO_HEADER"])), status


@bp.route("/logout", methods=["POST"])
@policy(during_password_change=True)
def logout():
    services.logout(current_user._get_current_object())
    flash("You have signed out.", "info")
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account")
@policy()
def account():
    user = current_user._get_current_object()
    audit.log_consultation("user_account", user.id, action="account.view")
    return render_template("auth/account.html", user=user, live=sessions.live_sessions(user),
                           this_session=sessions.current_session(), form=BaseForm())


@bp.route("/account/password", methods=["GET", "POST"])
@policy(during_password_change=True)
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.policy_username, form.policy_full_name = user.username, user.full_name
    status = 200
    if form.validate_on_submit():
        outcome = services.change_password(user, form.current_password.data, form.new_password.data,
                                           form.sign_out_others.data, request.remote_addr)
        if outcome == "changed":
            flash("Your password has been changed.", "success")
            return redirect(url_for("auth.account"))
        if outcome == "locked":
            form.current_password.errors = [
                "Too many wrong current passwords. Wait "
                f"{current_app.config['LOGIN_LOCK_MINUTES']} minutes and try again, or ask an administrator."]
            status = 429
        else:
            form.current_password.errors = ["Your current password is not right."]
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/change_password.html", form=form, forced=user.must_change_password), status


@bp.route("/account/sessions/revoke-others", methods=["POST"])
@policy()
def revoke_other_sessions():
    count = services.sign_out_other_sessions(current_user._get_current_object())
    flash(f"Signed out {count} other session{'s' if count != 1 else ''}.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/session/status")
@policy(during_password_change=True)
def session_status():
    """How long this session has left, for the warning before it ends (does not extend it)."""
    return jsonify(remaining=sessions.seconds_left())


@bp.route("/session/keepalive", methods=["POST"])
@policy(during_password_change=True)
def session_keepalive():
    """"Stay signed in" from the warning."""
    return jsonify(remaining=sessions.keep_alive())
