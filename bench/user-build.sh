#!/usr/bin/env bash
# Measures a new user's first (cold) build: their own API crate with the
# codegen command line, then the conformance runner, each in a fresh target
# directory, as a user with nothing built yet would run them (dev profile).
#
#   after:  examples/user-api (resource-model + codegen), then
#           `cargo build -p conformance` (the lean default) and, for
#           reference, `--features reference`
#   before: the same kind of crate against the toolkit at BASE (default
#           45608a7, before the generic model had a crate of its own: the
#           crate depends on contact-schema + codegen), then
#           `cargo build -p conformance` there (its default pulled the
#           reference server and codegen)
#
# Also prints the runner's crate count (`cargo tree -e normal`) both times.
# Needs the crates in the local registry (a built workspace has them) and git.
# Run it on an otherwise idle machine: it takes about 15 minutes on 2 cores.
#
# Usage: bench/user-build.sh [BASE]
set -euo pipefail
base=${1:-45608a7}
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$scratch/before" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
export CARGO_INCREMENTAL=1 CARGO_TERM_COLOR=never

# Seconds `cargo build` takes in a fresh target directory; the build's own
# output goes to $scratch/log.
timed() {
  local target=$1; shift
  local start end
  start=$(date +%s.%N)
  CARGO_TARGET_DIR="$target" cargo build --quiet "$@" >>"$scratch/log" 2>&1 || {
    echo "cargo build $* failed:" >&2
    tail -20 "$scratch/log" >&2
    exit 1
  }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.0f}')"
}

crates() {
  (cd "$1" && cargo tree -p conformance -e normal --prefix none "${@:2}" 2>/dev/null | sed 's/ (\*)//' | sort -u | wc -l)
}

mmss() { python3 -c "s=int($1); print(f'{s//60}m{s%60:02d}s')"; }

# Before: a worktree at BASE and a user crate written against its API.
git -C "$root" worktree add --detach "$scratch/before" "$base" >/dev/null 2>&1
mkdir -p "$scratch/before-user/src"
cp "$scratch/before/Cargo.lock" "$scratch/before/rust-toolchain.toml" "$scratch/before-user/" 2>/dev/null || cp "$scratch/before/Cargo.lock" "$scratch/before-user/"
cat >"$scratch/before-user/Cargo.toml" <<EOF
[package]
name = "user-api"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
contact-schema = { path = "$scratch/before/contact-schema" }
codegen = { path = "$scratch/before/codegen" }
serde = { version = "1.0", features = ["derive"] }
chrono = { version = "0.4", default-features = false, features = ["std", "clock", "serde"] }
EOF
cat >"$scratch/before-user/src/main.rs" <<'EOF'
//! A user's API at the base: one resource, generated with the codegen library.
use chrono::{DateTime, Utc};
use contact_schema::{Resource, ResourceEnum};

/// Where a deal stands.
#[derive(serde::Serialize, serde::Deserialize, ResourceEnum)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// New.
    Lead,
    /// Signed.
    Won,
}

/// A deal.
#[derive(serde::Serialize, serde::Deserialize, Resource)]
#[resource(path = "/v2/sales/deals", id_prefix = "deal", sdk = "sales.deals")]
pub struct Deal {
    /// The id.
    #[field(stamp = id)]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// The app.
    #[field(stamp = app)]
    pub app_id: Option<String>,
    /// Created.
    #[field(stamp = created_at)]
    pub created_at: DateTime<Utc>,
    /// Updated.
    #[field(stamp = updated_at)]
    pub updated_at: DateTime<Utc>,
    /// Creator.
    #[field(stamp = created_by)]
    pub created_by: String,
    /// Last writer.
    #[field(stamp = updated_by)]
    pub updated_by: String,
    /// Deleted?
    #[field(stamp = deleted_flag)]
    pub is_deleted: bool,
    /// Deleted when.
    #[field(stamp = deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Deleted by.
    #[field(stamp = deleted_by)]
    pub deleted_by: Option<String>,
    /// Revision.
    #[field(stamp = version, minimum = 1)]
    pub version: i64,
    /// Its title.
    pub title: Option<String>,
    /// Where it stands.
    #[field(default = "lead", filter = exact)]
    pub stage: Option<Stage>,
}

fn main() {
    codegen::generate(std::path::Path::new("schemas"), &[Deal::model()], codegen::Mode::Write, true)
        .expect("generated");
}
EOF

echo "building (log: $scratch/log)…" >&2
before_user=$(timed "$scratch/t-before-user" --manifest-path "$scratch/before-user/Cargo.toml")
before_runner=$(timed "$scratch/t-before-runner" --manifest-path "$scratch/before/Cargo.toml" -p conformance)
after_user=$(timed "$scratch/t-after-user" --manifest-path "$root/examples/user-api/Cargo.toml")
after_runner=$(timed "$scratch/t-after-runner" --manifest-path "$root/Cargo.toml" -p conformance)
after_reference=$(timed "$scratch/t-after-reference" --manifest-path "$root/Cargo.toml" -p conformance --features reference)

before_crates=$(crates "$scratch/before")
after_crates=$(crates "$root")
after_reference_crates=$(crates "$root" --features reference)

echo "| | user's crate | runner | total | runner crates |"
echo "|---|---|---|---|---|"
echo "| before ($base) | $(mmss "$before_user") | $(mmss "$before_runner") (default features: reference server, codegen) | $(mmss $((before_user + before_runner))) | $before_crates |"
echo "| after | $(mmss "$after_user") | $(mmss "$after_runner") (lean default) | $(mmss $((after_user + after_runner))) | $after_crates |"
echo "| after, runner with \`--features reference\` | | $(mmss "$after_reference") | $(mmss $((after_user + after_reference))) | $after_reference_crates |"
