/**
 * The time zones a form offers (a bureau's zone): Asia/Shanghai first, then the round's own, then
 * every IANA zone this runtime knows, so that nobody has to type one. The value is still checked by
 * IanaTimeZone (domain/records.ts) when posted.
 */
import { DEFAULT_TIME_ZONE } from '../domain/round.js';
import { zoneLabel } from '../domain/time.js';

let known: string[] | undefined;

export function timeZoneOptions(roundZone: string, chosen?: string) {
  known ??= Intl.supportedValuesOf('timeZone');
  const first = [...new Set([DEFAULT_TIME_ZONE, roundZone])];
  // A zone typed before (a re-shown form) stays chosen even if this runtime lists it under another name.
  const extra = chosen && !first.includes(chosen) && !known.includes(chosen) ? [chosen] : [];
  return [...first, ...extra, ...known.filter((z) => !first.includes(z))].map((value) => ({
    value,
    label: first.includes(value) ? `${value} · ${zoneLabel(value)}` : value,
    selected: value === chosen,
  }));
}
