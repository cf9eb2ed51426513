#!/usr/bin/env bash
# Measures what #[derive(Resource)] adds to contact-schema's compile time.
#
# Builds two copies of contact-schema in a scratch workspace: as committed, and
# with the Resource/ResourceEnum derives and their #[resource]/#[field]
# attributes stripped (the same struct otherwise, serde and schemars included).
# Dependencies are built once; then each copy's own crate is rebuilt RUNS times
# (touch + cargo build) and the median wall time is reported.
#
# Usage: bench/derive-compile-time.sh [RUNS]   (default 10)
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export CARGO_TARGET_DIR="$scratch/target" CARGO_INCREMENTAL=0

for variant in with without; do
  mkdir -p "$scratch/$variant"
  cp -r "$root/contact-schema/src" "$scratch/$variant/"
  sed -e "s|contact-derive.workspace = true|contact-derive = { path = \"$root/contact-derive\" }|" \
      -e 's|^\(serde\|serde_json\|schemars\|chrono\).workspace = true|&|' \
      "$root/contact-schema/Cargo.toml" | grep -v -e '^insta' -e '^\[dev-dependencies\]' -e '^\[lints\]' -e '^workspace = true' \
      | sed -e 's/\.workspace = true//' > "$scratch/$variant/Cargo.toml"
done

# Resolve the workspace versions into the scratch manifests.
python3 - "$root" "$scratch" <<'PY'
import re, sys, pathlib, tomllib
root, scratch = map(pathlib.Path, sys.argv[1:])
ws = tomllib.loads((root / "Cargo.toml").read_text())["workspace"]
deps = ws["dependencies"]
def spec(name):
    d = deps[name]
    if isinstance(d, str):
        return f'"{d}"'
    parts = [f'{k} = {str(v).lower() if isinstance(v, bool) else repr(v).replace(chr(39), chr(34))}' for k, v in d.items() if k != "path"]
    return "{ " + ", ".join(parts) + " }"
for variant in ("with", "without"):
    p = scratch / variant / "Cargo.toml"
    lines = []
    for line in p.read_text().splitlines():
        m = re.match(r"^(serde|serde_json|schemars|chrono)\s*$", line)
        if m:
            line = f"{m.group(1)} = {spec(m.group(1))}"
        if re.match(r"^(version|edition|rust-version|license|publish)\s*$", line):
            line = {"version": 'version = "0.1.0"', "edition": 'edition = "2024"', "rust-version": "",
                    "license": "", "publish": "publish = false"}[line.strip()]
        lines.append(line)
    p.write_text("\n".join(lines) + "\n[workspace]\n")
# Strip the derive from the "without" copy.
src = scratch / "without" / "src" / "contact.rs"
text = src.read_text()
text = text.replace("use crate::{Resource, ResourceEnum};\n", "")
text = re.sub(r",\s*ResourceEnum\s*,?", ",", text)
text = re.sub(r",\s*Resource\)", ")", text)
def strip_attr(text, name):
    out, i = [], 0
    while True:
        j = text.find(f"#[{name}(", i)
        if j < 0:
            out.append(text[i:]); return "".join(out)
        out.append(text[i:j])
        depth, k = 0, j + 1
        while True:
            c = text[k]
            depth += c in "(["; depth -= c in ")]"
            k += 1
            if depth == 0: break
        while text[k] in " \t": k += 1
        if text[k] == "\n": k += 1
        i = k
for name in ("resource", "field"):
    text = strip_attr(text, name)
assert "#[field" not in text and "Resource" not in text.replace("ResourceModel", "")
src.write_text(text)
lib = scratch / "without" / "src" / "lib.rs"
lib.write_text(lib.read_text().replace("pub use contact_derive::{Resource, ResourceEnum};\n", ""))
PY

for variant in with without; do
  cargo build --quiet --manifest-path "$scratch/$variant/Cargo.toml"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A result
for variant in with without; do
  times=()
  for _ in $(seq "$runs"); do
    touch "$scratch/$variant/src/contact.rs"
    start=$(date +%s%N)
    cargo build --quiet --manifest-path "$scratch/$variant/Cargo.toml"
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
  done
  result[$variant]=$(printf '%s\n' "${times[@]}" | median)
  echo "$variant derive: median ${result[$variant]} ms over $runs rebuilds (${times[*]})"
done
awk -v w="${result[with]}" -v wo="${result[without]}" 'BEGIN { printf "the derive adds %.1f%% to contact-schema'"'"'s own compile time\n", (w - wo) * 100 / wo }'

# The proc-macro crate itself, built once per clean build.
touch "$root/contact-derive/src/lib.rs"
start=$(date +%s%N)
cargo build --quiet --manifest-path "$scratch/with/Cargo.toml"
echo "contact-derive (proc-macro) + contact-schema rebuild: $(( ($(date +%s%N) - start) / 1000000 )) ms"
