"""Pages for what officers log (visits, concerns, sanctions, action plans, escalation) and the annual
statistics, under /oversight/."""

from django.urls import path

from . import views

app_name = "oversight"

urlpatterns: list = [
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_add, name="visit_add"),
    path("concerns/", views.concern_list, name="concerns"),
    path("concerns/new/", views.concern_add, name="concern_add"),
    path("concerns/<int:pk>/close/", views.concern_close, name="concern_close"),
    path("sanctions/", views.sanction_list, name="sanctions"),
    path("sanctions/new/", views.sanction_add, name="sanction_add"),
    path("sanctions/<int:pk>/lift/", views.sanction_lift, name="sanction_lift"),
    path("action-plans/", views.action_plan_list, name="action_plans"),
    path("action-plans/new/", views.action_plan_add, name="action_plan_add"),
    path("action-plans/<int:pk>/", views.action_plan_detail, name="action_plan"),
    path("action-plans/<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("action-plans/actions/<int:pk>/done/", views.action_complete, name="action_complete"),
    path("action-plans/<int:pk>/escalation/new/", views.escalation_step_add, name="escalation_step_add"),
    path("escalation/", views.escalation, name="escalation"),
    path("statistics/", views.statistics, name="statistics"),
]
