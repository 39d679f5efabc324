from django.contrib.auth import views as auth_views
from django.urls import include, path

from plaint.desk.signin import SignInView, password_confirm_view

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("login/confirm/", password_confirm_view, name="password_confirm"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("complain/", include("plaint.portal.urls")),
    path("admin/", include("plaint.desk.admin_urls")),
    path("reports/", include("plaint.reports.urls")),
    path("terminations/", include("plaint.terminations.urls")),
    path("reputation/", include("plaint.reputation.urls")),
    path("disputes/", include("plaint.disputes.urls")),
    path("records/", include("plaint.records.urls")),
    path("consumer/", include("plaint.consumer.urls")),
    path("mail/", include("plaint.messaging.urls")),
    path("api/", include("plaint.api.urls")),
    path("", include("plaint.desk.urls")),
]
