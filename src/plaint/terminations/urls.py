from django.urls import path

from plaint.terminations import views

app_name = "terminations"
urlpatterns = [
    path("", views.termination_list_view, name="list"),
    path("new/", views.termination_new_view, name="new"),
    path("appeal/", views.appeal_view, name="appeal"),
    path("<int:pk>/", views.termination_detail_view, name="detail"),
]
