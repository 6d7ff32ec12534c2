/**
 * The coordinator's pages: a round's full status and one form per action (extend a deadline,
 * record a paper reply, waive a bureau, change a contact, resend an invitation, add a bureau,
 * close the consultation, cancel the round). Every action is an Update sent as the signed-in user;
 * the workflow's validator has the last word and its reason is shown next to the field it names.
 *
 * Mounted by web/app.ts at "/": it brings /login and /logout (web/auth.ts) with it unless given an Auth.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { parseReviewRoundId } from '../domain/ids.js';
import { Sha256, type DocumentAnswer, type Reply, type Section } from '../domain/records.js';
import type { BureauStatus, RoundStatus } from '../domain/round.js';
import { executeRoundUpdate, roundStatus, RoundRequestRejected } from '../infra/roundClient.js';
import { ContentNotFoundError, type ContentStore } from '../infra/store.js';
import { formatInstant, type Templates } from '../infra/templates.js';
import { actorOf, type UserDirectory } from '../infra/users.js';
import * as messages from '../workflows/messages.js';
import { createAuth, CSRF_FIELD, httpErrors, type Auth, type AuthEnv } from './auth.js';
import {
  ACTIONS,
  checkScan,
  COMMENT_FIELDS,
  commentRows,
  FORM_ERROR,
  formFieldOf,
  latestSections,
  newRequestId,
  parseAddBureau,
  parseCancel,
  parseClose,
  parseContact,
  parseExtend,
  parsePaper,
  parseResend,
  parseWaive,
  scanTooLarge,
  sectionLabel,
  MAX_COMMENT_ROWS,
  type ActionName,
  type CommentRows,
  type FieldErrors,
  type FormValues,
  type ParseContext,
  type Parsed,
} from './coordinatorForms.js';
import type { ActionAck } from '../domain/consultation.js';
import { sniffScan } from '../infra/scans.js';

export interface CoordinatorDeps {
  client: Client;
  store: ContentStore;
  templates: Templates;
  /** The server secret (infra/linkTokens.ts loadOrCreateSecret). */
  secret: Buffer;
  /** Who may sign in: fileUserDirectory(config.paths.users) in the server. */
  users: UserDirectory;
  attachmentMaxBytes: number;
  /** Set the Secure flag on cookies (PUBLIC_URL is https). */
  secureCookies?: boolean;
  /** Origins besides the request's own that may post forms (PUBLIC_URL's origin behind a proxy). */
  trustedOrigins?: string[];
  /**
   * Share one Auth with other pages (approver, auditor): the caller then mounts auth.routes itself.
   * When absent, one is made from the deps above and /login and /logout are served from here.
   */
  auth?: Auth;
}

const RoundParam = z.object({
  id: z.string().refine((id) => parseReviewRoundId(id) !== null, 'not a round id (round:<plan>:<n>)'),
});

const FLASH_COOKIE = 'pr_flash';
const Flash = z.object({ a: z.enum(ACTIONS), b: z.string().max(64).optional(), n: z.number().int().positive().optional() });
type Flash = z.infer<typeof Flash>;

const OUTCOMES: Record<BureauStatus['outcome'], { zh: string; en: string }> = {
  pending: { zh: '待回复', en: 'Pending' },
  replied: { zh: '已回复（有意见）', en: 'Replied with comments' },
  noComments: { zh: '已回复，无意见', en: 'Replied: no comments' },
  deemedNoComments: { zh: '逾期未回复，视为无意见', en: 'Deemed no comments (silent at deadline)' },
  waived: { zh: '已豁免', en: 'Waived' },
};

const STAGES: Record<RoundStatus['stage'], string> = {
  drafting: '起草 Drafting',
  consultation: '征求意见 Consultation',
  disposition: '意见处理 Disposition',
  expertReview: '专家评审 Expert review',
  revision: '修改 Revision',
  approval: '审批 Approval',
  approved: '已批准 Approved',
  cancelled: '已取消 Cancelled',
};

