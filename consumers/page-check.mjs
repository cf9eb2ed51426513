// Loads a generated docs page in headless Chromium (Debian's) at 1280 and
// 390 CSS pixels wide, light and dark, and reports as JSON: horizontal
// overflow of the page, tables wider than their block, internal links whose target is missing, and axe-core's
// serious or critical accessibility violations.
// Usage: node page-check.mjs PAGE.html [CHROMIUM]
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const axe = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [page_path, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const report = [];
for (const width of [1280, 390]) {
  for (const colorScheme of ["light", "dark"]) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
    await page.goto(pathToFileURL(page_path).href);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll('a[href^="#"]')]
        .map((a) => a.getAttribute("href").slice(1))
        .filter((id) => !document.getElementById(decodeURIComponent(id))));
    // Tables wider than the block they sit in (clipped, or scrolled inside it).
    const wide_tables = await page.evaluate(() =>
      [...document.querySelectorAll("table")]
        .map((t) => ({
          heading: t.closest(".op")?.previousElementSibling?.textContent ?? t.querySelector("th")?.textContent ?? "",
          over: Math.round(t.getBoundingClientRect().width - t.parentElement.clientWidth),
        }))
        .filter((t) => t.over > 0));
    const links = await page.evaluate(() => document.querySelectorAll('a[href^="#"]').length);
    // Each operation's SDK blocks: the label and the code's language, and
    // whether each block is on screen (has a size).
    const sdk = await page.evaluate(() =>
      [...document.querySelectorAll(".sdk")].map((group) =>
        [...group.querySelectorAll(".snippet")].map((s) => ({
          label: s.querySelector("p")?.textContent ?? "",
          language: s.querySelector("pre code")?.className ?? "",
          visible: s.getBoundingClientRect().width > 0 && s.getBoundingClientRect().height > 0,
        }))));
    await page.addScriptTag({ content: axe });
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
    });
    report.push({ width, colorScheme, overflow, wide_tables, links, broken, sdk, violations });
    await page.close();
  }
}
await browser.close();
console.log(JSON.stringify(report, null, 2));
