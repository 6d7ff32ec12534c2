/**
 * Where the time of a warm render goes: layout passes, drawing, font embedding. Run:
 * npx tsx bench/pdf/profile.ts [N] [out.pdf]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ReviewRecord } from '../../domain/records.js';
import { renderPlan } from '../../pdf/render.js';

const N = Number(process.argv[2] ?? 5);
const source = readFileSync(fileURLToPath(new URL('../../seeds/plan/xinrong-eco-plan.md', import.meta.url)), 'utf8');
const record = ReviewRecord.parse(
  JSON.parse(readFileSync(fileURLToPath(new URL('../../seeds/records/xinrong-round-1.json', import.meta.url)), 'utf8')),
);
let r = await renderPlan({ source, record, mode: 'approved' });
const times: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  r = await renderPlan({ source, record, mode: 'approved' });
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(
  `median ${times[Math.floor(N / 2)]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, ${r.pages} pages, ${r.pdf.length} B, passes ${r.passes}, sha ${r.sha256.slice(0, 12)}`,
);
if (process.argv[3]) writeFileSync(process.argv[3], r.pdf);