const ACTION_TITLES: Record<ActionName, string> = {
  extend: '延长截止时间 Extend a deadline',
  paper: '登记纸质回复 Record a paper reply',
  waive: '豁免单位 Waive a bureau',
  contact: '更换联系人 Change a contact',
  resend: '重新发送邀请 Resend an invitation',
  'add-bureau': '增加单位 Add a bureau',
  close: '提前结束征求意见 Close the consultation',
  cancel: '取消本轮 Cancel the round',
};

function flashMessage(flash: Flash, round: RoundStatus): string {
  const b = round.bureaus.find((x) => x.bureau.id === flash.b)?.bureau;
  const zh = b?.nameZh ?? flash.b ?? '';
  const en = b?.nameEn ?? flash.b ?? '';
  switch (flash.a) {
    case 'extend':
      return `已延长${zh}的截止时间。Deadline extended for ${en}.`;
    case 'paper':
      return `已登记${zh}的纸质回复${flash.n ? `（回执第 ${flash.n} 号）` : ''}。Paper reply recorded for ${en}${flash.n ? ` (receipt no. ${flash.n})` : ''}.`;
    case 'waive':
      return `已豁免${zh}。${en} is waived.`;
    case 'contact':
      return `已更换${zh}的联系人：旧链接已失效，新的邀请将发出。Contact changed for ${en}: the old link no longer works and a new invitation is being sent.`;
    case 'resend':
      return `将重新向${zh}发送邀请。The invitation to ${en} is being resent.`;
    case 'add-bureau':
      return `已增加单位${zh}，邀请将发出。${en} is added and will be invited.`;
    case 'close':
      return '征求意见已结束。The consultation is closed.';
    case 'cancel':
      return '本轮已取消。The round is cancelled.';
  }
}

// ---------------------------------------------------------------------------------------------
// The status, as a page shows it

function bureauTz(b: BureauStatus, round: RoundStatus): string {
  return b.bureau.timeZone ?? round.timeZone;
}

function sectionText(round: RoundStatus, docKey: string, version: number, sectionId: string | undefined): string | undefined {
  if (!sectionId) return undefined;
  const doc = round.documents.find((d) => d.key === docKey);
  const s: Section | undefined = (doc?.versions.find((v) => v.n === version) ?? doc?.versions.at(-1))?.sections.find((x) => x.id === sectionId);
  return s ? sectionLabel(s) : sectionId;
}

function replyView(reply: Reply, round: RoundStatus, roundId: string, latest: boolean) {
  const tz = round.timeZone;
  return {
    n: reply.n,
    version: reply.version,
    latest,
    channel: reply.channel === 'paper' ? '纸质 Paper' : '链接 Link',
    submittedAt: formatInstant(reply.submittedAt, tz),
    responder: reply.responder,
    recordedBy: reply.recordedBy,
    contentSha256: reply.contentSha256,
    scanSha256: reply.scanSha256,
    scanUrl: reply.scanSha256 ? `/rounds/${roundId}/files/${reply.scanSha256}` : undefined,
    documents: Object.entries(reply.perDocument).map(([key, answer]: [string, DocumentAnswer]) => ({
      title: round.documents.find((d) => d.key === key)?.title ?? key,
      noComments: answer === 'noComments',
      comments:
        answer === 'noComments'
          ? []
          : answer.map((c) => ({
              id: c.id,
              section: sectionText(round, c.anchor.doc, c.anchor.version, c.anchor.section),
              page: c.anchor.draftPage,
              quote: c.anchor.quote,
              text: c.text,
              suggestedChange: c.suggestedChange,
            })),
    })),
  };
}

