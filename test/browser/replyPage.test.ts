/**
 * The reply page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
 * a bureau opens its link, answers "no comments" on the first document, writes two comments on
 * the second (the second row added with "add a comment"), signs and submits, and reads its receipt.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium } from '../../bench/support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/ports.js';
import { replyFixture, type ReplyFixture } from '../support/replyFixture.js';

const CHROMIUM = CHROMIUM_PATH;
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOT = '/tmp/plan-review-reply-form.png';
const STYLE = readFileSync(new URL('../../web/static/style.css', import.meta.url));

describe.skipIf(!HAVE_CHROMIUM)(
  `reply page in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is not installed; scripts/setup.sh installs it)`}`,
  () => {
    let fx: ReplyFixture;
    let server: ServerType;
    let base: string;
    let browser: Browser;

    beforeAll(async () => {
      fx = await replyFixture();
      fx.app.get('/static/style.css', (c) => c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8' }));
      const port = await freePort();
      server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: fx.app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
      });
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    });

    it('a bureau answers both documents through its link and gets its receipt', async () => {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
      const scriptErrors: string[] = [];
      page.on('pageerror', (err) => scriptErrors.push(String(err)));
      page.on('response', (res) => {
        if (res.status() >= 400 && !res.url().endsWith('/favicon.ico'))
          scriptErrors.push(`${res.status()} ${res.url()}`);
      });
      const token = fx.tokenFor('forestry');
      await page.goto(`${base}/r/${token}`);
      await expect(page.locator('.reply-card h1').innerText()).resolves.toContain('征求意见卡');
      await expect(page.locator('.reply-card').innerText()).resolves.toContain('大同市新荣区林业局');

      // First document: no comments. Second: one comment, then "add a comment" for the second.
      await page.check('input[name="doc.protection.answer"][value="noComments"]');
      await page.check('input[name="doc.eco-plan.answer"][value="comments"]');
      await page.fill('[name="doc.eco-plan.c.0.page"]', '33');
      await page.selectOption('[name="doc.eco-plan.c.0.section"]', '1.1.1');
      await page.fill('[name="doc.eco-plan.c.0.quote"]', '新荣区位于大同市北部。');
      await page.fill('[name="doc.eco-plan.c.0.text"]', '2025 年森林覆盖率目标应为 27.04%。');
      await page.fill('[name="doc.eco-plan.c.0.change"]', '改为“确保森林覆盖率提高到 27.04% 以上”。');
      await Promise.all([page.waitForLoadState('load'), page.click('button[value="add:eco-plan"]')]);
      await page.waitForSelector('[name="doc.eco-plan.c.1.text"]');
      // Everything typed survived the round trip.
      await expect(page.inputValue('[name="doc.eco-plan.c.0.text"]')).resolves.toBe(
        '2025 年森林覆盖率目标应为 27.04%。',
      );
      await expect(page.inputValue('[name="doc.eco-plan.c.0.section"]')).resolves.toBe('1.1.1');
      await expect(page.isChecked('input[name="doc.protection.answer"][value="noComments"]')).resolves.toBe(true);

      // The section link in the document pre-selects the section of the empty row (progressive script).
      await page.click('#doc-eco-plan > summary');
      const before = page.url();
      await page.click('#sec-2\\.1 a.doc-comment-link');
      await expect(page.inputValue('[name="doc.eco-plan.c.1.section"]')).resolves.toBe('2.1');
      expect(page.url()).toBe(before);
      await page.click('#doc-eco-plan > summary'); // fold the document again for the screenshot

      await page.fill('[name="doc.eco-plan.c.1.text"]', '“煤改电”工程须由施工方提供长久的售后服务。');
      await page.fill('[name="responder.name"]', '李林');
      await page.fill('[name="responder.position"]', '林业局办公室主任');
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('button[value="submit"]')]);
      const n = await page.locator('.receipt-n').innerText();
      const sha = await page.locator('.receipt-sha').innerText();
      const reply = fx.fake.current.bureaus.find((b) => b.bureau.id === 'forestry')!.replies[0]!;
      expect(Number(n)).toBe(reply.n);
      expect(sha).toBe(reply.contentSha256);
      expect(sha).toMatch(/^[0-9a-f]{64}$/);
      expect(fx.fake.updates).toHaveLength(1);
      const sent = fx.fake.sent('submitReply')[0]!.request.reply;
      expect(sent.perDocument).toEqual({
        protection: { kind: 'noComments' },
        'eco-plan': {
          kind: 'comments',
          comments: [
            {
              draftPage: 33,
              section: '1.1.1',
              quote: '新荣区位于大同市北部。',
              text: '2025 年森林覆盖率目标应为 27.04%。',
              suggestedChange: '改为“确保森林覆盖率提高到 27.04% 以上”。',
            },
            { section: '2.1', text: '“煤改电”工程须由施工方提供长久的售后服务。' },
          ],
        },
      });
      expect(sent.responder).toEqual({ name: '李林', position: '林业局办公室主任' });
      expect(scriptErrors).toEqual([]);
      await page.close();
    });
  },
);
