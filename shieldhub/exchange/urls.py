from django.urls import path

from shieldhub.exchange import views, views_attachments, views_forwarding, views_moderation, views_notifications

app_name = "exchange"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("unread-count/", views.unread_count, name="unread-count"),
    path("sent/", views.sent, name="sent"),
    path("compose/", views.compose, name="compose"),
    path("compose/preview/", views.recipients_preview, name="recipients-preview"),
    path("messages/<int:pk>/", views.message_detail, name="message-detail"),
    path("messages/<int:pk>/reply/", views.message_reply, name="message-reply"),
    path("messages/<int:pk>/acknowledge/", views.message_acknowledge, name="message-acknowledge"),
    path("messages/<int:pk>/decline/", views.message_decline, name="message-decline"),
    path("response-rates/", views.response_rates, name="response-rates"),
    path("response-rates/overdue/", views.rfi_overdue, name="rfi-overdue"),
    path("messages/<int:pk>/correct/", views.message_correct, name="message-correct"),
    path("messages/<int:pk>/withdraw/", views.message_withdraw, name="message-withdraw"),
]

# Each feature of the exchange keeps its pages (and their routes) in its own views module.
for _feature in (views_attachments, views_forwarding, views_moderation, views_notifications):
    urlpatterns += _feature.urlpatterns
