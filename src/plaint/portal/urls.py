from django.urls import path

from plaint.portal import views

app_name = "portal"
urlpatterns = [
    path("<slug:org>/", views.complaint_form_view, name="complaint_form"),
]
