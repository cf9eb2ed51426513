// The TypeScript SDK's scenario against a running server: compiled with
// `tsc --strict` beside the generated `index.ts`, run by Node.js. Reads
// SDK_BASE_URL, SDK_TOKEN, SDK_ACCOUNT and SDK_REDIRECT_URL; prints `ok <step>` per step and
// `scenario passed` at the end; any failure exits non-zero.

import {
  ApiError,
  Client,
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  UnauthorizedError,
  ValidationError,
  type Contact,
} from "./index.js";

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set`);
  }
  return value;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}

/** Runs `action`, which must throw an error of class `kind`; returns it. */
async function rejects<E extends ApiError>(
  kind: new (...args: never[]) => E,
  action: () => Promise<unknown>,
): Promise<E> {
  try {
    await action();
  } catch (error) {
    if (error instanceof kind) {
      return error;
    }
    throw new Error(`expected ${kind.name}, got ${String(error)}`);
  }
  throw new Error(`expected ${kind.name}, but the call succeeded`);
}

async function collect(iterable: AsyncIterable<Contact>): Promise<Contact[]> {
  const out: Contact[] = [];
  for await (const item of iterable) {
    out.push(item);
  }
  return out;
}

function step(name: string): void {
  console.log(`ok ${name}`);
}

const random = (): string => Math.random().toString(16).slice(2, 14);
const email = (tag: string): string => `${tag}-${random()}@example.com`;

async function main(): Promise<void> {
  const baseUrl = env("SDK_BASE_URL");
  const account = env("SDK_ACCOUNT");
  const client = new Client({ baseUrl, token: env("SDK_TOKEN") });
  const contacts = client.customer.contacts;

  const firstEmail = email("ada");
  const ada = await contacts.create({
    account_id: account,
    email: firstEmail,
    first_name: "Ada",
    last_name: "Lovelace",
    source_type: "backend",
    tags: ["vip"],
    custom_fields: { tier: 1 },
  });
  check(/^per_[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(ada.id), `id ${ada.id}`);
  same(ada.version, 1, "version");
  same(ada.display_name, "Ada Lovelace", "display_name");
  same(ada.source, "edm", "source");
  same(ada.source_type, "backend", "source_type");
  same(ada.is_deleted, false, "is_deleted");
  same(ada.custom_fields, { tier: 1 }, "custom_fields");
  step("create");

  same(await contacts.get(ada.id), ada, "get");
  step("get");

  const ids = [ada.id];
  for (let i = 0; i < 4; i++) {
    ids.push((await contacts.create({ account_id: account, email: email(`p${i}`) })).id);
  }
  const page = await contacts.list({ account_id: account, limit: 2 });
  same(page.data.length, 2, "page size");
  check(page.next_cursor !== null, "a first page of 2 out of 5 has a next_cursor");
  const walked = await collect(contacts.listAll({ account_id: account, limit: 2 }));
  same(walked.map((c) => c.id), ids, "ids across pages");
  step("list pages");

  const filtered = await contacts.list({ email: firstEmail.toUpperCase() });
  same(filtered.data.map((c) => c.id), [ada.id], "email filter");
  step("filter");

  const updated = await contacts.update(ada.id, { job_title: "CTO", tags: null }, { expectedVersion: 1 });
  same(updated.version, 2, "version after update");
  same(updated.job_title, "CTO", "job_title");
  check(updated.tags === undefined || updated.tags === null, "tags cleared");
  check(Date.parse(updated.updated_at) > Date.parse(ada.updated_at), "updated_at moves on");
  step("update");

  const stale = await rejects(PreconditionFailedError, () =>
    contacts.update(ada.id, { job_title: "CEO" }, { expectedVersion: 1 }),
  );
  same(stale.status, 412, "stale status");
  check(stale.title !== "" && stale.detail !== "", "a 412 carries title and detail");
  const unchanged = await contacts.get(ada.id);
  same([unchanged.version, unchanged.job_title], [2, "CTO"], "nothing changed");
  step("stale update");

  const conflict = await rejects(ConflictError, () =>
    contacts.create({ account_id: account, email: firstEmail.toUpperCase() }),
  );
  same(conflict.status, 409, "conflict status");
  step("duplicate email");

  const invalid = await rejects(ValidationError, () =>
    contacts.create({ email: "not-an-email", phone: "123" }),
  );
  same(invalid.status, 422, "validation status");
  same(invalid.errors.map((e) => e.field).sort(), ["email", "phone"], "offending fields");
  step("validation");

  const deleted = await contacts.delete(ada.id, { expectedVersion: 2 });
  check(deleted === null || deleted.is_deleted, "delete returns the deleted contact or nothing");
  const after = await contacts.get(ada.id);
  same([after.is_deleted, after.version], [true, 3], "soft-deleted");
  check(typeof after.deleted_at === "string", "deleted_at is stamped");
  same((await collect(contacts.listAll({ account_id: account }))).length, 4, "live contacts");
  same(
    (await collect(contacts.listAll({ account_id: account, include_deleted: true }))).length,
    5,
    "contacts with the deleted one",
  );
  step("delete");

  const missing = await rejects(NotFoundError, () => contacts.get("per_00000000000000000000000000"));
  same(missing.status, 404, "not found status");
  await rejects(NotFoundError, () => contacts.update(ada.id, {}));
  step("not found");

  const stranger = new Client({ baseUrl, token: "not-a-jwt" });
  const refused = await rejects(UnauthorizedError, () => stranger.customer.contacts.list());
  same(refused.status, 401, "unauthorised status");
  step("unauthorised");

  const redirected = new Client({ baseUrl: env("SDK_REDIRECT_URL"), token: env("SDK_TOKEN") });
  const redirect = await rejects(ApiError, () => redirected.customer.contacts.list());
  same(redirect.status, 307, "a redirect is answered as an error, not followed");
  step("redirect refused");

  console.log("scenario passed");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
