/**
 * Activity dependencies for a worker run inside a script or a test (the benchmark, the workflow
 * tests): a fixed signing secret so links can be checked afterwards, a public URL nobody serves,
 * and attachments rendered as a line of HTML because Chromium would only make the run slower.
 * Never the dependencies of a deployed worker (worker/ builds those from the configuration).
 */
import type { Transporter } from 'nodemailer';
import type { ActivityDeps } from '../../activities/index.js';
import type { ContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';

export const IN_PROCESS_SECRET = Buffer.alloc(32, 7);

export function inProcessActivityDeps(
  store: ContentStore,
  transport: Transporter,
  overrides: Partial<ActivityDeps> = {},
): ActivityDeps {
  return {
    store,
    transport,
    templates: new Templates(),
    secret: IN_PROCESS_SECRET,
    publicUrl: 'http://plan-review.test',
    from: 'plan-review <plan-review@plan-review.test>',
    renderAttachment: async (d) => ({
      filename: `${d.title}.html`,
      content: `<h1>${d.title}</h1>`,
      contentType: 'text/html; charset=utf-8',
    }),
    ...overrides,
  };
}
