from django.contrib.auth import views as auth_views
from django.urls import include, path

from plaint.config import appsettings
from plaint.cspreport.views import csp_report_view
from plaint.desk import twofactor_views
from plaint.desk.signin import SignInView, password_confirm_view
from plaint.desk.sso import sso_callback, sso_start
from plaint.limits.http import rate_limited

#: Sign-in attempts from one client address: PLAINT_LOGIN_RATE_LIMIT per
#: PLAINT_PUBLIC_RATE_WINDOW_MINUTES, then HTTP 429 with Retry-After.
login_view = rate_limited(
    "login", template="desk/too_many.html", limit=lambda: appsettings.APP.login_rate_limit
)(SignInView.as_view())

urlpatterns = [
    path("login/", login_view, name="login"),
    path("login/confirm/", password_confirm_view, name="password_confirm"),
    path("login/two-factor/", twofactor_views.signin_code_view, name="two_factor_signin"),
    path("account/two-factor/", twofactor_views.account_two_factor_view, name="two_factor_account"),
    path("account/two-factor/qr.svg", twofactor_views.qr_view, name="two_factor_qr"),
    path(
        "account/two-factor/recovery-codes/",
        twofactor_views.recovery_codes_view,
        name="two_factor_recovery_codes",
    ),
    # Single sign-on (OpenID Connect), 404 while PLAINT_OIDC_ISSUER is unset.
    path("login/sso/", sso_start, name="sso_start"),
    path("login/sso/callback/", sso_callback, name="sso_callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("complain/", include("plaint.portal.urls")),
    path("admin/access-log/", include("plaint.accesslog.urls")),
    path("admin/", include("plaint.desk.admin_urls")),
    path("reports/", include("plaint.reports.urls")),
    path("terminations/", include("plaint.terminations.urls")),
    path("reputation/", include("plaint.reputation.urls")),
    path("disputes/", include("plaint.disputes.urls")),
    path("records/", include("plaint.records.urls")),
    path("consumer/", include("plaint.consumer.urls")),
    path("mail/", include("plaint.messaging.urls")),
    path("api/", include("plaint.api.urls")),
    path("bulk/", include("plaint.bulk.urls")),
    path("csp-report/", csp_report_view, name="csp_report"),
    path("", include("plaint.desk.urls")),
]
