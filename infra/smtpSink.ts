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
  refuseRecipient,
  onMessage,
}: {
  dir: string;
  port: number;
  host?: string;
  /** A recipient this server refuses for good (550), with the reason it gives: a mail server's permanent refusal. */
  refuseRecipient?: (address: string) => string | undefined;
  /**
   * Called with each message once it is kept, before the client hears 250; `receivedAt` is when its
   * last byte arrived (ms since the epoch): from then on the server has it, whatever befalls the client.
   */
  onMessage?: (raw: Buffer, file: string, receivedAt: number) => void;
}): Promise<SmtpSink> {
  await mkdir(dir, { recursive: true });
  let seq = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      const refused = refuseRecipient?.(address.address);
      if (refused) callback(Object.assign(new Error(refused), { responseCode: 550 }));
      else callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const receivedAt = Date.now();
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        // Sortable names: arrival time, then a counter; written atomically so readers never see half a file.
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++seq).padStart(6, '0')}.eml`;
        const tmp = path.join(dir, `.${randomUUID()}.tmp`);
        const raw = Buffer.concat(chunks);
        writeFile(tmp, raw)
          .then(() => rename(tmp, path.join(dir, name)))
          .then(() => onMessage?.(raw, name, receivedAt))
          .then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A client that goes away mid-conversation (a worker killed while sending) resets its connection:
  // its message was not taken, and it will send it again; the sink carries on for everyone else.
  server.on('error', (err: NodeJS.ErrnoException) => {
    console.error(`mail sink: a connection failed: ${err.code ?? err.message}`);
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
