/**
 * Throttles: how many events a key (a username, a client address, a reply link) had within a
 * window, on rate-limiter-flexible. Used for sign-in throttling (web/auth.ts) and the per-link
 * upload quota (web/replyRoutes.ts).
 *
 * The counters live wherever the limiter factory puts them. `memoryLimiters` keeps them in this
 * process: counts start again when the server restarts and each web server counts on its own, which
 * is acceptable while there is one (the embedded stack). Web servers scaled out behind one address
 * would each allow the full limit, so with STORE_URL set they share `postgresLimiters`: one table in
 * the store's PostgreSQL, where checking and counting are one upsert, whichever server a request reaches.
 *
 * The window is the library's: it starts at a key's first counted event and ends `windowMs` later,
 * when the key starts afresh. The library reads the system clock (it has no clock option), so
 * tests that move time for a throttle move the system clock (vi.setSystemTime).
 */
import type pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { z } from 'zod';
import { createIfMissing } from '../infra/postgresStore.js';

export const ThrottleOptions = z
  .object({
    /** Names the counters in a shared store (the key prefix), so that two throttles never share a key. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
    /** Events a key may have within the window; the next one is refused. */
    limit: z.number().int().positive(),
    /** Whole seconds: stores keep their expiry in seconds. */
    windowMs: z.number().int().min(1000).multipleOf(1000),
  })
  .strict();
export type ThrottleOptions = z.infer<typeof ThrottleOptions>;

/** Builds the limiter of one throttle: the one place that decides where counters are kept. */
export type LimiterFactory = (options: ThrottleOptions) => RateLimiterAbstract;

/** Counters in this process's memory (expired keys are dropped by the library's timers). */
export const memoryLimiters: LimiterFactory = ({ name, limit, windowMs }) =>
  new RateLimiterMemory({ keyPrefix: name, points: limit, duration: windowMs / 1000 });

export const THROTTLE_TABLE = 'plan_review_throttle';

/**
 * Counters in PostgreSQL, shared by every web server on the same database. The table is created
 * here, before any limiter exists (the library would otherwise create it in the background and
 * refuse the first requests); its key is text, as a throttle's key has no fixed length.
 */
export async function postgresLimiters(pool: pg.Pool): Promise<LimiterFactory> {
  await createIfMissing(
    pool,
    `CREATE TABLE IF NOT EXISTS ${THROTTLE_TABLE} (key text PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
  );
  return ({ name, limit, windowMs }) =>
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: THROTTLE_TABLE,
      tableCreated: true,
      keyPrefix: name,
      points: limit,
      duration: windowMs / 1000,
    });
}

/** A counted event, or a refusal with how long until the key may act again. */
export type Taken = { ok: true } | { ok: false; retryAfterMs: number };

export class Throttle {
  private readonly limiter: RateLimiterAbstract;
  readonly limit: number;
  readonly windowMs: number;

  constructor(options: ThrottleOptions, limiters: LimiterFactory = memoryLimiters) {
    const parsed = ThrottleOptions.parse(options);
    this.limiter = limiters(parsed);
    this.limit = parsed.limit;
    this.windowMs = parsed.windowMs;
  }

  /**
   * The key's counter in the current window, or null. A memory record can outlive its window by the
   * lag of the timer that drops it; it counts as gone once its window has passed.
   */
  private async current(key: string): Promise<RateLimiterRes | null> {
    const res = await this.limiter.get(key);
    return res && res.msBeforeNext > 0 ? res : null;
  }

  /**
   * Counts one event unless the key has used up its window. Checking and counting are one step in
   * the store, so events sent all at once cannot slip past the limit. A refused event leaves the
   * window where it was.
   */
  async take(key: string): Promise<Taken> {
    try {
      await this.limiter.consume(key);
      return { ok: true };
    } catch (refusal) {
      // The library refuses with its result; anything else (a store that cannot be reached) is an error.
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return { ok: false, retryAfterMs: Math.max(0, refusal.msBeforeNext) };
    }
  }

  /** How long until the key may act again (0 when it may now). */
  async retryAfterMs(key: string): Promise<number> {
    const res = await this.current(key);
    return res && res.consumedPoints >= this.limit ? res.msBeforeNext : 0;
  }

  /**
   * Takes back one counted event (an event counted up front that turned out not to count). Only
   * within the window it was counted in: rewarding a key whose window has passed would start a new
   * window below zero.
   */
  async giveBack(key: string): Promise<void> {
    const res = await this.current(key);
    if (res && res.consumedPoints > 0) await this.limiter.reward(key);
  }

  /** Forgets the key's events (e.g. after a successful sign-in). */
  async clear(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
