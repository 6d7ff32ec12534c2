/**
 * The benchmarks' mail server: real SMTP on loopback that counts each message by its kind
 * (the X-Plan-Review-Kind header every email carries) and keeps nothing, so a run of thousands of
 * emails measures sending, not a disk filling with .eml files.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountingSink {
  url: string;
  counts: Map<string, number>;
  total(): number;
  stop(): Promise<void>;
}

const KIND = /^x-plan-review-kind:\s*(\S+)/im;

export async function startCountingSink(): Promise<CountingSink> {
  const counts = new Map<string, number>();
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
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
