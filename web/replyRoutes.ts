/**
 * A bureau's personal reply link: the comment card (征求意见卡), the circulated documents, the
 * reply form and the receipt. Mounted at /r by the web app:
 *   GET  /r/:token                      the page (shows, never acts: mail scanners open links)
 *   POST /r/:token                      "add a comment" (re-renders) or submit (Update, then 303)
 *   GET  /r/:token/receipt/:n           the receipt of one of this bureau's replies
 *   GET  /r/:token/receipt/:n/record.json  the reply record, to recompute its SHA-256
 * Whether a link may act is decided from the round's status on every request (revoked? waived?
 * closed? past the deadline plus grace?), never from the token alone.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { canonicalJson } from '../domain/replyHash.js';
import type { BureauStatus, RoundStatus } from '../domain/round.js';
import type { DocumentRef } from '../domain/records.js';
import type { StaffActor } from '../domain/consultation.js';
import { documentToHtml, sectionAnchor, type DocumentHtml } from '../infra/documentHtml.js';
import {
  checkCsrf,
  checkScanProof,
  csrfTokenFor,
  InvalidLinkError,
  scanProofFor,
  verifyLink,
  type LinkTarget,
} from '../infra/linkTokens.js';
import type { RoundService } from '../infra/roundGateway.js';
import type { RefusalCode } from '../domain/refusals.js';
import { refusalMessage } from '../domain/messages.js';
import { DECISION_LABELS, OUTCOME_RESPONSE_LABELS } from '../domain/labels.js';
import { isLate, replyDraftRefusal, replyLinkRefusal } from '../workflows/stages/consultation/rules.js';
import type { ContentStore } from '../infra/store.js';
import { formatInstant, pageTime, timeLeft, type Templates } from '../infra/templates.js';
import {
  addRow,
  documentsInBody,
  emptyForm,
  fileField,
  formFieldOf,
  formFromReply,
  isBlankRow,
  keptAttachment,
  readAction,
  MAX_ROWS,
  readForm,
  rowIndexes,
  str,
  toReplyDraft,
  type Body,
  type FieldErrors,
  type FormDocument,
  type ReplyFormState,
} from './replyForm.js';
import { sniffScan } from '../infra/scans.js';
import { FreshReceipts, receiptContext, type FoundReply } from './freshReceipts.js';
import { RecentStatuses } from './recentStatuses.js';
import { putUpload, roundQuotaMessage, type UploadLedger } from '../infra/uploads.js';
import { fieldNames, type RowField } from '../domain/replyFormFields.js';
import { originCheck as checkOrigin, readFormBody, SECURITY_HEADERS } from './guards.js';
import { memoryLimiters, Throttle, type LimiterFactory } from './throttle.js';

export interface ReplyRoutesDeps {
  rounds: RoundService;
  secret: Buffer;
  store: ContentStore;
  templates: Templates;
  /** The largest scan a bureau may attach (the body limit is this plus 1 MiB for the fields). */
  attachmentMaxBytes: number;
  /** Origins besides the request's own that may post the form (PUBLIC_URL's origin behind a TLS proxy). */
  trustedOrigins?: string[];
  /** Scans a link may upload (stored) within the window; default UPLOAD_QUOTA. */
  uploadQuota?: { limit: number; windowMs: number };
  /** Records each upload with its round, for the round's byte quota and the sweep (infra/uploads.ts); none: neither. */
  uploadLedger?: UploadLedger;
  /** A round's uploads together may take at most this many bytes; default ROUND_UPLOAD_QUOTA_BYTES. */
  roundUploadQuotaBytes?: number;
  /** Where the upload quota keeps its counts; default: this process's memory. */
  limiters?: LimiterFactory;
  /** The clock of deadlines. The upload quota reads the system clock (web/throttle.ts). */
  now?: () => Date;
  /**
   * The staff member signed in on this request, if any: a reply they submit through a bureau's link
   * (say, opened from the outbox) records them as its `recordedBy`, and the page says so first.
   */
  staff?: (c: Context) => Promise<StaffActor | undefined>;
}

const MIB = 1024 * 1024;

/** Every upload is stored (so a re-rendered form keeps it): a link may store at most this many within the window. */
export const UPLOAD_QUOTA = { limit: 10, windowMs: 3600_000 } as const;

/**
 * Pages of a personal link: never cached (they hold the bureau's input), never leak the link, never
 * indexed. Set here too, so the routes keep them when mounted without the app's own (web/guards.ts).
 */
const PAGE_HEADERS: Record<string, string> = { ...SECURITY_HEADERS, 'x-robots-tag': 'noindex, nofollow' };

/**
 * Progressive enhancement only: the page works without it. It focuses the error summary and each
 * field its links name, adds a comment row in place (without it "add a comment" posts the form and
 * the server adds the row), pre-selects a section from the document's links, disables the buttons
 * while a submission is on its way (so a second press sends nothing), and sends a reply with a
 * chosen file through XMLHttpRequest to show the upload's progress (a scan may be megabytes on a
 * slow line): a receipt it then opens, a refused reply's page it puts in place of this one.
 */
