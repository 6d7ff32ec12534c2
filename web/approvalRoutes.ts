/**
 * The approver's page of a round (/rounds/:id/approval): the stage, what blocks approval (in the
 * refusal catalog's words), the candidate PDF with its hashes, embedded and openable, a form to
 * approve it by its SHA-256 (with a ticked confirmation) and one to reject it with a reason, and
 * the decisions taken. Coordinators and auditors read the page; only approvers act. The PDF route
 * serves the round's current candidate and its approved PDFs from the document store, nothing else.
 *
 * Each form carries the hash of the candidate the approver was shown: if the candidate changed in
 * between, the round refuses (nothing is recorded) and the page shows the refusal beside the new one.
 * Mounted by web/app.ts at "/", with the app's Auth.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ApproveCandidateRequest, approvedPdf, blockerText, RejectCandidateRequest } from '../domain/approval.js';
import { APPROVAL_DECISION_LABELS, STAGE_LABELS } from '../domain/labels.js';
import { refusalMessage, say } from '../domain/messages.js';
import { Sha256, type Actor } from '../domain/records.js';
import type { RoundStatus } from '../domain/round.js';
import { RoundGatewayError, type ActionRequest, type RoundService } from '../infra/roundGateway.js';
import { ContentNotFoundError, type ContentStore } from '../infra/store.js';
import { labelHtml, pageTime, type Templates } from '../infra/templates.js';
import { actorOf, type User } from '../infra/users.js';
import { approvalBlockers } from '../workflows/stages/approval/rules.js';
import { httpErrors, type Auth, type AuthEnv } from './auth.js';
import {
  FORM_ERROR,
  fieldErrors,
  fieldOfForm,
  formValues,
  newRequestId,
  requestIdField,
  requiredText,
  type FieldErrors,
  type FormValues,
} from './coordinatorForms.js';
import { noFilePage } from './guards.js';
import { roundLoader, RoundParam, roundParamValidator, type RoundEnv } from './roundRoute.js';
import { viewerNav } from './viewer.js';

export interface ApprovalDeps {
  rounds: RoundService;
  store: ContentStore;
  templates: Templates;
  /** The app's sign-in (web/auth.ts): the caller mounts auth.routes. */
  auth: Auth;
}

interface ApprovalEnv {
  Variables: AuthEnv['Variables'] & RoundEnv['Variables'];
}

const PdfParam = RoundParam.extend({ file: z.string().regex(/^[0-9a-f]{64}\.pdf$/) });
const Decided = z.enum(['approve', 'reject']);

/** The approver's two forms: the Update each sends, its fields, and the request it becomes. */
const FORMS = {
  approve: {
    update: 'approveCandidate',
    fields: ['confirm'],
    schema: (actor: Actor) =>
      z
        .object({
          requestId: requestIdField('approve'),
          pdfSha256: Sha256,
          confirm: z.literal('yes', { error: say('confirmApproval') }),
        })
        .transform((f) => ({ requestId: f.requestId, actor, pdfSha256: f.pdfSha256 }))
        .pipe(ApproveCandidateRequest),
  },
  reject: {
    update: 'rejectCandidate',
    fields: ['reason'],
    schema: (actor: Actor) =>
      z
        .object({
          requestId: requestIdField('reject'),
          pdfSha256: Sha256,
          reason: requiredText(5000, 'giveRejectReason'),
        })
        .transform((f) => ({ ...f, actor }))
        .pipe(RejectCandidateRequest),
  },
} as const;
type FormName = keyof typeof FORMS;

interface Failed {
  form: FormName;
  values: FormValues;
  errors: FieldErrors;
}

const pdfUrl = (roundId: string, sha256: string) => `/rounds/${roundId}/candidate/${sha256}.pdf`;

/** The PDFs of a round anyone signed in may read: its current candidate and every PDF it approved. */
function servablePdfs(round: RoundStatus): Set<string> {
  const { candidate, decisions } = round.approval;
  return new Set([
    ...(candidate ? [candidate.pdfSha256] : []),
    ...decisions.filter((d) => d.decision === 'approved' && d.pdfSha256).map((d) => d.pdfSha256!),
  ]);
}

function formView(name: FormName, failed: Failed | undefined) {
  const mine = failed?.form === name ? failed : undefined;
  return {
    name,
    // A fresh id for a fresh attempt: a refused request did nothing, so the next one is new.
    requestId: newRequestId(name),
    v: mine?.values ?? {},
    e: mine?.errors ?? {},
    error: mine?.errors[FORM_ERROR],
    failed: mine !== undefined,
  };
}

