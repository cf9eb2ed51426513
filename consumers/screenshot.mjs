// Screenshots of a generated docs page for the README, in Debian's Chromium:
// a desktop (1280 px) and a phone (390 px), light scheme, the top of the page
// and the first operation's section.
// Usage: node screenshot.mjs PAGE.html OUT_DIR [CHROMIUM]
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [page_path, out_dir, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!page_path || !out_dir) {
  console.error("usage: node screenshot.mjs PAGE.html OUT_DIR [CHROMIUM]");
  process.exit(2);
}
mkdirSync(out_dir, { recursive: true });
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const shots = [
  { name: "docs-desktop.png", width: 1280, height: 860, scale: 1, anchor: "create-a-contact" },
  { name: "docs-phone.png", width: 390, height: 844, scale: 2, anchor: "create-a-contact" },
];
for (const s of shots) {
  const page = await browser.newPage({
    viewport: { width: s.width, height: s.height },
    deviceScaleFactor: s.scale,
    colorScheme: "light",
  });
  await page.goto(pathToFileURL(page_path).href + "#" + s.anchor);
  await page.screenshot({ path: join(out_dir, s.name) });
  console.log(join(out_dir, s.name));
  await page.close();
}
await browser.close();
