"""Every operation's action name, ``domain:resource:verb``: used by policies and the audit."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    CUSTOMER_CREATE = "customers:customer:create"
    CUSTOMER_READ = "customers:customer:read"
    CUSTOMER_REVEAL = "customers:customer:reveal"
    CUSTOMER_SEARCH = "customers:customer:search"
    CUSTOMER_ERASE = "customers:customer:erase"

    SUBSCRIPTION_CREATE = "subscriptions:subscription:create"
    SUBSCRIPTION_READ = "subscriptions:subscription:read"
    SUBSCRIPTION_LIST = "subscriptions:subscription:list"
    SUBSCRIPTION_CANCEL = "subscriptions:subscription:cancel"
    SUBSCRIPTION_UPCOMING = "subscriptions:upcoming:read"

    PAUSE_CREATE = "pauses:pause:create"
    PAUSE_READ = "pauses:pause:read"
    PAUSE_RESUME = "pauses:pause:resume"
    PAUSE_CANCEL = "pauses:pause:cancel"
    BULK_PAUSE_CREATE = "pauses:bulk:create"
    BULK_PAUSE_CANCEL = "pauses:bulk:cancel"
    PAUSE_LINK_CREATE = "pauses:pause_link:create"
    PAUSE_LINK_REVOKE = "pauses:pause_link:revoke"

    # The subscriber's page behind a pause link: the link's token is the credential, no role.
    PAUSE_LINK_VIEW = "subscriber:pause_link:view"
    # A POST whose form names neither choice; the ones that do are recorded as what they did.
    PAUSE_LINK_CONFIRM = "subscriber:pause_link:confirm"
    PAUSE_LINK_PAUSE = "subscriber:pause_link:pause"
    PAUSE_LINK_RESUME = "subscriber:pause_link:resume"

    CHARGE_CREATE = "charges:charge:create"
    CHARGE_READ = "charges:charge:read"
    CHARGE_LIST = "charges:charge:list"

    TEST_CLOCK_READ = "test:clock:read"
    TEST_CLOCK_MOVE = "test:clock:move"

    AUDIT_LIST = "audit:event:list"
    AUDIT_VERIFY = "audit:tree:verify"
    AUDIT_TREE_HEAD = "audit:tree_head:read"
    AUDIT_PROOF = "audit:proof:read"
    AUDIT_EXPORT = "audit:event:export"
    AUDIT_REPORT_RUN = "audit:report:run"

    INVENTORY_READ = "inventory:inventory:read"
    INVENTORY_SUBJECT = "inventory:subject:read"
    INVENTORY_BREACH = "inventory:breach:report"

    REDACT = "redaction:text:redact"

    WEBHOOK_CREATE = "events:webhook_endpoint:create"
    WEBHOOK_READ = "events:webhook_endpoint:read"
    WEBHOOK_LIST = "events:webhook_endpoint:list"
    WEBHOOK_DELETE = "events:webhook_endpoint:delete"
    EVENT_LIST = "events:event:list"

    CONSOLE_PAGE = "console:page:read"
    CONSOLE_SIGN_IN = "console:session:create"
    CONSOLE_SIGN_OUT = "console:session:delete"
    PRINCIPAL_LIST = "access:principal:list"
    CONSOLE_SESSIONS_REVOKE = "access:console_session:revoke"

    # Operations endpoints need no key and reveal nothing; they are declared, not audited.
    OPS_HEALTH = "ops:health:read"
    OPS_READY = "ops:ready:read"
    OPS_METRICS = "ops:metrics:read"
    OPS_DOCS = "ops:docs:read"
    # Per-action request counts and latency: behind a key (see service/core/metrics.py).
    OPS_METRICS_DETAIL = "ops:metrics_detail:read"

    # Not routes: requests that match no route, and work done outside requests.
    UNKNOWN_ROUTE = "http:route:unknown"
    PRINCIPAL_CREATE = "access:principal:create"
    PRINCIPAL_REVOKE = "access:principal:revoke"
    KEYS_STATUS = "keys:data_key:read"
    KEYS_ROTATE = "keys:data_key:rotate"
    KEYS_RETIRE = "keys:data_key:retire"
    KEYS_INDEX_ROTATE = "keys:index_key:rotate"
    KEYS_REINDEX = "keys:index_key:reindex"
    JOB_PAUSE_START = "jobs:pause:start"
    JOB_PAUSE_END = "jobs:pause:end"
    JOB_SUBSCRIPTION_CANCEL = "jobs:subscription:cancel"
    JOB_CHARGE = "jobs:charge:create"
    JOB_CHARGE_RECONCILE = "jobs:charge:reconcile"
    # A charge recorded failed (processor_outcome_unknown) without the processor's outcome.
    JOB_CHARGE_GIVE_UP = "jobs:charge:give_up"
    JOB_EVENT_DELIVER = "jobs:event:deliver"
    JOB_PROCESSOR_ERASURE = "jobs:customer:erase_at_processor"


PUBLIC_ACTIONS = frozenset(
    {Action.OPS_HEALTH, Action.OPS_READY, Action.OPS_METRICS, Action.OPS_DOCS}
)


class Role(StrEnum):
    SERVICE = "service"
    COMPLIANCE = "compliance"
    ADMIN = "admin"
