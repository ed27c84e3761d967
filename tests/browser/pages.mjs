// pages.mjs — drives khabar serve's web page in Debian's chromium through
// playwright-core: real phone (390 px) and desktop (1280 px) viewports,
// keyboard use, search as you type, JavaScript off, and full-page
// screenshots. Run by test_pages.sh:
//   node pages.mjs BASE_URL OUT_DIR ARTICLE_PATH
// Prints one line per failed check and ends with "N passed, N failed".
import { createRequire } from "node:module";
const require = createRequire(process.env.PLAYWRIGHT_DIR + "/");
const { chromium } = require("playwright-core");

const [base, out, articlePath] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.log("FAIL: " + what); }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };
  const q = encodeURIComponent("النفط");
  for (const [name, viewport] of Object.entries(sizes)) {
    const ctx = await browser.newContext({ viewport, locale: "ar", isMobile: name === "phone", hasTouch: name === "phone" });
    const page = await ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));

    await page.goto(base + "/");
    check(await page.getAttribute("html", "data-js") === "on", `${name}: app.js ran`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth) - viewport.width;
    check(overflow <= 0, `${name}: home page wider than the screen by ${overflow}px`);
    await page.screenshot({ path: `${out}/home-${name}.png`, fullPage: true });

    await page.goto(`${base}/search?q=${q}`);
    check(await page.locator(".hit").count() === 2, `${name}: two hits`);
    check(await page.locator(".hit mark").first().textContent() === "النفط", `${name}: highlighted match`);
    const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth) - viewport.width;
    check(overflow2 <= 0, `${name}: results page wider than the screen by ${overflow2}px`);
    await page.screenshot({ path: `${out}/search-${name}.png`, fullPage: true });

    await page.goto(base + articlePath);
    check((await page.locator("article.story h1").textContent()).length > 10, `${name}: article headline`);
    const overflow3 = await page.evaluate(() => document.documentElement.scrollWidth) - viewport.width;
    check(overflow3 <= 0, `${name}: article page wider than the screen by ${overflow3}px`);
    await page.screenshot({ path: `${out}/article-${name}.png`, fullPage: true });

    await page.goto(`${base}/search?q=${encodeURIComponent("كلمةغيرموجودة")}&source=sabq`);
    check(await page.locator(".notice.empty h1").count() === 1, `${name}: no-results message`);
    await page.screenshot({ path: `${out}/noresults-${name}.png`, fullPage: true });

    await page.goto(`${base}/search?q=${encodeURIComponent("(النفط")}`);
    check(await page.locator(".notice.error h1").textContent() === "لم نفهم صيغة البحث", `${name}: error message`);
    await page.screenshot({ path: `${out}/error-${name}.png`, fullPage: true });

    check(errors.length === 0, `${name}: script errors: ${errors.join("; ")}`);
    await ctx.close();
  }

  // Keyboard: "/" focuses the search box; typing and Enter search; j moves
  // to the first result; Enter opens it.
  {
    const ctx = await browser.newContext({ viewport: sizes.desktop });
    const page = await ctx.newPage();
    await page.goto(base + "/");
    await page.keyboard.press("/");
    check(await page.evaluate(() => document.activeElement && document.activeElement.id) === "q", "'/' focuses the search box");
    await page.keyboard.type("الهلال");
    await Promise.all([page.waitForURL(/\/search\?q=/), page.keyboard.press("Enter")]);
    check(await page.locator(".hit").count() === 2, `keyboard search: two hits at ${page.url()}`);
    const firstTitle = await page.locator(".hit h2 a").first().textContent();
    await page.keyboard.press("j");
    check(await page.evaluate(() => document.activeElement.closest(".hit") !== null), "j focuses the first result");
    await Promise.all([page.waitForURL(/\/article\//), page.keyboard.press("Enter")]);
    check(await page.locator("article.story h1").textContent() === firstTitle, "Enter opens the first result");
    await Promise.all([page.waitForURL(/\/search\?q=/), page.click(".back a")]);
    check(await page.locator(".hit").count() === 2, "the article links back to its results");

    // Search as you type: the results change without submitting.
    await page.goto(`${base}/search?q=${q}`);
    await page.fill("#q", "الوزراء");
    await page.waitForFunction(() => document.querySelectorAll(".hit").length === 2 &&
      location.search.includes(encodeURIComponent("الوزراء")), null, { timeout: 10000 });
    check(await page.locator(".hit mark").first().textContent() === "الوزراء", "search as you type");
    await ctx.close();
  }

  // JavaScript off: the server-rendered page is all there is.
  {
    const ctx = await browser.newContext({ viewport: sizes.phone, javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(base + "/");
    check(await page.getAttribute("html", "data-js") === null, "JS off: the script did not run");
    await page.fill("#q", "النفط");
    await Promise.all([page.waitForURL(/\/search\?q=/), page.press("#q", "Enter")]);
    check(await page.locator(".hit").count() === 2, "JS off: the form searches");
    await Promise.all([page.waitForURL(/source=aawsat/), page.click("a[href*='source=aawsat']")]);
    check(await page.locator(".hit").count() === 1, "JS off: a facet narrows");
    await Promise.all([page.waitForURL(/\/article\//), page.click(".hit h2 a")]);
    check(await page.locator("article.story h1").count() === 1, "JS off: the article opens");
    await page.screenshot({ path: `${out}/nojs-article-phone.png`, fullPage: true });
    await ctx.close();
  }
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
