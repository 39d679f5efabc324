from django.urls import path

from plaint.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.case_list_view, name="case_list"),
    path("cases/<str:reference>/", views.case_detail_view, name="case_detail"),
]
