from django.urls import path

from plaint.records import views

app_name = "records"
urlpatterns = [
    path("cases/<str:reference>/correct/", views.case_correct_view, name="case_correct"),
    path("retention/", views.retention_view, name="retention"),
    path(
        "cases/<str:reference>/subject-access/",
        views.subject_access_log_view,
        name="subject_access_log",
    ),
    path(
        "subject-access/<int:pk>/answer/",
        views.subject_access_answer_view,
        name="subject_access_answer",
    ),
    path("customer-pack/", views.customer_pack_view, name="customer_pack"),
    path("cases/<str:reference>/hold/", views.case_hold_view, name="case_hold"),
    path("cases/<str:reference>/erase/", views.case_erase_view, name="case_erase"),
    path("cases/<str:reference>/export/", views.case_export_view, name="case_export"),
]