function bureauView(b: BureauStatus, round: RoundStatus) {
  const tz = bureauTz(b, round);
  const outcome = OUTCOMES[b.outcome];
  return {
    id: b.bureau.id,
    nameZh: b.bureau.nameZh,
    nameEn: b.bureau.nameEn,
    contacts: b.bureau.contacts.map((c) => (c.name ? `${c.name} <${c.email}>` : c.email)).join(', '),
    contactPerson: b.bureau.contactPerson,
    timeZone: tz,
    outcome: b.outcome,
    outcomeZh: outcome.zh,
    outcomeEn: outcome.en,
    deadline: formatInstant(b.deadline, tz),
    invitation: b.invitation && {
      sentAt: b.invitation.sentAt ? formatInstant(b.invitation.sentAt, tz) : undefined,
      messageId: b.invitation.messageId,
      linkId: b.invitation.linkId,
      messages: (b.invitation.messages ?? []).map((m) => ({ at: formatInstant(m.at, tz), messageId: m.messageId })),
      reminders: b.invitation.remindersSent.map((r) => ({ at: formatInstant(r.at, tz), messageId: r.messageId })),
      failures: b.invitation.failures.map((f) => ({ at: formatInstant(f.at, tz), kind: f.kind, to: f.to.join(', '), error: f.error, messageId: f.messageId })),
    },
    revokedLinkIds: b.revokedLinkIds,
    extensions: b.extensions.map((e) => ({ deadline: formatInstant(e.deadline, tz), by: e.by, at: formatInstant(e.at, round.timeZone), reason: e.reason })),
    waived: b.waived && { by: b.waived.by, at: formatInstant(b.waived.at, round.timeZone), reason: b.waived.reason },
    replies: b.replies.map((r, i) => replyView(r, round, round.id, i === b.replies.length - 1)),
  };
}

// ---------------------------------------------------------------------------------------------
// The forms, as a page shows them

interface Failed {
  action: ActionName;
  values: FormValues;
  errors: FieldErrors;
  scan?: { sha256: string; name: string };
}

function formView(action: ActionName, round: RoundStatus, failed: Failed | undefined) {
  const mine = failed?.action === action ? failed : undefined;
  const v = mine?.values ?? {};
  return {
    name: action,
    title: ACTION_TITLES[action],
    url: `/rounds/${round.id}/actions/${action}`,
    // A fresh id for a fresh attempt: a refused request did nothing, so the next one is new.
    requestId: newRequestId(action),
    v,
    e: mine?.errors ?? {},
    error: mine?.errors[FORM_ERROR],
    failed: mine !== undefined,
    bureauOptions: round.bureaus.map((b) => ({
      id: b.bureau.id,
      label: `${b.bureau.shortNameZh ?? b.bureau.nameZh} ${b.bureau.id} · ${OUTCOMES[b.outcome].zh} · ${formatInstant(b.deadline, bureauTz(b, round))}`,
      selected: v.bureauId === b.bureau.id,
    })),
  };
}

function paperDocsView(round: RoundStatus, failed: Failed | undefined) {
  const v = failed?.action === 'paper' ? failed.values : {};
  const e = failed?.action === 'paper' ? failed.errors : {};
  return round.documents.map((doc) => {
    const prefix = `doc.${doc.key}`;
    const rows = commentRows(v, doc.key);
    const field = (i: number, f: string) => ({ name: `${prefix}.${i}.${f}`, value: v[`${prefix}.${i}.${f}`] ?? '', error: e[`${prefix}.${i}.${f}`] });
    return {
      key: doc.key,
      title: doc.title,
      prefix,
      rows,
      canAddRow: rows < MAX_COMMENT_ROWS,
      noComments: v[`${prefix}.kind`] === 'noComments',
      comments: v[`${prefix}.kind`] === 'comments',
      error: e[prefix],
      listId: `sections-${doc.key}`,
      sections: latestSections(round, doc.key).map(sectionLabel),
      commentRows: Array.from({ length: rows }, (_, i) => ({
        n: i + 1,
        ...Object.fromEntries(COMMENT_FIELDS.map((f) => [f, field(i, f)])),
      })),
    };
  });
}

