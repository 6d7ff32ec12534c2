/**
 * The coordinator's first screen, in Chromium, over the seed's seven bureaus two hours past the
 * deadline (test/support/glanceRound.ts): the round list with its figures and filters, and the round's
 * page answering "who is missing, who is late, what needs me" on one 1280 × 800 screen, its rows'
 * actions opening their forms with the bureau chosen; at 360 px neither page scrolls sideways.
 * Screenshots go to test-output/screenshots/coordinator-*.png.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectPageAccessible } from '../support/axe.js';
import {
  expectNoSidewaysScroll,
  expectOnFirstScreen,
  HAVE_CHROMIUM,
  inChromium,
  screenshot,
  signIn,
  useChromium,
} from '../support/chromiumPages.js';
import { glanceRound } from '../support/glanceRound.js';
import { ROUND_ID, type ReplyFixture } from '../support/replyFixture.js';

const MANAGE = `/rounds/${ROUND_ID}/manage`;

/** A laptop's screen (1280 × 800) or a phone's (360 × 780). */
const screen = (width: number) => ({ width, height: width < 600 ? 780 : 800 });

describe.skipIf(!HAVE_CHROMIUM)(inChromium("the coordinator's round list and round page"), () => {
  const chromium = useChromium();
  let fx: ReplyFixture;
  beforeAll(async () => {
    fx = await glanceRound();
  });
  const served = chromium.serve(() => fx.app);

  async function signedIn(width: number): Promise<{ page: Page; problems: string[] }> {
    const opened = await chromium.page(width, { viewport: screen(width) });
    await signIn(opened.page, served.base, 'li', 'coordinator-pw', MANAGE);
    return opened;
  }

  it('the round list: figures per round, filtered by plan and stage', async () => {
    const { page, problems } = await chromium.page(1280, { viewport: screen(1280) });
    await page.goto(`${served.base}/`);
    const rows = page.locator('table.round-list tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    const seed = rows.filter({ hasText: 'test-plan' });
    await expect(seed.innerText()).resolves.toMatch(/第 1 轮[^]*征求意见 Consultation[^]*5\/7[^]*需处理 2/);
    await screenshot(page, 'coordinator-rounds-1280');
    await expectPageAccessible(page, 'round list at 1280 px');
    await page.selectOption('#filter-stage', 'approval');
    await Promise.all([page.waitForURL(/stage=approval/), page.click('.round-filter button[type="submit"]')]);
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().innerText()).resolves.toContain('other-plan');
    await expect(page.inputValue('#filter-stage')).resolves.toBe('approval');
    await page.close();

    const phone = await chromium.page(360);
    await phone.page.goto(`${served.base}/`);
    await expectNoSidewaysScroll(phone.page);
    await screenshot(phone.page, 'coordinator-rounds-360', true);
    await expectPageAccessible(phone.page, 'round list at 360 px');
    await phone.page.close();
    expect([...problems, ...phone.problems]).toEqual([]);
  });

  it("the round's page: who is missing, who is late and what needs me on the first screen; a row's action opens its form", async () => {
    const { page, problems } = await signedIn(1280);
    await expect(page.locator('.glance').innerText()).resolves.toContain(
      '已回复 5/7 · 待回复 1 · 已豁免 1 · 逾期 1 · 需处理 2',
    );
    await expect(page.locator('.attention li').count()).resolves.toBe(2);
    await screenshot(page, 'coordinator-round-1280');
    await expectOnFirstScreen(page, '.glance');
    await expectOnFirstScreen(page, '.attention');
    await expectOnFirstScreen(page, '.glance-table');
    // Statuses in words; Message-IDs and link IDs only once a bureau's details are opened.
    await expect(page.locator('#row-forestry .status').innerText()).resolves.toBe('待回复 Pending');
    await expect(page.locator('#row-culture .status').innerText()).resolves.toBe('已豁免 Waived');
    await expect(page.getByText('forestry-link-2').first().isVisible()).resolves.toBe(false);

    await Promise.all([
      page.waitForURL(/form=extend&bureau=forestry#form-extend$/),
      page.click('#row-forestry a:has-text("延期")'),
    ]);
    await expect(page.locator('#form-extend').getAttribute('open')).resolves.toBe('');
    await expect(page.inputValue('#extend-bureau')).resolves.toBe('forestry');
    await expect(page.locator('#extend-deadline').isVisible()).resolves.toBe(true);
    await screenshot(page, 'coordinator-extend-1280');

    // The bureau's name opens its details, IDs and all.
    await page.click('#row-forestry th a');
    await expect(page.getByText('forestry-link-2').first().isVisible()).resolves.toBe(true);
    await expectPageAccessible(page, 'round page at 1280 px');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the round's page at 360 px: no sideways scroll, the summary line first", async () => {
    const { page, problems } = await signedIn(360);
    await screenshot(page, 'coordinator-round-360-full', true);
    await expectNoSidewaysScroll(page);
    await expectOnFirstScreen(page, '.glance');
    await screenshot(page, 'coordinator-round-360');
    await expectPageAccessible(page, 'round page at 360 px');
    expect(problems).toEqual([]);
    await page.close();
  });
});