function approvalView(round: RoundStatus, user: User, failed?: Failed, decided?: FormName) {
  const tz = round.timeZone;
  const { candidate, decisions } = round.approval;
  const blockers = approvalBlockers(round).map(blockerText);
  const approved = approvedPdf(round.approval);
  const servable = servablePdfs(round);
  const last = decisions[decisions.length - 1];
  const stage = round.stage;
  const current = candidate && stage === 'approval' && !approved ? candidate : null;
  return {
    round: { id: round.id, title: round.title, stage: labelHtml(STAGE_LABELS[stage]), timeZone: tz },
    beforeApproval: ['drafting', 'consultation', 'disposition', 'expertReview'].includes(stage),
    revision: stage === 'revision',
    rendering: stage === 'approval' && !current && blockers.length === 0,
    finished: stage === 'cancelled' || stage === 'completed',
    blockers,
    candidate: current && {
      pages: current.pages,
      renderedAt: pageTime(current.renderedAt, tz, { seconds: true }),
      issueDate: current.issueDate,
      pdfSha256: current.pdfSha256,
      recordSha256: current.recordSha256,
      url: pdfUrl(round.id, current.pdfSha256),
    },
    approved: approved && {
      pdfSha256: approved,
      url: pdfUrl(round.id, approved),
      downloadUrl: `${pdfUrl(round.id, approved)}?download=1`,
      fileName: `${round.planId}-${round.n}-approved.pdf`,
    },
    isApprover: user.roles.includes('approver'),
    canDecide: current !== null && blockers.length === 0 && user.roles.includes('approver'),
    forms: { approve: formView('approve', failed), reject: formView('reject', failed) },
    failed: failed !== undefined,
    flash:
      decided === 'approve' && last?.decision === 'approved'
        ? { zh: '已批准该 PDF。', en: 'The PDF is approved.' }
        : decided === 'reject' && last?.decision === 'rejected'
          ? { zh: '已退回修改。', en: 'The candidate is returned for revision.' }
          : undefined,
    decisions: decisions.map((d) => ({
      at: pageTime(d.at, tz, { seconds: true }),
      by: d.by,
      decision: d.decision,
      label: APPROVAL_DECISION_LABELS[d.decision],
      reason: d.reason,
      pdfSha256: d.pdfSha256,
      url: d.pdfSha256 && servable.has(d.pdfSha256) ? pdfUrl(round.id, d.pdfSha256) : undefined,
    })),
  };
}

export function createApprovalRoutes(deps: ApprovalDeps) {
  const { rounds, store, templates, auth } = deps;
  const staff = auth.requireRole('coordinator', 'approver', 'auditor');
  const approver = auth.requireRole('approver');
  const app = new Hono<ApprovalEnv>();
  app.onError(httpErrors);

  const roundParam = roundParamValidator(templates);
  const loadRound = roundLoader(rounds, templates);

  function render(c: Context<ApprovalEnv>, round: RoundStatus, status: 200 | 422, failed?: Failed, decided?: FormName) {
    const user = c.get('user');
    c.header('cache-control', 'no-store');
    return c.html(
      templates.render('pages/approval', {
        ...approvalView(round, user, failed, decided),
        user: { name: user.name, username: user.username },
        ...viewerNav(user),
        csrf: auth.formToken(c as unknown as Context<AuthEnv>),
      }),
      status,
    );
  }

  app.get('/rounds/:id/approval', staff, roundParam, loadRound, (c) => {
    const decided = Decided.safeParse(c.req.query('decided'));
    return render(c, c.get('round'), 200, undefined, decided.success ? decided.data : undefined);
  });

  for (const name of Object.keys(FORMS) as FormName[]) {
    const form = FORMS[name];
    const fieldOf = fieldOfForm(form.fields);
    app.post(
      `/rounds/:id/approval/${name}`,
      approver,
      auth.verifyForm,
      roundParam,
      loadRound,
      async (c, next) => {
        const round = c.get('round');
        return zValidator(
          'form',
          form.schema(actorOf(c.get('user'), 'approver')) as z.ZodType,
          (result) => {
            if (result.success) return;
            const errors = fieldErrors(result.error.issues, fieldOf);
            return render(c, round, 422, { form: name, values: formValues(result.data), errors });
          },
          { validationFunction: (schema, value) => schema.safeParseAsync(value, { reportInput: true }) },
        )(c as never, next);
      },
      async (c) => {
        const round = c.get('round');
        const request = c.req.valid('form' as never) as ActionRequest<(typeof form)['update']>;
        const sent = await rounds.act(round.id, form.update, request);
        if (sent.kind === 'done') return c.redirect(`/rounds/${round.id}/approval?decided=${name}`, 303);
        if (sent.kind === 'notFound') return c.text(`no round ${round.id}`, 404);
        if (sent.kind !== 'refused') throw new RoundGatewayError(sent);
        // Shown beside the round as it stands now (a new candidate, or none while one is rendered).
        const now = await rounds.status(round.id);
        const field = fieldOf(sent.refusal.field);
        return render(c, now.kind === 'done' ? now.value : round, 422, {
          form: name,
          values: formValues(await c.req.parseBody()),
          errors: { [field]: refusalMessage(sent.refusal) },
        });
      },
    );
  }

  /** A PDF of this round: its current candidate or an approved PDF; any other hash is not found. */
  app.get(
    '/rounds/:id/candidate/:file',
    staff,
    roundParam,
    zValidator('param', PdfParam, (result, c) => {
      if (!result.success) return noFilePage(c, templates);
    }),
    loadRound,
    async (c) => {
      const round = c.get('round');
      const sha256 = c.req.valid('param').file.slice(0, 64);
      if (!servablePdfs(round).has(sha256)) return noFilePage(c, templates);
      let bytes: Buffer;
      try {
        bytes = await store.get(sha256);
      } catch (err) {
        if (err instanceof ContentNotFoundError) return noFilePage(c, templates);
        throw err;
      }
      const disposition = c.req.query('download') === '1' ? 'attachment' : 'inline';
      return c.body(new Uint8Array(bytes), 200, {
        'content-type': 'application/pdf',
        'content-disposition': `${disposition}; filename="${round.planId}-${round.n}-${sha256.slice(0, 12)}.pdf"`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-cache',
      });
    },
  );

  return app;
}