function manageView(round: RoundStatus, failed: Failed | undefined) {
  const forms = Object.fromEntries(ACTIONS.map((a) => [a, formView(a, round, failed)])) as Record<ActionName, ReturnType<typeof formView>>;
  return {
    round: {
      id: round.id,
      title: round.title,
      stage: STAGES[round.stage],
      timeZone: round.timeZone,
      coordinator: round.coordinator,
      startedAt: formatInstant(round.startedAt, round.timeZone),
      startedBy: round.startedBy,
      endsAt: round.consultationEndsAt ? formatInstant(round.consultationEndsAt, round.timeZone) : undefined,
      endedAt: round.consultation.endedAt ? formatInstant(round.consultation.endedAt, round.timeZone) : undefined,
      closed: round.consultation.closed && { by: round.consultation.closed.by, at: formatInstant(round.consultation.closed.at, round.timeZone), reason: round.consultation.closed.reason },
      cancelled: round.cancelled && { by: round.cancelled.by, at: formatInstant(round.cancelled.at, round.timeZone), reason: round.cancelled.reason },
      problems: round.problems.map((p) => ({ at: formatInstant(p.at, round.timeZone), message: p.message })),
      documents: round.documents.map((d) => ({ key: d.key, title: d.title })),
    },
    bureaus: round.bureaus.map((b) => bureauView(b, round)),
    canAct: round.stage !== 'cancelled' && round.stage !== 'approved',
    forms,
    paper: { docs: paperDocsView(round, failed), scan: failed?.action === 'paper' ? failed.scan : undefined },
    failedAction: failed?.action,
  };
}

// ---------------------------------------------------------------------------------------------
// The routes

/** Form fields as typed (first value of each; files are handled apart). */
function formValues(body: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const [k, raw] of Object.entries(body)) {
    if (k === CSRF_FIELD) continue;
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (typeof v === 'string') values[k] = v;
  }
  return values;
}

type ActionResult = { ok: true; flash: Flash } | { ok: false; errors: FieldErrors };

