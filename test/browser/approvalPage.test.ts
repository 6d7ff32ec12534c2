/**
 * The approver's page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
 * over the typed fake rounds, at a phone's width (390 px) and a desktop's (1280 px): the page never
 * scrolls sideways, the forms are within reach and work: at 390 px the approver ticks the
 * confirmation (the form will not go without it) and approves; at 1280 px the two forms stand side
 * by side and the approver returns the candidate with a reason (the form will not go without one).
 */
import type { Hono } from 'hono';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../infra/store.js';
import { approvalApp } from '../support/approvalApp.js';
import { APPROVAL_ROUND_ID as ROUND_ID, approvalRound } from '../support/approvalRound.js';
import {
  expectNoSidewaysScroll,
  expectWithinWidth,
  HAVE_CHROMIUM,
  inChromium,
  screenshot,
  signIn,
  useChromium,
} from '../support/chromiumPages.js';
import { FakeRounds } from '../support/fakeRounds.js';

const PAGE = `/rounds/${ROUND_ID}/approval`;

describe.skipIf(!HAVE_CHROMIUM)(inChromium('approval page'), () => {
  let rounds: FakeRounds;
  let app: Hono;
  const chromium = useChromium();
  const served = chromium.serve(() => app);

  beforeEach(async () => {
    const store = new MemoryContentStore();
    rounds = new FakeRounds(store, await approvalRound(store), () => new Date('2030-01-20T02:00:00.000Z'));
    app = await approvalApp(rounds, store);
  });

  /** The approver's page at a width, signed in through the sign-in page; problems are collected. */
  async function approverPage(width: number): Promise<{ page: Page; problems: string[] }> {
    const opened = await chromium.page(width);
    await signIn(opened.page, served.base, 'wang', 'approver-pw', PAGE);
    return opened;
  }

  it('at 390 px: no sideways scroll, the confirmation is required, and the approver approves', async () => {
    const { page, problems } = await approverPage(390);
    const sha = rounds.current.approval.candidate!.pdfSha256;
    await expect(page.locator('.approval-candidate .approval-sha').innerText()).resolves.toBe(sha);
    await expectNoSidewaysScroll(page);
    for (const selector of [
      '.approval-pdf',
      '#form-approve input[name="confirm"]',
      '#form-approve button[type="submit"]',
      '#reject-reason',
      '#form-reject button[type="submit"]',
    ])
      await expectWithinWidth(page, selector, 390);
    await screenshot(page, 'approval-390', true);

    // Without the ticked box the browser keeps the form: nothing is sent.
    await page.click('#form-approve button[type="submit"]');
    expect(page.url()).toBe(`${served.base}${PAGE}`);
    expect(rounds.calls).toHaveLength(0);

    await page.check('#form-approve input[name="confirm"]');
    await Promise.all([page.waitForURL(/decided=approve$/), page.click('#form-approve button[type="submit"]')]);
    await expect(page.locator('.coord-flash').innerText()).resolves.toContain('已批准该 PDF。');
    await expect(page.locator('.approval-approved .approval-sha').innerText()).resolves.toBe(sha);
    await expectNoSidewaysScroll(page);
    await expectWithinWidth(page, '.approval-approved a[download]', 390);
    expect(rounds.sent('approveCandidate').map((u) => u.request.pdfSha256)).toEqual([sha]);
    expect(rounds.current.stage).toBe('approved');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('at 1280 px: the forms side by side, a reason is required, and the approver returns the candidate', async () => {
    const { page, problems } = await approverPage(1280);
    await expectNoSidewaysScroll(page);
    const approve = await page.locator('#form-approve').boundingBox();
    const reject = await page.locator('#form-reject').boundingBox();
    expect(reject!.y).toBe(approve!.y);
    expect(reject!.x).toBeGreaterThan(approve!.x + approve!.width - 1);
    const pdf = await page.locator('.approval-pdf').boundingBox();
    expect(pdf!.height).toBeGreaterThan(400);
    await screenshot(page, 'approval-1280', true);

    await page.click('#form-reject button[type="submit"]');
    expect(page.url()).toBe(`${served.base}${PAGE}`);
    expect(rounds.calls).toHaveLength(0);

    await page.fill('#reject-reason', '请补充第三章的修改说明。');
    await Promise.all([page.waitForURL(/decided=reject$/), page.click('#form-reject button[type="submit"]')]);
    await expect(page.locator('.coord-flash').innerText()).resolves.toContain('已退回修改。');
    await expect(page.locator('.approval-decisions').innerText()).resolves.toContain('请补充第三章的修改说明。');
    await expectNoSidewaysScroll(page);
    expect(rounds.current.stage).toBe('revision');
    expect(problems).toEqual([]);
    await page.close();
  });
});
