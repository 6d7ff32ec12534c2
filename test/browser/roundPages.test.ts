/**
 * The web app's own round pages in Chromium at a laptop's screen (1280 × 800) and a phone's (360 px),
 * over the seed's seven bureaus two hours past the deadline (test/support/glanceRound.ts): a round's
 * overview (/rounds/:id) answers who is missing, who is late and what needs the coordinator on its
 * first screen; the start page (/new-round) empty, then a refused round file: the problems summed
 * up at the top, focused, counted in the title, each beside its field. Every page passes the checks
 * of test/support/axe.ts. Screenshots go to test-output/screenshots/round-*.png.
 */
import { fixtureApp } from '../support/fixtureApp.js';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { createApp } from '../../web/app.js';
import { expectPageAccessible } from '../support/axe.js';
import {
  expectNoSidewaysScroll,
  expectOnFirstScreen,
  focusedId,
  HAVE_CHROMIUM,
  inChromium,
  screenshot,
  signIn,
  useChromium,
} from '../support/chromiumPages.js';
import { glanceRound } from '../support/glanceRound.js';
import { ROUND_ID, type ReplyFixture } from '../support/replyFixture.js';

const OVERVIEW = `/rounds/${ROUND_ID}`;
const SEEDS = new URL('../../seeds/', import.meta.url);

/** A laptop's screen (1280 × 800) or a phone's (360 × 780). */
const screen = (width: number) => ({ width, height: width < 600 ? 780 : 800 });

describe.skipIf(!HAVE_CHROMIUM)(inChromium("the web app's round overview and start page"), () => {
  const chromium = useChromium();
  let fx: ReplyFixture;
  // The app's PUBLIC_URL is the served address (forms are taken from it alone), known once it is served.
  let app: ReturnType<typeof createApp> | undefined;
  const served = chromium.serve(() => app!);

  beforeAll(async () => {
    fx = await glanceRound();
    app = await fixtureApp(fx, { PUBLIC_URL: `${served.base}/` }, { now: () => fx.clock.now });
  });

  async function signedIn(width: number, next: string, expectStatus: number[] = []) {
    const opened = await chromium.page(width, { viewport: screen(width), expectStatus });
    await signIn(opened.page, served.base, 'li', 'coordinator-pw', next);
    return opened;
  }

  it("the round's overview at 1280 × 800: the summary line and what needs the coordinator on the first screen", async () => {
    const { page, problems } = await signedIn(1280, OVERVIEW);
    await expect(page.locator('.glance').innerText()).resolves.toContain(
      '已回复 5/7 · 待回复 1 · 已豁免 1 · 逾期 1 · 需处理 2',
    );
    const attention = page.locator('.attention li');
    await expect(attention.count()).resolves.toBe(2);
    // Forestry is the one missing and late; its bounced reminder is the other item.
    await expect(attention.allInnerTexts()).resolves.toEqual([
      expect.stringContaining('林业局'),
      expect.stringContaining('林业局'),
    ]);
    await screenshot(page, 'round-overview-1280');
    await expectOnFirstScreen(page, 'h1');
    await expectOnFirstScreen(page, '.glance');
    await expectOnFirstScreen(page, '.attention');
    await expect(page.locator('#row-forestry .status').innerText()).resolves.toBe('待回复 Pending');
    await screenshot(page, 'round-overview-1280-full', true);
    await expectPageAccessible(page, 'round overview at 1280 px');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the round's overview at 360 px: no sideways scroll, the summary line on the first screen", async () => {
    const { page, problems } = await signedIn(360, OVERVIEW);
    await expectNoSidewaysScroll(page);
    await expectOnFirstScreen(page, '.glance');
    await screenshot(page, 'round-overview-360');
    await screenshot(page, 'round-overview-360-full', true);
    await expectPageAccessible(page, 'round overview at 360 px');
    expect(problems).toEqual([]);
    await page.close();
  });

  for (const width of [360, 1280]) {
    it(`the start page at ${width} px: empty, then a refused round file, its problems summed up, focused and beside their fields`, async () => {
      const { page, problems } = await signedIn(width, '/new-round', [422]);
      await expect(page.title()).resolves.toMatch(/^开始审查轮次 Start a round/);
      await expect(page.locator('#error-summary').count()).resolves.toBe(0);
      await screenshot(page, `round-new-${width}`, true);
      await expectPageAccessible(page, `start page at ${width} px`);

      // The seed's round file with a deadline nobody can read, uploaded with one of the three files it names.
      const seed = await readFile(new URL('rounds/xinrong-round-1.yaml', SEEDS), 'utf8');
      await page.setInputFiles('#round-file', {
        name: 'round.yaml',
        mimeType: 'application/yaml',
        buffer: Buffer.from(seed.replace('deadline: P14D', 'deadline: 下周五')),
      });
      await page.setInputFiles('#round-files', {
        name: 'eco-protection-plan.md',
        mimeType: 'text/markdown',
        buffer: await readFile(new URL('documents/eco-protection-plan.md', SEEDS)),
      });
      await Promise.all([page.waitForLoadState('load'), page.click('.round-new-form button[type="submit"]')]);
      await page.waitForSelector('#error-summary');

      await expect(page.title()).resolves.toMatch(/^有 3 处需要修改 3 problems · 开始审查轮次 Start a round/);
      await expect(focusedId(page)).resolves.toBe('error-summary');
      await expectOnFirstScreen(page, '#error-summary h2');
      // The summary comes before everything else on the page.
      await expect(
        page.evaluate<boolean>(
          `document.getElementById('error-summary').compareDocumentPosition(document.querySelector('h1')) === Node.DOCUMENT_POSITION_FOLLOWING`,
        ),
      ).resolves.toBe(true);
      const summary = page.locator('#error-summary li a');
      await expect(summary.count()).resolves.toBe(3);
      await expect(summary.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).resolves.toEqual([
        '#round-file',
        '#round-files',
        '#round-files',
      ]);
      // Beside each field its own problems, tied to it for a screen reader.
      const fileError = page.locator('#round-file-error');
      await expect(fileError.innerText()).resolves.toMatch(/deadline[^]*截止时间[^]*deadline/);
      const filesError = page.locator('#round-files-error');
      await expect(filesError.innerText()).resolves.toMatch(/缺少文件 bureaus\.yaml[^]*缺少文件 xinrong-eco-plan\.md/);
      await expect(filesError.innerText()).resolves.toContain('the file bureaus.yaml is missing');
      for (const id of ['round-file', 'round-files']) {
        await expect(page.locator(`#${id}`).getAttribute('aria-invalid')).resolves.toBe('true');
        await expect(page.locator(`#${id}`).getAttribute('aria-describedby')).resolves.toBe(`${id}-error`);
      }
      // A link of the summary takes the user to its field.
      await page.click('#error-summary a[href="#round-file"]');
      await expect(page.evaluate<string>('location.hash')).resolves.toBe('#round-file');
      await screenshot(page, `round-new-refused-${width}`, true);
      // File names are data, named in the Chinese as they are.
      await expectPageAccessible(page, `refused start page at ${width} px`, {
        englishAllowed: [/\b[\w-]+\.(md|yaml)\b/],
      });
      const listed = await fx.fake.list();
      expect(listed.kind === 'done' && listed.value.length, 'nothing started').toBe(2);
      expect(problems).toEqual([]);
      await page.close();
    });
  }
});
