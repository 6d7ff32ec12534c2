/**
 * The coordinator's pages: a round's full status and one form per action (extend a deadline,
 * record a paper reply, waive a bureau, change a contact, resend an invitation, add a bureau,
 * close the consultation, cancel the round; decide, adopt and publish the dispositions; schedule,
 * move or cancel the experts' meeting, record their opinions and the revision notes; add a revised
 * version, re-anchor a change, resolve an objection). Every action is an Update sent as the
 * signed-in user; the workflow's validator has the last word and its reason is shown next to the
 * field it names.
 *
 * Mounted by web/app.ts at "/": it brings /login and /logout (web/auth.ts) with it unless given an Auth.
 */
import Handlebars from 'handlebars';
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { Sha256, type DocumentAnswer, type Reply, type ReplySummary } from '../domain/records.js';
import type { BureauStatus, RoundStatus } from '../domain/round.js';
import {
  RoundGatewayError,
  type ActionRequest,
  type ActionResult as RoundActionResult,
  type RoundService,
} from '../infra/roundGateway.js';
import { OUTCOME_LABELS, REPLY_CHANNEL_LABELS, STAGE_LABELS } from '../domain/labels.js';
import type { ActionName as RoundAction } from '../domain/actions.js';
import { countingReply, repliedLate } from '../workflows/stages/consultation/rules.js';
import { ContentNotFoundError, type ContentStore } from '../infra/store.js';
import { formatInstant, labelHtml, pageTime, type Templates } from '../infra/templates.js';
import { BUREAU_FORMS, formsOffered, glanceView, type BureauForm } from './roundGlance.js';
import { timeZoneOptions } from './timeZones.js';
import { actorOf, type UserDirectory } from '../infra/users.js';
import { createAuth, type Auth, type AuthEnv } from './auth.js';
import {
  ACTIONS,
  commentRows,
  FORM_ERROR,
  fieldErrors,
  formValues,
  newRequestId,
  MAX_COMMENT_ROWS,
  type ActionName,
  type CommentRows,
  type CoordinatorAction,
  type FieldErrors,
  type FormContext,
  type FormValues,
} from './coordinatorForms.js';
import { COORDINATOR_ACTIONS, FORM_ACTIONS } from './actions/index.js';
import { roundLoader, RoundParam, roundParamValidator } from './roundRoute.js';
import { errorPage, noFilePage } from './guards.js';
import { dispositionForms, dispositionTable } from './dispositionView.js';
import { recordsView, reviewFormDefaults, reviewForms } from './reviewView.js';
import { refusalMessage, say } from '../domain/messages.js';
import { checkScan, scanTooLarge, sniffScan } from '../infra/scans.js';
import { putUpload, type UploadLedger } from '../infra/uploads.js';
import { documentFileProblem } from '../infra/documents.js';
import { checkPaperScanProof, paperScanProofFor } from '../infra/linkTokens.js';
import { problemsWithMailDelays } from '../domain/mail.js';
import { CARD_FIELDS } from '../domain/commentCard.js';
import { latestSections, sectionAt, sectionLabel } from '../domain/sections.js';

export interface CoordinatorDeps {
  rounds: RoundService;
  store: ContentStore;
  templates: Templates;
  /** The server secret (infra/linkTokens.ts loadOrCreateSecret). */
  secret: Buffer;
  /** Who may sign in: fileUserDirectory(config.paths.users) in the server. */
  users: UserDirectory;
  attachmentMaxBytes: number;
  /** Records the paper scans and revised versions uploaded, for the sweep of unused ones (infra/uploads.ts). */
  uploadLedger?: UploadLedger;
  /** Set the Secure flag on cookies (PUBLIC_URL is https). */
  secureCookies?: boolean;
  /** Origins besides the request's own that may post forms (PUBLIC_URL's origin behind a proxy). */
  trustedOrigins?: string[];
  /**
   * Share one Auth with other pages (approver, auditor): the caller then mounts auth.routes itself.
   * When absent, one is made from the deps above and /login and /logout are served from here.
   */
  auth?: Auth;
  /** The clock that tells a bureau past its deadline and the time left (tests fix it). */
  now?: () => Date;
}

