/**
 * Handlebars templates under templates/: compiled once, escaped by default ({{ }} only; the
 * templates use no triple-stash). Pages and emails are Chinese first with English beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import {
  MAIL_KIND_LABELS,
  OUTCOME_LABELS,
  ROLE_LABELS,
  STAGE_LABELS,
  WORKFLOW_STATUS_LABELS,
  type Label,
} from '../domain/labels.js';
import { BureauOutcome } from '../domain/records.js';
import { BureauStatus, Stage } from '../domain/round.js';
import { zoneLabel } from '../domain/time.js';
import { repliedLate } from '../workflows/stages/consultation/rules.js';

/** A label on a page: the Chinese, then the English marked as English. */
export function labelHtml(l: Label): Handlebars.SafeString {
  const esc = Handlebars.escapeExpression;
  return new Handlebars.SafeString(`${esc(l.zh)} <span class="en" lang="en">${esc(l.en)}</span>`);
}

const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》]/;
const CJK_ALL = /[\u3400-\u9fff]/g;

/**
 * A message written "中文 English" in one string (a field's problem, a refusal): the index where its
 * English begins, or -1: the first Latin word right after a Chinese character or closing mark whose
 * rest is English, with no full-width punctuation (a Chinese word quoted in the English, such as
 * 未署名, is allowed; Latin names inside the Chinese, such as Asia/Shanghai or P33, have more Chinese
 * after them). So the catalogue's Chinese ends in Chinese (test/unit/messageCatalog.test.ts).
 */
