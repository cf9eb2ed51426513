// Ajv (strict mode, JSON Schema 2020-12, ajv-formats): compiles each schema
// given, then validates each JSON document of `--valid` files (must pass) and
// `--invalid` files (each must fail) against the schema named before them.
// Usage: node ajv-check.mjs SCHEMA [--valid FILE...] [--invalid FILE...] [SCHEMA ...]
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
let validate = null, mode = null, failures = 0;
for (const arg of process.argv.slice(2)) {
  if (arg === "--valid" || arg === "--invalid") { mode = arg; continue; }
  if (mode === null) {
    validate = ajv.compile(JSON.parse(readFileSync(arg, "utf8")));
    console.log(`compiled ${arg}`);
    continue;
  }
  const docs = JSON.parse(readFileSync(arg, "utf8"));
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const ok = validate(doc);
    if (mode === "--valid" && !ok) { failures++; console.log(`REJECTED ${arg}[${i}]: ${ajv.errorsText(validate.errors)}`); }
    if (mode === "--invalid" && ok) { failures++; console.log(`ACCEPTED ${arg}[${i}]: ${JSON.stringify(doc).slice(0, 200)}`); }
  }
  console.log(`${mode.slice(2)} ${arg}: checked`);
}
process.exit(failures ? 1 : 0);
