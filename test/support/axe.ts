/**
 * The accessibility checks every page of a browser test can run: axe-core's automated audit
 * (every rule it has, on the whole document, nothing excluded), and the checks axe leaves to people
 * that these pages can state exactly: English marked lang="en", headings that nest without skipping
 * a level, and no sideways scroll at the page's width.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

// Read once; evaluated in the page through the protocol, which the pages' CSP (script-src 'self')
// does not govern, so the page is checked with its real headers on.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A violation as a test failure reads it: the rule, its impact, what it asks, and the elements. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

const finding = (r: Result): AxeFinding => ({
  id: r.id,
  impact: r.impact ?? 'unknown',
  help: r.help,
  targets: r.nodes.slice(0, 8).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`),
});

/** Every violation axe-core finds on the page as it is now (all rules, whole document). */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate<AxeResults>(`axe.run(document, { resultTypes: ['violations'] })`);
  return results.violations.map(finding);
}

/**
 * The page has no serious or critical violation. Run on the page as it opens, then with every
 * <details> opened, so that folded forms and documents are checked too. Returns the lesser
 * violations for the caller to log or check.
 */
export async function expectAccessible(page: Page, what: string): Promise<AxeFinding[]> {
  const found: AxeFinding[] = [];
  for (const unfold of [false, true]) {
    if (unfold) await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
    const violations = await axeViolations(page);
    const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect.soft(severe, `${what}${unfold ? ' (every <details> open)' : ''}: axe-core`).toEqual([]);
    for (const v of violations) if (!found.some((f) => f.id === v.id)) found.push(v);
  }
  return found;
}

/**
 * Latin words outside a lang="en" element (Chinese pages mark their English so that a screen reader
 * speaks it as English): the text of elements in lang zh with three or more Latin letters in a row,
 * except code, hashes, addresses, and names (the product's name, IDs) given in `allow`.
 */
export async function unmarkedEnglish(page: Page, allow: RegExp[] = []): Promise<string[]> {
  const texts = await page.evaluate<string[]>(`(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      // An <option> holds text only, so its English cannot be marked: left out.
      if (!el || el.closest('code, pre, script, style, time, option, [lang]:not([lang^="zh"]), .doc-body, [aria-hidden="true"]')) continue;
      if (el.closest('[hidden]') || getComputedStyle(el).display === 'none') continue;
      const t = n.textContent.trim();
      if (/[A-Za-z]{3,}/.test(t)) out.push(t);
    }
    return out;
  })()`);
  // Data, not English: addresses, zone names, ids, hashes, and the names of formats and products.
  const always = [
    /https?:\/\/\S+/,
    /[\w.+-]+@[\w.-]+/,
    /\b[A-Z][a-z]+\/[A-Za-z_]+\b/,
    /\b[\w-]+:[\w:.-]+/,
    /\b[a-z]+(-\d+)+\b/,
    /\b[0-9a-f]{8,}…?/,
    /\bplan-review\b/,
    /\b(SHA-256|PDF|PNG|JPEG|CSV|JSON|Markdown|MB|MiB|KB|RFC|Temporal|Web UI|UTF-8|UTC|Message-ID|ID)\b/,
  ];
  return texts.filter((t) => {
    let rest = t;
    for (const re of [...always, ...allow]) rest = rest.replace(new RegExp(re.source, 'g' + re.flags), '');
    return /[A-Za-z]{3,}/.test(rest);
  });
}

/** The page's headings (h1–h6) in order, each with its level. */
export async function headings(page: Page): Promise<{ level: number; text: string }[]> {
  return page.evaluate(
    `[...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter((h) => h.getClientRects().length || h.closest('details')).map((h) => ({ level: Number(h.tagName[1]), text: h.textContent.trim().slice(0, 60) }))`,
  );
}

/**
 * One h1, and each heading at most one level below the one before it (a refused form's summary, an
 * h2, may come before the h1: it is what the user must read first).
 */
export async function expectHeadingsNested(page: Page, what: string): Promise<void> {
  const hs = await headings(page);
  expect.soft(hs.filter((h) => h.level === 1).length, `${what}: one h1`).toBe(1);
  const skips = hs.filter((h, i) => i > 0 && h.level > hs[i - 1]!.level + 1);
  expect.soft(skips, `${what}: headings that skip a level`).toEqual([]);
}

/** The innermost elements that reach past `width`, to say what widens the page. */
export async function overflowing(page: Page, width: number): Promise<string> {
  const found = await page.evaluate<string[]>(`(() => {
    const wide = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > ${width} + 0.5);
    return wide.filter((e) => !wide.some((o) => o !== e && e.contains(o))).slice(0, 6)
      .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right));
  })()`);
  return found.join(', ');
}

/** Form fields with no accessible name (no label, aria-label or aria-labelledby). */
export async function unlabelledFields(page: Page): Promise<string[]> {
  return page.evaluate(
    `[...document.querySelectorAll('input:not([type="hidden"]), select, textarea')].filter((f) => !f.labels?.length && !f.getAttribute('aria-label') && !f.getAttribute('aria-labelledby')).map((f) => f.name || f.id)`,
  );
}

/** English text (lang="en") whose letters are spaced apart: spacing meant for a Chinese title, inherited. */
export async function stretchedEnglish(page: Page): Promise<string[]> {
  return page.evaluate(
    `[...document.querySelectorAll('[lang="en"]')].filter((e) => getComputedStyle(e).letterSpacing !== 'normal').map((e) => e.textContent.trim().slice(0, 40))`,
  );
}

/** Every check of this file that holds for any page: axe-core, English marked, headings, labels, no sideways scroll. */
export async function expectPageAccessible(
  page: Page,
  what: string,
  opts: { englishAllowed?: RegExp[] } = {},
): Promise<AxeFinding[]> {
  const width = page.viewportSize()!.width;
  const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
  expect
    .soft(scroll, `${what}: scrollWidth at ${width} px (${await overflowing(page, width)})`)
    .toBeLessThanOrEqual(width);
  expect.soft(await unlabelledFields(page), `${what}: fields without a label`).toEqual([]);
  expect.soft(await unmarkedEnglish(page, opts.englishAllowed), `${what}: English outside lang="en"`).toEqual([]);
  expect.soft(await stretchedEnglish(page), `${what}: English with letter-spacing`).toEqual([]);
  await expectHeadingsNested(page, what);
  const skip = await page
    .locator('a.skip-link')
    .first()
    .getAttribute('href', { timeout: 1000 })
    .catch(() => null);
  expect.soft(skip, `${what}: a skip link to the main content`).toBe('#main');
  expect.soft(await page.locator('#main').count(), `${what}: the skip link's target`).toBe(1);
  return expectAccessible(page, what);
}
