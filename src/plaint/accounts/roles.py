"""Staff roles. Each role is a Django group holding a set of permissions on cases."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    LEGAL_REVIEWER = "legal_reviewer"
    ADMIN = "admin"


#: Permissions of the cases app ("cases.<codename>") that each role holds.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.AGENT: ("view_case", "work_case"),
    Role.SUPERVISOR: ("view_case", "work_case", "reassign_case", "view_all_cases"),
    # Legal reviewers clear flags on any case, so they see every case.
    Role.LEGAL_REVIEWER: ("view_case", "view_all_cases", "review_legal"),
    Role.ADMIN: (
        "view_case",
        "work_case",
        "reassign_case",
        "view_all_cases",
        "review_legal",
        "manage_organisation",
    ),
}
