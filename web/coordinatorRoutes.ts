/**
 * The coordinator's pages: a round's full status and one form per action (extend a deadline,
 * record a paper reply, waive a bureau, change a contact, resend an invitation, add a bureau,
 * close the consultation, cancel the round). Every action is an Update sent as the signed-in user;
 * the workflow's validator has the last word and its reason is shown next to the field it names.
 *
 * Mounted by web/app.ts at "/": it brings /login and /logout (web/auth.ts) with it unless given an Auth.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { parseReviewRoundId } from '../domain/ids.js';
import { Sha256, type DocumentAnswer, type Reply, type ReplySummary, type Section } from '../domain/records.js';
import type { BureauStatus, RoundStatus } from '../domain/round.js';
import {
  RoundGatewayError,
  type ActionRequest,
  type ActionResult as RoundActionResult,
  type RoundService,
} from '../infra/roundGateway.js';
import { OUTCOME_LABELS, REPLY_CHANNEL_LABELS, both, stageText } from '../domain/labels.js';
import type { ActionName as RoundAction } from '../domain/actions.js';
import { refusalMessage } from './replyForm.js';
import { ContentNotFoundError, type ContentStore } from '../infra/store.js';
import { formatInstant, type Templates } from '../infra/templates.js';
import { actorOf, type UserDirectory } from '../infra/users.js';
import { createAuth, CSRF_FIELD, httpErrors, type Auth, type AuthEnv } from './auth.js';
import {
  ACTIONS,
  commentRows,
  FORM_ERROR,
  formFieldOf,
  newRequestId,
  parseAddBureau,
  parseCancel,
  parseClose,
  parseContact,
  parseExtend,
  parsePaper,
  parseResend,
  parseWaive,
  MAX_COMMENT_ROWS,
  type ActionName,
  type CommentRows,
  type FieldErrors,
  type FormValues,
  type ParseContext,
  type Parsed,
} from './coordinatorForms.js';
import { checkScan, scanTooLarge, sniffScan } from '../infra/scans.js';
import { CARD_FIELDS } from '../domain/commentCard.js';
import { latestSections, sectionLabel } from '../domain/sections.js';

export interface CoordinatorDeps {
  rounds: RoundService;
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
const Flash = z.object({
  a: z.enum(ACTIONS),
  b: z.string().max(64).optional(),
  n: z.number().int().positive().optional(),
});
type Flash = z.infer<typeof Flash>;

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

function sectionText(
  round: RoundStatus,
  docKey: string,
  version: number,
  sectionId: string | undefined,
): string | undefined {
  if (!sectionId) return undefined;
  const doc = round.documents.find((d) => d.key === docKey);
  const s: Section | undefined = (doc?.versions.find((v) => v.n === version) ?? doc?.versions.at(-1))?.sections.find(
    (x) => x.id === sectionId,
  );
  return s ? sectionLabel(s) : sectionId;
}

/** A reply version: its texts when loaded (the latest one), else how many comments it made per document. */
function replyView(reply: ReplySummary, full: Reply | undefined, round: RoundStatus, roundId: string, latest: boolean) {
  const tz = round.timeZone;
  return {
    n: reply.n,
    version: reply.version,
    latest,
    channel: both(REPLY_CHANNEL_LABELS[reply.channel]),
    submittedAt: formatInstant(reply.submittedAt, tz),
    responder: reply.responder,
    recordedBy: reply.recordedBy,
    contentSha256: reply.contentSha256,
    scanSha256: reply.scanSha256,
    scanUrl: reply.scanSha256 ? `/rounds/${roundId}/files/${reply.scanSha256}` : undefined,
    documents: (full
      ? Object.entries(full.perDocument)
      : reply.documents.map((d): [string, DocumentAnswer | number] => [
          d.doc,
          d.answer === 'noComments' ? 'noComments' : d.comments,
        ])
    ).map(([key, answer]) => ({
      title: round.documents.find((d) => d.key === key)?.title ?? key,
      noComments: answer === 'noComments',
      count: typeof answer === 'number' ? answer : undefined,
      comments:
        answer === 'noComments' || typeof answer === 'number'
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

function bureauView(b: BureauStatus, round: RoundStatus, texts: Map<number, Reply>) {
  const tz = bureauTz(b, round);
  const outcome = OUTCOME_LABELS[b.outcome];
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
      failures: b.invitation.failures.map((f) => ({
        at: formatInstant(f.at, tz),
        kind: f.kind,
        to: f.to.join(', '),
        error: f.error,
        messageId: f.messageId,
      })),
    },
    revokedLinkIds: b.revokedLinkIds,
    extensions: b.extensions.map((e) => ({
      deadline: formatInstant(e.deadline, tz),
      by: e.by,
      at: formatInstant(e.at, round.timeZone),
      reason: e.reason,
    })),
    waived: b.waived && { by: b.waived.by, at: formatInstant(b.waived.at, round.timeZone), reason: b.waived.reason },
    replies: b.replies.map((r, i) => replyView(r, texts.get(r.n), round, round.id, i === b.replies.length - 1)),
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
      label: `${b.bureau.shortNameZh ?? b.bureau.nameZh} ${b.bureau.id} · ${OUTCOME_LABELS[b.outcome].zh} · ${formatInstant(b.deadline, bureauTz(b, round))}`,
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
    const field = (i: number, f: string) => ({
      name: `${prefix}.${i}.${f}`,
      value: v[`${prefix}.${i}.${f}`] ?? '',
      error: e[`${prefix}.${i}.${f}`],
    });
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
        ...Object.fromEntries(CARD_FIELDS.map((f) => [f, field(i, f)])),
      })),
    };
  });
}

