/**
 * The expert meeting as an iCalendar object (RFC 5545) for its emails: METHOD:REQUEST for an
 * invitation or an update, METHOD:CANCEL with STATUS:CANCELLED for a cancellation. The UID is the
 * meeting's (one per round and meeting) and SEQUENCE its sequence, so calendars replace the event
 * they hold. Times are written in the meeting's zone with a VTIMEZONE that names its offsets.
 */
import ical, { ICalAttendeeRole, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { Temporal } from 'temporal-polyfill';
import type { MeetingMail } from '../domain/mail.js';

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
const offset = (ns: number) => {
  const minutes = Math.round(ns / 6e10);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;
};
const localStamp = (z: Temporal.ZonedDateTime) =>
  `${pad(z.year, 4)}${pad(z.month)}${pad(z.day)}T${pad(z.hour)}${pad(z.minute)}${pad(z.second)}`;

/**
 * A VTIMEZONE for `tz` around `instant`: the offset in force a year before it, then each transition
 * until a year after it (STANDARD or DAYLIGHT by whether the offset is the lower one).
 */
export function vtimezone(tz: string, instant: Temporal.Instant): string {
  const from = instant.subtract({ hours: 366 * 24 }).toZonedDateTimeISO(tz);
  const until = instant.add({ hours: 366 * 24 }).epochNanoseconds;
  const observances: Array<{ at: Temporal.ZonedDateTime; from: number; to: number }> = [];
  let base = from.offsetNanoseconds;
  let z: Temporal.ZonedDateTime | null = from;
  for (;;) {
    const next: Temporal.ZonedDateTime | null = z.getTimeZoneTransition('next');
    if (!next || next.epochNanoseconds > until) break;
    const before = next.subtract({ nanoseconds: 1 }).offsetNanoseconds;
    observances.push({ at: next, from: before, to: next.offsetNanoseconds });
    z = next;
  }
  if (observances.length === 0)
    observances.push({
      at: Temporal.ZonedDateTime.from({ year: 1970, month: 1, day: 1, timeZone: tz }),
      from: base,
      to: base,
    });
  base = Math.min(...observances.map((o) => o.to));
  const lines = ['BEGIN:VTIMEZONE', `TZID:${tz}`];
  for (const o of observances) {
    const kind = o.to > base ? 'DAYLIGHT' : 'STANDARD';
    lines.push(
      `BEGIN:${kind}`,
      // DTSTART is the local time before the transition (RFC 5545 3.6.5).
      `DTSTART:${localStamp(o.at.withTimeZone('UTC').add({ nanoseconds: o.from }))}`,
      `TZOFFSETFROM:${offset(o.from)}`,
      `TZOFFSETTO:${offset(o.to)}`,
      `END:${kind}`,
    );
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

export function meetingCalendar(
  mail: MeetingMail,
  opts: { cancelled: boolean; summary: string; description: string; organizer: { name: string; email: string } },
): string {
  const { meeting, experts } = mail;
  const start = Temporal.Instant.from(meeting.start);
  const calendar = ical({
    prodId: { company: 'plan-review', product: 'expert-review', language: 'ZH' },
    method: opts.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    timezone: { name: null, generator: (tz) => vtimezone(tz, start) },
  });
  calendar.createEvent({
    id: meeting.uid,
    sequence: meeting.sequence,
    stamp: Temporal.Now.instant(),
    start: start.toZonedDateTimeISO(meeting.tz),
    end: Temporal.Instant.from(meeting.end).toZonedDateTimeISO(meeting.tz),
    timezone: meeting.tz,
    summary: opts.summary,
    description: opts.description,
    location: meeting.place ?? meeting.url ?? null,
    url: meeting.url ?? null,
    organizer: opts.organizer,
    status: opts.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    attendees: experts.flatMap((e) =>
      e.email ? [{ name: e.name, email: e.email, rsvp: !opts.cancelled, role: ICalAttendeeRole.REQ }] : [],
    ),
  });
  return calendar.toString();
}
