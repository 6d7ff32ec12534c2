/**
 * The benchmarks' mail server: real SMTP on loopback that counts each message by its kind
 * (the X-Plan-Review-Kind header every email carries) and keeps nothing, so a run of thousands of
 * emails measures sending, not a disk filling with .eml files. A driver waits on it for a round's
 * emails, as a bureau waits for its inbox, instead of asking the round over and over.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountingSink {
  url: string;
  counts: Map<string, number>;
  total(): number;
  /** Resolves once `count` emails of `kind` for round `roundId` (its X-Plan-Review-Round header) have arrived. */
  arrived(roundId: string, kind: string, count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const KIND = /^x-plan-review-kind:\s*(\S+)/im;
const ROUND = /^x-plan-review-round:\s*(\S+)/im;

export async function startCountingSink(): Promise<CountingSink> {
  const counts = new Map<string, number>();
  /** Emails by round and kind ("round kind"), and who waits for how many. */
  const byRound = new Map<string, number>();
  const waiters = new Map<string, Array<{ count: number; resolve: () => void }>>();
  const received = (key: string) => {
    const n = (byRound.get(key) ?? 0) + 1;
    byRound.set(key, n);
    const waiting = waiters.get(key);
    if (!waiting) return;
    const still = waiting.filter((w) => (w.count <= n ? (w.resolve(), false) : true));
    if (still.length > 0) waiters.set(key, still);
    else waiters.delete(key);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      // The headers come first: the first chunk names the kind; the rest is read and dropped.
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 16_384) head += c.toString('latin1');
      });
      stream.on('end', () => {
        const kind = KIND.exec(head)?.[1] ?? 'unknown';
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
        const round = ROUND.exec(head)?.[1];
        if (round) received(`${round} ${kind}`);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    arrived(roundId, kind, count, timeoutMs = 600_000) {
      const key = `${roundId} ${kind}`;
      if ((byRound.get(key) ?? 0) >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `round ${roundId}: ${byRound.get(key) ?? 0} of ${count} ${kind} emails within ${timeoutMs / 1000} s`,
              ),
            ),
          timeoutMs,
        );
        const list = waiters.get(key) ?? [];
        list.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
        waiters.set(key, list);
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
