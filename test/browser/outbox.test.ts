/**
 * The outbox in Chromium over real emails in the project's own mail sink: the list at 1280 and
 * 360 px (no sideways scroll), filtered by round; a message opened shows its HTML rendered in the
 * sandboxed frame (the "Reply now" button as the bureau sees it), with nothing allowed to run there.
 * Screenshots go to test-output/screenshots/outbox-*.png.
 */
import { fixtureApp } from '../support/fixtureApp.js';
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createApp } from '../../web/app.js';
import { expectPageAccessible } from '../support/axe.js';
import {
  expectNoSidewaysScroll,
  HAVE_CHROMIUM,
  inChromium,
  screenshot,
  signIn,
  useChromium,
} from '../support/chromiumPages.js';
import { outboxWithMail, SEED_ROUND, type OutboxMail } from '../support/outboxMail.js';
import { replyFixture } from '../support/replyFixture.js';

describe.skipIf(!HAVE_CHROMIUM)(inChromium('the outbox'), () => {
  const chromium = useChromium();
  let mail: OutboxMail;
  // The app's PUBLIC_URL is the served address, known once it is served.
  let app: ReturnType<typeof createApp> | undefined;
  const served = chromium.serve(() => app!);

  beforeAll(async () => {
    mail = await outboxWithMail();
    const fx = await replyFixture();
    app = await fixtureApp(
      fx,
      { PUBLIC_URL: `${served.base}/`, PLAN_REVIEW_DATA_DIR: mail.dir },
      { outboxDir: mail.dir },
    );
  });

  afterAll(async () => {
    if (mail) await rm(mail.dir, { recursive: true, force: true });
  });

  async function signedIn(width: number): Promise<{ page: Page; problems: string[] }> {
    const opened = await chromium.page(width, { viewport: { width, height: width < 600 ? 780 : 800 } });
    await signIn(opened.page, served.base, 'li', 'coordinator-pw', '/outbox');
    return opened;
  }

  it('lists the messages with times named, filters by round, and opens one rendered', async () => {
    const { page, problems } = await signedIn(1280);
    const rows = page.locator('table.outbox-list tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    await expect(rows.first().innerText()).resolves.toMatch(/北京时间 \(UTC\+8\)/);
    await screenshot(page, 'outbox-1280');
    await expectPageAccessible(page, 'outbox at 1280 px');
    await page.selectOption('#outbox-round', SEED_ROUND);
    await Promise.all([page.waitForURL(/round=/), page.click('.outbox-filter button[type="submit"]')]);
    await expect(rows.count()).resolves.toBe(2);

    await Promise.all([page.waitForURL(/\/outbox\/[\w-]+\.eml$/), rows.first().locator('a').first().click()]);
    const frame = page.frameLocator('iframe.outbox-body');
    const button = frame.getByRole('link', { name: '立即回复 Reply now' });
    await expect(button.count()).resolves.toBe(1);
    // As the bureau sees it, on the first screen; the frame may run nothing (an empty sandbox: no scripts, no forms, no origin).
    const box = await button.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    await expect(page.locator('iframe.outbox-body').getAttribute('sandbox')).resolves.toBe('');
    await screenshot(page, 'outbox-message-1280');
    await expectPageAccessible(page, 'an email in the outbox at 1280 px');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits a phone: no sideways scroll on the list or a message', async () => {
    const { page, problems } = await signedIn(360);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'outbox-360', true);
    await expectPageAccessible(page, 'outbox at 360 px');
    await Promise.all([page.waitForURL(/\.eml$/), page.locator('table.outbox-list tbody tr a').first().click()]);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'outbox-message-360');
    expect(problems).toEqual([]);
    await page.close();
  });
});
