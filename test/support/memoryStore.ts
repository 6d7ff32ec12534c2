import { ContentNotFoundError, sha256Hex, type ContentStore } from '../../infra/store.js';

/** An in-memory document store for tests of activities and workflows. */
export class MemoryContentStore implements ContentStore {
  readonly blobs = new Map<string, Buffer>();
  async put(bytes: Uint8Array) {
    const sha256 = sha256Hex(bytes);
    this.blobs.set(sha256, Buffer.from(bytes));
    return { sha256, size: bytes.byteLength };
  }
  async get(sha256: string) {
    const b = this.blobs.get(sha256);
    if (!b) throw new ContentNotFoundError(sha256);
    return b;
  }
  async has(sha256: string) {
    return this.blobs.has(sha256);
  }
}
