/**
 * The embedded stack's mail sink: a real SMTP server on loopback that keeps every message it
 * receives as an .eml file under data/outbox, so the coordinator can read what would have gone out.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

export async function startSmtpSink({
  dir,
  port,
  host = '127.0.0.1',
}: {
  dir: string;
  port: number;
  host?: string;
}): Promise<SmtpSink> {
  await mkdir(dir, { recursive: true });
  let seq = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        // Sortable names: arrival time, then a counter; written atomically so readers never see half a file.
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++seq).padStart(6, '0')}.eml`;
        const tmp = path.join(dir, `.${randomUUID()}.tmp`);
        writeFile(tmp, Buffer.concat(chunks))
          .then(() => rename(tmp, path.join(dir, name)))
          .then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return {
    port: address.port,
    dir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The .eml files in the sink, oldest first. */
export async function listOutbox(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export async function readOutboxMessage(dir: string, name: string): Promise<Buffer> {
  if (!/^[\w.-]+\.eml$/.test(name) || name.startsWith('.')) throw new Error(`not a message name: ${name}`);
  return readFile(path.join(dir, name));
}
