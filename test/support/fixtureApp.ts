/**
 * The whole web app over a reply fixture's fake rounds, with the staff of approvalUsers() (li the
 * coordinator, wang the approver, zhou the auditor), for tests that sign in as one of them.
 */
import { loadConfig } from '../../infra/config.js';
import { Templates } from '../../infra/templates.js';
import { staticUserDirectory } from '../../infra/users.js';
import { createApp, type AppDeps } from '../../web/app.js';
import { approvalUsers } from './approvalApp.js';
import type { ReplyFixture } from './replyFixture.js';

export async function fixtureApp(
  fx: ReplyFixture,
  env: { PUBLIC_URL: string; PLAN_REVIEW_DATA_DIR?: string },
  more: Pick<AppDeps, 'now' | 'outboxDir'> = {},
): Promise<ReturnType<typeof createApp>> {
  return createApp({
    rounds: fx.fake,
    config: loadConfig(env, env.PLAN_REVIEW_DATA_DIR ?? '/tmp'),
    templates: new Templates(),
    secret: fx.secret,
    store: fx.store,
    users: staticUserDirectory(await approvalUsers()),
    ...more,
  });
}
