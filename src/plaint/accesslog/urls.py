from django.urls import path

from plaint.accesslog import views

app_name = "accesslog"
urlpatterns = [path("", views.access_log_view, name="list")]
