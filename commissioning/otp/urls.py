from django.urls import path

from . import views

app_name = "two_factor"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("set-up/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
    path("remove/", views.remove, name="remove"),
]
