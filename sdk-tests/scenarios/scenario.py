"""The Python SDK's scenario against a running server.

Type-checked with `mypy --strict` beside the generated package, run by
CPython. Reads SDK_BASE_URL, SDK_TOKEN, SDK_ACCOUNT and SDK_REDIRECT_URL; prints `ok <step>`
per step and `scenario passed` at the end; any failure exits non-zero.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from crm_sdk import (
    ApiError,
    Client,
    ConflictError,
    ContactUpdate,
    NotFoundError,
    PreconditionFailedError,
    SourceType,
    UnauthorizedError,
    ValidationError,
)

E = TypeVar("E", bound=ApiError)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(f"check failed: {message}")


def same(actual: object, expected: object, what: str) -> None:
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def raises(kind: type[E], action: Callable[[], object]) -> E:
    """Runs `action`, which must raise `kind`; returns the error."""
    try:
        action()
    except kind as error:
        return error
    except Exception as error:  # noqa: BLE001 - reported as the wrong kind
        raise RuntimeError(f"expected {kind.__name__}, got {error!r}") from error
    raise RuntimeError(f"expected {kind.__name__}, but the call succeeded")


def step(name: str) -> None:
    print(f"ok {name}", flush=True)


def email(tag: str) -> str:
    return f"{tag}-{secrets.token_hex(6)}@example.com"


def main() -> None:
    base_url = os.environ["SDK_BASE_URL"]
    account = os.environ["SDK_ACCOUNT"]
    client = Client(base_url=base_url, token=os.environ["SDK_TOKEN"])
    contacts = client.customer.contacts

    first_email = email("ada")
    ada = contacts.create(
        {
            "account_id": account,
            "email": first_email,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "source_type": SourceType.BACKEND,
            "tags": ["vip"],
            "custom_fields": {"tier": 1},
        }
    )
    check(ada.id.startswith("per_") and len(ada.id) == 30, f"id {ada.id}")
    same(ada.version, 1, "version")
    same(ada.display_name, "Ada Lovelace", "display_name")
    same(ada.source, "edm", "source")
    same(ada.source_type, SourceType.BACKEND, "source_type")
    same(ada.is_deleted, False, "is_deleted")
    same(ada.custom_fields, {"tier": 1}, "custom_fields")
    check(isinstance(ada.created_at, datetime) and ada.created_at.tzinfo is not None, "created_at")
    step("create")

    same(contacts.get(ada.id), ada, "get")
    step("get")

    ids = [ada.id]
    for i in range(4):
        ids.append(contacts.create({"account_id": account, "email": email(f"p{i}")}).id)
    page = contacts.list(account_id=account, limit=2)
    same(len(page.data), 2, "page size")
    check(page.next_cursor is not None, "a first page of 2 out of 5 has a next_cursor")
    walked = [c.id for c in contacts.list_all(account_id=account, limit=2)]
    same(walked, ids, "ids across pages")
    step("list pages")

    filtered = contacts.list(email=first_email.upper())
    same([c.id for c in filtered.data], [ada.id], "email filter")
    step("filter")

    patch: ContactUpdate = {"job_title": "CTO", "tags": None}
    updated = contacts.update(ada.id, patch, expected_version=1)
    same(updated.version, 2, "version after update")
    same(updated.job_title, "CTO", "job_title")
    same(updated.tags, None, "tags cleared")
    check(updated.updated_at > ada.updated_at, "updated_at moves on")
    step("update")

    stale = raises(
        PreconditionFailedError,
        lambda: contacts.update(ada.id, {"job_title": "CEO"}, expected_version=1),
    )
    same(stale.status, 412, "stale status")
    check(bool(stale.title) and bool(stale.detail), "a 412 carries title and detail")
    unchanged = contacts.get(ada.id)
    same((unchanged.version, unchanged.job_title), (2, "CTO"), "nothing changed")
    step("stale update")

    conflict = raises(
        ConflictError,
        lambda: contacts.create({"account_id": account, "email": first_email.upper()}),
    )
    same(conflict.status, 409, "conflict status")
    step("duplicate email")

    invalid = raises(
        ValidationError, lambda: contacts.create({"email": "not-an-email", "phone": "123"})
    )
    same(invalid.status, 422, "validation status")
    same(sorted(e.field for e in invalid.errors), ["email", "phone"], "offending fields")
    step("validation")

    deleted = contacts.delete(ada.id, expected_version=2)
    check(deleted is None or deleted.is_deleted, "delete returns the deleted contact or nothing")
    after = contacts.get(ada.id)
    same((after.is_deleted, after.version), (True, 3), "soft-deleted")
    check(after.deleted_at is not None, "deleted_at is stamped")
    same(len(list(contacts.list_all(account_id=account))), 4, "live contacts")
    same(
        len(list(contacts.list_all(account_id=account, include_deleted=True))),
        5,
        "contacts with the deleted one",
    )
    step("delete")

    missing = raises(NotFoundError, lambda: contacts.get("per_00000000000000000000000000"))
    same(missing.status, 404, "not found status")
    raises(NotFoundError, lambda: contacts.update(ada.id, {}))
    step("not found")

    stranger = Client(base_url=base_url, token="not-a-jwt")
    refused = raises(UnauthorizedError, lambda: stranger.customer.contacts.list())
    same(refused.status, 401, "unauthorised status")
    check("not-a-jwt" not in repr(stranger), "the token stays out of repr")
    step("unauthorised")

    redirected = Client(base_url=os.environ["SDK_REDIRECT_URL"], token=os.environ["SDK_TOKEN"])
    redirect = raises(ApiError, lambda: redirected.customer.contacts.list())
    same(redirect.status, 307, "a redirect is answered as an error, not followed")
    step("redirect refused")

    print("scenario passed", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - any failure fails the scenario
        print(f"scenario failed: {error!r}", file=sys.stderr)
        sys.exit(1)
