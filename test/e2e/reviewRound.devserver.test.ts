/**
 * The same round on the real dev server (started by the e2e project's global setup): it starts from
 * the seed's round file, answers its query, is listed through visibility, a second start is refused,
 * and its invitations reach the stack's SMTP sink over SMTP, one per bureau, as the round recorded them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { waitForMail } from '../../cli/linkReplies.js';
import { loadConfig, type Config } from '../../infra/config.js';
import { createMailTransport } from '../../infra/mailer.js';
import { loadRoundFile } from '../../infra/roundFile.js';
import { startSmtpSink, type SmtpSink } from '../../infra/smtpSink.js';
import { LocalContentStore } from '../../infra/store.js';
import { devServerWorker } from '../support/testWorker.js';
import { freePort } from '../../infra/ports.js';
import { coordinator, uniquePlanId } from '../support/rounds.js';
import { writeSeedRoundFile } from '../support/seedRoundFile.js';

const TASK_QUEUE = `test-e2e-${process.pid}`;
let client: Client;
let stop: () => Promise<void>;
let store: LocalContentStore;
let sink: SmtpSink;
let config: Config;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-e2e-'));
  config = loadConfig({ PLAN_REVIEW_DATA_DIR: dir, SMTP_SINK_PORT: String(await freePort()) });
  store = new LocalContentStore(config.paths.store);
  sink = await startSmtpSink({ dir: config.paths.outbox, port: config.SMTP_SINK_PORT });
  // The stack's own transport, so the invitations cross a real SMTP conversation into the sink.
  ({ client, stop } = await devServerWorker({ taskQueue: TASK_QUEUE, store, transport: createMailTransport(config) }));
});

afterAll(async () => {
  await stop?.();
  await sink?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('reviewRound on the real dev server', () => {
  it('starts the seed round, answers status, lists it, refuses a duplicate start, mails seven invitations', async () => {
    const planId = uniquePlanId('xinrong');
    const file = await writeSeedRoundFile(dir, planId);
    const { input } = await loadRoundFile(file, store, { startedBy: coordinator, messageIdDomain: 'plan-review.test' });
    const rounds = roundCalls(client, store, TASK_QUEUE);
    const id = await rounds.start(input);

    await expect.poll(async () => (await rounds.status(id)).documents.length, { timeout: 30_000 }).toBe(2);
    const status = await rounds.status(id);
    const plan = status.documents.find((d) => d.key === 'xinrong-eco-plan')!;
    const numbers = plan.versions[0]!.sections.map((s) => s.number);
    for (const cited of ['1.1.7', '2.2', '3.7', '4.2.1', '4.2.2', '5.1.3', '7.7']) expect(numbers).toContain(cited);
    expect(status.documents.find((d) => d.key === 'eco-protection-plan')!.standIn).toBe(true);

    await expect(rounds.gateway.start(input)).resolves.toEqual({ kind: 'exists', roundId: id });
    await expect
      .poll(
        async () => (await rounds.gateway.list().then((o) => (o.kind === 'done' ? o.value : []))).map((r) => r.id),
        { timeout: 30_000 },
      )
      .toContain(`round:${planId}:1`);

    const received = await waitForMail(config.paths.outbox, id, 'invitation', 7, 30_000);
    // The round records an invitation as sent only once the server accepted it; wait for all seven.
    await expect
      .poll(async () => (await rounds.status(id)).bureaus.filter((b) => b.invitation?.sentAt).length, {
        timeout: 30_000,
      })
      .toBe(7);
    const sent = (await rounds.status(id)).bureaus;
    expect(received.map((m) => m.messageId).sort()).toEqual(sent.map((b) => b.invitation!.messageId).sort());
    for (const b of sent) {
      const mail = received.find((m) => m.messageId === b.invitation!.messageId)!;
      expect(mail.messageId).toBe(`<round-${planId}-1.${b.bureau.id}.invitation.1@plan-review.test>`);
      expect(mail.to).toEqual(b.bureau.contacts.map((c) => c.email));
      expect(mail.subject).toContain('征求意见');
      expect(mail.attachments.map((a) => a.filename)).toEqual(status.documents.map((d) => `${d.title}.html`));
    }
  });
});
