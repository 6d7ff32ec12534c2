/** The mail sink as a real SMTP server on loopback: what it keeps, what it refuses, and clients that vanish. */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/ports.js';
import { listOutbox, startSmtpSink } from '../../infra/smtpSink.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const send = (port: number, to: string) =>
  nodemailer
    .createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    .sendMail({ from: 'plan-review@localhost', to, subject: 'test', text: '正文', messageId: `<${to}.1@localhost>` });

/** A client that starts a message and then resets its connection (RST), as a killed worker's does. */
async function resetMidMessage(port: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  const said = (text: string) =>
    new Promise<void>((resolve) => {
      const on = (c: Buffer) => {
        if (c.toString().includes(text)) {
          socket.off('data', on);
          resolve();
        }
      };
      socket.on('data', on);
    });
  await said('220');
  for (const line of ['EHLO worker', 'MAIL FROM:<plan-review@localhost>', 'RCPT TO:<a@example.org>', 'DATA']) {
    const answer = said(line === 'DATA' ? '354' : '250');
    socket.write(`${line}\r\n`);
    await answer;
  }
  socket.write('Subject: half\r\n\r\nhalf a message');
  await new Promise((r) => setTimeout(r, 100));
  socket.resetAndDestroy();
}

describe('the mail sink', () => {
  it('keeps serving after a client resets its connection mid-message, and keeps only whole messages', async () => {
    const sink = await startSmtpSink({ dir, port: await freePort() });
    try {
      // More than once: a listener left from start-up used to swallow the first reset only.
      for (let i = 0; i < 3; i++) await resetMidMessage(sink.port);
      await new Promise((r) => setTimeout(r, 200));
      await send(sink.port, 'finance@bureaus.example.org');
      expect(await listOutbox(dir)).toHaveLength(1);
    } finally {
      await sink.stop();
    }
  });

  it('refuses an address for good (550) and tells who is listening when each kept message arrived', async () => {
    const kept: Array<{ file: string; receivedAt: number }> = [];
    const before = Date.now();
    const sink = await startSmtpSink({
      dir,
      port: await freePort(),
      refuseRecipient: (a) => (a === 'culture@bureaus.example.org' ? 'mailbox unavailable' : undefined),
      onMessage: (_raw, file, receivedAt) => kept.push({ file, receivedAt }),
    });
    try {
      await expect(send(sink.port, 'culture@bureaus.example.org')).rejects.toMatchObject({ responseCode: 550 });
      await send(sink.port, 'water@bureaus.example.org');
      expect(kept.map((k) => k.file)).toEqual(await listOutbox(dir));
      expect(kept[0]!.receivedAt).toBeGreaterThanOrEqual(before);
    } finally {
      await sink.stop();
    }
  });
});
