/**
 * A mail sink's folder holding real emails of two rounds, for the outbox pages: the email activity
 * renders an invitation and a reminder to a bureau of the seed round and an invitation of a second
 * plan's round, and sends them over SMTP to the project's own sink (infra/smtpSink.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { createEmailActivities } from '../../activities/email.js';
import { inProcessActivityDeps } from '../../bench/support/activityDeps.js';
import type { MailRequest } from '../../domain/mail.js';
import { freePort } from '../../infra/ports.js';
import { listOutbox, startSmtpSink } from '../../infra/smtpSink.js';
import { MemoryContentStore } from '../../infra/store.js';
import { SEED_BUREAUS } from './rounds.js';

export const SEED_ROUND = 'round:xinrong-eco-plan:2';
export const OTHER_ROUND = 'round:other-plan:1';

export interface OutboxMail {
  dir: string;
  /** The sink's file names, oldest first: the seed round's invitation and reminder, then the other round's invitation. */
  names: string[];
}

export async function outboxWithMail(): Promise<OutboxMail> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-outbox-'));
  const sink = await startSmtpSink({ dir, port: await freePort() });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
  try {
    const store = new MemoryContentStore();
    const acts = createEmailActivities(inProcessActivityDeps(store, transport));
    const { sha256 } = await store.put(Buffer.from('# 第一章 总则\n'));
    const round = (id: string): MailRequest['round'] => ({
      id,
      title: '大同市新荣区“十四五”生态环境保护规划',
      timeZone: 'Asia/Shanghai',
      coordinator: { name: '新荣分局', email: 'coordinator@xinrong.example.org', phone: '0352-1234567' },
      documents: [{ key: 'eco-plan', title: '生态环境保护规划（征求意见稿）', sha256, standIn: false }],
    });
    const bureau = SEED_BUREAUS[2]!;
    const send = (id: string, kind: 'invitation' | 'reminder', seq: number) =>
      new MockActivityEnvironment().run(() =>
        acts.sendEmail({
          kind,
          messageId: `<${id}.${bureau.id}.${kind}.${seq}@plan-review.test>`,
          to: [bureau.contacts[0]!.email],
          round: round(id),
          bureau,
          linkId: `${bureau.id}-1`,
          deadline: '2030-02-17T10:00:00Z',
        }),
      );
    await send(SEED_ROUND, 'invitation', 1);
    await send(SEED_ROUND, 'reminder', 1);
    await send(OTHER_ROUND, 'invitation', 1);
  } finally {
    transport.close();
    await sink.stop();
  }
  return { dir, names: await listOutbox(dir) };
}
