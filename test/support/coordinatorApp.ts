/** The coordinator's pages over a round service, with one coordinator (li / coordinator-pw) who may sign in. */
import { Hono } from 'hono';
import type { RoundService } from '../../infra/roundGateway.js';
import type { ContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory } from '../../infra/users.js';
import { createCoordinatorRoutes } from '../../web/coordinatorRoutes.js';

export async function coordinatorApp(rounds: RoundService, store: ContentStore): Promise<Hono> {
  const app = new Hono();
  app.onError((err, c) => {
    console.error(err);
    return c.text('internal error', 500);
  });
  const li = {
    username: 'li',
    name: '李协调',
    email: 'li@example.org',
    roles: ['coordinator' as const],
    passwordHash: await hashPassword('coordinator-pw', { N: 1024, r: 8, p: 1 }),
  };
  app.route(
    '/',
    createCoordinatorRoutes({
      rounds,
      store,
      templates: new Templates(),
      secret: Buffer.alloc(32, 7),
      users: staticUserDirectory([li]),
      attachmentMaxBytes: 64 * 1024,
    }),
  );
  return app;
}
