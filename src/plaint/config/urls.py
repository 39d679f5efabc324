from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="desk/login.html"), name="login"),
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
    path("", include("plaint.desk.urls")),
]
