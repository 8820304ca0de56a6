from django.urls import path

from . import views

app_name = "two_factor"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("set-up/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("remove/", views.remove, name="remove"),
]
