/**
 * Bundles the workflows and writes the bundle to the file named by its one argument. Run as a
 * child process by bundleWorkflows(): webpack's memory (about 170 MB) goes away with this process
 * instead of staying in the worker for as long as it runs.
 */
import { writeFile } from 'node:fs/promises';
import { bundleRoundWorkflows } from './bundleOptions.js';

const out = process.argv[2];
if (!out) throw new Error('usage: bundleMain.ts <out.js>');
const { code } = await bundleRoundWorkflows();
await writeFile(out, code);
