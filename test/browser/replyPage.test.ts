/**
 * The reply page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
 * a bureau opens its link, answers "no comments" on the first document, writes two comments on
 * the second (the second row added with "add a comment"), signs and submits, and reads its receipt.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, inChromium, screenshot, useChromium } from '../support/chromiumPages.js';
import { replyFixture, type ReplyFixture } from '../support/replyFixture.js';

describe.skipIf(!HAVE_CHROMIUM)(inChromium('reply page'), () => {
  let fx: ReplyFixture;
  const chromium = useChromium();
  const served = chromium.serve(() => fx.app);

  beforeAll(async () => {
    fx = await replyFixture();
  });

  it('a bureau answers both documents through its link and gets its receipt', async () => {
    const { page, problems: scriptErrors } = await chromium.page(1280);
    const token = fx.tokenFor('forestry');
    await page.goto(`${served.base}/r/${token}`);
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
    await page.click('button[value="add:eco-plan"]');
    await page.waitForSelector('[name="doc.eco-plan.c.1.text"]');
    // Everything typed is still there.
    await expect(page.inputValue('[name="doc.eco-plan.c.0.text"]')).resolves.toBe('2025 年森林覆盖率目标应为 27.04%。');
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
    await screenshot(page, 'reply-form-1280', true);

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
});
