// Prints every chunk's gzipped size and the initial JavaScript (the entry and what it
// imports statically); with --check, fails above the budget or when the chart library
// is part of the initial load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET_KB = 200;
const dist = join(import.meta.dirname, '..', 'dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry);
const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const dep of chunk.imports ?? []) visit(dep);
};
visit(entryKey);

const rows = Object.values(manifest)
  .filter((chunk) => chunk.file.endsWith('.js'))
  .map((chunk) => ({ file: chunk.file, gzip: gz(chunk.file), initial: initial.has(chunk.file) }))
  .sort((a, b) => b.gzip - a.gzip);
console.log('chunk (gzipped)');
for (const row of rows) console.log(`  ${row.initial ? '*' : ' '} ${kb(row.gzip).padStart(9)}  ${row.file}`);
const total = rows.filter((r) => r.initial).reduce((sum, r) => sum + r.gzip, 0);
const css = [...new Set(Object.values(manifest).flatMap((c) => c.css ?? []))];
for (const file of css) console.log(`    ${kb(gz(file)).padStart(9)}  ${file}`);
console.log(`initial JavaScript (* above): ${kb(total)} gzipped; budget ${BUDGET_KB} KB`);

if (process.argv.includes('--check')) {
  let failed = false;
  if (total > BUDGET_KB * 1024) {
    console.error(`FAIL: the initial JavaScript is ${kb(total)}, over the ${BUDGET_KB} KB budget`);
    failed = true;
  }
  for (const file of initial) {
    if (readFileSync(join(dist, file), 'utf8').includes('recharts-wrapper')) {
      console.error(`FAIL: the chart library is in the initial load (${file})`);
      failed = true;
    }
  }
  if (failed) process.exit(1);
  console.log('bundle budget: ok');
}
