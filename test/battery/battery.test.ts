/**
 * A small sample of the reliability battery (bench/battery), with real processes: the dev server,
 * a `plan-review worker` and a `plan-review web` started as the stack starts them, the mail sink.
 * The worker is killed while seven reply Updates are in flight and stays down past the web
 * server's wait, the mail server is gone for a few seconds, and five rounds are answered by ten
 * clients at once. The full battery is `npm run battery` (RELIABILITY.md).
 */
import { describe, expect, it } from 'vitest';
import { runBattery } from '../../bench/battery/battery.js';
import type { BatteryResult } from '../../bench/battery/result.js';

const MINUTE = 60_000;

describe('the reliability battery, a small sample', () => {
  it(
    'loses no reply, delivers every email, copies only across a fault, and errors are clear',
    async () => {
      const results = await runBattery({
        only: ['worker-replies', 'smtp-outage', 'load'],
        faultRounds: 1,
        downMs: 16_000,
        smtpOutageMs: 5_000,
        loadRounds: 5,
        loadClients: 10,
        command: 'npx vitest run test/battery',
      });
      const byName = (prefix: string) => results.find((r) => r.name.startsWith(prefix))!;
      const [worker, smtp, load] = [byName('worker killed'), byName('mail server'), byName('load')];
      for (const r of results) expect({ name: r.name, broken: r.broken }).toEqual({ name: r.name, broken: [] });
      for (const r of results) {
        expect(r.figures).toMatchObject({
          repliesLost: 0,
          repliesRecordedTwice: 0,
          emailsUndelivered: 0,
          duplicatesUnexplained: 0,
          unclearErrorPages: 0,
          crashes: 0,
        });
        expect(r.figures.repliesRecorded).toBe(r.figures.repliesReceipted);
      }
      const n = (r: BatteryResult, k: string) => r.figures[k] as number;
      // The worker was down longer than the web server waits for an Update: some bureaus saw the
      // error page, every one of them clear, and their replies went in on the next Submit.
      expect(n(worker, 'submitsInFlightAtKill')).toBeGreaterThanOrEqual(3);
      expect(n(worker, 'failedPosts')).toBeGreaterThan(0);
      expect(n(worker, 'clearErrorPages') + n(worker, 'postsUnanswered')).toBe(n(worker, 'failedPosts'));
      expect(n(worker, 'repliesRecorded')).toBe(7);
      // While the mail server was gone, the round showed its waiting emails with their attempt and error.
      expect(n(smtp, 'mailInFlightWithError')).toBeGreaterThan(0);
      expect(n(smtp, 'emailsDelivered')).toBe(n(smtp, 'emailsSent'));
      expect(n(load, 'repliesRecorded')).toBe(35);
      expect(n(load, 'updatesAccepted')).toBe(35);
    },
    6 * MINUTE,
  );
});
