"""Everything the app is made of, listed once (Warehouse's ``includeme``, without the registry).

Routers, jobs, erasure handlers, owned-token providers, token resolvers, idempotency replay
guards, key holders and ORM models are imported here by name, so a missing module fails at
import instead of being skipped. ``wire()`` installs each list into the slot its user reads
(service/core/slots.py); the app, the command line and the tests call it before anything else.
"""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter, FastAPI

from service.access import models as access_models
from service.access import resolvers
from service.app import docs, ops
from service.app.route_prefixes import refuse_by_prefix
from service.audit import endpoints as audit_endpoints
from service.audit import jobs as audit_jobs
from service.audit import models as audit_models
from service.charges import descriptions as charge_descriptions
from service.charges import endpoints as charges_endpoints
from service.charges import erasure as charges_erasure
from service.charges import jobs as charges_jobs
from service.charges import models as charges_models
from service.charges import operations as charges
from service.charges.models import CHARGE_ID_PREFIX
from service.console import endpoints as console_endpoints
from service.console import jobs as console_jobs
from service.console import models as console_models
from service.core import hooks
from service.core.db import every_model
from service.customers import endpoints as customers_endpoints
from service.customers import jobs as customers_jobs
from service.customers import models as customers_models
from service.customers import operations as customers
from service.customers.models import CUSTOMER_ID_PREFIX
from service.customers.sensitive import KEY_HOLDERS
from service.events import delivery, notices, webhooks
from service.events import endpoints as events_endpoints
from service.events import erasure as events_erasure
from service.events import models as events_models
from service.idempotency import claims as idempotency
from service.inventory import endpoints as inventory_endpoints
from service.jobs import housekeeping
from service.jobs.registry import RegisteredJob, installed_jobs
from service.keys import keystore
from service.pauselinks import endpoints as pauselinks_endpoints
from service.pauselinks import erasure as pauselinks_erasure
from service.pauselinks import models as pauselinks_models
from service.pauselinks import operations as pause_links
from service.pauselinks.models import PAUSE_LINK_ID_PREFIX
from service.pauses import bulk_cancel
from service.pauses import endpoints as pauses_endpoints
from service.pauses import jobs as pauses_jobs
from service.pauses import operations as pauses
from service.redaction import endpoints as redaction_endpoints
from service.subscriptions import endpoints as subscriptions_endpoints
from service.subscriptions import erasure as subscriptions_erasure
from service.subscriptions import jobs as subscriptions_jobs
from service.subscriptions import models as subscriptions_models
from service.subscriptions import operations as subscriptions
from service.subscriptions import reasons
from service.subscriptions.models import BULK_ID_PREFIX, PAUSE_ID_PREFIX, SUBSCRIPTION_ID_PREFIX
from service.testclock import endpoints as testclock_endpoints

# Every module declaring tables: imported so that the metadata (and Alembic) sees them all.
MODELS: tuple[ModuleType, ...] = (
    access_models,
    audit_models,
    idempotency,
    customers_models,
    subscriptions_models,
    charges_models,
    events_models,
    console_models,
    pauselinks_models,
)

# The operations endpoints first, then each domain's API, then the pages for people.
ROUTERS: tuple[APIRouter, ...] = (
    ops.router,
    ops.detail_router,
    docs.router,
    audit_endpoints.router,
    customers_endpoints.router,
    subscriptions_endpoints.router,
    pauses_endpoints.router,
    charges_endpoints.router,
    testclock_endpoints.router,
    inventory_endpoints.router,
    redaction_endpoints.router,
    events_endpoints.router,
    pauselinks_endpoints.router,
    console_endpoints.router,
    pauselinks_endpoints.page_router,
)

# Lower order runs first: pause transitions before charges before notices before deliveries.
JOBS: tuple[RegisteredJob, ...] = (
    RegisteredJob("customers-processor-erasure", 50, customers_jobs.finish_processor_erasures),
    RegisteredJob("pauses.start", 100, pauses_jobs.start_due_pauses),
    RegisteredJob("pauses.end", 110, pauses_jobs.end_due_pauses),
    RegisteredJob("charges-reconcile", 190, charges_jobs.reconcile_pending_charges),
    RegisteredJob("charges-recurring", 200, charges_jobs.charge_recurring),
    # After the charges: a run that covers a due date and a later cancel_at (a clock move, or
    # a scheduler that was down) charges the periods before cancel_at first; a canceled
    # subscription is never charged.
    RegisteredJob(
        "subscriptions.cancel_at_period_end", 210, subscriptions_jobs.cancel_due_subscriptions
    ),
    RegisteredJob("notice-charge-upcoming", 300, notices.notify_upcoming_charges),
    RegisteredJob("notice-pause-ending", 310, notices.notify_pauses_ending),
    RegisteredJob("event-delivery", 400, delivery.deliver_due_events),
    RegisteredJob("idempotency-expiry", 900, housekeeping.expire_idempotency_keys),
    RegisteredJob("console-session-expiry", 910, console_jobs.expire_console_sessions),
    RegisteredJob("rate-counter-expiry", 910, housekeeping.expire_rate_counters),
    RegisteredJob("audit-sequence", 1000, audit_jobs.sequence_audit_events),
)

ERASURE = hooks.ErasureHooks(
    on_customer_erased=(
        pauselinks_erasure.revoke_links_of_erased_customer,
        subscriptions_erasure.cancel_subscriptions_of_erased_customer,
        events_erasure.announce_erasure,
        charges_erasure.forget_processor_keys_of_erased_customer,
        reasons.shred_reasons_of_erased_customer,
        charge_descriptions.shred_descriptions_of_erased_customer,
    ),
    owned_tokens=(
        subscriptions_erasure.subscription_and_pause_tokens,
        charges_erasure.charge_tokens,
    ),
    before_processor_erasure=(charges_erasure.settle_pending_by_lookup,),
)

TOKEN_RESOLVERS: dict[str, resolvers.TokenExists] = {
    CUSTOMER_ID_PREFIX: customers.customer_exists,
    SUBSCRIPTION_ID_PREFIX: subscriptions.subscription_exists,
    PAUSE_ID_PREFIX: pauses.pause_exists,
    BULK_ID_PREFIX: bulk_cancel.bulk_exists,
    CHARGE_ID_PREFIX: charges.charge_exists,
    webhooks.ENDPOINT_ID_PREFIX: webhooks.endpoint_exists,
    PAUSE_LINK_ID_PREFIX: pause_links.link_exists,
}

REPLAY_GUARDS: tuple[idempotency.ReplayGuard, ...] = (customers.no_erased_customer,)


def wire() -> None:
    """Install every list into the slot that reads it (idempotent)."""
    every_model.install(MODELS)
    installed_jobs.install(JOBS)
    hooks.erasure_hooks.install(ERASURE)
    resolvers.token_resolvers.install(TOKEN_RESOLVERS)
    idempotency.replay_guards.install(REPLAY_GUARDS)
    keystore.key_holders.install(KEY_HOLDERS)


def include_routes(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    refuse_by_prefix(app)
    app.mount(docs.DOCS_STATIC, docs.static_files(), name="docs-static")
    app.mount(
        console_endpoints.STATIC_PATH, console_endpoints.static_files(), name="console-static"
    )
    app.mount(
        pauselinks_endpoints.STATIC_PATH,
        pauselinks_endpoints.static_files(),
        name="pause-links-static",
    )