/** What the coordinator's routes keep for the handlers after them: the round, the paper reply's scan, the form's context. */
interface CoordinatorEnv {
  Variables: AuthEnv['Variables'] & {
    round: RoundStatus;
    formContext: FormContext;
    scan?: KeptScan;
    scanError?: string;
    document?: { sha256: string; name: string };
    documentError?: string;
  };
}

const FLASH_COOKIE = 'pr_flash';
const Flash = z.object({
  a: z.enum(ACTIONS),
  b: z.string().max(64).optional(),
  n: z.number().int().positive().optional(),
});
type Flash = z.infer<typeof Flash>;

function flashMessage(flash: Flash, round: RoundStatus): string {
  const b = round.bureaus.find((x) => x.bureau.id === flash.b)?.bureau;
  const names = { zh: b?.nameZh ?? flash.b ?? '', en: b?.nameEn ?? flash.b ?? '' };
  return COORDINATOR_ACTIONS[flash.a].flash(names, flash.n);
}

// ---------------------------------------------------------------------------------------------
// The status, as a page shows it

function bureauTz(b: BureauStatus, round: RoundStatus): string {
  return b.bureau.timeZone ?? round.timeZone;
}

/** A reply version: its texts when loaded (the latest one), else how many comments it made per document. */
function replyView(reply: ReplySummary, full: Reply | undefined, round: RoundStatus, roundId: string, latest: boolean) {
  const tz = round.timeZone;
  return {
    n: reply.n,
    version: reply.version,
    latest,
    late: reply.late === true,
    channel: labelHtml(REPLY_CHANNEL_LABELS[reply.channel]),
    submittedAt: pageTime(reply.submittedAt, tz, { seconds: true }),
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
              section: sectionAt(round, c.anchor.doc, c.anchor.version, c.anchor.section),
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
    late: repliedLate(b),
    deadline: pageTime(b.deadline, tz),
    invitation: b.invitation && {
      sentAt: b.invitation.sentAt ? pageTime(b.invitation.sentAt, tz, { seconds: true }) : undefined,
      messageId: b.invitation.messageId,
      linkId: b.invitation.linkId,
      messages: (b.invitation.messages ?? []).map((m) => ({
        at: pageTime(m.at, tz, { seconds: true }),
        messageId: m.messageId,
      })),
      reminders: b.invitation.remindersSent.map((r) => ({
        at: pageTime(r.at, tz, { seconds: true }),
        messageId: r.messageId,
      })),
      failures: b.invitation.failures.map((f) => ({
        at: pageTime(f.at, tz, { seconds: true }),
        kind: f.kind,
        to: f.to.join(', '),
        error: f.error,
        messageId: f.messageId,
      })),
    },
    revokedLinkIds: b.revokedLinkIds,
    mail: (round.mailInFlight ?? [])
      .filter((m) => m.recipient === b.bureau.id)
      .map((m) => ({
        kind: m.kind,
        to: m.to.join(', '),
        since: formatInstant(m.since, tz),
        attempts: m.attempts,
        lastError: m.lastError,
        messageId: m.messageId,
      })),
    extensions: b.extensions.map((e) => ({
      deadline: pageTime(e.deadline, tz),
      by: e.by,
      at: pageTime(e.at, round.timeZone, { seconds: true }),
      reason: e.reason,
    })),
    waived: b.waived && {
      by: b.waived.by,
      at: pageTime(b.waived.at, round.timeZone, { seconds: true }),
      reason: b.waived.reason,
    },
    replies: b.replies.map((r, i) => replyView(r, texts.get(r.n), round, round.id, i === b.replies.length - 1)),
  };
}

// ---------------------------------------------------------------------------------------------
// The forms, as a page shows them

/** A paper reply's scan kept by the form: its hash, its name, and the proof that it was uploaded in this form. */
interface KeptScan {
  sha256: string;
  name: string;
  proof: string;
}

interface Failed {
  action: ActionName;
  values: FormValues;
  errors: FieldErrors;
  scan?: KeptScan;
  document?: { sha256: string; name: string };
}

/** An action's title, "中文 English", with its English marked as English for the page. */
function bilingualTitle(title: string): Handlebars.SafeString {
  const at = title.search(/ [A-Za-z]/);
  const esc = Handlebars.escapeExpression;
  return new Handlebars.SafeString(
    at < 0 ? esc(title) : `${esc(title.slice(0, at))} <span class="en" lang="en">${esc(title.slice(at + 1))}</span>`,
  );
}

