from django.urls import path

from plaint.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.reports_view, name="reports"),
    path("cases/", views.report_cases_view, name="cases"),
    path("settings/", views.report_settings_view, name="settings"),
    path("actions/", views.report_actions_view, name="actions"),
    path("fca-return/", views.fca_return_view, name="fca_return"),
    path("fca-return.csv", views.fca_return_csv_view, name="fca_return_csv"),
    path("report.xlsx", views.report_xlsx_view, name="xlsx"),
    path("fca-return.xlsx", views.fca_return_xlsx_view, name="fca_return_xlsx"),
    path("cfpb-export.csv", views.cfpb_export_view, name="cfpb_export"),
    path("<slug:name>.csv", views.report_csv_view, name="csv"),
]