const REPLY_SCRIPT = `(() => {
  let sending = false;
  const setUp = () => {
  const form = document.getElementById('form');
  const summary = document.getElementById('error-summary');
  if (summary) {
    summary.focus();
    summary.addEventListener('click', (e) => {
      const a = e.target.closest && e.target.closest('a[href^="#"]');
      const field = a && document.getElementById(a.getAttribute('href').slice(1));
      if (!field) return;
      e.preventDefault();
      const fieldset = field.closest('fieldset');
      const label = document.querySelector('label[for="' + field.id + '"]') || (fieldset && fieldset.querySelector('legend'));
      (label || field).scrollIntoView({ block: 'start' });
      field.focus({ preventScroll: true });
    });
  }
  if (!form) return;
  const choose = (doc) => {
    const r = form.querySelector('input[name="doc.' + doc + '.answer"][value="comments"]');
    if (r && !r.checked) r.checked = true;
  };
  form.addEventListener('input', (e) => {
    const row = e.target.closest && e.target.closest('[data-doc]');
    if (row && e.target.value) choose(row.dataset.doc);
  });
  form.addEventListener('click', (e) => {
    const button = e.target.closest && e.target.closest('button[value^="add:"]');
    if (!button) return;
    const doc = button.value.slice(4);
    const fieldset = document.getElementById('form-' + doc);
    const count = form.querySelector('input[name="doc.' + doc + '.rows"]');
    const rows = fieldset ? fieldset.querySelectorAll('.comment-row') : [];
    if (!count || rows.length === 0 || rows.length >= ${MAX_ROWS}) return;
    e.preventDefault();
    const i = rows.length;
    const row = rows[i - 1].cloneNode(true);
    row.id = 'doc-' + doc + '-c-' + i;
    row.querySelectorAll('.field-error').forEach((p) => p.remove());
    row.querySelectorAll('[name]').forEach((el) => {
      const label = row.querySelector('label[for="' + el.id + '"]');
      el.name = 'doc.' + doc + '.c.' + i + '.' + el.name.split('.').pop();
      el.id = 'f-' + el.name.replace(/[^A-Za-z0-9_-]/g, '-');
      if (label) label.htmlFor = el.id;
      ['aria-invalid', 'aria-describedby', 'autofocus'].forEach((a) => el.removeAttribute(a));
      if (el.tagName === 'SELECT') {
        el.querySelectorAll('option[selected]').forEach((o) => o.removeAttribute('selected'));
        el.selectedIndex = 0;
      } else {
        el.defaultValue = '';
        el.value = '';
      }
    });
    const heading = row.querySelector('h3');
    heading.firstChild.textContent = '意见 ' + (i + 1) + ' ';
    heading.querySelector('.en').textContent = 'Comment ' + (i + 1);
    button.closest('.reply-add').before(row);
    count.value = String(i + 1);
    choose(doc);
    row.querySelector('textarea[name$=".text"]').focus();
  });
  const buttons = () => form.querySelectorAll('button');
  const note = form.querySelector('.reply-sending');
  // A message in Chinese, then its English marked as English.
  const say = (zh, en) => {
    if (!note) return;
    const span = document.createElement('span');
    span.className = 'en';
    span.lang = 'en';
    span.textContent = en;
    note.replaceChildren(zh + ' ', span);
  };
  const upload = form.querySelector('.reply-upload');
  const file = form.querySelector('input[type="file"]');
  const ready = () => {
    sending = false;
    buttons().forEach((b) => { b.disabled = false; });
    form.removeAttribute('aria-busy');
    if (note) note.textContent = '';
  };
  // A reply with a file: sent here, to show how much of it has gone.
  const sendWithProgress = (submitter) => {
    const body = new FormData(form, submitter && submitter.name ? submitter : undefined);
    const bar = upload.querySelector('progress');
    const done = upload.querySelector('.reply-upload-done');
    upload.hidden = false;
    // Not form.action: the form's buttons are named "action".
    const target = new URL(form.getAttribute('action') || '', location.href).href;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', target);
    xhr.responseType = 'document';
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.floor((e.loaded / e.total) * 100);
      bar.value = percent;
      done.textContent = percent + '%';
    });
    xhr.addEventListener('load', () => {
      const page = xhr.response;
      // Accepted: the answer was the receipt (the form's 303), opened as a page of its own.
      if (xhr.responseURL && xhr.responseURL.split('#')[0] !== target) {
        location.assign(xhr.responseURL);
        return;
      }
      if (!page || !page.documentElement) {
        ready();
        upload.hidden = true;
        say('提交未完成，请再试一次。', 'It did not go through: please try again.');
        return;
      }
      // Refused (or "add a comment"): the page the server gave, in place of this one.
      document.title = page.title;
      document.body.replaceWith(document.adoptNode(page.body));
      sending = false;
      setUp();
    });
    xhr.addEventListener('error', () => {
      ready();
      upload.hidden = true;
      say('网络中断，未能提交，请再试一次。', 'The connection failed and nothing was sent: please try again.');
    });
    xhr.send(body);
  };
  form.addEventListener('submit', (e) => {
    if (sending) {
      e.preventDefault();
      return;
    }
    sending = true;
    if (upload && file && file.files.length > 0 && window.FormData && window.XMLHttpRequest) {
      e.preventDefault();
      sendWithProgress(e.submitter);
    }
    // After this turn: the button pressed is still part of what is sent.
    setTimeout(() => {
      buttons().forEach((b) => { b.disabled = true; });
      form.setAttribute('aria-busy', 'true');
      say('正在提交，请稍候……', 'Sending, please wait…');
    }, 0);
  });
  // Back from the receipt (the page restored as it was left): usable again.
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) ready();
  });
  };
  document.addEventListener('click', (e) => {
    const form = document.getElementById('form');
    const a = e.target.closest && e.target.closest('a.doc-comment-link');
    if (!a || !form) return;
    const q = new URL(a.href, location.href).searchParams;
    const doc = q.get('doc'), section = q.get('section');
    const rows = [...form.querySelectorAll('.comment-row[data-doc="' + doc + '"]')];
    const free = rows.find((r) => !r.querySelector('textarea[name$=".text"]').value.trim());
    if (!free) return;
    e.preventDefault();
    const sel = free.querySelector('select');
    if (sel) sel.value = section;
    const r = form.querySelector('input[name="doc.' + doc + '.answer"][value="comments"]');
    if (r && !r.checked) r.checked = true;
    free.scrollIntoView({ block: 'center' });
    free.querySelector('textarea[name$=".text"]').focus();
  });
  setUp();
})();
`;

interface Refusal {
  status: 400 | 403 | 404 | 410 | 413 | 500 | 503;
  zh: string;
  en: string;
  detailZh?: string;
  detailEn?: string;
}