export function createCoordinatorRoutes(deps: CoordinatorDeps) {
  const { client, store, templates } = deps;
  const auth =
    deps.auth ??
    createAuth({ secret: deps.secret, users: deps.users, templates, secureCookies: deps.secureCookies, trustedOrigins: deps.trustedOrigins });
  const coordinator = auth.requireRole('coordinator');
  const app = new Hono<AuthEnv>();
  app.onError(httpErrors);
  if (!deps.auth) app.route('/', auth.routes);

  function userView(c: Context<AuthEnv>) {
    const user = c.get('user');
    return { name: user.name, username: user.username, roles: user.roles.join(', ') };
  }

  function render(c: Context<AuthEnv>, round: RoundStatus, status: 200 | 422, failed?: Failed, flash?: string) {
    c.header('cache-control', 'no-store');
    return c.html(templates.render('pages/coordinator-manage', { ...manageView(round, failed), user: userView(c), csrf: auth.formToken(c), flash }), status);
  }

  async function loadRound(c: Context<AuthEnv>, id: string): Promise<RoundStatus | Response> {
    try {
      return await roundStatus(client, id);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return c.text(`no round ${id}`, 404);
      throw err;
    }
  }

  app.get('/rounds/:id/manage', coordinator, async (c) => {
    const param = RoundParam.safeParse({ id: c.req.param('id') });
    if (!param.success) return c.text('not a round id (round:<plan>:<n>)', 400);
    const round = await loadRound(c, param.data.id);
    if (round instanceof Response) return round;
    let flash: string | undefined;
    const raw = getCookie(c, FLASH_COOKIE);
    if (raw) {
      deleteCookie(c, FLASH_COOKIE, { path: '/' });
      try {
        flash = flashMessage(Flash.parse(JSON.parse(raw)), round);
      } catch {
        flash = undefined;
      }
    }
    return render(c, round, 200, undefined, flash);
  });

  /** Sends the update; a refusal by the workflow becomes a message next to the field it names. */
  async function send<Ret, Req extends { requestId: string }>(
    roundId: string,
    action: ActionName,
    update: UpdateDefinition<Ret, [Req]>,
    request: Req,
    rowsOf?: CommentRows,
  ): Promise<{ ok: true; result: Ret } | { ok: false; errors: FieldErrors }> {
    try {
      return { ok: true, result: await executeRoundUpdate(client, roundId, update, request) };
    } catch (err) {
      if (err instanceof RoundRequestRejected) {
        const field = formFieldOf(action, err.field, rowsOf);
        return { ok: false, errors: { [field]: field === FORM_ERROR && !['request', 'stage'].includes(err.field) ? `${err.field}: ${err.reason}` : err.reason } };
      }
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause instanceof ApplicationFailure ? err.cause.message : (err.cause?.message ?? err.message);
        return { ok: false, errors: { [FORM_ERROR]: `本轮拒绝了这个请求。The round refused the request: ${cause}` } };
      }
      throw err;
    }
  }

  /** An action that reads its form, sends one Update and names the bureau it concerned in the flash. */
  function formAction<Req extends { requestId: string }>(
    parse: (values: FormValues, ctx: ParseContext) => Parsed<Req>,
    update: UpdateDefinition<ActionAck, [Req]>,
    bureauOf?: (req: Req) => string,
  ) {
    return async (roundId: string, action: ActionName, values: FormValues, ctx: ParseContext): Promise<ActionResult> => {
      const parsed = parse(values, ctx);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      const sent = await send(roundId, action, update, parsed.request);
      if (!sent.ok) return { ok: false, errors: sent.errors };
      const b = bureauOf?.(parsed.request);
      return { ok: true, flash: { a: action, ...(b ? { b } : {}) } };
    };
  }

  const simpleActions: Record<Exclude<ActionName, 'paper'>, ReturnType<typeof formAction>> = {
    extend: formAction(parseExtend, messages.extendDeadlineUpdate, (r) => r.bureauId),
    waive: formAction(parseWaive, messages.waiveBureauUpdate, (r) => r.bureauId),
    contact: formAction(parseContact, messages.changeContactUpdate, (r) => r.bureauId),
    resend: formAction(parseResend, messages.resendInvitationUpdate, (r) => r.bureauId),
    'add-bureau': formAction(parseAddBureau, messages.addBureauUpdate, (r) => r.bureau.id),
    close: formAction(parseClose, messages.closeConsultationUpdate),
    cancel: formAction(parseCancel, messages.cancelRoundUpdate),
  };

  function succeeded(c: Context<AuthEnv>, roundId: string, flash: Flash) {
    setCookie(c, FLASH_COOKIE, JSON.stringify(flash), { path: '/', httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies ?? false, maxAge: 120 });
    return c.redirect(`/rounds/${roundId}/manage`, 303);
  }

  const tooLarge = (c: Context) =>
    c.text(`请求过大：扫描件不得超过 ${(deps.attachmentMaxBytes / 1024 / 1024).toFixed(1)} MiB。The request is too large: a scan may be at most ${deps.attachmentMaxBytes} bytes.`, 413);

  app.post(
    '/rounds/:id/actions/paper',
    coordinator,
    bodyLimit({ maxSize: deps.attachmentMaxBytes + 1024 * 1024, onError: tooLarge }),
    auth.verifyForm,
    async (c) => {
      const param = RoundParam.safeParse({ id: c.req.param('id') });
      if (!param.success) return c.text('not a round id (round:<plan>:<n>)', 400);
      const round = await loadRound(c, param.data.id);
      if (round instanceof Response) return round;
      const body = await c.req.parseBody({ all: true });
      const values = formValues(body);
      const ctx = { round, actor: actorOf(c.get('user'), 'coordinator') };

      // The scan: a new file is checked by its bytes and stored at once, so a re-shown form keeps it by hash.
      let scan: Failed['scan'];
      let scanError: string | undefined;
      const file = [body.scan].flat().find((f): f is File => f instanceof File && f.size > 0);
      if (file) {
        if (file.size > deps.attachmentMaxBytes) scanError = scanTooLarge(deps.attachmentMaxBytes);
        else {
          const bytes = new Uint8Array(await file.arrayBuffer());
          scanError = checkScan(bytes, deps.attachmentMaxBytes);
          if (!scanError) scan = { sha256: (await store.put(bytes)).sha256, name: file.name.slice(0, 200) };
        }
      } else if (Sha256.safeParse(values.scanSha256).success && (await store.has(values.scanSha256!))) {
        const bytes = await store.get(values.scanSha256!);
        if (sniffScan(bytes)) scan = { sha256: values.scanSha256!, name: (values.scanName ?? '').slice(0, 200) };
      }

      const addRow = /^addRow:([a-z0-9-]+)$/.exec(values.op ?? '');
      if (addRow && round.documents.some((d) => d.key === addRow[1])) {
        const key = `doc.${addRow[1]}.rows`;
        const more = { ...values, [key]: String(commentRows(values, addRow[1]!) + 1) };
        return render(c, round, 200, { action: 'paper', values: more, errors: scanError ? { scan: scanError } : {}, scan });
      }

      const parsed = parsePaper(values, { ...ctx, scanSha256: scan?.sha256, scanError });
      if (!parsed.ok) return render(c, round, 422, { action: 'paper', values, errors: parsed.errors, scan });
      const sent = await send(round.id, 'paper', messages.recordPaperReplyUpdate, parsed.request, parsed.rowsOf);
      if (!sent.ok) return render(c, round, 422, { action: 'paper', values, errors: sent.errors, scan });
      return succeeded(c, round.id, { a: 'paper', b: parsed.request.bureauId, n: sent.result.n });
    },
  );

  app.post('/rounds/:id/actions/:action', coordinator, bodyLimit({ maxSize: 256 * 1024, onError: tooLarge }), auth.verifyForm, async (c) => {
    const param = RoundParam.safeParse({ id: c.req.param('id') });
    if (!param.success) return c.text('not a round id (round:<plan>:<n>)', 400);
    const action = z.enum(ACTIONS).exclude(['paper']).safeParse(c.req.param('action'));
    if (!action.success) return c.text('no such action', 404);
    const round = await loadRound(c, param.data.id);
    if (round instanceof Response) return round;
    const values = formValues(await c.req.parseBody({ all: true }));
    const result = await simpleActions[action.data](round.id, action.data, values, { round, actor: actorOf(c.get('user'), 'coordinator') });
    if (!result.ok) return render(c, round, 422, { action: action.data, values, errors: result.errors });
    return succeeded(c, round.id, result.flash);
  });

  /** A scan of a reply in this round (and only those), for the coordinator to check what was recorded. */
  app.get('/rounds/:id/files/:sha256', coordinator, async (c) => {
    const param = RoundParam.safeParse({ id: c.req.param('id') });
    const sha = Sha256.safeParse(c.req.param('sha256'));
    if (!param.success || !sha.success) return c.text('not found', 404);
    const round = await loadRound(c, param.data.id);
    if (round instanceof Response) return round;
    const referenced = round.bureaus.some((b) => b.replies.some((r) => r.scanSha256 === sha.data));
    if (!referenced) return c.text('not found', 404);
    try {
      const bytes = await store.get(sha.data);
      return c.body(new Uint8Array(bytes), 200, {
        'content-type': sniffScan(bytes) ?? 'application/octet-stream',
        'content-disposition': `inline; filename="${sha.data.slice(0, 16)}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; img-src 'self'; object-src 'self'; sandbox",
      });
    } catch (err) {
      if (err instanceof ContentNotFoundError) return c.text('not found', 404);
      throw err;
    }
  });

  return app;
}
