"""Running an installation: database roles and grants (`plaint dbgrant`), the production
readiness check (`plaint serve --check`)."""