function manageView(round: RoundStatus, failed: Failed | undefined, texts: Map<number, Reply>) {
  const forms = Object.fromEntries(ACTIONS.map((a) => [a, formView(a, round, failed)])) as Record<
    ActionName,
    ReturnType<typeof formView>
  >;
  return {
    round: {
      id: round.id,
      title: round.title,
      stage: stageText(round.stage),
      timeZone: round.timeZone,
      coordinator: round.coordinator,
      startedAt: formatInstant(round.startedAt, round.timeZone),
      startedBy: round.startedBy,
      endsAt: round.consultationEndsAt ? formatInstant(round.consultationEndsAt, round.timeZone) : undefined,
      endedAt: round.consultation.endedAt ? formatInstant(round.consultation.endedAt, round.timeZone) : undefined,
      closed: round.consultation.closed && {
        by: round.consultation.closed.by,
        at: formatInstant(round.consultation.closed.at, round.timeZone),
        reason: round.consultation.closed.reason,
      },
      cancelled: round.cancelled && {
        by: round.cancelled.by,
        at: formatInstant(round.cancelled.at, round.timeZone),
        reason: round.cancelled.reason,
      },
      problems: round.problems.map((p) => ({ at: formatInstant(p.at, round.timeZone), message: p.message })),
      documents: round.documents.map((d) => ({ key: d.key, title: d.title })),
    },
    bureaus: round.bureaus.map((b) => bureauView(b, round, texts)),
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
  const { rounds, store, templates } = deps;
  const auth =
    deps.auth ??
    createAuth({
      secret: deps.secret,
      users: deps.users,
      templates,
      secureCookies: deps.secureCookies,
      trustedOrigins: deps.trustedOrigins,
    });
  const coordinator = auth.requireRole('coordinator');
  const app = new Hono<AuthEnv>();
  app.onError(httpErrors);
  if (!deps.auth) app.route('/', auth.routes);

  function userView(c: Context<AuthEnv>) {
    const user = c.get('user');
    return { name: user.name, username: user.username, roles: user.roles.join(', ') };
  }

  /** The texts of each bureau's latest reply, from the document store (older versions show their counts). */
  async function latestTexts(round: RoundStatus): Promise<Map<number, Reply>> {
    const texts = new Map<number, Reply>();
    for (const b of round.bureaus) {
      const latest = b.replies[b.replies.length - 1];
      if (!latest) continue;
      try {
        texts.set(latest.n, await rounds.loadReply(latest));
      } catch (err) {
        console.error(`coordinator page: texts of reply ${latest.n} in ${round.id}:`, err);
      }
    }
    return texts;
  }

  async function render(c: Context<AuthEnv>, round: RoundStatus, status: 200 | 422, failed?: Failed, flash?: string) {
    c.header('cache-control', 'no-store');
    const view = manageView(round, failed, await latestTexts(round));
    return c.html(
      templates.render('pages/coordinator-manage', { ...view, user: userView(c), csrf: auth.formToken(c), flash }),
      status,
    );
  }

  async function loadRound(c: Context<AuthEnv>, id: string): Promise<RoundStatus | Response> {
    const round = await rounds.status(id);
    if (round.kind === 'notFound') return c.text(`no round ${id}`, 404);
    if (round.kind !== 'done') throw new RoundGatewayError(round);
    return round.value;
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

  /** Takes the action; a refusal by the round becomes a message next to the field it names. */
  async function send<K extends RoundAction>(
    roundId: string,
    action: ActionName,
    name: K,
    request: ActionRequest<K>,
    rowsOf?: CommentRows,
  ): Promise<{ ok: true; result: RoundActionResult<K> } | { ok: false; errors: FieldErrors }> {
    const sent = await rounds.act(roundId, name, request);
    if (sent.kind === 'done') return { ok: true, result: sent.value };
    if (sent.kind === 'refused') {
      const field = formFieldOf(action, sent.refusal.field, rowsOf);
      const message = refusalMessage(sent.refusal);
      return {
        ok: false,
        errors: {
          [field]:
            field === FORM_ERROR && !['request', 'round'].includes(sent.refusal.field)
              ? `${sent.refusal.field}: ${message}`
              : message,
        },
      };
    }
    if (sent.kind === 'notFound')
      return { ok: false, errors: { [FORM_ERROR]: `未找到本轮审查。The round was not found.` } };
    throw new RoundGatewayError(sent);
  }

  /** An action that reads its form, takes one round action and names the bureau it concerned in the flash. */
  function formAction<K extends RoundAction, Req extends ActionRequest<K>>(
    parse: (values: FormValues, ctx: ParseContext) => Parsed<Req>,
    name: K,
    bureauOf?: (req: Req) => string,
  ) {
    return async (
      roundId: string,
      action: ActionName,
      values: FormValues,
      ctx: ParseContext,
    ): Promise<ActionResult> => {
      const parsed = parse(values, ctx);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      const sent = await send(roundId, action, name, parsed.request);
      if (!sent.ok) return { ok: false, errors: sent.errors };
      const b = bureauOf?.(parsed.request);
      return { ok: true, flash: { a: action, ...(b ? { b } : {}) } };
    };
  }

  const simpleActions: Record<Exclude<ActionName, 'paper'>, ReturnType<typeof formAction>> = {
    extend: formAction(parseExtend, 'extendDeadline', (r) => r.bureauId),
    waive: formAction(parseWaive, 'waiveBureau', (r) => r.bureauId),
    contact: formAction(parseContact, 'changeContact', (r) => r.bureauId),
    resend: formAction(parseResend, 'resendInvitation', (r) => r.bureauId),
    'add-bureau': formAction(parseAddBureau, 'addBureau', (r) => r.bureau.id),
    close: formAction(parseClose, 'closeConsultation'),
    cancel: formAction(parseCancel, 'cancelRound'),
  };

  function succeeded(c: Context<AuthEnv>, roundId: string, flash: Flash) {
    setCookie(c, FLASH_COOKIE, JSON.stringify(flash), {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: deps.secureCookies ?? false,
      maxAge: 120,
    });
    return c.redirect(`/rounds/${roundId}/manage`, 303);
  }

  const tooLarge = (c: Context) =>
    c.text(
      `请求过大：扫描件不得超过 ${(deps.attachmentMaxBytes / 1024 / 1024).toFixed(1)} MiB。The request is too large: a scan may be at most ${deps.attachmentMaxBytes} bytes.`,
      413,
    );

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
        return render(c, round, 200, {
          action: 'paper',
          values: more,
          errors: scanError ? { scan: scanError } : {},
          scan,
        });
      }

      const parsed = parsePaper(values, { ...ctx, scanSha256: scan?.sha256, scanError });
      if (!parsed.ok) return render(c, round, 422, { action: 'paper', values, errors: parsed.errors, scan });
      const sent = await send(round.id, 'paper', 'recordPaperReply', parsed.request, parsed.rowsOf);
      if (!sent.ok) return render(c, round, 422, { action: 'paper', values, errors: sent.errors, scan });
      return succeeded(c, round.id, { a: 'paper', b: parsed.request.bureauId, n: sent.result.n });
    },
  );

  app.post(
    '/rounds/:id/actions/:action',
    coordinator,
    bodyLimit({ maxSize: 256 * 1024, onError: tooLarge }),
    auth.verifyForm,
    async (c) => {
      const param = RoundParam.safeParse({ id: c.req.param('id') });
      if (!param.success) return c.text('not a round id (round:<plan>:<n>)', 400);
      const action = z.enum(ACTIONS).exclude(['paper']).safeParse(c.req.param('action'));
      if (!action.success) return c.text('no such action', 404);
      const round = await loadRound(c, param.data.id);
      if (round instanceof Response) return round;
      const values = formValues(await c.req.parseBody({ all: true }));
      const result = await simpleActions[action.data](round.id, action.data, values, {
        round,
        actor: actorOf(c.get('user'), 'coordinator'),
      });
      if (!result.ok) return render(c, round, 422, { action: action.data, values, errors: result.errors });
      return succeeded(c, round.id, result.flash);
    },
  );

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