export function englishStart(message: string): number {
  for (let i = 1; i < message.length; i++) {
    if (!/[A-Za-z0-9"(]/.test(message[i]!)) continue;
    // The Chinese ends with a character or a closing mark (。”）…), never with an opening one.
    const before = message[i - 1] === ' ' ? message[i - 2] : message[i - 1];
    if (!before || !CJK.test(before) || /[“‘《（「]/.test(before)) continue;
    // A number after a Chinese word is the Chinese's ("3 个字符"); after a full stop it starts the English.
    if (/[0-9]/.test(message[i]!) && !/[。！？）」”]/.test(before)) continue;
    // A title quoted in 《》 is a name, whatever its script and punctuation.
    const rest = message.slice(i).replace(/《[^》]*》/g, '《》');
    const cjk = rest.match(CJK_ALL)?.length ?? 0;
    const latin = rest.match(/[A-Za-z]/g)?.length ?? 0;
    // English never uses the full-width stops and commas of the Chinese.
    if (latin >= 4 && cjk * 5 < latin && !/[，。、：；！？（）]/.test(rest)) return i;
  }
  return -1;
}

/** A "中文 English" message with its English marked as English. */
export function bilingualHtml(message: string): Handlebars.SafeString {
  const esc = Handlebars.escapeExpression;
  // An email's subject pairs its languages as "中文 / English".
  const slash = message.lastIndexOf(' / ');
  if (slash > 0 && CJK.test(message.slice(0, slash)) && !CJK.test(message.slice(slash + 3)))
    return new Handlebars.SafeString(
      `${esc(message.slice(0, slash))} / <span class="en" lang="en">${esc(message.slice(slash + 3))}</span>`,
    );
  // A message in English alone (a mail server's reply, a round recorded before its messages were bilingual).
  if (!CJK.test(message) && /[A-Za-z]{3}/.test(message))
    return new Handlebars.SafeString(`<span class="en" lang="en">${esc(message)}</span>`);
  const at = englishStart(message);
  if (at < 0) return new Handlebars.SafeString(esc(message));
  const zh = message.slice(0, at).trimEnd();
  const gap = message.length - at > 0 && message[at - 1] === ' ' ? ' ' : '';
  return new Handlebars.SafeString(`${esc(zh)}${gap}<span class="en" lang="en">${esc(message.slice(at))}</span>`);
}

const isStage = (s: unknown): s is Stage => Stage.safeParse(s).success;
const isOutcome = (o: unknown): o is BureauOutcome => BureauOutcome.safeParse(o).success;
import { PROJECT_ROOT } from './tools.js';

export const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');

/**
 * The English beside the Chinese is marked by its class, `en`; the language it is in goes with it
 * (`lang="en"`), so that a screen reader speaks it as English and a browser hyphenates it as English,
 * in every page and email, without each template repeating the attribute.
 */
export function markEnglish(source: string): string {
  return source.replace(/class="(en|en [^"]*|[^"]* en|[^"]* en [^"]*)"(?! lang=)/g, 'class="$1" lang="en"');
}

export interface TimeFormat {
  /** When something happened, for the record (a reply, an action, a sent email): to the second. */
  seconds?: boolean;
  /** False where the zone is said once for many times (a table's heading): the time alone. */
  zone?: boolean;
}

/**
 * One formatter per zone and precision: building an Intl.DateTimeFormat costs far more than using
 * one, and every email and page formats many times. Zones are IANA names, a bounded set.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${seconds}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds && { second: '2-digit' }),
      hourCycle: 'h23',
    });
    formatters.set(key, f);
  }
  return f;
}

/**
 * "2022-02-17 18:00 北京时间 (UTC+8)", or "2022-02-17 18:00 (Europe/Berlin)": a person reads times in
 * the zone they live in; `seconds` for the times an audit reads.
 */
export function formatInstant(iso: string, timeZone: string, format: TimeFormat = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = formatterFor(timeZone, format.seconds === true).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const clock = `${get('hour')}:${get('minute')}${format.seconds ? `:${get('second')}` : ''}`;
  const date = `${get('year')}-${get('month')}-${get('day')} ${clock}`;
  return format.zone === false ? date : `${date} ${zoneLabel(timeZone)}`;
}

/** A time on a page: the text of formatInstant in a <time> element whose title names the IANA zone. */
export interface PageTime {
  toHTML(): string;
  toString(): string;
}

/**
 * formatInstant for a page: handlebars writes its toHTML (a <time> with the instant and the zone's
 * IANA name on hover); anywhere else, and in a template literal, it is the plain text.
 */
export function pageTime(iso: string, timeZone: string, format: TimeFormat = {}): PageTime {
  const text = formatInstant(iso, timeZone, format);
  const esc = Handlebars.Utils.escapeExpression;
  return {
    toHTML: () => `<time datetime="${esc(iso)}" title="${esc(timeZone)}">${esc(text)}</time>`,
    toString: () => text,
  };
}

/**
 * How long until a deadline, in the largest units that still tell a person how urgent it is:
 * "14 天" / "14 days" a long way off, "1 天 5 小时" the day before, "5 小时", then "12 分钟".
 * Undefined once the deadline has passed.
 */
export function timeLeft(untilMs: number, nowMs: number): { zh: string; en: string } | undefined {
  const ms = untilMs - nowMs;
  if (ms <= 0) return undefined;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.max(1, Math.floor((ms % 3_600_000) / 60_000));
  if (days >= 3) return { zh: `${days} 天`, en: plural(days, 'day') };
  if (days >= 1)
    return hours > 0
      ? { zh: `${days} 天 ${hours} 小时`, en: `${plural(days, 'day')} ${plural(hours, 'hour')}` }
      : { zh: `${days} 天`, en: plural(days, 'day') };
  if (hours >= 1) return { zh: `${hours} 小时`, en: plural(hours, 'hour') };
  return { zh: `${minutes} 分钟`, en: plural(minutes, 'minute') };
}

/**
 * A meeting's day and hours in its own zone: "2030-03-01 09:00–12:00 北京时间 (UTC+8)", the end's
 * date too when it ends on another day.
 */
export function formatMeetingTime(start: string, end: string, timeZone: string): string {
  const label = ` ${zoneLabel(timeZone)}`;
  const from = formatInstant(start, timeZone).slice(0, -label.length);
  const to = formatInstant(end, timeZone).slice(0, -label.length);
  return `${from}–${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to}${label}`;
}

export class Templates {
  private readonly hb = Handlebars.create();
  private readonly cache = new Map<string, Handlebars.TemplateDelegate>();

  constructor(private readonly dir = TEMPLATES_DIR) {
    // {{time iso zone}}, {{time iso zone seconds=true}} for the times an audit reads.
    this.hb.registerHelper('time', (iso: unknown, tz: unknown, options: Handlebars.HelperOptions) =>
      typeof iso === 'string'
        ? new Handlebars.SafeString(
            pageTime(iso, typeof tz === 'string' ? tz : 'UTC', { seconds: options.hash.seconds === true }).toHTML(),
          )
        : '',
    );
    this.hb.registerHelper('zoneLabel', (tz: unknown) => (typeof tz === 'string' ? zoneLabel(tz) : ''));
    this.hb.registerHelper('bilingual', (m: unknown) => (typeof m === 'string' ? bilingualHtml(m) : ''));
    this.hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    // A phone number as a link a phone can dial: its digits (and a leading +) only.
    this.hb.registerHelper('tel', (phone: unknown) =>
      typeof phone === 'string' ? `tel:${phone.replace(/[^+0-9]/g, '')}` : '',
    );
    // Stages and outcomes in words from the one catalog, never as enum names.
    this.hb.registerHelper('stageLabel', (s: unknown) => (isStage(s) ? labelHtml(STAGE_LABELS[s]) : String(s)));
    this.hb.registerHelper('outcomeLabel', (o: unknown) => (isOutcome(o) ? labelHtml(OUTCOME_LABELS[o]) : String(o)));
    this.hb.registerHelper('mailKindLabel', (k: unknown) =>
      typeof k === 'string' && Object.hasOwn(MAIL_KIND_LABELS, k)
        ? labelHtml(MAIL_KIND_LABELS[k as keyof typeof MAIL_KIND_LABELS])
        : String(k),
    );
    this.hb.registerHelper('roleLabel', (r: unknown) =>
      typeof r === 'string' && r in ROLE_LABELS ? labelHtml(ROLE_LABELS[r as keyof typeof ROLE_LABELS]) : String(r),
    );
    this.hb.registerHelper(
      'repliedLate',
      (b: unknown) => BureauStatus.safeParse(b).success && repliedLate(b as BureauStatus),
    );
    this.hb.registerHelper('workflowStatusLabel', (w: unknown) => {
      const label = WORKFLOW_STATUS_LABELS[String(w)];
      return label ? labelHtml(label) : String(w);
    });
    this.hb.registerHelper('json', (v: unknown) => JSON.stringify(v, null, 2));
    const partials = path.join(dir, 'partials');
    for (const f of readdirSync(partials)) {
      if (f.endsWith('.hbs'))
        this.hb.registerPartial(f.slice(0, -4), markEnglish(readFileSync(path.join(partials, f), 'utf8')));
    }
  }

  /** Renders templates/<name>.hbs; a missing template is a clear error naming the file. */
  render(name: string, data: object): string {
    let template = this.cache.get(name);
    if (!template) {
      const file = path.join(this.dir, `${name}.hbs`);
      let source: string;
      try {
        source = readFileSync(file, 'utf8');
      } catch {
        throw new Error(`template not found: ${file}`);
      }
      template = this.hb.compile(markEnglish(source), { strict: false, noEscape: false });
      this.cache.set(name, template);
    }
    return template(data);
  }
}