/** What a refused POST carried, shown back read-only so the bureau can copy it. */
interface TypedBack {
  responderName: string;
  responderPosition: string;
  documents: {
    title: string;
    answer: string;
    comments: { n: number; page: string; section: string; quote: string; text: string; change: string }[];
  }[];
  attachmentName?: string;
  /**
   * When the round could not be read (503): the form as it was posted, to post again as the same
   * request. A bureau that reopened its link instead would start a new request, and the first one,
   * still queued at Temporal, would be recorded too.
   */
  resend?: Array<{ name: string; value: string }>;
}

const ANSWER_LABELS: Record<string, string> = {
  noComments: '无意见 No comments',
  comments: '有意见 Comments',
  notAddressed: '不作答复 Not addressed',
  '': '未选择 Not chosen',
};

/** `reused`: checked against a status read earlier (web/recentStatuses.ts), not one read for this request. */
type LinkState =
  | {
      ok: true;
      target: LinkTarget;
      status: RoundStatus;
      bureau: BureauStatus;
      timeZone: string;
      late: boolean;
      reused: boolean;
    }
  /** `unavailable`: the link is genuine but its round's status could not be read (no worker answers). */
  | { ok: false; refusal: Refusal; status?: RoundStatus; unavailable?: LinkTarget; reused?: boolean };

/** How a link the round no longer lets act is explained to the bureau. */
function linkRefusalPage(code: RefusalCode, deadline: string): Refusal {
  switch (code) {
    case 'linkReplaced':
      return {
        status: 410,
        zh: '此链接已失效',
        en: 'This link has been withdrawn',
        detailZh: '联系方式变更后会发出新的链接，请使用最新一封邀请邮件中的链接。',
        detailEn: 'A new link is sent when the contacts change: please use the link in the latest invitation email.',
      };
    case 'roundFinished':
      return { status: 410, zh: '本轮审查已取消', en: 'This review round has been cancelled' };
    case 'bureauWaived':
      return {
        status: 410,
        zh: '贵单位已无需回复本轮意见',
        en: 'Your bureau has been excused from replying in this round',
      };
    case 'deadlinePassed':
      return {
        status: 410,
        zh: '回复期限已过',
        en: 'The deadline for replies has passed',
        detailZh: `截止时间：${deadline}。如需延期，请联系协调人。`,
        detailEn: `Deadline: ${deadline}. To ask for an extension, contact the coordinator.`,
      };
    default:
      return { status: 410, zh: '征求意见已结束', en: 'The consultation is closed' };
  }
}

/** One trusted-HTML value for the templates: only ever the output of rehype-sanitize. */
const sanitizedHtml = (html: string) => ({ toHTML: () => html });

