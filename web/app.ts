/**
 * The web server: coordinator pages over the round status, and the mail sink's outbox.
 * Built from its dependencies so tests call it in-process (app.request) without a port.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { except } from 'hono/combine';
import type { Config } from '../infra/config.js';
import { RoundGateway, RoundGatewayError, type RoundService } from '../infra/roundGateway.js';
import type { Templates } from '../infra/templates.js';
import type { ContentStore } from '../infra/store.js';
import type { UploadLedger } from '../infra/uploads.js';
import { createReplyRoutes } from './replyRoutes.js';
import { createAuth } from './auth.js';
import { createCoordinatorRoutes } from './coordinatorRoutes.js';
import { recordsView } from './reviewView.js';
import { roundListPage } from './roundList.js';
import { createOutboxRoutes } from './outboxRoutes.js';
import { createStartRoundRoutes, START_ROUND_PATH } from './startRoundRoutes.js';
import { messageIdDomain } from '../infra/mailer.js';
import { formsOffered, glanceView } from './roundGlance.js';
import { DEFAULT_TIME_ZONE } from '../domain/round.js';
import { createApprovalRoutes } from './approvalRoutes.js';
import { createAuditRoutes } from './auditRoutes.js';
import { TemporalHistories, type RoundHistories } from '../infra/roundHistory.js';
import { actorOf, type User, type UserDirectory } from '../infra/users.js';
import { viewerNav } from './viewer.js';
import { problemsWithMailDelays } from '../domain/mail.js';
import { errorPage, KIB, limitBody, noPage, noRoundPage, securityHeaders } from './guards.js';
import { roundParamValidator } from './roundRoute.js';
import type { LimiterFactory } from './throttle.js';

const STYLE = readFileSync(new URL('./static/style.css', import.meta.url));

interface CommonDeps {
  config: Config;
  templates: Templates;
  /** Signs reply links, form tokens and sessions. */
  secret: Buffer;
  store: ContentStore;
  /** Who may sign in (the users file). */
  users: UserDirectory;
  /** The mail sink's folder when the embedded sink is in use. */
  outboxDir?: string;
  /** Where sign-in throttling and upload quotas keep their counts (web/throttle.ts); default: this process's memory. */
  limiters?: LimiterFactory;
  /** Rounds' Temporal histories for the audit pages; default: fetched with `client` (tests give recorded ones). */
  histories?: RoundHistories;
  /** Records uploads for the per-round byte quota and the sweep (the opened store does); none: neither. */
  uploadLedger?: UploadLedger;
  /**
   * The clock of the reply links' deadlines and of what the round list and a round's page count as
   * late; default: the system clock (tests give the round's own).
   */
  now?: () => Date;
}

/** The rounds: the real gateway over a Temporal `client`, or a RoundService of the caller's (tests give a typed fake). */
export type AppDeps = CommonDeps &
  ({ client: Client; rounds?: undefined } | { rounds: RoundService; client?: undefined });

/** The signed-in user's navigation (set by the staff role check before these routes). */
const viewerOf = (c: Context) => viewerNav(c.get('user' as never) as User);

/** The body limit of every route without one of its own. */
export const DEFAULT_BODY_LIMIT = 64 * KIB;
/**
 * Routes that set their own (larger) body limit: a bureau's reply (web/replyRoutes.ts: the scan
 * plus 1 MiB), the coordinator's actions (web/coordinatorRoutes.ts: the paper reply carries a scan) and
 * starting a round (web/startRoundRoutes.ts: the round file with its documents).
 */
const OWN_BODY_LIMIT = ['/r/:token', '/rounds/:id/actions/:action', START_ROUND_PATH];

/** Histories from Temporal through the client; without one (a fake round service), none to read. */
function historiesOf(client: Client | undefined): RoundHistories {
  if (client) return new TemporalHistories(client);
  return { history: async (roundId) => ({ kind: 'notFound', roundId }) };
}

