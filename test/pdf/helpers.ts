import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReviewRecord } from '../../domain/records.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const seedPlanPath = join(root, 'seeds/plan/xinrong-eco-plan.md');
export const seedRecordPath = join(root, 'seeds/records/xinrong-round-1.json');
export const fixturePath = fileURLToPath(new URL('./fixtures/mini-plan.md', import.meta.url));

export function loadSeedRecord(): ReviewRecord {
  return ReviewRecord.parse(JSON.parse(readFileSync(seedRecordPath, 'utf8')));
}

const dir = mkdtempSync(join(tmpdir(), 'pdf-test-'));
let n = 0;

export function savePdf(pdf: Buffer): string {
  const path = join(dir, `out-${++n}.pdf`);
  writeFileSync(path, pdf);
  return path;
}

/** Text of each page (pdftotext -raw, split at form feeds). */
export function pagesText(path: string): string[] {
  const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const pages = text.split('\f');
  if (pages[pages.length - 1] === '') pages.pop();
  return pages;
}

export const norm = (s: string): string => s.normalize('NFKC').replace(/\s+/g, '');

export function pdffonts(path: string): string {
  return execFileSync('pdffonts', [path], { encoding: 'utf8' });
}

export function pdfinfo(path: string): string {
  return execFileSync('pdfinfo', [path], { encoding: 'utf8' });
}

/** One page rasterised in grey (pdftoppm -gray → PGM): width, height and one byte per pixel. */
export function rasterGray(path: string, page: number, dpi = 40): { width: number; height: number; data: Uint8Array } {
  const out = join(dir, `ras-${++n}`);
  execFileSync('pdftoppm', [
    '-r',
    String(dpi),
    '-gray',
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    path,
    out,
  ]);
  const pgm = readFileSync(`${out}.pgm`);
  let pos = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(pgm[pos]!))) pos++;
    let tok = '';
    while (!/\s/.test(String.fromCharCode(pgm[pos]!))) tok += String.fromCharCode(pgm[pos++]!);
    fields.push(tok);
  }
  pos++;
  const [, width, height] = fields.map(Number) as [number, number, number, number];
  return { width, height, data: pgm.subarray(pos, pos + width * height) };
}

/** Dark pixels of one page rasterised in grey. */
export function darkPixels(path: string, page: number): { dark: number; total: number } {
  const { width, height, data } = rasterGray(path, page);
  let dark = 0;
  for (const v of data) if (v < 128) dark++;
  return { dark, total: width * height };
}
