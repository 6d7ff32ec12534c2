/**
 * The bureau's emails as a phone's mail app (their HTML in Chromium at 360 px) and a desktop's
 * (1280 px) show them: the invitation's and the reminder's "立即回复 Reply now" button on the first
 * screen with the link written out below it, the coordinator's phone and email, the confirmation's
 * button to the receipt, the outcome notice's decisions with the changed text and its button to
 * acknowledge or object; nothing scrolls sideways, not even the 200-character link; axe-core finds
 * nothing serious. Screenshots go to test-output/screenshots/email-*-<width>.png.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmailActivities } from '../../activities/email.js';
import { inProcessActivityDeps } from '../../bench/support/activityDeps.js';
import type { ReplyDraft } from '../../domain/consultation.js';
import type { MailRequest } from '../../domain/mail.js';
import { summarizeReply } from '../../domain/replies.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { MemoryContentStore } from '../../infra/store.js';
import {
  expectNoSidewaysScroll,
  expectOnFirstScreen,
  HAVE_CHROMIUM,
  inChromium,
  screenshot,
  useChromium,
} from '../support/chromiumPages.js';
import { expectAccessible, unmarkedEnglish } from '../support/axe.js';
import { RecordingTransport } from '../support/mail.js';
import { SEED_BUREAUS } from '../support/rounds.js';

describe.skipIf(!HAVE_CHROMIUM)(inChromium("a bureau's emails on a phone and on a desktop"), () => {
  const chromium = useChromium();
  const store = new MemoryContentStore();
  const mail = new RecordingTransport();
  const acts = createEmailActivities(inProcessActivityDeps(store, mail.asTransporter()));
  const bureau = SEED_BUREAUS[2]!;
  let round: MailRequest['round'];

  beforeAll(async () => {
    const { sha256 } = await store.put(Buffer.from('# 第一章 总则\n'));
    round = {
      id: 'round:xinrong-eco-plan:2',
      title: '大同市新荣区“十四五”“两山七河一流域”生态保护和生态文明建设、生态经济发展规划',
      timeZone: 'Asia/Shanghai',
      coordinator: {
        name: '大同市生态环境局新荣分局',
        email: 'coordinator@xinrong.example.org',
        phone: '0352-1234567',
      },
      documents: [
        { key: 'eco-plan', title: '大同市新荣区“十四五”生态环境保护规划（征求意见稿）', sha256, standIn: false },
      ],
    };
  });

  /** A reply through the link, its texts in the store, as the round records it: receipt number `n`. */
  async function storedReply(draft: ReplyDraft, n: number) {
    await storeReplyDraft(store, draft);
    return summarizeReply(
      {
        n,
        bureauId: bureau.id,
        version: 1,
        submittedAt: '2030-02-10T02:00:00.000Z',
        channel: 'link',
        responder: draft.responder,
      },
      draft,
      [{ key: 'eco-plan', version: 1 }],
    );
  }

  /** Sends one email and opens its HTML `width` px wide. */
  async function shown(request: Omit<MailRequest, 'messageId' | 'to' | 'round' | 'bureau'>, width: number) {
    await new MockActivityEnvironment().run(() =>
      acts.sendEmail({ ...request, messageId: `<${request.kind}@test>`, to: ['forestry@example.org'], round, bureau }),
    );
    const sent = mail.sent[mail.sent.length - 1]!;
    const { page, problems } = await chromium.page(width);
    await page.setContent(sent.html);
    return { page, problems, sent };
  }

  for (const width of [360, 1280]) {
    for (const kind of ['invitation', 'reminder'] as const) {
      it(`the ${kind} at ${width} px: the "Reply now" button on the first screen, the link below it, the coordinator's phone`, async () => {
        const { page, problems, sent } = await shown(
          { kind, linkId: 'forestry-1', deadline: '2030-02-17T10:00:00Z' },
          width,
        );
        const button = page.getByRole('link', { name: '立即回复 Reply now' });
        await expect(button.count()).resolves.toBe(1);
        const href = await button.getAttribute('href');
        expect(href).toMatch(/^http:\/\/plan-review\.test\/r\/[\w.-]{40,}$/);
        await expectOnFirstScreen(page, `a[href="${href}"]`);
        await expect(page.getByRole('link', { name: href! }).count()).resolves.toBe(1);
        await expect(page.getByRole('link', { name: '0352-1234567' }).getAttribute('href')).resolves.toBe(
          'tel:03521234567',
        );
        await expectNoSidewaysScroll(page);
        expect(sent.subject).toContain('（第 2 轮）');
        await screenshot(page, `email-${kind}-${width}`, true);
        await expectAccessible(page, `the ${kind} at ${width} px`);
        expect(await unmarkedEnglish(page), 'English outside lang="en"').toEqual([]);
        expect(problems).toEqual([]);
        await page.close();
      });
    }

    it(`the confirmation at ${width} px: a button to the receipt`, async () => {
      const draft: ReplyDraft = {
        responder: { name: '李林', position: '办公室主任' },
        perDocument: { 'eco-plan': { kind: 'noComments' } },
      };
      const reply = await storedReply(draft, 4);
      const { page, problems } = await shown({ kind: 'replyConfirmation', reply, linkId: 'forestry-1' }, width);
      const button = page.getByRole('link', { name: '查看回执 See the receipt' });
      await expect(button.getAttribute('href')).resolves.toMatch(/\/r\/[\w.-]+\/receipt\/4$/);
      await expectOnFirstScreen(page, 'table[role="presentation"]');
      await expectNoSidewaysScroll(page);
      await screenshot(page, `email-confirmation-${width}`, true);
      await expectAccessible(page, `the confirmation at ${width} px`);
      expect(await unmarkedEnglish(page), 'English outside lang="en"').toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    });

    it(`the outcome notice at ${width} px: each decision with the changed text, the button to acknowledge or object`, async () => {
      const section = (text: string) => Buffer.from(`# 第七章 保障措施\n\n## 7.7 全民行动\n\n${text}\n`);
      const before = (await store.put(section('大、中、小学定期组织生态文明主题活动。'))).sha256;
      const after = (await store.put(section('中、小学定期组织生态文明主题活动。'))).sha256;
      const draft: ReplyDraft = {
        responder: { name: '李林', position: '办公室主任' },
        perDocument: {
          'eco-plan': {
            kind: 'comments',
            comments: [
              { section: '7.7', text: '我区无大学，建议删去“大”字。' },
              { text: '建议增加林草湿地保护的量化指标，并明确责任单位和完成时限。' },
            ],
          },
        },
      };
      const reply = await storedReply(draft, 1);
      const { page, problems } = await shown(
        {
          kind: 'outcomeNotice',
          linkId: 'forestry-1',
          outcome: {
            respondBy: '2030-03-05T10:00:00.000Z',
            items: [
              {
                commentId: `${bureau.id}-1-1`,
                reply,
                decision: 'adopted',
                changes: [{ doc: 'eco-plan', section: '7.7', beforeSha256: before, afterSha256: after }],
              },
              {
                commentId: `${bureau.id}-1-2`,
                reply,
                decision: 'notAdopted',
                rationale: '量化指标已在第十章表10-1中列明，不再重复。',
                changes: [],
              },
            ],
          },
        },
        width,
      );
      await expect(page.getByText('采纳 Adopted', { exact: false }).count()).resolves.toBeGreaterThan(0);
      await expect(page.locator('del').first().textContent()).resolves.toBe('大、');
      const button = page.getByRole('link', { name: '认可或提出异议 Acknowledge or object' });
      await expect(button.getAttribute('href')).resolves.toMatch(/^http:\/\/plan-review\.test\/r\/[\w.-]{40,}/);
      await expectNoSidewaysScroll(page);
      await screenshot(page, `email-outcome-${width}`, true);
      await expectAccessible(page, `the outcome notice at ${width} px`);
      expect(await unmarkedEnglish(page), 'English outside lang="en"').toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    });
  }
});
