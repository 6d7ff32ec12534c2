/**
 * The consultation stage end to end, with every component real: the Temporal dev server (global
 * setup), the worker and the web server as the stack runs them, the stack's SMTP sink as the mail
 * server, and HTTP. Bureaus follow the links in the emails they received.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CHROMIUM_PATH, launchChromium } from '../../bench/support/chromium.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replySeedThroughLinks } from '../../cli/demo.js';
import { readOutbox, replyLinkIn, waitForMail, type ReceivedMail } from '../../cli/linkReplies.js';
import { runWeb, runWorker } from '../../cli/stack.js';
import type { RoundStatus } from '../../domain/round.js';
import { loadConfig, type Config } from '../../infra/config.js';
import { messageIdDomain } from '../../infra/mailer.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { PATIENT_TIMEOUTS, RoundGateway } from '../../infra/roundGateway.js';
import { loadRoundFile } from '../../infra/roundFile.js';
import { startSmtpSink, type SmtpSink } from '../../infra/smtpSink.js';
import { LocalContentStore } from '../../infra/store.js';
import { ensureInitialUsers } from '../../infra/users.js';
import { freePort } from '../../infra/ports.js';
import { uniquePlanId } from '../support/rounds.js';
import { seedCoordinator } from '../../bench/support/seedRound.js';
import { loadSeedReview } from '../../infra/seedReview.js';
import { writeSeedRoundFile } from '../support/seedRoundFile.js';

let dir: string;
let config: Config;
let sink: SmtpSink;
let stopWorker: () => Promise<void>;
let web: Awaited<ReturnType<typeof runWeb>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-consultation-'));
  const webPort = await freePort();
  config = loadConfig({
    PLAN_REVIEW_DATA_DIR: dir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `e2e-consultation-${process.pid}`,
    SMTP_SINK_PORT: String(await freePort()),
    WEB_PORT: String(webPort),
    PUBLIC_URL: `http://127.0.0.1:${webPort}`,
  });
  sink = await startSmtpSink({ dir: config.paths.outbox, port: config.SMTP_SINK_PORT });
  await ensureInitialUsers(config.paths.users);
  stopWorker = await runWorker(config, () => undefined);
  web = await runWeb(config, config.paths.outbox);
});

afterAll(async () => {
  await web?.stop();
  await stopWorker?.();
  await sink?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function startSeedRound(overrides: Record<string, unknown> = {}): Promise<string> {
  const planId = uniquePlanId('xinrong');
  const file = await writeSeedRoundFile(dir, planId, overrides);
  const { input } = await loadRoundFile(file, new LocalContentStore(config.paths.store), {
    startedBy: seedCoordinator,
    messageIdDomain: messageIdDomain(config),
  });
  return roundCalls(web.client, new LocalContentStore(config.paths.store), config.TEMPORAL_TASK_QUEUE).start(input);
}

function gateway(): RoundGateway {
  return new RoundGateway(
    web.client,
    new LocalContentStore(config.paths.store),
    config.TEMPORAL_TASK_QUEUE,
    PATIENT_TIMEOUTS,
  );
}

async function waitForStatus(id: string, pred: (s: RoundStatus) => boolean, timeout = 60_000): Promise<RoundStatus> {
  let last: RoundStatus | undefined;
  await expect
    .poll(
      async () =>
        pred(
          (last = await roundCalls(
            web.client,
            new LocalContentStore(config.paths.store),
            config.TEMPORAL_TASK_QUEUE,
          ).status(id)),
        ),
      { timeout, interval: 250 },
    )
    .toBe(true);
  return last!;
}

/** Copies of one message (same Message-ID) are counted, not hidden: delivery is at-least-once. */
function duplicates(mails: ReceivedMail[]): number {
  return mails.length - new Set(mails.map((m) => m.messageId)).size;
}

