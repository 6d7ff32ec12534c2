/**
 * A reply sent in the grace period after the deadline is late (逾期) wherever it appears, and the
 * times an audit reads show seconds and name the zone as 北京时间 (UTC+8), the IANA name on hover:
 * in Chromium, a bureau replies two hours after its deadline on a phone and reads its receipt and
 * its page; the coordinator's page at 1280 px marks the bureau and its reply late. Screenshots go to
 * test-output/screenshots/late-*.png.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { coordinatorApp } from '../support/coordinatorApp.js';
import {
  expectNoSidewaysScroll,
  HAVE_CHROMIUM,
  inChromium,
  screenshot,
  screenshotPath,
  signIn,
  useChromium,
} from '../support/chromiumPages.js';
import { DAY, replyFixture, ROUND_ID, type ReplyFixture } from '../support/replyFixture.js';

describe.skipIf(!HAVE_CHROMIUM)(inChromium('a late reply'), () => {
  let fx: ReplyFixture;
  const chromium = useChromium();
  const served = chromium.serve(() => fx.app);

  beforeAll(async () => {
    fx = await replyFixture({ graceMs: DAY });
    fx.app.route('/', await coordinatorApp(fx.fake, fx.store));
    // Two hours and five seconds after the deadline, within the day of grace.
    fx.clock.now = new Date(fx.deadline.getTime() + 2 * 3600_000 + 5_000);
  });

  /** The text of a <time> and the IANA zone it names on hover. */
  const timeIn = async (page: Page, selector: string) => {
    const time = page.locator(`${selector} time`).first();
    return { text: await time.innerText(), zone: await time.getAttribute('title') };
  };

  it('the bureau sees its reply marked late on the receipt and on its page, to the second in Beijing time', async () => {
    const { page, problems } = await chromium.page(360);
    await page.goto(`${served.base}/r/${fx.tokenFor('forestry')}`);
    await expect(page.locator('.deadline-banner-late').innerText()).resolves.toContain('逾期');
    await page.check('input[name="doc.protection.answer"][value="noComments"]');
    await page.check('input[name="doc.eco-plan.answer"][value="noComments"]');
    await page.fill('[name="responder.name"]', '李林');
    await page.fill('[name="responder.position"]', '林业局办公室主任');
    await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('.reply-submit button.primary')]);

    await expect(page.locator('.reply-receipt .late-tag').innerText()).resolves.toContain('逾期');
    expect(await timeIn(page, '.reply-receipt dl.facts')).toEqual({
      text: '2022-02-17 12:00:05 北京时间 (UTC+8)',
      zone: 'Asia/Shanghai',
    });
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'late-receipt-360', true);

    await page.goto(`${served.base}/r/${fx.tokenFor('forestry')}`);
    const previous = page.locator('.reply-previous li').first();
    await expect(previous.locator('.late-tag').innerText()).resolves.toContain('逾期');
    await expect(previous.innerText()).resolves.toContain('2022-02-17 12:00:05 北京时间 (UTC+8)');
    await screenshot(page, 'late-reply-page-360');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the coordinator's page marks the bureau and its reply late", async () => {
    const { page, problems } = await chromium.page(1280);
    const manage = `/rounds/${ROUND_ID}/manage`;
    await signIn(page, served.base, 'li', 'coordinator-pw', manage);
    // Each bureau's particulars are folded under the round's summary table: open the forestry bureau's.
    await page.locator('details.coord-bureau-details:has(#bureau-forestry) > summary').click();
    const forestry = page.locator('#bureau-forestry');
    await expect(forestry.locator('.coord-outcome').locator('xpath=..').locator('.late-tag').count()).resolves.toBe(1);
    await expect(forestry.locator('.coord-reply h4 .late-tag').count()).resolves.toBe(1);
    const submitted = forestry.locator('.coord-reply dl.facts dd').nth(1);
    await expect(submitted.innerText()).resolves.toContain('2022-02-17 12:00:05 北京时间 (UTC+8)');
    await expect(submitted.locator('time').getAttribute('title')).resolves.toBe('Asia/Shanghai');
    // A bureau that replied on time is not marked.
    await expect(page.locator('#bureau-finance .late-tag').count()).resolves.toBe(0);
    await forestry.scrollIntoViewIfNeeded();
    await forestry.screenshot({ path: screenshotPath('late-coordinator-1280') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