function formView(
  action: ActionName,
  round: RoundStatus,
  failed: Failed | undefined,
  defaults: FormValues = {},
  chosen = false,
) {
  const mine = failed?.action === action ? failed : undefined;
  const v = mine?.values ?? defaults;
  return {
    name: action,
    title: bilingualTitle(COORDINATOR_ACTIONS[action].title),
    url: `/rounds/${round.id}/actions/${action}`,
    // A fresh id for a fresh attempt: a refused request did nothing, so the next one is new.
    requestId: newRequestId(action),
    v,
    e: mine?.errors ?? {},
    error: mine?.errors[FORM_ERROR],
    failed: mine !== undefined,
    /** Shown open: refused, or chosen from a bureau's row. */
    open: mine !== undefined || chosen,
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
      notAddressed: v[`${prefix}.kind`] === 'notAddressed',
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

/** A bureau's form chosen from its row or an attention item: that form opens with the bureau selected. */
interface ChosenBureau {
  form: BureauForm;
  bureauId: string;
}

function manageView(
  round: RoundStatus,
  failed: Failed | undefined,
  texts: Map<number, Reply>,
  now: number,
  chosen: FormValues = {},
  bureauChosen?: ChosenBureau,
) {
  const defaults = reviewFormDefaults(round);
  const forms = Object.fromEntries(
    ACTIONS.map((a) => {
      const picked = bureauChosen?.form === a;
      return [
        a,
        formView(a, round, failed, picked ? { ...defaults[a], bureauId: bureauChosen.bureauId } : defaults[a], picked),
      ];
    }),
  ) as Record<ActionName, ReturnType<typeof formView>>;
  const canAct = round.stage !== 'cancelled' && round.stage !== 'approved';
  const disposing = round.stage === 'disposition';
  const consultationForms = canAct && !disposing;
  const showDispositions = disposing || round.dispositions.length > 0 || round.dispositionsPublished !== null;
  const table = showDispositions ? dispositionTable(round, texts) : [];
  // A comment chosen in the table opens its form with the comment selected (a re-shown form keeps what was typed).
  const disposeValues = failed?.action === 'dispose' ? forms.dispose.v : chosen;
  const published = round.dispositionsPublished;
  return {
    round: {
      id: round.id,
      n: round.n,
      planId: round.planId,
      title: round.title,
      stage: labelHtml(STAGE_LABELS[round.stage]),
      timeZone: round.timeZone,
      coordinator: round.coordinator,
      startedAt: pageTime(round.startedAt, round.timeZone, { seconds: true }),
      startedBy: round.startedBy,
      endsAt: round.consultationEndsAt ? pageTime(round.consultationEndsAt, round.timeZone) : undefined,
      endedAt: round.consultation.endedAt
        ? pageTime(round.consultation.endedAt, round.timeZone, { seconds: true })
        : undefined,
      closed: round.consultation.closed && {
        by: round.consultation.closed.by,
        at: pageTime(round.consultation.closed.at, round.timeZone, { seconds: true }),
        reason: round.consultation.closed.reason,
      },
      cancelled: round.cancelled && {
        by: round.cancelled.by,
        at: pageTime(round.cancelled.at, round.timeZone, { seconds: true }),
        reason: round.cancelled.reason,
      },
      problems: problemsWithMailDelays(round, Date.now()).map((p) => ({
        at: pageTime(p.at, round.timeZone, { seconds: true }),
        message: p.message,
      })),
      documents: round.documents.map((d) => ({ key: d.key, title: d.title })),
    },
    glance: glanceView(round, now, formsOffered(round, true)),
    addBureauZones: timeZoneOptions(round.timeZone, forms['add-bureau'].v.timeZone),
    bureaus: round.bureaus.map((b) => bureauView(b, round, texts)),
    canAct,
    /** The consultation's own forms: while it runs (and, as before, outside the disposition stage). */
    consultationForms,
    forms,
    dispositions: showDispositions && {
      bureaus: table,
      published: published && {
        by: published.by,
        at: pageTime(published.at, round.timeZone, { seconds: true }),
        reason: published.reason,
      },
      canDecide: canAct && disposing && !published,
      openDispose: failed?.action === 'dispose' || chosen.commentId !== undefined,
      ...dispositionForms(round, table, { v: disposeValues, e: forms.dispose.e }, { v: forms['adopt-all'].v }),
    },
    paper: { docs: paperDocsView(round, failed), scan: failed?.action === 'paper' ? failed.scan : undefined },
    records: recordsView(round),
    review: {
      ...reviewForms(round, canAct, Object.fromEntries(ACTIONS.map((a) => [a, forms[a].v]))),
      document: failed?.action === 'add-version' ? failed.document : undefined,
    },
    failedAction: failed?.action,
  };
}

// ---------------------------------------------------------------------------------------------
// The routes

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
  const now = deps.now ?? (() => new Date());
  const app = new Hono<CoordinatorEnv>();
  app.onError(errorPage(templates));
  if (!deps.auth) app.route('/', auth.routes);

  function userView(c: Context<CoordinatorEnv>) {
    const user = c.get('user');
    return { name: user.name, username: user.username, roles: user.roles.join(', ') };
  }

  /**
   * The texts of each bureau's latest reply and of the reply that counts (the comments to dispose of),
   * from the document store; older versions show their counts.
   */
  async function latestTexts(round: RoundStatus): Promise<Map<number, Reply>> {
    const texts = new Map<number, Reply>();
    for (const b of round.bureaus) {
      for (const reply of new Set([b.replies[b.replies.length - 1], countingReply(b)])) {
        if (!reply || texts.has(reply.n)) continue;
        try {
          texts.set(reply.n, await rounds.loadReply(reply));
        } catch (err) {
          console.error(`coordinator page: texts of reply ${reply.n} in ${round.id}:`, err);
        }
      }
    }
    return texts;
  }

  async function render(
    c: Context<CoordinatorEnv>,
    round: RoundStatus,
    status: 200 | 422,
    failed?: Failed,
    flash?: string,
    chosen?: FormValues,
    bureauChosen?: ChosenBureau,
  ) {
    c.header('cache-control', 'no-store');
    const view = manageView(round, failed, await latestTexts(round), now().getTime(), chosen, bureauChosen);
    return c.html(
      templates.render('pages/coordinator-manage', {
        ...view,
        user: userView(c),
        csrf: auth.formToken(c as unknown as Context<AuthEnv>),
        flash,
      }),
      status,
    );
  }

  /** The files a re-shown form keeps by hash: the paper reply's scan, a revised version. */
  const uploads = (c: Context<CoordinatorEnv>) => ({ scan: c.get('scan'), document: c.get('document') });

  const loadRound = roundLoader(rounds, templates);
  const roundParam = roundParamValidator(templates);

  /**
   * An action's form, checked next to its route with the action's schema for this round; a form that
   * does not pass is shown again with a message beside each field (422).
   */
  function actionForm(
    action: CoordinatorAction,
    extra: (c: Context<CoordinatorEnv>) => Partial<FormContext> = () => ({}),
  ) {
    return (async (c, next) => {
      const round = c.get('round');
      const ctx: FormContext = { round, actor: actorOf(c.get('user'), 'coordinator'), rowsOf: {}, ...extra(c) };
      c.set('formContext', ctx);
      return zValidator(
        'form',
        action.form(ctx) as z.ZodType,
        (result) => {
          if (result.success) return;
          const values = formValues(result.data);
          const errors = fieldErrors(result.error.issues, (path) => action.fieldOf(path, ctx.rowsOf));
          return render(c, round, 422, { action: action.name, values, errors, ...uploads(c) });
        },
        { validationFunction: (schema, value) => schema.safeParseAsync(value, { reportInput: true }) },
      )(c as never, next);
    }) as MiddlewareHandler<CoordinatorEnv>;
  }

  app.get('/rounds/:id/manage', coordinator, roundParam, loadRound, async (c) => {
    const round = c.get('round');
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
    const comment = c.req.query('comment');
    const chosen: FormValues = comment && comment.length <= 200 ? { commentId: comment } : {};
    // ?form=extend&bureau=forestry: a bureau's row opens that form with the bureau selected (a GET that only pre-fills).
    const form = c.req.query('form');
    const bureauId = c.req.query('bureau');
    const bureauChosen =
      form && Object.hasOwn(BUREAU_FORMS, form) && round.bureaus.some((b) => b.bureau.id === bureauId)
        ? { form: form as BureauForm, bureauId: bureauId! }
        : undefined;
    return render(c, round, 200, undefined, flash, chosen, bureauChosen);
  });

  /** Takes the action; a refusal by the round becomes a message next to the field it names. */
  async function send<K extends RoundAction>(
    round: RoundStatus,
    action: CoordinatorAction<K>,
    request: ActionRequest<K>,
    rowsOf?: CommentRows,
  ): Promise<{ ok: true; result: RoundActionResult<K> } | { ok: false; errors: FieldErrors }> {
    const sent = await rounds.act(round.id, action.update, request);
    if (sent.kind === 'done') return { ok: true, result: sent.value };
    if (sent.kind === 'refused') {
      const field = action.fieldOf(sent.refusal.field, rowsOf);
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

  function succeeded(c: Context<CoordinatorEnv>, roundId: string, flash: Flash) {
    setCookie(c, FLASH_COOKIE, JSON.stringify(flash), {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: deps.secureCookies ?? false,
      maxAge: 120,
    });
    return c.redirect(`/rounds/${roundId}/manage`, 303);
  }

  /** Sends the request a form became; the round's refusal shows the form again. */
  async function take<K extends RoundAction>(c: Context<CoordinatorEnv>, action: CoordinatorAction<K>) {
    const round = c.get('round');
    const request = c.req.valid('form' as never) as ActionRequest<K>;
    const sent = await send(round, action, request, c.get('formContext').rowsOf);
    if (!sent.ok) {
      const values = formValues(await c.req.parseBody({ all: true }));
      return render(c, round, 422, { action: action.name, values, errors: sent.errors, ...uploads(c) });
    }
    const b = action.bureauOf?.(request);
    const n = (sent.result as { n?: unknown }).n;
    return succeeded(c, round.id, { a: action.name, ...(b ? { b } : {}), ...(typeof n === 'number' ? { n } : {}) });
  }

  const tooLarge = (c: Context) =>
    c.text(
      `请求过大：上传的文件（扫描件或修订版）不得超过 ${(deps.attachmentMaxBytes / 1024 / 1024).toFixed(1)} MiB。The request is too large: an uploaded file (a scan or a revised version) may be at most ${deps.attachmentMaxBytes} bytes.`,
      413,
    );

  /**
   * A form's file: a new one is checked by its bytes (`problem`) and stored at once, so a re-shown
   * form keeps it by hash (the hidden `<field>Sha256` and `<field>Name`), checked again when kept.
   */
  async function upload(
    roundId: string,
    body: Record<string, unknown>,
    values: FormValues,
    field: string,
    problem: (bytes: Uint8Array) => string | undefined,
    tooLargeMessage: string,
  ): Promise<{ file?: { sha256: string; name: string }; error?: string }> {
    const file = [body[field]].flat().find((f): f is File => f instanceof File && f.size > 0);
    if (file) {
      if (file.size > deps.attachmentMaxBytes) return { error: tooLargeMessage };
      const bytes = new Uint8Array(await file.arrayBuffer());
      const error = problem(bytes);
      if (error) return { error };
      // The coordinator's own uploads are not held to the bureaus' quota; they are recorded for the sweep.
      const kept = await putUpload(store, deps.uploadLedger, roundId, bytes, { quotaBytes: Number.POSITIVE_INFINITY });
      if (!kept.ok) throw new Error('an unlimited upload was refused');
      return { file: { sha256: kept.sha256, name: file.name.slice(0, 200) } };
    }
    const kept = values[`${field}Sha256`];
    if (Sha256.safeParse(kept).success && (await store.has(kept!)) && !problem(await store.get(kept!)))
      return { file: { sha256: kept!, name: (values[`${field}Name`] ?? '').slice(0, 200) } };
    return {};
  }

  /**
   * The paper reply's scan (PDF, PNG or JPEG, told by its bytes). "Add a row" shows the form again
   * with one more row, before anything is checked.
   */
  const paperScan: MiddlewareHandler<CoordinatorEnv> = async (c, next) => {
    const round = c.get('round');
    const body = await c.req.parseBody({ all: true });
    const values = formValues(body);
    const max = deps.attachmentMaxBytes;
    // A scan kept by hash needs the proof that it was uploaded in this round's form in this session (as
    // the reply page does): no other stored file (a circulated document, another round's scan) passes as it.
    const sid = c.get('session').sid;
    const hasNewFile = [body.scan].flat().some((f) => f instanceof File && f.size > 0);
    const unproven =
      !hasNewFile &&
      values.scanSha256 !== undefined &&
      !checkPaperScanProof(deps.secret, round.id, sid, values.scanSha256, values.scanProof);
    const uploaded = unproven
      ? { error: say('scanNotFromForm') }
      : await upload(round.id, body, values, 'scan', (bytes) => checkScan(bytes, max), scanTooLarge(max));
    const scanError = uploaded.error;
    const scan: KeptScan | undefined = uploaded.file && {
      ...uploaded.file,
      proof: paperScanProofFor(deps.secret, round.id, sid, uploaded.file.sha256),
    };
    c.set('scan', scan);
    c.set('scanError', scanError);

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
    await next();
  };

  /** A revised version's file: UTF-8 Markdown in the document format. */
  const versionFile: MiddlewareHandler<CoordinatorEnv> = async (c, next) => {
    const body = await c.req.parseBody({ all: true });
    const max = deps.attachmentMaxBytes;
    const { file, error } = await upload(
      c.get('round').id,
      body,
      formValues(body),
      'file',
      (bytes) => documentFileProblem(bytes, max),
      say('documentTooLarge', { max: `${(max / 1024 / 1024).toFixed(1)} MiB` }),
    );
    c.set('document', file);
    c.set('documentError', error);
    await next();
  };

  /**
   * An action's route: its body limit, the signed-in coordinator's form token, the round, the file the
   * form brings when it has one (`takeFile`, which gives the form its `context`), the form, the Update.
   */
  function actionRoute(
    action: CoordinatorAction,
    maxSize: number,
    takeFile: MiddlewareHandler<CoordinatorEnv> = (_c, next) => next(),
    context?: (c: Context<CoordinatorEnv>) => Partial<FormContext>,
  ) {
    app.post(
      `/rounds/:id/actions/${action.name}`,
      coordinator,
      bodyLimit({ maxSize, onError: tooLarge }),
      auth.verifyForm,
      roundParam,
      loadRound,
      takeFile,
      actionForm(action, context),
      (c) => take(c, action),
    );
  }

  const withFile = deps.attachmentMaxBytes + 1024 * 1024;
  actionRoute(COORDINATOR_ACTIONS.paper, withFile, paperScan, (c) => ({
    scanSha256: c.get('scan')?.sha256,
    scanError: c.get('scanError'),
  }));
  actionRoute(COORDINATOR_ACTIONS['add-version'], withFile, versionFile, (c) => ({
    documentSha256: c.get('document')?.sha256,
    documentError: c.get('documentError'),
  }));
  for (const action of FORM_ACTIONS as readonly CoordinatorAction[]) actionRoute(action, 256 * 1024);

  /** A scan of a reply in this round (and only those), for the coordinator to check what was recorded. */
  app.get(
    '/rounds/:id/files/:sha256',
    coordinator,
    roundParamValidator(templates),
    zValidator('param', RoundParam.extend({ sha256: Sha256 }), (result, c) => {
      if (!result.success) return noFilePage(c, templates);
    }),
    loadRound,
    async (c) => {
      const round = c.get('round');
      const { sha256 } = c.req.valid('param');
      const referenced = round.bureaus.some((b) => b.replies.some((r) => r.scanSha256 === sha256));
      if (!referenced) return noFilePage(c, templates);
      try {
        const bytes = await store.get(sha256);
        return c.body(new Uint8Array(bytes), 200, {
          'content-type': sniffScan(bytes) ?? 'application/octet-stream',
          'content-disposition': `inline; filename="${sha256.slice(0, 16)}"`,
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; img-src 'self'; object-src 'self'; sandbox",
        });
      } catch (err) {
        if (err instanceof ContentNotFoundError) return noFilePage(c, templates);
        throw err;
      }
    },
  );

  return app;
}
