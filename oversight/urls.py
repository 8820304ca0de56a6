"""Pages for what officers log (visits, concerns, sanctions, action plans, escalation) and the annual
statistics, under /oversight/."""

from django.urls import path

from . import alert_views, notice_views, performance_views, views

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


urlpatterns += [
    path("alerts/", alert_views.my_alerts, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", alert_views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/rules/new/", alert_views.alert_rule_add, name="alert_rule_add"),
    path("alerts/rules/<int:pk>/delete/", alert_views.alert_rule_delete, name="alert_rule_delete"),
    path("contracts/<int:pk>/alerts/", alert_views.contract_alerts, name="contract_alerts"),
]


urlpatterns += [
    path("contracts/<int:pk>/performance/", performance_views.contract_performance, name="contract_performance"),
    path("contracts/<int:pk>/kpis/new/", performance_views.kpi_add, name="kpi_add"),
    path("contracts/<int:pk>/kpis/freeze/", performance_views.kpis_freeze, name="kpis_freeze"),
    path("contracts/<int:pk>/assessments/new/", performance_views.assessment_start, name="assessment_start"),
    path("kpis/missing/", performance_views.kpis_missing, name="kpis_missing"),
    path("kpis/<int:pk>/edit/", performance_views.kpi_edit, name="kpi_edit"),
    path("kpis/<int:pk>/results/new/", performance_views.kpi_result_add, name="kpi_result_add"),
    path("kpis/results/<int:pk>/", performance_views.kpi_result, name="kpi_result"),
    path("kpis/results/<int:pk>/rating/", performance_views.kpi_result_rating, name="kpi_result_rating"),
    path("kpis/results/<int:pk>/evidence/", performance_views.kpi_result_evidence, name="kpi_result_evidence"),
    path("kpis/results/import/", performance_views.kpi_results_import, name="kpi_results_import"),
    path("kpis/results/import/template/", performance_views.kpi_results_template, name="kpi_results_import_template"),
    path("assessments/overdue/", performance_views.assessments_overdue, name="assessments_overdue"),
    path("assessments/<int:pk>/", performance_views.assessment, name="assessment"),
    path("assessments/<int:pk>/complete/", performance_views.assessment_complete, name="assessment_complete"),
]


urlpatterns += [
    path("notices/", notice_views.notice_list, name="performance_notices"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="performance_notice"),
    path("notices/<int:pk>/approve/", notice_views.notice_approve, name="performance_notice_approve"),
    path("notices/<int:pk>/publish/", notice_views.notice_publish, name="performance_notice_publish"),
    path("notices/<int:pk>/cdp-id/", notice_views.notice_cdp_id, name="performance_notice_cdp_id"),
    path("assessments/<int:pk>/notice/new/", notice_views.notice_create, name="performance_notice_create"),
    path("breaches/", notice_views.breach_list, name="breaches"),
    path("breaches/new/", notice_views.breach_add, name="breach_add"),
    path("breaches/<int:pk>/consequence/", notice_views.breach_consequence, name="breach_consequence"),
    path("breaches/<int:pk>/notice/new/", notice_views.breach_notice_create, name="breach_notice_create"),
]
