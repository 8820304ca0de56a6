from django.urls import path

from . import views

app_name = "performance"

urlpatterns: list = [
    path("late/", views.late_results, name="late_results"),
    path("import/", views.results_import, name="results_import"),
    path("strategies/<int:strategy_pk>/", views.strategy, name="strategy"),
    path("strategies/<int:strategy_pk>/measures/add/", views.measure_add, name="measure_add"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path(
        "strategies/<int:strategy_pk>/results/<int:year>-Q<int:quarter>/",
        views.results_grid,
        name="results_grid",
    ),
]
