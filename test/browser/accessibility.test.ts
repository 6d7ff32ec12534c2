/**
 * Every page a bureau, an approver, an auditor or a coordinator's review form shows, checked in
 * Chromium at a phone's width (360 px) and a desktop's (1280 px) by axe-core (all rules, nothing
 * excluded: no serious or critical violation) and by the checks of test/support/axe.ts (English
 * marked lang="en", headings nested, every field labelled, a skip link to the main content, no
 * sideways scroll). The emails are checked the same way in emails.test.ts. Screenshots go to
 * test-output/screenshots/a11y-*.png.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { Templates } from '../../infra/templates.js';
import { staticUserDirectory } from '../../infra/users.js';
import { createApp } from '../../web/app.js';
import { approvalUsers } from '../support/approvalApp.js';
import { approvalRound, APPROVAL_ROUND_ID } from '../support/approvalRound.js';
import { expectPageAccessible } from '../support/axe.js';
import { HAVE_CHROMIUM, inChromium, screenshot, signIn, useChromium } from '../support/chromiumPages.js';
import { dispositionRound, expertReviewRound, FINANCE, FORESTRY, NONE } from '../support/dispositionRound.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { APPROVED_ROUND, RecordedHistories } from '../support/recordedHistories.js';
import { replyFixture, ROUND_ID, type ReplyFixture } from '../support/replyFixture.js';

const CONSULTATION_ROUND = ROUND_ID;
const EXPERT_ROUND = 'round:dispo-plan:2';
const DISPOSITION_ROUND = 'round:dispo-plan:3';

/** The staff's whole app over a round in consultation, one in approval, one in the expert review and one in disposition. */
async function staffApp(dir: string): Promise<{ app: Hono; rounds: FakeRounds }> {
  const { status: consultation, store } = await replyFixture();
  for (const d of [FINANCE, FORESTRY, NONE]) await storeReplyDraft(store, d);
  const rounds = new FakeRounds(
    store,
    [
      consultation,
      await approvalRound(store),
      { ...expertReviewRound(), id: EXPERT_ROUND, n: 2 },
      { ...dispositionRound(), id: DISPOSITION_ROUND, n: 3 },
    ],
    () => new Date('2030-01-20T02:00:00.000Z'),
  );
  const app = createApp({
    rounds,
    histories: new RecordedHistories({ [APPROVED_ROUND]: 'approval' }),
    config: loadConfig({ PLAN_REVIEW_DATA_DIR: dir }, dir),
    templates: new Templates(),
    secret: Buffer.alloc(32, 9),
    store,
    users: staticUserDirectory(await approvalUsers()),
  });
  return { app, rounds };
}

