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
    path("concerns/<int:pk>/sensitive/", views.concern_sensitive, name="concern_sensitive"),
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


from . import returns_views  # noqa: E402

urlpatterns += [
    path("returns/", returns_views.return_list, name="returns"),
    path("returns/report/", returns_views.returns_report, name="returns_report"),
    path("returns/<int:pk>/", returns_views.return_form, name="return"),
    path("contracts/<int:pk>/grading/", returns_views.contract_grading, name="contract_grading"),
]
from . import escalation_views, governance_views  # noqa: E402

urlpatterns += [
    path("escalation/new/", escalation_views.escalation_new, name="escalation_new"),
    path("escalation/<int:pk>/", escalation_views.escalation_detail, name="escalation_detail"),
    path("escalation/<int:pk>/move/", escalation_views.escalation_move, name="escalation_move"),
    path("escalation/<int:pk>/decisions/new/", escalation_views.escalation_decision, name="escalation_decision"),
    path("escalation/<int:pk>/actions/new/", escalation_views.escalation_action_add, name="escalation_action_add"),
    path("escalation/<int:pk>/close/", escalation_views.escalation_close, name="escalation_close"),
    path("escalation/actions/<int:pk>/done/", escalation_views.escalation_action_done, name="escalation_action_done"),
    path("escalation/settings/", escalation_views.escalation_config, name="escalation_config"),
    path("escalation/settings/stages/new/", escalation_views.escalation_stage_add, name="escalation_stage_add"),
    path("escalation/settings/stages/<int:pk>/", escalation_views.escalation_stage_edit, name="escalation_stage_edit"),
    path("escalation/settings/triggers/new/", escalation_views.escalation_trigger_add, name="escalation_trigger_add"),
    path(
        "escalation/settings/triggers/<int:pk>/",
        escalation_views.escalation_trigger_edit,
        name="escalation_trigger_edit",
    ),
    path("governance/", governance_views.meeting_list, name="governance_meetings"),
    path("governance/new/", governance_views.meeting_add, name="governance_meeting_add"),
    path("governance/causing-concern/", governance_views.causing_concern, name="causing_concern"),
    path("governance/<int:pk>/", governance_views.meeting_detail, name="governance_meeting"),
    path("governance/<int:pk>/minutes/", governance_views.meeting_minutes, name="governance_minutes"),
    path("governance/<int:pk>/items/new/", governance_views.item_add, name="governance_item_add"),
    path("governance/<int:pk>/actions/new/", governance_views.action_add, name="governance_action_add"),
    path("governance/<int:pk>/agree/", governance_views.meeting_agree, name="governance_agree"),
    path("governance/items/<int:pk>/", governance_views.item_record, name="governance_item"),
]
from . import market_views, quality_views  # noqa: E402

urlpatterns += [
    path("market/", market_views.market_overview, name="market"),
    path("market/indicators/", market_views.indicator_list, name="market_indicators"),
    path("market/indicators/new/", market_views.indicator_add, name="market_indicator_add"),
    path("failure-cases/", market_views.failure_case_list, name="failure_cases"),
    path("failure-cases/new/", market_views.failure_case_add, name="failure_case_add"),
    path("failure-cases/<int:pk>/", market_views.failure_case_detail, name="failure_case"),
    path("failure-cases/<int:pk>/edit/", market_views.failure_case_edit, name="failure_case_edit"),
    path("failure-cases/<int:pk>/close/", market_views.failure_case_close, name="failure_case_close"),
    path("locations/<int:pk>/status/", market_views.location_status, name="location_status"),
    path("quality-frameworks/", quality_views.framework_list, name="quality_frameworks"),
    path("quality-frameworks/new/", quality_views.framework_add, name="quality_framework_add"),
    path("quality-frameworks/<int:pk>/", quality_views.framework_detail, name="quality_framework"),
    path("quality-frameworks/<int:pk>/tiers/new/", quality_views.tier_add, name="quality_tier_add"),
    path("quality-frameworks/<int:pk>/awards/new/", quality_views.award_add, name="quality_award_add"),
    path("quality-awards/<int:pk>/withdraw/", quality_views.award_withdraw, name="quality_award_withdraw"),
    path("quality-awards/<int:pk>/reinstate/", quality_views.award_reinstate, name="quality_award_reinstate"),
]
from . import safeguarding_views  # noqa: E402

urlpatterns += [
    path("concerns/<int:pk>/", safeguarding_views.concern_detail, name="concern"),
    path("concerns/<int:pk>/enquiry/", safeguarding_views.enquiry_record, name="concern_enquiry"),
    path("concerns/<int:pk>/enquiry/conclude/", safeguarding_views.enquiry_conclude, name="concern_enquiry_conclude"),
    path("safeguarding/duty-rota/", safeguarding_views.duty_rota, name="safeguarding_duty_rota"),
    path("safeguarding/duty-rota/<int:pk>/remove/", safeguarding_views.duty_remove, name="safeguarding_duty_remove"),
    path("safeguarding/reads/", safeguarding_views.reads, name="safeguarding_reads"),
]
