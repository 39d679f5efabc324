from django.urls import path

from plaint.disputes import views

app_name = "disputes"
urlpatterns = [
    path("", views.disputes_due_view, name="due"),
    path(
        "cases/<str:reference>/referral-pack.pdf",
        views.referral_pack_view,
        name="referral_pack",
    ),
    path(
        "cases/<str:reference>/<slug:action>/",
        views.dispute_action_view,
        name="action",
    ),
]
