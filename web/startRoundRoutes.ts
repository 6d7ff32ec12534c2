/**
 * Starting a round from the web (coordinators only): the round file (YAML or JSON) uploaded with the
 * documents and bureau list it names, read by the CLI's own code and schema (infra/roundFile.ts).
 * A problem is shown beside its field in Chinese and English and nothing starts; once the round
 * has started, the coordinator lands on its page.
 */
import { Hono, type Context } from 'hono';
import type { RoundService } from '../infra/roundGateway.js';
import { RoundGatewayError } from '../infra/roundGateway.js';
import { roundInputFrom, RoundFileError, uploadedRoundFiles, type RoundFileProblem } from '../infra/roundFile.js';
import type { ContentStore } from '../infra/store.js';
import type { Templates } from '../infra/templates.js';
import { actorOf } from '../infra/users.js';
import { refusalMessage } from '../domain/messages.js';
import type { Auth, AuthEnv } from './auth.js';
import { limitBody, messagePage, readFormBody, unreadableFormMessage, type FormBody } from './guards.js';

export interface StartRoundDeps {
  rounds: RoundService;
  store: ContentStore;
  templates: Templates;
  auth: Auth;
  /** The right-hand side of the round's Message-IDs (the web server's host), as the CLI gives it. */
  messageIdDomain: string;
  /** The largest upload: the round file, its documents and its bureau list together. */
  maxBytes: number;
}

export const START_ROUND_PATH = '/new-round';

const filesOf = (body: FormBody, name: string): File[] =>
  [body[name]].flat().filter((v): v is File => v instanceof File && v.size > 0);

const bytesOf = async (f: File) => Buffer.from(await f.arrayBuffer());

const TITLE = '开始审查轮次 Start a round';

/**
 * A refused upload as the page shows it: each problem beside the field to correct (a file the round
 * file names but was not uploaded beside the files, the rest beside the round file), and the summary
 * at the top listing them in the form's order, each a link to its field, plus a refusal of the round
 * itself (no field); the count leads the title so that it is the first thing a screen reader says.
 */
function refusedView(problems: RoundFileProblem[], error: string | undefined) {
  const roundFile = problems.filter((p) => p.missingFile === undefined);
  const files = problems.filter((p) => p.missingFile !== undefined);
  const summary = [
    ...roundFile.map((p) => ({ ...p, href: '#round-file' })),
    ...files.map((p) => ({ ...p, href: '#round-files' })),
  ];
  const errorCount = summary.length + (error ? 1 : 0);
  if (errorCount === 0) return { title: TITLE };
  return {
    title: `有 ${errorCount} 处需要修改 ${errorCount} ${errorCount === 1 ? 'problem' : 'problems'} · ${TITLE}`,
    error,
    errorCount,
    oneError: errorCount === 1,
    summary,
    roundFileProblems: roundFile,
    filesProblems: files,
  };
}

export function createStartRoundRoutes(deps: StartRoundDeps) {
  const { rounds, store, templates, auth } = deps;
  const app = new Hono<AuthEnv>();
  const coordinator = auth.requireRole('coordinator');

  function page(
    c: Context<AuthEnv>,
    status: 200 | 422 = 200,
    view: { problems?: RoundFileProblem[]; error?: string } = {},
  ) {
    const user = c.get('user');
    return c.html(
      templates.render('pages/round-new', {
        user: { name: user.name, username: user.username },
        csrf: auth.formToken(c),
        action: START_ROUND_PATH,
        ...refusedView(view.problems ?? [], view.error),
      }),
      status,
    );
  }

  app.get(START_ROUND_PATH, coordinator, (c) => page(c));

  app.post(START_ROUND_PATH, limitBody(deps.maxBytes, templates), coordinator, auth.verifyForm, async (c) => {
    const body = await readFormBody(c);
    if (!body) return messagePage(c, templates, 400, unreadableFormMessage);
    const [roundFile] = filesOf(body, 'roundFile');
    if (!roundFile)
      return page(c, 422, {
        problems: [
          { field: 'roundFile', zh: '请选择轮次文件（YAML 或 JSON）', en: 'Choose the round file (YAML or JSON)' },
        ],
      });
    const files = await Promise.all(
      filesOf(body, 'files').map(async (f) => ({ name: f.name, bytes: await bytesOf(f) })),
    );
    const source = uploadedRoundFiles({ name: roundFile.name, bytes: await bytesOf(roundFile) }, files);
    let loaded;
    try {
      loaded = await roundInputFrom(source, store, {
        startedBy: actorOf(c.get('user'), 'coordinator'),
        messageIdDomain: deps.messageIdDomain,
      });
    } catch (err) {
      if (err instanceof RoundFileError) return page(c, 422, { problems: err.fields });
      throw err;
    }
    const started = await rounds.start(loaded.input);
    if (started.kind === 'done') return c.redirect(`/rounds/${started.value}/manage`, 303);
    if (started.kind === 'exists')
      return page(c, 422, {
        error: `${started.roundId} 已经开始，不能重复开始；如需新一轮，请改轮次编号（round）。 This round has already been started: give the next round number (round) for a new one.`,
      });
    if (started.kind === 'refused') return page(c, 422, { error: refusalMessage(started.refusal) });
    throw new RoundGatewayError(started);
  });

  return app;
}
