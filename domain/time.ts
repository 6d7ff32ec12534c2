/**
 * Instants and the date-times people type. Instants are ISO-8601 strings in UTC (`iso`); a
 * coordinator types a local date-time in the round's time zone (2030-03-01T18:00), or one with an
 * offset (2030-03-01T18:00+08:00) or a zone ([Asia/Shanghai]). One reader for the web forms, the
 * CLI and round files. The workflow uses `iso` only.
 */
import { Temporal } from 'temporal-polyfill';

export const iso = (ms: number): string => new Date(ms).toISOString();

const LOCAL = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/** A typed date-time as an ISO instant, or undefined when it is not a real date and time. */
export function parseInstantInput(value: string, timeZone: string): string | undefined {
  const v = value.trim();
  try {
    if (/\[.+\]$/.test(v)) return iso(Temporal.ZonedDateTime.from(v).epochMilliseconds);
    if (/T.*(Z|[+-]\d\d:?\d\d)$/i.test(v)) return iso(Temporal.Instant.from(v).epochMilliseconds);
    if (LOCAL.test(v)) {
      const local = Temporal.PlainDateTime.from(v.replace(' ', 'T'), { overflow: 'reject' });
      return iso(local.toZonedDateTime(timeZone, { disambiguation: 'compatible' }).epochMilliseconds);
    }
  } catch {
    // not a real date and time (e.g. February 30th, an unknown zone)
  }
  return undefined;
}

/** An ISO instant as a local date-time (minutes) in the given zone, as a datetime-local input shows it. */
export function instantToLocal(instant: string, timeZone: string): string {
  try {
    return Temporal.Instant.from(instant)
      .toZonedDateTimeISO(timeZone)
      .toPlainDateTime()
      .toString({ smallestUnit: 'minute' });
  } catch {
    return '';
  }
}

/** An ISO-8601 duration (P14D, PT30S) in milliseconds. */
export function durationMs(duration: string): number {
  return Temporal.Duration.from(duration).total({
    unit: 'milliseconds',
    relativeTo: Temporal.PlainDate.from('2000-01-01'),
  });
}

/** The calendar date (2030-03-01) of an instant in a time zone. */
export function localDate(ms: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/** The first instant of the next calendar day in a time zone. */
export function nextLocalMidnight(ms: number, timeZone: string): number {
  return Temporal.Instant.fromEpochMilliseconds(ms)
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
    .add({ days: 1 })
    .toZonedDateTime({ timeZone }).epochMilliseconds;
}

/** Zones a reader in China knows as Beijing time; the IANA name stays one hover (or `--json`) away. */
const BEIJING_TIME: ReadonlySet<string> = new Set([
  'Asia/Shanghai',
  'Asia/Chongqing',
  'Asia/Chungking',
  'Asia/Harbin',
  'PRC',
]);

/** How a zone is named beside a time: "北京时间 (UTC+8)" for China's, the IANA name in brackets for the rest. */
export function zoneLabel(timeZone: string): string {
  return BEIJING_TIME.has(timeZone) ? '北京时间 (UTC+8)' : `(${timeZone})`;
}

/** The zone of the machine a person runs the CLI on: times in its output are read there. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
