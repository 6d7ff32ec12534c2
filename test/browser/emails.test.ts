/**
 * The bureau's emails as a phone's mail app (their HTML in Chromium at 360 px) and a desktop's
 * (1280 px) show them: the invitation's and the reminder's "立即回复 Reply now" button on the first
 * screen with the link written out below it, the coordinator's phone and email, the confirmation's
 * button to the receipt; nothing scrolls sideways, not even the 200-character link; axe-core finds
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
      await storeReplyDraft(store, draft);
      const reply = summarizeReply(
        {
          n: 4,
          bureauId: bureau.id,
          version: 1,
          submittedAt: '2030-02-10T02:00:00.000Z',
          channel: 'link',
          responder: draft.responder,
        },
        draft,
        [{ key: 'eco-plan', version: 1 }],
      );
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
  }
});
