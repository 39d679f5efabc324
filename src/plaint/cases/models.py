"""The case file: customers, cases, the append-only ledger and what hangs off a case.

Models hold data and constraints only. Every write goes through `services.py`; every
read a user can reach goes through `selectors.py`, scoped to one organisation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plaint.accounts.models import Organisation
from plaint.domain.events import Payload, payload_from_json
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.personal import Rehydrated, rehydrate
from plaint.domain.vocabulary import (
    ActorKind,
    Channel,
    Direction,
    Outcome,
    Priority,
    RedressKind,
    Visibility,
    choices,
)


class Customer(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    preferred_contact_times = models.CharField(max_length=200, blank=True)
    vulnerability_notes = models.TextField(blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """The current state of a complaint. Its history is in `CaseEvent`; `ledger_length`
    and `ledger_head` record where that history ends, so truncation is detectable."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    reference = models.CharField(max_length=32)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(max_length=20, choices=choices(Channel))
    received_at = models.DateTimeField()
    product = models.CharField("product or service", max_length=200, blank=True)
    issue = models.CharField(max_length=300, blank=True)
    respondent = models.CharField(
        max_length=200, blank=True, help_text="The business the complaint is about."
    )
    order_number = models.CharField(max_length=100, blank=True)
    account_number = models.CharField(max_length=100, blank=True)
    amount_in_dispute = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    occurred_on = models.DateField("date of occurrence", null=True, blank=True)
    description = models.TextField()
    desired_resolution = models.TextField(blank=True)
    regime = models.CharField("jurisdiction / regime", max_length=40, blank=True)
    category = models.CharField(max_length=200, blank=True)
    priority = models.CharField(
        max_length=10, choices=choices(Priority), default=Priority.NORMAL.value
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    status = models.CharField(
        max_length=24, choices=[(s.value, s.label) for s in CaseStatus], default="received"
    )
    outcome = models.CharField(max_length=20, choices=choices(Outcome), blank=True)
    root_cause = models.CharField(
        "root cause (detail)", max_length=300, blank=True, help_text="Free text."
    )
    # A code of the organisation's taxonomy (`RootCause`); blank on cases closed before
    # root causes were coded, which show as uncoded.
    root_cause_code = models.CharField(max_length=40, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=20, blank=True, help_text="Where an import came from.")
    external_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    ledger_length = models.PositiveIntegerField(default=0)
    ledger_head = models.CharField(max_length=64, default="0" * 64)
    # The due time of the case's most urgent deadline the business still owes (open or
    # already missed), None once closed or withdrawn: derived data, kept by the deadline
    # services (`plaint.deadlines.services.cases_next_due_store`) so that the queue can
    # sort on it through an index.
    next_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_reference_unique_per_org"
            ),
            models.UniqueConstraint(
                fields=["organisation", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="case_external_id_unique_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_in_dispute__isnull=True)
                | models.Q(amount_in_dispute__gte=0),
                name="case_amount_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "received_at"]),
            models.Index(fields=["organisation", "received_at"]),
            models.Index(fields=["organisation", "assignee", "status"]),
            # The desk's filter menus list the distinct values of these per organisation.
            models.Index(fields=["organisation", "product"]),
            models.Index(fields=["organisation", "category"]),
            models.Index(fields=["organisation", "regime"]),
            models.Index(fields=["organisation", "closed_at"]),
            # The queue sorted by next deadline (plaint.cases.queue).
            models.Index(fields=["organisation", "next_due_at", "id"]),
        ]
        permissions = [
            ("work_case", "Work cases: log contacts, notes, evidence, offers, status"),
            ("reassign_case", "Assign and reassign any case"),
            ("view_all_cases", "See every case of the organisation"),
            ("review_legal", "Clear legal-risk flags"),
            ("manage_organisation", "Manage users and templates"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_enum(self) -> CaseStatus:
        return CaseStatus(self.status)


class CaseEvent(models.Model):
    """One entry of a case's ledger. Never updated or deleted: database triggers refuse it.

    `hash = SHA-256(prev_hash + canonical JSON of the event)`; see `plaint.domain.ledger`.
    `payload` holds the canonical JSON text exactly as hashed.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    # Kinds are checked by the domain (EventKind); no choices here, so that adding a kind
    # needs no migration.
    kind = models.CharField(max_length=32)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_kind = models.CharField(max_length=10, choices=choices(ActorKind))
    actor_label = models.CharField(max_length=200)
    visibility = models.CharField(max_length=10, choices=choices(Visibility))
    payload = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique"),
        ]
        ordering = ["case_id", "seq"]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"

    def _rehydrated(self) -> Rehydrated:
        cached = self.__dict__.get("_plaint_rehydrated")
        if cached is None:
            data: dict[str, tuple[str, str]] = {}
            if '{"commit":' in self.payload:
                prefetched = self.__dict__.get("_plaint_personal")
                if prefetched is None:
                    prefetched = {
                        path: (salt, value)
                        for path, salt, value in PersonalDatum.objects.filter(
                            case_id=self.case_id, seq=self.seq
                        ).values_list("path", "salt", "value")
                    }
                data = prefetched
            cached = rehydrate(self.kind, self.payload, data)
            self.__dict__["_plaint_rehydrated"] = cached
        return cached

    @property
    def clear_payload(self) -> str:
        """The payload with its personal values put back (`plaint.domain.personal`): what
        the event says. `payload` is what was hashed."""
        return self._rehydrated().payload_json

    @property
    def erased_fields(self) -> frozenset[str]:
        """The personal fields of this event that were erased."""
        return self._rehydrated().erased

    @property
    def data(self) -> Payload:
        """The typed payload, personal values included."""
        return payload_from_json(self.kind, self.clear_payload)


class PersonalDatum(models.Model):
    """One personal value of an event, kept outside its hashed payload: the payload holds
    ``{"commit": SHA-256(salt ‖ value)}`` in its place (`plaint.domain.personal`). Erasure
    deletes these rows (salt and value together); nothing else ever changes them."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    path = models.CharField(max_length=80)
    salt = models.CharField(max_length=64)
    value = models.TextField()  # canonical JSON of the value

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "seq", "path"], name="personal_datum_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.path}"


class Contact(models.Model):
    """A contact between the customer and the business, as logged."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    contact_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=choices(Channel))
    direction = models.CharField(max_length=10, choices=choices(Direction))
    representative = models.CharField(max_length=200, blank=True)
    ticket_number = models.CharField(max_length=100, blank=True)
    wait_minutes = models.PositiveIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)
    # Who may read the summary; the customer always sees that the contact happened.
    # Contacts logged before this existed keep their meaning: customer-visible.
    summary_visibility = models.CharField(
        max_length=10, choices=choices(Visibility), default=Visibility.CUSTOMER.value
    )
    logged_at = models.DateTimeField()

    class Meta:
        ordering = ["contact_at", "id"]

    def __str__(self) -> str:
        return f"{self.direction} {self.channel} on {self.contact_at:%Y-%m-%d}"


class Evidence(models.Model):
    """A file attached to a case. The bytes live in the content-addressed store."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    description = models.CharField(max_length=500, blank=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename


class ResolutionOffer(models.Model):
    class Answer(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="offers")
    redress = models.CharField(max_length=20, choices=choices(RedressKind))
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    description = models.TextField(blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answer_comment = models.TextField(blank=True)
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offered_at", "id"]

    def __str__(self) -> str:
        return f"{self.redress} ({self.answer})"


class RootCause(models.Model):
    """One entry of an organisation's root-cause taxonomy. An organisation with no rows
    uses `plaint.domain.rootcauses.DEFAULT_ROOT_CAUSES`; its first edit copies that list
    here (`plaint.reports.services`). Entries are retired, never deleted, so closed cases
    keep their code's label."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="root_cause_unique"),
        ]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class ReferenceSequence(models.Model):
    """The last case number handed out per organisation and year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="refseq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class SearchEntry(models.Model):
    """Text to find a case by: what the customer wrote when the case was opened, and each
    note and contact summary since. Derived from the case and its ledger, written in the
    same transaction as the event it mirrors, and rebuildable (`plaint search --rebuild`).

    The full-text index itself lives outside Django's models, because each database spells
    it differently (`plaint.cases.search`): an FTS5 table kept by triggers on SQLite, a GIN
    expression index on PostgreSQL."""

    class Source(models.TextChoices):
        CASE = "case", "Complaint as received"
        NOTE = "note", "Note"
        CONTACT = "contact", "Contact summary"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    body = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "case"])]

    def __str__(self) -> str:
        return f"{self.source} of case #{self.case_id}"
