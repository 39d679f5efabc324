from django.urls import path

from plaint.bulk import views

app_name = "bulk"
urlpatterns = [
    path("", views.bulk_start_view, name="start"),
    path("<int:pk>/", views.bulk_job_view, name="job"),
    path("<int:pk>/progress/", views.bulk_progress_view, name="progress"),
]