export function createApp(deps: AppDeps) {
  const { config, templates, secret, store, outboxDir, users, limiters } = deps;
  const app = new Hono();
  const rounds =
    deps.rounds === undefined ? new RoundGateway(deps.client, store, config.TEMPORAL_TASK_QUEUE) : deps.rounds;
  const publicUrl = new URL(config.PUBLIC_URL);
  const trustedOrigins = [publicUrl.origin];
  const auth = createAuth({
    secret,
    users,
    templates,
    secureCookies: publicUrl.protocol === 'https:',
    trustedOrigins,
    limiters,
  });
  const staff = auth.requireRole('coordinator', 'approver', 'auditor');
  const coordinator = auth.requireRole('coordinator');

  // Every response: no framing, no sniffing, no caching (web/guards.ts).
  app.use('*', securityHeaders);
  // No request body is read beyond a small limit, except where a route sets its own.
  app.use('*', except(OWN_BODY_LIMIT, limitBody(DEFAULT_BODY_LIMIT, templates)));

  // Bureaus: personal links, no sign-in (the link is the credential; the round decides what it may do).
  // A signed-in auditor may read what a link shows but never act through it.
  app.use('/r/*', auth.refuseReadOnly);
  app.route(
    '/r',
    createReplyRoutes({
      rounds,
      secret,
      store,
      templates,
      attachmentMaxBytes: config.ATTACHMENT_MAX_BYTES,
      trustedOrigins,
      limiters,
      ...(deps.now && { now: deps.now }),
      ...(deps.uploadLedger && { uploadLedger: deps.uploadLedger }),
      staff: async (c) => {
        const user = await auth.signedInUser(c);
        return user && actorOf(user, user.roles[0]!);
      },
    }),
  );

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/static/style.css', (c) =>
    c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );

  // Staff: signed in as a named user, so that who acted is known.
  app.route('/', auth.routes);
  app.route(
    '/',
    createCoordinatorRoutes({
      rounds,
      store,
      templates,
      secret,
      users,
      auth,
      attachmentMaxBytes: config.ATTACHMENT_MAX_BYTES,
      ...(deps.uploadLedger && { uploadLedger: deps.uploadLedger }),
    }),
  );
  app.route('/', createApprovalRoutes({ rounds, store, templates, auth }));
  app.route(
    '/',
    createStartRoundRoutes({
      rounds,
      store,
      templates,
      auth,
      messageIdDomain: messageIdDomain(config),
      maxBytes: config.ATTACHMENT_MAX_BYTES,
    }),
  );
  app.route(
    '/',
    createAuditRoutes({
      histories: deps.histories ?? historiesOf(deps.client),
      templates,
      auth,
      uiUrl: config.TEMPORAL_UI_URL,
      namespace: config.TEMPORAL_NAMESPACE,
    }),
  );
  app.use('/', staff);
  app.use('/rounds/:id', staff);
  // The outbox holds every bureau's live reply link: coordinators only.
  app.use('/outbox', coordinator);
  app.use('/outbox/*', coordinator);

  app.get(
    '/',
    roundListPage({
      rounds,
      templates,
      timeZone: DEFAULT_TIME_ZONE,
      viewer: viewerOf,
      ...(deps.now && { now: deps.now }),
    }),
  );

  app.get('/rounds/:id', roundParamValidator(templates), async (c) => {
    const { id } = c.req.valid('param');
    const round = await rounds.status(id);
    if (round.kind === 'notFound') return noRoundPage(c, templates, id);
    if (round.kind !== 'done') throw new RoundGatewayError(round);
    const now = deps.now ? deps.now().getTime() : Date.now();
    const viewer = viewerOf(c);
    return c.html(
      templates.render('pages/round', {
        round: { ...round.value, problems: problemsWithMailDelays(round.value, now) },
        glance: glanceView(round.value, now, formsOffered(round.value, viewer.canManage)),
        // The bureaus' details (Message-IDs, link IDs, replies) are on the coordinator's page.
        detailsHref: viewer.canManage ? `/rounds/${id}/manage#bureau-` : undefined,
        records: recordsView(round.value),
        ...viewer,
      }),
    );
  });

  app.route('/', createOutboxRoutes({ templates, outboxDir, timeZone: DEFAULT_TIME_ZONE, viewer: viewerOf }));

  app.notFound((c) => noPage(c, templates));
  app.onError(errorPage(templates));
  return app;
}
