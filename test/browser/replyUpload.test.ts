/**
 * A bureau sends its reply with the scan of its stamped card, 9.5 MB (the limit is 10 MB), on a
 * phone over a slow line (Chromium's network emulation, 3 MB/s up): with script, a progress bar
 * under the submit button counts the upload up to the receipt; a refused reply with its file comes
 * back in place, the file kept; without script the browser sends the form as it is. Screenshots go
 * to test-output/screenshots/reply-upload-*.png.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { focusedId, HAVE_CHROMIUM, inChromium, screenshot, useChromium } from '../support/chromiumPages.js';
import { replyFixture, type ReplyFixture } from '../support/replyFixture.js';

const MIB = 1024 * 1024;

describe.skipIf(!HAVE_CHROMIUM)(inChromium('a reply with a 9.5 MB scan'), () => {
  let fx: ReplyFixture;
  let dir: string;
  let scan: string;
  let sha256: string;
  const chromium = useChromium();
  const served = chromium.serve(() => fx.app);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-upload-'));
    // A PDF by its first bytes (what the reply page checks), 9.5 MB.
    const bytes = Buffer.alloc(9.5 * MIB, 0x20);
    bytes.write('%PDF-1.4\n');
    scan = path.join(dir, 'card.pdf');
    await writeFile(scan, bytes);
    sha256 = createHash('sha256').update(bytes).digest('hex');
  });

  beforeEach(async () => {
    fx = await replyFixture({ attachmentMaxBytes: 10 * MIB });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Uploads go out at 3 MB/s: some three seconds for the scan. */
  async function slowUpload(page: Page): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 3 * MIB,
    });
  }

  /** Every value the progress bar shows, read in the page every 50 ms. */
  const watchProgress = (page: Page) =>
    page.evaluate(`window.progressSeen = []; setInterval(() => {
      const bar = document.getElementById('upload-progress');
      const shown = bar && !bar.closest('[hidden]');
      if (shown) window.progressSeen.push(bar.value);
    }, 50)`);

  it('with script: the progress bar counts the upload, then the receipt', async () => {
    const { page, problems } = await chromium.page(360);
    await slowUpload(page);
    await page.goto(`${served.base}/r/${fx.tokenFor('forestry')}`);
    expect(await page.locator('.reply-upload').isHidden()).toBe(true);
    await page.check('input[name="doc.protection.answer"][value="noComments"]');
    await page.check('input[name="doc.eco-plan.answer"][value="noComments"]');
    await page.fill('[name="responder.name"]', '李林');
    await page.fill('[name="responder.position"]', '林业局办公室主任');
    await page.setInputFiles('input[type="file"]', scan);
    await watchProgress(page);
    await page.click('.reply-submit button.primary');
    await expect.poll(() => page.evaluate<number>('Math.max(0, ...window.progressSeen)')).toBeGreaterThan(20);
    await expect(page.locator('.reply-upload').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('progressbar', { name: '上传进度 Upload progress' }).count()).resolves.toBe(1);
    await screenshot(page, 'reply-upload-progress-360');
    const seen = await page.evaluate<number[]>('window.progressSeen');
    await page.waitForURL(/\/receipt\/\d+$/, { timeout: 30_000 });
    // Counted up on the way: several values between the start and the end.
    expect(new Set(seen.filter((v) => v > 0 && v < 100)).size).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(fx.fake.sent('submitReply')).toHaveLength(1);
    expect(fx.fake.sent('submitReply')[0]!.request.reply.attachmentSha256).toBe(sha256);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('with script: a refused reply comes back in place, its file kept, its problems focused', async () => {
    const { page, problems } = await chromium.page(360, { expectStatus: [422] });
    await page.goto(`${served.base}/r/${fx.tokenFor('forestry')}`);
    // Signed, a file chosen, neither draft answered.
    await page.fill('[name="responder.name"]', '李林');
    await page.fill('[name="responder.position"]', '林业局办公室主任');
    await page.setInputFiles('input[type="file"]', scan);
    await page.click('.reply-submit button.primary');
    await page.waitForSelector('#error-summary');
    expect(await focusedId(page)).toBe('error-summary');
    expect(await page.title()).toMatch(/^有 2 处需要修改/);
    await expect(page.locator('input[name="attachment.keep"]').inputValue()).resolves.toBe(sha256);
    await page.check('input[name="doc.protection.answer"][value="noComments"]');
    await page.check('input[name="doc.eco-plan.answer"][value="noComments"]');
    await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('.reply-submit button.primary')]);
    expect(fx.fake.sent('submitReply')[0]!.request.reply.attachmentSha256).toBe(sha256);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without script: the form sends the scan as it is', async () => {
    const { page, problems } = await chromium.page(360, { javaScriptEnabled: false });
    await page.goto(`${served.base}/r/${fx.tokenFor('forestry')}`);
    await page.check('input[name="doc.protection.answer"][value="noComments"]');
    await page.check('input[name="doc.eco-plan.answer"][value="noComments"]');
    await page.fill('[name="responder.name"]', '李林');
    await page.fill('[name="responder.position"]', '林业局办公室主任');
    await page.setInputFiles('input[type="file"]', scan);
    await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('.reply-submit button.primary')]);
    expect(fx.fake.sent('submitReply')[0]!.request.reply.attachmentSha256).toBe(sha256);
    expect(problems).toEqual([]);
    await page.close();
  });
});
