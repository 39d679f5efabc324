from django.urls import path

from plaint.consumer import views

app_name = "consumer"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:uid>/<str:code>/", views.sign_in_link, name="sign_in_link"),
    path("reminders/", views.reminders_setting, name="reminders"),
    path("import/", views.case_import_view, name="import"),
    path("c/<int:pk>/", views.case_page, name="case"),
    path("c/<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("c/<int:pk>/evidence/", views.evidence_upload, name="evidence_add"),
    path("c/<int:pk>/evidence/<int:eid>/", views.evidence_download, name="evidence"),
    path("c/<int:pk>/still-happening/", views.conduct_set, name="conduct"),
    path("c/<int:pk>/facts/", views.facts_save, name="facts"),
    path("c/<int:pk>/calendar.ics", views.calendar_download, name="calendar"),
    path("c/<int:pk>/export.zip", views.export_download, name="export"),
    path("c/<int:pk>/write/<slug:kind>/", views.interview_start, name="interview_start"),
    path("c/<int:pk>/write/<slug:kind>/check/", views.interview_check, name="interview_check"),
    path("c/<int:pk>/write/<slug:kind>/<int:step>/", views.interview_step, name="interview"),
    path("c/<int:pk>/letters/<int:lid>/", views.letter_page, name="letter"),
    path("c/<int:pk>/letters/<int:lid>/sent/", views.letter_sent, name="letter_sent"),
    path("c/<int:pk>/letters/<int:lid>/cover.pdf", views.letter_cover, name="letter_cover"),
    path("c/<int:pk>/letters/<int:lid>/<slug:fmt>/", views.letter_file, name="letter_file"),
]
