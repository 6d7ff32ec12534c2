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
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from '../../bench/support/chromium.js';
import { freePort } from '../../infra/ports.js';

export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);

/** The describe's name, saying why it is skipped on a machine without Chromium. */
export const inChromium = (what: string): string =>
  `${what} in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM_PATH} is not installed; scripts/setup.sh installs it)`}`;

// Served as the web app serves it, for apps built of routes alone.
const STYLE = readFileSync(new URL('../../web/static/style.css', import.meta.url));

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

/** What fetches a page: a Hono app, or anything with its `fetch`. */
export interface Fetcher {
  fetch(req: Request): Response | Promise<Response>;
}

/** The browser tests' shared setup, for one describe: Chromium for its tests, and the apps it serves. */
export interface ChromiumSuite {
  /** The browser, once its tests run. */
  readonly browser: Browser;
  /**
   * Serves the app `app()` returns (read on every request, so a test may swap it) on a free port,
   * with the real stylesheet at /static/style.css, for the describe's tests.
   */
  serve(app: () => Fetcher): { readonly base: string };
  /** A page `width` px wide (openPage). */
  page(width: number, opts?: Parameters<typeof openPage>[2]): ReturnType<typeof openPage>;
}

/**
 * Call inside a describe (skipped without Chromium: `describe.skipIf(!HAVE_CHROMIUM)(inChromium(...))`):
 * launches Chromium before its tests and closes it, and the servers, after them.
 */
export function useChromium(): ChromiumSuite {
  let browser: Browser | undefined;
  const started = (): Browser => {
    if (!browser) throw new Error('Chromium is not started yet: use it inside a test');
    return browser;
  };
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      return started();
    },
    serve(app) {
      let served: Served | undefined;
      beforeAll(async () => {
        served = await serveApp((req) =>
          new URL(req.url).pathname === '/static/style.css'
            ? new Response(STYLE, { headers: { 'content-type': 'text/css; charset=utf-8' } })
            : app().fetch(req),
        );
      });
      afterAll(async () => {
        await served?.close();
      });
      return {
        get base() {
          if (!served) throw new Error('the app is not served yet: use it inside a test');
          return served.base;
        },
      };
    },
    page: (width, opts) => openPage(started(), width, opts),
  };
}

/** Signs in through the sign-in page and waits for `next`, where it sends the user. */
export async function signIn(page: Page, base: string, username: string, password: string, next: string) {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await Promise.all([page.waitForURL(`${base}${next}`), page.click('.coord-login button[type="submit"]')]);
}

/** The id of the element that has the focus ('' for the body). */
export const focusedId = (page: Page): Promise<string> => page.evaluate<string>('document.activeElement?.id ?? ""');
