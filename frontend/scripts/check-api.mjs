// Fails when src/api/ is not what `npm run gen:api` writes from openapi.yaml, or when
// a type named like one of the API's schemas is declared by hand outside src/api/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(mkdtempSync(join(tmpdir(), 'homeward-api-')), 'schema.ts');
execFileSync(join(root, 'node_modules', '.bin', 'openapi-typescript'), ['../openapi.yaml', '-o', out], {
  cwd: root,
  stdio: 'pipe',
});
const fresh = readFileSync(out, 'utf8');
const current = readFileSync(join(root, 'src', 'api', 'schema.ts'), 'utf8');
let failed = false;
if (fresh !== current) {
  console.error('FAIL: src/api/schema.ts is stale; run `npm run gen:api` in frontend/');
  failed = true;
}

const schemaNames = new Set(
  [...fresh.matchAll(/^ {8}([A-Za-z_][A-Za-z0-9_]*): /gm)].map((m) => m[1]),
);
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'api' ? [] : walk(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
for (const file of walk(join(root, 'src'))) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(?:export )?(?:interface|type) ([A-Za-z0-9_]+)\b(?! = (?:Schemas|components)\[)/gm)) {
    if (schemaNames.has(m[1]) && !new RegExp(`type ${m[1]} = [^;]*\\[['"]${m[1]}['"]\\]`).test(text)) {
      console.error(`FAIL: ${file} declares ${m[1]} by hand; use the generated type`);
      failed = true;
    }
  }
}
if (failed) process.exit(1);
console.log('generated API client: up to date, no hand-written API types');
