from django.urls import path

from plaint.messaging import views, webhook

app_name = "messaging"
urlpatterns = [
    path("outbox/", views.outbox_view, name="outbox"),
    path("outbox/<int:pk>/resolve/", views.delivery_resolve_view, name="delivery_resolve"),
    path("inbound/<slug:slug>/mailgun/", webhook.mailgun_inbound, name="inbound_mailgun"),
    path("inbound/<slug:slug>/postmark/", webhook.postmark_inbound, name="inbound_postmark"),
    path("replies/", views.replies_view, name="replies"),
    path("messages/<int:pk>/", views.message_view, name="message"),
    path("cases/<str:reference>/send/", views.message_send_view, name="send"),
    path("cases/<str:reference>/read/", views.replies_read_view, name="read"),
]
