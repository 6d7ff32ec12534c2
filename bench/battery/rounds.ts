/** Stand-in rounds for the battery: a small plan in the document format, the seed's seven bureaus. */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { Bureau, type Actor } from '../../domain/records.js';
import type { RoundInput, Stage } from '../../domain/round.js';
import { unwrap } from '../../infra/roundGateway.js';
import type { BatteryStack } from './stack.js';

export const STAND_IN_PLAN = `# 第一章 区域概况

## 1.1 自然概况

### 1.1.1 地理位置

新荣区位于大同市北部。

## 1.2 社会经济概况

# 第二章 发展基础与形势

## 2.1 绿色产业快速高质量发展
`;

export const batteryCoordinator: Actor = {
  name: '可靠性测试协调人',
  role: 'coordinator',
  email: 'coordinator@xinrong.example.org',
};

const DAY = 24 * 3600 * 1000;

export async function seedBureaus(): Promise<Bureau[]> {
  const file = new URL('../../seeds/bureaus.yaml', import.meta.url);
  return z.array(Bureau).parse(parseYaml(await readFile(file, 'utf8')));
}

export async function standInRound(
  stack: BatteryStack,
  prefix: string,
  stages: Exclude<Stage, 'drafting'>[] = ['consultation'],
): Promise<RoundInput> {
  const { sha256 } = await stack.store.put(Buffer.from(STAND_IN_PLAN));
  return {
    planId: `${prefix}-${randomUUID().slice(0, 8)}`,
    n: 1,
    title: '可靠性测试规划',
    timeZone: 'Asia/Shanghai',
    coordinator: batteryCoordinator,
    documents: [{ key: 'plan', title: '可靠性测试规划（征求意见稿）', sha256 }],
    bureaus: await seedBureaus(),
    deadline: { afterMs: 14 * DAY },
    reminderOffsetsMs: [7 * DAY],
    graceMs: 0,
    startedBy: batteryCoordinator,
    messageIdDomain: new URL(stack.webUrl).hostname,
    stages: stages as RoundInput['stages'],
    objectionWindowMs: 5 * DAY,
  };
}

/** Starts `count` stand-in rounds, `parallel` at a time; returns their ids. */
export async function startRounds(
  stack: BatteryStack,
  prefix: string,
  count: number,
  opts: { parallel?: number; stages?: Exclude<Stage, 'drafting'>[] } = {},
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const starter = async () => {
    while (next < count) {
      next++;
      ids.push(unwrap(await stack.rounds.start(await standInRound(stack, prefix, opts.stages))));
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, opts.parallel ?? 5) }, starter));
  return ids;
}

/** Each round's reply links, by bureau email, from the invitations the mail server accepted. */
export async function waitForLinks(
  stack: BatteryStack,
  ids: string[],
  timeoutMs: number,
  /** Addresses no invitation reaches (refused for good). */
  except: string[] = [],
): Promise<Map<string, Map<string, string>>> {
  const bureaus = await seedBureaus();
  const until = Date.now() + timeoutMs;
  for (;;) {
    const links = new Map<string, Map<string, string>>(ids.map((id) => [id, new Map()]));
    for (const m of await stack.accepted())
      if (m.kind === 'invitation' && m.link && links.has(m.round)) links.get(m.round)!.set(m.to[0]!, m.link);
    const missing = [...links.values()].reduce((n, l) => n + (bureaus.length - except.length - l.size), 0);
    if (missing === 0) return links;
    if (Date.now() > until)
      throw new Error(`${missing} invitation(s) of ${ids.length} round(s) not received within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
