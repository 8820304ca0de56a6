from django.urls import path

from . import views

app_name = "strategies"

urlpatterns = [
    path("", views.strategy_list, name="list"),
    path("new/", views.strategy_form, name="create"),
    path("<int:pk>/", views.strategy_detail, name="detail"),
    path("<int:pk>/edit/", views.strategy_form, name="edit"),
    path("<int:pk>/reports/start-next/", views.start_next_report, name="start_next_report"),
    path("<int:strategy_pk>/outcomes/add/", views.strategy_part_form, {"part": "outcome"}, name="outcome_add"),
    path(
        "<int:strategy_pk>/outcomes/<int:pk>/edit/", views.strategy_part_form, {"part": "outcome"}, name="outcome_edit"
    ),
    path("<int:strategy_pk>/intentions/add/", views.strategy_part_form, {"part": "intention"}, name="intention_add"),
    path(
        "<int:strategy_pk>/intentions/<int:pk>/edit/",
        views.strategy_part_form,
        {"part": "intention"},
        name="intention_edit",
    ),
    path("<int:strategy_pk>/risks/add/", views.strategy_part_form, {"part": "risk"}, name="risk_add"),
    path("<int:strategy_pk>/risks/<int:pk>/edit/", views.strategy_part_form, {"part": "risk"}, name="risk_edit"),
    # Commissioning plans: intentions by strategic theme, themes and their "I" statements.
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/plan/print/", views.plan_print, name="plan_print"),
    path("<int:strategy_pk>/themes/add/", views.strategy_part_form, {"part": "theme"}, name="theme_add"),
    path("<int:strategy_pk>/themes/<int:pk>/edit/", views.strategy_part_form, {"part": "theme"}, name="theme_edit"),
    path("themes/<int:theme_pk>/statements/add/", views.statement_form, name="statement_add"),
    path("themes/<int:theme_pk>/statements/<int:pk>/edit/", views.statement_form, name="statement_edit"),
    # The council's commissioning cycle (an administrator's).
    path("cycle-stages/", views.cycle_stage_list, name="cycle_stages"),
    path("cycle-stages/add/", views.cycle_stage_form, name="cycle_stage_add"),
    path("cycle-stages/<int:pk>/edit/", views.cycle_stage_form, name="cycle_stage_edit"),
    # Savings.
    path("savings/", views.saving_list, name="savings"),
    path("savings/export.csv", views.savings_csv, name="savings_csv"),
    path("savings/new/", views.saving_form, name="saving_add"),
    path("savings/<int:pk>/", views.saving_detail, name="saving"),
    path("savings/<int:pk>/edit/", views.saving_form, name="saving_edit"),
    path("reports/this-quarter/", views.reports_this_quarter, name="reports_this_quarter"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/print/", views.report_print, name="report_print"),
    path("reports/<int:pk>/history/", views.report_history, name="report_history"),
    path("reports/<int:pk>/submit/", views.report_move, {"move": "submit"}, name="report_submit"),
    path("reports/<int:pk>/board-review/", views.report_move, {"move": "board-review"}, name="report_board_review"),
    path(
        "reports/<int:pk>/scrutiny/",
        views.report_move,
        {"move": "scrutiny"},
        name="report_scrutiny_considered",
    ),
    path("reports/<int:pk>/approve/", views.report_move, {"move": "approve"}, name="report_approve"),
    path("reports/<int:pk>/return/", views.report_move, {"move": "return"}, name="report_return"),
]
