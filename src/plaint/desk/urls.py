from django.urls import path

from plaint.desk import letter_views, views

app_name = "desk"
urlpatterns = [
    path("", views.case_list_view, name="case_list"),
    path("views/", views.saved_view_save_view, name="saved_view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete_view, name="saved_view_delete"),
    path("cases/<str:reference>/", views.case_detail_view, name="case_detail"),
    path("cases/<str:reference>/version/", views.case_version_view, name="case_version"),
    path(
        "cases/<str:reference>/actions/<slug:action>/",
        views.case_action_view,
        name="case_action",
    ),
    path(
        "cases/<str:reference>/evidence/<int:pk>/",
        views.evidence_download_view,
        name="evidence_download",
    ),
    path(
        "cases/<str:reference>/letters/",
        letter_views.letter_generate_view,
        name="letter_generate",
    ),
    path(
        "cases/<str:reference>/letters/<int:seq>/preview/",
        letter_views.letter_preview_view,
        name="letter_preview",
    ),
    path(
        "cases/<str:reference>/letters/<int:seq>/sent/",
        letter_views.letter_sent_view,
        name="letter_sent",
    ),
    path(
        "cases/<str:reference>/letters/<int:seq>/withdraw/",
        letter_views.letter_withdraw_view,
        name="letter_withdraw",
    ),
    path(
        "cases/<str:reference>/letters/<int:seq>.<slug:fmt>",
        letter_views.letter_file_view,
        name="letter_file",
    ),
]
