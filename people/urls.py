from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("me/account/", views.account, name="account"),
    path("me/account/export/", views.export, name="export"),
    path("me/account/delete/", views.delete, name="delete"),
    path("me/account/verify-email/", views.resend_verification, name="resend_verification"),
]