describe.skipIf(!HAVE_CHROMIUM)(inChromium('every page of the review, for accessibility'), () => {
  let dir: string;
  let fx: ReplyFixture;
  let staff: { app: Hono; rounds: FakeRounds };
  const suite = useChromium();
  const bureau = suite.serve(() => fx.app);
  const office = suite.serve(() => staff.app);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-a11y-'));
    staff = await staffApp(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The checks of test/support/axe.ts on the page as it is now, and its screenshot. */
  async function check(page: Page, name: string, width: number): Promise<void> {
    await screenshot(page, `a11y-${name}-${width}`, true);
    // The fixtures' own data: document keys, and a comment that tries to inject a script.
    await expectPageAccessible(page, `${name} at ${width} px`, {
      englishAllowed: [/\b(plan|annex|protection|eco-plan)\b/, /<script>alert\(1\)<\/script>/],
    });
  }

  for (const width of [360, 1280]) {
    describe(`at ${width} px`, () => {
      // The seed's two drafts, some hundred sections, make axe-core's run on the page take seconds.
      it('the reply page: the first screen and a refused submission', { timeout: 180_000 }, async () => {
        fx = await replyFixture({ seedDocuments: true });
        const { page, problems } = await suite.page(width, { expectStatus: [422] });
        await page.goto(`${bureau.base}/r/${fx.tokenFor('forestry')}`);
        await check(page, 'reply', width);
        await page.fill('[name="responder.name"]', '李林');
        await page.fill('[name="responder.position"]', '林业局办公室主任');
        await Promise.all([page.waitForLoadState('load'), page.click('.reply-submit button.primary')]);
        await page.waitForSelector('#error-summary');
        await check(page, 'reply-refused-submission', width);
        expect(problems).toEqual([]);
        await page.close();
      });

      it('the reply page: "no comments", the receipt, the page after replying', { timeout: 180_000 }, async () => {
        fx = await replyFixture({ seedDocuments: true });
        const { page, problems } = await suite.page(width);
        const link = `${bureau.base}/r/${fx.tokenFor('forestry')}`;
        await page.goto(link);
        await page.check('input[name="doc.protection.answer"][value="noComments"]');
        await page.check('input[name="doc.eco-plan.answer"][value="noComments"]');
        await page.fill('[name="responder.name"]', '李林');
        await page.fill('[name="responder.position"]', '林业局办公室主任');
        await check(page, 'reply-no-comments', width);
        await page.reload();
        await page.check('input[name="doc.protection.answer"][value="noComments"]');
        await page.check('input[name="doc.eco-plan.answer"][value="noComments"]');
        await page.fill('[name="responder.name"]', '李林');
        await page.fill('[name="responder.position"]', '林业局办公室主任');
        await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('.reply-submit button.primary')]);
        await check(page, 'receipt', width);
        await page.goto(link);
        await check(page, 'reply-after-replying', width);
        expect(problems).toEqual([]);
        await page.close();
      });

      it("the outcome of the bureau's comments behind its link, a refused link and the 503 page", async () => {
        fx = await replyFixture();
        const { page, problems } = await suite.page(width, { expectStatus: [403, 404, 503] });
        const link = `${bureau.base}/r/${fx.tokenFor('finance')}`;
        await page.goto(link);
        await page.check('input[name="doc.protection.answer"][value="noComments"]');
        await page.check('input[name="doc.eco-plan.answer"][value="comments"]');
        await page.fill('[name="doc.eco-plan.c.0.text"]', '请补充煤改电工程的售后服务要求。');
        await page.fill('[name="responder.name"]', '王五');
        await page.fill('[name="responder.position"]', '办公室主任');
        await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('.reply-submit button.primary')]);
        const round = fx.fake.current;
        const reply = round.bureaus.find((b) => b.bureau.id === 'finance')!.replies[0]!;
        const by = { name: '协调人', role: 'coordinator' as const };
        round.stage = 'disposition';
        round.consultation.closed = { by, at: fx.clock.now.toISOString() };
        round.dispositions = [
          {
            commentId: `finance-${reply.n}-1`,
            decision: 'notAdopted',
            rationale: '以上位规划为准',
            changedAt: [],
            decidedBy: by,
            decidedAt: fx.clock.now.toISOString(),
            published: true,
          },
        ];
        round.notices = [
          {
            bureauId: 'finance',
            messageId: '<n@test>',
            respondBy: new Date(fx.clock.now.getTime() + 5 * 86400_000).toISOString(),
            response: 'pending',
          },
        ];
        await page.goto(link);
        await check(page, 'reply-outcome', width);
        await page.goto(`${bureau.base}/r/not-a-link`);
        await check(page, 'reply-link-refused', width);
        fx.fake.unavailable = true;
        await page.goto(link);
        await check(page, 'unavailable-503', width);
        expect(problems).toEqual([]);
        await page.close();
      });

      it("the sign-in page, the approver's page, the auditor's page and the 404 page", async () => {
        const { page, problems } = await suite.page(width, { expectStatus: [404] });
        await page.goto(`${office.base}/login`);
        await check(page, 'login', width);
        await signIn(page, office.base, 'wang', 'approver-pw', `/rounds/${APPROVAL_ROUND_ID}/approval`);
        await check(page, 'approval', width);
        await page.goto(`${office.base}/rounds/round:nobody:1/audit`);
        await check(page, 'no-round-404', width);
        await page.context().clearCookies();
        await signIn(page, office.base, 'zhou', 'auditor-pw', `/rounds/${APPROVED_ROUND}/audit`);
        await check(page, 'audit', width);
        expect(problems).toEqual([]);
        await page.close();
      });

      it(
        "the coordinator's review forms: paper reply, expert review, disposition, versions, a refused form",
        { timeout: 180_000 },
        async () => {
          const { page, problems } = await suite.page(width, { expectStatus: [422] });
          await signIn(page, office.base, 'li', 'coordinator-pw', `/rounds/${CONSULTATION_ROUND}/manage`);
          await check(page, 'forms-consultation', width);
          await page.goto(`${office.base}/rounds/${EXPERT_ROUND}/manage`);
          await check(page, 'forms-expert-review', width);
          await page.goto(`${office.base}/rounds/${DISPOSITION_ROUND}/manage`);
          await check(page, 'forms-disposition', width);
          await page.goto(`${office.base}/rounds/${APPROVAL_ROUND_ID}/manage`);
          await check(page, 'forms-approval-stage', width);
          // A decision without its rationale: refused beside its fields.
          await page.goto(`${office.base}/rounds/${DISPOSITION_ROUND}/manage`);
          await page.click('#form-dispose > summary');
          await page.selectOption('#form-dispose select[name="decision"]', 'notAdopted');
          await Promise.all([page.waitForLoadState('load'), page.click('#form-dispose button[type="submit"]')]);
          await check(page, 'forms-refused', width);
          expect(problems).toEqual([]);
          await page.close();
        },
      );
    });
  }
});
