from django.urls import path

from plaint.portal import disputes_views, views

app_name = "portal"
urlpatterns = [
    path("<slug:org>/", views.complaint_form_view, name="complaint_form"),
    path("<slug:org>/received/", views.received_view, name="received"),
    path("<slug:org>/new-link/", views.link_request_view, name="link_request"),
    path("<slug:org>/case/<str:token>/", views.case_view, name="case"),
    path("<slug:org>/case/<str:token>/reply/", views.reply_view, name="reply"),
    # The address the reply form had before the conversation (then "add information").
    path("<slug:org>/case/<str:token>/information/", views.reply_view, name="information"),
    path("<slug:org>/case/<str:token>/evidence/", views.evidence_view, name="evidence"),
    path(
        "<slug:org>/case/<str:token>/evidence/<int:pk>/",
        views.evidence_download_view,
        name="evidence_download",
    ),
    path(
        "<slug:org>/case/<str:token>/offers/<int:pk>/answer/",
        views.offer_answer_view,
        name="offer_answer",
    ),
    path("<slug:org>/case/<str:token>/escalate/", views.escalate_view, name="escalate"),
    path(
        "<slug:org>/case/<str:token>/letters/<int:seq>.pdf",
        views.letter_download_view,
        name="letter_pdf",
    ),
    # The customer's side of a dispute (issue 12): their cease-and-desist and its outcome.
    path(
        "<slug:org>/case/<str:token>/disputes/sent/",
        disputes_views.sent_view,
        name="dispute_sent",
    ),
    path(
        "<slug:org>/case/<str:token>/disputes/sent/<int:pk>/outcome/",
        disputes_views.outcome_view,
        name="dispute_outcome",
    ),
]
