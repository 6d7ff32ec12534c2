/**
 * The auditor's page of a round (/rounds/:id/audit): its timeline, built from the round's Temporal
 * history fetched from the server on every request (never from a side copy), with "was every
 * bureau heard" at the top (per bureau, its outcome and the evidence), filters by bureau, person,
 * kind and time span, each entry linked to its event in the Temporal Web UI when one is configured,
 * and the raw history one link away (/rounds/:id/audit/history.json). Auditors, coordinators and
 * approvers read it; it takes no action. Mounted by web/app.ts at "/", with the app's Auth.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Hono, type Context } from 'hono';
import type { Label } from '../domain/labels.js';
import { RoundGatewayError } from '../infra/roundGateway.js';
import type { RoundHistories } from '../infra/roundHistory.js';
import { formatInstant, type Templates } from '../infra/templates.js';
import { buildTrail, trailCsv, trailJson } from '../infra/trail.js';
import {
  actorLabel,
  buildTimeline,
  CATEGORY_LABELS,
  ENTRY_CATEGORIES,
  eventUrl,
  filterEntries,
  outcomeLabel,
  readTimelineFilter,
  STATUS_LABELS,
  timelineKinds,
  type Timeline,
  type TimelineFilterInput,
} from '../infra/timeline.js';
import { httpErrors, type Auth, type AuthEnv } from './auth.js';
import { roundParamValidator } from './roundRoute.js';
import { noRoundPage } from './guards.js';
import { viewerNav } from './viewer.js';

export interface AuditDeps {
  histories: RoundHistories;
  templates: Templates;
  /** The app's sign-in (web/auth.ts): the caller mounts auth.routes. */
  auth: Auth;
  /** The Temporal Web UI, when one is configured (TEMPORAL_UI_URL). */
  uiUrl?: string;
  namespace: string;
}

const FILTER_FIELDS = ['bureau', 'person', 'kind', 'since', 'until'] as const;

/** The page's filters as typed (the query string), bounded. */
function filterInput(c: Context): TimelineFilterInput {
  const input: TimelineFilterInput = {};
  for (const f of FILTER_FIELDS) {
    const v = c.req.query(f);
    if (v !== undefined && v.length <= 500) input[f] = v;
  }
  return input;
}

/** The query string of the filters that are set ("" when none). */
export function filterQuery(input: TimelineFilterInput): string {
  const q = new URLSearchParams();
  for (const f of FILTER_FIELDS) if (input[f]?.trim()) q.set(f, input[f].trim());
  const s = q.toString();
  return s ? `?${s}` : '';
}

function auditView(t: Timeline, input: TimelineFilterInput, deps: Pick<AuditDeps, 'uiUrl' | 'namespace'>) {
  const time = (at: string) => formatInstant(at, t.timeZone, { seconds: true });
  const url = (eventId: number) => eventUrl(deps.uiUrl, deps.namespace, t, eventId);
  const { filter, problems } = readTimelineFilter(input, t);
  const entries = problems.length > 0 ? t.entries : filterEntries(t.entries, filter);
  const base = `/rounds/${t.roundId}/audit`;
  const kinds = timelineKinds(t);
  const kindLabel = (k: string): Label | undefined => t.entries.find((e) => e.kind === k)?.label;
  return {
    round: {
      id: t.roundId,
      title: t.title,
      timeZone: t.timeZone,
      workflowStatus: t.workflowStatus,
      runId: t.runId,
      overview: `/rounds/${t.roundId}`,
    },
    consults: t.consults,
    allHeard: t.allHeard,
    approved: t.approved && { ...t.approved, at: time(t.approved.at), url: url(t.approved.eventId) },
    hearing: t.hearing.map((h) => ({
      bureau: h.bureau,
      outcome: outcomeLabel(h.outcome),
      pending: h.outcome === 'pending',
      evidence: h.evidence.map((x) => ({ ...x, at: time(x.at), url: url(x.eventId) })),
    })),
    filters: {
      values: input,
      errors: Object.fromEntries(problems.map((p) => [p.field, p.message])),
      bureaus: t.hearing.map((h) => ({ ...h.bureau, selected: h.bureau.id === input.bureau })),
      categories: ENTRY_CATEGORIES.map((k) => ({ value: k, label: CATEGORY_LABELS[k], selected: k === input.kind })),
      kinds: kinds
        .filter((k) => !(ENTRY_CATEGORIES as readonly string[]).includes(k))
        .map((k) => ({ value: k, label: kindLabel(k), selected: k === input.kind })),
      active: filterQuery(input) !== '',
    },
    shown: entries.length,
    total: t.entries.length,
    entries: entries.map((e) => ({
      eventId: e.eventId,
      url: url(e.eventId),
      at: time(e.at),
      category: CATEGORY_LABELS[e.category],
      label: e.label,
      who: actorLabel(e.actor),
      what: e.what,
      status: e.status === 'done' ? undefined : STATUS_LABELS[e.status],
      failed: e.status === 'failed' || e.status === 'refused',
      submittedSha256: e.submittedSha256,
      hashes: Object.entries(e.hashes).map(([name, sha256]) => ({ name, sha256 })),
      messageId: e.email?.messageId,
    })),
    links: {
      history: `${base}/history.json`,
      trail: `${base}/trail.json`,
      csv: `${base}/trail.csv${filterQuery(input)}`,
    },
    uiConfigured: deps.uiUrl !== undefined,
  };
}