export function createReplyRoutes(deps: ReplyRoutesDeps): Hono {
  const { rounds, secret, store, templates, attachmentMaxBytes } = deps;
  const now = deps.now ?? (() => new Date());
  const router = new Hono();
  const htmlCache = new Map<string, DocumentHtml | null>();
  const freshReceipts = new FreshReceipts();
  const statuses = new RecentStatuses(rounds, now);
  const quota = deps.uploadQuota ?? UPLOAD_QUOTA;
  const uploads = new Throttle({ name: 'reply-upload', ...quota }, deps.limiters ?? memoryLimiters);

  // ------------------------------------------------------------------------------------------
  // Link checks

  /**
   * What a link's request may do, from the round's status. With `reuse`, a status this web server
   * read within the last minute will do; a refusal based on it is checked again on a fresh read.
   */
  async function resolveLink(token: string, purpose: 'act' | 'receipt', reuse = false): Promise<LinkState> {
    const first = await resolveLinkOnce(token, purpose, reuse);
    return !first.ok && first.reused ? resolveLinkOnce(token, purpose, false) : first;
  }

  async function resolveLinkOnce(token: string, purpose: 'act' | 'receipt', reuse: boolean): Promise<LinkState> {
    let target: LinkTarget;
    try {
      target = verifyLink(secret, token);
    } catch (err) {
      if (!(err instanceof InvalidLinkError)) throw err;
      return {
        ok: false,
        refusal: {
          status: 403,
          zh: '此链接无效',
          en: 'This link is not valid',
          detailZh: '请使用邀请邮件中的完整链接（复制时不要截断）。',
          detailEn: 'Please open the complete link from your invitation email (copying may cut it short).',
        },
      };
    }
    const { found, reused } = await statuses.read(target, reuse);
    if (found.kind === 'notFound') {
      return {
        ok: false,
        refusal: { status: 404, zh: '未找到此链接所属的审查轮次', en: 'The review round of this link was not found' },
      };
    }
    if (found.kind !== 'done') {
      console.error(`reply link: status of ${target.roundId}:`, found);
      return {
        ok: false,
        unavailable: target,
        refusal: {
          status: 503,
          zh: '系统暂时无法访问，请稍后再试',
          en: 'The service is temporarily unavailable; please try again later',
        },
      };
    }
    const status = found.value;
    const bureau = status.bureaus.find((b) => b.bureau.id === target.bureauId);
    if (!bureau) {
      return {
        ok: false,
        status,
        reused,
        refusal: {
          status: 404,
          zh: '此链接不属于本轮审查的任何单位',
          en: 'This link does not belong to a bureau of this round',
        },
      };
    }
    const timeZone = bureau.bureau.timeZone ?? status.timeZone;
    const at = now().getTime();
    const late = isLate(bureau, at);
    // The round's own rule decides; a receipt stays readable after the link stops taking replies.
    const refusal = replyLinkRefusal(status, bureau, target.linkId, at);
    if (refusal && (purpose === 'act' || refusal.code === 'linkReplaced')) {
      return {
        ok: false,
        status,
        reused,
        refusal: linkRefusalPage(refusal.code, formatInstant(bureau.deadline, timeZone)),
      };
    }
    return { ok: true, target, status, bureau, timeZone, late, reused };
  }

  function refuse(c: Context, refusal: Refusal, status?: RoundStatus, typed?: TypedBack) {
    const page = templates.render('pages/reply-refused', {
      refusal,
      coordinator: status
        ? { name: status.coordinator.name, email: status.coordinator.email, phone: status.coordinator.phone }
        : undefined,
      typed,
    });
    return c.html(page, refusal.status, PAGE_HEADERS);
  }

  /**
   * What a refused POST carried (the round's status could not be read, the deadline passed while
   * the bureau typed...), to show back rather than lose it. Only for a form this link's page
   * rendered (its CSRF token matches), so no other site can put text on this page.
   * Without the status, the documents are told from the field names and shown by key.
   */
  async function typedBack(c: Context, token: string, status: RoundStatus | undefined): Promise<TypedBack | undefined> {
    const body = (await readFormBody(c)) as Body | undefined;
    if (!body || !checkCsrf(secret, token, str(body, fieldNames.csrf, 200) || undefined)) return undefined;
    const docs = status ? formDocuments(status) : documentsInBody(body);
    const form = readForm(body, docs);
    const documents = docs.flatMap(({ key }) => {
      const state = form.docs[key]!;
      const doc = status?.documents.find((d) => d.key === key);
      const sections = doc?.versions[doc.versions.length - 1]!.sections ?? [];
      const comments = state.rows
        .filter((row) => !isBlankRow(row))
        .map((row, k) => {
          const s = sections.find((x) => x.id === row.section);
          return {
            n: k + 1,
            page: row.page,
            section: s ? `${s.number ? s.number + ' ' : ''}${s.title}` : row.section,
            quote: row.quote,
            text: row.text,
            change: row.change,
          };
        });
      if (state.answer === '' && comments.length === 0) return [];
      return [{ title: doc?.title ?? key, answer: ANSWER_LABELS[state.answer]!, comments }];
    });
    const file = fileField(body, fieldNames.attachment);
    const typed: TypedBack = {
      responderName: form.responderName,
      responderPosition: form.responderPosition,
      documents,
      ...(file ? { attachmentName: file.name.slice(0, 200) || 'attachment' } : {}),
    };
    const empty = !typed.responderName.trim() && !typed.responderPosition.trim() && documents.length === 0 && !file;
    return empty ? undefined : typed;
  }

  /** The text fields of the posted form, in order (files cannot be posted back; a kept file's hash can). */
  async function postedFields(c: Context): Promise<Array<{ name: string; value: string }>> {
    const body = ((await readFormBody(c)) ?? {}) as Body;
    return Object.entries(body).flatMap(([name, v]) =>
      (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').map((value) => ({ name, value })),
    );
  }

  // ------------------------------------------------------------------------------------------
  // Documents

  async function renderedDocument(doc: DocumentRef): Promise<DocumentHtml | null> {
    const version = doc.versions[doc.versions.length - 1]!;
    const cacheKey = `${version.sha256}:${doc.key}`;
    if (htmlCache.has(cacheKey)) return htmlCache.get(cacheKey)!;
    let rendered: DocumentHtml | null;
    try {
      rendered = documentToHtml((await store.get(version.sha256)).toString('utf8'), {
        commentLinksFor: doc.key,
        // Under the page's h2 "征求意见稿 The drafts for comment" (templates/pages/reply.hbs).
        headingsBelow: 2,
      });
    } catch (err) {
      console.error(`reply page: document ${doc.key} (${version.sha256}):`, err);
      rendered = null;
    }
    if (htmlCache.size >= 32) htmlCache.delete(htmlCache.keys().next().value!);
    htmlCache.set(cacheKey, rendered);
    return rendered;
  }

  const formDocuments = (status: RoundStatus): FormDocument[] =>
    status.documents.map((d) => ({ key: d.key, sections: d.versions[d.versions.length - 1]!.sections }));

  // ------------------------------------------------------------------------------------------
  // The page

  function basePath(c: Context, token: string): { base: string; prefix: string } {
    const at = c.req.path.indexOf(token);
    const prefix = at >= 0 ? c.req.path.slice(0, at) : '/r/';
    return { base: prefix + token, prefix };
  }

  async function renderPage(
    c: Context,
    token: string,
    link: Extract<LinkState, { ok: true }>,
    form: ReplyFormState,
    opts: { errors?: FieldErrors; status?: 200 | 422 | 413 | 429 | 503; focus?: string } = {},
  ) {
    const { status, bureau, timeZone } = link;
    const errors = opts.errors ?? {};
    const { base, prefix } = basePath(c, token);
    const field = (name: string, value: string) => ({
      name,
      id: `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`,
      value,
      error: errors[name],
    });
    const documents = await Promise.all(
      status.documents.map(async (doc) => {
        const version = doc.versions[doc.versions.length - 1]!;
        const rendered = await renderedDocument(doc);
        const state = form.docs[doc.key] ?? { answer: '', rows: [] };
        const rows = state.rows.map((row, i) => {
          const f = (k: RowField) => field(fieldNames.row(doc.key, i, k), row[k]);
          return {
            index: i,
            number: i + 1,
            anchor: `doc-${doc.key}-c-${i}`,
            autofocus: opts.focus === `doc-${doc.key}-c-${i}`,
            doc: doc.key,
            page: f('page'),
            quote: f('quote'),
            text: f('text'),
            change: f('change'),
            section: {
              ...f('section'),
              options: version.sections.map((s) => ({
                value: s.id,
                label: `${'\u3000'.repeat(Math.max(0, s.level - 1))}${s.number ? s.number + ' ' : ''}${s.title}`,
                selected: s.id === row.section,
              })),
            },
          };
        });
        const answer = field(fieldNames.answer(doc.key), state.answer);
        return {
          key: doc.key,
          title: doc.title,
          version: version.n,
          sha256: version.sha256,
          standIn: doc.standIn || rendered?.standIn === true,
          html: rendered ? sanitizedHtml(rendered.html) : undefined,
          toc: version.sections.map((s) => ({
            href: `#${sectionAnchor(s.id)}`,
            number: s.number,
            title: s.title,
            level: s.level,
          })),
          answer: {
            ...answer,
            none: state.answer === 'noComments',
            comments: state.answer === 'comments',
            notAddressed: state.answer === 'notAddressed',
          },
          rowsField: { name: fieldNames.rows(doc.key), value: String(rows.length) },
          rows,
          add: { value: `add:${doc.key}`, formaction: `${base}#doc-${doc.key}-c-${rows.length}` },
        };
      }),
    );
    const labelOf = (name: string): string => {
      if (name === fieldNames.responderName) return '答复人姓名 Responder name';
      if (name === fieldNames.responderPosition) return '职务 Position';
      if (name === fieldNames.attachment) return '附件 Attachment';
      const m = /^doc\.([^.]+)\.(?:answer|c\.(\d+)\.(\w+))$/.exec(name);
      const title = status.documents.find((d) => d.key === m?.[1])?.title;
      const fieldLabel: Record<string, [zh: string, en: string]> = {
        page: ['页码', 'page'],
        section: ['章节', 'section'],
        quote: ['原文引用', 'quoted text'],
        text: ['意见', 'text'],
        change: ['修改建议', 'suggested change'],
      };
      if (m && title) {
        if (m[2] === undefined) return `《${title}》的答复 your answer`;
        const n = Number(m[2]) + 1;
        const [zh, en] = fieldLabel[m[3]!] ?? [m[3]!, m[3]!];
        return `《${title}》第 ${n} 条意见的${zh} comment ${n}, ${en}`;
      }
      return '';
    };
    const summary = Object.entries(errors)
      .filter(([name]) => name !== fieldNames.form)
      .map(([name, message]) => ({
        href: `#f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`,
        label: labelOf(name),
        message,
      }));
    const latest = bureau.replies[bureau.replies.length - 1];
    // The gov.uk pattern: the count of problems leads the page title, so the tab and a screen reader say it first.
    const errorCount = summary.length + (errors[fieldNames.form] ? 1 : 0);
    const deadlineMs = Date.parse(bureau.deadline);
    const at = now().getTime();
    const page = templates.render('pages/reply', {
      title: `${errorCount > 0 ? `有 ${errorCount} 处需要修改 ${errorCount} ${errorCount === 1 ? 'problem' : 'problems'} · ` : ''}征求意见卡 · ${bureau.bureau.nameZh}`,
      errorCount,
      oneError: errorCount === 1,
      left: timeLeft(deadlineMs, at),
      graceLeft: link.late ? timeLeft(deadlineMs + status.graceMs, at) : undefined,
      staff: await deps.staff?.(c),
      base,
      script: `${prefix}-/reply.js`,
      round: { title: status.title, coordinator: status.coordinator },
      bureau: {
        nameZh: bureau.bureau.nameZh,
        nameEn: bureau.bureau.nameEn,
        contactPerson: bureau.bureau.contactPerson,
      },
      deadline: pageTime(bureau.deadline, timeZone),
      late: link.late,
      documents,
      previous: bureau.replies
        .slice()
        .reverse()
        .map((r) => ({
          n: r.n,
          version: r.version,
          submittedAt: pageTime(r.submittedAt, timeZone, { seconds: true }),
          sha256: r.contentSha256,
          channel: r.channel,
          late: r.late === true,
          href: `${base}/receipt/${r.n}`,
        })),
      revising: latest !== undefined,
      requestId: form.requestId,
      csrf: csrfTokenFor(secret, token),
      responderName: field(fieldNames.responderName, form.responderName),
      responderPosition: field(fieldNames.responderPosition, form.responderPosition),
      attachment: {
        ...field(fieldNames.attachment, ''),
        keep: keptAttachment(form),
        keepName: fieldNames.attachmentKeep,
        // Only ever for a hash this request accepted (uploaded now, vouched for, or the latest reply's scan).
        proof: keptAttachment(form) ? scanProofFor(secret, token, keptAttachment(form)!) : undefined,
        proofName: fieldNames.attachmentProof,
        maxMb: Math.round((attachmentMaxBytes / MIB) * 10) / 10,
      },
      formError: errors[fieldNames.form],
      summary,
      hasErrors: Object.keys(errors).length > 0,
    });
    return c.html(page, opts.status ?? 200, PAGE_HEADERS);
  }

  // ------------------------------------------------------------------------------------------
  // Middleware: the origin check (hono csrf) with a readable refusal, and the body limit

  const originCheck = checkOrigin(deps.trustedOrigins);
  router.use('*', async (c, next) => {
    let passed = false;
    try {
      await originCheck(c, async () => {
        passed = true;
        await next();
      });
    } catch (err) {
      if (passed || !(err instanceof HTTPException)) throw err;
      return refuse(c, {
        status: 403,
        zh: '请求来源不符，未予受理',
        en: 'The request did not come from this site and was refused',
        detailZh: '请从邀请邮件中的链接打开回复页面后再提交。',
        detailEn: 'Please open the reply page from the link in your invitation email and submit it from there.',
      });
    }
  });

  router.get('/-/reply.js', (c) =>
    c.body(REPLY_SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  // ------------------------------------------------------------------------------------------
  // GET the page: shows, never acts

  router.get('/:token', async (c) => {
    const token = c.req.param('token');
    const outcome = await outcomeState(token);
    if (outcome) return renderOutcome(c, token, outcome);
    // The status the outcome check just read.
    const link = await resolveLink(token, 'act', true);
    if (!link.ok) return refuse(c, link.refusal, link.status);
    const docs = formDocuments(link.status);
    const latest = link.bureau.replies[link.bureau.replies.length - 1];
    const form = latest
      ? formFromReply(await rounds.loadReply(latest), docs, randomUUID())
      : emptyForm(docs, randomUUID());
    // ?doc=<key>&section=<id>: a section link of a document pre-selects that section.
    const docKey = c.req.query('doc');
    const section = c.req.query('section');
    const doc = docs.find((d) => d.key === docKey);
    if (doc && section && doc.sections.some((s) => s.id === section)) {
      const state = form.docs[doc.key]!;
      let row = state.rows.find((r) => !r.text.trim() && !r.section);
      if (!row) row = state.rows[addRow(form, doc.key)]!;
      row.section = section;
      state.answer = 'comments';
    }
    return renderPage(c, token, link, form);
  });

  // ------------------------------------------------------------------------------------------
  // POST: add a comment row, or submit

  const limit = bodyLimit({
    maxSize: attachmentMaxBytes + MIB,
    onError: (c) =>
      refuse(c, {
        status: 413,
        zh: '提交的内容过大，未予受理',
        en: 'What was sent is too large and was not accepted',
        detailZh: `附件不得超过 ${Math.round((attachmentMaxBytes / MIB) * 10) / 10} MB。请返回上一页，换一个较小的文件（如降低扫描分辨率）后再提交。`,
        detailEn: `An attachment may be at most ${Math.round((attachmentMaxBytes / MIB) * 10) / 10} MB. Go back, choose a smaller file (e.g. scan at a lower resolution) and submit again.`,
      }),
  });

  // ------------------------------------------------------------------------------------------
  // The outcome notice: after publication the same link shows how the bureau's comments were
  // handled, and takes its acknowledgement or objection until the notice's deadline.

  /** The outcome notice a link answers; with `reuse`, as in resolveLink (none found is checked again). */
  async function outcomeState(token: string, reuse = false) {
    const first = await outcomeStateOnce(token, reuse);
    return first.state ?? (first.reused ? (await outcomeStateOnce(token, false)).state : undefined);
  }

  async function outcomeStateOnce(token: string, reuse: boolean) {
    let target: LinkTarget;
    try {
      target = verifyLink(secret, token);
    } catch {
      return { reused: false };
    }
    const { found, reused } = await statuses.read(target, reuse);
    if (found.kind !== 'done') return { reused };
    const status = found.value;
    const bureau = status.bureaus.find((b) => b.bureau.id === target.bureauId);
    const notice = status.notices.find((n) => n.bureauId === target.bureauId);
    if (!bureau || !notice || bureau.invitation?.linkId !== target.linkId) return { reused };
    return { reused, state: { target, status, bureau, notice } };
  }

  async function renderOutcome(
    c: Context,
    token: string,
    state: NonNullable<Awaited<ReturnType<typeof outcomeState>>>,
    opts: { error?: string; objection?: string; httpStatus?: 200 | 422 | 503 } = {},
  ) {
    const { status, bureau, notice } = state;
    const timeZone = bureau.bureau.timeZone ?? status.timeZone;
    const texts = new Map<string, string>();
    for (const summary of bureau.replies) {
      const reply = await rounds.loadReply(summary);
      for (const answer of Object.values(reply.perDocument))
        if (answer !== 'noComments') for (const cm of answer) texts.set(cm.id, cm.text);
    }
    const items = status.dispositions
      .filter((d) => texts.has(d.commentId))
      .map((d) => ({ text: texts.get(d.commentId), decision: DECISION_LABELS[d.decision], rationale: d.rationale }));
    const open = notice.response === 'pending' && now().getTime() <= Date.parse(notice.respondBy);
    const page = templates.render('pages/reply-outcome', {
      title: `意见处理结果 · ${bureau.bureau.nameZh}`,
      round: { title: status.title, coordinator: status.coordinator },
      bureau: { nameZh: bureau.bureau.nameZh, nameEn: bureau.bureau.nameEn },
      items,
      respondBy: pageTime(notice.respondBy, timeZone),
      open,
      response: OUTCOME_RESPONSE_LABELS[notice.response],
      objection: notice.objection,
      action: `${basePath(c, token).base}/outcome`,
      csrf: csrfTokenFor(secret, token),
      requestId: randomUUID(),
      error: opts.error,
      typedObjection: opts.objection,
    });
    return c.html(page, opts.httpStatus ?? 200, PAGE_HEADERS);
  }

  router.post('/:token/outcome', async (c) => {
    const token = c.req.param('token');
    const state = await outcomeState(token, true);
    if (!state)
      return refuse(c, { status: 404, zh: '没有需要答复的意见处理结果', en: 'There is no outcome notice to answer' });
    const body = (await readFormBody(c)) as Body | undefined;
    if (!body || !checkCsrf(secret, token, str(body, fieldNames.csrf, 200) || undefined)) {
      return refuse(c, {
        status: 403,
        zh: '表单已过期或不完整，未予受理',
        en: 'The form is outdated or incomplete and was not accepted',
      });
    }
    const response = str(body, 'response', 20) === 'object' ? 'object' : 'acknowledge';
    const objection = str(body, 'objection', 6000).trim();
    const requestId = str(body, 'requestId', 200);
    statuses.forget(state.target);
    const sent = await rounds.act(state.target.roundId, 'respondToOutcome', {
      requestId: requestId.length >= 8 ? requestId : randomUUID(),
      actor: { name: state.bureau.bureau.contactPerson, role: 'bureau' },
      bureauId: state.target.bureauId,
      linkId: state.target.linkId,
      response,
      ...(objection ? { objection } : {}),
    });
    if (sent.kind === 'done') return c.redirect(basePath(c, token).base, 303);
    if (sent.kind === 'refused')
      return renderOutcome(c, token, state, { error: refusalMessage(sent.refusal), objection, httpStatus: 422 });
    return renderOutcome(c, token, state, {
      error: '暂时无法提交，请稍后再试。 The answer could not be sent just now; please try again in a moment.',
      objection,
      httpStatus: 503,
    });
  });

  router.post('/:token', limit, async (c) => {
    const token = c.req.param('token');
    const link = await resolveLink(token, 'act', true);
    if (!link.ok) {
      const typed = await typedBack(c, token, link.status);
      if (typed && link.unavailable) typed.resend = await postedFields(c);
      return refuse(c, link.refusal, link.status, typed);
    }

    let body: Body;
    try {
      body = (await c.req.parseBody({ all: true })) as Body;
    } catch {
      return refuse(c, { status: 400, zh: '无法读取提交的表单', en: 'The form that was sent could not be read' });
    }
    const given = body[fieldNames.csrf];
    if (!checkCsrf(secret, token, typeof given === 'string' ? given : undefined)) {
      return refuse(c, {
        status: 403,
        zh: '表单已过期或不完整，未予受理',
        en: 'The form is outdated or incomplete and was not accepted',
        detailZh: '请重新打开邀请邮件中的链接后再填写提交。',
        detailEn: 'Please open the link from your invitation email again, then fill in and submit the form.',
      });
    }

    const docs = formDocuments(link.status);
    const form = readForm(body, docs);
    if (form.requestId.length < 8) form.requestId = randomUUID();
    const action = readAction(body, docs);
    const errors: FieldErrors = {};

    // The scan: a new file is checked by its size and bytes and stored by hash (within the link's
    // upload quota), then carried by its hash and a proof that it came through this link, so a
    // re-rendered form need not ask for the file again. A kept hash is accepted only with that proof
    // or as the scan of the bureau's latest reply, and only if its stored bytes are a scan: never,
    // say, the hash of a circulated document.
    const claimed = keptAttachment(form);
    form.attachmentKeep = '';
    let overQuota = false;
    const file = fileField(body, fieldNames.attachment);
    const uploadKey = `${link.target.roundId}\n${link.target.bureauId}\n${link.target.linkId}`;
    if (file) {
      if (file.size > attachmentMaxBytes) {
        errors[fieldNames.attachment] =
          `附件不得超过 ${Math.round((attachmentMaxBytes / MIB) * 10) / 10} MB the attachment may be at most that size`;
      } else {
        // Counted before the bytes are read, so that uploads sent all at once cannot slip past the quota.
        const upload = await uploads.take(uploadKey);
        if (!upload.ok) {
          overQuota = true;
          const minutes = Math.max(1, Math.ceil(upload.retryAfterMs / 60_000));
          errors[fieldNames.attachment] =
            `此链接上传文件过于频繁（每 ${Math.round(quota.windowMs / 60_000)} 分钟最多 ${quota.limit} 个），文件未保存，请 ${minutes} 分钟后再选择文件；其他填写内容已保留。 ` +
            `Too many uploads through this link (at most ${quota.limit} files in ${Math.round(quota.windowMs / 60_000)} minutes): the file was not kept; choose it again in ${minutes} minute${minutes === 1 ? '' : 's'}. Everything else you typed is kept.`;
        } else {
          const bytes = new Uint8Array(await file.arrayBuffer());
          if (!sniffScan(bytes)) {
            // Nothing is stored for a file that is not a scan: it does not use up the quota.
            await uploads.giveBack(uploadKey);
            errors[fieldNames.attachment] =
              '附件须为 PDF、PNG 或 JPEG 文件 the attachment must be a PDF, PNG or JPEG file';
          } else {
            const kept = await putUpload(store, deps.uploadLedger, link.target.roundId, bytes, {
              quotaBytes: deps.roundUploadQuotaBytes,
              now: now(),
            });
            if (kept.ok) form.attachmentKeep = kept.sha256;
            else {
              await uploads.giveBack(uploadKey);
              errors[fieldNames.attachment] = roundQuotaMessage(kept.quotaBytes);
            }
          }
        }
      }
    }
    if (!form.attachmentKeep && claimed) {
      const latestScan = link.bureau.replies[link.bureau.replies.length - 1]?.scanSha256;
      const vouched =
        claimed === latestScan || checkScanProof(secret, token, claimed, str(body, fieldNames.attachmentProof, 200));
      if (vouched && (await store.has(claimed))) {
        if (sniffScan(await store.get(claimed))) form.attachmentKeep = claimed;
        else
          errors[fieldNames.attachment] ??=
            '之前的附件不是 PDF、PNG 或 JPEG 文件，请重新选择文件 the earlier attachment is not a PDF, PNG or JPEG file: choose the file again';
      } else if (vouched) {
        errors[fieldNames.attachment] ??=
          '之前上传的附件已找不到，请重新选择文件 the earlier attachment was not found: choose the file again';
      } else {
        errors[fieldNames.attachment] ??=
          '之前的附件不是通过此链接上传的，请重新选择文件 the earlier attachment was not uploaded through this link: choose the file again';
      }
    }

    if (action.kind === 'add') {
      const index = addRow(form, action.doc);
      return renderPage(c, token, link, form, {
        errors,
        focus: `doc-${action.doc}-c-${index}`,
        ...(overQuota ? { status: 429 as const } : {}),
      });
    }

    const result = toReplyDraft(form, docs, keptAttachment(form));
    if (!result.ok || Object.keys(errors).length > 0) {
      return renderPage(c, token, link, form, {
        errors: { ...(result.ok ? {} : result.errors), ...errors },
        status: overQuota ? 429 : 422,
      });
    }
    // The round's own limits (revisions, bytes), asked here first so a refused reply costs no round trip.
    // A reused status may be stale: its refusal is left to the round, which has the latest.
    const early = link.reused ? null : replyDraftRefusal(link.status, link.bureau, result.draft);
    if (early) {
      const name = formFieldOf(early.field.split('.'), rowIndexes(form));
      return renderPage(c, token, link, form, { errors: { [name]: refusalMessage(early) }, status: 422 });
    }
    const submittedBy = await deps.staff?.(c);
    statuses.forget(link.target);
    const sent = await rounds.act(link.target.roundId, 'submitReply', {
      requestId: form.requestId,
      actor: { name: result.draft.responder.name, role: 'bureau' },
      bureauId: link.target.bureauId,
      linkId: link.target.linkId,
      reply: result.draft,
      ...(submittedBy && { submittedBy }),
    });
    if (sent.kind === 'done') {
      freshReceipts.remember(token, {
        status: link.status,
        bureau: link.bureau,
        timeZone: link.timeZone,
        draft: result.draft,
        submittedBy,
        receipt: sent.value,
      });
      return c.redirect(`${basePath(c, token).base}/receipt/${sent.value.n}`, 303);
    }
    if (sent.kind === 'refused') {
      if (link.reused) {
        // The link itself may be what the round refused (replaced, past its deadline): say so as a fresh read does.
        const fresh = await resolveLink(token, 'act');
        if (!fresh.ok) return refuse(c, fresh.refusal, fresh.status);
      }
      // Not recorded: a corrected form is a new request.
      form.requestId = randomUUID();
      const name = formFieldOf(sent.refusal.field.split('.'), rowIndexes(form));
      return renderPage(c, token, link, form, { errors: { [name]: refusalMessage(sent.refusal) }, status: 422 });
    }
    console.error(`reply link: submitReply to ${link.target.roundId} for ${link.target.bureauId}:`, sent);
    return renderPage(c, token, link, form, {
      errors: {
        [fieldNames.form]:
          '暂时无法提交，您填写的内容保留在下方，请稍后再点“提交”。The reply could not be sent just now; what you typed is kept below, please press "Submit" again in a moment.',
      },
      status: 503,
    });
  });

  // ------------------------------------------------------------------------------------------
  // The receipt

  const noSuchReceipt: Refusal = {
    status: 404,
    zh: '未找到此回执',
    en: 'No such receipt',
    detailZh: '本链接只能查看贵单位自己的回复。',
    detailEn: "This link shows only its own bureau's replies.",
  };

  /**
   * The reply a receipt address names, and what the receipt shows of its round. The round's status
   * says which of the bureau's replies the link may see; while no worker runs (the status cannot be
   * read) a reply made through this very link is read from the round's history instead.
   */
  async function findReply(c: Context): Promise<FoundReply | Response> {
    const token = c.req.param('token')!;
    const n = /^[1-9]\d{0,8}$/.test(c.req.param('n') ?? '') ? Number(c.req.param('n')) : NaN;
    const fresh = freshReceipts.take(token, n);
    if (fresh) return fresh;
    const link = await resolveLink(token, 'receipt');
    if (!link.ok) {
      const recorded = link.unavailable && (await fromHistory(link.unavailable, n));
      return recorded ?? refuse(c, link.refusal, link.status);
    }
    const summary = link.bureau.replies.find((r) => r.n === n);
    if (!summary) return refuse(c, noSuchReceipt);
    return { reply: await rounds.loadReply(summary), receipt: receiptContext(link.status, link.bureau, link.timeZone) };
  }

  async function fromHistory(target: LinkTarget, n: number): Promise<FoundReply | undefined> {
    const found = await rounds.recordedRound?.(target.roundId);
    if (found?.kind !== 'done') return undefined;
    const round = found.value;
    const mine = round.replies.filter((r) => r.summary.bureauId === target.bureauId);
    const entry = mine.find((r) => r.summary.n === n && r.linkId === target.linkId);
    const bureau = round.bureaus.find((b) => b.id === target.bureauId);
    if (!entry || !bureau) return undefined;
    const latest = mine[mine.length - 1]!.summary;
    return {
      reply: await rounds.loadReply(entry.summary),
      receipt: {
        round: { id: round.id, title: round.title },
        bureau: { nameZh: bureau.nameZh, nameEn: bureau.nameEn },
        timeZone: bureau.timeZone ?? round.timeZone,
        // The sections' numbers and titles are in the status: the history's receipt names them by id.
        documents: round.documents.map((d) => ({ ...d, sectionLabel: (_v: number, id: string) => id })),
        latest: { n: latest.n, version: latest.version },
      },
    };
  }

  router.get('/:token/receipt/:n', async (c) => {
    const found = await findReply(c);
    if (found instanceof Response) return found;
    const { receipt, reply } = found;
    const token = c.req.param('token');
    const { base } = basePath(c, token);
    const documents = receipt.documents.map((doc) => {
      const answer = reply.perDocument[doc.key];
      return {
        title: doc.title,
        answered: answer !== undefined,
        noComments: answer === 'noComments',
        comments: Array.isArray(answer)
          ? answer.map((cm, k) => ({
              k: k + 1,
              id: cm.id,
              version: cm.anchor.version,
              section: cm.anchor.section ? doc.sectionLabel(cm.anchor.version, cm.anchor.section) : '',
              page: cm.anchor.draftPage,
              quote: cm.anchor.quote,
              text: cm.text,
              change: cm.suggestedChange,
            }))
          : [],
      };
    });
    const { latest } = receipt;
    const page = templates.render('pages/reply-receipt', {
      title: `回执 第 ${reply.n} 号 Receipt ${reply.n}`,
      base,
      round: receipt.round,
      bureau: receipt.bureau,
      reply: {
        n: reply.n,
        version: reply.version,
        submittedAt: pageTime(reply.submittedAt, receipt.timeZone, { seconds: true }),
        viaLink: reply.channel === 'link',
        responder: reply.responder,
        recordedBy: reply.recordedBy,
        scanSha256: reply.scanSha256,
        contentSha256: reply.contentSha256,
        // As recorded: a later extension does not turn a late reply into an on-time one.
        late: reply.late === true,
      },
      superseded:
        latest !== undefined && latest.n !== reply.n
          ? { n: latest.n, version: latest.version, href: `${base}/receipt/${latest.n}` }
          : undefined,
      documents,
      recordHref: `${base}/receipt/${reply.n}/record.json`,
    });
    return c.html(page, 200, PAGE_HEADERS);
  });

  router.get('/:token/receipt/:n/record.json', async (c) => {
    const found = await findReply(c);
    if (found instanceof Response) return found;
    return c.body(canonicalJson(found.reply), 200, {
      ...PAGE_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="reply-${found.reply.n}.json"`,
    });
  });

  router.onError((err, c) => {
    console.error(`reply link: ${c.req.method} ${c.req.path}:`, err);
    try {
      return refuse(c, {
        status: 500,
        zh: '系统出错，请稍后再试',
        en: 'Something went wrong on our side; please try again later',
      });
    } catch {
      return c.text(
        '系统出错，请稍后再试。Something went wrong on our side; please try again later.',
        500,
        PAGE_HEADERS,
      );
    }
  });
  return router;
}