describe('consultation end to end (dev server, SMTP, HTTP)', () => {
  it('sends seven invitations, takes the seed replies through the emailed links, and shows each outcome', async () => {
    const id = await startSeedRound();
    const log: string[] = [];
    const receipts = await replySeedThroughLinks({
      rounds: gateway(),
      roundId: id,
      outboxDir: config.paths.outbox,
      log: (l) => log.push(l),
    });
    expect(receipts).toHaveLength(7);

    const invitations = await waitForMail(config.paths.outbox, id, 'invitation', 7);
    expect(invitations).toHaveLength(7);
    expect(duplicates(invitations)).toBe(0);
    for (const m of invitations) {
      expect(m.messageId).toMatch(/^<round-xinrong-[0-9a-f]{8}-1\.[a-z]+\.invitation\.1@127\.0\.0\.1>$/);
      expect(m.subject).toContain('征求意见');
      expect(m.subject).toContain('（第 1 轮）');
      // The plain-text part beside the HTML carries the link too.
      expect(m.text).toMatch(/立即回复 Reply now: http:\/\/[^\s]+\/r\/[\w.-]+\n/);
      expect(m.attachments.map((a) => a.contentType)).toEqual(['application/pdf', 'application/pdf']);
      expect(m.attachments[1]!.filename).toContain('征求意见稿');
    }

    const status = await waitForStatus(id, (s) => s.bureaus.every((b) => b.outcome !== 'pending'));
    expect(Object.fromEntries(status.bureaus.map((b) => [b.bureau.id, b.outcome]))).toEqual({
      finance: 'noComments',
      science: 'noComments',
      forestry: 'replied',
      energy: 'replied',
      education: 'replied',
      water: 'replied',
      culture: 'replied',
    });
    for (const r of receipts) {
      const recorded = status.bureaus.flatMap((b) => b.replies).find((x) => x.n === r.n)!;
      expect(recorded.contentSha256).toBe(r.contentSha256);
      expect(recorded.channel).toBe('link');
    }
    const forestry = await gateway().loadReply(status.bureaus.find((b) => b.bureau.id === 'forestry')!.replies[0]!);
    const seedForestry = (await loadSeedReview()).replies.find((r) => r.bureau === 'forestry')!;
    expect(forestry.perDocument['xinrong-eco-plan']).toHaveLength(3);
    expect(Object.keys(forestry.perDocument)).toEqual(Object.keys(seedForestry.documents));

    const confirmations = await waitForMail(config.paths.outbox, id, 'replyConfirmation', 7);
    // Each confirmation links to the bureau's receipt.
    for (const m of confirmations) expect(m.html).toMatch(/href="http:\/\/[^"]+\/r\/[\w.-]+\/receipt\/\d+"/);
    const notices = await waitForMail(config.paths.outbox, id, 'replyNotice', 7);
    expect(duplicates([...confirmations, ...notices])).toBe(0);
    expect(new Set(notices.flatMap((m) => m.to))).toEqual(new Set(['coordinator@xinrong.example.org']));
  });

  it('deems a bureau that stays silent to the deadline, reminding only it, and mails the summary', async () => {
    // Wide margins: the six replies take seconds, the reminder comes at 30 s, the deadline at 60 s.
    const id = await startSeedRound({ deadline: 'PT60S', reminders: ['PT30S'] });
    await replySeedThroughLinks({
      rounds: gateway(),
      roundId: id,
      outboxDir: config.paths.outbox,
      log: () => undefined,
      silent: ['culture'],
    });
    const status = await waitForStatus(id, (s) => s.stage === 'completed', 120_000);
    const outcomes = Object.fromEntries(status.bureaus.map((b) => [b.bureau.id, b.outcome]));
    expect(outcomes.culture).toBe('deemedNoComments');
    expect(outcomes.finance).toBe('noComments');
    expect(outcomes.forestry).toBe('replied');

    const mails = (await readOutbox(config.paths.outbox)).filter((m) => m.round === id);
    const reminders = mails.filter((m) => m.kind === 'reminder');
    expect(reminders.map((m) => m.to)).toEqual([['culture@bureaus.example.org']]);
    const [summary] = await waitForMail(config.paths.outbox, id, 'deadlineSummary', 1);
    expect(summary!.to).toEqual(['coordinator@xinrong.example.org']);
    expect(summary!.html).toContain('逾期未回复，视为无意见');
  }, 150_000);

  it.skipIf(!existsSync(CHROMIUM_PATH))(
    'a bureau answers in Chromium through the link in its email, and the round records it',
    async () => {
      const id = await startSeedRound();
      const invitations = await waitForMail(config.paths.outbox, id, 'invitation', 7);
      const link = replyLinkIn(invitations.find((m) => m.to.includes('education@bureaus.example.org'))!);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ locale: 'zh-CN' });
        await page.goto(link);
        await expect(page.locator('.reply-card').innerText()).resolves.toContain('大同市新荣区教育局');
        await page.check('input[name="doc.eco-protection-plan.answer"][value="noComments"]');
        await page.check('input[name="doc.xinrong-eco-plan.answer"][value="comments"]');
        await page.fill('[name="doc.xinrong-eco-plan.c.0.page"]', '77');
        await page.selectOption('[name="doc.xinrong-eco-plan.c.0.section"]', '7.7');
        await page.fill(
          '[name="doc.xinrong-eco-plan.c.0.text"]',
          '第二段删除“编写、出版一套适合各大、中、小学及幼儿园使用的环境教育专题教材。”',
        );
        await Promise.all([page.waitForLoadState('load'), page.click('button[value="add:xinrong-eco-plan"]')]);
        await page.waitForSelector('[name="doc.xinrong-eco-plan.c.1.text"]');
        await page.selectOption('[name="doc.xinrong-eco-plan.c.1.section"]', '7.7');
        await page.fill(
          '[name="doc.xinrong-eco-plan.c.1.text"]',
          '将“大、中、小学定期组织生态文明主题活动”中的“大”字删除，我区无大学。',
        );
        await page.fill('[name="responder.name"]', '<b>教育局</b>');
        await page.fill('[name="responder.position"]', '办公室');
        await Promise.all([page.waitForURL(/\/receipt\/\d+$/), page.click('button[value="submit"]')]);
        const sha = await page.locator('.receipt-sha').innerText();
        await expect(page.content()).resolves.toContain('&lt;b&gt;教育局&lt;/b&gt;');

        const status = await waitForStatus(
          id,
          (s) => s.bureaus.find((b) => b.bureau.id === 'education')!.replies.length === 1,
        );
        const reply = await gateway().loadReply(status.bureaus.find((b) => b.bureau.id === 'education')!.replies[0]!);
        expect(reply.contentSha256).toBe(sha);
        expect(reply.perDocument['eco-protection-plan']).toBe('noComments');
        expect((reply.perDocument['xinrong-eco-plan'] as unknown[]).length).toBe(2);
        expect(reply.responder.name).toBe('<b>教育局</b>');
      } finally {
        await browser.close();
      }
    },
  );

  it('takes a coordinator action from the CLI, recording the named user who acted', async () => {
    const id = await startSeedRound();
    await waitForMail(config.paths.outbox, id, 'invitation', 7);
    const cli = fileURLToPath(new URL('../../bin/plan-review', import.meta.url));
    const env = {
      ...process.env,
      PLAN_REVIEW_DATA_DIR: config.PLAN_REVIEW_DATA_DIR,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      PLAN_REVIEW_USER: 'coordinator',
    };
    const run = (...args: string[]) => promisify(execFile)(cli, args, { env, timeout: 60_000 });
    const { stdout } = await run('round', 'waive', id, 'culture', '--reason', '文旅局机构调整，免于回复');
    expect(stdout).toContain('waived culture');
    const status = JSON.parse((await run('round', 'status', id, '--json')).stdout) as RoundStatus;
    const culture = status.bureaus.find((b) => b.bureau.id === 'culture')!;
    expect(culture.outcome).toBe('waived');
    expect(culture.waived).toMatchObject({
      by: { role: 'coordinator', username: 'coordinator' },
      reason: '文旅局机构调整，免于回复',
    });
    await expect(run('round', 'waive', id, 'culture', '--reason', 'again')).rejects.toMatchObject({
      stderr: expect.stringContaining('already waived'),
    });
    // Three CLI processes, each starting Node and its TypeScript loader: seconds each on a busy machine.
  }, 180_000);
});
