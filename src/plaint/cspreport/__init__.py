"""Content-Security-Policy violation reports: the policy's `report-uri`/`report-to`, the
`Reporting-Endpoints` header, and `/csp-report/`, which logs each violation on the
`plaint.security.csp` logger (one JSON line, no query string, no token) and stores nothing."""
