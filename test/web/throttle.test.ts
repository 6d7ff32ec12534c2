/** Throttles on rate-limiter-flexible's memory limiter: the window, refusals, taking back and forgetting. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff, memoryLimiters, Throttle } from '../../web/throttle.js';
import { windowScenario } from '../support/throttleScenarios.js';

const START = Date.parse('2030-01-01T00:00:00Z');
const MINUTE = 60_000;

// The library reads the system clock: the tests move it.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

const throttle = () => new Throttle({ name: 'test', limit: 3, windowMs: 10 * MINUTE });

describe('Throttle', () => {
  it('allows the limit within the window, then refuses until the window that began with the first event has passed', async () => {
    await windowScenario(throttle(), START);
  });

  it('counts events taken all at once', async () => {
    const t = throttle();
    const results = await Promise.all(Array.from({ length: 8 }, () => t.take('k')));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
  });

  it('takes back one event within its window, and none once the window has passed', async () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) await t.take('k');
    await t.giveBack('k');
    expect(await t.retryAfterMs('k')).toBe(0);
    expect(await t.take('k')).toEqual({ ok: true });
    expect((await t.take('k')).ok).toBe(false);

    // A late give-back must not start the next window below zero (one event more than the limit).
    vi.setSystemTime(START + 10 * MINUTE + 1);
    await t.giveBack('k');
    const next = await Promise.all(Array.from({ length: 4 }, () => t.take('k')));
    expect(next.filter((r) => r.ok)).toHaveLength(3);
  });

  it("forgets a key's events", async () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) await t.take('k');
    await t.clear('k');
    expect(await t.take('k')).toEqual({ ok: true });
  });

  it('builds its limiter through the factory, keyed by the throttle name', async () => {
    const built: string[] = [];
    const t = new Throttle({ name: 'login-address', limit: 1, windowMs: 1000 }, (options) => {
      built.push(`${options.name} ${options.limit}/${options.windowMs}`);
      return memoryLimiters(options);
    });
    expect(built).toEqual(['login-address 1/1000']);
    expect(await t.take('k')).toEqual({ ok: true });
    expect((await t.take('k')).ok).toBe(false);
  });

  it('refuses options a store cannot keep: a window of part of a second, no limit', () => {
    expect(() => new Throttle({ name: 'test', limit: 3, windowMs: 1500 })).toThrow();
    expect(() => new Throttle({ name: 'test', limit: 0, windowMs: 1000 })).toThrow();
  });
});

describe('Backoff', () => {
  const backoff = () =>
    new Backoff({ name: 'test', free: 2, firstWaitMs: 10_000, maxWaitMs: 60_000, forgetMs: 3600_000 });

  it('lets a key fail freely a few times, then makes it wait longer after each failure, up to the longest wait', async () => {
    const b = backoff();
    expect([1, 2, 3, 4, 5, 6].map((n) => b.waitAfter(n))).toEqual([0, 10_000, 20_000, 40_000, 60_000, 60_000]);
    for (let i = 0; i < 2; i++) {
      const a = await b.attempt('k');
      expect(a.ok).toBe(true);
      if (a.ok) await b.failed('k', a.failures);
    }
    expect(await b.attempt('k')).toEqual({ ok: false, retryAfterMs: 10_000 });
    expect((await b.attempt('other')).ok).toBe(true);
    vi.setSystemTime(START + 10_000);
    const third = await b.attempt('k');
    expect(third).toEqual({ ok: true, failures: 3 });
    // While it is checked, the key has no other attempt.
    expect((await b.attempt('k')).ok).toBe(false);
    await b.failed('k', 3);
    expect(await b.attempt('k')).toEqual({ ok: false, retryAfterMs: 20_000 });
  });

  it('forgets a key that succeeded', async () => {
    const b = backoff();
    for (let i = 0; i < 2; i++) {
      const a = await b.attempt('k');
      if (a.ok) await b.failed('k', a.failures);
    }
    expect((await b.attempt('k')).ok).toBe(false);
    await b.succeeded('k');
    expect(await b.attempt('k')).toEqual({ ok: true, failures: 1 });
  });

  it('builds its two limiters through the factory', () => {
    const built: string[] = [];
    new Backoff({ name: 'login', free: 5, firstWaitMs: 30_000, maxWaitMs: 900_000, forgetMs: 86_400_000 }, (o) => {
      built.push(`${o.name} ${o.limit}/${o.windowMs}`);
      return memoryLimiters(o);
    });
    expect(built).toEqual(['login-fails 1000000/86400000', 'login-wait 1/60000']);
  });
});
