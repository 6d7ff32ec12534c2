/**
 * The document store in PostgreSQL, for workers and web servers on several machines (no shared
 * disk): one row per SHA-256, the bytes in a bytea column, the hash checked again on every read.
 * Chosen by STORE_URL (infra/stores.ts); the local folder stays the embedded default.
 */
import pg from 'pg';
import { Sha256 } from '../domain/records.js';
import { checkName, ContentCorruptError, ContentNotFoundError, sha256Hex, type ContentStore } from './store.js';
import { UploadRecord, type UploadLedger } from './uploads.js';

export const CONTENT_TABLE = 'plan_review_content';
export const NAME_TABLE = 'plan_review_name';
/** Uploads that may never be used (infra/uploads.ts): one row per hash, first upload wins. */
export const UPLOAD_TABLE = 'plan_review_upload';

/** A connection pool to the PostgreSQL of STORE_URL (connections open on first use). */
export function openPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  // An idle connection the server dropped must not crash the process; the next query opens another.
  pool.on('error', (err) => console.error(`postgres: idle connection lost: ${err.message}`));
  return pool;
}

/**
 * Runs a CREATE ... IF NOT EXISTS. Two processes creating the same table at once can still collide
 * in PostgreSQL's catalogue (unique violation on pg_type, or "already exists"): the other one made it.
 */
export async function createIfMissing(pool: pg.Pool, ddl: string): Promise<void> {
  try {
    await pool.query(ddl);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw err;
  }
}

export class PostgresContentStore implements ContentStore, UploadLedger {
  private ready: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  /** Creates the table on first use (once per process; again after a failure). */
  private table(): Promise<void> {
    this.ready ??= createIfMissing(
      this.pool,
      `CREATE TABLE IF NOT EXISTS ${CONTENT_TABLE} (
        sha256 char(64) PRIMARY KEY,
        size integer NOT NULL,
        bytes bytea NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      )`,
    )
      .then(() =>
        createIfMissing(
          this.pool,
          `CREATE TABLE IF NOT EXISTS ${UPLOAD_TABLE} (
            sha256 char(64) PRIMARY KEY,
            round_id text NOT NULL,
            size bigint NOT NULL,
            uploaded_at timestamptz NOT NULL
          )`,
        ),
      )
      .catch((err: unknown) => {
        this.ready = undefined;
        throw err;
      });
    return this.ready;
  }

  private namesReady: Promise<void> | undefined;

  private nameTable(): Promise<void> {
    this.namesReady ??= createIfMissing(
      this.pool,
      `CREATE TABLE IF NOT EXISTS ${NAME_TABLE} (
        name text PRIMARY KEY,
        sha256 char(64) NOT NULL,
        named_at timestamptz NOT NULL DEFAULT now()
      )`,
    ).catch((err: unknown) => {
      this.namesReady = undefined;
      throw err;
    });
    return this.namesReady;
  }

  async setName(name: string, sha256: string): Promise<void> {
    checkName(name);
    PostgresContentStore.check(sha256);
    await this.nameTable();
    await this.pool.query(
      `INSERT INTO ${NAME_TABLE} (name, sha256) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, named_at = now()`,
      [name, sha256],
    );
  }

  async getName(name: string): Promise<string | undefined> {
    checkName(name);
    await this.nameTable();
    const result = await this.pool.query<{ sha256: string }>(`SELECT sha256 FROM ${NAME_TABLE} WHERE name = $1`, [
      name,
    ]);
    return result.rows[0]?.sha256;
  }

  private static check(sha256: string): void {
    if (!Sha256.safeParse(sha256).success) throw new Error(`not a SHA-256: ${JSON.stringify(sha256)}`);
  }

  async put(bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
    await this.table();
    const sha256 = sha256Hex(bytes);
    // Content-addressed: a second put of the same bytes (another process, a retried activity) changes nothing.
    await this.pool.query(
      `INSERT INTO ${CONTENT_TABLE} (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`,
      [sha256, bytes.byteLength, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    );
    return { sha256, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Buffer> {
    PostgresContentStore.check(sha256);
    await this.table();
    const result = await this.pool.query<{ bytes: Buffer }>(`SELECT bytes FROM ${CONTENT_TABLE} WHERE sha256 = $1`, [
      sha256,
    ]);
    const row = result.rows[0];
    if (!row) throw new ContentNotFoundError(sha256);
    const actual = sha256Hex(row.bytes);
    if (actual !== sha256) throw new ContentCorruptError(sha256, actual);
    return row.bytes;
  }

  async has(sha256: string): Promise<boolean> {
    PostgresContentStore.check(sha256);
    await this.table();
    const result = await this.pool.query(`SELECT 1 FROM ${CONTENT_TABLE} WHERE sha256 = $1`, [sha256]);
    return (result.rowCount ?? 0) > 0;
  }

  async recordUpload(record: UploadRecord): Promise<void> {
    const r = UploadRecord.parse(record);
    await this.table();
    await this.pool.query(
      `INSERT INTO ${UPLOAD_TABLE} (sha256, round_id, size, uploaded_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
      [r.sha256, r.roundId, r.size, r.at],
    );
  }

  async uploadedBytes(roundId: string): Promise<number> {
    await this.table();
    const result = await this.pool.query<{ total: string | null }>(
      `SELECT sum(size) AS total FROM ${UPLOAD_TABLE} WHERE round_id = $1`,
      [roundId],
    );
    return Number(result.rows[0]?.total ?? 0);
  }

  async uploadsBefore(cutoff: Date): Promise<UploadRecord[]> {
    await this.table();
    const result = await this.pool.query<{ sha256: string; round_id: string; size: string; uploaded_at: Date }>(
      `SELECT sha256, round_id, size, uploaded_at FROM ${UPLOAD_TABLE} WHERE uploaded_at < $1 ORDER BY uploaded_at`,
      [cutoff.toISOString()],
    );
    return result.rows.map((r) =>
      UploadRecord.parse({
        sha256: r.sha256,
        roundId: r.round_id,
        size: Number(r.size),
        at: r.uploaded_at.toISOString(),
      }),
    );
  }

  async forgetUpload(sha256: string): Promise<void> {
    PostgresContentStore.check(sha256);
    await this.table();
    await this.pool.query(`DELETE FROM ${UPLOAD_TABLE} WHERE sha256 = $1`, [sha256]);
  }

  async deleteUpload(sha256: string): Promise<void> {
    PostgresContentStore.check(sha256);
    await this.table();
    // One transaction: the bytes never outlive their record unnoticed, nor the other way round.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${CONTENT_TABLE} WHERE sha256 = $1`, [sha256]);
      await client.query(`DELETE FROM ${UPLOAD_TABLE} WHERE sha256 = $1`, [sha256]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }
}
