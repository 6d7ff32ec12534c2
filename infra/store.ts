/**
 * The content-addressed document store: Markdown sources, attachments, scans and generated PDFs,
 * addressed by the SHA-256 of their bytes. Workflows hold hashes only (Temporal payloads are small).
 * The interface is narrow so that a shared S3-compatible store can stand in for the local folder
 * when workers run on several machines.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Sha256 } from '../domain/records.js';
import { UploadRecord, type UploadLedger } from './uploads.js';

export interface ContentStore {
  /** Stores bytes (idempotent: the same bytes give the same hash and are written once). */
  put(bytes: Uint8Array): Promise<{ sha256: string; size: number }>;
  /** The bytes of a hash; throws ContentNotFoundError when absent, ContentCorruptError on a mismatch. */
  get(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
  /**
   * Names a stored hash (e.g. `archive/round:plan:1` → the round's archive), so that it can be found
   * without the workflow history that also records it. A name points at one hash; naming it again moves it.
   */
  setName(name: string, sha256: string): Promise<void>;
  /** The hash a name points at, or undefined. */
  getName(name: string): Promise<string | undefined>;
}

/** A name for setName/getName: printable, no path tricks. */
export function checkName(name: string): string {
  if (!/^[a-z]+\/[\w:.-]{1,200}$/.test(name) || name.includes('..'))
    throw new Error(`not a store name: ${JSON.stringify(name)}`);
  return name;
}

export class ContentNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`no content with SHA-256 ${sha256} in the document store`);
    this.name = 'ContentNotFoundError';
  }
}

export class ContentCorruptError extends Error {
  constructor(
    readonly sha256: string,
    readonly actual: string,
  ) {
    super(`stored content for ${sha256} is corrupt: its bytes hash to ${actual}`);
    this.name = 'ContentCorruptError';
  }
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A folder of files named by hash (ab/abcdef...), written atomically; uploads recorded in `_uploads/<hash>.json`. */
export class LocalContentStore implements ContentStore, UploadLedger {
  constructor(private readonly root: string) {}

  private uploadFile(sha256: string): string {
    if (!Sha256.safeParse(sha256).success) throw new Error(`not a SHA-256: ${JSON.stringify(sha256)}`);
    return path.join(this.root, '_uploads', `${sha256}.json`);
  }

  private async uploads(): Promise<UploadRecord[]> {
    let names: string[];
    try {
      names = await readdir(path.join(this.root, '_uploads'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const records: UploadRecord[] = [];
    for (const name of names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n))) {
      try {
        records.push(UploadRecord.parse(JSON.parse(await readFile(path.join(this.root, '_uploads', name), 'utf8'))));
      } catch (err) {
        // Forgotten (or deleted) between the listing and the read.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return records;
  }

  async recordUpload(record: UploadRecord): Promise<void> {
    const file = this.uploadFile(record.sha256);
    // Once per hash: the first upload of the bytes is the one that counts.
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      return;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, JSON.stringify(UploadRecord.parse(record)));
    await rename(tmp, file);
  }

  async uploadedBytes(roundId: string): Promise<number> {
    return (await this.uploads()).filter((u) => u.roundId === roundId).reduce((n, u) => n + u.size, 0);
  }

  async uploadsBefore(cutoff: Date): Promise<UploadRecord[]> {
    return (await this.uploads()).filter((u) => Date.parse(u.at) < cutoff.getTime());
  }

  async forgetUpload(sha256: string): Promise<void> {
    await rm(this.uploadFile(sha256), { force: true });
  }

  async deleteUpload(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
    await this.forgetUpload(sha256);
  }

  private pathOf(sha256: string): string {
    const valid = Sha256.safeParse(sha256);
    if (!valid.success) throw new Error(`not a SHA-256: ${JSON.stringify(sha256)}`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    const file = this.pathOf(sha256);
    if (!(await this.has(sha256))) {
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomUUID()}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    }
    return { sha256, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ContentNotFoundError(sha256);
      throw err;
    }
    const actual = sha256Hex(bytes);
    if (actual !== sha256) throw new ContentCorruptError(sha256, actual);
    return bytes;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private nameFile(name: string): string {
    return path.join(this.root, 'names', encodeURIComponent(checkName(name)));
  }

  async setName(name: string, sha256: string): Promise<void> {
    if (!Sha256.safeParse(sha256).success) throw new Error(`not a SHA-256: ${JSON.stringify(sha256)}`);
    const file = this.nameFile(name);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, `${sha256}\n`);
    await rename(tmp, file);
  }

  async getName(name: string): Promise<string | undefined> {
    try {
      return (await readFile(this.nameFile(name), 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

/**
 * Bytes kept in memory, for a worker that lives as long as one process (a benchmark, a test):
 * nothing to clean up, nothing shared with another run.
 */
export class MemoryContentStore implements ContentStore, UploadLedger {
  readonly blobs = new Map<string, Buffer>();
  readonly uploads = new Map<string, UploadRecord>();

  async recordUpload(record: UploadRecord): Promise<void> {
    if (!this.uploads.has(record.sha256)) this.uploads.set(record.sha256, UploadRecord.parse(record));
  }

  async uploadedBytes(roundId: string): Promise<number> {
    return [...this.uploads.values()].filter((u) => u.roundId === roundId).reduce((n, u) => n + u.size, 0);
  }

  async uploadsBefore(cutoff: Date): Promise<UploadRecord[]> {
    return [...this.uploads.values()].filter((u) => Date.parse(u.at) < cutoff.getTime());
  }

  async forgetUpload(sha256: string): Promise<void> {
    this.uploads.delete(sha256);
  }

  async deleteUpload(sha256: string): Promise<void> {
    this.blobs.delete(sha256);
    this.uploads.delete(sha256);
  }

  async put(bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    this.blobs.set(sha256, Buffer.from(bytes));
    return { sha256, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Buffer> {
    const b = this.blobs.get(sha256);
    if (!b) throw new ContentNotFoundError(sha256);
    return b;
  }

  async has(sha256: string): Promise<boolean> {
    return this.blobs.has(sha256);
  }

  readonly names = new Map<string, string>();

  async setName(name: string, sha256: string): Promise<void> {
    this.names.set(checkName(name), sha256);
  }

  async getName(name: string): Promise<string | undefined> {
    return this.names.get(name);
  }
}
