from django.urls import path

from plaint.reputation import views

app_name = "reputation"
urlpatterns = [
    path("", views.reputation_view, name="reputation"),
    path("reviews/<int:pk>/reply/", views.reply_view, name="reply"),
]