/** round:plan:1 → round-plan-1, for file names. */
const fileStem = (roundId: string) => roundId.replace(/:/g, '-');

/** A file to save (never shown inline, never cached by a shared cache). */
function download(body: string, type: string, filename: string): Response {
  return new Response(body, {
    headers: {
      'content-type': `${type}; charset=utf-8`,
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

export function createAuditRoutes(deps: AuditDeps) {
  const { histories, templates, auth } = deps;
  const staff = auth.requireRole('coordinator', 'approver', 'auditor');
  const app = new Hono<AuthEnv>();
  app.onError(httpErrors);
  const roundParam = roundParamValidator(templates);

  async function historyOf(c: Context, id: string) {
    const fetched = await histories.history(id);
    if (fetched.kind === 'notFound') return { response: noRoundPage(c, templates, id) };
    if (fetched.kind !== 'done') throw new RoundGatewayError(fetched);
    return { history: fetched.value };
  }

  app.get('/rounds/:id/audit', staff, roundParam, async (c) => {
    const { id } = c.req.valid('param' as never) as { id: string };
    const got = await historyOf(c, id);
    if (!got.history) return got.response;
    const user = c.get('user');
    c.header('cache-control', 'no-store');
    return c.html(
      templates.render('pages/audit', {
        ...auditView(buildTimeline(id, got.history), filterInput(c), deps),
        user: { name: user.name, username: user.username },
        ...viewerNav(user),
        csrf: auth.formToken(c),
      }),
    );
  });

  /** The whole trail as JSON, each entry chained to the one before by SHA-256 (infra/trail.ts). */
  app.get('/rounds/:id/audit/trail.json', staff, roundParam, async (c) => {
    const { id } = c.req.valid('param' as never) as { id: string };
    const got = await historyOf(c, id);
    if (!got.history) return got.response;
    return download(
      trailJson(buildTrail(buildTimeline(id, got.history))),
      'application/json',
      `${fileStem(id)}-trail.json`,
    );
  });

  /** The entries the page shows (its filters), as CSV: UTF-8 with a BOM, one row per entry with its chain hashes. */
  app.get('/rounds/:id/audit/trail.csv', staff, roundParam, async (c) => {
    const { id } = c.req.valid('param' as never) as { id: string };
    const got = await historyOf(c, id);
    if (!got.history) return got.response;
    const timeline = buildTimeline(id, got.history);
    const trail = buildTrail(timeline);
    const { filter, problems } = readTimelineFilter(filterInput(c), timeline);
    const shown = new Set(problems.length > 0 ? timeline.entries : filterEntries(timeline.entries, filter));
    const rows = trail.entries.filter((_, i) => shown.has(timeline.entries[i]!));
    return download(trailCsv(trail, rows), 'text/csv', `${fileStem(id)}-trail.csv`);
  });

  /** The round's Temporal history as it is, the JSON the Temporal CLI and the SDK's replayer read. */
  app.get('/rounds/:id/audit/history.json', staff, roundParam, async (c) => {
    const { id } = c.req.valid('param' as never) as { id: string };
    const got = await historyOf(c, id);
    if (!got.history) return got.response;
    return download(historyToJSON(got.history), 'application/json', `${fileStem(id)}-history.json`);
  });

  return app;
}
