/// <reference lib="dom" />
// The dashboard as a person uses it, in headless Chromium: refused without a session, sign-in with
// the token, the overview's charts drawn from rows the test wrote (the figures equal the rows), a
// filter, a task page and the trajectory viewer. A screenshot of each page goes to test/artifacts/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrate, openDatabase } from "../../db/client.js";
import { createLogger } from "../../src/logger.js";
import { Metrics } from "../../src/metrics.js";
import { Queues } from "../../src/queue.js";
import { sftMasking } from "../../src/runtime/sft-masking.js";
import { buildServer } from "../../src/web/server.js";
import { launchChromium } from "../support/browser.js";
import { ACME, HUGE_ROLLOUT, seedDashboard, type Seeded } from "../support/dashboard-seed.js";
import { createTempDatabase, type TempDatabase } from "../support/pg.js";
import { requireRedis } from "../support/services.js";
import { testConfig } from "../support/test-config.js";

const TOKEN = "browser-token-0123456789abcdef";
const ARTIFACTS = path.resolve("test/artifacts");

let temp: TempDatabase;
let database: DatabaseHandle;
let queues: Queues;
let app: FastifyInstance;
let url: string;
let browser: Browser;
let page: Page;
let seeded: Seeded;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
const figure = async (label: string) => Number((await page.locator(".tile", { hasText: label }).locator(".num").innerText()).replace(/,/g, ""));

/** The numbers Chart.js holds for the chart with this caption: what it drew. */
async function chartData(caption: string): Promise<{ labels: string[]; data: number[][] }> {
  return page.locator("figure.chart", { hasText: caption }).locator("canvas").evaluate((canvas) => {
    const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: string[]; datasets: { data: number[] }[] } } } }).Chart.getChart(canvas as HTMLCanvasElement);
    return { labels: chart.data.labels, data: chart.data.datasets.map((d) => d.data) };
  });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await requireRedis();
  temp = await createTempDatabase();
  database = await openDatabase({ url: temp.url, dataDir: "/nonexistent" });
  await migrate(database);
  seeded = await seedDashboard(database.db);
  const config = testConfig({ LEGO_DASHBOARD_TOKEN: TOKEN });
  queues = new Queues(config.REDIS_URL, config.LEGO_QUEUE_PREFIX);
  app = await buildServer({ config, log: createLogger("silent"), database, queues, appYmlPath: path.resolve("app.yml"), envFile: "/nonexistent/.env", metrics: new Metrics(), maskStep: sftMasking });
  url = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await queues?.close();
  await database?.close();
  await temp?.drop();
});

describe("dashboard in Chromium", () => {
  it("refuses a request without a session: the page goes to sign-in, the data answers 401", async () => {
    await page.goto(`${url}/dashboard/tasks`);
    expect(new URL(page.url()).pathname).toBe("/dashboard/login");
    const status = await page.evaluate(async () => (await fetch("/dashboard?format=json", { credentials: "omit" })).status);
    expect(status).toBe(401);
    await shot("sign-in");
  });

  it("signs in with the token and draws the overview's charts from the rows", async () => {
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${url}/dashboard/tasks`);
    await page.goto(`${url}/dashboard`);
    await page.waitForSelector('html[data-charts="drawn"]');
    expect(await figure("Tasks harvested")).toBe(seeded.all.tasks);
    expect(await figure("Valid tasks")).toBe(seeded.all.valid);
    expect(await figure("Rollouts")).toBe(seeded.all.rollouts);
    expect(await page.locator("#acceptance-rate").innerText()).toBe("50%");
    const outcomes = await chartData("Rollouts by outcome");
    expect(outcomes.labels.slice(0, 5)).toEqual(["resolved", "semi-resolved", "unresolved", "cheated", "infra-error"]);
    expect(outcomes.data[0]?.slice(0, 5)).toEqual([2, 0, 1, 1, 0]);
    const builds = await chartData("Builds by outcome");
    expect(builds.data[0]).toEqual([1, 2, 0]);
    const overTime = await chartData("Tasks by status over time");
    expect(overTime.data.flat().reduce((a, b) => a + b, 0)).toBe(seeded.all.tasks);
    // Drawn, not just present: the canvas has pixels.
    const painted = await page.locator("figure.chart", { hasText: "Rollouts by outcome" }).locator("canvas").evaluate((c) => {
      const ctx = (c as HTMLCanvasElement).getContext("2d");
      const { data } = ctx?.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height) ?? { data: [] };
      return Array.from(data).some((v, i) => i % 4 === 3 && v > 0);
    });
    expect(painted).toBe(true);
    await shot("overview");
  });

  it("filters by installation and follows a figure to its rows", async () => {
    await page.selectOption('select[name="installation"]', String(ACME.installation));
    await page.click('.filters button[type="submit"]');
    await page.waitForURL(/installation=101/);
    await page.waitForSelector('html[data-charts="drawn"]');
    expect(await figure("Tasks harvested")).toBe(seeded.acme.tasks);
    expect(await figure("Fix PRs opened")).toBe(seeded.acme.prs);
    await shot("overview-filtered");
    await page.locator("table tr", { hasText: "no linked issue" }).locator("a.num").click();
    await page.waitForURL(/\/dashboard\/tasks\?/);
    expect(await page.locator("tbody tr").count()).toBe(seeded.acme.skippedNoIssue);
    expect(await page.locator(".pager").innerText()).toContain(`${seeded.acme.skippedNoIssue} rows`);
    await shot("tasks-filtered");
  });

  it("shows a task: problem statement, patches as diffs, tests with each run's status, validation logs", async () => {
    await page.goto(`${url}/dashboard/tasks/acme__widgets-1`);
    expect(await page.locator("pre.text").first().innerText()).toContain("add() subtracts <b>instead</b> of adding");
    expect(await page.locator("pre.diff .d-add", { hasText: "return a + b" }).count()).toBe(1);
    const f2p = page.locator("table", { has: page.locator("td", { hasText: "tests/test_calc.py::test_add" }) }).first();
    expect(await f2p.locator("tbody tr").first().innerText()).toMatch(/test_add\s+FAILED\s+PASSED/);
    expect(await page.locator("details summary").first().innerText()).toContain("NOP 1: exit 1");
    await shot("task");
  });

  it("shows a trajectory step by step with the SFT-masked turn highlighted, markup as text and a huge observation cut", async () => {
    await page.goto(`${url}/dashboard/rollouts/${HUGE_ROLLOUT}`);
    expect(await page.locator("li.step").count()).toBe(5);
    const masked = page.locator("li.step.masked");
    expect(await masked.count()).toBe(1);
    expect(await masked.getAttribute("data-step")).toBe("1");
    expect(await masked.locator(".mask-label").innerText()).toBe("masked in SFT");
    // Highlighted, not just labelled: its background differs from an unmasked step's.
    const background = (sel: string) => page.locator(sel).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await background('li.step[data-step="1"]')).not.toBe(await background('li.step[data-step="2"]'));
    expect(await page.locator("#masked-count").innerText()).toBe("1");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    const observation = await page.locator('li.step[data-step="2"] pre.observation').innerText();
    expect(observation).toContain("<script>window.__pwned = true</script>");
    expect(observation.length).toBeLessThan(7000);
    expect(await page.locator("#verifier-score").innerText()).toBe("0.913");
    await shot("trajectory");
  });
});
