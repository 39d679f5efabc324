"""The policy's reporting directives. Imported by the settings module: no Django here."""

from __future__ import annotations

#: Plaint's own endpoint for violation reports (plaint.cspreport.views).
CSP_REPORT_URI = "/csp-report/"
#: The name `report-to` uses; `Reporting-Endpoints` maps it to CSP_REPORT_URI.
CSP_REPORT_GROUP = "csp-endpoint"


def csp_report_directives(enabled: bool) -> dict[str, str]:
    """`report-uri` and `report-to` for the policy, or nothing when reports are off."""
    if not enabled:
        return {}
    return {"report-uri": CSP_REPORT_URI, "report-to": CSP_REPORT_GROUP}


def reporting_endpoints(uri: str) -> str:
    """The `Reporting-Endpoints` header value naming URI as the report-to group."""
    return f'{CSP_REPORT_GROUP}="{uri}"'
