/**
 * Throttles: how many events a key (a client address, a reply link) had within a window, and
 * backoffs: a growing wait after a key's failures (a username at one address), on
 * rate-limiter-flexible. Used for sign-in throttling (web/auth.ts) and the per-link upload quota
 * (web/replyRoutes.ts).
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

export const BackoffOptions = z
  .object({
    /** Names the counters in a shared store (two limiters: `<name>-fails` and `<name>-wait`). */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,34}$/),
    /** Failures a key may have before it must wait. */
    free: z.number().int().nonnegative(),
    /** The wait after the first failure past the free ones (whole seconds); each further failure doubles it. */
    firstWaitMs: z.number().int().min(1000).multipleOf(1000),
    /** The longest wait (whole seconds). */
    maxWaitMs: z.number().int().min(1000).multipleOf(1000),
    /** A key's failures are forgotten this long after its first one (whole seconds). */
    forgetMs: z.number().int().min(1000).multipleOf(1000),
    /** How long one attempt may hold the key's turn while it is checked (whole seconds). */
    attemptMs: z.number().int().min(1000).multipleOf(1000).default(60_000),
  })
  .strict();
export type BackoffOptions = z.input<typeof BackoffOptions>;

/**
 * A growing wait after a key's failures: the first `free` failures cost nothing, then each one
 * makes the key wait before its next attempt (firstWaitMs, then twice as long each time, up to
 * maxWaitMs). A success forgets the key. Attempts sent all at once cannot slip past: once the
 * free ones are used, a key has one attempt at a time, and only when its wait is over.
 */
export class Backoff {
  private readonly fails: RateLimiterAbstract;
  private readonly turn: RateLimiterAbstract;
  private readonly options: z.output<typeof BackoffOptions>;

  constructor(options: BackoffOptions, limiters: LimiterFactory = memoryLimiters) {
    this.options = BackoffOptions.parse(options);
    const { name, forgetMs, attemptMs } = this.options;
    this.fails = limiters({ name: `${name}-fails`, limit: 1_000_000, windowMs: forgetMs });
    // One point: the turn of the one attempt allowed once the wait is over; a failure blocks it for the next wait.
    this.turn = limiters({ name: `${name}-wait`, limit: 1, windowMs: attemptMs });
  }

  /** The wait after the key's n-th failure: none before the `free`-th, then firstWaitMs, doubling. */
  waitAfter(failures: number): number {
    const past = failures - this.options.free;
    if (past < 0) return 0;
    return Math.min(this.options.maxWaitMs, this.options.firstWaitMs * 2 ** Math.min(past, 30));
  }

  /**
   * Starts an attempt: counted up front as a failure (so that attempts sent at once are counted),
   * or refused with how long until the key may try again. Report how it went with `failed` or `succeeded`.
   */
  async attempt(key: string): Promise<{ ok: true; failures: number } | { ok: false; retryAfterMs: number }> {
    const counted = await this.fails.consume(key);
    const failures = counted.consumedPoints;
    if (failures < this.options.free) return { ok: true, failures };
    try {
      // The last free attempt takes the turn too, so that attempts sent with it wait for its outcome.
      await this.turn.consume(key);
      return { ok: true, failures };
    } catch (refusal) {
      if (failures === this.options.free && refusal instanceof RateLimiterRes) return { ok: true, failures };
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // Not an attempt: it does not count.
      await this.fails.reward(key);
      return { ok: false, retryAfterMs: Math.max(1000, refusal.msBeforeNext) };
    }
  }

  /** The attempt failed: the key waits before its next one (from its `failures`). */
  async failed(key: string, failures: number): Promise<void> {
    const wait = this.waitAfter(failures);
    if (wait > 0) await this.turn.block(key, wait / 1000);
  }

  /** The attempt succeeded: the key's failures are forgotten. */
  async succeeded(key: string): Promise<void> {
    await Promise.all([this.fails.delete(key), this.turn.delete(key)]);
  }
}
