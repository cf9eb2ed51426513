//! `crm-api`: the CRM API's codegen command (`generate`, `list`, `migrate`,
//! `diff`) over the Contact and the Account, built the way a user builds
//! theirs: one line, the whole `codegen` command line.

codegen::main!(contact_schema::api());
