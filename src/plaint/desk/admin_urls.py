"""The desk's admin pages, mounted at /admin/ (Django's own admin is not used: it is not
scoped to one organisation)."""

from django.urls import path

from plaint.desk import admin_views, twofactor_views

app_name = "desk_admin"
urlpatterns = [
    path("team/", admin_views.team_view, name="team"),
    path("team/new/", admin_views.member_new_view, name="member_new"),
    path("team/<int:user_id>/", admin_views.member_view, name="member"),
    path("team/<int:user_id>/password/", admin_views.member_password_view, name="member_password"),
    path("team/two-factor/", twofactor_views.policy_view, name="two_factor_policy"),
    path(
        "team/<int:user_id>/two-factor/reset/",
        twofactor_views.member_reset_view,
        name="member_two_factor_reset",
    ),
    path("sign-ins/", admin_views.signins_view, name="signins"),
    path("sign-ins/unlock/", admin_views.signin_unlock_view, name="signin_unlock"),
    path("templates/", admin_views.templates_view, name="templates"),
]
