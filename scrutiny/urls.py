from django.urls import path

from . import views

app_name = "scrutiny"

urlpatterns = [
    path("", views.committee_list, name="committees"),
    path("committees/new/", views.committee_create, name="committee_create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee"),
    path("committees/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
    path("committees/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/packs/new/", views.pack_create, name="pack_create"),
    path("meetings/<int:pk>/conclusions/add/", views.conclusion_add, name="conclusion_add"),
    path("packs/<int:pk>/", views.pack_detail, name="pack"),
    path("packs/<int:pk>/edit/", views.pack_edit, name="pack_edit"),
    path("packs/<int:pk>/render/", views.pack_render, name="pack_render"),
    path("packs/<int:pk>/status/", views.pack_status, name="pack_status"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack_download"),
    path("packs/<int:pk>/publish/", views.pack_publish, name="pack_publish"),
    path("packs/<int:pk>/revise/", views.pack_revise, name="pack_revise"),
    path("packs/<int:pk>/appendices/<int:appendix_pk>/exempt/", views.appendix_exempt, name="appendix_exempt"),
    path("packs/<int:pk>/appendices/<int:appendix_pk>/open/", views.appendix_open, name="appendix_open"),
    path("exempt/<int:pk>/download/", views.exempt_download, name="exempt_download"),
    path("packs/<int:pk>/revisions/<int:number>/download/", views.revision_download, name="revision_download"),
    path("archive/", views.archive, name="archive"),
    path("reports/<int:report_pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reports/<int:report_pk>/pdf/status/", views.report_pdf_status, name="report_pdf_status"),
    path("reports/<int:report_pk>/pdf/download/", views.report_pdf_download, name="report_pdf_download"),
]
