/**
 * The reply page as a bureau clerk uses it on a phone (360 and 390 px), in headless Chromium over
 * the seed round's two drafts: one column with no sideways scroll, the deadline and the time left
 * in a banner on the first screen; after a refused submission the error summary at the top, focused,
 * its links taking the focus to their fields and the count of problems in the title; Enter submits
 * (it never adds a comment row); "add a comment" adds the row in place with script, and through the
 * server without; the buttons are disabled while the reply is on its way. Screenshots go to
 * test-output/screenshots/reply-*.png.
 */
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  expectNoSidewaysScroll,
  expectOnFirstScreen,
  expectWithinWidth,
  focusedId,
  HAVE_CHROMIUM,
  inChromium,
  screenshot,
  useChromium,
} from '../support/chromiumPages.js';
import { DAY, replyFixture, type ReplyFixture } from '../support/replyFixture.js';

describe.skipIf(!HAVE_CHROMIUM)(inChromium('the reply page on a phone'), () => {
  let fx: ReplyFixture;
  const chromium = useChromium();
  const served = chromium.serve(() => fx.app);

  beforeEach(async () => {
    fx = await replyFixture({ seedDocuments: true });
  });

  const linkOf = (bureau: string) => `${served.base}/r/${fx.tokenFor(bureau)}`;

  /** Answers "no comments" on both drafts and signs. */
  async function answerNoComments(page: Page): Promise<void> {
    await page.check('input[name="doc.protection.answer"][value="noComments"]');
    await page.check('input[name="doc.eco-plan.answer"][value="noComments"]');
    await page.fill('[name="responder.name"]', '李林');
    await page.fill('[name="responder.position"]', '林业局办公室主任');
  }

  for (const width of [360, 390]) {
    it(`at ${width} px: one column, the deadline and the time left on the first screen`, async () => {
      const { page, problems } = await chromium.page(width);
      await page.goto(linkOf('forestry'));
      await expectNoSidewaysScroll(page);
      await expectOnFirstScreen(page, '.deadline-banner');
      const banner = await page.locator('.deadline-banner').innerText();
      expect(banner).toContain('距截止还有 13 天');
      expect(banner).toContain('13 days left');
      expect(banner).toContain('2022-02-17');
      // The card's facts, each under its name: the bureau is on the first screen too.
      await expectOnFirstScreen(page, '.reply-card dl.facts dd');
      await screenshot(page, `reply-first-screen-${width}`);
      // The comment row: every field within the screen, the section selector at full width.
      for (const selector of [
        '[name="doc.eco-plan.c.0.page"]',
        '[name="doc.eco-plan.c.0.section"]',
        '[name="doc.eco-plan.c.0.text"]',
        'button[value="add:eco-plan"]',
        '.reply-submit button.primary',
      ])
        await expectWithinWidth(page, selector, width);
      const select = await page.locator('[name="doc.eco-plan.c.0.section"]').boundingBox();
      expect(select!.width).toBeGreaterThan(width * 0.7);
      await page.selectOption('[name="doc.eco-plan.c.0.section"]', { index: 5 });
      await expectNoSidewaysScroll(page);
      // An open draft scrolls within its own box, never the page.
      await page.click('#doc-eco-plan > summary');
      await expectNoSidewaysScroll(page);
      await page.click('#doc-eco-plan > summary');
      await screenshot(page, `reply-page-${width}`, true);
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('after the deadline, within the grace period, the banner says a reply now is late', async () => {
    fx = await replyFixture({ seedDocuments: true, graceMs: DAY });
    fx.clock.now = new Date(fx.deadline.getTime() + 3 * 3600_000);
    const { page, problems } = await chromium.page(360);
    await page.goto(linkOf('forestry'));
    await expectOnFirstScreen(page, '.deadline-banner-late');
    const banner = await page.locator('.deadline-banner').innerText();
    expect(banner).toContain('逾期');
    expect(banner).toContain('21 小时');
    await screenshot(page, 'reply-grace-360');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a refused submission: the error summary at the top, focused, linking to each field, counted in the title', async () => {
    const { page, problems } = await chromium.page(390, { expectStatus: [422] });
    await page.goto(linkOf('forestry'));
    // Signed, but neither draft answered: the server refuses both choices.
    await page.fill('[name="responder.name"]', '李林');
    await page.fill('[name="responder.position"]', '林业局办公室主任');
    await Promise.all([page.waitForLoadState('load'), page.click('.reply-submit button.primary')]);
    await page.waitForSelector('#error-summary');
    expect(await page.title()).toMatch(/^有 2 处需要修改 2 problems · 征求意见卡/);
    expect(await focusedId(page)).toBe('error-summary');
    await expectOnFirstScreen(page, '#error-summary h2');
    const links = page.locator('#error-summary a');
    await expect(links.count()).resolves.toBe(2);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'reply-refused-390');
    // Each link takes the focus to its field (the first choice of the draft's answer).
    await links.nth(1).click();
    expect(await focusedId(page)).toBe('f-doc-eco-plan-answer');
    await links.nth(0).click();
    expect(await focusedId(page)).toBe('f-doc-protection-answer');
    // Corrected, it goes.
    await answerNoComments(page);
    await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('.reply-submit button.primary')]);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'reply-receipt-390', true);
    expect(fx.fake.sent('submitReply')).toHaveLength(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('Enter in a field submits the reply, and the buttons are disabled while it is on its way', async () => {
    const { page, problems } = await chromium.page(360);
    await page.goto(linkOf('forestry'));
    await answerNoComments(page);
    // The submission is held in the page (a listener after the page's own keeps the browser from
    // sending it), to look at the page meanwhile; a page waiting for its answer cannot be read.
    await page.evaluate(
      `window.held = []; document.getElementById('form').addEventListener('submit', (e) => { window.held.push(e.submitter.className); e.preventDefault(); })`,
    );
    await page.focus('[name="doc.eco-plan.c.0.page"]');
    await page.keyboard.press('Enter');
    // Enter pressed the form's default button, which submits, not "add a comment".
    expect(await page.evaluate('window.held')).toEqual(['default-submit']);
    await expect(page.locator('.comment-row[data-doc="eco-plan"]').count()).resolves.toBe(1);
    await expect.poll(() => page.locator('.reply-submit button.primary').isDisabled()).toBe(true);
    expect(await page.locator('button[value="add:eco-plan"]').isDisabled()).toBe(true);
    expect(await page.locator('.reply-sending').innerText()).toContain('正在提交');
    await screenshot(page, 'reply-sending-360');
    // A second Enter (or press) sends nothing more: the page's own listener stops it first.
    await page.keyboard.press('Enter');
    expect(await page.evaluate('window.held')).toEqual(['default-submit']);
    await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.evaluate(`document.getElementById('form').submit()`)]);
    const sent = fx.fake.sent('submitReply');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.request.reply.perDocument).toEqual({
      protection: { kind: 'noComments' },
      'eco-plan': { kind: 'noComments' },
    });
    expect(fx.fake.updates).toHaveLength(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('"add a comment" adds the row in place with script, and the reply carries it', async () => {
    const { page, problems } = await chromium.page(390);
    const posts: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST') posts.push(req.url());
    });
    await page.goto(linkOf('forestry'));
    await page.check('input[name="doc.protection.answer"][value="noComments"]');
    await page.fill('[name="doc.eco-plan.c.0.text"]', '第一条意见。');
    await page.selectOption('[name="doc.eco-plan.c.0.section"]', '1.1.1');
    await page.click('button[value="add:eco-plan"]');
    expect(posts).toEqual([]);
    expect(await focusedId(page)).toBe('f-doc-eco-plan-c-1-text');
    await expect(page.locator('#doc-eco-plan-c-1 h3').innerText()).resolves.toContain('意见 2');
    await expect(page.inputValue('[name="doc.eco-plan.c.1.section"]')).resolves.toBe('');
    await expect(page.inputValue('[name="doc.eco-plan.rows"]')).resolves.toBe('2');
    await expect(page.isChecked('input[name="doc.eco-plan.answer"][value="comments"]')).resolves.toBe(true);
    // The new row's label names its own field.
    await expect(page.locator('#doc-eco-plan-c-1 label[for="f-doc-eco-plan-c-1-text"]').count()).resolves.toBe(1);
    await page.keyboard.type('第二条意见。');
    await expect(page.inputValue('[name="doc.eco-plan.c.1.text"]')).resolves.toBe('第二条意见。');
    await expect(page.inputValue('[name="doc.eco-plan.c.0.text"]')).resolves.toBe('第一条意见。');
    await page.fill('[name="responder.name"]', '李林');
    await page.fill('[name="responder.position"]', '林业局办公室主任');
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'reply-added-row-390');
    await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('.reply-submit button.primary')]);
    expect(fx.fake.sent('submitReply')[0]!.request.reply.perDocument['eco-plan']).toEqual({
      kind: 'comments',
      comments: [{ section: '1.1.1', text: '第一条意见。' }, { text: '第二条意见。' }],
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without script, "add a comment" goes through the server and Enter still submits', async () => {
    const { page, problems } = await chromium.page(360, { javaScriptEnabled: false });
    await page.goto(linkOf('forestry'));
    await page.check('input[name="doc.protection.answer"][value="noComments"]');
    await page.fill('[name="doc.eco-plan.c.0.text"]', '第一条意见。');
    await Promise.all([page.waitForLoadState('load'), page.click('button[value="add:eco-plan"]')]);
    await page.waitForSelector('[name="doc.eco-plan.c.1.text"]');
    await expect(page.inputValue('[name="doc.eco-plan.c.0.text"]')).resolves.toBe('第一条意见。');
    await page.fill('[name="doc.eco-plan.c.1.text"]', '第二条意见。');
    await page.fill('[name="responder.name"]', '李林');
    await page.fill('[name="responder.position"]', '林业局办公室主任');
    await page.focus('[name="responder.position"]');
    await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.keyboard.press('Enter')]);
    const reply = fx.fake.sent('submitReply')[0]!.request.reply;
    expect(reply.perDocument['eco-plan']).toEqual({
      kind: 'comments',
      comments: [{ text: '第一条意见。' }, { text: '第二条意见。' }],
    });
    expect(problems).toEqual([]);
    await page.close();
  });
});
