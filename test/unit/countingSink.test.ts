/** The benchmarks' counting mail sink: counts by kind, and a driver's wait for a round's emails. */
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCountingSink, type CountingSink } from '../../bench/support/countingSink.js';

let sink: CountingSink;
beforeEach(async () => {
  sink = await startCountingSink();
});
afterEach(async () => {
  await sink.stop();
});

const send = (round: string, kind: string, n: number) =>
  nodemailer.createTransport(sink.url).sendMail({
    from: 'plan-review@localhost',
    to: 'bureau@example.org',
    subject: '邀请 Invitation',
    text: '正文',
    messageId: `<${round}.${kind}.${n}@localhost>`,
    headers: { 'X-Plan-Review-Round': round, 'X-Plan-Review-Kind': kind },
  });

describe('counting sink', () => {
  it('counts each email by its kind and resolves a wait once the round has that many of that kind', async () => {
    let arrived = false;
    const waiting = sink.arrived('round:a-1', 'invitation', 2).then(() => (arrived = true));
    await send('round:a-1', 'invitation', 1);
    await send('round:b-1', 'invitation', 1);
    await send('round:a-1', 'replyNotice', 1);
    expect(arrived).toBe(false);
    await send('round:a-1', 'invitation', 2);
    await waiting;
    expect(arrived).toBe(true);
    expect(Object.fromEntries(sink.counts)).toEqual({ invitation: 3, replyNotice: 1 });
    // Already there: a later wait for as many resolves at once.
    await sink.arrived('round:a-1', 'invitation', 2);
  });

  it('fails a wait that the round never satisfies, naming what came', async () => {
    await send('round:a-1', 'outcomeNotice', 1);
    await expect(sink.arrived('round:a-1', 'outcomeNotice', 2, 200)).rejects.toThrow(
      'round round:a-1: 1 of 2 outcomeNotice emails within 0.2 s',
    );
  });
});
