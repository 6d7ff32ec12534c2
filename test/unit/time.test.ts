import { describe, expect, it } from 'vitest';
import { durationMs, instantToLocal, iso, parseInstantInput } from '../../domain/time.js';
import { timeLeft } from '../../infra/templates.js';

describe('the one reader of typed date-times', () => {
  it('reads a local date-time in the given zone, or one with an offset or a zone of its own', () => {
    expect(parseInstantInput('2022-02-17T18:00', 'Asia/Shanghai')).toBe('2022-02-17T10:00:00.000Z');
    expect(parseInstantInput(' 2022-02-17 18:00 ', 'Asia/Shanghai')).toBe('2022-02-17T10:00:00.000Z');
    expect(parseInstantInput('2022-02-17T18:00:30', 'UTC')).toBe('2022-02-17T18:00:30.000Z');
    expect(parseInstantInput('2022-02-17T18:00+08:00', 'UTC')).toBe('2022-02-17T10:00:00.000Z');
    expect(parseInstantInput('2022-02-17T10:00Z', 'Asia/Shanghai')).toBe('2022-02-17T10:00:00.000Z');
    expect(parseInstantInput('2022-02-17T18:00[Asia/Shanghai]', 'UTC')).toBe('2022-02-17T10:00:00.000Z');
  });

  it('refuses what is not a real date and time', () => {
    for (const bad of [
      '2022-02-30T18:00',
      'next friday',
      '2022-02-17',
      '2022-02-17T25:00',
      '2022-02-17T18:00[Mars/Base]',
      '',
    ]) {
      expect(parseInstantInput(bad, 'Asia/Shanghai'), bad).toBeUndefined();
    }
  });

  it('shows an instant as a local date-time, and reads durations and instants', () => {
    expect(instantToLocal('2022-02-17T10:00:00.000Z', 'Asia/Shanghai')).toBe('2022-02-17T18:00');
    expect(instantToLocal('not an instant', 'Asia/Shanghai')).toBe('');
    expect(durationMs('P1DT2H')).toBe(26 * 3600_000);
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('the time left before a deadline', () => {
  const H = 3600_000;
  const D = 24 * H;
  it('in days a long way off, days and hours the day before, then hours and minutes; nothing once passed', () => {
    expect(timeLeft(14 * D, 0)).toEqual({ zh: '14 天', en: '14 days' });
    expect(timeLeft(3 * D + 5 * H, 0)).toEqual({ zh: '3 天', en: '3 days' });
    expect(timeLeft(D + 5 * H, 0)).toEqual({ zh: '1 天 5 小时', en: '1 day 5 hours' });
    expect(timeLeft(2 * D, 0)).toEqual({ zh: '2 天', en: '2 days' });
    expect(timeLeft(H + 59 * 60_000, 0)).toEqual({ zh: '1 小时', en: '1 hour' });
    expect(timeLeft(12 * 60_000 + 5_000, 0)).toEqual({ zh: '12 分钟', en: '12 minutes' });
    expect(timeLeft(5_000, 0)).toEqual({ zh: '1 分钟', en: '1 minute' });
    expect(timeLeft(0, 0)).toBeUndefined();
    expect(timeLeft(0, 1)).toBeUndefined();
  });
});
