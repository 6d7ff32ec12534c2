/** What every throttle does, whichever store keeps its counters (memory, PostgreSQL): one scenario, several stores. */
import { expect, vi } from 'vitest';
import type { Throttle } from '../../web/throttle.js';

const MINUTE = 60_000;

/**
 * For a throttle of 3 events per 10 minutes, with the system clock faked at `start` (the library
 * reads the system clock): the limit within the window, then refusals until the window that began
 * with the first event has passed.
 */
export async function windowScenario(t: Throttle, start: number): Promise<void> {
  for (let i = 0; i < 3; i++) expect(await t.take('k')).toEqual({ ok: true });
  vi.setSystemTime(start + 4 * MINUTE);
  expect(await t.take('k')).toEqual({ ok: false, retryAfterMs: 6 * MINUTE });
  expect(await t.retryAfterMs('k')).toBe(6 * MINUTE);
  expect(await t.take('other')).toEqual({ ok: true });

  vi.setSystemTime(start + 10 * MINUTE + 1);
  expect(await t.retryAfterMs('k')).toBe(0);
  expect(await t.take('k')).toEqual({ ok: true });
}
