/**
 * What the browser tests share: a web app served on a free port with the real stylesheet, pages in
 * Debian's headless Chromium at a given width that collect script errors and failed responses,
 * the checks every page must pass on a phone (no sideways scroll, controls within reach), and
 * screenshots for review in test-output/screenshots/ (ignored by git).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_PATH } from '../../bench/support/chromium.js';
import { freePort } from '../../infra/ports.js';

export { launchChromium } from '../../bench/support/chromium.js';

export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);

/** The describe's name, saying why it is skipped on a machine without Chromium. */
export const inChromium = (what: string): string =>
  `${what} in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM_PATH} is not installed; scripts/setup.sh installs it)`}`;

const STYLE = readFileSync(new URL('../../web/static/style.css', import.meta.url));

/** Answers /static/style.css as the web app does, for an app built of routes alone. */
export function withStyle(app: Hono): Hono {
  app.get('/static/style.css', (c) => c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8' }));
  return app;
}

export interface Served {
  base: string;
  close(): Promise<void>;
}

/** Serves `fetch` (read on every request, so a test may swap the app behind it) on 127.0.0.1. */
export async function serveApp(fetch: (req: Request) => Response | Promise<Response>): Promise<Served> {
  const port = await freePort();
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (req) => fetch(req), hostname: '127.0.0.1', port }, () => resolve(s));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A page `width` px wide; `problems` collects script errors and responses of 400 and above. */
export async function openPage(
  browser: Browser,
  width: number,
  opts: BrowserContextOptions & { expectStatus?: number[] } = {},
): Promise<{ page: Page; problems: string[] }> {
  const { expectStatus = [], ...context } = opts;
  const page = await browser.newPage({
    viewport: { width, height: width < 600 ? 780 : 900 },
    locale: 'zh-CN',
    ...context,
  });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('response', (res) => {
    if (res.status() >= 400 && !expectStatus.includes(res.status()) && !res.url().endsWith('/favicon.ico'))
      problems.push(`${res.status()} ${res.url()}`);
  });
  return { page, problems };
}

/** The page does not scroll sideways. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  // A string: the tests are type-checked without the DOM's types.
  const [scroll, client] = await page.evaluate<[number, number]>(
    '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
  );
  expect(scroll, `scrollWidth ${scroll} > clientWidth ${client}`).toBeLessThanOrEqual(client);
}

/** An element is shown and lies within the viewport's width. */
export async function expectWithinWidth(page: Page, selector: string, width: number): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.x, selector).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, selector).toBeLessThanOrEqual(width);
}

/** An element lies wholly within the first screen (no scrolling needed to see it). */
export async function expectOnFirstScreen(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  const viewport = page.viewportSize()!;
  expect(box, selector).not.toBeNull();
  expect(box!.y, selector).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height, `${selector} ends below the first screen`).toBeLessThanOrEqual(viewport.height);
  expect(box!.x + box!.width, selector).toBeLessThanOrEqual(viewport.width);
}

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/** test-output/screenshots/<name>.png, its folder made. */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return `${SCREENSHOT_DIR}${name}.png`;
}

/** Writes test-output/screenshots/<name>.png: the first screen, or the whole page with `fullPage`. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  const path = screenshotPath(name);
  await page.screenshot({ path, fullPage });
  return path;
}

/** The id of the element that has the focus ('' for the body). */
export const focusedId = (page: Page): Promise<string> => page.evaluate<string>('document.activeElement?.id ?? ""');
